"""One writer per output folder: while a batch runs, another one into the same folder is refused (naming the
running one's PID), whether it would resume or restart; the running one finishes with every row exactly once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

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
