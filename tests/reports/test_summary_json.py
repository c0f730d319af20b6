"""summary.json holds plain numbers: no float noise, CIs within the data, scenario versions as integers (issue 18, item 13)."""

import json

import numpy as np
import pytest

from archbench.reports import stats
from archbench.reports.build import build_report
from benchmarks.synth_logs import epoch_specs


@pytest.mark.parametrize("value", [0.1, 0.3, 0.7, 0.9, 1.0])
def test_a_constant_score_has_a_ci_exactly_at_that_score(value):
    """Resampled means of equal values came out up to 5.6e-17 off (e.g. ci_high 1.0000000000000002)."""
    for n in range(2, 30):
        interval = stats.cluster_bootstrap_ci(np.full(n, value))
        assert interval.ci_low == interval.ci_high == value, n


def test_summary_json_rounds_floats_and_writes_versions_as_integers(write, tmp_path):
    scenarios = [f"s{i}" for i in range(13)]
    write("one", "seed", "anthropic/claude-sonnet-4-5", epoch_specs({s: [0.3] for s in scenarios}, version=2))
    summary = build_report([tmp_path / "logs"], tmp_path / "report")
    text = (tmp_path / "report" / "summary.json").read_text()
    assert "0000000" not in text and "9999999" not in text
    (variant,) = summary["variants"]
    assert variant["overall"] == {"mean": 0.3, "ci_low": 0.3, "ci_high": 0.3}
    versions = [row["scenario_version"] for row in json.loads(text)["per_scenario"]]
    assert versions and all(type(version) is int and version == 2 for version in versions)
