"""Speed of the lexical grader on answers it has never seen, beside the floor and a naive loop, on one core.

Three answer sets, each graded by four contenders in the same run, on the same answers:
- **ru generated**: ~200-word Russian answers to the bundled bank (reference sentences in a new order, filler,
  3 % fresh typos; `benchmarks/fresh.py`);
- **en generated**: the same kind of answers, in English, to SAF's English questions (automatic rubrics);
- **SAF real**: every student answer of the SAF data set (English and German, short), automatic rubrics.

Contenders:
- **grader, fresh**: `grader.grading.grade()` (the public API: injection screen, match, score, feedback, a Grade)
  on the set's first pass: the process has not seen one of these answers (its memos hold only what the sets
  before taught it, as in a real batch). This is the figure that counts.
- **grader, memoised**: the same answers again: every piece of text is a memo hit. Shown only beside the fresh
  figure, for what repetition buys; answers rarely repeat in real batches.
- **floor**: regex tokens, PyStemmer stems and a set lookup against the rubric's stems: the least a Python
  grader does per answer.
- **naive loop**: `rapidfuzz.fuzz.partial_ratio` of every concept wording over the lower-cased answer.

Rates are answers per CPU-second of this process (`time.process_time()`), not wall time: the machine is shared,
and other processes' load does not count against us that way. Prints figures; asserts nothing.

    python benchmarks/lexical.py
    python benchmarks/lexical.py --answers 1000     # generated answers per set
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from rapidfuzz import fuzz

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fresh import Item, bank_items, floor_fn, fresh_set, generated, saf_sets

from grader.engine.rubric import build_rubric
from grader.grading import grade
from grader.models import Question

Answers = list[tuple[int, str]]


def naive_fn(items: Sequence[Item], cutoff: float = 85.0) -> Callable[[int, str], int]:
    """The naive loop: partial_ratio of each concept's wordings over the raw lower-cased text."""
    lowered = [[[w.lower() for w in c] for c in it.wordings] for it in items]

    def run(i: int, text: str) -> int:
        low = text.lower()
        return sum(1 for c in lowered[i] if any(fuzz.partial_ratio(w, low) >= cutoff for w in c))

    return run


def grader_fn(items: Sequence[Item]) -> Callable[[int, str], object]:
    pairs = [(it.question, it.rubric) for it in items]

    def run(i: int, text: str) -> object:
        q, r = pairs[i]
        return grade(q, r, text)

    return run


def cpu_rate(fn: Callable[[int, str], object], answers: Answers) -> float:
    """Answers per CPU-second of one pass of `fn` over `answers`."""
    start = time.process_time()
    for i, text in answers:
        fn(i, text)
    return len(answers) / (time.process_time() - start)


def bench(name: str, items: list[Item], answers: Answers) -> None:
    g = grader_fn(items)
    for i in range(len(items)):  # compile each rubric's matcher first: a batch does that once, not per answer
        g(i, "—")
    fresh = cpu_rate(g, answers)
    memo = cpu_rate(g, answers)
    floor = cpu_rate(floor_fn(items), answers)
    naive = cpu_rate(naive_fn(items), answers)
    words = statistics.mean(len(t.split()) for _, t in answers)
    print(f"{name:13} {len(answers):6,} {words:5.0f} {fresh:9,.0f} {1e6 / fresh:6.0f} {memo:9,.0f} {floor:9,.0f} "
          f"{naive:8,.0f} {fresh / floor:7.2f}x {fresh / naive:7.2f}x")  # fmt: skip


def big_answer(items: list[Item], seed: int) -> None:
    """Grade one 1 MB answer of new text (generated answers to the first question, joined)."""
    parts: list[str] = []
    rng = random.Random(seed)
    while sum(map(len, parts)) < 600_000:  # Cyrillic: ~1.8 bytes a character
        parts.append(generated(items[0].question, rng))
    big = " ".join(parts).encode()[:1_000_000].decode("utf-8", "ignore")
    t, c = time.perf_counter(), time.process_time()
    g = grade(items[0].question, items[0].rubric, big)
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    print(f"1 MB answer: {cpu:.3f} s CPU, {wall:.3f} s wall ({len(big.split()):,} words, score {g.score})")


def big_negations() -> None:
    """Grade one 1 MB sentence on an automatic rubric that negates a word, the answer affirming it beside absence
    words ("… and the lack of it …") or negated contrasts: each clause is read once, not once per word."""
    q = Question(id="iso", lang="en", question="What is an isolated point of a graph?",
                 reference="A vertex that has no edges.")  # fmt: skip
    for name, big in [("absence words", "A vertex with edges" + " and the lack of it" * 60_000),
                      ("negated contrasts", "It is not a vertex with edges, but a loop " * 25_000)]:  # fmt: skip
        t = time.process_time()
        g = grade(q, build_rubric(q), big[:1_000_000])
        print(f"1 MB sentence of {name}: {time.process_time() - t:.3f} s CPU (score {g.score})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=2000, help="generated answers per generated set")
    parser.add_argument("--words", type=int, default=200, help="words per generated answer")
    parser.add_argument("--seed", type=int, default=None, help="for generated answers (default: new each run)")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    seed = int(time.time()) if args.seed is None else args.seed
    bank = bank_items()
    saf, saf_answers = saf_sets()
    english = [it for it in saf if it.question.lang == "en"]
    print("answers per CPU-second of this process (one core); fresh = never graded before in this process; "
          "memoised = the same answers again (shown for comparison only)")  # fmt: skip
    print(f"{'set':13} {'answers':>6} {'words':>5} {'fresh/s':>9} {'µs/ans':>6} {'memoised':>9} {'floor/s':>9} "
          f"{'naive/s':>8} {'÷floor':>8} {'÷naive':>8}")  # fmt: skip
    bench("ru generated", bank, fresh_set(bank, args.answers, seed, n_words=args.words))
    if english:
        bench("en generated", english, fresh_set(english, args.answers, seed + 1,
                                                 n_words=args.words))  # fmt: skip
        bench("SAF real", saf, saf_answers)
    else:
        print("(SAF not found: set GRADER_SAF to the SAF folder for the en and real-answer rows)")
    big_answer(bank, seed + 2)
    big_negations()
    print(f"generated answers' seed: {seed}")
    print("targets (issue 19): fresh >= 0.33x the floor and >= 3x the naive loop at 200 words, ru and en")


if __name__ == "__main__":
    main()
