"""The report's statistics: pure functions on numpy arrays, no pandas, no I/O.

The unit of resampling is the scenario. Epochs of one scenario share its difficulty, so
they are not independent draws: every estimate here first averages a scenario's epochs
(`scenario_means`) and then treats the scenarios as the sample. Resampling the scenarios
with their epochs kept inside them is the cluster bootstrap ("epochs nested in their
scenario"); resampling epochs on their own would understate the uncertainty.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

DEFAULT_RESAMPLES = 2000
PERMUTATION_RESAMPLES = 10_000
EXACT_SIGN_FLIP_MAX_N = 12  # 2**12 = 4096 sign patterns: cheaper to enumerate than to sample
EXACT_SPLIT_MAX = 5000  # two-sample tests enumerate every split up to this many


class Resampler:
    """Random resampling matrices, drawn once per size and shared by every test of that size.

    Sharing makes a report with hundreds of comparisons cost hundreds of matrix-vector
    products instead of hundreds of fresh draws; each test on its own stays valid, and the
    Holm correction holds under any dependence between tests.
    """

    def __init__(self, seed: int = 0, resamples: int = DEFAULT_RESAMPLES, permutations: int = PERMUTATION_RESAMPLES):
        self.seed = seed
        self.resamples = resamples
        self.permutations = permutations
        self._weights: dict[int, np.ndarray] = {}
        self._signs: dict[int, tuple[np.ndarray, bool]] = {}

    def weights(self, n: int) -> np.ndarray:
        if n not in self._weights:
            self._weights[n] = bootstrap_weights(n, self.resamples, np.random.default_rng([self.seed, n]))
        return self._weights[n]

    def signs(self, n: int) -> tuple[np.ndarray, bool]:
        if n not in self._signs:
            self._signs[n] = sign_flip_matrix(n, np.random.default_rng([self.seed, n, 1]), self.permutations)
        return self._signs[n]


@dataclass(frozen=True)
class Interval:
    mean: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class PairedTest:
    n: int
    mean_difference: float
    ci_low: float
    ci_high: float
    p_value: float
    sd_difference: float


def scenario_means(values: np.ndarray, scenario_codes: np.ndarray) -> np.ndarray:
    """Mean of each scenario's values; `scenario_codes` are integers 0..k-1 (e.g. pandas codes)."""
    codes = np.asarray(scenario_codes)
    counts = np.bincount(codes)
    sums = np.bincount(codes, weights=np.asarray(values, dtype=float))
    present = counts > 0
    return sums[present] / counts[present]


def bootstrap_weights(n: int, resamples: int, rng: np.random.Generator) -> np.ndarray:
    """(resamples × n) matrix: how often each of n units is drawn in each resample, divided by n.

    `weights @ x` gives the resampled means of x in one matrix product; one matrix serves
    every vector of length n, so comparisons over the same scenarios share it.
    """
    draws = rng.integers(0, n, size=(resamples, n)) + n * np.arange(resamples)[:, None]
    counts = np.bincount(draws.ravel(), minlength=resamples * n).reshape(resamples, n)
    return counts / n


def percentile_interval(estimate: float, resampled: np.ndarray, confidence: float) -> Interval:
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(resampled, [tail, 100 - tail])
    return Interval(float(estimate), float(low), float(high))


def cluster_bootstrap_ci(means: np.ndarray, *, confidence: float = 0.95, resampler: Resampler | None = None) -> Interval:
    """Mean of per-scenario means with a percentile bootstrap CI over scenarios.

    With a single scenario there is nothing to resample: the bounds are NaN.
    """
    means = np.asarray(means, dtype=float)
    if means.size == 0:
        return Interval(math.nan, math.nan, math.nan)
    estimate = float(means.mean())
    if means.size < 2:
        return Interval(estimate, math.nan, math.nan)
    resampler = resampler or Resampler()
    interval = percentile_interval(estimate, resampler.weights(means.size) @ means, confidence)
    # a resampled mean lies within the data's range; outside it is float rounding (1.0000000000000002)
    low, high = means.min(), means.max()
    return Interval(estimate, float(np.clip(interval.ci_low, low, high)), float(np.clip(interval.ci_high, low, high)))


def sign_flip_matrix(n: int, rng: np.random.Generator, resamples: int = PERMUTATION_RESAMPLES) -> tuple[np.ndarray, bool]:
    """Sign patterns for a paired permutation test: all 2**n when small (exact), else random ones."""
    if n <= EXACT_SIGN_FLIP_MAX_N:
        return np.array(list(itertools.product((1.0, -1.0), repeat=n))), True
    return rng.choice((1.0, -1.0), size=(resamples, n)), False


def sign_flip_p_values(differences: np.ndarray, signs: np.ndarray, exact: bool) -> np.ndarray:
    """Two-sided p-value of each row's mean under H0: each scenario's difference is symmetric about 0."""
    observed = np.abs(differences.mean(axis=1))
    flipped = np.abs(signs @ differences.T) / differences.shape[1]  # patterns × rows
    extreme = np.count_nonzero(flipped >= observed[None, :] - 1e-12, axis=0)
    if exact:
        return extreme / len(signs)
    return (extreme + 1) / (len(signs) + 1)  # the observed pattern counts as one draw


def paired_tests(differences: np.ndarray, *, confidence: float = 0.95, resampler: Resampler | None = None) -> list[PairedTest]:
    """Paired comparisons, one per row of per-scenario differences (B − A on each shared scenario).

    CI: percentile bootstrap over scenarios. p-value: sign-flip permutation test (exact up
    to 12 scenarios). All rows have the same number of scenarios and share one set of
    resamples, so a batch costs two matrix products.
    """
    differences = np.atleast_2d(np.asarray(differences, dtype=float))
    rows, n = differences.shape
    if n == 0:
        return [PairedTest(0, math.nan, math.nan, math.nan, math.nan, math.nan)] * rows
    resampler = resampler or Resampler()
    means = differences.mean(axis=1)
    if n >= 2:
        tail = (1 - confidence) / 2 * 100
        lows, highs = np.percentile(resampler.weights(n) @ differences.T, [tail, 100 - tail], axis=0)
        sds = differences.std(axis=1, ddof=1)
    else:
        lows = highs = sds = np.full(rows, math.nan)
    p_values = sign_flip_p_values(differences, *resampler.signs(n))
    return [PairedTest(n, float(m), float(lo), float(hi), float(p), float(sd)) for m, lo, hi, p, sd in zip(means, lows, highs, p_values, sds)]


def paired_test(differences: np.ndarray, *, confidence: float = 0.95, resampler: Resampler | None = None) -> PairedTest:
    """`paired_tests` for one vector of per-scenario differences."""
    return paired_tests(np.asarray(differences, dtype=float)[None, :], confidence=confidence, resampler=resampler)[0]


def smallest_sign_flip_p(n: int) -> float:
    """The smallest two-sided p-value a sign-flip test on n scenarios can give (2 / 2**n)."""
    return min(1.0, 2.0 / 2**n) if n > 0 else 1.0


def holm(p_values: np.ndarray) -> np.ndarray:
    """Holm–Bonferroni adjusted p-values (step-down, monotone, capped at 1). NaNs stay NaN and do not count."""
    p = np.asarray(p_values, dtype=float)
    adjusted = np.full(p.shape, np.nan)
    valid = np.flatnonzero(~np.isnan(p))
    m = valid.size
    if m == 0:
        return adjusted
    order = valid[np.argsort(p[valid], kind="stable")]
    stepped = p[order] * (m - np.arange(m))
    adjusted[order] = np.minimum(np.maximum.accumulate(stepped), 1.0)
    return adjusted


def minimum_detectable_difference(sd_difference: float, n: int, *, alpha: float = 0.05, power: float = 0.8) -> float:
    """Smallest true mean difference a two-sided paired test on n scenarios detects with `power` (normal approximation)."""
    if n < 2 or not math.isfinite(sd_difference):
        return math.nan
    z = NormalDist().inv_cdf
    return (z(1 - alpha / 2) + z(power)) * sd_difference / math.sqrt(n)


def required_scenarios(difference: float, sd_difference: float, *, alpha: float = 0.05, power: float = 0.8) -> float:
    """Scenarios needed to detect `difference` with `power` given the SD of per-scenario differences."""
    if not math.isfinite(sd_difference) or not math.isfinite(difference) or abs(difference) < 1e-9:
        return math.nan  # no difference (up to rounding) needs no number of scenarios
    if sd_difference == 0:
        return 2.0
    z = NormalDist().inv_cdf
    return float(math.ceil(((z(1 - alpha / 2) + z(power)) * sd_difference / abs(difference)) ** 2))


def _split_matrix(n_a: int, n_b: int, rng: np.random.Generator, resamples: int) -> tuple[np.ndarray, bool]:
    """(splits × (n_a + n_b)) contrast rows: +1/n_b on positions labelled B, −1/n_a on those labelled A.

    The first row is the observed labelling (A first, then B).
    """
    total = n_a + n_b
    if math.comb(total, n_b) <= EXACT_SPLIT_MAX:
        labels = np.zeros((math.comb(total, n_b), total), dtype=bool)
        for row, chosen in enumerate(itertools.combinations(range(total), n_b)):
            labels[row, list(chosen)] = True
        exact = True
    else:
        keys = rng.random((resamples, total))
        labels = np.argsort(keys, axis=1) < n_b  # a random n_b-subset per row
        exact = False
    observed = np.zeros(total, dtype=bool)
    observed[n_a:] = True
    labels = np.vstack([observed, labels])
    return np.where(labels, 1.0 / n_b, -1.0 / n_a), exact


def two_sample_p_values(a: np.ndarray, b: np.ndarray, *, seed: int = 0, resamples: int = PERMUTATION_RESAMPLES) -> np.ndarray:
    """Permutation p-values for mean(b) − mean(a), one per row; rows are independent groups of equal shape.

    `a` is (groups × n_a), `b` is (groups × n_b). Exact when the number of splits is small.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    n_a, n_b = a.shape[1], b.shape[1]
    contrasts, exact = _split_matrix(n_a, n_b, np.random.default_rng(seed), resamples)
    pooled = np.hstack([a, b])
    statistics = np.abs(pooled @ contrasts.T)  # groups × (1 + splits)
    observed = statistics[:, :1]
    extreme = np.count_nonzero(statistics[:, 1:] >= observed - 1e-12, axis=1)
    if exact:
        return extreme / (contrasts.shape[0] - 1)
    return (extreme + 1) / contrasts.shape[0]


def fisher_exact_p(met_a: int, n_a: int, met_b: int, n_b: int) -> float:
    """Two-sided Fisher exact test on the 2×2 table (met/unmet × A/B): sum of tables no more likely than observed."""
    met_total = met_a + met_b
    total = n_a + n_b
    denominator = math.comb(total, met_total)
    low, high = max(0, met_total - n_b), min(n_a, met_total)
    probabilities = np.array([math.comb(n_a, k) * math.comb(n_b, met_total - k) / denominator for k in range(low, high + 1)])
    observed = probabilities[met_a - low]
    return float(min(1.0, probabilities[probabilities <= observed * (1 + 1e-7)].sum()))


def verdict_flip_share(passed: np.ndarray, scenario_codes: np.ndarray) -> float:
    """Share of scenarios (with ≥ 2 epochs) whose pass/fail verdict differs between epochs."""
    codes = np.asarray(scenario_codes)
    counts = np.bincount(codes)
    passes = np.bincount(codes, weights=np.asarray(passed, dtype=float))
    repeated = counts >= 2
    if not repeated.any():
        return math.nan
    flipped = (passes[repeated] > 0) & (passes[repeated] < counts[repeated])
    return float(flipped.mean())
