"""The architect agent: explore a private copy of the scenario repo with tools, then answer.

The sample's input already holds the system prompt (the prompt body) and the request; the
solver binds the prompt's tools to a fresh copy-on-write workspace, loops generate until
the model stops calling tools, and records the workspace diff for the graders — also when
the sample ends early (message limit, error), so an edit is never lost.
"""

from __future__ import annotations

from contextvars import ContextVar
from pathlib import Path

from archbench.evals.budget import active_budget
from archbench.evals.interrupts import watch_interrupts
from archbench.evals.tools import DEFAULT_MAX_OUTPUT
from archbench.evals.toolset import architect_tools
from archbench.evals.workspace import RepoWorkspace
from inspect_ai.event import ModelEvent
from inspect_ai.log import transcript
from inspect_ai.model._model import (
    sample_model_usage,  # no public accessor for per-model sample usage yet
)
from inspect_ai.solver import Generate, Solver, TaskState, solver

from archbench.core.scenarios import Scenario, load_scenario_cached

# The scenario of the sample being solved; the offline baseline providers read it (a real
# model sees only the messages). Set per sample task, so concurrent samples don't mix.
ACTIVE_SCENARIO: ContextVar[Scenario | None] = ContextVar("archbench_active_scenario", default=None)
REPO_DIFF_KEY = "repo_diff"
CALLS_KEY = "archbench_calls"  # sample metadata: the agent's model calls (in the log's sample summaries)
OFFLINE_PROVIDER = "archbench"


@solver
def architect_agent(max_output: int = DEFAULT_MAX_OUTPUT, cache: bool = True) -> Solver:
    """Run the architect's tool loop in a sandboxed copy of the sample's repo.

    Args:
        max_output: Cap, in characters, on each tool result.
        cache: Serve identical model calls from inspect's response cache (reruns cost nothing).
    """

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        watch_interrupts()
        budget = active_budget()
        if budget:
            budget.check()
        scenario = load_scenario_cached(Path(state.metadata["scenario_file"]))
        workspace = RepoWorkspace(scenario.repo_path, scenario.repo_config.frontend_dir)
        token = ACTIVE_SCENARIO.set(scenario)
        try:
            state.tools = architect_tools(workspace, state.metadata["tools"], max_output)
            # the offline baselines answer from files (reference plans) that may change between
            # runs; caching them could serve a stale plan, and they cost nothing to rerun
            offline = str(state.model).startswith(f"{OFFLINE_PROVIDER}/")
            return await generate(state, tool_calls="loop", cache=cache and not offline)
        finally:
            ACTIVE_SCENARIO.reset(token)
            if budget:
                budget.add(sample_model_usage())
            state.metadata[CALLS_KEY] = model_call_counts()
            state.store.set(REPO_DIFF_KEY, workspace.diff().model_dump())
            workspace.close()

    return solve


def model_call_counts() -> dict[str, int]:
    """The sample's model calls so far: made, served from inspect's response cache, and retried
    (the provider SDK's own retries plus inspect's abandoned attempts, which fail their event).
    Kept in the sample's metadata, which the log's sample summaries carry, so totals for a run
    need no pass over every transcript."""
    events = [event for event in transcript().events if isinstance(event, ModelEvent)]
    return {
        "model_calls": len(events),
        "cache_hits": sum(1 for event in events if event.cache == "read"),
        "retries": sum((event.retries or 0) + (1 if event.error else 0) for event in events),
    }
