"""`grader rubric build`: derive rubrics from reference answers."""

from __future__ import annotations

from typing import Annotated

import typer

from grader.cli._common import BankOpt, JsonOpt, emit_json
from grader.errors import GraderError

app = typer.Typer(help="Build and inspect rubrics.", no_args_is_help=True)


@app.command("build")
def build(
    question_id: Annotated[str | None, typer.Argument(help="Question id; omit with --all.", show_default=False)] = None,
    all_: Annotated[bool, typer.Option("--all", help="Build for every question in the bank.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing rubric files (curated ones too).")] = False,
    bank: BankOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Derive a rubric from the reference answer and save it to rubrics/<id>.yaml for review.

    grader rubric build nasyshchenie-neyrona
    grader rubric build --all
    """
    if bool(question_id) == all_:
        raise GraderError("give one question id or --all", fix="e.g. `grader rubric build --all`")
    from grader.bank import Bank
    from grader.cli.render import console
    from grader.rubric import build_rubric

    b = Bank.open(bank)
    targets = b.questions() if all_ else [b.question(question_id or "")]
    corpus = [q.reference for q in b.questions()]
    done: dict[str, str] = {}
    for q in targets:
        if b.rubric_path(q.id).exists() and not force:
            done[q.id] = "kept"
            continue
        rubric = build_rubric(q, [r for r in corpus if r != q.reference])
        b.save_rubric(rubric)
        done[q.id] = "built"
    if as_json:
        emit_json({"rubrics": done})
        return
    con = console(err=True)
    for qid, what in done.items():
        con.print(
            f"{what:6} {b.rubric_path(qid)}" + ("  [dim](exists; --force overwrites)[/]" if what == "kept" else "")
        )
