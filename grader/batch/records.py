"""Batch results as data: grades.jsonl objects, grades.csv rows and the summary. Pure (no files, no printing).

Candidate text is untrusted. JSONL keeps it exact (JSON escapes what needs escaping; evidence offsets stay valid);
the CSV neutralises cells a spreadsheet would run as a formula and replaces control and bidirectional-override
characters one for one, and clips cells to what Excel holds. The HTML report lives in `grader.batch.html`.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from grader.models import Grade

if TYPE_CHECKING:
    from grader.agreement.calibration import Calibration

# C0/C1 controls except tab and newlines, bidirectional embeddings/overrides/isolates and marks, lone surrogates.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_FORMULA_FIRST = ("=", "+", "-", "@", "\t", "\r")
EXCEL_CELL_MAX = 32_000  # Excel holds 32,767 characters in a cell; longer ones spill into the next row
REPLACEMENT = "\ufffd"
CSV_COLUMNS = ("id", "candidate", "question_id", "score", "status", "covered", "partial", "missing", "flags",
               "feedback", "answer", "error", "line")  # fmt: skip
TOP_MISSED = 3


def visible(text: str) -> str:
    """Control, bidi-override and lone-surrogate characters replaced one for one with U+FFFD (offsets kept)."""
    return _UNSAFE.sub(REPLACEMENT, text)


def without_surrogates(text: str) -> str:
    """Lone surrogates (from a JSON `\\ud800` escape) replaced one for one, so the text can be written as UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return re.sub("[\ud800-\udfff]", REPLACEMENT, text)
    return text


# --- grades.jsonl -------------------------------------------------------------------------------------------------


def grade_record(row_id: str, candidate: str, line: int, answer: str, grade: Grade) -> dict[str, Any]:
    """The grades.jsonl object of a graded row: the `grade --json` object plus row id, candidate, line, answer."""
    return {"id": row_id, "candidate": candidate, "line": line, **grade.public(), "answer": answer}


def error_record(row_id: str, candidate: str, line: int, question_id: str, error: str) -> dict[str, Any]:
    """The grades.jsonl object of a row that could not be graded, with the reason."""
    return {"id": row_id, "candidate": candidate, "line": line, "question_id": question_id, "score": None,
            "error": error}  # fmt: skip


def status_of(record: dict[str, Any]) -> str:
    if record.get("error"):
        return "error"
    return "unscored" if record.get("score") is None else "graded"


# --- grades.csv ---------------------------------------------------------------------------------------------------


def safe_cell(value: Any) -> str:
    """A CSV cell a spreadsheet shows as text: no formula, no control characters, not longer than Excel holds."""
    text = visible("" if value is None else str(value))
    if len(text) > EXCEL_CELL_MAX:
        text = text[: EXCEL_CELL_MAX - 1] + "…"
    return "'" + text if text.startswith(_FORMULA_FIRST) else text


def csv_fields(record: dict[str, Any]) -> list[str]:
    """One grades.csv row; the score is a whole number 0-100 so no locale misreads a decimal point."""
    points = record.get("points") or []
    by_status: dict[str, list[str]] = defaultdict(list)
    for p in points:
        by_status[p["status"]].append(p["text"])
    score = record.get("score")
    values: dict[str, Any] = {
        **{k: record.get(k, "") for k in ("id", "candidate", "question_id", "feedback", "answer", "error", "line")},
        "score": "" if score is None else round(score * 100),
        "status": status_of(record),
        "flags": ", ".join(record.get("flags") or []),
        **{s: " | ".join(by_status[s]) for s in ("covered", "partial", "missing")},
    }
    return [values[c] if c in ("score", "line") else safe_cell(values[c]) for c in CSV_COLUMNS]


def csv_line(cells: Iterable[Any], delimiter: str = ";") -> str:
    """One CSV record as grades.csv holds it: exactly what `csv.writer(delimiter=..., lineterminator="\\r\\n")`
    writes (minimal quoting, quotes doubled), made here because the writer took 10% of a batch worker's time."""
    needs_quotes = _csv_specials(delimiter).search
    out = []
    for cell in cells:
        text = cell if cell.__class__ is str else "" if cell is None else str(cell)
        if needs_quotes(text):
            text = '"' + text.replace('"', '""') + '"'
        out.append(text)
    if out == [""]:
        out[0] = '""'  # a lone empty field is quoted, or the line would read as no record
    return delimiter.join(out) + "\r\n"


@functools.lru_cache(maxsize=8)
def _csv_specials(delimiter: str) -> re.Pattern[str]:
    csv.writer(io.StringIO(), delimiter=delimiter)  # raises for a delimiter csv cannot use
    return re.compile(f'[{re.escape(delimiter)}"\r\n]')


def csv_row(record: dict[str, Any], delimiter: str = ";") -> str:
    """The grades.csv line of a grades.jsonl object."""
    return csv_line(csv_fields(record), delimiter)


def csv_lines(records: Iterable[dict[str, Any]], delimiter: str = ";") -> Iterator[str]:
    """grades.csv as text lines, header first (the caller writes them with a UTF-8 BOM for Excel)."""
    yield csv_line(CSV_COLUMNS, delimiter)
    for record in records:  # streamed: never held as a list
        yield csv_row(record, delimiter)


# --- summary.json -------------------------------------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MissedPoint(_Model):
    id: str
    text: str
    missed: float  # share of graded answers that missed the point


class QuestionStats(_Model):
    id: str
    question: str
    answers: int
    errors: int
    mean: float | None
    min: float | None
    max: float | None
    most_missed: list[MissedPoint]


class CandidateStats(_Model):
    rank: int
    candidate: str
    total: float  # sum over questions of the candidate's score on it (0..1 each)
    mean: float | None
    graded: int
    errors: int
    scores: dict[str, float]  # question id -> score (mean when answered twice)


class Summary(_Model):
    rows: int
    graded: int
    unscored: int
    errors: int
    mean: float | None
    mode: str
    lang: str
    candidates: list[CandidateStats]
    questions: list[QuestionStats]
    error_reasons: dict[str, int]


class Aggregator:
    """Builds the summary from grades.jsonl objects fed one at a time (memory grows with candidates × questions)."""

    def __init__(self, question_texts: dict[str, str]) -> None:
        self.texts = question_texts
        self.status: Counter[str] = Counter()
        self.reasons: Counter[str] = Counter()
        self.langs: Counter[str] = Counter()
        self.modes: Counter[str] = Counter()
        self.cells: dict[tuple[str, str], list[float]] = defaultdict(list)
        self.cand_errors: Counter[str] = Counter()
        self.q_scores: dict[str, list[float]] = defaultdict(list)
        self.q_errors: Counter[str] = Counter()
        self.missed: dict[str, Counter[str]] = defaultdict(Counter)
        self.point_text: dict[tuple[str, str], str] = {}
        self.order: dict[str, None] = {}
        self.names: dict[str, str] = {}  # one copy of each candidate and question id, not one per row

    def add(self, r: dict[str, Any]) -> None:
        self.add_facts(summary_facts(r))

    def add_facts(self, facts: Facts) -> None:
        """Count one row, given as `summary_facts` of its grades.jsonl object (what batch workers send)."""
        status, qid, cand, score, error, lang, mode, points = facts
        qid, cand = self.names.setdefault(qid, qid), self.names.setdefault(cand, cand)
        self.status[status] += 1
        if status == "error":
            self.reasons[_reason(error)] += 1
            self.cand_errors[cand] += 1
            self.q_errors[qid] += 1
        else:
            self.langs[lang] += 1
            self.modes[mode] += 1
        self.order.setdefault(qid)
        if status != "graded":
            return
        self.cells[cand, qid].append(score)
        self.q_scores[qid].append(score)
        for pid, text, pstatus in points:
            self.point_text.setdefault((qid, pid), text)
            if pstatus == "missing":
                self.missed[qid][pid] += 1

    def merge(self, other: Aggregator) -> None:
        """Count `other`'s rows after this one's, exactly as if they were fed here one by one (a batch worker counts
        each chunk it grades, so the parent merges one small object per chunk instead of counting rows)."""
        n = self.names.setdefault
        for mine, theirs in ((self.status, other.status), (self.reasons, other.reasons), (self.langs, other.langs),
                             (self.modes, other.modes)):  # fmt: skip
            mine.update(theirs)  # new keys in their order: most_common breaks ties by first appearance
        for cand, k in other.cand_errors.items():
            self.cand_errors[n(cand, cand)] += k
        for qid, k in other.q_errors.items():
            self.q_errors[n(qid, qid)] += k
        for qid in other.order:
            self.order.setdefault(n(qid, qid))
        for (cand, qid), scores in other.cells.items():
            self.cells[n(cand, cand), n(qid, qid)].extend(scores)  # in row order: sums stay the same floats
        for qid, scores in other.q_scores.items():
            self.q_scores[n(qid, qid)].extend(scores)
        for qid, missed in other.missed.items():
            self.missed[n(qid, qid)].update(missed)
        for key, text in other.point_text.items():
            self.point_text.setdefault(key, text)

    def summary(self) -> Summary:
        scores = [s for v in self.q_scores.values() for s in v]
        return Summary(
            rows=sum(self.status.values()),
            graded=self.status["graded"],
            unscored=self.status["unscored"],
            errors=self.status["error"],
            mean=_mean(scores),
            mode=self.modes.most_common(1)[0][0] if self.modes else "lexical",
            lang=self.langs.most_common(1)[0][0] if self.langs else "ru",
            candidates=self._candidates(),
            questions=[self._question(q) for q in self.order if q in self.q_scores or self.q_errors[q]],
            error_reasons=dict(self.reasons.most_common()),
        )

    def _candidates(self) -> list[CandidateStats]:
        per: dict[str, dict[str, float]] = defaultdict(dict)
        for (cand, qid), vals in self.cells.items():
            per[cand][qid] = round(sum(vals) / len(vals), 4)
        names = set(per) | set(self.cand_errors)
        rows = [(round(sum(per[c].values()), 4), _mean(list(per[c].values())), c) for c in names]
        rows.sort(key=lambda t: (-t[0], -(t[1] or 0), t[2]))
        return [
            CandidateStats(
                rank=i,
                candidate=c,
                total=tot,
                mean=mean,
                graded=sum(len(self.cells[c, q]) for q in per[c]),
                errors=self.cand_errors[c],
                scores=dict(per[c]),
            )
            for i, (tot, mean, c) in enumerate(rows, start=1)
        ]

    def _question(self, qid: str) -> QuestionStats:
        vals = self.q_scores.get(qid, [])
        missed = [
            MissedPoint(id=pid, text=self.point_text[qid, pid], missed=round(n / len(vals), 4))
            for pid, n in self.missed[qid].most_common(TOP_MISSED)
        ]
        return QuestionStats(
            id=qid, question=self.texts.get(qid, ""), answers=len(vals), errors=self.q_errors[qid], mean=_mean(vals),
            min=min(vals) if vals else None, max=max(vals) if vals else None, most_missed=missed,
        )  # fmt: skip


# What the summary needs of one row: status, question id, candidate, score, error, lang, mode, and each point's
# (id, text, status). A plain tuple: batch workers send one per row, and tuples pickle far cheaper than dicts.
Facts = tuple[str, str, str, Any, Any, str, str, tuple[tuple[str, str, str], ...]]


def summary_facts(record: dict[str, Any]) -> Facts:
    """The part of a grades.jsonl object that `Aggregator` reads."""
    points = tuple((_one(p["id"]), _one(p["text"]), p["status"]) for p in record.get("points", []))
    return (status_of(record), record.get("question_id") or "", record.get("candidate") or "", record.get("score"),
            record.get("error"), record.get("lang", "ru"), record.get("mode", "lexical"), points)  # fmt: skip


_ONE: dict[str, str] = {}


def _one(text: str) -> str:
    """One object for equal point ids and texts, so a chunk of facts pickles each once (rows repeat them)."""
    if len(_ONE) > 4096:
        _ONE.clear()
    return _ONE.setdefault(text, text)


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def _reason(error: str) -> str:
    """The kind of an error message, for counting: the text before any quoted detail."""
    return re.split(r"[:'(«\"]", error, maxsplit=1)[0].strip() or error


def calibrate_line(line: str, cal: Calibration) -> str:
    """A grades.jsonl line with its score mapped by the calibration (`raw_score`, `label` added)."""
    rec = json.loads(line)
    score = rec.get("score")
    if score is None or rec.get("error"):
        return line
    mapped = cal.apply(score)
    rec.update(score=mapped, raw_score=score, label=cal.label(mapped), flags=[*rec.get("flags", []), "calibrated"])
    return json.dumps(rec, ensure_ascii=False) + "\n"
