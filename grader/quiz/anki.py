"""`grader export anki`: an Anki deck of the bank, or of one's weak questions, with the reference and the key points
on the back of each card. The notes' ids come from the question ids, so importing a newer deck updates the same
cards (and keeps their review history) instead of adding copies.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

from grader.bank.store import Bank, rubric_for
from grader.models import Model, Question, Rubric
from grader.quiz.history import Attempt
from grader.quiz.schedule import PASS_AT

# Fixed ids: Anki recognises the note type and the deck across exports by them.
MODEL_ID = 1_734_020_501
DECK_ID = 1_734_020_502
_CSS = ".card { font-family: sans-serif; font-size: 18px; text-align: left; } .missed { color: #c0392b; } " \
       ".hint { color: #777; font-size: 15px; }"  # fmt: skip


class AnkiCard(Model):
    """One note: the question on the front; the reference and the key points on the back."""

    question_id: str
    front: str  # HTML
    back: str  # HTML
    tags: list[str] = []


def _html(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def card_for(question: Question, rubric: Rubric, missed: Sequence[str] = (), lang: str | None = None) -> AnkiCard:
    """The card of a question; points in `missed` (ids) are marked as missed the last time."""
    points = []
    for p in rubric.points:
        mark = ' <span class="missed">✘</span>' if p.id in missed else ""
        required = " <b>(required)</b>" if p.required else ""
        hint = p.hint_in(lang or rubric.lang)
        hint_html = f'<br><span class="hint">{_html(hint)}</span>' if hint and hint != p.text else ""
        points.append(f"<li>{_html(p.text_in(lang or rubric.lang))}{required}{mark}{hint_html}</li>")
    back = f"{_html(question.reference)}<hr><b>Key points</b><ol>{''.join(points)}</ol>"
    return AnkiCard(question_id=question.id, front=_html(question.question), back=back,
                    tags=[t.replace(" ", "_") for t in question.tags])  # fmt: skip


def weak(attempts: Sequence[Attempt]) -> dict[str, list[str]]:
    """Questions whose latest attempt scored under the pass mark (or went unscored) -> the points it missed."""
    latest: dict[str, Attempt] = {}
    for a in attempts:
        latest[a.question_id] = a
    return {q: [p.id for p in a.points if p.status != "covered"]
            for q, a in latest.items() if a.score is None or a.score < PASS_AT}  # fmt: skip


def deck_cards(bank: Bank, questions: Sequence[Question], missed: dict[str, list[str]] | None = None,
               lang: str | None = None) -> list[AnkiCard]:  # fmt: skip
    """Cards for `questions`; with `missed` (from `weak`), only those questions, their missed points marked."""
    chosen = [q for q in questions if missed is None or q.id in missed]
    return [card_for(q, rubric_for(bank, q)[0], (missed or {}).get(q.id, ()), lang) for q in chosen]


def write_deck(cards: Sequence[AnkiCard], path: Path, name: str) -> Path:
    """Write the cards as an Anki package (.apkg)."""
    import genanki  # only this command needs it

    model = genanki.Model(
        MODEL_ID,
        "grader question",
        fields=[{"name": "Question"}, {"name": "Answer"}, {"name": "Id"}],
        templates=[{"name": "Card 1", "qfmt": "{{Question}}",
                    "afmt": '{{FrontSide}}<hr id="answer">{{Answer}}'}],
        css=_CSS,
    )
    deck = genanki.Deck(DECK_ID, name)
    for c in cards:
        deck.add_note(genanki.Note(model=model, fields=[c.front, c.back, c.question_id], tags=c.tags,
                                   guid=genanki.guid_for("grader", c.question_id)))  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    genanki.Package(deck).write_to_file(str(path))
    return path
