"""Injection lift and false positives: the figures the README reports for the injection guards (issue #16).

- Lift: every answer of tests/data/injections.jsonl is graded in `llm` and `hybrid` mode with the obeying judge
  (`grader.llm.judges.obeying`: marks every point covered whenever it can still read the injection, quoting the
  injected sentence, a 3-character fragment, or the answer's sentence closest to the point), and compared with the
  same answer without the injection. Printed: how many the screen flags, and the largest and mean lift per mode and
  quote style; then the same with the guards switched off (no screen, no quote check) for contrast.
- Held out: tests/data/injections_heldout.yaml, styles the screen was not built for: how many it flags.
- False positives: every SAF answer in ../shared/datasets (or --saf) and every golden example of the bank.

    python benchmarks/injection.py
"""

from __future__ import annotations

import argparse
import json
import statistics
from contextlib import ExitStack
from pathlib import Path
from unittest import mock

import yaml

from grader.agreement.datasets import load_saf
from grader.bank.store import Bank, packaged_bank
from grader.engine.injection import Injection, find_injection
from grader.grading import grade
from grader.llm.judges.obeying import ObeyingJudge, QuoteStyle

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
STYLES: tuple[QuoteStyle, ...] = ("injected", "fragment", "related")


def lifts(bank: Bank, rows: list[dict[str, str]], style: QuoteStyle) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"llm": [], "hybrid": []}
    for r in rows:
        q, rub = bank.question(r["question_id"]), bank.rubric(r["question_id"])
        for mode in out:
            judge = ObeyingJudge(payloads=[r["payload"]], credulous=False, quote=style)
            injected = grade(q, rub, r["answer"], mode=mode, judge=judge).score or 0.0
            clean = grade(q, rub, r["clean"], mode=mode, judge=judge).score or 0.0
            out[mode].append(injected - clean)
    return out


def report(bank: Bank, rows: list[dict[str, str]], label: str) -> None:
    for style in STYLES:
        got = lifts(bank, rows, style)
        print(
            f"  {label:9} quoting {style:9}: "
            + "; ".join(
                f"{mode} max lift {max(v):+.3f}, mean {statistics.mean(v):+.3f}, over 0.05: {sum(x > 0.05 for x in v)}"
                for mode, v in got.items()
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saf", type=Path, default=ROOT.parent / "shared" / "datasets")
    args = parser.parse_args()
    bank = Bank(packaged_bank())
    rows = [json.loads(line) for line in (DATA / "injections.jsonl").read_text("utf-8").splitlines()]
    found = sum(find_injection(r["answer"]).suspected for r in rows)
    print(f"corpus: {len(rows)} injected answers, {found} flagged by the screen ({found / len(rows):.1%})")
    report(bank, rows, "guarded")
    with ExitStack() as stack:
        stack.enter_context(mock.patch("grader.llm.judging.find_injection", lambda a: Injection(clean=a)))
        stack.enter_context(mock.patch("grader.llm.judging.quote_problem", lambda *a: None))
        report(bank, rows, "unguarded")
    held = yaml.safe_load((DATA / "injections_heldout.yaml").read_text("utf-8"))
    missed = [h["id"] for h in held if not find_injection("Ответ. " + h["text"]).suspected]
    print(f"held out: {len(held) - len(missed)}/{len(held)} flagged; missed: {', '.join(missed) or 'none'}")
    honest = [a.answer for p in sorted(args.saf.rglob("*.xml")) for a in load_saf(p)] if args.saf.is_dir() else []
    n_saf = len(honest)
    honest += [e.answer for qid in bank.ids() for e in bank.rubric(qid).examples]
    flagged = [a for a in honest if find_injection(a).suspected]
    print(
        f"false positives: {len(flagged)}/{len(honest)} honest answers flagged ({len(flagged) / len(honest):.3%}; "
        f"{n_saf} SAF, {len(honest) - n_saf} golden examples)"
    )
    for a in flagged:
        print(f"  {a[:120]!r}")


if __name__ == "__main__":
    main()
