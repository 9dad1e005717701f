"""The rubric author's tools: `grader rubric show` reads a rubric back; built rubrics pass `check --strict`."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from grader.bank.store import Bank, rubric_for
from grader.engine.rubric import build_rubric, without_question_words
from grader.grading import grade
from grader.models import Concept, KeyPoint, Question, Rubric
from tests.conftest import ROOT, run_cli

QID = "nasyshchenie-neyrona"


@pytest.mark.slow
class TestRubricShow:
    """`grader rubric show ID` prints every point, its weight, required flag, concepts and hints."""

    def test_screen(self, bank: Bank) -> None:
        proc = run_cli("rubric", "show", QID, env={**os.environ, "COLUMNS": "200"})
        assert proc.returncode == 0, proc.stderr
        rubric, _ = rubric_for(bank, bank.question(QID))
        out = proc.stdout
        assert bank.question(QID).question in out
        for p in rubric.points:
            assert p.id in out and p.text in out
            for c in p.concepts:
                assert " | ".join(c.any) in out
            assert p.hint_in("en") in out
        required = [line for line in out.splitlines() if line.endswith("required")]
        assert len(required) == sum(p.required for p in rubric.points)

    def test_json_is_the_rubric(self, bank: Bank) -> None:
        proc = run_cli("rubric", "show", QID, "--json")
        assert Rubric.model_validate(json.loads(proc.stdout)) == rubric_for(bank, bank.question(QID))[0]

    def test_unknown_id(self) -> None:
        proc = run_cli("rubric", "show", "nasyshchenie")
        assert proc.returncode == 2 and "Did you mean: nasyshchenie-neyrona" in proc.stderr


@pytest.mark.slow
def test_built_rubrics_pass_strict_check_in_the_curated_style(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "questions", tmp_path / "questions")
    proc = run_cli("rubric", "build", "--all", "--bank", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    check = run_cli("check", str(tmp_path), "--strict")
    assert check.returncode == 0, check.stdout
    assert "0 errors, 0 warnings" in check.stdout
    built = Bank(tmp_path)
    for path in sorted((tmp_path / "rubrics").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        head = text.splitlines()[:4]
        assert head[1].startswith("lang: ") and head[3] == "built_by: auto", head
        concepts = [ln for ln in text.splitlines() if ln.startswith("  - ")]
        assert concepts and all(ln.startswith(("  - [", "  - {any: [")) for ln in concepts), path.name
        assert built.rubric(path.stem) is not None


def test_dropping_question_words_changes_no_grade(bank: Bank) -> None:
    """Concepts the question holds never counted, so a rubric without them grades every answer the same."""
    dropped = 0
    for q in bank.questions():
        full = build_rubric(q).model_copy(update={"points": _unpruned(q)})
        pruned = without_question_words(full, q.question)
        dropped += sum(map(_n, full.points)) - sum(map(_n, pruned.points))
        for answer in (q.reference, q.question, q.reference[: len(q.reference) // 3], "не знаю"):
            assert grade(q, pruned, answer).score == grade(q, full, answer).score, (q.id, answer[:40])
    assert dropped >= len(bank.questions())  # the question's words were there to drop


def _n(point: KeyPoint) -> int:
    return len(point.concepts)


def _unpruned(q: Question) -> list[KeyPoint]:
    """The built rubric's points with concepts made of the question's own words added back."""
    longest = max(q.question.replace("?", " ").split(), key=len)
    return [p.model_copy(update={"concepts": [*p.concepts, Concept(any=[longest])]}) for p in build_rubric(q).points]


def _rubric_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD_RUBRIC = """question_id: q
lang: ru
points:
- id: p1
  text: Градиент затухает
  weight: 2
  concepts:
  - [градиент]
  hint:
    ru: Градиент
"""


class TestYamlErrors:
    """A YAML mistake names the line it is on, in plain words; an unknown key says which known key it is close to."""

    @pytest.mark.parametrize(
        ("edit", "line", "said"),
        [
            (("  hint:", "  hnit:"), 9, "unknown field 'points.0.hnit'; did you mean 'hint'?"),
            (("  weight: 2", "  wieght: 2"), 6, "did you mean 'weight'?"),
            (("lang: ru", "lnag: ru"), 2, "unknown field 'lnag'; did you mean 'lang'?"),
            (("  weight: 2", "  colour: 2"), 6, "unknown field 'points.0.colour' (known: id, text, weight"),
            (("  text: Градиент затухает", "  text: Ответ: градиент"), 5, "a ': ' YAML does not expect on this line"),
            (("  weight: 2", "  weight 2"), 6, "this line is not `key: value`"),
            (("  weight: 2", "\tweight: 2"), 6, "a tab character"),
            (("  - [градиент]", "  - [градиент"), 8, "a '[' list opened on this line is not closed"),
            # the fix says: indent it like the fields around it
            (("  weight: 2", "   weight: 2"), 6, "a ': ' YAML does not expect on this line"),
        ],
        ids=["hint", "weight", "top-level", "no-close-key", "colon", "no-colon", "tab", "bracket", "indent"],
    )
    def test_line_and_words(self, tmp_path: Path, edit: tuple[str, str], line: int, said: str) -> None:
        from grader.bank.store import load_model
        from grader.ci.lint import _parse
        from grader.errors import InvalidFile

        text = GOOD_RUBRIC.replace(*edit, 1)
        assert text != GOOD_RUBRIC
        path = _rubric_file(tmp_path, text)
        with pytest.raises(InvalidFile) as err:
            load_model(path, Rubric)
        assert str(err.value).startswith(f"{path}:{line}: "), str(err.value)
        assert said in str(err.value)
        findings = _parse(str(path), text, Rubric)[2]
        assert findings[0].line == line and said in findings[0].message

    def test_good_file_loads(self, tmp_path: Path) -> None:
        from grader.bank.store import load_model

        assert load_model(_rubric_file(tmp_path, GOOD_RUBRIC), Rubric).points[0].weight == 2
