"""Shared LLM options and judge construction for every command that grades (grade, batch, quiz, check, evaluate).

Use in a command:

    from grader.cli._llm import (BaseUrlOpt, ConcurrencyOpt, JudgeOpt, ModeOpt, ModelOpt, NoCacheOpt, RepeatOpt,
                                 TimeoutOpt, llm_setup)

    def cmd(..., mode: ModeOpt = "lexical", judge: JudgeOpt = "openai", model: ModelOpt = None,
            base_url: BaseUrlOpt = None, timeout: TimeoutOpt = None, concurrency: ConcurrencyOpt = None,
            repeat: RepeatOpt = 1, no_cache: NoCacheOpt = False) -> None:
        setup = llm_setup(mode, judge, model=model, base_url=base_url, timeout=timeout,
                          concurrency=concurrency, repeat=repeat, no_cache=no_cache)
        grades = grade_many(tasks, mode=setup.mode, judge=setup.judge, repeat=setup.repeat,
                            concurrency=setup.concurrency)
        payload["usage"] = setup.usage_report(grades)   # calls, tokens, cached, cost_usd

Settings come from flags, then the environment (OPENAI_API_KEY, OPENAI_BASE_URL, GRADER_MODEL), then the config
file (see `grader.llm.judges.config`). Problems that stop a run (no key, bad config) are `GraderError`s: one line,
exit 2.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import typer

from grader.errors import GraderError
from grader.models import Grade, Mode

MODES: tuple[Mode, ...] = ("lexical", "llm", "hybrid")

ModeOpt = Annotated[
    str,
    typer.Option("--mode", help="lexical: no network | llm: one judge call per answer | hybrid: the judge sees only "
                 "points the lexical matcher cannot settle."),
]
JudgeOpt = Annotated[
    str, typer.Option("--judge", help="openai: any OpenAI-compatible server | fake: scripted, offline (for demos).")
]
ModelOpt = Annotated[str | None, typer.Option("--model", help="Model name [env: GRADER_MODEL; default gpt-4o-mini]",
                                              show_default=False)]
BaseUrlOpt = Annotated[str | None, typer.Option(
    "--base-url", help="OpenAI-compatible API URL, e.g. http://localhost:8000/v1 [env: OPENAI_BASE_URL]",
    show_default=False)]
TimeoutOpt = Annotated[float | None, typer.Option("--timeout", help="Seconds per request [default 60].", min=0.01,
                                                  show_default=False)]
ConcurrencyOpt = Annotated[int | None, typer.Option("--concurrency", help="Judge requests in flight at once "
                                                    "[default 8].", min=1, show_default=False)]
RepeatOpt = Annotated[int, typer.Option("--repeat", help="Ask borderline points N times in all; report stability.",
                                        min=1, max=9)]
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Always ask the judge; do not read or write the cache.")]


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
) -> LLMSetup:
    """Validate the mode and build its judge (wrapped in the on-disk cache unless `no_cache`)."""
    if mode not in MODES:
        raise GraderError(f"unknown --mode '{mode}'", fix="Use one of: " + ", ".join(MODES))
    if judge not in ("openai", "fake"):
        raise GraderError(f"unknown --judge '{judge}'", fix="Use openai or fake")
    m: Mode = mode  # type: ignore[assignment,unused-ignore]
    if m == "lexical":
        return LLMSetup(mode=m)
    from grader.llm.judges.config import load_settings

    settings = load_settings(model=model, base_url=base_url, timeout=timeout, concurrency=concurrency,
                             max_retries=max_retries)
    if judge == "fake":
        from grader.llm.judges.fake import FakeJudge, from_file

        script = os.environ.get("GRADER_FAKE_JUDGE")
        return LLMSetup(mode=m, judge=from_file(script) if script else FakeJudge(), repeat=repeat,
                        concurrency=settings.concurrency)
    from grader.llm.judges.openai import OpenAIJudge

    inner: Any = OpenAIJudge(settings)
    if not no_cache:
        from grader.llm.judges.cache import CachedJudge, ReplyCache

        inner = CachedJudge(inner, ReplyCache())
    return LLMSetup(mode=m, judge=inner, settings=settings, repeat=repeat, concurrency=settings.concurrency)


def usage_line(report: dict[str, Any]) -> str:
    """One human line about judge usage, e.g. 'judge: 3 calls, 1,240 tokens, 2 cached, $0.0004'."""
    parts = [f"judge: {report['calls']} call(s)", f"{report['total_tokens']:,} tokens"]
    if report.get("cached"):
        parts.append(f"{report['cached']} from cache")
    if "cost_usd" in report:
        parts.append(f"${report['cost_usd']:.4f}")
    return ", ".join(parts)
