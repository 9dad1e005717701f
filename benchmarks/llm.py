"""LLM grading throughput against the loopback OpenAI-compatible server (tests/llm_server.py) with fixed latency.

    python benchmarks/llm.py                       # 1,000 answers, --concurrency 16, 50 ms per call
    python benchmarks/llm.py --answers 200 --concurrency 8 --latency 0.1
    python benchmarks/llm.py --via batch           # only `grader batch --mode llm`

Prints, for llm mode, hybrid mode and a cached re-run: wall time, the ideal (answers / concurrency × latency),
the share of the ideal reached (ideal / wall: 100 % is every slot busy all the time), how many judge calls each
made, how many connections the server saw, and the grader's own CPU time per answer. Two ways in, same answers:
- **api**: the Python API (`agrade_many`) in this process;
- **batch**: `grader batch ROWS --mode llm|hybrid` in a subprocess (the whole command: start-up, reading the
  rows, writing the files), with its own on-disk cache, so the re-run must make no call.
Both go through the real `openai` client; the server runs in its own process so it does not share our GIL. It
replies as a judge would (`--quotes`: a point is covered when a sentence of the answer shares two words with it,
and that sentence is quoted), so the grader grounds real quotes; its own CPU per request is printed too, to show
it is not the bottleneck. On a 2-core machine the server and the grader share the cores: when the grader's CPU
per answer times the answers exceeds the ideal, the ideal cannot be reached by any client (see the CPU column;
at 50 ms per call and concurrency 64 the ideal asks for 1,280 answers a second).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import children_cpu

from grader.bank.store import Bank, packaged_bank, rubric_for
from grader.grading import GradeTask, agrade_many
from grader.llm.judges.cache import CachedJudge, ReplyCache
from grader.llm.judges.config import load_settings
from grader.llm.judges.openai import OpenAIJudge


def tasks(n: int) -> list[GradeTask]:
    """n answers over the bundled bank: full references, their first half, and off-topic text, in turn."""
    bank = Bank(packaged_bank())
    pairs = [(q, rubric_for(bank, q)[0]) for q in bank.questions()]
    out = []
    for i in range(n):
        q, r = pairs[i % len(pairs)]
        kind = (i // len(pairs)) % 3
        ref = q.reference
        answer = [ref, ref[: len(ref) // 2], "Не помню, но, кажется, это связано с данными."][kind]
        out.append(GradeTask(question=q, rubric=r, answer=f"{answer} (#{i})"))
    return out


def run(items: list[GradeTask], mode: str, judge: object, concurrency: int) -> tuple[float, float, int]:
    start, cpu = time.perf_counter(), time.process_time()
    grades = asyncio.run(agrade_many(items, mode=mode, judge=judge, concurrency=concurrency))  # type: ignore[arg-type]
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert all(g.score is not None for g in grades), "a grade came back unscored"
    return elapsed, cpu, sum((g.usage or {}).get("calls", 0) for g in grades)


def stats(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url.removesuffix("/v1") + "/stats") as r:
        data: dict[str, Any] = json.load(r)
        return data


def write_rows(items: list[GradeTask], path: Path) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for i, t in enumerate(items):
            row = {"id": f"r{i}", "candidate": f"c{i % 50}", "question_id": t.question.id, "answer": t.answer}
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def run_batch(rows: Path, out: Path, mode: str, url: str, concurrency: int, cache: Path) -> tuple[float, float, int]:
    """`grader batch` in a subprocess: wall seconds, CPU seconds (its own), judge calls it reported."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "GRADER_"))}
    env.update(OPENAI_API_KEY="sk-bench", OPENAI_BASE_URL=url, GRADER_MODEL="bench", GRADER_CACHE_DIR=str(cache),
               GRADER_CONFIG=str(cache / "none.toml"))  # fmt: skip
    cmd = [sys.executable, "-m", "grader", "batch", str(rows), "--out", str(out), "--mode", mode, "--concurrency",
           str(concurrency), "--timeout", "30", "--json"]  # fmt: skip
    cpu, start = children_cpu(), time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    elapsed, cpu = time.perf_counter() - start, children_cpu() - cpu
    if proc.returncode != 0:
        raise SystemExit(proc.stderr)
    calls = sum(json.loads(line).get("usage", {}).get("calls", 0)
                for line in (out / "grades.jsonl").read_text(encoding="utf-8").splitlines())  # fmt: skip
    return elapsed, cpu, calls


def line(label: str, elapsed: float, ideal: float, calls: int, before: dict[str, Any], after: dict[str, Any],
         cpu: float, n: int) -> None:  # fmt: skip
    """One run's figures. `while judging`: the share of the ideal over the time from the run's first request to its
    last reply (what the server saw), i.e. without the command's start-up, first pass and report writing."""
    spans, served = after["spans"][len(before["spans"]) :], after["requests"] - before["requests"]
    window = max(s[1] for s in spans) - min(s[0] for s in spans) if spans else 0.0
    judging = f", {calls / n * ideal / window:4.0%} while judging" if window > 0 else ""
    print(
        f"{label:26} {elapsed:6.2f}s  {ideal / elapsed:4.0%} of ideal{judging}  judge calls {calls:5d} "
        f"(server saw {served}, peak in flight {after['peak']}, "
        f"connections {after['connections'] - before['connections']})  grader CPU {cpu / n * 1000:.1f} ms/answer"
        + (f", server CPU {(after['cpu'] - before['cpu']) / served * 1000:.1f} ms/call" if served else "")
    )


def via_api(items: list[GradeTask], url: str, concurrency: int, ideal: float) -> None:
    settings = load_settings(base_url=url, api_key="sk-bench", model="bench", concurrency=concurrency, timeout=30)
    run(items[:32], "llm", OpenAIJudge(settings), concurrency)  # warm-up: imports, schemas
    with tempfile.TemporaryDirectory() as tmp:
        cache = ReplyCache(Path(tmp) / "bench.sqlite")
        cached = CachedJudge(OpenAIJudge(settings), cache)
        plain = OpenAIJudge(settings)
        for label, mode, judge in (("api: llm", "llm", cached), ("api: hybrid", "hybrid", plain),
                                   ("api: llm, cached re-run", "llm", cached)):  # fmt: skip
            before = stats(url)
            elapsed, cpu, calls = run(items, mode, judge, concurrency)
            line(label, elapsed, ideal, calls, before, stats(url), cpu, len(items))
        cache.close()


def via_batch(items: list[GradeTask], url: str, concurrency: int, ideal: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        rows, cache = Path(tmp) / "rows.jsonl", Path(tmp) / "cache"
        write_rows(items, rows)
        for label, mode, out in (("batch: llm", "llm", "a"), ("batch: hybrid", "hybrid", "b"),
                                 ("batch: llm, cached re-run", "llm", "a")):  # fmt: skip
            before = stats(url)
            # hybrid with a cache of its own, so that it asks the server as the API run does
            elapsed, cpu, calls = run_batch(rows, Path(tmp) / (out + mode), mode, url, concurrency, cache / out)
            line(label, elapsed, ideal, calls, before, stats(url), cpu, len(items))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--answers", type=int, default=1000)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--via", default="api,batch", help="api, batch or both (comma-separated)")
    args = ap.parse_args()
    items = tasks(args.answers)
    ideal = args.answers / args.concurrency * args.latency
    print(f"{args.answers} answers, concurrency {args.concurrency}, server latency {args.latency * 1000:.0f} ms, "
          f"ideal {ideal:.2f}s")  # fmt: skip
    root = Path(__file__).resolve().parent.parent
    server = subprocess.Popen([sys.executable, "-m", "tests.llm_server", str(args.latency), "--quotes"], cwd=root,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        ways = args.via.split(",")
        if "api" in ways:
            via_api(items, url, args.concurrency, ideal)
        if "batch" in ways:
            via_batch(items, url, args.concurrency, ideal)
    finally:
        server.stdin.close() if server.stdin else None
        server.wait(timeout=10)
    print("load average (1, 5, 15 min) at the end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
