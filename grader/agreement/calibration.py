"""Calibration: a monotone map from the grader's raw score to a person's scale, and 3-way thresholds. Pure.

API (used by `grader grade`, `grader batch`, `grader evaluate`):

    cal = fit(raw_scores, human_scores)          # isotonic regression + thresholds
    cal.apply(0.42)                               # -> calibrated score on the human scale (0..1)
    cal.label(0.42)                               # -> "incorrect" | "partial" | "correct"
    save(cal, path); cal = load(path)             # JSON, see Calibration

The map is isotonic regression (pool-adjacent-violators): the best least-squares fit that never decreases, so
a higher raw score never calibrates lower. Tied raw scores are pooled; the map is flat across each pooled block
and linear between blocks (as scikit-learn's `IsotonicRegression`). The thresholds are
the calibrated scores at or below which an answer is `incorrect` and at or above which it is `correct`, chosen
to maximise 3-way accuracy on the fitted data (humans: 0 incorrect, 1 correct, partial between).
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Sequence
from pathlib import Path

from pydantic import Field, ValidationError

from grader.engine.metrics import label3
from grader.errors import GraderError, InvalidFile, NotFound
from grader.limits import read_file
from grader.models import Model
from grader.outputs import write_atomic


class Calibration(Model):
    """Knots of a non-decreasing piecewise-linear map, and the 3-way thresholds on its output."""

    raw: list[float] = Field(min_length=1)  # increasing raw scores
    calibrated: list[float] = Field(min_length=1)  # non-decreasing calibrated scores, one per knot
    low: float = 0.0  # calibrated score at or below which an answer is incorrect
    high: float = 1.0  # at or above which it is correct
    n: int = 0  # answers it was fitted on

    def apply(self, score: float) -> float:
        """The calibrated score for a raw one (clamped to the fitted range at the ends)."""
        xs, ys = self.raw, self.calibrated
        if score <= xs[0]:
            return ys[0]
        if score >= xs[-1]:
            return ys[-1]
        i = bisect_right(xs, score)
        x0, x1, y0, y1 = xs[i - 1], xs[i], ys[i - 1], ys[i]
        return round(y0 + (y1 - y0) * (score - x0) / (x1 - x0), 4) if x1 > x0 else y1

    def label(self, calibrated: float) -> str:
        """incorrect / partial / correct for a calibrated score."""
        return label3(calibrated, self.low, self.high)


def isotonic(x: Sequence[float], y: Sequence[float]) -> tuple[list[float], list[float]]:
    """Pool-adjacent-violators: knots of the least-squares non-decreasing fit of y on x, as scikit-learn's.

    Tied x values are pooled first (the map is a function of x, so they share one value), and every block of
    pooled values keeps its first and last x as knots: inside a block the map is flat, never interpolated.
    """
    if not x or len(x) != len(y):
        raise ValueError("isotonic needs equally long, non-empty x and y")
    ties: dict[float, list[float]] = {}
    for xi, yi in zip(x, y, strict=True):
        tie = ties.setdefault(float(xi), [0.0, 0.0])
        tie[0] += yi
        tie[1] += 1
    blocks: list[list[float]] = []  # [sum_y, count, first_x, last_x]
    for xi in sorted(ties):
        blocks.append([ties[xi][0], ties[xi][1], xi, xi])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] >= blocks[-1][0] / blocks[-1][1]:
            last = blocks.pop()
            blocks[-1][0] += last[0]
            blocks[-1][1] += last[1]
            blocks[-1][3] = last[3]
    xs: list[float] = []
    ys: list[float] = []
    for sum_y, count, first, end in blocks:
        for knot in (first, end) if end > first else (first,):
            xs.append(knot)
            ys.append(round(sum_y / count, 4))
    return xs, ys


def fit(raw: Sequence[float], human: Sequence[float]) -> Calibration:
    """Isotonic map from `raw` to `human`, then the 3-way thresholds that best reproduce the human labels.
    A map needs answers the grader scores differently and humans score differently: fewer is refused."""
    if len(set(raw)) < 2 or len(set(human)) < 2:
        raise GraderError(
            f"cannot fit a calibration on {len(raw)} answer(s) with {len(set(raw))} different grader score(s) and "
            f"{len(set(human))} different human score(s)",
            fix="Give more graded answers, with scores that differ (at least 2 of each; dozens for a useful map)",
        )
    xs, ys = isotonic(raw, human)
    cal = Calibration(raw=xs, calibrated=ys, n=len(raw))
    calibrated = [cal.apply(r) for r in raw]
    truth = [label3(h) for h in human]
    values = sorted(set(calibrated))
    step = max(1, len(values) // 40)  # thresholds among at most ~40 levels: enough, and quick
    candidates = values[::step]
    best = (-1, 0.0, 1.0)
    for i, low in enumerate(candidates):
        for high in candidates[i + 1 :] or [1.0]:
            hits = sum(label3(c, low, high) == t for c, t in zip(calibrated, truth, strict=True))
            if hits > best[0]:
                best = (hits, low, high)
    return cal.model_copy(update={"low": best[1], "high": best[2]})


def save(cal: Calibration, path: str | Path) -> None:
    write_atomic(path, json.dumps(cal.model_dump(), indent=2) + "\n")


def load(path: str | Path) -> Calibration:
    """A calibration file written by `grader calibrate`."""
    p = Path(path)
    try:
        data = read_file(p, "calibration file")
    except NotFound:
        raise NotFound("no such file", where=str(p),
                       fix="Make one with `grader calibrate FILE --out calibration.json`") from None  # fmt: skip
    try:
        return Calibration.model_validate_json(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise InvalidFile(
            f"not a calibration file ({'.'.join(map(str, err['loc']))}: {err['msg']})",
            where=str(p),
            fix="Make one with `grader calibrate FILE --out calibration.json`",
        ) from None
