"""Graded examples that teach the grader how one person grades one question. Pure.

API (used by `grader grade`, `grader batch`, `grader evaluate`, and by `grading.grade` for rubric examples):

    ex = Exemplars.fit(question, rubric, [GradedExample(id="a1", answer="...", score=0.75), ...])
    grade = ex.grade("an answer")            # a Grade: points covered/missing, score taught by the examples
    grade = ex.grade(text, exclude="a1")     # grading example a1 itself: it is left out of everything
    examples_from_rubric(rubric)             # the rubric's golden examples that carry a human `score`

How the examples are used, for the same question only:

- **New wordings** (`grader.engine.wordings`): terms that graded-high answers use where they miss one of a point's
  concepts, and graded-low answers rarely use, become alternatives of that concept.
- **Point weights.** Each key point's coverage over the examples is correlated with their human scores: a point
  that graded-high answers cover and graded-low answers miss gains weight (up to 3x); one that says nothing
  keeps its rubric weight. The reweighted coverage is the rubric's evidence, `c`.
- **Neighbours.** The answer is compared with every example by the overlap (Jaccard) of content-stem sets; the
  10 nearest vote with their scores, weighted by similarity to the 4th power: `v`, and `s` the nearest similarity.
- **Blend, learned per question.** A ridge regression from (`c`, `v`, `s`, `v*s`) to the human score is fitted
  on the examples themselves, each example's `v` and `s` taken leave-one-out, so every question learns how much
  to trust its rubric and its neighbours. Fewer examples fit fewer features (`c` alone under 10, `c` and `v`
  under 30); coverage never lowers a score (a negative weight on `c` drops it). An answer sharing no content
  word with any example is graded by the rubric alone. The grade's points and feedback are the rubric's, so
  every grade still says what is covered and missing.

No example is ever graded using itself: `grade(answer, exclude=id)` leaves that example out of the wordings,
weights, neighbours and blend (refitted without it, from counts and neighbour lists kept per example, so leaving
one out is cheap). Without an id, every example whose text equals the answer is left out, since it may be the
same one; other people's answers that happen to read the same (an id given) still count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from pydantic import Field

from grader.engine import wordings
from grader.engine.lexical import grade_lexical, lexical_points
from grader.engine.linfit import predict, ridge
from grader.engine.matching import Matcher
from grader.engine.metrics import pearson
from grader.engine.scoring import auto_curve, cap_of, combine, status_of
from grader.engine.text import content_stems
from grader.models import Example, Grade, Model, Question, Rubric

NEIGHBOURS = 10
SIM_POWER = 4.0  # leave-one-out on SAF training: 0.826 Pearson at 4, 0.821 at 1
RIDGE = 0.1
MAX_GAIN = 3.0
MIN_EXAMPLES = 3
FULL_AT, VOTE_AT = 30, 10  # examples needed for all features / for the neighbour vote
LEARN_WORDINGS = True
PARTS = ("rubric", "taught", "blend")  # what examples may change, least first: see `Exemplars.kept`
LOO_MAX, FOLDS = 30, 10  # the self-check leaves one out up to LOO_MAX examples, else one fold in FOLDS
NESTED_MAX = 40  # up to this many examples, the parts kept are chosen again without the example being graded
_SPARE = 8  # neighbours kept per example beyond NEIGHBOURS, so leaving a few out needs no new search


class GradedExample(Model):
    """An answer to the question with the score a person gave it (0..1)."""

    id: str
    answer: str
    score: float = Field(ge=0, le=1)


def examples_from_rubric(rubric: Rubric) -> list[GradedExample]:
    """A rubric's golden examples that carry a human score."""
    return [GradedExample(id=e.id, answer=e.answer, score=e.score) for e in rubric.examples if e.score is not None]


def with_examples(rubric: Rubric, examples: Sequence[GradedExample]) -> Rubric:
    """The rubric with graded examples (from a file) added as scored golden examples, so grading uses them."""
    taken = {e.id for e in rubric.examples}
    extra = []
    for n, ex in enumerate(examples, start=1):
        eid = next(i for i in (f"x{n}", *(f"x{n}-{k}" for k in range(1, 99))) if i not in taken)
        extra.append(Example(id=eid, answer=ex.answer, band=(0.0, 1.0), score=ex.score, note=f"graded example {ex.id}"))
    return rubric.model_copy(update={"examples": [*rubric.examples, *extra]})


_teachers: dict[int, tuple[Question, Rubric, Exemplars]] = {}


def teacher_for(question: Question, rubric: Rubric) -> Exemplars | None:
    """Exemplars from the rubric's scored golden examples (built once per rubric), or None with too few."""
    examples = examples_from_rubric(rubric)
    if len(examples) < MIN_EXAMPLES:
        return None
    hit = _teachers.get(id(rubric))
    if hit is not None and hit[0] == question and hit[1] is rubric:
        return hit[2]
    if len(_teachers) > 64:
        _teachers.clear()
    teacher = Exemplars.fit(question, rubric, examples)
    _teachers[id(rubric)] = (question, rubric, teacher)
    return teacher


@dataclass
class _Seen:
    """What is known of one example: its human score, point scores, content stems and neighbours."""

    example: GradedExample
    stems: frozenset[str]
    text: str
    near: list[tuple[float, int]] = field(default_factory=list)  # (similarity, index), most similar first


@dataclass
class _Fit:
    """What a pool of examples taught: the matcher (with learned wordings), point weights, blend coefficients."""

    matcher: Matcher
    rubric: Rubric
    coef: list[float]
    points: list[list[float]]  # point scores of every example under `matcher`


@dataclass
class Exemplars:
    """Examples compiled for one question and rubric; `grade` scores new answers the way they were graded."""

    question: Question
    rubric: Rubric
    seen: list[_Seen]
    typical: float = 0.0  # the median similarity of an example to its nearest other example
    _fits: dict[frozenset[int], _Fit] = field(default_factory=dict)
    _learner: wordings.Learner | None = None
    _kept: dict[frozenset[int], str] = field(default_factory=dict)
    errors: dict[str, float] = field(default_factory=dict)  # leave-one-out mean absolute error of each part

    @classmethod
    def fit(cls, question: Question, rubric: Rubric, examples: Sequence[GradedExample]) -> Exemplars:
        seen = [_Seen(ex, frozenset(content_stems(ex.answer, rubric.lang)), _key(ex.answer)) for ex in examples]
        for i, s in enumerate(seen):
            s.near = _nearest(s.stems, seen, {i})[: NEIGHBOURS + _SPARE]
        closest = sorted(s.near[0][0] if s.near else 0.0 for s in seen)
        return cls(question, rubric, seen, typical=closest[len(closest) // 2] if closest else 0.0)

    def grade(self, answer: str, *, exclude: str | None = None) -> Grade:
        """Grade `answer`, leaving out the example with id `exclude`; without an id, examples with the same text.

        Only the parts the self-check kept are used (`kept`): the rubric alone when teaching did not help."""
        if exclude is None:
            text = _key(answer)
            out = frozenset(i for i, s in enumerate(self.seen) if s.text == text)
        else:
            out = frozenset(i for i, s in enumerate(self.seen) if s.example.id == exclude)
        return self._grade(answer, out, self._choose(out if len(self.seen) <= NESTED_MAX else frozenset()))

    @property
    def kept(self) -> str:
        """What the examples may change (`PARTS`), chosen by leave-one-out on the examples themselves (one fold
        in `FOLDS` above `LOO_MAX` examples): each example is graded by the rubric alone, by the rubric taught by
        the others (wordings and point weights), and by that plus the blend with its neighbours' scores; a part is
        kept only when its mean absolute error against the human scores beats the rubric alone's, so examples
        never make grading worse on them."""
        return self._choose(frozenset())

    def _choose(self, out: frozenset[int]) -> str:
        """The part kept when the examples in `out` are left out (so an example never chooses how it is graded;
        with more than `NESTED_MAX` examples, one example's say in a three-way choice is left in: the nested
        check would cost examples³ matches)."""
        hit = self._kept.get(out)
        if hit is not None:
            return hit
        pool = [i for i in range(len(self.seen)) if i not in out]
        human = [self.seen[i].example.score for i in pool]
        scores: dict[tuple[str, int], float] = {}
        for fold in _folds(pool):  # each example graded by a fit that never saw it (nor the rest of its fold)
            for i in fold:
                for part in PARTS:
                    scores[part, i] = self._grade(self.seen[i].example.answer, out | fold, part).score or 0.0
        got = {part: [scores[part, i] for i in pool] for part in PARTS}
        errors = {part: round(sum(abs(g - h) for g, h in zip(got[part], human, strict=True)) / max(1, len(pool)), 4)
                  for part in PARTS}  # fmt: skip
        # A part must grade the examples closer to the person (MAE) than the rubric alone; examples that all got
        # one score cannot show that anything tells answers apart better, so they teach nothing. (Asking for a
        # Pearson no lower too was measured: on SAF with 20 and 50 examples a question it is too noisy to tell.)
        spread = max(human, default=0.0) > min(human, default=0.0)
        better = [p for p in PARTS[1:] if spread and errors[p] < errors["rubric"]]
        kept = self._kept[out] = min(better, key=lambda p: (errors[p], PARTS.index(p))) if better else "rubric"
        if not out:
            self.errors = errors
        return kept

    def _grade(self, answer: str, out: frozenset[int], part: str) -> Grade:
        n = len(self.seen) - len(out)
        if part == "rubric" or n < MIN_EXAMPLES or not answer.strip():
            return grade_lexical(self.question, self.rubric, answer)
        fit = self._fit(out)
        base = grade_lexical(self.question, fit.rubric, answer, matcher=fit.matcher)
        if base.score is None or part == "taught":
            return base.model_copy(update={"flags": [*base.flags, "exemplars"]})
        m = fit.matcher.match(answer, base.lang)
        c = _coverage(fit.rubric, [p.score for p in m.points])
        vote, close = _vote(_nearest(frozenset(content_stems(answer, self.rubric.lang)), self.seen, out), self.seen)
        score = round(min(1.0, max(0.0, predict(fit.coef, _row(n, vote, close, c)))), 4)
        points = lexical_points(fit.rubric, m, base.lang)
        # The examples speak for answers like them: their pull away from the rubric's score is weighted by how
        # like its nearest example the answer is, next to how like each other the examples are (the median of
        # their nearest similarities): an answer unlike anything graded (a wrong idea, another language, a
        # keyword list) keeps the rubric's score; one as close as the examples are to each other gets the blend.
        trust = min(1.0, close / self.typical) if self.typical > 0 else 0.0
        score = round(base.score + trust * (score - base.score), 4)
        score = min(score, cap_of(points, base.flags))  # the rubric's caps hold whatever the neighbours say
        if any(p.verdict == "contradicted" for p in base.points):  # a wrong claim: examples never raise its grade
            points = [b if b.verdict == "contradicted" else p for b, p in zip(base.points, points, strict=True)]
            score = min(score, base.score)
        return base.model_copy(update={"score": score, "points": points, "flags": [*base.flags, "exemplars"]})

    def _fit(self, out: frozenset[int]) -> _Fit:
        """Wordings, point weights and blend from every example but those in `out` (memoised)."""
        hit = self._fits.get(out)
        if hit is not None:
            return hit
        pool = [i for i in range(len(self.seen)) if i not in out]
        human = [self.seen[i].example.score for i in pool]
        rubric, matcher, points = self._wordings(pool, out)
        weighted = []
        for k, point in enumerate(rubric.points):
            r = pearson([p[k] for p in points], human)
            weighted.append(point.model_copy(update={"weight": point.weight * (1 + (MAX_GAIN - 1) * max(0.0, r))}))
        rubric = rubric.model_copy(update={"points": weighted})
        cover = [_coverage(rubric, p) for p in points]
        rows = [_row(len(pool), *_loo_vote(self.seen, i, out), c) for i, c in zip(pool, cover, strict=True)]
        coef = ridge(rows, human, RIDGE)
        at = 1 if len(pool) < VOTE_AT else 2  # where coverage sits in a row
        if coef[at] < 0:  # covering more must never score less: fit without coverage
            coef = ridge([[*r[:at], 0.0, *r[at + 1 :]] for r in rows], human, RIDGE)
        if len(self._fits) > 64:
            self._fits = {k: v for k, v in self._fits.items() if not k}  # the full fit stays: others reuse it
        fit = self._fits[out] = _Fit(matcher, rubric, coef, points)
        return fit

    def _wordings(self, pool: list[int], out: frozenset[int]) -> tuple[Rubric, Matcher, list[list[float]]]:
        """The rubric with wordings learned from the pool, its matcher, and each pool example's point scores."""
        if self._learner is None:
            matcher = Matcher(self.rubric, self.question.question)
            texts = [s.example.answer for s in self.seen]
            self._learner = wordings.Learner.build(
                self.question, self.rubric, matcher, texts, [s.example.score for s in self.seen]
            )
        rubric = self._learner.learn(out) if LEARN_WORDINGS else self.rubric
        full = self._fit(frozenset()) if out else None
        if full is not None and _same_wordings(rubric, full.rubric):
            return rubric, full.matcher, [full.points[i] for i in pool]
        matcher = Matcher(rubric, self.question.question)
        return rubric, matcher, [[p.score for p in matcher.match(self.seen[i].example.answer).points] for i in pool]


def _folds(pool: list[int]) -> list[frozenset[int]]:
    """The self-check's folds: one example each (leave-one-out) up to `LOO_MAX` examples, else `FOLDS` folds
    (every FOLDS-th example), so the check costs FOLDS fits, not one per example."""
    if len(pool) <= LOO_MAX:
        return [frozenset({i}) for i in pool]
    return [frozenset(pool[k::FOLDS]) for k in range(FOLDS)]


def _row(n: int, vote: float, close: float, cover: float) -> list[float]:
    """The blend's features for a pool of `n` examples: fewer examples, fewer features."""
    if n < VOTE_AT:
        return [1.0, cover]
    if n < FULL_AT:
        return [1.0, vote, cover]
    return [1.0, vote, cover, close, vote * close]


def _nearest(stems: frozenset[str], seen: Sequence[_Seen], out: set[int] | frozenset[int]) -> list[tuple[float, int]]:
    """(Jaccard similarity, index) of every example not in `out`, most similar first (ties: file order)."""
    sims = []
    for j, s in enumerate(seen):
        if j in out:
            continue
        union = len(stems | s.stems)
        sims.append((len(stems & s.stems) / union if union else 0.0, j))
    sims.sort(key=lambda t: (-t[0], t[1]))
    return sims


def _loo_vote(seen: Sequence[_Seen], i: int, out: frozenset[int]) -> tuple[float, float]:
    """Example i's neighbour vote from the others, without those in `out` (searched again if too many were)."""
    near = [t for t in seen[i].near if t[1] not in out]
    if len(near) < NEIGHBOURS and len(seen[i].near) == NEIGHBOURS + _SPARE:
        near = _nearest(seen[i].stems, seen, out | {i})
    return _vote(near, seen)


def _vote(near: list[tuple[float, int]], seen: Sequence[_Seen]) -> tuple[float, float]:
    """Similarity-weighted mean score of the nearest examples, and the nearest similarity (0 when none overlap)."""
    top = near[:NEIGHBOURS]
    if not top or top[0][0] <= 0:
        return 0.0, 0.0
    weights = [s**SIM_POWER for s, _ in top]
    total = sum(weights) or 1.0
    return sum(w * seen[j].example.score for w, (_, j) in zip(weights, top, strict=True)) / total, top[0][0]


@dataclass(slots=True)
class _Point:
    """The fields of a point result that scoring reads; made thousands of times while fitting, so no pydantic."""

    score: float
    weight: float
    required: bool
    status: str
    id: str = ""


def _coverage(rubric: Rubric, point_scores: list[float]) -> float:
    """The rubric's score for these point scores, as grading computes it (caps, `needs`, curve)."""
    results = [
        _Point(s, p.weight, p.required, status_of(s), p.id) for p, s in zip(rubric.points, point_scores, strict=True)
    ]
    score = combine(cast(Any, results), rubric.needs, rubric.group_needs())
    return auto_curve(score) if rubric.built_by == "auto" else score


def _same_wordings(a: Rubric, b: Rubric) -> bool:
    return [[c.any for c in p.concepts] for p in a.points] == [[c.any for c in p.concepts] for p in b.points]


def _key(text: str) -> str:
    return " ".join(text.lower().split())
