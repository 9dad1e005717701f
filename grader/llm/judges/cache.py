"""An on-disk SQLite cache of judge replies, so a re-run makes no calls.

The key is a hash of the judge's identity (model and base URL, never a key), the prompt version, the rubric, the
question, the answer, the points asked for and the re-ask round: a changed rubric or prompt is a miss. Only
usable replies are stored. The file lives at `$GRADER_CACHE_DIR/llm-cache.sqlite` (default
`$XDG_CACHE_HOME/grader/`, i.e. `~/.cache/grader/`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from grader import dbfiles
from grader.engine.rubric_memo import RubricMemo
from grader.llm.judges.base import Judge, JudgeReply, JudgeRequest, Usage
from grader.llm.prompts import PROMPT_VERSION
from grader.models import Rubric
from grader.outputs import writing
from grader.paths import user_dir

_SCHEMA = "CREATE TABLE IF NOT EXISTS replies (key TEXT PRIMARY KEY, judge TEXT, prompt TEXT, created REAL, reply TEXT)"


def default_cache_path() -> Path:
    """`$GRADER_CACHE_DIR/llm-cache.sqlite`, else in the user's cache folder (`grader.paths`)."""
    base = os.environ.get("GRADER_CACHE_DIR")
    return (Path(base) if base else user_dir("cache")) / "llm-cache.sqlite"


def cache_key(identity: str, request: JudgeRequest) -> str:
    """A stable hash of everything that shapes the judge's reply."""
    material = {
        "judge": identity,
        "prompt": PROMPT_VERSION,
        "rubric": rubric_hash(request.rubric),
        "question": request.question.question,
        "answer": request.answer,
        "points": sorted(request.point_ids),
        "lang": request.lang,
        "round": request.round,
    }
    return hashlib.sha256(json.dumps(material, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


_rubric_hashes: RubricMemo[str] = RubricMemo()


def rubric_hash(rubric: Rubric) -> str:
    """sha256 of the rubric's JSON, worked out once per rubric object (a rubric is not changed in place; the
    matcher's memo assumes the same): ~0.1-0.2 ms each time, and a batch keys every answer with it."""
    return _rubric_hashes.get(rubric, _hash)


def _hash(rubric: Rubric) -> str:
    return hashlib.sha256(rubric.model_dump_json().encode()).hexdigest()


class ReplyCache:
    """Thread-safe get/put of judge replies by key."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_cache_path()
        with writing(self.path):
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = dbfiles.connect(self.path, app_id=dbfiles.CACHE_ID, tables={"replies"}, what="grader LLM cache",
                                   fix="Remove the file (it is only a cache), or pass --no-cache",
                                   timeout=30, shared=True)  # fmt: skip
        with contextlib.suppress(sqlite3.OperationalError):  # WAL is a nicety for parallel runs, not a need
            self._db.execute("PRAGMA journal_mode=WAL")
        # No fsync per reply: a cache may lose its last entries in a power cut, but a batch must not wait on the disk.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(_SCHEMA)
        self._lock = threading.Lock()

    def get(self, key: str) -> JudgeReply | None:
        """The stored reply, or None; an entry that no longer reads as a reply is a miss (it is only a cache)."""
        with self._lock:
            row = self._db.execute("SELECT reply FROM replies WHERE key = ?", (key,)).fetchone()
        try:
            return JudgeReply.model_validate_json(row[0]) if row else None
        except ValueError:
            return None

    def put(self, key: str, identity: str, reply: JudgeReply) -> None:
        """Store a reply; a write that fails (a full disk, a locked file) is skipped: it is only a cache."""
        with self._lock, contextlib.suppress(sqlite3.Error):
            self._db.execute(
                "INSERT OR REPLACE INTO replies VALUES (?, ?, ?, ?, ?)",
                (key, identity, PROMPT_VERSION, time.time(), reply.model_dump_json()),
            )

    def close(self) -> None:
        with self._lock:
            self._db.close()


class CachedJudge:
    """A judge that answers from the cache when it can and stores every usable reply it gets."""

    def __init__(self, inner: Judge, cache: ReplyCache) -> None:
        self.inner = inner
        self.cache = cache
        self._identity = inner.identity  # asked twice per answer, and a judge's identity does not change

    @property
    def identity(self) -> str:
        return self._identity

    def _hit(self, key: str) -> JudgeReply | None:
        hit = self.cache.get(key)
        return hit.model_copy(update={"cached": True, "usage": Usage()}) if hit else None

    def _store(self, key: str, reply: JudgeReply) -> JudgeReply:
        if reply.error is None and not reply.cached:
            self.cache.put(key, self.identity, reply)
        return reply

    def judge(self, request: JudgeRequest) -> JudgeReply:
        key = cache_key(self.identity, request)
        return self._hit(key) or self._store(key, self.inner.judge(request))

    async def ajudge(self, request: JudgeRequest) -> JudgeReply:
        key = cache_key(self.identity, request)
        return self._hit(key) or self._store(key, await self.inner.ajudge(request))

    @asynccontextmanager
    async def session(self) -> AsyncIterator[None]:
        async with judge_session(self.inner):
            yield


@asynccontextmanager
async def judge_session(judge: object) -> AsyncIterator[None]:
    """The judge's shared-client session when it has one (the OpenAI judge), else nothing to set up."""
    session = getattr(judge, "session", None)
    if session is None:
        yield
        return
    async with session():
        yield
