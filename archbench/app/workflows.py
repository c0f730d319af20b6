"""The three jobs people install archbench for: nightly regressions, baselines, prompt comparisons."""

from __future__ import annotations

import datetime as dt
import json
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
    summary = build_report(run_logs(log_dir), report_dir, baseline=baseline_path(config, config_path), prices=spec.prices)
    return NightlyResult(log_dir, report_dir, summary, significant_regressions(summary, config), completed)


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
                "log_dir": str(log_dir.resolve()),
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
    try:
        result = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, check=False)
    except OSError:
        return None
    return result.stdout.strip() or None
