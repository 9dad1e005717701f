"""Whether an answer makes any statement at all, or only lists terms. Pure.

An answer is cut into pieces at sentence punctuation, commas, colons and line breaks. A piece makes a statement
when it has a predicate or the words that link one: a verb form (Russian by its ending: "уменьшает",
"настроить", "используется"; auxiliaries and modals in every language: "is", "can", "ist", "может"; the direction
verbs of `grader.engine.reversal`: "slows", "helps", "verlangsamt"), a
preposition, pronoun or subordinating word ("для", "because", "weil"), or a Russian copular dash between words
("momentum — инерция"). What does not count: articles, quantifiers and "and"/"or", which a bare noun phrase has too
("the learning rate", "все гиперпараметры", "dropout и batch norm").

An answer of several pieces none of which makes a statement is a list of terms, whatever share of its words are
rubric terms (a piece of one letter or a number is a label, no term: "B, C, A" gives an order, "2, 4" a choice);
to a question that asks for a list ("назовите…", "which … are"), such a list is the answer's form and is left
alone.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

from grader.engine.reversal import is_direction_word
from grader.engine.text import ALL_STOPWORDS, detect_lang, normalise_word

# Words a bare noun phrase or a list of them may hold: coordinators, articles, quantifiers, intensifiers.
_NOUN_PHRASE_WORDS = frozenset(
    """и или либо а также and or nor und oder sowie bzw a an the der die das den dem des ein eine einem einen
    einer eines все всех весь каждый каждая более менее очень много мало самый самые весьма разные some more most
    very few other each all any both such same own alle viele andere jede jeder jedes sehr mehr""".split()
)
_LINKING = ALL_STOPWORDS - _NOUN_PHRASE_WORDS
# Russian verb forms by ending: infinitives, present and future (both conjugations: "уменьшает", "хватит",
# "говорят"), reflexives, past reflexives, and the first person plural of the first conjugation ("отключаем",
# "используем": how answers describe a procedure; not a bare "-ем", which ends nouns: "проблем", "систем").
_RU_VERB = re.compile(
    r"(?:[аиыую]ть|[аиыуея]ться|[ая]ет|[ая]ют|[уе]ет|[уе]ют|[иея]тся|[ую]тся|[аияе]лся|[аияе]л[аио]сь|(?<=\w{3})[ия]т"
    r"|(?<=\w{2})[аяу]ем)$"
)
_PIECE = re.compile(r"[.!?;:,\n•·]+")
_WORD = re.compile(r"[^\W\d_][^\W_]*(?:['’-][^\W\d_]+)*")
# A Russian copular dash between words ("momentum — инерция"), or a relation sign between operands ("P(A) = 0.8").
_DASH = re.compile(r"\w\s+[—–]\s+\w|[\w)\]]\s*(?:=|<|>|≤|≥|≈|→|⇒|->|=>)\s*[\w(\[-]")
# Verbs that ask for an explanation or a derivation, not for means (stems: "explain", "explained", "erklären",
# "объяснить"): "how would you explain …" is answered by statements.
_NOT_MEANS = (
    r"explain\w*|describ\w*|defin\w*|interpret\w*|comput\w*|calculat\w*|deriv\w*|prov\w*|tell|say|know|understand"
    r"|erklär\w*|beschreib\w*|definier\w*|interpretier\w*|berechn\w*|herleit\w*|beweis\w*"
    r"|объясн\w*|опис\w*|определ\w*|интерпрет\w*|вычисл\w*|посчит\w*|вывести|доказ\w*"
)
_ASKS_FOR_LIST = re.compile(
    r"\b(?:назов\w*|перечисл\w*|какие|name|list|enumerate|(?<!\bin\s)which|what\s+are|nenne\w*|(?<!\bin\s)welche\w*|zähle\w*)\b"
    # "worauf / woran / wonach … achten": what to look at or for, a question answered by naming things
    r"|\bwor?(?:auf|an|nach|über|mit|bei)\b|\bна\s+что\b"
    # a number of things asked for: "state at least 4 of the differences", "give two examples", "приведите три"
    r"|\b(?:state|give|name|list|mention|provide|describe|gib|geben|beschreib\w*|привед\w*|опиш\w*)\W+(?:\w+\W+){0,3}?"
    r"(?:[2-9]|two|three|four|five|zwei|drei|vier|fünf|два|две|три|четыре|пять)\b"
    # the means to an end: "how can you / how to / how can X be reduced", "wie kann man", "как можно / как бороться"
    # ("how does it work" asks for a mechanism, not means; "how would you explain / compute …" for an explanation
    # or a derivation, `_NOT_MEANS`); "какими (способами)" as "какие"
    r"|\bhow\s+(?:(?:can|could|should|would|do|might)\s+(?:you|one|we|i)\b|to\b)(?!\s+(?:" + _NOT_MEANS + r")\b)"
    r"|\bhow\s+(?:can|could|should|might)\s+\w+(?:[\s-]+\w+){0,3}\s+be\b(?!\s+(?:" + _NOT_MEANS + r"))"
    r"|\bwie\s+(?:kann|könnte|sollte)\s+man\b(?!.*\b(?:" + _NOT_MEANS + r"))|\bwie\s+lässt\s+sich\b"
    r"|\bкак\s+можно\b(?!\s+(?:" + _NOT_MEANS + r"))|\bкак\s+бороться\b|\bкакими\b",
    re.IGNORECASE,
)
MIN_PIECES = 3  # one or two bare phrases are a short answer, not a list
# What makes a statement and what a bare noun phrase holds, shared with `grader.engine.termlist`.
LINKING, RU_VERB, NOUN_PHRASE_WORDS = _LINKING, _RU_VERB, _NOUN_PHRASE_WORDS


@lru_cache(maxsize=4096)  # asked once per answer, of a handful of questions
def asks_for_list(question: str) -> bool:
    """Whether the question asks to name or list things, so a list of terms is a fitting form of answer."""
    return bool(_ASKS_FOR_LIST.search(question))


def german_verb(word: str, next_word: str | None) -> bool:
    """In German text: a word written in lower case is no noun; ending in -t it is a verb or participle ("liegt",
    "lernt", "aufgefüllt": an adjective before a noun always takes an ending), ending in -en when not before a noun
    it would qualify ("helfen", but not "die kleinen Gradienten")."""
    if not word[:1].islower():
        return False
    if word.endswith("t"):
        return True
    return word.endswith("en") and (next_word is None or not next_word[:1].isupper())


def _states(piece: str, german: bool = False) -> bool:
    for m in _WORD.finditer(piece):  # the usual piece has a linking word among its first few: stop there
        word = m.group().lower()
        if word in _LINKING:
            return True
        if not word.isascii() and ((norm := normalise_word(word)) in _LINKING or _RU_VERB.search(norm)):
            return True
    # Rarer: a piece whose only predicate is a verb without an auxiliary ("slows training", "ReLU hilft").
    words = _WORD.findall(piece)
    if german and any(german_verb(w, n) for w, n in zip(words, [*words[1:], None], strict=True)):
        return True
    return bool(_DASH.search(piece)) or any(is_direction_word(normalise_word(w)) for w in words)


def states(piece: str) -> bool:
    """Whether one piece of text (no sentence punctuation or commas in it) states anything: a predicate or a linking
    word, not a bare noun phrase."""
    return _states(piece)


@lru_cache(maxsize=1024)  # asked of the reference of every answer graded
def states_nothing(text: str) -> bool:
    """Whether `text` is a list of terms and none of its pieces states anything ("Data members and member
    functions.", "push and pop", "Abstraktion und Wiederverwendbarkeit"). A reference of that form makes a list of
    terms the fitting form of an answer. One piece without a coordinator is no list: an English predicate without a
    function word ("Gradient descent minimises the loss.") reads like a bare term, and a single term is no list."""
    german = detect_lang(text, default="en") == "de"
    pieces = [piece for piece in _PIECE.split(text) if _WORD.search(piece)]
    listed = len(pieces) > 1 or any(w.lower() in _COORDINATORS for p in pieces for w in _WORD.findall(p))
    return listed and not any(_states(piece, german) for piece in pieces)


_COORDINATORS = frozenset("and or nor und oder sowie bzw и или либо".split())  # what joins the items of a list


def makes_no_statement(answer: str, lang: str | None = None) -> bool:
    """Whether `answer` is at least `MIN_PIECES` pieces and none of them states anything (read piece by piece, so
    the usual answer, whose first piece states something, is decided at once); `lang`: the answer's, when known
    (German verbs are told by case and ending)."""
    n, at = 0, 0
    german = (lang or detect_lang(answer, default="en")) == "de"
    for start, end in itertools.chain(((m.start(), m.end()) for m in _PIECE.finditer(answer)), [(len(answer), 0)]):
        piece, at = answer[at:start], end
        if _WORD.search(piece):
            if _states(piece, german):
                return False
            n += any(len(w) > 1 for w in _WORD.findall(piece))  # one letter is a label ("B, C, A": an order)
    return n >= MIN_PIECES
