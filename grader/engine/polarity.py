"""Polarity of a match: a negation cue just before it ("не", "not", "без", "ohne") or an absence cue just after
it ("нет", "отсутствует"), in the same clause. Pure.

The matcher records where cues stand with the rubric stems an answer's words stand for, under keys no stem can be
(`NEG`, `ABS`), so the usual answer, which has none near a match, is decided by a lookup.
"""

from __future__ import annotations

import bisect
import re

from grader.engine.text import NEGATIONS, NOT_NEGATING_NEXT
from grader.engine.words import Words

# A negation's scope ends at sentence punctuation, or at a comma opening a new clause ("не X, а Y", "не X, и Y").
_CLAUSE_BREAK = re.compile(
    r"[.;:!?\n()\[\]]|,\s*(?:но|а|и|зато|поэтому|however|but|and|so|aber|sondern|und)\b", re.IGNORECASE
)
# A negation before a word reaches it within its clause and its list item: a comma ends it ("Kein Lager, schnelle
# Lieferung", "не функция активации, normiert"); "без X и Y" negates both.
_NEGATION_BREAK = re.compile(r"[.;:!?\n()\[\],]")
_NEGATION_LOOKBACK = 3
# Negations of a verb ("не проходит", "does not"), whose scope a conjunction ends, unlike "без", "without", "kein".
_VERB_NEGATIONS = frozenset(
    """не never никогда cannot can't don't doesn't didn't isn't aren't wasn't weren't won't shouldn't not nicht nie
        niemals""".split()
)
_CONJUNCTIONS = frozenset("и а но или либо зато and but or und aber oder sondern".split())
# Russian states absence after the noun: "механизма внимания там нет", "декодер отсутствует".
_ABSENCE_AFTER = frozenset({"нет", "отсутствует", "отсутствуют"})
# Where negation and absence cues stand is recorded with the rubric stems an answer's words stand for, under keys
# no stem can be, so "is there a cue among these words" is a lookup, not a walk over the words.
NEG, ABS = "\x00neg", "\x00abs"
CUES: dict[str, tuple[str, ...]] = {
    w: (*((NEG,) if w in NEGATIONS else ()), *((ABS,) if w in _ABSENCE_AFTER else ()))
    for w in NEGATIONS | _ABSENCE_AFTER
}



def cue_reach(positions: dict[str, list[int]]) -> tuple[set[int], set[int]] | None:
    """Indexes of the words a negation cue stands close enough before to negate (only for those does `negated_at`
    look further), and of the words an absence cue stands close enough after (`absent_at`); None without any cue,
    when no match can be negated."""
    neg, absent = positions.get(NEG, ()), positions.get(ABS, ())
    if not neg and not absent:
        return None
    return {c + d for c in neg for d in range(1, _NEGATION_LOOKBACK + 1)}, {c - d for c in absent for d in (1, 2)}


def _cue_within(positions: dict[str, list[int]], cue: str, lo: int, hi: int) -> bool:
    """Whether a word of the answer at index lo <= i < hi is a `cue` (the matcher records where cues are)."""
    at = positions.get(cue)
    if not at:
        return False
    i = bisect.bisect_left(at, lo)
    return i < len(at) and at[i] < hi


def negated_at(first: int, toks: Words, answer: str, positions: dict[str, list[int]]) -> bool:
    """A negation cue among the few words before token `first`, in the same clause."""
    return negating_cue(first, toks, answer, positions) is not None


def negating_cue(first: int, toks: Words, answer: str, positions: dict[str, list[int]]) -> int | None:
    """The index of the negation cue among the few words before token `first` that negates it, in the same clause;
    None when there is none."""
    if not _cue_within(positions, NEG, first - _NEGATION_LOOKBACK, first):
        return None  # the usual case, decided without looking for clause breaks
    joined = False  # a conjunction between the cue and the match
    for j in range(first - 1, max(-1, first - 1 - _NEGATION_LOOKBACK), -1):
        if _NEGATION_BREAK.search(answer, toks.ends[j], toks.starts[j + 1]):
            return None
        norm = toks.norm(j)
        if norm in NEGATIONS:
            # "не проходит и веса …": a verb's negation ends at a conjunction; "без X и Y" negates both.
            negates = toks.norm(j + 1) not in NOT_NEGATING_NEXT and not (joined and norm in _VERB_NEGATIONS)
            return j if negates else None
        joined = joined or norm in _CONJUNCTIONS
    return None


def absent_at(last: int, toks: Words, answer: str, positions: dict[str, list[int]]) -> bool:
    """An absence cue within the two words after token `last`, in the same clause."""
    return absence_cue(last, toks, answer, positions) is not None


def absence_cue(last: int, toks: Words, answer: str, positions: dict[str, list[int]]) -> int | None:
    """The index of the absence cue within the two words after token `last`, in the same clause; None without."""
    if not _cue_within(positions, ABS, last + 1, last + 3):
        return None  # the usual case, decided without looking for clause breaks
    for j in range(last + 1, min(len(toks), last + 3)):
        if _CLAUSE_BREAK.search(answer, toks.ends[j - 1], toks.ends[j]):
            return None
        if toks.norm(j) in _ABSENCE_AFTER:
            return j
    return None


def negated_inside(first: int, last: int, toks: Words, answer: str, positions: dict[str, list[int]]) -> bool:
    """A negation cue between the words of a match ("градиент там не маленький" for "маленький градиент")."""
    if first == last or not _cue_within(positions, NEG, first + 1, last + 1):
        return False
    return any(toks.norm(j) in NEGATIONS and toks.norm(j + 1) not in NOT_NEGATING_NEXT for j in range(first + 1, last))
