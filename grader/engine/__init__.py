"""Pure lexical grading: text, stems and synonyms, the rubric builder, matching with polarity, scoring,
feedback, and graded examples. No network, no files, no terminal: text and models in, models out.
"""

from grader._lazy import exports

__all__ = ["Matcher", "build_rubric", "detect_lang", "find_injection", "grade_lexical", "tokenize"]

__getattr__, __dir__ = exports(
    __name__,
    {
        "grade_lexical": "lexical",
        "Matcher": "matching",
        "build_rubric": "rubric",
        "find_injection": "injection",
        "tokenize": "text",
        "detect_lang": "text",
    },
)
