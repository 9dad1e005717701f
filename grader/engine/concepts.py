"""Where a compiled concept is found in an answer's words: windows of its wordings' stems, polarity, evidence.
Pure: the matcher (`grader.engine.matching`) reads the answer once and hands over where each rubric stem stands.
"""

from __future__ import annotations

from grader.engine.compiled import CompiledConcept, CompiledPoint, ConceptMatch, Evidence, PointMatch, find_windows
from grader.engine.polarity import absent_at, negated_at, negated_inside
from grader.engine.words import Words

_MAX_SPANS = 3


Cues = tuple[set[int], set[int]] | None  # `grader.engine.polarity.cue_reach` of the answer


def match_points(
    compiled: list[CompiledPoint],
    positions: dict[str, list[int]],
    toks: Words,
    answer: str,
    covered: set[int],
    cues: Cues,
) -> list[PointMatch]:
    """Each compiled point's finding in an answer, from where its words stand (`positions`: rubric stem or cue ->
    indexes of the answer's words that stand for it); `covered` gathers the indexes of every word of evidence, and
    `cues`: which words a negation or absence cue may reach (None: the answer holds no cue)."""
    points = []
    for cp in compiled:
        if cp.stems.isdisjoint(positions):
            points.append(cp.unmatched)
            continue
        concepts = tuple(
            cc.unmatched
            if cc.stems.isdisjoint(positions)
            else match_concept(cc, positions, toks, answer, covered, cues)
            for cc in cp.concepts
        )
        got = sum(c.weight for c in concepts if c.matched)
        points.append(PointMatch(cp.id, got / cp.total if cp.total else 0.0, concepts))
    return points


def match_whole_points(
    compiled: list[CompiledPoint], positions: dict[str, list[int]], toks: Words, answer: str, cues: Cues
) -> list[PointMatch]:
    """`match_points` for points that count only when every concept is found (a misconception is stated in full or
    not at all): a point with a concept not found is given as not found at all, and its other concepts are not
    searched for."""
    points, covered = [], set[int]()  # no evidence of a misconception counts as covering the answer
    for cp in compiled:
        found = []
        if not any(cc.stems.isdisjoint(positions) for cc in cp.concepts):
            for cc in cp.concepts:
                c = match_concept(cc, positions, toks, answer, covered, cues)
                if not c.matched:
                    break
                found.append(c)
        if len(found) < len(cp.concepts) or not cp.concepts:
            points.append(cp.unmatched)
            continue
        points.append(PointMatch(cp.id, 1.0 if cp.total else 0.0, tuple(found)))
    return points


def match_concept(
    cc: CompiledConcept, positions: dict[str, list[int]], toks: Words, answer: str, covered: set[int], cues: Cues
) -> ConceptMatch:
    negated = False
    for w in cc.wordings:
        if len(w.stems) == 1:  # the usual wording: one word, so each window is one word
            plist = positions.get(w.stems[0])
            if not plist:
                continue
            at = (
                [
                    i
                    for i in plist
                    if (i not in cues[0] or not negated_at(i, toks, answer, positions))
                    and (i not in cues[1] or not absent_at(i, toks, answer, positions))
                ]
                if cues is not None
                else plist
            )
            if not at:
                negated = True
                continue
            covered.update(at)
            spans = [Evidence(a, b, answer[a:b]) for a, b in map(toks.word_span, at[:_MAX_SPANS])]
            return ConceptMatch(cc.concept.weight, True, False, w.text, spans)
        else:
            if not positions.keys() >= w.stem_set:
                continue
            windows = find_windows(w.stems, positions)
            if not windows:
                continue
        kept = (
            [
                (a, b)
                for a, b in windows
                if (a not in cues[0] or not negated_at(a, toks, answer, positions))
                and (b not in cues[1] or not absent_at(b, toks, answer, positions))
                and (a == b or w.negative or not negated_inside(a, b, toks, answer, positions))
            ]
            if cues is not None
            else windows
        )
        if not kept:
            negated = True
            continue
        spans = []
        for a, b in kept[:_MAX_SPANS]:
            start, end = toks.span(a, b)
            spans.append(Evidence(start, end, answer[start:end]))
        for a, b in kept:
            covered.update(range(a, b + 1))
        return ConceptMatch(cc.concept.weight, True, False, w.text, spans)
    return ConceptMatch(cc.concept.weight, False, negated) if negated else cc.unmatched
