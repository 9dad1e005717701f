"""Making the judge a mode needs, the way every command does it: settings, the judge, the on-disk cache.

    setup = llm_setup("hybrid", "openai", model="gpt-4o-mini")
    grades = grade_many(tasks, mode=setup.mode, judge=setup.judge, concurrency=setup.concurrency)
    setup.usage_report(grades)   # calls, tokens, cached, cost_usd

Settings come from the arguments, then the environment (OPENAI_API_KEY, OPENAI_BASE_URL, GRADER_MODEL), then the
config file (see `grader.llm.judges.config`). Problems that stop a run (no key, bad config) are `GraderError`s.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from grader.errors import GraderError
from grader.models import Grade, Mode

MODES: tuple[Mode, ...] = ("lexical", "llm", "hybrid")
FALLBACKS = ("none", "lexical")


@dataclass
class LLMSetup:
    """What a command needs to grade in the chosen mode; `judge` is None in lexical mode."""

    mode: Mode
    judge: Any = None
    settings: Any = None  # grader.llm.judges.config.LLMSettings, when a judge is configured
    repeat: int = 1
    concurrency: int = 8

    def usage_report(self, grades: Sequence[Grade]) -> dict[str, Any]:
        """Total judge usage over grades: calls, tokens, how many came from the cache, and cost when priced."""
        keys = ("calls", "prompt_tokens", "completion_tokens", "total_tokens")
        total = {k: sum((g.usage or {}).get(k, 0) for g in grades) for k in keys}
        report: dict[str, Any] = {**total, "cached": sum(1 for g in grades if g.cached)}
        if self.settings is not None:
            cost = self.settings.cost(total["prompt_tokens"], total["completion_tokens"])
            if cost is not None:
                report["cost_usd"] = cost
        return report


def llm_setup(
    mode: str,
    judge: str = "openai",
    *,
    model: str | None = None,
    base_url: str | None = None,
    timeout: float | None = None,
    concurrency: int | None = None,
    max_retries: int | None = None,
    repeat: int = 1,
    no_cache: bool = False,
    max_tokens: int | None = None,
    fallback: str = "none",
    dry_run: bool = False,
) -> LLMSetup:
    """Validate the mode and build its judge (wrapped in the on-disk cache unless `no_cache`). `fallback="lexical"`:
    points the judge fails on take their lexical result (see `grader.llm.judging`). With `dry_run`, a judge that
    only counts what would be asked (`grader.llm.dryrun`), needing no key and no server."""
    if mode not in MODES:
        raise GraderError(f"unknown --mode '{mode}'", fix="Use one of: " + ", ".join(MODES))
    if judge not in ("openai", "fake", "obeying"):
        raise GraderError(f"unknown --judge '{judge}'", fix="Use openai, fake or obeying")
    if fallback not in FALLBACKS:
        raise GraderError(f"unknown --fallback '{fallback}'", fix="Use one of: " + ", ".join(FALLBACKS))
    m: Mode = mode  # type: ignore[assignment,unused-ignore]
    if m == "lexical":
        return LLMSetup(mode=m)
    from grader.llm.judges.config import load_settings

    settings = load_settings(model=model, base_url=base_url, timeout=timeout, concurrency=concurrency,
                             max_retries=max_retries, max_tokens=max_tokens)
    inner: Any
    if dry_run:
        from grader.llm.dryrun import DryRunJudge

        fake = judge == "fake"
        inner = DryRunJudge("fake" if fake else settings.identity, use_cache=not (no_cache or fake),
                            schema=settings.response_format != "json_object")  # fmt: skip
        inner.fallback = fallback
        return LLMSetup(mode=m, judge=inner, settings=settings, repeat=repeat, concurrency=settings.concurrency)
    if judge == "fake":
        from grader.llm.judges.fake import FakeJudge, from_file

        script = os.environ.get("GRADER_FAKE_JUDGE")
        inner = from_file(script) if script else FakeJudge()
        inner.fallback = fallback
        return LLMSetup(mode=m, judge=inner, repeat=repeat, concurrency=settings.concurrency)
    if judge == "obeying":
        from grader.llm.judges.obeying import ObeyingJudge

        inner = ObeyingJudge()
        inner.fallback = fallback
        return LLMSetup(mode=m, judge=inner, repeat=repeat, concurrency=settings.concurrency)
    from grader.llm.judges.openai import OpenAIJudge

    inner = OpenAIJudge(settings)
    if not no_cache:
        from grader.llm.judges.cache import CachedJudge, ReplyCache

        inner = CachedJudge(inner, ReplyCache())
    inner.fallback = fallback  # read by grading: what a failed judge call leaves
    return LLMSetup(mode=m, judge=inner, settings=settings, repeat=repeat, concurrency=settings.concurrency)


def dry_run_report(setup: LLMSetup) -> dict[str, Any]:
    """What a dry run counted: calls after the cache and the hybrid plan, estimated tokens, cost when priced."""
    if setup.judge is None:
        return {"mode": setup.mode, "calls": 0, "cached": 0, "total_tokens": 0}
    est = setup.judge.estimate
    cost = setup.settings.cost(est.prompt_tokens, est.completion_tokens) if setup.settings is not None else None
    return {"mode": setup.mode, **est.model_copy(update={"cost_usd": cost,
                                                         "max_reasks": est.calls * (setup.repeat - 1)}).model_dump()}


def dry_run_line(report: dict[str, Any]) -> str:
    """One human line, e.g. 'dry run (hybrid): 12 judge calls (3 more answered by the cache), ~9,400 tokens'."""
    if report["mode"] == "lexical":
        return "dry run (lexical): no judge calls"
    line = (f"dry run ({report['mode']}, {report['judge']}): {report['calls']} judge "
            f"{'call' if report['calls'] == 1 else 'calls'} ({report['cached']} more answered by the cache), "
            f"~{report['prompt_tokens']:,} prompt + ~{report['completion_tokens']:,} completion tokens")  # fmt: skip
    if report.get("cost_usd") is not None:
        line += f", ~${report['cost_usd']:.4f}"
    if report.get("max_reasks"):
        line += f"; --repeat may add up to {report['max_reasks']} re-asks"
    return line


def usage_line(report: dict[str, Any]) -> str:
    """One human line about judge usage, e.g. 'judge: 3 calls, 1,240 tokens, 2 cached, $0.0004'."""
    parts = [f"judge: {report['calls']} call(s)", f"{report['total_tokens']:,} tokens"]
    if report.get("prompt_tokens") or report.get("completion_tokens"):
        parts[-1] += f" ({report['prompt_tokens']:,} in, {report['completion_tokens']:,} out)"
    if report.get("cached"):
        parts.append(f"{report['cached']} from cache")
    if "cost_usd" in report:
        parts.append(f"${report['cost_usd']:.4f}")
    return ", ".join(parts)
