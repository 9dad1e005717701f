"""Graded examples teach the grader: learned wordings, the learned blend, rubric examples, and the CLI flags."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.agreement import calibration
from grader.agreement.datasets import examples_for
from grader.bank.store import Bank, rubric_for
from grader.engine.exemplars import Exemplars, GradedExample, with_examples
from grader.engine.lexical import grade_lexical
from grader.engine.linfit import predict, ridge, solve
from grader.engine.matching import Matcher
from grader.engine.wordings import Learner
from grader.grading import grade
from grader.models import Question, Rubric
from tests.conftest import run_cli

DATA = Path(__file__).parent / "data" / "exemplars"
BANK = DATA / "bank"


@pytest.fixture(scope="module")
def tcp() -> tuple[Question, Rubric, list[GradedExample]]:
    bank = Bank(BANK)
    question = bank.question("tcp-vs-udp")
    rubric, _ = rubric_for(bank, question)
    return question, rubric, examples_for(DATA / "graded.csv", question)


def _bare(rubric: Rubric) -> Rubric:
    return rubric.model_copy(update={"examples": []})


class TestExamplesFile:
    """Rows for the question (by question_id) become graded examples on 0..1."""

    def test_rows_for_this_question_only(self, tcp: tuple[Question, Rubric, list[GradedExample]]) -> None:
        _, _, examples = tcp
        assert len(examples) == 12 and examples[0].id == "g1" and examples[0].score == 1.0
        assert "other1" not in {e.id for e in examples}


class TestNeverItself:
    """An example graded with its id left out gets the grade of a teacher that never saw it, whatever its score."""

    @pytest.mark.parametrize("eid", ["g1", "g6", "g10"])
    def test_same_as_never_seen(self, tcp: tuple[Question, Rubric, list[GradedExample]], eid: str) -> None:
        question, rubric, examples = tcp
        me = next(e for e in examples if e.id == eid)
        taught = Exemplars.fit(question, _bare(rubric), examples)
        never = Exemplars.fit(question, _bare(rubric), [e for e in examples if e.id != eid])
        assert taught.grade(me.answer, exclude=eid).score == never.grade(me.answer).score
        assert taught.grade(me.answer).score == never.grade(me.answer).score  # same text, no id: left out too

    def test_own_score_unused(self, tcp: tuple[Question, Rubric, list[GradedExample]]) -> None:
        question, rubric, examples = tcp
        flipped = [e.model_copy(update={"score": 1 - e.score}) if e.id == "g6" else e for e in examples]
        a = Exemplars.fit(question, _bare(rubric), examples).grade(examples[5].answer, exclude="g6")
        b = Exemplars.fit(question, _bare(rubric), flipped).grade(examples[5].answer, exclude="g6")
        assert a.score == b.score and a.points == b.points


class TestWordings:
    """Terms that graded-high answers use where they miss a concept, and graded-low ones do not, become wordings."""

    def test_window_becomes_flow_control(self, tcp: tuple[Question, Rubric, list[GradedExample]]) -> None:
        question, rubric, examples = tcp
        learner = Learner.build(question, rubric, Matcher(rubric, question.question), [e.answer for e in examples],
                                [e.score for e in examples])  # fmt: skip
        learned = learner.learn()
        flow = next(p for p in learned.points if p.id == "flow-control")
        assert "window" in flow.concepts[0].any
        added = {w for p in learned.points for c in p.concepts for w in c.any} - {
            w for p in rubric.points for c in p.concepts for w in c.any
        }
        assert added and not added & {"tcp", "udp", "application"}  # never words of the question

    def test_without_the_evidence_nothing_is_learned(self, tcp: tuple[Question, Rubric, list[GradedExample]]) -> None:
        question, rubric, examples = tcp
        learner = Learner.build(question, rubric, Matcher(rubric, question.question), [e.answer for e in examples],
                                [e.score for e in examples])  # fmt: skip
        windows = {k for k, e in enumerate(examples) if "window" in e.answer}
        flow = next(p for p in learner.learn(out=windows).points if p.id == "flow-control")
        assert "window" not in flow.concepts[0].any

    def test_learned_wording_is_evidence(self, tcp: tuple[Question, Rubric, list[GradedExample]]) -> None:
        question, rubric, examples = tcp
        g = Exemplars.fit(question, _bare(rubric), examples).grade("The receiver window limits the sender.")
        flow = next(p for p in g.points if p.id == "flow-control")
        assert flow.status != "missing" and any(s.text.lower() == "window" for s in flow.evidence)


class TestBlend:
    """The blend of rubric coverage and neighbours, learned on the examples, orders answers as the examples do."""

    def test_orders_answers(self, tcp: tuple[Question, Rubric, list[GradedExample]]) -> None:
        question, rubric, examples = tcp
        ex = Exemplars.fit(question, _bare(rubric), examples)
        good = ex.grade("A handshake sets up the connection, lost segments are retransmitted, the window limits it.")
        some = ex.grade("TCP retransmits lost segments.")
        bad = ex.grade("TCP is faster than UDP.")
        assert good.score is not None and some.score is not None and bad.score is not None
        assert good.score > some.score > bad.score
        assert "exemplars" in good.flags and {p.id for p in good.points} == {"connection", "reliable", "flow-control"}

    def test_too_few_examples_grade_as_the_rubric(self, tcp: tuple[Question, Rubric, list[GradedExample]]) -> None:
        question, rubric, examples = tcp
        g = Exemplars.fit(question, _bare(rubric), examples[:2]).grade("TCP retransmits lost segments.")
        assert g == grade_lexical(question, _bare(rubric), "TCP retransmits lost segments.")

    def test_ridge(self) -> None:
        rows = [[1.0, x] for x in (0.0, 1.0, 2.0, 3.0)]
        coef = ridge(rows, [1 + 2 * r[1] for r in rows], lam=0.0)
        assert coef == pytest.approx([1.0, 2.0]) and predict(coef, [1.0, 5.0]) == pytest.approx(11.0)
        assert solve([[1.0, 0.0], [0.0, 0.0]], [3.0, 1.0]) == [3.0, 0.0]  # a singular direction gets 0


class TestRubricExamples:
    """Scored golden examples in a rubric teach `grade`; an example's own text is never graded with itself."""

    def test_used_by_grade(self, tcp: tuple[Question, Rubric, list[GradedExample]]) -> None:
        question, rubric, examples = tcp
        taught = with_examples(_bare(rubric), examples)  # 12 graded answers: teaching beats the rubric on them
        assert "exemplars" in grade(question, taught, "TCP uses a handshake and retransmits lost data.").flags

    def test_examples_that_do_not_help_are_not_used(self, tcp: tuple[Question, Rubric, list[GradedExample]]) -> None:
        question, rubric, _ = tcp  # the rubric's own 3 examples: every part ties with the rubric alone on them
        answer = "TCP uses a handshake and retransmits lost data."
        assert grade(question, rubric, answer) == grade(question, _bare(rubric), answer)

    def test_example_not_graded_with_itself(self, tcp: tuple[Question, Rubric, list[GradedExample]]) -> None:
        question, rubric, _ = tcp
        full = rubric.examples[0].answer
        # Left out, two examples remain: too few to teach, so the plain rubric grades it.
        assert grade(question, rubric, full) == grade_lexical(question, rubric, full)

    def test_file_examples_join_the_rubric(self, tcp: tuple[Question, Rubric, list[GradedExample]]) -> None:
        _, rubric, examples = tcp
        joined = with_examples(rubric, examples)
        assert len(joined.examples) == 15 and {e.score for e in joined.examples[3:]} == {e.score for e in examples}


class TestGradeCli:
    """`grader grade --examples --calibration` grades with the examples and maps the score."""

    def test_examples_and_calibration(self, tmp_path: Path) -> None:
        answer = "TCP opens a connection with a handshake and the receiver window limits the sender."
        args = ["grade", "tcp-vs-udp", "--bank", str(BANK), "--answer", answer, "--json"]
        taught = run_cli(*args, "--examples", str(DATA / "graded.csv"))
        assert taught.returncode == 0, taught.stderr
        data = json.loads(taught.stdout)
        assert "exemplars" in data["flags"]
        assert next(p for p in data["points"] if p["id"] == "flow-control")["status"] != "missing"
        cal = tmp_path / "cal.json"
        calibration.save(calibration.fit([0.0, 0.5, 1.0], [0.0, 0.25, 0.5]), cal)
        mapped = run_cli(*args, "--examples", str(DATA / "graded.csv"), "--calibration", str(cal))
        out = json.loads(mapped.stdout)
        assert out["raw_score"] == data["score"] and out["score"] == pytest.approx(data["score"] / 2, abs=1e-3)
        assert out["label"] in ("incorrect", "partial", "correct") and "calibrated" in out["flags"]

    def test_missing_examples_file(self) -> None:
        proc = run_cli("grade", "tcp-vs-udp", "--bank", str(BANK), "-a", "TCP", "--examples", "nope.csv")
        assert proc.returncode == 2 and "nope.csv" in proc.stderr


class TestBatchCli:
    """`grader batch --examples --calibration` teaches each question's rubric and maps every score."""

    def test_examples_and_calibration(self, tmp_path: Path) -> None:
        rows = [
            {"id": "a1", "question_id": "tcp-vs-udp", "answer": "A handshake, retransmission, and a receiver window."},
            {"id": "a2", "question_id": "tcp-vs-udp", "answer": "TCP is faster than UDP."},
        ]
        source = tmp_path / "in.jsonl"
        source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        cal = tmp_path / "cal.json"
        calibration.save(calibration.fit([0.0, 1.0], [0.0, 0.5]), cal)
        out = tmp_path / "out"
        proc = run_cli("batch", str(source), "--bank", str(BANK), "--out", str(out), "--workers", "1", "--json",
                       "--examples", str(DATA / "graded.csv"), "--calibration", str(cal))  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        got = [json.loads(x) for x in (out / "grades.jsonl").read_text(encoding="utf-8").splitlines()]
        assert all({"exemplars", "calibrated"} <= set(g["flags"]) for g in got)
        assert got[0]["score"] == pytest.approx(got[0]["raw_score"] / 2, abs=1e-3) and got[0]["score"] > got[1]["score"]
