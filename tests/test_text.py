"""Normalisation, language detection, per-script stemming and word offsets (grader.engine.text)."""

from __future__ import annotations

import random

import pytest

from grader.engine.text import _WORD, detect_lang, normalise_word, tokenize
from grader.engine.words import Words


class TestNormalise:
    """A word is case-folded, ё becomes е, stress marks go, apostrophes are unified."""

    @pytest.mark.parametrize(
        ("raw", "norm"),
        [
            pytest.param("Ёлка", "елка", id="yo-capital"),
            pytest.param("обучённая", "обученная", id="yo-inside"),
            pytest.param("е\u0308ж", "еж", id="yo-decomposed"),
            pytest.param("НЕЙРОН", "нейрон", id="upper-cyrillic"),
            pytest.param("Dropout", "dropout", id="latin-case"),
            pytest.param("насыще\u0301ние", "насыщение", id="stress-acute"),
            pytest.param("ReLU’s", "relu's", id="typographic-apostrophe"),
            pytest.param("ＲｅＬＵ", "relu", id="fullwidth"),
            pytest.param("Größe", "größe", id="german-umlaut-kept"),
        ],
    )
    def test_normalise_word(self, raw: str, norm: str) -> None:
        assert normalise_word(raw) == norm

    def test_a_stressed_word_stays_one_word(self) -> None:
        text = "Насыще\u0301ние нейро\u0301на"
        toks = tokenize(text)
        assert toks.norms == ["насыщение", "нейрона"]
        assert [text[a:b] for a, b in zip(toks.starts, toks.ends, strict=True)] == ["Насыще\u0301ние", "нейро\u0301на"]
        assert toks.stems == tokenize("насыщение нейрона").stems

    def test_yo_and_ye_stem_alike(self) -> None:
        assert tokenize("обучённой сети").stems == tokenize("обученной сети").stems

    def test_emoji_and_punctuation_are_not_words(self) -> None:
        toks = tokenize("🔹Инициализация весов 👍4 — (backprop)! #глубокое_обучение")
        assert toks.norms == ["инициализация", "весов", "4", "backprop", "глубокое", "обучение"]


class TestMixedScripts:
    """Each word is stemmed by the stemmer of its own script, so mixed sentences work."""

    def test_russian_sentence_with_english_terms(self) -> None:
        toks = tokenize("Используем dropout и batch normalization для регуляризации")
        stems = dict(zip(toks.norms, toks.stems, strict=True))
        assert stems["dropout"] == "dropout"
        assert stems["normalization"] == "normal"  # English Snowball
        assert stems["регуляризации"] == tokenize("регуляризацию").stems[0] == "регуляризац"  # Russian Snowball

    def test_latin_words_get_the_german_stemmer_in_german_text(self) -> None:
        assert tokenize("Schichten", "de").stems == tokenize("Schicht", "de").stems == ["schicht"]
        assert tokenize("Schichten", "en").stems == ["schichten"]  # the English stemmer leaves it alone

    def test_cyrillic_words_get_the_russian_stemmer_whatever_the_language(self) -> None:
        assert tokenize("нейронами", "en").stems == tokenize("нейронами", "ru").stems == ["нейрон"]


class TestDetectLang:
    """Russian when a fair share of letters is Cyrillic; otherwise German or English."""

    @pytest.mark.parametrize(
        ("text", "lang"),
        [
            pytest.param("Градиент затухает, потому что сигмоида насыщается", "ru", id="russian"),
            pytest.param(
                "Используем dropout и batch normalization, чтобы сеть не переобучалась", "ru", id="ru-with-en"
            ),
            pytest.param("The gradient vanishes because the sigmoid saturates", "en", id="english"),
            pytest.param("Der Gradient verschwindet, weil die Sigmoidfunktion sättigt", "de", id="german-umlaut"),
            pytest.param("Der Gradient wird klein, und das Netz lernt nicht mehr", "de", id="german-no-umlaut"),
        ],
    )
    def test_detect(self, text: str, lang: str) -> None:
        assert detect_lang(text) == lang

    @pytest.mark.parametrize("text", ["", "   ", "42 1e-3 0.5", "👍👍👍"])
    def test_no_letters_gives_the_default(self, text: str) -> None:
        assert detect_lang(text, default="en") == "en"


class TestOffsets:
    """Offsets point at the original text, whatever comes before a word."""

    def test_offsets_after_emoji_yo_and_newlines(self) -> None:
        text = "🔥🔥 Ёж\n\nзнает:\tиспользуем 👍 dropout,  ёмкость"
        toks = tokenize(text)
        assert [text[a:b] for a, b in zip(toks.starts, toks.ends, strict=True)] == [
            "Ёж",
            "знает",
            "используем",
            "dropout",
            "ёмкость",
        ]

    def test_underscores_split_words(self) -> None:
        text = "batch_size и learning_rate"
        toks = tokenize(text)
        assert toks.norms == ["batch", "size", "и", "learning", "rate"]
        assert [text[a:b] for a, b in zip(toks.starts, toks.ends, strict=True)] == toks.norms

    def test_words_offsets_match_tokenize(self) -> None:
        text = "Слой (layer) — кросс-валидация,\nа потом  early stopping."
        words, toks = Words.of(text), tokenize(text)
        assert words.norms == toks.norms and words.stems == toks.stems
        assert [words.starts[i] for i in range(len(words))] == toks.starts
        assert [words.ends[i] for i in range(len(words))] == toks.ends
        n = len(words)
        assert [words.span(a, b) for a in range(n) for b in range(a, n)] == [
            (toks.starts[a], toks.ends[b]) for a in range(n) for b in range(a, n)
        ]

    def test_same_words_as_one_regex_over_the_whole_text(self) -> None:
        """The chunked tokenizer is an optimisation: it must agree with the plain word regex on any text."""
        rng = random.Random(20261130)
        alphabet = [*"абвгдеёжзийклмнопрстуфхцчшщъыьэюяЁЯabcxyzXZäöüß0189", " ", " ", "  ", "\n", "\t", "\u00a0"]
        alphabet += [",", ".", "-", "—", "'", "’", "_", "\u0301", "\u0308", "🙂", "👍", "(", "#", "\r\n"]
        for _ in range(2000):
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 50)))
            toks = tokenize(text, rng.choice(["ru", "en", "de"]))
            expected = [(m.start(), m.end(), normalise_word(m.group())) for m in _WORD.finditer(text)]
            assert list(zip(toks.starts, toks.ends, toks.norms, strict=True)) == expected, repr(text)

    def test_words_view_agrees_with_tokenize_on_any_text(self) -> None:
        """`Words` finds a word from the few pieces (between spaces) that do not hold exactly one word: empty pieces,
        punctuation, hyphenated and underscored terms must all leave every offset where `tokenize` puts it."""
        rng = random.Random(7)
        pieces = ["слово", "ещё", "кросс-валидация", "batch_size", "—", "", "(L1/L2)", "🙂", "т.е.", "a,b,c", "Ёж"]
        for _ in range(500):
            text = " ".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
            words, toks = Words.of(text), tokenize(text)
            n = len(words)
            assert n == len(toks.norms) and words.norms == toks.norms, repr(text)
            assert [words.offset(i) for i in range(n)] == toks.starts, repr(text)
            assert [words.ends[i] for i in range(n)] == toks.ends, repr(text)
            assert [words.norm(i) for i in range(n)] == toks.norms, repr(text)
            for _ in range(5):  # offsets are memoised per piece: any order of questions gives the same answers
                if n:
                    a = rng.randrange(n)
                    b = rng.randrange(a, n)
                    assert words.span(a, b) == (toks.starts[a], toks.ends[b]), repr(text)

    def test_words_view_of_a_long_text(self) -> None:
        """Far apart in a long text, offsets come from a table of all pieces: the same offsets, in any order."""
        rng = random.Random(8)
        pieces = ["слово", "кросс-валидация", "—", "", "(L1/L2)", "batch_size", "ёж"]
        text = " ".join(rng.choice(pieces) for _ in range(9000))
        words, toks = Words.of(text), tokenize(text)
        order = list(range(len(words)))
        rng.shuffle(order)
        assert all(words.offset(i) == toks.starts[i] and words.ends[i] == toks.ends[i] for i in order[:3000])

    def test_repeated_calls_agree(self) -> None:
        """Words are memoised per process; a second pass must give the same answer."""
        text = "Переобучение: модель запоминает шум, overfitting."
        assert tokenize(text) == tokenize(text)


class TestNumbers:
    """A number with a decimal point or comma is one word whose stem is its value; ambiguous ones stay as written."""

    @pytest.mark.parametrize(("text", "stems"), [
        ("1.0 1,00 0,50 16,50 10.0", ["1", "1", "0.5", "16.5", "10"]),
        ("1,000 1.2.3 0.001", ["1.000", "1.2.3", "0.001"]),  # thousands, a version, three decimals: as written
        ("Ставка 0,5% и 1.0.", ["ставк", "0.5", "и", "1"]),
        ("x1.5 v2,0 ab_1.5", ["x1", "5", "v2", "0", "ab", "1.5"]),  # glued to letters: not a number
    ], ids=["values", "as-written", "sentence", "glued"])  # fmt: skip
    def test_number_words(self, text: str, stems: list[str]) -> None:
        toks = tokenize(text, "ru")
        assert toks.stems == stems
        assert [text[a:b] for a, b in zip(toks.starts, toks.ends, strict=True)][-1] in text

