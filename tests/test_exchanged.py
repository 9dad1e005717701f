"""Contrasts said with their two sides exchanged ("X does A, while Y does B" as "X does B, while Y does A") are
contradicted; the same contrast said right, in any order or form, keeps its credit (grader.engine.topics)."""

from __future__ import annotations

import pytest

from grader.engine.rubric import build_rubric
from grader.engine.topics import contrasts
from grader.grading import grade
from grader.models import Grade, Question

SUPERVISED = Question(
    id="sup", lang="en", question="What is the difference between supervised and unsupervised learning?",
    reference="Supervised learning trains on labelled examples to predict a target, while unsupervised learning finds "
              "structure in unlabelled data.",
)
PARAMS = Question(
    id="params", lang="ru", question="Чем параметры модели отличаются от гиперпараметров?",
    reference="Параметры модель выучивает из данных при обучении, а гиперпараметры задаёт человек до обучения.",
)
BATCH = Question(
    id="batch", lang="de", question="Was bewirkt die Batchgröße beim Training?",
    reference="Eine große Batchgröße liefert glatte Gradienten und nutzt die Hardware gut aus, während eine kleine "
              "Batchgröße verrauschte Gradienten liefert und öfter aktualisiert.",
)


SPLIT = Question(
    id="split", lang="de", question="Warum teilt man Daten in Trainings- und Testdaten?",
    reference="Das Modell wird auf den Trainingsdaten gelernt und auf den Testdaten bewertet, die es nie gesehen hat.",
)
PAIRED_LATE = Question(
    id="late", lang="en", question="How are training and validation data used?",
    reference="The weights are fitted on the training data, and the hyperparameters are chosen on the validation data.",
)


def _grade(question: Question, answer: str) -> Grade:
    return grade(question, build_rubric(question), answer)


class TestExchanged:
    @pytest.mark.parametrize(("question", "answer"), [
        (SUPERVISED, "Supervised learning finds structure in unlabelled data, while unsupervised learning trains on "
                     "labelled examples to predict a target."),
        (PARAMS, "Гиперпараметры модель выучивает из данных при обучении, а параметры задаёт человек до обучения."),
        (BATCH, "Eine kleine Batchgröße liefert glatte Gradienten und nutzt die Hardware gut aus, während eine große "
                "Batchgröße verrauschte Gradienten liefert und öfter aktualisiert."),
        (SPLIT, "Das Modell wird auf den Testdaten gelernt und auf den Trainingsdaten bewertet."),
        (PAIRED_LATE, "The weights are fitted on the validation data, and the hyperparameters are chosen on the "
                      "training data."),
    ], ids=["en-two-things", "ru-two-things", "de-one-thing-two-sides", "de-named-later-in-the-clause",
            "en-named-later-in-the-clause"])
    def test_exchanged_sides_are_contradicted(self, question: Question, answer: str) -> None:
        g = _grade(question, answer)
        assert "reversed" in g.flags and g.score is not None and g.score <= 0.2
        wrong = [p for p in g.points if p.verdict == "contradicted"]
        assert wrong and wrong[0].evidence and wrong[0].evidence[0].text in answer

    def test_feedback_quotes_the_clause_in_the_answers_language(self) -> None:
        g = _grade(PARAMS, "Гиперпараметры модель выучивает из данных при обучении, а параметры задаёт человек.")
        feedback = next(p.feedback for p in g.points if p.verdict == "contradicted")
        assert feedback is not None and "Гиперпараметры модель выучивает" in feedback and "Richtig" not in feedback

    @pytest.mark.parametrize(("question", "answer"), [
        (SUPERVISED, "Unsupervised learning finds structure in unlabelled data, while supervised learning trains on "
                     "labelled examples to predict a target."),  # the sides in the other order
        (SUPERVISED, "Unlike unsupervised learning, which finds structure in unlabelled data, supervised learning "
                     "trains on labelled examples to predict a target."),
        (SUPERVISED, "Supervised learning trains on labelled examples to predict a target. Unsupervised learning "
                     "finds structure in unlabelled data."),  # one sentence a side
        (PARAMS, "Гиперпараметры задаёт человек до обучения, а параметры модель выучивает из данных при обучении."),
        (BATCH, "Eine kleine Batchgröße liefert verrauschte Gradienten und aktualisiert öfter, während eine große "
                "Batchgröße glatte Gradienten liefert."),
        (SPLIT, "Gelernt wird das Modell auf den Trainingsdaten, und auf den Testdaten, die es nie gesehen hat, wird "
                "es bewertet."),
        (PAIRED_LATE, "The hyperparameters are chosen on the validation data, and the weights are fitted on the "
                      "training data."),
    ], ids=["en-other-order", "en-unlike", "en-two-sentences", "ru-other-order", "de-other-order", "de-named-later",
            "en-named-later"])
    def test_the_contrast_said_right_keeps_its_credit(self, question: Question, answer: str) -> None:
        g = _grade(question, answer)
        assert g.flags == [] and g.score is not None and g.score >= 0.8

    def test_a_negated_exchange_states_nothing(self) -> None:
        g = _grade(SUPERVISED, "Supervised learning does not find structure in unlabelled data, and unsupervised "
                               "learning does not train on labelled examples to predict a target.")
        assert not any(p.verdict == "contradicted" and "mixes up" in (p.feedback or "") for p in g.points)

    def test_steps_of_a_procedure_are_no_contrast(self) -> None:
        # Clauses of one sentence whose topics the question does not name are steps, not two sides of a contrast.
        q = Question(id="steps", lang="en", question="How is a neural network trained?",
                     reference="The input passes forward through the layers, the loss compares the prediction with "
                               "the target, and backpropagation computes the gradients of the weights.")
        assert contrasts(build_rubric(q), q.question) == []

    @pytest.mark.parametrize(("question", "answer"), [
        (SUPERVISED, "İstanbul İzmir Iğdır. " * 40 + "Supervised learning finds structure in unlabelled data, while "
                     "unsupervised learning trains on labelled examples to predict a target."),
        (BATCH, "Straße, Maß, Fuß. " * 40 + "Eine kleine Batchgröße liefert glatte Gradienten und nutzt die Hardware "
                "gut aus, während eine große Batchgröße verrauschte Gradienten liefert und öfter aktualisiert."),
    ], ids=["dotted-capital-I", "sharp-s"])
    def test_text_whose_lower_case_is_longer_does_not_hide_an_exchange(self, question: Question, answer: str) -> None:
        # "İ".lower() and "ß" folded to "ss" are longer than the text they come from: each sentence is read on its own.
        assert "reversed" in _grade(question, answer).flags


def test_the_curve_lifts_no_contradicted_point() -> None:
    # Two points; the answer exchanges the first and states the second. The automatic curve lifts partial coverage
    # (a point may be said in other words), but a contradicted point was said, wrongly: its share stays lost.
    q = Question(id="two", lang="en", question="How are training and validation data used?",
                 reference="The weights are fitted on the training data, and the hyperparameters are chosen on the "
                           "validation data. The test set is kept for the final estimate.")
    rubric = build_rubric(q)
    g = grade(q, rubric, "The weights are fitted on the validation data, and the hyperparameters are chosen on the "
                         "training data. The test set is kept for the final estimate.")
    wrong = [p for p in g.points if p.verdict == "contradicted"]
    share = sum(p.weight for p in wrong) / sum(p.weight for p in g.points)
    assert wrong and g.score is not None and g.score <= 1 - share + 1e-9
