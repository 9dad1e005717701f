"""History storage, the quiz flow behind a scripted UI, progress stats and the quiz's CLI pieces."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from grader.bank.store import Bank
from grader.cli.quiz import DB_ENV as CLI_DB_ENV
from grader.cli.terminal import parse_choice
from grader.cli.ui_text import default_ui_lang
from grader.errors import GraderError, InvalidFile
from grader.models import Grade, Question
from grader.quiz.history import DB_ENV, SCHEMA_VERSION, History, default_db_path, resolve_db
from grader.quiz.progress import stats
from grader.quiz.session import Choice, Quiz
from tests.conftest import run_cli

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
GOOD = "Насыщение: выход сигмоиды или tanh у пределов 0 и 1, градиент почти нулевой, веса не обновляются. ReLU."


class TestWhereTheDatabaseLives:
    """The history file follows each platform's convention, and --db / GRADER_DB override it."""

    @pytest.mark.parametrize(
        ("platform", "env", "expected"),
        [
            ("linux", {"XDG_DATA_HOME": "/data"}, "/data/grader/history.sqlite"),
            ("linux", {}, "/home/u/.local/share/grader/history.sqlite"),
            ("linux", {"XDG_DATA_HOME": "relative"}, "/home/u/.local/share/grader/history.sqlite"),
            ("darwin", {}, "/home/u/Library/Application Support/grader/history.sqlite"),
            ("win32", {"APPDATA": "/appdata"}, "/appdata/grader/history.sqlite"),
        ],
        ids=["xdg", "xdg-default", "xdg-relative-ignored", "macos", "windows"],
    )
    def test_platform_default(self, platform: str, env: dict[str, str], expected: str) -> None:
        assert default_db_path(env, platform, Path("/home/u")) == Path(expected)

    def test_flag_beats_environment(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        monkeypatch.setenv(DB_ENV, str(tmp_path / "env.sqlite"))
        assert resolve_db() == tmp_path / "env.sqlite"
        assert resolve_db(tmp_path / "flag.sqlite") == tmp_path / "flag.sqlite"
        assert CLI_DB_ENV == DB_ENV


class TestHistoryFile:
    """The schema is versioned; a newer or foreign file is refused with a fix, never misread."""

    def test_schema_version_is_recorded(self, tmp_path: Path) -> None:
        History.open(tmp_path / "h.sqlite").close()
        version = sqlite3.connect(tmp_path / "h.sqlite").execute("PRAGMA user_version").fetchone()[0]
        assert version == SCHEMA_VERSION

    def test_newer_schema_refused(self, tmp_path: Path) -> None:
        conn = sqlite3.connect(tmp_path / "h.sqlite")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        conn.close()
        with pytest.raises(InvalidFile, match="newer"):
            History.open(tmp_path / "h.sqlite")

    def test_not_a_database(self, tmp_path: Path) -> None:
        (tmp_path / "h.sqlite").write_text("hello, not sqlite " * 100)
        with pytest.raises(GraderError, match="not a grader history"):
            History.open(tmp_path / "h.sqlite")

    def test_reading_a_missing_file_creates_nothing(self, tmp_path: Path) -> None:
        with History.open(tmp_path / "none" / "h.sqlite", create=False) as h:
            assert h.attempts() == []
        assert not (tmp_path / "none").exists()

    def test_stats_on_a_foreign_file_is_one_line_exit_2(self, tmp_path: Path) -> None:
        (tmp_path / "h.sqlite").write_text("x" * 2000)
        result = run_cli("stats", "--db", str(tmp_path / "h.sqlite"))
        assert result.returncode == 2
        assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr


class ScriptedUI:
    """A QuizUI that answers and chooses from a script, and records what it was shown."""

    def __init__(self, script: list[str | Choice]) -> None:
        self.script: Iterator[str] = iter(script)
        self.asked: list[tuple[str, bool]] = []
        self.grades: list[Grade] = []
        self.references = 0
        self.skips = 0

    def ask(self, question: Question, number: int, total: int, *, retry: bool) -> str:
        self.asked.append((question.id, retry))
        return next(self.script)

    def skipped(self) -> None:
        self.skips += 1

    def show_grade(self, question: Question, grade: Grade, answer: str) -> None:
        self.grades.append(grade)

    def show_reference(self, question: Question) -> None:
        self.references += 1

    def choose(self, *, reference_shown: bool) -> Choice:
        choice = next(self.script)
        assert choice in ("retry", "reference", "next", "quit")
        return choice  # type: ignore[return-value]


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


@pytest.fixture()
def history(tmp_path: Path) -> Iterator[History]:
    with History.open(tmp_path / "h.sqlite") as h:
        yield h


class TestQuizFlow:
    """Each graded answer is stored at once; retry, reference, skip and quit do what they say."""

    def test_retry_reference_skip_quit(self, bank: Bank, history: History) -> None:
        clock = Clock()
        quiz = Quiz(bank, history, clock=clock, session="s1")
        picks = quiz.plan(count=3)
        ui = ScriptedUI(["не знаю", "retry", GOOD, "reference", "next", "", "quit-never-reached"])
        quiz.run(picks[:2], ui)
        first = picks[0].question_id
        assert ui.asked == [(first, False), (first, True), (picks[1].question_id, False)]
        assert (ui.references, ui.skips) == (1, 1)
        stored = history.attempts()
        assert [a.answer for a in stored] == ["не знаю", GOOD]
        assert [a.score for a in stored] == [g.score for g in ui.grades]
        assert [a.at for a in stored] == [T0 + timedelta(minutes=2), T0 + timedelta(minutes=3)]  # plan took one
        assert all(a.session == "s1" and a.rubric_hash and a.points for a in stored)

    def test_quit_stops_the_session(self, bank: Bank, history: History) -> None:
        quiz = Quiz(bank, history, clock=Clock())
        ui = ScriptedUI(["не знаю", "quit"])
        quiz.run(quiz.plan(count=3), ui)
        assert len(ui.asked) == 1 and len(history.attempts()) == 1

    def test_failed_question_is_planned_first_next_time(self, bank: Bank, history: History) -> None:
        clock = Clock()
        first = Quiz(bank, history, clock=clock, session="s1")
        picks = first.plan(count=2)
        weak, strong = picks[0].question_id, picks[1].question_id
        first.answer(bank.question(weak), "не знаю")
        first.answer(bank.question(strong), bank.question(strong).reference)
        again = Quiz(bank, history, clock=clock, session="s2").plan(count=len(bank.questions()))
        ids = [p.question_id for p in again]
        assert ids[0] == weak and again[0].reason == "due"
        assert ids.index(strong) == len(ids) - 1 and again[-1].reason == "ahead"

    def test_tag_narrows_and_unknown_tag_names_known_ones(self, bank: Bank, history: History) -> None:
        quiz = Quiz(bank, history)
        tagged = {q.id for q in bank.questions() if "машинное_обучение" in q.tags}
        picks = quiz.plan(tag="#Машинное обучение", count=50)
        assert {p.question_id for p in picks} == tagged
        with pytest.raises(GraderError, match="глубокое_обучение"):
            quiz.plan(tag="nonexistent")


class TestProgress:
    """Stats show per question best and last, per tag averages, a daily trend and the most missed points."""

    def test_stats_from_a_session(self, bank: Bank, history: History) -> None:
        quiz = Quiz(bank, history, clock=Clock(), session="s1")
        q = bank.question("nasyshchenie-neyrona")
        weak, _ = quiz.answer(q, "не знаю")
        good, _ = quiz.answer(q, GOOD)
        data = stats(history.attempts())
        row = data.by_question[0]
        assert (data.attempts, row.attempts, row.best, row.last) == (2, 2, good.score, good.score)
        assert row.box == 1  # only the session's first attempt counts for the schedule
        assert data.by_tag[0].tag == "глубокое_обучение"
        assert data.trend[0].attempts == 2
        missed = {p.point_id for p in data.missed_points}
        assert missed == {p.id for p in weak.points if p.status != "covered"}
        assert stats(history.attempts(), tag="машинное_обучение").attempts == 0


class TestTerminalPieces:
    """Menu keys work in either keyboard layout; the UI language follows the locale."""

    @pytest.mark.parametrize(
        ("key", "choice"),
        [
            ("r", "retry"),
            ("к", "retry"),
            ("п", "retry"),
            ("s", "reference"),
            ("э", "reference"),
            ("\r", "next"),
            ("д", "next"),
            ("next\n", "next"),
            ("q", "quit"),
            ("в", "quit"),
            ("\x04", "quit"),
            ("x", None),
        ],
    )
    def test_parse_choice(self, key: str, choice: str | None) -> None:
        assert parse_choice(key) == choice

    @pytest.mark.parametrize(
        ("env", "lang"),
        [
            ({"LANG": "ru_RU.UTF-8"}, "ru"),
            ({"LANG": "en_US.UTF-8"}, "en"),
            ({"LC_ALL": "ru_RU", "LANG": "en"}, "ru"),
            ({}, "en"),
            ({"LANG": "C.UTF-8"}, "en"),
        ],
    )
    def test_default_ui_lang(self, env: dict[str, str], lang: str) -> None:
        assert default_ui_lang(env) == lang


def test_llm_mode_without_a_configured_judge_is_one_line_exit_2(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "GRADER_"))}
    env.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"))
    result = run_cli("quiz", "--mode", "llm", "--db", str(tmp_path / "h.sqlite"), input="", env=env)
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1
