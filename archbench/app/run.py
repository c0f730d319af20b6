"""Run a prompt × model matrix as a resumable inspect eval set, then report on it."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inspect_ai import eval_set
from inspect_ai._util.error import PrerequisiteError
from inspect_ai.log import (
    list_eval_logs,
    read_eval_log,
    read_eval_log_sample_summaries,
    write_eval_log,
)
from inspect_ai.model import GenerateConfig, Model, get_model

from archbench.core.collector import run_collector
from archbench.graders.worker import grading_worker
from archbench.core.prompts import BASELINE_PROMPT, load_prompts
from archbench.core.scenarios import DEFAULT_SCENARIOS_DIR, load_scenarios
from archbench.core.strict_yaml import InputError
from archbench.evals.agent import CALLS_KEY
from archbench.evals.architect import DEFAULT_MESSAGE_LIMIT, architect
from archbench.evals.budget import BUDGET_ERROR_PREFIX, RunBudget, activate
from archbench.evals.toolset import offered_tools

logger = logging.getLogger(__name__)

OFFLINE_BASELINES = ("archbench/reference", "archbench/template", "archbench/code-dumper", "archbench/frontend-meddler")
DEFAULT_LOG_ROOT = Path("logs")


@dataclass
class RunSpec:
    """Everything that decides what a run computes (and so where its logs go)."""

    prompts: list[Path] = field(default_factory=lambda: [BASELINE_PROMPT])
    models: list[str] = field(default_factory=lambda: list(OFFLINE_BASELINES))
    scenarios_dir: Path = DEFAULT_SCENARIOS_DIR
    scenario_ids: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    epochs: int = 1
    log_dir: Path | None = None  # this run's folder, exactly (--log-dir)
    log_root: Path = DEFAULT_LOG_ROOT  # else the run goes to log_root/run-<fingerprint> (a config's log_dir)
    max_connections: int | None = None
    message_limit: int = DEFAULT_MESSAGE_LIMIT
    model_args: dict[str, object] = field(default_factory=dict)
    model_base_url: str | None = None
    retry_on_error: int = 2
    log_buffer: int | None = None
    model_settings: dict[str, Any] = field(default_factory=dict)  # name -> evals.config.ModelEntry
    max_usd: float | None = None
    max_tokens: int | None = None
    judge: str | None = None
    cache: bool = True
    # off by default: each costs a run about a tenth of its CPU (benchmarks/README.md)
    log_realtime: bool = False  # stream running samples' events for `inspect view`
    log_model_api: bool = False  # keep every raw provider request and response (failed ones are always kept)
    grading_worker: bool = True  # grade in a worker process (graders/worker.py); False: inline, on the event loop

    def validate(self) -> None:
        if self.epochs < 1:
            raise InputError(f"--epochs must be at least 1, got {self.epochs}")
        if self.max_connections is not None and self.max_connections < 1:
            raise InputError(f"--max-connections must be at least 1, got {self.max_connections}")
        if not self.models:
            raise InputError("no model given")
        for model in self.models:
            if "/" not in model:
                raise InputError(f"model '{model}' must be provider/name, e.g. anthropic/claude-sonnet-4-5 or archbench/reference")

    def fingerprint(self) -> str:
        """Same matrix → same default log dir, so rerunning a command resumes it."""
        prompts = load_prompts(self.prompts)
        scenarios = load_scenarios(self.scenarios_dir, self.scenario_ids or None, self.categories or None)
        key = {
            "prompts": sorted(f"{prompt.name}:{prompt.sha}" for prompt in prompts),
            "models": sorted(self.models),
            "scenarios": sorted(f"{scenario.id}@{scenario.version}" for scenario in scenarios),
            "epochs": self.epochs,
            "message_limit": self.message_limit,
            "model_settings": {
                name: entry.model_dump(mode="json") for name, entry in sorted(self.model_settings.items())
            },
            "model_args": self.model_args,
            "model_base_url": self.model_base_url,
            "judge": self.judge,
        }
        return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:10]

    def resolved_log_dir(self) -> Path:
        return self.log_dir or self.log_root / f"run-{self.fingerprint()}"

    def log_options(self) -> dict[str, bool]:
        """What inspect records besides the transcript; `eval`/`eval_set` keyword arguments."""
        return {"log_realtime": self.log_realtime, "log_model_api": self.log_model_api}


def run_matrix(spec: RunSpec, display: str | None = None) -> tuple[bool, Path]:
    """Run (or resume) the matrix; returns whether every task completed, and the log dir."""
    spec.validate()
    for prompt in load_prompts(spec.prompts):
        for warning in prompt.warnings + offered_tools(prompt)[1]:
            logger.warning(warning)
    log_dir = spec.resolved_log_dir()
    activate(RunBudget(spec.max_usd, spec.max_tokens) if spec.max_usd or spec.max_tokens else None)
    task = architect(
        prompts=[str(path) for path in spec.prompts],
        scenarios=str(spec.scenarios_dir),
        scenario_ids=spec.scenario_ids or None,
        categories=spec.categories or None,
        message_limit=spec.message_limit,
        judge=spec.judge,
        cache=spec.cache,
    )
    # plans are graded in a worker process, so that no model connection waits on a grader
    with run_collector(), grading_worker() if spec.grading_worker else nullcontext():
        try:
            success, _logs = eval_set(
                tasks=[task],
                model=models(spec),
                log_dir=str(log_dir),
                epochs=spec.epochs,
                max_connections=spec.max_connections,
                display=display,
                log_dir_allow_dirty=False,
                # a broken sample is retried, then recorded as an error with its reason while the
                # others go on; the task then ends in error so that rerunning the same command
                # (the retry) runs exactly the unfinished samples
                retry_on_error=spec.retry_on_error,
                fail_on_error=True,
                continue_on_fail=True,
                retry_attempts=0,
                retry_immediate=False,  # with no task-level retries, says so to inspect (which warns otherwise)
                log_buffer=spec.log_buffer,
                **spec.log_options(),
            )
        finally:
            activate(None)
    stamp_run_facts(log_dir, spec)
    return success, log_dir


def run_logs(log_dir: Path) -> list[Path]:
    """The eval set's own logs: the top level of its folder only. A config's log_dir may hold
    other runs below it (nightly's dated folders); reading recursively would pool them in."""
    return [Path(info.name.removeprefix("file://")) for info in list_eval_logs(str(log_dir), recursive=False)]


def stamp_run_facts(log_dir: Path, spec: RunSpec) -> None:
    """Record in each log what the report must say about the run as a whole.

    `eval.metadata["archbench"]`: the agents' model calls and those served from inspect's cache,
    retries, the budget, and whether the budget stopped samples from running. Written after the
    run (metadata is not part of an eval set's task identity, so resuming still works), and only
    when it changed, so a rerun that did nothing rewrites nothing. Reads the header and the
    sample summaries (each sample's call counts are in its metadata, see `evals.agent`) and
    rewrites only the header: no pass over the transcripts, whatever the run's size.
    """
    for path in run_logs(log_dir):
        log = read_eval_log(str(path), header_only=True)
        summaries = read_eval_log_sample_summaries(str(path))
        counts = [summary.metadata.get(CALLS_KEY) or {} for summary in summaries]

        def total(key: str) -> int:
            return sum(int(count.get(key, 0)) for count in counts)

        facts = {
            "budget_usd": spec.max_usd,
            "stopped_by_budget": any(summary.error and BUDGET_ERROR_PREFIX in summary.error for summary in summaries),
            "model_calls": total("model_calls"),
            "cache_hits": total("cache_hits"),
            # the SDK's own retries, inspect's abandoned attempts and whole-sample retries
            "retries": total("retries") + sum(summary.retries or 0 for summary in summaries),
        }
        if (log.eval.metadata or {}).get("archbench") != facts:
            log.eval.metadata = {**(log.eval.metadata or {}), "archbench": facts}
            write_eval_log(log, str(path), header_only=True)


def models(spec: RunSpec) -> list[Model]:
    """Build every model before the run, so a bad model argument, a missing key or a missing
    provider package is one clear input error (exit 2), not a traceback from inside the eval."""
    resolved: list[Model] = []
    for name in spec.models:
        entry = spec.model_settings.get(name)
        generate = entry.generate if entry else {}
        args = {**spec.model_args, **(entry.args if entry else {})}
        base_url = (entry.base_url if entry else None) or spec.model_base_url
        try:
            resolved.append(get_model(name, config=GenerateConfig(**generate), base_url=base_url, **args))
        except TypeError as error:
            raise InputError(f"model '{name}': {error} (check the -M / args model arguments)") from None
        except PrerequisiteError as error:
            plain = " ".join(re.sub(r"\[/?[a-z ]+\]", "", str(error)).split())  # drop rich markup and line breaks
            raise InputError(f"model '{name}': {plain}") from None
    return resolved
