"""The judge seam: rubric, question and answer in, one verdict per key point out.

A judge is anything with `identity`, `judge(request)` and `async ajudge(request)`. The real one talks to an
OpenAI-compatible server (`grader.llm.judges.openai`); the fake one (`grader.llm.judges.fake`) replies from a script and
records its calls. Judges never compute a score: `grader.llm.judging` turns verdicts into one, with rubric weights.

A judge that cannot produce usable verdicts for one answer (bad JSON after retries, timeouts, a busy server)
returns a reply with `error` set: that answer is left unscored and the run goes on. Problems that stop every call
(no key, no server, unknown model) raise `JudgeError` instead.
"""

from __future__ import annotations

from typing import Literal, Protocol, runtime_checkable

from pydantic import Field

from grader.models import Lang, Model, Question, Rubric

Verdict = Literal["covered", "partial", "missing", "contradicted"]
VERDICTS: tuple[Verdict, ...] = ("covered", "partial", "missing", "contradicted")


class PointVerdict(Model):
    """What the judge says about one key point: a verdict, a verbatim quote as evidence, one sentence of feedback."""

    id: str
    verdict: Verdict
    quote: str = ""
    feedback: str = ""


class Usage(Model):
    """Tokens spent and calls made; added up over a run."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            calls=self.calls + other.calls,
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
        )

    def as_dict(self) -> dict[str, int]:
        return {**self.model_dump(), "total_tokens": self.total_tokens}


class JudgeRequest(Model):
    """One call: which points of the rubric to judge in this answer. `round` > 0 marks a re-ask (`--repeat`)."""

    question: Question
    rubric: Rubric
    answer: str
    point_ids: list[str] = Field(min_length=1)
    lang: Lang = "ru"
    round: int = 0


class JudgeReply(Model):
    """The judge's verdicts; `error` set (and no verdicts) when none could be had for this answer."""

    verdicts: list[PointVerdict] = []
    feedback: str = ""
    usage: Usage = Usage()
    cached: bool = False
    error: str | None = None
    error_kind: str | None = None  # timeout | unavailable | unparseable


@runtime_checkable
class Judge(Protocol):
    """Judges key points of an answer. `identity` names the model and server (never a key): it keys the cache."""

    @property
    def identity(self) -> str: ...

    def judge(self, request: JudgeRequest) -> JudgeReply: ...

    async def ajudge(self, request: JudgeRequest) -> JudgeReply: ...


def requested_points(request: JudgeRequest) -> list[str]:
    """The ids asked for, in rubric order."""
    wanted = set(request.point_ids)
    return [p.id for p in request.rubric.points if p.id in wanted]


def check_reply(request: JudgeRequest, verdicts: list[PointVerdict]) -> list[PointVerdict]:
    """Verdicts for exactly the requested points, in rubric order; a reply that skips one is unusable."""
    by_id = {v.id: v for v in verdicts}
    missing = [pid for pid in requested_points(request) if pid not in by_id]
    if missing:
        raise ValueError(f"no verdict for point(s): {', '.join(missing)}")
    return [by_id[pid] for pid in requested_points(request)]
