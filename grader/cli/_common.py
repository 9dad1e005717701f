"""Shared CLI pieces: options, output helpers, error handling, reading answers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

# Re-exported: the pieces that need no typer live in grader.cli.plain (a lexical `grader grade` runs without typer).
from grader.cli.plain import (
    ANSWER,
    DEBUG_ENV,
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    EXIT_OK,
    decode_answer,
    emit_json,
    failed,
    read_answer,
)

__all__ = ["ANSWER", "DEBUG_ENV", "EXIT_BAD_INPUT", "EXIT_FAILED", "EXIT_OK", "BankOpt", "JsonOpt", "decode_answer",
           "emit_json", "read_answer", "run_safely", "said"]


def said(text: str) -> str:
    """Help text shown as written: rich markup would take "[env: ...]" or "[quiz]" for a style and drop it."""
    return text.replace("[", "\\[")


BankOpt = Annotated[
    Path | None,
    typer.Option(
        "--bank",
        help=said("Bank folder holding questions/ and rubrics/ [env: GRADER_BANK; default: the bundled bank]"),
        envvar="GRADER_BANK",
        show_default=False,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout; messages go to stderr.")]


def run_safely(app: typer.Typer) -> int:
    """Run the typer app; bad input becomes one line on stderr and exit code 2, never a traceback."""
    try:
        # Outside standalone mode click *returns* the code of a `typer.Exit(n)` instead of raising it.
        rc = app(standalone_mode=False)
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except typer.Abort:
        typer.echo("aborted", err=True)
        return 130
    except Exception as exc:
        # Usage errors (click's, vendored in newer typer) arrive here in non-standalone mode.
        show = getattr(exc, "show", None)
        if callable(show) and type(exc).__module__.split(".")[0] in ("click", "typer"):
            show()
            return EXIT_BAD_INPUT
        return failed(exc)
    except BaseException as exc:
        return failed(exc)
    return rc if isinstance(rc, int) else EXIT_OK
