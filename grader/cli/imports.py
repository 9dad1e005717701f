"""`grader import telegram`: build the question bank from a channel dump or a Telegram Desktop export."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from grader.cli._common import JsonOpt, emit_json

app = typer.Typer(help="Import questions into a bank.", no_args_is_help=True)


@app.command("telegram")
def telegram(
    path: Annotated[
        Path,
        typer.Argument(
            help="Channel text dump (.txt) or Telegram Desktop export (result.json or its folder).", show_default=False
        ),
    ],
    bank: Annotated[
        Path, typer.Option("--bank", help="Bank folder to write questions/ into.", envvar="GRADER_BANK")
    ] = Path("."),
    force: Annotated[bool, typer.Option("--force", help="Overwrite question files edited by hand.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Import questions from a Telegram channel. Re-running is safe: edited files are kept unless --force.

    grader import telegram channel.txt --bank .
    grader import telegram ~/Downloads/ChatExport_2026-11-30/ --bank my-bank
    """
    from grader.bank.importers.telegram import read_questions
    from grader.bank.store import Bank
    from grader.cli.render import console

    questions = read_questions(path)
    (bank / "questions").mkdir(parents=True, exist_ok=True)
    b = Bank(bank)
    outcome = {q.id: b.save_question(q, force=force) for q in questions}
    if as_json:
        emit_json({"questions": outcome})
        return
    con = console(err=True)
    for qid, what in outcome.items():
        if what != "unchanged":
            con.print(f"{what:9} {qid}" + ("  [dim](edited by hand; --force overwrites)[/]" if what == "kept" else ""))
    counts = Counter(outcome.values())
    con.print(f"{len(questions)} questions from {path}: " + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())))
