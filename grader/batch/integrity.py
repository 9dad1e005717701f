"""Integrity flags for batch answers: signs that an answer was not written by its candidate for this question.

Pure. Per answer (made where the row is graded):
- `copied_reference`: most of the answer is the reference, verbatim or nearly (shared word 3-grams both ways);
- `repetition`: the same sentence (or the same few words) repeated, padding that a reader counts once.
Across answers (found by `grader.batch.summary.Aggregator` from each answer's `signature`):
- `shared_answer`: near-identical answers (same words, case, punctuation and order aside) from different
  candidates to one question, listed as a group;
- `duplicate_answer`: one candidate answered one question more than once (every answer is kept and shown).

Flags never change a score: they point a reviewer at answers to read.
"""

from __future__ import annotations

import functools
import hashlib
import re

_WORD = re.compile(r"\w+")
_SENTENCE = re.compile(r"(?<=[.!?…;\n])\s+")
SHINGLE = 3
COPIED_SHARE = 0.6  # share of the answer's word 3-grams found in the reference, and of the reference's in the answer
SHARED_MIN_WORDS = 8  # shorter answers ("не знаю") are alike by chance, not by copying
SENTENCE_MIN_WORDS = 4  # a repeated sentence this long is padding, not a refrain
PADDING_MIN_WORDS = 40
PADDING_UNIQUE = 0.3  # under this share of distinct words, a long answer is mostly repeated words


def words(text: str) -> list[str]:
    return _WORD.findall(text.casefold().replace("ё", "е"))


def _shingles(ws: list[str]) -> set[tuple[str, ...]]:
    if len(ws) < SHINGLE:
        return {tuple(ws)} if ws else set()
    return {tuple(ws[i : i + SHINGLE]) for i in range(len(ws) - SHINGLE + 1)}


@functools.lru_cache(maxsize=256)
def _reference_shingles(reference: str) -> frozenset[tuple[str, ...]]:
    return frozenset(_shingles(words(reference)))  # once per question, not once per answer


def copied_reference(answer: str, reference: str, answer_words: list[str] | None = None) -> bool:
    """Whether most of the answer is the reference and most of the reference is in the answer."""
    a, r = _shingles(words(answer) if answer_words is None else answer_words), _reference_shingles(reference)
    if not a or not r:
        return False
    shared = len(a & r)
    return shared / len(a) >= COPIED_SHARE and shared / len(r) >= COPIED_SHARE


def repetition(answer: str, answer_words: list[str] | None = None) -> bool:
    """Whether a sentence of several words appears twice or more, or a long answer is mostly the same words."""
    every = words(answer) if answer_words is None else answer_words
    if len(every) >= PADDING_MIN_WORDS and len(set(every)) / len(every) < PADDING_UNIQUE:
        return True
    if len(every) < 2 * SENTENCE_MIN_WORDS:
        return False  # too short to hold one sentence twice
    seen: set[tuple[str, ...]] = set()
    for sentence in _SENTENCE.split(answer):
        ws = tuple(words(sentence))
        if len(ws) >= SENTENCE_MIN_WORDS:
            if ws in seen:
                return True
            seen.add(ws)
    return False


def flags_for(answer: str, reference: str) -> list[str]:
    """The per-answer integrity flags of an answer to a question with this reference."""
    found, ws = [], words(answer)
    if reference and copied_reference(answer, reference, ws):
        found.append("copied_reference")
    if repetition(answer, ws):
        found.append("repetition")
    return found


def signature(answer: str) -> str:
    """A short key equal for answers with the same words in the same order ('' for answers too short to tell)."""
    ws = words(answer)
    if len(ws) < SHARED_MIN_WORDS:
        return ""
    return hashlib.blake2b(" ".join(ws).encode("utf-8"), digest_size=8).hexdigest()
