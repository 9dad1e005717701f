"""A point the reference says in the negative, said in the affirmative: "a node with children" for "a node that has
no children". Pure.

An automatic rubric keeps a word the reference negates with its negation ("no children", "not included"), so an
answer that affirms the word does not earn that concept; but the point's other words ("node") still earn most of
the point, and the grade's curve lifts the rest. When the answer states the point's claim with that one word the
other way round, it says the opposite of the point: the point is contradicted (a reversal), as
`grader.engine.reversal` does for a direction said the other way round.

The answer states the claim when one statement of it (a clause, up to a reason or a contrast) holds the evidence of
at least half the weight of the point's other concepts and affirms the negated word within a few words of it,
negating it nowhere there; a word affirmed in another sentence ("A leaf has no children. Its parent has
children.") is about something else. Only a point that is one statement with one negation counts (not a list of
properties, "no ACK, no flow control", nor "X, whereas Y"), and only the word its cue negates directly ("uses" of
"does not use a ready training set", not "training"), when the point affirms it nowhere ("switches neurons off, so
the net cannot rely on single neurons" says both).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from functools import lru_cache

from grader.engine.clause_polarity import affirmed, said_under_negation
from grader.engine.compiled import CompiledPoint, ConceptMatch, Evidence, PointMatch, Wording
from grader.engine.contradictions import Contradiction, clause_at, clauses
from grader.engine.reversal import reversed_clause
from grader.engine.synonyms import canonical
from grader.engine.text import NEGATIONS, NOT_NEGATING_NEXT, Tokens, is_stopword, tokenize
from grader.models import Rubric

_RESTATES = re.compile(
    r":|\s[—–-]\s|\b(?:because|since|but|however|whereas|although|unlike|weil|denn|aber|sondern|jedoch|obwohl|"
    r"während|потому|поскольку|но|однако|хотя)\b",
    re.IGNORECASE,
)
STATED_SHARE = 0.5  # of the weight of a point's other concepts one clause must hold to state the point's claim
_REACH = 4  # words between the affirmed word and the point's evidence ("Вершина, у которой есть рёбра")
_NEGATION_REACH = 3  # words before a word that a cue negates it from ("not even a single child")
_ABSENCE_REACH = 2  # words after a word that an absence cue negates it from ("детей нет")
_ABSENCE_AFTER = frozenset({"нет", "отсутствует", "отсутствуют", "fehlt", "fehlen", "missing", "lacking"})


def find_undone_negations(
    rubric: Rubric, compiled: Sequence[CompiledPoint], points: Sequence[PointMatch], answer: str, lang: str
) -> list[Contradiction]:
    """Points of an automatic rubric whose negated word (a concept all of whose wordings are negative, not found)
    the answer affirms where it states the point's claim; the feedback quotes that clause."""
    if rubric.built_by != "auto":
        return []
    found = []
    texts = {p.id: p.text for p in rubric.points}
    for pm, cp in zip(points, compiled, strict=True):
        if not pm.score:
            continue
        pairs = zip(pm.concepts, cp.concepts, strict=True)
        negative = [not c.matched and all(w.negative for w in cc.wordings) for c, cc in pairs]
        negated = [w for cc, n in zip(cp.concepts, negative, strict=True) if n for w in cc.wordings if w.negated]
        if not negated or not _one_statement(texts[pm.id], rubric.lang):
            continue  # the usual point: nothing in it said in the negative, or the answer negates it too
        heads = _heads(texts[pm.id], rubric.lang)
        if len(heads) != 1:
            continue  # several negations: a list of properties ("no ACK, no flow control"), often of other things
        negated = [w for w in negated if w.negated[0] in heads]
        clause = _stating_clause(answer, [c for c, n in zip(pm.concepts, negative, strict=True) if not n])
        if clause is None:
            continue
        start, end, near = clause
        toks = tokenize(answer[start:end], lang)
        # A word in a negated part of the statement or in the clause of an absence word is said negated, also by a
        # cue after it ("der Kanten nicht hat", "рёбра не нужны", "lacks edges").
        kept = said_under_negation(answer[start:end])
        if any(_affirmed(w, toks, [(a - start, b - start) for a, b in near], kept) for w in negated):
            found.append(reversed_clause(rubric, pm.id, answer, start, end, lang))
    return found


@lru_cache(maxsize=4096)
def _one_statement(text: str, lang: str) -> bool:
    """Whether the point's text is one clause (one statement, not "X, whereas Y")."""
    return len(list(clauses(text))) == 1


@lru_cache(maxsize=4096)
def _heads(text: str, lang: str) -> frozenset[str]:
    """What the negations of the point's text negate directly: the first content word after each cue, as a
    synonym key ("использует" of "не использует готовую обучающую выборку": not the words that only describe the
    negated thing), when the text affirms it nowhere else."""
    toks = tokenize(text, lang)
    heads = set()
    for i, norm in enumerate(toks.norms):
        if norm not in NEGATIONS or toks.norms[i + 1 : i + 2] == [] or toks.norms[i + 1] in NOT_NEGATING_NEXT:
            continue
        k = next((k for k in range(i + 1, len(toks.norms)) if not is_stopword(toks.norms[k])), None)
        if k is not None and not affirmed(text, toks.norms[k], lang):
            heads.add(canonical(toks.stems[k]))
    return frozenset(heads)


def _stating_clause(answer: str, concepts: Sequence[ConceptMatch]) -> tuple[int, int, list[tuple[int, int]]] | None:
    """The first clause of the answer holding the evidence of at least `STATED_SHARE` of the weight of `concepts`
    (the point's concepts said in the affirmative), with that evidence; None when no clause does."""
    total = sum(c.weight for c in concepts)
    held: dict[tuple[int, int], tuple[float, list[Evidence]]] = {}
    for c in concepts:
        if not c.matched:
            continue
        for at in dict.fromkeys(_statement_at(answer, e.start) for e in c.evidence):
            if at is not None:
                weight, evidence = held.get(at, (0.0, []))
                held[at] = (weight + c.weight, evidence + [e for e in c.evidence if at[0] <= e.start < at[1]])
    for (start, end), (weight, evidence) in held.items():
        if total and weight >= STATED_SHARE * total:
            return start, end, [(e.start, e.end) for e in evidence]
    return None


def _statement_at(answer: str, at: int) -> tuple[int, int] | None:
    """The statement of the answer holding offset `at`: its clause (`clause_at`) up to a colon, a dash, a reason or a
    contrast, which assert again ("more efficient than X, because X is filled with garbage"); None in a question."""
    clause = clause_at(answer, at)
    if clause is None or answer.startswith("?", clause[1]):
        return None  # a question states nothing ("Is it a vertex with edges? No, …")
    start, end = clause
    for m in _RESTATES.finditer(answer, start, end):
        if m.end() <= at:
            start = m.end()
        elif m.start() > at:
            return start, m.start()
    return start, end


def _affirmed(w: Wording, toks: Tokens, near: list[tuple[int, int]], kept: Sequence[tuple[int, int]]) -> bool:
    """Whether the clause (`toks`) says every word of the negative wording `w` without a negation, within `_REACH`
    words of the evidence `near` (offsets in the clause), and none of them under one (nor in `kept`, the clause's
    parts said under a negation or an absence word)."""
    keys = [canonical(s) for s in toks.stems]
    said = [[i for i, k in enumerate(keys) if k == s] for s in w.negated]
    if not all(said) or any(_negated(i, toks) for at in said for i in at):
        return False
    if any(_inside(toks.starts[i], kept) for at in said for i in at):
        return False
    spans = zip(toks.starts, toks.ends, strict=True)
    anchors = [i for i, (a, b) in enumerate(spans) if any(a < e and s < b for s, e in near)]
    return any(abs(i - j) <= _REACH for at in said for i in at for j in anchors)


def _inside(offset: int, spans: Sequence[tuple[int, int]]) -> bool:
    """Whether `offset` lies in one of the sorted, disjoint `spans`."""
    k = bisect.bisect_right(spans, offset, key=lambda s: s[0]) - 1  # the last span starting at or before it
    return k >= 0 and offset < spans[k][1]


def _negated(i: int, toks: Tokens) -> bool:
    """Whether word `i` has a negation cue among the few words before it, or an absence cue just after it."""
    before = toks.norms[max(0, i - _NEGATION_REACH) : i]
    cue = next((k for k in range(len(before) - 1, -1, -1) if before[k] in NEGATIONS), None)
    if cue is not None and before[cue + 1 : cue + 2] != [] and before[cue + 1] in NOT_NEGATING_NEXT:
        cue = None  # "not only the children"
    return cue is not None or any(n in _ABSENCE_AFTER for n in toks.norms[i + 1 : i + 1 + _ABSENCE_REACH])
