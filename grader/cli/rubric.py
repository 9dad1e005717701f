"""`grader rubric build`: derive rubrics from reference answers."""

from __future__ import annotations

from typing import Annotated

import typer

from grader.cli._common import BankOpt, JsonOpt, emit_json
from grader.cli._llm import BaseUrlOpt, JudgeOpt, ModelOpt, TimeoutOpt, llm_setup
from grader.errors import GraderError

app = typer.Typer(help="Build and inspect rubrics.", no_args_is_help=True)


@app.command("build")
def build(
    question_id: Annotated[str | None, typer.Argument(help="Question id; omit with --all.", show_default=False)] = None,
    all_: Annotated[bool, typer.Option("--all", help="Build for every question in the bank.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing rubric files (curated ones too).")] = False,
    bank: BankOpt = None,
    as_json: JsonOpt = False,
    llm: Annotated[
        bool, typer.Option("--llm", help="Let an LLM draft points, concepts and hints (built_by: llm).")
    ] = False,
    judge: JudgeOpt = "openai",
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    timeout: TimeoutOpt = None,
) -> None:
    """Derive a rubric from the reference answer and save it to rubrics/<id>.yaml for review.

    grader rubric build nasyshchenie-neyrona
    grader rubric build --all
    grader rubric build nasyshchenie-neyrona --llm --model gpt-4o-mini --force
    """
    if bool(question_id) == all_:
        raise GraderError("give one question id or --all", fix="e.g. `grader rubric build --all`")
    from grader.bank.store import Bank
    from grader.cli.render import console
    from grader.engine.rubric import build_rubric

    drafter = None
    if llm:
        drafter = llm_setup("llm", judge, model=model, base_url=base_url, timeout=timeout, no_cache=True).judge
    b = Bank.open(bank)
    targets = b.questions() if all_ else [b.question(question_id or "")]
    done: dict[str, str] = {}
    for q in targets:
        if b.rubric_path(q.id).exists() and not force:
            done[q.id] = "kept"
            continue
        if drafter is not None:
            from grader.llm.proposals import draft_rubric

            rubric = draft_rubric(q, drafter)
        else:
            rubric = build_rubric(q)
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
