"""The inspect task: the architect agent, its sandboxed tools and workspace, and the offline providers."""
