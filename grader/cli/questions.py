"""`grader questions list|show`: browse the question bank."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from grader.cli._common import BankOpt, JsonOpt, emit_json

app = typer.Typer(help="Browse the question bank.", no_args_is_help=True)


@app.command("list")
def list_questions(
    tag: Annotated[str | None, typer.Option("--tag", "-t", help="Only questions with this tag.")] = None,
    bank: BankOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List questions: id, tags and the question.

    grader questions list --tag глубокое_обучение
    """
    from grader.bank.store import Bank

    b = Bank.open(bank)
    wanted = tag.lstrip("#").replace(" ", "_").lower() if tag else None
    qs = [q for q in b.questions() if wanted is None or wanted in q.tags]
    if as_json:
        emit_json([{"id": q.id, "question": q.question, "tags": q.tags, "lang": q.lang} for q in qs])
        return
    from grader.cli.render import console

    con = console()
    for q in qs:
        rubric = "" if b.rubric_path(q.id).exists() else "  [dim](no rubric)[/]"
        tags = escape(" ".join("#" + t for t in q.tags))
        con.print(f"[bold cyan]{q.id}[/]  [dim]{tags}[/]{rubric}\n  {escape(q.question)}")
    if not qs:
        con.print(f"no questions{f' tagged {tag}' if tag else ''}", style="yellow")


@app.command("show")
def show(
    question_id: Annotated[str, typer.Argument(help="Question id.", show_default=False)],
    reference: Annotated[bool, typer.Option("--reference/--no-reference", help="Show the reference answer.")] = True,
    bank: BankOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show one question with its reference answer and key points.

    grader questions show nasyshchenie-neyrona
    """
    from grader.bank.store import Bank

    b = Bank.open(bank)
    q = b.question(question_id)
    rubric = b.rubric(q.id)
    if as_json:
        data = q.model_dump(mode="json")
        data["points"] = [p.model_dump(mode="json") for p in rubric.points] if rubric else []
        emit_json(data)
        return
    from grader.cli.render import console

    con = console()
    con.print(f"[bold cyan]{q.id}[/]  [dim]{escape(' '.join('#' + t for t in q.tags))}  lang={q.lang}[/]")
    con.print(f"[bold]{escape(q.question)}[/]\n")
    if reference:
        con.print(escape(q.reference) + "\n")
    if rubric:
        con.print("[bold]Key points[/]")
        for p in rubric.points:
            req = " [dim](required)[/]" if p.required else ""
            con.print(f" • {escape(p.text)}{req} [dim]×{p.weight:g}[/]")
    if q.related:
        con.print(f"\n[dim]related: {escape(', '.join(q.related))}[/]")
