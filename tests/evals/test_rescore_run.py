"""`archbench rescore` on the folder `archbench run` wrote, and a report over both folders (issue 18, item 6)."""

import json
from pathlib import Path

from inspect_ai.log import list_eval_logs, read_eval_log, write_eval_log

from archbench.app.cli import main
from archbench.reports.build import build_report

SCENARIOS = Path(__file__).resolve().parent.parent / "fixtures" / "scenarios"


def test_rescore_the_run_folder_reports_changes_and_a_joint_report_counts_each_sample_once(tmp_path, capsys):
    run_dir = tmp_path / "run-x"
    assert main(["run", "--scenarios", str(SCENARIOS), "--model", "archbench/reference", "--log-dir", str(run_dir), "--display", "none"]) == 0
    assert (run_dir / "eval-set.json").is_file()  # inspect's eval-set file sits beside the log
    (info,) = list_eval_logs(str(run_dir), recursive=False)
    original = Path(info.name.removeprefix("file://"))
    # pretend an older grader scored one sample's completeness differently
    stale = read_eval_log(str(original))
    first = stale.samples[0]
    true_value = first.scores["completeness"].value
    first.scores["completeness"].value = 0.125
    write_eval_log(stale, str(original))
    n_samples = len(stale.samples)
    capsys.readouterr()

    assert main(["rescore", str(run_dir), "--scenarios", str(SCENARIOS)]) == 0

    out = capsys.readouterr().out
    written = tmp_path / "run-x-rescored" / original.name  # where docs/graders.md says
    assert written.is_file() and str(written) in out
    assert "1 score(s) changed" in out
    assert "completeness 1 changed (1 up, 0 down)" in " ".join(out.split())
    assert f"{first.id} epoch {first.epoch} completeness: 0.125 -> {true_value:.3f}" in out
    assert read_eval_log(str(written)).samples[0].scores["completeness"].value == true_value

    summary = build_report([run_dir, written.parent], tmp_path / "report")
    assert summary["n_samples"] == n_samples
    assert [entry["path"] for entry in summary["superseded_logs"]] == [str(original)]
    assert not any("pooled as extra epochs" in note for note in summary["notes"])
    per_scenario = json.loads((tmp_path / "report" / "summary.json").read_text())["per_scenario"]
    assert per_scenario  # the rescored samples are the ones counted
