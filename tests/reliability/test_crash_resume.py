"""Crash and resume: `archbench run` killed with SIGKILL part-way, then rerun with the same
command, finishes only the missing samples, and its report equals in scores the report of
an uninterrupted run with the same scripted outputs (the session fixture is in conftest.py).
"""

from __future__ import annotations

import json

import pandas as pd
from inspect_ai.log import list_eval_logs, read_eval_log

from tests.reliability.conftest import CALLS_PER_SAMPLE, EPOCHS

SCORES = ["scope", "completeness", "conventions", "grounding", "overall"]
VARIANT_SCORES = ["n_samples", "n_failed", "overall", "scope_violation_rate", "completeness", "conventions", "grounding", "error_rate"]


def finished_log(log_dir):
    """The one finished log of the run (a killed run's partial log may sit beside it)."""
    (log,) = [log for log in (read_eval_log(info) for info in list_eval_logs(str(log_dir))) if log.status == "success"]
    return log


def test_the_kill_landed_part_way(crash_and_resume):
    run = crash_and_resume.interrupted
    assert run.returncodes[0] == -9  # SIGKILL, not a clean exit
    assert 0 < len(crash_and_resume.partial_samples) < EPOCHS


def test_rerun_finishes_only_the_missing_samples(crash_and_resume):
    run = crash_and_resume.interrupted
    assert run.returncodes[1] == 0, run.outputs[3][-3000:]
    final = finished_log(run.log_dir)
    assert sorted(sample.epoch for sample in final.samples) == list(range(1, EPOCHS + 1))
    assert all(sample.error is None for sample in final.samples)
    reused = {(str(sample.id), sample.epoch): sample.uuid for sample in final.samples}
    # the samples finished before the kill were kept, not run again (a rerun sample gets a new uuid)
    for key, uuid in crash_and_resume.partial_samples.items():
        assert reused[key] == uuid
    remaining = EPOCHS - len(crash_and_resume.partial_samples)
    assert crash_and_resume.answered_on_resume <= remaining * CALLS_PER_SAMPLE
    assert crash_and_resume.repos_unchanged


def _sample_scores(run) -> pd.DataFrame:
    samples = pd.read_parquet(run.log_dir / "report" / "samples.parquet")
    return samples[["id", "epoch", *SCORES]].sort_values(["id", "epoch"]).reset_index(drop=True)


def test_resumed_and_uninterrupted_runs_score_each_sample_alike(crash_and_resume):
    resumed, straight = crash_and_resume.interrupted, crash_and_resume.uninterrupted
    assert straight.returncodes == [0]
    final_scores = pd.DataFrame(
        [{"id": str(s.id), "epoch": s.epoch, **{name: s.scores[name].value for name in SCORES}} for s in finished_log(resumed.log_dir).samples]
    )
    expected = pd.DataFrame(
        [{"id": str(s.id), "epoch": s.epoch, **{name: s.scores[name].value for name in SCORES}} for s in finished_log(straight.log_dir).samples]
    )
    pd.testing.assert_frame_equal(
        final_scores.sort_values(["id", "epoch"]).reset_index(drop=True), expected.sort_values(["id", "epoch"]).reset_index(drop=True)
    )


def test_resumed_report_equals_the_uninterrupted_report_in_scores(crash_and_resume):
    resumed, straight = crash_and_resume.interrupted, crash_and_resume.uninterrupted
    summaries = [json.loads((run.log_dir / "report" / "summary.json").read_text()) for run in (resumed, straight)]
    for summary in summaries:
        assert summary["n_samples"] == EPOCHS and not summary["partial"], summary["run"]["partial_reasons"]
    resumed_variants, straight_variants = ([{key: v[key] for key in ["prompt", "model", *VARIANT_SCORES]} for v in s["variants"]] for s in summaries)
    assert resumed_variants == straight_variants
    assert summaries[0]["per_scenario"] == summaries[1]["per_scenario"]
    pd.testing.assert_frame_equal(_sample_scores(resumed), _sample_scores(straight))
