"""`evaluate` and `calibrate` take bank question ids (`--bank`) and grade exactly as `batch` and `grade` do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.agreement.datasets import load
from grader.agreement.evaluate import evaluate, raw_scores
from grader.bank.store import Bank, rubric_for
from grader.batch.run import run_batch
from grader.errors import InvalidFile
from grader.grading import grade
from grader.tables import Columns, RowSource
from tests.conftest import packaged_bank, run_cli

Q1, Q2 = "nasyshchenie-neyrona", "backpropagation-through-time-bptt"
ROWS = [
    ("1", Q1, "Насыщение: выход сигмоиды близок к 0 или 1, градиент затухает, обучение останавливается.", 95),
    ("2", Q1, "Нейрон перегружен данными.", 5),
    ("3", Q1, "Активация упирается в предел, производная почти нулевая; помогает ReLU.", 80),
    ("4", Q2, "Сеть разворачивают во времени и считают градиенты обратным проходом по шагам.", 90),
    ("5", Q2, "Это как обычный backprop, только с памятью 🙂 и LSTM.", 40),
    ("6", Q2, "", 0),
]


def _csv(path: Path, rows: list[tuple[str, str, str, int]]) -> Path:
    lines = ["id;candidate;question_id;answer;score"]
    lines += [f'{i};Кандидат {i};{q};"{a}";{s}' for i, q, a, s in rows]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def _batch_scores(path: Path, out: Path, bank: Bank, examples: Path | None = None) -> dict[str, float]:
    run_batch(RowSource.open(path), out, bank, examples=examples, score_max=100 if examples else None)
    return {r["id"]: r["score"] for r in map(json.loads, (out / "grades.jsonl").read_text("utf-8").splitlines())}


class TestSameGrades:
    """The same rows graded through batch, grade, evaluate and calibrate get the same raw scores."""

    def test_without_examples(self, tmp_path: Path, bank: Bank) -> None:
        path = _csv(tmp_path / "graded.csv", ROWS)
        batch = _batch_scores(path, tmp_path / "out", bank)
        answers = load(path, bank=bank, score_max=100)
        by_grade = {}
        for a in answers:
            question = bank.question(a.question_id)
            by_grade[a.id] = grade(question, rubric_for(bank, question)[0], a.answer).score
        report = evaluate(answers, bank=bank)
        assert {s.id: s.raw for s in report.answers} == batch == by_grade
        assert raw_scores(answers, bank=bank) == [batch[a.id] for a in answers]  # what calibrate fits on

    def test_with_examples(self, tmp_path: Path, bank: Bank) -> None:
        more = [(f"e{i}", Q1, text, s) for i, (_, q, text, s) in enumerate(ROWS * 2) if q == Q1]
        examples = _csv(tmp_path / "examples.csv", [(i, q, f"{a} ({i})", s) for i, q, a, s in more])
        path = _csv(tmp_path / "graded.csv", ROWS)
        batch = _batch_scores(path, tmp_path / "out", bank, examples=examples)
        report = evaluate(load(path, bank=bank, score_max=100), examples=load(examples, bank=bank, score_max=100),
                          bank=bank)  # fmt: skip
        assert {s.id: s.raw for s in report.answers} == batch

    @pytest.mark.slow
    def test_cli(self, tmp_path: Path) -> None:
        path = _csv(tmp_path / "graded.csv", ROWS)
        res = run_cli("evaluate", str(path), "--bank", str(packaged_bank()), "--score-max", "100", "--json")
        assert res.returncode == 0, res.stderr
        raw = {a["id"]: a["raw"] for a in json.loads(res.stdout)["answers"]}
        assert raw == _batch_scores(path, tmp_path / "out", Bank(packaged_bank()))
        cal = run_cli("calibrate", str(path), "--bank", str(packaged_bank()), "--score-max", "100",
                      "--out", str(tmp_path / "cal.json"))  # fmt: skip
        assert cal.returncode == 0, cal.stderr


def test_a_row_without_reference_or_bank_id_is_named(tmp_path: Path, bank: Bank) -> None:
    path = _csv(tmp_path / "graded.csv", [("1", "no-such-question", "ответ", 50)])
    with pytest.raises(InvalidFile, match="no question_id of the bank") as exc:
        load(path, bank=bank, score_max=100)
    assert "graded.csv:2" in str(exc.value.where)


def test_a_jsonl_file_of_other_graders_without_ids_and_with_dotted_question_ids(tmp_path: Path) -> None:
    """Graded answers as public sets ship them: JSONL objects without an id, question ids such as "3.1", scores
    on 0..5. Every row is graded (numbered by line) and the per-question report keeps the ids as written."""
    path = tmp_path / "graded.jsonl"
    rows = [
        ("3.1", "What is a stack?", "A last-in, first-out collection of elements.", "Last in, first out.", 5),
        ("3.1", "What is a stack?", "A last-in, first-out collection of elements.", "A sorted array.", 0),
        ("3.2", "What does a queue do?", "It serves elements first in, first out.", "First in, first out.", 5),
        ("3.2", "What does a queue do?", "It serves elements first in, first out.", "It sorts them.", 1),
    ]  # fmt: skip
    objs = [{"qid": q, "question": t, "reference": r, "answer": a, "grade": s} for q, t, r, a, s in rows]
    path.write_text("".join(json.dumps(o) + "\n" for o in objs), encoding="utf-8")
    answers = load(path, columns=Columns(question_id="qid"), score_col="grade", score_max=5)
    assert [a.id for a in answers] == ["1", "2", "3", "4"] and {a.question_id for a in answers} == {"3.1", "3.2"}
    res = run_cli("evaluate", str(path), "--question-id-col", "qid", "--score-col", "grade", "--score-max", "5",
                  "--json")  # fmt: skip
    assert res.returncode == 0, res.stderr
    report = json.loads(res.stdout)
    assert {q["question_id"] for q in report["questions"]} == {"3.1", "3.2"}
    assert len(report["answers"]) == 4


def test_a_file_whose_every_row_is_unreadable_says_why(tmp_path: Path) -> None:
    path = tmp_path / "graded.jsonl"
    path.write_text(json.dumps({"id": " ", "question": "Q?", "reference": "R.", "answer": "a", "score": 1}) + "\n")
    why = r"no gradable rows: 1 row\(s\) unreadable, the first .*graded.jsonl:1: empty id"
    with pytest.raises(InvalidFile, match=why):
        load(path)


def test_blank_question_ids_do_not_join_different_questions(tmp_path: Path) -> None:
    """A question id of spaces is no id: rows with one are told apart by their question and reference, as rows
    without a question id are, so each answer is graded against its own reference."""
    path = tmp_path / "graded.jsonl"
    rows = [
        (" ", "What is overfitting?", "Overfitting is when a model memorises the noise of its training data.",
         "The model memorises noise of training data."),
        (" ", "What does dropout do?", "Dropout randomly switches off neurons during training.",
         "It randomly switches off neurons in training."),
    ]  # fmt: skip
    path.write_text("".join(json.dumps({"question_id": q, "question": t, "reference": r, "answer": a, "score": 1})
                            + "\n" for q, t, r, a in rows), encoding="utf-8")  # fmt: skip
    answers = load(path)
    assert len({a.question_id for a in answers}) == 2 and all(a.question_id.strip() for a in answers)
    assert min(evaluate(answers).answers, key=lambda s: s.raw).raw >= 0.8
