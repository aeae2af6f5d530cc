"""The few statistics the benchmark reports: medians, percentiles and ratios of them."""

from __future__ import annotations

import statistics
from collections.abc import Sequence


def median(samples: Sequence[float]) -> float:
    if not samples:
        raise ValueError("no samples")
    return statistics.median(samples)


def percentile(samples: Sequence[float], percent: int) -> float:
    """The `percent`th percentile, interpolated between the samples around it.

    statistics.quantiles' "inclusive" method treats the samples as the whole population,
    so p0 is the minimum and p100 the maximum, and one sample is its own every percentile.
    """
    if not samples:
        raise ValueError("no samples")
    if not 1 <= percent <= 99:
        raise ValueError(f"percent must be 1..99, got {percent}")
    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[percent - 1]


def ratio(measured: float, baseline: float) -> float:
    if baseline <= 0:
        raise ValueError(f"a baseline must be positive, got {baseline}")
    return measured / baseline
