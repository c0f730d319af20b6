"""Loading logs: evidence dropped from sample summaries is read from the log, in both log formats."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from archbench.reports.load import load_logs
from benchmarks.synth_logs import (
    Variant,
    eval_log,
    simulated_scenarios,
    simulated_specs,
    write_log,
)


def keyed_by_sample(loaded, table: str) -> pd.DataFrame:
    keys = loaded.samples[["id", "epoch"]].reset_index(names="row")
    rows = getattr(loaded, table).merge(keys, on="row").drop(columns="row")
    return rows.sort_values(list(rows.columns)).reset_index(drop=True)


def test_evidence_too_large_for_the_summary_is_read_from_eval_and_json_logs(tmp_path: Path):
    scenarios = simulated_scenarios(4, items_per_scenario=30)  # 30 items with evidence: far over the 1 KB summary limit
    specs = simulated_specs(Variant("seed", "openai/gpt-5", quality=0.6, violation_rate=0.5), scenarios, epochs=2, seed=3)
    log = eval_log("seed", "openai/gpt-5", specs)
    # inspect lists a .json log only under its own naming pattern (a timestamp first)
    loaded = {fmt: load_logs([write_log(log, tmp_path / f"2026-01-15T10-00-00_architect_run.{fmt}")]) for fmt in ("eval", "json")}

    for result in loaded.values():
        assert result.skipped == []
        assert result.detail_reads == len(specs)
        assert len(result.samples) == len(specs)
        assert len(result.items) == sum(len(s.completeness_items) + len(s.convention_items) + len(s.grounding_items) for s in specs)
        assert len(result.violations) == sum(len(s.violations) for s in specs)
    for table in ("items", "violations"):
        keyed = [keyed_by_sample(result, table) for result in loaded.values()]  # the formats list samples in different orders
        pd.testing.assert_frame_equal(*keyed)

    items = loaded["eval"].items.merge(loaded["eval"].samples[["id", "epoch"]].reset_index(names="row"), on="row")
    first = specs[0]
    mine = items[(items["id"] == f"{first.scenario}:seed") & (items["epoch"] == first.epoch) & (items["scorer"] == "completeness")]
    assert mine["met"].tolist() == [i.met for i in first.completeness_items]
    assert mine["dimension"].tolist() == [i.dimension for i in first.completeness_items]


def test_small_evidence_comes_from_the_summary_alone(write):
    from benchmarks.synth_logs import epoch_specs

    path = write("small", "seed", "openai/gpt-5", epoch_specs({"a": [0.9, 0.1]}))
    loaded = load_logs([path])
    assert loaded.detail_reads == 0
    assert loaded.items["met"].tolist() == [True, False]
    assert loaded.samples["scenario_version"].tolist() == [1.0, 1.0]
    assert loaded.logs[0].model == "openai/gpt-5" and loaded.logs[0].status == "success"


def test_a_json_log_named_on_the_command_line_is_read_whatever_its_name(tmp_path: Path):
    from benchmarks.synth_logs import epoch_specs

    path = write_log(eval_log("seed", "openai/gpt-5", epoch_specs({"a": [0.5], "b": [0.9]})), tmp_path / "run.json")
    loaded = load_logs([path])
    assert loaded.skipped == []
    assert sorted(loaded.samples["id"]) == ["a:seed", "b:seed"]
    assert loaded.samples.set_index("id")["overall"].to_dict() == {"a:seed": 0.5, "b:seed": 0.9}
