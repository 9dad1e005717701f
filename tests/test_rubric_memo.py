"""What is worked out from a rubric is kept per rubric object: never given to another rubric, even one that reuses a
freed rubric's id, and bounded."""

from __future__ import annotations

import gc
import weakref

from grader.engine.rubric_memo import RubricMemo
from grader.models import Rubric


def _rubric(text: str) -> Rubric:
    return Rubric.model_validate({"question_id": "q", "lang": "ru", "built_by": "curated",
                                  "points": [{"id": "p", "text": text, "concepts": [["слово"]]}]})  # fmt: skip


def _first_text(rubric: Rubric, suffix: str = "") -> str:
    return rubric.points[0].text + suffix


def test_once_per_rubric_and_args() -> None:
    memo: RubricMemo[str] = RubricMemo()
    calls: list[str] = []

    def make(rubric: Rubric, suffix: str) -> str:
        calls.append(suffix)
        return _first_text(rubric, suffix)

    one = _rubric("один")
    assert memo.get(one, make, "!") == "один!" and memo.get(one, make, "!") == "один!"
    assert memo.get(one, make, "?") == "один?" and calls == ["!", "?"]


def test_another_rubric_object_is_worked_out_anew() -> None:
    memo: RubricMemo[str] = RubricMemo()
    calls: list[Rubric] = []

    def make(rubric: Rubric) -> str:
        calls.append(rubric)
        return _first_text(rubric)

    first, second = _rubric("ёж 🚀"), _rubric("ёж 🚀")  # equal, not the same object
    assert memo.get(first, make) == memo.get(second, make) == "ёж 🚀" and len(calls) == 2


def test_a_rubric_is_held_while_its_value_is_kept() -> None:
    # Held, a rubric's id cannot be given to a new rubric while the memo could answer for it.
    memo: RubricMemo[str] = RubricMemo()
    rubric = _rubric("текст")
    memo.get(rubric, _first_text)
    ref = weakref.ref(rubric)
    del rubric
    gc.collect()
    assert ref() is not None


def test_bounded() -> None:
    memo: RubricMemo[str] = RubricMemo(limit=3)
    kept = [_rubric(str(k)) for k in range(10)]
    for rubric in kept:
        memo.get(rubric, _first_text)
    assert len(memo._held) <= 4
