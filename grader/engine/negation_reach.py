"""Where a negation reaches: a rubric wording with its own negation ("веса не обновляются") matches only where the
answer's cue negates the wording's own word. Pure.

The matcher finds a negative wording's words in a window, in any order, so "градиент не маленький, веса нормально
обновляются" held "веса не обновляются" and "слои обучаются не хуже" held "не обучаются". A cue negates the words
after it in its clause (in German also before it), or the next item of a list it opens; not a word of a new
clause, nor a word before it when it negates another after it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from grader.engine.compiled import CompiledPoint, ConceptMatch, PointMatch
from grader.engine.text import NEGATIONS, Tokens, is_stopword, tokenize

# A negation cue reaches the word it negates inside its clause, or as the next item of a list it opens ("no loss,
# duplication"), never into a new clause ("не маленький, веса нормально обновляются": the weights do update).
_CLAUSE_BREAK = re.compile(r"[,;:.!?\n]|\s[—–-]\s")  # not a bracket: it explains ("no feedback (ACK)")
_REST = 40  # characters after the evidence read for what a trailing cue negates
_MEMO_LIMIT = 256  # matchers' points remembered
_CUE_REACH = 3  # content words from a cue to the word it negates ("не всегда обновляются", "no loss due to flow")


@lru_cache(maxsize=4096)
def _negated_word(wording: str, lang: str) -> tuple[str, ...]:
    """Stems of the words a negative wording's cue negates: the word after each cue ("веса не обновляются" ->
    "обновля"); empty when a cue ends the wording."""
    toks = tokenize(wording, lang)
    return tuple(toks.stems[i + 1] for i, n in enumerate(toks.norms[:-1]) if n in NEGATIONS)


def negation_reaches(span: str, wording: str, lang: str, rest: str = "") -> bool:
    """Whether a negation cue in `span` (the evidence of the negative `wording`; `rest`: the answer's text after it)
    negates the word the wording negates: at most `_CUE_REACH` content words before it, or after it where the cue
    negates nothing else (German "lernt das Muster nicht", "connection: none", but not "обучаются не хуже", where it
    negates "хуже"). Between them no clause break, unless the word opens the next item of a list ("no flow control,
    connect or disconnect")."""
    targets = set(_negated_word(wording, lang))
    toks = tokenize(span, lang)
    cues = [i for i, n in enumerate(toks.norms) if n in NEGATIONS]
    if not cues or not targets.intersection(toks.stems):
        return True  # no cue, or the word matched through a synonym ("without having to modify"): left alone
    content = [i for i, n in enumerate(toks.norms) if not is_stopword(n) or n in NEGATIONS]
    for c in cues:
        k = content.index(c)
        after = content[k + 1 : k + 1 + _CUE_REACH]
        trailing = lang == "de" or not _negates_next(span[toks.ends[c] :] + rest)
        near = [*after, *content[max(0, k - _CUE_REACH) : k]] if trailing else after
        for i in near:
            if toks.stems[i] in targets and _within_reach(span, toks, c, i):
                return True
    return False


def _negates_next(text: str) -> bool:
    """Whether a content word follows a cue in its clause (`text`: what follows the cue)."""
    stop = _CLAUSE_BREAK.search(text)
    following = tokenize(text[: stop.start() if stop else len(text)], "en").norms
    return any(not is_stopword(n) for n in following)


def _within_reach(span: str, toks: Tokens, cue: int, word: int) -> bool:
    if word < cue:
        return not _CLAUSE_BREAK.search(span, toks.ends[word], toks.starts[cue])
    breaks = list(_CLAUSE_BREAK.finditer(span, toks.ends[cue], toks.starts[word]))
    # Past a break only as the first word after it: the list's next item, not a word of a new clause.
    return not breaks or not any(toks.starts[word - 1] >= b.end() for b in breaks[-1:])


def drop_misplaced_negations(
    compiled: Sequence[CompiledPoint], points: Sequence[PointMatch], lang: str, answer: str = ""
) -> list[PointMatch]:
    """The matcher's findings without the negative wordings ("веса не обновляются") whose evidence holds the cue
    but where it does not negate the wording's word (`negation_reaches`): a wrong reading is no credit."""
    out: list[PointMatch] = []
    for pm, negative in zip(points, _negative_wordings(compiled), strict=True):
        if not pm.score or negative is None:  # most points have no negative wording: nothing to check
            out.append(pm)
            continue
        wrong = [_misplaced(c, texts, lang, answer) for c, texts in zip(pm.concepts, negative, strict=True)]
        if not any(wrong):
            out.append(pm)
            continue
        concepts = tuple(ConceptMatch(c.weight, False) if w else c for c, w in zip(pm.concepts, wrong, strict=True))
        total = sum(c.weight for c in concepts)
        out.append(PointMatch(pm.id, sum(c.weight for c in concepts if c.matched) / total if total else 0.0, concepts))
    return out


_Negative = tuple[frozenset[str], ...] | None  # a point's concepts' negative wordings; None: the point has none
_by_points: dict[int, tuple[Sequence[CompiledPoint], list[_Negative]]] = {}


def _negative_wordings(compiled: Sequence[CompiledPoint]) -> list[_Negative]:
    """Each point's negative wordings, concept by concept (None for a point without any), worked out once per
    matcher's points (held beside them: an id reused by new points is never a hit)."""
    hit = _by_points.get(id(compiled))
    if hit is not None and hit[0] is compiled:
        return hit[1]
    made: list[_Negative] = []
    for cp in compiled:
        texts = tuple(frozenset(w.text for w in cc.wordings if w.negative) for cc in cp.concepts)
        made.append(texts if any(texts) else None)
    if len(_by_points) > _MEMO_LIMIT:
        _by_points.clear()
    _by_points[id(compiled)] = (compiled, made)
    return made


def _misplaced(c: ConceptMatch, negative: frozenset[str], lang: str, answer: str) -> bool:
    if not c.matched or not c.wording or not c.evidence or c.wording not in negative:
        return False
    return not any(negation_reaches(e.text, c.wording, lang, answer[e.end : e.end + _REST]) for e in c.evidence)
