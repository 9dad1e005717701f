"""`grader batch` peak memory against rows and against candidates (one worker; the sampler of `batch.py`).

    python benchmarks/batch_memory.py                    # 4,000 generated answers: x1, x4, x8; then as many candidates
    python benchmarks/batch_memory.py --rows 1000 --times 1,2
    python benchmarks/batch_memory.py --candidates 1000,10000,100000 --words 30   # peak against candidates only

**Rows**: the same `--rows` generated answers (200 candidates) written `--times` over with new row ids: the matcher's
memo of answer pieces stops growing after the first copy, so what grows after it is the batch's own state per row
(nothing should: the summary keeps a count and a sum per candidate and question, and the shared-answer index two
answers a cell). **Candidates**: `--rows` x the largest of `--times` fresh answers, one candidate each, beside the
same number of fresh answers from 200 candidates: the difference per candidate is what a candidate costs.
Keep `--rows` above 2,000: the report shows the first 2,000 rows in detail, a cost that grows with rows until then.
**`--candidates N,...`**: for each N, N fresh answers from N candidates (one each) beside N fresh answers from 200,
and nothing else: the peak of each, and what a candidate costs past the summary's in-memory bound
(`grader.batch.spill.LIMIT`, 20,000 candidates), where the rest spills to a scratch file. `--words` cuts each
answer to its first words, for a faster run (a candidate's summary state does not depend on the answer's length).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from batch import generated_rows, run


def repeated(src: Path, dst: Path, times: int) -> int:
    rows = [json.loads(line) for line in src.open(encoding="utf-8")]
    with dst.open("w", encoding="utf-8") as fh:
        for k in range(times):
            for i, row in enumerate(rows):
                fh.write(json.dumps(dict(row, id=f"{k}-{i}"), ensure_ascii=False) + "\n")
    return len(rows) * times


def peak(path: Path, out: Path) -> float:
    return run(path, out, 1)[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=4000)
    ap.add_argument("--times", default="1,4,8", help="comma-separated copies of the answers")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--candidates", default="", help="comma-separated candidate counts: only this measure")
    ap.add_argument("--words", type=int, default=0, help="with --candidates: answers cut to this many words")
    args = ap.parse_args()
    if args.candidates:
        by_candidates([int(n) for n in args.candidates.split(",")], args.seed, args.words)
        return
    times = [int(t) for t in args.times.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base.jsonl"
        generated_rows(base, args.rows, 200, args.seed)
        for t in times:
            n = repeated(base, Path(tmp) / "in.jsonl", t)
            print(f"the same {args.rows:,} answers x{t} ({n:,} rows, 200 candidates): peak "
                  f"{peak(Path(tmp) / 'in.jsonl', Path(tmp) / f'out{t}'):.0f} MB")  # fmt: skip
        n = args.rows * max(times)
        low = high = 0.0
        for cands in (200, n):
            generated_rows(Path(tmp) / "fresh.jsonl", n, cands, args.seed + 1)
            mb = peak(Path(tmp) / "fresh.jsonl", Path(tmp) / f"fresh{cands}")
            low, high = (mb, high) if cands == 200 else (low, mb)
            print(f"{n:,} fresh answers from {cands:,} candidates: peak {mb:.0f} MB")
        print(f"{(high - low) * 1024 / max(1, n - 200):.1f} KB a candidate")


def cut(path: Path, words: int) -> None:
    """Each answer of the JSONL file cut to its first `words` words."""
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(dict(row, answer=" ".join(row["answer"].split()[:words])), ensure_ascii=False) + "\n")


def by_candidates(counts: list[int], seed: int, words: int) -> None:
    """Peak memory of N answers from N candidates beside N answers from 200, for each N."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fresh.jsonl"
        for n in counts:
            peaks = []
            for cands in (200, n):
                generated_rows(path, n, cands, seed + n)
                if words:
                    cut(path, words)
                peaks.append(peak(path, Path(tmp) / f"out{n}-{cands}"))
                shutil.rmtree(Path(tmp) / f"out{n}-{cands}")
            extra = (peaks[1] - peaks[0]) * 1024 / max(1, n - 200)
            print(f"{n:,} fresh answers: peak {peaks[0]:.0f} MB from 200 candidates, {peaks[1]:.0f} MB from {n:,} "
                  f"({extra:.2f} KB a candidate over the 200)", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
