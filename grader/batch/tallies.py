"""Sums of scores kept exactly, so that a summary's means do not depend on the order rows are added in (one by one
when a batch resumes, a chunk at a time from its workers) and take constant memory however many rows there are.

A score (a float) is added as an integer count of 2**-128 (exact for every score from 2**-75 up; a smaller one is
added as a `Fraction`), and a mean is the correctly rounded quotient: for one or two scores exactly what
`sum(scores) / len(scores)` gives.
"""

from __future__ import annotations

from fractions import Fraction

_BITS = 128
_ONE = 1 << _BITS

Exact = int | Fraction


def units(score: float) -> Exact:
    """`score` as an exact count of 2**-128."""
    n, d = score.as_integer_ratio()
    return n * (_ONE // d) if d <= _ONE else Fraction(n, d) * _ONE


def quotient(total: Exact, count: int) -> float:
    """The mean of `count` scores that add up to `total` units, correctly rounded."""
    if isinstance(total, int):
        return total / (count << _BITS)  # int / int is correctly rounded in CPython
    return float(total / (count << _BITS))


class Scores:
    """Count, exact sum, least and greatest of a question's scores."""

    __slots__ = ("count", "high", "low", "total")

    def __init__(self) -> None:
        self.count = 0
        self.total: Exact = 0
        self.low = self.high = 0.0

    def add(self, score: float) -> None:
        if not self.count or score < self.low:
            self.low = score
        if not self.count or score > self.high:
            self.high = score
        self.count += 1
        self.total += units(score)

    def merge(self, other: Scores) -> None:
        if other.count:
            self.low = other.low if not self.count else min(self.low, other.low)
            self.high = other.high if not self.count else max(self.high, other.high)
            self.count += other.count
            self.total += other.total
