"""A `CheckReport` in the formats CI systems read: JUnit XML, GitHub step-summary Markdown, `::error` annotations.

Strings only; writing them is the CLI's job. JUnit follows the shape GitHub, GitLab and Jenkins all read: one
`<testsuites>` holding a suite for lint (a case per file), one for golden examples (a case per example, classname
the question), and one each for the baseline diff and the calibration gate when they ran.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from grader.ci.baseline import Change
from grader.ci.check import CheckReport, ExampleResult
from grader.ci.lint import Finding
from grader.engine.feedback import counted
from grader.engine.metrics import undefined


def _case(
    suite: ET.Element, classname: str, name: str, *, file: str | None = None, line: int | None = None
) -> ET.Element:
    attrs = {"classname": classname, "name": name, "time": "0"}
    if file:
        attrs["file"] = file
    if line:
        attrs["line"] = str(line)
    return ET.SubElement(suite, "testcase", attrs)


def _problem(case: ET.Element, tag: str, kind: str, message: str, details: str) -> None:
    el = ET.SubElement(case, tag, {"message": message, "type": kind})
    el.text = details


def _finding_line(f: Finding) -> str:
    fix = f"  Fix: {f.fix}" if f.fix else ""
    return f"{f.where()}: {f.severity} [{f.code}] {f.message}.{fix}"


def _lint_suite(root: ET.Element, report: CheckReport) -> None:
    suite = ET.SubElement(root, "testsuite", {"name": "grader lint"})
    by_file: dict[str, list[Finding]] = {path: [] for path in report.files}
    for f in report.findings:
        by_file.setdefault(f.file or "(run)", []).append(f)
    for path, findings in by_file.items():
        case = _case(suite, "lint", path, file=path)
        failing = [f for f in findings if f.severity == "error" or report.strict]
        if failing:
            unreadable = any(f.code == "invalid-file" for f in failing)
            _problem(
                case,
                "error" if unreadable else "failure",
                failing[0].code,
                failing[0].message,
                "\n".join(_finding_line(f) for f in failing),
            )
        notes = [f for f in findings if f not in failing]
        if notes:
            ET.SubElement(case, "system-out").text = "\n".join(_finding_line(f) for f in notes)


def example_details(e: ExampleResult) -> str:
    """Expected band, actual score and each point's status: what a reviewer needs to see why an example failed."""
    score = "unscored" if e.score is None else f"{e.score:.2f}"
    lines = [f"band [{e.band[0]:.2f}, {e.band[1]:.2f}], score {score}"]
    for p in e.points:
        expect = " (expected covered)" if p.id in e.covers else ""
        lines.append(f"  {p.id}: {p.status} {p.score:.2f}{expect}")
    return "\n".join(lines)


def _examples_suite(root: ET.Element, report: CheckReport) -> None:
    suite = ET.SubElement(root, "testsuite", {"name": "grader golden examples"})
    for e in report.examples:
        case = _case(suite, e.question_id, e.example_id, file=e.file, line=e.line)
        if e.outcome != "passed":
            _problem(
                case, "failure" if e.outcome == "failed" else "error", "golden-example", e.message, example_details(e)
            )


def change_row(c: Change) -> list[str]:
    """One row of the baseline diff table: example, before, after, delta, point changes."""

    def fmt(x: float | None) -> str:
        return "—" if x is None else f"{x:.2f}"

    delta = "" if c.delta is None else f"{c.delta:+.2f}"
    points = ", ".join(f"{p.id}: {p.before or '—'} → {p.after or '—'}" for p in c.points)
    label = {"added": "new example", "removed": "example removed"}.get(c.kind, points)
    return [c.key, fmt(c.before), fmt(c.after), delta, label]


DIFF_HEADER = ["example", "before", "after", "Δ", "points"]


def _example_places(report: CheckReport) -> dict[str, tuple[str | None, int | None]]:
    """Each golden example's file and line, so a baseline change points at the example that moved."""
    return {e.key: (e.file, e.line) for e in report.examples}


def _diff_suite(root: ET.Element, report: CheckReport) -> None:
    if report.diff is None:
        return
    suite = ET.SubElement(root, "testsuite", {"name": "grader baseline"})
    where = _example_places(report)
    for c in report.diff.changes:
        file, line = where.get(c.key, (None, None))
        case = _case(suite, "baseline", c.key, file=file, line=line)
        row = change_row(c)
        text = f"{c.key}: {row[1]} -> {row[2]} {row[3]} {row[4]}".strip()
        if c.kind == "changed" and report.fail_on_change:
            _problem(case, "failure", "changed", text, text)
        else:
            ET.SubElement(case, "system-out").text = text


def _calibration_suite(root: ET.Element, report: CheckReport) -> None:
    cal = report.calibration
    if cal is None:
        return
    suite = ET.SubElement(root, "testsuite", {"name": "grader calibration"})
    case = _case(suite, "calibration", f"pearson >= {cal.min_pearson}", file=cal.labels)
    if not cal.passed:
        msg = f"Pearson {undefined(cal.pearson)} with {cal.n} human labels is below {cal.min_pearson}"
        _problem(case, "failure", "calibration", msg, msg)


def _count(el: ET.Element) -> dict[str, int]:
    cases = el.iter("testcase")
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for case in cases:
        counts["tests"] += 1
        counts["failures"] += case.find("failure") is not None
        counts["errors"] += case.find("error") is not None
    return counts


def junit_xml(report: CheckReport) -> str:
    """The whole report as one JUnit XML document."""
    root = ET.Element("testsuites", {"name": "grader check"})
    for build in (_lint_suite, _examples_suite, _diff_suite, _calibration_suite):
        build(root, report)
    for el in [root, *root.findall("testsuite")]:
        for key, value in _count(el).items():
            el.set(key, str(value))
        el.set("time", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# --- GitHub -----------------------------------------------------------------------------------------------------


def _escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_prop(s: str) -> str:
    return _escape_data(s).replace(":", "%3A").replace(",", "%2C")


def annotation(level: str, message: str, *, file: str | None, line: int | None, title: str) -> str:
    """One GitHub workflow command, e.g. `::error file=rubrics/x.yaml,line=12,title=...::message`."""
    props = [f"file={_escape_prop(file)}"] if file else []
    if file and line:
        props.append(f"line={line}")
    props.append(f"title={_escape_prop(title)}")
    return f"::{level} {','.join(props)}::{_escape_data(message)}"


def github_annotations(report: CheckReport) -> list[str]:
    out = []
    for f in report.findings:
        level = "error" if f.severity == "error" or report.strict else "warning"
        msg = f"{f.message}. {f.fix}" if f.fix else f.message
        out.append(annotation(level, msg, file=f.file, line=f.line, title=f"grader check: {f.code}"))
    for e in report.examples:
        if e.outcome != "passed":
            msg = f"{e.key}: {e.message}\n{example_details(e)}"
            out.append(annotation("error", msg, file=e.file, line=e.line, title=f"golden example {e.key}"))
    if report.diff:
        level = "error" if report.fail_on_change else "warning"
        where = _example_places(report)
        for c in report.diff.significant():
            row = change_row(c)
            msg = f"{c.key}: score {row[1]} -> {row[2]} {row[3]} {row[4]}".strip()
            file, line = where.get(c.key, (None, None))  # a removed example has no place left
            out.append(annotation(level, msg, file=file, line=line, title="changed against the baseline"))
    cal = report.calibration
    if cal and not cal.passed:
        msg = f"Pearson {undefined(cal.pearson)} with {cal.n} human labels is below {cal.min_pearson}"
        out.append(annotation("error", msg, file=cal.labels, line=None, title="calibration"))
    return out


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    def cell(s: str) -> str:
        return s.replace("|", "\\|").replace("\n", "<br>")

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]


def github_summary(report: CheckReport) -> str:
    """Markdown for `$GITHUB_STEP_SUMMARY`: the verdict, counts, then every problem and change as tables."""
    s = report.summary()
    head = "✅ passed" if s.ok else "❌ failed"
    lines = [f"## grader check: {head}", ""]
    lines.append(
        f"{counted(s.files, 'file')} linted: {counted(s.errors, 'error')}, {counted(s.warnings, 'warning')}. "
        f"{counted(s.examples, 'golden example')}: {s.passed} passed, {s.failed} failed, {s.unscored} unscored."
    )
    if report.findings:
        rows = [[f"`{f.where()}`", f.severity, f.code, f.message] for f in report.findings]
        lines += ["", "### Lint", "", *_md_table(["where", "severity", "check", "problem"], rows)]
    bad = [e for e in report.examples if e.outcome != "passed"]
    if bad:
        rows = [[e.key, f"{e.band[0]:.2f}–{e.band[1]:.2f}", _score(e.score), e.message] for e in bad]
        lines += ["", "### Golden examples not passing", "", *_md_table(["example", "band", "score", "problem"], rows)]
    if report.diff is not None:
        lines += ["", f"### Against the baseline (tolerance {report.diff.tolerance})", ""]
        if report.diff.changes:
            lines += _md_table(DIFF_HEADER, [change_row(c) for c in report.diff.changes])
        else:
            lines.append("No example moved.")
    cal = report.calibration
    if cal is not None:
        verdict = "✅" if cal.passed else "❌"
        lines += [
            "",
            f"### Calibration {verdict}",
            "",
            f"Pearson {undefined(cal.pearson)} over {cal.n} labels (floor {cal.min_pearson}).",
        ]
    return "\n".join(lines) + "\n"


def _score(x: float | None) -> str:
    return "unscored" if x is None else f"{x:.2f}"
