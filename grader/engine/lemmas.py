"""The lemma tables (`data/lemmas-LANG.tsv.gz`, word form -> stem of its lemma), read as lazily as they are used.

A table holds tens of thousands of forms, and making a dict of them costs ~10 ms of CPU: most of a lexical
`grader grade` of one answer, which asks for a few hundred words. The tables are sorted by form
(scripts/lemma_table.py writes them so; a test checks it), so the first words are found by bisection in the
table's text, and the dict is made once enough words were asked for that it is the cheaper way (a batch).
"""

from __future__ import annotations

import gzip
from pathlib import Path

# A bisection costs ~6 µs of CPU, making the Russian dict ~10 ms: after this many words the dict is cheaper.
_DICT_AFTER = 1000


class LemmaTable:
    """`get(form)`: the stem of the form's lemma, or None when the table does not have the form."""

    def __init__(self, text: str) -> None:
        self._text = text  # "form\tstem\n" lines, sorted by form
        # Checked once, here. Not one "form<TAB>stem" a line (nothing to bisect): the dict at once, whose making
        # says where.
        self._forms = None if _one_pair_a_line(text) else _by_line(text)
        self._asked = 0

    def get(self, form: str) -> str | None:
        if self._forms is None:
            self._asked += 1
            if self._asked <= _DICT_AFTER:
                return self._bisect(form)
            self._forms = _pairs(self._text)
        return self._forms.get(form)

    def _bisect(self, form: str) -> str | None:
        text = self._text
        lo, hi = 0, len(text)  # both always at the start of a line
        while lo < hi:
            start = text.rfind("\n", 0, (lo + hi) // 2) + 1  # the line holding the middle (lo's at the least)
            tab = text.find("\t", start)
            key = text[start:tab]
            if key == form:
                return text[tab + 1 : text.find("\n", tab)]
            if key < form:
                lo = text.find("\n", tab) + 1
            else:
                hi = start
        return None


def as_dict(text: str) -> dict[str, str]:
    """The table as a dict; one that is not one "form<TAB>stem" a line is read line by line, which says where."""
    return _pairs(text) if _one_pair_a_line(text) else _by_line(text)


def _one_pair_a_line(text: str) -> bool:
    return text.count("\t") == text.count("\n")  # ~0.9 ms for the Russian table


def _pairs(text: str) -> dict[str, str]:
    """A table of one pair a line as a dict, made in one pass (half the cost of splitting it line by line)."""
    pieces = iter(text.replace("\t", "\n").split("\n"))
    return dict(zip(pieces, pieces, strict=False))


def _by_line(text: str) -> dict[str, str]:
    return dict(line.split("\t", 1) for line in text.splitlines())


def read_table(lang: str) -> LemmaTable:
    """The table of `lang`, from a path beside this module (importlib.resources costs a few ms of every start)."""
    data = (Path(__file__).parent / "data" / f"lemmas-{lang}.tsv.gz").read_bytes()
    return LemmaTable(gzip.decompress(data).decode("utf-8"))
