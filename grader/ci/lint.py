"""Lint of questions and rubrics: what makes a rubric unusable or misleading, found before any answer is graded.

Pure: file texts in, findings out. Each finding names the file, the line and the field, and says how to fix it.
Errors fail `grader check`; warnings are shown (and fail only with `--strict`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any, Literal

import yaml
from pydantic import ValidationError

from grader.bank.yaml_errors import explain, yaml_problem
from grader.ci.lint_misconceptions import lint_misconceptions
from grader.ci.lint_reading import lint_reading, no_rubric_message
from grader.engine.matching import Matcher
from grader.engine.rubric import reference_hash
from grader.limits_yaml import compose_yaml, load_yaml
from grader.models import Model, Question, Rubric

Severity = Literal["error", "warning"]
REFERENCE_FLOOR = 0.9


class Finding(Model):
    """One problem in one file."""

    code: str  # invalid-file, bad-weight, stale-rubric, duplicate-id, no-rubric, no-question, ...
    severity: Severity
    message: str
    file: str | None = None
    line: int | None = None
    field: str | None = None
    question_id: str | None = None
    fix: str = ""

    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.file and self.line else self.file or ""


class QuestionDoc(Model):
    """A question file that validated, with where each field sits in it."""

    path: str
    question: Question
    lines: dict[str, int] = {}


class RubricDoc(Model):
    path: str
    rubric: Rubric
    lines: dict[str, int] = {}

    def line(self, *loc: int | str) -> int | None:
        """The line of the deepest known node along `loc` (e.g. "points", 0, "concepts")."""
        return _deepest(self.lines, loc)


# --- parsing ----------------------------------------------------------------------------------------------------


def yaml_lines(node: yaml.Node | None, prefix: str = "", out: dict[str, int] | None = None) -> dict[str, int]:
    """Every node's dotted path ("points.0.concepts.1") mapped to its 1-based line."""
    out = {} if out is None else out
    if node is None:
        return out
    out[prefix] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            path = f"{prefix}.{key.value}" if prefix else str(key.value)
            yaml_lines(value, path, out)
            out[path] = key.start_mark.line + 1  # a field is on its key's line, not its value's below it
    elif isinstance(node, yaml.SequenceNode):
        for i, value in enumerate(node.value):
            yaml_lines(value, f"{prefix}.{i}" if prefix else str(i), out)
    return out


def _deepest(lines: dict[str, int], loc: Sequence[int | str]) -> int | None:
    parts = [str(p) for p in loc]
    for n in range(len(parts), -1, -1):
        line = lines.get(".".join(parts[:n]))
        if line is not None:
            return line
    return None


def _parse(path: str, text: str, model: type[Any]) -> tuple[Any, dict[str, int], list[Finding]]:
    """Validate one YAML text; every validation error becomes its own finding (not just the first)."""
    try:
        node = compose_yaml(text)
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        line, problem, fix = yaml_problem(exc)
        return None, {}, [_invalid(path, line, None, problem, fix)]
    lines = yaml_lines(node)
    if not isinstance(data, dict):
        return None, lines, [_invalid(path, 1, None, "expected a mapping of fields at the top level", "")]
    try:
        return model.model_validate(data), lines, []
    except ValidationError as exc:
        findings = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            name = ".".join(str(p) for p in loc) or None
            bad_weight = bool(loc) and loc[-1] == "weight"
            code = "bad-weight" if bad_weight else "duplicate-id" if "duplicate" in err["msg"] else "invalid-file"
            findings.append(
                Finding(
                    code=code,
                    severity="error",
                    message=explain(err, model),
                    file=path,
                    line=_deepest(lines, loc),
                    field=name,
                    fix="Weights are relative importances: use a number above 0" if bad_weight else "",
                )
            )
        return None, lines, findings


def _invalid(path: str, line: int | None, name: str | None, message: str, fix: str) -> Finding:
    return Finding(code="invalid-file", severity="error", message=message, file=path, line=line, field=name, fix=fix)


def parse_question(path: str, text: str, stem: str | None = None) -> tuple[QuestionDoc | None, list[Finding]]:
    """A question file's text as a document, or the findings that stop it validating."""
    q, lines, findings = _parse(path, text, Question)
    if q is None:
        return None, findings
    doc = QuestionDoc(path=path, question=q, lines=lines)
    if stem is not None and q.id != stem:
        findings.append(
            _invalid(path, lines.get("id"), "id", f"id '{q.id}' does not match the file name", f"Rename to {q.id}.yaml")
        )
    return doc, findings


def parse_rubric(path: str, text: str) -> tuple[RubricDoc | None, list[Finding]]:
    r, lines, findings = _parse(path, text, Rubric)
    return (RubricDoc(path=path, rubric=r, lines=lines) if r is not None else None), findings


def load_text_error(path: str, problem: str) -> Finding:
    return _invalid(path, None, None, problem, "Save it as UTF-8 text")


# --- lint -------------------------------------------------------------------------------------------------------


def lint(
    questions: Sequence[QuestionDoc],
    rubrics: Sequence[RubricDoc],
    *,
    context: Sequence[Question] = (),
    reference_floor: float = REFERENCE_FLOOR,
) -> list[Finding]:
    """Every problem across a bank's questions and rubrics.

    `questions` are linted themselves (each should have a rubric); `context` questions are only looked up, for
    rubric files checked on their own.
    """
    findings = _duplicates(questions, rubrics)
    by_id = {q.id: q for q in context} | {d.question.id: d.question for d in questions}
    with_rubric = {d.rubric.question_id for d in rubrics}
    for d in questions:
        if d.question.id not in with_rubric:
            findings.append(
                Finding(
                    code="no-rubric",
                    severity="warning",
                    message=no_rubric_message(d.question),
                    file=d.path,
                    line=1,
                    question_id=d.question.id,
                    fix=f"Run `grader rubric build {d.question.id}` and curate the result",
                )
            )
    for doc in rubrics:
        question = by_id.get(doc.rubric.question_id)
        if question is None:
            findings.append(_no_question(doc))
            continue
        findings += lint_rubric(doc, question, reference_floor=reference_floor)
    return findings


def lint_rubric(doc: RubricDoc, question: Question, *, reference_floor: float = REFERENCE_FLOOR) -> list[Finding]:
    """Problems of one rubric against its question."""
    out: list[Finding] = []

    def add(code: str, severity: Severity, message: str, loc: tuple[int | str, ...], fix: str = "") -> None:
        name = ".".join(str(p) for p in loc) or None
        out.append(
            Finding(
                code=code,
                severity=severity,
                message=message,
                file=doc.path,
                line=doc.line(*loc),
                field=name,
                question_id=question.id,
                fix=fix,
            )
        )

    r = doc.rubric
    new_hash = reference_hash(question.reference)
    if not r.reference_hash:
        add(
            "no-hash",
            "warning",
            "rubric has no reference_hash: staleness cannot be detected",
            ("question_id",),
            f"Add reference_hash: {reference_hash(question.reference)}",
        )
    elif r.reference_hash != reference_hash(question.reference):
        add(
            "stale-rubric",
            "error",
            "rubric is stale: the question's reference changed since it was built",
            ("reference_hash",),
            f"Review the points against the new reference, then set reference_hash: {new_hash}",
        )
    matcher = Matcher(r, question.question)
    for i, (point, compiled) in enumerate(zip(r.points, matcher.points, strict=True)):
        if not point.concepts:
            add(
                "no-concepts",
                "error",
                f"point '{point.id}' has no concepts: it can never be covered",
                ("points", i, "concepts"),
                "List the wordings that show the point is made",
            )
            continue
        for j, concept in enumerate(point.concepts):
            if not compiled.kept(concept):
                add(
                    "concept-in-question",
                    "warning",
                    f"point '{point.id}': concept {concept.any} occurs in the question text, so it proves nothing",
                    ("points", i, "concepts", j),
                    "Use wordings an answer has to add, not ones it can copy",
                )
        if not compiled.concepts:
            add(
                "no-concepts",
                "error",
                f"point '{point.id}': every concept occurs in the question; it is never covered",
                ("points", i, "concepts"),
                "Add wordings that are not in the question",
            )
    point_ids = {p.id for p in r.points}
    for i, ex in enumerate(r.examples):
        for name, pids in (("covers", ex.covers), ("contradicts", ex.contradicts)):
            for j, pid in enumerate(pids):
                if pid not in point_ids:
                    add(
                        "unknown-point",
                        "error",
                        f"example '{ex.id}' {name} unknown point '{pid}'",
                        ("examples", i, name, j),
                        f"Known points: {', '.join(sorted(point_ids))}",
                    )
    lint_misconceptions(r, question, add)
    lint_reading(r, question, add)
    out += _reference_grade(doc, question, reference_floor)
    return out


def _reference_grade(doc: RubricDoc, question: Question, floor: float) -> list[Finding]:
    from grader.engine.lexical import grade_lexical  # imported here so parsing stays light

    g = grade_lexical(question, doc.rubric, question.reference)
    if g.score is None or g.score >= floor:
        return []
    missed = [p.id for p in g.points if p.status != "covered"]
    return [
        Finding(
            code="reference-below-floor",
            severity="error",
            message=f"the reference answer itself scores {g.score:.2f} (< {floor}); not covered: {', '.join(missed)}",
            file=doc.path,
            line=doc.line("points"),
            field="points",
            question_id=question.id,
            fix="Add wordings the reference uses to those points' concepts",
        )
    ]


def _no_question(doc: RubricDoc) -> Finding:
    qid = doc.rubric.question_id
    return Finding(
        code="no-question",
        severity="error",
        message=f"no question with id '{qid}' for this rubric",
        file=doc.path,
        line=doc.line("question_id"),
        field="question_id",
        question_id=qid,
        fix="Fix question_id, or check against the bank holding the question (--bank)",
    )


def _duplicates(questions: Sequence[QuestionDoc], rubrics: Sequence[RubricDoc]) -> list[Finding]:
    """Two question files with one id, or two rubrics for one question: which one wins would be an accident."""
    entries = [("question", d.path, d.lines, d.question.id, "id") for d in questions]
    entries += [("rubric", d.path, d.lines, d.rubric.question_id, "question_id") for d in rubrics]
    counts = Counter((kind, qid) for kind, _, _, qid, _ in entries)
    out = []
    for kind, path, lines, qid, key in entries:
        if counts[(kind, qid)] > 1:
            others = [p for k, p, _, i, _ in entries if (k, i) == (kind, qid) and p != path]
            out.append(
                Finding(
                    code="duplicate-id",
                    severity="error",
                    message=f"{kind} id '{qid}' is also used by {', '.join(others)}",
                    file=path,
                    line=lines.get(key),
                    field=key,
                    question_id=qid,
                    fix="Give each question one file and one rubric",
                )
            )
    return out
