"""Re-grade existing architect logs with the current graders, without calling any model.

For `logs/run-x/a.eval` the result is written to `logs/run-x-rescored/a.eval` (same
format): a folder of its own, so a report over it counts each sample once, and the run's
own folder keeps only its eval set's logs (an eval set refuses to resume in a folder
holding foreign logs). The original is never modified. The five deterministic scores (scope, completeness,
conventions, grounding, overall) are replaced; other scores in the log (e.g. an LLM
judge's) are kept as they were, and the old score events stay in each sample's
transcript. The rescored log's `eval.metadata["archbench_rescored_from"]` names the
original so that reports can tell the two apart.
"""

from __future__ import annotations

from pathlib import Path

import anyio
from archbench.graders.scorers import (
    SCORER_NAMES,
    ScenarioUnavailable,
    architect_scorers,
    load_sample_scenario,
)
from inspect_ai._eval.score import score_async
from inspect_ai.log import EvalLog, read_eval_log, write_eval_log

from archbench.core.collector import run_collector
from archbench.core.strict_yaml import InputError

RESCORED_SUFFIX = "-rescored"
LOG_EXTENSIONS = (".eval", ".json")
# No model is called by the deterministic scorers; naming a mock model keeps inspect from
# constructing the run's real provider (which would need its API key) while re-scoring.
NO_MODEL = "mockllm/model"


def rescored_path(path: Path) -> Path:
    return path.parent.with_name(f"{path.parent.name}{RESCORED_SUFFIX}") / path.name


def _log_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            found = sorted(
                child
                for child in path.iterdir()
                if child.suffix in LOG_EXTENSIONS and not child.stem.endswith(RESCORED_SUFFIX) and child.is_file()
            )
            if not found:
                raise InputError("no inspect logs (*.eval, *.json) in this folder", path)
            files += found
        elif path.is_file():
            if path.suffix not in LOG_EXTENSIONS:
                raise InputError("not an inspect log (expected .eval or .json)", path)
            files.append(path)
        else:
            raise InputError("log not found", path)
    return files


def _read(path: Path) -> EvalLog:
    try:
        log = read_eval_log(str(path))
    except Exception as error:  # noqa: BLE001 - inspect raises many types for unreadable logs
        raise InputError(f"cannot read inspect log: {error}", path) from None
    if not log.samples:
        raise InputError("log has no samples to rescore", path)
    return log


def _without_our_scores(log: EvalLog, names: set[str]) -> EvalLog:
    """A copy of the log with our scorers' results removed, so new ones take their names.

    The header is copied deeply; each sample shallowly, with its own `scores` and `events`
    (the only fields scoring replaces), sharing messages and transcript events with the
    original: deep-copying every transcript took a quarter of a rescore.
    """
    samples = [
        sample.model_copy(
            update={
                "scores": {name: score for name, score in (sample.scores or {}).items() if name not in names},
                "events": list(sample.events),
            }
        )
        for sample in log.samples or []
    ]
    log = log.model_copy(update={"samples": None}).model_copy(deep=True)
    log.samples = samples
    if log.results is not None:
        log.results.scores = [score for score in log.results.scores if score.name not in names]
    if log.eval.scorers:
        log.eval.scorers = [spec for spec in log.eval.scorers if spec.name not in names]
    if log.reductions:
        log.reductions = [reduction for reduction in log.reductions if reduction.scorer not in names]
    return log


async def rescore_log(log: EvalLog, scenarios_dir: Path | None = None) -> EvalLog:
    """The log re-graded by the current deterministic scorers (a new object; `log` is untouched).

    Samples that errored during the run stay errors: they are not scored now either.
    """
    prepared = _without_our_scores(log, set(SCORER_NAMES))
    completed = [sample for sample in prepared.samples or [] if sample.error is None]
    if not completed:
        raise InputError("every sample of this log errored; there is nothing to rescore", log.location)
    for sample in completed:
        try:
            load_sample_scenario(sample.metadata or {}, sample.id, scenarios_dir)
        except ScenarioUnavailable as error:
            raise InputError(f"{error} (pass --scenarios DIR to look scenarios up by id)", log.location) from None
    position = {(sample.id, sample.epoch): index for index, sample in enumerate(prepared.samples or [])}
    errored = [sample for sample in prepared.samples or [] if sample.error is not None]
    total = prepared.results.total_samples if prepared.results else len(position)
    prepared.samples = completed
    roles = prepared.eval.model_roles
    prepared.eval.model_roles = None
    scorers = architect_scorers(str(scenarios_dir) if scenarios_dir else None)
    rescored = await score_async(prepared, scorers, model=NO_MODEL, action="append", display="none", copy=False)
    rescored.eval.model_roles = roles
    rescored.samples = sorted([*(rescored.samples or []), *errored], key=lambda sample: position[(sample.id, sample.epoch)])
    if rescored.results is not None:
        rescored.results.total_samples = total
    rescored.eval.metadata = {**(rescored.eval.metadata or {}), "archbench_rescored_from": log.location or ""}
    return rescored


def rescore_logs(paths: list[Path], scenarios_dir: Path | None = None) -> list[Path]:
    """Rescore each log (or every log in each folder); return the paths of the new log files."""
    written: list[Path] = []
    with run_collector():
        for path in _log_files(paths):
            log = _read(path)
            rescored = anyio.run(rescore_log, log, scenarios_dir)
            target = rescored_path(path)
            rescored.location = str(target)
            target.parent.mkdir(parents=True, exist_ok=True)
            write_eval_log(rescored, str(target))
            written.append(target)
    return written
