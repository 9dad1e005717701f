"""`grader llm check`: try the configured server once and say what grading will use.

It lists the server's models, grades one trivial answer (a known verdict: a check of the format and the model
both), then sends 2, 4, ... requests at once, up to the configured concurrency, while throughput still grows by a
fifth and nothing fails: the best level is the safe concurrency. A local model on a CPU usually runs one request
at a time, so more at once only queue (or, on llama.cpp, overflow its context: "Context size has been exceeded").
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from grader.llm.judges.base import JudgeRequest
from grader.models import Model, Question, Rubric

_QUESTION = Question(id="llm-check", question="What is 2 + 2?", reference="2 + 2 = 4.", lang="en")
_RUBRIC = Rubric.model_validate({"question_id": "llm-check", "lang": "en", "built_by": "curated", "points": [
    {"id": "sum", "text": "States that 2 + 2 equals 4", "concepts": [["4", "four"]]}]})
_ANSWER = "Two plus two is four: 2 + 2 = 4."
GAIN = 1.2  # a level must raise throughput by this factor to be worth its load


class Level(Model):
    """`requests` sent at once: how long they took in all, and how many failed (with the first reason)."""

    requests: int
    seconds: float
    failed: int
    turned_away: bool = False  # the server refused some for load (retried, but this level is too many)
    error: str | None = None


class ProbeReport(Model):
    server: str
    model: str
    local: bool
    timeout: float
    max_tokens: str
    models: list[str] | None
    models_error: str | None = None
    response_format: str
    verdict: str | None  # the verdict on the trivial answer ("covered" expected)
    levels: list[Level]
    concurrency: int
    tokens: int


def _request(n: int) -> JudgeRequest:
    return JudgeRequest(question=_QUESTION, rubric=_RUBRIC, answer=_ANSWER + " " * n, point_ids=["sum"], lang="en")


async def _level(judge: Any, k: int) -> tuple[Level, list[Any]]:
    started, overloads = time.perf_counter(), judge.pace.overloads
    replies = await asyncio.gather(*(judge.ajudge(_request(i)) for i in range(k)))
    failed = [r for r in replies if r.error]
    return Level(requests=k, seconds=round(time.perf_counter() - started, 3), failed=len(failed),
                 turned_away=judge.pace.overloads > overloads, error=failed[0].error if failed else None), replies


def _slower(level: Level, before: Level) -> bool:
    return level.requests / level.seconds < GAIN * before.requests / before.seconds


def _best(levels: list[Level]) -> int:
    """The smallest level whose throughput the next clean level does not beat by `GAIN`."""
    best = levels[0]
    for level in levels[1:]:
        if level.failed or level.turned_away or _slower(level, best):
            break
        best = level
    return best.requests


async def aprobe(judge: Any) -> ProbeReport:
    """Probe the server behind an `OpenAIJudge` (see the module docstring)."""
    settings = judge.settings
    listed = await judge.models()
    tokens = 0
    async with judge.session():
        first, replies = await _level(judge, 1)
        levels = [first]
        tokens += sum(r.usage.total_tokens for r in replies)
        verdict = replies[0].verdicts[0].verdict if replies[0].verdicts else None
        k = 2
        while not levels[-1].failed and k <= settings.concurrency:
            level, replies = await _level(judge, k)
            tokens += sum(r.usage.total_tokens for r in replies)
            levels.append(level)
            if level.failed or level.turned_away or _slower(level, levels[-2]):
                break
            k *= 2
    return ProbeReport(
        server=settings.public_url, model=settings.model, local=settings.local, timeout=settings.deadline,
        max_tokens=str(settings.max_tokens or "from the number of key points"),
        models=listed if isinstance(listed, list) else None, models_error=listed if isinstance(listed, str) else None,
        response_format=judge.response_format, verdict=verdict, levels=levels,
        concurrency=_best(levels) if not first.failed else 1, tokens=tokens)


def probe(judge: Any) -> ProbeReport:
    return asyncio.run(aprobe(judge))


def report_lines(r: ProbeReport) -> list[str]:
    """The report for people, one fact a line."""
    kind = "on this machine or the local network" if r.local else "remote"
    lines = [f"server: {r.server} ({kind}); requests time out after {r.timeout:g} s; max_tokens {r.max_tokens}"]
    if r.models is None:
        lines.append(f"models: not listed ({r.models_error})")
    else:
        listed = ", ".join(r.models[:10]) + (f" and {len(r.models) - 10} more" if len(r.models) > 10 else "")
        note = "" if r.model in r.models or not r.models else f" — '{r.model}' is not among them"
        lines.append(f"models: {listed or 'none'}{note}")
    lines.append(f"model: {r.model}; output format: {r.response_format}")
    sanity = {"covered": "right", None: "no usable reply"}.get(r.verdict, f"wrong ({r.verdict})")
    lines.append(f"a trivial answer judged: {sanity}")
    for level in r.levels:
        failed = f", {level.failed} failed: {level.error}" if level.failed else ""
        failed += ", some turned away for load" if level.turned_away else ""
        lines.append(f"  {level.requests} at once: {level.seconds:.2f} s{failed}")
    lines.append(f"safe concurrency: {r.concurrency} (--concurrency {r.concurrency}, or concurrency = "
                 f"{r.concurrency} under [llm] in the config); {r.tokens:,} tokens spent")
    return lines
