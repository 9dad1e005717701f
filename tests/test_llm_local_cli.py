"""`grade`, `batch` and `check` in llm and hybrid modes against each local-server behaviour; `grader llm check`;
what `batch` says when the judge fails."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from grader.cli import make_app
from tests.conftest import run_cli
from tests.llm_server import LoopbackLLM, serve
from tests.test_llm_cli import env_for
from tests.test_llm_judge import KEY

PASS_BANK = Path(__file__).parent / "data" / "check" / "pass"
QID = "nasyshchenie-neyrona"
BEHAVIOURS: dict[str, dict[str, Any]] = {
    "plain": {},
    "llama-cpp-python": {"reject_json_schema": True, "small_model": True},
    "llama-server-small-model": {"small_model": True, "rambles": True},
    "strict-no-maxLength": {"reject_max_length": True},
    "overloaded": {"capacity": 1, "latency": 0.02},
    "slow-first-token": {"latency": 0.3},
}


def _cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, url: str, *args: str) -> tuple[int, str]:
    for k, v in env_for(tmp_path, OPENAI_API_KEY=KEY, OPENAI_BASE_URL=url).items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("OPENAI_LOG")
    result = CliRunner().invoke(make_app(), list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout


@pytest.mark.parametrize("mode", ["llm", "hybrid"])
@pytest.mark.parametrize("behaviour", list(BEHAVIOURS))
def test_every_command_scores(behaviour: str, mode: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Scored grades from grade, batch and check, whatever the server's way."""
    with serve(**BEHAVIOURS[behaviour]) as server:
        code, out = _cli(monkeypatch, tmp_path, server.url, "grade", QID, "--mode", mode, "--json", "--no-cache",
                         "-a", "Сигмоида у 0 или 1: градиент почти ноль, обучение замедляется (definition).")
        assert code == 0 and json.loads(out)["score"] is not None
        assert not [f for f in json.loads(out)["flags"] if f.startswith("judge_") and f != "judge_disagrees"]
        rows = tmp_path / "rows.csv"
        rows.write_text("id,question_id,answer\n" + "".join(
            f"r{i},{QID},Ответ {i}: сигмоида насыщается 🙂 (definition)\n" for i in range(4)), encoding="utf-8")
        code, out = _cli(monkeypatch, tmp_path, server.url, "batch", str(rows), "--out", str(tmp_path / "o"),
                         "--mode", mode, "--no-cache", "--json")
        assert code == 0 and json.loads(out)["graded"] == 4 and json.loads(out)["unscored"] == 0
        code, out = _cli(monkeypatch, tmp_path, server.url, "check", str(PASS_BANK), "--mode", mode, "--json",
                         "--no-cache")
        summary = json.loads(out)["summary"]
        assert summary["examples"] == 3 and summary["unscored"] == 0


class TestBatchWhenTheJudgeFails:
    """The summary line counts unscored rows and tokens; nothing graded is exit 2; hybrid degrades."""

    def _rows(self, tmp_path: Path) -> Path:
        rows = tmp_path / "rows.csv"
        rows.write_text("id,question_id,answer\n" + "".join(
            f"r{i},{QID},Градиент почти ноль {i}\n" for i in range(3)), encoding="utf-8")
        return rows

    def test_all_unscored(self, llm_server: LoopbackLLM, tmp_path: Path) -> None:
        llm_server.raw_next = ["not json"] * 6
        env = env_for(tmp_path, OPENAI_API_KEY=KEY, OPENAI_BASE_URL=llm_server.url)
        r = run_cli("batch", str(self._rows(tmp_path)), "--out", str(tmp_path / "o"), "--mode", "llm", "-q",
                    env=env)
        assert r.returncode == 2, r.stderr
        assert "3 rows: 0 graded, 3 unscored, 0 errors" in r.stdout
        assert "judge: 6 call(s), 720 tokens (600 in, 120 out)" in r.stdout
        assert "none of the 3 rows could be graded" in r.stderr and "Traceback" not in r.stderr

    def test_dropped_connections_leave_one_row_unscored_and_the_batch_going(self, llm_server: LoopbackLLM,
                                                                           tmp_path: Path) -> None:
        llm_server.drop_next = 2  # the first row's call and its one retry (max_retries = 1 in env_for)
        env = env_for(tmp_path, OPENAI_API_KEY=KEY, OPENAI_BASE_URL=llm_server.url)
        r = run_cli("batch", str(self._rows(tmp_path)), "--out", str(tmp_path / "o"), "--mode", "llm", "-q",
                    "--concurrency", "1", env=env)
        assert r.returncode == 0, r.stderr
        assert "3 rows: 2 graded, 1 unscored, 0 errors" in r.stdout
        first = json.loads((tmp_path / "o" / "grades.jsonl").read_text(encoding="utf-8").splitlines()[0])
        assert first["score"] is None and first["flags"] == ["judge_connection"]

    def test_fallback_lexical_grades_every_row(self, llm_server: LoopbackLLM, tmp_path: Path) -> None:
        llm_server.raw_next = ["not json"] * 6
        env = env_for(tmp_path, OPENAI_API_KEY=KEY, OPENAI_BASE_URL=llm_server.url)
        r = run_cli("batch", str(self._rows(tmp_path)), "--out", str(tmp_path / "o"), "--mode", "llm", "-q",
                    "--fallback", "lexical", env=env)
        assert r.returncode == 0, r.stderr
        assert "3 rows: 3 graded, 0 errors" in r.stdout
        assert "the judge failed on some points of 3 row(s)" in r.stdout
        first = json.loads((tmp_path / "o" / "grades.jsonl").read_text(encoding="utf-8").splitlines()[0])
        assert "judge_failed_points" in first["flags"] and first["failed_points"]


def test_grade_hybrid_degrades_when_the_judge_fails(llm_server: LoopbackLLM, tmp_path: Path) -> None:
    """The judge's replies are unusable: the lexically settled points still make a grade, flagged."""
    llm_server.raw_next = ["not json"] * 2
    env = env_for(tmp_path, OPENAI_API_KEY=KEY, OPENAI_BASE_URL=llm_server.url)
    r = run_cli("grade", QID, "--mode", "hybrid", "--json", "--no-cache", "-a",
                "Нейрон насыщается, когда сигмоида выдаёт значения около 0 или 1, и градиент почти ноль.", env=env)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["score"] is not None and "judge_failed_points" in data["flags"]
    failed, points = data["failed_points"], {p["id"]: p for p in data["points"]}
    assert failed and set(failed) < set(points)  # the points the judge was asked about, not the settled ones
    assert all(points[i]["decided_by"] == "none" and points[i]["score"] == 0 for i in failed)
    assert all(p["decided_by"] == "lexical" for i, p in points.items() if i not in failed)
    assert f"warning: the judge failed on {', '.join(failed)}" in r.stderr


class TestLlmCheck:
    """`grader llm check` names the models, the format, the latency and a safe concurrency."""

    def test_report(self, tmp_path: Path) -> None:
        with serve(reject_json_schema=True, latency=0.1) as server:
            server.grade = lambda points, answer: {pid: ("covered", "2 + 2 = 4") for pid in points}
            env = env_for(tmp_path, OPENAI_BASE_URL=server.url, GRADER_MODEL="loopback-1")
            r = run_cli("llm", "check", "--concurrency", "4", env=env)
        assert r.returncode == 0, r.stderr
        assert "models: loopback-1" in r.stdout and "(on this machine or the local network)" in r.stdout
        assert "output format: json_object with the schema" in r.stdout
        assert "a trivial answer judged: right" in r.stdout and "1 at once:" in r.stdout
        assert "safe concurrency: 4" in r.stdout

    def test_one_slot_server(self, tmp_path: Path) -> None:
        with serve(capacity=1, latency=0.1) as server:
            env = env_for(tmp_path, OPENAI_BASE_URL=server.url, GRADER_MODEL="loopback-1")
            r = run_cli("llm", "check", "--json", env=env)
        assert r.returncode == 0, r.stderr
        report = json.loads(r.stdout)
        assert report["concurrency"] == 1 and report["verdict"] == "missing"  # the loopback model misjudges it
        assert report["levels"][0]["requests"] == 1 and len(report["levels"]) >= 2

    def test_unknown_model_is_named(self, tmp_path: Path) -> None:
        with serve() as server:
            server.fail_next = [(404, {})]
            env = env_for(tmp_path, OPENAI_BASE_URL=server.url, GRADER_MODEL="nope")
            r = run_cli("llm", "check", env=env)
        assert r.returncode == 2 and "model 'nope' not found" in r.stderr and "Traceback" not in r.stderr
