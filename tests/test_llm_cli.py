"""`grader grade --mode llm` end to end in a subprocess, against the loopback server; the key never leaks."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.grading import grade
from grader.llm.judges.cache import CachedJudge, ReplyCache
from tests.conftest import run_cli
from tests.llm_server import LoopbackLLM
from tests.test_llm_judge import ANSWER, KEY, QUESTION, RUBRIC, make_judge

QID = "nasyshchenie-neyrona"


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    config = tmp_path / "config.toml"
    config.write_text("[llm]\nbackoff = 0.001\nmax_retries = 1\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "GRADER_"))}
    env.update(GRADER_CACHE_DIR=str(tmp_path / "cache"), GRADER_CONFIG=str(config), OPENAI_LOG="debug", **extra)
    return env


@pytest.mark.slow
class TestGradeCommand:
    """The JSON object grows mode, per-point verdicts, usage, cached and flags; a re-run comes from the cache."""

    def test_json_round_trip_and_cache(self, llm_server: LoopbackLLM, tmp_path: Path) -> None:
        answer = "Градиент почти ноль, сигмоида у 0 или 1, обучение встаёт; помогает ReLU."
        llm_server.grade = lambda points, seen: {pid: ("covered", answer) for pid in points}
        env = env_for(tmp_path, OPENAI_API_KEY=KEY, OPENAI_BASE_URL=llm_server.url)
        args = ("grade", QID, "--mode", "llm", "--json", "--answer", answer)
        first = run_cli(*args, env=env)
        assert first.returncode == 0, first.stderr
        data = json.loads(first.stdout)
        assert data["mode"] == "llm" and data["cached"] is False and data["score"] == 1.0
        assert data["usage"]["calls"] == 1 and data["flags"] == []
        point = data["points"][0]
        assert {"verdict", "quote", "quote_verified", "decided_by", "feedback"} <= set(point)
        assert llm_server.requests[0]["headers"]["authorization"] == f"Bearer {KEY}"  # the key was used...
        second = run_cli(*args, env=env)
        assert json.loads(second.stdout)["cached"] is True and len(llm_server.requests) == 1
        assert "judge: 0 call(s)" in second.stderr
        artefacts = [first.stdout, first.stderr, second.stdout, second.stderr]
        left = [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]  # the reply cache, the parsed bank files
        artefacts += [p.read_bytes().decode("utf-8", "replace") for p in left]
        assert all(KEY not in a for a in artefacts)  # ...and it is nowhere in what the run left behind

    def test_unscored_exits_2(self, llm_server: LoopbackLLM, tmp_path: Path) -> None:
        llm_server.raw_next = ["not json"] * 2
        env = env_for(tmp_path, OPENAI_API_KEY=KEY, OPENAI_BASE_URL=llm_server.url)
        r = run_cli("grade", QID, "--mode", "llm", "--json", "--no-cache", "-a", "Градиент почти ноль.", env=env)
        assert r.returncode == 2 and json.loads(r.stdout)["score"] is None
        assert "unscored: the judge's reply could not be used: reply not JSON" in r.stderr
        assert KEY not in r.stdout + r.stderr

    @pytest.mark.parametrize(("extra", "message"), [
        pytest.param({}, "error: OPENAI_API_KEY is not set", id="no-key"),
        pytest.param({"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": "http://127.0.0.1:9/v1"},
                     "error: cannot reach the LLM server at http://127.0.0.1:9/v1", id="unreachable"),
    ])
    def test_clear_one_line_errors(self, tmp_path: Path, extra: dict[str, str], message: str) -> None:
        r = run_cli("grade", QID, "--mode", "llm", "-a", "Градиент почти ноль.", env=env_for(tmp_path, **extra))
        assert r.returncode == 2
        assert r.stderr.strip().splitlines()[-1].startswith(message) and "Traceback" not in r.stderr
        assert KEY not in r.stdout + r.stderr

    def test_fake_judge_from_a_script(self, tmp_path: Path) -> None:
        script = tmp_path / "replies.json"
        quote = "выход сигмоиды застревает у предельных значений"
        script.write_text(json.dumps([{"definition": {"verdict": "covered", "quote": quote}}]))
        env = env_for(tmp_path, GRADER_FAKE_JUDGE=str(script))
        answer = "Это когда выход сигмоиды застревает у предельных значений, 0 или 1."
        r = run_cli("grade", QID, "--mode", "llm", "--judge", "fake", "--json", "-a", answer, env=env)
        assert r.returncode == 0, r.stderr
        points = {p["id"]: p for p in json.loads(r.stdout)["points"]}
        assert points["definition"]["status"] == "covered" and points["definition"]["quote_verified"] is True


def test_key_not_in_logs(llm_server: LoopbackLLM, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Every logger (ours, the SDK's, the HTTP client's) at DEBUG, through retries and failures."""
    caplog.set_level(logging.DEBUG)
    llm_server.fail_next = [(429, {}), (500, {})]
    cache = ReplyCache(tmp_path / "c.sqlite")
    judge = CachedJudge(make_judge(llm_server)[0], cache)
    g = grade(QUESTION, RUBRIC, ANSWER, mode="llm", judge=judge)
    cache.close()
    assert g.score is not None and caplog.records
    assert KEY not in caplog.text and KEY not in g.model_dump_json()
    assert KEY not in (tmp_path / "c.sqlite").read_bytes().decode("utf-8", "replace")


def test_import_grader_does_not_import_openai() -> None:
    code = ("import sys, grader, grader.grading, grader.llm.judging, grader.llm.judges, grader.llm.judges.fake, "
            "grader.cli; "
            "print('openai' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
