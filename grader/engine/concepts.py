"""Where a compiled concept is found in an answer's words: windows of its wordings' stems, polarity, evidence.
Pure: the matcher (`grader.engine.matching`) reads the answer once and hands over where each rubric stem stands.
"""

from __future__ import annotations

from grader.engine.compiled import (
    CompiledConcept,
    CompiledPoint,
    ConceptMatch,
    Evidence,
    PointMatch,
    Wording,
    find_windows,
)
from grader.engine.polarity import absence_cue, absent_at, negated_at, negated_inside, negating_cue
from grader.engine.text import NEGATING_PREPOSITIONS, NEGATIONS
from grader.engine.words import Words

_MAX_SPANS = 3


Cues = tuple[set[int], set[int]] | None  # `grader.engine.polarity.cue_reach` of the answer


def match_points(
    compiled: list[CompiledPoint], positions: dict[str, list[int]], toks: Words, answer: str, cues: Cues
) -> list[PointMatch]:
    """Each compiled point's finding in an answer, from where its words stand (`positions`: rubric stem or cue ->
    indexes of the answer's words that stand for it); `cues`: which words a negation or absence cue may reach
    (None: the answer holds no cue). Only concepts with a stem in the answer are looked at; the others, and points
    none of whose stems is there, are the findings "not found" made once per rubric."""
    points = []
    for cp in compiled:
        if cp.stems.isdisjoint(positions):
            points.append(cp.unmatched)
            continue
        concepts = tuple(
            cc.unmatched
            if cc.stems.isdisjoint(positions)
            else match_concept(cc, positions, toks, answer, None if cc.either_polarity else cues)
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
    points = []
    for cp in compiled:
        found = []
        if not any(cc.stems.isdisjoint(positions) for cc in cp.concepts):
            for cc in cp.concepts:
                c = match_concept(cc, positions, toks, answer, cues)
                if not c.matched:
                    break
                found.append(c)
        if len(found) < len(cp.concepts) or not cp.concepts:
            points.append(cp.unmatched)
            continue
        points.append(PointMatch(cp.id, 1.0 if cp.total else 0.0, tuple(found)))
    return points


def _kept_words(plist: list[int], toks: Words, answer: str, positions: dict[str, list[int]], cues: Cues) -> list[int]:
    """The first `_MAX_SPANS` of these word indexes that no cue negates (all there are, without a cue)."""
    if cues is None:
        return plist[:_MAX_SPANS]
    neg, absent = cues
    at = []
    for i in plist:
        if i in neg and negated_at(i, toks, answer, positions):
            continue
        if i in absent and absent_at(i, toks, answer, positions):
            continue
        at.append(i)
        if len(at) == _MAX_SPANS:
            break
    return at


def _kept_windows(
    windows: list[tuple[int, int]], w: Wording, toks: Words, answer: str, positions: dict[str, list[int]], cues: Cues
) -> list[tuple[int, int]]:
    """The first `_MAX_SPANS` of these windows that no cue negates (before, after or inside them)."""
    if cues is None:
        return windows[:_MAX_SPANS]
    neg, absent = cues
    kept = []
    for a, b in windows:
        if (
            (a not in neg or not negated_at(a, toks, answer, positions))
            and (b not in absent or not absent_at(b, toks, answer, positions))
            and (a == b or w.negative or not negated_inside(a, b, toks, answer, positions))
        ):
            kept.append((a, b))
            if len(kept) == _MAX_SPANS:
                break
    return kept


def _litotes(cue: int, toks: Words, answer: str) -> bool:
    """Whether the negating preposition at token `cue` ("without", "ohne", "без") is itself negated by the word just
    before it ("not without", "nicht ohne", "не без"), which affirms what follows."""
    return (
        cue > 0
        and toks.norm(cue) in NEGATING_PREPOSITIONS
        and toks.norm(cue - 1) in NEGATIONS
        and not answer[toks.ends[cue - 1] : toks.starts[cue]].strip()
    )


def _said_negated(w: Wording, positions: dict[str, list[int]], toks: Words, answer: str, cues: Cues) -> list[Evidence]:
    """Evidence of a negative wording said with another cue than its own: its content words where a cue of the
    answer negates them ("without any children" for "no children", "обновлений весов нет" for "веса не
    обновляются"), each span from the cue to the words; empty when none is."""
    if cues is None or not positions.keys() >= set(w.negated):
        return []
    neg, absent = cues
    spans = []
    for a, b in find_windows(w.negated, positions):
        cue = negating_cue(a, toks, answer, positions) if a in neg else None
        if cue is not None and _litotes(cue, toks, answer):
            continue  # "not without edges", "nicht ohne Kanten", "не без рёбер": the edges are there
        if cue is not None:
            start, end = toks.span(cue, b)
        else:
            cue = absence_cue(b, toks, answer, positions) if b in absent else None
            if cue is None:
                continue
            start, end = toks.span(a, cue)
        spans.append(Evidence(start, end, answer[start:end]))
        if len(spans) == _MAX_SPANS:
            break
    return spans


def match_concept(
    cc: CompiledConcept, positions: dict[str, list[int]], toks: Words, answer: str, cues: Cues
) -> ConceptMatch:
    """The concept's first wording found in the answer without a cue negating it, with evidence of its first few
    places; else not found, negated when some wording was there but only under a negation."""
    negated = False
    for w in cc.wordings:
        single = w.single
        if single is not None:  # the usual wording: one word, so each window is one word
            plist = positions.get(single)
            if not plist:
                continue
            at = _kept_words(plist, toks, answer, positions, cues)
            if not at:
                negated = True
                continue
            return ConceptMatch(cc.weight, True, False, w.text, toks.evidence(answer, at))
        windows = find_windows(w.stems, positions) if positions.keys() >= w.stem_set else []
        if not windows:
            said = _said_negated(w, positions, toks, answer, cues) if w.negated else []
            if said:
                return ConceptMatch(cc.weight, True, False, w.text, said)
            continue
        kept = _kept_windows(windows, w, toks, answer, positions, cues)
        if not kept:
            negated = True
            continue
        spans = []
        for a, b in kept:
            start, end = toks.span(a, b)
            spans.append(Evidence(start, end, answer[start:end]))
        return ConceptMatch(cc.weight, True, False, w.text, spans)
    return ConceptMatch(cc.weight, False, negated) if negated else cc.unmatched
