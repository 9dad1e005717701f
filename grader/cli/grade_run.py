"""What `grader grade` does, without typer: the typer command (`grader.cli.grade`) parses its options into
`GradeArgs` and calls `run_grade`; `fast_args` parses the everyday lexical form itself, so that
`grader grade ID --answer TEXT` starts without importing typer, click or (with --json) rich.

`fast_args` takes only what it fully understands (one question id; --answer/-a, --answer-file/-f, --bank,
--min-score, --json, --mode lexical, each once, as separate words) and leaves anything else, --help and every
mistake included, to the typer command, so help, usage errors and their exit codes stay typer's.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from grader.cli.inert import inert
from grader.cli.plain import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, emit_json, read_answer, say
from grader.cli.screen import Line, grade_lines, write_plain

if TYPE_CHECKING:
    from grader.models import Question, Rubric


@dataclass
class GradeArgs:
    """The options of `grader grade` (see its --help)."""

    question_id: str
    answer: str | None = None
    answer_file: str | None = None
    min_score: float | None = None
    bank: Path | None = None
    as_json: bool = False
    mode: str = "lexical"
    judge: str = "openai"
    model: str | None = None
    base_url: str | None = None
    timeout: float | None = None
    max_tokens: int | None = None
    fallback: str = "none"
    repeat: int = 1
    no_cache: bool = False
    concurrency: int | None = None
    dry_run: bool = False
    examples: Path | None = None
    score_max: float | None = None
    calibration: Path | None = None


def run_grade(a: GradeArgs) -> int:
    """Grade the answer and print the grade; the exit code (0, 1 under --min-score, 2 unscored)."""
    from grader.bank.store import Bank, rubric_for
    from grader.grading import grade as grade_answer
    from grader.llm.setup import llm_setup, usage_line

    text = read_answer(a.answer, a.answer_file)
    setup = llm_setup(a.mode, a.judge, model=a.model, base_url=a.base_url, timeout=a.timeout,
                      concurrency=a.concurrency, repeat=a.repeat, no_cache=a.no_cache, max_tokens=a.max_tokens,
                      fallback=a.fallback, dry_run=a.dry_run)  # fmt: skip
    b = Bank.open(a.bank)
    question = b.question(a.question_id)
    rubric, warnings = rubric_for(b, question)
    for w in warnings:
        say(f"warning: {inert(w)}")
    if a.examples is not None:
        rubric = _with_examples(rubric, question, a.examples, a.score_max)
        if setup.mode != "lexical":
            say(f"warning: graded examples teach lexical grading only, not --mode {setup.mode}")
    cal = None
    if a.calibration is not None:
        from grader.agreement import calibration as cal_mod

        cal = cal_mod.load(a.calibration)
    result = grade_answer(question, rubric, text, mode=setup.mode, judge=setup.judge, repeat=setup.repeat)
    if a.dry_run:
        from grader.cli._llm import emit_dry_run

        emit_dry_run(setup, a.as_json)
        return EXIT_OK
    raw = result.score
    if cal is not None and raw is not None:
        result = result.model_copy(update={"score": cal.apply(raw), "flags": [*result.flags, "calibrated"]})
    report = setup.usage_report([result]) if setup.judge is not None else None
    if a.as_json:
        data = result.public()
        if report and "cost_usd" in report:
            data["cost_usd"] = report["cost_usd"]
        if cal is not None and result.score is not None:
            data.update(raw_score=raw, label=cal.label(result.score))
        emit_json(data)
    else:
        _show(question.question, grade_lines(result, text))  # every point once, a missing one with its hint
    if report is not None:
        say(usage_line(report))
    if result.failed_points:
        say(f"warning: the judge failed on {', '.join(result.failed_points)}; scored without them "
            f"({', '.join(f for f in result.flags if f.startswith('judge_'))})")
    if result.score is None:
        say(f"error: unscored: {inert(result.feedback)}")
        return EXIT_BAD_INPUT
    if a.min_score is not None and (result.score or 0.0) < threshold(a.min_score):
        return EXIT_FAILED
    return EXIT_OK


def _show(title: str, lines: list[Line]) -> None:
    """The question in bold, then the grade: through rich on a terminal, as plain text (without rich) when piped."""
    if write_plain(title, lines, sys.stdout):
        return
    from rich.markup import escape

    from grader.cli.render import console, print_lines

    con = console()
    con.print(f"[bold]{escape(title)}[/]\n")
    print_lines(lines, con)


def threshold(value: float) -> float:
    """A --min-score on 0..1: up to 1 it is a fraction already, above it a percentage as printed on screen."""
    return value if value <= 1 else value / 100


def _with_examples(rubric: Rubric, question: Question, path: Path, score_max: float | None) -> Rubric:
    """The rubric with the file's graded answers to this question added as scored examples."""
    from grader.agreement.datasets import examples_for, skipped_warning
    from grader.engine.exemplars import MIN_EXAMPLES, with_examples

    skipped: list[str] = []
    found = examples_for(path, question, score_max=score_max, skipped=skipped)
    if note := skipped_warning(path, skipped):
        say(f"warning: {inert(note)}")
    have = len(found) + sum(e.score is not None for e in rubric.examples)
    if have < MIN_EXAMPLES:
        say(f"warning: {have} graded example(s) for {question.id} in {path} and the rubric; "
            f"{MIN_EXAMPLES} or more are needed to teach the grader")  # fmt: skip
    return with_examples(rubric, found)


_VALUED = {"--answer": "answer", "-a": "answer", "--answer-file": "answer_file", "-f": "answer_file",
           "--bank": "bank", "--min-score": "min_score", "--mode": "mode"}  # fmt: skip


def fast_args(argv: list[str]) -> GradeArgs | None:
    """`grader grade`'s arguments (after the word `grade`) when they are the plain lexical form; else None."""
    found: dict[str, str] = {}
    ids: list[str] = []
    as_json = False
    words = iter(argv)
    for word in words:
        if word == "--json" and not as_json:
            as_json = True
        elif word in _VALUED and _VALUED[word] not in found:
            value = next(words, None)
            if value is None or (value.startswith("-") and not (value == "-" and _VALUED[word] == "answer_file")):
                return None
            found[_VALUED[word]] = value
        elif word.startswith("-") or ids:
            return None
        else:
            ids.append(word)
    if not ids or found.get("mode", "lexical") != "lexical":
        return None
    min_score = _score(found["min_score"]) if "min_score" in found else None
    if "min_score" in found and min_score is None:
        return None
    bank = found.get("bank")  # none: $GRADER_BANK, else the bundled bank (`resolve_bank`), as typer's --bank gives
    return GradeArgs(ids[0], answer=found.get("answer"), answer_file=found.get("answer_file"), min_score=min_score,
                     bank=Path(bank) if bank is not None else None, as_json=as_json)  # fmt: skip


def _score(text: str) -> float | None:
    """A --min-score typer would take (a number within 0..100), or None to leave the word to typer."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if 0 <= value <= 100 else None
