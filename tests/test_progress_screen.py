"""`grader stats` and `grader history` show each question's text, shortened between words, within 80 columns."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from grader.bank.store import Bank
from grader.quiz.history import History
from grader.quiz.session import Quiz
from tests.conftest import run_cli

ANSWER = "Градиент затухает, веса не обновляются; переобучение лечат регуляризацией. 😀"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, bank: Bank) -> Path:
    path = tmp_path_factory.mktemp("progress") / "h.sqlite"
    clock = iter(datetime(2026, 3, 1, tzinfo=UTC) + timedelta(days=i) for i in range(100))
    with History.open(path) as history:
        quiz = Quiz(bank, history, clock=lambda: next(clock))
        for q in bank.questions():  # the longest question texts and ids of the bank, good answers too
            quiz.answer(q, ANSWER)
            quiz.answer(q, q.reference)
    return path


@pytest.mark.slow
@pytest.mark.parametrize("command", ["stats", "history"])
@pytest.mark.parametrize("lang", ["ru", "en"])
def test_fits_80_columns_and_names_questions(db: Path, bank: Bank, command: str, lang: str) -> None:
    env = {**os.environ, "COLUMNS": "80"}
    proc = run_cli(command, "--db", str(db), "--ui-lang", lang, env=env)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80, max(lines, key=len)
    for q in bank.questions():
        assert q.id not in proc.stdout  # ids are long transliterations; the text says more
        assert q.question[:10] in proc.stdout
    for line in lines:
        if "…" in line:
            cut = line[: line.index("…")]
            assert cut[-1].isalnum() or cut[-1] in ")?»", line  # a whole word before the ellipsis


def test_texts_are_shown_as_written_not_as_markup(db: Path) -> None:
    from rich.console import Console

    from grader.cli.progress import print_stats
    from grader.quiz.progress import stats

    with History.open(db, create=False) as history:
        data = stats(history.attempts())
    texts = {q.question_id: f"[bold red]{q.question_id}[/] [link=x]?" for q in data.by_question}
    con = Console(record=True, width=200, color_system=None)
    print_stats(con, data, "en", datetime(2026, 1, 1, tzinfo=UTC), texts)
    out = con.export_text()
    assert "[bold red]" in out and "[/]" in out
