"""A word's frequency looked up without wordfreq's tokenizer is exactly wordfreq's own figure (weights, and so
rubrics and relevance, never move with the shortcut)."""

from __future__ import annotations

import random

import pytest
from wordfreq import top_n_list, zipf_frequency

from grader.engine.informativeness import _PLAIN, _zipf_of_word, zipf


def _words(lang: str) -> list[str]:
    """Common and rare words of `lang` that take the shortcut, with misspellings of them (words wordfreq has not
    seen) and one letter alone."""
    rng = random.Random(19)
    known = [w for w in top_n_list(lang, 20_000) if _PLAIN[lang].fullmatch(w)]
    sample = known[:300] + rng.sample(known[300:], 300)
    typos = [w[:i] + w[i + 1 :] for w in sample[:200] if len(w) > 3 for i in [rng.randrange(1, len(w) - 1)]]
    return sample + typos + [sample[0][0]]


class TestShortcut:
    """The looked-up figure equals `wordfreq.zipf_frequency` for every word it is taken for."""

    @pytest.mark.parametrize("lang", ["en", "de", "ru"])
    def test_same_as_wordfreq(self, lang: str) -> None:
        words = _words(lang)
        assert len(words) > 700
        assert [_zipf_of_word(w, lang) for w in words] == [float(zipf_frequency(w, lang)) for w in words]

    def test_unseen_word_is_zero(self) -> None:
        assert _zipf_of_word("qzxqzxv", "en") == 0.0 == zipf_frequency("qzxqzxv", "en")

    @pytest.mark.parametrize(
        ("word", "lang"), [("straße", "de"), ("don't", "en"), ("covid19", "en"), ("Ёлка", "ru"), ("tcp/ip", "en")]
    )
    def test_other_words_go_through_wordfreq(self, word: str, lang: str) -> None:
        assert not _PLAIN[lang].fullmatch(word)
        assert zipf(word, lang) == float(zipf_frequency(word, lang))
