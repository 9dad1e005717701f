"""One reading of an answer for every check of a grade: its sentences, and its words with offsets. Pure.

The matcher reads every piece of an answer between spaces once (`grader.engine.matching`); the checks after it
(swapped roles, another question's term, ...) read the answer again: its sentences, and the words of the sentences
that hold a point's evidence, with their clauses. `answer_words(match, answer, lang)` is that reading, made once per
grade and kept on the match: the sentence punctuation is scanned once for all checks, each stretch's words are read
once, and when a check reads most of the answer, its words are taken from the pieces the matcher read, in C loops,
instead of being tokenised sentence by sentence.

Tokenising a part of the answer that starts and ends at punctuation, a space or an end gives exactly the words of
the whole answer that start inside it (a word never holds a space or punctuation, and a word's form and stem do not
depend on what stands around it), so a stretch's words are a slice of the whole answer's.
"""

from __future__ import annotations

import bisect
import itertools
import operator
import re
from collections.abc import Iterator
from operator import itemgetter
from typing import Any, Protocol

from grader.engine.contradictions import SENTENCE_END
from grader.engine.text import Tokens, latin_lang, tokenize

_START, _END, _NORM, _STEM = itemgetter(0), itemgetter(1), itemgetter(2), itemgetter(3)
_WORDS = itemgetter(2)  # a matcher's piece info -> the piece's words (`matching._CHUNK_WORDS_AT`)
_COUNT = itertools.count

# Where a clause ends inside a sentence: punctuation, coordinators and subordinators (as in clause_polarity).
PUNCTUATION = re.compile(r"[.!?;:,()\[\]\n]|\s[—–-]\s")
_BREAK_WORDS = """and or but because which that while when if so whereas und oder aber weil wenn dass denn während
    и или а но потому что который которая которые когда если поэтому""".split()
_WORD_BREAK = re.compile(rf"\b(?:{'|'.join(_BREAK_WORDS)})\b", re.IGNORECASE)
CLAUSE_BREAK = re.compile(f"{PUNCTUATION.pattern}|{_WORD_BREAK.pattern}", re.IGNORECASE)
_BREAK_NORMS = frozenset(_BREAK_WORDS)
# A character outside ASCII, Latin-1, Cyrillic and the general punctuation, or an apostrophe: where a word of the
# text may hold one of `_BREAK_WORDS` that its normalised form does not show ("and's", "İf", "ſo", a stress mark).
_UNUSUAL = re.compile(r"[^\x00-\x26\x28-\xff\u0400-\u04ff\u2000-\u2018\u201a-\u206f]")


class AnswerWords:
    """The words of one answer, a stretch at a time (`between`), and its sentences, for every check of a grade.

    A stretch's words come from flat lists of the answer's words when they are made (`read_all`: from the pieces
    the matcher read, in C loops), else are tokenised from the memo of pieces (`grader.engine.text.chunk_words`),
    each stretch once. The lists cost about as much as tokenising the whole answer, so a check
    asks for them only when it reads most of the answer."""

    __slots__ = ("_infos", "_lists", "_read", "_runs", "latin", "text")

    def __init__(self, text: str, latin: str, infos: list[Any] | None = None) -> None:
        self.text = text
        self.latin = latin
        self._infos = infos  # the matcher's infos of `text.split(" ")`, when it read this text as `latin` does
        self._lists: Tokens | None = None
        self._runs: list[tuple[int, int]] | None = None
        self._read: dict[tuple[int, int], Tokens] = {}

    def between(self, a: int, b: int) -> Tokens:
        """The words of text[a:b] with their offsets in the text (`a` and `b` at punctuation, a space or an end of
        the text: a word is never cut, and its form and stem do not depend on the words around it)."""
        lists = self._lists
        if lists is not None:
            starts = lists.starts
            i, j = bisect.bisect_left(starts, a), bisect.bisect_left(starts, b)
            return Tokens(lists.norms[i:j], lists.stems[i:j], starts[i:j], lists.ends[i:j])
        got = self._read.get((a, b))
        if got is None:
            got = tokenize(self.text[a:b], self.latin)
            if a:
                got = Tokens(got.norms, got.stems, [a + x for x in got.starts], [a + x for x in got.ends])
            self._read[(a, b)] = got
        return got

    def read_all(self) -> None:
        """Make the flat lists of every word (once), from the matcher's pieces when there are any."""
        if self._lists is not None:
            return
        infos = self._infos
        if infos is None:
            self._lists = tokenize(self.text, self.latin)
            return
        per_piece = list(map(_WORDS, infos))
        words = list(itertools.chain.from_iterable(per_piece))
        # A piece's offset: the lengths of the pieces before it and one space after each.
        bases = list(map(operator.add, itertools.accumulate(map(len, self.text.split(" ")), initial=0), _COUNT()))
        counts = list(map(len, per_piece))
        if counts.count(1) != len(counts):  # a piece with no word or several (few): its offset once for each word
            for k in reversed(list(itertools.compress(_COUNT(), map(operator.ne, counts, itertools.repeat(1))))):
                bases[k : k + 1] = [bases[k]] * counts[k]  # from the last: the indexes before it stay put
        starts = list(map(operator.add, bases, map(_START, words)))
        ends = list(map(operator.add, bases, map(_END, words)))
        self._lists = Tokens(list(map(_NORM, words)), list(map(_STEM, words)), starts, ends)

    def runs(self) -> list[tuple[int, int]]:
        """The runs of sentence-ending punctuation (`contradictions.SENTENCE_END`), as [start, end) ranges."""
        if self._runs is None:
            self._runs = [m.span() for m in SENTENCE_END.finditer(self.text)]
        return self._runs

    def sentences(self) -> Iterator[tuple[int, int]]:
        """Character ranges [start, end) of the answer's sentences, as `contradictions.sentences` gives them."""
        at = 0
        for start, end in self.runs():
            if start > at:
                yield at, start
            at = end
        if at < len(self.text):
            yield at, len(self.text)


def clause_breaks(text: str, a: int, b: int, norms: list[str], starts: list[int]) -> list[int]:
    """Offsets in [a, b) of `text` where a clause ends (punctuation, a coordinator or subordinator), given the words
    that start there (`norms`, `starts`): the starts of `CLAUSE_BREAK.finditer(text, a, b)`. A conjunction is found
    among the words (its form normalised), then checked against the pattern: a scan of the pattern for words costs
    more than the rest of a check. Where the text is unusual (`_UNUSUAL`), the pattern scans it."""
    if _UNUSUAL.search(text, a, b):
        return [m.start() for m in CLAUSE_BREAK.finditer(text, a, b)]
    marks = [m.start() for m in PUNCTUATION.finditer(text, a, b)]
    match = _WORD_BREAK.match
    words = [x for n, x in zip(norms, starts, strict=True) if n in _BREAK_NORMS and match(text, x, b)]
    if not words or not marks:
        return marks or words
    return sorted(marks + words)


class _Match(Protocol):
    """What of a `grader.engine.matching.AnswerMatch` the reading is made from, and where it is kept."""

    words: AnswerWords | None
    answer: str
    latin: str
    _chunks: list[Any]


def answer_words(match: _Match, answer: str, lang: str) -> AnswerWords:
    """The words of `answer` read in `lang`, made once per grade: kept on `match` (a replaced match shares it)."""
    latin = latin_lang(lang)
    got = match.words
    if got is not None and got.latin == latin and (got.text is answer or got.text == answer):
        return got
    usable = match._chunks and match.latin == latin and (match.answer is answer or match.answer == answer)
    made = match.words = AnswerWords(answer, latin, match._chunks if usable else None)
    return made
