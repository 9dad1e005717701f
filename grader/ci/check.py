"""The `grader check` job: lint every question and rubric, run every golden example, compare with a baseline.

PATHS are bank folders (holding `questions/` and `rubrics/`), folders of rubric files, or rubric files. A rubric
checked on its own finds its question in the `questions/` folder beside its own folder, else in the configured bank.
The result is a `CheckReport`; rendering it (terminal, JSON, JUnit, GitHub) is someone else's job.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from grader import __version__
from grader.bank.store import resolve_bank
from grader.ci.baseline import BaselineDiff, Outcome
from grader.ci.lint import Finding, QuestionDoc, RubricDoc, lint, load_text_error, parse_question, parse_rubric
from grader.errors import GraderError, NotFound
from grader.limits import read_file
from grader.models import Example, Mode, Model, Question, Rubric, Status

YAML_SUFFIXES = (".yaml", ".yml")
_EPS = 1e-9


class PointOutcome(Model):
    id: str
    status: Status
    score: float


class ExampleResult(Model):
    """One golden example run: passed when its score is inside the band and every point it covers is covered."""

    key: str  # "<question>::<example>"
    question_id: str
    example_id: str
    file: str
    line: int | None = None
    band: tuple[float, float]
    covers: list[str] = []
    score: float | None
    points: list[PointOutcome] = []
    uncovered: list[str] = []  # points the example should cover but does not
    outcome: Literal["passed", "failed", "error"]
    message: str = ""

    def as_outcome(self) -> Outcome:
        return Outcome(key=self.key, score=self.score, points={p.id: p.status for p in self.points})


class Calibration(Model):
    """Agreement of the grader with human labels, against a floor."""

    labels: str
    n: int
    pearson: float | None  # None: undefined (the grader gave every labelled answer the same score)
    min_pearson: float
    passed: bool


class Summary(Model):
    files: int
    errors: int
    warnings: int
    examples: int
    passed: int
    failed: int
    unscored: int
    changed: int = 0
    ok: bool


class CheckReport(Model):
    mode: Mode
    grader_version: str
    paths: list[str]
    files: list[str]  # every question and rubric file looked at
    findings: list[Finding]
    examples: list[ExampleResult]
    diff: BaselineDiff | None = None
    fail_on_change: bool = False
    strict: bool = False
    calibration: Calibration | None = None

    def summary(self) -> Summary:
        errors = sum(f.severity == "error" for f in self.findings)
        warnings = len(self.findings) - errors
        count = {k: sum(e.outcome == k for e in self.examples) for k in ("passed", "failed", "error")}
        changed = len(self.diff.significant()) if self.diff else 0
        ok = (
            not errors
            and not (self.strict and warnings)
            and not count["failed"]
            and not count["error"]
            and not (self.fail_on_change and changed)
            and (self.calibration is None or self.calibration.passed)
        )
        return Summary(
            files=len(self.files),
            errors=errors,
            warnings=warnings,
            examples=len(self.examples),
            passed=count["passed"],
            failed=count["failed"],
            unscored=count["error"],
            changed=changed,
            ok=ok,
        )


# --- finding the files ------------------------------------------------------------------------------------------


class Sources(Model):
    """What one run looks at: question files linted in full, rubric files, and where to look questions up."""

    question_files: list[str] = []
    rubric_files: list[str] = []
    lookup_dirs: dict[str, str] = {}  # rubric file -> questions folder to find its question in


def _yaml_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in YAML_SUFFIXES and p.is_file())


def discover(paths: Sequence[Path], bank: Path | None = None) -> Sources:
    """The files behind PATHS (none: the configured bank). A path that does not exist stops the run."""
    if not paths:
        paths = [resolve_bank(bank)]
    src = Sources()
    fallback: Path | None = None
    for path in paths:
        if not path.exists():
            raise NotFound("no such file or folder", where=str(path), fix="Give bank folders or rubric files")
        if path.is_dir() and ((path / "questions").is_dir() or (path / "rubrics").is_dir()):
            if (path / "questions").is_dir():
                src.question_files += [str(p) for p in _yaml_files(path / "questions")]
            rubrics = _yaml_files(path / "rubrics") if (path / "rubrics").is_dir() else []
            lookup = path / "questions"
            if rubrics and not lookup.is_dir():
                fallback = fallback or resolve_bank(bank)
                lookup = fallback / "questions"
            for p in rubrics:
                src.rubric_files.append(str(p))
                src.lookup_dirs[str(p)] = str(lookup)
            continue
        rubric_files = _yaml_files(path) if path.is_dir() else [path]
        for p in rubric_files:
            beside = p.parent.parent / "questions"
            if not beside.is_dir():
                fallback = fallback or resolve_bank(bank)
                beside = fallback / "questions"
            src.rubric_files.append(str(p))
            src.lookup_dirs[str(p)] = str(beside)
    src.question_files = list(dict.fromkeys(src.question_files))
    src.rubric_files = list(dict.fromkeys(src.rubric_files))
    return src


def _read(path: str) -> tuple[str | None, Finding | None]:
    try:
        return read_file(Path(path), "YAML file").decode("utf-8"), None
    except GraderError as exc:
        return None, load_text_error(path, exc.message)
    except UnicodeDecodeError as exc:
        return None, load_text_error(path, f"not UTF-8 text (byte {exc.start})")
    except OSError as exc:
        return None, load_text_error(path, f"cannot read: {exc.strerror}")


def load(src: Sources) -> tuple[list[QuestionDoc], list[RubricDoc], list[Question], list[Finding]]:
    """Parse every file; a file that does not validate becomes findings, never an exception."""
    findings: list[Finding] = []
    questions, rubrics = [], []
    for path in src.question_files:
        text, problem = _read(path)
        doc, found = parse_question(path, text, Path(path).stem) if text is not None else (None, [problem])
        findings += [f for f in found if f is not None]
        if doc is not None:
            questions.append(doc)
    linted = {d.question.id for d in questions}
    context: dict[str, Question] = {}
    for path in src.rubric_files:
        text, problem = _read(path)
        rdoc, found = parse_rubric(path, text) if text is not None else (None, [problem])
        findings += [f for f in found if f is not None]
        if rdoc is None:
            continue
        rubrics.append(rdoc)
        qid = rdoc.rubric.question_id
        qpath = Path(src.lookup_dirs.get(path, "")) / f"{qid}.yaml"
        if qid not in linted and qid not in context and qpath.is_file():
            qtext, qproblem = _read(str(qpath))
            qdoc, qfound = parse_question(str(qpath), qtext, qid) if qtext is not None else (None, [qproblem])
            findings += [f for f in qfound if f is not None]
            if qdoc is not None:
                context[qid] = qdoc.question
    return questions, rubrics, list(context.values()), findings


# --- golden examples --------------------------------------------------------------------------------------------


def run_example(
    question: Question, rubric: Rubric, example: Example, *, file: str, line: int | None, mode: Mode, judge: Any
) -> ExampleResult:
    """Grade one golden example and judge it against its band and the points it should cover."""
    from grader.grading import grade

    try:
        g = grade(question, rubric, example.answer, mode=mode, judge=judge)
    except NotImplementedError as exc:
        raise GraderError(f"--mode {mode} is not available: {exc}", fix="Use --mode lexical") from None
    points = [PointOutcome(id=p.id, status=p.status, score=p.score) for p in g.points]
    status = {p.id: p.status for p in points}
    uncovered = [pid for pid in example.covers if status.get(pid) != "covered"]
    verdicts = {p.id: p.verdict for p in g.points}
    missed = [pid for pid in example.contradicts if verdicts.get(pid) != "contradicted"]
    lo, hi = example.band
    problems = []
    if g.score is None:
        outcome: Literal["passed", "failed", "error"] = "error"
        problems.append("unscored: " + ("; ".join(g.flags) or "the grader gave no score"))
    else:
        if not lo - _EPS <= g.score <= hi + _EPS:
            problems.append(f"score {g.score:.2f} outside band [{lo:.2f}, {hi:.2f}]")
        if uncovered:
            problems.append(
                "expected covered: " + ", ".join(f"{pid} ({status.get(pid, 'unknown')})" for pid in uncovered)
            )
        if missed:
            problems.append("expected contradicted: " + ", ".join(missed))
        outcome = "failed" if problems else "passed"
    return ExampleResult(
        key=f"{question.id}::{example.id}",
        question_id=question.id,
        example_id=example.id,
        file=file,
        line=line,
        band=example.band,
        covers=example.covers,
        score=g.score,
        points=points,
        uncovered=uncovered,
        outcome=outcome,
        message="; ".join(problems),
    )


def run_examples(
    rubrics: Sequence[RubricDoc], questions: dict[str, Question], *, mode: Mode = "lexical", judge: Any = None
) -> list[ExampleResult]:
    results = []
    for doc in rubrics:
        question = questions.get(doc.rubric.question_id)
        if question is None:
            continue  # lint reports the rubric without a question
        for i, ex in enumerate(doc.rubric.examples):
            line = doc.line("examples", i)
            results.append(run_example(question, doc.rubric, ex, file=doc.path, line=line, mode=mode, judge=judge))
    return results


def run_check(
    paths: Sequence[Path],
    *,
    bank: Path | None = None,
    mode: Mode = "lexical",
    judge: Any = None,
    strict: bool = False,
) -> CheckReport:
    """Lint and run the golden examples under PATHS; a baseline or calibration is added by the caller.

    Each PATH is checked on its own: two banks may both hold a question `x` without that being a duplicate.
    """
    shown = [str(p) for p in paths] or [str(resolve_bank(bank))]
    files: list[str] = []
    findings: list[Finding] = []
    examples: list[ExampleResult] = []
    for path in paths or [resolve_bank(bank)]:
        src = discover([path], bank)
        src.question_files = [f for f in src.question_files if f not in files]
        src.rubric_files = [f for f in src.rubric_files if f not in files]
        files += src.question_files + src.rubric_files
        found, ran = _check_one(src, mode=mode, judge=judge)
        findings += found
        examples += ran
    return CheckReport(
        mode=mode,
        grader_version=__version__,
        paths=shown,
        files=files,
        findings=findings,
        examples=examples,
        strict=strict,
    )


def _check_one(src: Sources, *, mode: Mode, judge: Any) -> tuple[list[Finding], list[ExampleResult]]:
    questions, rubrics, context, findings = load(src)
    with_file = {Path(p).stem for p in src.rubric_files}  # an invalid rubric is reported as such, not as missing
    findings += [
        f for f in lint(questions, rubrics, context=context) if f.code != "no-rubric" or f.question_id not in with_file
    ]
    by_id = {q.id: q for q in context} | {d.question.id: d.question for d in questions}
    return findings, run_examples(rubrics, by_id, mode=mode, judge=judge)


def rubrics_under(paths: Sequence[Path], bank: Path | None = None) -> dict[str, tuple[Question, Rubric]]:
    """Every valid rubric under PATHS with its question, by question id (for the calibration gate)."""
    out: dict[str, tuple[Question, Rubric]] = {}
    for path in paths or [resolve_bank(bank)]:
        questions, rubrics, context, _ = load(discover([path], bank))
        by_id = {q.id: q for q in context} | {d.question.id: d.question for d in questions}
        out |= {
            d.rubric.question_id: (by_id[d.rubric.question_id], d.rubric)
            for d in rubrics
            if d.rubric.question_id in by_id
        }
    return out
