"""Right words, wrong claim: misconceptions, reversed statements and statement-less keyword lists cost points."""

from __future__ import annotations

import pytest

from grader.bank.store import rubric_yaml
from grader.ci.check import run_example
from grader.ci.lint import lint_rubric, parse_rubric
from grader.engine.rubric import build_rubric
from grader.engine.statements import makes_no_statement
from grader.grading import grade
from grader.llm.judges.fake import FakeJudge
from grader.llm.prompts import grade_messages
from grader.models import Example, Grade, Question, Rubric
from tests.llm_server import LoopbackLLM
from tests.test_llm_judge import make_judge

QUESTION = Question(
    id="momentum", question="Когда не стоит использовать momentum?", reference="...", lang="ru"
)
RUBRIC = Rubric.model_validate({
    "question_id": "momentum", "lang": "ru", "built_by": "curated",
    "points": [
        {"id": "inertia", "text": "Momentum копит инерцию прошлых градиентов",
         "concepts": [["инерция", "прошлые градиенты", "inertia", "past gradients"]],
         "hint": {"ru": "Momentum копит инерцию прошлых градиентов.", "en": "Momentum accumulates past gradients."}},
        {"id": "overfit", "text": "При склонности к переобучению momentum может его ускорить", "weight": 2,
         "required": True, "concepts": [["переобучение", "overfitting"]],
         "hint": {"ru": "Momentum может ускорить переобучение.", "en": "Momentum can make a model overfit faster."}},
        {"id": "plateau", "text": "На плато momentum может мешать выбраться", "weight": 2,
         "concepts": [["плато", "plateau"]],
         "hint": {"ru": "На плато инерция может мешать выбраться.", "en": "On a plateau inertia can hinder escape."}},
    ],
    "misconceptions": [
        {"id": "step-decay", "text": "Momentum уменьшает шаг со временем", "point": "inertia",
         "concepts": [["уменьшает шаг", "reduces the step"], ["со временем", "over time"]],
         "feedback": {"ru": "Momentum не уменьшает шаг со временем — это learning-rate decay.",
                      "en": "Momentum does not shrink the step over time — that is learning-rate decay."}},
        {"id": "regularizer", "text": "Momentum — регуляризация", "point": "overfit", "cap": 0.3,
         "concepts": [["работает как регуляризатор", "works as a regularizer"]],
         "feedback": {"ru": "Momentum не регуляризует.", "en": "Momentum is not a regulariser."}},
    ],
})


def _grade(answer: str, question: Question = QUESTION, rubric: Rubric = RUBRIC) -> Grade:
    return grade(question, rubric, answer)


def _by_id(g: Grade) -> dict[str, object]:
    return {p.id: p for p in g.points}


class TestMisconceptions:
    """A stated misconception shows as ✘ with its evidence and feedback, earns nothing and is flagged."""

    def test_matched_and_explained(self) -> None:
        g = _grade("Momentum копит инерцию прошлых градиентов и уменьшает шаг со временем. На плато он мешает.")
        p = {p.id: p for p in g.points}["inertia"]
        assert (p.status, p.verdict, p.score) == ("missing", "contradicted", 0.0)
        assert [s.text for s in p.evidence] == ["уменьшает шаг", "со временем"]
        assert p.feedback == "Momentum не уменьшает шаг со временем — это learning-rate decay."
        assert "misconception" in g.flags
        assert g.feedback.count("learning-rate decay") == 1  # said once, not again among the missing points
        assert "Не хватает: Momentum копит" not in g.feedback

    def test_feedback_in_the_answers_language(self) -> None:
        g = _grade("Momentum reduces the step over time, so it is harmless on a plateau.")
        assert {p.id: p for p in g.points}["inertia"].feedback.startswith("Momentum does not shrink")
        assert "Wrong: Momentum does not shrink" in g.feedback

    def test_never_adds_credit_and_caps(self) -> None:
        # "переобучение" inside the wrong claim does not cover the overfitting point; the claim's cap applies.
        g = _grade("Momentum работает как регуляризатор и снижает переобучение. На плато он мешает выбраться.")
        assert {p.id: p.verdict for p in g.points}["overfit"] == "contradicted"
        assert g.score is not None and g.score <= 0.3

    def test_a_negated_claim_states_nothing_wrong(self) -> None:
        g = _grade("Momentum не уменьшает шаг со временем: он копит инерцию прошлых градиентов.")
        assert "misconception" not in g.flags and _by_id(g)["inertia"].status == "covered"  # type: ignore[attr-defined]

    def test_words_of_the_claim_in_two_statements_are_no_claim(self) -> None:
        g = _grade("Шаг уменьшает scheduler. Со временем momentum копит инерцию прошлых градиентов.")
        assert "misconception" not in g.flags

    def test_a_contrast_separates_claims(self) -> None:
        for answer in ("Momentum копит инерцию, в отличие от decay, который уменьшает шаг со временем.",
                       "Momentum копит инерцию, а не уменьшает шаг со временем.",
                       "Momentum accumulates inertia rather than reduces the step over time."):
            assert "misconception" not in _grade(answer).flags, answer

    def test_lint_finds_a_misconception_the_reference_states(self) -> None:
        q = QUESTION.model_copy(update={"reference": "Momentum уменьшает шаг со временем, копит инерцию, плато, "
                                                     "переобучение."})
        doc, problems = parse_rubric("r.yaml", rubric_yaml(RUBRIC))
        assert doc is not None and not problems
        codes = [f.code for f in lint_rubric(doc, q)]
        assert "reference-states-misconception" in codes

    def test_an_example_that_should_be_contradicted_fails_the_check_when_it_is_not(self) -> None:
        ok = Example(id="wrong-decay", answer="Momentum уменьшает шаг со временем.", band=(0, 0.3),
                     contradicts=["inertia"])
        bad = ok.model_copy(update={"answer": "Momentum копит инерцию прошлых градиентов."})
        kw = {"file": "r.yaml", "line": None, "mode": "lexical", "judge": None}
        assert run_example(QUESTION, RUBRIC, ok, **kw).outcome == "passed"  # type: ignore[arg-type]
        result = run_example(QUESTION, RUBRIC, bad, **kw)  # type: ignore[arg-type]
        assert result.outcome == "failed" and "expected contradicted: inertia" in result.message

    def test_a_misconception_must_name_a_point(self) -> None:
        data = RUBRIC.model_dump()
        data["misconceptions"][0]["point"] = "nope"
        with pytest.raises(ValueError, match="misconception 'step-decay' names unknown point 'nope'"):
            Rubric.model_validate(data)


class TestReversal:
    """An answer stating the opposite of a point's direction, in the point's clause, contradicts it."""

    def test_reversed_statement(self) -> None:
        g = _grade("Momentum как раз помогает на плато выбраться быстрее.")
        p = {p.id: p for p in g.points}["plateau"]
        assert (p.status, p.verdict) == ("missing", "contradicted") and "reversed" in g.flags
        assert p.evidence[0].text == "Momentum как раз помогает на плато выбраться быстрее"
        assert "наоборот" in (p.feedback or "") and "мешать выбраться" in (p.feedback or "")

    def test_negated_direction_is_reversed_too(self) -> None:
        g = _grade("На плато momentum не мешает: инерция проносит через него.")
        assert {p.id: p.verdict for p in g.points}["plateau"] == "contradicted"

    def test_same_direction_stays_covered(self) -> None:
        g = _grade("На плато momentum может мешать выбраться.")
        assert {p.id: p.status for p in g.points}["plateau"] == "covered" and "reversed" not in g.flags

    def test_opposite_word_in_another_clause_is_left_alone(self) -> None:
        g = _grade("Momentum помогает проскочить мелкие минимумы, но на плато может мешать.")
        assert {p.id: p.status for p in g.points}["plateau"] == "covered"

    def test_english_answer_against_a_russian_rubric(self) -> None:
        g = _grade("Momentum helps on a plateau.")
        assert {p.id: p.verdict for p in g.points}["plateau"] == "contradicted"

    @pytest.mark.parametrize(("answer", "reversed_"), [
        ("Batching reduces the overhead of small packets by sending several packets in one transmission.", False),
        ("Batching increases the overhead of small packets by sending several packets in one transmission.", True),
        # The opposite direction said of something else, beside the point's other words, reverses nothing.
        ("Batching sends several packets in one transmission, which increases the distance a link can cover.", False),
        ("Several packets go in one transmission; the throughput increases.", False),
    ])
    def test_a_direction_reverses_the_point_only_said_of_the_same_thing(self, answer: str, reversed_: bool) -> None:
        q = Question(id="batching", lang="en", question="What does packet batching do?",
                     reference="Batching reduces the overhead of small packets by sending several packets in one "
                               "transmission.")
        g = _grade(answer, q, build_rubric(q))
        assert ("reversed" in g.flags) is reversed_


class TestNegatedAnswer:
    """An answer that negates the reference's statements scores low, though it uses all its words."""

    def test_negated_answer_scores_low(self) -> None:
        g = _grade("Momentum не копит инерцию прошлых градиентов, переобучение не ускоряет, а на плато не мешает.")
        assert g.score is not None and g.score <= 0.2
        assert {p.id: p.status for p in g.points} == {"inertia": "missing", "overfit": "missing",
                                                      "plateau": "missing"}


class TestKeywordLists:
    """An answer with no statement in any piece is capped, whatever share of it is evidence; a list question's
    enumeration of phrases keeps its credit."""

    def test_keyword_list_of_mixed_evidence_is_capped(self) -> None:
        # Half of these pieces are no evidence at all, so the old share-of-evidence rule did not fire.
        g = _grade("инерция, градиентный спуск, устойчивость, переобучение, плато, оптимизация, гиперпараметры")
        assert g.flags == ["keyword_list"] and g.score == 0.5

    def test_statements_are_not_a_keyword_list(self) -> None:
        g = _grade("Momentum копит инерцию прошлых градиентов, ускоряет переобучение, на плато мешает выбраться.")
        assert g.flags == [] and g.score == 1.0

    def test_a_procedure_told_with_we_is_no_keyword_list(self) -> None:
        # Each piece's only verb is a first person plural ("прерываем", "используем"): how candidates describe what
        # they do. A procedure told that way relates its terms.
        q = Question(id="es", question="Что такое ранняя остановка?", lang="ru",
                     reference="Ранняя остановка прерывает обучение, когда ошибка на валидации перестаёт уменьшаться, "
                               "и сохраняет веса лучшей эпохи.")
        g = _grade("Обучение прерываем при росте ошибки валидации и используем веса лучшей эпохи.", q,
                   build_rubric(q))
        assert g.flags == [] and g.score == 1.0

    def test_enumeration_answer_to_a_list_question_keeps_its_credit(self) -> None:
        q = Question(id="hp", question="Перечислите гиперпараметры MLP", reference="...", lang="ru")
        r = Rubric.model_validate({
            "question_id": "hp", "lang": "ru", "built_by": "curated",
            "points": [{"id": "layers", "text": "Число слоёв", "concepts": [["число слоёв", "слои"]]},
                       {"id": "lr", "text": "Скорость обучения", "concepts": [["скорость обучения", "learning rate"]]},
                       {"id": "batch", "text": "Размер батча", "concepts": [["размер батча", "batch size"]]}],
        })
        g = _grade("- число скрытых слоёв и нейронов в них\n- скорость обучения для оптимизатора\n"
                   "- размер батча, который влезает в память", q, r)
        assert g.flags == [] and g.score == 1.0

    @pytest.mark.parametrize(("answer", "bare"), [
        ("плато, переобучение, инерция", True),
        ("learning rate, the batch size, and dropout", True),
        ("плато, переобучение, инерция — это про momentum", False),
        ("уменьшить шаг, сменить оптимизатор, настроить beta", False),
        ("dropout for regularisation, early stopping, weight decay", False),
        ("Trägheit, Plateau, Überanpassung", True),
        ("Trägheit hilft, Plateau ist schlecht, Überanpassung", False),
        ("инерция, плато", False),  # two pieces: a short answer, not a list
        ("Saturation causes vanishing gradients, slows training, needs ReLU", False),  # verbs without auxiliaries
    ])
    def test_what_counts_as_a_statement(self, answer: str, bare: bool) -> None:
        assert makes_no_statement(answer) is bare


class TestJudge:
    """The judge sees the misconceptions, may answer `contradicted` with a quote; hybrid asks it about points a
    wrong claim touches."""

    def test_prompt_lists_the_misconceptions_of_the_asked_points(self) -> None:
        user = grade_messages(QUESTION, RUBRIC.points[:1], "ответ", "ru", json_shape=False,
                              misconceptions=RUBRIC.misconceptions[:1])[1]["content"]
        assert "- wrong about inertia: Momentum уменьшает шаг со временем" in user
        assert user.index("Known misconceptions") < user.index("<student_answer-")  # the fence carries a random code
        plain = grade_messages(QUESTION, RUBRIC.points, "ответ", "ru", json_shape=False)[1]["content"]
        assert "misconception" not in plain  # rubrics without any: the prompt is as before

    def test_hybrid_sends_a_touched_point_to_the_judge(self) -> None:
        answer = "Momentum копит инерцию и уменьшает шаг со временем; переобучение ускоряет; на плато мешает."
        judge = FakeJudge([{"inertia": {"verdict": "contradicted", "quote": "уменьшает шаг со временем",
                                        "feedback": "Это learning-rate decay."}}])
        g = grade(QUESTION, RUBRIC, answer, mode="hybrid", judge=judge)
        assert [c.point_ids for c in judge.calls] == [["inertia"]]
        p = {p.id: p for p in g.points}["inertia"]
        assert (p.verdict, p.decided_by, [s.text for s in p.evidence]) == (
            "contradicted", "llm", ["уменьшает шаг со временем"])
        assert "misconception" in g.flags

    def test_openai_judge_sees_misconceptions_and_its_contradiction_counts(self, llm_server: LoopbackLLM) -> None:
        def contradicts(points: dict[str, str], answer: str) -> dict[str, tuple[str, str]]:
            return {pid: ("contradicted", "работает как регуляризатор") if pid == "overfit" else ("missing", "")
                    for pid in points}

        llm_server.grade = contradicts
        answer = "Momentum работает как регуляризатор, поэтому его всегда включают."
        g = grade(QUESTION, RUBRIC, answer, mode="llm", judge=make_judge(llm_server)[0])
        user = llm_server.requests[-1]["body"]["messages"][-1]["content"]
        assert "- wrong about overfit: Momentum — регуляризация" in user
        p = {p.id: p for p in g.points}["overfit"]
        assert p.verdict == "contradicted" and p.evidence[0].text == "работает как регуляризатор"
        assert "misconception" in g.flags and g.score == 0.0
