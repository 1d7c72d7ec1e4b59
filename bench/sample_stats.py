"""The figures every benchmark reports, computed one way so that their p95s compare."""

from __future__ import annotations

from collections.abc import Iterable


def percentile(values: Iterable[float], fraction: float) -> float:
    """The nearest-rank ``fraction`` percentile of ``values`` (in any order)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def p95(values: Iterable[float]) -> float:
    return percentile(values, 0.95)


def median_interval(values: Iterable[float], z: float = 1.96) -> tuple[float, float]:
    """A 95 % confidence interval for the median of ``values``, from order statistics.

    Needs no model of the spread (the CPU a framework's run takes is far from normal): the
    interval runs between the ranks n/2 ∓ z·√n/2 of the sorted values.
    """
    ordered = sorted(values)
    count = len(ordered)
    reach = int(z * count**0.5 / 2)
    low = max(0, (count - 1) // 2 - reach)
    high = min(count - 1, count // 2 + reach)
    return ordered[low], ordered[high]
