"""Batch workers read their own rows (a job is "rows 640..703", not the rows), count their chunk's summary facts,
and the files come out byte-identical to grading everything in the parent, whatever the input and the workers."""

from __future__ import annotations

import csv
import json
import random
import sys
import time
from pathlib import Path

import pytest

from grader.agreement import calibration
from grader.bank.store import Bank
from grader.batch.run import SHARED, run_batch
from grader.batch.summary import Aggregator, summary_facts
from grader.batch.tasks import Job
from grader.batch.workers import _heads, jobs_between
from grader.errors import InvalidFile
from grader.tables import Columns, LeanRow, RowCursor, RowSource
from tests.conftest import ROOT

FILES = ("grades.jsonl", "grades.csv", "summary.json", "report.html")
EXAMPLES = ROOT / "examples" / "batch"
OWN = "Dropout случайно обнуляет нейроны при обучении. Это регуляризация против переобучения."


def example_rows() -> list[dict[str, str]]:
    with (EXAMPLES / "answers.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def mixed_rows(n: int, seed: int = 5) -> list[dict[str, str]]:
    """Graded rows, error rows (unknown id, empty answer, no id) and rows with their own question and reference."""
    rnd, src, rows = random.Random(seed), example_rows(), []
    for i in range(n):
        row = dict(rnd.choice(src), id=f"r{i}", candidate=f"Кандидат {i % 11}")
        kind = i % 7
        if kind == 1:
            row["answer"] = "  "
        elif kind == 2:
            row["question_id"] = f"no-such-question-{i % 3}"
        elif kind == 3:
            row.update(question_id="", question="Что такое dropout?", reference=OWN if i % 2 else OWN + " Кратко.")
        elif kind == 4:
            row["id"] = ""
        rows.append(row)
    return rows


def write_jsonl(path: Path, rows: list[dict[str, str]]) -> Path:
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    lines[5:5] = ["{not json", "", "[1, 2]"]  # rows that are errors themselves, and a blank line that is no row
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_cp1251_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    cols = ["id", "candidate", "question_id", "question", "reference", "answer"]
    with path.open("w", encoding="cp1251", newline="", errors="replace") as fh:
        out = csv.writer(fh, delimiter=";")
        out.writerow(cols)
        for i, row in enumerate(rows):
            if i % 9 == 4:
                out.writerow([])  # a blank record is no row
            answer = row["answer"] + ("\nи вторая строка ячейки" if i % 5 == 0 else "")  # records span lines
            out.writerow([row["id"], row["candidate"], row["question_id"], row.get("question", ""),
                          row.get("reference", ""), answer])  # fmt: skip
    return path


def write_xlsx(path: Path, rows: list[dict[str, str]]) -> Path:
    import openpyxl

    cols = ["id", "candidate", "question_id", "question", "reference", "answer"]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(cols)
    for row in rows:
        sheet.append([row.get(c, "") for c in cols])
    book.save(path)
    return path


def same_files(a: Path, b: Path) -> None:
    for name in FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("jobs")
    rows = mixed_rows(300)
    return {"jsonl": write_jsonl(tmp / "in.jsonl", rows), "csv": write_cp1251_csv(tmp / "in.csv", rows),
            "xlsx": write_xlsx(tmp / "in.xlsx", rows)}  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["jsonl", "csv", "xlsx"])
class TestWorkersGiveTheSameFiles:
    """One worker (grading in the batch's own process) and two (reading their rows themselves; XLSX rows are sent
    to them) write the same bytes, for error rows, own references, a cp1251 CSV with multi-line cells, and a
    resumed run."""

    def test_one_and_two_workers(self, inputs: dict[str, Path], tmp_path: Path, bank: Bank, fmt: str) -> None:
        source = RowSource.open(inputs[fmt])
        if fmt == "csv":
            assert source.describe() == "CSV, cp1251, ';'"
        one = run_batch(source, tmp_path / "one", bank, workers=1)
        two = run_batch(source, tmp_path / "two", bank, workers=2)
        assert one.errors > 50 and one.graded > 100
        assert one.model_dump(exclude={"out", "files"}) == two.model_dump(exclude={"out", "files"})
        same_files(tmp_path / "one", tmp_path / "two")
        recs = [json.loads(x) for x in (tmp_path / "two" / "grades.jsonl").read_text(encoding="utf-8").splitlines()]
        errors = {r.get("error", "")[:14] for r in recs}
        assert {"unknown questi", "empty id"} <= errors  # an id field that is there but empty, in every format
        blank = [r for r in recs if not r.get("error") and not r["answer"].strip()]
        assert blank and all(r["score"] == 0 and "empty" in r["flags"] for r in blank)  # a grade of 0, not an error
        assert len(one.rubrics_built) == 3  # one per distinct own reference: two here, one in the examples
        own = {r["question_id"] for r in recs if r["id"] in ("r3", "r10")}
        assert len(own) == 2 and own <= set(one.rubrics_built)

    def test_three_workers(self, inputs: dict[str, Path], tmp_path: Path, bank: Bank, fmt: str) -> None:
        """Three worker processes: chunks come back out of order and are written in order."""
        source = RowSource.open(inputs[fmt])
        run_batch(source, tmp_path / "one", bank, workers=1)
        run_batch(source, tmp_path / "three", bank, workers=3)
        same_files(tmp_path / "one", tmp_path / "three")

    @pytest.mark.parametrize("workers", [1, 2])
    def test_resumed(self, inputs: dict[str, Path], tmp_path: Path, bank: Bank, fmt: str, workers: int) -> None:
        source = RowSource.open(inputs[fmt])
        run_batch(source, tmp_path / "whole", bank, workers=1)
        out = tmp_path / "cut"
        run_batch(source, out, bank, workers=workers)
        whole = (out / "grades.jsonl").read_bytes()
        cut = sum(len(x) for x in whole.splitlines(keepends=True)[:137]) + 20  # 137 rows and half a line done
        (out / "grades.jsonl").unlink()
        (out / "grades.jsonl.part").write_bytes(whole[:cut])
        result = run_batch(source, out, bank, workers=workers, resume=True)
        assert result.resumed == 137
        same_files(tmp_path / "whole", out)


@pytest.mark.slow
def test_workers_get_the_examples_and_calibration(tmp_path: Path) -> None:
    """What the first pass adds to the rubrics (graded examples) reaches the workers, started before it ran."""
    teach = ROOT / "tests" / "data" / "exemplars"
    answers = ["A handshake, retransmission, and a receiver window.", "TCP is faster than UDP.", "Ordered bytes."]
    rows = [{"id": f"a{i}", "question_id": "tcp-vs-udp", "answer": answers[i % 3]} for i in range(150)]
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    cal = tmp_path / "cal.json"
    calibration.save(calibration.fit([0.0, 1.0], [0.0, 0.5]), cal)
    source, bank = RowSource.open(path), Bank(teach / "bank")
    for workers in (1, 2):
        run_batch(source, tmp_path / str(workers), bank, workers=workers, examples=teach / "graded.csv",
                  calibration=calibration.load(cal))  # fmt: skip
    same_files(tmp_path / "1", tmp_path / "2")
    got = [json.loads(x) for x in (tmp_path / "2" / "grades.jsonl").read_text(encoding="utf-8").splitlines()]
    assert all({"exemplars", "calibrated"} <= set(g["flags"]) for g in got)
    assert not (tmp_path / "2" / SHARED).exists()


def test_duplicate_ids_are_named_before_any_worker_starts(tmp_path: Path, bank: Bank) -> None:
    rows = mixed_rows(40)
    rows[30]["id"] = rows[3]["id"]
    with pytest.raises(InvalidFile, match=r"duplicate row ids: 'r3' \(lines 4 and 34\)"):
        run_batch(RowSource.open(write_jsonl(tmp_path / "in.jsonl", rows)), tmp_path / "out", bank, workers=2)
    assert not (tmp_path / "out" / "grades.jsonl.part").exists() and not (tmp_path / "out" / SHARED).exists()


class TestRowCursor:
    """A cursor gives rows by position, the same rows `lean_rows` gives, skipping forward and starting again."""

    @pytest.mark.parametrize("fmt", ["jsonl", "csv", "xlsx"])
    def test_chunks_in_any_order(self, inputs: dict[str, Path], fmt: str) -> None:
        source = RowSource.open(inputs[fmt])
        rows = list(source.lean_rows())
        cursor = RowCursor(source)
        try:
            for start, count in [(0, 5), (64, 10), (74, 3), (10, 4), (len(rows) - 2, 10), (3, 1)]:
                assert cursor.take(start, count) == rows[start : start + count]
        finally:
            cursor.close()

    def test_csv_lean_rows_match_rows(self, inputs: dict[str, Path]) -> None:
        source = RowSource.open(inputs["csv"])
        rows = [LeanRow(**r.model_dump(exclude={"extra"}), extra=tuple(r.extra.items())) for r in source]
        assert list(source.lean_rows()) == rows

    def test_csv_without_id_column(self, tmp_path: Path) -> None:
        path = tmp_path / "in.csv"
        path.write_text("Вопрос,Ответ\nq1,a\n\nq2,b\n", encoding="utf-8")
        source = RowSource.open(path, Columns(question_id="Вопрос", answer="Ответ"))
        cursor = RowCursor(source)
        assert [r.id for r in cursor.take(1, 5)] == ["4"]
        cursor.close()


class TestTally:
    """Chunks counted apart and merged in order give the summary of counting every row in one aggregator."""

    def test_merge_equals_adding_rows(self, tmp_path: Path, bank: Bank) -> None:
        rows = mixed_rows(200, seed=9)
        run_batch(RowSource.open(write_jsonl(tmp_path / "in.jsonl", rows)), tmp_path / "out", bank)
        recs = [json.loads(x) for x in (tmp_path / "out" / "grades.jsonl").read_text(encoding="utf-8").splitlines()]
        whole, merged = Aggregator({}), Aggregator({})
        for r in recs:
            whole.add(r)
        for start in range(0, len(recs), 17):
            part = Aggregator({})
            for r in recs[start : start + 17]:
                part.add_facts(summary_facts(r))
            merged.merge(part)
        assert merged.summary().model_dump_json() == whole.summary().model_dump_json()
        assert _cells_in_order(merged) == _cells_in_order(whole) and merged.missed == whole.missed


def _cells_in_order(agg: Aggregator) -> list[tuple[str, str, int, object]]:
    """Every (candidate, question) cell with its answers and sum, in the order its number gives (the numbers
    themselves differ between a merged and a whole tally: only their order is the order rows came in)."""
    cells = [(cell[2], cand, qid, cell[0], cell[1]) for cand, rec in agg.cands.items() for qid, cell in rec[0].items()]
    return [c[1:] for c in sorted(cells)]


def test_jobs_cover_the_rows_and_mark_the_indexed_ones() -> None:
    jobs = list(jobs_between(5, 300, 64, 100))
    assert [(j.start, j.rows) for j in jobs] == [(5, 64), (69, 64), (133, 64), (197, 64), (261, 39)]
    assert [j.heads for j in jobs] == [64, 31, 0, 0, 0]
    assert jobs[0] == Job(5, 64, 64) and _heads(90, 64, 100) == 10


@pytest.mark.slow
class TestEarlyJobs:
    """With workers, the first rows are graded while the first pass still reads the input; a job with a row that
    brings its own reference waits for the pass (which builds that rubric). Files stay the same as one worker's."""

    def rows(self, n: int, own_at: int) -> list[dict[str, str]]:
        rnd, src = random.Random(3), [r for r in example_rows() if r["question_id"]]
        rows = [dict(rnd.choice(src), id=f"r{i}", candidate=f"Кандидат {i % 5}") for i in range(n)]
        rows[own_at].update(question_id="", question="Что такое dropout?", reference=OWN)
        return rows

    def test_first_rows_are_graded_during_the_first_pass(self, tmp_path: Path, bank: Bank,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
        from grader.batch import run as batch

        path = write_jsonl(tmp_path / "in.jsonl", self.rows(400, own_at=390))
        out, seen, real_scan = tmp_path / "two", [], batch.scan

        def scan_after_a_worker_graded(source: RowSource, ids: set[str]) -> batch.Plan:
            deadline = time.monotonic() + 120  # waits for a worker's results to appear, whatever the machine
            while not any(out.glob(".grader-batch-job-*")) and time.monotonic() < deadline:
                time.sleep(0.02)
            seen.append(any(out.glob(".grader-batch-job-*")))
            return real_scan(source, ids)

        monkeypatch.setattr(batch, "scan", scan_after_a_worker_graded)
        run_batch(RowSource.open(path), out, bank, workers=2)
        monkeypatch.undo()
        assert seen == [True]
        run_batch(RowSource.open(path), tmp_path / "one", bank, workers=1)
        same_files(tmp_path / "one", out)
        assert not any(out.glob(".grader-batch-*"))  # no results or shared file left behind

    def test_a_job_with_an_own_reference_waits_for_the_pass(self, tmp_path: Path, bank: Bank,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
        from grader.batch import run as batch
        from grader.batch import workers as batch_exec

        monkeypatch.setattr(batch_exec, "CHUNK", 16)  # 4 early jobs of 16 rows; the parent's jobs after them
        monkeypatch.setattr(batch, "CHUNK", 16)
        path = write_jsonl(tmp_path / "in.jsonl", self.rows(150, own_at=40))  # in the third early job
        one = run_batch(RowSource.open(path), tmp_path / "one", bank, workers=1)
        two = run_batch(RowSource.open(path), tmp_path / "two", bank, workers=2)
        assert one.rubrics_built == two.rubrics_built and len(one.rubrics_built) == 1
        same_files(tmp_path / "one", tmp_path / "two")
        recs = [json.loads(x) for x in (tmp_path / "two" / "grades.jsonl").read_text(encoding="utf-8").splitlines()]
        (rec,) = [r for r in recs if r["id"] == "r40"]
        assert rec["question_id"] == one.rubrics_built[0] and rec["score"] is not None


@pytest.mark.slow
def test_spawned_and_forked_workers_write_the_same_files(tmp_path: Path, bank: Bank) -> None:
    """Workers are forked when the batch's process has no other thread, spawned when it has (a progress bar, an
    application's threads); both give one worker's files."""
    import threading

    from grader.batch.workers import start_method

    path = write_jsonl(tmp_path / "in.jsonl", mixed_rows(120))
    run_batch(RowSource.open(path), tmp_path / "one", bank, workers=1)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert start_method() == "spawn"
        run_batch(RowSource.open(path), tmp_path / "spawned", bank, workers=2)
    finally:
        stop.set()
        other.join()
    same_files(tmp_path / "one", tmp_path / "spawned")
    if sys.platform == "linux" and threading.active_count() == 1:
        assert start_method() == "fork"
        run_batch(RowSource.open(path), tmp_path / "forked", bank, workers=2)
        same_files(tmp_path / "one", tmp_path / "forked")
