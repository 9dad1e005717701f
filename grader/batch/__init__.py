"""The hiring team's job: `grader batch` grades a file of answers into grades.jsonl, grades.csv, summary.json and
report.html (`run`); rows become tasks (`tasks`) graded on workers (`workers`); records, report files and HTML.
"""

from grader._lazy import exports

__all__ = ["run_batch"]

__getattr__, __dir__ = exports(__name__, {"run_batch": "run"})
