"""Everyday near-synonyms, the other Latin stemmer, and the question-word guard of the lexical matcher."""

from __future__ import annotations

import pytest

from grader.engine import synonyms
from grader.engine.text import ALL_STOPWORDS, tokenize
from tests.test_matching import _found, _matcher


def _key(word: str, lang: str = "ru") -> str:
    return synonyms.canonical(tokenize(word, lang).stems[0])


class TestTable:
    """The table is general vocabulary: one key per stem, no stopwords, keys that never look like a word."""

    def test_no_stem_in_two_groups(self) -> None:
        assert synonyms.conflicts() == []

    def test_no_stopwords(self) -> None:
        words = [w for g in synonyms.groups().values() for ws in g.values() for w in ws]
        assert not [w for w in words if w in ALL_STOPWORDS]

    def test_every_group_has_words_in_two_languages(self) -> None:
        thin = [k for k, g in synonyms.groups().items() if sum(bool(ws) for ws in g.values()) < 2]
        assert thin == ["one"]  # "one" is an English stopword, "eins" a German one

    @pytest.mark.parametrize(
        ("a", "b"),
        [
            ("около", "близко"),
            ("почти", "примерно"),
            ("крошечный", "маленький"),
            ("прекращается", "останавливается"),
            ("снижать", "уменьшать"),
            ("руками", "вручную"),
            ("нулю", "0"),
            ("tiny", "small"),
            ("stall", "stop"),
        ],
    )
    def test_same_key(self, a: str, b: str) -> None:
        assert _key(a) == _key(b)
        assert _key(a).startswith(synonyms.KEY_MARK)

    def test_german_and_english_share_a_key(self) -> None:
        assert _key("nahe", "de") == _key("near", "en")

    @pytest.mark.parametrize(("a", "b"), [("маленький", "большой"), ("уменьшать", "увеличивать"), ("near", "stop")])
    def test_opposites_and_strangers_stay_apart(self, a: str, b: str) -> None:
        assert _key(a) != _key(b)

    def test_a_word_in_no_group_is_itself(self) -> None:
        assert synonyms.canonical("градиент") == "градиент"


class TestSynonymsInMatching:
    """A wording matches an answer that says it in other everyday words, in any of the languages."""

    M = _matcher(["близко к 0 или 1"], ["маленький градиент"], ["обучение останавливается"], ["признаки вручную"])

    @pytest.mark.parametrize(
        ("answer", "expected"),
        [
            pytest.param("выход почти всегда около 0 или 1", [True, False, False, False], id="okolo-for-blizko"),
            pytest.param("выход примерно ноль или единица", [True, False, False, False], id="numbers-as-words"),
            pytest.param("градиент становится крошечным", [False, True, False, False], id="kroshechny-for-malenky"),
            pytest.param("градиент очень маленкий", [False, True, False, False], id="typo-in-a-synonym"),
            pytest.param("и обучение прекращается", [False, False, True, False], id="prekrashchaetsya"),
            pytest.param("обучение застревает", [False, False, True, False], id="zastrevaet"),
            pytest.param("признаки придумывают руками", [False, False, False, True], id="rukami-for-vruchnuyu"),
            pytest.param("градиент большой", [False, False, False, False], id="opposite-not-matched"),
            pytest.param("около нуля", [False, False, False, False], id="half-a-wording-is-not-it"),
        ],
    )
    def test_russian(self, answer: str, expected: list[bool]) -> None:
        assert _found(self.M, answer) == expected

    def test_negation_still_counts(self) -> None:
        assert _found(self.M, "тут совсем не крошечный градиент") == [False, False, False, False]

    def test_english_and_german_answers(self) -> None:
        m = _matcher(["near 0 or 1"], ["small gradient"], lang="ru")
        assert _found(m, "the output sits close to 0 or 1 and the gradient is tiny", "en") == [True, True]
        assert _found(m, "die Ausgabe liegt nahe 0 oder 1", "de") == [True, False]

    def test_evidence_is_what_the_candidate_wrote(self) -> None:
        answer = "Выход сигмоиды всё время около 0 или 1."
        (concept,) = _matcher(["близко к 0 или 1"]).match(answer).points[0].concepts
        assert [s.text for s in concept.evidence] == ["около 0 или 1"]


class TestOtherLatinStemmer:
    """A Russian rubric stems its Latin words in English; a German answer's words are found all the same."""

    def test_german_wording_in_a_russian_rubric(self) -> None:
        m = _matcher(["lokale Muster"], ["Backpropagation"], lang="ru")
        assert _found(m, "Faltungen erkennen lokale Muster, trainiert per Backpropagation", "de") == [True, True]


class TestQuestionWords:
    """Echoing the question gives no evidence, not even through typo tolerance."""

    def test_wording_close_to_a_question_word_is_dropped(self) -> None:
        m = _matcher(["backprop"], ["unroll"], question="Что такое Backpropagation through time?")
        assert [len(c.wordings) for c in m.points[0].concepts] == [1]  # only "unroll" is left
        assert m.match("Backpropagation through time это backprop").points[0].score == 0.0

    def test_question_word_in_the_answer_matches_only_exactly(self) -> None:
        m = _matcher(["регуляризованные веса"], question="Зачем нужна регуляризация?")
        assert _found(m, "регуляризация весов") == [False]  # the question's word, not the rubric's
        assert _found(m, "регуляризованные веса") == [True]
