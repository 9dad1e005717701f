"""Reading input rows: sniffed CSV encodings and delimiters, JSONL, XLSX, column mapping, bad rows."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

from grader.errors import InvalidFile, NotFound
from grader.tables import Columns, RowSource

HEADER = ["id", "candidate", "question_id", "answer", "score"]
RECORDS = [
    ["1", "Анна Смирнова", "nasyshchenie-neyrona", "Выход сигмоиды близок к 0 или 1; градиент затухает.", "0,8"],
    ["2", "Борис; «Ёжиков»", "vizualnye-transformery", 'Строка с "кавычками"\nи переносом', "0,3"],
]


def write_csv(path: Path, delim: str, encoding: str, bom: bytes = b"") -> Path:
    def cell(c: str) -> str:
        return '"' + c.replace('"', '""') + '"' if any(ch in c for ch in f'{delim}"\n') else c

    text = "\r\n".join(delim.join(cell(c) for c in rec) for rec in [HEADER, *RECORDS]) + "\r\n"
    path.write_bytes(bom + text.encode(encoding))
    return path


class TestCsvSniffing:
    """Encoding and delimiter are found the way Excel and Google Sheets write them."""

    @pytest.mark.parametrize(
        ("delim", "encoding", "bom", "expect"),
        [
            (",", "utf-8", b"", "utf-8"),
            (",", "utf-8", codecs.BOM_UTF8, "utf-8-sig"),
            (";", "cp1251", b"", "cp1251"),
            ("\t", "utf-8", b"", "utf-8"),
            ("\t", "utf-16-le", codecs.BOM_UTF16_LE, "utf-16"),
            (";", "utf-8", codecs.BOM_UTF8, "utf-8-sig"),
        ],
        ids=["utf8-comma", "bom-comma", "cp1251-semicolon", "utf8-tab", "utf16-tab", "bom-semicolon"],
    )
    def test_sniffs_and_reads(self, tmp_path: Path, delim: str, encoding: str, bom: bytes, expect: str) -> None:
        src = RowSource.open(write_csv(tmp_path / "in.csv", delim, encoding, bom))
        assert (src.encoding, src.delimiter) == (expect, delim)
        rows = list(src)
        assert [r.id for r in rows] == ["1", "2"]
        assert rows[0].candidate == "Анна Смирнова"
        assert rows[1].candidate == "Борис; «Ёжиков»"
        assert rows[1].answer == 'Строка с "кавычками"\nи переносом'
        assert rows[0].extra == {"score": "0,8"}
        assert rows[1].where.endswith("in.csv:3")

    def test_line_numbers_follow_multiline_cells(self, tmp_path: Path) -> None:
        path = tmp_path / "x.csv"
        path.write_text('id,question_id,answer\n1,q,"a\nb\nc"\n2,q,d\n', encoding="utf-8")
        assert [r.line for r in RowSource.open(path)] == [2, 5]

    def test_column_mapping_ignores_case(self, tmp_path: Path) -> None:
        path = tmp_path / "forms.csv"
        path.write_text("Отметка времени,ФИО,Вопрос,Ответ\n2024,Иван,q1,текст\n", encoding="utf-8")
        cols = Columns(candidate="фио", question_id="вопрос", answer="ОТВЕТ")
        (row,) = RowSource.open(path, cols)
        assert (row.id, row.candidate, row.question_id, row.answer) == ("2", "Иван", "q1", "текст")
        assert row.extra == {"Отметка времени": "2024"}

    def test_missing_answer_column_is_named_up_front(self, tmp_path: Path) -> None:
        path = tmp_path / "bad.csv"
        path.write_text("id,question_id,text\n1,q,a\n", encoding="utf-8")
        with pytest.raises(InvalidFile, match=r"bad\.csv:1.*'answer' \(--answer-col\).*'text'"):
            RowSource.open(path)

    def test_big_cells_and_nul(self, tmp_path: Path) -> None:
        path = tmp_path / "big.csv"
        big = "слово " * 20_000
        path.write_text(f"id,question_id,answer\n1,q,{big}\n2,q,a\x00b\n", encoding="utf-8")
        rows = list(RowSource.open(path))
        assert len(rows[0].answer) == len(big) and rows[1].answer == "a\x00b"

    def test_missing_file(self, tmp_path: Path) -> None:
        with pytest.raises(NotFound, match="no such file"):
            RowSource.open(tmp_path / "nope.csv")


class TestJsonl:
    """JSONL rows: a bad line is a row with an error, not the end of the file."""

    def test_rows_and_bad_lines(self, tmp_path: Path) -> None:
        path = tmp_path / "in.jsonl"
        lines = [
            json.dumps({"id": 7, "candidate": "A", "question_id": "q", "answer": "x", "score": 0.5}),
            "{not json",
            "",
            "[1, 2]",
            json.dumps({"candidate": "B", "question": "Q?", "reference": "R.", "answer": "y"}),
            json.dumps({"id": " ", "candidate": "C", "question_id": "q", "answer": "z"}),
        ]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        rows = list(RowSource.open(path))
        assert [(r.id, r.line) for r in rows] == [("7", 1), ("#2", 2), ("#4", 4), ("5", 5), ("#6", 6)]
        assert rows[0].extra == {"score": "0.5"} and rows[0].error is None
        assert "not valid JSON" in (rows[1].error or "")
        assert rows[2].error == "not a JSON object"
        # An object without an id field is numbered by its line, as rows of a file without an id column are.
        assert rows[3].error is None and rows[3].reference == "R."
        assert rows[4].error == "empty id"  # an id field that is there but empty is no id

    def test_objects_without_ids_are_numbered_by_line_in_batch_and_evaluate(self, tmp_path: Path) -> None:
        path = tmp_path / "graded.jsonl"
        objs = [{"question": "What is a stack?", "reference": "A last-in, first-out collection of elements.",
                 "answer": a, "score": s} for a, s in (("Last in, first out.", 1), ("A queue.", 0))]  # fmt: skip
        path.write_text("".join(json.dumps(o) + "\n" for o in objs), encoding="utf-8")
        rows = list(RowSource.open(path))
        assert [(r.id, r.error) for r in rows] == [("1", None), ("2", None)]
        lean = list(RowSource.open(path).row_keys())
        assert [r.id for r in lean] == ["1", "2"]


class TestXlsx:
    """XLSX is read in read-only (streaming) mode; numbers and empty cells become text."""

    def test_reads_first_sheet(self, tmp_path: Path) -> None:
        openpyxl = pytest.importorskip("openpyxl")
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(["ID", "Candidate", "Question_ID", "Answer", "score"])
        ws.append([1, "Анна", "nasyshchenie-neyrona", "Сигмоида насыщается", 0.75])
        ws.append([None, None, None, None, None])
        ws.append([2.0, "Борис", "vizualnye-transformery", None, None])
        wb.save(tmp_path / "in.xlsx")
        src = RowSource.open(tmp_path / "in.xlsx")
        rows = list(src)
        assert src.format == "xlsx"
        assert [(r.id, r.candidate, r.answer, r.where.endswith(f"row {r.line}")) for r in rows] == [
            ("1", "Анна", "Сигмоида насыщается", True),
            ("2", "Борис", "", True),
        ]
        assert rows[0].extra == {"score": "0.75"} and rows[1].line == 4
