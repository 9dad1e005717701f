"""`grader rubric build --llm`: the model drafts points, concepts and hints; the result is a normal rubric file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from grader.bank.store import Bank, load_model, packaged_bank
from grader.llm.judges.fake import FakeJudge
from grader.llm.proposals import draft_rubric
from grader.models import Rubric
from tests.conftest import run_cli
from tests.llm_server import LoopbackLLM
from tests.test_llm_judge import QUESTION, make_judge

DRAFT = {"points": [
    {"id": "Definition!", "text": "Выход активации у пределов", "weight": 2, "required": True,
     "concepts": [["насыщение", "saturation", " "], []], "hint": "Повторите сигмоиду."},
    {"id": "definition", "text": "Градиент почти ноль", "weight": 9, "required": False,
     "concepts": [["градиент затухает", "vanishing gradient"], ["насыщение нейрона", "нейрон"]], "hint": ""},
], "misconceptions": [
    {"id": "Grows!", "text": "Градиент растёт", "point": "definition", "concepts": [["градиент растёт"], [" "]],
     "feedback": "Градиент не растёт, а затухает."},
    {"id": "orphan", "text": "?", "point": "nope", "concepts": [["x"]], "feedback": "?"},
]}


def test_draft_through_the_openai_judge(llm_server: LoopbackLLM) -> None:
    llm_server.raw_next = [json.dumps(DRAFT)]
    rubric = draft_rubric(QUESTION, make_judge(llm_server)[0])
    assert rubric.built_by == "llm" and [p.id for p in rubric.points] == ["definition", "definition_2"]
    assert rubric.points[0].concepts[0].any == ["насыщение", "saturation"] and len(rubric.points[0].concepts) == 1
    assert rubric.points[1].weight == 3.0  # bounded
    # A proposed misconception follows its point's new id; one naming no kept point is dropped.
    assert [(m.id, m.point, len(m.concepts)) for m in rubric.misconceptions] == [("grows", "definition_2", 1)]
    body = llm_server.requests[0]["body"]
    assert body["response_format"]["json_schema"]["name"] == "RubricDraft"
    assert QUESTION.question in body["messages"][1]["content"]


def test_unusable_draft_is_a_clear_error() -> None:
    from grader.errors import JudgeError

    with pytest.raises(JudgeError, match="could not be used"):
        draft_rubric(QUESTION, FakeJudge())


@pytest.mark.slow
def test_cli_writes_a_reviewable_rubric(tmp_path: Path) -> None:
    qid = "nasyshchenie-neyrona"
    (tmp_path / "questions").mkdir()
    shutil.copy(Bank(packaged_bank()).questions_dir / f"{qid}.yaml", tmp_path / "questions")
    script = tmp_path / "fake.json"
    script.write_text(json.dumps({"drafts": [DRAFT]}), encoding="utf-8")
    r = run_cli("rubric", "build", qid, "--llm", "--judge", "fake", "--bank", str(tmp_path),
                env={"GRADER_FAKE_JUDGE": str(script), "PATH": "/usr/bin:/bin"})
    assert r.returncode == 0, r.stderr
    rubric = load_model(tmp_path / "rubrics" / f"{qid}.yaml", Rubric)
    assert rubric.built_by == "llm" and rubric.points[0].hint == "Повторите сигмоиду."
    # A concept made only of the question's words ("Что означает «насыщение нейрона»?") proves nothing: left out,
    # as `check --strict` asks; one with a wording of its own stays whole.
    assert [c.any for c in rubric.points[1].concepts] == [["градиент затухает", "vanishing gradient"]]
