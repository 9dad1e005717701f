"""The question bank on disk: reading and writing `questions/` and `rubrics/` (`store`), and importers that
build a bank from other formats (`importers.telegram`).
"""

from grader._lazy import exports

__all__ = ["Bank", "load_bank", "packaged_bank", "resolve_bank", "rubric_for"]

__getattr__, __dir__ = exports(
    __name__,
    {"Bank": "store", "load_bank": "store", "rubric_for": "store", "resolve_bank": "store", "packaged_bank": "store"},
)
