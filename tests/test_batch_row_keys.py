"""RowSource.row_keys (the batch's first pass) gives each row's id, line, question id, question and reference
exactly as the full rows have them, for odd JSONL lines too."""

from __future__ import annotations

from pathlib import Path

from grader.tables import LeanRow, RowKey, RowSource

LINES = [
    '{"id": " a ", "question_id": "q1", "answer": "x"}',
    "not json",
    "[1, 2]",
    "",
    '{"ID": 5, "question_id": 3.0, "reference": "r", "question": null, "Answer": "y"}',
    '{"answer": "no id"}',
    '{"id": "", "question": "Что?", "reference": "Так.", "answer": "z"}',
]


def test_row_keys_match_rows(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    source = RowSource.open(path)
    rows = [RowKey(r.id, r.line, r.question_id, r.question, r.reference) for r in source]
    assert list(source.row_keys()) == rows
    assert [k.id for k in rows] == ["a", "#2", "#3", "5", "6", "#7"]  # an object without an id field: its line


def test_row_keys_csv(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("id;question_id;answer\n1;q1;x\n;q2;y\n", encoding="utf-8")
    source = RowSource.open(path)
    assert list(source.row_keys()) == [RowKey(r.id, r.line, r.question_id, r.question, r.reference) for r in source]


def test_lean_rows_match_rows(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    source = RowSource.open(path)
    rows = [LeanRow(**r.model_dump(exclude={"extra"}), extra=tuple(r.extra.items())) for r in source]
    assert list(source.lean_rows()) == rows
    assert [r.error is None for r in rows] == [True, False, False, True, True, False]
