"""Feedback names each missing point once, never cuts a word, and shows points in the learner's language."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from grader.bank.store import Bank, packaged_bank, rubric_for
from grader.engine.feedback import shorten
from grader.grading import grade
from grader.quiz.history import History
from grader.quiz.session import Quiz
from tests.conftest import run_cli
from tests.test_quiz_history import ScriptedUI

QID = "nasyshchenie-neyrona"
WEAK = "Градиент затухает, веса не обновляются."


class TestShorten:
    """A long text is cut between words, with an ellipsis; a short one is kept whole."""

    @pytest.mark.parametrize(
        ("text", "limit", "want"),
        [
            ("Смягчается ReLU, нормализацией или регуляризацией", 45, "Смягчается ReLU, нормализацией или…"),
            ("short text", 80, "short text"),
            ("a  b\n c", 80, "a b c"),
            ("Überanpassung vermeiden 😀 durch Regularisierung", 30, "Überanpassung vermeiden 😀…"),
            ("одноочоньдлинноеслово", 10, "одноочонь…"),  # one word longer than the room: cut, there is no other
        ],
        ids=["ru-between-words", "short", "spaces", "de-emoji", "one-long-word"],
    )
    def test_cut(self, text: str, limit: int, want: str) -> None:
        assert shorten(text, limit) == want
        assert len(shorten(text, limit)) <= limit


def _points_named(text: str, bank: Bank) -> dict[str, int]:
    rubric, _ = rubric_for(bank, bank.question(QID))
    return {p.id: text.count(p.text[:30]) for p in rubric.points}


def test_feedback_names_each_missing_point_once(bank: Bank) -> None:
    result = grade(bank.question(QID), rubric_for(bank, bank.question(QID))[0], WEAK)
    paragraph = result.feedback.split("\n")[0]
    missing = [p for p in result.points if p.status == "missing"]
    assert any(p.required for p in missing) and len(missing) >= 2
    counts = _points_named(paragraph, bank)
    assert all(counts[p.id] == 1 for p in missing), counts
    for piece in paragraph.split("…")[:-1]:
        assert piece and piece[-1].isalnum()


@pytest.mark.slow
def test_grade_screen_names_each_missing_point_once() -> None:
    out = run_cli("grade", QID, "-a", WEAK).stdout
    bank = Bank(packaged_bank())
    rubric, _ = rubric_for(bank, bank.question(QID))
    for p in rubric.points:
        assert out.count(p.text[:30]) == 1, (p.id, out)
        if p.hint_in("ru"):
            assert out.count(p.hint_in("ru")[:30]) <= 1, (p.id, out)


def test_quiz_shows_points_in_the_interface_language(tmp_path: Path) -> None:
    src = packaged_bank()
    for sub in ("questions", "rubrics"):
        (tmp_path / sub).mkdir()
        shutil.copy(src / sub / f"{QID}.yaml", tmp_path / sub)
    path = tmp_path / "rubrics" / f"{QID}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["points"][0]["translations"] = {"en": "The activation's output sits at its limits"}
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    shown: dict[str, list[str]] = {}
    for lang in ("en", "ru"):
        with History.open(tmp_path / f"h-{lang}.sqlite") as history:
            ui = ScriptedUI([WEAK, "quit"])
            quiz = Quiz(Bank(tmp_path), history, ui_lang=lang)
            quiz.run(quiz.plan(question_id=QID), ui)
            shown[lang] = [p.text for p in ui.grades[0].points]
            stored = history.attempts()[0].points[0].text
        assert stored == data["points"][0]["text"]  # the history keeps the rubric's own text
    assert shown["en"][0] == "The activation's output sits at its limits"
    assert shown["ru"][0] == data["points"][0]["text"]
    assert shown["en"][1:] == shown["ru"][1:]  # no English text in the rubric: the rubric's own
