"""Agreement metrics, loaders, calibration and exemplars of issue 5, against hand-computed values and fixtures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.agreement import calibration
from grader.agreement.datasets import load
from grader.agreement.evaluate import auto_rubrics, evaluate
from grader.engine.exemplars import Exemplars, GradedExample
from grader.engine.metrics import confusion, discretise, label3, mae, pearson, quadratic_kappa, ranks, rmse, spearman
from grader.errors import InvalidFile
from tests.conftest import run_cli

DATA = Path(__file__).parent / "data" / "evaluate"


class TestMetrics:
    """Each metric matches a value worked out by hand."""

    def test_pearson(self) -> None:
        # x mean 2, y mean 4: sxy = 4, sxx = 2, syy = 8 -> 4 / sqrt(16) = 1.0; a constant side gives 0.
        assert pearson([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)
        assert pearson([1, 2, 3], [1, 3, 2]) == pytest.approx(0.5)
        assert pearson([1, 1, 1], [1, 2, 3]) == 0.0

    def test_spearman_ranks_ties(self) -> None:
        assert ranks([10, 20, 20, 30]) == [1, 2.5, 2.5, 4]
        assert spearman([1, 2, 3, 4], [1, 4, 9, 16]) == pytest.approx(1.0)

    def test_errors(self) -> None:
        assert mae([0, 0.5, 1], [0, 1, 0]) == pytest.approx(0.5)
        assert rmse([0, 0.5, 1], [0, 1, 0]) == pytest.approx((1.25 / 3) ** 0.5)

    def test_kappa(self) -> None:
        assert quadratic_kappa([0, 1, 2], [0, 1, 2], 3) == pytest.approx(1.0)
        # observed: (0,1) and (1,0): num = 0.25 + 0.25; expected with margins 1,1 / 1,1: den = 0.5*0.25*2 = 0.25
        assert quadratic_kappa([0, 1], [1, 0], 3) == pytest.approx(1 - 0.5 / 0.25)
        assert [discretise(s) for s in (0, 0.12, 0.13, 0.5, 0.88, 1)] == [0, 0, 1, 2, 4, 4]

    def test_three_way(self) -> None:
        assert [label3(s) for s in (0, 0.5, 1)] == ["incorrect", "partial", "correct"]
        assert label3(0.3, 0.3, 0.8) == "incorrect" and label3(0.8, 0.3, 0.8) == "correct"
        assert confusion(["correct", "partial"], ["partial", "partial"]) == [[0, 0, 0], [0, 1, 0], [0, 1, 0]]


class TestLoaders:
    """SAF XML and row files become graded answers on 0..1."""

    def test_saf_file(self) -> None:
        answers = load(DATA / "saf_small.xml")
        assert [a.score for a in answers] == [1.0, 0.5, 0.0]
        assert answers[0].label == "Correct" and answers[0].id == "s1" and answers[0].lang == "en"
        assert "Data link layer" in answers[0].reference and answers[0].question.startswith("Name the 2")

    def test_saf_folder(self) -> None:
        assert len(load(DATA)) == 3

    def test_rows_with_score_scale_and_columns(self) -> None:
        answers = load(DATA / "graded.csv", score_col="grade", score_max=5)
        assert [a.score for a in answers] == [1.0, 0.0, 0.8]
        assert answers[0].question_id == answers[1].question_id != answers[2].question_id

    def test_scale_needed(self) -> None:
        with pytest.raises(InvalidFile, match="--score-max"):
            load(DATA / "graded.csv", score_col="grade")


class TestCalibration:
    """Isotonic regression never decreases and fits the block means."""

    def test_pool_adjacent_violators(self) -> None:
        xs, ys = calibration.isotonic([1, 2, 3, 4], [1, 3, 2, 4])
        assert ys == [1, 2.5, 2.5, 4]  # the pooled block 2..3 is flat, its ends are knots
        assert xs == [1, 2, 3, 4]

    def test_apply_and_save(self, tmp_path: Path) -> None:
        cal = calibration.fit([0.1, 0.2, 0.6, 0.9], [0, 0, 0.5, 1])
        assert cal.apply(0.0) == 0 and cal.apply(1.0) == 1 and 0 < cal.apply(0.4) < 0.5
        calibration.save(cal, tmp_path / "c.json")
        assert calibration.load(tmp_path / "c.json") == cal
        assert [cal.label(cal.apply(x)) for x in (0.1, 0.6, 0.9)] == ["incorrect", "partial", "correct"]


class TestExemplars:
    """Graded examples teach the grader, and an example is never graded using itself."""

    def _teacher(self) -> tuple[Exemplars, list[GradedExample]]:
        answers = load(DATA / "saf_small.xml")
        question, rubric = auto_rubrics(answers)[answers[0].question_id]
        examples = [GradedExample(id=a.id, answer=a.answer, score=a.score) for a in answers]
        examples.append(GradedExample(id="s4", answer="Physical layer and data link layer.", score=1.0))
        return Exemplars.fit(question, rubric, examples), examples

    def test_never_itself(self) -> None:
        ex, examples = self._teacher()
        lone = examples[1]
        # With its own text removed the pool is the other three; grading must equal a teacher built without it.
        question, rubric = ex.question, ex.rubric
        without = Exemplars.fit(question, rubric, [e for e in examples if e.id != lone.id])
        assert ex.grade(lone.answer, exclude=lone.id).score == without.grade(lone.answer).score
        assert ex.grade(lone.answer).score == without.grade(lone.answer).score  # same text: excluded too

    def test_points_still_listed(self) -> None:
        ex, _ = self._teacher()
        g = ex.grade("The physical layer moves bits.")
        assert g.points and {p.status for p in g.points} <= {"covered", "partial", "missing"}
        assert ("exemplars" in g.flags) == (ex.kept != "rubric")  # the flag says whether the examples were used


def test_evaluate_job_and_cli(tmp_path: Path) -> None:
    report = evaluate(load(DATA / "saf_small.xml"))
    assert report.n == 3 and report.metrics.pearson > 0.5 and len(report.questions) == 1
    out = tmp_path / "cal.json"
    assert run_cli("calibrate", str(DATA / "saf_small.xml"), "--out", str(out)).returncode == 0
    proc = run_cli("evaluate", str(DATA / "saf_small.xml"), "--calibration", str(out), "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["calibrated"] and data["metrics"]["n"] == 3


def test_unreadable_rows_are_named_not_dropped_silently(tmp_path: Path) -> None:
    """A graded file with a broken line: the other rows are graded, and the warning names the line and why, both
    for the answers evaluated and for graded examples (evaluate --examples, grade --examples)."""
    good = [{"id": f"g{i}", "question": "What is overfitting?",
             "reference": "The model fits noise in the training data and generalises poorly to new data.",
             "answer": a, "score": s}
            for i, (a, s) in enumerate([("It memorises noise and fails on new data", 1.0),
                                        ("A kind of regularization", 0.0),
                                        ("Fits the noise of the training set, so new data goes badly", 0.75)])]
    lines = [json.dumps(r, ensure_ascii=False) for r in good]
    lines.insert(2, '{"id": "broken", "answer": "ё 🙂')  # line 3: not a JSON object
    path = tmp_path / "graded.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    skipped: list[str] = []
    assert len(load(path, skipped=skipped)) == 3
    assert len(skipped) == 1 and skipped[0].startswith(f"{path}:3: ")
    proc = run_cli("evaluate", str(path), "--examples", str(path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count(f"1 row(s) of {path} left out, unreadable: {path}:3: ") == 2
    assert proc.stdout.startswith("3 answers")
