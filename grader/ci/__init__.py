"""The rubric author's job: `grader check` (lint, golden examples, baseline diffs, label agreement), its CI
formats (JUnit, GitHub), and the pytest plugin that runs golden examples as tests.
"""

from grader._lazy import exports

__all__ = ["run_check"]

__getattr__, __dir__ = exports(__name__, {"run_check": "check"})
