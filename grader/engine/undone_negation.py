"""A point the reference says in the negative, said in the affirmative: "a node with children" for "a node that has
no children". Pure.

An automatic rubric keeps a word the reference negates with its negation ("no children", "not included"), so an
answer that affirms the word does not earn that concept; but the point's other words ("node") still earn most of
the point, and the grade's curve lifts the rest. When the answer affirms the negated word in the clause that holds
the point's other evidence, and negates it nowhere in that clause, the answer states the opposite of the point: the
point is contradicted (a reversal), as `grader.engine.reversal` does for a direction said the other way round. Only
within one clause: a word affirmed in another sentence ("A leaf has no children. Its parent has children.") is
about something else.
"""

from __future__ import annotations

from collections.abc import Sequence

from grader.engine.compiled import CompiledPoint, PointMatch, Wording
from grader.engine.contradictions import Contradiction, clause_at
from grader.engine.reversal import reversed_clause
from grader.engine.synonyms import canonical
from grader.engine.text import NEGATIONS, NOT_NEGATING_NEXT, Tokens, tokenize
from grader.models import Rubric

_NEGATION_REACH = 3  # words before a word that a cue negates it from ("not even a single child")
_ABSENCE_REACH = 2  # words after a word that an absence cue negates it from ("детей нет")
_ABSENCE_AFTER = frozenset({"нет", "отсутствует", "отсутствуют", "fehlt", "fehlen", "missing", "lacking"})


def find_undone_negations(
    rubric: Rubric, compiled: Sequence[CompiledPoint], points: Sequence[PointMatch], answer: str, lang: str
) -> list[Contradiction]:
    """Points of an automatic rubric whose negated word (a concept all of whose wordings are negative, not found)
    the answer affirms in a clause holding the point's other evidence; the feedback quotes that clause."""
    if rubric.built_by != "auto":
        return []
    found = []
    for pm, cp in zip(points, compiled, strict=True):
        if not pm.score:
            continue
        negated = [
            [w for w in cc.wordings if w.negated]
            for c, cc in zip(pm.concepts, cp.concepts, strict=True)
            if not c.matched and cc.wordings and all(w.negative for w in cc.wordings)
        ]
        if not any(negated):
            continue  # the usual point: nothing in it said in the negative, or the answer negates it too
        for start, end in _clauses(answer, sorted(e.start for c in pm.concepts if c.matched for e in c.evidence)):
            toks = tokenize(answer[start:end], lang)
            if any(_affirmed(w, toks) for ws in negated for w in ws):
                found.append(reversed_clause(rubric, pm.id, answer, start, end, lang))
                break
    return found


def _clauses(answer: str, offsets: list[int]) -> list[tuple[int, int]]:
    """The clauses of `answer` holding these offsets, each once."""
    return list(dict.fromkeys(c for c in map(lambda at: clause_at(answer, at), offsets) if c is not None))


def _affirmed(w: Wording, toks: Tokens) -> bool:
    """Whether the clause (`toks`) says every word of the negative wording `w` without a negation, and none of them
    under one."""
    keys = [canonical(s) for s in toks.stems]
    said = [[i for i, k in enumerate(keys) if k == s] for s in w.negated]
    if not all(said):
        return False
    return not any(_negated(i, toks) for at in said for i in at)


def _negated(i: int, toks: Tokens) -> bool:
    """Whether word `i` has a negation cue among the few words before it, or an absence cue just after it."""
    before = toks.norms[max(0, i - _NEGATION_REACH) : i]
    cue = next((k for k in range(len(before) - 1, -1, -1) if before[k] in NEGATIONS), None)
    if cue is not None and before[cue + 1 : cue + 2] != [] and before[cue + 1] in NOT_NEGATING_NEXT:
        cue = None  # "not only the children"
    return cue is not None or any(n in _ABSENCE_AFTER for n in toks.norms[i + 1 : i + 1 + _ABSENCE_REACH])
