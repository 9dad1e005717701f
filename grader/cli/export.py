"""`grader export anki`: the bank, or one's weak questions, as an Anki deck."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from grader.cli._common import BankOpt, JsonOpt, emit_json
from grader.cli.quiz import DbOpt, UiLangOpt

app = typer.Typer(help="Export questions for other tools.", no_args_is_help=True)


@app.command("anki")
def anki(
    out: Annotated[Path, typer.Option("--out", "-o", help="The deck file to write (.apkg).")] = Path("grader.apkg"),
    weak: Annotated[
        bool, typer.Option("--weak", help="Only questions whose last quiz score was under 75 (from the history).")
    ] = False,
    tag: Annotated[str | None, typer.Option("--tag", "-t", help="Only questions with this tag.")] = None,
    bank: BankOpt = None,
    db: DbOpt = None,
    ui_lang: UiLangOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write an Anki deck: the question on the front; the reference and the key points (with hints) on the back.

        grader export anki --out interview.apkg
        grader export anki --weak --out weak-spots.apkg      # missed points marked ✘

    Importing a newer deck into Anki updates the same cards.
    """
    from grader.bank.store import Bank
    from grader.quiz.anki import deck_cards, write_deck
    from grader.quiz.anki import weak as weak_points
    from grader.quiz.history import History
    from grader.quiz.session import Quiz

    b = Bank.open(bank)
    with History.open(db, create=False) as history:
        missed = weak_points(history.attempts()) if weak else None
        questions = Quiz(b, history).pool(tag)
    cards = deck_cards(b, questions, missed, ui_lang)
    name = "grader: weak spots" if weak else "grader" + (f" #{tag}" if tag else "")
    write_deck(cards, out, name)
    if as_json:
        emit_json({"out": str(out), "cards": len(cards), "questions": [c.question_id for c in cards]})
        return
    typer.echo(f"{out}: {len(cards)} {'card' if len(cards) == 1 else 'cards'} (deck '{name}')")
