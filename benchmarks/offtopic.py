"""Answers to ANOTHER question: how much credit they earn. A person gives them 0.

    python benchmarks/offtopic.py [--saf ../shared/datasets/saf] [--data benchmarks/offtopic.yaml] [--per-answer]

Three sets, each graded as the grader ships (lexical mode):

- **SAF**: up to 15 full-credit answers (human score 1.0) per question, graded against their own question and
  against every other question of their language (automatic rubrics built from the references). Not held out: the
  automatic curve and its relevance term (`grader.engine.scoring`) were fitted on SAF, off-topic answers included;
  `benchmarks/loqo.py` prints the held-out SAF figure (each question left out of the fit).
- **bank (ru)**: each bank question's reference graded against every other bank question (hand rubrics: the
  relevance term does not apply to them; a check that they stay as they were).
- **held-out cases** (`benchmarks/offtopic.yaml`): questions of one field per language (ru, en, de) with full and
  partial answers written for this check before the relevance term was tuned; each answer graded against its own
  question (it must keep its credit) and against the others of its language (a person gives 0).

Prints, per set and language: mean score on the answer's own question, mean on other questions, and the share of
those >= 0.5 and >= 0.8.
"""

from __future__ import annotations

import argparse
import random
import statistics
from collections.abc import Sequence
from pathlib import Path

import yaml
from fresh import SAF, bank_items

from grader.agreement.datasets import load
from grader.agreement.evaluate import auto_rubrics
from grader.engine.rubric import build_rubric
from grader.grading import grade
from grader.models import Question, Rubric

DATA = Path(__file__).with_name("offtopic.yaml")
PER_QUESTION = 15


def line(name: str, own: Sequence[float], cross: Sequence[float]) -> str:
    """One row: own mean, cross mean, cross >= 0.5 and >= 0.8, count of cross grades."""
    return (f"| {name} | {statistics.fmean(own):.3f} | {statistics.fmean(cross):.3f} | "
            f"{sum(c >= 0.5 for c in cross) / len(cross):.3f} | {sum(c >= 0.8 for c in cross) / len(cross):.3f} | "
            f"{len(cross)} |")  # fmt: skip


def saf_rows(saf: Path) -> list[str]:
    """Full-credit SAF answers against their own and every other question of their language."""
    answers = load(saf)
    pairs = auto_rubrics(answers)
    good: dict[str, list[str]] = {}
    for a in answers:
        if a.score >= 0.99 and a.answer.strip():
            good.setdefault(a.question_id, []).append(a.answer)
    rng = random.Random(1)
    rows = []
    for lang in ("en", "de"):
        ids = [q for q, (question, _) in pairs.items() if question.lang == lang]
        own, cross = [], []
        for i in ids:
            sample = rng.sample(good.get(i, []), min(PER_QUESTION, len(good.get(i, []))))
            for text in sample:
                own.append(_score(*pairs[i], text))
                cross += [_score(*pairs[j], text) for j in ids if j != i]
        rows.append(line(f"SAF {lang} (not held out)", own, cross))
    return rows


def bank_row() -> str:
    """Each bank reference against every other bank question (hand rubrics)."""
    bank = bank_items()
    own = [_score(it.question, it.rubric, it.question.reference) for it in bank]
    cross = [_score(jt.question, jt.rubric, it.question.reference) for it in bank for jt in bank if jt is not it]
    return line("bank ru references (hand rubrics)", own, cross)


def held_out(path: Path, per_answer: bool = False) -> list[str]:
    """The YAML's answers against their own question and the others of their language, per language and kind."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    questions = {q["id"]: Question(**q) for q in data["questions"]}
    rubrics = {k: build_rubric(q) for k, q in questions.items()}
    scores: dict[tuple[str, str], tuple[list[float], list[float]]] = {}
    detail = []
    for a in data["answers"]:
        mine = questions[a["for"]]
        own = _score(mine, rubrics[a["for"]], a["text"])
        others = [k for k, q in questions.items() if k != a["for"] and q.lang == mine.lang]
        cross = {k: _score(questions[k], rubrics[k], a["text"]) for k in others}
        cell = scores.setdefault((mine.lang, a["kind"]), ([], []))
        cell[0].append(own)
        cell[1].extend(cross.values())
        each = ", ".join(f"{k} {v:.2f}" for k, v in cross.items())
        detail.append(f"  {a['for']} {a['kind']}: own {own:.2f}; {each}")
    rows = [line(f"held out {lang}, {kind} answers", o, c) for (lang, kind), (o, c) in sorted(scores.items())]
    every = [s for o, c in scores.values() for s in c]
    rows.append(line("held out, all", [s for o, _ in scores.values() for s in o], every))
    return rows + (detail if per_answer else [])


def _score(question: Question, rubric: Rubric, answer: str) -> float:
    return grade(question, rubric, answer).score or 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--saf", type=Path, default=SAF, help="SAF's folder (every answer under it)")
    ap.add_argument("--data", type=Path, default=DATA, help="held-out questions and answers (YAML)")
    ap.add_argument("--per-answer", action="store_true", help="also each held-out answer's scores")
    args = ap.parse_args()
    print("| set | own mean | other questions: mean | >= 0.5 | >= 0.8 | n |")
    print("|---|---|---|---|---|---|")
    rows = held_out(args.data, args.per_answer)
    rows.insert(0, bank_row())
    if args.saf.is_dir():
        rows[:0] = saf_rows(args.saf)
    print("\n".join(rows))


if __name__ == "__main__":
    main()
