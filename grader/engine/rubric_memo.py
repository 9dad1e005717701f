"""What is worked out from a rubric once per rubric object, kept beside it. Pure.

Rubrics are not changed in place (the matcher's memo assumes the same), so what a grade works out from a rubric's
text alone (its readings, directions, contrasts, results of points not found, ...) is kept per rubric object. The
rubric is held beside its value: a rubric freed and an id reused by a new one is never a hit.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from grader.models import Rubric

T = TypeVar("T")


class RubricMemo(Generic[T]):
    """`make(rubric, *args)` worked out once per rubric object and `args` (a question, a language); past `limit`
    entries the memo starts again (a bound on memory, not a cache policy)."""

    def __init__(self, limit: int = 256) -> None:
        self._held: dict[tuple[int, tuple[Hashable, ...]], tuple[Rubric, T]] = {}
        self._limit = limit

    def get(self, rubric: Rubric, make: Callable[..., T], *args: Hashable) -> T:
        key = (id(rubric), args)
        hit = self._held.get(key)
        if hit is not None and hit[0] is rubric:
            return hit[1]
        value = make(rubric, *args)
        if len(self._held) > self._limit:
            self._held.clear()
        self._held[key] = (rubric, value)
        return value
