"""Local servers' ways, through the real `openai` client against the loopback server taught llama.cpp's behaviours."""

from __future__ import annotations

import logging

import pytest

from grader.errors import JudgeError
from grader.grading import GradeTask, grade, grade_many
from grader.llm.judges.config import load_settings
from grader.llm.judges.servers import Formats, SlowNotice
from grader.llm.prompts import max_tokens_for
from tests.llm_server import LoopbackLLM, serve
from tests.test_llm_judge import ANSWER, QUESTION, RUBRIC, make_judge

IDS = [p.id for p in RUBRIC.points]


def scored(g: object) -> bool:
    return getattr(g, "score", None) is not None and not any(f.startswith("judge_") for f in getattr(g, "flags", []))


class TestKeyedSchema:
    """The reply is keyed by the rubric's ids, in every format a server may accept; max_tokens comes with it."""

    @pytest.mark.parametrize(("pinned", "rung"), [
        ("json_schema", "json_schema"), ("json_object_schema", "json_object+schema"), ("json_object", "json_object"),
    ])
    def test_round_trip(self, llm_server: LoopbackLLM, pinned: str, rung: str) -> None:
        judge, _ = make_judge(llm_server, response_format=pinned)
        g = grade(QUESTION, RUBRIC, ANSWER, mode="llm", judge=judge)
        assert g.score == pytest.approx(0.75) and llm_server.rungs() == [rung]
        body = llm_server.requests[0]["body"]
        assert body["max_tokens"] == max_tokens_for(3)
        if pinned != "json_object":
            fmt = body["response_format"]
            schema = fmt["json_schema"]["schema"] if pinned == "json_schema" else fmt["schema"]
            assert schema["properties"]["points"]["required"] == IDS
        else:
            assert '"flat": {"verdict"' in body["messages"][0]["content"]

    def test_small_model_gets_the_ids_right_under_the_keyed_schema(self, llm_server: LoopbackLLM) -> None:
        llm_server.small_model = True
        g = grade(QUESTION, RUBRIC, ANSWER, mode="llm", judge=make_judge(llm_server)[0])
        assert scored(g) and g.score == pytest.approx(0.75)

    def test_max_tokens_flag_wins(self, llm_server: LoopbackLLM) -> None:
        grade(QUESTION, RUBRIC, ANSWER, mode="llm", judge=make_judge(llm_server, max_tokens=321)[0])
        assert llm_server.requests[0]["body"]["max_tokens"] == 321

    def test_max_completion_tokens_where_max_tokens_is_refused(self, llm_server: LoopbackLLM) -> None:
        llm_server.fail_message = ("Unsupported parameter: 'max_tokens' is not supported with this model. "
                                   "Use 'max_completion_tokens' instead.")
        llm_server.fail_next = [(400, {})]
        judge, _ = make_judge(llm_server)
        assert scored(grade(QUESTION, RUBRIC, ANSWER, mode="llm", judge=judge))
        assert scored(grade(QUESTION, RUBRIC, ANSWER + " ", mode="llm", judge=judge))
        sent = [r["body"] for r in llm_server.requests]
        assert "max_tokens" in sent[0] and all(b.get("max_completion_tokens") == max_tokens_for(3) for b in sent[1:])
        assert len(sent) == 3 and llm_server.rungs() == ["json_schema"] * 3

    def test_list_form_where_the_keyed_one_is_rejected(self, llm_server: LoopbackLLM) -> None:
        llm_server.reject_keyed = True
        judge, _ = make_judge(llm_server)
        first = grade(QUESTION, RUBRIC, ANSWER, mode="llm", judge=judge)
        again = grade(QUESTION, RUBRIC, ANSWER + " ", mode="llm", judge=judge)
        assert first.score == again.score == pytest.approx(0.75)
        assert llm_server.rungs() == ["json_schema", "json_schema:unbounded", "json_schema:list:unbounded",
                                      "json_schema:list:unbounded"]


class TestFormatLadder:
    """A server's rejection moves it down the ladder once; the whole process remembers, and says it once."""

    def test_llama_cpp_python(self, llm_server: LoopbackLLM, caplog: pytest.LogCaptureFixture) -> None:
        llm_server.reject_json_schema = llm_server.small_model = True  # a 500 to json_schema; schema in json_object
        tasks = [GradeTask(question=QUESTION, rubric=RUBRIC, answer=f"{i} flat") for i in range(6)]
        grades = grade_many(tasks, mode="llm", judge=make_judge(llm_server, concurrency=1)[0], concurrency=1)
        assert all(scored(g) for g in grades)
        assert llm_server.rungs() == ["json_schema"] + ["json_object+schema"] * 6
        said = [r.message for r in caplog.records if "using" in r.message]
        assert len(said) == 1 and "json_object with the schema" in said[0] and "HTTP 500" in said[0]
        other = make_judge(llm_server)[0]  # another judge for the same server starts where the first ended
        assert other.response_format == "json_object with the schema"

    def test_a_forgotten_server_starts_at_the_top(self) -> None:
        formats, key, allowed = Formats(), "http://127.0.0.1:9/v1 m", (0, 1, 2, 3, 4)
        assert formats.reject(key, 0, allowed, "HTTP 500", whole_kind=True) == 3
        assert formats.reject(key, 0, allowed, "HTTP 500", whole_kind=True) == 3  # a late failure: no move
        assert formats.current(key, allowed) == 3 and formats.current(key, (4,)) == 4
        formats.forget("http://127.0.0.1:9/v1")
        assert formats.current(key, allowed) == 0

    def test_strict_server_refusing_max_length(self, llm_server: LoopbackLLM) -> None:
        llm_server.reject_max_length = True
        judge, _ = make_judge(llm_server)
        assert scored(grade(QUESTION, RUBRIC, ANSWER, mode="llm", judge=judge))
        assert scored(grade(QUESTION, RUBRIC, ANSWER + " ", mode="llm", judge=judge))
        assert llm_server.rungs() == ["json_schema", "json_schema:unbounded", "json_schema:unbounded"]

    def test_overload_is_not_a_format_rejection(self, llm_server: LoopbackLLM) -> None:
        llm_server.fail_message = "Context size has been exceeded."
        llm_server.fail_next = [(500, {})] * 2
        g = grade(QUESTION, RUBRIC, ANSWER, mode="llm", judge=make_judge(llm_server, max_retries=1)[0])
        assert g.score is None and g.flags == ["judge_unavailable"]
        assert "HTTP 500: Context size has been exceeded." in g.feedback  # the server's own words
        assert llm_server.rungs() == ["json_schema", "json_schema"]


class TestLocalPace:
    """Overload lowers the concurrency; rambling models are bounded; slow calls show progress."""

    def test_overloaded_server_gets_fewer_requests(self) -> None:
        with serve(latency=0.05, capacity=1) as server:
            judge, _ = make_judge(server, concurrency=8, max_retries=6)
            tasks = [GradeTask(question=QUESTION, rubric=RUBRIC, answer=f"{i} flat") for i in range(16)]
            grades = grade_many(tasks, mode="llm", judge=judge, concurrency=8)
        assert all(scored(g) for g in grades)
        assert server.overloaded > 0 and judge.pace.limit < 8
        assert set(server.rungs()) == {"json_schema"}  # never mistaken for a format rejection

    def test_rambling_model_is_held_by_the_bounds(self, llm_server: LoopbackLLM) -> None:
        llm_server.rambles = True
        assert scored(grade(QUESTION, RUBRIC, ANSWER, mode="llm", judge=make_judge(llm_server)[0]))

    def test_cut_off_reply_is_re_asked_in_a_shorter_form(self, llm_server: LoopbackLLM) -> None:
        llm_server.rambles = llm_server.reject_max_length = True  # nothing bounds the strings: cut at max_tokens
        g = grade(QUESTION, RUBRIC, ANSWER, mode="llm", judge=make_judge(llm_server)[0])
        assert g.score is None and "cut off at the token limit" in g.feedback
        asked, again = (r["body"] for r in llm_server.requests[-2:])
        assert again["max_tokens"] < asked["max_tokens"] and again["messages"] != asked["messages"]
        assert "previous reply could not be used" in again["messages"][0]["content"]
        assert '"flat": {"verdict"' in again["messages"][0]["content"]  # the shape spelled out, schema or not

    def test_local_servers_get_a_longer_timeout(self) -> None:
        assert load_settings(base_url="http://127.0.0.1:8080/v1").deadline == 300
        assert load_settings(base_url="http://192.168.1.5:11434/v1").deadline == 300
        assert load_settings(base_url="https://api.openai.com/v1", api_key="k").deadline == 60
        assert load_settings(base_url="http://127.0.0.1:8080/v1", timeout=5).deadline == 5

    def test_slow_first_token_shows_progress(self, llm_server: LoopbackLLM,
                                             caplog: pytest.LogCaptureFixture) -> None:
        caplog.set_level(logging.WARNING)
        llm_server.latency = 0.4
        judge, _ = make_judge(llm_server)
        judge._notice = SlowNotice(judge.pace, after=0.1, every=10)
        assert scored(grade(QUESTION, RUBRIC, ANSWER, mode="llm", judge=judge))
        assert any("waiting for the LLM server: 1 request(s) in flight" in r.message for r in caplog.records)


class TestDefensiveClient:
    """Any reply shape, a drip-fed body, a dropped connection: that answer unscored with a flag, never a crash."""

    @pytest.mark.parametrize("body", [
        pytest.param({"choices": [{"message": "covered"}]}, id="message-string"),
        pytest.param({"choices": [{"message": {"content": {"points": {}}}}], "usage": "lots"}, id="content-object"),
        pytest.param({"choices": [{"message": {"content": "{}"}}], "usage": [1, 2]}, id="usage-list"),
        pytest.param([1, 2, 3], id="body-list"),
        pytest.param(b"[" * 100_000, id="nested-deeper-than-the-stack"),
    ])
    def test_reply_shapes(self, llm_server: LoopbackLLM, body: object) -> None:
        llm_server.body_next = [body, body]
        g = grade(QUESTION, RUBRIC, ANSWER, mode="llm", judge=make_judge(llm_server)[0])
        assert g.score is None and g.flags == ["judge_unparseable"]

    def test_drip_fed_reply_cannot_stretch_the_deadline(self, llm_server: LoopbackLLM) -> None:
        llm_server.drip = 0.05  # a ~600-byte body over ~30 s; each byte well within a read timeout
        judge, _ = make_judge(llm_server, timeout=0.5, max_retries=0)
        g = grade(QUESTION, RUBRIC, ANSWER, mode="llm", judge=judge)
        assert g.score is None and g.flags == ["judge_timeout"]

    def test_dropped_connection_is_retried(self, llm_server: LoopbackLLM) -> None:
        llm_server.drop_next = 1
        assert scored(grade(QUESTION, RUBRIC, ANSWER, mode="llm", judge=make_judge(llm_server)[0]))
        assert len(llm_server.requests) == 2

    def test_dropped_every_time_leaves_the_answer_unscored_and_the_batch_going(self, llm_server: LoopbackLLM) -> None:
        llm_server.drop_next = 3  # the first answer's call and its two retries
        tasks = [GradeTask(question=QUESTION, rubric=RUBRIC, answer=f"{i} flat") for i in range(3)]
        grades = grade_many(tasks, mode="llm", judge=make_judge(llm_server, max_retries=2, concurrency=1)[0],
                            concurrency=1)
        assert grades[0].score is None and grades[0].flags == ["judge_connection"]
        assert all(scored(g) for g in grades[1:])

    def test_base_url_without_v1_is_named(self, llm_server: LoopbackLLM) -> None:
        settings = load_settings(base_url=llm_server.url.removesuffix("/v1"), api_key="k", model="loopback-1")
        from grader.llm.judges.openai import OpenAIJudge

        with pytest.raises(JudgeError, match="the base URL has no /v1") as exc:
            grade(QUESTION, RUBRIC, ANSWER, mode="llm", judge=OpenAIJudge(settings))
        assert "/v1" in (exc.value.fix or "")
