"""The reply schema, reading replies of any shape, and grades that degrade instead of dropping (pure, no server)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from grader.grading import grade
from grader.llm.judges.base import VERDICTS, JudgeReply, PointVerdict, Usage
from grader.llm.judges.fake import FakeJudge
from grader.llm.judges.wire import GradeWire, Unusable, completion
from grader.llm.prompts import grade_messages, max_tokens_for, reply_schema
from tests.test_llm_judge import ANSWER, QUESTION, RUBRIC

IDS = ["flat", "slow", "fix"]


class TestSchema:
    """One required property per point id, the verdict an enum, bounded strings; the list form names the ids."""

    def test_keyed(self) -> None:
        schema = reply_schema(IDS)
        points = schema["properties"]["points"]
        assert points["required"] == IDS and list(points["properties"]) == IDS
        assert points["additionalProperties"] is False and schema["additionalProperties"] is False
        one = points["properties"]["slow"]
        assert one["properties"]["verdict"]["enum"] == list(VERDICTS)
        assert one["required"] == ["verdict", "quote", "feedback"] and one["additionalProperties"] is False
        assert one["properties"]["quote"]["maxLength"] > 0 and schema["properties"]["feedback"]["maxLength"] > 0

    def test_unbounded_and_list_forms(self) -> None:
        assert "maxLength" not in json.dumps(reply_schema(IDS, bounded=False))
        items = reply_schema(IDS, keyed=False)["properties"]["points"]
        assert items["type"] == "array" and items["items"]["properties"]["id"]["enum"] == IDS
        assert items["minItems"] == items["maxItems"] == 3

    def test_brief_form_is_shorter(self) -> None:
        full, brief = reply_schema(IDS), reply_schema(IDS, brief=True)
        quote = brief["properties"]["points"]["properties"]["flat"]["properties"]["quote"]["maxLength"]
        assert quote < full["properties"]["points"]["properties"]["flat"]["properties"]["quote"]["maxLength"]
        assert max_tokens_for(3, brief=True) < max_tokens_for(3) < max_tokens_for(6)

    def test_shape_in_prompt_names_the_real_ids(self) -> None:
        system = grade_messages(QUESTION, RUBRIC.points, ANSWER, "ru", json_shape=True)[0]["content"]
        assert '"flat": {"verdict"' in system and '"fix": {"verdict"' in system
        brief = grade_messages(QUESTION, RUBRIC.points, ANSWER, "ru", json_shape=False, brief=True)[0]["content"]
        assert "previous reply could not be used" in brief


def _content(points: Any, feedback: str = "ok") -> str:
    return json.dumps({"points": points, "feedback": feedback}, ensure_ascii=False)


class TestReadingReplies:
    """Keyed or list replies are read into verdicts for exactly the ids asked; anything else is Unusable."""

    @pytest.mark.parametrize("content", [
        pytest.param(_content({i: {"verdict": "covered", "quote": "плато 🙂", "feedback": "ё"} for i in IDS}),
                     id="keyed"),
        pytest.param(_content([{"id": i, "verdict": "covered", "quote": "плато 🙂", "feedback": "ё"} for i in IDS]),
                     id="list"),
        pytest.param("```json\n" + _content({i: {"verdict": " Covered "} for i in IDS}) + "\n```", id="fenced-lax"),
        pytest.param(json.dumps(dict.fromkeys(IDS, "covered")), id="bare-shorthand"),
    ])
    def test_accepted(self, content: str) -> None:
        verdicts, _ = GradeWire(IDS).parse(content, Usage(calls=1))
        assert [(v.id, v.verdict) for v in verdicts] == [(i, "covered") for i in IDS]

    @pytest.mark.parametrize(("content", "reason"), [
        pytest.param("not json", "reply not JSON", id="not-json"),
        pytest.param("[" * 100_000, "reply not JSON", id="nested-deeper-than-the-stack"),
        pytest.param("[1, 2]", "does not match", id="top-level-list"),
        pytest.param(_content([{"id": "point1", "verdict": "covered"}] * 3),
                     r"no verdict for point\(s\): flat, slow, fix", id="ids"),
        pytest.param(_content({i: {"verdict": "excellent"} for i in IDS}), "no verdict", id="bad-verdict"),
        pytest.param(_content("covered"), "does not match", id="points-a-string"),
    ])
    def test_refused(self, content: str, reason: str) -> None:
        with pytest.raises(Unusable, match=reason):
            GradeWire(IDS).parse(content, Usage(calls=1))

    @pytest.mark.parametrize(("data", "reason"), [
        pytest.param({"choices": [{"message": "hello"}]}, "no message object", id="message-string"),
        pytest.param({"choices": [{"message": {"content": {"points": {}}}}]}, "not text", id="content-object"),
        pytest.param({"choices": "x"}, "not a chat completion", id="choices-string"),
        pytest.param([], "not a chat completion", id="body-list"),
        pytest.param({"choices": [{"message": {"content": "{}"}, "finish_reason": "length"}]}, "cut off", id="cut"),
        pytest.param({"choices": [{"message": {"content": None, "refusal": "no"}}]}, "refused", id="refusal"),
    ])
    def test_completion_shapes(self, data: Any, reason: str) -> None:
        with pytest.raises(Unusable, match=reason):
            completion(data)

    @pytest.mark.parametrize("usage", ["12 tokens", [1, 2], {"prompt_tokens": "x", "completion_tokens": -3}, None])
    def test_odd_usage_counts_nothing(self, usage: Any) -> None:
        content, _, spent = completion({"choices": [{"message": {"content": "{}"}}], "usage": usage})
        assert content == "{}" and spent == Usage(calls=1)


FAILED = JudgeReply(error="no reply within 60s", error_kind="timeout", usage=Usage(calls=1))
# Settles "flat" and "fix" lexically (every concept found); "slow" has no concept found.
SETTLES_TWO = "Сигмоида у предела. Помогают ReLU и нормализация."


class TestDegrade:
    """A failed judge call keeps what is decided without it: flagged, listed, never a silent full score."""

    def test_hybrid_keeps_the_lexical_points(self) -> None:
        g = grade(QUESTION, RUBRIC, SETTLES_TWO, mode="hybrid", judge=FakeJudge([FAILED]))
        assert g.score is not None and g.failed_points == ["slow"]
        assert {"judge_failed_points", "judge_timeout"} <= set(g.flags)
        by = {p.id: p for p in g.points}
        assert by["flat"].decided_by == "lexical" and by["flat"].status == "covered"
        assert by["slow"].decided_by == "none" and by["slow"].score == 0
        assert g.score == pytest.approx(3 / 4)  # flat (2) + fix (1) of 4: the failed point earns nothing
        assert "no reply within 60s" in g.feedback

    def test_llm_mode_stays_unscored_without_fallback(self) -> None:
        g = grade(QUESTION, RUBRIC, SETTLES_TWO, mode="llm", judge=FakeJudge([FAILED]))
        assert g.score is None and g.flags == ["judge_timeout"] and g.failed_points is None

    @pytest.mark.parametrize("mode", ["llm", "hybrid"])
    def test_fallback_lexical(self, mode: str) -> None:
        judge = FakeJudge([FAILED])
        judge.fallback = "lexical"  # type: ignore[attr-defined]
        g = grade(QUESTION, RUBRIC, SETTLES_TWO, mode=mode, judge=judge)  # type: ignore[arg-type]
        lexical = grade(QUESTION, RUBRIC, SETTLES_TWO)
        assert g.score == lexical.score and "judge_failed_points" in g.flags
        assert all(p.decided_by == "lexical" for p in g.points)
        assert g.failed_points == (["flat", "slow", "fix"] if mode == "llm" else ["slow"])


class TestDisagreement:
    """A judge calling missing what the lexical matcher found covered is kept, flagged, with both statuses."""

    def test_llm_mode(self) -> None:
        judge = FakeJudge([{"flat": "missing", "slow": "missing", "fix": "missing"}])
        g = grade(QUESTION, RUBRIC, SETTLES_TWO, mode="llm", judge=judge)
        by = {p.id: p for p in g.points}
        assert "judge_disagrees" in g.flags and g.score == 0
        assert by["flat"].status == "missing" and by["flat"].lexical_status == "covered"
        assert by["slow"].lexical_status is None  # the matcher did not find it either: no disagreement

    def test_agreement_is_not_flagged(self) -> None:
        quotes = {"flat": PointVerdict(id="flat", verdict="covered", quote="у предела").model_dump(),
                  "fix": PointVerdict(id="fix", verdict="covered", quote="ReLU").model_dump()}
        g = grade(QUESTION, RUBRIC, SETTLES_TWO, mode="llm", judge=FakeJudge([quotes]))
        assert "judge_disagrees" not in g.flags and all(p.lexical_status is None for p in g.points)
