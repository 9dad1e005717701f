"""`shared_answer`: near-identical answers from different candidates to one question, found one row at a time.

Each answer of `SHARED_MIN_WORDS` words or more gets a sketch (`integrity.sketch`: one-permutation MinHash of its
word bigrams, words cut to their first letters so that a typo late in a word or an ending changes nothing). The
sketch's buckets are cut into bands; answers to one question whose band is equal are candidates, and a candidate
pair is linked when the sketches estimate a Jaccard similarity of at least `NEAR`. Each row meets at most one
earlier row per band (the first with that band), so the work is linear in rows, never all pairs of a question.
A row joins the group of the first candidate it is near when it is near that group's first row too (no chains of
answers each a little different from the last); a group with two or more candidates is a `shared_answer`.

Memory: a candidate's first `PER_CELL` answers to a question enter the index (more answers to one question are a
`duplicate_answer` already), so it grows with candidates x questions, not with rows.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from grader.batch.integrity import BAND, BUCKETS, similarity

NEAR = 0.6  # estimated Jaccard similarity of two sketches (word bigrams) at which two answers are one
PER_CELL = 2  # answers of one candidate to one question that enter the index


class SharedAnswers:
    """Rows fed in input order (`add`); `groups()` gives the near-identical groups with two or more candidates."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, bytes]] = []  # (question id, candidate, row id, sketch)
        self.parent: list[int] = []
        self.index: dict[str, dict[bytes, int]] = defaultdict(dict)  # question id -> band key -> first row
        self.per_cell: Counter[tuple[str, str]] = Counter()  # (candidate, question id) -> answers indexed

    def add(self, qid: str, cand: str, rid: str, sketch: bytes) -> None:
        """One row's sketch (b'' for an answer too short to tell: ignored)."""
        if not sketch or self.per_cell[cand, qid] >= PER_CELL:
            return
        self.per_cell[cand, qid] += 1
        n = len(self.rows)
        self.rows.append((qid, cand, rid, sketch))
        self.parent.append(n)
        bands = self.index[qid]
        step = 4 * BAND
        for b in range(BUCKETS // BAND):
            band = sketch[b * step : (b + 1) * step]
            if band == _EMPTY_BAND:
                continue
            other = bands.setdefault(band + bytes((b,)), n)
            if other != n and self.parent[n] == n and self._close(sketch, other):
                self.parent[n] = self._root(other)

    def _close(self, sketch: bytes, other: int) -> bool:
        """Whether an answer is near `other`, and near the first answer of its group too (so that a chain of
        answers each a little different from the last never makes one group of different answers)."""
        root = self._root(other)
        rows = self.rows
        return similarity(sketch, rows[other][3]) >= NEAR and (
            root == other or similarity(sketch, rows[root][3]) >= NEAR)

    def _root(self, n: int) -> int:
        parent = self.parent
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    def groups(self) -> list[tuple[str, list[str], list[str]]]:
        """(question id, candidates, row ids) of each group of two or more candidates, in the order of their first
        rows; candidates and ids in row order."""
        members: dict[int, list[int]] = defaultdict(list)
        for n in range(len(self.rows)):
            members[self._root(n)].append(n)
        out = []
        for rows in sorted(members.values(), key=lambda r: r[0]):
            cands = list(dict.fromkeys(self.rows[n][1] for n in rows))
            if len(cands) > 1:
                out.append((self.rows[rows[0]][0], cands, [self.rows[n][2] for n in rows]))
        return out


_EMPTY_BAND = b"\xff" * (4 * BAND)
