"""`grader batch` end to end: the example files in, the four output files out, bad rows recorded, not fatal."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from grader.bank.store import Bank
from grader.batch.run import run_batch
from grader.errors import GraderError, InvalidFile
from grader.tables import Columns, RowSource
from tests.conftest import ROOT, run_cli

EXAMPLES = ROOT / "examples" / "batch"
EXCEL_COLS = ["--id-col", "№", "--candidate-col", "ФИО", "--question-id-col", "Вопрос", "--answer-col",
              "Ответ кандидата"]  # fmt: skip


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.mark.slow
class TestExamples:
    """The README's commands work on the shipped example files."""

    def test_utf8_example(self, tmp_path: Path) -> None:
        res = run_cli("batch", str(EXAMPLES / "answers.csv"), "--out", str(tmp_path), "--json")
        assert res.returncode == 0, res.stderr
        data = json.loads(res.stdout)
        assert (data["rows"], data["errors"], data["blank"]) == (18, 1, 1)
        assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == [
            "grades.csv", "grades.jsonl", "questions", "report.html", "rubrics", "summary.json"]  # fmt: skip
        recs = lines(tmp_path / "grades.jsonl")
        assert [r["id"] for r in recs][:3] == ["a1", "a2", "a3"]
        errors = {r["id"]: r["error"] for r in recs if "error" in r}
        b4 = next(r for r in recs if r["id"] == "b4")
        assert "b4" not in errors and b4["score"] == 0 and "empty" in b4["flags"]
        assert errors["e1"].startswith("unknown question id 'pereobuchenie'")
        own = next(r for r in recs if r["id"] == "e2")
        assert (tmp_path / "rubrics" / f"{own['question_id']}.yaml").exists()
        assert own["score"] > 0.5
        summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
        ranking = [c["candidate"] for c in summary["candidates"]]
        assert ranking[0] == "Анна Смирнова" and ranking[-1] == "Борис Кузнецов"

    def test_cp1251_excel_example(self, tmp_path: Path) -> None:
        res = run_cli("batch", str(EXAMPLES / "anketa-excel.csv"), "--out", str(tmp_path), *EXCEL_COLS)
        assert res.returncode == 0, res.stderr
        assert "cp1251, ';'" in res.stderr
        recs = lines(tmp_path / "grades.jsonl")
        assert recs[0]["candidate"] == "Анна Смирнова" and len(recs) == 12
        raw = (tmp_path / "grades.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
        assert rows[0][:5] == ["id", "candidate", "question_id", "question", "score"] and len(rows) == 13


class TestBadRows:
    """One bad row is an error row with its reason; the rest are graded."""

    def test_errors_do_not_stop_the_batch(self, tmp_path: Path, bank: Bank) -> None:
        good = "Насыщение: выход сигмоиды близок к 0 или 1, градиент затухает, обучение останавливается."
        path = tmp_path / "in.jsonl"
        write_jsonl(path, [
            {"id": "1", "candidate": "A", "question_id": "nasyshchenie-neyrona", "answer": good},
            {"id": "2", "candidate": "A", "question_id": "no-such-question", "answer": good},
            {"id": "3", "candidate": "B", "question_id": "nasyshchenie-neyrona", "answer": "   "},
            {"id": "4", "candidate": "B", "answer": good},
        ])  # fmt: skip
        with path.open("a", encoding="utf-8") as fh:
            fh.write("{broken json\n")
        result = run_batch(RowSource.open(path), tmp_path / "out", bank)
        assert (result.rows, result.graded, result.blank, result.errors) == (5, 1, 1, 3)
        recs = lines(tmp_path / "out" / "grades.jsonl")
        assert [r.get("error", "") [:14] for r in recs] == ["", "unknown questi", "", "no question_id",
                                                           "not valid JSON"]  # fmt: skip
        assert (recs[2]["score"], recs[2]["flags"]) == (0.0, ["empty"])

    def test_duplicate_ids_are_named_up_front(self, tmp_path: Path, bank: Bank) -> None:
        path = tmp_path / "dup.csv"
        path.write_text("id,question_id,answer\n1,q,a\n2,q,b\n1,q,c\n2,q,d\n", encoding="utf-8")
        with pytest.raises(InvalidFile, match=r"duplicate row ids: '1' \(lines 2 and 4\), '2' \(lines 3 and 5\)"):
            run_batch(RowSource.open(path), tmp_path / "out", bank)
        assert not (tmp_path / "out" / "grades.jsonl").exists()
        res = run_cli("batch", str(path), "--out", str(tmp_path / "out"))
        assert res.returncode == 2 and "duplicate row ids" in res.stderr and "Traceback" not in res.stderr

    def test_unfinished_batch_needs_resume_or_restart(self, tmp_path: Path, bank: Bank) -> None:
        path = write_jsonl(tmp_path / "in.jsonl", [{"id": "1", "question_id": "nasyshchenie-neyrona", "answer": "x"}])
        (tmp_path / "out").mkdir()
        (tmp_path / "out" / "grades.jsonl.part").write_text("", encoding="utf-8")
        with pytest.raises(GraderError, match="--resume"):
            run_batch(RowSource.open(path), tmp_path / "out", bank)
        assert run_batch(RowSource.open(path), tmp_path / "out", bank, restart=True).rows == 1


    def test_a_folder_in_the_way_of_the_report_is_named(self, tmp_path: Path, bank: Bank) -> None:
        path = write_jsonl(tmp_path / "in.jsonl", [{"id": "1", "question_id": "nasyshchenie-neyrona", "answer": "x"}])
        (tmp_path / "out" / "report.html").mkdir(parents=True)
        with pytest.raises(GraderError, match=r"report\.html: is a folder, not a file"):
            run_batch(RowSource.open(path), tmp_path / "out", bank)
        assert lines(tmp_path / "out" / "grades.jsonl.part")[0]["id"] == "1"  # what was graded is kept, to resume


class TestOwnReferences:
    """Rows that bring question and reference get one rubric per distinct reference, saved for review and reuse."""

    def test_rubric_built_once_and_reused(self, tmp_path: Path, bank: Bank) -> None:
        ref = "Dropout случайно обнуляет нейроны при обучении. Это регуляризация против переобучения."
        rows = [
            {
                "id": str(i),
                "candidate": c,
                "question": "Что такое dropout?",
                "reference": ref,
                "answer": "Dropout выключает случайные нейроны, это регуляризация.",
            }
            for i, c in enumerate("ABC")
        ]
        path = write_jsonl(tmp_path / "in.jsonl", rows)
        first = run_batch(RowSource.open(path), tmp_path / "out", bank)
        assert len(first.rubrics_built) == 1
        (qid,) = first.rubrics_built
        rubric = tmp_path / "out" / "rubrics" / f"{qid}.yaml"
        curated = rubric.read_text(encoding="utf-8").replace("built_by: auto", "built_by: curated")
        rubric.write_text(curated, encoding="utf-8")
        again = run_batch(RowSource.open(path), tmp_path / "out", bank)
        assert again.rubrics_built == [] and rubric.read_text(encoding="utf-8") == curated
        assert {r["question_id"] for r in lines(tmp_path / "out" / "grades.jsonl")} == {qid}

    def test_workers_give_the_same_files(self, tmp_path: Path, bank: Bank) -> None:
        cols = Columns(id="№", candidate="ФИО", question_id="Вопрос", answer="Ответ кандидата")
        src = RowSource.open(EXAMPLES / "anketa-excel.csv", cols)
        run_batch(src, tmp_path / "one", bank, workers=1)
        run_batch(src, tmp_path / "two", bank, workers=2)
        for name in ("grades.jsonl", "grades.csv", "summary.json", "report.html"):
            assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name


@pytest.mark.slow
def test_llm_modes_go_through_the_judge_seam(tmp_path: Path) -> None:
    """--mode hybrid with the offline fake judge grades every row through grading.agrade on one event loop."""
    res = run_cli("batch", str(EXAMPLES / "answers.csv"), "--out", str(tmp_path), "--mode", "hybrid", "--judge",
                  "fake", "--concurrency", "3", "--json")  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["graded"] == 16
    assert {r.get("mode") for r in lines(tmp_path / "grades.jsonl") if "error" not in r} == {"hybrid"}
