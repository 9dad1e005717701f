"""`--dry-run` on grade, batch and check: the calls a run would make, after the cache and the hybrid plan, with
estimated tokens and cost — and no request reaches the server. Checked against the loopback OpenAI server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.llm.dryrun import estimate_tokens
from grader.llm.judges.base import JudgeRequest
from tests.conftest import ROOT, run_cli
from tests.llm_server import LoopbackLLM
from tests.test_llm_cli import env_for
from tests.test_llm_judge import KEY

QID = "nasyshchenie-neyrona"
ANSWERS = ROOT / "examples" / "batch" / "answers.csv"


def _dry(*args: str, env: dict[str, str]) -> dict[str, object]:
    proc = run_cli(*args, "--dry-run", "--json", env=env)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["dry_run"]  # type: ignore[no-any-return]


@pytest.mark.slow
class TestDryRun:
    """A dry run counts exactly the calls the real run then makes, and the cache's share after it; it calls none."""

    def test_batch_counts_what_the_run_makes(self, llm_server: LoopbackLLM, tmp_path: Path) -> None:
        env = env_for(tmp_path, OPENAI_API_KEY=KEY, OPENAI_BASE_URL=llm_server.url)
        args = ("batch", str(ANSWERS), "--out", str(tmp_path / "out"), "--mode", "hybrid", "--quiet")
        before = _dry(*args, env=env)
        assert llm_server.requests == [] and not (tmp_path / "out").exists()
        assert before["calls"] > 0 and before["cached"] == 0 and before["prompt_tokens"] > 0
        run = run_cli(*args, env=env)
        assert run.returncode == 0, run.stderr
        assert len(llm_server.requests) == before["calls"]  # the hybrid plan, counted exactly
        after = _dry(*args, env=env)
        assert after["calls"] == 0 and after["cached"] == before["calls"]
        assert len(llm_server.requests) == before["calls"]

    def test_grade_and_check_need_no_key_or_server(self, tmp_path: Path) -> None:
        env = env_for(tmp_path, OPENAI_BASE_URL="http://127.0.0.1:9/v1")  # nothing listens there
        (tmp_path / "config.toml").write_text('[llm.prices."gpt-4o-mini"]\ninput = 0.15\noutput = 0.6\n')
        one = _dry("grade", QID, "-a", "Сигмоида около 0 или 1, градиент затухает.", "--mode", "llm", env=env)
        assert one["calls"] == 1 and one["cost_usd"] is not None and one["cost_usd"] > 0
        lexical = _dry("grade", QID, "-a", "что-то", env=env)
        assert lexical["calls"] == 0
        every = _dry("check", "--mode", "llm", env=env)
        hybrid = _dry("check", "--mode", "hybrid", env=env)
        assert every["calls"] > hybrid["calls"] > 0  # the hybrid plan settles some examples lexically
        line = run_cli("grade", QID, "-a", "x", "--mode", "llm", "--repeat", "3", "--dry-run", env=env).stdout
        assert "1 judge call" in line and "up to 2 re-asks" in line


def test_estimate_grows_with_the_answer_and_the_points(bank: object) -> None:
    from grader.bank.store import Bank, rubric_for

    assert isinstance(bank, Bank)
    q = bank.question(QID)
    rubric = rubric_for(bank, q)[0]
    ids = [p.id for p in rubric.points]
    short = estimate_tokens(JudgeRequest(question=q, rubric=rubric, answer="кратко", point_ids=ids[:1]))
    long = estimate_tokens(JudgeRequest(question=q, rubric=rubric, answer="кратко " * 500, point_ids=ids))
    assert long[0] > short[0] + 500 and long[1] > short[1]
