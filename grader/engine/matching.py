"""Lexical matching of rubric concepts in an answer, with evidence spans. Pure: text in, matches out.

A wording matches when each of its content words occurs in the answer, stem for stem or within a small edit
distance (typos, inflections the stemmer misses), and multi-word wordings match in any order within a short
window. Everyday near-synonyms ("около" / "близко", "tiny" / "small", grader.engine.synonyms) count as one word on both
sides, and a Latin word is also tried with the other Latin stemmer (a German answer to a rubric stemmed in
English). A negation cue just before a match ("не", "not", "без", "ohne") stops it counting, unless the reference
negates the word too. Wordings made of question words (also by typo) give no evidence, and a question word in an
answer matches only exactly: repeating the question back proves nothing.

A `Matcher` is compiled once per rubric and reused for every answer; it memoises how each distinct answer word
maps to rubric words (`grader.engine.vocabulary`), which is what makes batch grading fast.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import itemgetter
from typing import TYPE_CHECKING, cast

from rapidfuzz import fuzz

from grader.engine.clause_polarity import negated_only
from grader.engine.compiled import (
    CompiledConcept,
    CompiledPoint,
    PointMatch,
    Wording,
    compile_wording,
    content,
    fuzzy_cutoff,
    typo_of,
)
from grader.engine.concepts import match_points, match_whole_points
from grader.engine.elision import expand
from grader.engine.polarity import ABS, CUES, NEG, cue_reach
from grader.engine.rubric_memo import RubricMemo
from grader.engine.sequences import Sequences, is_marker, markers
from grader.engine.synonyms import canonical
from grader.engine.text import (
    ALL_STOPWORDS,
    MEMO_KEY_MAX,
    chunk_words,
    latin_lang,
    letter_counts,
    stopword_counts,
    tokenize,
)
from grader.engine.vocabulary import Vocabulary, vocabulary_of
from grader.engine.words import Words
from grader.models import KeyPoint, Rubric

if TYPE_CHECKING:
    from grader.engine.answer_words import AnswerWords

_CHUNKMEMO_LIMIT = 50_000


@dataclass(slots=True)
class AnswerMatch:
    points: list[PointMatch]
    n_tokens: int
    answer: str = field(default="", repr=False)
    _chunks: list[_ChunkInfo] = field(default_factory=list, repr=False)
    # The rubric's misconceptions found in full (every concept; the others as not found), matched in the same walk
    # (a `Matcher` made with `misconceptions=True`), in the order of `claims_matcher(...).points`; None when the
    # matcher does not match them.
    claims: list[PointMatch] | None = field(default=None, repr=False)
    latin: str = ""  # the stemmer Latin words were read with (`grader.engine.text.latin_lang`)
    # The answer's words for the checks after the matcher, made once from `_chunks` when first asked for
    # (`grader.engine.answer_words.answer_words`); a replaced match shares it.
    words: AnswerWords | None = field(default=None, repr=False, compare=False)
    # What credit the answer lost for words it did not claim (`grader.engine.unclaimed`): "asked", "disowned".
    unclaimed: tuple[str, ...] = ()

    @property
    def n_stop(self) -> int:
        """Tokens that are stopwords; counted on demand (only the keyword-list check asks)."""
        return sum(map(_CHUNK_STOP, self._chunks))

    @property
    def flagged(self) -> bool:
        """Whether any piece of the answer passed the matcher's `piece_flag` test (bit 1; always, without one)."""
        return bool(self.marks & 1) or not self._chunks

    @property
    def marks(self) -> int:
        """The bits of the matcher's `piece_flag` of every piece of the answer, or-ed (all bits, without one)."""
        return functools.reduce(operator.or_, map(_CHUNK_FLAG, self._chunks), 0)

    def piece_flags(self) -> list[int]:
        """The matcher's `piece_flag` of each piece of `answer.split(" ")` (-1 each, without one)."""
        return list(map(_CHUNK_FLAG, self._chunks))

    @property
    def letters(self) -> tuple[int, int]:
        """Cyrillic and ASCII letters of the answer (`grader.engine.text.letter_counts`), summed over its pieces."""
        packed = sum(map(_CHUNK_LETTERS, self._chunks))
        return packed >> 32, packed & _LOW32

    @property
    def stops(self) -> tuple[int, int]:
        """Words of the answer that are German and English stopwords (`grader.engine.text.stopword_counts`)."""
        packed = sum(map(_CHUNK_STOPS, self._chunks))
        return packed >> 32, packed & _LOW32

    @property
    def n_content(self) -> int:
        """Tokens that are not stopwords."""
        return self.n_tokens - self.n_stop

    @property
    def n_segments(self) -> int:
        """Sentences, lines and comma-separated pieces; counted on demand (only the keyword-list check asks)."""
        return _count_segments(self.answer)


@dataclass
class Matcher:
    """Concept matcher compiled for one rubric (and the question it belongs to)."""

    rubric: Rubric
    question: str = ""
    # Tests of a piece of answer between spaces (read with the given stemmer of Latin words) as bits, kept with the
    # piece: `AnswerMatch.flagged` says whether any piece of an answer passed the test of bit 1 (grading asks whether
    # an answer may hold text aimed at the grader), `AnswerMatch.marks` which bits any piece set.
    piece_flag: Callable[[str, str], int] | None = None
    # Also match the rubric's misconceptions (`AnswerMatch.claims`), in the same walk over the answer: each answer
    # word is looked up in their vocabulary too, by `claims_matcher`'s own memo, so they match as they would alone.
    misconceptions: bool = False
    points: list[CompiledPoint] = field(init=False)
    vocab: list[str] = field(init=False)
    _vocab_set: frozenset[str] = field(init=False)
    # The stems of the function words the wordings keep ("без" of "без учителя"): an answer's function word stands
    # for a rubric word only when a wording holds that function word, not a content word of the same stem ("среди"
    # is no "среда", "весь" no "веса").
    _function_stems: frozenset[str] = field(init=False)
    # How each answer word maps to rubric words (`grader.engine.vocabulary`), memoised per word.
    _words: Vocabulary = field(init=False)
    # A piece of answer between spaces -> all the matcher needs of it (`_ChunkInfo`: its words, the rubric stems
    # they stand for, letter counts, ...); one per Latin stemmer. Answers repeat their pieces, so most answer words
    # cost one dict lookup, and an answer is read once.
    _chunk_memo: dict[str, dict[str, _ChunkInfo]] = field(init=False, default_factory=dict)
    _asked: frozenset[str] = field(init=False)  # the question's content stems, as written and as synonym keys
    _asked_by_letter: dict[str, list[str]] = field(init=False)  # the same by first letter, for typo tolerance
    _claims: Matcher | None = field(init=False, default=None)  # the misconceptions' matcher, when folded in
    _sequences: Sequences | None = field(init=False, default=None)  # label sequences ("BCA"), when the rubric has

    def __post_init__(self) -> None:
        lang = self.rubric.lang
        asked = content(tokenize(expand(self.question, lang), lang)) if self.question else set()
        self._asked = frozenset(asked | {canonical(s) for s in asked})
        self._asked_by_letter = {}
        for s in self._asked:
            self._asked_by_letter.setdefault(s[0], []).append(s)
        self.points, auto = [], self.rubric.built_by == "auto"
        compiled = [[[w for w in (compile_wording(t, lang) for t in c.any) if w is not None] for c in p.concepts]
                    for p in self.rubric.points]  # fmt: skip
        sequences = Sequences((w.single for p in compiled for c in p for w in c if w.single), self.question)
        self._sequences = sequences if sequences.stems else None
        for point, point_wordings in zip(self.rubric.points, compiled, strict=True):
            concepts = []
            for concept, wordings in zip(point.concepts, point_wordings, strict=True):
                # A wording made only of question words is no evidence of knowing the answer.
                wordings = [w for w in wordings if not all(map(self._echoes_question, w.stems))]
                # A label sequence ("BCA") may also be written with separators ("B, C, A"): its two markers.
                wordings += [Wording(w.text, markers(w.single)) for w in wordings if w.single in sequences.stems]
                if wordings:  # an automatic rubric's concept the reference only negates: either polarity counts
                    concepts.append(CompiledConcept(concept, wordings, auto and negated_only(point, concept, lang)))
            self.points.append(CompiledPoint(point.id, concepts, sum(c.concept.weight for c in concepts)))
        self.vocab = sorted({s for p in self.points for c in p.concepts for w in c.wordings for s in w.stems
                             if not is_marker(s)})  # fmt: skip
        self._vocab_set = frozenset(self.vocab)
        self._function_stems = frozenset(
            s for p in self.rubric.points for c in p.concepts for t in c.any
            for n, s in zip(*tokenize(t, lang)[:2], strict=True) if n in ALL_STOPWORDS
        )  # fmt: skip
        self._words = vocabulary_of(self, self._asked)
        if self.misconceptions:
            self._claims = claims_matcher(self.rubric, self.question)

    def _echoes_question(self, stem: str) -> bool:
        """A stem of the question's, exactly or within typo tolerance."""
        if stem in self._asked:
            return True
        cutoff = fuzzy_cutoff(len(stem))
        return cutoff is not None and any(
            typo_of(stem, q) and fuzz.ratio(stem, q, score_cutoff=cutoff)
            for q in self._asked_by_letter.get(stem[0], ())
        )

    def _chunk_info(self, chunk: str, latin: str) -> _ChunkInfo:
        """What a piece of answer between spaces holds for this rubric (see `_chunk_memo`)."""
        words = chunk_words(chunk, latin)
        n_stop = 0
        hits: list[tuple[int, tuple[str, ...]]] = []
        claimed: list[tuple[int, tuple[str, ...]]] = []  # the same for the misconceptions' stems (no cues)
        claims = self._claims
        get, new_word = self._words.memo.get, self._words.new_word
        for j, (_start, _end, norm, stem) in enumerate(words):
            cues = CUES.get(norm, ())  # a negation or absence cue: its position is what the matcher asks about
            if norm in ALL_STOPWORDS:
                n_stop += 1
                if stem in self._function_stems:  # a wording that keeps its function words ("без учителя")
                    cues = (stem, *cues)
                if cues:
                    hits.append((j, cues))
                if claims is not None and stem in claims._function_stems:
                    claimed.append((j, (stem,)))
                continue
            hit = get((norm, stem))
            if hit is None:
                hit = new_word(norm, stem)
            if hit or cues:  # most words stand for no rubric word
                hits.append((j, hit + cues))
            if claims is not None:
                claim = claims._words.memo.get((norm, stem))
                if claim is None:
                    claim = claims._words.new_word(norm, stem)
                if claim:
                    claimed.append((j, claim))
        cyr, lat = letter_counts(chunk)
        de, en = stopword_counts(map(_NORM, words)) if n_stop else (0, 0)
        flag = -1 if self.piece_flag is None else self.piece_flag(chunk, latin)
        look = bool(hits) or bool(claimed) or len(words) != 1
        info = (look, tuple(hits), words, len(words), n_stop, cyr << 32 | lat, flag, tuple(claimed), de << 32 | en)
        memo = self._chunk_memo[latin]
        if len(memo) < _CHUNKMEMO_LIMIT and len(chunk) <= MEMO_KEY_MAX:
            memo[chunk] = info
        return info

    def match(self, answer: str, lang: str | None = None) -> AnswerMatch:
        """Find every concept of every point in `answer`."""
        latin = latin_lang(lang or self.rubric.lang)
        chunks = answer.split(" ")
        memo = self._chunk_memo.get(latin)
        if memo is None:
            memo = self._chunk_memo[latin] = {}
        infos = list(map(memo.get, chunks))  # in C, per word of every answer
        if not all(infos):  # only the pieces not seen before are read (a piece's info is a non-empty tuple)
            k = -1
            with contextlib.suppress(ValueError):  # no piece left unread
                while True:
                    k = infos.index(None, k + 1)  # found in C
                    chunk = chunks[k]
                    infos[k] = memo.get(chunk) or self._chunk_info(chunk, latin)  # a piece said twice: read once
        positions, claimed, irregular, n = _positions(cast(list[_ChunkInfo], infos))
        toks = Words(chunks, infos, _CHUNK_WORDS_AT, irregular, n)
        if self._sequences is not None:
            self._sequences.add(answer, toks, positions)
        cues = cue_reach(positions)  # without any cue, no match can be negated: the checks are skipped
        points = match_points(self.points, positions, toks, answer, cues)
        found = None
        if self._claims is not None:
            if claimed:  # the cues are where they are for every rubric
                claimed.update((cue, positions[cue]) for cue in (NEG, ABS) if cue in positions)
            found = match_whole_points(self._claims.points, claimed, toks, answer, cues)
        return AnswerMatch(points, n, answer, cast(list[_ChunkInfo], infos), found, latin)


def _positions(
    infos: list[_ChunkInfo],
) -> tuple[dict[str, list[int]], dict[str, list[int]], list[tuple[int, int, int, int]], int]:
    """Where each rubric stem (or cue) stands in an answer, given its pieces' infos, as indexes of its words; the
    same for the misconceptions' stems; the pieces that do not hold one word (`Words`' `irregular`); the number
    of words. Only pieces that stand for rubric words, or do not hold one word, are looked at: a word's index is
    its piece's index plus the words beyond one per piece before it."""
    positions: dict[str, list[int]] = {}  # rubric stem (or cue) -> indexes of the words that stand for it
    claimed: dict[str, list[int]] = {}  # the same for the misconceptions' stems
    irregular: list[tuple[int, int, int, int]] = []
    extra = 0
    get = positions.get
    for k in itertools.compress(range(len(infos)), map(_CHUNK_LOOK, infos)):
        _look, hits, _words, n, _stop, _letters, _flag, claims, _stops = infos[k]
        base = k + extra
        for j, stems in hits:
            for s in stems:
                at = get(s)
                if at is None:
                    positions[s] = [base + j]
                else:
                    at.append(base + j)
        for j, stems in claims:
            for s in stems:
                claimed.setdefault(s, []).append(base + j)
        if n != 1:
            extra += n - 1
            irregular.append((base, k, n, extra))
    return positions, claimed, irregular, len(infos) + extra


_claims_matchers: RubricMemo[Matcher] = RubricMemo()


def claims_matcher(rubric: Rubric, question: str) -> Matcher | None:
    """A matcher whose points are the rubric's misconceptions (None without any), built once per rubric."""
    return _claims_matchers.get(rubric, _claims_matcher, question) if rubric.misconceptions else None


def _claims_matcher(rubric: Rubric, question: str) -> Matcher:
    claims = [KeyPoint(id=m.id, text=m.text, concepts=m.concepts) for m in rubric.misconceptions]
    as_rubric = Rubric(question_id=rubric.question_id, lang=rubric.lang, built_by=rubric.built_by, points=claims)
    return Matcher(as_rubric, question)


# A chunk's info: whether the matcher must look at it (it stands for a rubric word or a cue, or does not hold one
# word), (word in chunk, rubric stems and cues) for the words that stand for rubric words or are cues, the words,
# their number, how many are stopwords, its Cyrillic and ASCII letters packed in one int (cyr << 32 | lat), and
# the matcher's `piece_flag` of it (every bit, -1, without one), and what the hits are for the rubric's
# misconceptions (empty unless the matcher matches them), and its German and English stopwords packed like its letters.
_Hits = tuple[tuple[int, tuple[str, ...]], ...]
_ChunkInfo = tuple[bool, _Hits, tuple[tuple[int, int, str, str], ...], int, int, int, int, _Hits, int]
_CHUNK_WORDS_AT = 2
_CHUNK_LOOK, _CHUNK_STOP, _CHUNK_LETTERS, _CHUNK_FLAG = itemgetter(0), itemgetter(4), itemgetter(5), itemgetter(6)
_CHUNK_STOPS, _NORM = itemgetter(8), itemgetter(2)
_LOW32 = (1 << 32) - 1


_SEGMENT = re.compile(r"[.!?;\n,]+")


def _count_segments(answer: str) -> int:
    return sum(1 for piece in _SEGMENT.split(answer) if piece.strip())
