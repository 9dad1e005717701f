"""Soft matching of an automatic rubric's points against the answer's best sentence. Pure.

An automatic rubric's concepts are the reference's own words, so an answer that says the same thing in related
words ("collinear" for "multicollinearity", "Vorverarbeitung" for "Datenvorverarbeitung", "коллинеарные" for
"мультиколлинеарность") finds none of them, and a one-sentence reference becomes a point that any rewording misses. Here
each concept is compared with the words of each sentence of the answer by the character trigrams of their stems
(Dice: shared trigrams over their mean count). A concept earns credit rising from nothing at `FLOOR` similarity to
full at the same stem; a point's soft coverage is the weighted share of credit its concepts earn in the answer's
best sentence for it; and the point's score becomes `max(concept coverage, WEIGHT * soft coverage)`, so soft
matching only ever adds what exact matching missed. `WEIGHT` and `FLOOR` are fitted on SAF leaving each question
out (`python benchmarks/loqo.py`); the fit keeps it off for now (see `WEIGHT`).

Guards, so that soft credit is no cheaper to game than a match: words of the question earn nothing; a sentence
whose polarity differs from the point's (one holds a negation cue, the other not) earns nothing for it; a sentence
none of whose comma-separated pieces states anything (a list of terms, `grader.engine.statements`) earns nothing.
Applied to automatic rubrics only: curated rubrics list their wordings on purpose.

Cost: each distinct answer word is compared with the rubric's concept stems once per rubric (through an index of
trigrams), and each distinct sentence is scored once per rubric; both memoised and bounded.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from operator import itemgetter
from typing import cast

from grader.engine.contradictions import SENTENCE_END
from grader.engine.matching import AnswerMatch
from grader.engine.statements import states
from grader.engine.text import ALL_STOPWORDS, MEMO_KEY_MAX, NEGATIONS, chunk_words, latin_lang, tokenize
from grader.models import Question, Rubric

# Fitted by `python benchmarks/loqo.py` on every SAF question, with answers to other questions as zeros: the fit
# chooses 0, i.e. soft matching off. Left out one question at a time it moves Pearson by -0.004 in English
# and -0.002 in German, and at lower floors it credits answers written for other questions (README). The
# mechanism stays, measured, for the day the same protocol on more data says otherwise.
WEIGHT = 0.0
FLOOR = 0.6
_PIECE = re.compile(r"[,:•·]+")  # a sentence's pieces: one of them must state something
_MEMO_LIMIT = 50_000
_RUBRICS_LIMIT = 256


def grams(stem: str) -> frozenset[str]:
    """Character trigrams of a stem, with its edges marked ("<ab", "abc", "bc>"); remembered for stems of at most
    `MEMO_KEY_MAX` characters (a pasted blob's thousands of trigrams are not kept)."""
    return _grams(stem) if len(stem) <= MEMO_KEY_MAX else _grams.__wrapped__(stem)


@lru_cache(maxsize=200_000)
def _grams(stem: str) -> frozenset[str]:
    s = f"<{stem}>"
    return frozenset(s[i : i + 3] for i in range(len(s) - 2))


def credit(similarity: float, floor: float = FLOOR) -> float:
    """A concept's credit for a word this similar to it: 0 up to `floor`, rising to 1 at the same stem."""
    if similarity >= 1.0:
        return 1.0
    return max(0.0, (similarity - floor) / (1.0 - floor))


def _content(text: str, lang: str) -> tuple[list[str], bool]:
    """Content stems of `text`, and whether it holds a negation cue."""
    toks = tokenize(text, lang)
    stems = [s for n, s in zip(toks.norms, toks.stems, strict=True) if n not in ALL_STOPWORDS and len(n) > 1]
    return stems, any(n in NEGATIONS for n in toks.norms)


_Chunk = tuple[bool, tuple[tuple[int, int, float], ...]]
_CUE, _HITS = itemgetter(0), itemgetter(1)


@dataclass
class SoftRubric:
    """One automatic rubric's concepts as stems, an index of their trigrams, and the memos of answer words and
    sentences."""

    rubric: Rubric
    question: str
    floor: float = FLOOR
    stems: list[str] = field(init=False)  # the concepts' stems, each once
    negative: list[bool] = field(init=False)  # per point: whether it holds a negation
    sentences: dict[tuple[str, str], tuple[float, ...]] = field(init=False, default_factory=dict)  # the memo
    _totals: list[float] = field(init=False)  # per point: its concepts' summed weight
    _owners: list[list[tuple[int, int, float]]] = field(init=False)  # per stem: (point, concept, concept weight)
    _asked: frozenset[str] = field(init=False)
    _index: dict[str, list[int]] = field(init=False)  # trigram -> the stems holding it
    _words: dict[str, dict[int, float]] = field(init=False, default_factory=dict)
    _chunks: dict[str, dict[str, _Chunk]] = field(init=False, default_factory=dict)  # Latin stemmer -> memo
    _zeros: tuple[float, ...] = field(init=False)

    def __post_init__(self) -> None:
        lang = self.rubric.lang
        self._asked = frozenset(_content(self.question, lang)[0]) if self.question else frozenset()
        at: dict[str, int] = {}
        self._owners, self._totals, self.negative = [], [], []
        for p, point in enumerate(self.rubric.points):
            total = 0.0
            for c, concept in enumerate(point.concepts):
                stems = {s for w in concept.any for s in _content(w, lang)[0] if s not in self._asked}
                total += concept.weight if stems else 0.0
                for s in sorted(stems):
                    if s not in at:
                        at[s] = len(at)
                        self._owners.append([])
                    self._owners[at[s]].append((p, c, concept.weight))
            self._totals.append(total)
            wordings = " ".join(w for c in point.concepts for w in c.any)
            self.negative.append(_content(f"{point.text} {wordings}", lang)[1])
        self.stems = list(at)
        self._index = {}
        for i, s in enumerate(self.stems):
            for g in grams(s):
                self._index.setdefault(g, []).append(i)
        self._zeros = (0.0,) * len(self._totals)

    def word(self, stem: str) -> dict[int, float]:
        """The rubric stems this answer stem earns credit for, with that credit (memoised)."""
        hit = self._words.get(stem)
        if hit is None:
            mine = grams(stem)
            index = self._index
            shared = Counter(chain.from_iterable([index[g] for g in mine if g in index]))
            hit = {}
            for i, k in shared.items():
                dice = 2 * k / (len(mine) + len(grams(self.stems[i])))
                c = 1.0 if self.stems[i] == stem else credit(dice, self.floor)
                if c > 0:
                    hit[i] = c
            if len(self._words) < _MEMO_LIMIT:
                self._words[stem] = hit
        return hit

    def sentence(self, text: str, lang: str) -> tuple[float, ...]:
        """Each point's soft coverage by one sentence of an answer (memoised)."""
        hit = self.sentences.get((lang, text))
        if hit is None:
            hit = self._score(text, lang)
            if len(self.sentences) < _MEMO_LIMIT:
                self.sentences[(lang, text)] = hit
        return hit

    def _chunk(self, chunk: str, latin: str) -> _Chunk:
        """What a piece of answer between spaces holds: whether it is a negation cue, and the (point, concept,
        credit) its words earn (memoised: answers repeat their words)."""
        negated, hits = False, []
        for _start, _end, norm, stem in chunk_words(chunk, latin):
            negated = negated or norm in NEGATIONS
            if norm in ALL_STOPWORDS or len(norm) < 2 or stem in self._asked:
                continue
            for i, c in self.word(stem).items():
                hits += [(p, k, c) for p, k, _w in self._owners[i]]
        info = (negated, tuple(hits))
        memo = self._chunks.setdefault(latin, {})
        if len(memo) < _MEMO_LIMIT and len(chunk) <= MEMO_KEY_MAX:
            memo[chunk] = info
        return info

    def _score(self, text: str, lang: str) -> tuple[float, ...]:
        latin = latin_lang(lang)
        memo = self._chunks.setdefault(latin, {})
        chunks = text.split(" ")
        known = list(map(memo.get, chunks))  # in C: most pieces of an answer were seen before
        infos: list[_Chunk] = (
            [i or self._chunk(c, latin) for i, c in zip(known, chunks, strict=True)]
            if None in known
            else cast(list[_Chunk], known)
        )
        best: dict[tuple[int, int], float] = {}  # (point, concept) -> its best credit in this sentence
        for hits in filter(None, map(_HITS, infos)):
            for p, k, c in hits:
                if c > best.get((p, k), 0.0):
                    best[(p, k)] = c
        if not best or not any(map(states, _PIECE.split(text))):
            return self._zeros
        negated = any(map(_CUE, infos))
        out = [0.0] * len(self._totals)
        for (p, k), c in best.items():
            if self.negative[p] == negated:
                out[p] += c * self.rubric.points[p].concepts[k].weight / self._totals[p]
        return tuple(out)

    def coverage(self, answer: str, lang: str) -> list[float]:
        """Each point's soft coverage by its best sentence of `answer`."""
        best = list(self._zeros)
        for piece in SENTENCE_END.split(answer):
            if piece.strip():
                s = self.sentence(piece.strip(), lang)
                if s is not self._zeros:
                    best = [max(a, b) for a, b in zip(best, s, strict=True)]
        return best


_rubrics: dict[int, SoftRubric] = {}


def soft_rubric(question: Question, rubric: Rubric) -> SoftRubric:
    """The compiled soft matcher of this rubric, built once and reused."""
    s = _rubrics.get(id(rubric))
    if s is None or s.rubric is not rubric or s.question != question.question or s.floor != FLOOR:
        if len(_rubrics) > _RUBRICS_LIMIT:
            _rubrics.clear()
        s = _rubrics[id(rubric)] = SoftRubric(rubric, question.question, FLOOR)
    return s


def blend(score: float, soft: float, weight: float) -> float:
    """A point's score with soft matching: what exact matching found, or `weight` times its soft coverage."""
    return max(score, weight * soft)


def soft_match(question: Question, rubric: Rubric, match: AnswerMatch, lang: str) -> AnswerMatch:
    """`match` with each point of an automatic rubric raised to its soft coverage (see the module's docstring)."""
    if rubric.built_by != "auto" or not WEIGHT or not match.answer.strip():
        return match
    if all(p.score >= WEIGHT for p in match.points):  # soft coverage is at most 1: nothing to gain
        return match
    soft = soft_rubric(question, rubric).coverage(match.answer, lang)
    if not any(soft):
        return match
    points = []
    for p, s in zip(match.points, soft, strict=True):
        score = blend(p.score, s, WEIGHT)
        points.append(p if score <= p.score else p._replace(score=score))
    return dataclasses.replace(match, points=points)
