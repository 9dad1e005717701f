"""Answers wrong in the right words: keyword dumps in any form, word salads, negated references; and the terse real
answers that must keep their credit. Cases written for these tests, on the bundled bank and on rubrics built from a
reference (ru/en/de)."""

from __future__ import annotations

import random

import pytest

from grader.bank.store import Bank, packaged_bank, rubric_for
from grader.engine.clause_polarity import affirmed, negated_parts
from grader.engine.exemplars import Exemplars, GradedExample
from grader.engine.rubric import build_rubric
from grader.engine.salad import is_word_salad, rearranges_reference
from grader.engine.scoring import KEYWORD_LIST_CAP
from grader.engine.statements import asks_for_list
from grader.engine.termlist import bound_share, lists_terms
from grader.grading import grade
from grader.llm.judges.fake import FakeJudge
from grader.models import Grade, Question, Rubric

OVERFIT_EN = Question(
    id="overfit-en", lang="en", question="What is overfitting?",
    reference="Overfitting is when a model has a low training error but a high test error, because it memorizes "
              "the noise of the training data instead of the general pattern.",
)
OVERFIT_DE = Question(
    id="overfit-de", lang="de", question="Was ist Überanpassung?",
    reference="Überanpassung liegt vor, wenn ein Modell einen niedrigen Trainingsfehler, aber einen hohen "
              "Testfehler hat, weil es das Rauschen der Trainingsdaten auswendig lernt statt des allgemeinen Musters.",
)
DNS_EN = Question(
    id="dns-en", lang="en", question="What does DNS do?",
    reference="DNS translates a domain name into the IP address of a server, asking resolvers that cache answers "
              "for the time given by the record's TTL.",
)


def _bank(qid: str) -> tuple[Question, Rubric]:
    bank = Bank(packaged_bank())
    question = bank.question(qid)
    return question, rubric_for(bank, question)[0]


def _auto(question: Question) -> tuple[Question, Rubric]:
    return question, build_rubric(question)


def _grade(target: tuple[Question, Rubric], answer: str) -> Grade:
    return grade(target[0], target[1], answer)


class TestKeywordDumps:
    """Rubric terms with nothing relating them are capped and flagged, whatever separates them; terse sentences
    are not."""

    @pytest.mark.parametrize("answer", [
        "предельные значения функция активации сигмоида tanh маленький градиент затухание градиента веса не "
        "обновляются ReLU инициализация весов нормализация",
        "сигмоида\ntanh\nкрайние значения\nпроизводная почти ноль\nобучение останавливается\nReLU",
        "tanh / sigmoid / пределы / исчезающий градиент / веса не обновляются / Leaky ReLU / батчнорм",
        "#сигмоида #tanh #насыщение #vanishing_gradient #ReLU #инициализация",
        "logistic tanh asymptote near-zero gradient training slows ReLU Xavier batch norm",
        "Ответ: сигмоида, tanh, пределы, затухающие градиенты, ReLU, Xavier, нормализация",
        "sigmoid tanh near 0 or 1 small derivative vanishing gradients ReLU He init BatchNorm",
        "1) сигмоида 2) tanh 3) предельные значения 4) маленький градиент 5) веса не обновляются 6) ReLU",
    ], ids=["spaces", "lines", "slashes", "hashtags", "english", "lead-in", "capitalised-pronoun", "numbered"])
    def test_dump_on_a_bank_question_is_capped(self, answer: str) -> None:
        g = _grade(_bank("nasyshchenie-neyrona"), answer)
        assert "keyword_list" in g.flags and g.score is not None and g.score <= KEYWORD_LIST_CAP

    @pytest.mark.parametrize(("question", "answer"), [
        (OVERFIT_EN, "low training error high test error memorizes noise general pattern model"),
        (OVERFIT_EN, "model | training error | test error | noise | memorizes"),
        (DNS_EN, "#DNS #domain #IP #address #resolver #cache #TTL"),
        (OVERFIT_DE, "Modell niedriger Trainingsfehler hoher Testfehler Rauschen Muster auswendig"),
    ], ids=["en-spaces", "en-pipes", "en-hashtags", "de-spaces"])
    def test_dump_on_an_automatic_rubric_is_capped(self, question: Question, answer: str) -> None:
        g = _grade(_auto(question), answer)
        assert "keyword_list" in g.flags and g.score is not None and g.score <= KEYWORD_LIST_CAP

    @pytest.mark.parametrize(("target", "answer"), [
        ("nasyshchenie-neyrona", "У сигмоиды и tanh выход застревает у краёв, производная почти ноль, веса не "
                                 "обновляются; спасает ReLU."),
        ("nasyshchenie-neyrona", "Sigmoid saturates at its extremes, gradients vanish, training slows. Fix: ReLU."),
        (OVERFIT_EN, "It memorizes noise: training error low, test error high."),
        (OVERFIT_EN, "The model memorizes noise: training error is low, test error is high."),
        (OVERFIT_DE, "Das Modell lernt Rauschen auswendig: Trainingsfehler niedrig, Testfehler hoch."),
        (DNS_EN, "DNS maps a domain name to an IP address; resolvers cache it until the TTL runs out."),
    ], ids=["ru", "en-bank", "en-auto", "en-reference-words", "de-auto", "en-dns"])
    def test_terse_sentences_keep_their_credit(self, target: str | Question, answer: str) -> None:
        g = _grade(_bank(target) if isinstance(target, str) else _auto(target), answer)
        assert "keyword_list" not in g.flags and g.score is not None and g.score >= 0.6

    def test_a_clause_wording_does_not_make_a_run_of_terms_a_statement(self) -> None:
        answer = "градиент маленький веса не обновляются сигмоида tanh нормализация"
        spans = [(0, 18), (19, 38), (39, 47), (48, 52), (53, 65)]
        n, share = bound_share(answer, spans)
        assert n == 5 and share == pytest.approx(0.2)  # the clause binds itself, nothing around it
        assert lists_terms(answer, spans)

    @pytest.mark.parametrize(("answer", "spans", "listed"), [
        ("P(A) = 0.82, P(B) = 0.01, P(C) = 0.28", [(0, 4), (13, 17), (26, 30)], False),  # formulas state
        ("1 к 1: классификация, 1 ко многим: captioning, seq2seq: перевод", [(7, 20), (35, 45), (56, 63)], False),
        ("dropout, early stopping, weight decay, augmentation", [(0, 7), (9, 23), (25, 37), (39, 51)], True),
    ], ids=["formulas", "colon-labels", "commas"])
    def test_structure_outside_the_terms(self, answer: str, spans: list[tuple[int, int]], listed: bool) -> None:
        assert lists_terms(answer, spans) is listed

    def test_dump_is_capped_with_examples_and_with_a_judge(self) -> None:
        question, rubric = _bank("nasyshchenie-neyrona")
        dump = "сигмоида tanh пределы маленький градиент веса не обновляются ReLU нормализация инициализация"
        judge = FakeJudge([{p.id: "covered" for p in rubric.points}])
        g = grade(question, rubric, dump, mode="llm", judge=judge)
        assert "keyword_list" in g.flags and g.score is not None and g.score <= KEYWORD_LIST_CAP
        rnd = random.Random(5)
        generous = [GradedExample(id=f"k{i}", answer=" ".join(rnd.sample(dump.split(), 8)), score=0.95)
                    for i in range(12)]
        g = Exemplars.fit(question, rubric, generous).grade(dump)
        assert "keyword_list" in g.flags and g.score is not None and g.score <= KEYWORD_LIST_CAP


class TestListQuestions:
    """A question that asks for things, however it asks, takes a list of them as its answer."""

    @pytest.mark.parametrize(("question", "asks"), [
        ("State at least 4 of the differences between UDP and TCP headers.", True),
        ("Give two examples of regularisation.", True),
        ("Worauf achtest du beim Besuch der Filiale?", True),
        ("На что обратить внимание при выборе метрики?", True),
        ("Приведите три примера функций активации", True),
        ("What is overfitting?", False),
        ("Explain your answer in 2 sentences.", False),
        ("Wie funktioniert Dropout?", False),
        # the means to an end are named, and a list of them answers
        ("How can class imbalance be handled?", True),
        ("How do you speed up training?", True),
        ("How to choose k in k-means?", True),
        ("Wie kann man den Speicherbedarf senken?", True),
        ("Как можно ускорить сходимость?", True),
        ("Какими способами заполняют пропуски?", True),
        # a mechanism is asked for: a list is no answer
        ("How does batch normalization work?", False),
        ("How do decision trees split?", False),
        ("Как работает механизм внимания?", False),
        ("В каких случаях не стоит использовать momentum?", False),
        # an explanation or a derivation is asked for, however the question opens
        ("How would you explain the difference between bagging and boosting?", False),
        ("How do you interpret a ROC curve?", False),
        ("How to compute the gradient of the loss?", False),
        ("Wie kann man Dropout erklären?", False),
        ("Как можно объяснить дропаут?", False),
    ])
    def test_asks_for_list(self, question: str, asks: bool) -> None:
        assert asks_for_list(question) is asks

    def test_a_list_of_means_answering_how_to_keeps_its_credit(self) -> None:
        q = Question(id="imb", lang="en", question="How can class imbalance be handled?",
                     reference="Class imbalance can be handled by oversampling the minority class, undersampling the "
                               "majority class, class weights in the loss, or synthetic examples such as SMOTE.")
        g = _grade(_auto(q), "Use oversampling, undersampling, class weights and SMOTE.")
        assert "keyword_list" not in g.flags and g.score is not None and g.score >= 0.8

    def test_a_list_answering_a_list_question_keeps_its_credit(self) -> None:
        q = Question(id="reg", lang="en", question="Give three examples of regularisation.",
                     reference="Dropout, weight decay (L2 penalty) and early stopping.")
        g = _grade(_auto(q), "dropout, weight decay, early stopping")
        assert "keyword_list" not in g.flags and g.score == 1.0


class TestWordSalad:
    """The reference's own words in random order are capped like a keyword list; quoting it is not."""

    @pytest.mark.parametrize("question", [OVERFIT_EN, OVERFIT_DE, DNS_EN], ids=["en", "de", "en-dns"])
    @pytest.mark.parametrize("seed", [1, 2, 3])
    def test_shuffled_reference_is_capped(self, question: Question, seed: int) -> None:
        words = [w.strip(".,").lower() for w in question.reference.split()]
        random.Random(seed).shuffle(words)
        g = _grade(_auto(question), " ".join(words))
        assert "keyword_list" in g.flags and g.score is not None and g.score <= KEYWORD_LIST_CAP

    def test_shuffled_russian_reference_on_the_bank_is_capped(self) -> None:
        question, rubric = _bank("obuchenie-podkrepleniem-reinforcement-learning")
        words = question.reference.split()[:40]
        random.Random(7).shuffle(words)
        g = grade(question, rubric, " ".join(words))
        assert "keyword_list" in g.flags and g.score is not None and g.score <= KEYWORD_LIST_CAP

    @pytest.mark.parametrize("question", [OVERFIT_EN, OVERFIT_DE, DNS_EN], ids=["en", "de", "en-dns"])
    def test_quoting_the_reference_is_not_a_salad(self, question: Question) -> None:
        assert not rearranges_reference(question.reference, question.reference)
        g = _grade(_auto(question), question.reference)
        assert g.flags == [] and g.score == 1.0

    @pytest.mark.parametrize(("text", "salad"), [
        ("the it a but of is noise training the error a", True),
        ("в и на является градиент к стремится слои при", True),
        ("The model memorizes the noise of the training data instead of the pattern.", False),
        ("Event A and C are subsets of B; the order is B, C, A.", False),  # letters name events
        ("Stimme voll und ganz zu, wenn der Shop sauber ist und die Regale voll sind", False),  # particles
        ("Eine zu große Lernrate überspringt das Minimum, eine zu kleine konvergiert langsam.", False),  # "zu": too
    ])
    def test_grammatical_order(self, text: str, salad: bool) -> None:
        assert is_word_salad(text) is salad


class TestNegatedReference:
    """On an automatic rubric, the reference said in the negative earns nothing of what it negates; a negation the
    reference has itself, or one about something else, costs nothing."""

    @pytest.mark.parametrize(("question", "answer"), [
        (OVERFIT_EN, "Overfitting is not when a model has a low training error and a high test error; it does not "
                     "memorize the noise of the training data."),
        (OVERFIT_DE, "Überanpassung liegt nicht vor, wenn ein Modell einen niedrigen Trainingsfehler und einen hohen "
                     "Testfehler hat; es lernt das Rauschen der Trainingsdaten nicht auswendig."),
        (DNS_EN, "DNS does not translate a domain name into an IP address, and resolvers never cache answers."),
    ], ids=["en", "de", "en-dns"])
    def test_negated_reference_scores_low(self, question: Question, answer: str) -> None:
        g = _grade(_auto(question), answer)
        assert g.score is not None and g.score <= 0.3

    def test_an_unrelated_negation_keeps_the_credit(self) -> None:
        g = _grade(_auto(OVERFIT_EN), "The model memorizes the noise of the training data, so the training error "
                                      "is low but the test error is high; it does not generalize.")
        assert g.score is not None and g.score >= 0.9

    def test_a_negation_the_reference_has_is_no_reversal(self) -> None:
        q = Question(id="leaf", lang="en", question="What is a leaf of a tree?",
                     reference="A leaf is a node that has no children.")
        assert not affirmed(q.reference, "children", "en")
        g = _grade(_auto(q), "A leaf is simply a node with no children.")
        assert g.score is not None and g.score >= 0.8

    @pytest.mark.parametrize(("text", "negated"), [
        ("Momentum helps, but it does not reduce the step. Es lernt das Rauschen nicht auswendig.",
         ["it does not reduce the step", "Es lernt das Rauschen nicht auswendig"]),
        ("Sind die Toiletten nicht offen, mache ich ein Foto der Tür.", ["Sind die Toiletten nicht offen"]),
        ("The assumption does not hold because traffic is bursty.", ["The assumption does not hold"]),
        ("Overfitting is not when the test error is high, and that is all.",
         ["Overfitting is not when the test error is high"]),
        ("Не только градиент, но и веса.", []),
    ], ids=["clauses", "condition-first", "reason", "when-clause", "not-only"])
    def test_negated_parts(self, text: str, negated: list[str]) -> None:
        assert [p.text.strip() for p in negated_parts(text)] == negated
