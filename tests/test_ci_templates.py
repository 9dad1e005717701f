"""The CI templates in examples/ci work as written: their commands, run in a rubric repository with nothing but
the grader on PATH (no git, as on GitLab's python:3.12-slim), record a baseline on the first run, pass while
nothing moved, and fail on a rubric edit with the moved example's file and line in the annotations and JUnit."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

TEMPLATES = ROOT / "examples" / "ci"
PASSING_BANK = Path(__file__).parent / "data" / "check" / "pass"


def _commands(template: str) -> tuple[list[str], str]:
    """(install commands, the rest as one shell script) of a template."""
    data = yaml.safe_load((TEMPLATES / template).read_text(encoding="utf-8"))
    if template.startswith("github"):
        lines = [step["run"] for step in data["jobs"]["check"]["steps"] if "run" in step]
    else:
        lines = data["grader-check"]["script"]
    install = [c for c in lines if c.startswith("pip install")]
    return install, "\n".join(c for c in lines if not c.startswith("pip install"))


def _run(script: str, repo: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    bin_dir = tmp_path / "bin"  # only the grader and python: no git, no other tools
    if not bin_dir.exists():
        bin_dir.mkdir()
        (bin_dir / "grader").write_text(f"#!/bin/sh\nexec {sys.executable} -m grader \"$@\"\n", encoding="utf-8")
        (bin_dir / "grader").chmod(0o755)
    env = {"PATH": str(bin_dir), "HOME": str(tmp_path / "home"), "LANG": "C.UTF-8",
           "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"), "PYTHONPATH": str(ROOT)}  # fmt: skip
    return subprocess.run(["/bin/bash", "-e", "-c", script], cwd=repo, env=env, capture_output=True, text=True,
                          timeout=300)  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("template", ["github-actions.yml", "gitlab-ci.yml"])
def test_template_runs_as_written(template: str, tmp_path: Path) -> None:
    install, script = _commands(template)
    assert install and all("git+" not in c and "archive" in c for c in install)  # installable without git
    repo = tmp_path / "rubric-repo"
    shutil.copytree(PASSING_BANK, repo)
    first = _run(script, repo, tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    assert (repo / "baseline.json").is_file() and (repo / "grader-junit.xml").is_file()
    again = _run(script, repo, tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr  # nothing moved
    rubric = repo / "rubrics" / "dropout.yaml"
    text = rubric.read_text(encoding="utf-8")
    point = "  text: Во время обучения случайно выключается часть нейронов\n"
    rubric.write_text(text.replace(point, point + "  weight: 2\n"), encoding="utf-8")  # partial: 0.50 -> 0.40
    line = next(i for i, ln in enumerate(rubric.read_text(encoding="utf-8").splitlines(), 1) if "id: partial" in ln)
    edited = _run(script, repo, tmp_path)
    assert edited.returncode == 1, edited.stdout + edited.stderr
    cases = [c for s in ET.parse(repo / "grader-junit.xml").getroot() if s.get("name") == "grader baseline"
             for c in s]  # fmt: skip
    moved = [c for c in cases if c.find("failure") is not None]
    assert moved and all(c.get("file", "").endswith("rubrics/dropout.yaml") and c.get("line") for c in moved)
    assert [(c.get("name"), c.get("line")) for c in moved] == [("dropout::partial", str(line))]
    if template.startswith("github"):
        notes = [ln for ln in edited.stdout.splitlines() if "title=changed against the baseline" in ln]
        assert len(notes) == 1 and notes[0].startswith("::error file=")
        assert f"rubrics/dropout.yaml,line={line}," in notes[0]
    assert os.environ.get("GITHUB_STEP_SUMMARY") != str(tmp_path / "summary.md")  # the test's own env untouched
