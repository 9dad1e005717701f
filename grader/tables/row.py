"""A row of input: the fields a job reads (`Row`, `LeanRow`, `RowKey`) and how columns map to them (`Columns`)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict

FIELDS = ("id", "candidate", "question_id", "question", "reference", "answer")


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
    """A `Row` as a tuple (`RowSource.lean_rows`), its extra columns as (name, value) pairs in column order."""

    where: str
    line: int
    id: str
    candidate: str = ""
    question_id: str = ""
    question: str = ""
    reference: str = ""
    answer: str = ""
    error: str | None = None
    extra: tuple[tuple[str, str], ...] = ()


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
