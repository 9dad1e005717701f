"""`grader cache info|clear [--older-than]`: what the judge-reply cache holds, and emptying it; never creating it."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path

import pytest

from grader.bank.parsed import is_ours
from grader.errors import GraderError
from grader.llm.judges.base import JudgeReply
from grader.llm.judges.cache import ReplyCache
from grader.llm.judges.cache_admin import parse_age
from tests.conftest import run_cli

DAY = 86400.0


def _cache(folder: Path) -> Path:
    """A cache with replies from two judges: 3 stored 40 days ago, 2 just now."""
    cache = ReplyCache(folder / "llm-cache.sqlite")
    for i in range(5):
        cache.put(f"k{i}", "gpt-4o-mini@https://api.openai.com/v1" if i < 3 else "qwen2.5:7b@http://localhost",
                  JudgeReply(feedback=f"ответ {i} 😀"))
    cache.close()
    db = sqlite3.connect(folder / "llm-cache.sqlite")
    db.execute("UPDATE replies SET created = ? WHERE key IN ('k0', 'k1', 'k2')", (time.time() - 40 * DAY,))
    db.commit()
    db.close()
    return folder / "llm-cache.sqlite"


def _run(folder: Path, *args: str) -> tuple[int, str, str]:
    proc = run_cli("cache", *args, env={**os.environ, "GRADER_CACHE_DIR": str(folder)})
    return proc.returncode, proc.stdout, proc.stderr


@pytest.mark.slow
class TestCacheCommands:
    """info counts per judge; clear --older-than keeps the recent ones; clear empties; a missing cache stays so."""

    def test_info_then_clear_older_then_all(self, tmp_path: Path) -> None:
        _cache(tmp_path)
        code, out, _ = _run(tmp_path, "info", "--json")
        data = json.loads(out)
        assert code == 0 and data["entries"] == 5 and data["exists"]
        assert data["by_judge"] == {"gpt-4o-mini@https://api.openai.com/v1": 3, "qwen2.5:7b@http://localhost": 2}
        assert data["newest"] - data["oldest"] > 39 * DAY
        code, out, _ = _run(tmp_path, "info")
        assert "5 replies" in out and "qwen2.5:7b@http://localhost" in out
        code, out, _ = _run(tmp_path, "clear", "--older-than", "30d")
        assert code == 0 and "deleted 3 cached replies" in out
        assert json.loads(_run(tmp_path, "info", "--json")[1])["entries"] == 2
        code, out, _ = _run(tmp_path, "clear", "--json")
        assert json.loads(out)["deleted"] == 2
        assert json.loads(_run(tmp_path, "info", "--json")[1])["entries"] == 0

    def test_missing_cache_is_not_created(self, tmp_path: Path) -> None:
        code, out, _ = _run(tmp_path / "none", "info")
        assert code == 0 and "no cache yet" in out
        assert _run(tmp_path / "none", "clear")[0] == 0
        assert not (tmp_path / "none").exists()

    def test_bad_age_and_foreign_file(self, tmp_path: Path) -> None:
        code, _, err = _run(tmp_path, "clear", "--older-than", "thirty days")
        assert code == 2 and "45s, 90m, 12h, 30d or 2w" in err and "Traceback" not in err
        (tmp_path / "llm-cache.sqlite").write_text("not a database " * 100)
        code, _, err = _run(tmp_path, "info")
        assert code == 2 and "not a grader LLM cache" in err and "Traceback" not in err


@pytest.mark.parametrize(("text", "seconds"), [("45s", 45), ("90m", 5400), ("12h", 43200), ("30d", 30 * DAY),
                                               ("2w", 14 * DAY), ("1.5D", 1.5 * DAY)])  # fmt: skip
def test_parse_age(text: str, seconds: float) -> None:
    assert parse_age(text) == seconds


@pytest.mark.slow
class TestParsedBankFiles:
    """The parsed bank files are the other cache: info counts them, clear deletes them (with the replies, or alone
    with --only bank), --older-than by when each was written; files that are not the cache's are left alone."""

    def _folder(self, tmp_path: Path) -> Path:
        env = {**os.environ, "GRADER_CACHE_DIR": str(tmp_path)}
        proc = run_cli("grade", "nasyshchenie-neyrona", "--answer", "Насыщение — ёж 🚀", "--json", env=env)
        assert proc.returncode == 0, proc.stderr
        entries = sorted((tmp_path / "bank").glob("*.json"))
        assert len(entries) == 2  # the question and its rubric
        return tmp_path / "bank"

    def test_info_and_clear_both(self, tmp_path: Path) -> None:
        bank, replies = self._folder(tmp_path), _cache(tmp_path)
        code, out, _ = _run(tmp_path, "info", "--json")
        data = json.loads(out)
        assert code == 0 and data["entries"] == 5
        size = sum(p.stat().st_size for p in bank.iterdir())
        assert data["bank"] == {"path": str(bank), "exists": True, "bytes": size, "entries": 2}
        out = _run(tmp_path, "info")[1]
        assert f"{bank}: 2 parsed bank files, {size / 1e3:.0f} KB" in out and f"{replies}: 5 replies" in out
        (bank / "notes.txt").write_text("mine")
        code, out, _ = _run(tmp_path, "clear")
        assert code == 0 and "deleted 5 cached replies" in out and f"{bank}: deleted 2 parsed bank files" in out
        assert [p.name for p in bank.iterdir()] == ["notes.txt"]
        assert "no parsed bank files yet" in _run(tmp_path, "info")[1]

    def test_only_one_and_older_than(self, tmp_path: Path) -> None:
        bank, _ = self._folder(tmp_path), _cache(tmp_path)
        old = sorted(bank.iterdir())[0]
        os.utime(old, (time.time() - 40 * DAY, time.time() - 40 * DAY))
        data = json.loads(_run(tmp_path, "clear", "--only", "bank", "--older-than", "30d", "--json")[1])
        assert data == {"path": str(tmp_path / "llm-cache.sqlite"), "deleted": None,  # not cleared: null
                        "bank": {"path": str(bank), "deleted": 1}}  # fmt: skip
        assert not old.exists() and len(list(bank.iterdir())) == 1
        code, out, _ = _run(tmp_path, "clear", "--only", "llm")
        assert code == 0 and "deleted 5 cached replies" in out and "parsed bank" not in out
        assert len(list(bank.iterdir())) == 1
        code, _, err = _run(tmp_path, "clear", "--only", "all")
        assert code == 2 and "Traceback" not in err

    def test_a_damaged_reply_cache_does_not_stop_the_bank_files(self, tmp_path: Path) -> None:
        bank = self._folder(tmp_path)
        (tmp_path / "llm-cache.sqlite").write_text("not a database " * 100)
        code, out, err = _run(tmp_path, "info")
        assert code == 2 and f"{bank}: 2 parsed bank files" in out and "not a grader LLM cache" in err
        code, out, err = _run(tmp_path, "clear")  # the bank files are cleared and told, then the error
        assert code == 2 and f"{bank}: deleted 2 parsed bank files" in out and "not a grader LLM cache" in err
        assert not list(bank.glob("*.json"))


@pytest.mark.parametrize("text", ["nand", "infd", "-1d", "30x", ""])
def test_parse_age_refuses(text: str) -> None:
    with pytest.raises(GraderError, match="not an age"):
        parse_age(text)


def test_only_the_caches_own_file_names() -> None:
    entry = "0123456789abcdef0123456789abcdef"
    assert is_ours(f"{entry}.json") and is_ours(f"{entry}.4242.tmp")
    assert not is_ours(f"{entry}.²³.tmp") and not is_ours(f"{entry}.tmp") and not is_ours("notes.txt")
