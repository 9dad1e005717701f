"""`grader batch --mode llm|hybrid` judges rows on one event loop through one client: requests overlap up to
`--concurrency` over that client's few connections, rows come out in input order, a re-run asks nothing, and a
judge that cannot work stops the run with nothing graded lost."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import threading
from pathlib import Path

import pytest

from grader.bank.store import Bank
from grader.batch.judged import run_judged
from grader.batch.run import run_batch
from grader.batch.tasks import Resolver, task_for
from grader.batch.workers import jobs_of
from grader.errors import JudgeError
from grader.llm.judges.base import JudgeReply, JudgeRequest
from grader.llm.judges.fake import FakeJudge
from grader.tables import LeanRow, RowSource
from tests.conftest import run_cli
from tests.llm_server import LoopbackLLM
from tests.test_llm_cli import env_for
from tests.test_llm_judge import KEY

QID = "nasyshchenie-neyrona"


def write_rows(path: Path, n: int) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            answer = f"Ответ {i}: сигмоида насыщается 🙂, градиент почти ноль (vanishing gradient), ёлки."
            fh.write(json.dumps({"id": f"r{i}", "candidate": f"К{i % 3}", "question_id": QID, "answer": answer},
                                ensure_ascii=False) + "\n")  # fmt: skip
    return path


class SlowJudge(FakeJudge):
    """The fake judge's replies after a random pause, counting how many calls overlap."""

    def __init__(self, fail_at: int | None = None) -> None:
        super().__init__()
        self.in_flight = self.peak = 0
        self.fail_at = fail_at
        self.rng = random.Random(3)

    def judge(self, request: JudgeRequest) -> JudgeReply:
        raise AssertionError("a batch awaits ajudge on its event loop; it never blocks a thread in judge()")

    async def ajudge(self, request: JudgeRequest) -> JudgeReply:
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            await asyncio.sleep(self.rng.uniform(0, 0.01))
            if self.fail_at is not None and len(self.calls) >= self.fail_at:
                raise JudgeError("the LLM server refused the API key (HTTP 401)")
            return super().judge(request)
        finally:
            self.in_flight -= 1


class HeadSlowJudge(FakeJudge):
    """The first row's reply waits until `behind` later rows have been judged (or 5 s, and says so)."""

    def __init__(self, behind: int) -> None:
        super().__init__()
        self.behind, self.others, self.others_before_head = behind, 0, -1
        self.enough = asyncio.Event()
        self.threads: set[int] = set()

    async def ajudge(self, request: JudgeRequest) -> JudgeReply:
        self.threads.add(threading.get_ident())
        if request.answer.startswith("Ответ 0:"):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.enough.wait(), 5)
            self.others_before_head = self.others
        else:
            await asyncio.sleep(0)
            self.others += 1
            if self.others >= self.behind:
                self.enough.set()
        return super().judge(request)


class TestEventLoop:
    """Rows graded as coroutines come out in input order, as a one-at-a-time run writes them."""

    def test_same_files_as_one_at_a_time_and_concurrency_filled(self, bank: Bank, tmp_path: Path) -> None:
        rows = write_rows(tmp_path / "rows.jsonl", 30)
        slow = SlowJudge()
        run_batch(RowSource.open(rows), tmp_path / "many", bank, mode="llm", judge=slow, concurrency=5)
        run_batch(RowSource.open(rows), tmp_path / "one", bank, mode="llm", judge=FakeJudge(), concurrency=1)
        assert slow.peak == 5
        for name in ("grades.jsonl", "grades.csv", "summary.json", "report.html"):
            assert (tmp_path / "many" / name).read_bytes() == (tmp_path / "one" / name).read_bytes(), name

    def test_a_slow_row_holds_back_only_itself(self, bank: Bank, tmp_path: Path) -> None:
        rows = write_rows(tmp_path / "rows.jsonl", 40)
        slow = HeadSlowJudge(behind=12)
        run_batch(RowSource.open(rows), tmp_path / "many", bank, mode="llm", judge=slow, concurrency=2)
        run_batch(RowSource.open(rows), tmp_path / "one", bank, mode="llm", judge=FakeJudge(), concurrency=1)
        assert slow.others_before_head >= 12  # rows behind it went on (a window of 2 x concurrency stopped at 3)
        assert slow.threads == {threading.get_ident()}  # the loop ran on the caller's thread, beside the writer
        for name in ("grades.jsonl", "grades.csv", "summary.json", "report.html"):
            assert (tmp_path / "many" / name).read_bytes() == (tmp_path / "one" / name).read_bytes(), name

    def test_called_from_inside_an_event_loop(self, bank: Bank, tmp_path: Path) -> None:
        rows = write_rows(tmp_path / "rows.jsonl", 6)

        async def notebook_cell() -> int:  # a notebook runs its cells inside an event loop
            result = run_batch(RowSource.open(rows), tmp_path / "nb", bank, mode="llm", judge=SlowJudge(),
                               concurrency=3)  # fmt: skip
            return result.graded

        assert asyncio.run(notebook_cell()) == 6
        assert not [t for t in threading.enumerate() if t.name == "grader-judge-loop"]

    def test_judge_error_stops_the_run_keeping_rows_done(self, bank: Bank, tmp_path: Path) -> None:
        rows = write_rows(tmp_path / "rows.jsonl", 40)
        with pytest.raises(JudgeError, match="refused the API key"):
            run_batch(RowSource.open(rows), tmp_path / "out", bank, mode="llm", judge=SlowJudge(fail_at=12),
                      concurrency=3)  # fmt: skip
        done = (tmp_path / "out" / "grades.jsonl.part").read_text(encoding="utf-8").splitlines()
        assert 0 < len(done) <= 12
        assert [json.loads(line)["id"] for line in done] == [f"r{i}" for i in range(len(done))]
        assert not [t for t in threading.enumerate() if t.name == "grader-judge-loop"]

    def test_closing_early_cancels_rows_in_flight(self, bank: Bank, tmp_path: Path) -> None:
        resolver = Resolver(bank)
        rows = [LeanRow("x", i, f"r{i}", question_id=QID, answer=f"ответ {i}") for i in range(200)]
        slow = SlowJudge()
        chunks = run_judged(jobs_of((task_for(r, resolver) for r in rows), 0, 1, 0), resolver, mode="llm",
                            judge=slow, concurrency=2)  # fmt: skip
        first = next(chunks)
        chunks.close()
        assert first.jsonl.startswith(b'{"id": "r0"')
        assert not [t for t in threading.enumerate() if t.name == "grader-judge-loop"]
        assert len(slow.calls) < 20  # the window, not the whole input


@pytest.mark.slow
class TestAgainstTheServer:
    """Through the real openai client: one client for the run, its connections reused, a cached re-run silent."""

    def test_one_client_fills_its_concurrency(self, llm_server: LoopbackLLM, tmp_path: Path) -> None:
        llm_server.latency = 0.05
        rows = write_rows(tmp_path / "rows.jsonl", 24)
        env = env_for(tmp_path, OPENAI_API_KEY=KEY, OPENAI_BASE_URL=llm_server.url)
        res = run_cli("batch", str(rows), "--out", str(tmp_path / "a"), "--mode", "llm", "--concurrency", "4",
                      "--json", env=env)  # fmt: skip
        assert res.returncode == 0, res.stderr
        assert json.loads(res.stdout)["graded"] == 24
        assert len(llm_server.requests) == 24  # one call per answer
        assert llm_server.peak == 4
        assert len(llm_server.connections) <= 4  # one pool: a client per call opened a connection per call
        graded = [json.loads(line) for line in (tmp_path / "a" / "grades.jsonl").read_text("utf-8").splitlines()]
        assert [g["id"] for g in graded] == [f"r{i}" for i in range(24)]
        assert {g["mode"] for g in graded} == {"llm"}

        again = run_cli("batch", str(rows), "--out", str(tmp_path / "b"), "--mode", "llm", "--json", env=env)
        assert again.returncode == 0, again.stderr
        assert len(llm_server.requests) == 24  # every reply from the cache

    def test_unreachable_server_is_one_line(self, tmp_path: Path) -> None:
        rows = write_rows(tmp_path / "rows.jsonl", 5)
        env = env_for(tmp_path, OPENAI_API_KEY=KEY, OPENAI_BASE_URL="http://127.0.0.1:9/v1")
        res = run_cli("batch", str(rows), "--out", str(tmp_path / "a"), "--mode", "llm", env=env)
        assert res.returncode == 2
        assert "cannot reach the LLM server" in res.stderr
        assert "Traceback" not in res.stderr
