"""New wordings for a rubric's concepts, learned from graded answers. Pure.

People who know the subject say things the reference does not: "flow control" where the reference wrote "the
sender does not overwhelm the receiver". Graded answers show it. A term becomes a new alternative of a concept
when, among answers graded high (>= `HIGH`) that miss that concept, at least `MIN_SHARE` use it (and at least
`MIN_COUNT` answers), while answers graded low (<= `LOW`) use it at most `MAX_LOW_RATIO` times as often. Words
of the question, stopwords, and stems already wording a concept are never learned; a term goes to the one
concept where it stands out most, and a concept takes at most `PER_CONCEPT` terms.

    learner = Learner.build(question, rubric, matcher, texts, scores)
    rubric2 = learner.learn()                 # the rubric with learned wordings (built_by unchanged)
    rubric3 = learner.learn(out={4, 7})       # as if examples 4 and 7 were not there (cheap: counts are kept)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from grader.engine.matching import Matcher
from grader.engine.text import content_stems, tokenize
from grader.models import Concept, Question, Rubric

HIGH, LOW = 0.75, 0.25
MIN_COUNT = 4
MIN_SHARE = 0.2
MAX_LOW_RATIO = 0.5
PER_CONCEPT = 2


@dataclass
class _Concept:
    """Counts for one concept: high answers missing it, low answers, and the stems each group uses."""

    point: int
    index: int
    high: Counter[str]
    n_high: int
    missed_by: frozenset[int]  # examples graded high that miss the concept


@dataclass
class Learner:
    rubric: Rubric
    stems: list[frozenset[str]]  # candidate stems of each example
    scores: list[float]
    concepts: list[_Concept]
    low: Counter[str]
    n_low: int
    forms: dict[str, str]  # stem -> the word form answers use most

    @classmethod
    def build(
        cls, question: Question, rubric: Rubric, matcher: Matcher, texts: Sequence[str], scores: Sequence[float]
    ) -> Learner:
        banned = content_stems(question.question, rubric.lang) | {
            s for p in rubric.points for c in p.concepts for w in c.any for s in tokenize(w, rubric.lang).stems
        }
        # The matcher leaves out concepts made only of question words: map its concepts back to the rubric's.
        at = [[[c is cc.concept for c in rubric.points[pi].concepts].index(True) for cc in cp.concepts]
              for pi, cp in enumerate(matcher.points)]  # fmt: skip
        stems, forms = [], Counter[tuple[str, str]]()
        hits = []
        for t in texts:
            toks = tokenize(t, rubric.lang)
            keep = content_stems(t, rubric.lang) - banned
            stems.append(frozenset(s for s in keep if len(s) > 2 and not s.isdigit()))
            forms.update((s, n) for n, s in zip(toks.norms, toks.stems, strict=True) if s in keep)
            found = matcher.match(t).points
            hits.append({(pi, at[pi][k]) for pi, p in enumerate(found) for k, c in enumerate(p.concepts) if c.matched})
        best: dict[str, str] = {}
        for (s, n), _ in forms.most_common():
            best.setdefault(s, n)
        low: Counter[str] = Counter()
        for st, y in zip(stems, scores, strict=True):
            if y <= LOW:
                low.update(st)
        concepts = []
        for pi in range(len(rubric.points)):
            for ci in at[pi]:
                missed = [k for k, y in enumerate(scores) if y >= HIGH and (pi, ci) not in hits[k]]
                high: Counter[str] = Counter()
                for k in missed:
                    high.update(stems[k])
                concepts.append(_Concept(pi, ci, high, len(missed), frozenset(missed)))
        return cls(rubric, stems, list(scores), concepts, low, sum(y <= LOW for y in scores), best)

    def learn(self, out: frozenset[int] | set[int] = frozenset()) -> Rubric:
        """The rubric with the learned wordings, from every example but those in `out`."""
        n_low = self.n_low - sum(1 for k in out if self.scores[k] <= LOW)
        gone_low = Counter(s for k in out if self.scores[k] <= LOW for s in self.stems[k])
        picks: dict[str, tuple[float, int]] = {}  # stem -> (lift, concept number)
        for number, c in enumerate(self.concepts):
            gone = [k for k in out if k in c.missed_by]
            n_high = c.n_high - len(gone)
            if n_high < MIN_COUNT:
                continue
            gone_high = Counter(s for k in gone for s in self.stems[k])
            for stem, count in c.high.items():
                count -= gone_high[stem]
                if count < MIN_COUNT or count < MIN_SHARE * n_high:
                    continue
                rate_high = count / n_high
                rate_low = (self.low[stem] - gone_low[stem]) / n_low if n_low else 0.0
                if rate_low > MAX_LOW_RATIO * rate_high:
                    continue
                lift = rate_high - rate_low
                if lift > picks.get(stem, (0.0, -1))[0]:
                    picks[stem] = (lift, number)
        return self._with(picks)

    def _with(self, picks: dict[str, tuple[float, int]]) -> Rubric:
        chosen: dict[int, list[tuple[float, str]]] = {}
        for stem, (lift, number) in picks.items():
            chosen.setdefault(number, []).append((-lift, self.forms.get(stem, stem)))
        if not chosen:
            return self.rubric
        points = [p.model_copy(update={"concepts": list(p.concepts)}) for p in self.rubric.points]
        for number, terms in chosen.items():
            c = self.concepts[number]
            concept = points[c.point].concepts[c.index]
            new = [t for _, t in sorted(terms)[:PER_CONCEPT]]
            points[c.point].concepts[c.index] = Concept(any=[*concept.any, *new], weight=concept.weight)
        return self.rubric.model_copy(update={"points": points})
