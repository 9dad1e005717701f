"""Cold start of `grader grade` (a lexical grade of one short answer, from exec to exit), beside `python -c pass`.

    python benchmarks/startup.py              # median of 15 runs of each, interleaved
    python benchmarks/startup.py --runs 30 --imports

Wall time from process start to exit of a fresh process each run (start-up is wall time a user waits for), and its
CPU time (user + system, from `getrusage` of the reaped child), which other load on a shared machine does not
inflate. `--imports` adds the slowest imports of one run (`python -X importtime`). Target (issue 19): `grader grade`
<= 0.2 s median of 15.

One untimed run first writes what an installed grader has on disk after its first grade: the package's compiled
bytecode (pip writes it on install; a checkout run with PYTHONDONTWRITEBYTECODE=1 would otherwise compile every
module every run) and the parsed bank files (`grader.bank.parsed`). The row "bank not cached" gives each run an
empty cache folder: the first grade after installing, or after editing the bank's files.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import children_cpu

ANSWER = "Насыщение: сигмоида выдаёт почти 0 или 1, градиент мал."


def grader_cmd() -> list[str]:
    exe = os.path.join(os.path.dirname(sys.executable), "grader")
    return [exe] if os.path.exists(exe) else [sys.executable, "-m", "grader"]


def timed(cmd: list[str], empty_cache: bool = False) -> tuple[float, float]:
    """Wall and CPU seconds of one run of `cmd`, with a new empty cache folder if asked."""
    with tempfile.TemporaryDirectory() as empty:
        env = {**os.environ, "GRADER_CACHE_DIR": empty} if empty_cache else None
        cpu, start = children_cpu(), time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True, env=env)
        wall = time.perf_counter() - start
    return wall, children_cpu() - cpu


def slowest_imports(cmd: list[str], top: int) -> list[tuple[int, str]]:
    """(cumulative µs, module) of the top-level imports of one run, slowest first."""
    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}
    err = subprocess.run(cmd, capture_output=True, text=True, env=env).stderr
    rows = [re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", line) for line in err.splitlines()]
    found = [(int(m.group(1)), m.group(3)) for m in rows if m and len(m.group(2)) <= 3]
    return sorted(found, reverse=True)[:top]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--imports", action="store_true", help="also list the slowest imports of one run")
    args = ap.parse_args()
    grade = [*grader_cmd(), "grade", "nasyshchenie-neyrona", "--answer", ANSWER]
    commands = {"python -c pass": [sys.executable, "-c", "pass"], "grader grade (lexical)": grade,
                "  bank not cached": grade}  # fmt: skip
    subprocess.run(grade, capture_output=True, check=True,
                   env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"})  # fmt: skip
    results: dict[str, list[tuple[float, float]]] = {k: [] for k in commands}
    for _ in range(args.runs):
        for name, cmd in commands.items():
            results[name].append(timed(cmd, empty_cache=name.endswith("not cached")))
    for name, runs in results.items():
        walls, cpus = [w for w, _ in runs], [c for _, c in runs]
        print(f"{name:24} median {statistics.median(walls):.3f} s wall (best {min(walls):.3f}), "
              f"median {statistics.median(cpus):.3f} s CPU, {len(runs)} runs")  # fmt: skip
    print("target (issue 19): grader grade <= 0.2 s median; load average now: {:.2f} {:.2f} {:.2f}".format(
        *os.getloadavg()))  # fmt: skip
    if args.imports:
        for us, module in slowest_imports(commands["grader grade (lexical)"], 15):
            print(f"  {us / 1000:6.1f} ms  {module}")


if __name__ == "__main__":
    main()
