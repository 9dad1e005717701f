"""An answer to another question: the answer defines a sibling of the term asked about. Pure.

"What is overfitting?" answered with "Underfitting is when a model has a high training error …" shares most of
the reference's words and answers something else. A sibling term is a word of the same make as a term of the
question with another beginning: the same ending of at least `_SHARED` letters, which is most of both words, after
two different non-empty beginnings (over/under-fitting, Über/Unter-anpassung, пере/недо-обучение,
pre/post-pruning). When a sentence of the answer opens by defining such a sibling ("X is …", "X ist …", "X liegt
vor, wenn …", "X — это …") and the answer never names the term asked about, every point it matched is
contradicted: the answer is about the sibling. Derived from the words themselves, not from a list of terms.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from functools import lru_cache

from grader.engine.answer_words import AnswerWords
from grader.engine.compiled import Evidence, PointMatch
from grader.engine.contradictions import SENTENCE_END, Contradiction
from grader.engine.elision import expand
from grader.engine.feedback import phrase, short
from grader.engine.text import content_stems, is_stopword, normalise_word, stem_word
from grader.models import Question

_SHARED = 5  # letters of ending two siblings share at least
_WORD = re.compile(r"[^\W\d_][\w-]*")
# A sentence opening by defining a term: the term, then a copula or a dash, in ru/en/de (grammar, not vocabulary).
_DEFINES = (
    r"\s*(?:[—–-]\s*(?:это\b)?|это\b|означает\b|называется\b|является\b|возникает\b|бывает\b|is\b|means\b|refers\b|"
    r"occurs\b|happens\b|describes\b|ist\b|liegt\b|bedeutet\b|beschreibt\b|heißt\b|tritt\b|entsteht\b)"
)
# Read from the start of the answer and the end of each run of sentence punctuation (`SENTENCE_END`): the places
# `(?:\A|[.!?;\n])` + this pattern would scan the whole answer for, found by the scan every check shares.
_OPENING = re.compile(r"\W*?([^\W\d_][\w-]*)(?=" + _DEFINES + ")", re.IGNORECASE)


def siblings(word: str, term: str) -> bool:
    """Whether `word` and `term` (normalised) are two makes of one ending with different beginnings
    ("underfitting" / "overfitting")."""
    if word == term or word.startswith(term) or term.startswith(word):
        return False
    n = 0
    for a, b in zip(reversed(word), reversed(term), strict=False):
        if a != b:
            break
        n += 1
    return n >= _SHARED and 2 * n >= len(word) and 2 * n >= len(term) and n < min(len(word), len(term))


def find_other_term(
    question: Question, points: Sequence[PointMatch], answer: str, lang: str, words: AnswerWords | None = None
) -> list[Contradiction]:
    """Every matched point as contradicted when the answer defines a sibling of a question's term instead of it;
    `words`: the answer's, read once for the grade (`grader.engine.answer_words`)."""
    if not any(pm.score for pm in points):
        return []
    asked = _asked(question.question, question.lang)
    runs = words.runs() if words is not None else [m.span() for m in SENTENCE_END.finditer(answer)]
    for m in _openings(answer, runs):  # most answers define nothing
        word = normalise_word(m.group(1))
        stem = stem_word(word, lang)
        term = next((t for t, s in asked if siblings(word, t) or siblings(stem, s)), None)
        if term is None or stem in _known(question.question, question.reference, question.lang):
            continue
        if term in answer.lower().replace("ё", "е") or dict(asked)[term] in content_stems(answer, lang):
            return []  # the answer names the term asked about too ("off-policy" as written, or a form of it)
        stop = SENTENCE_END.search(answer, m.end())
        claim = answer[m.start(1) : stop.start() if stop else len(answer)].strip()
        at = m.start(1)
        feedback = phrase(lang, "other_term", claim=short(claim), other=m.group(1), asked=term)
        return [
            Contradiction(pm.id, "other_term", (Evidence(at, at + len(claim), claim),), feedback)
            for pm in points
            if pm.score
        ]
    return []


def _openings(answer: str, runs: list[tuple[int, int]]) -> Iterator[re.Match[str]]:
    """The sentence openings that define a term, in order and not overlapping (as one scan of the answer finds
    them): tried where the answer starts and where each run of sentence punctuation ends."""
    last = 0
    for at in itertools.chain((0,), (end for _start, end in runs)):
        if at < last:
            continue  # inside the opening found before
        m = _OPENING.match(answer, at)
        if m is not None:
            last = m.end()
            yield m


@lru_cache(maxsize=1024)
def _asked(question: str, lang: str) -> tuple[tuple[str, str], ...]:
    """The question's words that can be terms (not stopwords, longer than `_SHARED`), with their stems."""
    words = sorted({normalise_word(m.group()) for m in _WORD.finditer(expand(question, lang))})
    return tuple((w, stem_word(w, lang)) for w in words if len(w) > _SHARED and not is_stopword(w))


@lru_cache(maxsize=1024)
def _known(question: str, reference: str, lang: str) -> frozenset[str]:
    """Stems the question and its reference use: a term of theirs is not another question's."""
    return frozenset(content_stems(expand(question, lang) + "\n" + reference, lang))
