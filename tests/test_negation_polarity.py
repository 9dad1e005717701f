"""Negation with polarity and scope, on automatic rubrics, in English, German and Russian.

A negating preposition ("without", "ohne", "без"), a negating determiner after a preposition ("with no", "mit
keinen") and "нет" before a noun negate the phrase after them, not the subject before them; a negated concept
matches a negated reference, whatever cue says it; an answer that affirms the word the reference negates, beside
the point's other words, says the opposite of the point; and a negation about something else changes nothing.
Every case is written here, for this test.
"""

from __future__ import annotations

import pytest

from grader.engine.clause_polarity import negated_parts
from grader.engine.matching import Matcher
from grader.engine.rubric import build_rubric
from grader.grading import grade
from grader.models import Grade, Question, Rubric

# A reference that negates a noun phrase: what the answer must negate too.
NO_EDGES = {
    "en": Question(id="iso", lang="en", question="What is an isolated point of a graph?",
                   reference="A vertex that has no edges."),
    "de": Question(id="iso", lang="de", question="Was ist ein isolierter Punkt eines Graphen?",
                   reference="Ein Knoten, der keine Kanten hat."),
    "ru": Question(id="iso", lang="ru", question="Что такое изолированная точка графа?",
                   reference="Вершина, у которой нет рёбер."),
}  # fmt: skip
# A reference whose whole clause is negated: the words before the cue are said under it.
NOT_REACHED = {
    "en": Question(id="loop", lang="en", question="When does a loop run forever?",
                   reference="When the exit condition is not reached."),
    "de": Question(id="loop", lang="de", question="Wann läuft eine Schleife endlos?",
                   reference="Wenn die Abbruchbedingung nicht erreicht wird."),
    "ru": Question(id="loop", lang="ru", question="Когда цикл работает бесконечно?",
                   reference="Когда условие выхода не выполняется."),
}  # fmt: skip
# A reference with no negation at all.
PLAIN = {
    "en": Question(id="bp", lang="en", question="What does backpropagation do?",
                   reference="It computes the gradient of the loss for every weight."),
    "de": Question(id="bp", lang="de", question="Was macht Backpropagation?",
                   reference="Sie berechnet den Gradienten des Fehlers für jedes Gewicht."),
    "ru": Question(id="bp", lang="ru", question="Что делает обратное распространение?",
                   reference="Оно вычисляет градиент функции потерь для каждого веса."),
}  # fmt: skip


def _grade(question: Question, answer: str) -> Grade:
    return grade(question, build_rubric(question), answer)


def _score(question: Question, answer: str) -> float:
    s = _grade(question, answer).score
    assert s is not None
    return s


class TestPhraseScope:
    """A negating determiner or preposition negates what follows it; "not", "nicht", "не" negate their clause."""

    @pytest.mark.parametrize(
        ("text", "negated"),
        [
            ("A vertex with no edges.", ["no edges"]),
            ("It is a vertex without any edges.", ["without any edges"]),
            ("Ein Knoten ohne Kanten.", ["ohne Kanten"]),
            ("Ein Knoten mit keinen Kanten.", ["keinen Kanten"]),
            ("Это вершина без рёбер.", ["без рёбер"]),
            ("У этой вершины нет рёбер.", ["нет рёбер"]),
            ("Рёбер у этой вершины нет.", ["Рёбер у этой вершины нет"]),  # "нет" closing its clause: all of it
            ("No vertex can reach it.", ["No vertex can reach it"]),  # clause-initial: the whole clause
            ("Kein Knoten erreicht ihn.", ["Kein Knoten erreicht ihn"]),
            ("The vertex is not reached.", ["The vertex is not reached"]),
            ("It keeps the vertices not reached by the search.", ["not reached by the search"]),  # no auxiliary
            ("The search needs no stack.", ["The search needs no stack"]),  # on a verb's object: the predicate
            ("Die Suche braucht keinen Stapel.", ["Die Suche braucht keinen Stapel"]),
            ("Der Knoten wird nicht erreicht.", ["Der Knoten wird nicht erreicht"]),
            ("Вершина не достигается.", ["Вершина не достигается"]),
        ],
        ids=["en-no", "en-without", "de-ohne", "de-keinen", "ru-bez", "ru-net-before", "ru-net-after",
             "en-no-first", "de-kein-first", "en-not", "en-not-after-a-noun", "en-no-object", "de-kein-object",
             "de-nicht", "ru-ne"],
    )  # fmt: skip
    def test_negated_parts(self, text: str, negated: list[str]) -> None:
        assert [p.text.strip() for p in negated_parts(text)] == negated


class TestNegatedReference:
    """A reference that negates a phrase: an answer negating it, with any cue, covers the point; one affirming it
    beside the point's other words contradicts it."""

    @pytest.mark.parametrize(
        ("lang", "answer"),
        [
            ("en", "A vertex with no edges."),
            ("en", "It is a vertex without any edges."),
            ("de", "Ein Knoten ohne Kanten."),
            ("de", "Ein Knoten mit keinen Kanten."),
            ("ru", "Вершина без рёбер."),
            ("ru", "Это вершина, у которой нет рёбер."),
        ],
    )
    def test_negated_in_other_words_covers_the_point(self, lang: str, answer: str) -> None:
        g = _grade(NO_EDGES[lang], answer)
        assert g.points[0].status == "covered"
        assert g.score == pytest.approx(_score(NO_EDGES[lang], NO_EDGES[lang].reference))

    @pytest.mark.parametrize(
        ("lang", "answer"),
        [
            ("en", "A vertex with edges."),
            ("en", "A vertex that has two edges."),
            ("de", "Ein Knoten mit Kanten."),
            ("de", "Ein Knoten, der Kanten hat."),
            ("ru", "Вершина с рёбрами."),
            ("ru", "Вершина, у которой есть рёбра."),
        ],
    )
    def test_affirming_the_negated_word_contradicts_the_point(self, lang: str, answer: str) -> None:
        g = _grade(NO_EDGES[lang], answer)
        assert g.points[0].verdict == "contradicted"
        assert "reversed" in g.flags
        assert g.score == 0.0

    @pytest.mark.parametrize(
        ("lang", "answer"),
        [
            ("en", "A vertex. Its neighbour has edges."),
            ("de", "Ein Knoten. Sein Nachbar hat Kanten."),
            ("ru", "Вершина. У её соседа есть рёбра."),
        ],
    )
    def test_a_word_affirmed_in_another_sentence_is_no_reversal(self, lang: str, answer: str) -> None:
        g = _grade(NO_EDGES[lang], answer)
        assert "reversed" not in g.flags
        assert g.points[0].verdict is None

    def test_a_negation_the_answer_keeps_beside_the_affirmed_word_is_no_reversal(self) -> None:
        g = _grade(NO_EDGES["en"], "A vertex with no edges, unlike the others, which have edges.")
        assert "reversed" not in g.flags


class TestNegatedClause:
    """A reference whose clause is negated: the answer's negation of the clause's other words ("no exit
    condition") is the same claim; affirming the negated word ("is reached") is the opposite."""

    @pytest.mark.parametrize(
        ("lang", "answer"),
        [
            ("en", "There is no exit condition."),
            ("de", "Es gibt keine Abbruchbedingung."),
            ("ru", "Нет условия выхода."),
        ],
    )
    def test_negating_the_subject_earns_its_words(self, lang: str, answer: str) -> None:
        g = _grade(NOT_REACHED[lang], answer)
        assert g.points[0].score > 0
        assert g.score is not None and g.score >= 0.5

    @pytest.mark.parametrize(
        ("lang", "answer"),
        [
            ("en", "When the exit condition is reached."),
            ("de", "Wenn die Abbruchbedingung erreicht wird."),
            ("ru", "Когда условие выхода выполняется."),
        ],
    )
    def test_affirming_the_negated_predicate_contradicts(self, lang: str, answer: str) -> None:
        g = _grade(NOT_REACHED[lang], answer)
        assert g.points[0].verdict == "contradicted"
        assert g.score == 0.0

    @pytest.mark.parametrize("lang", ["en", "de", "ru"])
    def test_the_reference_itself_is_covered(self, lang: str) -> None:
        g = _grade(NOT_REACHED[lang], NOT_REACHED[lang].reference)
        assert g.points[0].status == "covered" and not g.flags


class TestNegationAboutSomethingElse:
    """A negation that is not about the point's words changes nothing; one that is about them still costs."""

    @pytest.mark.parametrize(
        ("lang", "plain", "with_negation"),
        [
            ("en", "It computes the gradient of the loss for every weight.",
             "It computes the gradient of the loss for every weight, not the learning rate."),
            ("en", "It computes the gradient of the loss for every weight.",
             "It computes the gradient of the loss for every weight. It does not change the data."),
            ("de", "Sie berechnet den Gradienten des Fehlers für jedes Gewicht.",
             "Sie berechnet den Gradienten des Fehlers für jedes Gewicht, ohne die Daten zu ändern."),
            ("ru", "Оно вычисляет градиент функции потерь для каждого веса.",
             "Оно вычисляет градиент функции потерь для каждого веса, без изменения данных."),
            ("ru", "Оно вычисляет градиент функции потерь для каждого веса.",
             "Оно вычисляет градиент функции потерь для каждого веса. Данные оно не меняет."),
        ],
    )  # fmt: skip
    def test_unrelated_negation_changes_nothing(self, lang: str, plain: str, with_negation: str) -> None:
        assert _score(PLAIN[lang], with_negation) == pytest.approx(_score(PLAIN[lang], plain))

    @pytest.mark.parametrize(
        ("lang", "answer"),
        [
            ("en", "It does not compute the gradient of the loss for every weight."),
            ("de", "Sie berechnet den Gradienten des Fehlers für jedes Gewicht nicht."),
            ("ru", "Оно не вычисляет градиент функции потерь для каждого веса."),
        ],
    )
    def test_negating_the_point_still_costs(self, lang: str, answer: str) -> None:
        assert _score(PLAIN[lang], answer) < _score(PLAIN[lang], PLAIN[lang].reference)

    def test_the_no_edges_answer_keeps_its_grade_beside_another_negation(self) -> None:
        q = NO_EDGES["en"]
        assert _score(q, "A vertex with no edges. It is not the root.") == pytest.approx(_score(q, q.reference))


class TestCommaEndsANegation:
    """A negation before a list item reaches that item, not the next one after a comma; "X and Y" both."""

    RUBRIC = Rubric.model_validate(
        {"question_id": "x", "lang": "de", "points": [{"id": "p", "text": "p", "concepts": [["schnelle Lieferung"]]}]}
    )

    @pytest.mark.parametrize(
        ("answer", "found"),
        [
            ("Kein Lager, schnelle Lieferung.", True),
            ("Ohne Lager und schnelle Lieferung.", False),
            ("Keine schnelle Lieferung.", False),
        ],
    )
    def test_comma(self, answer: str, found: bool) -> None:
        assert Matcher(self.RUBRIC).match(answer).points[0].concepts[0].matched is found


# A reference that says a thing is absent or kept away in a word of its own (a lexical negation).
ABSENT = {
    "en": Question(id="ack", lang="en", question="Why does the sender keep resending?",
                   reference="The lack of acknowledgements from the receiver makes the sender resend."),
    "de": Question(id="ack", lang="de", question="Warum sendet der Sender immer wieder?",
                   reference="Das Fehlen von Bestätigungen des Empfängers lässt den Sender erneut senden."),
    "ru": Question(id="ack", lang="ru", question="Почему отправитель повторяет передачу?",
                   reference="Отсутствие подтверждений от получателя заставляет отправителя повторять передачу."),
}  # fmt: skip


class TestAbsenceWord:
    """A reference that says something is missing ("the lack of", "das Fehlen von", "отсутствие") is answered by the
    plain negation of that thing ("no acknowledgements", "keine Bestätigungen", "нет подтверждений"); the absence
    word itself keeps its polarity."""

    @pytest.mark.parametrize(
        ("lang", "answer"),
        [
            ("en", "The receiver sends no acknowledgements."),
            ("de", "Der Empfänger schickt keine Bestätigungen."),
            ("ru", "Получатель не присылает подтверждений."),
        ],
    )
    def test_the_plain_negation_of_the_absent_thing_covers_it(self, lang: str, answer: str) -> None:
        q = ABSENT[lang]
        r = build_rubric(q)
        matched = Matcher(r, q.question).match(answer, lang)
        assert any(c.matched and c.wording and c.wording.startswith(("acknowledg", "bestätigung", "подтвержд"))
                   for p in matched.points for c in p.concepts)  # fmt: skip
        assert (grade(q, r, answer).score or 0) >= 0.6

    def test_the_absence_word_keeps_its_polarity(self) -> None:
        from grader.engine.clause_polarity import said_negated

        text = ABSENT["de"].reference
        assert said_negated(text, ("Bestätigungen",), "de") and not said_negated(text, ("Fehlen",), "de")


@pytest.mark.parametrize(
    ("text", "negated"),
    [
        ("The loss falls or the model does not converge.", " the model does not converge"),
        ("Falls er verdreckt ist oder nicht alles vorhanden ist.", " nicht alles vorhanden ist"),
        ("Модель переобучена или данные не очищены.", " данные не очищены"),
    ],
)
def test_or_ends_the_clause_a_later_negation_reaches_back_to(text: str, negated: str) -> None:
    """A negation in the second of two clauses joined by "or" negates that clause, not the first ("verdreckt" of
    "Falls er verdreckt ist oder nicht alles vorhanden ist" is said, not denied)."""
    assert [e.text for e in negated_parts(text)] == [negated]


@pytest.mark.parametrize(
    ("text", "negated"),
    [
        ("Braune Ablagerungen in der Toilette - Gestank - keine Seife vorhanden", "keine Seife vorhanden"),
        ("It does not learn - the gradient vanishes.", "It does not learn"),
        ("Модель переобучена - она не обобщает.", "она не обобщает"),
    ],
)
def test_a_typed_dash_bounds_a_negation(text: str, negated: str) -> None:
    """A hyphen between spaces is a dash as typed: a negation reaches neither back nor forward over it."""
    assert [e.text for e in negated_parts(text)] == [negated]


class TestNoFalseReversal:
    """An answer that keeps the reference's negation, with a cue after the word (German verb-final "nicht", Russian
    "не" after the noun), with an absence word ("lacks", "отсутствуют"), or that affirms the word only in a
    question it then answers, is no reversal of the point."""

    @pytest.mark.parametrize(
        ("lang", "answer"),
        [
            ("de", "Ein Knoten, der Kanten nicht hat."),
            ("ru", "Вершина, которой рёбра не нужны."),
            ("en", "A vertex which lacks edges."),
            ("ru", "Вершина, рёбра у которой отсутствуют."),
            ("en", "Is it a vertex with edges? No, a vertex without edges."),
        ],
    )  # fmt: skip
    def test_a_kept_negation_is_no_reversal(self, lang: str, answer: str) -> None:
        g = _grade(NO_EDGES[lang], answer)
        assert "reversed" not in g.flags
        assert g.points[0].verdict is None and (g.score or 0) > 0.5


class TestLitotes:
    """A negated negating preposition affirms: "not without edges", "nicht ohne Kanten", "не без рёбер" say the
    opposite of "no edges"."""

    @pytest.mark.parametrize(
        ("lang", "answer"),
        [
            ("en", "A vertex that is not without edges."),
            ("de", "Ein Knoten, der nicht ohne Kanten ist."),
            ("ru", "Вершина не без рёбер."),
        ],
    )
    def test_not_without_does_not_match_no(self, lang: str, answer: str) -> None:
        q = NO_EDGES[lang]
        matched = Matcher(build_rubric(q), q.question).match(answer, lang)
        assert not any(c.matched and c.wording and c.wording.split()[0] in {"no", "keine", "нет"}
                       for p in matched.points for c in p.concepts)  # fmt: skip


PREVENTS = {
    "en": Question(id="r", lang="en", question="What does regularisation do?", reference="It prevents overfitting."),
    "ru": Question(id="r", lang="ru", question="Зачем нужна регуляризация?",
                   reference="Она предотвращает переобучение."),
}  # fmt: skip


class TestNegatedAbsenceWord:
    """The answer's negation of the reference's absence word ("does not prevent", "no lack of") says the opposite
    of the absence word's clause, which the reference lets count in either polarity."""

    @pytest.mark.parametrize(
        ("question", "answer"),
        [
            (PREVENTS["en"], "It does not prevent overfitting."),
            (PREVENTS["ru"], "Она не предотвращает переобучение."),
            (ABSENT["en"], "There is no lack of acknowledgements from the receiver, so the sender resends."),
        ],
        ids=["en-prevent", "ru-prevent", "en-lack"],
    )  # fmt: skip
    def test_a_negated_absence_word_earns_nothing_of_its_clause(self, question: Question, answer: str) -> None:
        assert _score(question, answer) < 0.5


def test_an_answers_parts_under_negation_leave_out_the_absence_words() -> None:
    """The parts of an answer said under a negation or beside an absence word are sorted, disjoint ranges without
    the absence words, however many of them one clause holds."""
    from grader.engine.clause_polarity import said_under_negation

    text = "It lacks edges and avoids loops. It has no label."
    spans = said_under_negation(text)
    assert [text[a:b] for a, b in spans] == ["It ", " edges and ", " loops", " It has no label"]


def test_negated_parts_of_a_sentence_of_many_contrasts() -> None:
    """Each clause of a long sentence of contrasts is found once, as `clause_at` finds it (the walk over the clauses
    replaced one look-up per cue, which read the sentence again each time)."""
    text = "It does not compute the gradient, but the loss. " * 2 + "The weight does not change, but the loss does."
    assert [p.text.strip() for p in negated_parts(text)] == ["It does not compute the gradient"] * 2 + [
        "The weight does not change"
    ]
