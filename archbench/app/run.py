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

from inspect_ai import Task, eval_set, task_with
from inspect_ai._util.error import PrerequisiteError
from inspect_ai.log import (
    list_eval_logs,
    read_eval_log,
    read_eval_log_sample_summaries,
    write_eval_log,
)
from inspect_ai.model import GenerateConfig, Model, ModelUsage, get_model

from archbench.app.progress import progress_lines
from archbench.app.sample_limits import default_max_samples
from archbench.core.collector import run_collector
from archbench.core.model_aliases import FROM_PROMPT, load_aliases
from archbench.core.prompts import BASELINE_PROMPT, Prompt, load_prompts
from archbench.core.scenarios import DEFAULT_SCENARIOS_DIR, load_scenarios
from archbench.core.strict_yaml import InputError, plain_message
from archbench.evals.agent import CALLS_KEY
from archbench.evals.architect import DEFAULT_MESSAGE_LIMIT, architect
from archbench.evals.budget import BUDGET_ERROR_PREFIX, RunBudget, activate
from archbench.evals.claude_code import (
    METADATA_KEY,
    MODES,
    PINNED_CLAUDE_CODE,
    RUNNERS,
    claude_code_install,
    clear_workdir,
)
from archbench.evals.interrupts import RunInterrupts
from archbench.evals.reachability import unreachable
from archbench.evals.toolset import offered_tools
from archbench.graders.worker import grading_worker

logger = logging.getLogger(__name__)

RUN_FILE = "archbench-run.json"  # in each run folder: the fingerprint of the matrix it holds
OFFLINE_BASELINES = ("archbench/reference", "archbench/template", "archbench/code-dumper", "archbench/frontend-meddler")
DEFAULT_LOG_ROOT = Path("logs")
CLAUDE_CODE_WORKDIR = "claude-code-samples"  # in the run's folder: the samples' repo copies and sockets, while they run


class RunInterrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM stopped the run; its finished samples are kept for the rerun to resume."""

    def __init__(self, log_dir: Path):
        super().__init__(str(log_dir))
        self.log_dir = log_dir


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
    log_root: Path = DEFAULT_LOG_ROOT  # else the run goes to log_root/<log_name> (a config's log_dir)
    log_name: str | None = None  # default run-<fingerprint>; nightly: the date
    fresh: bool = False  # start a new run folder even if one holds this matrix already (--fresh)
    runner: str = "native"
    max_connections: int | None = None
    max_samples: int | None = None  # samples at once; default per runner (archbench/app/sample_limits.py)
    message_limit: int = DEFAULT_MESSAGE_LIMIT
    model_args: dict[str, object] = field(default_factory=dict)
    model_base_url: str | None = None
    retry_on_error: int = 2
    log_buffer: int | None = None
    model_settings: dict[str, Any] = field(default_factory=dict)  # name -> evals.config.ModelEntry
    max_usd: float | None = None
    max_tokens: int | None = None
    prices: Path | None = None  # price table for the budget and the report (default reports/prices.yaml)
    judge: str | None = None
    cache: bool = True
    # off by default: each costs a run about a tenth of its CPU (benchmarks/README.md)
    log_realtime: bool = False  # stream running samples' events for `inspect view`
    log_model_api: bool = False  # keep every raw provider request and response (failed ones are always kept)
    grading_worker: bool = True  # grade in a worker process (graders/worker.py); False: inline, on the event loop
    claude_code_mode: str = "main"  # claude-code runner: "main" (--agent) or "delegated"
    unsandboxed_claude_code: bool = False  # claude-code runner without bubblewrap (explicit opt-in)
    skills_dir: Path | None = None  # looked in for skills before each agent file's project
    model_aliases: Path | None = None  # declared model → inspect model (default: archbench/core/model_aliases.yaml)

    @property
    def from_prompt(self) -> bool:
        """`--model from-prompt`: each prompt runs on the model its file declares."""
        return self.models == [FROM_PROMPT]

    def load_prompts(self) -> list[Prompt]:
        return load_prompts(self.prompts, self.skills_dir)

    def prompt_models(self) -> dict[str, list[Prompt]]:
        """Under `--model from-prompt`: inspect model → the prompts declaring it (alias table resolved)."""
        aliases = load_aliases(self.model_aliases)
        groups: dict[str, list[Prompt]] = {}
        for prompt in self.load_prompts():
            try:
                model = aliases.resolve(prompt.model)
            except InputError as error:
                raise InputError(f"--model from-prompt: {error}", prompt.path) from None
            groups.setdefault(model, []).append(prompt)
        return groups

    def validate(self) -> None:
        for path, flag in ((self.log_dir, "--log-dir"), (self.log_root, "the config's log_dir")):
            if path is not None and path.exists() and not path.is_dir():
                raise InputError(f"{flag} must name a folder, but this is a file", path)
        if self.epochs < 1:
            raise InputError(f"--epochs must be at least 1, got {self.epochs}")
        if self.max_connections is not None and self.max_connections < 1:
            raise InputError(f"--max-connections must be at least 1, got {self.max_connections}")
        if self.max_samples is not None and self.max_samples < 1:
            raise InputError(f"--max-samples must be at least 1, got {self.max_samples}")
        if not self.models:
            raise InputError("no model given")
        if FROM_PROMPT in self.models and not self.from_prompt:
            raise InputError(f"--model {FROM_PROMPT} runs each prompt on its declared model: give it alone, not with other --model values")
        if self.runner not in RUNNERS:
            raise InputError(f"--runner must be one of {', '.join(RUNNERS)}, got '{self.runner}'")
        if self.claude_code_mode not in MODES:
            raise InputError(f"--claude-code-mode must be one of {', '.join(MODES)}, got '{self.claude_code_mode}'")
        if self.runner == "claude-code":
            check_claude_code(self.unsandboxed_claude_code)
        for model in [] if self.from_prompt else self.models:
            if "/" not in model:
                raise InputError(f"model '{model}' must be provider/name, e.g. anthropic/claude-sonnet-4-5 or archbench/reference")

    def fingerprint(self) -> str:
        """Same matrix → same default log dir, so rerunning a command resumes it."""
        return fingerprint_of(self.matrix())

    def matrix(self) -> dict[str, Any]:
        """What decides the samples a run computes: prompt contents (not just names), scenario
        versions, models and their settings, the runner. A run folder holding another matrix is
        never resumed into (`resolved_log_dir`)."""
        prompts = self.load_prompts()  # skills are part of a prompt's identity
        scenarios = load_scenarios(self.scenarios_dir, self.scenario_ids or None, self.categories or None)
        key = {
            "prompts": sorted(f"{prompt.name}:{prompt.sha}" for prompt in prompts),
            "models": sorted(self.models) if not self.from_prompt else {
                model: sorted(prompt.name for prompt in group) for model, group in self.prompt_models().items()
            },
            "scenarios": sorted(f"{scenario.id}@{scenario.version}" for scenario in scenarios),
            "epochs": self.epochs,
            "message_limit": self.message_limit,
            "model_settings": {
                name: {**entry.model_dump(mode="json"), "args": without_credentials(entry.args)}
                for name, entry in sorted(self.model_settings.items())
            },
            "model_args": without_credentials(self.model_args),
            "model_base_url": self.model_base_url,
            "judge": self.judge,
            "runner": self.runner,
        }
        if self.runner == "claude-code":  # the request shape depends on Claude Code's version and mode
            key["claude_code"] = {"version": PINNED_CLAUDE_CODE, "mode": self.claude_code_mode, "sandboxed": not self.unsandboxed_claude_code}
        return json.loads(json.dumps(key, sort_keys=True, default=str))

    def resolved_log_dir(self, matrix: dict[str, Any] | None = None) -> Path:
        """The run's folder. `--log-dir` is taken as given, unless it holds another matrix's run.
        Otherwise log_root/<name>, or <name>-2, <name>-3 …: the last that holds this matrix
        (resumed), else the first free one (a new run; always, with `fresh`). `matrix`: this
        spec's, when the caller has it already (it loads every prompt and scenario)."""
        matrix = matrix if matrix is not None else self.matrix()
        if self.log_dir is not None:
            recorded = recorded_matrix(self.log_dir)
            if self.fresh and self.log_dir.is_dir() and any(self.log_dir.iterdir()):
                raise InputError("--fresh starts a new run, but this --log-dir already holds one; name an empty or new folder", self.log_dir)
            if recorded is not None and recorded != matrix:
                raise InputError(
                    f"this log dir holds a run of a different matrix ({', '.join(matrix_changes(recorded, matrix))} changed); "
                    "resuming it would mix stale samples in: use another --log-dir",
                    self.log_dir,
                )
            return self.log_dir
        name = self.log_name or f"run-{fingerprint_of(matrix)}"
        candidates = [self.log_root / name]
        while candidates[-1].exists():
            candidates.append(self.log_root / f"{name}-{len(candidates) + 1}")
        matching = [folder for folder in candidates[:-1] if recorded_matrix(folder) == matrix]
        return matching[-1] if matching and not self.fresh else candidates[-1]

    def describe(self, log_dir: Path) -> str:
        """The matrix on one line (printed once at the start of a run without a terminal)."""
        scenarios = self.scenario_ids or (f"categories {','.join(self.categories)}" if self.categories else f"all in {self.scenarios_dir}")
        return (
            f"archbench: {len(self.prompts)} prompt(s) × {len(self.models)} model(s) ({', '.join(self.models)}), "
            f"scenarios: {scenarios if isinstance(scenarios, str) else ', '.join(scenarios)}, {self.epochs} epoch(s); logs: {log_dir}"
        )

    def log_options(self) -> dict[str, bool]:
        """What inspect records besides the transcript; `eval`/`eval_set` keyword arguments."""
        return {"log_realtime": self.log_realtime, "log_model_api": self.log_model_api}


def describe_prompts(spec: RunSpec) -> list[str]:
    """One line per prompt for the console: its label, file, declared model and what runs it, permission mode, tools."""
    lines = []
    aliases = load_aliases(spec.model_aliases)
    for prompt in spec.load_prompts():
        tools, _ = offered_tools(prompt)
        shown = ", ".join(tools) or "none"
        if "bash" in tools and prompt.bash_allow:
            shown = shown.replace("bash", "bash(" + " | ".join(prompt.bash_allow) + ")")
        if spec.from_prompt:
            runs = f"runs on {aliases.resolve(prompt.model)} (--model {FROM_PROMPT})"
        elif prompt.model == "inherit":
            runs = "runs on " + ", ".join(spec.models)
        else:
            runs = "runs on " + ", ".join(spec.models) + " (--model overrides the declared model)"
        lines.append(
            f"prompt {prompt.name} ({prompt.path}): model {prompt.model}, {runs}; permissionMode {prompt.permission_mode}; "
            f"tools {shown} ({prompt.tools_note})" + (f"; skills {', '.join(skill.name for skill in prompt.skills)}" if prompt.skills else "")
        )
    return lines


CREDENTIAL_ARG = re.compile(r"(^|_)(key|token|secret|password|credentials?)$", re.I)


def without_credentials(args: dict[str, Any]) -> dict[str, Any]:
    """Model arguments minus credentials (`api_key`, …): they change no result, and the matrix is
    written into the run folder in clear."""
    return {name: value for name, value in args.items() if not CREDENTIAL_ARG.search(name)}


def fingerprint_of(matrix: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(matrix, sort_keys=True).encode()).hexdigest()[:10]


def recorded_matrix(folder: Path) -> dict[str, Any] | None:
    """The matrix a run folder was started for (None: no record, e.g. a folder written before archbench kept one)."""
    try:
        return json.loads((folder / RUN_FILE).read_text(encoding="utf-8"))["matrix"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def matrix_changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return sorted(key for key in set(before) | set(after) if before.get(key) != after.get(key))


def record_matrix(folder: Path, matrix: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / RUN_FILE).write_text(json.dumps({"fingerprint": fingerprint_of(matrix), "matrix": matrix}, indent=2, sort_keys=True) + "\n")


def tasks(spec: RunSpec, claude_code_workdir: Path | None = None) -> list[Task]:
    """The eval set's tasks: one over every prompt (run on every --model), or under `--model from-prompt`
    one per declared model, each keeping the prompts that declare it (labels stay those of the whole set)."""
    args = dict(
        prompts=[str(path) for path in spec.prompts],
        scenarios=str(spec.scenarios_dir),
        scenario_ids=spec.scenario_ids or None,
        categories=spec.categories or None,
        message_limit=spec.message_limit,
        judge=spec.judge,
        cache=spec.cache,
        skills_dir=str(spec.skills_dir) if spec.skills_dir else None,
        model_aliases=str(spec.model_aliases) if spec.model_aliases else None,
        runner=spec.runner,
        claude_code_mode=spec.claude_code_mode,
        claude_code_sandbox=not spec.unsandboxed_claude_code,
        claude_code_workdir=str(claude_code_workdir) if claude_code_workdir else None,
    )
    if not spec.from_prompt:
        return [architect(**args)]
    built = {model: resolved for model, resolved in zip(spec.prompt_models(), models(spec))}
    return [task_with(architect(**args, only_model=model), model=built[model]) for model in built]


def run_matrix(spec: RunSpec, display: str | None = None) -> tuple[bool, Path]:
    """Run (or resume) the matrix; returns whether every task completed, and the log dir."""
    spec.validate()
    for prompt in spec.load_prompts():
        for warning in prompt.warnings + offered_tools(prompt)[1]:
            logger.warning(warning)
    budget = run_budget(spec)  # an unpriced model under max_usd fails here, before any folder is made
    matrix = spec.matrix()
    log_dir = spec.resolved_log_dir(matrix)
    check_resumable(log_dir)
    record_matrix(log_dir, matrix)
    workdir = (log_dir / CLAUDE_CODE_WORKDIR).resolve()
    clear_workdir(workdir)  # sample folders of a killed earlier run of this folder
    activate(budget)
    planned = tasks(spec, workdir)
    resolved = models(spec)
    for model in resolved:  # said before the run starts; each sample's error says it again (evals/reachability.py)
        reason = unreachable(model.api.base_url)
        if reason:
            logger.error("cannot reach the model server for %s at %s: %s; its samples will fail", model, model.api.base_url, reason)
    # plans are graded in a worker process, so that no model connection waits on a grader
    with run_collector(), grading_worker() if spec.grading_worker else nullcontext(), RunInterrupts() as interrupts, progress_lines(display, spec.describe(log_dir)) as display:
        try:
            success, logs = eval_set(
                tasks=planned,
                model=None if spec.from_prompt else resolved,
                log_dir=str(log_dir),
                epochs=spec.epochs,
                max_connections=spec.max_connections,
                # more samples than connections: a sample running tools or being graded holds no connection
                max_samples=spec.max_samples if spec.max_samples is not None else default_max_samples(
                    spec.runner, spec.max_connections, budgeted=bool(spec.max_usd or spec.max_tokens)),
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
        except KeyboardInterrupt:
            raise RunInterrupted(log_dir) from None
        finally:
            activate(None)
            clear_workdir(workdir)
    if interrupts.interrupted or any(log.status == "cancelled" for log in logs):
        raise RunInterrupted(log_dir)
    stamp_run_facts(log_dir, spec)
    return success, log_dir


def run_budget(spec: RunSpec) -> RunBudget:
    """The run's budget, priced from the report's price table (`reports/prices.yaml` or `prices:`).
    A model without a price under a `max_usd` budget is an input error before anything runs:
    its spending could not be counted. Without caps it only keeps the usage of retried attempts."""
    if not spec.max_usd:
        return RunBudget(max_tokens=spec.max_tokens)
    from archbench.reports.costs import load_prices

    table = load_prices(spec.prices)
    names = list(spec.prompt_models()) if spec.from_prompt else spec.models
    unpriced = [model for model in names if table.price_of(model) is None]
    if unpriced:
        raise InputError(
            f"budget.max_usd needs a price for every model, and {', '.join(unpriced)} has none in "
            f"{spec.prices or 'reports/prices.yaml'}: add its USD per million tokens there (or give `prices:` a table that has it)"
        )
    batched = {name for name, entry in spec.model_settings.items() if entry.batch}

    def price_of(model: str, usage: ModelUsage) -> float | None:
        price = table.price_of(model)
        if price is None:
            return None
        return price.cost(
            usage.input_tokens, usage.output_tokens, usage.input_tokens_cache_read or 0, usage.input_tokens_cache_write or 0,
            batch=model in batched,
        )

    return RunBudget(spec.max_usd, spec.max_tokens, price_of=price_of)


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

        stopped = [bool(summary.error and BUDGET_ERROR_PREFIX in summary.error) for summary in summaries]
        facts = {
            "budget_usd": spec.max_usd,
            "budget_tokens": spec.max_tokens,
            "stopped_by_budget": any(stopped),
            "budget_stopped": sum(stopped),
            "model_calls": total("model_calls"),
            "cache_hits": total("cache_hits"),
            # the SDK's own retries, inspect's abandoned attempts and whole-sample retries; inspect
            # also retries a sample the budget stopped (it stops again at once): that is no retry
            "retries": total("retries") + sum(summary.retries or 0 for summary, budget in zip(summaries, stopped) if not budget),
            "runner": runner_facts(summaries),
        }
        if (log.eval.metadata or {}).get("archbench") != facts:
            log.eval.metadata = {**(log.eval.metadata or {}), "archbench": facts}
            write_eval_log(log, str(path), header_only=True)


def check_claude_code(unsandboxed: bool) -> None:
    """The claude-code runner needs the extra and, unless the user opts out, bubblewrap: say how."""
    from archbench.evals.bash_tool import bash_available

    install = claude_code_install()
    if not install:
        raise InputError(f"--runner claude-code: {install.reason}")
    if install.version != PINNED_CLAUDE_CODE:
        logger.warning("Claude Code %s is installed; archbench pins %s (request shapes differ between versions)", install.version, PINNED_CLAUDE_CODE)
    if not unsandboxed and not (sandbox := bash_available()):
        raise InputError(
            f"--runner claude-code runs Claude Code inside bubblewrap, which is unavailable here: {sandbox.reason}. "
            "Install bubblewrap, or pass --unsandboxed-claude-code to run it unsandboxed (no isolation: it can "
            "read the whole machine and reach the network; Bash is then withheld)"
        )
    if unsandboxed:
        logger.warning("Claude Code runs UNSANDBOXED (--unsandboxed-claude-code): it can read this machine and reach the network; Bash is withheld")


def runner_facts(summaries: list) -> str:
    """How the run's samples ran: "native", or Claude Code's version and mode(s)."""
    seen = sorted({
        f"claude-code {facts.get('version')} ({facts.get('mode')}{'' if facts.get('sandboxed', True) else ', unsandboxed'})"
        for summary in summaries
        if isinstance(facts := (summary.metadata or {}).get(METADATA_KEY), dict)
    })
    return ", ".join(seen) or "native"


def models(spec: RunSpec) -> list[Model]:
    """Build every model before the run, so a bad model argument, a missing key or a missing
    provider package is one clear input error (exit 2), not a traceback from inside the eval."""
    resolved: list[Model] = []
    for name in list(spec.prompt_models()) if spec.from_prompt else spec.models:
        entry = spec.model_settings.get(name)
        generate = entry.generate if entry else {}
        args = {**spec.model_args, **(entry.args if entry else {})}
        base_url = (entry.base_url if entry else None) or spec.model_base_url
        try:
            config = entry.generate_config() if entry else GenerateConfig(**generate)
            resolved.append(get_model(name, config=config, base_url=base_url, **args))
        except TypeError as error:
            raise InputError(f"model '{name}': {error} (check the -M / args model arguments)") from None
        except PrerequisiteError as error:
            raise InputError(f"model '{name}': {plain_message(error)}") from None
        except ValueError as error:  # an unknown provider, or an unknown archbench/<name>
            raise InputError(unknown_model_message(name, error)) from None
    return resolved


def unknown_model_message(name: str, error: ValueError) -> str:
    """inspect's message, plus the providers it knows (and the closest) when the provider is the problem."""
    import difflib

    from inspect_ai._util.registry import registry_find, registry_info

    message = f"model '{name}': {error}"
    provider = name.split("/", 1)[0]
    try:
        known = sorted({registry_info(api).name.split("/")[-1] for api in registry_find(lambda info: info.type == "modelapi")})
    except Exception:  # noqa: BLE001 - inspect's registry is internal; the message stands without the list
        return message
    if provider in known:
        return message
    close = difflib.get_close_matches(provider, known, n=1)
    hint = f" Did you mean '{close[0]}/...'?" if close else ""
    return f"{message}{hint} Known providers: {', '.join(known)}."


def check_resumable(log_dir: Path) -> None:
    """Every log already in the folder can be read, or resuming stops with a message, not a traceback.

    A crash or a full disk can leave an `.eval` file cut short; inspect's eval set then fails
    reading it. Naming the file and the way out is all that is needed."""
    if not log_dir.is_dir():
        return
    for path in run_logs(log_dir):
        try:
            read_eval_log(str(path), header_only=True)
        except Exception as error:  # noqa: BLE001 - any unreadable log stops the resume the same way
            raise InputError(
                f"cannot resume: this log in the run folder cannot be read ({type(error).__name__}: {error}); it is probably "
                f"cut short by a crash or a full disk. Move it out of the folder (e.g. mv '{path}' '{path}.broken') and rerun "
                "the same command: its task's samples are run again",
                path,
            ) from None
