"""One writer per output folder: while a batch runs, another one into the same folder is refused (naming the
running one's PID), whether it would resume or restart; the running one finishes with every row exactly once."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from grader.bank.store import Bank
from grader.batch.run import run_batch
from grader.errors import GraderError
from grader.outputs import LOCK, FolderLock, _lock, os_error
from grader.tables import RowSource
from tests.llm_server import LoopbackLLM
from tests.test_llm_cli import KEY, env_for

QID = "nasyshchenie-neyrona"
ROWS = 6


@pytest.mark.slow
def test_two_batches_on_one_folder(llm_server: LoopbackLLM, tmp_path: Path) -> None:
    # The first batch's judge answers only once the other two are done: it is surely running meanwhile.
    gate, grade = threading.Event(), llm_server.grade
    llm_server.grade = lambda points, answer: grade(points, answer) if gate.wait(120) else {}
    rows = "".join(json.dumps({"id": f"r{i}", "question_id": QID, "answer": f"градиент {i}"}) + "\n"
                   for i in range(ROWS))  # fmt: skip
    (tmp_path / "in.jsonl").write_text(rows, encoding="utf-8")
    env = env_for(tmp_path, OPENAI_API_KEY=KEY, OPENAI_BASE_URL=llm_server.url)
    base = [sys.executable, "-m", "grader", "batch", "in.jsonl", "--out", "out", "--mode", "llm", "-q",
            "--concurrency", "1", "--no-cache", "--timeout", "120"]  # fmt: skip
    first = subprocess.Popen(base, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lock = tmp_path / "out" / ".grader-lock"
    deadline = time.monotonic() + 30
    while not (lock.exists() and lock.read_text().strip() == str(first.pid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert lock.read_text().strip() == str(first.pid)
    others = [subprocess.Popen([*base, flag], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True) for flag in ("--resume", "--restart")]  # fmt: skip
    results = [other.communicate(timeout=60)[1] for other in others]
    assert first.poll() is None
    gate.set()
    _, err = first.communicate(timeout=60)
    assert first.returncode == 0, err
    for stderr in results:
        assert "Traceback" not in stderr
        assert f"another run is writing into this folder (PID {first.pid})" in stderr
    assert [other.returncode for other in others] == [2, 2]
    ids = [json.loads(line)["id"] for line in (tmp_path / "out" / "grades.jsonl").read_text().splitlines()]
    assert ids == [f"r{i}" for i in range(ROWS)]
    # Once the first is done, the folder is free again: a resume finds every row there and grades none.
    again = subprocess.run([*base, "--resume", "--json"], cwd=tmp_path, env=env, capture_output=True, text=True,
                           timeout=60)  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["resumed"] == ROWS
    assert os.path.getsize(tmp_path / "out" / "grades.jsonl") > 0


def _rows(tmp_path: Path) -> RowSource:
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps({"id": f"r{i}", "question_id": QID, "answer": f"градиент затухает, ёж 🚀 {i}"},
                                       ensure_ascii=False) + "\n" for i in range(ROWS)), encoding="utf-8")  # fmt: skip
    return RowSource.open(path)


class TestLockReleased:
    """A run that ends, finished or stopped on an error, lets go of its folder and removes its lock file: a re-run is
    never told that another run is writing."""

    def test_a_batch_stopped_on_an_output_error(self, tmp_path: Path, bank: Bank) -> None:
        source, out = _rows(tmp_path), tmp_path / "out"
        (out / "summary.json").mkdir(parents=True)  # in the way of the last files
        with pytest.raises(GraderError, match=r"summary\.json: is a folder"):
            run_batch(source, out, bank)
        assert not (out / LOCK).exists()
        (out / "summary.json").rmdir()
        result = run_batch(source, out, bank, resume=True)  # in the same process too
        assert (result.rows, result.resumed) == (ROWS, ROWS)
        assert not (out / LOCK).exists()

    def test_a_lock_file_that_cannot_be_written(
        self, tmp_path: Path, bank: Bank, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        out = tmp_path / "out"
        real_write = os.write

        def full(fd: int, data: bytes) -> int:  # the disk fills up as the PID is written
            if data == f"{os.getpid()}\n".encode():
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return real_write(fd, data)

        monkeypatch.setattr("grader.outputs.os.write", full)
        with pytest.raises(GraderError, match=rf"{LOCK}: no space left"):
            run_batch(_rows(tmp_path), out, bank)
        assert not (out / LOCK).exists()
        monkeypatch.undo()
        assert run_batch(_rows(tmp_path), out, bank).rows == ROWS  # in the same process: its lock was let go

    def test_a_link_in_the_lock_files_place_is_refused(self, tmp_path: Path) -> None:
        precious = tmp_path / "precious.txt"
        precious.write_text("mine\n")
        (tmp_path / LOCK).symlink_to(precious)
        with pytest.raises(GraderError, match=rf"{LOCK}: is a link") as caught, FolderLock(tmp_path):
            pass
        assert "Remove it" in str(caught.value.fix) and precious.read_text() == "mine\n"

    def test_a_run_ending_leaves_another_runs_lock_file(self, tmp_path: Path) -> None:
        # Run A holds the lock; its file is deleted by hand; run C makes and locks a new one; A ends.
        first = FolderLock(tmp_path).__enter__()
        (tmp_path / LOCK).unlink()
        with FolderLock(tmp_path):
            first.__exit__(None, None, None)
            assert (tmp_path / LOCK).read_text() == f"{os.getpid()}\n"  # C's file is still there, still locked
            with pytest.raises(GraderError, match="another run"), FolderLock(tmp_path):
                pass
        assert not (tmp_path / LOCK).exists()

    def test_a_file_system_without_locks_is_named_and_leaves_nothing(self, tmp_path: Path) -> None:
        def no_locks(fd: int, flags: int) -> None:
            raise OSError(errno.ENOLCK, os.strerror(errno.ENOLCK))

        import fcntl

        with pytest.raises(OSError) as caught:
            _lock(tmp_path / LOCK, no_locks, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert caught.value.errno == errno.ENOLCK and not (tmp_path / LOCK).exists()
        assert "cannot lock files" in str(os_error(caught.value, tmp_path / LOCK).fix)

    def test_a_killed_runs_lock_file_is_taken_over(self, tmp_path: Path) -> None:
        (tmp_path / LOCK).write_text("4242\n")  # left by a run killed with SIGKILL: the kernel let go of its lock
        with FolderLock(tmp_path):
            assert (tmp_path / LOCK).read_text() == f"{os.getpid()}\n"
        assert not (tmp_path / LOCK).exists()

    def test_a_lock_on_a_removed_file_is_taken_again(self, tmp_path: Path) -> None:
        # The run that held the lock ends (removes the file, lets go) between this one's open and its flock.
        import fcntl

        path, calls = tmp_path / LOCK, []

        def flock(fd: int, flags: int) -> None:
            if not calls:
                path.unlink()
            calls.append(fd)
            fcntl.flock(fd, flags)

        fd = _lock(path, flock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        try:
            assert len(calls) == 2
            assert os.fstat(fd).st_ino == path.stat().st_ino
        finally:
            os.close(fd)
