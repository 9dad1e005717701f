"""Graded examples never make grading worse than the rubric alone: the fit checks itself on the examples
(leave-one-out) and keeps only what beats the rubric; the rubric's caps hold with examples."""

from __future__ import annotations

import random

import pytest

from grader.bank.store import Bank, rubric_for
from grader.engine.exemplars import PARTS, Exemplars, GradedExample
from grader.engine.lexical import grade_lexical
from grader.engine.scoring import KEYWORD_LIST_CAP
from grader.models import Question, Rubric

Q = "nasyshchenie-neyrona"
DEFINE = ["выход функции активации близок к предельным значениям", "активация упирается в крайние значения",
          "нейрон выдаёт почти всегда 0 или 1, у предела сигмоиды"]  # fmt: skip
GRAD = ["градиенты становятся очень малыми", "градиент близок к нулю", "производная почти нулевая, градиент затухает"]
STALL = ["обучение замедляется или останавливается", "веса почти не обновляются, обучение стоит"]
FIX = ["помогает ReLU и инициализация весов Xavier", "лечат батч-нормализацией и ReLU", ""]
WRONG = ["Насыщение нейрона — это когда сеть переобучилась и запомнила обучающие данные.",
         "Это когда в нейроне слишком много весов и он перегружен данными, обучение идёт долго.",
         "Насыщение — нейрон получил достаточно данных, дальше обучение не нужно, функция активации не важна.",
         "Когда learning rate большой, нейрон насыщается и обучение расходится."]  # fmt: skip
KEYWORDS = ["сигмоида градиент ReLU насыщение", "насыщение сигмоида tanh градиент нуль обучение",
            "ReLU Xavier батч-нормализация градиент"]  # fmt: skip
ENGLISH = ["Saturation: the sigmoid or tanh output sits near its limits, gradients become tiny and learning stalls; "
           "ReLU and careful weight initialization help.",
           "When an activation is saturated its output is close to 0 or 1, the gradient is almost zero, so the weights "
           "stop updating. Use ReLU or batch normalization."]  # fmt: skip


def _answer(kind: str, rnd: random.Random) -> tuple[str, float]:
    """One templated answer and the score a careful person gives it (0..1)."""
    if kind == "strong":
        parts = [rnd.choice(DEFINE), rnd.choice(GRAD), rnd.choice(STALL), rnd.choice(FIX)]
        return "Насыщение: " + ", ".join(p for p in parts if p) + ".", 1.0
    if kind == "partial":
        return f"Насыщение — {rnd.choice(DEFINE)}.", 0.5
    if kind == "wrong":
        return rnd.choice(WRONG), 0.0
    if kind == "keywords":
        return rnd.choice(KEYWORDS), 0.1
    return rnd.choice(ENGLISH), 1.0


KINDS = ("strong", "partial", "wrong", "keywords", "english")


def _set(n: int, seed: int, noise: float = 0.0, kinds: tuple[str, ...] = KINDS) -> list[GradedExample]:
    rnd, out = random.Random(seed), []
    for i in range(n):
        text, score = _answer(kinds[i % len(kinds)], rnd)
        score = min(1.0, max(0.0, score + rnd.uniform(-noise, noise)))
        out.append(GradedExample(id=f"s{seed}-{i}", answer=text, score=round(score, 2)))
    return out


@pytest.fixture(scope="module")
def qr(bank: Bank) -> tuple[Question, Rubric]:
    question = bank.question(Q)
    rubric, _ = rubric_for(bank, question)
    return question, rubric.model_copy(update={"examples": []})


def _mae(scores: list[float], ex: list[GradedExample]) -> float:
    return sum(abs(s - e.score) for s, e in zip(scores, ex, strict=True)) / len(ex)


@pytest.mark.parametrize(
    ("train", "noise", "kinds"),
    [(40, 0.1, KINDS), (3, 0.0, KINDS), (12, 0.0, ("strong", "strong", "wrong")), (30, 0.45, KINDS),
     (20, 0.0, ("strong",))],
    ids=["templated-noisy", "few", "repetitive", "very-noisy", "one-kind"],
)  # fmt: skip
def test_never_worse_than_the_rubric_on_held_out_rows(qr: tuple[Question, Rubric], train: int, noise: float,
                                                      kinds: tuple[str, ...]) -> None:  # fmt: skip
    question, rubric = qr
    examples = _set(train, seed=1, noise=noise, kinds=kinds)
    held_out = _set(60, seed=2, noise=noise)
    teacher = Exemplars.fit(question, rubric, examples)
    assert teacher.kept in PARTS
    with_ex = [teacher.grade(e.answer, exclude=e.id).score or 0.0 for e in held_out]
    alone = [grade_lexical(question, rubric, e.answer).score or 0.0 for e in held_out]
    assert _mae(with_ex, held_out) <= _mae(alone, held_out) + 0.01, teacher.errors
    if teacher.kept != "rubric":  # what was kept beat the rubric alone on the examples, left out one at a time
        assert teacher.errors[teacher.kept] < teacher.errors["rubric"]


def test_caps_hold_with_examples(qr: tuple[Question, Rubric]) -> None:
    """Examples that score keyword lists high cannot lift one over the cap, nor an answer missing a required
    point over the required-point cap."""
    question, rubric = qr
    rnd = random.Random(3)
    generous = [GradedExample(id=f"k{i}", answer=rnd.choice(KEYWORDS) + f" {i}", score=0.9) for i in range(15)]
    generous += _set(15, seed=4)
    teacher = Exemplars.fit(question, rubric, generous)
    for text in KEYWORDS:
        g = teacher.grade(text)
        if "keyword_list" in g.flags:
            assert g.score is not None and g.score <= KEYWORD_LIST_CAP
    for text in WRONG:
        g = teacher.grade(text)
        if any(p.required and p.status == "missing" for p in g.points):
            assert g.score is not None and g.score <= 0.4
