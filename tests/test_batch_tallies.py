"""The batch summary takes constant memory per candidate and question however many rows there are, and its means
are exact: the same whether rows come one by one (a resumed batch) or a chunk at a time, in any chunking."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from grader.batch.summary import Aggregator
from grader.batch.tallies import Scores, quotient, units

ANSWER = "Сигмоида в насыщении даёт почти нулевой градиент, и обучение на глубоких слоях останавливается совсем."


def record(i: int, cand: str, qid: str, score: float) -> dict[str, object]:
    return {"id": f"r{i}", "candidate": cand, "question_id": qid, "score": score, "answer": f"{ANSWER} {i}",
            "points": [{"id": "p1", "text": "насыщение", "status": "covered" if score > 0.5 else "missing"}],
            "flags": []}  # fmt: skip


@pytest.mark.parametrize("scores", [[0.1], [0.1, 0.2], [0.3333, 0.6667], [1e-300, 0.5], [0.0, 1.0]])
def test_one_or_two_scores_give_what_a_float_sum_gives(scores: list[float]) -> None:
    total = sum((units(s) for s in scores), start=units(0.0))
    assert quotient(total, len(scores)) == sum(scores) / len(scores)


def test_mean_is_exact_whatever_the_order() -> None:
    rng = random.Random(5)
    scores = [round(rng.random(), 4) for _ in range(997)]
    exact = float(sum(map(Fraction, scores)) / len(scores))
    for _ in range(5):
        rng.shuffle(scores)
        acc = Scores()
        for s in scores:
            acc.add(s)
        assert quotient(acc.total, acc.count) == exact and (acc.low, acc.high) == (min(scores), max(scores))


def test_any_chunking_gives_the_summary_of_rows_one_by_one() -> None:
    rng = random.Random(8)
    rows = [record(i, f"c{rng.randrange(30)}", f"q{rng.randrange(4)}", round(rng.random(), 4)) for i in range(600)]
    whole = Aggregator({}, indexing=True)
    for r in rows:
        whole.add(r)
    expected = whole.summary().model_dump_json()
    for _ in range(3):
        merged, start = Aggregator({}, indexing=True), 0
        while start < len(rows):
            size = rng.randrange(1, 90)
            part = Aggregator({})
            for r in rows[start : start + size]:
                part.add(r)
            merged.merge(part)
            start += size
        assert merged.summary().model_dump_json() == expected


def test_state_grows_with_cells_not_rows() -> None:
    """20,000 rows from 3 candidates to 2 questions: what the aggregator keeps is the size of 6 cells."""
    agg = Aggregator({}, indexing=True)
    for i in range(20_000):
        agg.add(record(i, f"c{i % 3}", f"q{i % 2}", (i % 100) / 100))
    records = dict(agg.cands.items())
    assert len(records) == 3 and all(len(rec[0]) == 2 for rec in records.values())
    assert all(len(cell) == 3 for rec in records.values() for cell in rec[0].values())  # answers, sum, number
    assert len(agg.same.rows) == 12 and len(agg.pending) < 256  # two answers a cell enter the shared-answer index
    assert sum(s.count for s in agg.q_scores.values()) == 20_000
    summary = agg.summary()
    assert sorted(c.graded for c in summary.candidates) == [6666, 6667, 6667]
