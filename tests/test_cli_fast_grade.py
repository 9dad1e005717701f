"""A plain lexical `grader grade` runs without typer, and says exactly what the typer command says."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from grader.cli import main
from grader.cli._common import run_safely
from grader.cli.grade_run import GradeArgs, fast_args
from grader.cli.typer_app import make_app

QID = "nasyshchenie-neyrona"
ANSWER = "Насыщение: сигмоида выдаёт почти 0 или 1, градиент мал 🙂 (saturation)."


class TestFastArgs:
    """Only the plain form is taken; everything else is left to typer (None)."""

    @pytest.mark.parametrize(("argv", "expected"), [
        ([QID, "--answer", "x"], GradeArgs(QID, answer="x")),
        ([QID, "-a", "x", "--json"], GradeArgs(QID, answer="x", as_json=True)),
        (["-f", "-", QID], GradeArgs(QID, answer_file="-")),
        ([QID, "-a", "x", "--min-score", "60", "--mode", "lexical"], GradeArgs(QID, answer="x", min_score=60.0)),
        ([QID, "-a", "x", "--bank", "b"], GradeArgs(QID, answer="x", bank=Path("b"))),
    ], ids=["answer", "short-json", "stdin-file", "min-score-mode", "bank"])  # fmt: skip
    def test_plain_forms(self, argv: list[str], expected: GradeArgs, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("GRADER_BANK", raising=False)
        assert fast_args(argv) == expected

    @pytest.mark.parametrize("argv", [
        [QID, "--help"], [], [QID, "-a"], [QID, "--answer=x"], [QID, "-a", "x", "-a", "y"], [QID, "other", "-a", "x"],
        [QID, "-a", "-x"], [QID, "-a", "x", "--mode", "llm"], [QID, "-a", "x", "--min-score", "300"],
        [QID, "-a", "x", "--min-score", "abc"], [QID, "-a", "x", "--json", "--json"], [QID, "-a", "x", "--dry-run"],
    ], ids=["help", "nothing", "no-value", "equals", "twice", "two-ids", "dash-value", "llm", "out-of-range",
            "not-a-number", "json-twice", "other-option"])  # fmt: skip
    def test_everything_else_goes_to_typer(self, argv: list[str]) -> None:
        assert fast_args(argv) is None


class TestSameAsTyper:
    """Output, messages and exit code are the typer command's, byte for byte."""

    @pytest.mark.parametrize("argv", [
        [QID, "-a", ANSWER], [QID, "--answer", ANSWER, "--json"], [QID, "-a", ANSWER, "--min-score", "0.99"],
        [QID, "-a", "   "], ["no-such-question", "-a", "x"], [QID, "-a", "x", "--bank", "/nonexistent/bank"],
        [QID, "-f", "/nonexistent/answer.txt"], [QID, "-a", "\x1b[2J\u202eforged 100/100"],
    ], ids=["plain", "json", "min-score-fails", "blank", "unknown-id", "no-bank", "no-file",
            "control-chars"])  # fmt: skip
    def test_same_output(self, argv: list[str], monkeypatch: pytest.MonkeyPatch,
                         capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
        monkeypatch.delenv("GRADER_BANK", raising=False)
        assert fast_args(argv) is not None
        fast, typer = _fast_and_typer(argv, monkeypatch, capsys)
        assert fast == typer
        assert fast[1] or fast[2]

    @pytest.mark.parametrize("bank", ["", "/nonexistent/bank", "BUNDLED"], ids=["empty", "missing", "bundled"])
    def test_same_bank_from_the_environment(self, bank: str, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
        """$GRADER_BANK is read where typer's --bank reads it, `resolve_bank`: empty means the bundled bank."""
        from grader.bank.store import packaged_bank

        monkeypatch.setenv("GRADER_BANK", str(packaged_bank()) if bank == "BUNDLED" else bank)
        argv = [QID, "-a", ANSWER, "--json"]
        assert fast_args(argv) == GradeArgs(QID, answer=ANSWER, as_json=True)
        fast, typer = _fast_and_typer(argv, monkeypatch, capsys)
        assert fast == typer
        assert fast[0] == (2 if bank.startswith("/nonexistent") else 0)


Run = tuple[object, str, str]  # exit code, stdout, stderr


def _fast_and_typer(argv: list[str], monkeypatch: pytest.MonkeyPatch,
                    capsys: pytest.CaptureFixture[str]) -> tuple[Run, Run]:  # fmt: skip
    """(exit code, stdout, stderr) of `grader grade ARGV` on the fast path, then through the typer command."""
    monkeypatch.setattr(sys, "argv", ["grader", "grade", *argv])
    with pytest.raises(SystemExit) as fast:
        main()
    fast_out = capsys.readouterr()
    typer_code = run_safely(make_app("grade"))
    typer_out = capsys.readouterr()
    return (fast.value.code, fast_out.out, fast_out.err), (typer_code, typer_out.out, typer_out.err)


def test_a_lexical_grade_imports_no_typer_click_or_rich() -> None:
    code = (f"import sys; sys.argv = ['grader', 'grade', {QID!r}, '--json', '-a', {ANSWER!r}]\n"
            "from grader.cli import main\n"
            "try:\n    main()\nexcept SystemExit as e:\n    assert e.code == 0, e.code\n"
            "loaded = sorted({m.split('.')[0] for m in sys.modules} & {'typer', 'click', 'rich', 'openai'})\n"
            "print(loaded, 'importlib.metadata' in sys.modules, file=sys.stderr)")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stderr.strip().splitlines()[-1] == "[] False"
    assert '"score"' in done.stdout
