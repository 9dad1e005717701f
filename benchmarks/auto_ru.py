"""Automatic rubrics on Russian questions: the bank's golden examples graded as if each question were new.

Every question of the bundled bank is Russian and has a curated rubric with golden examples (strong, partial,
wrong, off-topic; each with the band of scores a rubric author expects). Here each question's rubric is instead
built automatically from its reference alone (`grader.engine.rubric.build_rubric`, as for a question imported
from Telegram or brought by a user), and the same examples are graded with it. The examples were written for the
curated rubrics, never for the automatic ones, so this is the Russian counterpart of the leave-one-question-out
figure of benchmarks/loqo.py (English and German): how a question nobody curated is graded.

    python benchmarks/auto_ru.py               # per kind of example: mean score, how many land in their band
    python benchmarks/auto_ru.py --per-answer  # and one line per example
"""

from __future__ import annotations

import argparse
import statistics
from collections import defaultdict

from grader.bank.store import Bank, packaged_bank
from grader.engine.metrics import pearson, spearman
from grader.engine.rubric import build_rubric
from grader.grading import grade


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-answer", action="store_true", help="print one line per golden example")
    args = parser.parse_args()
    bank = Bank(packaged_bank())
    rows: list[tuple[str, str, float, float, float, float]] = []  # qid, kind, low, high, curated, auto
    for qid in bank.ids():
        question, curated = bank.question(qid), bank.rubric(qid)
        if curated is None or not curated.examples:
            continue
        auto = build_rubric(question)
        for ex in curated.examples:
            kind = ex.id.split("-")[0]
            got = grade(question, auto, ex.answer).score or 0.0
            cur = grade(question, curated, ex.answer).score or 0.0
            rows.append((qid, kind, ex.band[0], ex.band[1], cur, got))
            if args.per_answer:
                print(f"{got:.2f} (curated {cur:.2f}, band {ex.band[0]:.2f}-{ex.band[1]:.2f})  {qid}  {ex.id}")
    mid = [(lo + hi) / 2 for _, _, lo, hi, _, _ in rows]
    print(f"{len(rows)} golden examples of {len({r[0] for r in rows})} Russian questions, graded by automatic rubrics")
    print("| examples | n | auto mean | auto in band | curated mean |")
    print("|---|---|---|---|---|")
    by_kind: dict[str, list[tuple[str, str, float, float, float, float]]] = defaultdict(list)
    for r in rows:
        by_kind[r[1]].append(r)
    for kind in sorted(by_kind, key=lambda k: -statistics.mean(r[3] for r in by_kind[k])):
        rs = by_kind[kind]
        inside = sum(lo <= a <= hi for _, _, lo, hi, _, a in rs)
        print(f"| {kind} | {len(rs)} | {statistics.mean(r[5] for r in rs):.3f} | {inside}/{len(rs)} "
              f"| {statistics.mean(r[4] for r in rs):.3f} |")
    auto = [r[5] for r in rows]
    print(f"\nautomatic rubrics against the middle of each band: Pearson {pearson(mid, auto):.3f}, "
          f"Spearman {spearman(mid, auto):.3f}; in band {sum(lo <= a <= hi for _, _, lo, hi, _, a in rows)}"
          f"/{len(rows)}")


if __name__ == "__main__":
    main()
