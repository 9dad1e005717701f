"""Reading the pieces of an input file: its format, encoding and delimiter, its header, and one record as a row."""

from __future__ import annotations

import codecs
import csv
import functools
import io
from pathlib import Path
from typing import Any, Literal

from grader.errors import InvalidFile, NotFound
from grader.limits import check_xlsx, json_loads, json_problem, limit, too_big
from grader.tables.row import Columns, LeanRow, Row, RowKey, cell_text

Format = Literal["csv", "jsonl", "xlsx"]
ROW, ANSWER, COLUMNS = "GRADER_MAX_ROW_BYTES", "GRADER_MAX_ANSWER_CHARS", "GRADER_MAX_XLSX_COLUMNS"
DELIMITERS = (",", ";", "\t")
# Big cells (a 100 KB answer) must not stop a batch (Python's default limit is 128 KB per field); a bigger one is
# an error row, so that an unterminated quote cannot take the rest of the file into memory.
csv.field_size_limit(limit(ROW))
# A JSONL line longer than the row limit, read no further than the limit: it stands for the whole line.
TOO_LONG = "\x00too long"


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
    """`utf-8-sig`/`utf-16` for a BOM, `utf-8` when the sample decodes as UTF-8, else charset-normalizer's guess.

    charset-normalizer ranks encodings by how much mess and how much language their decoding makes; several often
    tie on a short sample (cp1250 and cp1252 decode "Jörg" alike, "à" differently), so among the tied best the
    most widely used encoding wins (`COMMON`). No byte pattern it can read (binary data) leaves UTF-8, which
    then fails to decode with a clear error."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" not in head:  # NUL bytes decode as UTF-8 too, but in a text file they mean UTF-16 without a BOM
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head, final=False)  # a cut multibyte char at the end is fine
        except UnicodeDecodeError:
            pass
        else:
            return "utf-8"
    return _guess_encoding(head)


# The most used single-byte encodings for the grader's languages (Western Europe, Cyrillic), most used first.
COMMON = ("cp1252", "cp1251", "iso8859_15", "latin_1", "koi8_r", "mac_roman", "mac_cyrillic", "cp866", "iso8859_5")


def _guess_encoding(head: bytes) -> str:
    from charset_normalizer import from_bytes  # imported here: most files are UTF-8 and never need it

    results = from_bytes(head)
    best = results.best()
    if best is None:
        return "utf-8"
    tied = {name for m in results if (m.chaos, m.coherence) == (best.chaos, best.coherence)
            for name in (m.encoding, *m.could_be_from_charset)}  # fmt: skip
    return next((name for name in COMMON if name in tied), best.encoding)


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


class Mapper:
    """Turns a record (cells in header order) into a Row using the column mapping."""

    def __init__(self, columns: Columns, header: list[str]) -> None:
        keys = [key(h) for h in header]
        index = {k: i for i, k in reversed(list(enumerate(keys)))}  # the first of duplicate names wins
        self.fields = {f: index.get(key(c)) for f, c in columns.by_field().items()}
        used = {i for i in self.fields.values() if i is not None}
        self.extra = [(i, h.strip()) for i, h in enumerate(header) if i not in used and h.strip()]
        self.id_given = self.fields["id"] is not None

    def row(self, rec: list[str] | str, where: str, line: int) -> Row:
        if isinstance(rec, str):  # the record could not be read: `rec` says why
            return Row(where=where, line=line, id=f"#{line}", error=rec)

        def get(i: int | None) -> str:
            return rec[i] if i is not None and i < len(rec) else ""

        v = {f: get(i) for f, i in self.fields.items()}
        rid = v["id"].strip() if self.id_given else str(line)
        return make_row(where, line, rid, v, {name: get(i) for i, name in self.extra}, "empty id")

    def lean(self, rec: list[str] | str, where: str, line: int) -> LeanRow:
        """`row` as a tuple."""
        if isinstance(rec, str):
            return LeanRow(where, line, f"#{line}", error=rec)
        width = len(rec)
        v = {f: rec[i] if i is not None and i < width else "" for f, i in self.fields.items()}
        rid = v["id"].strip() if self.id_given else str(line)
        extra = tuple({name: rec[i] if i < width else "" for i, name in self.extra}.items()) if self.extra else ()
        return LeanRow(where, line, rid or f"#{line}", v["candidate"], v["question_id"], v["question"], v["reference"],
                       v["answer"], row_error(rid, v["answer"], "empty id"), extra)  # fmt: skip

    def extra_names(self) -> list[str]:
        """The names of the extra columns, each once, in column order."""
        return list(dict.fromkeys(name for _, name in self.extra))


def json_object(text: str) -> dict[str, Any] | str:
    """A JSONL line's object, or why there is none."""
    if text is TOO_LONG:
        return f"the line {line_too_long()}"
    try:
        obj = json_loads(text)
    except ValueError as exc:
        return f"not valid JSON ({json_problem(exc)})"
    return obj if isinstance(obj, dict) else "not a JSON object"


def line_too_long() -> str:
    """What is wrong with a line over the row limit, after "line N" or "the line"."""
    return f"is longer than {limit(ROW):,} characters (raise the limit with {ROW})"


def row_error(rid: str, answer: str, no_id: str) -> str | None:
    """What is wrong with a row as a whole: no id, or an answer over the limit."""
    if not rid:
        return no_id
    return too_big("the answer", len(answer), ANSWER) if len(answer) > limit(ANSWER) else None


def json_row(text: str, fields: tuple[tuple[str, str], ...], where: str, line: int) -> Row:
    obj = json_object(text)
    if isinstance(obj, str):
        return Row(where=where, line=line, id=f"#{line}", error=obj)
    pick, rest = json_plan(tuple(obj), fields)
    values = {f: "" if k is None else cell(obj[k]) for f, k in pick}
    extra = {k: cell(obj[k]) for k in rest}
    return make_row(where, line, _json_id(dict(pick)["id"], values["id"], line), values, extra, "empty id")


def _json_id(key: str | None, value: str, line: int) -> str:
    """A JSON object's id: the `value` of its id field (`key`), or its line number when it has none (as rows of a
    file without an id column are numbered); an id field that is there but empty is no id."""
    return value.strip() if key is not None else str(line)


def json_lean(text: str, fields: tuple[tuple[str, str], ...], where: str, line: int) -> LeanRow:
    """`json_row` as a tuple."""
    obj = json_object(text)
    if isinstance(obj, str):
        return LeanRow(where, line, f"#{line}", error=obj)
    pick, rest = json_plan(tuple(obj), fields)
    v = {f: "" if k is None else cell(obj[k]) for f, k in pick}
    rid = _json_id(dict(pick)["id"], v["id"], line)
    return LeanRow(where, line, rid or f"#{line}", v["candidate"], v["question_id"], v["question"], v["reference"],
                   v["answer"], row_error(rid, v["answer"], "empty id"),
                   tuple((k, cell(obj[k])) for k in rest))  # fmt: skip


def json_extra_names(sample: str, fields: tuple[tuple[str, str], ...]) -> list[str]:
    """The extra fields of the objects on the complete lines of `sample` (a file's first bytes), in order."""
    names: dict[str, None] = {}
    for text in sample.splitlines(keepends=True):
        if text.endswith("\n") and isinstance(obj := json_object(text), dict):
            names.update(dict.fromkeys(json_plan(tuple(obj), fields)[1]))
    return list(names)


def json_key(text: str, fields: tuple[tuple[str, str], ...], line: int) -> RowKey:
    """`json_row`'s id, question id, question and reference, without the rest of the row."""
    obj = json_object(text)
    if isinstance(obj, str):
        return RowKey(f"#{line}", line)
    pick = dict(json_plan(tuple(obj), fields)[0])

    def get(f: str) -> str:
        k = pick[f]
        return "" if k is None else cell(obj[k])

    rid = _json_id(pick["id"], get("id"), line)
    return RowKey(rid or f"#{line}", line, get("question_id"), get("question"), get("reference"))


@functools.lru_cache(maxsize=256)  # the lines of a file almost always share one set of keys
def json_plan(
    keys: tuple[str, ...], fields: tuple[tuple[str, str], ...]
) -> tuple[tuple[tuple[str, str | None], ...], tuple[str, ...]]:
    """For a JSON object's keys: the key each field reads (the first matching one; None if absent), and the rest."""
    first: dict[str, str] = {}
    for k in keys:
        first.setdefault(key(k), k)
    used = {key(c) for _, c in fields}
    return tuple((f, first.get(key(c))) for f, c in fields), tuple(k for k in keys if key(k) not in used)


def cell(value: Any) -> str:
    return value if value.__class__ is str else cell_text(value)


def make_row(where: str, line: int, rid: str, v: dict[str, str], extra: dict[str, str], no_id: str) -> Row:
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
        error=row_error(rid, v["answer"], no_id),
    )


@functools.lru_cache(maxsize=4096)
def key(name: str) -> str:
    return name.strip().lstrip("\ufeff").casefold()


def decode_sample(head: bytes, encoding: str, path: Path) -> str:
    try:
        return codecs.getincrementaldecoder(encoding)().decode(head, final=False)
    except (UnicodeDecodeError, LookupError) as exc:
        raise InvalidFile(
            f"cannot decode as {encoding}: {exc}", where=str(path), fix="Pass --encoding (utf-8, cp1251, ...)"
        ) from None


def csv_header(sample: str, delimiter: str, path: Path) -> list[str]:
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


def open_sheet(path: Path, sheet: str | None) -> tuple[Any, Any]:
    import openpyxl  # only XLSX input needs it

    check_xlsx(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError and its own errors for a broken file
        raise InvalidFile(
            f"cannot open as XLSX: {exc}", where=str(path), fix="Save it again from Excel as .xlsx"
        ) from None
    if sheet is not None and sheet not in wb.sheetnames:
        wb.close()
        raise NotFound(f"no sheet '{sheet}'", where=str(path), fix=f"Sheets: {', '.join(wb.sheetnames)}")
    ws = wb.worksheets[0] if sheet is None else wb[sheet]
    columns = _declared_columns(ws)
    if columns > limit(COLUMNS):
        wb.close()
        raise InvalidFile(too_big("the sheet's width in columns", columns, COLUMNS), where=str(path),
                          fix="Delete the far cells (Ctrl+End shows the last one) and save again")  # fmt: skip
    return wb, ws


def _declared_columns(ws: Any) -> int:
    try:
        return int(ws.max_column or 0)
    except Exception:  # openpyxl computes it from a dimension element that a hand-made file may spell oddly
        return 0


def header_cells(ws: Any) -> list[str]:
    """The first row of a sheet as text, up to its last non-empty cell (and no wider than the column limit)."""
    first = next(ws.iter_rows(values_only=True, max_row=1, max_col=limit(COLUMNS)), ())
    header = [cell_text(v) for v in first]
    while header and not header[-1].strip():
        header.pop()
    return header


def xlsx_header(path: Path, sheet: str | None) -> list[str]:
    wb, ws = open_sheet(path, sheet)
    try:
        header = header_cells(ws)
    finally:
        wb.close()
    if not any(h.strip() for h in header):
        raise InvalidFile(
            "the first row is empty (no header row)",
            where=f"{path}:row 1",
            fix="The first row must name the columns: id, candidate, question_id, answer ...",
        )
    return header
