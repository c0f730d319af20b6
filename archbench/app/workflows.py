"""The three jobs people install archbench for: nightly regressions, baselines, prompt comparisons."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from archbench.app.config import ExperimentConfig, load_config
from archbench.app.run import run_logs, run_matrix
from archbench.core.strict_yaml import InputError

PROVENANCE_FILE = "PROVENANCE.json"


@dataclass
class NightlyResult:
    log_dir: Path
    report_dir: Path
    summary: dict
    regressions: list[dict]  # variant-level, significant, worse by at least min_effect
    completed: bool
    no_baseline: str = ""  # why nothing was checked for regressions, and how to pin a baseline; "" when one was used

    @property
    def exit_code(self) -> int:
        return 1 if self.regressions or not self.completed else 0


def significant_regressions(summary: dict, config: ExperimentConfig) -> list[dict]:
    """Variant-level regressions that the significance test (Holm-corrected) and the minimum effect both support."""
    return [
        record
        for record in summary.get("regressions", [])
        if record.get("level") == "variant"
        and record.get("direction") == "worse"
        and record.get("p_holm") is not None
        and record["p_holm"] <= config.regression.alpha
        and abs(record.get("mean_difference") or 0.0) >= config.regression.min_effect
    ]


def baseline_path(config: ExperimentConfig, config_path: Path) -> Path | None:
    """The pinned baseline (a promoted folder or a summary.json), if the config names one that exists."""
    if not config.baseline:
        return None
    path = (config_path.resolve().parent / config.baseline).resolve()
    if path.is_dir() and (path / "summary.json").is_file():
        return path / "summary.json"
    return path if path.is_file() else None


def no_baseline_message(config: ExperimentConfig, config_path: Path, log_dir: Path) -> str:
    """Said loudly when a night has no baseline to compare with: it passes without checking anything."""
    promote = f"archbench baseline promote {_shown_path(log_dir)} --config {config_path}"
    if not config.baseline:
        return (
            f"NO BASELINE: {config_path} names no `baseline:` folder, so this run was not checked for regressions. "
            f"Add `baseline: baseline` to it, then pin a good run: {promote}"
        )
    missing = _shown_path((config_path.resolve().parent / config.baseline).resolve())
    return (
        f"NO BASELINE: the baseline {missing} (`baseline:` in {config_path}) does not exist yet, so this run was not "
        f"checked for regressions. Pin a good run as the baseline: {promote}"
    )


def _shown_path(path: Path) -> str:
    """A path relative to the current directory when it is below it (shorter to copy), else as it is."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def nightly(config_path: Path, date: dt.date | None = None, display: str | None = None, fresh: bool = False) -> NightlyResult:
    """Run the configured matrix into a dated, resumable log dir and judge it against the baseline."""
    from archbench.reports.build import build_report

    config, spec = load_config(config_path)
    # dated folders beside the config's `run` folders (log_root/run-<fingerprint>), never nested in
    # one: an eval set reads its folder recursively and would take another run's logs as its own.
    # A same-day rerun resumes the day's folder only if it holds the same matrix (prompt contents,
    # scenario versions, …); otherwise, or with `fresh`, it starts <date>-2, <date>-3 …
    spec.log_name = (date or dt.date.today()).isoformat()
    spec.fresh = fresh
    # a night measures today's models: replaying last night's answers from the response cache would
    # report them (at no cost) as today's, so the cache is used only when the config asks for it
    spec.cache = config.cache is True
    completed, log_dir = run_matrix(spec, display=display)
    report_dir = log_dir / "report"
    baseline = baseline_path(config, config_path)
    summary = build_report(run_logs(log_dir), report_dir, baseline=baseline, prices=spec.prices)
    missing = "" if baseline else no_baseline_message(config, config_path, log_dir)
    return NightlyResult(log_dir, report_dir, summary, significant_regressions(summary, config), completed, missing)


def provenance_path(path: Path, destination: Path) -> str:
    """`path` as PROVENANCE.json records it: relative to the repository the baseline lives in (the
    git top level), else to the baseline folder's parent; never absolute, so the file means the
    same in every checkout."""
    target = path.resolve()
    top = _git(["rev-parse", "--show-toplevel"], cwd=destination.resolve().parent)
    for base in ([Path(top)] if top else []) + [destination.resolve().parent]:
        try:
            return target.relative_to(base).as_posix()
        except ValueError:
            continue
    return Path(os.path.relpath(target, destination.resolve().parent)).as_posix()


def promote_baseline(log_dir: Path, destination: Path) -> Path:
    """Pin a run as the baseline: its report (summary.json, per-sample table) plus provenance."""
    from archbench.reports.build import build_report

    if not log_dir.is_dir():
        raise InputError("log dir not found", log_dir)
    staging = destination.with_name(destination.name + ".staging")
    shutil.rmtree(staging, ignore_errors=True)
    summary = build_report(run_logs(log_dir), staging)
    if not summary.get("variants"):
        shutil.rmtree(staging, ignore_errors=True)
        raise InputError("no scored samples in this log dir; nothing to promote", log_dir)
    (staging / PROVENANCE_FILE).write_text(
        json.dumps(
            {
                "log_dir": provenance_path(log_dir, destination),
                "promoted_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                "git_commit": _git_commit(),
                "variants": [f"{v['prompt']} × {v['model']}" for v in summary["variants"]],
            },
            indent=2,
        )
    )
    shutil.rmtree(destination, ignore_errors=True)
    staging.rename(destination)  # the old baseline is replaced only by a complete new one
    return destination


def _git_commit() -> str | None:
    return _git(["rev-parse", "HEAD"])


def _git(args: list[str], cwd: Path | None = None) -> str | None:
    try:
        result = subprocess.run(["git", *args], capture_output=True, text=True, timeout=5, check=False, cwd=cwd)
    except OSError:
        return None
    return (result.stdout.strip() if result.returncode == 0 else "") or None
