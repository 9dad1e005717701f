"""Soft matching of an automatic rubric's points against the answer's best sentence. Pure.

An automatic rubric's concepts are the reference's own words, so an answer that says the same thing in related
words ("collinear" for "multicollinearity", "Vorverarbeitung" for "Datenvorverarbeitung", "сходятся" for
"сходимость") finds none of them, and a one-sentence reference becomes a point that any rewording misses. Here
each concept is compared with the words of each sentence of the answer by the character trigrams of their stems
(Dice: shared trigrams over their mean count). A concept earns credit rising from nothing at `FLOOR` similarity to
full at the same stem; a point's soft coverage is the weighted share of credit its concepts earn in the answer's
best sentence for it; and the point's score becomes `max(concept coverage, WEIGHT * soft coverage)`, so soft
matching only ever adds what exact matching missed. `WEIGHT` and `FLOOR` are fitted on SAF leaving each question
out (`python benchmarks/loqo.py`).

Guards, so that soft credit is no cheaper to game than a match: words of the question earn nothing; a sentence
whose polarity differs from the point's (one holds a negation cue, the other not) earns nothing for it; a piece
none of whose comma-separated pieces states anything (a list of terms, `grader.engine.statements`) is not a
sentence. Applied to automatic rubrics only: curated
rubrics list their wordings on purpose.

Cost: each distinct answer word is compared with the rubric's concept stems once per rubric (through an index of
trigrams), and each distinct sentence is scored once per rubric; both memoised and bounded.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from grader.engine.matching import AnswerMatch
from grader.engine.statements import states
from grader.engine.text import ALL_STOPWORDS, NEGATIONS, tokenize
from grader.models import Question, Rubric

WEIGHT = 0.25
FLOOR = 0.3
_SENTENCE = re.compile(r"[.!?;\n]+")
_PIECE = re.compile(r"[,:•·]+")  # a sentence's pieces: one of them must state something
_MEMO_LIMIT = 50_000
_RUBRICS_LIMIT = 256


@lru_cache(maxsize=200_000)
def grams(stem: str) -> frozenset[str]:
    """Character trigrams of a stem, with its edges marked ("<ab", "abc", "bc>")."""
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


@dataclass
class SoftRubric:
    """One automatic rubric's concepts as stems, an index of their trigrams, and the memos of answer words and
    sentences."""

    rubric: Rubric
    question: str
    floor: float = FLOOR
    # Per point: its concepts as (weight, index of each of its stems in `stems`), and whether it holds a negation.
    points: list[tuple[tuple[float, tuple[int, ...]], ...]] = field(init=False)
    negative: list[bool] = field(init=False)
    stems: list[str] = field(init=False)
    _asked: frozenset[str] = field(init=False)
    _index: dict[str, list[int]] = field(init=False)  # trigram -> the stems holding it
    _words: dict[str, dict[int, float]] = field(init=False, default_factory=dict)
    sentences: dict[tuple[str, str], tuple[float, ...]] = field(init=False, default_factory=dict)  # the memo

    def __post_init__(self) -> None:
        lang = self.rubric.lang
        self._asked = frozenset(_content(self.question, lang)[0]) if self.question else frozenset()
        at: dict[str, int] = {}
        self.points, self.negative = [], []
        for point in self.rubric.points:
            concepts = []
            for concept in point.concepts:
                stems = {s for w in concept.any for s in _content(w, lang)[0] if s not in self._asked}
                ids = tuple(at.setdefault(s, len(at)) for s in sorted(stems))
                if ids:
                    concepts.append((concept.weight, ids))
            self.points.append(tuple(concepts))
            wordings = " ".join(w for c in point.concepts for w in c.any)
            self.negative.append(_content(f"{point.text} {wordings}", lang)[1])
        self.stems = list(at)
        self._index = {}
        for i, s in enumerate(self.stems):
            for g in grams(s):
                self._index.setdefault(g, []).append(i)

    def word(self, stem: str) -> dict[int, float]:
        """The rubric stems this answer stem earns credit for, with that credit (memoised)."""
        hit = self._words.get(stem)
        if hit is None:
            mine = grams(stem)
            shared = Counter(i for g in mine for i in self._index.get(g, ()))
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
        if hit is not None:
            return hit
        stems, negated = _content(text, lang)
        best: dict[int, float] = {}
        if any(map(states, _PIECE.split(text))):
            for s in set(stems) - self._asked:
                for i, c in self.word(s).items():
                    if c > best.get(i, 0.0):
                        best[i] = c
        out = []
        for concepts, negative in zip(self.points, self.negative, strict=True):
            total = sum(w for w, _ in concepts)
            if not best or not total or negative != negated:
                out.append(0.0)
                continue
            out.append(sum(w * max(best.get(i, 0.0) for i in ids) for w, ids in concepts) / total)
        hit = tuple(out)
        if len(self.sentences) < _MEMO_LIMIT:
            self.sentences[(lang, text)] = hit
        return hit

    def coverage(self, answer: str, lang: str) -> list[float]:
        """Each point's soft coverage by its best sentence of `answer`."""
        best = [0.0] * len(self.points)
        for piece in _SENTENCE.split(answer):
            if piece.strip():
                best = [max(a, b) for a, b in zip(best, self.sentence(piece.strip(), lang), strict=True)]
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
    soft = soft_rubric(question, rubric).coverage(match.answer, lang)
    if not any(soft):
        return match
    points = []
    for p, s in zip(match.points, soft, strict=True):
        score = blend(p.score, s, WEIGHT)
        points.append(p if score <= p.score else p._replace(score=score))
    return dataclasses.replace(match, points=points)
