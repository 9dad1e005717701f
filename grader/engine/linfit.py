"""Small least-squares fits in pure Python (no numpy): ridge regression for a handful of features. Pure.

coef = ridge([[1, x1, x2], ...], [y, ...], lam=0.1)    # the first column is the intercept: not penalised
predict(coef, [1, x1, x2])
"""

from __future__ import annotations

from collections.abc import Sequence


def solve(a: Sequence[Sequence[float]], b: Sequence[float]) -> list[float]:
    """x with a x = b, by Gauss-Jordan elimination with partial pivoting; a singular direction gets 0."""
    n = len(b)
    m = [[*row, b[i]] for i, row in enumerate(a)]
    for c in range(n):
        piv = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[piv] = m[piv], m[c]
        if abs(m[c][c]) < 1e-12:
            continue
        for r in range(n):
            f = m[r][c] / m[c][c] if r != c else 0.0
            if f:
                m[r] = [x - f * y for x, y in zip(m[r], m[c], strict=True)]
    return [m[i][n] / m[i][i] if abs(m[i][i]) >= 1e-12 else 0.0 for i in range(n)]


def ridge(x: Sequence[Sequence[float]], y: Sequence[float], lam: float = 0.1) -> list[float]:
    """Coefficients minimising squared error plus `lam` times the squared coefficients (all but the first)."""
    p = len(x[0])
    a = [[0.0] * p for _ in range(p)]
    b = [0.0] * p
    for row, target in zip(x, y, strict=True):
        for i in range(p):
            b[i] += row[i] * target
            ai = a[i]
            for j in range(p):
                ai[j] += row[i] * row[j]
    for i in range(1, p):
        a[i][i] += lam
    return solve(a, b)


def predict(coef: Sequence[float], row: Sequence[float]) -> float:
    return sum(c * v for c, v in zip(coef, row, strict=True))
