"""Overall: documented weights, strict weights file, renormalisation and the scope cap."""

import pytest

from archbench.core.strict_yaml import InputError
from archbench.graders.overall import WEIGHTS_FILE, load_weights, overall_score

WEIGHTS = load_weights()
UNGATED = WEIGHTS.model_copy(update={"grounding_gate": 0.0})
"""The weighted mean and the scope cap alone (the grounding gate has its own tests)."""


def test_bundled_weights_load_and_sum_to_one():
    assert sum(WEIGHTS.as_dict().values()) == pytest.approx(1.0)
    assert 0 <= WEIGHTS.scope_violation_cap < 1
    assert load_weights(WEIGHTS_FILE) == WEIGHTS


@pytest.mark.parametrize(
    "scores, passed, expected",
    [
        pytest.param({"completeness": 1.0, "conventions": 1.0, "grounding": 1.0}, True, 1.0, id="perfect"),
        pytest.param({"completeness": 0.0, "conventions": 0.0, "grounding": 0.0}, True, 0.0, id="nothing"),
        pytest.param(
            {"completeness": 0.8, "conventions": 0.5, "grounding": 0.6},
            True,
            0.8 * WEIGHTS.weights.completeness + 0.5 * WEIGHTS.weights.conventions + 0.6 * WEIGHTS.weights.grounding,
            id="weighted-mean",
        ),
        pytest.param({"completeness": 1.0, "conventions": 1.0, "grounding": 1.0}, False, WEIGHTS.scope_violation_cap, id="capped"),
        pytest.param({"completeness": 0.1, "conventions": 0.0, "grounding": 0.0}, False, 0.1 * WEIGHTS.weights.completeness, id="below-cap-stays"),
    ],
)
def test_overall(scores, passed, expected):
    assert overall_score(scores, passed, UNGATED).score == pytest.approx(expected)


def test_not_applicable_dimension_is_left_out_and_weights_renormalised():
    verdict = overall_score({"completeness": 1.0, "conventions": None, "grounding": 0.0}, True, UNGATED)
    share = WEIGHTS.weights.completeness / (WEIGHTS.weights.completeness + WEIGHTS.weights.grounding)
    assert verdict.score == pytest.approx(share)
    assert set(verdict.applied_weights) == {"completeness", "grounding"}


def test_cap_is_explained():
    verdict = overall_score({"completeness": 1.0, "conventions": 1.0, "grounding": 1.0}, False, WEIGHTS)
    assert verdict.capped and verdict.uncapped == pytest.approx(1.0)
    assert "capped" in verdict.explanation


@pytest.mark.parametrize(
    "content, message",
    [
        pytest.param("weights: {completeness: 0.5, conventions: 0.2, grounding: 0.2}\nrelevance_threshold: 0.5\nscope_violation_cap: 0.3\n", "sum to 1", id="sum"),
        pytest.param("weights: {completeness: 0.5, conventions: 0.2, grounding: 0.3, style: 0}\nrelevance_threshold: 0.5\nscope_violation_cap: 0.3\n", "unknown key 'style'", id="unknown-key"),
        pytest.param("weights: {completeness: 1.2, conventions: -0.2, grounding: 0}\nrelevance_threshold: 0.5\nscope_violation_cap: 0.3\n", "weights.completeness", id="out-of-range"),
        pytest.param("weights: {completeness: 0.5, conventions: 0.2, grounding: 0.3}\nrelevance_threshold: 0.5\n", "scope_violation_cap", id="missing-cap"),
        pytest.param(
            "weights: {completeness: 0.5, conventions: 0.2, grounding: 0.3}\nrelevance_threshold: 0.5\nscope_violation_cap: 0.3\nscope_violation_cap: 0.5\n",
            "duplicate key", id="duplicate-key",
        ),
        pytest.param("weights: {completeness: 0.5, conventions: 0.2, grounding: 0.3}\nrelevance_threshold: 0.5\nscope_violation_cap: high\n", "scope_violation_cap", id="wrong-type"),
    ],
)
def test_weights_file_is_strict(tmp_path, content, message):
    path = tmp_path / "weights.yaml"
    path.write_text(content)
    with pytest.raises(InputError, match=message) as error:
        load_weights(path)
    assert str(path) in str(error.value)


def test_grounding_gate_scales_a_plan_whose_references_mostly_do_not_exist():
    """Issue 20: a complete plan written for another codebase (grounding 0.2) must fall below a useful on-topic
    plan (completeness 0.4, everything it names exists). Without the gate it would not."""
    assert WEIGHTS.grounding_gate == pytest.approx(0.5)
    wrong_repo = {"completeness": 0.95, "conventions": 1.0, "grounding": 0.2}
    medium = {"completeness": 0.4, "conventions": 1.0, "grounding": 1.0}
    assert overall_score(wrong_repo, True, UNGATED).score > overall_score(medium, True, UNGATED).score
    gated = overall_score(wrong_repo, True, WEIGHTS)
    assert gated.score == pytest.approx(min(overall_score(wrong_repo, True, UNGATED).score, WEIGHTS.grounding_gate_cap) * 0.2 / 0.5)
    assert gated.score < overall_score(medium, True, WEIGHTS).score
    assert "below 0.50" in gated.explanation


def test_grounding_gate_leaves_grounded_and_not_applicable_plans_alone():
    for grounding in (0.5, 0.8, 1.0, None):
        scores = {"completeness": 0.6, "conventions": 0.5, "grounding": grounding}
        assert overall_score(scores, True, WEIGHTS).score == pytest.approx(overall_score(scores, True, UNGATED).score)


# --- relevance (issue 16): conventions and grounding judge the plan that answers the request ---------------


def test_an_off_topic_plan_earns_nothing_for_conventions_and_grounding():
    # the case: a competent plan for another request, completeness 0, conventions and grounding 1.0;
    # it scored 0.50, above a medium on-topic plan (0.49 with these dimension scores)
    off_topic = overall_score({"completeness": 0.0, "conventions": 1.0, "grounding": 1.0}, True, WEIGHTS)
    medium = overall_score({"completeness": 0.3, "conventions": 0.5, "grounding": 0.8}, True, WEIGHTS)
    assert off_topic.score == 0.0 and off_topic.relevance == 0.0
    assert medium.score > off_topic.score
    thin = overall_score({"completeness": 0.05, "conventions": 1.0, "grounding": 1.0}, True, WEIGHTS)
    assert thin.score < medium.score


def test_relevance_scales_conventions_and_grounding_below_the_threshold_only():
    threshold = WEIGHTS.relevance_threshold
    w = WEIGHTS.weights
    half = overall_score({"completeness": threshold / 2, "conventions": 1.0, "grounding": 1.0}, True, WEIGHTS)
    assert half.relevance == pytest.approx(0.5)
    assert half.score == pytest.approx(w.completeness * threshold / 2 + 0.5 * (w.conventions + w.grounding))
    assert half.applied_weights["grounding"] == pytest.approx(0.5 * w.grounding)
    assert "below the relevance threshold" in half.explanation
    above = overall_score({"completeness": threshold, "conventions": 0.4, "grounding": 0.6}, True, WEIGHTS)
    assert above.relevance == 1.0
    assert above.score == pytest.approx(w.completeness * threshold + w.conventions * 0.4 + w.grounding * 0.6)
    assert "relevance" not in above.explanation
    # a gate, not a product: a plan that answers the request but cites invented code still loses grounding's
    # whole weight (completeness x (...) would shrink that loss with completeness)
    # (without the grounding gate, which would also cap this plan: grounding 0 is a plan for another codebase)
    invented = overall_score({"completeness": threshold, "conventions": 0.4, "grounding": 0.0}, True, UNGATED)
    assert above.score - invented.score == pytest.approx(w.grounding * 0.6)
