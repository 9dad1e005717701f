"""Hedges: a claim joined by a disjunction to its own opposite, so that it asserts neither. Pure.

"increases or decreases", "high or low", "well or maybe poorly", "may or may not", "fits the data or it does not",
"растёт или падает", "либо переобучается, либо нет", "может быть, а может и не быть", "то выше, то ниже",
"steigt oder sinkt", "kann oder kann nicht": whatever the reference decides there, the answer has said both. Two
forms, read from the words around a disjunction ("or", "oder", "или", "либо", a correlative said again: "то …, то",
"mal …, mal"; "а может" = "or maybe"):

- the two poles of a contrast (the opposites of `grader.engine.hedge_words`: those of `reversal`, `opposites`, and a few
  evaluative ones), one on each side, about the same thing: anything else said between a pole and the
  disjunction is said again after the other pole, or that side refers back to it ("reduce the parameters or
  increase them"); "increase the batch or lower the rate" names two things and is no hedge. The contrast must be
  one the rubric speaks of and that the question and reference do not themselves leave open;
- the same predicate negated: the word before the negation repeats the other side ("may or may not") or the
  negated word does ("helps or does not help"), or the negation stands alone ("or not", "или нет").

"whether/ob/независимо" before the disjunction make it an indirect question, which asserts nothing either way and
is left alone. A hedge's scope is the comma-separated stretch of its sentence from one side to the other: the key
points whose evidence lies only there get no credit for it (`grader.engine.lexical`).
"""

from __future__ import annotations

import functools
import itertools
import operator
import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from grader.engine.contradictions import SENTENCE_END
from grader.engine.hedge_words import APPROX, lookup
from grader.engine.text import MEMO_KEY_MAX, NEGATIONS, Tokens, chunk_words, is_stopword, latin_lang, tokenize

DISJUNCTIONS = frozenset("or oder или либо иль".split())
# A marker said again opens the other side: "то выше, то ниже", "mal höher, mal niedriger", "иногда …, иногда …".
_CORRELATIVES = frozenset("то mal sometimes manchmal иногда".split())
_EITHER = frozenset("either entweder либо или то ли mal".split())  # marks the first side of a disjunction
_MAYBE = frozenset("может возможно".split())  # "а может": "or maybe"
_FILLERS = frozenset("maybe perhaps possibly vielleicht eventuell möglicherweise возможно может наверное".split())
# Open an indirect question or a concession: what follows in the clause is no claim of the answer's ("shows how
# often it is right or wrong", "zeigt, wie oft … richtig oder falsch"; "if": mostly
# "checks if … or not"; a condition that decides, "stops when the error rises", is "when", "wenn", "если").
_INDIRECT = frozenset("whether if how ob wie независимо насколько regardless unabhängig egal".split())
_VERB_NEGATIONS = NEGATIONS - frozenset("no without нет без ни kein keine keinen keinem keiner ohne".split())
_SEGMENT_END = re.compile(r"[,:;—–()]")  # a hedge's scope runs between these, within one sentence
_REACH = 3  # a pole this many words from the disjunction belongs to it
_LEFT = 6  # the words before a disjunction a repeated or negated word is looked for in
_OPENERS = DISJUNCTIONS | _CORRELATIVES | {"а"}
_WORD_AT = re.compile(r"\w+")
_marks: dict[str, dict[str, int]] = {"en": {}, "de": {}}  # piece -> `piece_marks`, per Latin stemmer
_pole_pieces: dict[str, dict[str, bool]] = {"en": {}, "de": {}}  # piece -> `_holds_pole`, per Latin stemmer
_MARKS_LIMIT = 200_000
_NEXT = re.compile(r"\s+(\w+)")
_WINDOW = 100  # characters read either side of an opener: its `_LEFT` words before and the other side after

NEGATED = -1  # the `key` of a hedge of the negated form
# Bits of a matcher's `piece_flag` (grader.engine.lexical) for `piece_marks`.
HEDGE_MARK, NEG_MARK = 32, 64  # (1: injection, 2: reversal, 4-16: grader.engine.unclaimed)


class Hedge(NamedTuple):
    """A hedge in a text: its scope [start, end) and what it hedges (a pair of opposites, or `NEGATED`)."""

    start: int
    end: int
    key: int


def piece_marks(piece: str, latin: str) -> int:
    """What a piece of text between spaces holds for hedges: a word that may open a hedge's other side
    (`HEDGE_MARK`), a negation (`NEG_MARK`). The matcher keeps these with every piece it reads
    (`grader.engine.lexical`), so an answer is read for hedges only around a disjunction."""
    memo = _marks[latin]
    found = memo.get(piece)
    if found is None:
        found = 0
        for _a, _b, norm, _s in chunk_words(piece, latin):
            found |= (HEDGE_MARK if norm in _OPENERS else 0) | (NEG_MARK if norm in NEGATIONS else 0)
        if len(memo) >= _MARKS_LIMIT:
            memo.clear()
        if len(piece) <= MEMO_KEY_MAX:
            memo[piece] = found
    return found


def _holds_pole(pieces: Sequence[str], latin: str) -> bool:
    """Whether one of these pieces holds one of a pair of opposites (remembered per piece)."""
    memo = _pole_pieces[latin]
    for piece in pieces:
        found = memo.get(piece)
        if found is None:
            found = any(lookup(norm, stem) for _a, _b, norm, stem in chunk_words(piece, latin))
            if len(memo) >= _MARKS_LIMIT:
                memo.clear()
            if len(piece) <= MEMO_KEY_MAX:
                memo[piece] = found
        if found:
            return True
    return False


def find_hedges(
    text: str,
    lang: str,
    decided: frozenset[int] | None = None,
    marks: Sequence[int] | None = None,
    opening: Sequence[int] | None = None,
) -> list[Hedge]:
    """The hedges of `text`; `decided`: the pairs of opposites a hedge may be over, and `NEGATED` when a hedge may
    be of the negated form (all when None); `marks`: `piece_marks` of each piece of `text.split(" ")`, when known."""
    latin = latin_lang(lang)
    if marks is None:
        marks = [piece_marks(p, latin) for p in text.split(" ")]
    found = []
    pieces: list[str] = []
    at: list[int] = []
    for k in opening_pieces(marks) if opening is None else opening:
        pieces = pieces or text.split(" ")
        after = functools.reduce(operator.or_, marks[k + 1 : k + 1 + _REACH], 0)
        if not after & NEG_MARK and not (
            _holds_pole(pieces[k + 1 : k + 1 + _REACH], latin)
            and _holds_pole(pieces[max(0, k - _REACH) : k + 1], latin)
        ):
            continue  # no negation or opposite on the other side: no hedge opens here
        at = at or list(itertools.accumulate(map(len, pieces), initial=0))
        for a, _b, norm, _s in chunk_words(pieces[k], latin):
            if norm in _OPENERS and (hedge := _hedge_at(text, at[k] + k + a, lang, decided)):
                found.append(hedge)
    return found


def opening_pieces(marks: Sequence[int]) -> list[int]:
    """Indexes of the pieces marked as holding a word that may open a hedge's other side, found by value (pieces
    share a few distinct marks) in C loops rather than one test per piece."""
    found = []
    for mark in [m for m in set(marks) if m & HEDGE_MARK]:
        k = -1
        for _ in range(marks.count(mark)):
            k = marks.index(mark, k + 1)
            found.append(k)
    found.sort()
    return found


def _hedge_at(text: str, p: int, lang: str, decided: frozenset[int] | None) -> Hedge | None:
    """The hedge whose other side the word at offset `p` opens, if there is one."""
    m = _WORD_AT.match(text, p)
    if m is None or not _may_open(text, m):
        return None
    reach = max(0, p - 4 * _WINDOW)
    start = max(text.rfind(c, reach, p) for c in ".!?;\n") + 1 or reach  # the sentence around it
    after = SENTENCE_END.search(text, m.end(), m.end() + 4 * _WINDOW)
    end = after.start() if after else min(len(text), m.end() + 4 * _WINDOW)
    lo, hi = _window(text, m, start, end)
    toks = tokenize(text[lo:hi], lang)
    d = next((k for k, at in enumerate(toks.starts) if at == p - lo), None)
    if d is None or not _opens(toks, d) or _indirect(toks, text[lo:hi], d):
        return None
    span = _negated(toks, text[lo:hi], d) if decided is None or NEGATED in decided else None
    key = NEGATED
    if span is None:
        span, key = _poles(toks, d, decided)
    if span is None:
        return None
    a, b = _scope(text[start:end], lo - start + toks.starts[span[0]], lo - start + toks.ends[span[1]])
    return Hedge(start + a, start + b, key)


def _may_open(text: str, m: re.Match[str]) -> bool:
    """A first look, at the text alone, whether the word at `m` may open a hedge's other side: a disjunction may; a
    correlative ("то", "mal") only said again, "а" only before "может" or a word said just before ("а могут и не")."""
    word = m.group().lower()
    if word in DISJUNCTIONS:
        return True
    before = text[max(0, m.start() - _WINDOW) : m.start()].lower()
    if word != "а":
        return re.search(rf"(?<!\w){word}(?!\w)", before) is not None
    nxt = _NEXT.match(text, m.end())
    return nxt is not None and (nxt.group(1).lower() in _MAYBE or nxt.group(1).lower()[:4] in before)


def _window(text: str, m: re.Match[str], start: int, end: int) -> tuple[int, int]:
    """The stretch of the sentence [start, end) read around the opener at `m`: `_WINDOW` characters either side,
    cut between words."""
    lo, hi = max(start, m.start() - _WINDOW), min(end, m.end() + _WINDOW)
    if lo > start:
        lo = text.find(" ", lo, m.start()) + 1 or m.start()
    if hi < end:
        hi = text.rfind(" ", m.end(), hi) if text.rfind(" ", m.end(), hi) > 0 else hi
    return lo, hi


def _opens(toks: Tokens, d: int) -> bool:
    """Whether word `d` opens the other side of a disjunction."""
    norms = toks.norms
    norm = norms[d]
    if norm in DISJUNCTIONS:
        return True
    if norm == "а":  # "а может", "or maybe"; or a word said again: "могут …, а могут и не …"
        return d + 1 < len(norms) and (norms[d + 1] in _MAYBE or toks.stems[d + 1] in toks.stems[max(0, d - _LEFT) : d])
    return norm in norms[max(0, d - _LEFT) : d]  # a correlative said again


def _indirect(toks: Tokens, sentence: str, d: int) -> bool:
    """Whether the disjunction at `d` is inside a condition, an indirect question or a concession opened earlier in
    its comma-separated stretch ("checks if the route is right or not", "ob es steigt oder sinkt", "растёт ли он
    или падает"): it asserts nothing either way, and is no claim of the answer's."""
    cut = max((m.end() for m in _SEGMENT_END.finditer(sentence, 0, toks.starts[d])), default=0)
    norms = toks.norms
    first = next(k for k in range(d + 1) if k == d or toks.starts[k] >= cut)
    return any(
        norms[k] in _INDIRECT or (norms[k] == "ли" and k and norms[k - 1] != "то") for k in range(first, d)
    )


def _negated(toks: Tokens, sentence: str, d: int) -> tuple[int, int] | None:
    """The token range of a hedge of the negated form whose other side opens at `d`, if it is one."""
    norms, stems = toks.norms, toks.stems
    neg = next((k for k in range(d + 1, min(d + 4, len(norms))) if norms[k] in NEGATIONS), None)
    if neg is None or d == 0:
        return None
    left = set(stems[max(0, d - _LEFT) : d])
    between = range(d + 1, neg)
    if not all(stems[b] in left or is_stopword(norms[b]) or norms[b] in _FILLERS for b in between):
        return None
    if norms[neg] in _VERB_NEGATIONS:
        if any(stems[b] in left and norms[b] not in _MAYBE for b in between):  # "may or may not", "kann oder kann"
            return d - 1, neg
        content = next((a for a in range(neg + 1, min(neg + 3, len(norms))) if not is_stopword(norms[a])), None)
        for after in (neg + 1, content):  # "helps or does not help", "может быть, а может и не быть"
            if after is not None and after < len(norms) and stems[after] in left:
                return d - 1, after
    tail = sentence[toks.ends[neg] : toks.starts[neg + 1]] if neg + 1 < len(norms) else "."
    if tail.strip():  # punctuation after the negation, which negates the other side whole: "or not", "или нет"
        return d - 1, neg
    return None


def _sides(toks: Tokens, i: int) -> tuple[tuple[int, int], ...]:
    """Every (pair, side) word `i` is in as one of a pair of opposites, the side flipped by a negation before it."""
    hit = lookup(toks.norms[i], toks.stems[i])
    if not hit:
        return ()
    negated = any(n in NEGATIONS for n in toks.norms[max(0, i - 2) : i])
    return tuple((pair, side ^ negated) for pair, side in hit)


def _poles(toks: Tokens, d: int, decided: frozenset[int] | None) -> tuple[tuple[int, int] | None, int]:
    """The token range and pair of a hedge of two poles around the disjunction at `d`, if it is one."""
    norms, stems = toks.norms, toks.stems
    i = next((i for i in range(d - 1, max(-1, d - _REACH - 1), -1) if _sides(toks, i)), None)
    if i is None:
        return None, 0
    wanted = {(pair, 1 - side) for pair, side in _sides(toks, i) if decided is None or pair in decided}
    j = next((j for j in range(d + 1, min(len(norms), d + _REACH + 1)) if wanted & set(_sides(toks, j))), None)
    if j is None:
        return None, 0
    pair = min(p for p, _side in wanted & set(_sides(toks, j)))
    if pair == APPROX and not _marked(norms, i, d):
        return None, 0
    mid_left, mid_right = _content(toks, range(i + 1, d)), _content(toks, range(d + 1, j))
    after = _content(toks, range(j + 1, min(len(norms), j + len(mid_left) + 3)))
    if mid_left and after and not mid_left <= after:  # "increase the batch or lower the rate": two things
        return None, 0
    if not mid_right <= set(stems[max(0, i - _LEFT) : i]):  # "train loss falls or val loss rises"
        return None, 0
    return (i, j), pair


def _marked(norms: Sequence[str], i: int, d: int) -> bool:
    """Whether the first side is marked as one ("either more or less", "либо больше, либо меньше"), which the idiom
    "more or less" (roughly) never is."""
    return norms[d] in _CORRELATIVES or any(n in _EITHER for n in norms[max(0, i - 2) : i])


def _content(toks: Tokens, at: Iterable[int]) -> set[str]:
    """Stems of the words at these indexes that say something (no stopwords, fillers or disjunctions)."""
    return {toks.stems[k] for k in at if not is_stopword(toks.norms[k]) and toks.norms[k] not in _FILLERS | _OPENERS}


def _scope(sentence: str, start: int, end: int) -> tuple[int, int]:
    """[start, end) of the comma-separated stretch of `sentence` holding the characters from `start` to `end`."""
    before = [m.end() for m in _SEGMENT_END.finditer(sentence, 0, start)]
    after = _SEGMENT_END.search(sentence, end)
    return (before[-1] if before else 0), (after.start() if after else len(sentence))


def pairs_in(toks: Tokens) -> set[int]:
    """The pairs of opposites the words of `toks` are in."""
    return {pair for i in range(len(toks.norms)) for pair, _side in _sides(toks, i)}
