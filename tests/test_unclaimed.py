"""Words an answer does not claim earn nothing: questions it asks without answering, claims it calls false."""

from __future__ import annotations

import pytest

from grader.batch.html_text import OTHER_FLAGS
from grader.engine.rubric import build_rubric
from grader.engine.unclaimed import asks_for_checks, unclaimed
from grader.grading import grade
from grader.models import Question

EN = Question(
    id="gd-en",
    lang="en",
    question="What does the learning rate do in gradient descent?",
    reference="The learning rate scales each gradient step. Too large a rate overshoots the minimum and diverges; "
    "too small a rate converges slowly.",
)
RU = Question(
    id="gd-ru",
    lang="ru",
    question="Что делает learning rate в градиентном спуске?",
    reference="Learning rate задаёт размер шага по антиградиенту. Слишком большой шаг перескакивает минимум и "
    "расходится, слишком маленький сходится медленно.",
)
DE = Question(
    id="gd-de",
    lang="de",
    question="Was bewirkt die Lernrate beim Gradientenabstieg?",
    reference="Die Lernrate skaliert jeden Schritt entlang des Gradienten. Eine zu große Lernrate überspringt das "
    "Minimum und divergiert, eine zu kleine konvergiert langsam.",
)


def _grade(q: Question, answer: str):  # type: ignore[no-untyped-def]
    return grade(q, build_rubric(q), answer)


def _stretches(text: str) -> tuple[list[str], list[str]]:
    u = unclaimed(text)
    return [text[a:b].strip() for a, b in u.asked], [text[a:b].strip() for a, b in u.disowned]


@pytest.mark.parametrize(
    ("q", "answer", "claim"),
    [
        (EN, "Does the learning rate scale each gradient step? Does too large a rate overshoot the minimum and "
             "diverge? Does too small a rate converge slowly?",
         "The learning rate scales each gradient step. Too large a rate overshoots the minimum and diverges. Too "
         "small a rate converges slowly."),
        (RU, "Задаёт ли learning rate размер шага по антиградиенту? Перескакивает ли большой шаг минимум? "
             "Сходится ли маленький шаг медленно?",
         "Learning rate задаёт размер шага по антиградиенту. Большой шаг перескакивает минимум. Маленький шаг "
         "сходится медленно."),
        (DE, "Skaliert die Lernrate jeden Schritt entlang des Gradienten? Überspringt eine zu große Lernrate das "
             "Minimum? Konvergiert eine zu kleine langsam?",
         "Die Lernrate skaliert jeden Schritt entlang des Gradienten. Eine zu große Lernrate überspringt das "
         "Minimum, eine zu kleine konvergiert langsam."),
    ],
)
def test_an_answer_that_only_asks_earns_nothing_and_is_told_so(q: Question, answer: str, claim: str) -> None:
    said = _grade(q, claim)  # the same words, claimed
    asked = _grade(q, answer)
    assert (said.score or 0) >= 0.7 and "asked" not in said.flags
    assert asked.score == 0.0 and "asked" in asked.flags
    assert {"ru": "вопросы", "en": "asks questions", "de": "stellt Fragen"}[q.lang] in asked.feedback


def test_a_question_answered_after_it_keeps_its_words() -> None:
    answer = ("Why not take a huge learning rate? Because too large a rate overshoots the minimum and diverges, "
              "while too small a rate converges slowly; the rate scales each gradient step.")
    g = _grade(EN, answer)
    assert "asked" not in g.flags and (g.score or 0) >= 0.8
    # A sentence of function words alone answers nothing.
    asked = _stretches("Does it scale the step? Does it diverge? So it is.")[0]
    assert asked == ["Does it scale the step", "Does it diverge"]


def test_questions_are_items_when_the_question_asks_what_to_check() -> None:
    text = "Is the floor clean? Are prices on every shelf?"
    assert asks_for_checks("What would you check in the shop?")
    assert asks_for_checks("Worauf sollst du im Shop achten?")
    assert asks_for_checks("Какие вопросы задать кандидату?")
    assert not asks_for_checks("Frage 3: Was ist Dropout?")  # "Frage 3" names the question, it asks for none
    assert unclaimed(text, "Worauf sollst du im Shop achten?").asked == []
    assert len(unclaimed(text, "What is a clean shop?").asked) == 2


def test_a_quoted_question_is_reported_not_asked() -> None:
    assert _stretches("The hard part is “how to detect the end of a frame?”")[0] == []


@pytest.mark.parametrize(
    ("q", "answer"),
    [
        (EN, "Many say the learning rate scales each gradient step, that too large a rate overshoots the minimum "
             "and diverges and too small a rate converges slowly. That is simply not true."),
        (RU, "Говорят, что learning rate задаёт размер шага по антиградиенту, большой шаг перескакивает минимум, "
             "а маленький сходится медленно. Это миф."),
        (DE, "Oft heißt es, die Lernrate skaliere jeden Schritt des Gradienten, eine zu große überspringe das "
             "Minimum und eine zu kleine konvergiere langsam. Das ist völlig falsch."),
        (RU, "Неверно, что learning rate задаёт размер шага по антиградиенту и что большой шаг перескакивает "
             "минимум, а маленький сходится медленно."),
    ],
)
def test_claims_the_answer_calls_false_earn_nothing(q: Question, answer: str) -> None:
    g = _grade(q, answer)
    assert (g.score or 0) <= 0.3 and "disowned" in g.flags
    assert {"ru": "называет неверным", "en": "calls wrong", "de": "nennt falsch"}[q.lang] in g.feedback


def test_a_judgement_opening_its_own_claim_disowns_the_claim() -> None:
    text = "It is not true that the rate scales the step, and the step is small."
    assert _stretches(text)[1] == [text[:-1]]
    # Graded, "not" in that sentence already reads the claim as negated: it earns nothing either way.
    g = _grade(EN, "It is not true that the learning rate scales each gradient step or that too large a rate "
                   "overshoots the minimum and diverges while too small a rate converges slowly.")
    assert (g.score or 0) <= 0.3


def test_a_misconception_set_aside_before_the_right_idea_keeps_its_credit() -> None:
    answer = ("Some think the learning rate only changes training time. That is wrong: it scales each gradient "
              "step, so too large a rate overshoots the minimum and diverges and too small a rate converges slowly.")
    disowned = _stretches(answer)[1]
    assert disowned == ["Some think the learning rate only changes training time", "That is wrong"]
    g = _grade(EN, answer)
    assert (g.score or 0) >= 0.8


@pytest.mark.parametrize(
    "text",
    [
        "That is not wrong.",  # a negated falsity word affirms
        "It is not so simple.",  # no judgement of truth
        "A false positive is a wrong alarm.",  # falsity words with content of their own
        "Das ist nicht falsch, die Lernrate skaliert den Schritt.",
        "Это не ошибка оптимизатора, а слишком большой шаг.",
        "Это не так просто, как кажется.",  # "так" before a word is "so", not "true"
        "Всё не так просто.",
    ],
)
def test_no_judgement_disowns_nothing(text: str) -> None:
    assert _stretches("The step is scaled by the rate. " + text)[1] == []


def test_the_report_names_the_flags() -> None:
    for lang in ("ru", "en", "de"):
        assert OTHER_FLAGS[lang]["asked"] and OTHER_FLAGS[lang]["disowned"]


@pytest.mark.parametrize(
    ("q", "answer"),
    [
        (EN, "Honestly, it has to do with the gradient step, the minimum and diverging, I think."),
        (EN, "Something about the step size and the minimum, and maybe converging slowly."),
        (RU, "Что-то связанное с шагом по антиградиенту, минимумом и тем, как медленно сходится."),
        (DE, "Das hat irgendwie mit dem Schritt, dem Gradienten und dem Minimum zu tun."),
        (DE, "Irgendwas mit Schritt, Gradient und Minimum, glaube ich."),
    ],
)
def test_terms_related_only_vaguely_earn_nothing(q: Question, answer: str) -> None:
    g = _grade(q, answer)
    assert (g.score or 0) <= 0.4 and "vague" in g.flags
    assert {"ru": "как именно", "en": "say how", "de": "wie sie zusammenhängen"}[q.lang] in g.feedback


def test_a_vague_opener_keeps_what_follows_its_colon() -> None:
    g = _grade(EN, "It has to do with the step: the learning rate scales each gradient step, too large a rate "
                   "overshoots the minimum and diverges, and too small a rate converges slowly.")
    assert (g.score or 0) >= 0.8


@pytest.mark.parametrize(
    "text",
    [
        "The sender has to send something before the timeout.",  # an object, no frame
        "Einmal tanken und irgendetwas im Shop kaufen.",
        "Модель что-то предсказывает, и мы сравниваем это с ответом.",
        "This kind of penalty with absolute values drives weights to zero.",  # "kind of" a noun: a type of it
        "What sort of model about this size overfits? A deep one.",
        "С расхождением нужно как-то бороться с помощью меньшего шага.",  # "с помощью": by means of, no relation
        "Это можно как-то исправить с помощью ранней остановки.",
        "If it diverges, do something about it, like lowering the rate.",  # "do something about": act on it
    ],
)
def test_an_indefinite_object_is_no_vague_frame(text: str) -> None:
    assert unclaimed(text).vague == []


@pytest.mark.parametrize(
    "text",
    [
        "People believe the rate scales the step. That whole idea is nonsense.",  # a noun that refers back
        "Dass die Lernrate den Schritt skaliert, ist ein verbreiteter Irrtum.",  # the judgement closes the sentence
        "Man hört, die Lernrate skaliere den Schritt. Davon stimmt kein Wort.",
        "Считается, что шаг задаёт learning rate. На самом деле это заблуждение.",
        "Говорят, что шаг задаёт learning rate. Ерунда всё это.",
        "Говорят, что шаг задаёт learning rate. На самом деле это совсем не так.",  # "так" closing: "true"
        "It is a common misconception that the rate scales the step.",
    ],
)
def test_judgements_in_other_forms_disown_the_claim(text: str) -> None:
    disowned = " ".join(_stretches(text)[1])
    assert "rate" in disowned.lower() or "lernrate" in disowned.lower() or "шаг" in disowned


@pytest.mark.parametrize(
    "text",
    [
        "It is kind of linked to the step and the minimum.",
        "The rate is somehow connected with the step and the minimum, stuff like that.",
        "Die Lernrate hängt irgendwie mit Schritt und Minimum zusammen.",
        "Это как-то связано с шагом и минимумом, как-то так.",
    ],
)
def test_other_vague_frames(text: str) -> None:
    assert unclaimed(text).vague


def test_a_vague_opener_before_an_explanation_is_not_flagged() -> None:
    g = _grade(DE, "Das hat mit dem Minimum zu tun: die Lernrate skaliert jeden Schritt entlang des Gradienten, eine "
                   "zu große überspringt das Minimum und divergiert, eine zu kleine konvergiert langsam.")
    assert "vague" not in g.flags and (g.score or 0) >= 0.8


def test_a_piece_tells_what_an_answer_may_hold() -> None:
    from grader.engine.unclaimed import ASKS, JUDGES, VAGUE, piece_marks

    assert piece_marks("trained?") == ASKS
    assert piece_marks("Wrong.") == JUDGES and piece_marks("«неправда»,") == JUDGES and piece_marks("Ерунда") == JUDGES
    assert piece_marks("что-то") == VAGUE and piece_marks("irgendwie") == VAGUE
    assert piece_marks("gradient") == 0
    # Only what the pieces may hold is looked for: without the judging bit, a judgement is not read.
    text = "The rate scales the step. That is wrong."
    assert unclaimed(text).disowned and not unclaimed(text, marks=ASKS | VAGUE).disowned


@pytest.mark.parametrize(
    "text",
    [
        "The step is scaled by the rate. Не так ли?",
        "The step is scaled by the rate. That's wrong?",
        "The step is scaled by the rate. Das stimmt doch nicht?",
    ],
)
def test_a_question_judges_nothing(text: str) -> None:
    assert _stretches(text)[1] == []


@pytest.mark.parametrize(
    ("q", "answer"),
    [
        (EN, "The learning rate scales each gradient step, too large a rate overshoots the minimum and diverges, "
             "too small a rate converges slowly, right?"),
        (EN, "The learning rate scales each gradient step; too large a rate overshoots the minimum and diverges, "
             "and too small a rate converges slowly, doesn't it?"),
        (RU, "Learning rate задаёт размер шага по антиградиенту, слишком большой шаг перескакивает минимум и "
             "расходится, слишком маленький сходится медленно, не так ли?"),
        (DE, "Die Lernrate skaliert jeden Schritt entlang des Gradienten, eine zu große Lernrate überspringt das "
             "Minimum und divergiert, eine zu kleine konvergiert langsam, oder?"),
    ],
)
def test_a_statement_with_a_question_tag_is_claimed(q: Question, answer: str) -> None:
    assert _stretches(answer)[0] == []
    g = _grade(q, answer)
    assert "asked" not in g.flags and (g.score or 0) >= 0.8


def test_a_question_tag_judges_nothing() -> None:
    assert _stretches("The step is scaled by the rate, nicht wahr?") == ([], [])


@pytest.mark.parametrize("sep", ["\n", "\t", "\n\n"])
def test_line_breaks_read_as_spaces(sep: str) -> None:
    """A piece between spaces may hold a line break: its words are looked for all the same."""
    disowning = ("Many say the learning rate scales each gradient step, that too large a rate overshoots the minimum "
                 "and diverges and too small a rate converges slowly." + sep + "That is wrong." + sep + "So it goes.")
    assert "disowned" in _grade(EN, disowning).flags
    vague = "Hm." + sep + "Something about the step, the minimum and the rate."
    assert "vague" in _grade(EN, vague).flags


@pytest.mark.parametrize(
    ("q", "answer"),
    [
        (EN, "The learning rate scales each gradient step, too large a rate overshoots the minimum and diverges, and "
             "too small a rate converges slowly, stuff like that."),
        (RU, "Learning rate задаёт размер шага по антиградиенту: слишком большой шаг перескакивает минимум и "
             "расходится, слишком маленький сходится медленно, как-то так."),
        (DE, "Die Lernrate skaliert jeden Schritt entlang des Gradienten, eine zu große Lernrate überspringt das "
             "Minimum und divergiert, eine zu kleine konvergiert langsam, so in der Richtung."),
    ],
)
def test_a_vague_close_after_a_statement_costs_only_its_own_words(q: Question, answer: str) -> None:
    u = unclaimed(answer)
    assert [answer[a:b].strip(" ,") for a, b in u.vague] == [answer[answer.rindex(",") + 1 : -1].strip()]
    assert (_grade(q, answer).score or 0) >= 0.8


def test_an_allowed_for_score_is_not_told_nothing_is_covered() -> None:
    # An automatic rubric's curve lifts partial coverage (points said in other words): a grade of at least half with
    # no point found in the rubric's words says so, not "none of the key points is covered".
    from grader.engine.feedback import LIFTED

    g = _grade(EN, "Too large and it diverges.")
    assert (g.score or 0) >= LIFTED and not any(p.status == "covered" for p in g.points)
    assert "other words" in g.feedback and "None of the key points is covered" not in g.feedback
    low = _grade(EN, "It is a number.")
    assert (low.score or 0) < LIFTED and "None of the key points is covered" in low.feedback
