"""`grader cache info|clear`: the on-disk cache of LLM judge replies."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from grader.cli._common import JsonOpt, emit_json, said

app = typer.Typer(help=said("The cache of LLM judge replies [env: GRADER_CACHE_DIR]."), no_args_is_help=True)


def _when(ts: float | None) -> str:
    return "—" if ts is None else datetime.fromtimestamp(ts, UTC).astimezone().strftime("%Y-%m-%d %H:%M")


@app.command("info")
def info(as_json: JsonOpt = False) -> None:
    """Where the cache is, its size, how many replies it holds, from when, and for which model and server.

        grader cache info
        grader cache info --json
    """
    from grader.llm.judges.cache import default_cache_path
    from grader.llm.judges.cache_admin import cache_info

    data = cache_info(default_cache_path())
    if as_json:
        emit_json(data.model_dump())
        return
    if not data.exists:
        typer.echo(f"{data.path}: no cache yet (LLM grading makes it)")
        return
    typer.echo(f"{data.path}: {data.entries} replies, {data.bytes / 1e6:.1f} MB, "
               f"from {_when(data.oldest)} to {_when(data.newest)}")  # fmt: skip
    for judge, n in data.by_judge.items():
        typer.echo(f"  {n:>7}  {judge}")


@app.command("clear")
def clear(
    older_than: Annotated[
        str | None,
        typer.Option("--older-than", help="Only replies stored longer ago than this: 45s, 90m, 12h, 30d, 2w.",
                     show_default=False),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Delete the cached replies (all, or those older than --older-than); the next run asks the judge again.

        grader cache clear
        grader cache clear --older-than 30d
    """
    from grader.llm.judges.cache import default_cache_path
    from grader.llm.judges.cache_admin import clear_cache, parse_age

    age = parse_age(older_than) if older_than is not None else None
    path = default_cache_path()
    gone = clear_cache(path, age)
    if as_json:
        emit_json({"path": str(path), "deleted": gone})
        return
    typer.echo(f"{path}: deleted {gone} cached {'reply' if gone == 1 else 'replies'}")
