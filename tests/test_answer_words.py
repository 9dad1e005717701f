"""The answer's words read once for every check of a grade give what each check worked out on its own before."""

from __future__ import annotations

import pytest

from grader.engine.answer_words import CLAUSE_BREAK, AnswerWords, answer_words, clause_breaks
from grader.engine.contradictions import sentences
from grader.engine.matching import Matcher
from grader.engine.text import tokenize
from grader.models import Rubric

# Pieces that do not hold one word, underscores, apostrophes, stress marks, letters that fold to ASCII, emoji,
# mixed scripts, words run into sentence punctuation.
TEXTS = [
    "Переобучение — это когда модель запоминает шум.Она плохо обобщает ,  а  тест падает!",
    "The model's error is high and the batch_size is small; if so, it's noisy…\nNext line: ReLU/tanh",
    "Веса́ не обновля́ются, и градиент затухает. İf ſo, and's K ок 🙂 x_and и_так",
    "  двойные   пробелы , и\tтабы\tи перевод\r\nстроки; über Überanpassung und weil  ",
    "",
    "...",
]


def _rubric(lang: str) -> Rubric:
    return Rubric.model_validate(
        {"question_id": "q", "lang": lang, "points": [{"id": "p", "text": "p", "concepts": [["модель"], ["error"]]}]}
    )


def _expected(text: str, a: int, b: int, lang: str) -> tuple[list[str], list[str], list[int], list[int]]:
    toks = tokenize(text[a:b], lang)
    return toks.norms, toks.stems, [a + x for x in toks.starts], [a + x for x in toks.ends]


class TestStretches:
    """A sentence's words, from the matcher's pieces or tokenised alone, are those of tokenising the sentence."""

    @pytest.mark.parametrize("lang", ["ru", "en", "de"])
    @pytest.mark.parametrize("text", TEXTS)
    def test_from_pieces_and_alone(self, text: str, lang: str) -> None:
        match = Matcher(_rubric("ru"), "").match(text, lang)
        whole = answer_words(match, text, lang)
        assert answer_words(match, text, lang) is whole  # once per match
        whole.read_all()
        alone = AnswerWords(text, whole.latin)
        for a, b in [*sentences(text), (0, len(text))]:
            expected = _expected(text, a, b, lang)
            assert tuple(whole.between(a, b)) == expected
            assert tuple(alone.between(a, b)) == expected

    def test_another_language_is_read_again(self) -> None:
        text = "Die Überanpassung tritt auf"
        match = Matcher(_rubric("ru"), "").match(text, "en")
        words = answer_words(match, text, "de")
        words.read_all()
        assert tuple(words.between(0, len(text))) == _expected(text, 0, len(text), "de")


class TestClauseBreaks:
    """Clause breaks found among a sentence's words are where the pattern finds them, unusual letters included."""

    @pytest.mark.parametrize("text", TEXTS)
    def test_same_as_the_pattern(self, text: str) -> None:
        for a, b in [*sentences(text), (0, len(text))]:
            norms, _stems, starts, _ends = _expected(text, a, b, "en")
            assert clause_breaks(text, a, b, norms, starts) == [m.start() for m in CLAUSE_BREAK.finditer(text, a, b)]

    def test_conjunctions_and_punctuation_in_order(self) -> None:
        text = "Ошибка высокая, и тест падает, но AND тоже"
        norms, _stems, starts, _ends = _expected(text, 0, len(text), "ru")
        assert clause_breaks(text, 0, len(text), norms, starts) == [14, 16, 29, 31, 34]
