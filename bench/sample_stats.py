"""The figures every benchmark reports, computed one way so that their p95s compare."""

from __future__ import annotations

from collections.abc import Iterable


def percentile(values: Iterable[float], fraction: float) -> float:
    """The nearest-rank ``fraction`` percentile of ``values`` (in any order)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def p95(values: Iterable[float]) -> float:
    return percentile(values, 0.95)
