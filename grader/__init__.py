"""grader: grade free-text answers to interview questions against a reference rubric.

The public Python API (anything else is internal and may move):

    import grader
    bank = grader.load_bank()                         # the packaged bank, $GRADER_BANK, or a folder you name
    question = bank.question("nasyshchenie-neyrona")
    rubric, warnings = grader.rubric_for(bank, question)
    result = grader.grade(question, rubric, "Насыщение — это когда ...")   # a grader.Grade
    grades = grader.grade_many([grader.GradeTask(question=question, rubric=rubric, answer=a) for a in answers])
"""

from __future__ import annotations

from grader._lazy import exports

__version__ = "0.1.0"

__all__ = [
    "Bank",
    "Concept",
    "Grade",
    "GradeTask",
    "GraderError",
    "KeyPoint",
    "PointResult",
    "Question",
    "Rubric",
    "Span",
    "__version__",
    "agrade",
    "agrade_many",
    "build_rubric",
    "grade",
    "grade_many",
    "load_bank",
    "rubric_for",
]

__getattr__, __dir__ = exports(
    __name__,
    {
        "grade": "grading",
        "grade_many": "grading",
        "agrade": "grading",
        "agrade_many": "grading",
        "GradeTask": "grading",
        "Bank": "bank.store",
        "load_bank": "bank.store",
        "rubric_for": "bank.store",
        "build_rubric": "engine.rubric",
        "Concept": "models",
        "Grade": "models",
        "KeyPoint": "models",
        "PointResult": "models",
        "Question": "models",
        "Rubric": "models",
        "Span": "models",
        "GraderError": "errors",
    },
)
