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
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from grader.models import Grade

if TYPE_CHECKING:
    from grader.agreement.calibration import Calibration

# C0/C1 controls except tab and newlines, bidirectional embeddings/overrides/isolates and marks, lone surrogates.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_FORMULA_FIRST = ("=", "+", "-", "@", "\t", "\r")
EXCEL_CELL_MAX = 32_000  # Excel holds 32,767 characters in a cell; longer ones spill into the next row
REPLACEMENT = "\ufffd"
CSV_COLUMNS = ("id", "candidate", "question_id", "question", "score", "status", "covered", "partial", "missing",
               "flags", "feedback", "answer", "error", "line")  # fmt: skip


def visible(text: str) -> str:
    """Control, bidi-override and lone-surrogate characters replaced one for one with U+FFFD (offsets kept)."""
    if text.isprintable():  # none of them is printable (a test pins it): most cells, checked ~10x faster than sub
        return text
    return _UNSAFE.sub(REPLACEMENT, text)


def without_surrogates(text: str) -> str:
    """Lone surrogates (from a JSON `\\ud800` escape) replaced one for one, so the text can be written as UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return re.sub("[\ud800-\udfff]", REPLACEMENT, text)
    return text


# --- grades.jsonl -------------------------------------------------------------------------------------------------


Extra = tuple[tuple[str, str], ...]  # a row's extra input columns: (name, value) in column order


def grade_record(row_id: str, candidate: str, line: int, answer: str, grade: Grade,
                 question: str = "", extra: Extra = ()) -> dict[str, Any]:  # fmt: skip
    """The grades.jsonl object of a graded row: the `grade --json` object plus row id, candidate, line, the
    question's text and the answer, and the row's extra input columns (`extra`, when it has any)."""
    record = {"id": row_id, "candidate": candidate, "line": line, **grade.public(), "question": question,
              "answer": answer}  # fmt: skip
    if extra:
        record["extra"] = dict(extra)
    return record


def error_record(row_id: str, candidate: str, line: int, question_id: str, error: str,
                 extra: Extra = ()) -> dict[str, Any]:  # fmt: skip
    """The grades.jsonl object of a row that could not be graded, with the reason (and its extra columns)."""
    record = {"id": row_id, "candidate": candidate, "line": line, "question_id": question_id, "score": None,
              "error": error}  # fmt: skip
    if extra:
        record["extra"] = dict(extra)
    return record


def status_of(record: dict[str, Any]) -> str:
    """error (not graded), blank (an empty answer: graded 0, flag `empty`), unscored or graded."""
    if record.get("error"):
        return "error"
    if record.get("score") is None:
        return "unscored"
    return "blank" if "empty" in (record.get("flags") or ()) else "graded"


# --- grades.csv ---------------------------------------------------------------------------------------------------


def safe_cell(value: Any) -> str:
    """A CSV cell a spreadsheet shows as text: no formula, no control characters, not longer than Excel holds."""
    text = visible("" if value is None else str(value))
    if len(text) > EXCEL_CELL_MAX:
        text = text[: EXCEL_CELL_MAX - 1] + "…"
    return "'" + text if text.startswith(_FORMULA_FIRST) else text


def csv_header(extra_columns: Sequence[str] = ()) -> list[str]:
    """grades.csv's column names: its own, then the input's extra columns (one named like one of its own gets an
    `input_` prefix, so every name stays unique and `score` stays the grader's)."""
    names = list(CSV_COLUMNS)
    taken = {n.casefold() for n in names}
    for name in extra_columns:
        while name.casefold() in taken:
            name = "input_" + name
        taken.add(name.casefold())
        names.append(name)
    return names


def csv_fields(record: dict[str, Any], extra_columns: Sequence[str] = ()) -> list[str]:
    """One grades.csv row; the score is a whole number 0-100 so no locale misreads a decimal point. The input's
    extra columns (`extra_columns`, as `csv_header` was given them) follow, as untrusted as the answer."""
    points = record.get("points") or []
    by_status: dict[str, list[str]] = defaultdict(list)
    for p in points:
        by_status[p["status"]].append(p["text"])
    score = record.get("score")
    values: dict[str, Any] = {
        **{
            k: record.get(k, "")
            for k in ("id", "candidate", "question_id", "question", "feedback", "answer", "error", "line")
        },
        "score": "" if score is None else round(score * 100),
        "status": status_of(record),
        "flags": ", ".join(record.get("flags") or []),
        **{s: " | ".join(by_status[s]) for s in ("covered", "partial", "missing")},
    }
    cells = [values[c] if c in ("score", "line") else safe_cell(values[c]) for c in CSV_COLUMNS]
    if extra_columns:
        extra = record.get("extra") or {}
        cells += [safe_cell(extra.get(name, "")) for name in extra_columns]
    return cells


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


def csv_row(record: dict[str, Any], delimiter: str = ";", extra_columns: Sequence[str] = ()) -> str:
    """The grades.csv line of a grades.jsonl object."""
    return csv_line(csv_fields(record, extra_columns), delimiter)


def csv_header_line(delimiter: str = ";", extra_columns: Sequence[str] = ()) -> str:
    """grades.csv's header line (the extra columns' names come from the input: untrusted, so made safe cells)."""
    return csv_line([safe_cell(name) for name in csv_header(extra_columns)], delimiter)


def csv_lines(records: Iterable[dict[str, Any]], delimiter: str = ";",
              extra_columns: Sequence[str] = ()) -> Iterator[str]:  # fmt: skip
    """grades.csv as text lines, header first (the caller writes them with a UTF-8 BOM for Excel)."""
    yield csv_header_line(delimiter, extra_columns)
    for record in records:  # streamed: never held as a list
        yield csv_row(record, delimiter, extra_columns)


def calibrate_line(line: str, cal: Calibration) -> str:
    """A grades.jsonl line with its score mapped by the calibration (`raw_score`, `label` added)."""
    rec = json.loads(line)
    score = rec.get("score")
    if score is None or rec.get("error") or "empty" in rec.get("flags", ()):
        return line  # a blank answer stays 0 whatever the calibration says
    mapped = cal.apply(score)
    rec.update(score=mapped, raw_score=score, label=cal.label(mapped), flags=[*rec.get("flags", []), "calibrated"])
    return json.dumps(rec, ensure_ascii=False) + "\n"
