"""Hedges — a claim joined by a disjunction to its own opposite ("increases or decreases", "may or may not",
"либо нужна, либо нет", "steigt oder sinkt") — assert nothing: the points whose evidence lies in one earn no credit
for it and the grade is flagged `hedged`; an honest "or" ("L1 or L2", "при малых или средних данных", "mit Ridge
oder Lasso") keeps its credit (grader.engine.hedges)."""

from __future__ import annotations

import pytest

from grader.engine.hedges import HEDGE_MARK, NEG_MARK, NEGATED, find_hedges, piece_marks
from grader.engine.rubric import build_rubric
from grader.grading import grade
from grader.models import Grade, Question

TREES = Question(
    id="trees", lang="en", question="What happens when you add more trees to a random forest?",
    reference="Adding trees lowers the variance of the ensemble, and a forest with many trees does not overfit "
              "because of them.",
)
CLIPPING = Question(
    id="clip", lang="en", question="What does gradient clipping do?",
    reference="Gradient clipping caps the norm of large gradients, which prevents exploding gradients and makes "
              "training more stable.",
)
SCALING = Question(
    id="scale", lang="ru", question="Зачем нормализовать признаки перед kNN?",
    reference="Признаки с большим масштабом доминируют в расстоянии, поэтому нормализация улучшает качество kNN.",
)
EARLY = Question(
    id="early", lang="de", question="Wozu dient Early Stopping?",
    reference="Early Stopping beendet das Training, sobald der Validierungsfehler steigt, und verhindert so "
              "Überanpassung.",
)


def _grade(question: Question, answer: str) -> Grade:
    return grade(question, build_rubric(question), answer)


class TestFinding:
    """The two forms are read from the words around a disjunction, in ru/en/de; an honest "or" is none."""

    @pytest.mark.parametrize(("lang", "text", "key"), [
        ("en", "The validation loss either increases or decreases.", None),
        ("en", "The error is high or maybe low.", None),
        ("en", "Scaling may or may not help the model.", NEGATED),
        ("en", "Clipping prevents exploding gradients or it does not.", NEGATED),
        ("en", "Clipping helps or does not help here.", NEGATED),
        ("ru", "Ошибка на валидации растёт или падает.", None),
        ("ru", "Нормализация либо нужна, либо нет, смотря по данным.", NEGATED),
        ("ru", "Качество может быть лучше, а может и не быть.", NEGATED),
        ("ru", "Качество то выше, то ниже.", None),
        ("ru", "Масштаб признаков то ли помогает, то ли мешает 🙂.", None),
        ("de", "Der Fehler steigt oder sinkt je nach Lauf.", None),
        ("de", "Das Modell kann besser werden oder kann es nicht.", NEGATED),
    ], ids=["en-poles", "en-maybe", "en-may-or-may-not", "en-or-it-does-not", "en-or-does-not-help",
            "ru-poles", "ru-libo-net", "ru-a-mozhet-i-ne", "ru-to-to", "ru-to-li", "de-poles", "de-kann-nicht"])
    def test_a_hedge_is_found(self, lang: str, text: str, key: int | None) -> None:
        found = find_hedges(text, lang)
        assert len(found) == 1
        assert found[0].key == key if key is not None else found[0].key >= 0
        assert found[0].start < found[0].end <= len(text)

    @pytest.mark.parametrize(("lang", "text"), [
        ("en", "Use L1 or L2 regularization."),
        ("en", "Fill the gaps with the mean or median."),
        ("en", "If training is unstable, increase the batch or lower the learning rate."),
        ("en", "The train loss falls or the validation loss rises, depending on the run."),
        ("en", "Whether the loss goes up or down depends on the step size."),
        ("en", "The estimate is more or less the middle value."),
        ("en", "It works with or without scaling."),
        ("en", "Train with L2 regularization or no regularization at all, and compare."),
        ("ru", "Это работает при малых или средних данных."),
        ("ru", "Если ошибка растёт, то уменьшают шаг."),
        ("ru", "Растёт ли ошибка или падает, зависит от шага."),
        ("de", "Man regularisiert mit Ridge oder Lasso."),
        ("de", "Ob der Fehler steigt oder sinkt, hängt vom Lernrate ab."),
        ("en", "The router checks if the packet took the shortest path or not."),
        ("de", "Der Empfänger prüft, ob das Paket ankam oder nicht."),
        ("ru", "Сервер проверяет, пришёл ли пакет или нет."),
        ("en", "If the loss rises or falls too much, lower the learning rate."),
    ], ids=["en-l1-l2", "en-mean-median", "en-two-things", "en-two-subjects", "en-whether", "en-more-or-less",
            "en-with-without", "en-or-no-noun", "ru-small-or-medium", "ru-esli-to", "ru-li", "de-ridge-lasso",
            "de-ob", "en-if-or-not", "de-ob-oder-nicht", "ru-li-ili-net", "en-condition"])
    def test_an_honest_or_is_no_hedge(self, lang: str, text: str) -> None:
        assert find_hedges(text, lang) == []

    def test_a_hedge_after_a_condition_is_still_one(self) -> None:
        # The condition ends at its comma; the claim after it is the answer's own.
        assert find_hedges("If the data is noisy, the variance rises or falls.", "en")
        assert find_hedges("Wenn die Daten verrauscht sind, steigt oder sinkt die Varianz.", "de")

    def test_more_or_less_marked_on_both_sides_is_a_hedge(self) -> None:
        # "more or less" alone is the idiom (roughly); "либо больше, либо меньше" says both.
        assert find_hedges("Шум либо больше, либо меньше.", "ru")
        assert find_hedges("The noise is either more or less.", "en")

    def test_a_hedge_s_scope_ends_at_a_comma(self) -> None:
        text = "Clipping caps the gradient norm, which may or may not matter."
        (hedge,) = find_hedges(text, "en")
        assert text[hedge.start : hedge.end].strip() == "which may or may not matter"

    def test_pieces_are_marked_for_what_a_hedge_needs(self) -> None:
        assert piece_marks("or", "en") == HEDGE_MARK and piece_marks("либо,", "en") == HEDGE_MARK
        assert piece_marks("orange", "en") == 0 and piece_marks("Lasso.", "de") == 0
        assert piece_marks("не", "en") == NEG_MARK and piece_marks("niedriger,", "de") == 0

    def test_only_a_piece_marked_as_opening_a_hedge_is_read(self) -> None:
        # The same words with the marks saying no piece opens one: nothing is read, nothing found.
        text = "The error may or may not rise."
        marks = [piece_marks(p, "en") for p in text.split(" ")]
        assert find_hedges(text, "en", marks=marks)
        assert find_hedges(text, "en", marks=[m & ~HEDGE_MARK for m in marks]) == []


class TestGrades:
    """A hedge earns nothing and says so in the answer's language; an honest "or" keeps its credit."""

    @pytest.mark.parametrize(("question", "answer"), [
        (TREES, "Adding trees raises or lowers the variance of the ensemble, and a forest with many trees overfits "
                "or does not overfit."),
        (CLIPPING, "Gradient clipping caps the norm of large or small gradients; it may or may not prevent "
                   "exploding gradients and makes training more or less stable."),
        (SCALING, "Признаки с большим или маленьким масштабом доминируют в расстоянии, а нормализация может "
                  "улучшать качество kNN, а может и не улучшать."),
        (EARLY, "Early Stopping beendet das Training, wenn der Validierungsfehler steigt oder sinkt, und verhindert "
                "Überanpassung oder nicht."),
    ], ids=["en-trees", "en-clipping", "ru-scaling", "de-early"])
    def test_a_hedge_scores_low_and_is_flagged(self, question: Question, answer: str) -> None:
        g = _grade(question, answer)
        assert "hedged" in g.flags and g.score is not None and g.score <= 0.3
        hedged = [p for p in g.points if p.verdict == "contradicted"]
        assert hedged and all(p.score == 0 and p.evidence[0].text in answer for p in hedged)

    @pytest.mark.parametrize(("question", "answer", "said"), [
        (TREES, "Adding trees raises or lowers the variance of the ensemble.", "says both one thing and its opposite"),
        (SCALING, "Признаки с большим или маленьким масштабом доминируют в расстоянии.", "и то, и обратное"),
        (EARLY, "Early Stopping beendet das Training, wenn der Validierungsfehler steigt oder sinkt.",
         "eines und sein Gegenteil"),
    ], ids=["en", "ru", "de"])
    def test_the_feedback_quotes_the_hedge_in_the_answer_s_language(
        self, question: Question, answer: str, said: str
    ) -> None:
        g = _grade(question, answer)
        assert said in g.feedback
        assert "Validierungsfehler steigt oder sinkt" in g.feedback if question is EARLY else True

    @pytest.mark.parametrize(("question", "answer"), [
        (TREES, "More trees average more models, so the variance of the ensemble drops; with 100 or 500 trees a "
                "forest does not overfit because of them."),
        (CLIPPING, "It caps the norm of large gradients (by value or by norm), which prevents exploding gradients "
                   "and makes training more stable."),
        (SCALING, "Признаки с большим масштабом доминируют в расстоянии, поэтому их нормализуют (min-max или "
                  "z-score) — качество kNN улучшается, особенно при малых или средних данных."),
        (EARLY, "Man beendet das Training, sobald der Validierungsfehler steigt, etwa nach 5 oder 10 Epochen; "
                "das verhindert Überanpassung."),
    ], ids=["en-trees", "en-clipping", "ru-scaling", "de-early"])
    def test_an_honest_or_keeps_its_credit(self, question: Question, answer: str) -> None:
        g = _grade(question, answer)
        assert "hedged" not in g.flags and g.score is not None and g.score >= 0.7

    def test_a_hedge_aside_costs_nothing_it_did_not_earn(self) -> None:
        # The hedge holds no evidence of a point: the rest of the answer keeps all its credit, and nothing is flagged.
        right = "Gradient clipping caps the norm of large gradients, which prevents exploding gradients and makes " \
                "training more stable."
        g = _grade(CLIPPING, right + " Whether it is needed may or may not depend on the model.")
        assert "hedged" not in g.flags and g.score == _grade(CLIPPING, right).score

    def test_a_contrast_the_question_leaves_open_is_no_hedge(self) -> None:
        q = Question(id="lr", lang="en", question="What happens when the learning rate is too high or too low?",
                     reference="A too high learning rate makes the loss diverge, a too low one makes training slow.")
        g = _grade(q, "A too high or too low learning rate both hurt: too high diverges, too low trains slowly.")
        assert "hedged" not in g.flags

    def test_a_contrast_the_rubric_never_speaks_of_is_no_hedge(self) -> None:
        q = Question(id="r", lang="en", question="What does Pearson's correlation measure?",
                     reference="Pearson's correlation measures the strength of a linear association, from -1 to 1.")
        g = _grade(q, "It measures the strength of a linear association from -1 to 1, and it can be positive or "
                      "negative.")
        assert "hedged" not in g.flags and g.score is not None and g.score >= 0.7
