"""SQLite files that belong to the grader (quiz history, LLM reply cache), recognised by a marker.

Each kind has its own SQLite `application_id`, written when the grader creates the file. A file is opened as a
grader file only when it carries that id, or (made by an older grader, before the id) when it holds nothing but
the grader's own tables; then it is stamped. Anything else (another application's database, an empty or damaged
file) is refused with a message that names the file and the fix, and is never written.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from grader.errors import GraderError, InvalidFile

HISTORY_ID = 0x47524831  # "GRH1"
CACHE_ID = 0x47524331  # "GRC1"
_HEADER = b"SQLite format 3\x00"


def connect(path: Path, *, app_id: int, tables: set[str], what: str, fix: str, timeout: float = 5.0,
            shared: bool = False) -> sqlite3.Connection:  # fmt: skip
    """Open the grader file `path` of the kind `app_id` (creating it when missing), whose own tables are `tables`;
    `shared`: used from several threads, in autocommit mode. Raises `InvalidFile` for a file that is not one,
    `GraderError` for one that is locked or cannot be read."""
    existed = path.exists()
    if existed:
        _check_header(path, what, fix)
    try:
        if shared:
            conn = sqlite3.connect(path, timeout=timeout, check_same_thread=False, isolation_level=None)
        else:
            conn = sqlite3.connect(path, timeout=timeout)
    except sqlite3.Error as exc:
        raise db_error(exc, path, what, fix) from None
    try:
        found: int = conn.execute("PRAGMA application_id").fetchone()[0]
        if found != app_id:
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")}
            if found != 0 or not names <= tables or (existed and not names):
                raise InvalidFile(f"not a {what} (another application's database)", where=str(path), fix=fix)
            conn.execute(f"PRAGMA application_id = {app_id}")  # new, or made by a grader before the marker
    except sqlite3.Error as exc:
        conn.close()
        raise db_error(exc, path, what, fix) from None
    except GraderError:
        conn.close()
        raise
    return conn


def _check_header(path: Path, what: str, fix: str) -> None:
    if not path.is_file():
        raise InvalidFile(f"not a file, so not a {what}", where=str(path), fix=fix)
    try:
        with path.open("rb") as fh:
            head = fh.read(len(_HEADER))
    except OSError as exc:
        raise GraderError(f"cannot read the {what} ({exc.strerror})", where=str(path), fix=fix) from None
    if head != _HEADER:
        problem = "the file is empty" if not head else "not an SQLite database"
        raise InvalidFile(f"{problem}, so not a {what}", where=str(path), fix=fix)


def db_error(exc: sqlite3.Error, path: Path, what: str, fix: str) -> GraderError:
    """An SQLite error as one line: locked, full or read-only are said as such; anything else is damage."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return GraderError(f"the {what} is locked by another program", where=str(path),
                           fix="Wait for it to finish, or close the program holding it")  # fmt: skip
    if "full" in text or "readonly" in text or "read-only" in text or "unable to open" in text or "I/O" in text:
        return GraderError(f"cannot use the {what} ({text})", where=str(path),
                           fix="Check the disk space and permissions, or pass another path")  # fmt: skip
    return InvalidFile(f"the {what} is damaged ({text})", where=str(path), fix=fix)
