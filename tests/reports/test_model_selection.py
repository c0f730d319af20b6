"""Model selection: the cheapest model not significantly worse than the best, computed by hand."""

import pandas as pd

from archbench.reports.tables import model_selection


def board(rows):
    return pd.DataFrame(
        [{"prompt": "p", "model": m, "variant": f"p × {m}", "overall_mean": q, "ci_low": q - 0.05, "ci_high": q + 0.05,
          "cost_per_sample_usd": c, "latency_median_s": 3.0, "cache_hits": 0} for m, q, c in rows]
    )


def comparison(a, b, b_minus_a, significant):
    return {"variant_a": f"p × {a}", "variant_b": f"p × {b}", "mean_difference": b_minus_a, "significant": significant}


def test_cheapest_not_significantly_worse_is_picked():
    models = board([("big", 0.80, 1.00), ("mid", 0.78, 0.20), ("tiny", 0.50, 0.05), ("mystery", 0.79, None)])
    comparisons = pd.DataFrame(
        [
            comparison("big", "mid", -0.02, False),  # mid: not significantly worse
            comparison("tiny", "big", 0.30, True),  # tiny: significantly worse (order of the pair does not matter)
            comparison("big", "mystery", -0.01, False),  # mystery: not worse, but its cost is unknown
        ]
    )
    table = model_selection(models, comparisons).set_index("model")
    assert list(table.index) == ["big", "mystery", "mid", "tiny"]
    assert table["significantly_worse_than_best"].to_dict() == {"big": False, "mystery": False, "mid": False, "tiny": True}
    assert table["cheapest_not_worse"].to_dict() == {"big": False, "mystery": False, "mid": True, "tiny": False}
    assert table["pareto"].to_dict() == {"big": True, "mystery": False, "mid": True, "tiny": True}


def test_single_model_prompts_are_not_a_selection():
    assert model_selection(board([("only", 0.7, 0.1)]), pd.DataFrame(columns=["variant_a", "variant_b", "mean_difference", "significant"])).empty
