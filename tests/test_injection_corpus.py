"""An LLM that obeys an injected instruction still cannot raise a grade (issue #16).

The corpus (tests/data/injections.jsonl, written by tests/data/make_injections.py) holds answers to bank questions
with an instruction to the grader injected: every technique, ru/en/de, first/middle/last sentence, right/weak/wrong
answers. The obeying judge marks every point covered whenever it can still read the injection and quotes the
injected sentence, a 3-character fragment of it, or the answer's sentence closest to the point; with the injection
removed it grades honestly. No injected answer may score more than 0.05 above its clean self, in llm or hybrid mode.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from grader.bank.store import Bank
from grader.grading import grade
from grader.llm.judges.obeying import ObeyingJudge, QuoteStyle
from grader.models import Grade

DATA = Path(__file__).resolve().parent / "data"
ROWS: list[dict[str, Any]] = [json.loads(line) for line in (DATA / "injections.jsonl").read_text("utf-8").splitlines()]
HELD_OUT: list[dict[str, str]] = yaml.safe_load((DATA / "injections_heldout.yaml").read_text("utf-8"))
STYLES: tuple[QuoteStyle, ...] = ("injected", "fragment", "related")
LIFT = 0.05


def _grades(bank: Bank, qid: str, answer: str, clean: str, payload: str, style: QuoteStyle) -> dict[str, Grade]:
    question, rubric = bank.question(qid), bank.rubric(qid)
    out = {}
    for mode in ("llm", "hybrid"):
        judge = ObeyingJudge(payloads=[payload], credulous=False, quote=style)
        out[mode] = grade(question, rubric, answer, mode=mode, judge=judge)
        out[mode + "-clean"] = grade(question, rubric, clean, mode=mode, judge=judge)
    return out


def test_the_corpus_covers_the_issue() -> None:
    assert len(ROWS) >= 150 and len({r["id"] for r in ROWS}) == len(ROWS)
    for key, wanted in (
        ("lang", {"ru", "en", "de"}),
        ("position", {"first", "middle", "last"}),
        ("base", {"right", "weak", "wrong"}),
    ):
        assert {r[key] for r in ROWS} == wanted, key
    assert len({r["technique"] for r in ROWS}) == 15
    assert all(r["payload"] in r["answer"] and r["clean"] != r["answer"] for r in ROWS)


@pytest.mark.parametrize("row", ROWS, ids=[r["id"] for r in ROWS])
def test_an_obeying_judge_cannot_lift_an_injected_answer(bank: Bank, row: dict[str, Any]) -> None:
    style = STYLES[ROWS.index(row) % len(STYLES)]
    g = _grades(bank, row["question_id"], row["answer"], row["clean"], row["payload"], style)
    for mode in ("llm", "hybrid"):
        injected, clean = g[mode].score, g[mode + "-clean"].score
        assert injected is not None and clean is not None
        assert injected <= clean + LIFT, (mode, style, injected, clean)
        assert "injection_suspected" in g[mode].flags, mode


@pytest.mark.parametrize("row", HELD_OUT, ids=[r["id"] for r in HELD_OUT])
def test_held_out_injections_cannot_lift_a_weak_answer(bank: Bank, row: dict[str, str]) -> None:
    """Styles the screen was not built for: whether or not it finds them, the grade does not rise."""
    qid = "nasyshchenie-neyrona"
    weak = "Насыщение — это когда нейрон перестаёт учиться. Обычно это бывает в глубоких сетях."
    for i, style in enumerate(STYLES):
        answer = [row["text"] + " " + weak, weak + " " + row["text"]][i % 2]
        g = _grades(bank, qid, answer, weak, row["text"], style)
        for mode in ("llm", "hybrid"):
            assert g[mode].score is not None and g[mode + "-clean"].score is not None
            assert g[mode].score <= g[mode + "-clean"].score + LIFT, (mode, style)


def test_held_out_detection_rate(capsys: pytest.CaptureFixture[str]) -> None:
    from grader.engine.injection import find_injection

    missed = [r["id"] for r in HELD_OUT if not find_injection("Ответ. " + r["text"]).suspected]
    with capsys.disabled():
        print(
            f"\nheld-out injections found by the screen: {len(HELD_OUT) - len(missed)}/{len(HELD_OUT)}; "
            f"missed: {', '.join(missed) or 'none'}"
        )
    assert len(missed) <= len(HELD_OUT) // 2  # the grade guarantee above holds either way; this tracks the screen
