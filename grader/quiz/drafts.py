"""Answers interrupted while being typed, kept as text files beside the history so Ctrl-C never loses one."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path


def _safe(question_id: str) -> str:
    return re.sub(r"[^\w.-]+", "_", question_id)[:80] or "answer"


def drafts_of(folder: Path, question_id: str) -> list[Path]:
    """The drafts kept for a question, oldest first."""
    where = folder / "drafts"
    return sorted(where.glob(f"{_safe(question_id)}-*.txt")) if where.is_dir() else []


def save_draft(folder: Path, question_id: str, text: str, at: datetime | None = None) -> Path:
    """Write `text` to `folder/drafts/<question>-<UTC time>.txt` (UTF-8) and return the path."""
    stamp = (at or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    safe = _safe(question_id)
    path = folder / "drafts" / f"{safe}-{stamp}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 1
    while path.exists():  # two drafts in one second
        n += 1
        path = path.with_name(f"{safe}-{stamp}-{n}.txt")
    path.write_text(text + "\n", encoding="utf-8")
    return path
