"""grader: grade free-text answers to interview questions against a reference rubric."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
