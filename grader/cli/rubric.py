"""`grader rubric build` and `grader rubric show`: derive rubrics from reference answers, and read one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from grader.cli._common import BankOpt, JsonOpt, emit_json
from grader.cli._llm import BaseUrlOpt, JudgeOpt, ModelOpt, TimeoutOpt, llm_setup
from grader.errors import GraderError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from grader.models import PointGroup, Reading, Rubric

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
    """Derive a rubric from the reference answer and save it to rubrics/<id>.yaml for review, showing how the
    reference was read: points with weight, required and group, groups of alternatives (any N of M), notes set
    aside, and what the reader was unsure of (check those first).

    grader rubric build nasyshchenie-neyrona
    grader rubric build --all
    grader rubric build nasyshchenie-neyrona --llm --model gpt-4o-mini --force
    """
    if bool(question_id) == all_:
        raise GraderError("give one question id or --all", fix="e.g. `grader rubric build --all`")
    from grader.bank.store import Bank
    from grader.cli.render import console
    from grader.engine.rubric import build_rubric, read_question

    drafter = None
    if llm:
        drafter = llm_setup("llm", judge, model=model, base_url=base_url, timeout=timeout, no_cache=True).judge
    b = Bank.open(bank)
    targets = b.questions() if all_ else [b.question(question_id or "")]
    done: dict[str, str] = {}
    readings: dict[str, tuple[Rubric, Reading]] = {}  # how each rubric built from its reference read it
    for q in targets:
        if b.rubric_path(q.id).exists() and not force:
            done[q.id] = "kept"
            continue
        if drafter is not None:
            from grader.llm.proposals import draft_rubric

            rubric = draft_rubric(q, drafter)
        else:
            reading = read_question(q)
            rubric = build_rubric(q, reading)
            readings[q.id] = (rubric, reading)
        b.save_rubric(rubric)
        done[q.id] = "built"
    if as_json:
        emit_json({"rubrics": done, "readings": {qid: reading_json(*rr) for qid, rr in readings.items()}})
        return
    con = console(err=True)
    for qid, what in done.items():
        con.print(
            f"{what:6} {b.rubric_path(qid)}" + ("  [dim](exists; --force overwrites)[/]" if what == "kept" else "")
        )
        if qid in readings:
            print_reading(con, *readings[qid])


def reading_json(rubric: Rubric, reading: Reading) -> dict[str, Any]:
    """How a reference was read, for `rubric build --json`: the rubric's points, groups and count, the notes set
    aside and what the reader was unsure of."""
    points = [p.model_dump(mode="json", include={"id", "text", "weight", "required", "group"}) for p in rubric.points]
    groups = [g.model_dump(mode="json") | {"size": group_size(rubric, g)} for g in rubric.groups]
    return {
        "shape": reading.shape,
        "points": points,
        "needs": rubric.needs,
        "groups": groups,
        "notes": reading.notes,
        "unsure": reading.unsure,
    }


def group_size(rubric: Rubric, group: PointGroup) -> int:
    """How many of the rubric's points are in `group` (the M of "any N of M")."""
    return sum(p.group == group.id for p in rubric.points)


def group_line(rubric: Rubric, group: PointGroup, indent: str = "") -> Text:
    """"group G: any N of its M points  TEXT", as `rubric build` and `rubric show` print a group."""
    from rich.text import Text

    head = f"{indent}group {group.id}: any {group.needs} of its {group_size(rubric, group)} points"
    return Text(head, style="bold").append(f"  {group.text}")


def print_reading(con: Console, rubric: Rubric, reading: Reading) -> None:
    """The reading of one reference, for a person to check: points (weight, required, group), groups as N of M,
    notes set aside, what was unsure."""
    from rich.text import Text

    needs = f"; a full answer needs {rubric.needs} of them" if rubric.needs else ""
    con.print(Text(f"  read as {reading.shape}: {len(rubric.points)} points{needs}", style="dim"))
    for p in rubric.points:
        line = Text(f"  {p.id:<4}", style="cyan").append(f" weight {p.weight:g}", style="dim")
        line.append(" required" if p.required else "", style="yellow").append(f" [{p.group}]" if p.group else "")
        con.print(line.append(f"  {p.text}"))
    for g in rubric.groups:
        con.print(group_line(rubric, g, "  "))
    for note in reading.notes:
        con.print(Text("  set aside: ", style="dim").append(note))
    for unsure in reading.unsure:
        con.print(Text("  unsure: ", style="yellow").append(unsure))


@app.command("show")
def show(
    question_id: Annotated[str, typer.Argument(help="Question id (see `grader questions list`).", show_default=False)],
    bank: BankOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Print how a rubric reads: its points with weight, required flag and group, each concept's alternative
    wordings, hints, how many points a full answer needs (of all, and of each group), and its golden examples.

        grader rubric show nasyshchenie-neyrona
        grader rubric show nasyshchenie-neyrona --json
    """
    from grader.bank.store import Bank, rubric_for

    b = Bank.open(bank)
    question = b.question(question_id)
    rubric, warnings = rubric_for(b, question)
    for w in warnings:
        typer.echo(f"warning: {w}", err=True)
    if as_json:
        emit_json(rubric.model_dump(mode="json"))
        return
    from rich.text import Text

    from grader.cli.render import console

    con = console()
    con.print(Text(question.question, style="bold"))
    total = sum(p.weight for p in rubric.points)
    head = f"{rubric.question_id} · {rubric.lang} · built_by: {rubric.built_by} · {len(rubric.points)} points"
    con.print(Text(head + (f" · a full answer needs {rubric.needs}" if rubric.needs else ""), style="dim"))
    for p in rubric.points:
        con.print()
        line = Text(f"{p.id}", style="bold cyan")
        line.append(f"  weight {p.weight:g} ({round(100 * p.weight / total)}%)", style="dim")
        if p.required:
            line.append("  required", style="bold yellow")
        if p.group:
            line.append(f"  group {p.group}")
        con.print(line)
        con.print(Text(f"  {p.text}"))
        for c in p.concepts:
            weight = f" (weight {c.weight:g})" if c.weight != 1.0 else ""
            con.print(Text("  • ", style="dim").append(" | ".join(c.any)).append(weight, style="dim"))
        for lang, text in p.translations.items():
            con.print(Text(f"  {lang}: {text}", style="dim"))
        if p.hint:
            hints: list[tuple[str, str]] = list(p.hint.items()) if isinstance(p.hint, dict) else [("", p.hint)]
            for hint_lang, hint in hints:
                con.print(Text(f"  hint{f' ({hint_lang})' if hint_lang else ''}: {hint}", style="dim"))
    for g in rubric.groups:
        con.print()
        con.print(group_line(rubric, g))
    if rubric.examples:
        con.print()
        con.print(Text(f"golden examples: {len(rubric.examples)}", style="bold"))
        for e in rubric.examples:
            band = f"[{e.band[0]:.2f}, {e.band[1]:.2f}]"
            covers = f"  covers {', '.join(e.covers)}" if e.covers else ""
            con.print(Text(f"  {e.id}  band {band}{covers}", style="dim"))
