"""Input rows for batch jobs: CSV, JSONL and XLSX read one row at a time, in named columns.

    source = RowSource.open("answers.csv", Columns(answer="Ответ"))   # header checked here, up front
    for row in source:                                                  # streaming: memory flat in rows
        row.id, row.candidate, row.question_id, row.answer, row.extra["score"], row.where  # "answers.csv:12"

CSV encoding and delimiter are sniffed as spreadsheets write them: UTF-8 (with or without BOM), UTF-16 with BOM
(Excel's "Unicode text"), else guessed by charset-normalizer (cp1251 from Russian Excel, cp1252 from German...);
`,`, `;` or tab. Column names match ignoring
case and surrounding spaces; columns not mapped to a field are kept in `Row.extra` (e.g. a human `score`).

A problem with the file as a whole (missing, undecodable, no answer column) raises `InvalidFile`/`NotFound`
naming the file; a problem with one row (a JSONL line that is not an object, a missing id) becomes
`Row.error`, so a job can record it and go on.
"""

from __future__ import annotations

import codecs
import csv
import functools
from collections.abc import Callable, Generator, Iterator
from itertools import islice
from pathlib import Path
from typing import Any, TextIO, TypeVar

from grader.errors import InvalidFile, NotFound
from grader.limits import limit
from grader.tables.parse import (
    ROW,
    TOO_LONG,
    Format,
    Mapper,
    csv_header,
    decode_sample,
    detect_format,
    header_cells,
    json_extra_names,
    json_key,
    json_lean,
    json_row,
    key,
    line_too_long,
    open_sheet,
    sniff_delimiter,
    sniff_encoding,
    xlsx_header,
)
from grader.tables.row import Columns, LeanRow, Row, RowKey, cell_text

_SAMPLE = 64 * 1024
_T = TypeVar("_T")


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
        if p.is_dir():
            raise InvalidFile("is a folder, not a file of rows", where=str(p), fix="Give a CSV, JSONL or XLSX file")
        if not p.exists():
            raise NotFound("no such file", where=str(p), fix="Check the input path")
        if not p.is_file():
            raise InvalidFile("not a regular file (a device, pipe or socket)", where=str(p),
                              fix="Save the rows to a file first")  # fmt: skip
        with p.open("rb") as fh:
            head = fh.read(_SAMPLE)
        chosen = fmt or detect_format(p, head)
        src = cls(p, chosen, columns or Columns(), sheet=sheet)
        if chosen == "csv":
            src.encoding = encoding or sniff_encoding(head)
            sample = decode_sample(head, src.encoding, p)
            src.delimiter = delimiter or sniff_delimiter(sample)
            src.header = csv_header(sample, src.delimiter, p)
        elif chosen == "xlsx":
            src.header = xlsx_header(p, sheet)
        else:
            src.encoding = encoding or "utf-8-sig"
            try:
                codecs.lookup(src.encoding)
            except LookupError:
                raise InvalidFile(f"unknown encoding {src.encoding!r}", where=str(p),
                                  fix="Pass --encoding (utf-8, cp1251, ...)") from None  # fmt: skip
        if src.header is not None:
            src.check_header()
        return src

    def extra_columns(self) -> list[str]:
        """The input's columns not mapped to a row field, which batch outputs carry along: a CSV or XLSX file's
        from its header; a JSONL file's from the objects in its first 64 KB (later rows keep theirs in
        `LeanRow.extra` too)."""
        if self.header is not None:
            return Mapper(self.columns, self.header).extra_names()
        with self.path.open("rb") as fh:
            head = fh.read(_SAMPLE)
        sample = codecs.getincrementaldecoder(self.encoding or "utf-8-sig")(errors="replace").decode(head, final=False)
        return json_extra_names(sample, self._fields)

    def describe(self) -> str:
        """E.g. "CSV, cp1251, ';'" — what was sniffed, for messages."""
        if self.format == "csv":
            return f"CSV, {self.encoding}, {'tab' if self.delimiter == chr(9) else repr(self.delimiter)}"
        return self.format.upper()

    def check_header(self) -> None:
        """The answer column must exist, and either question_id or both question and reference."""
        have = {key(h) for h in self.header or []}
        cols = self.columns
        missing = [f"'{cols.answer}' (--answer-col)"] if key(cols.answer) not in have else []
        if key(cols.question_id) not in have and not (key(cols.question) in have and key(cols.reference) in have):
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

    def _csv(self) -> Generator[tuple[Mapper, list[str] | str, int], None, None]:
        """Each non-blank record with the line it starts on (and the header's mapping), unmapped. A record that
        does not parse cleanly (a stray or unterminated quote, more fields than the header) comes as a string
        saying why, so that it becomes an error row instead of being merged silently into its neighbours."""
        with self.path.open(encoding=self.encoding, newline="") as fh:
            long_lines: list[int] = []
            reader = csv.reader(_bounded_lines(fh, limit(ROW), long_lines), delimiter=self.delimiter, strict=True)
            line = 1
            try:
                header = next(reader, [])
                line = reader.line_num + 1
                mapper = Mapper(self.columns, header)
                width = len(header)
                while True:
                    try:
                        rec: list[str] | str = next(reader)
                    except StopIteration:
                        break
                    except csv.Error as exc:
                        rec = _csv_problem(exc, line, reader.line_num)
                    if long_lines:
                        rec = f"line {long_lines[0]} {line_too_long()}"
                        long_lines.clear()
                    if isinstance(rec, str) or any(c.strip() for c in rec):
                        yield mapper, _too_wide(rec, width), line
                    line = reader.line_num + 1
            except UnicodeDecodeError as exc:
                raise InvalidFile(
                    f"cannot read CSV: {exc}",
                    where=f"{self.path}:{line}",
                    fix="Save the file as CSV (UTF-8) again, or pass --encoding",
                ) from None

    def _xlsx_rows(self) -> Generator[Row, None, None]:
        wb, ws = open_sheet(self.path, self.sheet)
        try:
            header = header_cells(ws)
            mapper = Mapper(self.columns, header)
            # Cells right of the header are read no further: a far cell cannot make every row that wide.
            rows = ws.iter_rows(min_row=2, max_col=max(len(header), 1), values_only=True)
            for n, rec in enumerate(rows, start=2):
                if all(v is None for v in rec):
                    continue
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
        yield from self._jsonl(json_key)

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
            return json_lean(text, self._fields, f"{self.path}:{n}", n)
        if self.format == "csv":
            mapper: Mapper = raw[0]
            return mapper.lean(raw[1], f"{self.path}:{raw[2]}", raw[2])
        r = raw
        return LeanRow(r.where, r.line, r.id, r.candidate, r.question_id, r.question, r.reference, r.answer, r.error,
                       tuple(r.extra.items()))  # fmt: skip

    def _jsonl_rows(self) -> Iterator[Row]:
        return self._jsonl(lambda text, fields, n: json_row(text, fields, f"{self.path}:{n}", n))

    @functools.cached_property
    def _fields(self) -> tuple[tuple[str, str], ...]:
        return tuple(self.columns.by_field().items())

    def _jsonl(self, make: Callable[[str, tuple[tuple[str, str], ...], int], _T]) -> Generator[_T, None, None]:
        fields, most = self._fields, limit(ROW)
        with self.path.open(encoding=self.encoding, newline="") as fh:
            n = 0
            try:
                for n, text in enumerate(iter(lambda: fh.readline(most + 1), ""), start=1):  # n read in except
                    if len(text) > most:
                        while (rest := fh.readline(most)) and not rest.endswith("\n"):
                            pass  # the rest of the line, read in pieces and dropped
                        text = TOO_LONG
                    if text.strip():
                        yield make(text, fields, n)
            except UnicodeDecodeError as exc:
                raise InvalidFile(
                    f"not {self.encoding} text ({exc.reason})",
                    where=f"{self.path}:{n + 1}",
                    fix="Save the file as UTF-8",
                ) from None


def _bounded_lines(fh: TextIO, most: int, long_lines: list[int]) -> Iterator[str]:
    """The lines of `fh`, none read whole past `most` characters: such a line is dropped (a blank line stands for
    it, so line numbers hold) and its number noted in `long_lines` for the record it was part of."""
    n = 0
    while text := fh.readline(most + 1):
        n += 1
        if len(text) > most and not text.endswith("\n"):
            while (rest := fh.readline(most)) and not rest.endswith("\n"):
                pass
            long_lines.append(n)
            text = "\n"
        yield text


def _csv_problem(exc: csv.Error, first: int, last: int) -> str:
    span = f"lines {first}-{last}" if last > first else f"line {first}"
    if "field larger than field limit" in str(exc):
        return f"a cell of the CSV record on {span} is larger than {limit(ROW):,} bytes (raise it with {ROW})"
    return f"the CSV record on {span} does not parse ({exc}): a stray or unterminated quote?"


def _too_wide(rec: list[str] | str, width: int) -> list[str] | str:
    """`rec`, or why it is refused: more non-empty fields than the header names (a stray delimiter or quote)."""
    if isinstance(rec, str) or len(rec) <= width or not any(c.strip() for c in rec[width:]):
        return rec
    return f"{len(rec)} fields where the header has {width}: a stray delimiter or quote?"


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


