"""A lexical `grader grade` loads only what grading one answer needs: no typer, click or rich (piped or --json), no
OpenAI client, no plugin scan, no rubric builder for a bank with rubrics, and no PyYAML once its files are cached."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

QID = "nasyshchenie-neyrona"
ANSWER = "Насыщение: сигмоида выдаёт почти 0 или 1, градиент мал 🙂 (saturation)."
NEVER = ["typer", "click", "rich", "openai", "importlib.metadata", "grader.engine.rubric", "grader.engine.reading"]
PROBE = """import json, sys
sys.argv = ["grader", "grade", *json.loads(sys.argv[1])]
from grader.cli import main
try:
    main()
except SystemExit as e:
    code = e.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def loaded(argv: list[str], cache: Path) -> tuple[str, set[str]]:
    """Stdout of `grader grade ARGV` in a fresh interpreter with its output piped, and the modules it imported."""
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE", "GRADER_BANK")}
    env["GRADER_CACHE_DIR"] = str(cache)
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(argv)], capture_output=True, text=True, env=env,
                          check=True, timeout=120)  # fmt: skip
    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert report["code"] == 0, done.stderr
    return done.stdout, set(report["modules"])


@pytest.mark.parametrize("output", [[], ["--json"]], ids=["piped", "json"])
def test_a_lexical_grade_loads_only_what_it_needs(output: list[str], tmp_path: Path) -> None:
    first_out, first = loaded([QID, "--answer", ANSWER, *output], tmp_path)
    again_out, again = loaded([QID, "--answer", ANSWER, *output], tmp_path)
    assert "yaml" in first  # the bank files are read once ...
    assert "yaml" not in again  # ... and then come from the cache
    assert [m for m in NEVER if m in first | again] == []
    assert first_out == again_out
    assert json.loads(first_out)["score"] > 0 if output else "Score: " in first_out


def test_a_caller_that_goes_on_keeps_collecting(monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    """The collector is paused for the one grade only, and nothing is frozen before the process exits."""
    import gc

    from grader.cli import main

    monkeypatch.delenv("GRADER_BANK", raising=False)
    monkeypatch.setattr(sys, "argv", ["grader", "grade", QID, "--json", "--answer", ANSWER])
    frozen = gc.get_freeze_count()
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code == 0 and json.loads(capsys.readouterr().out)["score"] > 0
    assert gc.isenabled() and gc.get_freeze_count() == frozen
