"""Whether an answer relates the rubric terms it names, or only lists them. Pure.

The matcher's evidence spans are the answer's *items* (rubric terms it names; overlapping spans are one item). A
sentence relates its terms through the words between them: a predicate or the words that build one
(`grader.engine.statements`: "застревает", "because", "weil", "is") or a relation sign between words ("=", "→", a
Russian copular dash). Such a *link* binds the content words within `REACH` content words of it in the same piece
of the answer (pieces end at punctuation, line breaks, slashes, hashtags, bullets); a preposition only joins the
word either side of it ("производные к нулю" relates two words, states nothing); articles and coordinators are
passed over ("the", "и", "and" bind nothing and count for no distance). An item is *bound* when one of its words is,
or when it is a clause itself (its own words hold a verb: "веса не обновляются").

Only links *outside* the items count: a rubric wording that happens to be a clause relates nothing around it, so a
run of terms cannot pass by naming one. An answer of at least `MIN_ITEMS` items, at most `BOUND_SHARE` of them
bound, is a list of terms whatever its punctuation: commas, line breaks, slashes, hashtags, or none at all
("сигмоида tanh маленький градиент ReLU"). A real answer, however terse, is made of clauses whose predicate sits
within a few words of each term.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from functools import lru_cache

from grader.engine.reversal import is_direction_word
from grader.engine.salad import PREPOSITIONS
from grader.engine.statements import LINKING, NOUN_PHRASE_WORDS, RU_VERB, german_verb
from grader.engine.text import detect_lang, normalise_word

MIN_ITEMS = 3  # one or two terms are a short answer, not a list
BOUND_SHARE = 0.25  # a list: at most this share of its items bound to a predicate
REACH = 4  # a link binds this many content words on either side (a noun phrase rarely runs longer)
# Words, relation signs between operands (a colon after a label maps it to what follows: "1 к 1: классификация",
# "Abhilfe: ReLU"), and the punctuation that ends a piece (a hyphen or slash inside a word,
# "TCP/IP", "batch-norm", is part of it).
_TOKEN = re.compile(
    r"(?P<word>[^\W\d_][^\W_]*(?:['’/-][^\W_]+)*)"
    r"|(?P<rel>(?<=[\w)\]\s])(?:=|<|>|≤|≥|≈|≠|→|⇒|->|=>|[—–](?=\s))(?=[\s\w(\[-])|(?<=\w):(?=[ \t]))"
    r"|(?P<end>[.!?;:,\n•·|#/\\]|(?<!\w)-(?!\w))"
)
# The punctuation that always ends a piece, wherever it stands (a colon, slash or hyphen may also stand inside a
# word or a relation): no token runs over it, so the tokens after it are read the same from there.
_HARD_END = re.compile(r"[.!?;,\n•·|#\\]")
_STARTS = re.compile(r"(?:^|[.!?:;\n•(\[\"«]\s*|^\s*)$")
_LETTER = re.compile(r"[^\W\d_]{2}")
_NEXT_WORD = re.compile(r"[ \t]+(\w+)\b")
_DETERMINERS = frozenset("a an the its their this these those both".split())
# Verbs and the auxiliaries, copulas and modals that carry a predicate: what makes a term a clause.
_AUXILIARIES = frozenset(
    """is are was were be been being am has have had do does did can could will would shall should must may might
    ist sind war waren bin bist sein hat haben hatte hatten kann können konnte muss müssen soll sollen wird werden
    wurde wurden darf dürfen является являются являлся есть был была было были будет будут может могут можно
    нужно надо должен должна должны""".split()
)


@lru_cache(maxsize=65536)  # asked of every rubric term an answer names, each time
def _verb(word: str) -> bool:
    return word in _AUXILIARIES or is_direction_word(word) or (not word.isascii() and bool(RU_VERB.search(word)))


def _links(word: str) -> bool:
    return word in LINKING or _verb(word)


@lru_cache(maxsize=65536)
def _norm(word: str) -> str:
    return word.lower() if word.isascii() else normalise_word(word)


def _next_word(answer: str, end: int) -> str | None:
    m = _NEXT_WORD.match(answer, end)
    return m.group(1) if m else None


def _before_determiner(answer: str, end: int) -> bool:
    """An English word right before an article or possessive ("contains the", "sends a", "assigns its") is a verb
    or a preposition: a noun is followed by one only across punctuation or a conjunction (asked of English words
    other than noun-phrase words)."""
    m = _NEXT_WORD.match(answer, end)
    return m is not None and m.group(1).lower() in _DETERMINERS


def _single_verb(answer: str, item: tuple[int, int], m: re.Match[str], german: bool) -> bool:
    """Whether the item is this one word and a verb ("reduce", "berechnet"): it relates the words either side of
    it; a rubric wording of several words that holds a verb ("веса не обновляются") relates nothing around it."""
    if item != m.span():
        return False
    return _verb(_norm(m.group())) or (german and german_verb(m.group(), _next_word(answer, m.end())))


def is_clause(text: str) -> bool:
    """Whether a term's own words hold a verb ("веса не обновляются"; "training stalls" only by a direction verb)."""
    return any(_verb(normalise_word(m.group("word"))) for m in _TOKEN.finditer(text) if m.group("word"))


def items_of(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Evidence spans merged where they overlap, in order."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _bound_items(answer: str, items: list[tuple[int, int]], lang: str | None) -> Iterator[int]:
    """Indexes of the items that a link outside them binds, each told as soon as it is bound (an index may come
    more than once); `lang`: the answer's, when known.

    Only the stretches between sentence punctuation and commas (`_HARD_END`) that hold an item are read, those
    holding most items first: every other piece binds nothing, and reading a piece costs far more than finding
    where the stretches end. The same set of items is bound as reading the whole answer piece by piece."""
    inside = _Inside(items)
    german = (lang or detect_lang(answer, default="en")) == "de"
    ends = [m.start() for m in _HARD_END.finditer(answer)]
    left = bisect.bisect_left
    held = Counter(k for s, e in items for k in range(left(ends, s), left(ends, e - 1) + 1))
    for k, _n in held.most_common():  # the stretches with most terms first: a sentence relating them decides soonest
        start = ends[k - 1] + 1 if k else 0
        stop = ends[k] if k < len(ends) else len(answer)
        yield from _bound_in(answer, _TOKEN.finditer(answer, start), stop, items, inside, german)


def _bound_in(
    answer: str, tokens: Iterator[re.Match[str]], stop: int, items: list[tuple[int, int]], inside: _Inside, german: bool
) -> Iterator[int]:
    """`_bound_items` over the tokens of one stretch of the answer, read up to the punctuation at `stop`; an item
    is told as soon as a link binds it, so a caller that has heard enough can stop reading."""
    words: list[int] = []  # the current piece's content words: the item each is part of, -1 for none
    bound_below = 0  # a content word numbered below this is bound by a link before it in the piece
    for m in itertools.chain(tokens, [None]):
        kind = m.lastgroup if m is not None else "end"
        if m is None or kind == "end":
            words, bound_below = [], 0
            if m is None or m.start() >= stop:
                return
            continue
        if kind == "rel":
            reach: int | None = REACH
        elif (item := inside(m.start())) >= 0:
            if _single_verb(answer, items[item], m, german):  # the answer's own verb, named as a rubric term
                yield from _linked(words, 1)
                bound_below = max(bound_below, len(words) + 1)
            if len(words) < bound_below:
                yield item
            words.append(item)
            continue
        else:
            reach = _reach(answer, m, german)
        if reach is not None:  # a link: it binds `reach` content words either side
            yield from _linked(words, reach)
            bound_below = max(bound_below, len(words) + reach)
        elif not _word_facts(m.group())[3]:
            words.append(-1)


def _linked(words: list[int], reach: int) -> Iterator[int]:
    """The items among the last `reach` content words, which a link after them binds."""
    return (k for k in words[max(0, len(words) - reach) :] if k >= 0)


def _reach(answer: str, m: re.Match[str], german: bool) -> int | None:
    """How far the word at `m` binds when it is a link: a predicate across a phrase either side, a preposition
    only the words it joins ("производные к нулю"); None for no link."""
    text = m.group()
    capital, reach, open_class, _phrase = _word_facts(text)
    if capital and not _STARTS.search(answer[max(0, m.start() - 3) : m.start()]):
        return None  # capitalised inside a sentence: a name or an acronym ("He init", "Die Hard"), not a link
    if reach is not None:
        return reach
    if open_class and _before_determiner(answer, m.end()):
        return REACH
    if german and german_verb(text, _next_word(answer, m.end())):
        return REACH
    return None


@lru_cache(maxsize=65536)
def _word_facts(text: str) -> tuple[bool, int | None, bool, bool]:
    """What `_reach` asks of a word whatever stands around it (memoised: answers repeat their words): whether it
    is capitalised, its own reach as a link, whether it is an English word a determiner may follow as the object
    of a verb (not a noun-phrase word), whether it is a noun-phrase word."""
    word = _norm(text)
    phrase = word in NOUN_PHRASE_WORDS
    return text[0].isupper(), _word_reach(word), word.isascii() and not phrase, phrase


@lru_cache(maxsize=65536)
def _word_reach(word: str) -> int | None:
    """A word's own reach as a link, whatever stands around it (memoised: answers repeat their words)."""
    if word in PREPOSITIONS:
        return 1
    return REACH if _links(word) else None


class _Inside:
    """Whether a character offset falls inside one of the items (sorted, disjoint)."""

    def __init__(self, items: list[tuple[int, int]]) -> None:
        self.items = items
        self.starts = [s for s, _ in items]

    def __call__(self, at: int) -> int:
        """The index of the item holding offset `at`, -1 for none."""
        k = bisect.bisect_right(self.starts, at) - 1
        return k if k >= 0 and at < self.items[k][1] else -1


def _items(answer: str, spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    # A number or formula is no term: an answer that calculates is not listing.
    return [(s, e) for s, e in items_of(spans) if _LETTER.search(answer, s, e)]


def bound_share(answer: str, spans: Iterable[tuple[int, int]], lang: str | None = None) -> tuple[int, float]:
    """(number of items, share of them bound to a predicate or clauses themselves) for an answer and its evidence
    spans."""
    items = _items(answer, spans)
    if not items:
        return 0, 0.0
    bound = {k for k, (s, e) in enumerate(items) if is_clause(answer[s:e])}
    bound.update(_bound_items(answer, items, lang))
    return len(items), len(bound) / len(items)


def lists_terms(answer: str, spans: Iterable[tuple[int, int]], lang: str | None = None) -> bool:
    """Whether the answer names at least `MIN_ITEMS` rubric terms and binds at most `BOUND_SHARE` of them (read
    piece by piece, so the usual answer, whose first sentences relate enough of its terms, is decided early)."""
    items = _items(answer, spans)
    limit = BOUND_SHARE * len(items)
    if len(items) < MIN_ITEMS:
        return False
    bound: set[int] = set()
    for k in _bound_items(answer, items, lang):
        bound.add(k)
        if len(bound) > limit:
            return False
    # Rarer: terms that are clauses themselves, looked at only now.
    bound.update(k for k, (s, e) in enumerate(items) if k not in bound and is_clause(answer[s:e]))
    return len(bound) <= limit


def states(answer: str, start: int, end: int, german: bool) -> bool:
    """Whether the term answer[start:end] is a clause or the answer's own verb ("веса не обновляются", "lernt")."""
    if is_clause(answer[start:end]):
        return True
    m = _TOKEN.match(answer, start)
    return m is not None and m.lastgroup == "word" and _single_verb(answer, (start, end), m, german)
