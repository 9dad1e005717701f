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

from typing import Annotated

import typer

from grader.cli._common import said
from grader.llm.setup import MODES, LLMSetup, dry_run_line, dry_run_report, llm_setup, usage_line

ModeOpt = Annotated[
    str,
    typer.Option("--mode", help="lexical: no network | llm: one judge call per answer | hybrid: the judge sees only "
                 "points the lexical matcher cannot settle."),
]
JudgeOpt = Annotated[
    str, typer.Option("--judge", help="openai: any OpenAI-compatible server | fake: scripted, offline (for demos) "
                 "| obeying: offline, does what an injected instruction asks (tests the injection guards).")
]
ModelOpt = Annotated[str | None, typer.Option(
    "--model", help=said("Model name [env: GRADER_MODEL; default gpt-4o-mini]"), show_default=False)]
BaseUrlOpt = Annotated[str | None, typer.Option(
    "--base-url", help=said("OpenAI-compatible API URL, e.g. http://localhost:8000/v1 [env: OPENAI_BASE_URL; default "
                            "https://api.openai.com/v1]"),
    show_default=False)]
TimeoutOpt = Annotated[float | None, typer.Option(
    "--timeout", help="Seconds a judge request may take in all (default 60; 300 for a server on this machine or the "
    "local network).", min=0.01, show_default=False)]
MaxTokensOpt = Annotated[int | None, typer.Option(
    "--max-tokens", help="Token limit of a judge reply (default: from the number of key points, about 400 each).",
    min=16, show_default=False)]
FallbackOpt = Annotated[str, typer.Option(
    "--fallback", help="none: an answer the judge fails on keeps only what is decided without it (unscored in llm "
    "mode) | lexical: the failed points take the lexical matcher's result.")]
ConcurrencyOpt = Annotated[int | None, typer.Option("--concurrency", help=said("Judge requests in flight at once "
                                                    "[default 8]."), min=1, show_default=False)]
RepeatOpt = Annotated[int, typer.Option("--repeat", help="Ask borderline points N times in all; report stability.",
                                        min=1, max=9)]
DryRunOpt = Annotated[bool, typer.Option(
    "--dry-run", help="Call no judge: print how many calls the run would make (after the cache and the hybrid plan), "
    "their estimated tokens and cost; needs no key or server.")]
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Always ask the judge; do not read or write the cache.")]

__all__ = ["MODES", "LLMSetup", "dry_run_line", "dry_run_report", "emit_dry_run", "llm_setup", "usage_line"]


def emit_dry_run(setup: LLMSetup, as_json: bool) -> None:
    """Print what a dry run counted: JSON on stdout with --json, else one line."""
    report = dry_run_report(setup)
    if as_json:
        from grader.cli._common import emit_json

        emit_json({"dry_run": report})
    else:
        typer.echo(dry_run_line(report))
