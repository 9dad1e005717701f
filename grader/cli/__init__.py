"""The `grader` command line: parse arguments, call one core function, render. The only place typer lives.

Exit codes, for every command: 0 success; 1 a check failed (a score under --min-score, a golden example out of
its band); 2 bad input or usage (unknown id, unreadable file, invalid YAML, empty answer).
"""

from __future__ import annotations

import sys

import typer

from grader.cli import evaluate as _evaluate
from grader.cli import batch as _batch
from grader.cli import check as _check
from grader.cli import grade as _grade
from grader.cli import imports as _imports
from grader.cli import progress as _progress
from grader.cli import questions as _questions
from grader.cli import quiz as _quiz
from grader.cli import rubric as _rubric
from grader.cli._common import run_safely

app = typer.Typer(
    name="grader",
    help="Grade free-text answers to data-science interview questions against a reference rubric.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

app.command("grade")(_grade.grade)
app.command("check")(_check.check)
app.command("batch")(_batch.batch)
app.command("evaluate")(_evaluate.evaluate)
app.command("calibrate")(_evaluate.calibrate)
app.add_typer(_questions.app, name="questions")
app.add_typer(_rubric.app, name="rubric")
app.add_typer(_imports.app, name="import")
app.command("quiz")(_quiz.quiz)
app.command("stats")(_progress.stats)
app.command("history")(_progress.history)


def main() -> None:
    """Console entry point: run the app, turning `GraderError`s into one line on stderr and exit code 2."""
    sys.exit(run_safely(app))
