"""The local log of graded attempts: one SQLite file in the user's data folder.

Where it lives, first match wins: `--db PATH`, then `$GRADER_DB`, then the platform's data folder —
`$XDG_DATA_HOME/grader/history.sqlite` (default `~/.local/share/...`) on Linux and other Unixes,
`~/Library/Application Support/grader/history.sqlite` on macOS, `%APPDATA%\\grader\\history.sqlite` on Windows.

Every attempt is committed as soon as it is graded, so an interrupted session keeps what was done. The schema
version is SQLite's `user_version`; a file written by a newer grader is refused rather than misread.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from grader import dbfiles
from grader.errors import GraderError, InvalidFile
from grader.models import Grade, Mode, Rubric, Status
from grader.paths import user_dir
from grader.quiz.schedule import Review

DB_ENV = "GRADER_DB"
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY,
    session TEXT NOT NULL,
    question_id TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '[]',
    rubric_hash TEXT NOT NULL,
    mode TEXT NOT NULL,
    score REAL,
    lang TEXT NOT NULL,
    answer TEXT NOT NULL,
    at TEXT NOT NULL,
    grader_version TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS point_results (
    attempt_id INTEGER NOT NULL REFERENCES attempts(id) ON DELETE CASCADE,
    point_id TEXT NOT NULL,
    text TEXT NOT NULL,
    status TEXT NOT NULL,
    score REAL NOT NULL,
    PRIMARY KEY (attempt_id, point_id)
);
CREATE INDEX IF NOT EXISTS attempts_question ON attempts(question_id, at);
"""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PointStatus(_Model):
    id: str
    text: str
    status: Status
    score: float


class Attempt(_Model):
    """One graded answer as stored: enough to schedule reviews and show progress without the bank."""

    id: int | None = None
    session: str
    question_id: str
    tags: list[str] = []
    rubric_hash: str
    mode: Mode
    score: float | None
    lang: str
    answer: str
    at: datetime
    grader_version: str
    points: list[PointStatus] = []


def rubric_hash(rubric: Rubric) -> str:
    """A short hash of the rubric's content: attempts graded against different rubrics can be told apart."""
    canonical = json.dumps(rubric.model_dump(mode="json"), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def attempt_from_grade(
    grade: Grade, *, answer: str, rubric: Rubric, tags: list[str], session: str, at: datetime
) -> Attempt:
    """The record of one grade, ready to store."""
    return Attempt(
        session=session,
        question_id=grade.question_id,
        tags=tags,
        rubric_hash=rubric_hash(rubric),
        mode=grade.mode,
        score=grade.score,
        lang=grade.lang,
        answer=answer,
        at=at,
        grader_version=grade.grader_version,
        points=[PointStatus(id=p.id, text=p.text, status=p.status, score=p.score) for p in grade.points],
    )


def normalize_tag(tag: str) -> str:
    """A tag as written in the bank: no '#', underscores for spaces, lower case."""
    return tag.strip().lstrip("#").replace(" ", "_").lower()


def reviews_of(attempts: Sequence[Attempt]) -> list[Review]:
    """What the schedule needs of each attempt."""
    return [Review(question_id=a.question_id, score=a.score, at=a.at, session=a.session) for a in attempts]


def default_db_path(
    env: Mapping[str, str] | None = None, platform: str | None = None, home: Path | None = None
) -> Path:
    """The platform's conventional place for this user's history file (`grader.paths`: XDG, macOS, Windows)."""
    return user_dir("data", env, platform, home) / "history.sqlite"


def resolve_db(path: str | os.PathLike[str] | None = None) -> Path:
    """`path`, else $GRADER_DB, else the platform default."""
    chosen = path or os.environ.get(DB_ENV) or None
    return Path(chosen).expanduser() if chosen else default_db_path()


class History:
    """Attempts stored in one SQLite file; open with `History.open(path)` or as a context manager."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

    @classmethod
    def open(cls, path: str | os.PathLike[str] | None = None, *, create: bool = True) -> History:
        """Open (and with `create`, create) the history file, migrating or refusing by schema version."""
        db = resolve_db(path)
        if not create and not db.exists():
            return cls(_connect(":memory:", db), db)
        try:
            db.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise GraderError(
                f"cannot create the history folder ({exc.strerror})",
                where=str(db.parent),
                fix=f"Pass --db PATH or set {DB_ENV} to a writable file",
            ) from None
        return cls(_connect(str(db), db), db)

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    def add(self, attempt: Attempt) -> Attempt:
        """Store one attempt and commit at once; returns it with its id."""
        with _writing(self.path), self.conn:
            cur = self.conn.execute(
                "INSERT INTO attempts (session, question_id, tags, rubric_hash, mode, score, lang, answer, at,"
                " grader_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    attempt.session,
                    attempt.question_id,
                    json.dumps(attempt.tags, ensure_ascii=False),
                    attempt.rubric_hash,
                    attempt.mode,
                    attempt.score,
                    attempt.lang,
                    attempt.answer,
                    _iso(attempt.at),
                    attempt.grader_version,
                ),
            )
            rowid = cur.lastrowid
            self.conn.executemany(
                "INSERT INTO point_results (attempt_id, point_id, text, status, score) VALUES (?, ?, ?, ?, ?)",
                [(rowid, p.id, p.text, p.status, p.score) for p in attempt.points],
            )
        return attempt.model_copy(update={"id": rowid})

    def attempts(self, *, question_id: str | None = None, tag: str | None = None) -> list[Attempt]:
        """All attempts, oldest first; optionally of one question or one tag."""
        where, args = [], []
        if question_id:
            where.append("question_id = ?")
            args.append(question_id)
        sql = "SELECT * FROM attempts" + (f" WHERE {' AND '.join(where)}" if where else "") + " ORDER BY at, id"
        rows = self.conn.execute(sql, args).fetchall()
        points: dict[int, list[PointStatus]] = {}
        for r in self.conn.execute("SELECT * FROM point_results ORDER BY attempt_id, rowid"):
            points.setdefault(r["attempt_id"], []).append(
                PointStatus(id=r["point_id"], text=r["text"], status=r["status"], score=r["score"])
            )
        result = [_attempt(r, points.get(r["id"], [])) for r in rows]
        wanted = normalize_tag(tag) if tag else None
        return [a for a in result if wanted is None or wanted in a.tags]


def _iso(at: datetime) -> str:
    """UTC ISO-8601 with microseconds, so text order is time order."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def _attempt(row: sqlite3.Row, points: list[PointStatus]) -> Attempt:
    data = dict(row)
    data["tags"] = json.loads(data["tags"])
    data["at"] = datetime.fromisoformat(data["at"])
    return Attempt(**data, points=points)


@contextmanager
def _writing(path: Path) -> Iterator[None]:
    try:
        yield
    except sqlite3.DatabaseError as exc:
        raise dbfiles.db_error(exc, path, "grader history", "Check the file's permissions and the disk space") from None


_TABLES = {"attempts", "point_results", "attempts_question"}
_FIX = "Move the file away, or pass --db PATH to use another file"


def _connect(target: str, path: Path) -> sqlite3.Connection:
    if target == ":memory:":
        conn = sqlite3.connect(target)
    else:
        conn = dbfiles.connect(path, app_id=dbfiles.HISTORY_ID, tables=_TABLES, what="grader history", fix=_FIX,
                               timeout=5)  # fmt: skip
    try:
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            conn.close()
            raise InvalidFile(
                f"history schema version {version} is newer than this grader understands ({SCHEMA_VERSION})",
                where=str(path),
                fix="Upgrade grader, or pass --db PATH to use another file",
            )
        if version < SCHEMA_VERSION:
            with conn:
                conn.executescript(_SCHEMA)
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise dbfiles.db_error(exc, path, "grader history", _FIX) from None
    return conn
