"""Leave-one-question-out agreement on every SAF question (training + unseen answers, English and German).

    python benchmarks/loqo.py [--saf ../shared/datasets/saf] [--per-question]

Zero-shot: each question's rubric is built from its own reference alone. What is fitted on human grades, the curve
from rubric coverage to a score (`grader.engine.scoring.fit_curve`), its relevance term (`fit_relevance`, with answers
to other questions as zeros: benchmarks/loqo_relevance.py) and, for soft matching (`grader.engine.soft`), its weight
and floor, is fitted on the other questions' answers only, then applied to the question left out. The
soft rows also fit on one language's questions and score the other's (a split of whole question sets). Prints
pooled and per-language Pearson, Spearman, MAE, QWK and mean bias (grader minus human), with the baselines computed
on the same answers.
"""

from __future__ import annotations

import argparse
import math
import statistics
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import loqo_graded  # benchmarks/loqo_graded.py, beside this script
import loqo_relevance
import loqo_soft
from rapidfuzz import fuzz

from grader.agreement.datasets import GradedAnswer, by_question, load
from grader.engine.metrics import agreement, label3
from grader.engine.scoring import AUTO_CURVE, RELEVANCE_CURVE, apply_curve, fit_curve
from grader.engine.soft import FLOOR, WEIGHT
from grader.engine.text import tokenize

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "saf"


def curves(groups: dict[str, list[GradedAnswer]], raw: dict[str, list[float]]) -> dict[str, tuple[float, float]]:
    """Each question's coverage curve, fitted on the other questions."""
    out = {}
    for qid in groups:
        xs = [x for k, v in raw.items() if k != qid for x in v]
        ys = [a.score for k, g in groups.items() if k != qid for a in g]
        out[qid] = fit_curve(xs, ys)
    return out


def tfidf_loqo(groups: dict[str, list[GradedAnswer]]) -> dict[str, list[float]]:
    """TF-IDF cosine(reference, answer), document frequencies from the other questions' texts."""
    stems = {qid: [set(tokenize(a.answer, a.lang).stems) for a in g] for qid, g in groups.items()}
    out = {}
    for qid, group in groups.items():
        df: Counter[str] = Counter()
        n = 0
        for k, docs in stems.items():
            if k != qid:
                for d in docs:
                    df.update(d)
                n += len(docs)

        ref = _tfidf(group[0].reference, group[0].lang, df, n)
        out[qid] = [_cos(ref, _tfidf(a.answer, a.lang, df, n)) for a in group]
    return out


def _tfidf(text: str, lang: str, df: Counter[str], n: int) -> dict[str, float]:
    c = Counter(tokenize(text, lang).stems)
    return {t: k * math.log((1 + n) / (1 + df[t])) for t, k in c.items()}


def _cos(a: dict[str, float], b: dict[str, float]) -> float:
    dot = sum(v * b.get(t, 0.0) for t, v in a.items())
    na, nb = math.sqrt(sum(v * v for v in a.values())), math.sqrt(sum(v * v for v in b.values()))
    return dot / (na * nb) if na and nb else 0.0


def report(name: str, groups: dict[str, list[GradedAnswer]], pred: dict[str, list[float]]) -> None:
    cells = [name]
    for lang in (None, "en", "de"):
        p = [s for qid, g in groups.items() if lang in (None, g[0].lang) for s in pred[qid]]
        h = [a.score for qid, g in groups.items() if lang in (None, g[0].lang) for a in g]
        m = agreement(p, h, [label3(x, 0.2, 0.8) for x in p], [label3(x) for x in h])
        bias = statistics.fmean(p) - statistics.fmean(h)
        cells += [f"{m.pearson:.3f}", f"{m.spearman:.3f}", f"{m.mae:.3f}", f"{m.qwk:.3f}", f"{bias:+.3f}"]
    print("| " + " | ".join(cells) + " |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--saf", type=Path, default=DEFAULT)
    ap.add_argument("--per-question", action="store_true", help="also the mean bias and Pearson of each question")
    ap.add_argument("--sample", type=int, default=0, help="only every Nth answer of each question (quick looks)")
    args = ap.parse_args()
    table(args.saf, sample=args.sample, per_question=args.per_question)


def table(saf: Path, *, sample: int = 0, per_question: bool = False) -> None:
    """Print the leave-one-question-out table (and, with `per_question`, each question's bias and Pearson)."""
    answers = load(saf / "training") + load(saf / "unseen_answers")
    groups = by_question(answers)
    if sample > 1:
        groups = {q: g[::sample] for q, g in groups.items()}
        answers = [a for g in groups.values() for a in g]
    sets = loqo_graded.graded(groups)  # each answer graded once, for both fits
    own, off = loqo_relevance.raws(sets)
    raw = {qid: [r.coverage for r in rows] for qid, rows in own.items()}
    fitted = curves(groups, raw)
    plain = {q: [apply_curve(x, fitted[q]) for x in xs] for q, xs in raw.items()}
    ours, offs = loqo_relevance.loqo(groups, own, off)
    n_en = sum(len(g) for g in groups.values() if g[0].lang == "en")
    print(f"SAF, every question left out in turn: {len(answers)} answers ({n_en} English, "
          f"{len(answers) - n_en} German), {len(groups)} questions; human score 0..1")
    head = ["method"] + [f"{s} {m}" for s in ("all", "en", "de") for m in ("Pearson", "Spearman", "MAE", "QWK", "bias")]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    scorers: list[tuple[str, Callable[[], dict[str, list[float]]]]] = [
        ("rapidfuzz token_set_ratio(reference, answer)",
         lambda: {q: [fuzz.token_set_ratio(a.reference, a.answer) / 100 for a in g] for q, g in groups.items()}),
        ("TF-IDF cosine(reference, answer)", lambda: tfidf_loqo(groups)),
        ("answer length / longest of its question",
         lambda: {q: [len(a.answer) / max(len(b.answer) for b in g) for a in g] for q, g in groups.items()}),
        ("grader raw coverage (no curve)", lambda: raw),
        ("grader zero-shot, coverage curve alone (before the relevance term)", lambda: plain),
        ("grader zero-shot (curve and relevance term fitted leaving the question out)", lambda: ours),
    ]
    parts = loqo_soft.parts(sets)
    soft_raws = loqo_soft.raws(parts)
    scorers += [
        ("grader zero-shot, curve fitted on the other language's questions only",
         lambda: loqo_soft.loqo(groups, parts, {k: v for k, v in soft_raws.items() if not k[0]}, other_language=True)),
        ("grader zero-shot + soft matching (weight, floor, curve fitted leaving the question out)",
         lambda: loqo_soft.loqo(groups, parts, soft_raws)),
        ("  the same, fitted on the other language's questions only",
         lambda: loqo_soft.loqo(groups, parts, soft_raws, other_language=True)),
    ]
    for name, scorer in scorers:
        report(name, groups, scorer())
    every = fit_curve([x for v in raw.values() for x in v], [a.score for g in groups.values() for a in g])
    print(f"\ncurve fitted on every question (scale, power): {every}; the grader ships {AUTO_CURVE}")
    _, pen = loqo_relevance.fit(own, off, list(groups))
    print(f"relevance term fitted on every question (lift, level): {pen}; the grader ships {RELEVANCE_CURVE}")
    plain_off = {q: [apply_curve(r.coverage, fitted[q]) for r in off[q]] for q in groups}
    print(loqo_relevance.off_line("coverage curve alone", groups, plain_off))
    print(loqo_relevance.off_line("curve and relevance term", groups, offs))
    weight, floor, curve = loqo_soft.fit(soft_raws, parts, list(groups))
    print(f"soft matching fitted on every question (weight, floor, curve): {weight}, {floor}, {curve}; "
          f"the grader ships {WEIGHT}, {FLOOR}, {AUTO_CURVE}")
    print(loqo_soft.off_topic(soft_raws, parts))
    if per_question:
        print("\n| question | lang | n | human mean | grader mean | bias | Pearson |")
        print("|---|---|---|---|---|---|---|")
        for qid, g in groups.items():
            h = [a.score for a in g]
            m = agreement(ours[qid], h, ["partial"] * len(g), ["partial"] * len(g))
            print(f"| {qid} | {g[0].lang} | {len(g)} | {statistics.fmean(h):.2f} | {statistics.fmean(ours[qid]):.2f} "
                  f"| {statistics.fmean(ours[qid]) - statistics.fmean(h):+.2f} | {m.pearson:.3f} |")


if __name__ == "__main__":
    main()
