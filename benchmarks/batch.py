"""Batch throughput and memory: `grader batch` on N synthetic rows, lexical mode, with 1 and 2 workers.

    python benchmarks/batch.py            # 100,000 rows
    python benchmarks/batch.py --rows 20000

Each run is a real `python -m grader batch` subprocess; peak memory is the largest sum of the resident memory of
that process and its workers, sampled every 50 ms from /proc (Linux). CPU is the user+system time of the command
and its workers: when it is well below workers x wall time, other processes were taking the cores (check `uptime`
and measure again on an idle machine). Rows are answers assembled from sentences
of the bank's references and filler, so they vary the way real answers do (different lengths, partial coverage).
Each is run `--repeat` times (default 5), 1 and 2 workers in turn, and the speed-up is the ratio of the medians.
Targets (issue 6): >= 3,000 rows/s with 2 workers, peak < 300 MB, 2 workers >= 1.6x one.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grader.bank.store import Bank, packaged_bank

FILLER = ["Ну, насколько я помню,", "Если честно,", "В общем", "На практике", "Короче говоря,", "Кажется,"]


def make_rows(path: Path, n: int, seed: int = 7) -> None:
    rnd = random.Random(seed)
    questions = Bank(packaged_bank()).questions()
    sentences = {q.id: [s for s in re.split(r"(?<=[.!?])\s+", q.reference) if len(s) > 20] for q in questions}
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            q = questions[i % len(questions)]
            parts = rnd.sample(sentences[q.id], k=min(len(sentences[q.id]), rnd.randint(0, 4)))
            answer = " ".join([rnd.choice(FILLER), *parts, "не уверен насчёт остального."])
            row = {"id": f"r{i}", "candidate": f"Кандидат {i // len(questions)}", "question_id": q.id, "answer": answer}
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def tree_rss_kb(root: int) -> int:
    """Resident memory of `root` and all its descendants, in KB.

    Walks the tree through /proc/PID/task/TID/children, reading only its own processes' status: the sampler runs
    beside the batch every 50 ms, and a scan of every process on the machine took a few percent of a core from
    the workers, which only the 2-worker run (both cores busy) felt.
    """
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            for task in Path(f"/proc/{pid}/task").iterdir():
                todo += map(int, (task / "children").read_text().split())
        except OSError:  # ended meanwhile
            continue
        vm = re.search(r"^VmRSS:\s+(\d+)", status, re.M)
        total += int(vm.group(1)) if vm else 0
    return total


def run(path: Path, out: Path, workers: int) -> tuple[float, float, float, dict[str, int]]:
    cmd = [sys.executable, "-m", "grader", "batch", str(path), "--out", str(out), "--workers", str(workers), "--json"]
    os.sync()  # the previous run's ~700 MB of output is written back now, not by the kernel during this run
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss_kb(proc.pid))
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    stdout, stderr = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(stderr.decode())
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the command and its workers, once they are reaped
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return seconds, peak / 1024, cpu, json.loads(stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=5, help="runs of each, interleaved; the median counts")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rows.jsonl"
        make_rows(path, args.rows)
        print(f"{args.rows:,} synthetic rows ({path.stat().st_size / 1e6:.1f} MB JSONL), lexical mode, "
              f"{args.repeat} runs of each, 1 and 2 workers in turn")  # fmt: skip
        rates: dict[int, list[float]] = {1: [], 2: []}
        for _ in range(args.repeat):
            for workers in (1, 2):
                seconds, peak_mb, cpu, result = run(path, Path(tmp) / f"out{workers}", workers)
                rates[workers].append(args.rows / seconds)
                print(f"workers={workers}: {seconds:6.1f} s wall (whole command), {rates[workers][-1]:7,.0f} rows/s, "
                      f"CPU {cpu:6.1f} s, peak memory {peak_mb:5.0f} MB (all processes), "
                      f"graded {result['graded']:,}")  # fmt: skip
        one, two = statistics.median(rates[1]), statistics.median(rates[2])
        pairs = ", ".join(f"{b / a:.2f}x" for a, b in zip(rates[1], rates[2], strict=True))
        print(f"median: 1 worker {one:,.0f} rows/s, 2 workers {two:,.0f} rows/s")
        print(f"speed-up with 2 workers: {two / one:.2f}x (median of each; run by run: {pairs})")
        print("load average (1, 5, 15 min) at the end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
