"""A rubric compiled for matching: each concept's wordings as stems, and the findings an answer can produce.

The findings are named tuples, not pydantic models: pydantic's construction cost (~10 us each, even unvalidated)
was a quarter of the time of grading an answer. They never leave the process as data; grading turns them into
`PointResult`s. Being immutable, the finding "not found" of a concept (and of a point none of whose concepts is
found) is made once per rubric and shared by every answer, so an answer pays only for what it says.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from grader.engine.synonyms import canonical
from grader.engine.text import NEGATIONS, Tokens, is_stopword, stem_word, tokenize
from grader.models import Concept

MEMO_LIMIT = 200_000


class Evidence(NamedTuple):
    """Characters [start, end) of the answer, and that text (a `Span` once graded)."""

    start: int
    end: int
    text: str


class ConceptMatch(NamedTuple):
    weight: float
    matched: bool
    negated: bool = False
    wording: str | None = None  # the wording that matched
    evidence: Sequence[Evidence] = ()


class PointMatch(NamedTuple):
    id: str
    score: float  # weighted share of the point's concepts found
    concepts: tuple[ConceptMatch, ...]


def fuzzy_cutoff(length: int) -> float | None:
    """Similarity needed for a typo match, by word length; short words must match exactly."""
    if length < 5:
        return None
    if length < 8:
        return 83.0
    if length < 12:
        return 85.0
    return 82.0


@dataclass
class Wording:
    text: str
    stems: tuple[str, ...]
    negative: bool = False  # the wording itself holds a negation ("без учителя", "not independent")
    # A negative wording's content stems without its cues ("child" of "no children"): found where any cue of the
    # answer negates them ("without any children", "keine Kinder"), the wording is said in other words.
    negated: tuple[str, ...] = ()
    # The words as written (normalised), one for each stem: people misspell the written word, not its stem
    # (`grader.engine.vocabulary`). Empty for a wording made of stems alone (a label sequence's markers).
    forms: tuple[str, ...] = ()
    stem_set: frozenset[str] = field(init=False)
    single: str | None = field(init=False)  # the stem of a one-word wording (most are), else None

    def __post_init__(self) -> None:
        self.stem_set = frozenset(self.stems)
        self.single = self.stems[0] if len(self.stems) == 1 else None


@dataclass
class CompiledConcept:
    concept: Concept
    wordings: list[Wording]
    # The reference says the concept only inside a negated clause ("the base case is not included"): the answer's
    # negation of it ("no base case") is no reason to pass it over (`grader.engine.clause_polarity.said_negated`).
    either_polarity: bool = False
    stems: frozenset[str] = field(init=False)  # every stem of every wording: no overlap with an answer, no match
    unmatched: ConceptMatch = field(init=False)  # the finding when none of those stems is in an answer
    weight: float = field(init=False)  # the concept's weight

    def __post_init__(self) -> None:
        self.stems = frozenset(s for w in self.wordings for s in w.stems)
        self.weight = self.concept.weight
        self.unmatched = ConceptMatch(self.weight, False)


@dataclass
class CompiledPoint:
    id: str
    concepts: list[CompiledConcept]
    total: float = 0.0  # the concepts' summed weight
    stems: frozenset[str] = field(init=False)  # every stem of every concept
    unmatched: PointMatch = field(init=False)  # the finding when none of those stems is in an answer

    def __post_init__(self) -> None:
        self.stems = frozenset(s for c in self.concepts for s in c.stems)
        self.unmatched = PointMatch(self.id, 0.0, tuple(c.unmatched for c in self.concepts))

    def kept(self, concept: Concept) -> bool:
        """Whether the rubric's `concept` made it into this point (it does not when only question words remain)."""
        return any(c.concept is concept for c in self.concepts)


def content(toks: Tokens) -> set[str]:
    return {s for n, s in zip(toks.norms, toks.stems, strict=True) if not is_stopword(n)}


@lru_cache(maxsize=MEMO_LIMIT)
def compile_wording(text: str, lang: str) -> Wording | None:
    """A wording's stems (synonym keys where it has them); cached, as rubrics are recompiled with every learned
    wording (grader.engine.exemplars) and share most wordings."""
    toks = tokenize(text, lang)
    kept = [(n, s) for n, s in zip(toks.norms, toks.stems, strict=True) if not is_stopword(n)]
    # Keep the function words when the meaning lives in them: a negation ("без учителя" is not "учитель"), or a
    # quantifier that would leave one bare word ("много данных" is not "данные"), or nothing else at all.
    negative = any(n in NEGATIONS for n in toks.norms)
    negated = tuple(canonical(s) for n, s in zip(toks.norms, toks.stems, strict=True)
                    if negative and n not in NEGATIONS and not is_stopword(n))  # fmt: skip
    if negative or len(kept) < min(2, len(toks.norms)):
        kept = list(zip(toks.norms, toks.stems, strict=True))
    if not kept:
        return None
    return Wording(text, tuple(canonical(s) for _, s in kept), negative, negated, tuple(n for n, _ in kept))


def written_forms(points: Sequence[CompiledPoint], vocab: frozenset[str]) -> dict[str, str]:
    """A rubric's words as written (normalised) -> the vocabulary entry each stands for (typos of the written word,
    `grader.engine.vocabulary`)."""
    return {f: s for p in points for c in p.concepts for w in c.wordings
            for f, s in zip(w.forms, w.stems, strict=False) if s in vocab}  # fmt: skip


def typo_of(stem: str, near: str) -> bool:
    """Whether `stem` may be `near` misspelt, given they are close by edit distance: same first letter, and lengths
    within three."""
    return abs(len(near) - len(stem)) <= 3 and near[:1] == stem[:1]


def latin_stems(norm: str) -> tuple[str, str]:
    return stem_word(norm, "en"), stem_word(norm, "de")


def find_windows(stems: tuple[str, ...], positions: dict[str, list[int]]) -> list[tuple[int, int]]:
    """Token ranges [a, b] in which every stem of a wording occurs, in any order, close together."""
    lists = [positions.get(s, []) for s in stems]
    if not all(lists):
        return []
    if len(stems) == 1:
        return [(i, i) for i in lists[0]]
    span_limit = len(stems) + 3
    if max(map(len, lists)) == 1 and len(set(stems)) == len(stems):  # the usual case: each word said once
        at = [p[0] for p in lists]
        lo, hi = min(at), max(at)
        return [(lo, hi)] if hi - lo < span_limit else []
    events = sorted((pos, k) for k, plist in enumerate(lists) for pos in plist)
    need = len(set(stems))
    counts: dict[str, int] = {}
    found: list[tuple[int, int]] = []
    left = 0
    last_end = -1
    for right in range(len(events)):
        s = stems[events[right][1]]
        counts[s] = counts.get(s, 0) + 1
        while events[right][0] - events[left][0] >= span_limit:
            ls = stems[events[left][1]]
            counts[ls] -= 1
            if not counts[ls]:
                del counts[ls]
            left += 1
        if len(counts) == need and events[left][0] > last_end:
            found.append((events[left][0], events[right][0]))
            last_end = events[right][0]
    return found


_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})


def fold(word: str) -> str:
    """A word lower-cased with German umlauts folded, as the German stemmer writes them."""
    return word.lower().translate(_FOLD)
