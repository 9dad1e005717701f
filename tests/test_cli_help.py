"""Help text keeps its brackets: every "[env: ...]", "[default ...]" and "[quiz]" an option's help says is shown."""

from __future__ import annotations

import re
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from grader.cli import make_app


def _commands() -> list[tuple[list[str], Any]]:
    """(argv to the command, command) for every command and subcommand."""
    root = typer.main.get_command(make_app())
    found: list[tuple[list[str], Any]] = []

    def walk(cmd: Any, path: list[str]) -> None:
        if hasattr(cmd, "commands"):  # a group (typer vendors click, so no isinstance)
            for name, sub in cmd.commands.items():
                walk(sub, [*path, name])
        else:
            found.append((path, cmd))

    walk(root, [])
    return found


COMMANDS = _commands()


@pytest.mark.parametrize(("argv", "command"), COMMANDS, ids=[" ".join(a) for a, _ in COMMANDS])
def test_bracketed_help_survives(argv: list[str], command: Any) -> None:
    out = CliRunner().invoke(make_app(), [*argv, "--help"], env={"COLUMNS": "2000"}, terminal_width=2000).output
    flat = " ".join(re.sub(r"[│╭╮╰╯─]", " ", out).split())
    helps = [(getattr(p, "help", None) or "").replace("\\[", "[") for p in command.params]  # `said()` escapes
    brackets = [b for h in helps for b in re.findall(r"\[[^\]]+\]", h)]
    for b in brackets:
        assert " ".join(b.split()) in flat, (argv, b)


def test_env_and_defaults_are_said() -> None:
    """The options people set in the environment or the config say so, with their default."""
    out = CliRunner().invoke(make_app(), ["quiz", "--help"], terminal_width=2000).output
    flat = " ".join(re.sub(r"[│╭╮╰╯─]", " ", out).split())
    for said in ("[env: GRADER_MODEL; default gpt-4o-mini]", "[env: OPENAI_BASE_URL;", "[quiz] scheduler",
                 "[env var: GRADER_DB]", "[env var: GRADER_BANK]"):  # fmt: skip
        assert said in flat, said


@pytest.mark.parametrize(("argv", "command"), COMMANDS, ids=[" ".join(a) for a, _ in COMMANDS])
def test_an_option_read_from_the_environment_says_its_default(argv: list[str], command: Any) -> None:
    for p in command.params:
        helptext = (getattr(p, "help", None) or "").replace("\\[", "[")
        from_env = "[env:" in helptext or getattr(p, "envvar", None)
        if from_env and not (p.show_default and p.default not in (None, "")):
            assert "default" in helptext.lower(), (argv, p.opts, helptext)
