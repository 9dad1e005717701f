"""Word families: a word and the word it is derived from by a suffix of its language. Pure.

The Snowball stemmers remove inflection but keep most derivational suffixes: "reusability" stems to "reusabl" and
"reuse" to "reus", "verwendbar" to "verwendbar" and "verwenden" to "verwend", "обучение" to "обучен" and "обучать"
to "обуча". A candidate who writes "can be reused" for "reusability" says the same thing in another word class.

A stem's *roots* are what is left when a derivational suffix of its language is taken off its end (the suffixes as
the stemmer leaves them: "abl" of -able/-ability, "bar" of -bar, "ен" of -ение); two words are of one family when

- in English and German, one word's stem (without a final "e": "scale" / "scal-able") is a root of the other's:
  one derivational step, from a word to a word. Two words that only share a bound root are not ("general" and
  "generation" share "gener", "variance" and "variable" share "vari": different words);
- in Russian, their roots meet: derivation goes through the verb's stem ("обуч-а-ть", "обуч-ени-е", "обуч-а-ем-ость"),
  which is seldom written itself, so the suffixes are taken off one after another.

Guards against false families: a root has at least `MIN_ROOT` letters ("lay" / "layer" are none); a suffix the
stemmer leaves only when it cut the word's ending ("at" of -ate, "iz" of -ize, "abl" of -able) counts only when it
did cut one ("format" is not "form" + -ate); suffixes that change what a word claims are not taken off
(-less, un-, не-: "useless" is no "use"), nor those that make words of other meaning from a shared root
(-al: "norm" / "normal", -ic, -ant, -er; German -ung: "Zeit" / "Zeitung"; Russian -ительн: "значение" /
"значительно").
"""

from __future__ import annotations

import re

MIN_ROOT = 4

# Derivational suffixes as the stemmer leaves them; `_CUT`: those it leaves only by cutting a word's ending, which
# count only where the word as written goes on as the suffix does ("generat-e", "organiz-ation", "reusabil-ity"),
# not with an inflection ("format-s"), nothing ("format") or as an adverb ("probabl-y").
_SUFFIXES: dict[str, tuple[str, ...]] = {
    "en": ("ness", "abl", "ibl", "iti", "ful", "ous", "at", "iz", "is", "iv"),
    "de": ("barkeit", "keit", "heit", "lich", "isch", "bar", "ier"),
    "ru": ("ирова", "ирован", "иру", "ова", "ева", "ыва", "ива", "ени", "ани", "енн", "ен", "ан", "нн", "ем", "им",
           "ител", "тел", "ац", "ость", "а", "я", "и", "е"),
}  # fmt: skip
_CUT: dict[str, dict[str, tuple[str, ...]]] = {  # each with how it is written when the stemmer cut a word's ending
    "en": {"abl": ("able", "abil"), "ibl": ("ible", "ibil"), "iti": ("ity", "iti"), "at": ("ate", "ati", "ato"),
           "iz": ("ize", "iza", "izi"), "is": ("ise", "isa", "isi"), "iv": ("ive", "ivi")},
    "de": {"ier": ("iere", "ieru")},
    "ru": {},
}  # fmt: skip
_CYRILLIC = re.compile(r"[а-яё]")


def language(stem: str, latin: str) -> str:
    """Whose suffixes apply to a stem: Russian for a Cyrillic one, else the rubric's Latin language (en or de)."""
    return "ru" if _CYRILLIC.search(stem) else latin


def base(stem: str) -> str:
    """The stem as the word a derived one is made from: without a final "e" ("scale", "scalabl")."""
    return stem[:-1] if stem.endswith("e") and len(stem) > MIN_ROOT else stem


def roots(norm: str, stem: str, lang: str) -> tuple[str, ...]:
    """The roots of a word (`norm` as written, normalised, and its `stem`) in `lang` ("ru", "en" or "de"): its stem
    without one derivational suffix (English, German), or without one after another (Russian), each of at least
    `MIN_ROOT` letters; none for a word that is not derived."""
    suffixes = _SUFFIXES.get(lang)
    if suffixes is None or len(stem) <= MIN_ROOT:
        return ()
    cut = _CUT[lang]
    found: list[str] = []
    todo = [stem]
    while todo:
        s = todo.pop()
        for suffix in suffixes:
            if not s.endswith(suffix) or len(s) - len(suffix) < MIN_ROOT:
                continue
            root = s[: -len(suffix)]
            if (suffix not in cut or norm.startswith(cut[suffix], len(root))) and root not in found:
                found.append(root)
                if lang == "ru":
                    todo.append(root)
    return tuple(found)


class Families:
    """A rubric's stems by family, and the entries an answer word is of one family with (the caller, a
    `grader.engine.vocabulary.Vocabulary`, asks once per distinct answer word)."""

    __slots__ = ("_by_base", "_by_root", "_latin", "_openings")

    def __init__(self, stems: dict[str, str], forms: dict[str, str], latin: str) -> None:
        """`stems`: the rubric's stems -> the entry each stands for; `forms`: its words as written -> their stems
        (for the guard on suffixes the stemmer leaves only by cutting); `latin`: "en" or "de"."""
        self._latin = latin
        self._by_base: dict[str, list[str]] = {}
        self._by_root: dict[str, list[str]] = {}
        written = {s: f for f, s in sorted(forms.items())}
        for stem, entry in sorted(stems.items()):
            self._by_base.setdefault(base(stem), []).append(entry)
            for root in roots(written.get(stem, stem), stem, language(stem, latin)):
                self._by_root.setdefault(root, []).append(entry)
        # Every key opens with its first `MIN_ROOT` letters, and so does any stem of its family: most answer words
        # open otherwise and are told apart by one lookup.
        self._openings = frozenset(k[:MIN_ROOT] for k in (*self._by_base, *self._by_root))

    def of(self, norm: str, stem: str) -> tuple[str, ...]:
        """Entries of the rubric this answer word is of one family with."""
        if stem[:MIN_ROOT] not in self._openings:
            return ()
        lang = language(stem, self._latin)
        found = list(self._by_root.get(base(stem), ()))  # the answer's word is what a rubric word is made from
        for root in roots(norm, stem, lang):
            found += self._by_base.get(root, ())  # ... or is made from a rubric word
            if lang == "ru":
                found += self._by_root.get(root, ())  # ... or both are made from one verb stem
        return tuple(dict.fromkeys(found))
