"""Lexical matching of rubric concepts in an answer, with evidence spans. Pure: text in, matches out.

A wording matches when each of its content words occurs in the answer, stem for stem or within a small edit
distance (typos, inflections the stemmer misses), and multi-word wordings match in any order within a short
window. Everyday near-synonyms ("около" / "близко", "tiny" / "small", grader.engine.synonyms) count as one word on both
sides, and a Latin word is also tried with the other Latin stemmer (a German answer to a rubric stemmed in
English). A negation cue just before a match ("не", "not", "без", "ohne") stops it counting. Wordings whose words
all occur in the question, exactly or by typo tolerance, give no evidence, and a question word in an answer matches
only exactly: repeating the question back proves nothing.

A `Matcher` is compiled once per rubric and reused for every answer; it memoises how each distinct answer word
maps to rubric words, which is what makes batch grading fast.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from typing import NamedTuple, cast

from rapidfuzz import fuzz, process

from grader.models import Concept, Rubric
from grader.engine.synonyms import KEY_MARK, canonical, members
from grader.engine.text import (
    ALL_STOPWORDS,
    NEGATIONS,
    NOT_NEGATING_NEXT,
    Tokens,
    Words,
    chunk_words,
    is_stopword,
    latin_lang,
    letter_counts,
    stem_word,
    tokenize,
)

# A negation's scope ends at sentence punctuation, or at a comma opening a new clause ("не X, а Y", "не X, и Y").
_CLAUSE_BREAK = re.compile(
    r"[.;:!?\n()\[\]]|,\s*(?:но|а|и|зато|поэтому|however|but|and|so|aber|sondern|und)\b", re.IGNORECASE
)
_CYRILLIC = re.compile(r"[а-яё]")
_MEMO_LIMIT = 200_000
_CHUNK_MEMO_LIMIT = 50_000
_NEGATION_LOOKBACK = 3
_MAX_SPANS = 3
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
_NEG, _ABS = "\x00neg", "\x00abs"
_CUES: dict[str, tuple[str, ...]] = {
    w: (*((_NEG,) if w in NEGATIONS else ()), *((_ABS,) if w in _ABSENCE_AFTER else ()))
    for w in NEGATIONS | _ABSENCE_AFTER
}


# The matcher's findings are named tuples, not pydantic models: pydantic's construction cost (~10 us each, even
# unvalidated) was a quarter of the time of grading an answer. They never leave the process as data; grading turns
# them into `PointResult`s. Being immutable, the finding "not found" of a concept (and of a point none of whose
# concepts is found) is made once per rubric and shared by every answer, so an answer pays only for what it says.


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


@dataclass(slots=True)
class AnswerMatch:
    points: list[PointMatch]
    n_tokens: int
    n_evidence_tokens: int  # tokens inside any evidence span
    answer: str = field(default="", repr=False)
    _chunks: list[_ChunkInfo] = field(default_factory=list, repr=False)

    @property
    def n_stop(self) -> int:
        """Tokens that are stopwords; counted on demand (only the keyword-list check asks)."""
        return sum(map(_CHUNK_STOP, self._chunks))

    @property
    def flagged(self) -> bool:
        """Whether any piece of the answer passed the matcher's `piece_flag` (always, without one)."""
        return any(map(_CHUNK_FLAG, self._chunks)) or not self._chunks

    @property
    def letters(self) -> tuple[int, int]:
        """Cyrillic and ASCII letters of the answer (`grader.engine.text.letter_counts`), summed over its pieces."""
        packed = sum(map(_CHUNK_LETTERS, self._chunks))
        return packed >> 32, packed & _LOW32

    @property
    def n_content(self) -> int:
        """Tokens that are not stopwords."""
        return self.n_tokens - self.n_stop

    @property
    def n_segments(self) -> int:
        """Sentences, lines and comma-separated pieces; counted on demand (only the keyword-list check asks)."""
        return _count_segments(self.answer)


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
class _Wording:
    text: str
    stems: tuple[str, ...]
    stem_set: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        self.stem_set = frozenset(self.stems)


@dataclass
class _CompiledConcept:
    concept: Concept
    wordings: list[_Wording]
    stems: frozenset[str] = field(init=False)  # every stem of every wording: no overlap with an answer, no match
    unmatched: ConceptMatch = field(init=False)  # the finding when none of those stems is in an answer

    def __post_init__(self) -> None:
        self.stems = frozenset(s for w in self.wordings for s in w.stems)
        self.unmatched = ConceptMatch(self.concept.weight, False)


@dataclass
class _CompiledPoint:
    id: str
    concepts: list[_CompiledConcept]
    total: float = 0.0  # the concepts' summed weight
    stems: frozenset[str] = field(init=False)  # every stem of every concept
    unmatched: PointMatch = field(init=False)  # the finding when none of those stems is in an answer

    def __post_init__(self) -> None:
        self.stems = frozenset(s for c in self.concepts for s in c.stems)
        self.unmatched = PointMatch(self.id, 0.0, tuple(c.unmatched for c in self.concepts))


@dataclass
class Matcher:
    """Concept matcher compiled for one rubric (and the question it belongs to)."""

    rubric: Rubric
    question: str = ""
    # A test of a piece of answer between spaces (0 or 1), kept with the piece; `AnswerMatch.flagged` says whether
    # any piece of an answer passed it (grading asks whether an answer may hold text aimed at the grader).
    piece_flag: Callable[[str], int] | None = None
    points: list[_CompiledPoint] = field(init=False)
    vocab: list[str] = field(init=False)
    _vocab_set: frozenset[str] = field(init=False)
    _memo: dict[str, tuple[str, ...]] = field(init=False, default_factory=dict)
    # A piece of answer between spaces -> all the matcher needs of it (`_ChunkInfo`: its words, the rubric stems
    # they stand for, letter counts, ...); one per Latin stemmer. Answers repeat their pieces, so most answer words
    # cost one dict lookup, and an answer is read once.
    _chunk_memo: dict[str, dict[str, _ChunkInfo]] = field(init=False, default_factory=dict)
    _asked: frozenset[str] = field(init=False)  # the question's content stems, as written and as synonym keys
    _asked_by_letter: dict[str, list[str]] = field(init=False)  # the same by first letter, for typo tolerance
    _fuzzy: list[str] = field(init=False)  # stems a typo may stand for: rubric stems and the words of their keys
    _fuzzy_to: dict[str, str] = field(init=False)  # such a stem -> the vocabulary entry it stands for

    def __post_init__(self) -> None:
        lang = self.rubric.lang
        asked = _content(tokenize(self.question, lang)) if self.question else set()
        self._asked = frozenset(asked | {canonical(s) for s in asked})
        self._asked_by_letter = {}
        for s in self._asked:
            self._asked_by_letter.setdefault(s[0], []).append(s)
        self.points = []
        for point in self.rubric.points:
            concepts = []
            for concept in point.concepts:
                wordings = [w for w in (_compile_wording(t, lang) for t in concept.any) if w is not None]
                # A wording made only of question words is no evidence of knowing the answer.
                wordings = [w for w in wordings if not all(map(self._echoes_question, w.stems))]
                if wordings:
                    concepts.append(_CompiledConcept(concept, wordings))
            self.points.append(_CompiledPoint(point.id, concepts, sum(c.concept.weight for c in concepts)))
        self.vocab = sorted({s for p in self.points for c in p.concepts for w in c.wordings for s in w.stems})
        self._vocab_set = frozenset(self.vocab)
        self._fuzzy_to = {m: s for s in self.vocab if s.startswith(KEY_MARK) for m in members(s)}
        self._fuzzy_to.update((s, s) for s in self.vocab if not s.startswith(KEY_MARK))
        self._fuzzy = sorted(self._fuzzy_to)

    def _echoes_question(self, stem: str) -> bool:
        """A stem of the question's, exactly or within typo tolerance."""
        if stem in self._asked:
            return True
        cutoff = fuzzy_cutoff(len(stem))
        return cutoff is not None and any(
            _typo_of(stem, q) and fuzz.ratio(stem, q, score_cutoff=cutoff)
            for q in self._asked_by_letter.get(stem[0], ())
        )

    def _exact(self, norm: str, stem: str) -> str | None:
        """The vocabulary entry this answer word is, by stem or synonym; a Latin word by either Latin stemmer."""
        for s in (stem,) if not norm.isascii() and _CYRILLIC.search(norm) else (stem, *_latin_stems(norm)):
            key = canonical(s)
            if key in self._vocab_set:
                return key
        return None

    def _lookup(self, norm: str, stem: str) -> tuple[str, ...]:
        """Rubric stems that this answer word stands for: its own stem, or close ones for a typo."""
        key = stem
        hit = self._memo.get(key)
        if hit is not None:
            return hit
        exact = self._exact(norm, stem)
        found: list[str] = [exact] if exact is not None else []
        cutoff = fuzzy_cutoff(len(stem))
        # A question word in the answer may match a rubric word exactly, never by typo tolerance.
        if cutoff is not None and not found and stem not in self._asked:
            for cand, _score, _i in process.extract(
                stem, self._fuzzy, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None
            ):
                if _typo_of(stem, cand):
                    found.append(self._fuzzy_to[cand])
        hit = tuple(dict.fromkeys(found))
        if len(self._memo) < _MEMO_LIMIT:
            self._memo[key] = hit
        return hit

    def _chunk_info(self, chunk: str, latin: str) -> _ChunkInfo:
        """What a piece of answer between spaces holds for this rubric (see `_chunk_memo`)."""
        words = chunk_words(chunk, latin)
        n_stop = 0
        hits: list[tuple[int, tuple[str, ...]]] = []
        get = self._memo.get
        for j, (_start, _end, norm, stem) in enumerate(words):
            cues = _CUES.get(norm, ())  # a negation or absence cue: its position is what the matcher asks about
            if norm in ALL_STOPWORDS:
                n_stop += 1
                if stem in self._vocab_set:  # a wording that keeps its function words ("без учителя")
                    cues = (stem, *cues)
                if cues:
                    hits.append((j, cues))
                continue
            hit = get(stem)
            if hit is None:
                hit = self._lookup(norm, stem)
            if hit or cues:  # most words stand for no rubric word
                hits.append((j, hit + cues))
        cyr, lat = letter_counts(chunk)
        flag = 1 if self.piece_flag is None else self.piece_flag(chunk)
        info = (bool(hits) or len(words) != 1, tuple(hits), words, len(words), n_stop, cyr << 32 | lat, flag)
        memo = self._chunk_memo[latin]
        if len(memo) < _CHUNK_MEMO_LIMIT:
            memo[chunk] = info
        return info

    def match(self, answer: str, lang: str | None = None) -> AnswerMatch:
        """Find every concept of every point in `answer`."""
        latin = latin_lang(lang or self.rubric.lang)
        chunks = answer.split(" ")
        memo = self._chunk_memo.get(latin)
        if memo is None:
            memo = self._chunk_memo[latin] = {}
        known = list(map(memo.get, chunks))  # in C, per word of every answer
        infos = (
            [c or memo.get(k) or self._chunk_info(k, latin) for c, k in zip(known, chunks, strict=True)]
            if not all(known)  # a chunk's info is a non-empty tuple: all() is a C loop, `None in` compares each
            else cast(list[_ChunkInfo], known)
        )
        # Only pieces that stand for rubric words, or do not hold one word, are looked at: a word's index is its
        # piece's index plus the words beyond one per piece before it.
        positions: dict[str, list[int]] = {}  # rubric stem (or cue) -> indexes of the words that stand for it
        irregular: list[tuple[int, int, int, int]] = []
        extra = 0
        for k in itertools.compress(range(len(infos)), map(_CHUNK_LOOK, infos)):
            _look, hits, _words, n, _stop, _letters, _flag = infos[k]
            base = k + extra
            for j, stems in hits:
                for s in stems:
                    positions.setdefault(s, []).append(base + j)
            if n != 1:
                extra += n - 1
                irregular.append((base, k, n, extra))
        toks = Words(chunks, infos, _CHUNK_WORDS_AT, irregular, len(infos) + extra)
        covered_tokens: set[int] = set()
        cues = _NEG in positions or _ABS in positions  # without any, no match can be negated: skip the checks
        points = []
        for cp in self.points:
            if cp.stems.isdisjoint(positions):
                points.append(cp.unmatched)
                continue
            concepts = tuple(
                cc.unmatched
                if cc.stems.isdisjoint(positions)
                else _match_concept(cc, positions, toks, answer, covered_tokens, cues)
                for cc in cp.concepts
            )
            got = sum(c.weight for c in concepts if c.matched)
            points.append(PointMatch(cp.id, got / cp.total if cp.total else 0.0, concepts))
        return AnswerMatch(points, len(toks), len(covered_tokens), answer, infos)


# A chunk's info: whether the matcher must look at it (it stands for a rubric word or a cue, or does not hold one
# word), (word in chunk, rubric stems and cues) for the words that stand for rubric words or are cues, the words,
# their number, how many are stopwords, its Cyrillic and ASCII letters packed in one int (cyr << 32 | lat), and
# the matcher's `piece_flag` of it (1 without one).
_ChunkInfo = tuple[
    bool, tuple[tuple[int, tuple[str, ...]], ...], tuple[tuple[int, int, str, str], ...], int, int, int, int
]
_CHUNK_WORDS_AT = 2
_CHUNK_LOOK, _CHUNK_STOP, _CHUNK_LETTERS, _CHUNK_FLAG = itemgetter(0), itemgetter(4), itemgetter(5), itemgetter(6)
_LOW32 = (1 << 32) - 1


def _content(toks: Tokens) -> set[str]:
    return {s for n, s in zip(toks.norms, toks.stems, strict=True) if not is_stopword(n)}


@lru_cache(maxsize=_MEMO_LIMIT)
def _compile_wording(text: str, lang: str) -> _Wording | None:
    """A wording's stems (synonym keys where it has them); cached, as rubrics are recompiled with every learned
    wording (grader.engine.exemplars) and share most wordings."""
    toks = tokenize(text, lang)
    stems = [s for n, s in zip(toks.norms, toks.stems, strict=True) if not is_stopword(n)]
    # Keep the function words when the meaning lives in them: a negation ("без учителя" is not "учитель"), or a
    # quantifier that would leave one bare word ("много данных" is not "данные"), or nothing else at all.
    if any(n in NEGATIONS for n in toks.norms) or len(stems) < min(2, len(toks.norms)):
        stems = list(toks.stems)
    return _Wording(text, tuple(map(canonical, stems))) if stems else None


def _typo_of(stem: str, near: str) -> bool:
    """Whether `stem` may be `near` misspelt, given they are close by edit distance: same first letter, and lengths
    within three."""
    return abs(len(near) - len(stem)) <= 3 and near[:1] == stem[:1]


def _latin_stems(norm: str) -> tuple[str, str]:
    return stem_word(norm, "en"), stem_word(norm, "de")


def _match_concept(
    cc: _CompiledConcept, positions: dict[str, list[int]], toks: Words, answer: str, covered: set[int], cues: bool
) -> ConceptMatch:
    negated = False
    for w in cc.wordings:
        if len(w.stems) == 1:
            plist = positions.get(w.stems[0])
            if not plist:
                continue
            windows = [(i, i) for i in plist]
        else:
            if not positions.keys() >= w.stem_set:
                continue
            windows = _windows(w.stems, positions)
            if not windows:
                continue
        kept = (
            [
                (a, b)
                for a, b in windows
                if not _negated(a, toks, answer, positions) and not _absent(b, toks, answer, positions)
            ]
            if cues
            else windows
        )
        if not kept:
            negated = True
            continue
        spans = []
        for a, b in kept[:_MAX_SPANS]:
            start, end = toks.span(a, b)
            spans.append(Evidence(start, end, answer[start:end]))
        for a, b in kept:
            covered.update(range(a, b + 1))
        return ConceptMatch(cc.concept.weight, True, False, w.text, spans)
    return ConceptMatch(cc.concept.weight, False, negated) if negated else cc.unmatched


def _windows(stems: tuple[str, ...], positions: dict[str, list[int]]) -> list[tuple[int, int]]:
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


def _cue_within(positions: dict[str, list[int]], cue: str, lo: int, hi: int) -> bool:
    """Whether a word of the answer at index lo <= i < hi is a `cue` (the matcher records where cues are)."""
    at = positions.get(cue)
    if not at:
        return False
    i = bisect.bisect_left(at, lo)
    return i < len(at) and at[i] < hi


def _negated(first: int, toks: Words, answer: str, positions: dict[str, list[int]]) -> bool:
    """A negation cue among the few words before token `first`, in the same clause."""
    if not _cue_within(positions, _NEG, first - _NEGATION_LOOKBACK, first):
        return False  # the usual case, decided without looking for clause breaks
    joined = False  # a conjunction between the cue and the match
    for j in range(first - 1, max(-1, first - 1 - _NEGATION_LOOKBACK), -1):
        # The gap after word j plus word j + 1 itself, so a comma and the conjunction after it are seen together.
        if _CLAUSE_BREAK.search(answer, toks.ends[j], toks.ends[j + 1]):
            return False
        norm = toks.norm(j)
        if norm in NEGATIONS:
            # "не проходит и веса …": a verb's negation ends at a conjunction; "без X и Y" negates both.
            return toks.norm(j + 1) not in NOT_NEGATING_NEXT and not (joined and norm in _VERB_NEGATIONS)
        joined = joined or norm in _CONJUNCTIONS
    return False


def _absent(last: int, toks: Words, answer: str, positions: dict[str, list[int]]) -> bool:
    """An absence cue within the two words after token `last`, in the same clause."""
    if not _cue_within(positions, _ABS, last + 1, last + 3):
        return False  # the usual case, decided without looking for clause breaks
    for j in range(last + 1, min(len(toks), last + 3)):
        if _CLAUSE_BREAK.search(answer, toks.ends[j - 1], toks.ends[j]):
            return False
        if toks.norm(j) in _ABSENCE_AFTER:
            return True
    return False


_SEGMENT = re.compile(r"[.!?;\n,]+")


def _count_segments(answer: str) -> int:
    return sum(1 for piece in _SEGMENT.split(answer) if piece.strip())
