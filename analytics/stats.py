"""Confidence intervals for the support metrics: Wilson for proportions, a seeded bootstrap for quantiles.

Wilson rather than the normal approximation because support samples are small and rates sit near 0 or 1
(a 9/10 containment on a quiet day), where the normal interval leaves [0, 1] or collapses to a point.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Optional, Sequence

# 95 % two-sided.
Z_95 = 1.959963984540054
BOOTSTRAP_RESAMPLES = 2000
# A fixed seed: the same data gives the same interval in the dashboard, the report and the tests.
BOOTSTRAP_SEED = 17


@dataclass(frozen=True)
class Estimate:
    """A value with its 95 % interval; value None when the metric has no data (an empty denominator)."""

    value: Optional[float]
    low: Optional[float]
    high: Optional[float]
    # Successes and trials for a proportion; samples for a quantile (numerator None).
    numerator: Optional[int]
    denominator: int

    @classmethod
    def empty(cls) -> Estimate:
        return cls(None, None, None, None, 0)


def wilson(successes: int, trials: int, z: float = Z_95) -> Estimate:
    """successes / trials with the Wilson score interval."""
    if trials < 0 or successes < 0 or successes > trials:
        raise ValueError(f"need 0 <= successes <= trials, got {successes}/{trials}")
    if trials == 0:
        return Estimate(None, None, None, 0, 0)
    share = successes / trials
    z2 = z * z
    centre = (share + z2 / (2 * trials)) / (1 + z2 / trials)
    half = z * math.sqrt(share * (1 - share) / trials + z2 / (4 * trials * trials)) / (1 + z2 / trials)
    return Estimate(share, max(0.0, centre - half), min(1.0, centre + half), successes, trials)


def quantile(values: Sequence[float], q: float) -> float:
    """The q-quantile with linear interpolation between closest ranks (numpy's default)."""
    if not values:
        raise ValueError("quantile of no values")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    below = math.floor(position)
    above = math.ceil(position)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def bootstrap_quantile(
    values: Sequence[float], q: float, resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED
) -> Estimate:
    """The q-quantile of the values with a percentile-bootstrap 95 % interval."""
    if not values:
        return Estimate.empty()
    generator = random.Random(seed)
    size = len(values)
    estimates = sorted(
        quantile([values[generator.randrange(size)] for _ in range(size)], q) for _ in range(resamples)
    )
    return Estimate(quantile(values, q), quantile(estimates, 0.025), quantile(estimates, 0.975), None, size)
