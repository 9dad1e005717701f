"""LLM settings: flags over environment over the config file; prices give a cost; the key stays secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.cli._llm import LLMSetup, llm_setup
from grader.errors import GraderError, InvalidFile
from grader.llm.judges.config import load_settings
from grader.models import Grade

CONFIG = """
[llm]
model = "from-file"
base_url = "http://file.example/v1"
timeout = 12
[llm.prices."from-file"]
input = 1.0
output = 2.0
"""


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG, encoding="utf-8")
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "GRADER_MODEL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("GRADER_CONFIG", str(path))
    return path


def test_precedence(config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().model == "from-file" and load_settings().timeout == 12
    monkeypatch.setenv("GRADER_MODEL", "from-env")
    assert load_settings().model == "from-env"
    assert load_settings(model="from-flag").model == "from-flag"


def test_cost_from_the_price_table(config: Path) -> None:
    settings = load_settings()
    grade = Grade(question_id="q", score=1.0, points=[], feedback="", grader_version="0", cached=False,
                  usage={"calls": 1, "prompt_tokens": 1_000_000, "completion_tokens": 500_000, "total_tokens": 0})
    report = LLMSetup(mode="llm", settings=settings).usage_report([grade, grade])
    assert report["calls"] == 2 and report["cost_usd"] == pytest.approx(4.0)
    assert "cost_usd" not in LLMSetup(mode="llm", settings=load_settings(model="unpriced")).usage_report([grade])


def test_key_is_a_secret(config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-123")
    settings = load_settings()
    assert "sk-secret-123" not in repr(settings) + settings.model_dump_json()
    assert load_settings(base_url="http://user:pw@host:8000/v1/?k=sk").public_url == "http://host:8000/v1"


def test_bad_values_are_clear_errors(config: Path) -> None:
    config.write_text("[llm]\ntimeout = -1\n", encoding="utf-8")
    with pytest.raises(InvalidFile, match="timeout"):
        load_settings()
    config.write_text("[llm\n", encoding="utf-8")
    with pytest.raises(InvalidFile, match="cannot read the config"):
        load_settings()
    with pytest.raises(GraderError, match="unknown --mode"):
        llm_setup("smart")
