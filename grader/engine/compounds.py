"""Compounds: an answer word that opens or closes with a rubric word, and the heads of a German rubric's compound
nouns, which an answer may name for the whole. Pure.

A German compound noun names a kind of its last word, its head ("Verbrauchsmaterial" is a "Material"), so an
answer that names the head names the thing. `grader.engine.vocabulary` asks `compound_heads` of a German rubric
when an answer word is none of the rubric's words, no typo of one and no compound holding one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from grader.engine.compiled import CompiledPoint, fold
from grader.engine.synonyms import KEY_MARK
from grader.engine.text import is_stopword, stem_word
from grader.models import Rubric

_PART_MIN, _REST_MIN = 4, 4  # a compound's part from the rubric, and what else it holds, in letters


def compound_parts(points: Sequence[CompiledPoint]) -> dict[int, dict[str, str]]:
    """Rubric words (as written, and as stems) that may open or close a compound of the answer's, each with the
    vocabulary entry it stands for ("Öffnungszeiten" for "geöffnet", "Warenpräsentation" for "Waren"), by length."""
    parts: dict[str, str] = {}
    for p in points:
        for c in p.concepts:
            for w in c.wordings:
                if len(w.stems) == 1 and not w.stems[0].startswith(KEY_MARK):
                    for part in (fold(w.text), w.stems[0]):
                        if len(part) >= _PART_MIN and part.isalpha():
                            parts.setdefault(part, w.stems[0])
    by_length: dict[int, dict[str, str]] = {}
    for part, entry in parts.items():
        by_length.setdefault(len(part), {})[part] = entry
    return dict(sorted(by_length.items()))


def compounded(parts: dict[int, dict[str, str]], norm: str) -> list[str]:
    """Vocabulary entries that open or close `norm`, when it is long enough to be a compound of one and a word
    (`parts`: `compound_parts`; a lookup of the word's head and tail per length, not a scan of every part)."""
    if len(norm) < _PART_MIN + _REST_MIN:
        return []
    folded = fold(norm)
    longest = len(folded) - _REST_MIN
    found = []
    for length, of_length in parts.items():
        if length > longest:
            break
        entry = of_length.get(folded[:length])
        if entry is not None:
            found.append(entry)
        entry = of_length.get(folded[-length:])
        if entry is not None:
            found.append(entry)
    return found


_HEAD_MIN, _MODIFIER_MIN = 5, 4  # a German compound's head (its last word) and what comes before it, in letters
HEAD_ZIPF = 3.0  # a head must be a word of its own: at least this common in general German (wordfreq's Zipf)


def compound_heads(points: Sequence[CompiledPoint], rubric: Rubric) -> dict[str, str]:
    """The heads of a German rubric's compound nouns (none in another language; `points`: the rubric compiled),
    each with the vocabulary entry it stands for: the longest ending of the compound that is a German word of its
    own, after a modifier that is a content word of its own (with or without a linking "s", "n", "es", "en", "e"):
    "Material" of "Verbrauchsmaterial", "Becken" of "Waschbecken", "Karte" of "Kundenkarte"; as written (folded)
    and as its stem. A German compound noun names a kind of its head, so an answer naming the head names the thing
    ("ausreichend Material" for "Verbrauchsmaterial"). Not a head: a function word ("statt" of "Werkstatt"), a word
    that only opens the compound ("Müll" of "Mülleimer"), what follows a prefix or preposition ("Nachfrage" is no
    "Frage", "vorzeigen" no "zeigen"), the end of a simple word ("Komponenten" holds no "Enten"). Only the words the
    rubric writes capitalised count (`_nouns`)."""
    from grader.engine.informativeness import zipf  # wordfreq's lists: only German rubrics with compounds need them

    if rubric.lang != "de":
        return {}
    nouns = _nouns(rubric)
    heads: dict[str, str] = {}
    for p in points:
        for c in p.concepts:
            for w in c.wordings:
                word = w.text.lower()
                if len(w.stems) != 1 or w.stems[0].startswith(KEY_MARK) or word not in nouns:
                    continue
                for cut in range(_MODIFIER_MIN, len(word) - _HEAD_MIN + 1):
                    head = word[cut:]
                    if not is_stopword(head) and zipf(head, "de") >= HEAD_ZIPF and _modifier(word[:cut], zipf):
                        heads.setdefault(fold(head), w.stems[0])
                        heads.setdefault(stem_word(head, "de"), w.stems[0])
                        break
    return heads


_LINKS = ("", "s", "n", "es", "en", "e")  # what may join a German compound's modifier to its head


def _modifier(part: str, zipf: Callable[[str, str], float]) -> bool:
    """Whether `part` opens a compound as a content word of its own: with or without a linking element, or with
    its final "e" dropped ("Brems-" of "Bremse")."""
    words = [part[: len(part) - len(link)] for link in _LINKS if part.endswith(link)] + [part + "e"]
    return any(len(word) >= _MODIFIER_MIN and not is_stopword(word) and zipf(word, "de") >= HEAD_ZIPF for word in words)


_CAPITALISED = re.compile(r"(?<![\w-])[A-ZÄÖÜ][a-zäöüß]+(?![\w-])")


def _nouns(rubric: Rubric) -> frozenset[str]:
    """The words a German rubric's points write capitalised, lower-cased: its nouns. A sentence's first word is
    capitalised whatever it is, so one that ends like an infinitive ("Zusammenfassen der Ergebnisse", "Bestellen
    Sie …", "Sicherstellen, dass …") is a noun only where the rubric capitalises it inside a sentence too."""
    nouns = set()
    for p in rubric.points:
        for m in _CAPITALISED.finditer(p.text):
            before = p.text[: m.start()].rstrip()
            if before[-1:] not in ("", ".", "!", "?", ":", ";") or not m.group().endswith("n"):
                nouns.add(m.group().lower())
    return frozenset(nouns)
