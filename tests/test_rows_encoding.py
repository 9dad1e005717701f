"""CSV encodings other than UTF-8 are guessed from the bytes (charset-normalizer), printed, and --encoding wins."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from grader.tables import RowSource

GERMAN = [
    ("1", "Jörg Müller", "Überanpassung heißt, dass das Modell die Trainingsdaten auswendig lernt und schlecht "
     "generalisiert. Größere Daten helfen, à la carte gewählte Merkmale auch."),
    ("2", "Änne Schäfer", "Regularisierung verringert die Varianz, außerdem hilft Kreuzvalidierung über fünf Folds."),
]  # fmt: skip
RUSSIAN = [
    ("1", "Пётр Иванов", "Переобучение - это когда модель запоминает обучающую выборку и плохо обобщает на новые "
     "данные. Помогает регуляризация и ранняя остановка."),
    ("2", "Ёжик Яковлев", "Кросс-валидация оценивает качество модели. Ещё Юлия Эдуардовна сказала про шум."),
]  # fmt: skip


def _write(path: Path, rows: list[tuple[str, str, str]], encoding: str) -> Path:
    text = "id;candidate;question_id;answer\r\n" + "".join(f"{i};{c};q1;{a}\r\n" for i, c, a in rows)
    path.write_bytes(text.encode(encoding))
    return path


class TestGuessedEncodings:
    """A file saved by a German or Russian spreadsheet in its legacy encoding reads back exactly."""

    @pytest.mark.parametrize(
        ("rows", "encoding"),
        [(GERMAN, "cp1252"), (GERMAN, "latin-1"), (GERMAN, "mac_roman"), (GERMAN, "utf-16-le"),
         (RUSSIAN, "cp1251"), (RUSSIAN, "koi8-r"), (RUSSIAN, "utf-16-be"), (RUSSIAN, "mac_cyrillic")],
        ids=["de-cp1252", "de-latin1", "de-mac-roman", "de-utf16le-no-bom", "ru-cp1251", "ru-koi8r",
             "ru-utf16be-no-bom", "ru-mac-cyrillic"],
    )  # fmt: skip
    def test_reads_back_exactly(self, tmp_path: Path, rows: list[tuple[str, str, str]], encoding: str) -> None:
        src = RowSource.open(_write(tmp_path / "in.csv", rows, encoding))
        got = [(r.id, r.candidate, r.answer) for r in src]
        assert got == rows, src.encoding
        assert src.delimiter == ";"

    def test_encoding_option_overrides_the_guess(self, tmp_path: Path) -> None:
        path = _write(tmp_path / "in.csv", GERMAN, "cp1252")
        forced = RowSource.open(path, encoding="cp1251")
        assert forced.encoding == "cp1251"
        assert next(iter(forced)).candidate != GERMAN[0][1]  # what the user asked for, even if it is wrong

    def test_batch_prints_the_guess(self, tmp_path: Path) -> None:
        path = _write(tmp_path / "in.csv", GERMAN, "cp1252")
        res = subprocess.run([sys.executable, "-m", "grader", "batch", str(path), "--out", str(tmp_path / "o"),
                              "--workers", "1"], capture_output=True, text=True, timeout=120)  # fmt: skip
        assert "cp1252, ';'" in res.stderr, res.stderr
        rows = [json.loads(line) for line in (tmp_path / "o" / "grades.jsonl").read_text("utf-8").splitlines()]
        assert [r["candidate"] for r in rows] == ["Jörg Müller", "Änne Schäfer"]


class TestJsonlEncoding:
    """A JSONL file in a legacy encoding: --encoding reads its rows and its extra keys alike."""

    def test_extra_keys_are_read_in_the_given_encoding(self, tmp_path: Path) -> None:
        path = tmp_path / "in.jsonl"
        row = {"id": "1", "question_id": "q1", "answer": "Переобучение — запоминание шума.", "группа": "7"}
        path.write_bytes((json.dumps(row, ensure_ascii=False) + "\n").encode("cp1251"))
        src = RowSource.open(path, encoding="cp1251")
        assert src.extra_columns() == ["группа"]
        assert next(iter(src)).answer == row["answer"]

    def test_an_unknown_encoding_is_named(self, tmp_path: Path) -> None:
        path = tmp_path / "in.jsonl"
        path.write_text('{"id": "1", "question_id": "q1", "answer": "x"}\n', encoding="utf-8")
        res = subprocess.run([sys.executable, "-m", "grader", "batch", str(path), "--out", str(tmp_path / "o"),
                              "--encoding", "no-such-codec"], capture_output=True, text=True, timeout=120)  # fmt: skip
        assert res.returncode != 0
        assert "unknown encoding 'no-such-codec'" in res.stderr, res.stderr
        assert "Traceback" not in res.stderr and "a bug in grader" not in res.stderr
