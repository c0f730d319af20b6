"""Overall: documented weights, strict weights file, renormalisation and the scope cap."""

import pytest
from archbench.graders.overall import WEIGHTS_FILE, load_weights, overall_score

from archbench.core.strict_yaml import InputError

WEIGHTS = load_weights()


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
    assert overall_score(scores, passed, WEIGHTS).score == pytest.approx(expected)


def test_not_applicable_dimension_is_left_out_and_weights_renormalised():
    verdict = overall_score({"completeness": 1.0, "conventions": None, "grounding": 0.0}, True, WEIGHTS)
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
    invented = overall_score({"completeness": threshold, "conventions": 0.4, "grounding": 0.0}, True, WEIGHTS)
    assert above.score - invented.score == pytest.approx(w.grounding * 0.6)
