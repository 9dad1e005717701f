"""`grader stats` and `grader history`: progress and the raw log of graded attempts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from grader.cli._common import JsonOpt, emit_json
from grader.cli.quiz import DbOpt, UiLangOpt
from grader.cli.ui_text import UiLang, default_ui_lang, say

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from grader.quiz.progress import Stats

# Core modules and rich are imported inside the commands, so other commands start without them.

TagOpt = Annotated[str | None, typer.Option("--tag", "-t", help="Only attempts at questions with this tag.")]


def _pct(score: float | None) -> str:
    return "—" if score is None else str(round(score * 100))


def _due(at: datetime, lang: UiLang, now: datetime) -> str:
    return say(lang, "now") if at <= now else at.astimezone().strftime("%Y-%m-%d %H:%M")


def _table(title: str, *columns: str, wrap_first: bool = False) -> Table:
    """A borderless table; ids and numbers never wrap (only a first column of prose may)."""
    from rich.table import Table

    table = Table(title=title, title_justify="left", title_style="bold", show_edge=False, pad_edge=False)
    for i, c in enumerate(columns):
        text = i == 0 or (wrap_first and i == 1)
        table.add_column(
            c,
            justify="left" if text else "right",
            no_wrap=not (wrap_first and i == 0),
            min_width=None if text else len(c),
        )
    return table


def print_stats(con: Console, data: Stats, lang: UiLang, now: datetime) -> None:
    con.print(
        say(lang, "stats_head", attempts=data.attempts, questions=data.questions, avg=_pct(data.average_last)) + "\n"
    )
    t = _table(
        say(lang, "by_question"),
        *(say(lang, k) for k in ("col_question", "col_attempts", "col_best", "col_last", "col_box", "col_due")),
    )
    for q in data.by_question:
        t.add_row(q.question_id, str(q.attempts), _pct(q.best), _pct(q.last), str(q.box), _due(q.due_at, lang, now))
    con.print(t, "")
    t = _table(say(lang, "by_tag"), say(lang, "col_tag"), say(lang, "col_attempts"), say(lang, "col_avg"))
    for tag in data.by_tag:
        t.add_row("#" + tag.tag, str(tag.attempts), _pct(tag.average_last))
    con.print(t, "")
    t = _table(say(lang, "trend"), say(lang, "col_day"), say(lang, "col_attempts"), say(lang, "col_avg"))
    for day in data.trend:
        t.add_row(day.day, str(day.attempts), _pct(day.average))
    con.print(t, "")
    if data.missed_points:
        t = _table(
            say(lang, "missed"),
            say(lang, "col_point"),
            say(lang, "col_question"),
            say(lang, "col_missed"),
            wrap_first=True,
        )
        for p in data.missed_points:
            t.add_row(p.text, p.question_id, f"{p.missed + p.partial}/{p.attempts}")
        con.print(t)


def stats(tag: TagOpt = None, db: DbOpt = None, ui_lang: UiLangOpt = None, as_json: JsonOpt = False) -> None:
    """Progress: per question best and last score and when it is due, per tag averages, trend by day, and the
    key points missed most often (scores 0-100; `--json` gives 0..1).

        grader stats
        grader stats --tag глубокое_обучение --json
    """
    from grader.cli.render import console
    from grader.quiz.history import History
    from grader.quiz.progress import stats as compute_stats

    with History.open(db, create=False) as history:
        attempts = history.attempts()
    data = compute_stats(attempts, tag)
    if as_json:
        emit_json(data.model_dump(mode="json"))
        return
    lang = ui_lang or default_ui_lang()
    if not data.attempts:
        console().print(say(lang, "no_history"))
        return
    print_stats(console(), data, lang, datetime.now(UTC))


def history(
    tag: TagOpt = None,
    question_id: Annotated[str | None, typer.Option("--question", "-q", help="Only this question.")] = None,
    db: DbOpt = None,
    ui_lang: UiLangOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Every graded attempt, oldest first: when, question, mode, score, and (with --json) the answer text and each
    key point's status.

        grader history --json > my-progress.json
    """
    from grader.cli.render import console
    from grader.quiz.history import History

    with History.open(db, create=False) as log:
        attempts = log.attempts(question_id=question_id, tag=tag)
    if as_json:
        emit_json([a.model_dump(mode="json") for a in attempts])
        return
    con = console()
    if not attempts:
        con.print(say(ui_lang or default_ui_lang(), "no_history"))
        return
    for a in attempts:
        when = a.at.astimezone().strftime("%Y-%m-%d %H:%M")
        covered = sum(p.status == "covered" for p in a.points)
        con.print(f"{when}  {_pct(a.score):>3}  {covered}/{len(a.points)}  {a.mode:<7}  {a.question_id}")
