"""`grader grade`: grade one answer to one bank question."""

from __future__ import annotations

from typing import Annotated

import typer

from grader.cli._common import EXIT_FAILED, BankOpt, JsonOpt, emit_json, read_answer

# The core modules are imported inside the command: `grader --help` and every other command start without them,
# and --json never loads rich.


def grade(
    question_id: Annotated[str, typer.Argument(help="Question id (see `grader questions list`).", show_default=False)],
    answer: Annotated[str | None, typer.Option("--answer", "-a", help="The answer text.")] = None,
    answer_file: Annotated[
        str | None, typer.Option("--answer-file", "-f", help="Read the answer from a UTF-8 file; `-` reads stdin.")
    ] = None,
    min_score: Annotated[
        float | None, typer.Option("--min-score", help="Exit 1 when the score (0..1) is below this.", min=0, max=1)
    ] = None,
    bank: BankOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Grade an answer: score 0-100, each key point covered/partial/missing with evidence, what to study next.

    The answer comes from --answer, --answer-file, or standard input when piped:

        grader grade nasyshchenie-neyrona -a "Нейрон насыщается, когда сигмоида выдаёт значения около 0 или 1..."
        echo "..." | grader grade nasyshchenie-neyrona --json
    """
    from grader.bank import Bank
    from grader.grading import grade as grade_answer
    from grader.rubric import rubric_for

    text = read_answer(answer, answer_file)
    b = Bank.open(bank)
    question = b.question(question_id)
    rubric, warnings = rubric_for(b, question)
    for w in warnings:
        typer.echo(f"warning: {w}", err=True)
    result = grade_answer(question, rubric, text)
    if as_json:
        emit_json(result.public())
    else:
        from grader.cli.render import console, print_grade

        con = console()
        con.print(f"[bold]{question.question}[/]\n")
        print_grade(result, text, con)
        if result.study_next:
            con.print()
            con.print("[bold]" + result.feedback.split("\n")[1] + "[/]" if "\n" in result.feedback else "")
            for hint in result.study_next:
                con.print(f" • {hint}")
    if min_score is not None and (result.score or 0.0) < min_score:
        raise typer.Exit(EXIT_FAILED)
