"""`shared_answer` links near-identical answers (a typo, a sentence moved, punctuation changed) from different
candidates to one question, and not different answers that share the reference's words; the index meets each row
with a bounded number of earlier rows, so a big question is never compared all pairs."""

from __future__ import annotations

import itertools
import random
import zlib
from array import array

import pytest

from grader.batch import shared
from grader.batch.integrity import BAND, BUCKETS, sketch, words
from grader.batch.shared import SharedAnswers
from grader.batch.summary import Aggregator

Q = "nasyshchenie-neyrona"
BASE = ("Насыщение нейрона наступает, когда выход сигмоиды близок к нулю или единице. Тогда производная почти "
        "нулевая, и градиент затухает. Веса перестают обновляться, обучение останавливается.")  # fmt: skip
NEAR = {
    "typos": BASE.replace("производная", "праизводная").replace("обновляться", "обновлятся"),
    "reordered-sentence": ("Тогда производная почти нулевая, и градиент затухает. Насыщение нейрона наступает, когда "
                           "выход сигмоиды близок к нулю или единице. Веса перестают обновляться, обучение "
                           "останавливается."),
    "punctuation-and-case": BASE.replace(",", "").replace(".", ";").upper(),
    "ё-and-emoji": BASE.replace("наступает", "наступает 🙂").replace("Веса", "Вёса"),
}
FAR = {  # the same reference words, said differently
    "paraphrase": ("Когда выход сигмоиды близок к единице, нейрон в насыщении: градиент затухает почти до нуля, и сеть "
                   "учится медленно, веса обновляются слабо."),
    "same-terms-other-order": ("Градиент затухает при насыщении сигмоиды: производная сигмоиды мала, когда выход "
                               "близок к нулю или единице, поэтому обучение останавливается."),
    "english-terms": ("Sigmoid saturation: the output is near 0 or 1, the derivative is almost zero, so gradient "
                      "vanishing stops learning, веса не обновляются."),
}


def groups_of(answers: list[tuple[str, str]], qid: str = Q) -> list[tuple[str, list[str], list[str]]]:
    index = SharedAnswers()
    for i, (cand, answer) in enumerate(answers):
        index.add(qid, cand, f"r{i}", sketch(words(answer)))
    return list(index.groups())


@pytest.mark.parametrize("name", NEAR)
def test_near_identical_answers_are_linked(name: str) -> None:
    assert groups_of([("Анна", BASE), ("Борис", NEAR[name])]) == [(Q, ["Анна", "Борис"], ["r0", "r1"])]


@pytest.mark.parametrize("name", FAR)
def test_different_answers_sharing_reference_words_are_not(name: str) -> None:
    assert groups_of([("Анна", BASE), ("Борис", FAR[name])]) == []


def test_one_candidate_twice_is_not_shared() -> None:
    assert groups_of([("Анна", BASE), ("Анна", NEAR["typos"])]) == []


def test_other_question_is_not_linked() -> None:
    index = SharedAnswers()
    index.add("q1", "Анна", "r0", sketch(words(BASE)))
    index.add("q2", "Борис", "r1", sketch(words(BASE)))
    assert list(index.groups()) == []


def test_a_chain_of_small_changes_does_not_make_one_group() -> None:
    """Each answer a little different from the last: the last is far from the first, and not in its group."""
    rng = random.Random(3)
    ws = BASE.split()
    chain, current = [], list(ws)
    for _ in range(12):
        i = rng.randrange(len(current))
        current[i] = current[i] + "х"  # one more word changed each time
        current = current[1:] + current[:1] if rng.random() < 0.3 else current
        chain.append(" ".join(current))
    found = groups_of([(f"c{i}", a) for i, a in enumerate([BASE, *chain])])
    first = next((g for g in found if "r0" in g[2]), None)
    assert first is not None and f"r{len(chain)}" not in first[2]


def test_short_answers_are_never_linked() -> None:
    assert groups_of([("Анна", "не знаю"), ("Борис", "не знаю")]) == []


def test_work_is_linear_in_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    """1,000 answers to one question, all built from the reference's sentences: at most one comparison per band per
    row (all pairs would be ~500,000)."""
    calls = []
    real = shared.similarity
    monkeypatch.setattr(shared, "similarity", lambda a, b: calls.append(1) or real(a, b))
    rng = random.Random(7)
    sentences = [s.strip() for s in BASE.split(".") if s.strip()] + ["Помогают ReLU и нормализация", "Инициализация He"]
    answers = []
    for i in range(1000):
        picked = rng.sample(sentences, 3)
        answers.append((f"c{i}", ". ".join(picked) + f". Ответ номер {i} {rng.random()}."))
    groups_of(answers)
    assert len(calls) <= 2 * (BUCKETS // BAND) * len(answers)


def test_summary_lists_the_group_in_row_order() -> None:
    """The summary's `shared_answer` names candidates and row ids as rows came, whoever counted them (chunks
    merged in order give what rows fed one by one give)."""
    rows = [{"id": f"r{i}", "candidate": c, "question_id": Q, "score": 0.5, "answer": a, "points": [], "flags": []}
            for i, (c, a) in enumerate([("Анна", BASE), ("Вера", FAR["paraphrase"]), ("Борис", NEAR["typos"]),
                                        ("Глеб", NEAR["reordered-sentence"])])]  # fmt: skip
    one = Aggregator({Q: "?"}, indexing=True)
    for r in rows:
        one.add(r)
    merged = Aggregator({Q: "?"}, indexing=True)
    for part in (rows[:1], rows[1:3], rows[3:]):
        tally = Aggregator({})
        for r in part:
            tally.add(r)
        merged.merge(tally)
    flagged = [f.model_dump() for f in one.summary().flagged if f.flag == "shared_answer"]
    assert flagged == [{"flag": "shared_answer", "question_id": Q, "candidates": ["Анна", "Борис", "Глеб"],
                        "ids": ["r0", "r2", "r3"]}]  # fmt: skip
    assert [f.model_dump() for f in merged.summary().flagged if f.flag == "shared_answer"] == flagged


@pytest.mark.parametrize("answer", [BASE, FAR["english-terms"], "straße İstanbul 🙂🙂🙂🙂🙂🙂 a b c d e f ё ё"],
                         ids=["russian", "mixed", "symbols"])  # fmt: skip
def test_sketch_is_the_bucket_minima_of_the_bigram_hashes(answer: str) -> None:
    """A sketch (its words' CRCs remembered, one CRC call per bigram) keeps the value the index was built on: per
    bucket, the least mixed CRC-32 of "a b" over the bigrams of the words' 5-letter prefixes."""
    ws = [w[:5] for w in words(answer)]
    mins = [0xFFFFFFFF] * BUCKETS
    for a, b in itertools.pairwise(ws):
        h = (zlib.crc32(f"{a} {b}".encode()) * 0x9E3779B1) & 0xFFFFFFFF
        mins[h % BUCKETS] = min(mins[h % BUCKETS], h)
    assert sketch(words(answer)) == array("I", mins).tobytes()
    assert sketch(words(answer)) == sketch(words(answer))  # the words' CRCs read back from the memo
