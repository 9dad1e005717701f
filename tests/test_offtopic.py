"""Answers to another question of the same field: low scores, told why in the answer's language, flagged
`off_topic` when almost wholly elsewhere; genuine partial answers keep their credit. Cases written for these tests
(none from a data set)."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from grader.bank.store import Bank
from grader.batch.run import run_batch
from grader.engine.lexical import grade_lexical
from grader.engine.relevance import relevance
from grader.engine.rubric import build_rubric
from grader.engine.scoring import AUTO_CURVE, apply_curve, auto_curve
from grader.grading import grade
from grader.models import Question
from grader.tables import RowSource

QUESTIONS = {
    "ru": Question(id="ru-reg", lang="ru", question="Что такое регуляризация в машинном обучении?",
                   reference="Регуляризация — добавление к функции потерь штрафа за сложность модели, например за "
                   "большие веса (L1 — сумма модулей, L2 — сумма квадратов). Она уменьшает переобучение и улучшает "
                   "обобщающую способность."),
    "en": Question(id="en-roc", lang="en", question="What is the ROC curve?",
                   reference="The ROC curve plots the true positive rate against the false positive rate of a binary "
                   "classifier as its decision threshold varies. The area under it (AUC) summarizes ranking quality: "
                   "0.5 is random, 1.0 is perfect."),
    "de": Question(id="de-cm", lang="de", question="Was ist eine Konfusionsmatrix?",
                   reference="Eine Konfusionsmatrix stellt für einen Klassifikator die vorhergesagten den "
                   "tatsächlichen Klassen gegenüber: richtig positive, falsch positive, richtig negative und falsch "
                   "negative Fälle. Aus ihr berechnet man Kennzahlen wie Genauigkeit, Präzision und Recall."),
}  # fmt: skip
# Each answers a neighbouring question of the same field (learning rate; precision and recall; the ROC curve).
OTHER = {
    "ru": "Скорость обучения задаёт размер шага при обновлении весов по градиенту: слишком большая — лосс скачет и "
    "расходится, слишком маленькая — обучение идёт очень медленно.",
    "en": "Precision is the share of predicted positives that are really positive, recall is the share of actual "
    "positives the model finds; raising the threshold usually increases precision and lowers recall.",
    "de": "Die ROC-Kurve zeigt die Rate der richtig positiven gegen die Rate der falsch positiven Vorhersagen, wenn "
    "man die Entscheidungsschwelle verschiebt; die Fläche darunter heißt AUC.",
}
# Each answers the question itself, in part and in its own words.
PARTIAL = {
    "ru": "Это штраф за большие веса, чтобы модель не переобучалась.",
    "en": "It shows how the true positive rate changes with the false positive rate when you move the threshold.",
    "de": "Eine Tabelle, die zeigt, wie oft das Modell jede Klasse richtig oder falsch vorhergesagt hat.",
}
# Said when an answer's words about something else lowered its score, and when it is flagged `off_topic`.
ASIDE = {"ru": "не упомянуто ни в вопросе, ни в эталоне", "en": "neither the question nor the reference mentions",
         "de": "weder in der Frage noch in der Musterlösung"}  # fmt: skip
SAYS = {"ru": "не о том, о чём вопрос", "en": "about something the question does not ask", "de": "von etwas anderem"}
# Answers that stay almost wholly on another question's topic, with the question they are graded against.
FAR = {
    "ru": (Question(id="ru-overfit", lang="ru", question="Что такое переобучение и как с ним бороться?",
                    reference="Переобучение — это когда модель запоминает обучающую выборку вместе с шумом и плохо "
                    "обобщает на новые данные: ошибка на обучении низкая, а на валидации высокая. Бороться можно "
                    "регуляризацией (L1, L2), ранней остановкой, увеличением данных, упрощением модели и dropout."),
           "Это способ минимизировать функцию потерь: считаем градиент по весам и делаем шаг в противоположную "
           "сторону, размер шага задаёт learning rate; повторяем, пока лосс падает."),
    "en": (Question(id="en-dropout", lang="en", question="What is dropout?",
                    reference="Dropout randomly sets a fraction of neurons' activations to zero during training, so "
                    "the network cannot rely on any single neuron; this reduces overfitting. At inference all "
                    "neurons are used and activations are scaled accordingly."),
           "When you backpropagate through many layers, the chain rule multiplies lots of small derivatives (sigmoid "
           "saturates), so the signal reaching the first layers is nearly zero and they stop learning."),
    "de": (Question(id="de-overfit", lang="de", question="Was ist Überanpassung (Overfitting)?",
                    reference="Überanpassung bedeutet, dass ein Modell die Trainingsdaten samt Rauschen auswendig "
                    "lernt und auf neuen Daten schlecht generalisiert: Der Trainingsfehler ist niedrig, der "
                    "Validierungsfehler hoch. Dagegen helfen Regularisierung, mehr Daten, ein einfacheres Modell und "
                    "frühes Stoppen."),
           "Die Schrittweite beim Gradientenabstieg; ist sie zu groß, springt das Training hin und her."),
}  # fmt: skip
LANGS = sorted(QUESTIONS)


def coverage(question: Question, answer: str) -> float:
    """The answer's coverage of the automatic rubric, before any curve."""
    exact = build_rubric(question).model_copy(update={"built_by": "curated"})
    return grade_lexical(question, exact, answer).score or 0.0


class TestAnswerToAnotherQuestion:
    """An answer that speaks about a neighbouring topic earns far less than its shared words would lift it to."""

    @pytest.mark.parametrize("lang", LANGS)
    def test_scored_low(self, lang: str) -> None:
        q = QUESTIONS[lang]
        g = grade(q, build_rubric(q), OTHER[lang])
        lifted = apply_curve(coverage(q, OTHER[lang]), AUTO_CURVE)  # the score before the relevance term
        assert lifted > 0.5  # the shared words alone would earn it more than half
        assert g.score is not None and g.score <= 0.8 * lifted and g.score < 0.55

    @pytest.mark.parametrize("lang", LANGS)
    def test_feedback_says_why_in_the_answers_language(self, lang: str) -> None:
        q = QUESTIONS[lang]
        g = grade(q, build_rubric(q), OTHER[lang])
        assert g.lang == lang and ASIDE[lang] in g.feedback
        named = relevance(OTHER[lang], [q.question, q.reference], lang).unrelated[0]
        assert named in g.feedback  # its most informative word about something else is named

    @pytest.mark.parametrize("lang", LANGS)
    def test_almost_wholly_elsewhere_is_flagged_off_topic(self, lang: str) -> None:
        q, answer = FAR[lang]
        g = grade(q, build_rubric(q), answer)
        assert "off_topic" in g.flags and SAYS[lang] in g.feedback and ASIDE[lang] not in g.feedback
        assert g.score is not None and g.score < 0.3

    def test_hand_rubrics_are_not_touched(self) -> None:
        q = QUESTIONS["en"]
        curated = build_rubric(q).model_copy(update={"built_by": "curated"})
        g = grade(q, curated, OTHER["en"])
        assert "off_topic" not in g.flags and g.score == coverage(q, OTHER["en"])


class TestGenuinePartialAnswer:
    """A partial answer in its own words is about the question: the relevance term leaves its score as it was."""

    @pytest.mark.parametrize("lang", LANGS)
    def test_keeps_its_score(self, lang: str) -> None:
        q = QUESTIONS[lang]
        g = grade(q, build_rubric(q), PARTIAL[lang])
        assert "off_topic" not in g.flags and ASIDE[lang] not in g.feedback
        assert g.score == round(auto_curve(coverage(q, PARTIAL[lang])), 4) and g.score >= 0.5

    @pytest.mark.parametrize("lang", LANGS)
    def test_scores_above_the_answer_to_another_question(self, lang: str) -> None:
        q = QUESTIONS[lang]
        rubric = build_rubric(q)
        assert (grade(q, rubric, PARTIAL[lang]).score or 0) > (grade(q, rubric, OTHER[lang]).score or 0) + 0.2


class TestRelevance:
    """The share of an answer's informative words about the topic: word forms, compounds and abbreviations relate;
    numbers and function words weigh nothing."""

    def test_compound_and_its_part_relate(self) -> None:
        assert relevance("Kundengespräche und Begrüßung", ["Der Kunde wird mit einem Gruß empfangen."], "de").share == 1

    def test_abbreviation_of_topic_words_relates(self) -> None:
        topic = ["Explain the problem of Distributed Queue Dual Buses."]
        r = relevance("DQDB is unfair to distant stations", topic, "en")
        assert r.unrelated == ("unfair", "distant", "stations")  # "dqdb" relates

    def test_a_part_inside_a_word_does_not_relate(self) -> None:
        # "dien" (from "dient") sits inside "Gradientenabstieg", but is neither its first nor its last part.
        assert relevance("Gradientenabstieg Schrittweite", ["Wozu dient sie?"], "de").share == 0

    def test_numbers_weigh_nothing_and_too_little_content_is_not_judged(self) -> None:
        assert relevance("42 1024", ["What is a byte?"], "en").share == 1
        assert relevance("это", ["Что такое байт?"], "ru").share == 1

    def test_unrelated_words_most_informative_first(self) -> None:
        r = relevance("The sigmoid saturates and we use things", ["What is a sigmoid?"], "en")
        assert r.unrelated[0] == "saturates" and "sigmoid" not in r.unrelated


def test_flag_travels_through_batch_outputs(tmp_path: Path, bank: Bank) -> None:
    """`off_topic` is in grades.jsonl, grades.csv and the report's badge, as the grade has it."""
    q, far = FAR["en"]
    rows = [{"id": "1", "candidate": "A", "question": q.question, "reference": q.reference, "answer": far},
            {"id": "2", "candidate": "B", "question": q.question, "reference": q.reference,
             "answer": "It randomly switches off neurons during training so the network overfits less."}]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    run_batch(RowSource.open(src), tmp_path / "out", bank)
    graded = {r["id"]: r for r in map(json.loads, (tmp_path / "out" / "grades.jsonl").read_text().splitlines())}
    assert "off_topic" in graded["1"]["flags"] and "off_topic" not in graded["2"]["flags"]
    with (tmp_path / "out" / "grades.csv").open(encoding="utf-8-sig") as f:
        flags = {r["id"]: r["flags"] for r in csv.DictReader(f, delimiter=";")}
    assert "off_topic" in flags["1"] and "off_topic" not in flags["2"]
    assert "off topic" in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")


def test_decimal_numbers_are_not_words_off_the_topic() -> None:
    from grader.engine.relevance import relevance

    topic = ("What does the learning rate do?", "The learning rate scales each gradient step.", "learning rate ; step")
    plain = relevance("The learning rate scales the gradient step, e.g. from 1 to 2.", topic, "en")
    decimals = relevance("The learning rate scales the gradient step, e.g. from 0.25 to 0.125.", topic, "en")
    assert decimals == plain and not any(w[:1].isdigit() for w in decimals.unrelated)


def test_an_answer_in_another_language_is_not_read_against_the_questions_words() -> None:
    q = Question(id="ru-q", lang="ru", question="Что такое переобучение?",
                 reference="Переобучение — это когда модель запоминает шум обучающих данных и плохо обобщает на новые.")
    g = grade(q, build_rubric(q), "Overfitting: the model memorizes the noise of the training data and generalizes "
                                  "badly to new data.")
    assert "off_topic" not in g.flags and "neither the question nor the reference" not in g.feedback
    # and the automatic rubric's curve still lifts its coverage, as for an answer in the question's language
    assert g.score == round(auto_curve(g.points[0].score), 4) and g.score > g.points[0].score


# Answers in part about the question, whose other words are written with capitals, ё and umlauts.
AS_WRITTEN = {
    "ru": "Регуляризация — это штраф за большие веса. А Ёжик ушёл в Туман за Берёзами, где Медвежонок варил "
    "Малиновое Варенье и считал Звёзды 🌲.",
    "en": "The ROC curve plots the true positive rate. Meanwhile Gandalf rides Shadowfax across Rohan to Minas "
    "Tirith, where Denethor broods over the Palantír.",
    "de": "Eine Konfusionsmatrix zeigt richtige und falsche Klassen. Außerdem wandert Rübezahl über Bergwiesen zur "
    "Schneekoppe, wo Glühwürmchen über Heidelbeeren tanzen und Kobolde Märchen erzählen.",
}
_QUOTED = re.compile(r"«([^»]+)»|„([^“]+)“|“([^”]+)”")


@pytest.mark.parametrize("lang", LANGS)
def test_words_about_something_else_are_quoted_as_the_answer_writes_them(lang: str) -> None:
    q = QUESTIONS[lang]
    g = grade(q, build_rubric(q), AS_WRITTEN[lang])
    quoted = ["".join(m.groups("")) for m in _QUOTED.finditer(g.feedback)]
    assert quoted and ASIDE[lang] in g.feedback
    assert all(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", AS_WRITTEN[lang]) for w in quoted), quoted
    assert any(w[:1].isupper() for w in quoted)  # not folded to lower case
