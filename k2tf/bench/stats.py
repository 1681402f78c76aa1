"""Small statistics for the report: a median with its spread, said the same way everywhere."""
from __future__ import annotations

import statistics
from dataclasses import dataclass


@dataclass(frozen=True)
class Spread:
    """The median of some measurements, their range and how many there were."""

    median: float
    low: float
    high: float
    n: int

    def format(self, fmt: str = ".1f", unit: str = "") -> str:
        """``12.3 s (12.0–12.9, n=3)``; one measurement is shown alone with ``n=1``."""
        unit = f" {unit}" if unit and unit != "×" else unit
        if self.n == 1:
            return f"{self.median:{fmt}}{unit} (n=1)"
        return f"{self.median:{fmt}}{unit} ({self.low:{fmt}}–{self.high:{fmt}}, n={self.n})"


def spread(values) -> Spread:
    """The :class:`Spread` of ``values`` (at least one number)."""
    values = [float(v) for v in values]
    if not values:
        raise ValueError("no measurements")
    return Spread(statistics.median(values), min(values), max(values), len(values))


def quartiles(values) -> tuple[float, float, float]:
    """Lower quartile, median and upper quartile (the median three times for one value)."""
    values = sorted(float(v) for v in values)
    if len(values) == 1:
        return values[0], values[0], values[0]
    q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, q2, q3
