"""`grader cache info|clear`: the grader's two on-disk caches, LLM judge replies and parsed bank files."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Literal

import typer

from grader.cli._common import JsonOpt, emit_json, said
from grader.errors import GraderError

app = typer.Typer(help=said("The caches: LLM judge replies and parsed bank files [env: GRADER_CACHE_DIR]."),
                  no_args_is_help=True)  # fmt: skip
Which = Literal["llm", "bank"]


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.0f} KB"


def _when(ts: float | None) -> str:
    return "—" if ts is None else datetime.fromtimestamp(ts, UTC).astimezone().strftime("%Y-%m-%d %H:%M")


@app.command("info")
def info(as_json: JsonOpt = False) -> None:
    """Where the caches are and what they hold: LLM replies (size, how many, from when, for which model and server)
    and parsed bank files (size, how many). `--json`: the reply cache's fields, and the bank files' under "bank".

        grader cache info
        grader cache info --json
    """
    from grader.bank.parsed_admin import parsed_info
    from grader.llm.judges.cache import default_cache_path
    from grader.llm.judges.cache_admin import cache_info

    bank = parsed_info()
    try:
        data = cache_info(default_cache_path())
    except GraderError:  # a damaged reply cache: the bank files are still shown, then the error
        typer.echo(f"{bank.path}: {_files(bank.entries)}, {_size(bank.bytes)}", err=as_json)
        raise
    if as_json:
        emit_json({**data.model_dump(), "bank": bank.model_dump()})
        return
    if not data.exists:
        typer.echo(f"{data.path}: no cache yet (LLM grading makes it)")
    else:
        typer.echo(f"{data.path}: {data.entries} {'reply' if data.entries == 1 else 'replies'}, {_size(data.bytes)}, "
                   f"from {_when(data.oldest)} to {_when(data.newest)}")  # fmt: skip
    for judge, n in data.by_judge.items():
        typer.echo(f"  {n:>7}  {judge}")
    if not bank.entries:
        typer.echo(f"{bank.path}: no parsed bank files yet (reading the bank makes them)")
    else:
        typer.echo(f"{bank.path}: {_files(bank.entries)}, {_size(bank.bytes)}")


def _files(n: int) -> str:
    return f"{n} parsed bank {'file' if n == 1 else 'files'}"


@app.command("clear")
def clear(
    older_than: Annotated[
        str | None,
        typer.Option("--older-than", help="Only entries stored longer ago than this: 45s, 90m, 12h, 30d, 2w.",
                     show_default=False),
    ] = None,
    only: Annotated[
        Which | None,
        typer.Option("--only", help="Clear one cache: llm (judge replies) or bank (parsed bank files).",
                     show_default=False),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Delete what the caches hold (all of it, or entries older than --older-than): the next run asks the judge
    again and parses the bank files again. Both caches unless --only names one.

        grader cache clear
        grader cache clear --older-than 30d
        grader cache clear --only bank
    """
    from grader.bank.parsed import cache_folder
    from grader.bank.parsed_admin import clear_parsed
    from grader.llm.judges.cache import default_cache_path
    from grader.llm.judges.cache_admin import clear_cache, parse_age

    age = parse_age(older_than) if older_than is not None else None
    path = default_cache_path()
    # Each cache is cleared even when the other fails, and what was deleted is told before the error is.
    gone, failed = _attempt(lambda: clear_cache(path, age)) if only in (None, "llm") else (None, None)
    bank, failed_bank = _attempt(lambda: clear_parsed(age)) if only in (None, "bank") else (None, None)
    if as_json:  # a cache not cleared (skipped, or failed) is null
        emit_json({"path": str(path), "deleted": gone, "bank": {"path": str(cache_folder()), "deleted": bank}})
    else:
        if gone is not None:
            typer.echo(f"{path}: deleted {gone} cached {'reply' if gone == 1 else 'replies'}")
        if bank is not None:
            typer.echo(f"{cache_folder()}: deleted {_files(bank)}")
    error = failed or failed_bank
    if error is not None:
        raise error


def _attempt(run: Callable[[], int]) -> tuple[int | None, GraderError | None]:
    """`run()`'s result, or its error (a `GraderError`) to report once the other cache has been dealt with."""
    try:
        return run(), None
    except GraderError as exc:
        return None, exc
