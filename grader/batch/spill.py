"""Bounded memory for a batch's per-candidate summary state: past `LIMIT` entries, the rest goes to a scratch file.

A batch's summary keeps a small record per candidate (their question scores, blank and failed questions, errors),
and sorts the candidates at the end. Held in dicts, that grows with the number of candidates; here a `SpillMap`
keeps at most `LIMIT` records in memory and, past that, writes them to a scratch SQLite file in OUT (`Spill`), read
back when a record is asked for again; a `Sorter` sorts in memory up to `LIMIT` items and in that file past it.

The scratch file is no state of the batch: it is made anew by every run (a resumed run feeds the rows of
grades.jsonl.part to the summary again) and removed when the summary is written.
"""

from __future__ import annotations

import pickle
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

LIMIT = 20_000  # records (candidates) a map holds in memory, items a sort holds in memory
SCRATCH = ".grader-batch-summary.sqlite"
_MISSING = object()


def name_key(text: str) -> bytes:
    """A text as SQLite compares it in code-point order, as Python does (lone surrogates kept, in their place)."""
    return text.encode("utf-8", "surrogatepass")


class Spill:
    """The scratch SQLite file, made (anew) on first use; `close` removes it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._tables = 0

    def connection(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.unlink(missing_ok=True)  # a killed run's
            conn = sqlite3.connect(self.path)
            for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-4096", "temp_store=FILE"):
                conn.execute(f"PRAGMA {pragma}")  # scratch: rebuilt from grades.jsonl by any later run
            self._conn = conn
        return self._conn

    def table(self, columns: str) -> str:
        """A new table with these columns; its name."""
        self._tables += 1
        name = f"t{self._tables}"
        self.connection().execute(f"CREATE TABLE {name} ({columns})")
        return name

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        self.path.unlink(missing_ok=True)


class SpillMap:
    """A map from text to a picklable value, in insertion order, that keeps at most `limit` entries in memory when
    given a `Spill` (all of them without one). A value read is a copy when it came from the file: store it again
    (`m[key] = value`) after changing it."""

    def __init__(self, spill: Spill | None = None, limit: int | None = None) -> None:
        self.spill, self.limit = spill, LIMIT if limit is None else limit
        self.mem: dict[str, Any] = {}
        self.table = ""  # set once entries are in the file
        self._seq = 0

    def get(self, key: str, default: Any = None) -> Any:
        value = self.mem.get(key, _MISSING)
        if value is not _MISSING:
            return value
        if self.table:
            assert self.spill is not None
            sql = f"SELECT v FROM {self.table} WHERE k = ?"
            row = self.spill.connection().execute(sql, (name_key(key),)).fetchone()
            if row is not None:
                return pickle.loads(row[0])
        return default

    def __setitem__(self, key: str, value: Any) -> None:
        self.mem[key] = value
        if self.spill is not None and len(self.mem) > self.limit:
            self.flush()

    def flush(self) -> None:
        """Write the entries held in memory to the file (first ones keep their place in the order)."""
        if not self.mem or self.spill is None:
            return
        conn = self.spill.connection()
        if not self.table:
            self.table = self.spill.table("k BLOB PRIMARY KEY, seq INTEGER, v BLOB")
        start, self._seq = self._seq, self._seq + len(self.mem)
        rows = ((name_key(k), start + i, pickle.dumps(v, pickle.HIGHEST_PROTOCOL)) for i, (k, v) in
                enumerate(self.mem.items()))  # fmt: skip
        conn.executemany(f"INSERT INTO {self.table} VALUES (?, ?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v",
                         rows)  # fmt: skip
        conn.commit()
        self.mem.clear()

    def items(self) -> Iterator[tuple[str, Any]]:
        """Every entry, in the order keys were first stored."""
        if not self.table:
            yield from self.mem.items()
            return
        self.flush()
        assert self.spill is not None
        for k, v in self.spill.connection().execute(f"SELECT k, v FROM {self.table} ORDER BY seq"):
            yield k.decode("utf-8", "surrogatepass"), pickle.loads(v)

    def __len__(self) -> int:
        if not self.table:
            return len(self.mem)
        self.flush()
        assert self.spill is not None
        return int(self.spill.connection().execute(f"SELECT count(*) FROM {self.table}").fetchone()[0])


Key = tuple[float, float, str]  # what a `Sorter` orders by: two numbers, then a text in code-point order


class Sorter:
    """Items sorted by a `Key`, in memory up to `limit` items and in the `Spill` file past that."""

    def __init__(self, spill: Spill | None = None, limit: int | None = None) -> None:
        self.spill, self.limit = spill, LIMIT if limit is None else limit
        self.mem: list[tuple[Key, Any]] = []
        self.table = ""
        self.count = 0

    def add(self, key: Key, item: Any) -> None:
        self.mem.append((key, item))
        self.count += 1
        if self.spill is not None and len(self.mem) > self.limit:
            self._flush()

    def _flush(self) -> None:
        assert self.spill is not None
        conn = self.spill.connection()
        if not self.table:
            self.table = self.spill.table("a REAL, b REAL, c BLOB, v BLOB")
        rows = ((a, b, name_key(c), pickle.dumps(v, pickle.HIGHEST_PROTOCOL)) for (a, b, c), v in self.mem)
        conn.executemany(f"INSERT INTO {self.table} VALUES (?, ?, ?, ?)", rows)  # not committed: a map may be read
        self.mem.clear()

    def __iter__(self) -> Iterator[Any]:
        """The items in key order (may be read again)."""
        if not self.table:
            yield from (item for _, item in sorted(self.mem, key=lambda t: t[0]))
            return
        self._flush()
        assert self.spill is not None
        for (v,) in self.spill.connection().execute(f"SELECT v FROM {self.table} ORDER BY a, b, c"):
            yield pickle.loads(v)
