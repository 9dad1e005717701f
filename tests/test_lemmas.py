"""The lemma tables answer the same whether a word is found by bisection in the table's text or in the dict."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from grader.engine import lemmas
from grader.engine.lemmas import LemmaTable, as_dict, read_table

DATA = Path(lemmas.__file__).parent / "data"


@pytest.mark.parametrize("lang", ["ru", "en", "de"])
class TestShippedTables:
    """Every form, and words next to forms that are not in the table, get the dict's answer."""

    def test_sorted_by_form_one_pair_a_line(self, lang: str) -> None:
        text = gzip.decompress((DATA / f"lemmas-{lang}.tsv.gz").read_bytes()).decode("utf-8")
        rows = [line.split("\t") for line in text.splitlines()]
        assert all(len(row) == 2 for row in rows) and text.endswith("\n")
        forms = [form for form, _ in rows]
        assert forms == sorted(set(forms))  # bisection needs this order, and one line a form

    def test_bisection_agrees_with_the_dict(self, lang: str) -> None:
        table = read_table(lang)
        forms = as_dict(table._text)
        for form, stem in forms.items():
            assert table._bisect(form) == stem
            for near in (form[:-1], form + "q", form + "я", "!" + form):
                assert table._bisect(near) == forms.get(near), near


class TestLemmaTable:
    """Bisection first, the dict after enough words; nothing else changes."""

    def test_the_dict_is_made_after_enough_words(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(lemmas, "_DICT_AFTER", 2)
        table = LemmaTable("abc\tx\nabd\ty\nb\tz\n")
        answers = [table.get(w) for w in ("abd", "b", "abc", "zz", "", "ab")]
        assert answers == ["y", "z", "x", None, None, None]
        assert table._forms == {"abc": "x", "abd": "y", "b": "z"}

    @pytest.mark.parametrize("text", ["", "a\tb\n", "a\tb\nc\td\n"])
    def test_small_tables(self, text: str) -> None:
        table = LemmaTable(text)
        expected = as_dict(text)
        for word in ("a", "b", "c", "", "zz"):
            assert table.get(word) == expected.get(word)

    def test_a_damaged_table_says_so(self) -> None:
        with pytest.raises(ValueError):
            LemmaTable("a\tb\nno tab here\n")
