"""Attacks on the grade, per class: keyword dumps, word salads, negated and role-swapped references, answers to
another question, and terse real answers as the control (benchmarks/attacks.yaml), on the bundled bank (curated
rubrics) and on rubrics built automatically from a reference (as `grader evaluate` builds them).

    python benchmarks/attacks.py            # a summary per class
    python benchmarks/attacks.py -v         # and one line per answer
    python benchmarks/attacks.py --data benchmarks/attacks_roles.yaml   # the second set, written after the checks
    python benchmarks/attacks.py --data benchmarks/attacks_claims.yaml  # claims not made: asked, disowned, vague, wrong
    python benchmarks/attacks.py --data benchmarks/attacks_claims2.yaml # the same classes, held out (written unseen)
    python benchmarks/attacks.py --data benchmarks/attacks_hedge.yaml   # hedges ("X or not X"), empty frames
    python benchmarks/attacks.py --data benchmarks/attacks_topic.yaml   # answers about something else, echoes
    python benchmarks/attacks.py --data benchmarks/attacks_contrast.yaml  # exchanged contrasts
    python benchmarks/attacks.py --data benchmarks/attacks_polarity.yaml  # negation, typos, word families (held out)

For each class: how many answers, the mean score, how many exceed the fair maximum (for the control `terse`: how
many fall below their minimum or are flagged `keyword_list`).
"""

from __future__ import annotations

import argparse
import random
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

from grader.bank.store import Bank, packaged_bank, rubric_for
from grader.engine.rubric import build_rubric
from grader.grading import grade
from grader.models import Question, Rubric

DATA = Path(__file__).with_suffix(".yaml")
FAIR_MAX = {"keywords": 0.5, "salad": 0.5, "negated": 0.3, "swapped": 0.4, "other": 0.4, "echo": 0.3,
            "asked": 0.3, "disowned": 0.3, "vague": 0.4, "wrong": 0.4, "hedge": 0.3,
            "misspelt-wrong": 0.4, "family-false": 0.4}


def shuffled(reference: str, seed: int) -> str:
    """The reference's words in a random order, lower-cased and without punctuation (as an attacker would paste)."""
    words = [w.strip(".,;:()").lower() for w in reference.split()]
    random.Random(seed).shuffle(words)
    return " ".join(w for w in words if w)


def targets(data: dict[str, Any]) -> list[tuple[str, Question, Rubric, list[dict[str, Any]]]]:
    """(where, question, rubric, cases) for every bank question and automatic rubric in the data."""
    bank = Bank(packaged_bank())
    out = []
    for qid, cases in data.get("bank", {}).items():
        question = bank.question(qid)
        rubric, _warnings = rubric_for(bank, question)
        out.append((f"bank:{qid}", question, rubric, cases))
    for entry in data.get("auto", []):
        question = Question(id=entry["id"], question=entry["question"], reference=entry["reference"],
                            lang=entry["lang"])
        out.append((f"auto:{entry['id']}", question, build_rubric(question), entry["cases"]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per answer")
    parser.add_argument("--data", type=Path, default=DATA, help="the cases (default: attacks.yaml beside this)")
    args = parser.parse_args()
    rows: dict[str, list[tuple[float, bool]]] = defaultdict(list)  # class -> (score, beyond its fair bound)
    for where, question, rubric, cases in targets(yaml.safe_load(args.data.read_text(encoding="utf-8"))):
        for case in cases:
            kind = case["kind"]
            answer = shuffled(question.reference, case["shuffle"]) if "shuffle" in case else case["answer"]
            g = grade(question, rubric, answer)
            score = g.score or 0.0
            if kind == "terse":
                bad = score < case["min"] - 1e-9 or "keyword_list" in g.flags
            else:
                bad = score > FAIR_MAX[kind] + 1e-9
            rows[kind].append((score, bad))
            if args.verbose:
                mark = "BAD" if bad else "ok "
                print(f"{mark} {score:.2f} {kind:8} {where:50} {','.join(g.flags):22} {answer[:70]!r}")
    if args.verbose:
        print()
    print("| class | n | fair bound | mean score | beyond the bound |")
    print("|---|---|---|---|---|")
    for kind in [*FAIR_MAX, "terse"]:
        got = rows.get(kind, [])
        if not got:
            continue
        bound = f"max {FAIR_MAX[kind]}" if kind in FAIR_MAX else "min per case, no keyword_list flag"
        mean = statistics.mean(s for s, _ in got)
        print(f"| {kind} | {len(got)} | {bound} | {mean:.3f} | {sum(b for _, b in got)} |")


if __name__ == "__main__":
    main()
