"""Whether an answer's words stand in any grammatical order, or are shuffled. Pure.

A word salad (the reference's words in random order) holds every rubric term and plenty of function words, so
neither coverage nor a search for predicates tells it from an answer. Word order does: an article opens a noun
phrase and a preposition governs one, so the word right after either is a noun phrase's first word, never a
conjunction, a finite auxiliary, a subordinator, a Russian verb or the end of a clause ("the it", "a but", "of
is", "в и", "к стремится", "mit weil"). Real answers, typos and telegraphic style included, almost never break
that; a shuffle breaks it about as often as the next word happens to be such a word.

Where the reference is at hand, a salad of its words is told more surely (`rearranges_reference`): nearly all of
the answer's words are the reference's, and few of its word pairs are.

The classes are closed and small in each language (articles, prepositions, conjunctions, finite auxiliaries);
nothing is learned from answers. German definite articles are left out: they are also relative and demonstrative
pronouns ("die sie", "das ist").
"""

from __future__ import annotations

import itertools
import operator
import re
from collections import Counter
from functools import lru_cache
from typing import cast

from grader.engine.statements import RU_VERB
from grader.engine.text import MEMO_KEY_MAX

MIN_WORDS = 6  # words an answer needs before it can be told to rearrange the reference
FROM_REFERENCE = 0.9  # a rearrangement: at least this share of its words drawn from the reference,
PAIRS_KEPT = 0.3  # and fewer than this share of its adjacent word pairs found there,
USES_REFERENCE = 0.5  # while using at least this share of the reference's words
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
# German "zu" after an article is the adverb "too" ("eine zu große Lernrate"), not the preposition.
_NOT_AFTER_ARTICLE = (_ARTICLES | PREPOSITIONS | _CONJUNCTIONS | _SUBORDINATORS | _FINITE | _PRONOUNS) - {"zu"}
_NOT_AFTER_PREPOSITION = _CONJUNCTIONS | _SUBORDINATORS | _FINITE
# German prepositions that also end a clause as a verb's particle ("stimme zu", "fängt an").
_PARTICLES = frozenset("an auf aus mit nach vor zu bei durch über um unter in".split())
# A capital letter standing alone; the letter first, so the search skips to capitals (a lookbehind first is tried
# at every offset).
_LETTER_NAME = re.compile(r"[B-HJ-Z](?<![\w'’][B-HJ-Z])(?![\w'’])")
_PLAIN_WORD = re.compile(r"\w+(?:['’-]\w+)*")
_LEADING = "(\"'«„“"  # marks that may open a token before its word; a bracket opens a phrase
_TRAILING = ".,;:!?)\"'»“”"
_FIRST_WORD = re.compile(r"[^\W\d_][^\W_]*(?:['’-][^\W_]+)*")
_ENDS = frozenset(".,;:!?)")
_SLOT_WORDS = _ARTICLES | PREPOSITIONS
_COUNT = itertools.count


def broken_slots(answer: str) -> tuple[int, int]:
    """(articles and prepositions, how many of them are followed by what cannot open a noun phrase)."""
    tokens = answer.split()  # split on spaces, not read word by word: most tokens are no article or preposition
    known = list(map(_token_roles.get, tokens))  # what each token is, from the memo (a C loop)
    if None in known:  # the tokens new to the memo (a few typos or names), found by a C scan and read alone
        at = -1
        for _ in range(known.count(None)):
            at = known.index(None, at + 1)
            known[at] = _token_role(tokens[at])
    roles = cast(list[int], known)
    roles.append(_END)  # what follows the last token: the end of the answer, as punctuation does
    # The slots alone (found by a C scan: most tokens are none), each beside the token after it in a table.
    slots = list(itertools.compress(_COUNT(), map(operator.and_, roles, itertools.repeat(_SLOT))))
    # Whether letters name things here ("event A", "nodes A, B and C"): asked only when an "A" may be the article.
    names = any(roles[i] & _CAPITAL_A for i in slots) and bool(_LETTER_NAME.search(answer))
    table = _PAIR_TABLES[names]
    total = sum([table[(roles[i] & _SLOT_BITS) | (roles[i + 1] & _FOLLOWER_BITS)] for i in slots])
    return total & _LOW, total >> _SHIFT


# What a token is, memoised per token (answers repeat their words, and most tokens are no article or preposition):
# the low bits, what it is right after an article or preposition (`_LOWER` opens in lower case, `_ALPHA` with a
# letter, `_ENDS_IT` with punctuation that ends a phrase; `_BREAKS_ARTICLE`, `_BREAKS_PREPOSITION`: its first word
# cannot open a noun phrase after one); the high bits, what it is as one (`_SLOT`, with `_PUNCT` when punctuation
# closes it, "of."; `_ARTICLE`; `_CAPITAL_A`, "A", which may name a thing; `_PARTICLE`, a German preposition that
# may end a clause).
_LOWER, _ALPHA, _ENDS_IT, _BREAKS_ARTICLE, _BREAKS_PREPOSITION = 1, 2, 4, 8, 16
_SLOT, _PUNCT, _ARTICLE, _CAPITAL_A, _PARTICLE = 32, 64, 128, 256, 512
_FOLLOWER_BITS, _SLOT_BITS = 31, 31 << 5
_END = _ENDS_IT  # what the end of the answer, or punctuation, is as what follows: "."
_SHIFT = 32  # a table entry: one slot, and whether it is broken shifted by this
_LOW = (1 << _SHIFT) - 1
_token_roles: dict[str, int] = {}
_ROLES_LIMIT = 200_000


def _pair_value(pair: int, names: bool) -> int:
    """A table entry: a token's slot bits and the next token's follower bits -> 1 for a slot, plus `1 << _SHIFT`
    for a broken one; 0 for no slot (or "A" naming a thing)."""
    role, after = pair & _SLOT_BITS, pair & _FOLLOWER_BITS
    if not role & _SLOT:
        return 0
    if role & _PUNCT:
        after = _END  # punctuation right after it ends the phrase
    if role & _CAPITAL_A and (names or not after & _LOWER):
        return 0  # a name, not the article
    if not after & _ALPHA:  # punctuation ends it; a digit, a bracket or a symbol ("a * l") does not
        broken = bool(after & _ENDS_IT) and not role & _PARTICLE
    else:
        broken = bool(after & (_BREAKS_ARTICLE if role & _ARTICLE else _BREAKS_PREPOSITION))
    return 1 + (broken << _SHIFT)


_PAIR_TABLES = {names: [_pair_value(pair, names) for pair in range(1 << 10)] for names in (False, True)}


def _token_role(token: str) -> int:
    role = _as_slot(token) | _as_follower(token)
    if len(_token_roles) >= _ROLES_LIMIT:
        _token_roles.clear()
    if len(token) <= MEMO_KEY_MAX:
        _token_roles[token] = role
    return role


def _as_slot(token: str) -> int:
    word = token.lower().lstrip(_LEADING)
    if word in _SLOT_WORDS:
        role = _SLOT
    elif word.rstrip(_TRAILING) in _SLOT_WORDS:
        role = _SLOT | _PUNCT
        word = word.rstrip(_TRAILING)
    else:
        return 0
    role |= _ARTICLE if word in _ARTICLES else 0
    role |= _CAPITAL_A if word == "a" and token.lstrip(_LEADING).startswith("A") else 0
    return role | (_PARTICLE if word in _PARTICLES else 0)


def _as_follower(token: str) -> int:
    after = token.lstrip(_LEADING[1:])  # a bracket opens a phrase
    first = after[:1]
    role = _LOWER if first.islower() else 0
    if not first.isalpha():
        return role | (_ENDS_IT if first in _ENDS else 0)
    word = _FIRST_WORD.match(after)
    low = (word.group() if word else after).lower()
    role |= _ALPHA | (_BREAKS_ARTICLE if low in _NOT_AFTER_ARTICLE else 0)
    breaks = low in _NOT_AFTER_PREPOSITION or _verb_after(_NOT_AFTER_PREPOSITION, low)
    return role | (_BREAKS_PREPOSITION if breaks else 0)


def _verb_after(opener: frozenset[str], word: str) -> bool:
    """A Russian verb form right after a preposition ("к стремится"): a preposition governs a noun phrase."""
    return opener is _NOT_AFTER_PREPOSITION and not word.isascii() and _ru_verb(word)


@lru_cache(maxsize=65536)
def _ru_verb(word: str) -> bool:
    return bool(RU_VERB.search(word))


def is_word_salad(answer: str) -> bool:
    """Whether at least `MIN_SLOTS` articles and prepositions stand in the answer and `BROKEN_SHARE` of them (at
    least `MIN_BROKEN`) are followed by what cannot open a noun phrase."""
    slots, broken = broken_slots(answer)
    return slots >= MIN_SLOTS and broken >= MIN_BROKEN and broken >= BROKEN_SHARE * slots


def rearranges_reference(answer: str, reference: str) -> bool:
    """Whether the answer is the reference's words rearranged: at least `FROM_REFERENCE` of its words (counted with
    their multiplicity) drawn from the reference, using at least `USES_REFERENCE` of the reference's, but fewer
    than `PAIRS_KEPT` of its adjacent word pairs standing in the reference. An answer that quotes the reference
    keeps its pairs; one that explains in its own words draws far fewer of its words from it."""
    if not reference or len(answer) > 1.2 * len(reference) + 40:
        return False  # too long to be drawn from the reference (counted in characters first: cheap)
    said = _words(answer)
    if len(said) < MIN_WORDS:
        return False
    available, pairs = _source(reference)
    if sum(map(available.__contains__, said)) < FROM_REFERENCE * len(said):
        return False  # too few of its words are the reference's at all (a bound on `drawn`, counted in C)
    drawn = sum(min(k, available[w]) for w, k in Counter(said).items())
    if drawn < FROM_REFERENCE * len(said) or drawn < USES_REFERENCE * available.total():
        return False  # its own words, or a few of the reference's restated (a terse answer in the reference's terms)
    kept = sum(p in pairs for p in itertools.pairwise(said))
    return kept < PAIRS_KEPT * (len(said) - 1)


def _words(text: str) -> list[str]:
    return _PLAIN_WORD.findall(text.lower().replace("ё", "е"))


@lru_cache(maxsize=1024)
def _source(reference: str) -> tuple[Counter[str], frozenset[tuple[str, str]]]:
    """The reference's words with their counts, and its adjacent word pairs (worked out once per reference)."""
    words = _words(reference)
    return Counter(words), frozenset(itertools.pairwise(words))
