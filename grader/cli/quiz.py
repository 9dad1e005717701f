"""`grader quiz`: ask questions in the terminal, grade each answer, log it, and schedule the next review."""

from __future__ import annotations

import importlib
import random
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.markup import escape

from grader.cli._common import said
from grader.cli.ui_text import UiLang, default_ui_lang, say

# Core modules and rich are imported inside the commands, so other commands start without them.
DB_ENV = "GRADER_DB"  # the same name as grader.quiz.history.DB_ENV (a test pins it)
ModeName = Literal["lexical", "llm", "hybrid"]  # grader.models.Mode, spelled out to keep pydantic out of startup

DbOpt = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help="History file (SQLite). Default: grader/history.sqlite in the user's data folder (see README).",
        envvar=DB_ENV,
        show_default=False,
    ),
]
SchedulerOpt = Annotated[
    Literal["leitner", "fsrs"] | None,
    typer.Option("--scheduler", help=said("leitner (boxes) or fsrs. Default: [quiz] scheduler in the config file, "
                 "else leitner."), show_default=False),
]
UntilOpt = Annotated[
    datetime | None,
    typer.Option("--until", formats=["%Y-%m-%d"], help=said("Interview date (YYYY-MM-DD): no review is due after "
                 "it. Default: [quiz] until in the config file."), show_default=False),
]
UiLangOpt = Annotated[
    UiLang | None,
    typer.Option("--ui-lang", help="Language of the interface; feedback follows the answer. Default: from the locale."),
]


def make_judge(mode: ModeName, judge: str, model: str | None, base_url: str | None) -> Any:
    """The judge for `--mode llm|hybrid`, built by the shared LLM setup (`grader.cli._llm`) when this build has it."""
    if mode == "lexical":
        return None
    from grader.errors import JudgeError

    try:
        llm = importlib.import_module("grader.cli._llm")
    except ImportError:
        raise JudgeError(
            f"--mode {mode} needs the LLM judge, which this build of grader does not have",
            fix="Use --mode lexical",
        ) from None
    return llm.llm_setup(mode, judge, model=model, base_url=base_url).judge


def quiz_policy(scheduler: str | None, until: datetime | None) -> Any:
    """The schedule policy: flags over the config file's [quiz] section (`grader.quiz.policy`)."""
    from grader.quiz.policy import load_policy

    return load_policy(scheduler=scheduler, until=until.date() if until else None)


def quiz(
    tag: Annotated[str | None, typer.Option("--tag", "-t", help="Only questions with this tag.")] = None,
    count: Annotated[int, typer.Option("--count", "-n", help="How many questions to ask.", min=1)] = 5,
    question_id: Annotated[
        str | None, typer.Option("--question", "-q", help="Ask this one question (by id).", show_default=False)
    ] = None,
    mode: Annotated[ModeName, typer.Option("--mode", help="How answers are graded.")] = "lexical",
    judge: Annotated[
        str, typer.Option("--judge", help="With --mode llm|hybrid: openai (any compatible server) or fake (offline).")
    ] = "openai",
    model: Annotated[
        str | None,
        typer.Option("--model", help=said("LLM model [env: GRADER_MODEL; default gpt-4o-mini]"), show_default=False),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option("--base-url", help=said("OpenAI-compatible API URL [env: OPENAI_BASE_URL; default "
                     "https://api.openai.com/v1]"), show_default=False),
    ] = None,
    db: DbOpt = None,
    ui_lang: UiLangOpt = None,
    bank: Annotated[
        Path | None,
        typer.Option(
            "--bank",
            help="Bank folder holding questions/ and rubrics/. Default: the bundled bank.",
            envvar="GRADER_BANK",
        ),
    ] = None,
    scheduler: SchedulerOpt = None,
    until: UntilOpt = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Fix the order of new questions.", hidden=True)] = None,
) -> None:
    """Practise: answer questions in your own words; see what you covered and missed; come back to weak spots.

    Questions come by spaced repetition (Leitner boxes on the score, or FSRS with --scheduler fsrs): weak and
    long-unseen ones first, new ones mixed in; --until DATE (the interview) caps every interval.

    Finish an answer with an empty line twice or Ctrl-D (after text too); Ctrl-C leaves, keeping what was graded
    and, as a draft file, the answer being typed.

        grader quiz
        grader quiz --tag глубокое_обучение --count 3
        grader quiz --question nasyshchenie-neyrona --ui-lang en
    """
    from rich.text import Text

    from grader.bank.store import Bank
    from grader.cli.render import console
    from grader.cli.terminal import TerminalUI
    from grader.quiz.history import History
    from grader.quiz.session import Quiz

    lang = ui_lang or default_ui_lang()
    policy = quiz_policy(scheduler, until)
    grader_judge = make_judge(mode, judge, model, base_url)
    con = console()
    err = console(err=True)
    with History.open(db) as history:
        session = Quiz(Bank.open(bank), history, mode=mode, judge=grader_judge, ui_lang=lang,
                       policy=policy)
        picks = session.plan(tag=tag, count=count, question_id=question_id, rng=random.Random(seed))
        if not picks:
            con.print(say(lang, "nothing"))
            return
        con.print(Text(say(lang, "intro", n=len(picks)), style="dim"))
        try:
            session.run(picks, TerminalUI(con, lang, drafts=history.path.parent))
        except KeyboardInterrupt as stop:
            con.print()
            con.print(Text(say(lang, "interrupted"), style="yellow"))
            draft = getattr(stop, "draft", "")
            if draft:  # never lose a typed answer
                from grader.quiz.drafts import save_draft

                path = save_draft(history.path.parent, getattr(stop, "question_id", "") or "answer", draft)
                con.print(Text(say(lang, "draft_saved", path=str(path)), style="yellow"))
        for w in session.warnings:
            err.print(f"[yellow]warning:[/] {escape(w)}")
        done = session.attempts
        scored = [a.score for a in done if a.score is not None]
        avg = f"{round(100 * sum(scored) / len(scored))}/100" if scored else "—"
        con.print(Text(say(lang, "summary", n=len(done), avg=avg, db=str(history.path)), style="bold"))
