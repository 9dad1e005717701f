"""A worker process that dies stops the batch with a message (not a hang); --resume then finishes it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.test_batch_resume import count_lines, make_input

N = 3000


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the workers through /proc")
def test_a_killed_worker_stops_the_batch_and_resume_finishes_it(tmp_path: Path) -> None:
    path = make_input(tmp_path / "in.jsonl", N)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "grader", "batch", str(path), "--out", str(out), "--workers", "2",
                             "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    deadline = time.monotonic() + 60
    while count_lines(out / "grades.jsonl.part") < 64 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    # Workers are forked (same command line as the batch) or spawned; the resource tracker is not one.
    workers = [p for p in children(proc.pid) if b"resource_tracker" not in Path(f"/proc/{p}/cmdline").read_bytes()]
    assert workers, "the batch must still be running on its workers"
    os.kill(workers[0], signal.SIGKILL)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2, err
    assert b"worker process died" in err and b"--resume" in err
    res = run_cli("batch", str(path), "--out", str(out), "--workers", "2", "--resume", "--quiet")
    assert res.returncode == 0, res.stderr
    assert count_lines(out / "grades.jsonl") == N
