"""A piped `grader grade` is written without rich, and its bytes are the ones rich writes for the same grade."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from rich.markup import escape

from grader.bank.store import Bank
from grader.cli.inert import console
from grader.cli.render import print_lines
from grader.cli.screen import grade_lines, plain_stream, plain_text
from grader.grading import grade

QID = "nasyshchenie-neyrona"
LONG = "Насыщение " + "бла " * 300 + "градиент почти нулевой. " + "x " * 300 + "ReLU помогает."
ANSWERS = {
    "ru": "Насыщение: сигмоида выдаёт почти 0 или 1, градиент мал.",
    "mixed-emoji": "Saturation 🙂: сигмоида ~ 0/1, gradient vanishes; ёж́ и e\u0301 — ReLU помогает 👍🏽",
    "markup-and-escapes": "[bold]градиент[/bold] \\[x] мал\\ [/] [link=http://x]ReLU[/link]",
    "controls-and-bidi": "\x1b[2J\x1b]52;c;ZXZpbA==\x07 градиент \u202eмал\u202c\r\n\x9b31m сигмоида\x0b\x0c",
    "emoji-codes-in-answer": ":smile: градиент мал :thumbs_up:",
    "long-elided": LONG,
    "trailing-spaces-and-lines": "градиент мал   \n\n  сигмоида " + " " * 120,
    "nothing-found": "не знаю",
}
TITLES = ["Что означает «насыщение нейрона»?", "ends in a backslash \\", "[bold]x[/] \\[y] [/] and: a colon",
          "\x1b[31mred\u202e"]  # fmt: skip


def rich_text(title: str, lines: list) -> str:  # type: ignore[type-arg]
    """What the rich path prints for the title and lines to a pipe."""
    buf = io.StringIO()
    con = console(file=buf)
    con.print(f"[bold]{escape(title)}[/]\n")
    print_lines(lines, con)
    return buf.getvalue()


@pytest.fixture(autouse=True)
def _no_forced_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)


class TestSameBytesAsRich:
    """For every grade and title, the plain text is exactly what rich writes to a pipe."""

    @pytest.mark.parametrize("answer", ANSWERS.values(), ids=ANSWERS.keys())
    @pytest.mark.parametrize("title", TITLES, ids=["question", "backslash", "markup", "controls"])
    def test_grade(self, bank: Bank, answer: str, title: str) -> None:
        question = bank.question(QID)
        rubric = bank.rubric(QID)
        assert rubric is not None
        lines = grade_lines(grade(question, rubric, answer), answer)
        plain = plain_text(title, lines)
        assert plain is not None
        assert plain == rich_text(title, lines)

    @pytest.mark.parametrize(("title", "answer"), [
        ("What is :thumbs_up: here?", "градиент"), ("a\ttab", "градиент"), ("question", "градиент\tмал, tab"),
    ], ids=["emoji-code-in-title", "tab-in-title", "tab-in-answer"])  # fmt: skip
    def test_left_to_rich_where_rich_changes_the_text(self, bank: Bank, title: str, answer: str) -> None:
        question = bank.question(QID)
        rubric = bank.rubric(QID)
        assert rubric is not None
        lines = grade_lines(grade(question, rubric, answer), answer)
        assert plain_text(title, lines) is None
        assert rich_text(title, lines) != "".join(text for line in lines for text, _ in line)  # rich changed it


class TestPlainStream:
    """Only a UTF-8 stream that is no terminal, with no variable forcing colours, is written plainly."""

    def test_a_utf8_file_is_plain(self, tmp_path: Path) -> None:
        with open(tmp_path / "out.txt", "w", encoding="utf-8") as f:
            assert plain_stream(f)

    @pytest.mark.parametrize("variable", ["FORCE_COLOR", "TTY_COMPATIBLE"])
    def test_forced_colours_go_to_rich(self, tmp_path: Path, variable: str, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv(variable, "1")
        with open(tmp_path / "out.txt", "w", encoding="utf-8") as f:
            assert not plain_stream(f)

    def test_other_encodings_and_terminals_go_to_rich(self, tmp_path: Path) -> None:
        with open(tmp_path / "out.txt", "w", encoding="cp1251") as f:
            assert not plain_stream(f)
        assert not plain_stream(io.StringIO())  # no encoding: not a stream we know
        leader, follower = os.openpty()
        with open(follower, "w", encoding="utf-8") as tty:
            assert not plain_stream(tty)
        os.close(leader)
