"""Human-graded answers from files: SAF XML (files or folders) and CSV/JSONL rows. I/O at the edge.

Every loader returns `GradedAnswer`s with the score on 0..1, whatever the file's scale (`score_max`), so metrics,
exemplars and calibration never see another scale. SAF (Short Answer Feedback) files hold one question each:
`questionText`, one or more `referenceAnswer`, then `studentAnswer`s with `response`, `score` and
`verification_feedback` (Correct / Partially correct / Incorrect).

CSV/JSONL/XLSX rows are read with `grader.tables.rows` (the same sniffing, encodings and column flags as `grader batch`)
when it is available; the columns are question, reference, answer and score by default.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import Field

from grader.engine.exemplars import GradedExample
from grader.engine.text import detect_lang
from grader.errors import InvalidFile, NotFound
from grader.limits import regular_file
from grader.models import Lang, Model, Question
from grader.tables import Columns, Row, RowSource

if TYPE_CHECKING:
    from grader.bank.store import Bank

_SLUG = re.compile(r"[^a-z0-9]+")


class GradedAnswer(Model):
    """One answer with the grade a person gave it, on 0..1."""

    id: str
    question_id: str
    question: str
    reference: str
    answer: str
    score: float = Field(ge=0, le=1)
    label: str | None = None  # the grader's own verdict word when the data has one (SAF: Correct, ...)
    lang: Lang = "en"


def slug(text: str) -> str:
    """A question id from a file name or free text: lower-case letters, digits and dashes."""
    return _SLUG.sub("-", text.lower()).strip("-") or "q"


def load(
    path: str | Path,
    *,
    columns: Columns | None = None,
    score_col: str = "score",
    score_max: float | None = None,
    bank: Bank | None = None,
    skipped: list[str] | None = None,
) -> list[GradedAnswer]:
    """Graded answers from a SAF XML file, a folder of them (recursively), or a CSV/JSONL/XLSX row file (whose
    rows may name a question of `bank` by question_id instead of bringing a reference). Rows that cannot be read
    are left out; `skipped`, when given, receives "where: what is wrong" for each (see `skipped_warning`)."""
    p = Path(path)
    if p.is_dir():
        files = sorted(p.rglob("*.xml"))
        if not files:
            raise NotFound("no .xml files in this folder", where=str(p), fix="Point at SAF XML files or a row file")
        return [a for f in files for a in load_saf(f, root=p)]
    regular_file(p, "file of graded answers")
    if p.suffix.lower() == ".xml":
        return load_saf(p)
    return load_rows(p, columns or Columns(), score_col, score_max, bank, skipped)


def load_saf(path: Path, *, root: Path | None = None) -> list[GradedAnswer]:
    """One SAF question file: its reference answers joined one per line, each student answer with its score."""
    try:
        tree = ET.parse(path)
    except (ET.ParseError, OSError) as exc:
        raise InvalidFile(f"not a readable XML file ({exc})", where=str(path), fix="Give a SAF question file") from None
    q = tree.getroot()
    question = _text(q.find("questionText"))
    refs = [_text(r) for r in q.iter("referenceAnswer")]
    reference = "\n".join(r for r in refs if r)
    if not question or not reference:
        raise InvalidFile("no questionText or referenceAnswer", where=str(path), fix="Give a SAF question file")
    rel = path.relative_to(root) if root else Path(path.name)
    lang = detect_lang(reference, default="en")
    qid = slug(f"{lang}-{rel.with_suffix('').name}")
    out = []
    for i, sa in enumerate(q.iter("studentAnswer"), start=1):
        score_text = _text(sa.find("score"))
        try:
            score = float(score_text)
            if not math.isfinite(score):
                raise ValueError(score_text)
        except ValueError:
            raise InvalidFile(f"answer {i}: score {score_text!r} is not a number", where=str(path)) from None
        out.append(
            GradedAnswer(
                id=sa.get("id") or f"{qid}-{i}",
                question_id=qid,
                question=question,
                reference=reference,
                answer=_text(sa.find("response")),
                score=min(1.0, max(0.0, score)),
                label=_text(sa.find("verification_feedback")) or None,
                lang=lang,
            )
        )
    return out


def _text(el: ET.Element | None) -> str:
    """An element's text with each line stripped (SAF indents its text; line structure carries list items)."""
    if el is None or not el.text:
        return ""
    return "\n".join(ln.strip() for ln in el.text.strip().splitlines())


def load_rows(
    path: Path,
    columns: Columns,
    score_col: str = "score",
    score_max: float | None = None,
    bank: Bank | None = None,
    skipped: list[str] | None = None,
) -> list[GradedAnswer]:
    """Rows of a CSV/JSONL/XLSX file (read by `grader.tables.rows`, as batch reads them) with a human score column."""
    reasons: list[str] = []
    rows = _readable(RowSource.open(path, columns), reasons)
    if skipped is not None:
        skipped += reasons
    if not rows:
        why = f": {len(reasons)} row(s) unreadable, the first {reasons[0]}" if reasons else ""
        raise InvalidFile(f"no gradable rows{why}", where=str(path),
                          fix="Give a file with a header row and graded answers")  # fmt: skip
    key = score_col.strip().casefold()
    raw = [_score_cell(r, key, score_col) for r in rows]
    top = score_max or (1.0 if max(raw) <= 1 else None)
    if top is None:
        raise InvalidFile(
            f"scores go up to {max(raw):g}", where=str(path), fix="Give the scale with --score-max (e.g. 5)"
        )
    qids: dict[tuple[str, str], str] = {}
    known = set(bank.ids()) if bank is not None else set()
    out = []
    for row, score in zip(rows, raw, strict=True):
        if row.question_id.strip() in known and bank is not None:
            question = bank.question(row.question_id.strip())
            row = row.model_copy(update={"question": question.question, "reference": question.reference})
        if not row.reference.strip():
            raise InvalidFile("no reference answer, and no question_id of the bank", where=row.where,
                              fix="Fill the reference column (--reference-col), or name a bank question "
                              "(question_id, --bank)")  # fmt: skip
        if not 0 <= score <= top:
            raise InvalidFile(f"score {score:g} is outside 0..{top:g}", where=row.where, fix="Set --score-max")
        pair = (row.question, row.reference)
        qid = row.question_id.strip() or qids.setdefault(pair, f"{slug(row.question)[:40]}-{len(qids) + 1}")
        out.append(
            GradedAnswer(
                id=row.id,
                question_id=qid,
                question=row.question or row.reference[:200],
                reference=row.reference,
                answer=row.answer,
                score=score / top,
                lang=detect_lang(row.reference, default="en"),
            )
        )
    return out


def _score_cell(row: Row, key: str, name: str, fix: str = "Name the human score column with --score-col") -> float:
    value = next((v for k, v in row.extra.items() if k.strip().casefold() == key), None)
    if value is None:
        raise InvalidFile(f"no column '{name}'", where=row.where, fix=fix)
    try:
        score = float(value.replace(",", ".").strip())
    except ValueError:
        score = math.nan
    if not math.isfinite(score):
        raise InvalidFile(f"score {value!r} is not a number", where=row.where, fix="Fix the score cell")
    return score


def examples_for(
    path: str | Path,
    question: Question,
    *,
    columns: Columns | None = None,
    score_col: str = "score",
    score_max: float | None = None,
    skipped: list[str] | None = None,
) -> list[GradedExample]:
    """Graded answers to `question` in a row file or SAF XML, to teach the grader (`grader grade --examples`).

    A row is for the question when its question_id is the question's id, or, with no question_id, when its
    reference or question text is the question's. Rows need no reference; scores are scaled as `load` does.
    """
    p = Path(path)
    if p.is_dir() or p.suffix.lower() == ".xml":
        mine = [a for a in load(p) if a.question_id == question.id or a.reference.strip() == question.reference.strip()]
        return [GradedExample(id=a.id, answer=a.answer, score=a.score) for a in mine]
    rows = graded_rows(p, columns, score_col, score_max, skipped)
    return [GradedExample(id=r.id, answer=r.answer, score=y) for r, y in rows if _is_for(r, question)]


HUMAN = "human_score"  # the column a person fills in a batch's grades.csv/grades.jsonl (the review loop)


def graded_rows(
    path: str | Path,
    columns: Columns | None = None,
    score_col: str = "score",
    score_max: float | None = None,
    skipped: list[str] | None = None,
) -> list[tuple[Row, float]]:
    """Every readable row of a CSV/JSONL/XLSX file with its score on 0..1 (the reference may be empty).

    A file with a `human_score` column is a batch's own grades.csv or grades.jsonl corrected by a person: the
    rows that have a human score are read (error rows and rows left empty are skipped), on the scale of the
    file's own `score` column (0-100 in grades.csv, 0..1 in grades.jsonl) unless `score_max` says otherwise."""
    p = Path(path)
    regular_file(p, "file of graded examples")
    source = RowSource.open(p, columns or Columns())
    key = score_col.strip().casefold()
    # Graded examples come to commands without --score-col (grade, batch), so the fixes name the file's content.
    fix = f"Add a column '{score_col}' with each answer's human grade"
    names = None if source.header is None else {h.strip().casefold() for h in source.header}
    if names is not None and key not in names and HUMAN not in names:
        raise InvalidFile(f"no column '{score_col}'", where=f"{p}:1", fix=fix)  # said before any row is read
    rows = _readable(source, skipped)
    if HUMAN in (names if names is not None else {k.strip().casefold() for r in rows[:1] for k in r.extra}):
        top_own = max((_number(v) for r in rows if (v := _cell(r, key)) not in (None, "")), default=1.0)
        score_max = score_max or (100.0 if top_own > 1 else 1.0)
        rows = [r for r in rows if (_cell(r, HUMAN) or "").strip() and (_cell(r, "status") or "") != "error"]
        score_col = key = HUMAN
    if not rows:
        return []
    raw = [_score_cell(r, key, score_col, fix) for r in rows]
    top = score_max or (1.0 if max(raw) <= 1 else None)
    scale = "Put the scores on 0..1" + ("" if score_max else " (`grader grade` takes the scale's top: --score-max)")
    if top is None:
        raise InvalidFile(f"scores go up to {max(raw):g}", where=str(p), fix=scale)
    for row, score in zip(rows, raw, strict=True):
        if not 0 <= score <= top:
            raise InvalidFile(f"score {score:g} is outside 0..{top:g}", where=row.where, fix=scale)
    return [(row, score / top) for row, score in zip(rows, raw, strict=True)]


def _readable(rows: Iterable[Row], skipped: list[str] | None) -> list[Row]:
    """The rows that can be read; "where: what is wrong" of each other one goes to `skipped`."""
    out = []
    for r in rows:
        if r.error is None:
            out.append(r)
        elif skipped is not None:
            skipped.append(f"{r.where}: {r.error}")
    return out


def skipped_warning(path: str | Path, skipped: Sequence[str], show: int = 5) -> str | None:
    """One line saying which rows of `path` were left out and why (the first `show` of them), or None."""
    if not skipped:
        return None
    more = f"; and {len(skipped) - show} more" if len(skipped) > show else ""
    return f"{len(skipped)} row(s) of {path} left out, unreadable: " + "; ".join(skipped[:show]) + more


def _cell(row: Row, key: str) -> str | None:
    return next((v for k, v in row.extra.items() if k.strip().casefold() == key), None)


def _number(value: str) -> float:
    try:
        return float(value.replace(",", ".").strip())
    except ValueError:
        return 0.0


def _is_for(row: Row, question: Question) -> bool:
    qid = row.question_id.strip()
    if qid:
        return qid == question.id
    ref, text = row.reference.strip(), row.question.strip()
    return bool(ref and ref == question.reference.strip()) or bool(text and text == question.question.strip())


def by_question(answers: Iterable[GradedAnswer]) -> dict[str, list[GradedAnswer]]:
    """Answers grouped by question id, in file order."""
    out: dict[str, list[GradedAnswer]] = {}
    for a in answers:
        out.setdefault(a.question_id, []).append(a)
    return out


def references(answers: Sequence[GradedAnswer]) -> dict[str, str]:
    """Each question's reference answer."""
    return {a.question_id: a.reference for a in answers}
