"""Answers wrong in the right words that no word list catches: roles swapped, another question answered, a negation
that negates something else. Cases written for these tests (ru/en/de, none from a data set), with right answers
phrased otherwise as the control that must keep their credit."""

from __future__ import annotations

import pytest

from grader.engine.negation_reach import negation_reaches
from grader.engine.other_term import siblings
from grader.engine.roles import read
from grader.engine.rubric import build_rubric
from grader.grading import grade
from grader.models import Grade, Question

CACHE_EN = Question(
    id="cache-en", lang="en", question="What makes a cache effective?",
    reference="A cache is effective when the hit rate is high and the miss penalty is low; the working set must "
              "be small enough to fit in it.",
)
SYN_EN = Question(
    id="syn-en", lang="en", question="How does a producer-consumer queue work?",
    reference="The producer puts items into the queue, and the consumer takes items from the queue; a full queue "
              "blocks the producer.",
)
BATCH_DE = Question(
    id="batch-de", lang="de", question="Was bewirkt eine große Batchgröße?",
    reference="Eine große Batchgröße liefert einen stabilen Gradienten mit geringem Rauschen, aber einen hohen "
              "Speicherbedarf; kleine Batches sind verrauscht und sparsam.",
)
PRUNING_RU = Question(
    id="pruning-ru", lang="ru", question="Что такое постпрунинг дерева решений?",
    reference="Постпрунинг — это обрезка уже выросшего дерева: ветви с низкой пользой на валидации удаляются, "
              "чтобы дерево стало меньше и обобщало лучше.",
)


def _grade(question: Question, answer: str) -> Grade:
    return grade(question, build_rubric(question), answer)


def _contradicted(g: Grade) -> list[str]:
    return [p.id for p in g.points if p.verdict == "contradicted"]


class TestSwappedRoles:
    """Opposites moved between the heads a point contrasts, and the subjects of two parallel statements exchanged,
    contradict the point: it earns nothing, its status and feedback say so in the answer's language."""

    def test_opposites_exchanged_between_two_heads(self) -> None:
        g = _grade(CACHE_EN, "A cache is effective when the hit rate is low and the miss penalty is high; the "
                             "working set must be small enough to fit in it.")
        assert "reversed" in g.flags and _contradicted(g)
        assert g.score <= 0.4
        wrong = next(p for p in g.points if p.verdict == "contradicted")
        assert wrong.status == "missing" and wrong.score == 0
        assert "other way round" in (wrong.feedback or "")

    def test_subjects_of_parallel_statements_exchanged(self) -> None:
        g = _grade(SYN_EN, "The consumer puts items into the queue, and the producer takes items from the queue; a "
                           "full queue blocks the producer.")
        assert "reversed" in g.flags
        assert any("mixes up" in (p.feedback or "") for p in g.points)
        assert g.score <= 0.4

    def test_german_opposite_on_the_contrasted_head(self) -> None:
        g = _grade(BATCH_DE, "Eine große Batchgröße liefert einen stabilen Gradienten mit geringem Rauschen und "
                             "einen niedrigen Speicherbedarf.")
        assert _contradicted(g)
        assert "umgekehrt" in (next(p for p in g.points if p.verdict == "contradicted").feedback or "")

    @pytest.mark.parametrize(("question", "answer"), [
        (CACHE_EN, "High hit rate, low miss penalty, and a working set small enough to fit."),
        (CACHE_EN, "It works well if most lookups hit (the hit rate is high) and a miss costs little: the miss "
                   "penalty is low. The working set should fit, so it must be small."),
        (SYN_EN, "Producers add items to the queue while consumers remove them; when the queue is full the "
                 "producer blocks."),
        (BATCH_DE, "Große Batches: stabiler Gradient, geringes Rauschen, hoher Speicherbedarf. Kleine Batches "
                   "rauschen, brauchen aber wenig Speicher."),
        (PRUNING_RU, "Сначала дерево выращивают целиком, потом удаляют ветви с низкой пользой на валидации — "
                     "дерево меньше и лучше обобщает."),
    ], ids=["cache-terse", "cache-reordered", "queue-plural", "batch-de-terse", "pruning-ru"])
    def test_right_answers_phrased_otherwise_keep_their_credit(self, question: Question, answer: str) -> None:
        g = _grade(question, answer)
        assert not _contradicted(g), [p.feedback for p in g.points]
        assert g.score >= 0.6

    @pytest.mark.parametrize(("reference", "answer"), [
        # An adjective qualifies the noun it opens, not the words after it ("eine kleine Lernrate *macht sichere*").
        ("Eine große Lernrate macht schnelle, aber unruhige Schritte, während eine kleine Lernrate sichere, aber "
         "langsame Schritte macht.",
         "Eine kleine Lernrate macht sichere, aber langsame Schritte, während eine große Lernrate schnelle, aber "
         "unruhige Schritte macht."),
        # A verb stands second in a main clause and last in a subordinate one: its neighbours change, the roles do not.
        ("Ein großer Batch liefert glatte Gradienten, während ein kleiner Batch verrauschte Gradienten liefert.",
         "Ein kleiner Batch liefert verrauschte Gradienten, während ein großer Batch glatte Gradienten liefert."),
    ], ids=["adjective-opens-a-noun", "verb-second-and-last"])
    def test_german_sides_in_the_other_order_are_no_swap(self, reference: str, answer: str) -> None:
        q = Question(id="de-order", lang="de", question="Was bewirkt die Größe?", reference=reference)
        g = _grade(q, answer)
        assert not _contradicted(g), [p.feedback for p in g.points]
        assert g.score >= 0.8

    def test_list_items_in_another_order_are_not_swapped_roles(self) -> None:
        ref = read("Allows for manual and automatic address assignment.", "en")
        said = read("It allows automatic and manual address assignment.", "en")
        assert frozenset(("manual", "automat")) in ref.coordinated | said.coordinated

    def test_a_comparison_of_one_side_is_not_a_contrast(self) -> None:
        q = Question(id="hdr", lang="en", question="UDP vs TCP header?",
                     reference="The UDP header is much shorter than the TCP header.")
        assert not _contradicted(_grade(q, "TCP headers are much longer than UDP headers."))


class TestAnotherQuestion:
    """An answer that defines a sibling of the term asked about, and never names that term, earns nothing."""

    @pytest.mark.parametrize(("word", "term", "expected"), [
        ("underfitting", "overfitting", True),
        ("unteranpassung", "überanpassung", True),
        ("недообучение", "переобучение", True),
        ("prepruning", "postpruning", True),
        ("overfit", "overfitting", False),  # one word's forms
        ("decoder", "encoder", True),
        ("transformer", "former", False),  # one word inside the other
        ("training", "learning", False),
    ])
    def test_siblings_are_one_ending_with_two_beginnings(self, word: str, term: str, expected: bool) -> None:
        assert siblings(word, term) is expected

    def test_ru_answer_defining_the_sibling(self) -> None:
        g = _grade(PRUNING_RU, "Препрунинг — это остановка роста дерева заранее: ветви с низкой пользой на "
                               "валидации не строятся, и дерево получается меньше.")
        assert "other_term" in g.flags
        assert g.score <= 0.4
        assert any("другом понятии" in (p.feedback or "") for p in g.points)

    def test_the_other_term_is_what_the_feedback_says_when_the_words_read_reversed_too(self) -> None:
        # Answered about the sibling term, whose words also read the other way round ("low" and "high" exchanged):
        # the reversal follows from the answer being about another term, which is what the feedback says.
        q = Question(id="overfits-en", lang="en", question="What is overfitting in a regression model?",
                     reference="A regression model overfits when its error on the training set is low while its "
                               "error on new data is high.")
        g = _grade(q, "Underfitting is when the error on the training set is high while the error on new data is low.")
        contradicted = [p for p in g.points if p.verdict == "contradicted"]
        assert {"other_term", "reversed"} <= set(g.flags)
        assert contradicted
        assert all("explains another term" in (p.feedback or "") for p in contradicted)

    def test_naming_the_asked_term_too_is_a_comparison(self) -> None:
        g = _grade(PRUNING_RU, "Препрунинг — это остановка роста заранее, а постпрунинг — обрезка уже выросшего "
                               "дерева: ветви с низкой пользой на валидации удаляются.")
        assert "other_term" not in g.flags

    def test_a_hyphenated_asked_term_named_as_written_is_named(self) -> None:
        q = Question(id="offp", lang="ru", question="Что такое off-policy обучение?",
                     reference="Off-policy обучение — это когда агент учится на данных другой стратегии.")
        g = _grade(q, "On-policy — это обучение на своей стратегии, а off-policy — на данных другой стратегии.")
        assert "other_term" not in g.flags

    def test_the_sibling_mentioned_in_passing_is_not_a_definition(self) -> None:
        g = _grade(PRUNING_RU, "В отличие от препрунинга, дерево сначала вырастает, а потом ветви с низкой "
                               "пользой на валидации удаляются, и дерево обобщает лучше.")
        assert "other_term" not in g.flags


class TestNegationReach:
    """A negative wording's cue must negate the wording's own word, inside its clause or as the next list item."""

    @pytest.mark.parametrize(("span", "wording", "lang", "expected"), [
        ("не маленький, веса нормально обновляются", "веса не обновляются", "ru", False),
        ("обучаются не хуже", "не обучаются", "ru", False),
        ("веса почти не обновляются", "веса не обновляются", "ru", True),
        ("no flow control, connect", "no connect", "en", True),
        ("does not really learn", "does not learn", "en", True),
        ("Disconnection phase. No", "no disconnect", "en", False),
        ("lernt das Muster nicht", "nicht lernt", "de", True),
        ("nicht schlecht, das Modell lernt", "nicht lernt", "de", False),
    ])
    def test_where_the_cue_reaches(self, span: str, wording: str, lang: str, expected: bool) -> None:
        assert negation_reaches(span, wording, lang) is expected

    def test_a_negation_across_a_comma_earns_no_negative_point(self) -> None:
        q = Question(id="stall", lang="ru", question="Почему сеть перестаёт учиться?",
                     reference="Градиенты почти нулевые, поэтому веса не обновляются.")
        wrong = _grade(q, "Градиент не нулевой, веса нормально обновляются.").points[0]
        right = _grade(q, "Градиенты почти нулевые, поэтому веса сети не обновляются.").points[0]
        assert right.score == 1.0
        assert not any("обновляются" in e.text for e in wrong.evidence)  # "не" negates "нулевой", not the update
        assert wrong.score < 0.5
