"""Integrity flags for batch answers: signs that an answer was not written by its candidate for this question.

Pure. Per answer (made where the row is graded):
- `copied_reference`: most of the answer is the reference, verbatim or nearly (shared word 3-grams both ways);
- `repetition`: the same sentence (or the same few words) repeated, padding that a reader counts once.
Across answers (found by `grader.batch.summary.Aggregator` from each answer's `signature`):
- `shared_answer`: near-identical answers (a typo, a sentence moved, punctuation or case changed) from different
  candidates to one question, listed as a group (`sketch` here, the index in `grader.batch.shared`);
- `duplicate_answer`: one candidate answered one question more than once (every answer is kept and shown).

Flags never change a score: they point a reviewer at answers to read.
"""

from __future__ import annotations

import functools
import itertools
import re
import zlib
from array import array
from collections.abc import Sequence

_WORD = re.compile(r"\w+")
# The words of a text and, as '', the places a sentence ends (white space after sentence punctuation), in one pass:
# a split is a run of white space and a word never holds one, so the words between two splits are a sentence's.
_WORD_OR_SPLIT = re.compile(r"(\w+)|(?<=[.!?…;\n])\s+")
SHINGLE = 3  # `_shingles` zips this many
COPIED_SHARE = 0.6  # share of the answer's word 3-grams found in the reference, and of the reference's in the answer
SHARED_MIN_WORDS = 8  # shorter answers ("не знаю") are alike by chance, not by copying
SENTENCE_MIN_WORDS = 4  # a repeated sentence this long is padding, not a refrain
PADDING_MIN_WORDS = 40
PADDING_UNIQUE = 0.3  # under this share of distinct words, a long answer is mostly repeated words


def words(text: str) -> list[str]:
    return _WORD.findall(text.casefold().replace("ё", "е"))


@functools.lru_cache(maxsize=4)
def answer_words(answer: str) -> tuple[str, ...]:
    """`words` of an answer, kept for the few answers last asked about: a batch reads them for the row's flags and
    again for its summary facts (`sketch`), one after the other."""
    return _answer_parts(answer)[0]


@functools.lru_cache(maxsize=4)
def _answer_parts(answer: str) -> tuple[tuple[str, ...], list[str]]:
    """`words` of an answer and the same words with '' where a sentence ends (`_WORD_OR_SPLIT`), from one pass.

    An answer without a line break is read a piece between white space at a time, each distinct piece once
    (`_piece`): answers repeat their words, and the regex over the whole text was most of a batch row's own work.
    A sentence then ends after a piece ending in sentence punctuation, as `_WORD_OR_SPLIT` has it; a line break
    ends one inside a run of white space, so such an answer is read by the regex itself."""
    if "\n" in answer:
        tokens = _WORD_OR_SPLIT.findall(answer.casefold().replace("ё", "е"))
        return tuple(filter(None, tokens)), tokens
    tokens = []
    get = _pieces.get
    for piece in answer.split():  # str.split's white space is the regex's \s
        found = get(piece)
        if found is None:
            found = _piece(piece)
        tokens += found
    return tuple(filter(None, tokens)), tokens


_pieces: dict[str, tuple[str, ...]] = {}
_PIECES_LIMIT = 50_000  # distinct pieces kept (a bound on memory; past it the memo starts again)
# Longer pieces and words are read each time, never kept: they seldom repeat, and an answer may hold up to a million
# characters without a space (a pasted blob), which 50,000 entries would keep for the rest of the batch.
_MEMO_MAX_CHARS = 64
_ENDS = tuple(".!?…;")  # sentence punctuation: white space after it ends a sentence (`_WORD_OR_SPLIT`)


def _piece(piece: str) -> tuple[str, ...]:
    """The words of a piece of answer between white space, then '' when a sentence ends after it; remembered
    when short (`_MEMO_MAX_CHARS`).
    Folded alone as in the whole answer: `casefold` and the ё folding go letter by letter."""
    if len(_pieces) >= _PIECES_LIMIT:
        _pieces.clear()
    words = _WORD.findall(piece.casefold().replace("ё", "е"))
    found = (*words, "") if piece.endswith(_ENDS) else tuple(words)
    if len(piece) <= _MEMO_MAX_CHARS:
        _pieces[piece] = found
    return found


def _shingles(ws: Sequence[str]) -> set[tuple[str, ...]]:
    if len(ws) < SHINGLE:
        return {tuple(ws)} if ws else set()
    return set(zip(ws, ws[1:], ws[2:], strict=False))  # SHINGLE words each


@functools.lru_cache(maxsize=256)
def _reference_shingles(reference: str) -> frozenset[tuple[str, ...]]:
    return frozenset(_shingles(words(reference)))  # once per question, not once per answer


def copied_reference(answer: str, reference: str, answer_words: Sequence[str] | None = None) -> bool:
    """Whether most of the answer is the reference and most of the reference is in the answer."""
    a, r = _shingles(words(answer) if answer_words is None else answer_words), _reference_shingles(reference)
    if not a or not r:
        return False
    shared = len(a & r)
    return shared / len(a) >= COPIED_SHARE and shared / len(r) >= COPIED_SHARE


def repetition(answer: str, answer_words: Sequence[str] | None = None) -> bool:
    """Whether a sentence of several words appears twice or more, or a long answer is mostly the same words."""
    every = words(answer) if answer_words is None else answer_words
    if len(every) >= PADDING_MIN_WORDS and len(set(every)) / len(every) < PADDING_UNIQUE:
        return True
    if len(every) < 2 * SENTENCE_MIN_WORDS:
        return False  # too short to hold one sentence twice
    seen: set[tuple[str, ...]] = set()
    # Folded once: folding a sentence alone folds it the same. Runs of words between splits ('') are sentences.
    for is_words, run in itertools.groupby(_answer_parts(answer)[1], bool):
        ws = tuple(run)
        if is_words and len(ws) >= SENTENCE_MIN_WORDS:
            if ws in seen:
                return True
            seen.add(ws)
    return False


def flags_for(answer: str, reference: str) -> list[str]:
    """The per-answer integrity flags of an answer to a question with this reference."""
    found, ws = [], answer_words(answer)
    if reference and copied_reference(answer, reference, ws):
        found.append("copied_reference")
    if repetition(answer, ws):
        found.append("repetition")
    return found


BUCKETS = 24  # one-permutation MinHash: a bigram's hash picks its bucket, and each bucket keeps its smallest hash
BAND = 3  # buckets per band of the near-duplicate index (`grader.batch.shared`)
PREFIX = 5  # letters of a word a sketch reads: endings and typos late in a word change nothing
_EMPTY = 0xFFFFFFFF


def sketch(answer_words: Sequence[str]) -> bytes:
    """A sketch of an answer's word bigrams (`BUCKETS` 32-bit minima), b'' for answers of fewer than
    `SHARED_MIN_WORDS` words. Two sketches estimate the Jaccard similarity of the bigram sets (`similarity`)."""
    if len(answer_words) < SHARED_MIN_WORDS:
        return b""
    mins = [_EMPTY] * BUCKETS
    get = _heads.get
    known = [get(w) or _head(w) for w in answer_words]
    # The CRC of the bigram "a b" is the CRC of b's prefix continued from that of "a ": one call per bigram.
    for c in map(zlib.crc32, [k[0] for k in known[1:]], [k[1] for k in known[:-1]]):
        h = (c * 0x9E3779B1) & 0xFFFFFFFF  # mixed: CRC alone is linear in its input
        k = h % BUCKETS
        if h < mins[k]:
            mins[k] = h
    return array("I", mins).tobytes()


_heads: dict[str, tuple[bytes, int]] = {}
_HEADS_LIMIT = 50_000  # distinct words kept (a bound on memory; past it the memo starts again)


def _head(word: str) -> tuple[bytes, int]:
    """A word's prefix as a sketch reads it, in UTF-8, and the CRC of it and a space; remembered when
    short (words repeat)."""
    if len(_heads) >= _HEADS_LIMIT:
        _heads.clear()
    prefix = word[:PREFIX].encode()
    found = (prefix, zlib.crc32(prefix + b" "))
    if len(word) <= _MEMO_MAX_CHARS:
        _heads[word] = found
    return found


def similarity(a: bytes, b: bytes) -> float:
    """The share of buckets, filled in either sketch, whose minima agree: an estimate of the bigram sets' Jaccard."""
    x, y = array("I"), array("I")
    x.frombytes(a)
    y.frombytes(b)
    filled = same = 0
    for u, v in zip(x, y, strict=True):
        if u != _EMPTY or v != _EMPTY:
            filled += 1
            same += u == v
    return same / filled if filled else 0.0
