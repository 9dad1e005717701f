"""How often the quote check (`grader.llm.grounding.quote_problem`) would reject an honest judge's quote.

An honest judge quotes the part of the answer that shows a point. For every point an answer covers, this takes
each sentence (and, stricter, each clause: sentences cut at commas, semicolons and dashes) of the answer as a
candidate quote and counts the point as rejected when no candidate passes the check. Answers and points:

- the bank's golden examples, with the points their authors list under `covers`;
- the held-out paraphrase set (tests/data/paraphrases.yaml), answers whose band starts at 0.7 or more, with the
  rubric's central points (required, or weight 2 and more), which such an answer makes.

Prints the rejection rate per set and lists the rejected points; then, for contrast, how many points of the
golden wrong and off-topic answers still have a clause that passes (the check asks that a quote be about the
point, not that it be right: wrong answers talk about the same subject). Asserts nothing.

    python benchmarks/quotes.py
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from grader.bank.store import Bank, packaged_bank
from grader.engine.lexical import feedback_lang, matcher_for
from grader.llm.grounding import locate_quote, quote_problem
from grader.models import KeyPoint, Question, Rubric

ROOT = Path(__file__).resolve().parent.parent
_SENTENCE = re.compile(r"[^.!?;\n]+")
_CLAUSE = re.compile(r"[^.!?;\n,—–]+")


def _accepted(question: Question, rubric: Rubric, answer: str, point: KeyPoint, pieces: re.Pattern[str]) -> bool:
    matcher = matcher_for(question, rubric)
    lang = feedback_lang(answer, question)
    for m in pieces.finditer(answer):
        span = locate_quote(m.group().strip(), answer) if m.group().strip() else None
        if span is not None and quote_problem(span, point, matcher, lang, []) is None:
            return True
    return False


def _cases(bank: Bank) -> dict[str, list[tuple[str, str, str]]]:
    """(question id, answer, point id) per set."""
    golden = [(qid, e.answer, pid) for qid in bank.ids() for e in bank.rubric(qid).examples for pid in e.covers]
    para = yaml.safe_load((ROOT / "tests" / "data" / "paraphrases.yaml").read_text(encoding="utf-8"))
    own = []
    for qid, items in para.items():
        central = [p.id for p in bank.rubric(qid).points if p.required or p.weight >= 2]
        own += [(qid, i["answer"], pid) for i in items if i.get("min", 0) >= 0.7 for pid in central]
    return {"golden examples (covers)": golden, "paraphrase set (central points)": own}


def main() -> None:
    bank = Bank(packaged_bank())
    for name, cases in _cases(bank).items():
        for label, pieces in (("sentence", _SENTENCE), ("clause", _CLAUSE)):
            rejected = []
            for qid, answer, pid in cases:
                q, r = bank.question(qid), bank.rubric(qid)
                point = next(p for p in r.points if p.id == pid)
                if not _accepted(q, r, answer, point, pieces):
                    rejected.append(f"{qid}:{pid}")
            rate = len(rejected) / len(cases)
            print(f"{name}, quoting a {label}: {len(rejected)}/{len(cases)} covered points rejected ({rate:.1%})")
            for item in rejected:
                print(f"    {item}")
    off = [
        (qid, e.answer, p.id)
        for qid in bank.ids()
        for e in bank.rubric(qid).examples
        if e.id in ("wrong", "off-topic")
        for p in bank.rubric(qid).points
    ]
    passing = sum(
        _accepted(bank.question(q), bank.rubric(q), a, next(p for p in bank.rubric(q).points if p.id == pid), _CLAUSE)
        for q, a, pid in off
    )
    print(
        f"golden wrong and off-topic answers: {passing}/{len(off)} points have a clause that passes "
        f"({passing / len(off):.1%})"
    )


if __name__ == "__main__":
    main()
