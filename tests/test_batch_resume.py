"""An interrupted batch (SIGKILL, Ctrl-C) resumes with --resume and ends with the same files as one run."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli

N = 1500
FILES = ("grades.jsonl", "grades.csv", "summary.json", "report.html")


def make_input(path: Path, n: int) -> Path:
    """n rows cycling through the example answers (enough that a kill lands mid-batch)."""
    with (ROOT / "examples" / "batch" / "answers.csv").open(encoding="utf-8") as fh:
        src = list(csv.DictReader(fh))
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            row = dict(src[i % len(src)], id=f"r{i}", candidate=f"Кандидат {i % 40}")
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def count_lines(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


@pytest.fixture(scope="module")
def batch_input(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The input and the output folder of an uninterrupted run of it."""
    tmp = tmp_path_factory.mktemp("resume")
    path = make_input(tmp / "in.jsonl", N)
    res = run_cli("batch", str(path), "--out", str(tmp / "whole"), "--workers", "1", "--quiet")
    assert res.returncode == 0, res.stderr
    return path, tmp / "whole"


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["sigkill", "sigint"])
@pytest.mark.parametrize("workers", ["1", "2"])
def test_resume_after_interruption(batch_input: tuple[Path, Path], tmp_path: Path, sig: int, workers: str) -> None:
    path, whole = batch_input
    out = tmp_path / "out"
    # Its own session, so that a failed wait can kill the batch with its workers: a process left running would keep
    # its pipes open and surface as a ResourceWarning in whichever later test the garbage collector runs in.
    with subprocess.Popen([sys.executable, "-m", "grader", "batch", str(path), "--out", str(out), "--workers",
                           workers, "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          start_new_session=True) as proc:  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while count_lines(out / "grades.jsonl.part") < 100 and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.01)
            os.kill(proc.pid, sig)
            _, err = proc.communicate(timeout=60)
        except BaseException:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)  # the batch and any worker still holding its pipes
            raise
    done = count_lines(out / "grades.jsonl.part")
    assert 0 < done < N, "the kill must land mid-batch"
    assert not (out / "grades.jsonl").exists()
    if sig == signal.SIGINT:
        assert proc.returncode == 130 and b"--resume" in err
    refused = run_cli("batch", str(path), "--out", str(out))
    assert refused.returncode == 2 and "--resume" in refused.stderr
    res = run_cli("batch", str(path), "--out", str(out), "--workers", workers, "--resume", "--json")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["resumed"] >= done - 1
    for name in FILES:
        assert (out / name).read_bytes() == (whole / name).read_bytes(), name
    assert not (out / "grades.jsonl.part").exists()


@pytest.mark.slow
def test_resume_refuses_a_changed_input(tmp_path: Path) -> None:
    path = make_input(tmp_path / "small.jsonl", 30)
    out = tmp_path / "out"
    assert run_cli("batch", str(path), "--out", str(out), "--quiet").returncode == 0
    (out / "grades.jsonl.part").write_bytes((out / "grades.jsonl").read_bytes()[:1000])
    changed = tmp_path / "in.jsonl"
    changed.write_bytes(path.read_bytes().replace(b"r1", b"x1", 1))
    res = run_cli("batch", str(changed), "--out", str(out), "--resume")
    assert res.returncode == 2 and "input_sha256 changed" in res.stderr


SPILLED = "import sys, grader.batch.spill as s; s.LIMIT = 5; from grader.cli import main; sys.argv[0] = 'g'; main()"


@pytest.mark.slow
def test_resume_after_sigkill_while_the_summary_is_spilled(batch_input: tuple[Path, Path], tmp_path: Path) -> None:
    """40 candidates past a bound of 5: killed with its scratch file in use, resumed, the same files as one run."""
    path, whole = batch_input
    out = tmp_path / "out"
    cmd = [sys.executable, "-c", SPILLED, "batch", str(path), "--out", str(out), "--workers", "1", "--quiet"]
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True) as proc:
        try:
            deadline = time.monotonic() + 60
            while count_lines(out / "grades.jsonl.part") < 300 and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.01)
            os.kill(proc.pid, signal.SIGKILL)
            proc.communicate(timeout=60)
        except BaseException:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            raise
    done = count_lines(out / "grades.jsonl.part")
    assert 0 < done < N and (out / ".grader-batch-summary.sqlite").exists(), "killed mid-batch, spilled"
    res = subprocess.run([*cmd[:-1], "--resume", "--json"], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["resumed"] >= done - 1
    for name in FILES:
        assert (out / name).read_bytes() == (whole / name).read_bytes(), name
    assert not (out / ".grader-batch-summary.sqlite").exists()
