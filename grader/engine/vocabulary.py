"""Which rubric words an answer word stands for. Pure.

A `Vocabulary` holds a rubric's stems (`grader.engine.matching.Matcher` builds one per rubric) and answers, for
a word of an answer (its normalised form and its stem), the rubric stems it stands for:

- **exactly**: its stem, or a synonym group's key (`grader.engine.synonyms`); a Latin word also by the other Latin
  stemmer (a German answer to a rubric stemmed in English);
- else **by a typo**: a rubric stem within typo tolerance of its stem, or a rubric word as written within typo
  tolerance of the word as written (people misspell the written word, not its stem: "refrence" is one letter from
  "reference", but its stem "refrenc" is far from "refer"; written words of seven letters or more: one letter off
  a shorter one is often another word, "warten" is not "Waren"); never for a word of the question, which may match
  only exactly: repeating the question back proves nothing;
- else **as a compound** of a rubric word ("Öffnungszeiten" for "geöffnet");
- else **by its family**: a rubric word it is derived from, or that is derived from it, by a derivational suffix of
  its language ("reused" for "reusability", `grader.engine.families`); never for a word of the question.

The answer is memoised per word *and* stem (`memo`), never per stem alone: the other Latin stem and the compound
parts come from the word itself, so two forms of one stem may stand for different rubric words, and which form an
answer used first must never decide another answer's grade. The typo search, the costly part, depends on the stem
alone and is memoised per stem, the search among the written forms per form.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Protocol

from rapidfuzz import fuzz, process

from grader.engine.compiled import (
    MEMO_LIMIT,
    CompiledPoint,
    fold,
    fuzzy_cutoff,
    latin_stems,
    written_forms,
)
from grader.engine.compounds import compound_heads, compound_parts, compounded
from grader.engine.families import Families
from grader.engine.synonyms import KEY_MARK, canonical, members
from grader.engine.text import MEMO_KEY_MAX, latin_lang
from grader.models import Rubric

_CYRILLIC = re.compile(r"[а-яё]")
_LENGTHS = 3  # how much longer or shorter than a word a typo of it may be (`grader.engine.compiled.typo_of`)
# The shortest written word read for a typo: one letter off a shorter one is often another word ("warten" and
# "Waren", "causal" and "casual"); from seven letters it seldom is. (Telling a word of the language by its frequency
# would load wordfreq's lists when grading: 0.6 s of CPU for Russian.)
FORM_MIN = 7


class _Compiled(Protocol):
    """What of a `grader.engine.matching.Matcher` its vocabulary is made from."""

    @property
    def rubric(self) -> Rubric: ...
    @property
    def points(self) -> Sequence[CompiledPoint]: ...
    @property
    def vocab(self) -> list[str]: ...


def vocabulary_of(m: _Compiled, asked: frozenset[str]) -> Vocabulary:
    """The vocabulary of a compiled rubric (`m`): its stems, the question's (`asked`), its compound parts and German
    compound heads, its words as written, and the language of its Latin words."""
    forms = written_forms(m.points, frozenset(m.vocab))
    heads = compound_heads(m.points, m.rubric)
    return Vocabulary(m.vocab, asked, compound_parts(m.points), heads, forms, latin_lang(m.rubric.lang))


class Vocabulary:
    """A rubric's stems, and what each answer word stands for among them (memoised)."""

    __slots__ = ("_asked", "_entry", "_families", "_forms", "_heads", "_parts", "_stems", "_to", "memo",
                 "stems")  # fmt: skip

    def __init__(
        self,
        stems: Iterable[str],
        asked: frozenset[str],
        parts: dict[int, dict[str, str]],
        heads: dict[str, str] | None = None,
        forms: dict[str, str] | None = None,
        latin: str = "en",
    ) -> None:
        """`stems`: the rubric's stems and synonym keys; `asked`: the question's stems (matched only exactly);
        `parts`: `grader.engine.compounds.compound_parts` of the rubric; `heads`: `compound_heads` of a German one;
        `forms`: the rubric's words as written (normalised) -> the entry each stands for; `latin`: the rubric's
        language for Latin words (en or de)."""
        self.stems = frozenset(stems)
        self._asked, self._parts, self._heads = asked, parts, heads or {}
        # Stems a typo may stand for (rubric stems and the words of their synonym keys) -> the entry.
        self._to = {m: s for s in self.stems if s.startswith(KEY_MARK) for m in members(s)}
        self._to.update((s, s) for s in self.stems if not s.startswith(KEY_MARK))
        # Every stem an answer word's stem may be to stand for an entry exactly (an entry, or a synonym of one) -> it
        self._entry = {s: k for s in {*self._to, *self.stems} if (k := canonical(s)) in self.stems}
        self.memo: dict[tuple[str, str], tuple[str, ...]] = {}  # (word, stem) -> rubric stems: `new_word`
        self._stems = _Near(self._to, extensions=True)  # a stem that goes on where another ends may be its typo
        self._forms = _Near(forms or {}, extensions=False)
        self._families = Families(self._to, forms or {}, latin)

    def exact(self, norm: str, stem: str) -> str | None:
        """The vocabulary entry this answer word is, by stem or synonym; a Latin word by either Latin stemmer."""
        key = self._entry.get(stem)
        if key is not None or (not norm.isascii() and _CYRILLIC.search(norm)):
            return key
        for s in latin_stems(norm):  # stemmed only when the stem as read is not in the vocabulary
            if s != stem:
                key = self._entry.get(s)
                if key is not None:
                    return key
        return None

    def new_word(self, norm: str, stem: str) -> tuple[str, ...]:
        """Rubric stems that this answer word (`norm`, with its stem) stands for: exactly, by a typo, or as a
        compound; for a word not in `memo` (a caller looks there first), kept there while it has room."""
        exact = self.exact(norm, stem)
        hit: tuple[str, ...]
        if exact is not None:
            hit = (exact,)
        else:
            found = (self.typos(stem) or self.form_typos(norm, stem) or compounded(self._parts, norm)
                     or self._head(norm, stem) or self.family(norm, stem))  # fmt: skip
            hit = tuple(dict.fromkeys(found)) if len(found) > 1 else tuple(found)  # most words stand for none
        if len(self.memo) < MEMO_LIMIT and len(norm) <= MEMO_KEY_MAX:
            self.memo[(norm, stem)] = hit
        return hit

    def _head(self, norm: str, stem: str) -> list[str]:
        """The rubric compound whose head this word is ("Material" for "Verbrauchsmaterial"), never a question
        word's."""
        heads = self._heads
        if not heads or stem in self._asked:
            return []
        entry = heads.get(fold(norm)) or heads.get(stem)
        return [entry] if entry is not None else []

    def typos(self, stem: str) -> tuple[str, ...]:
        """Vocabulary entries `stem` is a typo of (none for a question word); memoised per stem."""
        if stem in self._asked or stem[:1].isdigit():  # "0.0001" is no typo of "0.0002"
            return ()
        return self._stems.typos(stem)

    def form_typos(self, norm: str, stem: str) -> tuple[str, ...]:
        """Vocabulary entries whose written form `norm` is a typo of (none for a question word, by its `stem`)."""
        if stem in self._asked or norm[:1].isdigit():  # "0.0001" is no typo of "0.0002"
            return ()
        return self._forms.typos(norm) if len(norm) >= FORM_MIN else ()

    def family(self, norm: str, stem: str) -> tuple[str, ...]:
        """Vocabulary entries of one word family with this answer word (none for a question word)."""
        return () if stem in self._asked else self._families.of(norm, stem)


class _Near:
    """Words (the rubric's stems, or its words as written) -> the entry each stands for, and which of them a word is
    a typo of (`fuzzy_cutoff`; `typo_of`: the same first letter, lengths within three), memoised per word. Without
    `extensions`, a word that only goes on where the other ends is another word, no typo ("форма", "формат")."""

    __slots__ = ("_by_key", "_extensions", "_memo", "_to")

    def __init__(self, to: dict[str, str], *, extensions: bool) -> None:
        self._to, self._extensions = to, extensions
        self._by_key: dict[tuple[str, int], list[str]] = {}  # (first letter, length) -> the words to compare with
        for w in sorted(to):
            for n in range(len(w) - _LENGTHS, len(w) + _LENGTHS + 1):
                self._by_key.setdefault((w[:1], n), []).append(w)
        self._memo: dict[str, tuple[str, ...]] = {}

    def typos(self, word: str) -> tuple[str, ...]:
        hit = self._memo.get(word)
        if hit is not None:
            return hit
        cutoff = fuzzy_cutoff(len(word))
        near = self._by_key.get((word[:1], len(word))) if cutoff is not None else None
        found: tuple[str, ...] = ()
        if near:
            got = process.extract(word, near, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None)
            found = tuple(dict.fromkeys(self._to[w] for w, _s, _i in got if self._extensions or not _extends(w, word)))
        if len(self._memo) < MEMO_LIMIT and len(word) <= MEMO_KEY_MAX:
            self._memo[word] = found
        return found


def _extends(a: str, b: str) -> bool:
    """Whether one of two different words is the other with letters added at its end."""
    return a != b and (a.startswith(b) or b.startswith(a))
