"""Judges: per-point verdicts on an answer. `base` (the protocol), `fake` (scripted), `openai` (real, lazy import),
`cache` (SQLite reply cache), `config` (settings from flags, environment and config file)."""

from grader.llm.judges.base import Judge, JudgeReply, JudgeRequest, PointVerdict, Usage

__all__ = ["Judge", "JudgeReply", "JudgeRequest", "PointVerdict", "Usage"]
