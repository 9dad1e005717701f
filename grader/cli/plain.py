"""The command line's pieces that need no typer: exit codes, reading the answer, JSON out, a failure as one line.

A lexical `grader grade` runs on these alone (`grader.cli.grade_run`), without importing typer, click or rich.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from grader.cli.inert import inert, inert_json
from grader.errors import BadAnswer, GraderError
from grader.limits import limit, read_bounded, read_file, too_big
from grader.outputs import os_error

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
ANSWER = "GRADER_MAX_ANSWER_CHARS"
DEBUG_ENV = "GRADER_DEBUG"
T = TypeVar("T")


def say(message: str) -> None:
    """One line on stderr (what `typer.echo(..., err=True)` does)."""
    print(message, file=sys.stderr, flush=True)


def failed(exc: BaseException) -> int:
    """Say what went wrong in one line on stderr and return the exit code; never a traceback for bad input.
    Raises again what is not a failure to report (SystemExit), and anything with GRADER_DEBUG set."""
    if isinstance(exc, GraderError):
        say(f"error: {inert(str(exc))}")
        return exc.exit_code
    if isinstance(exc, OSError):  # a file the OS would not let us read or write: one line with the path and the fix
        say(f"error: {inert(str(os_error(exc)))}")
        return EXIT_BAD_INPUT
    if isinstance(exc, RecursionError | MemoryError):
        what = "nested too deeply" if isinstance(exc, RecursionError) else "too large to hold in memory"
        say(f"error: the input is {what}")
        return EXIT_BAD_INPUT
    if isinstance(exc, KeyboardInterrupt):
        say("interrupted")
        return 130
    if not isinstance(exc, Exception) or os.environ.get(DEBUG_ENV):
        raise exc
    # Input no guard foresaw reached a bug: still one line, with how to get the traceback to report it.
    text = inert(str(exc))[:300]
    say(f"error: unexpected {type(exc).__name__}: {text} (a bug in grader; {DEBUG_ENV}=1 shows the traceback to "
        "report)")
    return EXIT_BAD_INPUT


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


def run_plainly(command: Callable[[T], int], args: T) -> int:
    """`command(args)`'s exit code, a failure said in one line (as `grader.cli._common.run_safely` does)."""
    try:
        return command(args)
    except BaseException as exc:
        return failed(exc)
