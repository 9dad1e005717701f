"""pytest plugin: `pytest rubrics/` runs every golden example of every rubric file as a test.

Registered through the `pytest11` entry point, so it is loaded by any pytest in an environment where grader is
installed; it stays inert unless rubric files are asked for on the command line (or in `testpaths`):

- a rubric file itself: `pytest rubrics/nasyshchenie-neyrona.yaml`;
- a folder of rubric files: `pytest rubrics/` (a folder named `rubrics`, or YAML files with `question_id:`);
- a bank folder holding `rubrics/`: `pytest my-bank/`.

Rubric files deeper down (fixtures under `tests/`, say) are never picked up by a run over a parent folder, so a
project's own test suite is left alone. Each rubric file gives a `<question>::[lint]` item (the rubric's lint
errors: stale, unknown points, the reference grading below 0.9 ...) and one `<question>::<example>` item per golden
example; a failure shows the band, the actual score and every point's status. Use `grader check` for bank-wide
lint (duplicates, questions without a rubric) and CI formats.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from grader.ci.check import ExampleResult
    from grader.ci.lint import Finding, RubricDoc
    from grader.models import Example, Question

_SUFFIXES = (".yaml", ".yml")
_RUBRIC_KEY = re.compile(r"^question_id\s*:", re.MULTILINE)
_ROOTS = pytest.StashKey[list[Path]]()
_JUDGE = pytest.StashKey[Any]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("grader", "golden examples of grader rubrics")
    group.addoption(
        "--grader-mode",
        default="lexical",
        choices=("lexical", "llm", "hybrid"),
        help="grading mode for golden examples in rubric files (default: lexical)",
    )
    group.addoption(
        "--grader-judge",
        default="openai",
        choices=("openai", "fake", "obeying"),
        help="judge for --grader-mode llm|hybrid, set up as `grader check --judge` does (default: openai)",
    )
    group.addoption(
        "--grader-bank",
        default=None,
        metavar="DIR",
        help="bank whose questions/ holds the questions of rubric files not kept beside one "
        "(default: $GRADER_BANK, else the bundled bank)",
    )


def _requested(config: pytest.Config) -> list[Path]:
    """The paths named on the command line (or by `testpaths`), resolved, without `::` test selectors."""
    if _ROOTS not in config.stash:
        base = config.invocation_params.dir
        config.stash[_ROOTS] = [(base / str(arg).split("::")[0]).resolve() for arg in config.args]
    return config.stash[_ROOTS]


def _looks_like_rubric(path: Path) -> bool:
    try:
        return bool(_RUBRIC_KEY.search(path.read_text(encoding="utf-8", errors="replace")))
    except OSError:
        return False


def is_requested_rubric(path: Path, requested: list[Path]) -> bool:
    """A rubric file named on the command line, directly in a folder named there, or in `rubrics/` of a bank there."""
    if path.suffix not in _SUFFIXES:
        return False
    path = path.resolve()
    for root in requested:
        if root == path or root == path.parent:
            return path.parent.name == "rubrics" or _looks_like_rubric(path)
        if root == path.parent.parent and path.parent.name == "rubrics":
            return True
    return False


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if is_requested_rubric(file_path, _requested(parent.config)):
        return RubricFile.from_parent(parent, path=file_path)
    return None


def _shown(path: Path, config: pytest.Config) -> str:
    """A path as findings show it: relative to where pytest was started, when it is below it."""
    try:
        return str(path.relative_to(config.invocation_params.dir))
    except ValueError:
        return str(path)


class RubricFile(pytest.File):
    """One rubric file: a collector named after its question, holding its lint item and examples."""

    def collect(self) -> Iterator[pytest.Item | pytest.Collector]:
        from grader.ci.lint import load_text_error, parse_rubric

        shown = _shown(self.path, self.config)
        try:
            doc, findings = parse_rubric(shown, self.path.read_text(encoding="utf-8"))
        except UnicodeDecodeError as exc:
            doc, findings = None, [load_text_error(shown, f"not UTF-8 text (byte {exc.start})")]
        if doc is None:
            yield LintItem.from_parent(self, name="[lint]", findings=findings)
            return
        yield QuestionCollector.from_parent(self, name=doc.rubric.question_id, doc=doc)


class QuestionCollector(pytest.Collector):
    def __init__(self, *, doc: RubricDoc, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.doc = doc

    def _question(self) -> tuple[Question | None, list[Finding]]:
        from grader.bank.store import packaged_bank
        from grader.ci.lint import parse_question

        qid = self.doc.rubric.question_id
        option = self.config.getoption("grader_bank") or os.environ.get("GRADER_BANK")
        fallback = Path(option) if option else packaged_bank()
        for folder in (self.path.parent.parent / "questions", fallback / "questions"):
            qpath = folder / f"{qid}.yaml"
            if qpath.is_file():
                text = qpath.read_text(encoding="utf-8")
                doc, findings = parse_question(_shown(qpath, self.config), text, qid)
                return (doc.question if doc else None), findings
        from grader.ci.lint import lint

        return None, lint([], [self.doc])  # the no-question finding

    def collect(self) -> Iterator[pytest.Item]:
        question, findings = self._question()
        if question is not None:
            from grader.ci.lint import lint_rubric

            findings = findings + lint_rubric(self.doc, question)
        yield LintItem.from_parent(self, name="[lint]", findings=findings)
        for i, example in enumerate(self.doc.rubric.examples):
            yield ExampleItem.from_parent(
                self, name=example.id, question=question, example=example, line=self.doc.line("examples", i)
            )


def _judge(config: pytest.Config, mode: str) -> Any:
    """The judge for LLM modes, made once per session the way the CLI makes it (settings, cache)."""
    if mode == "lexical":
        return None
    if _JUDGE not in config.stash:
        from grader.llm.setup import llm_setup  # the shared judge setup; only loaded for LLM modes

        config.stash[_JUDGE] = llm_setup(mode, config.getoption("grader_judge")).judge
    return config.stash[_JUDGE]


class RubricProblem(Exception):
    """A rubric's lint errors, or a golden example that left its band."""


class LintItem(pytest.Item):
    def __init__(self, *, findings: list[Finding], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.findings = [f for f in findings if f.severity == "error"]

    def runtest(self) -> None:
        if self.findings:
            lines = [
                f"{f.where()}: [{f.code}] {f.message}" + (f"  Fix: {f.fix}" if f.fix else "") for f in self.findings
            ]
            raise RubricProblem("\n".join(lines))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, RubricProblem):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo, style=style))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        line = self.findings[0].line if self.findings and self.findings[0].line else 1
        return self.path, line - 1, f"{self.parent.name}::[lint]" if self.parent else "[lint]"


class ExampleItem(pytest.Item):
    def __init__(self, *, question: Question | None, example: Example, line: int | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.question = question
        self.example = example
        self.line = line
        self.result: ExampleResult | None = None

    def runtest(self) -> None:
        from grader.ci.check import run_example

        assert isinstance(self.parent, QuestionCollector)
        if self.question is None:
            raise RubricProblem(f"no question '{self.parent.doc.rubric.question_id}' to grade this example against")
        from grader.errors import GraderError

        mode = self.config.getoption("grader_mode")
        try:
            self.result = run_example(
                self.question,
                self.parent.doc.rubric,
                self.example,
                file=self.parent.doc.path,
                line=self.line,
                mode=mode,
                judge=_judge(self.config, mode),
            )
        except GraderError as exc:
            raise RubricProblem(str(exc)) from None
        if self.result.outcome != "passed":
            raise RubricProblem(self.result.message)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if not isinstance(excinfo.value, RubricProblem):
            return str(super().repr_failure(excinfo, style=style))
        from grader.ci.formats import example_details

        text = f"{self.nodeid.split('::', 1)[-1]}: {excinfo.value}"
        if self.result is not None:
            text += "\n" + example_details(self.result)
        answer = " ".join(self.example.answer.split())
        return text + f"\nanswer: {answer[:300]}{' …' if len(answer) > 300 else ''}"

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, (self.line or 1) - 1, f"{self.parent.name if self.parent else ''}::{self.name}"
