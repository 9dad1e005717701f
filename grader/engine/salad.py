"""Whether an answer's words stand in any grammatical order, or are shuffled. Pure.

A word salad (the reference's words in random order) holds every rubric term and plenty of function words, so
neither coverage nor a search for predicates tells it from an answer. Word order does: an article opens a noun
phrase and a preposition governs one, so the word right after either is a noun phrase's first word, never a
conjunction, a finite auxiliary, a subordinator or the end of a clause ("the it", "a but", "of is", "в и", "mit
weil"). Real answers, typos and telegraphic style included, almost never break that; a shuffle breaks it about as
often as the next word happens to be such a word.

The classes are closed and small in each language (articles, prepositions, conjunctions, finite auxiliaries);
nothing is learned from answers. German definite articles are left out: they are also relative and demonstrative
pronouns ("die sie", "das ist").
"""

from __future__ import annotations

import re

from grader.engine.text import normalise_word

MIN_SLOTS = 3  # articles and prepositions needed before the order can be judged
MIN_BROKEN = 2
BROKEN_SHARE = 0.15  # a salad: at least this share of them followed by what cannot open a noun phrase

_ARTICLES = frozenset("a an the ein eine einem einen einer eines des".split())
PREPOSITIONS = frozenset(
    """of in on at to for with by from into about over under between through during without within across
    mit von aus bei nach zu zum zur für über unter durch gegen ohne zwischen auf
    в во на с со к ко по о об обо у из от до для без при про под над за через между""".split()
)
_CONJUNCTIONS = frozenset("and or but nor und oder aber sondern и или но а либо".split())
_SUBORDINATORS = frozenset(
    "because although whereas than weil obwohl dass als потому поскольку хотя чтобы если".split()
)
_FINITE = frozenset(
    """is are was were been has had does did am can could will would should must may might shall ist sind war
    waren hat hatte wird wurde wurden kann muss soll sollte könnte является являются был была было были будет
    будут""".split()
)
_PRONOUNS = frozenset("it he she they we i you er sie es wir ich он она оно они мы я".split())
# What cannot stand right after an article, and right after a preposition.
_NOT_AFTER_ARTICLE = _ARTICLES | PREPOSITIONS | _CONJUNCTIONS | _SUBORDINATORS | _FINITE | _PRONOUNS
_NOT_AFTER_PREPOSITION = _CONJUNCTIONS | _SUBORDINATORS | _FINITE
# German prepositions that also end a clause as a verb's particle ("stimme zu", "fängt an").
_PARTICLES = frozenset("an auf aus mit nach vor zu bei durch über um unter in".split())
_LETTER_NAME = re.compile(r"(?<![\w'’])[B-HJ-Z](?![\w'’])")
_LOWER_NEXT = re.compile(r"\s+[a-z]")
_TOKEN = re.compile(r"(?P<word>[^\W\d_][^\W_]*(?:['’-][^\W_]+)*)|(?P<end>[.!?;,:\n()]|\d)")


def broken_slots(answer: str) -> tuple[int, int]:
    """(articles and prepositions, how many of them are followed by what cannot open a noun phrase)."""
    slots = broken = 0
    last: str | None = None
    names = bool(_LETTER_NAME.search(answer))  # "B", "C" standing alone: letters name things here
    opener: frozenset[str] | None = None  # what may not follow the word just read, when it opens a phrase
    for m in _TOKEN.finditer(answer):
        word = normalise_word(m.group("word")) if m.group("word") else None
        if opener is not None:
            ends = m.group("end") not in ("(", None) and not m.group().isdigit() and last not in _PARTICLES
            broken += (word is None and ends) or (word is not None and word in opener)
        opener, last = None, word
        if word == "a" and m.group() == "A" and (names or not _LOWER_NEXT.match(answer, m.end())):
            continue  # a name ("event A", "nodes A, B and C"), not the article
        if word in _ARTICLES:
            slots, opener = slots + 1, _NOT_AFTER_ARTICLE
        elif word in PREPOSITIONS:
            slots, opener = slots + 1, _NOT_AFTER_PREPOSITION
    if opener is not None and last not in _PARTICLES:
        broken += 1  # the answer ends on an article or a preposition
    return slots, broken


def is_word_salad(answer: str) -> bool:
    """Whether at least `MIN_SLOTS` articles and prepositions stand in the answer and `BROKEN_SHARE` of them (at
    least `MIN_BROKEN`) are followed by what cannot open a noun phrase."""
    slots, broken = broken_slots(answer)
    return slots >= MIN_SLOTS and broken >= MIN_BROKEN and broken >= BROKEN_SHARE * slots
