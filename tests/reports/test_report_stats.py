"""The report's statistics against cases computed by hand."""

import math

import numpy as np
import pytest

from archbench.reports import stats


def test_scenario_means_average_epochs_within_each_scenario():
    values = np.array([1.0, 0.0, 0.5, 0.5, 1.0])
    codes = np.array([0, 0, 1, 1, 2])
    assert stats.scenario_means(values, codes).tolist() == [0.5, 0.5, 1.0]


def test_bootstrap_weights_rows_are_resamples_of_n_units():
    weights = stats.bootstrap_weights(5, 300, np.random.default_rng(1))
    assert weights.shape == (300, 5)
    assert np.allclose(weights.sum(axis=1), 1.0)  # each resample draws n units, weighted 1/n
    assert np.allclose((weights * 5) % 1, 0)  # whole counts


def test_cluster_ci_two_scenarios_spans_both_means():
    # resamples of {0, 1}: means 0 (p=1/4), 0.5 (p=1/2), 1 (p=1/4): the 2.5% and 97.5% points are 0 and 1
    interval = stats.cluster_bootstrap_ci(np.array([0.0, 1.0]), resampler=stats.Resampler(resamples=4000))
    assert interval.mean == 0.5
    assert (interval.ci_low, interval.ci_high) == (0.0, 1.0)


def test_cluster_bootstrap_sd_matches_the_plug_in_standard_error():
    # the bootstrap SD of a mean of n values is sqrt(sum((x - mean)^2) / n^2)
    means = np.array([0.2, 0.9, 0.4, 0.7, 0.55, 0.1, 0.8, 0.35])
    expected_se = math.sqrt(((means - means.mean()) ** 2).sum() / means.size**2)  # = 0.0958
    weights = stats.bootstrap_weights(means.size, 40_000, np.random.default_rng(3))
    assert (weights @ means).std() == pytest.approx(expected_se, rel=0.03)
    interval = stats.cluster_bootstrap_ci(means, resampler=stats.Resampler(resamples=40_000))
    assert interval.ci_high - interval.ci_low == pytest.approx(2 * 1.96 * expected_se, rel=0.12)


def test_repeating_identical_epochs_does_not_narrow_the_interval():
    # epochs are nested in their scenario: 10 identical epochs carry the information of one
    one_epoch = np.array([0.2, 0.9, 0.4, 0.7])
    codes = np.repeat(np.arange(4), 10)
    ten_epochs = stats.scenario_means(np.repeat(one_epoch, 10), codes)
    repeated, single = stats.cluster_bootstrap_ci(ten_epochs), stats.cluster_bootstrap_ci(one_epoch)
    assert (repeated.mean, repeated.ci_low, repeated.ci_high) == pytest.approx((single.mean, single.ci_low, single.ci_high))


def test_single_scenario_has_no_interval():
    interval = stats.cluster_bootstrap_ci(np.array([0.7]))
    assert interval.mean == 0.7 and math.isnan(interval.ci_low) and math.isnan(interval.ci_high)


@pytest.mark.parametrize(
    ("differences", "p_value"),
    [
        pytest.param([1.0, 2.0, 3.0], 2 / 8, id="only all-plus and all-minus reach |sum| = 6"),
        pytest.param([0.1] * 6, 2 / 64, id="six equal differences"),
        pytest.param([1.0, -1.0, 1.0, -1.0], 1.0, id="mean zero"),
        pytest.param([3.0, 1.0, -1.0], 6 / 8, id="sums 3 5 1 3 -3 -1 -5 -3: six reach 3"),
    ],
)
def test_exact_sign_flip_p_values(differences, p_value):
    result = stats.paired_test(np.array(differences))
    assert result.p_value == pytest.approx(p_value)
    assert result.n == len(differences)
    assert result.mean_difference == pytest.approx(np.mean(differences))


def test_sampled_sign_flip_agrees_with_the_normal_approximation_for_many_scenarios():
    rng = np.random.default_rng(7)
    differences = rng.normal(0.05, 0.2, size=60)
    result = stats.paired_test(differences)
    z = differences.mean() / (differences.std(ddof=0) / math.sqrt(60))
    normal_p = 2 * (1 - 0.5 * (1 + math.erf(abs(z) / math.sqrt(2))))
    assert result.p_value == pytest.approx(normal_p, abs=0.02)
    assert result.ci_low < differences.mean() < result.ci_high


def test_smallest_sign_flip_p():
    assert stats.smallest_sign_flip_p(5) == 2 / 32
    assert stats.smallest_sign_flip_p(6) == 2 / 64


def test_holm_adjustment_by_hand():
    # sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 = 0.02, 0.03, 0.06, 0.04 -> running max 0.02, 0.03, 0.06, 0.06
    adjusted = stats.holm(np.array([0.01, 0.04, 0.03, 0.005]))
    assert adjusted == pytest.approx([0.03, 0.06, 0.06, 0.02])


def test_holm_ignores_missing_p_values_and_caps_at_one():
    adjusted = stats.holm(np.array([0.5, np.nan, 0.4]))
    assert math.isnan(adjusted[1])
    assert adjusted[[0, 2]] == pytest.approx([0.8, 0.8])
    assert stats.holm(np.array([0.6, 0.7, 0.9])).tolist() == [1.0, 1.0, 1.0]


def test_power_formulas_by_hand():
    # (z_0.975 + z_0.8) = 1.959964 + 0.841621 = 2.801585
    assert stats.minimum_detectable_difference(1.0, 16) == pytest.approx(2.801585 / 4, rel=1e-6)
    assert stats.required_scenarios(0.5, 1.0) == math.ceil((2.801585 / 0.5) ** 2)  # 31.39 -> 32
    assert stats.required_scenarios(-0.5, 1.0) == 32
    assert math.isnan(stats.minimum_detectable_difference(1.0, 1))
    assert math.isnan(stats.required_scenarios(1e-17, 0.1))  # a rounding-error difference


def test_two_sample_exact_permutation_by_hand():
    # 20 ways to pick 3 of 6 as "B"; only the observed split and its mirror reach |diff| = 1
    p = stats.two_sample_p_values(np.array([[0.0, 0.0, 0.0], [0.0, 1.0, 0.5]]), np.array([[1.0, 1.0, 1.0], [0.0, 1.0, 0.5]]))
    assert p[0] == pytest.approx(2 / 20)
    assert p[1] == pytest.approx(1.0)


def test_two_sample_with_one_epoch_each_cannot_be_significant():
    p = stats.two_sample_p_values(np.array([[0.0]]), np.array([[1.0]]))
    assert p.tolist() == [1.0]


def test_two_sample_sampled_when_splits_are_many():
    rng = np.random.default_rng(0)
    a = rng.normal(0.0, 1.0, size=(3, 12))
    b = a + np.array([[0.0], [3.0], [-3.0]])
    p = stats.two_sample_p_values(a, b)  # C(24, 12) splits: sampled
    assert p[0] == pytest.approx(1.0, abs=0.01)
    assert p[1] < 0.001 and p[2] < 0.001


@pytest.mark.parametrize(
    ("table", "p_value"),
    [
        pytest.param((3, 4, 1, 4), 34 / 70, id="tea tasting [[3,1],[1,3]]"),
        pytest.param((8, 10, 1, 6), 0.03496503496503495, id="[[8,2],[1,5]]"),
        pytest.param((2, 2, 2, 2), 1.0, id="identical"),
        pytest.param((5, 5, 0, 5), 2 / 252, id="all met vs none met"),
    ],
)
def test_fisher_exact_by_hand(table, p_value):
    assert stats.fisher_exact_p(*table) == pytest.approx(p_value)


def test_verdict_flip_share_counts_only_repeated_scenarios():
    passed = np.array([1, 1, 1, 0, 0, 0, 1])
    codes = np.array([0, 0, 1, 1, 2, 2, 3])
    assert stats.verdict_flip_share(passed, codes) == pytest.approx(1 / 3)
    assert math.isnan(stats.verdict_flip_share(np.array([1, 0]), np.array([0, 1])))


def test_resampler_draws_each_size_once():
    resampler = stats.Resampler(seed=5)
    assert resampler.weights(7) is resampler.weights(7)
    assert resampler.weights(7).shape == (stats.DEFAULT_RESAMPLES, 7)
    signs, exact = resampler.signs(3)
    assert exact and signs.shape == (8, 3)
