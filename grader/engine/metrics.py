"""Agreement between predicted and human scores. Pure; no numpy.

Scores are on 0..1. Quadratic weighted kappa needs categories: scores are discretised to quarters
(`round(4 * s)`, five bins 0, 0.25, 0.5, 0.75, 1), the step SAF and most point-based rubrics use. The 3-way label
(`label3`) is incorrect at or below `low`, correct at or above `high`, partial between; for human scores the
defaults (0 incorrect, 1 correct) are SAF's own rule, for predictions the thresholds come from calibration.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from grader.models import Model

LABELS = ("incorrect", "partial", "correct")
KAPPA_BINS = 4  # score * 4 rounded: quarters


class Metrics(Model):
    n: int
    pearson: float | None  # None: undefined, one side's scores are constant (or fewer than 2 answers)
    spearman: float | None
    mae: float
    rmse: float
    qwk: float  # quadratic weighted kappa on quarters
    accuracy3: float  # 3-way accuracy, incorrect / partial / correct
    confusion: list[list[int]]  # rows: human label, columns: predicted label, in LABELS order


def pearson(x: Sequence[float], y: Sequence[float]) -> float:
    """Pearson correlation; 0.0 when either side is constant (no linear relation can be measured)."""
    n = len(x)
    if n != len(y):
        raise ValueError("x and y differ in length")
    if n < 2:
        return 0.0
    mx, my = sum(x) / n, sum(y) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    return sxy / math.sqrt(sxx * syy) if sxx > 0 and syy > 0 else 0.0


def ranks(x: Sequence[float]) -> list[float]:
    """Ranks from 1, ties given their average rank."""
    order = sorted(range(len(x)), key=lambda i: x[i])
    out = [0.0] * len(x)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and x[order[j + 1]] == x[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return out


def correlation(x: Sequence[float], y: Sequence[float], *, rank: bool = False) -> float | None:
    """Pearson (Spearman with `rank`) rounded to 4 places, or None where it is undefined: fewer than 2 answers,
    or either side constant. Reported as "undefined", never as 0, which would claim no relation was found."""
    if len(x) < 2 or len(set(x)) < 2 or len(set(y)) < 2:
        return None
    return round(spearman(x, y) if rank else pearson(x, y), 4)


def undefined(value: float | None, width: int = 0) -> str:
    """A correlation for people: three decimals, or "undefined" saying why."""
    return f"{value:>{width}.3f}" if value is not None else f"{'undefined (constant scores)':>{width}}"


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    """Spearman rank correlation: Pearson on tie-averaged ranks."""
    return pearson(ranks(x), ranks(y))


def mae(x: Sequence[float], y: Sequence[float]) -> float:
    return sum(abs(a - b) for a, b in zip(x, y, strict=True)) / len(x) if x else 0.0


def rmse(x: Sequence[float], y: Sequence[float]) -> float:
    return math.sqrt(sum((a - b) ** 2 for a, b in zip(x, y, strict=True)) / len(x)) if x else 0.0


def discretise(score: float, bins: int = KAPPA_BINS) -> int:
    """A 0..1 score as a category 0..bins (nearest step of 1/bins)."""
    return math.floor(min(1.0, max(0.0, score)) * bins + 0.5)


def quadratic_kappa(x: Sequence[int], y: Sequence[int], n_cat: int) -> float:
    """Cohen's kappa with quadratic weights for categories 0..n_cat-1; 1.0 is perfect agreement, 0 chance."""
    if not x:
        return 0.0
    observed = [[0.0] * n_cat for _ in range(n_cat)]
    for a, b in zip(x, y, strict=True):
        observed[a][b] += 1
    n = len(x)
    hist_x = [sum(row) for row in observed]
    hist_y = [sum(observed[i][j] for i in range(n_cat)) for j in range(n_cat)]
    num = den = 0.0
    for i in range(n_cat):
        for j in range(n_cat):
            w = (i - j) ** 2 / (n_cat - 1) ** 2
            num += w * observed[i][j]
            den += w * hist_x[i] * hist_y[j] / n
    return 1.0 - num / den if den else 1.0


def label3(score: float, low: float = 0.0, high: float = 1.0) -> str:
    """incorrect at or below `low`, correct at or above `high`, partial between."""
    if score <= low:
        return "incorrect"
    return "correct" if score >= high else "partial"


def confusion(truth: Sequence[str], pred: Sequence[str]) -> list[list[int]]:
    """Counts of (human label, predicted label), rows and columns in LABELS order."""
    m = [[0] * len(LABELS) for _ in LABELS]
    for t, p in zip(truth, pred, strict=True):
        m[LABELS.index(t)][LABELS.index(p)] += 1
    return m


def agreement(
    pred: Sequence[float], truth: Sequence[float], pred_labels: Sequence[str], truth_labels: Sequence[str]
) -> Metrics:
    """Every metric at once; labels are the 3-way verdicts (predicted ones from calibration thresholds)."""
    cm = confusion(truth_labels, pred_labels)
    n = len(pred)
    return Metrics(
        n=n,
        pearson=correlation(pred, truth),
        spearman=correlation(pred, truth, rank=True),
        mae=round(mae(pred, truth), 4),
        rmse=round(rmse(pred, truth), 4),
        qwk=round(quadratic_kappa([discretise(s) for s in truth], [discretise(s) for s in pred], KAPPA_BINS + 1), 4),
        accuracy3=round(sum(cm[i][i] for i in range(len(LABELS))) / n, 4) if n else 0.0,
        confusion=cm,
    )
