"""Input columns the batch does not grade by travel with their rows into grades.jsonl and grades.csv, as
untrusted as the answers: no cell (nor a column name) runs as a formula."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from grader.bank.store import Bank
from grader.batch.records import csv_header
from grader.batch.run import run_batch
from grader.tables import RowSource

QID = "nasyshchenie-neyrona"
ANSWER = "Сигмоида в насыщении даёт почти нулевой градиент, обучение останавливается."


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines(keepends=True), delimiter=";"))


def read_jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory, bank: Bank) -> Path:
    tmp = tmp_path_factory.mktemp("extra-csv")
    path = tmp / "in.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(["id", "Отдел", "candidate", "question_id", "answer", "score", "=cmd|' /C calc'!A0"])
        w.writerow(["1", "ML 🚀", "Анна", QID, ANSWER, "0.9", "x"])
        w.writerow(["2", '=HYPERLINK("http://evil","click")', "Борис", QID, "", "", "+1"])
        w.writerow(["3", "@SUM(A1)", "Вера", "no-such-question", ANSWER, "0,4", "\u202eplain"])
    run_batch(RowSource.open(path), tmp / "out", bank)
    return tmp / "out"


class TestCsvInput:
    """A CSV's extra columns (header order) end every grades.csv row and sit under `extra` in grades.jsonl."""

    def test_jsonl_keeps_every_extra_cell_exact(self, out: Path) -> None:
        recs = read_jsonl(out / "grades.jsonl")
        assert [r["extra"] for r in recs] == [
            {"Отдел": "ML 🚀", "score": "0.9", "=cmd|' /C calc'!A0": "x"},
            {"Отдел": '=HYPERLINK("http://evil","click")', "score": "", "=cmd|' /C calc'!A0": "+1"},
            {"Отдел": "@SUM(A1)", "score": "0,4", "=cmd|' /C calc'!A0": "\u202eplain"},
        ]
        assert recs[2]["error"] and recs[1]["flags"] == ["empty"]  # an error row and a blank row keep theirs too

    def test_csv_has_the_extra_columns_after_its_own(self, out: Path) -> None:
        raw = (out / "grades.csv").read_text(encoding="utf-8-sig")
        header = next(csv.reader([raw.splitlines()[0]], delimiter=";"))
        assert header[-3:] == ["Отдел", "input_score", "'=cmd|' /C calc'!A0"]  # renamed; neutralised
        rows = read_csv(out / "grades.csv")
        assert [r["Отдел"] for r in rows] == ["ML 🚀", '\'=HYPERLINK("http://evil","click")', "'@SUM(A1)"]
        assert [r["input_score"] for r in rows] == ["0.9", "", "0,4"]
        assert [r["'=cmd|' /C calc'!A0"] for r in rows] == ["x", "'+1", "\ufffdplain"]
        assert rows[0]["score"].isdigit() and rows[0]["question"]  # the grader's score; the question's text

    def test_no_extra_columns_no_extra_key(self, tmp_path: Path, bank: Bank) -> None:
        path = tmp_path / "in.csv"
        path.write_text(f"id;question_id;answer\n1;{QID};{ANSWER}\n", encoding="utf-8")
        run_batch(RowSource.open(path), tmp_path / "out", bank)
        assert "extra" not in read_jsonl(tmp_path / "out" / "grades.jsonl")[0]
        assert read_csv(tmp_path / "out" / "grades.csv")[0].keys() == set(csv_header())


def test_jsonl_extra_fields(tmp_path: Path, bank: Bank) -> None:
    """JSONL rows keep their own extra fields in grades.jsonl; grades.csv has the fields of the file's first lines."""
    path = tmp_path / "in.jsonl"
    rows = [
        {"id": "a", "question_id": QID, "answer": ANSWER, "team": "-2+3", "meta": {"src": "форма"}, "n": 4.0},
        {"id": "b", "question_id": QID, "answer": ANSWER, "team": "B"},
        "not an object",
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    run_batch(RowSource.open(path), tmp_path / "out", bank, workers=2)
    recs = read_jsonl(tmp_path / "out" / "grades.jsonl")
    assert recs[0]["extra"] == {"team": "-2+3", "meta": '{"src": "форма"}', "n": "4"}
    assert recs[1]["extra"] == {"team": "B"} and "extra" not in recs[2]
    table = read_csv(tmp_path / "out" / "grades.csv")
    assert [(r["team"], r["meta"], r["n"]) for r in table] == [("'-2+3", '{"src": "форма"}', "4"), ("B", "", ""),
                                                                ("", "", "")]  # fmt: skip


def test_resumed_batch_keeps_extra_columns(tmp_path: Path, bank: Bank) -> None:
    """Reports rebuilt from grades.jsonl (a resumed run) write the same grades.csv."""
    path = tmp_path / "in.csv"
    path.write_text(f"id;question_id;answer;note\n1;{QID};{ANSWER};=1+1\n2;{QID};{ANSWER};ok\n", encoding="utf-8")
    run_batch(RowSource.open(path), tmp_path / "out", bank)
    first = (tmp_path / "out" / "grades.csv").read_bytes()
    run_batch(RowSource.open(path), tmp_path / "out", bank, resume=True)
    assert (tmp_path / "out" / "grades.csv").read_bytes() == first
    assert [r["note"] for r in read_csv(tmp_path / "out" / "grades.csv")] == ["'=1+1", "ok"]
