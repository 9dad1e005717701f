"""One word in another form: a misspelt written word, a word of the same family, and claim words that are
stopwords ("once", "всегда") chosen as concepts. Cases written for these tests, in ru, en and de."""

from __future__ import annotations

import pytest

from grader.engine.families import roots
from grader.engine.matching import Matcher
from grader.engine.prefixes import negated_base
from grader.engine.rubric import build_rubric
from grader.engine.vocabulary import Vocabulary
from grader.grading import grade
from grader.models import Concept, KeyPoint, Question, Rubric


def found(lang: str, wording: str, answer: str) -> bool:
    """Whether a rubric of one concept, `wording`, is found in `answer`."""
    point = KeyPoint(id="p1", text=wording, concepts=[Concept(any=[wording])])
    rubric = Rubric(question_id="q", lang=lang, points=[point])
    return Matcher(rubric).match(answer, lang).points[0].concepts[0].matched


class TestTyposOfTheWrittenWord:
    """A typo is measured on the word as written too: one letter off there can put the stems far apart."""

    @pytest.mark.parametrize(
        ("lang", "wording", "answer"),
        [
            pytest.param("en", "reference", "passed by refrence", id="en-missing-letter"),
            pytest.param("en", "reference", "both are refrences", id="en-inflected-typo"),
            pytest.param("de", "Verfügbarkeit", "die Verfügbarkiet ist hoch", id="de-swapped-letters"),
            pytest.param("ru", "вероятность", "вроятность ошибки", id="ru-stem-cut-elsewhere"),
        ],
    )
    def test_found(self, lang: str, wording: str, answer: str) -> None:
        assert found(lang, wording, answer)

    @pytest.mark.parametrize(
        ("lang", "wording", "answer"),
        [
            pytest.param("ru", "форма", "другой формат", id="ru-short-written-word"),
            pytest.param("de", "Waren", "an der Kasse warten", id="de-a-word-of-the-language"),
            pytest.param("en", "model", "a modal verb", id="en-short-word"),
            pytest.param("en", "0.0001", "0.0002", id="number"),
        ],
    )
    def test_not_found(self, lang: str, wording: str, answer: str) -> None:
        assert not found(lang, wording, answer)

    def test_not_a_word_that_goes_on_where_the_other_ends(self) -> None:
        vocab = Vocabulary(["transform"], frozenset(), {}, forms={"transformer": "transform"})
        assert vocab.form_typos("transformr", "transformr") == ("transform",)  # a letter left out
        assert vocab.form_typos("transformers", "transformers") == ()  # the word goes on: another form or word

    def test_never_for_a_word_of_the_question(self) -> None:
        forms = {"reference": "refer"}
        assert Vocabulary(["refer"], frozenset(), {}, forms=forms).form_typos("refrence", "refrenc") == ("refer",)
        assert Vocabulary(["refer"], frozenset({"refrenc"}), {}, forms=forms).form_typos("refrence", "refrenc") == ()


class TestWordFamilies:
    """A word and the word it is derived from by a suffix of its language stand for one rubric word; words that
    merely look alike, share a bound root, or are negated by a prefix do not."""

    @pytest.mark.parametrize(
        ("lang", "wording", "answer"),
        [
            pytest.param("en", "reusability", "existing classes can be reused", id="en-ability-verb"),
            pytest.param("en", "reuse", "it improves reusability", id="en-verb-ability"),
            pytest.param("en", "scalability", "it can scale out", id="en-final-e"),
            pytest.param("en", "sparsity", "the weights become sparse", id="en-ity"),
            pytest.param("de", "Verfügbarkeit", "Produkte, über die man verfügen kann", id="de-barkeit"),
            pytest.param("de", "erkennbar", "man kann es erkennen", id="de-bar"),
            pytest.param("de", "menschlich", "der Mensch entscheidet", id="de-lich"),
            pytest.param("de", "Funktion", "es funktioniert nur mit Strom", id="de-ieren"),
            pytest.param("ru", "обучение", "модель обучают на разметке", id="ru-noun-verb"),
            pytest.param("ru", "обучение", "обученная модель", id="ru-noun-participle"),
            pytest.param("ru", "вычисление", "градиент вычисляют по батчу", id="ru-enie"),
            pytest.param("ru", "использование", "используют dropout", id="ru-ovanie"),
        ],
    )
    def test_one_family(self, lang: str, wording: str, answer: str) -> None:
        assert found(lang, wording, answer)

    @pytest.mark.parametrize(
        ("lang", "wording", "answer"),
        [
            pytest.param("en", "format", "a form", id="en-format-form"),
            pytest.param("en", "form", "the formats differ", id="en-form-formats"),
            pytest.param("en", "variance", "a variable", id="en-shared-bound-root"),
            pytest.param("en", "probe", "probably", id="en-adverb"),
            pytest.param("en", "three", "threats", id="en-inflected-look-alike"),
            pytest.param("en", "use", "useless", id="en-privative-suffix"),
            pytest.param("de", "Zeit", "eine Zeitung", id="de-ung-other-word"),
            pytest.param("de", "Zahl", "die Zahlung", id="de-zahlung"),
            pytest.param("de", "begrenzt", "unbegrenzt", id="de-negating-prefix"),
            pytest.param("ru", "значение", "значительно лучше", id="ru-itelno"),
            pytest.param("ru", "ограниченный", "неограниченный", id="ru-negating-prefix"),
        ],
    )
    def test_not_one_family(self, lang: str, wording: str, answer: str) -> None:
        assert not found(lang, wording, answer)

    def test_roots_need_enough_letters(self) -> None:
        assert roots("lesbar", "lesbar", "de") == ()  # "les" (lesen) is too short a root to tell words apart
        assert roots("reusable", "reusabl", "en") == ("reus",)

    def test_never_for_a_word_of_the_question(self) -> None:
        vocab = Vocabulary(["reusabl"], frozenset({"reus"}), {}, forms={"reusability": "reusabl"})
        assert vocab.family("reused", "reus") == ()
        assert Vocabulary(["reusabl"], frozenset(), {}, forms={"reusability": "reusabl"}).family("reused", "reus") == (
            "reusabl",
        )


class TestClaimWords:
    """An adverb of frequency or repetition the reference says and the question does not is a concept, though a
    stopword: it is what the reference claims."""

    @pytest.mark.parametrize(
        ("lang", "question", "reference", "word"),
        [
            pytest.param("en", "How does a do-while loop differ from a while loop?",
                         "Its body runs at least once.", "once", id="en-once"),
            pytest.param("ru", "Чем хорош выпуклый функционал потерь?",
                         "Градиентный спуск всегда находит его минимум.", "всегда", id="ru-always"),
            pytest.param("de", "Wie unterscheidet sich eine do-while-Schleife?",
                         "Der Rumpf läuft immer mindestens einmal.", "einmal", id="de-once"),
        ],
    )  # fmt: skip
    def test_is_a_concept(self, lang: str, question: str, reference: str, word: str) -> None:
        rubric = build_rubric(Question(id="q", lang=lang, question=question, reference=reference))
        assert [word] in [c.any for p in rubric.points for c in p.concepts]

    def test_not_when_the_question_says_it(self) -> None:
        q = Question(id="q", lang="ru", question="Всегда ли градиентный спуск находит минимум?",
                     reference="Нет: всегда находит его только для выпуклой функции потерь.")  # fmt: skip
        assert "всегда" not in {w for p in build_rubric(q).points for c in p.concepts for w in c.any}

    def test_an_answer_that_says_it_scores_higher(self) -> None:
        q = Question(id="q", lang="en", question="How does a do-while loop differ from a while loop?",
                     reference="The body of a do-while loop executes at least once.")  # fmt: skip
        rubric = build_rubric(q)
        once = grade(q, rubric, "The body executes at least once.").points[0].score or 0.0
        twice = grade(q, rubric, "The body executes at least twice.").points[0].score or 0.0
        assert once == 1.0 and twice < once


class TestNegatingPrefixes:
    """A reference word its prefix negates ("unlimited") is found where the answer negates the word ("no limit"),
    never where the answer says the word plainly ("limited") or negates the prefixed word ("not unlimited")."""

    CASES = {
        "en": ("How many objects can the list hold?", "The list can hold an unlimited number of objects."),
        "de": ("Wie arbeitet der Jobber?", "Der Jobber arbeitet unabhängig vom Personal der Filiale."),
        "ru": ("Как устроена зависимость?", "Зависимость целевой переменной от признака нелинейная."),
    }

    @staticmethod
    def negated_word_found(lang: str, answer: str) -> bool:
        question, reference = TestNegatingPrefixes.CASES[lang]
        q = Question(id="q", lang=lang, question=question, reference=reference)
        rubric = build_rubric(q)
        prefixed = [k for k, c in enumerate(rubric.points[0].concepts) if len(c.any) > 1]
        assert prefixed, "the prefixed word is a concept with its negated wordings"
        g = grade(q, rubric, answer)
        words = {w for e in g.points[0].evidence for w in e.text.lower().split()}
        return bool(words & {"no", "without", "unlimited", "nicht", "keine", "ohne", "unabhängig", "не", "нелинейная"})

    @pytest.mark.parametrize(
        ("lang", "answer"),
        [
            pytest.param("en", "There is no limit on the number of objects.", id="en-no"),
            pytest.param("en", "Any number of objects, without limits.", id="en-without"),
            pytest.param("de", "Er ist nicht abhängig vom Personal.", id="de-nicht"),
            pytest.param("de", "Es gibt keine Abhängigkeit vom Personal.", id="de-kein"),
            pytest.param("ru", "Зависимость не линейная.", id="ru-ne"),
            pytest.param("ru", "Зависимость нелинейная.", id="ru-same-word"),
        ],
    )
    def test_said_with_a_negation(self, lang: str, answer: str) -> None:
        assert self.negated_word_found(lang, answer)

    @pytest.mark.parametrize(
        ("lang", "answer"),
        [
            pytest.param("en", "A limited number of objects.", id="en-plain"),
            pytest.param("en", "The number of objects is not unlimited.", id="en-double-negation"),
            pytest.param("de", "Er ist abhängig vom Personal.", id="de-plain"),
            pytest.param("ru", "Зависимость линейная.", id="ru-plain"),
        ],
    )
    def test_not_said(self, lang: str, answer: str) -> None:
        assert not self.negated_word_found(lang, answer)

    @pytest.mark.parametrize(
        ("norm", "lang", "written"),
        [
            pytest.param("information", "en", "information", id="en-in-is-into"),
            pytest.param("unless", "en", "unless", id="en-conjunction"),
            pytest.param("unique", "en", "unique", id="en-no-word-left"),
            pytest.param("unfall", "de", "Unfall", id="de-noun"),
            pytest.param("недостаток", "ru", "недостаток", id="ru-noun"),
            pytest.param("нескольких", "ru", "нескольких", id="ru-quantifier"),
            pytest.param("нейронный", "ru", "нейронный", id="ru-no-word-left"),
        ],
    )
    def test_no_negating_prefix(self, norm: str, lang: str, written: str) -> None:
        assert negated_base(norm, lang, written) is None

    def test_negating_prefixes(self) -> None:
        assert negated_base("unsupervised", "en") == ("not", "supervised")
        assert negated_base("nonlinear", "en") == ("not", "linear")
        assert negated_base("unabhängig", "de", "unabhängig") == ("not", "abhängig")
        assert negated_base("бесконечный", "ru") == ("without", "конечный")
