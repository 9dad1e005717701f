"""Isotonic calibration is the least-squares non-decreasing fit: tied raw scores are pooled, blocks are flat.

Checked against scikit-learn's `IsotonicRegression` (a dev dependency only) on random data full of ties.
"""

from __future__ import annotations

import random

import pytest
from sklearn.isotonic import IsotonicRegression

from grader.agreement import calibration


def _data(seed: int, n: int) -> tuple[list[float], list[float]]:
    rng = random.Random(seed)
    # Raw scores on a coarse grid (many ties, as a lexical grader's are); noisy, mostly increasing human scores.
    raw = [rng.randrange(0, 21) / 20 for _ in range(n)]
    human = [min(1.0, max(0.0, r + rng.gauss(0, 0.3))) for r in raw]
    return raw, human


@pytest.mark.parametrize("seed", range(8), ids=lambda s: f"seed{s}")
def test_matches_scikit_learn_on_data_with_ties(seed: int) -> None:
    raw, human = _data(seed, 40 + 30 * seed)
    cal = calibration.fit(raw, human)
    ref = IsotonicRegression(out_of_bounds="clip").fit(raw, human)
    probes = sorted(set(raw)) + [random.Random(seed).random() for _ in range(50)]
    want = ref.predict(probes)
    for p, w in zip(probes, want, strict=True):
        assert cal.apply(p) == pytest.approx(float(w), abs=2e-4), p


def test_ties_share_one_value_and_training_error_is_least() -> None:
    raw = [0.5, 0.5, 0.5, 0.2, 0.8, 0.8]
    human = [0.0, 1.0, 1.0, 0.9, 0.1, 0.7]
    cal = calibration.fit(raw, human)
    ref = IsotonicRegression(out_of_bounds="clip").fit(raw, human)
    ours = sum((cal.apply(r) - h) ** 2 for r, h in zip(raw, human, strict=True))
    theirs = sum((float(p) - h) ** 2 for p, h in zip(ref.predict(raw), human, strict=True))
    assert ours == pytest.approx(theirs, abs=1e-3)
    # all three answers at raw 0.5 get the same calibrated score
    assert len({cal.apply(0.5), cal.apply(0.5 + 1e-12)}) == 1


def test_flat_inside_a_block() -> None:
    xs, ys = calibration.isotonic([1, 2, 3, 4], [1, 3, 2, 4])
    assert xs == [1, 2, 3, 4] and ys == [1, 2.5, 2.5, 4]
