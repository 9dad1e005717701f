"""The injection screen leaves honest answers alone: every answer of the public SAF data (../shared/datasets, beside
the checkout, as in CI) and every golden example of the bank goes through it; at most 0.2 % may be flagged, and each
flagged one is listed in the test output."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.agreement.datasets import load_saf
from grader.bank.store import Bank
from grader.engine.injection import find_injection

ROOT = Path(__file__).resolve().parent.parent
# ../shared beside the checkout (CI), or beside the folder of worktrees the checkout sits in
DATASETS = next(
    (d / "shared" / "datasets" for d in (ROOT.parent, ROOT.parent.parent) if (d / "shared" / "datasets").is_dir()),
    ROOT.parent / "shared" / "datasets",
)
MAX_RATE = 0.002


def _answers(bank: Bank) -> list[tuple[str, str]]:
    answers = [
        (f"{p.relative_to(DATASETS)}:{a.id}", a.answer) for p in sorted(DATASETS.rglob("*.xml")) for a in load_saf(p)
    ]
    for qid in bank.ids():
        answers += [(f"{qid}::{e.id}", e.answer) for e in bank.rubric(qid).examples]
    return answers


def test_false_positive_rate(bank: Bank, capsys: pytest.CaptureFixture[str]) -> None:
    if not DATASETS.is_dir():
        pytest.skip(f"the shared data sets are not at {DATASETS}")
    answers = _answers(bank)
    assert len(answers) > 3500  # SAF's 3,533 answers and the bank's golden examples
    flagged = [(name, [s.text for s in inj.spans]) for name, text in answers if (inj := find_injection(text)).suspected]
    rate = len(flagged) / len(answers)
    with capsys.disabled():
        print(f"\ninjection screen on {len(answers)} honest answers: {len(flagged)} flagged ({rate:.3%})")
        for name, spans in flagged:
            print(f"  flagged {name}: {spans}")
    assert rate <= MAX_RATE
