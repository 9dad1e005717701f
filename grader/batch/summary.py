"""summary.json: what a batch's rows add up to, counted one row (or one chunk) at a time. Pure.

A candidate's `mean` is the sum of their question scores over the questions they were asked (each question id
their rows name): a blank answer counts 0, a row that could not be graded counts 0 (a mistyped id too). Rank,
bar and mean in the report all come from it. A question id that no row could be graded against (unknown) is
not a question of the batch: its rows are errors. Integrity flags across rows (`shared_answer`,
`duplicate_answer`) and answer groups (answers that cover the same points) are found here too.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

from grader.batch.integrity import answer_words, sketch
from grader.batch.ranking import Cand, Ranked, new_cand, rank
from grader.batch.records import status_of
from grader.batch.shared import SharedAnswers
from grader.batch.spill import Spill, SpillMap
from grader.batch.stats import AnswerGroup, Flagged, MissedPoint, QuestionStats, Summary
from grader.batch.tallies import Scores, quotient, units

TOP_MISSED = 3
GROUPS_SHOWN = 8  # answer groups kept per question, largest first
SNIPPET = 300  # characters of a group's first answer kept for the report
FLAGGED_MAX = 2000  # flagged answers listed in the summary (all are flagged in grades.jsonl)


# What the summary needs of one row: status, question id, candidate, score, error, lang, mode, each point's
# (id, text, status), row id, flags, answer sketch and the answer's first characters. A plain tuple: batch
# workers send one per row, and tuples pickle far cheaper than dicts.
Facts = tuple[str, str, str, Any, Any, str, str, tuple[tuple[str, str, str], ...], str, tuple[str, ...], bytes, str]


def summary_facts(record: dict[str, Any]) -> Facts:
    """The part of a grades.jsonl object that `Aggregator` reads."""
    points = tuple((_one(p["id"]), _one(p["text"]), p["status"]) for p in record.get("points", []))
    answer = record.get("answer") or ""
    return (status_of(record), record.get("question_id") or "", record.get("candidate") or "", record.get("score"),
            record.get("error"), record.get("lang", "ru"), record.get("mode", "lexical"), points,
            str(record.get("id") or ""), tuple(record.get("flags") or ()),
            sketch(answer_words(answer)) if answer else b"", answer[:SNIPPET])  # fmt: skip


_ONE: dict[str, str] = {}


def _one(text: str) -> str:
    """One object for equal point ids and texts, so a chunk of facts pickles each once (rows repeat them)."""
    if len(_ONE) > 4096:
        _ONE.clear()
    return _ONE.setdefault(text, text)


ROW_FLAGS = ("copied_reference", "repetition")  # flags a row carries itself, listed in the summary


class Aggregator:
    """Builds the summary from grades.jsonl objects fed one at a time. Memory grows with candidates up to
    `spill.LIMIT` of them; past that, given a `Spill`, their records go to its scratch file (see `Cand`)."""

    def __init__(self, question_texts: dict[str, str], *, indexing: bool = False, spill: Spill | None = None) -> None:
        self.texts = question_texts
        self.indexing = indexing  # index answers for `shared_answer` as they come (else only at `summary`)
        self.spill = spill
        self.status: Counter[str] = Counter()
        self.reasons: Counter[str] = Counter()
        self.langs: Counter[str] = Counter()
        self.modes: Counter[str] = Counter()
        self.cands = SpillMap(spill)  # candidate -> `Cand`
        self.seq = 0  # cells made so far: a cell's number orders `duplicate_answer` flags as rows came
        self.q_scores: dict[str, Scores] = defaultdict(Scores)
        self.q_blank: Counter[str] = Counter()  # candidates who answered a question blank
        self.q_errors: Counter[str] = Counter()
        self.missed: dict[str, Counter[str]] = defaultdict(Counter)
        self.point_text: dict[tuple[str, str], str] = {}
        self.order: dict[str, None] = {}
        self.names: dict[str, str] = {}  # one copy of each question id, not one per row
        self.same = SharedAnswers(spill)
        self.pending: list[tuple[str, str, str, bytes]] = []  # (qid, candidate, id, sketch) of rows not indexed yet
        self.flagged: list[Flagged] = []
        self.groups: dict[str, dict[tuple[str, ...], list[Any]]] = defaultdict(dict)  # qid -> key -> group

    def add(self, r: dict[str, Any]) -> None:
        self.add_facts(summary_facts(r))

    def add_facts(self, facts: Facts) -> None:
        """Count one row, given as `summary_facts` of its grades.jsonl object (what batch workers send)."""
        status, qid, cand, score, error, lang, mode, points, rid, flags, sig, snippet = facts
        qid = self.names.setdefault(qid, qid)
        self.status[status] += 1
        self.order.setdefault(qid)
        if status == "error":
            self.reasons[reason_of(error)] += 1
            self.q_errors[qid] += 1
            rec = self.cands.get(cand) or new_cand()
            rec[3] += 1
            rec[1].setdefault(qid)
            self.cands[cand] = rec
            return
        self.langs[lang] += 1
        self.modes[mode] += 1
        if status == "unscored":
            return
        rec = self.cands.get(cand) or new_cand()
        if status == "blank" and qid not in rec[2]:
            rec[2][qid] = None
            self.q_blank[qid] += 1
        cell = rec[0].get(qid)
        if cell is None:
            rec[0][qid] = [1, units(score), self.seq]
            self.seq += 1
        else:
            cell[0] += 1
            cell[1] += units(score)
        self.cands[cand] = rec
        self.q_scores[qid].add(score)
        for flag in flags:
            if flag in ROW_FLAGS and len(self.flagged) < FLAGGED_MAX:
                self.flagged.append(Flagged(flag=flag, question_id=qid, candidates=[cand], ids=[rid]))
        if sig:
            self.pending.append((qid, cand, rid, sig))
            if self.indexing and len(self.pending) >= 256:
                self._index()
        for pid, text, pstatus in points:
            self.point_text.setdefault((qid, pid), text)
            if pstatus == "missing":
                self.missed[qid][pid] += 1
        key = ("",) if status == "blank" else tuple(p[2] for p in points)
        group = self.groups[qid].get(key)
        if group is None:
            covered = [p[0] for p in points if p[2] == "covered"]
            self.groups[qid][key] = [1, score, covered, cand, snippet]
        else:
            group[0] += 1

    def merge(self, other: Aggregator) -> None:
        """Count `other`'s rows after this one's, exactly as if they were fed here one by one (a batch worker counts
        each chunk it grades, so the parent merges one small object per chunk instead of counting rows)."""
        n = self.names.setdefault
        for mine, theirs in ((self.status, other.status), (self.reasons, other.reasons), (self.langs, other.langs),
                             (self.modes, other.modes)):  # fmt: skip
            mine.update(theirs)  # new keys in their order: most_common breaks ties by first appearance
        for qid, k in other.q_errors.items():
            self.q_errors[n(qid, qid)] += k
        for qid in other.order:
            self.order.setdefault(n(qid, qid))
        for cand, theirs in other.cands.items():
            self._merge_cand(cand, theirs)
        self.seq += other.seq
        for qid, scores in other.q_scores.items():
            self.q_scores[n(qid, qid)].merge(scores)
        for qid, missed in other.missed.items():
            self.missed[n(qid, qid)].update(missed)
        for key, text in other.point_text.items():
            self.point_text.setdefault(key, text)
        self.pending += [(n(qid, qid), n(cand, cand), rid, sig) for qid, cand, rid, sig in other.pending]
        if self.indexing:
            self._index()
        self.flagged.extend(other.flagged[: FLAGGED_MAX - len(self.flagged)])
        for qid, groups in other.groups.items():
            kept = self.groups[n(qid, qid)]
            for pattern, group in groups.items():
                if pattern in kept:
                    kept[pattern][0] += group[0]
                else:
                    kept[pattern] = list(group)

    def _merge_cand(self, cand: str, theirs: Cand) -> None:
        """A candidate's record from a tally counted after this one's rows (its cells numbered after ours)."""
        n = self.names.setdefault
        mine = self.cands.get(cand) or new_cand()
        for qid, (count, total, seq) in theirs[0].items():
            cell = mine[0].get(qid)
            if cell is None:
                mine[0][n(qid, qid)] = [count, total, self.seq + seq]
            else:
                cell[0] += count
                cell[1] += total  # exact: the order of the rows does not matter
        for qid in theirs[1]:
            mine[1].setdefault(n(qid, qid))
        for qid in theirs[2]:
            if qid not in mine[2]:
                mine[2][n(qid, qid)] = None
                self.q_blank[n(qid, qid)] += 1
        mine[3] += theirs[3]
        self.cands[cand] = mine

    def _index(self) -> None:
        """Rows waiting for the near-duplicate index enter it, in row order (a worker's tally leaves that to the
        parent: the index must see every row, in order, whoever counted it)."""
        for qid, cand, rid, sig in self.pending:
            self.same.add(qid, cand, rid, sig)
        self.pending.clear()

    def summary(self) -> Summary:
        """The whole summary in memory (`streamed` gives the per-candidate lists as streams)."""
        head, ranked = self.streamed()
        return head.model_copy(update={"candidates": list(ranked.candidates()), "flagged": list(ranked.flagged())})

    def streamed(self) -> tuple[Summary, Ranked]:
        """The summary without its candidates and flagged groups, and those two as streams (`Ranked`), which hold
        memory flat in candidates past `spill.LIMIT` of them when the aggregator was given a `Spill`."""
        self._index()
        count = sum(s.count for s in self.q_scores.values())
        known = [q for q in self.order if q in self.q_scores or self.texts.get(q)]  # unknown ids are no questions
        ranked = rank(self.cands.items(), set(known), self.spill, self.flagged, self._shared)
        return Summary(
            rows=sum(self.status.values()),
            graded=self.status["graded"],
            blank=self.status["blank"],
            unscored=self.status["unscored"],
            errors=self.status["error"],
            mean=round(quotient(sum(s.total for s in self.q_scores.values()), count), 4) if count else None,
            mode=self.modes.most_common(1)[0][0] if self.modes else "lexical",
            lang=self.langs.most_common(1)[0][0] if self.langs else "ru",
            candidates=[],
            questions=[self._question(q) for q in known],
            error_reasons=dict(self.reasons.most_common()),
            flagged=[],
        ), ranked

    def _question(self, qid: str) -> QuestionStats:
        vals = self.q_scores.get(qid) or Scores()
        missed = [
            MissedPoint(id=pid, text=self.point_text[qid, pid], missed=round(n / vals.count, 4))
            for pid, n in self.missed[qid].most_common(TOP_MISSED)
        ]
        groups = sorted(self.groups.get(qid, {}).values(), key=lambda g: -g[0])[:GROUPS_SHOWN]
        return QuestionStats(
            id=qid, question=self.texts.get(qid, ""), answers=vals.count, errors=self.q_errors[qid],
            mean=round(quotient(vals.total, vals.count), 4) if vals.count else None, blank=self.q_blank[qid],
            min=vals.low if vals.count else None, max=vals.high if vals.count else None, most_missed=missed,
            groups=[AnswerGroup(size=g[0], score=g[1], covered=g[2], candidate=g[3], answer=g[4]) for g in groups],
        )  # fmt: skip

    def _shared(self) -> Iterator[Flagged]:
        """`shared_answer`: one group per answer that two or more candidates gave to one question."""
        for qid, cands, ids in self.same.groups():
            yield Flagged(flag="shared_answer", question_id=qid, candidates=cands, ids=ids)


def reason_of(error: str) -> str:
    """The kind of an error message, for counting: the text before any quoted detail."""
    return re.split(r"[:'(«\"]", error, maxsplit=1)[0].strip() or error
