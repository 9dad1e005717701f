"""Shared fixtures: the bundled bank and a CLI runner that calls the real entry point."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.bank.store import Bank, packaged_bank

pytest_plugins = ["tests.llm_server"]  # the loopback OpenAI-compatible server fixture `llm_server`

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seeds" / "000_bac1e50e9b8a78e7.txt"


@pytest.fixture(scope="session", autouse=True)
def _cache_in_a_temporary_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """What the grader caches (parsed bank files, judge replies) goes to a folder of the test run, not the user's;
    CLI subprocesses inherit it. A test that sets GRADER_CACHE_DIR itself still does."""
    if "GRADER_CACHE_DIR" in os.environ:
        yield
        return
    os.environ["GRADER_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    yield
    os.environ.pop("GRADER_CACHE_DIR", None)


@pytest.fixture(scope="session")
def bank() -> Bank:
    return Bank(packaged_bank())


def run_cli(*args: str, input: str | bytes | None = None, env: dict[str, str] | None = None,
            cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m grader ARGS` in a subprocess, as a user would."""
    data = input.encode("utf-8") if isinstance(input, str) else input
    proc = subprocess.run(
        [sys.executable, "-m", "grader", *args],
        input=data if data is not None else b"",
        capture_output=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )
    return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode("utf-8", "replace"),
                                       proc.stderr.decode("utf-8", "replace"))
