"""`grader export anki`: a deck Anki can import — the bank, or one's weak questions with missed points marked."""

from __future__ import annotations

import html
import json
import sqlite3
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from grader.bank.store import Bank, rubric_for
from grader.quiz.history import History
from grader.quiz.session import Quiz
from tests.conftest import run_cli

FIELD_SEP = "\x1f"


def _notes(apkg: Path, tmp_path: Path) -> list[tuple[str, list[str], str]]:
    """(guid, fields, tags) of every note in the package, read from its SQLite collection."""
    with zipfile.ZipFile(apkg) as z:
        z.extract("collection.anki2", tmp_path)
    db = sqlite3.connect(tmp_path / "collection.anki2")
    rows = db.execute("SELECT guid, flds, tags FROM notes ORDER BY id").fetchall()
    db.close()
    (tmp_path / "collection.anki2").unlink()
    return [(g, f.split(FIELD_SEP), t) for g, f, t in rows]


@pytest.mark.slow
class TestAnkiExport:
    """Front: the question; back: the reference and every key point; note ids stable across exports."""

    def test_whole_bank(self, bank: Bank, tmp_path: Path) -> None:
        out = tmp_path / "deck.apkg"
        proc = run_cli("export", "anki", "--out", str(out), "--json")
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["cards"] == len(bank.questions())
        notes = _notes(out, tmp_path)
        by_id = {fields[2]: (guid, fields, tags) for guid, fields, tags in notes}
        for q in bank.questions():
            _, (front, back, _), tags = by_id[q.id]
            assert front == html.escape(q.question).replace("\n", "<br>")
            assert back.startswith(html.escape(q.reference).replace("\n", "<br>"))
            for p in rubric_for(bank, q)[0].points:
                assert html.escape(p.text) in back
            assert all(t in tags for t in q.tags)
        again = tmp_path / "again.apkg"
        run_cli("export", "anki", "--out", str(again))
        assert [n[0] for n in _notes(again, tmp_path)] == [n[0] for n in notes]  # same guids: Anki updates

    def test_weak_spots(self, bank: Bank, tmp_path: Path) -> None:
        db = tmp_path / "h.sqlite"
        strong, weak = bank.questions()[:2]
        clock = iter(datetime(2026, 3, 1, tzinfo=UTC) + timedelta(minutes=i) for i in range(10))
        with History.open(db) as history:
            quiz = Quiz(bank, history, clock=lambda: next(clock))
            quiz.answer(strong, strong.reference)
            quiz.answer(weak, "не знаю <script>")
        out = tmp_path / "weak.apkg"
        proc = run_cli("export", "anki", "--weak", "--db", str(db), "--out", str(out))
        assert proc.returncode == 0 and "1 card" in proc.stdout, proc.stderr
        [(_, fields, _)] = _notes(out, tmp_path)
        assert fields[2] == weak.id
        assert fields[1].count("✘") == len(rubric_for(bank, weak)[0].points)  # every point missed
        assert "<script>" not in fields[1]
