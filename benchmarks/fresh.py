"""Answers the grader has never seen, for the speed benchmarks (`lexical.py`, `batch.py`), and the floor.

The grader memoises what each distinct piece of answer text means for a rubric, so a benchmark that grades the
same answers round after round measures memo hits. These sources give new text every time:

- `saf_sets()`: the real student answers of the SAF data set (English and German, /work/shared/datasets/saf or
  `$GRADER_SAF`), with rubrics built automatically from the references, as `grader evaluate` does;
- `generated(...)`: answers of about 200 words made from a question's reference sentences in a new order, a
  subset of them, amid filler sentences of the same language, with fresh typos (3 % of words by default): every
  call draws new text, so new typos are new pieces the grader has not seen.

`floor(...)` is the least any Python grader does per answer: regex tokens, PyStemmer stems, a set lookup.
"""

from __future__ import annotations

import os
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import Stemmer

from grader.bank.store import Bank, packaged_bank, rubric_for
from grader.models import Question, Rubric

SAF = Path(os.environ.get("GRADER_SAF", "/work/shared/datasets/saf"))

FILLER = {
    "ru": """В общем, если честно, я думаю, что здесь важно понимать, как ведёт себя модель на новых данных.
    Качество на тесте может сильно отличаться от того, что мы видим при обучении. Обычно это заметно, когда метрика
    на трейне растёт, а на отложенной части падает. Поэтому стоит внимательно смотреть на графики и сравнивать разные
    подходы между собой. В реальных проектах мы часто начинаем с простого бейзлайна, затем постепенно усложняем
    пайплайн. Ещё имеет смысл логировать эксперименты, фиксировать сиды и следить за утечками признаков. Также многое
    зависит от размера датасета, количества признаков и того, насколько чистая разметка у нас есть. Честно говоря,
    на собеседовании я бы начал с определения, а потом перешёл к примерам из практики. Не уверен насчёт деталей,
    но общая идея, кажется, такая.""",
    "en": """Well, to be honest, I think it is important to understand how the system behaves in practice. The
    numbers we see in a textbook can differ a lot from what happens on a real network. Usually this shows up when the
    load grows and the simple approach stops working. So it is worth looking at the details and comparing different
    approaches with each other. In real projects we often start with a simple design and then make it more complex
    step by step. It also makes sense to measure everything, write things down and watch for corner cases. A lot
    depends on the size of the problem, the hardware and how clean the setup is. Frankly, in an interview I would
    start with the definition and then move on to examples. I am not sure about every detail, but the general idea
    seems to be this.""",
    "de": """Also, ehrlich gesagt, finde ich es wichtig zu verstehen, wie sich das System in der Praxis verhält.
    Die Zahlen aus dem Lehrbuch können sich stark von einem echten Netz unterscheiden. Meistens merkt man das, wenn
    die Last wächst und der einfache Ansatz nicht mehr funktioniert. Deshalb lohnt es sich, die Details anzusehen und
    verschiedene Ansätze zu vergleichen. In echten Projekten beginnt man oft mit einem einfachen Entwurf und macht ihn
    dann Schritt für Schritt komplexer. Ich bin mir nicht bei jedem Detail sicher, aber die Idee ist ungefähr diese.""",
}
_SENTENCE = re.compile(r"(?<=[.!?;:])\s+|\n+")
_TOKEN = re.compile(r"\w+")
_STEMMERS = {"ru": "russian", "en": "english", "de": "german"}


@dataclass
class Item:
    """A rubric to grade against and its question, with the stems of its wordings (for the floor)."""

    question: Question
    rubric: Rubric
    vocab: frozenset[str]
    wordings: list[list[str]]  # each concept's wordings (for the naive loop)


def item(question: Question, rubric: Rubric) -> Item:
    stem = stemmer(question.lang)
    wordings = [list(c.any) for p in rubric.points for c in p.concepts]
    vocab = frozenset(stem.stemWords([t for ws in wordings for w in ws for t in _TOKEN.findall(w.lower())]))
    return Item(question, rubric, vocab, wordings)


def stemmer(lang: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(_STEMMERS.get(lang, "english"))


def bank_items() -> list[Item]:
    """The bundled bank's questions (Russian) with their rubrics."""
    bank = Bank(packaged_bank())
    return [item(q, rubric_for(bank, q)[0]) for q in bank.questions()]


def saf_sets() -> tuple[list[Item], list[tuple[int, str]]]:
    """SAF's questions with automatic rubrics, and every student answer as (index of its item, text), in file order.
    Empty when the data set is not there."""
    if not SAF.is_dir():
        return [], []
    from grader.agreement.datasets import load
    from grader.agreement.evaluate import auto_rubrics

    answers = load(SAF)
    pairs = auto_rubrics(answers)
    items, index = [], {}
    for qid, (q, r) in pairs.items():
        index[qid] = len(items)
        items.append(item(q, r))
    return items, [(index[a.question_id], a.answer) for a in answers if a.answer.strip()]


def typo(word: str, rng: random.Random) -> str:
    """One keyboard slip: a dropped, doubled or swapped letter."""
    if len(word) < 4 or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return word[:i] + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i] + word[i:]
    return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if len(s.strip()) > 3]


def generated(question: Question, rng: random.Random, n_words: int = 200, typo_rate: float = 0.03) -> str:
    """About `n_words` words: some of the reference's sentences in a new order amid filler of the same language,
    with typos. New text on every call."""
    own = sentences(question.reference)
    filler = sentences(FILLER.get(question.lang, FILLER["en"]))
    chosen = rng.sample(own, rng.randint(min(2, len(own)), len(own)))
    out: list[str] = []
    count = 0
    while count < n_words:
        s = chosen.pop() if chosen and rng.random() < 0.5 else rng.choice(filler)
        out.append(s)
        count += len(s.split())
    words = " ".join(out).split()[:n_words]
    return " ".join(typo(w, rng) if rng.random() < typo_rate else w for w in words)


def fresh_set(items: Sequence[Item], n: int, seed: int, n_words: int = 200) -> list[tuple[int, str]]:
    """`n` generated answers over `items`, in turn."""
    rng = random.Random(seed)
    return [(i % len(items), generated(items[i % len(items)].question, rng, n_words)) for i in range(n)]


def floor_fn(items: Sequence[Item]) -> Callable[[int, str], int]:
    """The floor of a grader: tokens by a regex, stems by PyStemmer, a set lookup against the rubric's stems."""
    stems = {lang: stemmer(lang).stemWords for lang in _STEMMERS}
    findall, langs = _TOKEN.findall, [it.question.lang for it in items]
    vocabs = [it.vocab for it in items]

    def grade(i: int, text: str) -> int:
        return len(vocabs[i].intersection(stems[langs[i]](findall(text.lower()))))

    return grade
