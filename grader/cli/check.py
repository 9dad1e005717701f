"""`grader check`: lint questions and rubrics, run the golden examples, compare with a baseline; CI formats."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from grader.cli._common import EXIT_FAILED, BankOpt, JsonOpt, emit_json
from grader.cli._llm import (
    BaseUrlOpt,
    DryRunOpt,
    FallbackOpt,
    JudgeOpt,
    MaxTokensOpt,
    ModelOpt,
    ModeOpt,
    NoCacheOpt,
    TimeoutOpt,
    emit_dry_run,
    llm_setup,
)
from grader.engine.metrics import undefined
from grader.errors import GraderError
from grader.outputs import write_atomic, writing

if TYPE_CHECKING:
    from rich.console import Console

    from grader.ci.check import CheckReport

# Core modules are imported inside the command, as in the other commands: `grader --help` stays fast.


def check(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Bank folders (with questions/ and rubrics/) or rubric files. Default: the bank.", show_default=False
        ),
    ] = None,
    junit: Annotated[Path | None, typer.Option("--junit", help="Also write JUnit XML to FILE.", metavar="FILE")] = None,
    github: Annotated[
        bool, typer.Option("--github", help="Print ::error annotations and write $GITHUB_STEP_SUMMARY.")
    ] = False,
    save_baseline_file: Annotated[
        Path | None,
        typer.Option("--save-baseline", help="Save every example's score and point statuses to FILE.", metavar="FILE"),
    ] = None,
    baseline: Annotated[
        Path | None, typer.Option("--baseline", help="Compare with a saved baseline FILE.", metavar="FILE")
    ] = None,
    tolerance: Annotated[
        float, typer.Option("--tolerance", help="Score moves up to this much are not reported.", min=0, max=1)
    ] = 0.05,
    fail_on_change: Annotated[
        bool, typer.Option("--fail-on-change", help="Exit 1 when an example changed against --baseline.")
    ] = False,
    labels: Annotated[
        Path | None,
        typer.Option(
            "--labels", help="Human-scored answers (CSV/JSONL/XLSX) for the calibration gate.", metavar="FILE"
        ),
    ] = None,
    min_pearson: Annotated[
        float | None,
        typer.Option("--min-pearson", help="Exit 1 when Pearson with --labels is below this.", min=-1, max=1),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail the check too.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List passing examples as well.")] = False,
    mode: ModeOpt = "lexical",
    judge: JudgeOpt = "openai",
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    timeout: TimeoutOpt = None,
    max_tokens: MaxTokensOpt = None,
    fallback: FallbackOpt = "none",
    no_cache: NoCacheOpt = False,
    dry_run: DryRunOpt = False,
    bank: BankOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Lint every question and rubric and run every golden example; exit 1 when anything fails.

    Lint finds invalid files, stale rubrics, duplicate ids, questions without a rubric, points without concepts,
    concepts the question already says, references grading below 0.9, bad weights and examples citing unknown
    points. A golden example fails when its score leaves its band or a point it should cover is not covered.

        grader check                                    # the configured bank
        grader check my-bank --junit report.xml --github
        grader check --save-baseline baseline.json      # then, after an edit:
        grader check --baseline baseline.json --fail-on-change

    Exit codes: 0 all passed, 1 a check failed, 2 the run could not proceed (bad path, unreadable baseline).
    """
    from grader.ci.baseline import compare, load_baseline, make_baseline, save_baseline
    from grader.ci.check import run_check

    if (labels is None) != (min_pearson is None):
        raise GraderError(
            "--labels and --min-pearson go together", fix="Give both, e.g. --labels l.csv --min-pearson 0.7"
        )
    if fail_on_change and baseline is None:
        raise GraderError("--fail-on-change needs --baseline FILE", fix="Save one first with --save-baseline FILE")
    old = load_baseline(baseline) if baseline is not None else None  # a bad baseline stops the run before grading
    setup = llm_setup(mode, judge, model=model, base_url=base_url, timeout=timeout, no_cache=no_cache,
                      max_tokens=max_tokens, fallback=fallback, dry_run=dry_run)
    report = run_check(paths or [], bank=bank, mode=setup.mode, judge=setup.judge, strict=strict)
    outcomes = [e.as_outcome() for e in report.examples]
    if old is not None and baseline is not None:
        report.diff = compare(old, outcomes, tolerance=tolerance, source=str(baseline))
        report.fail_on_change = fail_on_change
    if labels is not None and min_pearson is not None:
        from grader.ci.check import rubrics_under
        from grader.ci.labels import calibration_gate

        rubrics = rubrics_under(paths or [], bank)
        report.calibration = calibration_gate(labels, min_pearson, rubrics, mode=setup.mode, judge=setup.judge)
    if dry_run:  # the golden examples (and labels) went through the plan; nothing is reported or saved
        emit_dry_run(setup, as_json)
        return
    if save_baseline_file is not None:
        save_baseline(save_baseline_file, make_baseline(outcomes, report.grader_version, report.mode))
    _write_outputs(report, junit=junit, github=github, as_json=as_json, verbose=verbose)
    if not report.summary().ok:
        raise typer.Exit(EXIT_FAILED)


def _write_outputs(report: CheckReport, *, junit: Path | None, github: bool, as_json: bool, verbose: bool) -> None:
    from grader.ci import formats as report_ci

    if junit is not None:
        write_atomic(junit, report_ci.junit_xml(report))
    if github:
        stream = sys.stderr if as_json else sys.stdout  # stdout stays pure JSON with --json
        for line in report_ci.github_annotations(report):
            print(line, file=stream)
        summary_path = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary_path:
            with writing(summary_path), open(summary_path, "a", encoding="utf-8") as fh:
                fh.write(report_ci.github_summary(report))
    if as_json:
        emit_json({**report.model_dump(mode="json"), "summary": report.summary().model_dump()})
        return
    from grader.cli.render import console

    print_report(report, console(), verbose=verbose)


def print_report(report: CheckReport, con: Console, *, verbose: bool = False) -> None:
    """Lint findings, examples not passing (all with -v), the baseline diff, then one summary line."""
    from rich.table import Table
    from rich.text import Text

    from grader.ci.formats import DIFF_HEADER, change_row, example_details
    from grader.engine.feedback import counted

    for f in report.findings:
        colour = "red" if f.severity == "error" else "yellow"
        line = Text(f"{f.where()}: ", style="bold")
        line.append(f"{f.severity} [{f.code}] ", style=colour)
        line.append(f.message)
        if f.fix:
            line.append(f"  {f.fix}", style="dim")
        con.print(line)
    for e in report.examples:
        if e.outcome == "passed" and not verbose:
            continue
        mark, colour = {"passed": ("✔", "green"), "failed": ("✘", "red"), "error": ("!", "magenta")}[e.outcome]
        line = Text(f"{mark} {e.key}", style=f"bold {colour}")
        line.append(f"  {e.message}" if e.message else f"  {e.score:.2f}")
        con.print(line)
        if e.outcome != "passed":
            con.print(Text(example_details(e).replace("\n", "\n    ").join(["    ", ""]), style="dim"))
    if report.diff is not None:
        con.print(f"\nagainst {report.diff.baseline} (tolerance {report.diff.tolerance}):")
        if report.diff.changes:
            table = Table(*DIFF_HEADER)
            for c in report.diff.changes:
                table.add_row(*change_row(c))
            con.print(table)
        else:
            con.print("  no example moved")
    if report.calibration is not None:
        cal = report.calibration
        con.print(f"calibration: Pearson {undefined(cal.pearson)} over {cal.n} labels (floor {cal.min_pearson})")
    s = report.summary()
    verdict = Text("passed", style="bold green") if s.ok else Text("FAILED", style="bold red")
    counts = (
        f"{counted(s.files, 'file')} linted: {counted(s.errors, 'error')}, {counted(s.warnings, 'warning')} · "
        f"{counted(s.examples, 'golden example')}: {s.passed} passed, {s.failed} failed"
        + (f", {s.unscored} unscored" if s.unscored else "")
        + (f" · {s.changed} changed" if report.diff is not None else "")
        + " · "
    )
    con.print(Text(counts).append_text(verdict))
