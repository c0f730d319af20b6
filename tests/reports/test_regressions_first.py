"""Regressions headline the report; a promoted baseline folder is a valid --baseline (issue 18, item 8)."""

import json
import os
from pathlib import Path

from archbench.app.cli import main
from archbench.app.workflows import promote_baseline
from archbench.reports.build import build_report
from benchmarks.synth_logs import epoch_specs

SONNET = "anthropic/claude-sonnet-4-5"


def two_runs(write, tmp_path: Path) -> tuple[Path, Path]:
    scenarios = [f"s{i}" for i in range(8)]
    base_dir, now_dir = tmp_path / "base", tmp_path / "now"
    write("base", "seed", SONNET, epoch_specs({s: [0.8] for s in scenarios})).rename(base_dir.mkdir() or base_dir / "base.eval")
    write("now", "seed", SONNET, epoch_specs({s: [0.4] for s in scenarios})).rename(now_dir.mkdir() or now_dir / "now.eval")
    return base_dir, now_dir


def test_a_regression_is_the_first_section_of_report_html_and_md(write, tmp_path):
    base_dir, now_dir = two_runs(write, tmp_path)
    build_report([now_dir], tmp_path / "report", baseline=base_dir)
    for name, section, board in (("report.md", "## Changes against the baseline", "## Leaderboard"),
                                 ("report.html", "<h2>Changes against the baseline</h2>", "<h2>Leaderboard</h2>")):
        text = (tmp_path / "report" / name).read_text()
        assert section in text and text.index(section) < text.index(board), name
        assert "REGRESSION: 1 variant(s) significantly worse than the baseline" in text, name
        assert text.index("REGRESSION: 1 variant(s)") < text.index(board)
    markdown = (tmp_path / "report" / "report.md").read_text()
    assert [line for line in markdown.splitlines() if line.startswith("## ")][0] == "## Changes against the baseline"


def test_report_baseline_accepts_the_folder_baseline_promote_wrote(write, tmp_path, capsys):
    base_dir, now_dir = two_runs(write, tmp_path)
    promoted = promote_baseline(base_dir, tmp_path / "baselines" / "main")
    assert main(["report", str(now_dir), "--baseline", str(promoted), "--out", str(tmp_path / "report")]) == 0
    summary = json.loads((tmp_path / "report" / "summary.json").read_text())
    (variant,) = [entry for entry in summary["regressions"] if entry["level"] == "variant"]
    assert variant["direction"] == "worse" and variant["significant"] is True

    provenance = json.loads((promoted / "PROVENANCE.json").read_text())
    assert not os.path.isabs(provenance["log_dir"])
    assert (promoted.parent / provenance["log_dir"]).resolve() == base_dir.resolve()
