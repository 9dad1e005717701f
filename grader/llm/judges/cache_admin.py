"""`grader cache info|clear`: what the judge-reply cache holds, and emptying it (all of it, or older entries).

Reads the same SQLite file as `ReplyCache` (`default_cache_path()`), but never creates it: asking about a cache
that does not exist yet says so.
"""

from __future__ import annotations

import math
import sqlite3
import time
from pathlib import Path

from grader.errors import InvalidFile
from grader.models import Model


class CacheInfo(Model):
    """The cache file and what is in it; times are Unix seconds."""

    path: str
    exists: bool
    bytes: int = 0
    entries: int = 0
    oldest: float | None = None
    newest: float | None = None
    by_judge: dict[str, int] = {}


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=30, isolation_level=None)
    try:
        db.execute("SELECT key, judge, created FROM replies LIMIT 1").fetchall()
    except sqlite3.DatabaseError:
        db.close()
        raise InvalidFile("not a grader LLM cache", where=str(path),
                          fix="Point GRADER_CACHE_DIR at another folder, or delete the file") from None  # fmt: skip
    return db


def cache_info(path: Path) -> CacheInfo:
    """Size, number of replies, oldest and newest, and replies per judge (model and server)."""
    if not path.is_file():
        return CacheInfo(path=str(path), exists=False)
    db = _connect(path)
    try:
        entries, oldest, newest = db.execute("SELECT count(*), min(created), max(created) FROM replies").fetchone()
        judges = db.execute("SELECT judge, count(*) FROM replies GROUP BY judge ORDER BY count(*) DESC").fetchall()
    finally:
        db.close()
    size = sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.is_file())
    return CacheInfo(path=str(path), exists=True, bytes=size, entries=entries, oldest=oldest, newest=newest,
                     by_judge={str(j): n for j, n in judges})  # fmt: skip


def clear_cache(path: Path, older_than: float | None = None, now: float | None = None) -> int:
    """Delete every reply, or those stored more than `older_than` seconds ago; how many were deleted."""
    if not path.is_file():
        return 0
    db = _connect(path)
    try:
        if older_than is None:
            gone = db.execute("DELETE FROM replies").rowcount
        else:
            cutoff = (time.time() if now is None else now) - older_than
            gone = db.execute("DELETE FROM replies WHERE created < ?", (cutoff,)).rowcount
        db.execute("VACUUM")  # give the space back: a cache is cleared to save disk
    finally:
        db.close()
    return int(gone)


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_age(text: str) -> float:
    """'30d', '12h', '2w', '90m', '45s' -> seconds; anything else is an error saying what is accepted."""
    value, unit = text.strip()[:-1], text.strip()[-1:].lower()
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if unit not in _UNITS or not 0 <= number < math.inf:  # "nan" and "inf" are floats too
        raise InvalidFile(f"not an age: {text!r}", where="--older-than",
                          fix="Give a number and a unit: 45s, 90m, 12h, 30d or 2w")  # fmt: skip
    return number * _UNITS[unit]
