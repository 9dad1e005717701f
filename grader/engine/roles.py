"""Swapped roles: the reference's words attached to the wrong things. Pure.

A key point's words can all be in an answer that says something else with them: "a low training error and a high
test error" said as "a high training error and a low test error", "the client sends a SYN, the server answers" as
"the server sends a SYN, the client answers". Two readings catch this without a parser, each made from the
point's own text and the answer the same way, inside a clause (`read`):

- **Attachments of opposites.** A polar word — a gradable opposite (`grader.engine.opposites`: high/low,
  large/small, ...) or a direction word of `grader.engine.reversal` (increases/decreases, ...), flipped by a negation
  just before it — qualifies the run of content words right after it ("a *low* training error") or, when none
  follows, the run right before it ("the training error is *low*"). When a point contrasts both sides of a pair on
  different words, a word it gives one side only and the answer the other side only is stated the other way round
  (a word the point qualifies in passing, "small frames", is not what it says).
- **Exchanged pairings.** Two content words next to each other in a clause (stopwords between them) are a pairing.
  When a point pairs a1 with b1 in one clause and a2 with b2 in another (never a1 with b2, nor a2 with b1), and two
  clauses of one sentence of the answer pair them crosswise (a1 with b2 and a2 with b1, never as the point does),
  each role in the same place, two statements' roles were exchanged: their subjects, or the modifiers of two heads.
  Items of a list said in another order ("manual and automatic") are not roles.

Either way the point is contradicted (`grader.engine.contradictions`): it earns nothing, and the feedback quotes the
answer's clause and says what is right. A point the answer does not match is never read.
"""

from __future__ import annotations

import bisect
import itertools
import operator
from collections.abc import Iterable, Sequence
from typing import NamedTuple, cast

from grader.engine.answer_words import PUNCTUATION, AnswerWords, clause_breaks
from grader.engine.compiled import PointMatch
from grader.engine.contradictions import SENTENCE_END, Contradiction, clause_at, sentences
from grader.engine.opposites import POLAR
from grader.engine.reversal import reversed_clause
from grader.engine.rubric_memo import RubricMemo
from grader.engine.statements import german_verb
from grader.engine.text import ALL_STOPWORDS, NEGATIONS, NOT_NEGATING_NEXT, Tokens, is_stopword, latin_lang
from grader.models import Rubric

_EXACT = "="
_NP = 3  # words a polar word qualifies at most ("a low training error")
_COPULA_SKIP = 2  # stopwords between a head and its predicate ("the error *is* low", "ошибка *при этом* низкая")


class Reading(NamedTuple):
    """What a text says with its words: qualified word -> {(pair, side)}, and the pairings of neighbours."""

    qualified: dict[str, set[tuple[int, int]]]
    pairings: dict[
        frozenset[str], tuple[tuple[int, int], str]
    ]  # a pairing -> the clause it was read in, its first word
    where: dict[object, int]  # a qualified word or a pairing -> offset in the text where it was read
    coordinated: set[frozenset[str]]  # neighbours joined by a conjunction alone ("manual and automatic")


def read(
    text: str,
    lang: str,
    ranges: Sequence[tuple[int, int]] = (),
    vocab: frozenset[str] | None = None,
    words: AnswerWords | None = None,
) -> Reading:
    """The attachments of polar words and the pairings of neighbouring content words of `text`, clause by clause
    (with `ranges`: of those parts of `text` only, each read on its own; with `vocab`: of those words only; with
    `words`: `text`'s words, read once for the whole grade, whose slices are the words of each part)."""
    toks = Tokens([], [], [], [])
    clause: list[tuple[int, int]] = []
    if words is None:
        words = AnswerWords(text, latin_lang(lang))
    elif 2 * sum(b - a for a, b in ranges) > len(text):
        words.read_all()  # most of the answer: its words in one pass rather than sentence by sentence
    for k, (a, b) in enumerate(ranges or [(0, len(text))]):
        norms, stems, starts, ends = words.between(a, b)
        if vocab is not None and _idle(stems, norms, vocab):
            continue
        breaks = clause_breaks(text, a, b, norms, starts)
        toks.norms.extend(norms)
        toks.stems.extend(stems)
        toks.starts.extend(starts)
        toks.ends.extend(ends)
        if breaks:  # each word's clause: the breaks before it (a C loop)
            clause += zip(itertools.repeat(k), map(bisect.bisect_right, itertools.repeat(breaks), starts))
        else:
            clause += [(k, 0)] * len(starts)
    qualified: dict[str, set[tuple[int, int]]] = {}
    pairings: dict[frozenset[str], tuple[tuple[int, int], str]] = {}
    where: dict[object, int] = {}
    polar = list(map(POLAR.get, toks.stems))  # by stem, else by the exact word (few: looked for only if present)
    if not _POLAR_NORMS.isdisjoint(toks.norms):
        polar = [p or POLAR.get(_EXACT + n) for p, n in zip(polar, toks.norms, strict=True)]
    content = [i for i, n in enumerate(toks.norms) if len(n) > 1 and (polar[i] or n not in ALL_STOPWORDS)]
    for i in itertools.compress(content, map(polar.__getitem__, content)):  # the polar words
        pair, side = cast(tuple[int, int], polar[i])
        before = toks.norms[max(0, i - 2) : i]
        side ^= any(n in NEGATIONS for n in before) and toks.norms[i - 1] not in NOT_NEGATING_NEXT
        for j in _qualified(toks, i, clause, text if lang == "de" else None):
            if vocab is not None and toks.stems[j] not in vocab:
                continue
            qualified.setdefault(toks.stems[j], set()).add((pair, side))
            where.setdefault(toks.stems[j], toks.starts[i])
    coordinated: set[frozenset[str]] = set()
    moves = _german_verbs(text, toks) if lang == "de" else frozenset()
    pairs: Iterable[tuple[int, int]] = itertools.pairwise(content)
    if vocab is not None:  # a pairing the rubric cannot make tells nothing: only neighbours both of `vocab`
        known = list(map(vocab.__contains__, map(toks.stems.__getitem__, content)))
        pairs = itertools.compress(pairs, map(operator.and_, known, known[1:]))
    for i, j in pairs:
        if i in moves or j in moves:  # a German verb's place is the clause's kind, not a role
            continue
        key = frozenset((toks.stems[i], toks.stems[j]))
        if clause[i] != clause[j]:
            if not PUNCTUATION.search(text, toks.ends[i], toks.starts[j]):
                coordinated.add(key)  # "manual and automatic": items of one list, not two statements
        elif toks.stems[i] != toks.stems[j]:
            pairings.setdefault(key, (clause[i], toks.stems[i]))
            where.setdefault(key, toks.starts[i])
    return Reading(qualified, pairings, where, coordinated)


def _german_verbs(text: str, toks: Tokens) -> frozenset[int]:
    """Indexes of the words of German `text` that are verbs (`grader.engine.statements.german_verb`): second in a
    main clause, last in a subordinate one, so their neighbours change with the clause, not with what it says."""
    raw = [text[a:b] for a, b in zip(toks.starts, toks.ends, strict=True)]
    return frozenset(i for i, w in enumerate(raw) if german_verb(w, raw[i + 1] if i + 1 < len(raw) else None))


_POLAR_STEMS = frozenset(k for k in POLAR if not k.startswith(_EXACT))
_POLAR_NORMS = frozenset(k[len(_EXACT) :] for k in POLAR if k.startswith(_EXACT))


def _idle(stems: list[str], norms: list[str], vocab: frozenset[str]) -> bool:
    """Whether a part of a text (its words' `stems` and `norms`) can record nothing of `vocab`: an attachment needs a
    polar word there and a word of `vocab` it qualifies, a pairing two words of `vocab` (parts are sentences: no
    pairing reaches across them)."""
    hits = vocab.intersection(stems)
    if len(hits) > 1:
        return False
    return not hits or (_POLAR_STEMS.isdisjoint(stems) and _POLAR_NORMS.isdisjoint(norms))


def _polar(toks: Tokens, i: int) -> tuple[int, int] | None:
    return POLAR.get(toks.stems[i]) or POLAR.get(_EXACT + toks.norms[i])


def _qualified(toks: Tokens, i: int, clause: list[tuple[int, int]], german: str | None = None) -> list[int]:
    """Indexes of the words the polar word at `i` qualifies: the content words right after it, else right before
    it (past a copula). `german`: the text, when it is German: there a noun is written with a capital, and the
    phrase an adjective opens ends at its noun ("eine kleine *Batchgröße* liefert": not the verb after it)."""
    norms = toks.norms

    def word(j: int) -> bool:
        return 0 <= j < len(norms) and clause[j] == clause[i] and not is_stopword(norms[j]) and len(norms[j]) > 1

    after: list[int] = []
    j = i + 1
    while word(j) and _polar(toks, j) is None and len(after) < _NP:
        after.append(j)
        if german is not None and german[toks.starts[j]].isupper():
            break
        j += 1
    if after:
        return after
    j = i - 1
    skipped = 0
    while j >= 0 and clause[j] == clause[i] and is_stopword(norms[j]) and skipped < _COPULA_SKIP:
        j, skipped = j - 1, skipped + 1
    before: list[int] = []
    while word(j) and _polar(toks, j) is None and len(before) < _NP:
        before.append(j)
        j -= 1
    return before


class _RubricReading(NamedTuple):
    points: dict[str, Reading]  # point id -> the reading of its text
    sides: dict[tuple[str, int], set[int]]  # (qualified word, pair) -> the sides the whole rubric gives it
    pairings: set[frozenset[str]]  # every pairing of every point
    clause: dict[frozenset[str], tuple[str, tuple[int, int], str]]  # a pairing -> (point, clause, first word)
    partners: dict[str, set[str]]  # word -> the words the rubric pairs it with
    coordinated: set[frozenset[str]]  # the points' list items next to each other
    active: frozenset[str]  # the points either reading can find wrong: with a contrast, or pairings in two clauses
    words: dict[str, frozenset[str]]  # point id -> the words it qualifies or pairs
    contrasts: dict[str, set[int]]  # point id -> the pairs of opposites it contrasts (`_contrasts`), when any


_by_rubric: RubricMemo[_RubricReading] = RubricMemo()


def rubric_reading(rubric: Rubric) -> _RubricReading:
    """The readings of a rubric's point texts, worked out once per rubric."""
    return _by_rubric.get(rubric, _read_rubric)


def _read_rubric(rubric: Rubric) -> _RubricReading:
    points = {p.id: read(p.text, rubric.lang) for p in rubric.points}
    sides: dict[tuple[str, int], set[int]] = {}
    partners: dict[str, set[str]] = {}
    for r in points.values():
        for word, said in r.qualified.items():
            for pair, side in said:
                sides.setdefault((word, pair), set()).add(side)
        for key in r.pairings:
            a, b = tuple(key)
            partners.setdefault(a, set()).add(b)
            partners.setdefault(b, set()).add(a)
    clause = {key: (pid, c, first) for pid, r in points.items() for key, (c, first) in r.pairings.items()}
    coordinated = set().union(*(r.coordinated for r in points.values()))
    contrasts = {pid: pairs for pid, r in points.items() if (pairs := _contrasts(r.qualified))}
    active = frozenset(
        pid for pid, r in points.items() if pid in contrasts or len({c for c, _w in r.pairings.values()}) > 1
    )
    words = {pid: frozenset(r.qualified).union(*r.pairings) for pid, r in points.items()}
    return _RubricReading(points, sides, set(clause), clause, partners, coordinated, active, words, contrasts)


def find_swaps(
    rubric: Rubric, points: Sequence[PointMatch], answer: str, lang: str, words: AnswerWords | None = None
) -> list[Contradiction]:
    """Matched points whose words the answer attaches the other way round (an opposite, or two roles exchanged);
    `words`: the answer's, read once for the grade (`grader.engine.answer_words`)."""
    if not any(pm.score for pm in points):
        return []
    ref = rubric_reading(rubric)
    found = [pm for pm in points if pm.score and pm.id in ref.active]
    if not found:
        return []
    matched = {pm.id for pm in found}
    # Only the sentences holding those points' evidence are read: a swap is stated where the point's words are.
    spans = sorted(e.start for pm in found for c in pm.concepts if c.matched for e in c.evidence)
    # Of the words those points qualify or pair only: a swap is read for a matched point, in its own words.
    vocab = frozenset().union(*(ref.words[pid] for pid in matched))
    parts = sentences(answer) if words is None else words.sentences()
    said = read(answer, lang, [(a, b) for a, b in parts if _holds(spans, a, b)], vocab, words)
    wrong: dict[str, tuple[str, int]] = {}  # point id -> (feedback key, offset in the answer)
    for pid in matched & ref.contrasts.keys():  # an attachment is wrong only for a point contrasting its pair
        stated, contrasts = ref.points[pid].qualified, ref.contrasts[pid]
        for word, sides in stated.items():
            got = said.qualified.get(word)
            if got is None:
                continue
            for pair, side in sides:
                opposite = {s for p, s in got if p == pair} == {1 - side}
                if opposite and pair in contrasts and ref.sides[(word, pair)] == {side}:
                    wrong.setdefault(pid, ("reversed", said.where[word]))
    for pid, at in sorted(_crossings(ref, said, answer), key=lambda found: found[1]):  # the first in the answer
        if pid in matched:
            wrong.setdefault(pid, ("swapped", at))
    # Each quoting the answer's clause where it was read (the whole answer where no clause holds that offset).
    return [
        reversed_clause(rubric, pid, answer, *(clause_at(answer, at) or (0, len(answer))), lang, key)
        for pid, (key, at) in sorted(wrong.items())
    ]


def _contrasts(qualified: dict[str, set[tuple[int, int]]]) -> set[int]:
    """The pairs of opposites a text uses both sides of, on different words ("a *low* training error and a *high*
    test error"): which word is which side is then what the text says, not an incidental qualifier ("small
    frames")."""
    sides: dict[int, set[int]] = {}
    for said in qualified.values():
        if len(said) == 1:
            pair, side = next(iter(said))
            sides.setdefault(pair, set()).add(side)
    return {pair for pair, both in sides.items() if len(both) == 2}


def _crossings(ref: _RubricReading, said: Reading, answer: str) -> list[tuple[str, int]]:
    """The points two of whose pairings the answer exchanged crosswise (`_exchanged`), each with the offset of a
    crossed pairing in the answer; only pairings the answer makes and the rubric does not are tried."""
    found = []
    for key in said.pairings.keys() - ref.pairings:
        x, y = tuple(key)
        for a1, b2 in ((x, y), (y, x)):
            for b1 in ref.partners.get(a1, ()):
                for a2 in ref.partners.get(b2, ()):
                    pid = _exchanged(ref, said, answer, (a1, b1), (a2, b2))
                    if pid is not None:
                        found.append((pid, said.where[key]))
    return found


def _exchanged(
    ref: _RubricReading, said: Reading, answer: str, one: tuple[str, str], other: tuple[str, str]
) -> str | None:
    """The point that pairs a1 with b1 and a2 with b2 (`one`, `other`) in two of its clauses, when the answer pairs
    them crosswise instead (a1 with b2 and a2 with b1, never as the point does) in two clauses of one sentence, each
    role in the same place as in the point; None otherwise."""
    (a1, b1), (a2, b2) = one, other
    if len({a1, b1, a2, b2}) < 4:
        return None
    mine, theirs = frozenset(one), frozenset(other)
    crosswise, crossed = frozenset((a1, b2)), frozenset((a2, b1))
    if mine in said.pairings or theirs in said.pairings or crossed not in said.pairings:
        return None
    if crosswise in ref.pairings or crossed in ref.pairings:
        return None
    (c1, first1), (c2, first2) = said.pairings[crosswise], said.pairings[crossed]
    if c1 == c2 or not _one_sentence(answer, said.where[crosswise], said.where[crossed]):
        return None  # one statement's words reordered, or two topics far apart: not two statements exchanged
    if {frozenset((a1, a2)), frozenset((b1, b2))} & (ref.coordinated | said.coordinated):
        return None  # items of a list said in another order ("manual and automatic")
    pid, clause, first = ref.clause[mine]
    pid2, clause2, first2_ref = ref.clause[theirs]
    if pid != pid2 or clause == clause2:
        return None
    # Parallel statements: each role in the same place ("the client sends", "the server answers" as "the server
    # sends", "the client answers"), not words of unrelated phrases ("node detects" / "collision detection").
    order = first == a1
    if (first2_ref == a2) != order or (first1 == a1) != order or (first2 == a2) != order:
        return None
    return pid


def _holds(starts: list[int], a: int, b: int) -> bool:
    """Whether one of the sorted offsets `starts` lies in [a, b)."""
    i = bisect.bisect_left(starts, a)
    return i < len(starts) and starts[i] < b


def _one_sentence(text: str, a: int, b: int) -> bool:
    """Whether offsets `a` and `b` of `text` lie in one sentence."""
    lo, hi = min(a, b), max(a, b)
    return not SENTENCE_END.search(text, lo, hi)
