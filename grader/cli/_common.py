"""Shared CLI pieces: options, output helpers, error handling, reading answers."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from grader.cli.inert import inert, inert_json
from grader.errors import BadAnswer, GraderError
from grader.limits import limit, read_bounded, read_file, too_big
from grader.outputs import os_error


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

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
ANSWER = "GRADER_MAX_ANSWER_CHARS"
DEBUG_ENV = "GRADER_DEBUG"


def run_safely(app: typer.Typer) -> int:
    """Run the typer app; bad input becomes one line on stderr and exit code 2, never a traceback."""
    try:
        # Outside standalone mode click *returns* the code of a `typer.Exit(n)` instead of raising it.
        rc = app(standalone_mode=False)
    except GraderError as exc:
        typer.echo(f"error: {inert(str(exc))}", err=True)
        return exc.exit_code
    except OSError as exc:  # a file the OS would not let us read or write: one line with the path and the fix
        typer.echo(f"error: {inert(str(os_error(exc)))}", err=True)
        return EXIT_BAD_INPUT
    except (RecursionError, MemoryError) as exc:
        what = "nested too deeply" if isinstance(exc, RecursionError) else "too large to hold in memory"
        typer.echo(f"error: the input is {what}", err=True)
        return EXIT_BAD_INPUT
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except typer.Abort:
        typer.echo("aborted", err=True)
        return 130
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        return 130
    except Exception as exc:
        # Usage errors (click's, vendored in newer typer) arrive here in non-standalone mode.
        show = getattr(exc, "show", None)
        if callable(show) and type(exc).__module__.split(".")[0] in ("click", "typer"):
            show()
            return EXIT_BAD_INPUT
        if os.environ.get(DEBUG_ENV):
            raise
        # Input no guard foresaw reached a bug: still one line, with how to get the traceback to report it.
        text = inert(str(exc))[:300]
        typer.echo(f"error: unexpected {type(exc).__name__}: {text} (a bug in grader; {DEBUG_ENV}=1 shows the "
                   "traceback to report)", err=True)  # fmt: skip
        return EXIT_BAD_INPUT
    return rc if isinstance(rc, int) else EXIT_OK


def emit_json(data: Any) -> None:
    sys.stdout.write(inert_json(json.dumps(data, ensure_ascii=False, indent=2)) + "\n")


def decode_answer(raw: bytes, where: str) -> str:
    """Answer bytes as text: UTF-8 (BOM allowed); binary data and other encodings are refused clearly."""
    if b"\x00" in raw:
        raise BadAnswer("looks like a binary file (it contains NUL bytes)", where=where, fix="Give a UTF-8 text file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadAnswer(
            f"not valid UTF-8 (byte {exc.start})",
            where=where,
            fix="Save the answer as UTF-8 text (e.g. `iconv -f cp1251 -t utf-8`)",
        ) from None
    return text


def read_answer(answer: str | None, answer_file: str | None) -> str:
    """The answer from --answer, --answer-file (`-` is stdin) or piped stdin; empty answers are refused."""
    if answer is not None and answer_file is not None:
        raise BadAnswer("give either --answer or --answer-file, not both")
    if answer is not None:
        text, where = answer, "--answer"
    elif answer_file is not None and answer_file != "-":
        text, where = decode_answer(read_file(Path(answer_file), "answer file"), answer_file), answer_file
    elif answer_file == "-" or (sys.stdin is not None and not sys.stdin.isatty()):
        # At most 4 bytes a character: more cannot be an answer within the limit (`yes | grader grade` ends).
        raw = read_bounded(sys.stdin.buffer, 4 * limit(ANSWER), "stdin", ANSWER)
        text, where = decode_answer(raw, "stdin"), "stdin"
    else:
        raise BadAnswer("no answer given", fix="Pass --answer TEXT, --answer-file FILE, or pipe the answer on stdin")
    if not text.strip():
        raise BadAnswer("the answer is empty (only whitespace)", where=where, fix="Write an answer to grade")
    if len(text) > limit(ANSWER):
        raise BadAnswer(too_big("the answer", len(text), ANSWER), where=where, fix="Shorten the answer")
    return text
