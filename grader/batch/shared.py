"""`shared_answer`: near-identical answers from different candidates to one question, found one row at a time.

Each answer of `SHARED_MIN_WORDS` words or more gets a sketch (`integrity.sketch`: one-permutation MinHash of its
word bigrams, words cut to their first letters so that a typo late in a word or an ending changes nothing). The
sketch's buckets are cut into bands; answers to one question whose band is equal are candidates, and a candidate
pair is linked when the sketches estimate a Jaccard similarity of at least `NEAR`. Each row meets at most one
earlier row per band (the first with that band), so the work is linear in rows, never all pairs of a question.
A row joins the group of the first candidate it is near when it is near that group's first row too (no chains of
answers each a little different from the last); a group with two or more candidates is a `shared_answer`.

Memory: a candidate's first `PER_CELL` answers to a question enter the index (more answers to one question are a
`duplicate_answer` already), so it grows with candidates x questions, not with rows; given a `Spill`, its maps
hold at most `spill.LIMIT` entries each in memory and the rest in the batch's scratch file.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby

from grader.batch.integrity import BAND, BUCKETS, similarity
from grader.batch.spill import Sorter, Spill, SpillMap

NEAR = 0.6  # estimated Jaccard similarity of two sketches (word bigrams) at which two answers are one
PER_CELL = 2  # answers of one candidate to one question that enter the index


class SharedAnswers:
    """Rows fed in input order (`add`); `groups()` gives the near-identical groups with two or more candidates.

    A row joins a group only as it is added, to the group's first row (its root), and a root never joins another
    group later: so each row keeps its root, and no chain of parents needs following."""

    def __init__(self, spill: Spill | None = None) -> None:
        self.spill = spill
        self.rows = SpillMap(spill)  # str(row number) -> (question id, candidate, row id, sketch, root row)
        self.count = 0
        self.index = SpillMap(spill)  # question id, band number and band -> first row with it
        self.per_cell = SpillMap(spill)  # question id and candidate -> answers indexed
        self._members: Sorter | None = None  # the rows sorted by group, made when first asked for (`groups`)

    def add(self, qid: str, cand: str, rid: str, sketch: bytes) -> None:
        """One row's sketch (b'' for an answer too short to tell: ignored)."""
        if not sketch:
            return
        self._members = None  # a row more: the groups are sorted again when next asked for
        prefix = f"{len(qid)}:{qid}"  # unambiguous before whatever follows
        cell = prefix + cand
        indexed = self.per_cell.get(cell, 0)
        if indexed >= PER_CELL:
            return
        self.per_cell[cell] = indexed + 1
        n, root = self.count, self.count
        self.count += 1
        step = 4 * BAND
        for b in range(BUCKETS // BAND):
            band = sketch[b * step : (b + 1) * step]
            if band == _EMPTY_BAND:
                continue
            key = f"{prefix}{b:02x}{band.hex()}"
            other = self.index.get(key)
            if other is None:
                self.index[key] = n
            elif root == n and self._close(sketch, other):
                root = self.rows.get(str(other))[4]
        self.rows[str(n)] = (qid, cand, rid, sketch, root)

    def _close(self, sketch: bytes, other: int) -> bool:
        """Whether an answer is near `other`, and near the first answer of its group too (so that a chain of
        answers each a little different from the last never makes one group of different answers)."""
        row = self.rows.get(str(other))
        root = row[4]
        return similarity(sketch, row[3]) >= NEAR and (
            root == other or similarity(sketch, self.rows.get(str(root))[3]) >= NEAR)

    def groups(self) -> Iterator[tuple[str, list[str], list[str]]]:
        """(question id, candidates, row ids) of each group of two or more candidates, in the order of their first
        rows; candidates and ids in row order. The rows are sorted once, however often the report asks."""
        members = self._members
        if members is None:
            members = self._members = Sorter(self.spill)
            for n, (qid, cand, rid, _, root) in self.rows.items():
                members.add((root, int(n), ""), (root, qid, cand, rid))
        for _, group in groupby(members, key=lambda m: m[0]):
            rows = list(group)
            cands = list(dict.fromkeys(r[2] for r in rows))
            if len(cands) > 1:
                yield rows[0][1], cands, [r[3] for r in rows]


_EMPTY_BAND = b"\xff" * (4 * BAND)
