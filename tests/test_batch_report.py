"""Batch outputs treat candidate text as untrusted: nothing in an answer runs, spills, or reorders text."""

from __future__ import annotations

import csv
import html.parser
import json
from pathlib import Path

import pytest

from grader.bank.store import Bank
from grader.batch import records
from grader.batch.records import csv_fields, safe_cell, visible
from grader.batch.run import run_batch
from grader.tables import RowSource
from tests.browser import browser_page

HOSTILE = [
    ("x1", "<script>alert('x')</script>", '=HYPERLINK("http://evil","click") сигмоида градиент'),
    ("x2", "+7 999 @admin", "-2+3 <img src=x onerror=alert(1)> насыщение \x00 NUL и \x1b[31m ANSI"),
    ("x3", "\u202eеинавызаН", "Сигмоида \u202e в насыщении \u2066 даёт \u200f нулевой градиент \ud800"),
    ("x4", "Большой Ответ", "Выход сигмоиды близок к 0 или 1, градиент затухает. " * 2000),
]


class Tags(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += attrs


@pytest.fixture(scope="module")
def hostile_out(tmp_path_factory: pytest.TempPathFactory, bank: Bank) -> Path:
    tmp = tmp_path_factory.mktemp("hostile")
    path = tmp / "in.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for rid, cand, answer in HOSTILE:
            row = {"id": rid, "candidate": cand, "question_id": "nasyshchenie-neyrona", "answer": answer}
            fh.write(json.dumps(row) + "\n")  # ASCII escapes, so the lone surrogate survives as \ud800
    run_batch(RowSource.open(path), tmp / "out", bank)
    return tmp / "out"


class TestHtml:
    """report.html: one self-contained file; every answer escaped; structure present."""

    def test_no_markup_from_answers(self, hostile_out: Path) -> None:
        text = (hostile_out / "report.html").read_text(encoding="utf-8")
        parser = Tags()
        parser.feed(text)
        assert "script" not in parser.tags and "img" not in parser.tags
        assert not any(name.startswith("on") for name, _ in parser.attrs)
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in text
        for bad in ("\x00", "\x1b", "\u202e", "\u2066", "\u200f", "\ud800"):
            assert bad not in text
        assert (
            "http://" not in text.replace("http://evil", "")
            and "<link" not in text
            and "src=" not in text.replace("src=x", "")
        )

    def test_structure(self, hostile_out: Path) -> None:
        text = (hostile_out / "report.html").read_text(encoding="utf-8")
        assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
        for part in ("Рейтинг кандидатов", "class=heat", "Сложность вопросов", "Чаще всего упускают", "<mark"):
            assert part in text, part
        assert text.count('class="ans"') == len(HOSTILE)
        assert "Ответ обрезан" in text  # the 100 KB answer is clipped in the page, kept whole in grades.jsonl

    def test_jsonl_keeps_answers_exact_and_valid_utf8(self, hostile_out: Path) -> None:
        raw = (hostile_out / "grades.jsonl").read_bytes()
        recs = [json.loads(x) for x in raw.decode("utf-8").splitlines()]
        assert recs[1]["answer"] == HOSTILE[1][2]
        assert len(recs[3]["answer"]) == len(HOSTILE[3][2])
        assert "\ud800" not in recs[2]["answer"] and "\ufffd" in recs[2]["answer"]
        for r in recs:
            for p in r["points"]:
                for e in p["evidence"]:
                    assert r["answer"][e["start"] : e["end"]] == e["text"]


class TestCsv:
    """grades.csv: formulas neutralised, controls replaced, cells no longer than Excel holds."""

    def test_cells(self, hostile_out: Path) -> None:
        raw = (hostile_out / "grades.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines(keepends=True), delimiter=";"))
        assert len(rows) == len(HOSTILE)
        assert rows[0]["answer"].startswith("'=HYPERLINK")
        assert rows[1]["candidate"] == "'+7 999 @admin" and rows[1]["answer"].startswith("'-2+3")
        assert "\x00" not in raw.decode("utf-8-sig") and "\u202e" not in raw.decode("utf-8-sig")
        assert len(rows[3]["answer"]) <= 32_000
        for r in rows:
            assert r["score"].isdigit()

    @pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
    def test_formula_first_characters(self, cell: str) -> None:
        assert safe_cell(cell) == "'" + visible(cell)

    def test_every_unsafe_character_is_replaced(self) -> None:
        """`visible` lets a printable cell through unread: every character it replaces is one Python does not print,
        so none can pass that way (a control, a bidi override, a surrogate)."""
        unsafe = [c for c in map(chr, range(0x10000)) if records._UNSAFE.fullmatch(c)]
        assert len(unsafe) > 2000 and not any(c.isprintable() for c in unsafe)
        for c in unsafe:
            assert visible(f"ок{c}ok") == f"ок{records.REPLACEMENT}ok"
        assert visible("Привет, 🙂 mixed text\t…") == "Привет, 🙂 mixed text\t…"

    def test_error_row_fields(self) -> None:
        fields = csv_fields({"id": "1", "candidate": "A", "question_id": "q", "score": None, "error": "empty answer"})
        assert fields[4:6] == ["", "error"] and "empty answer" in fields


@pytest.mark.slow
def test_renders_in_headless_chromium(hostile_out: Path, tmp_path: Path) -> None:
    """The page renders offline; the DOM Chromium builds has no script element and all answer cards."""
    with browser_page(hostile_out / "report.html") as page:
        assert page.locator("script").count() == 0
        assert page.locator(".ans").count() == len(HOSTILE)
        for section in ("ranking", "heatmap", "difficulty", "details"):
            assert page.locator(f"#{section}").is_visible(), section
        shot = tmp_path / "shot.png"
        page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000  # a blank page is a few KB


@pytest.mark.parametrize("flag", ["empty", "keyword_list", "off_topic", "misconception", "reversed", "other_term",
                                  "hedged", "asked", "disowned", "vague", "unverified_quote", "unsupported_quote",
                                  "injection_suspected",
                                  "llm_capped", "judge_disagrees", "judge_failed_points", "judge_timeout",
                                  "judge_unavailable", "judge_unparseable", "judge_error", "exemplars",
                                  "calibrated"])  # fmt: skip
def test_every_flag_a_grade_carries_is_named_on_a_russian_page(flag: str) -> None:
    from grader.batch.html_text import FLAGS, OTHER_FLAGS, flag_text

    assert flag_text(flag, "ru") != flag
    assert flag in FLAGS["en"] or flag in OTHER_FLAGS["en"]  # named, though English may name it as it is
