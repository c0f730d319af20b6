"""Inspect logs → pandas: one row per sample, plus long tables of checked items and scope violations.

Scalars (scores, metadata, usage, timing, errors) come from `inspect_ai.analysis.samples_df`
over the sample summaries, which is the cheap read. The graders' evidence lives in Score
metadata; summaries keep a metadata key only while it is under 1 KB, so a sample whose
`items` or `violations` were dropped from its summary has its `scores` read from the log
itself, streaming the sample's JSON only up to `scores` (events come after it).

A log that cannot be read is skipped whole and named in `LoadedLogs.skipped`: never a
crash, never a silent partial log.
"""

from __future__ import annotations

import itertools
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ijson
import numpy as np
import pandas as pd
from inspect_ai._eval.evalset import task_identifier  # the identity eval_set itself pairs logs by
from inspect_ai.analysis import EvalColumn, SampleColumn, samples_df
from inspect_ai.log import (
    EvalLog,
    EvalSample,
    EvalSampleSummary,
    list_eval_logs,
    read_eval_log,
    read_eval_log_sample_summaries,
)
from pydantic import BaseModel, ConfigDict, ValidationError

SCORERS = ("scope", "completeness", "conventions", "grounding", "overall")
ITEM_SCORERS = ("completeness", "conventions", "grounding")
THINNED = object()  # a metadata value the summary dropped for size
# below this a sample's JSON is parsed whole (C parser); above, streamed and abandoned after `scores`
WHOLE_PARSE_BYTES = 64 * 1024


class RunRecord(BaseModel):
    """What the archbench harness records about a whole run in `EvalLog.metadata["archbench"]`."""

    model_config = ConfigDict(extra="forbid")

    budget_usd: float | None = None
    stopped_by_budget: bool = False
    model_calls: int | None = None
    cache_hits: int | None = None
    retries: int | None = None


@dataclass(frozen=True)
class LogInfo:
    path: str
    completed: int | None  # samples the header says were completed
    status: str
    model: str
    created: str
    samples: int
    run: RunRecord
    problem: str = ""  # e.g. malformed run metadata: reported, not fatal


@dataclass(frozen=True)
class SkippedLog:
    path: str
    reason: str


@dataclass
class LoadedLogs:
    samples: pd.DataFrame
    items: pd.DataFrame  # row, scorer, item, dimension, met
    violations: pd.DataFrame  # row, kind, line, evidence
    usage: pd.DataFrame  # row, usage_model, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens
    logs: list[LogInfo] = field(default_factory=list)
    skipped: list[SkippedLog] = field(default_factory=list)
    detail_reads: int = 0
    superseded: list[SkippedLog] = field(default_factory=list)  # older logs of a task rerun later in the same folder  # samples whose score evidence was read from the log, not the summary


def resolve_log_files(paths: list[Path]) -> tuple[list[str], list[SkippedLog]]:
    """Log files named directly plus every inspect log under each directory (recursively)."""
    files: list[str] = []
    missing: list[SkippedLog] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(info.name.removeprefix("file://") for info in list_eval_logs(str(path))))
        elif path.is_file():
            files.append(str(path))
        else:
            missing.append(SkippedLog(str(path), "no such file or directory"))
    return list(dict.fromkeys(files)), missing


# --- columns read from each sample summary -------------------------------------------------


def _score_value(name: str):
    def value(sample: EvalSampleSummary | EvalSample) -> float | None:
        score = (sample.scores or {}).get(name)
        if score is None or isinstance(score.value, (str, list, dict)):
            return None
        return float(score.value)

    return value


def _list_or_thinned(value: Any) -> Any:
    if value is None:
        return []
    return value if isinstance(value, list) else THINNED


def compact_evidence(scores: dict[str, Any]) -> list | None:
    """[[violations as [kind, line, evidence]], [items as [scorer, id, dimension, met]]]; None if the summary dropped some."""
    scope = scores.get("scope")
    violations = _list_or_thinned((scope.metadata or {}).get("violations") if scope else None)
    item_lists = []
    for scorer in ITEM_SCORERS:
        score = scores.get(scorer)
        item_lists.append((scorer, _list_or_thinned((score.metadata or {}).get("items") if score else None)))
    if violations is THINNED or any(items is THINNED for _, items in item_lists):
        return None
    return [
        [[v.get("kind"), v.get("line"), v.get("evidence") or ""] for v in violations],
        [[scorer, i.get("id"), i.get("dimension"), bool(i.get("met"))] for scorer, items in item_lists for i in items],
    ]


def _evidence_json(sample: EvalSampleSummary | EvalSample) -> str:
    """JSON of `compact_evidence`, "null" when it must be read from the log; "[[],[]]" for unscored samples."""
    return json.dumps(compact_evidence(sample.scores or {}))


def _planted_asks_for(sample: EvalSampleSummary | EvalSample) -> str | None:
    planted = sample.metadata.get("planted_instructions")
    if planted is None:
        return ""
    if not isinstance(planted, list):
        return None  # dropped from the summary: read with the evidence
    return ",".join(sorted({kind for entry in planted for kind in entry.get("asks_for", [])}))


def _usage_json(sample: EvalSampleSummary | EvalSample) -> str:
    return json.dumps(
        [
            [model, u.input_tokens, u.output_tokens, u.input_tokens_cache_read or 0, u.input_tokens_cache_write or 0]
            for model, u in sample.model_usage.items()
        ]
    )


def _error_message(sample: EvalSampleSummary | EvalSample) -> str:
    error = sample.error
    if error is None:
        return ""
    return error if isinstance(error, str) else error.message


def _limit_type(sample: EvalSampleSummary | EvalSample) -> str:
    limit = sample.limit
    if limit is None:
        return ""
    return limit if isinstance(limit, str) else limit.type


def _metadata(key: str):
    def value(sample: EvalSampleSummary | EvalSample):
        return sample.metadata.get(key)

    return value


# extract functions rather than JSON paths: inspect evaluates a JSON path per sample, several times slower
COLUMNS = [
    EvalColumn("model", path="eval.model", required=True),
    SampleColumn("id", path=lambda s: str(s.id), required=True),
    SampleColumn("epoch", path=lambda s: s.epoch, required=True),
    *[SampleColumn(key, path=_metadata(key)) for key in ("scenario", "scenario_version", "category", "repo", "prompt", "prompt_sha")],
    SampleColumn("planted_asks_for", path=_planted_asks_for),
    *[SampleColumn(name, path=_score_value(name)) for name in SCORERS],
    SampleColumn("evidence_json", path=_evidence_json),
    SampleColumn("usage_json", path=_usage_json),
    SampleColumn("total_time", path=lambda s: s.total_time),
    SampleColumn("working_time", path=lambda s: s.working_time),
    SampleColumn("error", path=_error_message),
    SampleColumn("limit", path=_limit_type),
]


# --- evidence read from the log when the summary dropped it ---------------------------------


def _sample_member(sample_id: str, epoch: int) -> str:
    return f"samples/{sample_id}_epoch_{epoch}.json"  # inspect's .eval layout


def read_evidence(path: str, samples: list[tuple[str, int]]) -> dict[tuple[str, int], tuple[list, str]]:
    """(id, epoch) → (compact evidence, planted asks_for) read from the log's full samples."""
    wanted = set(samples)
    found: dict[tuple[str, int], tuple[list, str]] = {}
    if path.endswith(".eval"):
        with zipfile.ZipFile(path) as archive:
            for sample_id, epoch in samples:
                member = archive.getinfo(_sample_member(sample_id, epoch))
                if member.file_size <= WHOLE_PARSE_BYTES:
                    sample = json.loads(archive.read(member))
                    scores, metadata = sample.get("scores"), sample.get("metadata")
                else:
                    with archive.open(member) as stream:
                        scores, metadata = _scores_and_metadata(stream)
                found[(sample_id, epoch)] = _evidence_from_raw(scores, metadata)
    else:
        with open(path, "rb") as stream:
            for sample in ijson.items(stream, "samples.item", use_float=True):
                key = (str(sample["id"]), int(sample["epoch"]))
                if key in wanted:
                    found[key] = _evidence_from_raw(sample.get("scores"), sample.get("metadata"))
    if len(found) != len(wanted):
        raise ValueError(f"{len(wanted) - len(found)} sample(s) listed in the summaries are missing from the log")
    return found


def _scores_and_metadata(stream) -> tuple[dict | None, dict | None]:
    """Stream top-level keys of one sample; stop once `scores` and `metadata` (which follow the messages) are read."""
    values: dict[str, Any] = {}
    for key, value in ijson.kvitems(stream, "", use_float=True):
        if key in ("scores", "metadata"):
            values[key] = value
            if len(values) == 2:
                break
    return values.get("scores"), values.get("metadata")


class _RawScore:
    """Just enough of `Score` for `compact_evidence` on raw JSON."""

    def __init__(self, raw: dict):
        self.metadata = raw.get("metadata")


def _evidence_from_raw(scores: dict | None, metadata: dict | None) -> tuple[list, str]:
    evidence = compact_evidence({name: _RawScore(raw) for name, raw in (scores or {}).items()})
    planted = (metadata or {}).get("planted_instructions") or []
    asks_for = ",".join(sorted({kind for entry in planted for kind in entry.get("asks_for", [])}))
    return evidence or [[], []], asks_for


# --- assembling ------------------------------------------------------------------------------


def _log_info(path: str) -> LogInfo:
    header: EvalLog = read_eval_log(path, header_only=True)
    problem = ""
    try:
        run = RunRecord.model_validate(header.metadata.get("archbench") or {})
    except ValidationError as error:
        run = RunRecord()
        problem = f"archbench run metadata ignored: {error.errors()[0]['msg']}"
    return LogInfo(
        path=path,
        completed=header.results.completed_samples if header.results else None,
        status=header.status,
        model=header.eval.model,
        created=header.eval.created,
        samples=0,
        run=run,
        problem=problem,
    )


def _read_one_log(path: str) -> tuple[LogInfo, pd.DataFrame, list[list], int]:
    """The log's samples, the compact evidence of each (in row order), and how many needed a read from the log."""
    info = _log_info(path)
    frame = samples_df(path, columns=COLUMNS, quiet=True)
    frame = frame.drop(columns=["eval_id", "sample_id"], errors="ignore")
    if info.status == "success" and info.completed and len(frame) < info.completed:
        # a finished log that lost sample summaries would otherwise shrink the report silently
        raise ValueError(f"the log says {info.completed} samples completed but only {len(frame)} can be read")
    if frame.empty:
        if read_eval_log_sample_summaries(path):
            # samples_df lists .json files only when named like inspect's logs; it would drop this one silently
            raise ValueError("inspect reads a .json log only when its name starts with a timestamp (2025-01-31T10-00-00…)")
        return info, frame, [], 0
    frame["log"] = path
    evidence = json.loads("[" + ",".join(frame.pop("evidence_json")) + "]")  # one parse for the whole log
    asks_for = frame["planted_asks_for"].astype(object).tolist()
    needs_detail = [i for i, (entry, asks) in enumerate(zip(evidence, asks_for)) if entry is None or asks is None]
    if needs_detail:
        ids, epochs = frame["id"].tolist(), frame["epoch"].tolist()
        keys = [(str(ids[i]), int(epochs[i])) for i in needs_detail]
        details = read_evidence(path, keys)
        for i, key in zip(needs_detail, keys):
            evidence[i], asks_for[i] = details[key]
        frame["planted_asks_for"] = asks_for
    return LogInfo(**{**info.__dict__, "samples": len(frame)}), frame, evidence, len(needs_detail)


def _explode(lists: list[list], rows: np.ndarray, columns: list[str]) -> pd.DataFrame:
    lengths = np.fromiter((len(entries) for entries in lists), dtype=np.int64, count=len(lists))
    flat = list(itertools.chain.from_iterable(lists))
    table = pd.DataFrame(flat, columns=columns) if flat else pd.DataFrame(columns=columns)
    table.insert(0, "row", np.repeat(rows, lengths))
    return table


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """Plain numpy / object dtypes (arrow-backed strings are slow in groupby and parquet round-trips alike)."""
    numeric = ["epoch", "scenario_version", *SCORERS, "total_time", "working_time"]
    out = frame.copy()
    for column in numeric:
        out[column] = pd.to_numeric(out[column], errors="coerce").astype("float64")
    for column in ["model", "id", "scenario", "category", "repo", "prompt", "prompt_sha", "error", "limit", "planted_asks_for", "log"]:
        out[column] = out[column].astype(object).where(out[column].notna(), "")
    out["epoch"] = out["epoch"].astype("int64")
    return out


ITEM_COLUMNS = ["scorer", "item", "dimension", "met"]
VIOLATION_COLUMNS = ["kind", "line", "evidence"]
USAGE_COLUMNS = ["usage_model", "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens"]


def latest_per_task(files: list[str]) -> tuple[list[str], list[SkippedLog]]:
    """Drop the unfinished logs of a task that a later log in the same folder supersedes.

    A killed or failed eval set leaves its log ('started' / 'error') beside the resumed run's
    log, which carries the finished samples over; counting both would count those samples
    twice. Finished logs are never dropped (two complete runs of a task are both data, and
    the report flags the repeats). Unreadable headers are kept so that loading names them."""
    runs: dict[tuple[str, str], list[tuple[tuple, str]]] = {}
    unreadable: set[str] = set()
    for path in files:
        try:
            header = read_eval_log(path, header_only=True)
            identity = (str(Path(path).parent), task_identifier(header, None))
        except Exception:  # noqa: BLE001 - reported when the log itself is read
            unreadable.add(path)
            continue
        rank = (header.status == "success", header.eval.created, Path(path).name)
        runs.setdefault(identity, []).append((rank, path))
    keep = set(unreadable)
    superseded = []
    for candidates in runs.values():
        (_, newest), *older = sorted(candidates, reverse=True)
        keep.add(newest)
        for (finished, _, _), path in older:
            if finished:
                keep.add(path)
            else:
                superseded.append(SkippedLog(path, f"an unfinished run superseded by {Path(newest).name} (the same task, resumed)"))
    return [path for path in files if path in keep], superseded


def load_logs(paths: list[Path]) -> LoadedLogs:
    files, skipped = resolve_log_files(paths)
    files, superseded = latest_per_task(files)
    frames: list[pd.DataFrame] = []
    evidence: list[list] = []
    logs: list[LogInfo] = []
    detail_reads = 0
    for path in files:
        try:
            info, frame, log_evidence, details = _read_one_log(path)
        except Exception as error:  # any unreadable log is skipped and named, whatever broke inside it
            skipped.append(SkippedLog(path, f"{type(error).__name__}: {error}".strip()[:300]))
            continue
        logs.append(info)
        detail_reads += details
        if not frame.empty:
            frames.append(frame)
            evidence.extend(log_evidence)
    columns = [c.name for c in COLUMNS if c.name != "evidence_json"] + ["log"]
    samples = _tidy(pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns))
    usage = json.loads("[" + ",".join(samples.pop("usage_json")) + "]")
    rows = np.arange(len(samples))
    violations = _explode([entry[0] for entry in evidence], rows, VIOLATION_COLUMNS)
    items = _explode([entry[1] for entry in evidence], rows, ITEM_COLUMNS)
    items["met"] = items["met"].astype(bool)
    usage_table = _explode(usage, rows, USAGE_COLUMNS)
    return LoadedLogs(samples, items, violations, usage_table, logs, skipped, detail_reads, superseded)
