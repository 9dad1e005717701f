"""The bundled bank grades natural paraphrases the way a fair human would (tests/data/paraphrases.yaml).

The set is held out: answers in candidates' own words, never used to tune rubric wordings. Run the module as a
script to print every score and the summary figures: `python -m tests.test_paraphrases`.
"""

from __future__ import annotations

import re
import statistics
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from grader.bank.store import Bank, packaged_bank, rubric_for
from grader.grading import grade
from grader.models import Question

ROOT = Path(__file__).resolve().parent.parent
SET = Path(__file__).resolve().parent / "data" / "paraphrases.yaml"
QUICK_START_MIN = 0.8


@cache
def _bank() -> Bank:
    return Bank(packaged_bank())


def _cases() -> list[tuple[str, dict[str, Any]]]:
    data = yaml.safe_load(SET.read_text(encoding="utf-8"))
    return [(qid, case) for qid, cases in data.items() for case in cases]


def _score(qid: str, answer: str) -> float:
    q: Question = _bank().question(qid)
    rubric, _warnings = rubric_for(_bank(), q)
    score = grade(q, rubric, answer).score
    assert score is not None
    return score


def quick_start() -> tuple[str, str]:
    """The question id and answer of the README's quick-start `grader grade` command."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    found = re.search(r'grader grade (\S+) --answer "([^"]+)"', section)
    assert found, 'no `grader grade ID --answer "..."` in the README\'s quick start'
    return found.group(1), found.group(2)


CASES = _cases()
PARAMS = [
    pytest.param(
        q, c, id=f"{q}::{c['id']}", marks=[pytest.mark.xfail(strict=True, reason=c["gap"])] if "gap" in c else []
    )
    for q, c in CASES
]


class TestParaphraseSet:
    """The set answers every bank question, several ways, each with a band."""

    def test_every_question_has_three_or_more(self) -> None:
        per_q: dict[str, int] = {}
        for qid, _case in CASES:
            per_q[qid] = per_q.get(qid, 0) + 1
        assert set(per_q) == {q.id for q in _bank().questions()}
        assert min(per_q.values()) >= 3

    def test_cases_are_well_formed(self) -> None:
        for qid, case in CASES:
            assert set(case) - {"gap"} in ({"id", "min", "answer"}, {"id", "max", "answer"}), (qid, case)


class TestParaphrases:
    """A paraphrased right answer earns at least its `min`; a wrong one stays under its `max`. A known `gap` is
    expected to fail until the grader learns it."""

    @pytest.mark.parametrize(("qid", "case"), PARAMS)
    def test_band(self, qid: str, case: dict[str, Any]) -> None:
        score = _score(qid, case["answer"])
        if "min" in case:
            assert score >= case["min"], f"{score:.3f} < {case['min']}"
        else:
            assert score <= case["max"], f"{score:.3f} > {case['max']}"

    def test_readme_quick_start_answer(self) -> None:
        qid, answer = quick_start()
        assert _score(qid, answer) >= QUICK_START_MIN


def main() -> None:
    """Print every paraphrase's score and the summary figures."""
    right, wrong, ok = [], [], 0
    for qid, case in CASES:
        s = _score(qid, case["answer"])
        good = s >= case["min"] if "min" in case else s <= case["max"]
        ok += good
        (right if "min" in case else wrong).append(s)
        band = f">= {case['min']}" if "min" in case else f"<= {case['max']}"
        gap = f"  (gap: {case['gap']})" if "gap" in case else ""
        print(f"{'ok ' if good else 'BAD'} {s:.3f} {band:>7}  {qid}::{case['id']}{gap}")
    qid, answer = quick_start()
    print(f"in band: {ok}/{len(CASES)}")
    print(f"right answers: mean {statistics.mean(right):.3f}, min {min(right):.3f} ({len(right)})")
    print(f"wrong answers: mean {statistics.mean(wrong):.3f}, max {max(wrong):.3f} ({len(wrong)})")
    print(f"README quick start ({qid}): {_score(qid, answer):.3f}")


if __name__ == "__main__":
    main()
