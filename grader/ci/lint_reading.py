"""Lint of how an automatic rubric read its reference: what the reader guessed (a menu, notes set aside, score
levels, a reference it could not split) is a warning, so a person checks it before trusting the grades."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from grader.engine.rubric import read_question
from grader.models import Question, Rubric

Add = Callable[..., Any]  # lint's `add(code, severity, message, loc, fix)`
FIX = "See how it was read with `grader rubric build {id} --force`, then fix the points and set built_by: curated"


def lint_reading(rubric: Rubric, question: Question, add: Add) -> None:
    """Report through `add` each guess the reader made for an automatic rubric (a curated one was checked)."""
    if rubric.built_by != "auto":
        return
    for unsure in read_question(question).unsure:
        message = f"the reference's reading is unsure: {unsure}"
        add("unsure-reading", "warning", message, ("points",), FIX.format(id=question.id))


def no_rubric_message(question: Question) -> str:
    """The warning for a question without a rubric (one is built on the fly when grading), with what the reader
    guessed of its reference, if anything."""
    unsure = read_question(question).unsure
    note = f"; its reference's reading is unsure: {'; '.join(unsure)}" if unsure else ""
    return f"question '{question.id}' has no rubric (one is built on the fly when grading){note}"
