"""Terms inside an empty frame: "X, Y and Z all play a role here", "Здесь важны X, Y и Z", "Dabei spielen X, Y und
Z eine Rolle". Pure.

Such a sentence names the rubric's terms as one coordinated run — nothing between two terms but commas,
coordinators and words that relate nothing (no predicate, no preposition: `grader.engine.termlist`) — and around
the run says nothing the question or reference says: its predicate is a frame any list of terms would fit, and it
relates no term to anything. A real sentence either relates two of its terms by a word between them ("the model
memorizes the training data") or relates its run to something the reference speaks of ("L1, L2 and dropout
reduce overfitting"). An answer whose every sentence naming terms is such a frame lists them, as a bare list does.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from functools import lru_cache

from grader.engine.contradictions import sentences
from grader.engine.termlist import MIN_ITEMS, items_of, states
from grader.engine.text import content_stems, detect_lang

_LETTER = re.compile(r"[^\W\d_]{2}")
# What may stand between two terms of one coordinated run: commas, coordinators, articles.
_COORDINATION = re.compile(
    r"(?:[\s,&/]|\b(?:and|or|as well as|the|a|an|и|или|а также|und|oder|sowie|der|die|das|den|dem|des|ein|eine|"
    r"einen|einem|einer)\b)*",
    re.IGNORECASE,
)


def framed_terms(answer: str, spans: Iterable[tuple[int, int]], question: str, reference: str, lang: str) -> bool:
    """Whether the answer names at least `MIN_ITEMS` rubric terms (evidence `spans`) and every sentence naming
    any is an empty frame around one coordinated run of them."""
    items = [(s, e) for s, e in items_of(spans) if _LETTER.search(answer, s, e)]
    if len(items) < MIN_ITEMS:
        return False
    said_in, known = _known(question, reference, lang)
    if said_in != lang:
        return False  # what the reference says is read in its own language only
    at = 0
    for start, end in sentences(answer):
        held = []
        while at < len(items) and items[at][0] < end:
            if items[at][0] >= start:
                held.append(items[at])
            at += 1
        if held and not _frame(answer, start, end, held, known, lang):
            return False
    return True


def _frame(
    answer: str, start: int, end: int, held: list[tuple[int, int]], known: frozenset[str], lang: str
) -> bool:
    """Whether the sentence answer[start:end] is an empty frame around its terms `held`: at least `MIN_ITEMS` of
    them in one coordinated run, none a verb or clause, and nothing around the run the question or reference says."""
    german = lang == "de"
    if any(states(answer, s, e, german) for s, e in held):
        return False  # a term that is a verb or clause ("дисперсия растёт", "lernt") states something of the others
    held = _phrases(answer, held)
    if len(held) < MIN_ITEMS:
        return False  # one or two terms in a sentence of the answer's own words: a statement, however vague
    if any(not _COORDINATION.fullmatch(answer, a, b) for (_s, a), (b, _e) in itertools.pairwise(held)):
        return False  # a word between two terms that is not "and", "or", a comma or an article relates them
    around = answer[start : held[0][0]] + " " + answer[held[-1][1] : end]
    return not content_stems(around, lang) & known


def _phrases(answer: str, held: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The terms with those only a space apart joined: one noun phrase ("IP address assignment"), not a list."""
    out = [held[0]]
    for s, e in held[1:]:
        if answer[out[-1][1] : s].isspace():
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


@lru_cache(maxsize=1024)
def _known(question: str, reference: str, lang: str) -> tuple[str, frozenset[str]]:
    """The reference's language and the content stems of the question and reference: what a sentence around its
    terms may say of them."""
    stems = content_stems(question, lang) | content_stems(reference, lang)
    return detect_lang(reference, default="en"), frozenset(stems)
