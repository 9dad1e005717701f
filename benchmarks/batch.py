"""`grader batch` end to end (read, grade, write) on rows it has never seen, beside the floor, in CPU time per row.

    python benchmarks/batch.py                       # 20,000 generated rows, then the SAF answers; 1 worker
    python benchmarks/batch.py --rows 100000 --workers 1,2 --repeat 3
    python benchmarks/batch.py --outputs full,lean                # grades.jsonl bytes a row of each format

Row sets (`benchmarks/fresh.py`): **generated**: ~200-word Russian answers to the bundled bank (reference sentences in
a new order, filler, 3 % fresh typos; new text every run), from `--candidates` candidates; **SAF real**: every
student answer of the SAF data set, each row bringing its own question and reference (the batch builds a rubric per
question, as for any such file). Every run is a new `python -m grader batch` process, so nothing is memoised from a
run before.

Rates are rows per CPU-second: the user+system time of the command and its workers (`getrusage` of the reaped
children), since the machine is shared and wall time counts other people's load; wall time is printed beside it.
The **floor** is this process reading the same JSONL, grading each row by regex tokens + PyStemmer + a set lookup
against its reference's stems, and writing one JSON line per row: the least a Python batch does. Peak memory is
the largest sum of the resident memory of the command and its workers, sampled every 50 ms from /proc (Linux); the
generated set is run at half and at all of `--rows` with the same candidates, so memory flat in rows shows as two
equal peaks.
Targets (issue 19): >= 0.25x the floor with one worker; memory flat in rows for a fixed number of candidates.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fresh import bank_items, fresh_set, saf_sets, stemmer
from measure import children_cpu

_TOKEN = re.compile(r"\w+")


def generated_rows(path: Path, n: int, candidates: int, seed: int) -> None:
    """`n` generated answers to the bank's questions, from `candidates` candidates, as JSONL."""
    items = bank_items()
    with path.open("w", encoding="utf-8") as fh:
        for i, (k, answer) in enumerate(fresh_set(items, n, seed)):
            row = {"id": f"r{i}", "candidate": f"Кандидат {i % candidates}", "question_id": items[k].question.id,
                   "answer": answer}  # fmt: skip
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def saf_rows(path: Path) -> int:
    """Every SAF answer as a row with its own question and reference; how many were written."""
    items, answers = saf_sets()
    with path.open("w", encoding="utf-8") as fh:
        for i, (k, answer) in enumerate(answers):
            q = items[k].question
            row = {"id": f"s{i}", "candidate": f"student {i % 500}", "question_id": q.id, "question": q.question,
                   "reference": q.reference, "answer": answer}  # fmt: skip
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(answers)


def floor(path: Path, out: Path) -> float:
    """CPU seconds to read the rows, grade each by the floor (tokens, stems, a set) and write a line per row."""
    refs = {it.question.id: it.question for it in bank_items()}
    stems = {lang: stemmer(lang).stemWords for lang in ("ru", "en", "de")}
    start = time.process_time()
    vocab: dict[str, tuple[frozenset[str], str]] = {}
    with path.open(encoding="utf-8") as src, out.open("w", encoding="utf-8") as dst:
        for line in src:
            row = json.loads(line)
            ref = row.get("reference") or refs[row["question_id"]].reference
            known = vocab.get(ref)
            if known is None:
                lang = "ru" if re.search("[а-яё]", ref, re.I) else "de" if re.search("[äöüß]", ref) else "en"
                known = vocab[ref] = (frozenset(stems[lang](_TOKEN.findall(ref.lower()))), lang)
            words = stems[known[1]](_TOKEN.findall(row["answer"].lower()))
            found = len(known[0].intersection(words))
            dst.write(json.dumps({"id": row["id"], "found": found, "score": found / max(1, len(known[0]))}) + "\n")
    return time.process_time() - start


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


def run(path: Path, out: Path, workers: int, output: str = "full") -> tuple[float, float, float, dict[str, int], int]:
    cmd = [sys.executable, "-m", "grader", "batch", str(path), "--out", str(out), "--workers", str(workers), "--json",
           "--output", output]  # fmt: skip
    os.sync()  # the previous run's ~700 MB of output is written back now, not by the kernel during this run
    cpu, start = children_cpu(), time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss_kb(proc.pid))
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    stdout, stderr = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(stderr.decode())
    cpu = children_cpu() - cpu  # the command and its workers, once they are reaped
    return seconds, peak / 1024, cpu, json.loads(stdout), (out / "grades.jsonl").stat().st_size


def report(label: str, rows: int, path: Path, out: Path, workers: list[int], repeat: int,
           outputs: list[str]) -> None:  # fmt: skip
    floor_cpu = statistics.median(floor(path, out / "floor.jsonl") for _ in range(repeat))
    print(f"{label}: {rows:,} rows ({path.stat().st_size / 1e6:.1f} MB JSONL); floor {rows / floor_cpu:,.0f} rows per "
          f"CPU-second ({floor_cpu * 1e6 / rows:.0f} µs a row)")  # fmt: skip
    for w, output in [(w, o) for w in workers for o in outputs]:
        runs = []
        for k in range(repeat):  # a new folder each time: a rubric saved by the run before would be reused
            runs.append(run(path, out / f"out{w}-{k}", w, output))
            shutil.rmtree(out / f"out{w}-{k}")
        cpu = statistics.median(r[2] for r in runs)
        wall = statistics.median(r[0] for r in runs)
        peak = max(r[1] for r in runs)
        print(f"  grader batch --workers {w} --output {output}: {rows / cpu:7,.0f} rows per CPU-second "
              f"({cpu * 1e6 / rows:5.0f} µs a row, {rows / cpu / (rows / floor_cpu):.2f}x the floor), "
              f"{rows / wall:7,.0f} rows/s wall, peak memory {peak:4.0f} MB, grades.jsonl {runs[0][4] / rows:,.0f} "
              f"bytes a row, graded {runs[0][3]['graded']:,}")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=20_000, help="generated rows")
    ap.add_argument("--candidates", type=int, default=200, help="distinct candidates in the generated rows")
    ap.add_argument("--workers", default="1", help="comma-separated worker counts to run")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each; medians count")
    ap.add_argument("--seed", type=int, default=None, help="for generated rows (default: new each run)")
    ap.add_argument("--outputs", default="full", help="comma-separated --output formats to run (full, lean)")
    args = ap.parse_args()
    workers = [int(w) for w in args.workers.split(",")]
    outputs = args.outputs.split(",")
    seed = int(time.time()) if args.seed is None else args.seed
    print(f"CPU time of the command and its workers; generated rows' seed {seed}")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for rows in (args.rows // 2, args.rows):
            path = out / f"rows{rows}.jsonl"
            generated_rows(path, rows, args.candidates, seed + rows)
            report(f"generated, {args.candidates} candidates", rows, path, out, workers, args.repeat, outputs)
            path.unlink()
        path = out / "saf.jsonl"
        n = saf_rows(path)
        if n:
            report("SAF real answers, own references", n, path, out, workers, args.repeat, outputs)
        print("load average (1, 5, 15 min) at the end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
