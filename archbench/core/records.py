"""Names of what a run records on each sample, shared by the agent that writes them (archbench.evals)
and the report that reads them (archbench.reports)."""

# sample metadata: the agent's model calls (counts, retries), the usage and original duration of the
# answers inspect's response cache served, the usage of batched calls and of earlier attempts
CALLS_KEY = "archbench_calls"
