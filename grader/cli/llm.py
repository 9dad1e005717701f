"""`grader llm check`: what the configured LLM server supports and how hard to push it."""

from __future__ import annotations

import typer

from grader.cli._common import EXIT_BAD_INPUT, JsonOpt, emit_json
from grader.cli._llm import BaseUrlOpt, ConcurrencyOpt, MaxTokensOpt, ModelOpt, TimeoutOpt

app = typer.Typer(help="Check the LLM server the judge uses.", no_args_is_help=True)


@app.command("check")
def check(
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    timeout: TimeoutOpt = None,
    concurrency: ConcurrencyOpt = None,
    max_tokens: MaxTokensOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Try the configured server once: its models, the output format it accepts, latency, a safe concurrency.

    One trivial answer is graded (the verdict shows whether format and model work), then 2, 4, ... at once, up to
    --concurrency, while throughput still grows; nothing is cached.

        grader llm check
        grader llm check --base-url http://localhost:8080/v1 --concurrency 4 --json

    Exit codes: 0 the server graded the trivial answer; 2 it could not (unreachable, refused, unknown model, no
    usable reply).
    """
    from grader.llm.judges.config import load_settings
    from grader.llm.judges.openai import OpenAIJudge
    from grader.llm.probe import probe, report_lines

    settings = load_settings(model=model, base_url=base_url, timeout=timeout, concurrency=concurrency,
                             max_tokens=max_tokens)
    report = probe(OpenAIJudge(settings))
    if as_json:
        emit_json(report.model_dump())
    else:
        for line in report_lines(report):
            typer.echo(line)
    if report.verdict is None:
        typer.echo(f"error: no usable reply from the server: {report.levels[0].error}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT)
