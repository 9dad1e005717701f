"""Reversed statements: an answer that says the opposite of a key point in the point's own words. Pure.

A point whose text (or hint), one clause long, states a direction — helps or hinders, increases or decreases,
speeds up or slows down, easier or harder, before or after, is needed — is compared with the clause of
the answer that holds the point's evidence. When the words near that evidence state only the other direction (its
antonym, or the same word negated: "не помогает", "is not needed"), the point is contradicted, not covered. A
clause that states both directions near the evidence, or none, is left alone: the mechanism only fires on a clear,
explainable reversal.

The antonym pairs are the whole of the knowledge here, in ru/en/de, a handful of verbs and comparatives each; they
are matched by stem (comparatives, marked "=", by the whole word: "сложнее" shares its stem with "сложный"), and a
negation just before a word flips its direction.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Sequence
from functools import lru_cache

from grader.engine.compiled import Evidence, PointMatch
from grader.engine.contradictions import Contradiction, clause_at, clauses
from grader.engine.feedback import phrase, short
from grader.engine.matching import AnswerMatch
from grader.engine.rubric_memo import RubricMemo
from grader.engine.text import (
    MEMO_KEY_MAX,
    NEGATIONS,
    NOT_NEGATING_NEXT,
    Tokens,
    chunk_words,
    is_stopword,
    latin_lang,
    normalise_word,
    stem_word,
    tokenize,
)
from grader.models import KeyPoint, Rubric

# (one direction, the other); an empty second side means the opposite is the first side negated ("не нужен").
PAIRS: tuple[tuple[str, str], ...] = (
    (  # helps / hinders
        """помогает помогать помогают помогло поможет помочь полезен полезно полезна help helps helped helping
        helpful hilft helfen hilfreich nützlich""",
        """мешает мешать мешают мешала помешать помешает затрудняет затруднить затрудняют вредит вредно вредна
        hurt hurts hinder hinders hindered harm harms harmful impede impedes schadet schaden behindert behindern
        erschwert erschweren""",
    ),
    (  # increases / decreases
        """увеличивает увеличить увеличивается увеличиваются растет растут возрастает возрастают повышает повысить
        повышается increase increases increased grow grows raise raises erhöht erhöhen steigt steigen wächst
        vergrößert""",
        """уменьшает уменьшить уменьшается уменьшаются снижает снизить снижается падает падают убывает сокращает
        decrease decreases decreased reduce reduces reduced lower lowers shrink shrinks verringert verringern
        senkt sinkt sinken reduziert verkleinert""",
    ),
    (  # speeds up / slows down
        """ускоряет ускорить ускоряется ускоряют =быстрее accelerate accelerates speeds =faster beschleunigt
        beschleunigen =schneller""",
        """замедляет замедлить замедляется замедляют =медленнее slow slows slowed =slower decelerates verlangsamt
        verlangsamen =langsamer""",
    ),
    (  # easier / harder
        "=проще =легче =easier =einfacher =leichter",
        "=сложнее =труднее =тяжелее =harder =schwerer =schwieriger",
    ),
    (  # before / after
        "перед прежде before bevor",
        "после after nachdem",
    ),
    (  # needed / not needed
        """нужен нужна нужно нужны нужен необходим необходима необходимо необходимы требуется требуются требует
        need needs needed require requires required necessary braucht brauchen benötigt erfordert notwendig
        nötig""",
        "",
    ),
)
_CYRILLIC = re.compile(r"[а-яё]")
_QUOTED = re.compile(r"«[^»]*»|\"[^\"]*\"|“[^”]*”|„[^“”]*[“”]")
_EXACT = "="  # a key no stem starts with: the word itself, matched whole
_NEGATION_REACH = 2  # a negation this many words before a direction word flips it ("не всегда помогает")
_REACH = 4  # a direction word counts for a point when this close to the point's evidence ("помогает на плато")
_ANCHOR_REACH = 4  # content words on either side of a point's direction word that say what it is said of


def _keys_of(words: str) -> set[str]:
    """Lookup keys of the words: stems (Cyrillic words by the Russian stemmer, Latin ones by both Latin stemmers),
    or the word itself under `_EXACT` for one marked "="."""
    out = set()
    for w in map(normalise_word, words.split()):
        if w.startswith("="):
            out.add(_EXACT + w[1:])
        else:
            out |= {stem_word(w, "ru")} if _CYRILLIC.search(w) else {stem_word(w, "en"), stem_word(w, "de")}
    return out


def lexicon(pairs: Sequence[tuple[str, str]] = PAIRS, first: int = 0) -> dict[str, tuple[int, int]]:
    """Lookup key (`_keys_of`) -> (pair index, counted from `first`; side) for pairs of opposite words."""
    lex: dict[str, tuple[int, int]] = {}
    for k, (one, other) in enumerate(pairs, start=first):
        for side, words in enumerate((one, other)):
            for s in _keys_of(words):
                lex.setdefault(s, (k, side))
    return lex


_LEXICON = lexicon()


def is_direction_word(norm: str) -> bool:
    """Whether a normalised word is one of the direction words ("помогает", "slows", "verlangsamt"): a verb or
    comparative, so a statement."""
    if _EXACT + norm in _LEXICON:
        return True
    if _CYRILLIC.search(norm):
        return stem_word(norm, "ru") in _LEXICON
    return stem_word(norm, "en") in _LEXICON or stem_word(norm, "de") in _LEXICON


def directions(text: str, lang: str, near: Sequence[tuple[int, int]] = ()) -> dict[int, set[int]]:
    """Pair index -> the directions (0 or 1) that `text` states, a negation before a word flipping it; with `near`
    (character ranges of `text`), only words within a few words of one of them count."""
    toks = tokenize(text, lang)
    quoted = [m.span() for m in _QUOTED.finditer(text)]  # a title or a quotation states nothing: "All You Need"
    found: dict[int, set[int]] = {}
    for i, stem in enumerate(toks.stems):
        hit = _LEXICON.get(stem) or _LEXICON.get(_EXACT + toks.norms[i])
        if hit is None or (near and not _close(i, toks, near)) or any(a <= toks.starts[i] < b for a, b in quoted):
            continue
        pair, side = hit
        before = toks.norms[max(0, i - _NEGATION_REACH) : i]
        negated = any(n in NEGATIONS for n in before) and toks.norms[i - 1] not in NOT_NEGATING_NEXT
        found.setdefault(pair, set()).add(side ^ negated)
    return found


# A piece of text between spaces -> the pairs its direction words belong to (bit `1 << pair`), per stemmer of Latin
# words: most answers' clauses hold none, and `directions` need not read them.
_piece_pairs: dict[str, dict[str, int]] = {"en": {}, "de": {}}
_HOLDS_LIMIT = 200_000


DIRECTION_MARK = 2  # the bit of a matcher's `piece_flag` (grader.engine.lexical) for `piece_holds_direction`


def piece_holds_direction(piece: str, latin: str) -> bool:
    """Whether a piece of text between spaces holds a direction word, its Latin words stemmed as in `latin`."""
    found = _piece_pairs[latin].get(piece)
    return bool(_pairs_of_piece(piece, latin) if found is None else found)


def _pairs_of_piece(piece: str, latin: str) -> int:
    """The pairs of `PAIRS` (bit `1 << pair`) whose words the piece holds, as `directions` reads them."""
    found = 0
    for _a, _b, n, s in chunk_words(piece, latin):
        hit = _LEXICON.get(s) or _LEXICON.get(_EXACT + n)
        if hit is not None:
            found |= 1 << hit[0]
    memo = _piece_pairs[latin]
    if len(memo) >= _HOLDS_LIMIT:
        memo.clear()
    if len(piece) <= MEMO_KEY_MAX:
        memo[piece] = found
    return found


def pairs_stated(text: str, latin: str) -> int:
    """The pairs (bit `1 << pair`) whose direction words `text` holds, so the only pairs `directions` can find in it
    (`latin`: the stemmer of its Latin words, `grader.engine.text.latin_lang`); a dict lookup per piece between
    spaces."""
    pieces = text.split(" ")
    known = list(map(_piece_pairs[latin].get, pieces))
    if None in known:
        known = [_pairs_of_piece(p, latin) if k is None else k for p, k in zip(pieces, known, strict=True)]
    return functools.reduce(operator.or_, known, 0)


def may_state_direction(text: str, latin: str) -> bool:
    """False when no word of `text` is a direction word, so `directions` finds nothing in it."""
    return bool(pairs_stated(text, latin))


def _close(i: int, toks: Tokens, near: Sequence[tuple[int, int]]) -> bool:
    """Whether word `i` is within `_REACH` words of a word overlapping one of the `near` ranges (asked only of the
    direction words, not worked out for every word)."""
    starts, ends = toks.starts, toks.ends
    return any(
        starts[j] < e and s < ends[j]
        for j in range(max(0, i - _REACH), min(len(starts), i + _REACH + 1))
        for s, e in near
    )


@lru_cache(maxsize=4096)
def _point_directions(text: str, hints: tuple[tuple[str, str], ...], lang: str) -> tuple[tuple[int, int], ...]:
    said: dict[int, set[int]] = {}
    for t, t_lang in ((text, lang), *hints):
        if len(list(clauses(t))) > 1:  # several statements (a paragraph, "X, while Y"): no one direction
            continue
        for pair, sides in directions(t, t_lang).items():
            said.setdefault(pair, set()).update(sides)
    return tuple((pair, next(iter(sides))) for pair, sides in sorted(said.items()) if len(sides) == 1)


def _is_direction(toks: Tokens, i: int) -> bool:
    return toks.stems[i] in _LEXICON or _EXACT + toks.norms[i] in _LEXICON


@lru_cache(maxsize=4096)
def _anchors_of(text: str, lang: str) -> frozenset[str]:
    """Stems of the content words next to the direction words of `text` (up to `_ANCHOR_REACH` on either side):
    what a direction is said of ("reduces *the overhead*", "*Momentum* мешает")."""
    toks = tokenize(text, lang)
    content = [i for i, n in enumerate(toks.norms) if len(n) > 1 and not is_stopword(n)]
    out: set[str] = set()
    for k, i in enumerate(content):
        if _is_direction(toks, i):
            near = content[max(0, k - _ANCHOR_REACH) : k] + content[k + 1 : k + 1 + _ANCHOR_REACH]
            out.update(toks.stems[j] for j in near if not _is_direction(toks, j))
    return frozenset(out)


def point_anchors(point: KeyPoint, lang: str) -> frozenset[str]:
    """What the point's directions are said of, from its text and hints (`_anchors_of`)."""
    hints = ((point.hint, lang),) if isinstance(point.hint, str) else tuple((t, k) for k, t in point.hint.items())
    return frozenset().union(*(_anchors_of(t, k) for t, k in ((point.text, lang), *hints) if t))


def _said_of(evidence: Evidence, lang: str, anchors: frozenset[str]) -> bool:
    """Whether the evidence names something a direction of the point is said of."""
    return not anchors.isdisjoint(tokenize(evidence.text, lang).stems)


def point_directions(point: KeyPoint, lang: str) -> tuple[tuple[int, int], ...]:
    """(pair, direction) the point states clearly: in its text and hints that are one clause each, one direction."""
    hints = ((point.hint, lang),) if isinstance(point.hint, str) else tuple((t, k) for k, t in point.hint.items())
    return _point_directions(point.text, tuple(h for h in hints if h[0]), lang)


_by_rubric: RubricMemo[dict[str, tuple[tuple[int, int], ...]]] = RubricMemo()


def rubric_directions(rubric: Rubric) -> dict[str, tuple[tuple[int, int], ...]]:
    """Point id -> the directions it states, for the points that state any; worked out once per rubric."""
    return _by_rubric.get(rubric, _directions)


def _directions(rubric: Rubric) -> dict[str, tuple[tuple[int, int], ...]]:
    return {p.id: d for p in rubric.points if (d := point_directions(p, rubric.lang))}


def find_reversals(
    rubric: Rubric, points: Sequence[PointMatch], answer: str, lang: str, match: AnswerMatch | None = None
) -> list[Contradiction]:
    """Points whose evidence sits in a clause of `answer` stating the opposite direction; the feedback quotes the
    clause and says what is right (the point's hint in `lang`). `match`: the answer's, whose pieces' marks tell at
    once whether any holds a direction word (`DIRECTION_MARK`)."""
    stating = rubric_directions(rubric)
    latin = latin_lang(lang)
    if not stating:
        return []
    if match is not None and match.latin == latin and match.answer == answer:
        if not match.marks & DIRECTION_MARK:
            return []
    elif not may_state_direction(answer, latin):
        return []
    found = []
    points_by_id = {p.id: p for p in rubric.points}
    for pm in points:
        stated = stating.get(pm.id) if pm.score else None
        if not stated:
            continue
        asked = functools.reduce(operator.or_, (1 << pair for pair, _side in stated))
        spans = [e for c in pm.concepts if c.matched for e in c.evidence]
        # Only a direction said of what the point's direction is said of reverses it: "reduces the overhead" is not
        # reversed by "increases the distance" near other words of the point.
        anchors = point_anchors(points_by_id[pm.id], rubric.lang)
        if anchors:
            spans = [e for e in spans if _said_of(e, lang, anchors)]
        for start, end in _clauses_holding(answer, sorted(e.start for e in spans)):
            if not pairs_stated(answer[start:end], latin) & asked:
                continue  # no word of the point's pairs in it: nothing stated the other way round
            near = [(max(e.start, start) - start, min(e.end, end) - start) for e in spans if start <= e.start < end]
            said = directions(answer[start:end], lang, near)
            if any(said.get(pair) == {1 - side} for pair, side in stated):
                found.append(reversed_clause(rubric, pm.id, answer, start, end, lang))
                break
    return found


def _clauses_holding(answer: str, offsets: list[int]) -> list[tuple[int, int]]:
    """The clauses of `answer` holding these offsets (sorted), each once, in order."""
    held: list[tuple[int, int]] = []
    for at in offsets:
        if held and held[-1][0] <= at < held[-1][1]:
            continue  # in the clause the offset before it is in: most evidence sits together
        clause = clause_at(answer, at)
        if clause is not None and (not held or clause != held[-1]):
            held.append(clause)
    return held


def reversed_clause(
    rubric: Rubric, point: str, answer: str, start: int, end: int, lang: str, key: str = "reversed"
) -> Contradiction:
    """The point contradicted by the clause answer[start:end], with the feedback (`key`: which) quoting it."""
    claim = answer[start:end].strip()
    at = start + answer[start:end].index(claim)
    stated = next(p for p in rubric.points if p.id == point)
    feedback = phrase(lang, key, claim=short(claim), right=stated.hint_in(lang) or stated.text)
    return Contradiction(point, "reversal", (Evidence(at, at + len(claim), claim),), feedback)
