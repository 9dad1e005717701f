"""The injection screen leaves honest answers alone: every answer of the public SAF data (../shared/datasets, beside
the checkout, as in CI) and every golden example of the bank goes through it; at most 0.2 % may be flagged, and each
flagged one is listed in the test output."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.agreement.datasets import load_saf
from grader.bank.store import Bank
from grader.engine.injection import find_injection

ROOT = Path(__file__).resolve().parent.parent
# ../shared beside the checkout (CI), or beside the folder of worktrees the checkout sits in
DATASETS = next(
    (d / "shared" / "datasets" for d in (ROOT.parent, ROOT.parent.parent) if (d / "shared" / "datasets").is_dir()),
    ROOT.parent / "shared" / "datasets",
)
MAX_RATE = 0.002


def _answers(bank: Bank) -> list[tuple[str, str]]:
    answers = [
        (f"{p.relative_to(DATASETS)}:{a.id}", a.answer) for p in sorted(DATASETS.rglob("*.xml")) for a in load_saf(p)
    ]
    for qid in bank.ids():
        answers += [(f"{qid}::{e.id}", e.answer) for e in bank.rubric(qid).examples]
    return answers


def test_false_positive_rate(bank: Bank, capsys: pytest.CaptureFixture[str]) -> None:
    if not DATASETS.is_dir():
        pytest.skip(f"the shared data sets are not at {DATASETS}")
    answers = _answers(bank)
    assert len(answers) > 3500  # SAF's 3,533 answers and the bank's golden examples
    flagged = [(name, [s.text for s in inj.spans]) for name, text in answers if (inj := find_injection(text)).suspected]
    rate = len(flagged) / len(answers)
    with capsys.disabled():
        print(f"\ninjection screen on {len(answers)} honest answers: {len(flagged)} flagged ({rate:.3%})")
        for name, spans in flagged:
            print(f"  flagged {name}: {spans}")
    assert rate <= MAX_RATE


# Sentences about the subject that use the words injections use: grading words with a domain sense, models and
# systems that are not spoken to, instructions and prompts as a topic, imperatives aimed at the reader.
DOMAIN = [
    "F1 score is 0.9 on validation, so the model generalises.",
    "The model's loss keeps falling while the validation score stalls.",
    "Модель, обученная на малых данных, переобучается.",
    "Оценка максимального правдоподобия смещена для дисперсии.",
    "Оценка качества модели — 0.93 ROC AUC на отложенной выборке.",
    "Для модели это значит, что градиенты затухают.",
    "Промпт-инжиниринг: модели дают инструкции в системном промпте, и она следует им.",
    "You should give the model more data and ignore outliers.",
    "Set the learning rate to 0.01 and give it 100 epochs.",
    "The perfect score of 1.0 on train means overfitting.",
    "Мы ставим максимальный вес редкому классу.",
    "Поставь learning rate поменьше, и обучение стабилизируется.",
    "Credit scoring models rank applicants by default risk; score 1.0 means certain default.",
    "In RLHF the reward model gives a score to each answer of the policy.",
    "Die Note des Modells ist nicht wichtig, sondern die Genauigkeit auf dem Testset.",
    "Gib dem Modell mehr Daten, dann sinkt der Fehler.",
    "Key points: dropout, weight decay, early stopping.",
    "Ключевые пункты: регуляризация и ранняя остановка.",
    "The evaluator network in actor-critic scores the actions of the actor.",
    "Ассистент-бот на основе LLM отвечает на вопросы пользователей.",
    "Instruction tuning teaches the model to follow instructions.",
    "Bewertung: Die Punktzahl des Klassifikators hängt vom Schwellenwert ab.",
    "Точность 100% на трейне — признак переобучения.",
    "Моя оценка: метод хорош, но требует много данных.",
    "System: PyTorch, модель: ResNet-50, оптимизатор: Adam.",
    "If you grade the features by importance, the top ones are age and income.",
    "LLM-as-a-judge: a judge model grades answers of another model against a rubric.",
]


@pytest.mark.parametrize("text", DOMAIN)
def test_domain_use_does_not_trigger(text: str) -> None:
    assert not find_injection(text).suspected
