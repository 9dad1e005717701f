"""The words of an answer split at spaces, for the matcher: normalised forms and stems, offsets on access. Pure."""

from __future__ import annotations

import bisect
import itertools
from operator import itemgetter
from typing import Any

# A word: letters and digits, with combining marks inside it (a stress mark, a decomposed й or ё) and apostrophes
# between letters. Underscores split words ("batch_size"), but `_WORD_FAST`, with a cheaper character class, is
# only safe for text without them.
from grader.engine.compiled import Evidence
from grader.engine.text import ChunkWords, Word, chunk_words, latin_lang

_NORM, _STEM = itemgetter(2), itemgetter(3)


class _Offsets:
    """Start or end offsets of a `Words`' words, worked out on access."""

    __slots__ = ("_end", "_words")

    def __init__(self, words: Words, end: bool) -> None:
        self._words = words
        self._end = end

    def __getitem__(self, i: int) -> int:
        return self._words.offset(i, self._end)


class Words:
    """The words of a text split at spaces: normalised forms and stems, with character offsets worked out on access.

    Made for the matcher, which reads each piece's words from its own memo: since most pieces hold exactly one
    word, a word is found from the few pieces that do not (none, or several), so nothing is made per word or per
    piece of the text unless `norms` or `stems` is asked for, and offsets only for the words asked about.

    `pieces[k][at]` are the words of piece k (as `chunk_words` gives them); `irregular` lists, in text order, the
    pieces that do not hold one word, as (index of their first word, piece index, number of words, words beyond one
    per piece so far, this piece included).
    """

    __slots__ = ("_at", "_chunks", "_firsts", "_irregular", "_n", "_pieces", "_sums")

    def __init__(
        self, chunks: list[str], pieces: list[Any], at: int, irregular: list[tuple[int, int, int, int]], n: int
    ) -> None:
        self._chunks = chunks
        self._pieces = pieces
        self._at = at
        self._irregular = irregular
        self._firsts = [w for w, _k, _n, _x in irregular]
        self._n = n
        self._sums: list[int] | None = None  # lengths of the pieces before each piece, made when first asked for

    @classmethod
    def of(cls, text: str, lang: str = "ru") -> Words:
        """The words of `text` (Latin words stemmed as in `lang`)."""
        chunks = text.split(" ")
        pieces = [chunk_words(c, latin_lang(lang)) for c in chunks]
        irregular = []
        extra = 0
        for k, words in enumerate(pieces):
            if len(words) != 1:
                base = k + extra
                extra += len(words) - 1
                irregular.append((base, k, len(words), extra))
        return cls(chunks, [(w,) for w in pieces], 0, irregular, len(chunks) + extra)

    def __len__(self) -> int:
        return self._n

    # Made when asked for, not kept: an _Offsets kept here would make a reference cycle, and every answer's words
    # would wait for the garbage collector instead of being freed at once.
    @property
    def starts(self) -> _Offsets:
        """Start offset of each word, by index."""
        return _Offsets(self, end=False)

    @property
    def ends(self) -> _Offsets:
        """End offset of each word, by index."""
        return _Offsets(self, end=True)

    def _all(self) -> list[Word]:
        return list(itertools.chain.from_iterable(piece[self._at] for piece in self._pieces))

    @property
    def norms(self) -> list[str]:
        """Normalised form of every word."""
        return list(map(_NORM, self._all()))

    @property
    def stems(self) -> list[str]:
        """Stem of every word."""
        return list(map(_STEM, self._all()))

    def _locate(self, i: int) -> tuple[int, int]:
        """(piece, index in the piece) of word `i`."""
        t = bisect.bisect_right(self._firsts, i) - 1
        if t < 0:
            return i, 0
        first, k, n, extra = self._irregular[t]
        if i < first + n:
            return k, i - first
        return i - extra, 0

    def word(self, i: int) -> Word:
        """Word `i` as (start in its piece, end in its piece, normalised, stem)."""
        k, j = self._locate(i)
        words: ChunkWords = self._pieces[k][self._at]
        return words[j]

    def norm(self, i: int) -> str:
        """Normalised form of word `i`."""
        return self.word(i)[2]

    def _piece_start(self, k: int) -> int:
        """Character offset of piece `k`: the lengths of the pieces before it and the spaces between them (a table
        of running lengths made, in C, the first time an offset is asked for: evidence asks for dozens)."""
        sums = self._sums
        if sums is None:
            sums = self._sums = list(itertools.accumulate(map(len, self._chunks), initial=0))
        return sums[k] + k

    def word_span(self, i: int) -> tuple[int, int]:
        """Character offsets [start, end) of word `i` in the text (`span(i, i)`, the usual evidence)."""
        k, j = self._locate(i)
        sums = self._sums
        if sums is None:
            sums = self._sums = list(itertools.accumulate(map(len, self._chunks), initial=0))
        start, end = self._pieces[k][self._at][j][:2]
        return sums[k] + k + start, sums[k] + k + end

    def evidence(self, text: str, at: list[int]) -> list[Evidence]:
        """Evidence of the words at these indexes: each word's offsets in `text` (the text these are the words of)
        and its characters (`word_span` of each, in one call: the matcher's usual evidence)."""
        sums = self._sums
        if sums is None:
            sums = self._sums = list(itertools.accumulate(map(len, self._chunks), initial=0))
        pieces, w, out = self._pieces, self._at, []
        for i in at:
            if self._firsts:  # pieces with no word or several before: where is word i
                k, j = self._locate(i)
            else:  # every piece one word: word i is piece i's
                k, j = i, 0
            word = pieces[k][w][j]
            start, end = sums[k] + k + word[0], sums[k] + k + word[1]
            out.append(Evidence(start, end, text[start:end]))
        return out

    def span(self, a: int, b: int) -> tuple[int, int]:
        """Character offsets [start, end) of words a..b (inclusive) in the text."""
        k, j = self._locate(a)
        start = self._piece_start(k)
        first_word = self._pieces[k][self._at][j]
        if b == a:  # one word: one lookup
            return start + first_word[0], start + first_word[1]
        kb, jb = self._locate(b)
        return start + first_word[0], self._piece_start(kb) + self._pieces[kb][self._at][jb][1]

    def offset(self, i: int, end: bool = False) -> int:
        """Character offset of the start (or end) of word `i` in the text."""
        k, j = self._locate(i)
        word: Word = self._pieces[k][self._at][j]
        return self._piece_start(k) + (word[1] if end else word[0])
