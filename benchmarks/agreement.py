"""Agreement with human graders on SAF (English + German): zero-shot on questions left out, then unseen_answers.

First the leave-one-question-out table of benchmarks/loqo.py (every SAF question, training and unseen answers:
the zero-shot figure, on questions the grader was not fitted on); then SAF unseen_answers with baselines, and with
the training answers as graded examples.

    python benchmarks/agreement.py [--saf ../shared/datasets/saf]
    python benchmarks/agreement.py --curve 5,10,20,50     # with only the first N graded answers per question

Calibration and graded examples come from SAF training/ only; figures are on unseen_answers/.
"""

from __future__ import annotations

import argparse
import math
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import loqo  # benchmarks/loqo.py, beside this script
from rapidfuzz import fuzz

from grader.agreement import calibration
from grader.agreement.datasets import GradedAnswer, by_question, load
from grader.agreement.evaluate import raw_scores
from grader.engine import exemplars
from grader.engine.metrics import agreement, label3, pearson
from grader.engine.text import content_stems, tokenize

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "saf"


def tfidf_cosine(answers: Sequence[GradedAnswer], corpus: Sequence[str]) -> list[float]:
    df: Counter[str] = Counter()
    for text in corpus:
        df.update(set(tokenize(text, "en").stems))
    n = len(corpus)

    def vec(text: str) -> dict[str, float]:
        c = Counter(tokenize(text, "en").stems)
        return {t: k * math.log((1 + n) / (1 + df[t])) for t, k in c.items()}

    return [_cos(vec(a.reference), vec(a.answer)) for a in answers]


def _cos(a: dict[str, float], b: dict[str, float]) -> float:
    dot = sum(v * b.get(t, 0.0) for t, v in a.items())
    na, nb = math.sqrt(sum(v * v for v in a.values())), math.sqrt(sum(v * v for v in b.values()))
    return dot / (na * nb) if na and nb else 0.0


def knn_vote(
    answers: Sequence[GradedAnswer], train: Sequence[GradedAnswer], k: int = 10, power: float = 1.0
) -> list[float]:
    """Mean score of the k most similar graded training answers to the same question, weighted by similarity**power
    (Jaccard of content stems)."""
    groups = by_question(train)
    out = []
    for a in answers:
        mine = content_stems(a.answer, a.lang)
        sims = []
        for t in groups.get(a.question_id, []):
            theirs = content_stems(t.answer, t.lang)
            union = mine | theirs
            sims.append((len(mine & theirs) / len(union) if union else 0.0, t.score))
        top = sorted(sims, reverse=True)[:k]
        total = sum(s**power for s, _ in top)
        out.append(sum(s**power * y for s, y in top) / total if total else 0.5)
    return out


def curve(train: Sequence[GradedAnswer], test: Sequence[GradedAnswer], sizes: Sequence[int]) -> None:
    """Pearson on unseen_answers when only the first N graded training answers of each question are known."""
    human = [a.score for a in test]
    print(f"SAF unseen_answers, {len(test)} answers: Pearson r with the first N training answers per question")
    print("| N per question | nearest-neighbour vote | vote, similarity^4 | grader + examples, raw |")
    print("|---|---|---|---|")
    for n in sizes:
        sub = [a for group in by_question(train).values() for a in group[:n]]
        figures = [knn_vote(test, sub), knn_vote(test, sub, power=4), raw_scores(test, sub)]
        print(f"| {n} | " + " | ".join(f"{pearson(f, human):.3f}" for f in figures) + " |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--saf", type=Path, default=DEFAULT)
    ap.add_argument("--curve", default="", help="also: Pearson with only the first N training answers per question, "
                    "for each N in this comma-separated list")  # fmt: skip
    args = ap.parse_args()
    train, test = load(args.saf / "training"), load(args.saf / "unseen_answers")
    if args.curve:
        curve(train, test, [int(n) for n in args.curve.split(",")])
        return
    loqo.table(args.saf)  # the zero-shot figure: questions the grader was not fitted on
    print()
    human = [a.score for a in test]
    longest = max(len(a.answer) for a in test) or 1
    rows: list[tuple[str, list[float], calibration.Calibration | None]] = [
        (
            "rapidfuzz token_set_ratio(reference, answer)",
            [fuzz.token_set_ratio(a.reference, a.answer) / 100 for a in test],
            None,
        ),
        (
            "TF-IDF cosine(reference, answer)",
            tfidf_cosine(test, [a.answer for a in train] + [a.reference for a in test]),
            None,
        ),
        ("answer length / longest", [len(a.answer) / longest for a in test], None),
        ("nearest-neighbour vote (k=10, training answers)", knn_vote(test, train), None),
        ("nearest-neighbour vote (k=10, similarity^4)", knn_vote(test, train, power=4), None),
    ]
    zero = raw_scores(test)
    zero_cal = calibration.fit(raw_scores(train), [a.score for a in train])
    taught = raw_scores(test, train)
    taught_cal = calibration.fit(raw_scores(train, train), [a.score for a in train])  # each leaves itself out
    exemplars.LEARN_WORDINGS = False
    unlearned = raw_scores(test, train)
    exemplars.LEARN_WORDINGS = True
    rows += [
        ("grader zero-shot, raw", zero, None),
        ("grader zero-shot, calibrated on training", [zero_cal.apply(s) for s in zero], zero_cal),
        ("grader + training answers as examples, raw", taught, None),
        ("  the same without learned wordings, raw", unlearned, None),
        ("grader + examples, calibrated on training", [taught_cal.apply(s) for s in taught], taught_cal),
    ]
    print(f"SAF unseen_answers, English + German, {len(test)} answers, human score 0..1")
    print("| method | Pearson r | Spearman | MAE | RMSE | QWK | 3-way acc |")
    print("|---|---|---|---|---|---|---|")
    for name, pred, cal in rows:
        low, high = (cal.low, cal.high) if cal else (0.2, 0.8)
        m = agreement(pred, human, [label3(p, low, high) for p in pred], [label3(h) for h in human])
        print(
            f"| {name} | {m.pearson:.3f} | {m.spearman:.3f} | {m.mae:.3f} | {m.rmse:.3f} | {m.qwk:.3f} "
            f"| {m.accuracy3:.3f} |"
        )


if __name__ == "__main__":
    main()
