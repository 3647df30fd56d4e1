"""Intervals checked against published values and numpy, not against themselves."""

from __future__ import annotations

import numpy
import pytest

from analytics.stats import bootstrap_quantile, quantile, wilson


@pytest.mark.parametrize(
    "successes, trials, low, high",
    [
        # Newcombe (1998), Statistics in Medicine 17:857-872, table I, method 3 (Wilson score).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
        (29, 29, 0.8830, 1.0),
    ],
)
def test_wilson_matches_published_intervals(successes: int, trials: int, low: float, high: float) -> None:
    estimate = wilson(successes, trials)
    assert estimate.value == pytest.approx(successes / trials)
    assert estimate.low == pytest.approx(low, abs=6e-5)
    assert estimate.high == pytest.approx(high, abs=6e-5)


def test_wilson_without_trials_has_no_value_rather_than_zero() -> None:
    estimate = wilson(0, 0)
    assert (estimate.value, estimate.low, estimate.high, estimate.denominator) == (None, None, None, 0)


def test_wilson_refuses_impossible_counts() -> None:
    with pytest.raises(ValueError):
        wilson(3, 2)


@pytest.mark.parametrize("q", [0.0, 0.25, 0.5, 0.9, 1.0])
def test_quantile_is_numpys_linear_quantile(q: float) -> None:
    values = [3.0, 1.0, 10.0, 4.5, 7.25, 2.0, 8.0]
    assert quantile(values, q) == pytest.approx(float(numpy.quantile(values, q)))


def test_bootstrap_interval_brackets_the_median_and_is_reproducible() -> None:
    values = [float(v) for v in range(1, 40)] + [400.0]
    first = bootstrap_quantile(values, 0.5)
    assert first.low is not None and first.high is not None and first.value is not None
    assert first.low <= first.value <= first.high
    assert first.low < first.high
    assert first.denominator == len(values)
    assert bootstrap_quantile(values, 0.5) == first
    assert bootstrap_quantile([], 0.5).value is None
