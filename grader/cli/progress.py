"""`grader stats` and `grader history`: progress and the raw log of graded attempts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from grader.cli._common import BankOpt, JsonOpt, emit_json
from grader.cli.quiz import DbOpt, SchedulerOpt, UiLangOpt, UntilOpt, quiz_policy
from grader.cli.ui_text import UiLang, default_ui_lang, say
from grader.errors import GraderError

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


GAP = 3  # what a column costs beyond its text in these tables: " │ "


def _table(title: str, *columns: str, flex: int = 1) -> Table:
    """A borderless table; the first `flex` columns are prose (shortened to fit by the caller), the rest right-aligned
    numbers; nothing wraps."""
    from rich.table import Table

    table = Table(title=title, title_justify="left", title_style="bold", show_edge=False, pad_edge=False)
    for i, c in enumerate(columns):
        table.add_column(c, justify="left" if i < flex else "right", no_wrap=True, overflow="crop")
    return table


def _room(width: int, headers: list[str], rows: list[list[str]], flex: int) -> int:
    """Characters left for the `flex` prose columns when the others take what their headers and cells need."""
    fixed = sum(max([len(headers[i]), *(len(r[i]) for r in rows)]) for i in range(flex, len(headers)))
    return max(12 * flex, width - fixed - GAP * (len(headers) - 1))


def _fill(con: Console, title: str, headers: list[str], rows: list[list[str]], shares: list[float]) -> None:
    """Print a table that fits the console's width: each prose column gets its share of the room left, its texts
    shortened between words."""
    from rich.text import Text

    from grader.engine.feedback import shorten

    flex = len(shares)
    room = _room(con.width, headers, rows, flex)
    widths = [max(len(headers[i]), int(room * share)) for i, share in enumerate(shares)]
    t = _table(title, *headers, flex=flex)
    for row in rows:  # Text cells: a question's or point's text is shown as written, never read as markup
        t.add_row(*(Text(shorten(c, widths[i]) if i < flex else c) for i, c in enumerate(row)))
    con.print(t, "")


def question_texts(bank: Path | None) -> dict[str, str]:
    """Question id -> its text, from the bank; a question gone from the bank is shown by its id."""
    from grader.bank.store import Bank

    try:
        return {q.id: q.question for q in Bank.open(bank).questions()}
    except GraderError:
        return {}


def print_stats(con: Console, data: Stats, lang: UiLang, now: datetime, texts: dict[str, str] | None = None) -> None:
    texts = texts or {}
    con.print(
        say(lang, "stats_head", attempts=data.attempts, questions=data.questions, avg=_pct(data.average_last)) + "\n"
    )
    keys = ("col_question", "col_attempts", "col_best", "col_last", "col_box", "col_due")
    rows = [[texts.get(q.question_id, q.question_id), str(q.attempts), _pct(q.best), _pct(q.last), str(q.box),
             _due(q.due_at, lang, now)] for q in data.by_question]  # fmt: skip
    _fill(con, say(lang, "by_question"), [say(lang, k) for k in keys], rows, [1.0])
    rows = [["#" + tag.tag, str(tag.attempts), _pct(tag.average_last)] for tag in data.by_tag]
    _fill(con, say(lang, "by_tag"), [say(lang, k) for k in ("col_tag", "col_attempts", "col_avg")], rows, [1.0])
    rows = [[day.day, str(day.attempts), _pct(day.average)] for day in data.trend]
    _fill(con, say(lang, "trend"), [say(lang, k) for k in ("col_day", "col_attempts", "col_avg")], rows, [1.0])
    if data.missed_points:
        rows = [[p.text, texts.get(p.question_id, p.question_id), f"{p.missed + p.partial}/{p.attempts}"]
                for p in data.missed_points]  # fmt: skip
        headers = [say(lang, k) for k in ("col_point", "col_question", "col_missed")]
        _fill(con, say(lang, "missed"), headers, rows, [0.55, 0.45])


def stats(
    tag: TagOpt = None,
    db: DbOpt = None,
    ui_lang: UiLangOpt = None,
    bank: BankOpt = None,
    scheduler: SchedulerOpt = None,
    until: UntilOpt = None,
    as_json: JsonOpt = False,
) -> None:
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
    data = compute_stats(attempts, tag, quiz_policy(scheduler, until))
    if as_json:
        emit_json(data.model_dump(mode="json"))
        return
    lang = ui_lang or default_ui_lang()
    if not data.attempts:
        console().print(say(lang, "no_history"))
        return
    print_stats(console(), data, lang, datetime.now(UTC), question_texts(bank))


def history(
    tag: TagOpt = None,
    question_id: Annotated[str | None, typer.Option("--question", "-q", help="Only this question.")] = None,
    db: DbOpt = None,
    ui_lang: UiLangOpt = None,
    bank: BankOpt = None,
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
    from grader.engine.feedback import shorten

    texts = question_texts(bank)
    for a in attempts:
        when = a.at.astimezone().strftime("%Y-%m-%d %H:%M")
        covered = sum(p.status == "covered" for p in a.points)
        head = f"{when}  {_pct(a.score):>3}  {f'{covered}/{len(a.points)}':>5}  {a.mode:<7}  "
        con.print(head + shorten(texts.get(a.question_id, a.question_id), max(20, con.width - len(head))),
                  markup=False)
