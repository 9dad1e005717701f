"""How much a word says: general-language frequency (wordfreq's Zipf scale for ru/en/de), never the input's rows.

A word people use everywhere ("use", "make", "данные") tells little about which idea an answer covers; a rare one
("sigmoid", "Kraftstoff") tells a lot. The weight depends only on the word and its language, so a rubric built from
a reference is the same whatever else a batch holds. Pure, apart from wordfreq's lazily loaded word lists.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

from grader.engine.text import MEMO_KEY_MAX

# Zipf is log10 of a word's frequency per billion words: ~7 for "the", ~5 for "function", ~3 for "sigmoid".
COMMONEST = 7.0
SPREAD = 4.0  # Zipf units from the commonest words to a weight of 1 above the floor
FLOOR, CEILING = 0.25, 2.0
# Words wordfreq's tokenizer keeps whole and unchanged, per language: lower-case letters of its script (no "ß",
# which it folds to "ss"). Their frequency is looked up without running its tokenizer (`_zipf_of_word`).
_PLAIN = {"en": re.compile("[a-z]+"), "de": re.compile("[a-zäöü]+"), "ru": re.compile("[а-яё]+")}
_UNSEEN = 10**0.0 / 1e9  # wordfreq's `zipf_to_freq(0)`: the frequency it gives a word it has never seen


def zipf(norm: str, lang: str) -> float:
    """The word's Zipf frequency in `lang` (0 for a word wordfreq has never seen); remembered for words of at most
    `MEMO_KEY_MAX` characters (a longer "word" is a pasted blob: not worth megabytes of memo)."""
    return _zipf(norm, lang) if len(norm) <= MEMO_KEY_MAX else _zipf.__wrapped__(norm, lang)


@lru_cache(maxsize=100_000)
def _zipf(norm: str, lang: str) -> float:
    plain = _PLAIN.get(lang)
    if plain is not None and plain.fullmatch(norm):
        return _zipf_of_word(norm, lang)
    from wordfreq import zipf_frequency  # only building a rubric needs it (~0.5 s per language, once)

    return float(zipf_frequency(norm, lang))


def _zipf_of_word(word: str, lang: str) -> float:
    """`wordfreq.zipf_frequency(word, lang)` for a word its tokenizer reads as this one token (`_PLAIN`): the word
    looked up and its frequency rounded as wordfreq rounds it, without the tokenizer (half the cost of a new word;
    `tests/test_informativeness.py` holds the two equal)."""
    from wordfreq import get_frequency_dict

    freq = get_frequency_dict(lang, "best").get(word)
    if freq is None:
        freq = _UNSEEN  # returned as it is, unrounded
    else:  # one token: 1 / (1 / f), rounded to three significant digits
        freq = max(1.0 / (1.0 / freq), _UNSEEN)
        freq = round(freq, math.floor(-math.log(freq, 10)) + 3)
    return float(round(math.log(freq, 10) + 9, 2))


def weight(norm: str, lang: str) -> float:
    """A concept weight for the word: from FLOOR for the commonest words to CEILING for rare terms."""
    if any(c.isdigit() for c in norm):
        return 1.5  # a number or a quantity with its unit ("16,50", "300m") is as specific as a rare term
    z = zipf(norm, "en" if lang == "ru" and norm.isascii() else lang)
    return round(max(FLOOR, min(CEILING, FLOOR + (COMMONEST - z) / SPREAD)), 2)
