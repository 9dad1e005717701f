"""Input rows for batch jobs: CSV, JSONL and XLSX read one row at a time, in named columns.

    source = RowSource.open("answers.csv", Columns(answer="Ответ"))   # header checked here, up front
    for row in source:                                                  # streaming: memory flat in rows
        row.id, row.candidate, row.question_id, row.answer, row.extra["score"], row.where  # "answers.csv:12"

CSV encoding and delimiter are sniffed as spreadsheets write them: UTF-8 (with or without BOM), UTF-16 with BOM
(Excel's "Unicode text"), else cp1251 (Russian Excel's "CSV"); `,`, `;` or tab. Column names match ignoring
case and surrounding spaces; columns not mapped to a field are kept in `Row.extra` (e.g. a human `score`).

A problem with the file as a whole (missing, undecodable, no answer column) raises `InvalidFile`/`NotFound`
naming the file; a problem with one row (a JSONL line that is not an object, a missing id) becomes
`Row.error`, so a job can record it and go on.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import io
import json
from collections.abc import Callable, Generator, Iterator
from itertools import islice
from pathlib import Path
from typing import Any, Literal, NamedTuple, TypeVar

from pydantic import BaseModel, ConfigDict

from grader.errors import InvalidFile, NotFound

Format = Literal["csv", "jsonl", "xlsx"]
FIELDS = ("id", "candidate", "question_id", "question", "reference", "answer")
DELIMITERS = (",", ";", "\t")
_SAMPLE = 64 * 1024
_T = TypeVar("_T")
# Big cells (a 100 KB answer) must not stop a batch; Python's default limit is 128 KB per field.
csv.field_size_limit(64 * 1024 * 1024)


class Columns(BaseModel):
    """Which input column (or JSON field) holds each row field; defaults are the field names themselves."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = "id"
    candidate: str = "candidate"
    question_id: str = "question_id"
    question: str = "question"
    reference: str = "reference"
    answer: str = "answer"

    def by_field(self) -> dict[str, str]:
        return {f: getattr(self, f) for f in FIELDS}


class Row(BaseModel):
    """One input row. `where` is "file:line" (CSV/JSONL line where the row starts) or "file:row N" (XLSX)."""

    model_config = ConfigDict(extra="forbid")

    where: str
    line: int
    id: str
    candidate: str = ""
    question_id: str = ""
    question: str = ""
    reference: str = ""
    answer: str = ""
    extra: dict[str, str] = {}
    error: str | None = None  # what is wrong with this row alone; None when it can be graded


class LeanRow(NamedTuple):
    """A `Row` without its extra columns (`RowSource.lean_rows`)."""

    where: str
    line: int
    id: str
    candidate: str = ""
    question_id: str = ""
    question: str = ""
    reference: str = ""
    answer: str = ""
    error: str | None = None


class RowKey(NamedTuple):
    """A row's id and what names its question (`RowSource.row_keys`)."""

    id: str
    line: int
    question_id: str = ""
    question: str = ""
    reference: str = ""


def cell_text(value: Any) -> str:
    """A spreadsheet or JSON cell as text: integral floats lose their `.0`, dates are ISO, empty is ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


# --- sniffing -----------------------------------------------------------------------------------------------------


def detect_format(path: Path, head: bytes) -> Format:
    """By extension, else by content: a zip is XLSX, a leading `{` is JSONL, anything else CSV."""
    ext = path.suffix.lower()
    if ext in (".xlsx", ".xlsm"):
        return "xlsx"
    if ext in (".jsonl", ".ndjson"):
        return "jsonl"
    if ext in (".csv", ".tsv", ".txt"):
        return "csv"
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    return "jsonl" if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") else "csv"


def sniff_encoding(head: bytes) -> str:
    """`utf-8-sig` for a UTF-8 BOM, `utf-16` for a UTF-16 BOM, `utf-8` when the sample decodes, else cp1251."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)  # a cut multibyte char at the end is fine
    except UnicodeDecodeError:
        return "cp1251"
    return "utf-8"


def sniff_delimiter(sample: str) -> str:
    """The delimiter that splits the header into the most columns, then keeps later rows the same width."""
    best, best_key = ",", (0, 0)
    for delim in DELIMITERS:
        records = []
        reader = csv.reader(io.StringIO(sample), delimiter=delim)
        try:
            for rec in reader:
                records.append(len(rec))
                if len(records) >= 10:
                    break
        except csv.Error:
            pass
        if not records:
            continue
        # The last sampled record may be cut by the sample's end; it does not vote.
        consistent = sum(1 for n in records[1:-1] if n == records[0])
        key = (records[0], consistent)
        if records[0] > 1 and key > best_key:
            best, best_key = delim, key
    return best


# --- the source ---------------------------------------------------------------------------------------------------


class RowSource:
    """An input file of rows. `open` reads the header and checks the columns; iterating streams the rows."""

    def __init__(
        self,
        path: Path,
        fmt: Format,
        columns: Columns,
        *,
        encoding: str = "",
        delimiter: str = "",
        sheet: str | None = None,
        header: list[str] | None = None,
    ) -> None:
        self.path, self.format, self.columns = path, fmt, columns
        self.encoding, self.delimiter, self.sheet = encoding, delimiter, sheet
        self.header = header  # None for JSONL (fields are per line)

    @classmethod
    def open(
        cls,
        path: str | Path,
        columns: Columns | None = None,
        *,
        fmt: Format | None = None,
        encoding: str | None = None,
        delimiter: str | None = None,
        sheet: str | None = None,
    ) -> RowSource:
        """Inspect `path`: format, encoding, delimiter and header. Raises when no row could be read from it."""
        p = Path(path)
        if not p.is_file():
            raise NotFound("no such file", where=str(p), fix="Check the input path")
        with p.open("rb") as fh:
            head = fh.read(_SAMPLE)
        chosen = fmt or detect_format(p, head)
        src = cls(p, chosen, columns or Columns(), sheet=sheet)
        if chosen == "csv":
            src.encoding = encoding or sniff_encoding(head)
            sample = _decode_sample(head, src.encoding, p)
            src.delimiter = delimiter or sniff_delimiter(sample)
            src.header = _csv_header(sample, src.delimiter, p)
        elif chosen == "xlsx":
            src.header = _xlsx_header(p, sheet)
        else:
            src.encoding = encoding or "utf-8-sig"
        if src.header is not None:
            src.check_header()
        return src

    def describe(self) -> str:
        """E.g. "CSV, cp1251, ';'" — what was sniffed, for messages."""
        if self.format == "csv":
            return f"CSV, {self.encoding}, {'tab' if self.delimiter == chr(9) else repr(self.delimiter)}"
        return self.format.upper()

    def check_header(self) -> None:
        """The answer column must exist, and either question_id or both question and reference."""
        have = {_key(h) for h in self.header or []}
        cols = self.columns
        missing = [f"'{cols.answer}' (--answer-col)"] if _key(cols.answer) not in have else []
        if _key(cols.question_id) not in have and not (_key(cols.question) in have and _key(cols.reference) in have):
            missing.append(f"'{cols.question_id}' (--question-id-col), or '{cols.question}' and '{cols.reference}'")
        if missing:
            found = ", ".join(repr(h) for h in (self.header or [])[:12]) or "none"
            raise InvalidFile(
                f"no column {' and no column '.join(missing)}; columns found: {found}",
                where=f"{self.path}:1",
                fix="Rename the columns or map them with the column flags (e.g. --answer-col Ответ)",
            )

    def __iter__(self) -> Iterator[Row]:
        if self.format == "csv":
            return self._csv_rows()
        if self.format == "xlsx":
            return self._xlsx_rows()
        return self._jsonl_rows()

    # -- per format --

    def _csv_rows(self) -> Iterator[Row]:
        for mapper, rec, line in self._csv():
            yield mapper.row(rec, f"{self.path}:{line}", line)

    def _csv(self) -> Generator[tuple[_Mapper, list[str], int], None, None]:
        """Each non-blank record with the line it starts on (and the header's mapping), unmapped."""
        with self.path.open(encoding=self.encoding, newline="") as fh:
            reader = csv.reader(fh, delimiter=self.delimiter)
            line = 1
            try:
                header = next(reader, [])
                line = reader.line_num + 1
                mapper = _Mapper(self.columns, header)
                for rec in reader:
                    if any(c.strip() for c in rec):
                        yield mapper, rec, line
                    line = reader.line_num + 1
            except (csv.Error, UnicodeDecodeError) as exc:
                raise InvalidFile(
                    f"cannot read CSV: {exc}",
                    where=f"{self.path}:{line}",
                    fix="Save the file as CSV (UTF-8) again, or pass --encoding",
                ) from None

    def _xlsx_rows(self) -> Generator[Row, None, None]:
        wb, ws = _open_sheet(self.path, self.sheet)
        try:
            values = ws.iter_rows(values_only=True)
            header = [cell_text(v) for v in next(values, ())]
            mapper = _Mapper(self.columns, header)
            for n, rec in enumerate(values, start=2):
                cells = [cell_text(v) for v in rec]
                if any(c.strip() for c in cells):
                    yield mapper.row(cells, f"{self.path}:row {n}", n)
        finally:
            wb.close()

    def row_keys(self) -> Iterator[RowKey]:
        """What a first pass over the rows needs (id, line, question id, question, reference), the same as the
        rows' own fields; for JSONL it skips building the rows (half the cost of reading them)."""
        if self.format != "jsonl":
            for row in self:
                yield RowKey(row.id, row.line, row.question_id, row.question, row.reference)
            return
        yield from self._jsonl(_json_key)

    def lean_rows(self) -> Iterator[LeanRow]:
        """The rows without their extra columns, as tuples: cheaper than `Row`s (no model to build)."""
        return map(self.lean_row, self.raw_rows())

    def raw_rows(self) -> Generator[Any, None, None]:
        """The rows unparsed (a JSONL line, a CSV record), each made a row by `lean_row`: cheap to skip over."""
        if self.format == "csv":
            return self._csv()
        if self.format == "xlsx":
            return self._xlsx_rows()
        return self._jsonl(lambda text, fields, n: (text, n))

    def lean_row(self, raw: Any) -> LeanRow:
        """The row an item of `raw_rows` holds."""
        if self.format == "jsonl":
            text, n = raw
            return _json_lean(text, self._fields, f"{self.path}:{n}", n)
        if self.format == "csv":
            mapper: _Mapper = raw[0]
            return mapper.lean(raw[1], f"{self.path}:{raw[2]}", raw[2])
        r = raw
        return LeanRow(r.where, r.line, r.id, r.candidate, r.question_id, r.question, r.reference, r.answer, r.error)

    def _jsonl_rows(self) -> Iterator[Row]:
        return self._jsonl(lambda text, fields, n: _json_row(text, fields, f"{self.path}:{n}", n))

    @functools.cached_property
    def _fields(self) -> tuple[tuple[str, str], ...]:
        return tuple(self.columns.by_field().items())

    def _jsonl(self, make: Callable[[str, tuple[tuple[str, str], ...], int], _T]) -> Generator[_T, None, None]:
        fields = self._fields
        with self.path.open(encoding=self.encoding, newline="") as fh:
            n = 0
            try:
                for n, text in enumerate(fh, start=1):  # n is read in the except clause
                    if text.strip():
                        yield make(text, fields, n)
            except UnicodeDecodeError as exc:
                raise InvalidFile(
                    f"not {self.encoding} text ({exc.reason})",
                    where=f"{self.path}:{n + 1}",
                    fix="Save the file as UTF-8",
                ) from None


class RowCursor:
    """A source's rows by position, for a reader handed chunks of rows in increasing order (a batch worker, which
    reads its own chunks so that the parent process need not): rows in between are skipped unparsed; a chunk
    before the last one starts the file again."""

    def __init__(self, source: RowSource) -> None:
        self.source = source
        self._raw: Generator[Any, None, None] | None = None
        self._pos = 0  # index of the next row `_raw` yields

    def take(self, start: int, count: int) -> list[LeanRow]:
        """Rows start .. start + count - 1 (counting from 0; fewer at the end of the file)."""
        if self._raw is None or start < self._pos:
            self.close()
            self._raw, self._pos = self.source.raw_rows(), 0
        if start > self._pos:
            next(islice(self._raw, start - self._pos, start - self._pos), None)  # skip, unparsed
        raw = list(islice(self._raw, count))
        self._pos = start + len(raw)
        return [self.source.lean_row(r) for r in raw]

    def close(self) -> None:
        if self._raw is not None:
            self._raw.close()
            self._raw = None


class _Mapper:
    """Turns a record (cells in header order) into a Row using the column mapping."""

    def __init__(self, columns: Columns, header: list[str]) -> None:
        keys = [_key(h) for h in header]
        index = {k: i for i, k in reversed(list(enumerate(keys)))}  # the first of duplicate names wins
        self.fields = {f: index.get(_key(c)) for f, c in columns.by_field().items()}
        used = {i for i in self.fields.values() if i is not None}
        self.extra = [(i, h.strip()) for i, h in enumerate(header) if i not in used and h.strip()]
        self.id_given = self.fields["id"] is not None

    def row(self, rec: list[str], where: str, line: int) -> Row:
        def get(i: int | None) -> str:
            return rec[i] if i is not None and i < len(rec) else ""

        v = {f: get(i) for f, i in self.fields.items()}
        rid = v["id"].strip() if self.id_given else str(line)
        return _make_row(where, line, rid, v, {name: get(i) for i, name in self.extra}, "empty id")

    def lean(self, rec: list[str], where: str, line: int) -> LeanRow:
        """`row` without the extra columns, as a tuple."""
        v = {f: rec[i] if i is not None and i < len(rec) else "" for f, i in self.fields.items()}
        rid = v["id"].strip() if self.id_given else str(line)
        return LeanRow(where, line, rid or f"#{line}", v["candidate"], v["question_id"], v["question"], v["reference"],
                       v["answer"], None if rid else "empty id")  # fmt: skip


def _json_row(text: str, fields: tuple[tuple[str, str], ...], where: str, line: int) -> Row:
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        return Row(where=where, line=line, id=f"#{line}", error=f"not valid JSON ({exc.msg}, column {exc.colno})")
    if not isinstance(obj, dict):
        return Row(where=where, line=line, id=f"#{line}", error="not a JSON object")
    pick, rest = _json_plan(tuple(obj), fields)
    values = {f: "" if k is None else _cell(obj[k]) for f, k in pick}
    extra = {k: _cell(obj[k]) for k in rest}
    return _make_row(where, line, values["id"].strip(), values, extra, "empty or missing id")


def _json_lean(text: str, fields: tuple[tuple[str, str], ...], where: str, line: int) -> LeanRow:
    """`_json_row` without the extra columns, as a tuple."""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        return LeanRow(where, line, f"#{line}", error=f"not valid JSON ({exc.msg}, column {exc.colno})")
    if not isinstance(obj, dict):
        return LeanRow(where, line, f"#{line}", error="not a JSON object")
    v = {f: "" if k is None else _cell(obj[k]) for f, k in _json_plan(tuple(obj), fields)[0]}
    rid = v["id"].strip()
    return LeanRow(where, line, rid or f"#{line}", v["candidate"], v["question_id"], v["question"], v["reference"],
                   v["answer"], None if rid else "empty or missing id")  # fmt: skip


def _json_key(text: str, fields: tuple[tuple[str, str], ...], line: int) -> RowKey:
    """`_json_row`'s id, question id, question and reference, without the rest of the row."""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError:
        return RowKey(f"#{line}", line)
    if not isinstance(obj, dict):
        return RowKey(f"#{line}", line)
    pick = dict(_json_plan(tuple(obj), fields)[0])

    def get(f: str) -> str:
        k = pick[f]
        return "" if k is None else _cell(obj[k])

    return RowKey(get("id").strip() or f"#{line}", line, get("question_id"), get("question"), get("reference"))


@functools.lru_cache(maxsize=256)  # the lines of a file almost always share one set of keys
def _json_plan(
    keys: tuple[str, ...], fields: tuple[tuple[str, str], ...]
) -> tuple[tuple[tuple[str, str | None], ...], tuple[str, ...]]:
    """For a JSON object's keys: the key each field reads (the first matching one; None if absent), and the rest."""
    first: dict[str, str] = {}
    for k in keys:
        first.setdefault(_key(k), k)
    used = {_key(c) for _, c in fields}
    return tuple((f, first.get(_key(c))) for f, c in fields), tuple(k for k in keys if _key(k) not in used)


def _cell(value: Any) -> str:
    return value if value.__class__ is str else cell_text(value)


def _make_row(where: str, line: int, rid: str, v: dict[str, str], extra: dict[str, str], no_id: str) -> Row:
    return Row(  # validating strings is cheaper than model_construct (2.1 against 3.5 us), and checks them
        where=where,
        line=line,
        id=rid or f"#{line}",
        candidate=v["candidate"],
        question_id=v["question_id"],
        question=v["question"],
        reference=v["reference"],
        answer=v["answer"],
        extra=extra,
        error=None if rid else no_id,
    )


@functools.lru_cache(maxsize=4096)
def _key(name: str) -> str:
    return name.strip().lstrip("\ufeff").casefold()


def _decode_sample(head: bytes, encoding: str, path: Path) -> str:
    try:
        return codecs.getincrementaldecoder(encoding)().decode(head, final=False)
    except (UnicodeDecodeError, LookupError) as exc:
        raise InvalidFile(
            f"cannot decode as {encoding}: {exc}", where=str(path), fix="Pass --encoding (utf-8, cp1251, ...)"
        ) from None


def _csv_header(sample: str, delimiter: str, path: Path) -> list[str]:
    try:
        header = next(csv.reader(io.StringIO(sample), delimiter=delimiter), None)
    except csv.Error as exc:
        raise InvalidFile(f"cannot read the CSV header: {exc}", where=f"{path}:1") from None
    if not header:
        raise InvalidFile(
            "the file is empty (no header row)",
            where=str(path),
            fix="The first row must name the columns: id, candidate, question_id, answer ...",
        )
    return header


def _open_sheet(path: Path, sheet: str | None) -> tuple[Any, Any]:
    import openpyxl  # only XLSX input needs it

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError and its own errors for a broken file
        raise InvalidFile(
            f"cannot open as XLSX: {exc}", where=str(path), fix="Save it again from Excel as .xlsx"
        ) from None
    if sheet is None:
        return wb, wb.worksheets[0]
    if sheet not in wb.sheetnames:
        wb.close()
        raise NotFound(f"no sheet '{sheet}'", where=str(path), fix=f"Sheets: {', '.join(wb.sheetnames)}")
    return wb, wb[sheet]


def _xlsx_header(path: Path, sheet: str | None) -> list[str]:
    wb, ws = _open_sheet(path, sheet)
    try:
        first = next(ws.iter_rows(values_only=True, max_row=1), ())
    finally:
        wb.close()
    header = [cell_text(v) for v in first]
    if not any(h.strip() for h in header):
        raise InvalidFile(
            "the first row is empty (no header row)",
            where=f"{path}:row 1",
            fix="The first row must name the columns: id, candidate, question_id, answer ...",
        )
    return header
