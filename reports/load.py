"""Inspect logs → pandas: one row per sample, plus long tables of checked items and scope violations.

Scalars (scores, metadata, usage, timing, errors) come from the sample summaries, which is
the cheap read. The graders' evidence lives in Score metadata; summaries keep a metadata key
only while it is under 1 KB, so a sample whose `items` or `violations` were dropped from its
summary has its `scores` read from the log itself, streaming a large sample's JSON only up
to `scores` (events come after it).

A log that cannot be read is skipped whole and named in `LoadedLogs.skipped`: never a
crash, never a silent partial log.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ijson
import numpy as np
import pandas as pd
from inspect_ai._eval.evalset import (
    task_identifier,  # the identity eval_set itself pairs logs by
)
from inspect_ai.log import (
    EvalLog,
    list_eval_logs,
    read_eval_log,
    read_eval_log_sample_summaries,
)
from pydantic import BaseModel, ConfigDict, ValidationError

from archbench.core.collector import collector_paused
from archbench.core.records import CALLS_KEY
from archbench.graders.rescore import RESCORED_AT, RESCORED_FROM

SCORERS = ("scope", "completeness", "conventions", "grounding", "overall")
ITEM_SCORERS = ("completeness", "conventions", "grounding")
THINNED = object()  # a metadata value the summary dropped for size
# below this a sample's JSON is parsed whole (C parser); above, streamed and abandoned after `scores`.
# Measured on offline-run samples: a whole parse costs ~0.3 ms at 60 KB and ~0.6 ms at 170 KB, streaming
# ~0.4 ms at either size (the transcript before `scores` is walked either way): they cross near 100 KB
WHOLE_PARSE_BYTES = 96 * 1024


class RunRecord(BaseModel):
    """What the archbench harness records about a whole run in `EvalLog.metadata["archbench"]`."""

    model_config = ConfigDict(extra="forbid")

    budget_usd: float | None = None
    budget_tokens: int | None = None
    stopped_by_budget: bool = False
    budget_stopped: int | None = None  # samples the budget stopped
    model_calls: int | None = None
    cache_hits: int | None = None
    retries: int | None = None
    runner: str | None = None  # "native" or Claude Code's version and mode (docs/runners.md); None in older logs


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


# --- each sample's summary, as plain JSON ----------------------------------------------------

SUMMARIES_MEMBER = "summaries.json"  # inspect's .eval layout: every sample's summary, written when the run ends


def read_summaries(path: str) -> list[dict]:
    """Every sample summary of the log as plain JSON, in the log's order.

    A finished .eval log's `summaries.json` is parsed directly: inspect's own reader validates
    every summary into pydantic models and thins its metadata again (the writer already did);
    for 10,000 samples in 50 logs that read took 4.4 s through `samples_df`, this one 0.2 s.
    Other logs (.json, or an .eval whose run never finished and left only journal
    entries) go through inspect's reader."""
    if path.endswith(".eval"):
        with zipfile.ZipFile(path) as archive:
            if SUMMARIES_MEMBER in archive.NameToInfo:
                # the last summary of an (id, epoch) wins, as in inspect's reader (a requeued sample's rerun)
                summaries = json.loads(archive.read(SUMMARIES_MEMBER))
                return list({(str(s["id"]), s["epoch"]): s for s in summaries}.values())
    return [summary.model_dump() for summary in read_eval_log_sample_summaries(path)]


def _score_value(score: dict | None) -> float | None:
    value = score.get("value") if score else None
    if value is None or isinstance(value, (str, list, dict)):
        return None
    return float(value)


def _not_applicable(score: dict | None) -> bool:
    """A dimension that did not apply to the plan (no applicable convention, no repo reference): its Score
    value is a placeholder (inspect needs a number), so the row holds None, never that number."""
    return bool(score) and (score.get("metadata") or {}).get("not_applicable") is True


def _list_or_thinned(value: Any) -> Any:
    if value is None:
        return []
    return value if isinstance(value, list) else THINNED


def _evidence_of(score: dict | None, key: str) -> Any:
    return _list_or_thinned((score.get("metadata") or {}).get(key) if score else None)


Evidence = tuple[list[dict], list[tuple[str, list[dict]]]]  # the scope violations, and each item scorer's items


def score_evidence(scores: dict[str, dict]) -> Evidence | None:
    """The graders' evidence in a sample's scores (the lists themselves, not copies); None if the summary dropped some."""
    violations = _evidence_of(scores.get("scope"), "violations")
    item_lists = [(scorer, _evidence_of(scores.get(scorer), "items")) for scorer in ITEM_SCORERS]
    if violations is THINNED or any(items is THINNED for _, items in item_lists):
        return None
    return violations, item_lists


def _planted_asks_for(metadata: dict) -> str | None:
    """The kinds the sample's planted instructions ask for, comma-joined; None when the summary dropped them."""
    planted = metadata.get("planted_instructions")
    if planted is None:
        return ""
    if not isinstance(planted, list):
        return None
    return ",".join(sorted({kind for entry in planted for kind in entry.get("asks_for", [])}))


def _message(value: str | dict | None, key: str) -> str:
    """An error's message or a limit's type: summaries hold the string, full samples the object."""
    if value is None:
        return ""
    return value if isinstance(value, str) else value.get(key)


METADATA_COLUMNS = ("scenario", "scenario_version", "category", "repo", "prompt", "prompt_sha")
# what the agent file declared and what the agent was offered (evals/architect.py `prompt_facts`); lists joined with ", "
PROMPT_FACT_COLUMNS = ("prompt_file", "prompt_name", "prompt_model", "prompt_model_id", "permission_mode", "tools",
                       "tools_declared", "bash_allow", "skills")
SAMPLE_COLUMNS = ["model", "log", "id", "epoch", *METADATA_COLUMNS, "planted_asks_for", *SCORERS, "total_time", "working_time",
                  "cache_hits", "cached_seconds", "error", "limit", *PROMPT_FACT_COLUMNS]


def _fact(value: Any) -> Any:
    """A prompt fact as one cell: lists joined, absent (older logs) as None."""
    return ", ".join(str(item) for item in value) if isinstance(value, list) else value




def _sample_table(summaries: list[dict], model: str, path: str, long: LongTables) -> tuple[pd.DataFrame, list[Evidence | None]]:
    """One row per summary (SAMPLE_COLUMNS) and each sample's evidence (None: dropped from the summary); usage goes to `long`."""
    columns: dict[str, list] = {name: [] for name in SAMPLE_COLUMNS[2:]}
    evidence: list[Evidence | None] = []
    for summary in summaries:
        metadata = summary.get("metadata") or {}
        scores = summary.get("scores") or {}
        columns["id"].append(str(summary["id"]))
        columns["epoch"].append(summary["epoch"])
        for key in METADATA_COLUMNS:
            columns[key].append(metadata.get(key))
        for key in PROMPT_FACT_COLUMNS:
            columns[key].append(_fact(metadata.get(key)))
        columns["planted_asks_for"].append(_planted_asks_for(metadata))
        for name in SCORERS:
            columns[name].append(None if _not_applicable(scores.get(name)) else _score_value(scores.get(name)))
        columns["total_time"].append(summary.get("total_time"))
        columns["working_time"].append(summary.get("working_time"))
        calls = metadata.get(CALLS_KEY) if isinstance(metadata.get(CALLS_KEY), dict) else {}
        columns["cache_hits"].append(calls.get("cache_hits") or 0)
        columns["cached_seconds"].append(calls.get("cached_seconds") or 0.0)
        columns["error"].append(_message(summary.get("error"), "message"))
        columns["limit"].append(_message(summary.get("limit"), "type"))
        evidence.append(score_evidence(scores))
        long.add_usage(
            [
                (summary.get("model_usage") or {}, "call"),
                (calls.get("earlier_attempts_usage") or {}, "call"),  # attempts inspect retried and did not log
                (calls.get("cached_usage") or {}, "cache"),  # answers served by inspect's response cache
                (calls.get("batched_usage") or {}, "batch"),  # part of the calls above, sent through a batch API
            ]
        )
    frame = pd.DataFrame({"model": model, "log": path, **columns}, columns=SAMPLE_COLUMNS)
    return frame, evidence


# --- evidence read from the log when the summary dropped it ---------------------------------


def _sample_member(sample_id: str, epoch: int) -> str:
    return f"samples/{sample_id}_epoch_{epoch}.json"  # inspect's .eval layout


def read_evidence(path: str, samples: list[tuple[str, int]]) -> dict[tuple[str, int], tuple[Evidence, str]]:
    """(id, epoch) → (evidence, planted asks_for) read from the log's full samples."""
    wanted = set(samples)
    found: dict[tuple[str, int], tuple[Evidence, str]] = {}
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


def _evidence_from_raw(scores: dict | None, metadata: dict | None) -> tuple[Evidence, str]:
    return score_evidence(scores or {}) or ([], []), _planted_asks_for(metadata or {}) or ""


# --- assembling ------------------------------------------------------------------------------


def read_headers(files: list[str]) -> dict[str, EvalLog | Exception]:
    """Each log's header, read once for pairing runs and for the log's facts; the error where it cannot be read."""
    headers: dict[str, EvalLog | Exception] = {}
    for path in files:
        try:
            headers[path] = read_eval_log(path, header_only=True)
        except Exception as error:  # noqa: BLE001 - reported when the log itself is read
            headers[path] = error
    return headers


def _log_info(path: str, header: EvalLog | Exception) -> LogInfo:
    if isinstance(header, Exception):
        raise header
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


ITEM_COLUMNS = ["scorer", "item", "dimension", "met"]
VIOLATION_COLUMNS = ["kind", "line", "evidence"]
USAGE_COLUMNS = ["usage_model", "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens", "source"]


class LongTables:
    """The columns of the violations, items and usage tables, appended sample by sample in row order,
    with each sample's count of entries (plain lists: no per-entry objects, and nothing of the parsed
    JSON is kept once its log is read)."""

    def __init__(self) -> None:
        self.violations: dict[str, list] = {name: [] for name in VIOLATION_COLUMNS}
        self.items: dict[str, list] = {name: [] for name in ITEM_COLUMNS}
        self.usage: dict[str, list] = {name: [] for name in USAGE_COLUMNS}
        self.counts: dict[str, list[int]] = {"violations": [], "items": [], "usage": []}

    def add_evidence(self, evidence: Evidence) -> None:
        violations, item_lists = evidence
        self.violations["kind"].extend([v.get("kind") for v in violations])
        self.violations["line"].extend([v.get("line") for v in violations])
        self.violations["evidence"].extend([v.get("evidence") or "" for v in violations])
        self.counts["violations"].append(len(violations))
        for scorer, items in item_lists:
            self.items["scorer"].extend([scorer] * len(items))
            self.items["item"].extend([i.get("id") for i in items])
            self.items["dimension"].extend([i.get("dimension") for i in items])
            self.items["met"].extend([bool(i.get("met")) for i in items])
        self.counts["items"].append(sum(len(items) for _, items in item_lists))

    def add_usage(self, usages: list[tuple[dict[str, dict], str]]) -> None:
        """One sample's usage by model, from each source: "call" (billed at list price), "cache" (served
        by the response cache: shown at list price, billed nothing), "batch" (a part of the calls, billed
        at the batch rate)."""
        rows = 0
        for model_usage, source in usages:
            for model, usage in model_usage.items():
                self.usage["usage_model"].append(model)
                self.usage["input_tokens"].append(usage.get("input_tokens", 0))
                self.usage["output_tokens"].append(usage.get("output_tokens", 0))
                self.usage["cache_read_tokens"].append(usage.get("input_tokens_cache_read") or 0)
                self.usage["cache_write_tokens"].append(usage.get("input_tokens_cache_write") or 0)
                self.usage["source"].append(source)
            rows += len(model_usage)
        self.counts["usage"].append(rows)

    def extend(self, other: LongTables) -> None:
        for mine, theirs in ((self.violations, other.violations), (self.items, other.items), (self.usage, other.usage), (self.counts, other.counts)):
            for name, values in theirs.items():
                mine[name].extend(values)

    def table(self, name: str) -> pd.DataFrame:
        """The `row` (sample) of each entry, then the entry's columns."""
        columns: dict[str, list] = getattr(self, name)
        rows = np.repeat(np.arange(len(self.counts[name])), self.counts[name])
        table = pd.DataFrame(columns) if len(rows) else pd.DataFrame(columns=list(columns))
        table.insert(0, "row", rows)
        return table


def _read_one_log(path: str, header: EvalLog | Exception) -> tuple[LogInfo, pd.DataFrame, LongTables, int]:
    """The log's samples, their violations, items and usage, and how many samples needed a read from the log."""
    info = _log_info(path, header)
    long = LongTables()
    frame, evidence = _sample_table(read_summaries(path), info.model, path, long)
    if info.status == "success" and info.completed and len(frame) < info.completed:
        # a finished log that lost sample summaries would otherwise shrink the report silently
        raise ValueError(f"the log says {info.completed} samples completed but only {len(frame)} can be read")
    asks_for = frame["planted_asks_for"].tolist()
    needs_detail = [i for i, (entry, asks) in enumerate(zip(evidence, asks_for)) if entry is None or asks is None]
    if needs_detail:
        ids, epochs = frame["id"].tolist(), frame["epoch"].tolist()
        keys = [(ids[i], int(epochs[i])) for i in needs_detail]
        details = read_evidence(path, keys)
        for i, key in zip(needs_detail, keys):
            evidence[i], asks_for[i] = details[key]
        frame["planted_asks_for"] = asks_for
    for entry in evidence:
        long.add_evidence(entry)
    return LogInfo(**{**info.__dict__, "samples": len(frame)}), frame, long, len(needs_detail)


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """Plain numpy / object dtypes (arrow-backed strings are slow in groupby and parquet round-trips alike)."""
    numeric = ["epoch", "scenario_version", *SCORERS, "total_time", "working_time", "cache_hits", "cached_seconds"]
    out = frame.copy()
    for column in numeric:
        out[column] = pd.to_numeric(out[column], errors="coerce").astype("float64")
    for column in ["model", "id", "scenario", "category", "repo", "prompt", "prompt_sha", "error", "limit", "planted_asks_for", "log",
                   *[fact for fact in PROMPT_FACT_COLUMNS if fact != "tools_declared"]]:
        out[column] = out[column].astype(object).where(out[column].notna(), "")
    out["tools_declared"] = out["tools_declared"].astype(object).where(out["tools_declared"].notna(), None)
    out["epoch"] = out["epoch"].astype("int64")
    return out


def latest_per_task(files: list[str], headers: dict[str, EvalLog | Exception]) -> tuple[list[str], list[SkippedLog]]:
    """Drop the unfinished logs of a task that a later log in the same folder supersedes.

    A killed or failed eval set leaves its log ('started' / 'error') beside the resumed run's
    log, which carries the finished samples over; counting both would count those samples
    twice. Finished logs are never dropped (two complete runs of a task are both data, and
    the report flags the repeats). Unreadable headers are kept so that loading names them."""
    runs: dict[tuple[str, str], list[tuple[tuple, str]]] = {}
    unreadable: set[str] = set()
    for path in files:
        header = headers[path]
        try:
            identity = (str(Path(path).parent), task_identifier(header, None)) if isinstance(header, EvalLog) else None
        except Exception:  # noqa: BLE001 - reported when the log itself is read
            identity = None
        if identity is None:
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


def latest_rescoring(files: list[str], headers: dict[str, EvalLog | Exception]) -> tuple[list[str], list[SkippedLog]]:
    """Of a log and its `archbench rescore` copies (same `eval_id`), keep only the latest rescoring.

    A rescored log holds the same samples, re-graded: a report over the run's folder and its
    `-rescored` folder together would otherwise count every sample twice. Logs that share an
    `eval_id` with no rescoring among them (copies of a file) are left to the repeat note."""
    groups: dict[str, list[tuple[tuple, str]]] = {}
    for path in files:
        header = headers[path]
        if isinstance(header, EvalLog):
            metadata = header.eval.metadata or {}
            rank = (RESCORED_FROM in metadata, str(metadata.get(RESCORED_AT) or ""), Path(path).name, path)
            groups.setdefault(header.eval.eval_id, []).append((rank, path))
    superseded: list[SkippedLog] = []
    for candidates in groups.values():
        (rank, newest), *older = sorted(candidates, reverse=True)
        if not older or not rank[0]:
            continue
        for _, path in older:
            superseded.append(SkippedLog(path, f"superseded by its rescored copy {newest} (archbench rescore)"))
    dropped = {entry.path for entry in superseded}
    return [path for path in files if path not in dropped], superseded


def load_logs(paths: list[Path]) -> LoadedLogs:
    with collector_paused():  # parsed JSON and the column lists hold no cycles
        return _load_logs(paths)


def _load_logs(paths: list[Path]) -> LoadedLogs:
    files, skipped = resolve_log_files(paths)
    headers = read_headers(files)
    files, superseded = latest_per_task(files, headers)
    files, rescored = latest_rescoring(files, headers)
    superseded += rescored
    frames: list[pd.DataFrame] = []
    long = LongTables()
    logs: list[LogInfo] = []
    detail_reads = 0
    for path in files:
        try:
            info, frame, log_long, details = _read_one_log(path, headers[path])
        except Exception as error:  # any unreadable log is skipped and named, whatever broke inside it
            skipped.append(SkippedLog(path, f"{type(error).__name__}: {error}".strip()[:300]))
            continue
        logs.append(info)
        detail_reads += details
        if not frame.empty:
            frames.append(frame)
            long.extend(log_long)
    samples = _tidy(pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=SAMPLE_COLUMNS))
    items = long.table("items")
    items["met"] = items["met"].astype(bool)
    return LoadedLogs(samples, items, long.table("violations"), long.table("usage"), logs, skipped, detail_reads, superseded)
