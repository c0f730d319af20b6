"""Partial logs: a truncated or corrupt log among a report's inputs is skipped and named (in
summary.json, the report's notes and a logged warning) without moving the numbers; a
report with nothing readable is one clear error with exit code 2.

The logs are real ones from an offline run, broken the ways a crash, a full disk or a bad
copy break them.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from archbench.app.cli import main
from archbench.app.run import RunSpec, run_matrix
from tests.reliability.support import FIXTURES

SCORE_FIELDS = ["prompt", "model", "n_samples", "n_failed", "overall", "completeness", "conventions", "grounding", "scope_violation_rate"]


@pytest.fixture(scope="module")
def run_logs(tmp_path_factory) -> tuple[Path, Path]:
    """Two finished offline runs: the one whose numbers must not move, and one to break."""
    root = tmp_path_factory.mktemp("partial-logs")
    spec = RunSpec(models=["archbench/reference"], scenarios_dir=FIXTURES / "scenarios", epochs=2, log_dir=root / "good")
    assert run_matrix(spec, display="none")[0]
    spec.models, spec.log_dir = ["archbench/template"], root / "victim"
    assert run_matrix(spec, display="none")[0]
    (good,) = (root / "good").glob("*.eval")
    (victim,) = (root / "victim").glob("*.eval")
    return good, victim


def _rewrite_member(log: Path, member: str, change: Callable[[bytes], bytes | None]) -> None:
    """Rewrite one zip member of an .eval log (None drops it)."""
    with zipfile.ZipFile(log) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    with zipfile.ZipFile(log, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in contents.items():
            new = change(data) if name == member else data
            if new is not None:
                archive.writestr(name, new)


def _sample_member(log: Path) -> str:
    with zipfile.ZipFile(log) as archive:
        return next(name for name in archive.namelist() if name.startswith("samples/"))


def truncate(log: Path) -> None:
    log.write_bytes(log.read_bytes()[: log.stat().st_size // 2])


def empty(log: Path) -> None:
    log.write_bytes(b"")


def garbage(log: Path) -> None:
    log.write_bytes(b"\x00\xff" * 4096)


def corrupt_header(log: Path) -> None:
    _rewrite_member(log, "header.json", lambda data: data[: len(data) // 3])


def drop_summaries(log: Path) -> None:
    _rewrite_member(log, "summaries.json", lambda data: None)
    with zipfile.ZipFile(log) as archive:
        journal = [name for name in archive.namelist() if name.startswith("_journal/summaries/")]
    for name in journal:
        _rewrite_member(log, name, lambda data: None)


def corrupt_sample(log: Path) -> None:
    _rewrite_member(log, _sample_member(log), lambda data: data[: len(data) // 2])


def json_truncated(log: Path) -> None:
    """The victim written as a .json log (inspect's other format), then cut off mid-way."""
    from inspect_ai.log import read_eval_log, write_eval_log

    target = log.with_suffix(".json")
    write_eval_log(read_eval_log(str(log)), str(target))
    log.unlink()
    target.write_bytes(target.read_bytes()[: target.stat().st_size * 2 // 3])


@pytest.mark.parametrize(
    "damage",
    [
        truncate, empty, garbage, corrupt_header, corrupt_sample, json_truncated,
        drop_summaries,
    ],
    ids=lambda damage: damage.__name__,
)
def test_a_broken_log_is_named_and_moves_no_number(run_logs, tmp_path, capsys, caplog, damage):
    good, victim = run_logs
    logs = tmp_path / "logs"
    logs.mkdir()
    shutil.copy(good, logs)
    broken = logs / victim.name
    shutil.copy(victim, broken)
    damage(broken)
    broken = next(path for path in logs.iterdir() if path.name != good.name)

    assert main(["report", str(good), "--out", str(tmp_path / "clean")]) == 0
    code = main(["report", str(logs), "--out", str(tmp_path / "report")])
    captured = capsys.readouterr()
    assert code == 0 and "Traceback" not in captured.err
    summary = json.loads((tmp_path / "report" / "summary.json").read_text())
    clean = json.loads((tmp_path / "clean" / "summary.json").read_text())

    variants = {(v["prompt"], v["model"]): {k: v[k] for k in SCORE_FIELDS} for v in summary["variants"]}
    reference_variant = {k: clean["variants"][0][k] for k in SCORE_FIELDS}
    victim_key = ("backend-architect", "archbench/template")
    if summary["skipped_logs"]:
        # skipped whole: named in summary.json, in the notes, on stderr; the good log's numbers unchanged
        assert [Path(s["path"]).name for s in summary["skipped_logs"]] == [broken.name]
        assert summary["partial"] and any(broken.name in note for note in summary["notes"])
        assert [record for record in caplog.records if record.levelname == "WARNING" and broken.name in record.getMessage()]
        assert list(variants.values()) == [reference_variant]
    else:
        # still readable (inspect recovers what it needs): then it must be read in full, not in part
        assert variants[("backend-architect", "archbench/reference")] == reference_variant
        assert variants[victim_key]["n_samples"] + variants[victim_key]["n_failed"] == 2
        assert summary["n_samples"] == 4


@pytest.mark.parametrize("damage", [truncate, garbage], ids=lambda damage: damage.__name__)
def test_a_report_with_nothing_readable_is_one_clear_error(run_logs, tmp_path, capsys, damage):
    _, victim = run_logs
    broken = tmp_path / victim.name
    shutil.copy(victim, broken)
    damage(broken)
    assert main(["report", str(broken), "--out", str(tmp_path / "report")]) == 2
    error = capsys.readouterr().err
    assert "no samples to report on" in error and broken.name in error and "Traceback" not in error
    assert not (tmp_path / "report").exists()
