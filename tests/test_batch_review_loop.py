"""The review loop: grade, a person corrects some grades in grades.csv (or grades.jsonl), regrade with them."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from grader.agreement.datasets import graded_rows
from tests.conftest import run_cli

Q = "nasyshchenie-neyrona"
ANSWERS = [
    "Насыщение: выход сигмоиды близок к 0 или 1, производная почти нулевая, градиент затухает, обучение стоит.",
    "Когда активация tanh упирается в предел, градиенты малы и веса почти не обновляются; помогает ReLU.",
    "Нейрон насыщен, если его выход всегда один и тот же.",
    "Не знаю.",
    "Это про переобучение: модель запоминает выборку.",
    "Сигмоида насыщается на больших входах, градиент исчезает, глубокие сети учатся медленно. Лечат ReLU и He.",
    "Выход функции активации у края диапазона, градиент около нуля.",
    "Насыщение нейрона — это когда он перегружен данными.",
]


def _input(path: Path) -> Path:
    rows = [{"id": f"r{i}", "candidate": f"Кандидат {i}", "question_id": Q, "answer": a, "team": "ML"}
            for i, a in enumerate(ANSWERS)]  # fmt: skip
    rows.append({"id": "blank", "candidate": "Пустой", "question_id": Q, "answer": ""})
    rows.append({"id": "bad", "candidate": "Опечатка", "question_id": "no-such-q", "answer": ANSWERS[0]})
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def _correct_csv(grades: Path, corrected: Path, human: dict[str, int]) -> None:
    """What a person does in Excel: add a human_score column (0-100, like the grader's) and fill some cells."""
    with grades.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    rows[0].append("human_score")
    for row in rows[1:]:
        row.append(str(human.get(row[0], "")))
    with corrected.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows(rows)


HUMAN = {"r0": 100, "r1": 90, "r2": 30, "r3": 0, "r4": 0, "r5": 100}


@pytest.mark.slow
def test_grade_correct_regrade(tmp_path: Path) -> None:
    answers = _input(tmp_path / "answers.jsonl")
    first = run_cli("batch", str(answers), "--out", str(tmp_path / "r1"), "--workers", "1")
    assert first.returncode == 0, first.stderr
    _correct_csv(tmp_path / "r1" / "grades.csv", tmp_path / "corrected.csv", HUMAN)
    second = run_cli("batch", str(answers), "--out", str(tmp_path / "r2"), "--workers", "1",
                     "--examples", str(tmp_path / "corrected.csv"))  # fmt: skip
    assert second.returncode == 0, second.stderr
    assert "graded example" not in second.stderr  # all six corrections were read and reached the question
    recs = {r["id"]: r for r in map(json.loads, (tmp_path / "r2" / "grades.jsonl").read_text("utf-8").splitlines())}
    assert recs["r6"]["score"] is not None and recs["bad"]["error"] and recs["blank"]["score"] == 0


def test_scale_is_read_from_the_file(tmp_path: Path) -> None:
    grades = tmp_path / "grades.csv"
    grades.write_text("id;candidate;question_id;score;status;answer;error;human_score\r\n"
                      "1;A;q;80;graded;ответ один;;75\r\n2;B;q;;error;ответ два;unknown question id;\r\n"
                      "3;C;q;20;graded;ответ три;;\r\n4;D;q;0;blank;;;0\r\n", encoding="utf-8-sig")  # fmt: skip
    assert [(r.id, s) for r, s in graded_rows(grades)] == [("1", 0.75), ("4", 0.0)]
    jsonl = tmp_path / "grades.jsonl"
    jsonl.write_text(json.dumps({"id": "1", "question_id": "q", "score": 0.8, "answer": "ответ", "human_score": 0.5})
                     + "\n", encoding="utf-8")  # fmt: skip
    assert [(r.id, s) for r, s in graded_rows(jsonl)] == [("1", 0.5)]


def test_a_row_without_id_is_named_in_the_warning(tmp_path: Path) -> None:
    grades = tmp_path / "grades.csv"
    grades.write_text("id;candidate;question_id;score;status;answer;error;human_score\r\n"
                      "1;A;q;80;graded;ответ один;;75\r\n;B;q;40;graded;ответ два 🙂;;50\r\n", encoding="utf-8-sig")
    skipped: list[str] = []
    assert [(r.id, s) for r, s in graded_rows(grades, skipped=skipped)] == [("1", 0.75)]
    assert skipped == [f"{grades}:3: empty id"]
