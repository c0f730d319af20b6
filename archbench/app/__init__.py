"""The application: the `archbench` CLI, runs of the prompt × model matrix, configs and workflows."""
