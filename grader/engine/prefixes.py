"""Negating prefixes: "unlimited" says "not limited", "unabhängig" "nicht abhängig", "нелинейный" "не линейный".

A reference word made of a negating prefix and a word of its language is a concept that an answer may also state
with a negation and that word ("no limit", "without supervision", "keine Abhängigkeit", "без ограничений"); the
rubric builder (`grader.engine.rubric`) gives it those wordings. The prefix is taken off only where what is left
is a common word of the language (wordfreq, `MIN_ZIPF`) of at least `MIN_REST` letters ("unless" is no "not
less"), and only from words of the classes that take it as a negation: in German a word written in lower case (an
adjective, not "Unfall"), in Russian an adjective or participle ("недостаток", "несмотря" are no negations), never
a pronoun or quantifier ("нескольких", "некоторые"). "in-" / "im-" are not read: they also mean "into"
("information", "install", "impact").

Pure, apart from wordfreq's word lists (loaded when a rubric is built).
"""

from __future__ import annotations

import re

from grader.engine.informativeness import zipf
from grader.engine.text import is_stopword

MIN_REST = 5
MIN_ZIPF = 3.0
# Pronouns, quantifiers and conjunctions that open as if negated ("нескольких" is no "not скольких"): closed
# classes, so named here rather than told by a rule.
_NO_NEGATION = ("нескольк", "некотор", "нечт", "неко", "unless")
# Prefix -> the kind of negation it is ("not" or "without"), per language.
_PREFIXES: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (("non", "not"), ("un", "not")),
    "de": (("un", "not"),),
    "ru": (("не", "not"), ("без", "without"), ("бес", "without")),
}
_RU_ADJECTIVE = re.compile(r"(?:ый|ий|ой|ая|яя|ое|ее|ые|ие|ых|их|ым|им|ую|юю|ого|его|ому|ему|ыми|ими)$")


def negated_base(norm: str, lang: str, written: str = "") -> tuple[str, str] | None:
    """(kind of negation, the word without its prefix) for a word with a negating prefix ("unlimited" -> ("not",
    "limited")), else None. `norm`: the word normalised; `written`: as the text has it (German case)."""
    if lang == "de" and written[:1].isupper():
        return None
    if (lang == "ru" and not _RU_ADJECTIVE.search(norm)) or norm.startswith(_NO_NEGATION):
        return None
    for prefix, kind in _PREFIXES.get(lang, ()):
        rest = norm[len(prefix) :].lstrip("-")
        if norm.startswith(prefix) and len(rest) >= MIN_REST and not is_stopword(rest) and zipf(rest, lang) >= MIN_ZIPF:
            return kind, rest
    return None
