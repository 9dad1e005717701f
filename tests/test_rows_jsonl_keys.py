"""JSONL fields are found ignoring case and spaces, the first of clashing names wins, and lines may differ in keys."""

from __future__ import annotations

import json
from pathlib import Path

from grader.tables import Columns, RowSource


def read(tmp_path: Path, objs: list[dict[str, object]], columns: Columns | None = None) -> list[dict[str, object]]:
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objs), encoding="utf-8")
    return [r.model_dump() for r in RowSource.open(path, columns)]


def test_case_spaces_and_the_first_of_clashing_names(tmp_path: Path) -> None:
    (row,) = read(tmp_path, [{" ID ": 5, "Answer": 1.0, "answer": "second", "Question_ID": None, "Score": 0.5}])
    assert (row["id"], row["answer"], row["question_id"]) == ("5", "1", "")
    assert row["extra"] == {"Score": "0.5"}


def test_lines_with_different_keys_are_each_mapped(tmp_path: Path) -> None:
    objs: list[dict[str, object]] = [
        {"id": "a", "answer": "x", "question_id": "q"},
        {"ID": "b", "ANSWER": "y", "note": True, "question_id": "q"},
        {"id": "c", "answer": {"nested": [1]}, "question": "Q?", "reference": "R."},
        {"id": "d", "answer": "z", "question_id": "q"},
    ]
    rows = read(tmp_path, objs)
    assert [(r["id"], r["answer"]) for r in rows] == [("a", "x"), ("b", "y"), ("c", '{"nested": [1]}'), ("d", "z")]
    assert [r["extra"] for r in rows] == [{}, {"note": "true"}, {}, {}]
    assert rows[2]["reference"] == "R." and rows[2]["question_id"] == ""


def test_mapped_columns(tmp_path: Path) -> None:
    cols = Columns(id="№", candidate="ФИО", question_id="Вопрос", answer="Ответ")
    (row,) = read(tmp_path, [{"№": 7, "фио": "Иван", "Вопрос": "q1", "ответ": "текст", "answer": "not mapped"}], cols)
    assert (row["id"], row["candidate"], row["question_id"], row["answer"]) == ("7", "Иван", "q1", "текст")
    assert row["extra"] == {"answer": "not mapped"}
