"""Nightly without a baseline says so; `run --config` uses the config's baseline; regressions lead the job summary (issue 18, item 8)."""

import json
import shutil
from pathlib import Path

from archbench.app.cli import main

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "scenarios"


def write_config(tmp_path: Path, baseline: str | None) -> Path:
    config = tmp_path / "nightly.yaml"
    config.write_text(
        f"name: night\nprompts: [{ROOT / 'prompts' / 'backend-architect.md'}]\nmodels: [archbench/reference]\n"
        f"scenarios: {{dir: {FIXTURES}}}\nlog_dir: logs\n" + (f"baseline: {baseline}\n" if baseline else "")
    )
    return config


def nightly(config: Path, summary: Path) -> int:
    return main(["nightly", str(config), "--display", "none", "--summary-out", str(summary)])


def test_a_night_without_a_baseline_says_so_and_how_to_promote_one(tmp_path, capsys):
    config = write_config(tmp_path, baseline=None)
    assert nightly(config, tmp_path / "summary.md") == 0
    err = capsys.readouterr().err
    assert "NO BASELINE" in err and "not checked for regressions" in err and "archbench baseline promote" in err
    assert (tmp_path / "summary.md").read_text().startswith("> **NO BASELINE")

    config = write_config(tmp_path, baseline="baseline")
    (tmp_path / "summary.md").unlink()
    assert nightly(config, tmp_path / "summary.md") == 0
    err = capsys.readouterr().err
    assert "does not exist yet" in err and f"--config {config}" in err


def test_run_config_and_nightly_both_compare_with_the_promoted_baseline(tmp_path, capsys):
    config = write_config(tmp_path, baseline="baseline")
    assert nightly(config, tmp_path / "first.md") == 0
    (night,) = [d for d in (tmp_path / "logs").iterdir() if d.is_dir()]
    assert main(["baseline", "promote", str(night), "--config", str(config)]) == 0
    provenance = json.loads((tmp_path / "baseline" / "PROVENANCE.json").read_text())
    assert not Path(provenance["log_dir"]).is_absolute()
    shutil.rmtree(night)
    capsys.readouterr()

    assert nightly(config, tmp_path / "second.md") == 0
    assert "NO BASELINE" not in capsys.readouterr().err
    summary = (tmp_path / "second.md").read_text()
    headings = [line for line in summary.splitlines() if line.startswith("## ")]
    assert headings[0] == "## Changes against the baseline"
    assert "No significant regression against the baseline" in summary

    assert main(["run", "--config", str(config), "--display", "none"]) == 0
    (run_dir,) = (tmp_path / "logs").glob("run-*")
    report = json.loads((run_dir / "report" / "summary.json").read_text())
    assert [entry["level"] for entry in report["regressions"]][:1] == ["variant"]  # compared with the baseline
