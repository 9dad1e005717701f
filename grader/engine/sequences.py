"""Sequences of letter labels: a rubric's "BCA" written in an answer with separators ("B, C, A", "B < C < A",
"B → C → A", or "A > C > B" the other way round). Pure.

A rubric word of three or more distinct letters, each of which the question names as a label standing alone
("Event A", "(B)"), is a sequence of those labels. The matcher reads an answer word by word, and a single letter is
no word it matches, so a sequence written with separators is found here, in its order, and marked in the answer's
positions at its first and last letter: the two markers are one more wording of the concept, so the evidence runs
from the first letter to the last, and a negation before it counts as for any wording.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable

from grader.engine.words import Words

_LABEL = re.compile(r"(?<![^\W_])([A-Z])(?![^\W_])")
_UP = r"(?:\s*(?:,|;|/|<=?|[-–—]+>|→|⟶|⇒|=>|-)\s*|\s+)"  # least to most: "B, C, A", "B < C < A", "B -> C -> A"
_DOWN = r"\s*(?:>=?|≥)\s*"  # most to least: "A > C > B" is the sequence BCA
_MARK = "\x00"  # no answer word holds it


def markers(stem: str) -> tuple[str, str]:
    """The two position markers of a sequence (`stem`: its letters, lower-case): its first and its last letter."""
    return f"{_MARK}{stem}<", f"{_MARK}{stem}>"


def is_marker(stem: str) -> bool:
    return stem.startswith(_MARK)


class Sequences:
    """The label sequences among a rubric's stems, given the question's labels, and where an answer writes them."""

    def __init__(self, stems: Iterable[str], question: str) -> None:
        labels = {m.group(1).lower() for m in _LABEL.finditer(question)}
        self.stems = sorted({s for s in stems if _is_sequence(s, labels)})
        self._found = [(s, _pattern(s)) for s in self.stems]

    def add(self, answer: str, toks: Words, positions: dict[str, list[int]]) -> None:
        """Mark, in `positions`, the first and last letter (as word indexes) of each sequence the answer writes."""
        for stem, pattern in self._found:
            first, last = markers(stem)
            for m in pattern.finditer(answer):
                a, b = _word_at(toks, m.start()), _word_at(toks, m.end() - 1)
                positions.setdefault(first, []).append(min(a, b))
                positions.setdefault(last, []).append(max(a, b))


def _is_sequence(stem: str, labels: set[str]) -> bool:
    return 3 <= len(stem) <= 8 and len(set(stem)) == len(stem) and all(c in labels for c in stem)


def _pattern(stem: str) -> re.Pattern[str]:
    """The letters in order joined by `_UP` separators, or in reverse joined by `_DOWN` ones; upper-case, each a
    word of its own."""
    up, down = stem.upper(), stem.upper()[::-1]
    return re.compile(rf"(?<![^\W_])(?:{_UP.join(up)}|{_DOWN.join(down)})(?![^\W_])")


def _word_at(toks: Words, offset: int) -> int:
    """The index of the word that starts at or before `offset`."""
    return max(0, bisect.bisect_right(range(len(toks)), offset, key=toks.starts.__getitem__) - 1)
