"""Lint of a rubric's misconceptions, the way its points are linted: each must be able to match, none may match
the reference answer itself, and each says what is wrong."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from grader.engine.misconceptions import find_misconceptions, matcher_of
from grader.models import Question, Rubric

Add = Callable[..., Any]  # lint's `add(code, severity, message, loc, fix)`


def lint_misconceptions(rubric: Rubric, question: Question, add: Add) -> None:
    """Report through `add` misconceptions that can never match, that the reference states, or without feedback."""
    matcher = matcher_of(rubric, question.question)
    if matcher is None:
        return
    for i, (m, compiled) in enumerate(zip(rubric.misconceptions, matcher.points, strict=True)):
        for j, concept in enumerate(m.concepts):
            if not compiled.kept(concept):
                add(
                    "concept-in-question",
                    "error",
                    f"misconception '{m.id}': concept {concept.any} occurs in the question text, so it never matches"
                    " and the misconception can never be found",
                    ("misconceptions", i, "concepts", j),
                    "Use wordings of the wrong claim that are not in the question",
                )
        if not any(m.feedback_in(lang).strip() for lang in ("ru", "en", "de")):
            add(
                "no-feedback",
                "error",
                f"misconception '{m.id}' has no feedback",
                ("misconceptions", i, "feedback"),
                "Say in a sentence what is wrong and what is right",
            )
    for found in find_misconceptions(rubric, question.question, question.reference, rubric.lang):
        i = next(k for k, m in enumerate(rubric.misconceptions) if m.id == found.source)
        add(
            "reference-states-misconception",
            "error",
            f"the reference answer itself states misconception '{found.source}': "
            + "; ".join(f"«{e.text}»" for e in found.evidence),
            ("misconceptions", i, "concepts"),
            "Make the misconception's wordings say the wrong claim only",
        )
