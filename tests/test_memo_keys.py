"""The grader's memos keep short keys only: answers made of long space-free pieces (a pasted blob, a hash) leave
no megabytes behind in a long batch."""

from __future__ import annotations

import gc
import random
import string
import tracemalloc

from grader.engine.rubric import build_rubric
from grader.grading import grade
from grader.models import Question

Q = Question(id="blob", lang="en", question="What does the learning rate do?",
             reference="The learning rate scales each gradient step; too large a rate diverges, too small converges "
                       "slowly.")


def _answer(rng: random.Random) -> str:
    """A 20,000-letter piece, and one of 100-letter words joined by hyphens."""
    blob = "".join(rng.choices(string.ascii_lowercase, k=20_000))
    joined = "-".join("".join(rng.choices(string.ascii_lowercase, k=100)) for _ in range(100))
    return f"The learning rate scales each step. {blob} {joined}"


def test_long_pieces_are_not_remembered() -> None:
    rubric = build_rubric(Q)
    rng = random.Random(7)
    for _ in range(3):  # what loads once (word lists, lemma tables, patterns) is loaded before the count starts
        grade(Q, rubric, _answer(rng))
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for _ in range(10):
        assert grade(Q, rubric, _answer(rng)).score is not None
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert held < 200_000, f"{held:,} bytes still held after grading 10 answers of 30 KB each"
