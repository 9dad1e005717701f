"""Graded examples that teach the grader how one person grades one question. Pure.

API (used by `grader grade`, `grader batch` and `grader evaluate`):

    ex = Exemplars.fit(question, rubric, [GradedExample(id="a1", answer="...", score=0.75), ...])
    grade = ex.grade("an answer")            # a Grade: points covered/missing, score taught by the examples
    grade = ex.grade(text, exclude="a1")     # grading example a1 itself: it is left out of everything
    examples_from_rubric(rubric)             # the rubric's golden examples that carry a human `score`

How the examples are used, for the same question only:

- **Point weights.** Each key point's coverage over the examples is correlated with their human scores: a point
  that graded-high answers cover and graded-low answers miss gains weight (up to 3x); one that says nothing
  keeps its rubric weight.
- **Scale.** The reweighted rubric coverage is mapped to the person's scale by a least-squares line over the
  examples (the slope kept positive).
- **Neighbours.** The answer is compared with every example by overlap (Jaccard) of content stems; the scores of the
  nearest ones, weighted by similarity, vote.
- The score blends the two: `NEIGHBOUR_SHARE` from the neighbours (less when they are far), the rest from the
  rubric. The grade's points and feedback are the rubric's, so every grade still says what is covered and missing.

No example is ever graded using itself: `grade(answer, exclude=id)`, and any example whose text equals the answer,
is left out of the weights, the line and the neighbours (they are refitted without it, which is cheap).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from pydantic import Field

from grader.grading import grade_lexical, lexical_points, matcher_for
from grader.matching import Matcher
from grader.metrics import pearson
from grader.models import Grade, Model, PointResult, Question, Rubric
from grader.scoring import auto_curve, combine, status_of
from grader.text import content_stems, tokenize

NEIGHBOURS = 10
NEIGHBOUR_SHARE = 0.8  # chosen by leave-one-out on SAF training
MAX_GAIN = 3.0
SIM_POWER = 1.0
CLOSE_AT = 0.3  # a nearest example this similar (cosine) gets the neighbours their full share
MIN_EXAMPLES = 3


class GradedExample(Model):
    """An answer to the question with the score a person gave it (0..1)."""

    id: str
    answer: str
    score: float = Field(ge=0, le=1)


def examples_from_rubric(rubric: Rubric) -> list[GradedExample]:
    """A rubric's golden examples that carry a human score."""
    return [GradedExample(id=e.id, answer=e.answer, score=e.score) for e in rubric.examples if e.score is not None]


@dataclass
class _Seen:
    """What is known of one example: its human score, point scores and stem vector."""

    example: GradedExample
    points: list[float]
    stems: Counter[str]
    text: str


@dataclass
class Exemplars:
    """Examples compiled for one question and rubric; `grade` scores new answers the way they were graded."""

    question: Question
    rubric: Rubric
    seen: list[_Seen]
    matcher: Matcher
    _fits: dict[str, tuple[Rubric, float, float]] = field(default_factory=dict)

    @classmethod
    def fit(cls, question: Question, rubric: Rubric, examples: Sequence[GradedExample]) -> Exemplars:
        matcher = matcher_for(question, rubric)
        seen = []
        for ex in examples:
            m = matcher.match(ex.answer)
            seen.append(_Seen(ex, [p.score for p in m.points], _stems(ex.answer, rubric.lang), _key(ex.answer)))
        return cls(question, rubric, seen, matcher)

    def grade(self, answer: str, *, exclude: str | None = None) -> Grade:
        """Grade `answer`; examples with id `exclude` or the same text are not used."""
        text = _key(answer)
        pool = [s for s in self.seen if s.example.id != exclude and s.text != text]
        base = grade_lexical(self.question, self.rubric, answer, matcher=self.matcher)
        if len(pool) < MIN_EXAMPLES or base.score is None or not answer.strip():
            return base
        key = "" if len(pool) == len(self.seen) else f"{exclude}\0{text}"
        rubric, a, b = self._fit(pool, key)
        m = self.matcher.match(answer, base.lang)
        coverage = _coverage(rubric, [p.score for p in m.points])
        from_rubric = min(1.0, max(0.0, a + b * coverage))
        vote, closeness = _neighbour_vote(_stems(answer, self.rubric.lang), pool, self._idf(pool))
        share = NEIGHBOUR_SHARE * closeness
        score = round(share * vote + (1 - share) * from_rubric, 4)
        points = lexical_points(rubric, m, base.lang)
        return base.model_copy(update={"score": score, "points": points, "flags": [*base.flags, "exemplars"]})

    def _fit(self, pool: list[_Seen], key: str) -> tuple[Rubric, float, float]:
        """Point weights and the coverage-to-score line from the examples in `pool` (memoised by `key`)."""
        hit = self._fits.get(key)
        if hit is not None:
            return hit
        human = [s.example.score for s in pool]
        points = []
        for i, point in enumerate(self.rubric.points):
            r = pearson([s.points[i] for s in pool], human)
            points.append(point.model_copy(update={"weight": point.weight * (1 + (MAX_GAIN - 1) * max(0.0, r))}))
        rubric = self.rubric.model_copy(update={"points": points})
        a, b = _line([_coverage(rubric, s.points) for s in pool], human)
        if key and len(self._fits) > 64:
            self._fits.clear()
        self._fits[key] = (rubric, a, b)
        return rubric, a, b

    def _idf(self, pool: list[_Seen]) -> dict[str, float]:
        df: Counter[str] = Counter()
        for s in pool:
            df.update(s.stems.keys())
        n = len(pool)
        return {t: math.log((1 + n) / (1 + c)) + 1 for t, c in df.items()}


def _coverage(rubric: Rubric, point_scores: list[float]) -> float:
    """The rubric's score for these point scores, as grading computes it (caps, `needs`, curve)."""
    results = [
        PointResult.model_construct(
            id=p.id, text="", status=status_of(s), score=s, weight=p.weight, required=p.required, evidence=[]
        )
        for p, s in zip(rubric.points, point_scores, strict=True)
    ]
    score = combine(results, rubric.needs)
    return auto_curve(score) if rubric.built_by == "auto" else score


def _neighbour_vote(stems: Counter[str], pool: list[_Seen], idf: dict[str, float]) -> tuple[float, float]:
    """Similarity-weighted mean score of the nearest examples, and how close they are (0..1).

    Similarity is the Jaccard overlap of content-stem sets: on SAF training (leave-one-out) it beat TF-IDF cosine.
    """
    mine = set(stems)
    sims = sorted(((_jaccard(mine, set(s.stems)), s.example.score) for s in pool), reverse=True)[:NEIGHBOURS]
    total = sum(max(sim, 1e-6) ** SIM_POWER for sim, _ in sims)
    vote = sum(max(sim, 1e-6) ** SIM_POWER * score for sim, score in sims) / total
    closeness = min(1.0, sims[0][0] / CLOSE_AT) if sims else 0.0
    return vote, closeness


def _jaccard(a: set[str], b: set[str]) -> float:
    union = a | b
    return len(a & b) / len(union) if union else 0.0


def _stems(text: str, lang: str) -> Counter[str]:
    toks = tokenize(text, lang)
    keep = content_stems(text, lang)
    return Counter(s for s in toks.stems if s in keep)


def _tfidf(stems: Counter[str], idf: dict[str, float]) -> dict[str, float]:
    return {t: (1 + math.log(c)) * idf.get(t, math.log(2) + 1) for t, c in stems.items()}


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    dot = sum(v * b.get(t, 0.0) for t, v in a.items())
    na = math.sqrt(sum(v * v for v in a.values()))
    nb = math.sqrt(sum(v * v for v in b.values()))
    return dot / (na * nb) if na and nb else 0.0


def _line(x: Sequence[float], y: Sequence[float]) -> tuple[float, float]:
    """Least-squares y = a + b x with b >= 0 (a rubric that covers more never scores less)."""
    n = len(x)
    mx, my = sum(x) / n, sum(y) / n
    sxx = sum((v - mx) ** 2 for v in x)
    b = max(0.0, sum((u - mx) * (v - my) for u, v in zip(x, y, strict=True)) / sxx) if sxx else 0.0
    return my - b * mx, b


def _key(text: str) -> str:
    return " ".join(text.lower().split())
