"""The architect agent: explore a private copy of the scenario repo with tools, then answer.

The sample's input already holds the system prompt (the prompt body) and the request; the
solver binds the prompt's tools to a fresh copy-on-write workspace, loops generate until
the model stops calling tools, and records the workspace diff for the graders — also when
the sample ends early (message limit, error), so an edit is never lost.
"""

from __future__ import annotations

from contextvars import ContextVar
from pathlib import Path
from typing import Any

from inspect_ai.event import ModelEvent
from inspect_ai.log import transcript
from inspect_ai.model import ChatMessageAssistant, ModelUsage, get_model
from inspect_ai.model._model import (
    sample_model_usage,  # no public accessor for per-model sample usage yet
)
from inspect_ai.solver import Generate, Solver, TaskState, solver

from archbench.core.records import CALLS_KEY
from archbench.core.scenarios import Scenario, load_scenario_cached
from archbench.evals.budget import SampleCharges, active_budget
from archbench.evals.interrupts import watch_interrupts
from archbench.evals.reachability import check_reachable
from archbench.evals.tools import DEFAULT_MAX_OUTPUT
from archbench.evals.toolset import sample_workspace, shared_architect_tools
from archbench.evals.workspace import RepoWorkspace

# The scenario of the sample being solved; the offline baseline providers read it (a real
# model sees only the messages). Set per sample task, so concurrent samples don't mix.
ACTIVE_SCENARIO: ContextVar[Scenario | None] = ContextVar("archbench_active_scenario", default=None)
REPO_DIFF_KEY = "repo_diff"
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
        charges = SampleCharges(budget) if budget else None
        scenario = load_scenario_cached(Path(state.metadata["scenario_file"]))
        workspace = RepoWorkspace(scenario.repo_path, scenario.repo_config.frontend_dirs, hidden=scenario.hidden_repo_files)
        token = ACTIVE_SCENARIO.set(scenario)
        try:
            if budget:
                budget.check()  # inside: a stopped attempt still records what earlier attempts spent
            state.tools = shared_architect_tools(
                tuple(state.metadata["tools"]), max_output,
                tuple(state.metadata.get("bash_allow") or ()), tuple(state.metadata.get("bash_deny") or ()),
            )
            # the offline baselines answer from files (reference plans) that may change between
            # runs; caching them could serve a stale plan, and they cost nothing to rerun
            offline = str(state.model).startswith(f"{OFFLINE_PROVIDER}/")
            check_reachable(str(state.model), get_model().api.base_url)  # fail at once, not after minutes of retries
            with sample_workspace(workspace):
                if not charges:  # nothing to check between calls: inspect's own loop
                    return await generate(state, tool_calls="loop", cache=cache and not offline)
                while True:  # inspect's tool_calls="loop", one call at a time so the budget sees each call
                    asked = len(state.messages)
                    state = await generate(state, tool_calls="single", cache=cache and not offline)
                    charges.charge(sample_model_usage())
                    charges.budget.check()
                    answer = state.messages[asked] if len(state.messages) > asked else None
                    if state.completed or not isinstance(answer, ChatMessageAssistant) or not answer.tool_calls:
                        return state
        finally:
            ACTIVE_SCENARIO.reset(token)
            record_sample_end(state, charges, workspace)

    return solve


def record_sample_end(state: TaskState, charges: SampleCharges | None, workspace: RepoWorkspace) -> None:
    """What every runner records when a sample ends, however it ends: its model calls, its charge to
    the budget (a call that ended the sample another way, a limit or an error, is charged too), and
    the diff of what the agent wrote, for the graders. Closes the workspace."""
    usage = sample_model_usage()
    calls = model_call_counts()
    if charges:
        charges.charge(usage)
        earlier = charges.budget.end_attempt((str(state.model), str(state.sample_id), state.epoch), usage)
        calls["earlier_attempts_usage"] = usage_fields(earlier)
    state.metadata[CALLS_KEY] = calls
    state.store.set(REPO_DIFF_KEY, workspace.diff().model_dump())
    workspace.close()


def model_call_counts() -> dict[str, Any]:
    """The sample's model calls so far: made, served from inspect's response cache, and retried
    (the provider SDK's own retries plus inspect's abandoned attempts, which fail their event);
    the usage and original duration of the cached answers (inspect counts neither: the report
    adds them, so that a cached run shows the list price and latency of the calls it replayed);
    the usage of calls sent through a provider's batch API (the report prices them at the batch
    rate). Kept in the sample's metadata, which the log's sample summaries carry, so totals for
    a run need no pass over every transcript."""
    events = [event for event in transcript().events if isinstance(event, ModelEvent)]
    cached = [event for event in events if event.cache == "read"]
    batched = [event for event in events if event.cache != "read" and not event.error and event.config.batch]
    return {
        "model_calls": len(events),
        "cache_hits": len(cached),
        "retries": sum((event.retries or 0) + (1 if event.error else 0) for event in events),
        "cached_seconds": round(sum(event.output.time or 0.0 for event in cached), 3),
        "cached_usage": usage_by_model(cached),
        "batched_usage": usage_by_model(batched),
    }


def usage_by_model(events: list[ModelEvent]) -> dict[str, dict[str, int]]:
    totals: dict[str, ModelUsage] = {}
    for event in events:
        if event.output.usage:
            totals[event.model] = totals[event.model] + event.output.usage if event.model in totals else event.output.usage
    return usage_fields(totals)


def usage_fields(totals: dict[str, ModelUsage]) -> dict[str, dict[str, int]]:
    """Usage by model as the plain token counts the report prices (the sample summaries' field names)."""
    return {
        model: {
            "input_tokens": usage.input_tokens,
            "output_tokens": usage.output_tokens,
            "input_tokens_cache_read": usage.input_tokens_cache_read or 0,
            "input_tokens_cache_write": usage.input_tokens_cache_write or 0,
        }
        for model, usage in totals.items()
    }
