"""Limits on what an input may hold, so that a small hostile file cannot make the grader hang or eat memory.

Each limit has a default below and an environment variable that raises (or lowers) it; hitting one is a
`GraderError` (or, for one row of a batch, an error row) that names the file and the limit:

| limit                                   | default     | variable                    |
|-----------------------------------------|-------------|-----------------------------|
| characters in one answer                | 1,000,000   | GRADER_MAX_ANSWER_CHARS     |
| bytes in one input row (a line, record) | 8 MB        | GRADER_MAX_ROW_BYTES        |
| YAML aliases in one file                | 100         | GRADER_MAX_YAML_ALIASES     |
| YAML nodes in one file, aliases expanded| 200,000     | GRADER_MAX_YAML_NODES       |
| XLSX uncompressed size                  | 200 MB      | GRADER_MAX_XLSX_BYTES       |
| XLSX columns in a sheet                 | 1,000       | GRADER_MAX_XLSX_COLUMNS     |
| bytes in a question, rubric, export ... | 64 MB       | GRADER_MAX_FILE_BYTES       |

JSON nesting is bounded by the interpreter's recursion limit and integers by its digit limit: both are caught
and reported as a bad row.
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from typing import IO, Any

from grader.errors import GraderError, InvalidFile, NotFound

DEFAULTS = {
    "GRADER_MAX_ANSWER_CHARS": 1_000_000,
    "GRADER_MAX_ROW_BYTES": 8 * 1024 * 1024,
    "GRADER_MAX_YAML_ALIASES": 100,
    "GRADER_MAX_YAML_NODES": 200_000,
    "GRADER_MAX_XLSX_BYTES": 200 * 1024 * 1024,
    "GRADER_MAX_XLSX_COLUMNS": 1_000,
    "GRADER_MAX_FILE_BYTES": 64 * 1024 * 1024,
}


@functools.cache  # read once per process: it is asked for every row
def limit(name: str) -> int:
    """The limit `name` (a key of `DEFAULTS`): from the environment when set to a positive integer."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return DEFAULTS[name]
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value <= 0:
        raise GraderError(f"{name}={raw!r} is not a positive whole number", fix=f"Set {name} to e.g. {DEFAULTS[name]}")
    return value


def too_big(what: str, size: int, name: str) -> str:
    """The message for `what` over the limit `name`."""
    return f"{what} is too large (at least {size:,}; the limit is {limit(name):,}, raised with {name})"


# --- JSON ---------------------------------------------------------------------------------------------------------


def json_loads(text: str | bytes) -> Any:
    """`json.loads` that raises only `ValueError`: nesting past the recursion limit and integers past the digit
    limit (which Python raises as other errors, or as a ValueError with another message) included."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("nested too deeply") from None


def json_problem(exc: ValueError) -> str:
    """A short description of why `json_loads` failed."""
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg}, column {exc.colno}"
    return str(exc).split(";")[0].split(": ")[0]


# --- XLSX and streams ---------------------------------------------------------------------------------------------


def check_xlsx(path: Path) -> None:
    """Refuse an XLSX whose parts would unpack to more than the limit (a zip bomb), before anything unpacks it."""
    import zipfile  # here: only XLSX input needs it, not every start-up

    try:
        with zipfile.ZipFile(path) as zf:
            total = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InvalidFile(f"cannot open as XLSX: {exc}", where=str(path),
                          fix="Save it again from Excel as .xlsx") from None  # fmt: skip
    if total > limit("GRADER_MAX_XLSX_BYTES"):
        raise InvalidFile(too_big("the unpacked workbook", total, "GRADER_MAX_XLSX_BYTES"), where=str(path))


def read_file(path: Path, what: str = "file") -> bytes:
    """The bytes of a regular file of at most GRADER_MAX_FILE_BYTES: a folder, a device or a pipe is refused
    (a device such as /dev/zero never ends), and so is a missing file, each with its own message."""
    regular_file(path, what)
    try:
        with path.open("rb") as fh:
            return read_bounded(fh, limit("GRADER_MAX_FILE_BYTES"), str(path), "GRADER_MAX_FILE_BYTES")
    except OSError as exc:
        raise InvalidFile(f"cannot read: {exc.strerror or exc}", where=str(path)) from None


def regular_file(path: Path, what: str = "file", fix: str | None = None) -> None:
    """Refuse `path` unless it is a regular file: a folder, a missing file and a device or pipe each say so."""
    if path.is_dir():
        raise InvalidFile(f"is a folder, not a {what}", where=str(path), fix=f"Give the path of a {what}")
    if not path.exists():
        raise NotFound("no such file", where=str(path), fix=fix or f"Check the path of the {what}")
    if not path.is_file():
        raise InvalidFile(f"not a regular file (a device, pipe or socket), not a {what}", where=str(path))


def read_bounded(stream: IO[bytes], max_bytes: int, where: str, name: str) -> bytes:
    """At most `max_bytes` from `stream`; more is refused without reading on (an endless pipe cannot fill memory)."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InvalidFile(f"the input is longer than {max_bytes:,} bytes (raise the limit with {name})", where=where)
    return data


def cores() -> int:
    """The processor cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
