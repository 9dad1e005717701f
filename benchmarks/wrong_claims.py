"""How the bundled bank grades answers that must not score high: keyword lists, reversed statements, and answers
wrong in the right vocabulary (benchmarks/wrong_claims.yaml), against the highest score a fair person would give.

    python benchmarks/wrong_claims.py            # one line per answer, then a summary per kind
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from pathlib import Path

import yaml

from grader.bank.store import Bank, packaged_bank, rubric_for
from grader.grading import grade

DATA = Path(__file__).with_suffix(".yaml")


def main() -> None:
    bank = Bank(packaged_bank())
    by_kind: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for qid, cases in yaml.safe_load(DATA.read_text(encoding="utf-8")).items():
        question = bank.question(qid)
        rubric, _warnings = rubric_for(bank, question)
        for case in cases:
            g = grade(question, rubric, case["answer"])
            score = g.score or 0.0
            by_kind[case["kind"]].append((score, case["max"]))
            mark = "ok " if score <= case["max"] + 1e-9 else "HIGH"
            print(f"{mark} {score:.2f} <= {case['max']:.2f}  {case['kind']:8} {qid}  {','.join(g.flags)}")
    print()
    for kind, rows in sorted(by_kind.items()):
        within = sum(s <= m + 1e-9 for s, m in rows)
        mean = statistics.mean(s for s, _ in rows)
        print(f"{kind:8} n={len(rows):2}  within max {within}/{len(rows)}  mean score {mean:.3f}")


if __name__ == "__main__":
    main()
