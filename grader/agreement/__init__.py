"""Agreement with human graders: reading human-graded data sets, metrics (Pearson, QWK, ...), `evaluate`, and
calibration of scores to a person's scale.
"""

from grader._lazy import exports

__all__ = ["Calibration"]

__getattr__, __dir__ = exports(__name__, {"Calibration": "calibration"})
