"""The opposites a hedge may join ("increases or decreases", "high or low", "well or poorly", "richtig oder
falsch"): the direction words of `grader.engine.reversal`, the gradable adjectives of `grader.engine.opposites`, and
the evaluative ones here, looked up by stem. Pure data and one lookup, built on first use."""

from __future__ import annotations

import functools

from grader.engine.opposites import GRADABLE
from grader.engine.reversal import PAIRS, lexicon
from grader.engine.text import stem_word

# Evaluative opposites and the comparison "more/less", beside the directions and gradable adjectives already known.
EVALUATIVE: tuple[tuple[str, str], ...] = (
    (
        """good better best well gut gute guter guten gutes besser beste хороший хорошая хорошее хорошие хорошо
        лучше лучший""",
        """bad worse worst poor poorly badly schlecht schlechte schlechter schlechten плохой плохая плохое плохие
        плохо хуже худший""",
    ),
    (
        """right correct true richtig richtige korrekt wahr верный верная верное верно правильный правильная
        правильное правильно""",
        """wrong incorrect false falsch falsche inkorrekt unwahr неверный неверная неверное неверно неправильный
        неправильная неправильное неправильно ложный ложно""",
    ),
    ("more mehr больше более", "less fewer weniger меньше менее"),
)
# Intransitive verbs of the direction "increases/decreases" (`reversal.PAIRS` has the transitive ones in English).
RISE_FALL = ("rise rises rising rose grows climb climbs", "fall falls falling fell drop drops declines shrinks")
APPROX = len(PAIRS) + len(GRADABLE) + len(EVALUATIVE) - 1  # "more or less": a hedge only when marked both sides


@functools.cache
def _pole_lexicon() -> dict[str, tuple[tuple[int, int], ...]]:
    """Lookup key -> every (pair, side) it is in: "lower" is both the verb ("lowers the variance") and the adjective,
    and either may meet its opposite ("raises or lowers"). Built on first use: most grades never need it."""
    found: dict[str, tuple[tuple[int, int], ...]] = {}
    rising = next(k for k, (up, _down) in enumerate(PAIRS) if "increases" in up.split())
    parts = ((PAIRS, 0), (GRADABLE, len(PAIRS)), (EVALUATIVE, len(PAIRS) + len(GRADABLE)), ((RISE_FALL,), rising))
    for pairs, first in parts:
        for key, side in lexicon(pairs, first).items():
            found[key] = (*dict.fromkeys((*found.get(key, ()), side)),)
    return found


_EXACT = "="  # how `reversal.lexicon` keys a word matched whole ("faster", "сложнее")

def lookup(norm: str, stem: str) -> tuple[tuple[int, int], ...] | None:
    """Every (pair, side) a word (normalised, stemmed as an answer's words are) is in as one of a pair of
    opposites; by the stemmer's stem too, where the answer's is its lemma's ("растёт", "растут": "расти"), which
    the lexicon, keyed by the stemmer, does not know."""
    poles = _pole_lexicon()
    found = poles.get(stem) or poles.get(_EXACT + norm)
    if found or not norm.isalpha():
        return found
    if not norm.isascii():
        return poles.get(stem_word(norm, "ru"))
    return poles.get(stem_word(norm, "en")) or poles.get(stem_word(norm, "de"))
