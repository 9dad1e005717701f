"""LLM grading throughput against the loopback OpenAI-compatible server (tests/llm_server.py) with fixed latency.

    python benchmarks/llm.py                       # 1,000 answers, --concurrency 16, 50 ms per call
    python benchmarks/llm.py --answers 200 --concurrency 8 --latency 0.1

Prints, for llm mode, hybrid mode and a cached re-run: wall time, the ideal (answers / concurrency × latency)
and their ratio, how many judge calls each made, and the grader's own CPU time per answer. Goes through the real
`openai` client and `agrade_many`; the server runs in its own process so it does not share our GIL.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

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


def stats(url: str) -> dict[str, int]:
    with urllib.request.urlopen(url.removesuffix("/v1") + "/stats") as r:
        data: dict[str, int] = json.load(r)
        return data


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--answers", type=int, default=1000)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--latency", type=float, default=0.05)
    args = ap.parse_args()
    items = tasks(args.answers)
    ideal = args.answers / args.concurrency * args.latency
    print(f"{args.answers} answers, concurrency {args.concurrency}, server latency {args.latency * 1000:.0f} ms, "
          f"ideal {ideal:.2f}s")
    root = Path(__file__).resolve().parent.parent
    server = subprocess.Popen([sys.executable, "-m", "tests.llm_server", str(args.latency)], cwd=root,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        settings = load_settings(base_url=url, api_key="sk-bench", model="bench", concurrency=args.concurrency,
                                 timeout=30)
        run(items[:32], "llm", OpenAIJudge(settings), args.concurrency)  # warm-up: imports, schemas
        with tempfile.TemporaryDirectory() as tmp:
            cache = ReplyCache(Path(tmp) / "bench.sqlite")
            cached = CachedJudge(OpenAIJudge(settings), cache)
            plain = OpenAIJudge(settings)
            for label, mode, judge in (("llm", "llm", cached), ("hybrid", "hybrid", plain),
                                       ("llm, cached re-run", "llm", cached)):
                before = stats(url)["requests"]
                elapsed, cpu, calls = run(items, mode, judge, args.concurrency)
                after = stats(url)
                print(f"{label:19} {elapsed:6.2f}s  {elapsed / ideal:5.2f}x ideal  judge calls {calls:5d} "
                      f"(server saw {after['requests'] - before}, peak in flight {after['peak']})  "
                      f"grader CPU {cpu / len(items) * 1000:.1f} ms/answer")
            cache.close()
    finally:
        server.stdin.close() if server.stdin else None
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
