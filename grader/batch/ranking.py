"""The candidates of a batch's summary in rank order, and its flagged groups, as streams.

Each candidate's record (`Cand`) becomes their `CandidateStats`; candidates are ranked by mean, then total, then
name. Both the records and the ranking are held by `grader.batch.spill`: in memory for up to `spill.LIMIT`
candidates, in the batch's scratch file past that, so summary.json and report.html are written from streams and a
batch's memory stops growing with its candidates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from grader.batch.spill import Sorter, Spill
from grader.batch.stats import CandidateStats, Flagged
from grader.batch.tallies import quotient

# A candidate's record: [cells {question id: [answers, exact sum, cell number]}, failed {question id: None},
# blank {question id: None}, rows that could not be graded]. Cell numbers order the cells as their first rows came.
Cand = list[Any]


def new_cand() -> Cand:
    return [{}, {}, {}, 0]


class Ranked:
    """The candidates in rank order and the flagged groups of a summary; each may be read more than once."""

    def __init__(self, order: Sorter, repeated: Sorter, row_flags: list[Flagged],
                 shared: Callable[[], Iterator[Flagged]]) -> None:  # fmt: skip
        self.count = order.count  # candidates
        self._order, self._repeated = order, repeated
        self._row_flags, self._shared = row_flags, shared

    def candidates(self) -> Iterator[CandidateStats]:
        for i, fields in enumerate(self._order, start=1):
            yield CandidateStats(rank=i, **fields)

    def flagged(self) -> Iterator[Flagged]:
        """`shared_answer` groups, then `duplicate_answer` cells (as their first rows came), then the rows' own."""
        yield from self._shared()
        for qid, cand in self._repeated:
            yield Flagged(flag="duplicate_answer", question_id=qid, candidates=[cand], ids=[])
        yield from self._row_flags

    def any_flagged(self) -> bool:
        return bool(self._repeated.count or self._row_flags) or next(self._shared(), None) is not None


def rank(cands: Iterable[tuple[str, Cand]], known: set[str], spill: Spill | None, row_flags: list[Flagged],
         shared: Callable[[], Iterator[Flagged]]) -> Ranked:  # fmt: skip
    """Rank the candidates' records; `known`: the question ids of the batch (an unknown id is failed, not listed)."""
    order, repeated = Sorter(spill), Sorter(spill)
    for cand, (cells, failed_ids, blank, errors) in cands:
        scores = {q: round(quotient(total, count), 4) for q, (count, total, _) in cells.items()}
        failed = [q for q in failed_ids if q not in scores]  # an unknown id too: it was asked, and it counts 0
        total, asked = round(sum(scores.values()), 4), len(scores) + len(failed)
        mean = round(total / asked, 4) if asked else None
        fields = {"candidate": cand, "total": total, "mean": mean, "asked": asked,
                  "graded": sum(cell[0] for cell in cells.values()), "errors": errors, "scores": scores,
                  "blank": [q for q in scores if q in blank], "failed": [q for q in failed if q in known],
                  "repeated": [q for q, cell in cells.items() if cell[0] > 1]}  # fmt: skip
        order.add((-(mean or 0), -total, cand), fields)
        for qid, cell in cells.items():
            if cell[0] > 1:
                repeated.add((cell[2], 0.0, ""), (qid, cand))
    return Ranked(order, repeated, row_flags, shared)
