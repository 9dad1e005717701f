"""The lexical matcher: inflections, typos, multi-word wordings, negation, and evidence offsets into the answer."""

from __future__ import annotations

import random

import pytest

from grader.engine.matching import Matcher
from grader.engine.text import tokenize
from grader.models import Question, Rubric


def _matcher(*concepts: list[str], question: str = "", lang: str = "ru") -> Matcher:
    rubric = Rubric.model_validate(
        {"question_id": "q", "lang": lang, "points": [{"id": "p", "text": "p", "concepts": list(concepts)}]}
    )
    return Matcher(rubric, question)


def _found(m: Matcher, answer: str, lang: str | None = None) -> list[bool]:
    return [c.matched for c in m.match(answer, lang).points[0].concepts]


class TestInflectionsAndTypos:
    """A wording matches its inflected forms, and typos in longer words; short words must match exactly."""

    M = _matcher(["функция активации"], ["регуляризация"], ["градиентный спуск"], ["ReLU"], ["слой"])

    @pytest.mark.parametrize(
        ("answer", "expected"),
        [
            pytest.param("с функцией активации", [True, False, False, False, False], id="instrumental"),
            pytest.param("функции активаций", [True, False, False, False, False], id="plural"),
            pytest.param("регуляризацию весов", [False, True, False, False, False], id="accusative"),
            pytest.param("регулиризация", [False, True, False, False, False], id="typo-vowel"),
            pytest.param("регуляризацея", [False, True, False, False, False], id="typo-ending"),
            pytest.param("градиентным спуском", [False, False, True, False, False], id="both-words-inflected"),
            pytest.param("градиетный спуск", [False, False, True, False, False], id="typo-in-phrase"),
            pytest.param("relu", [False, False, False, True, False], id="case"),
            pytest.param("relo", [False, False, False, False, False], id="short-word-typo-rejected"),
            pytest.param("слоями", [False, False, False, False, True], id="short-word-inflected"),
            pytest.param("сон", [False, False, False, False, False], id="unrelated"),
        ],
    )
    def test_match(self, answer: str, expected: list[bool]) -> None:
        assert _found(self.M, answer) == expected


class TestMultiWord:
    """Every word of a multi-word wording must occur, in any order, within a short window."""

    M = _matcher(["обратное распространение ошибки"])

    @pytest.mark.parametrize(
        ("answer", "found"),
        [
            pytest.param("обратное распространение ошибки", True, id="as-written"),
            pytest.param("ошибка распространяется обратно через слои", True, id="derived-forms"),
            pytest.param("распространение ошибки обратное", True, id="any-order"),
            pytest.param("обратное, как видим, распространение ошибки", True, id="small-gap"),
            pytest.param("обратное " + "слово " * 10 + "распространение ошибки", False, id="too-far-apart"),
            pytest.param("распространение ошибки", False, id="word-missing"),
        ],
    )
    def test_window(self, answer: str, found: bool) -> None:
        assert _found(self.M, answer) == [found]


class TestNegation:
    """A negation cue just before a concept stops it counting; "не только" is not a negation."""

    M = _matcher(["dropout"], ["сигмоида", "sigmoid", "Sigmoid"])

    @pytest.mark.parametrize(
        ("answer", "lang", "expected"),
        [
            pytest.param("используем dropout", "ru", [True, False], id="plain"),
            pytest.param("не используем dropout", "ru", [False, False], id="ne"),
            pytest.param("обучаем без dropout", "ru", [False, False], id="bez"),
            pytest.param("we do not use dropout", "en", [False, False], id="not"),
            pytest.param("training without dropout", "en", [False, False], id="without"),
            pytest.param("Training ohne Dropout", "de", [False, False], id="ohne"),
            pytest.param("не только dropout, но и сигмоида", "ru", [True, True], id="ne-tolko"),
            pytest.param("not only dropout but also the sigmoid", "en", [True, True], id="not-only"),
            pytest.param("не сигмоида. Dropout помогает", "ru", [True, False], id="sentence-ends-scope"),
            pytest.param("почти не учится и dropout", "ru", [True, False], id="verb-negation-ends-at-and"),
            pytest.param("it does not train and dropout", "en", [True, False], id="not-ends-at-and"),
            pytest.param("без сигмоиды и dropout", "ru", [False, False], id="bez-spans-a-list"),
            pytest.param("without sigmoid or dropout", "en", [False, False], id="without-spans-a-list"),
        ],
    )
    def test_negation(self, answer: str, lang: str, expected: list[bool]) -> None:
        assert _found(self.M, answer, lang) == expected

    def test_negated_is_reported(self) -> None:
        concept = self.M.match("без dropout").points[0].concepts[0]
        assert (concept.matched, concept.negated) == (False, True)

    def test_a_later_plain_mention_still_counts(self) -> None:
        concept = self.M.match("не только без dropout: потом добавили dropout").points[0].concepts[0]
        assert concept.matched


class TestEvidence:
    """Evidence spans are [start, end) offsets into the original answer, text included."""

    M = _matcher(["обучение"], ["функция активации"], ["dropout"])

    @pytest.mark.parametrize(
        "answer",
        [
            pytest.param("🔥🔥 Ещё раз: обучение идёт, функцией активации служит ReLU, плюс dropout", id="emoji-yo"),
            pytest.param("Ёлки!\n\n👍 Обуче\u0301ние — это… Функции\tактивации и Dropout", id="stress-tab-newline"),
            pytest.param("«Обучение» (dropout) и функция_активации", id="quotes-underscore"),
        ],
    )
    def test_offsets_point_at_the_answer(self, answer: str) -> None:
        spans = [s for c in self.M.match(answer).points[0].concepts for s in c.evidence]
        assert len(spans) == 3
        for s in spans:
            assert answer[s.start : s.end] == s.text
        texts = sorted(s.text.lower() for s in spans)
        assert texts[0] == "dropout"
        assert texts[1].startswith("обуче")
        assert texts[2].startswith("функци")

    def test_multi_word_span_covers_the_whole_window(self) -> None:
        answer = "👍 активации функция"
        (span,) = self.M.match(answer).points[0].concepts[1].evidence
        assert (span.start, span.end, span.text) == (2, len(answer), "активации функция")

    def test_at_most_three_spans_per_concept(self) -> None:
        spans = self.M.match("dropout " * 50).points[0].concepts[2].evidence
        assert [s.start for s in spans] == [0, 8, 16]


class TestQuestionWords:
    """A wording made only of the question's words is no evidence: repeating the question proves nothing."""

    def test_question_words_give_no_evidence(self) -> None:
        m = _matcher(["насыщение нейрона"], ["сигмоида"], question="Что такое насыщение нейрона?")
        assert _found(m, "Насыщение нейрона — это насыщение нейрона.") == [False]
        assert _found(m, "сигмоида") == [True]


def test_point_score_is_the_weighted_share_of_concepts() -> None:
    rubric = Rubric.model_validate(
        {
            "question_id": "q",
            "points": [{"id": "p", "text": "p", "concepts": [{"any": ["градиент"], "weight": 3}, ["сигмоида"]]}],
        }
    )
    m = Matcher(rubric)
    assert m.match("градиент").points[0].score == 0.75
    assert m.match("сигмоида").points[0].score == 0.25
    assert m.match("градиент и сигмоида").points[0].score == 1.0


def test_a_megabyte_answer_grades_correctly() -> None:
    """No blow-up on a 1 MB answer, and the grade is the grade of its content (not a time assertion)."""
    from grader.engine.lexical import grade_lexical

    question = Question(id="q", question="Что такое переобучение?", reference="...")
    rubric = Rubric.model_validate(
        {
            "question_id": "q",
            "points": [
                {"id": "a", "text": "a", "concepts": [["обучающая выборка"], ["шум"]]},
                {"id": "b", "text": "b", "concepts": [["регуляризация"], ["dropout"]]},
                {"id": "c", "text": "c", "concepts": [["трансформер"]]},
            ],
        }
    )
    unit = "Модель запоминает шум обучающей выборки; помогают регуляризация и dropout. Ещё немного текста. "
    answer = unit * (1_000_000 // len(unit.encode()) + 1)
    assert len(answer.encode()) > 1_000_000
    g = grade_lexical(question, rubric, answer)
    assert [p.status for p in g.points] == ["covered", "covered", "missing"]
    for p in g.points:
        for s in p.evidence:
            assert answer[s.start : s.end] == s.text


class TestWordIndexes:
    """The matcher counts words and cites evidence from the few pieces of an answer it looks at; on any answer
    both must agree with the plain tokenizer."""

    M = _matcher(["кросс-валидация"], ["обучающая выборка"], ["dropout"], ["batch_size"], ["не только"])

    def test_counts_and_evidence_agree_with_tokenize(self) -> None:
        rng = random.Random(11)
        pieces = ["обучающей", "выборке", "кросс-валидацию", "dropout,", "batch_size", "—", "", "не", "(L1/L2)",
                  "🙂", "т.е.", "и", "только", "Dropout.", "выборка", "обучающая"]  # fmt: skip
        for _ in range(300):
            answer = " ".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
            toks = tokenize(answer)
            m = self.M.match(answer)
            assert m.n_tokens == len(toks.norms), repr(answer)
            for concept in m.points[0].concepts:
                for e in concept.evidence:
                    assert e.start in toks.starts and e.end in toks.ends, (answer, e)
                    assert answer[e.start : e.end] == e.text


class TestNumbers:
    """A number written with a decimal point or comma is one number: its digits are not evidence of others, and it
    reads as its value ("1,0" is "1", "0.50" is "0.5"); a number is never a typo of another."""

    M = _matcher(["близко к 0 или 1"], ["0.5"], ["16,50 €"], ["0.0001"])

    @pytest.mark.parametrize(("answer", "found"), [
        ("Нейрон выдаёт 1.0 почти всегда 🙂", [False, False, False, False]),
        ("learning rate 0.01 и 1.0", [False, False, False, False]),
        ("выход около 0.0 или 1.0", [True, False, False, False]),
        ("выход близко к 0 или 1,0, dropout 0,50", [True, True, False, False]),
        ("dropout 0.5 и 0.05", [False, True, False, False]),
        ("kostet 16.50 € ёж", [False, False, True, False]),
        ("kostet 16 50 €", [False, False, False, False]),
        ("eps 0.0002 или 0.0001", [False, False, False, True]),
        ("eps 0.0002", [False, False, False, False]),
    ], ids=["one-point-zero", "hundredth-and-one", "zero-point-zero-or-one", "commas", "half-not-twentieth",
            "euro-point", "euro-spaced", "small-exact", "small-no-typo"])  # fmt: skip
    def test_numbers_match_as_numbers(self, answer: str, found: list[bool]) -> None:
        assert _found(self.M, answer) == found

    def test_evidence_is_the_whole_number(self) -> None:
        answer = "выход около 0.0 или 1.0."
        evidence = self.M.match(answer).points[0].concepts[0].evidence
        assert [e.text for e in evidence] == ["около 0.0 или 1.0"]  # "около": a synonym of "близко"


class TestLabelSequences:
    """A rubric word made of the question's letter labels ("BCA" for events A, B, C) is a sequence: written with
    separators in the answer ("B, C, A", "B < C < A", "A > C > B") it counts, in its order only."""

    M = _matcher(["BCA"], question="Arrange Event A, Event B and Event C from least to most probable.", lang="en")

    @pytest.mark.parametrize(("answer", "evidence"), [
        ("BCA", "BCA"), ("B, C, A", "B, C, A"), ("The order: B < C < A.", "B < C < A"),
        ("B -> C -> A", "B -> C -> A"), ("Порядок: B → C → A, ёж 🙂", "B → C → A"), ("A > C > B", "A > C > B"),
        ("Reihenfolge B-C-A", "B-C-A"), ("least to most: B C A", "B C A"),
    ], ids=["joined", "commas", "less-than", "arrows", "ru-arrows", "greater-than-reversed", "de-dashes",
            "spaces"])  # fmt: skip
    def test_a_sequence_in_its_order_counts(self, answer: str, evidence: str) -> None:
        concept = self.M.match(answer).points[0].concepts[0]
        assert concept.matched and [e.text for e in concept.evidence] == [evidence]

    @pytest.mark.parametrize("answer", [
        "A, C, B", "C > B > A", "B, A, C", "Events B, C and A", "not B, C, A", "b, c, a", "AB, C, A",
    ], ids=["other-order", "reversed-wrongly", "swapped", "prose", "negated", "lower-case", "glued"])  # fmt: skip
    def test_anything_else_does_not(self, answer: str) -> None:
        assert _found(self.M, answer) == [False]

    def test_letters_that_are_not_the_questions_labels_are_no_sequence(self) -> None:
        m = _matcher(["GPU"], question="Where does training run fastest?", lang="en")
        assert _found(m, "on a GPU") == [True]
        assert _found(m, "G, P, U") == [False]
