"""Re-grade existing architect logs with the current graders, without calling any model.

For `logs/run-x/a.eval` the result is written to `logs/run-x-rescored/a.eval` (same
format): a folder of its own, so the run's own folder keeps only its eval set's logs (an
eval set refuses to resume in a folder holding foreign logs). A folder is read the way
inspect lists logs (its `eval-set.json` and `logs.json` are not logs). The original is never modified. The five deterministic scores (scope, completeness,
conventions, grounding, overall) are replaced; other scores in the log (e.g. an LLM
judge's) are kept as they were, and the old score events stay in each sample's
transcript. The rescored log's `eval.metadata["archbench_rescored_from"]` names the
original so that reports can tell the two apart.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import anyio
from inspect_ai._eval.score import score_async
from inspect_ai.log import EvalLog, list_eval_logs, read_eval_log, write_eval_log

from archbench.core.collector import run_collector
from archbench.core.strict_yaml import InputError
from archbench.graders.scorers import (
    SCORER_NAMES,
    ScenarioUnavailable,
    architect_scorers,
    load_sample_scenario,
)

RESCORED_SUFFIX = "-rescored"
RESCORED_FROM = "archbench_rescored_from"  # eval.metadata: the log this one re-grades
RESCORED_AT = "archbench_rescored_at"  # eval.metadata: when (UTC, ISO 8601): the latest copy of a log wins in a report
CHANGE_TOLERANCE = 1e-9  # a score that moved less than this did not change (float noise)
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
                Path(info.name.removeprefix("file://"))
                for info in list_eval_logs(str(path), recursive=False)
            )
            found = [child for child in found if not child.stem.endswith(RESCORED_SUFFIX)]
            if not found:
                raise InputError("no inspect logs (*.eval, or inspect-named *.json) in this folder", path)
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
    rescored.eval.metadata = {
        **(rescored.eval.metadata or {}),
        RESCORED_FROM: log.location or "",
        RESCORED_AT: dt.datetime.now(dt.timezone.utc).isoformat(),
    }
    return rescored


@dataclass(frozen=True)
class ScoreChange:
    """One sample's score on one dimension, before and after rescoring (None: no score)."""

    log: str
    sample: str
    epoch: int
    dimension: str
    before: float | None
    after: float | None


@dataclass
class RescoreResult:
    written: list[Path] = field(default_factory=list)
    samples: int = 0  # samples re-graded (errored ones are not)
    changes: list[ScoreChange] = field(default_factory=list)

    def counts(self) -> dict[str, dict[str, int]]:
        """Per dimension: how many scores went up, down, or appeared/vanished."""
        counts = {name: {"up": 0, "down": 0, "other": 0} for name in SCORER_NAMES}
        for change in self.changes:
            if change.before is None or change.after is None:
                counts[change.dimension]["other"] += 1
            else:
                counts[change.dimension]["up" if change.after > change.before else "down"] += 1
        return counts

    def to_text(self, limit: int = 50) -> str:
        """What a person reads after `archbench rescore`: counts per dimension, then the changed scores."""
        lines = [f"rescored {self.samples} sample(s) in {len(self.written)} log(s):"]
        lines += [f"  {path}" for path in self.written]
        if not self.changes:
            lines.append(f"no score changed on {', '.join(SCORER_NAMES)}")
            return "\n".join(lines)
        lines.append(f"{len(self.changes)} score(s) changed (sample × dimension):")
        for name, count in self.counts().items():
            total = sum(count.values())
            detail = f" ({count['up']} up, {count['down']} down" + (f", {count['other']} appeared or vanished" if count["other"] else "") + ")"
            lines.append(f"  {name:<13}{total} changed{detail if total else ''}")
        lines.append("changed scores:")
        for change in self.changes[:limit]:
            lines.append(
                f"  {change.sample} epoch {change.epoch} {change.dimension}: {_shown(change.before)} -> {_shown(change.after)}"
                f"  ({Path(change.log).name})"
            )
        if len(self.changes) > limit:
            lines.append(f"  … and {len(self.changes) - limit} more")
        return "\n".join(lines)


def _shown(value: float | None) -> str:
    return "none" if value is None else f"{value:.3f}"


def _value(score) -> float | None:
    value = getattr(score, "value", None)
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def score_changes(before: EvalLog, after: EvalLog) -> list[ScoreChange]:
    """Each (sample, epoch, dimension) of the deterministic scorers whose value differs between the logs."""
    old = {(str(sample.id), sample.epoch): sample.scores or {} for sample in before.samples or []}
    changes = []
    for sample in after.samples or []:
        if sample.error is not None:
            continue
        previous = old.get((str(sample.id), sample.epoch), {})
        for name in SCORER_NAMES:
            was, now = _value(previous.get(name)), _value((sample.scores or {}).get(name))
            if was is None and now is None:
                continue
            if was is None or now is None or abs(was - now) > CHANGE_TOLERANCE:
                changes.append(ScoreChange(before.location or "", str(sample.id), sample.epoch, name, was, now))
    return changes


def rescore(paths: list[Path], scenarios_dir: Path | None = None) -> RescoreResult:
    """Rescore each log (or every log in each folder): the new log files and the scores that changed."""
    result = RescoreResult()
    with run_collector():
        for path in _log_files(paths):
            log = _read(path)
            rescored = anyio.run(rescore_log, log, scenarios_dir)
            result.changes += score_changes(log, rescored)
            result.samples += sum(1 for sample in rescored.samples or [] if sample.error is None)
            target = rescored_path(path)
            rescored.location = str(target)
            target.parent.mkdir(parents=True, exist_ok=True)
            write_eval_log(rescored, str(target))
            result.written.append(target)
    return result


def rescore_logs(paths: list[Path], scenarios_dir: Path | None = None) -> list[Path]:
    """Rescore each log (or every log in each folder); return the paths of the new log files."""
    return rescore(paths, scenarios_dir).written
