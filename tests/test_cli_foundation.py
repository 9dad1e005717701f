"""`grader grade` on bad input: one line on stderr, exit code 2, never a traceback; stdin and big answers work.

Also pins the layering: core modules never import typer or rich, and lexical grading never imports openai.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.bank.store import packaged_bank
from tests.conftest import ROOT, run_cli

QID = "nasyshchenie-neyrona"
GOOD = "Насыщение: выход сигмоиды или tanh близок к 0 или 1, градиент почти нулевой, веса почти не обновляются."


def _reference() -> str:
    from grader.bank.store import Bank

    return Bank(packaged_bank()).question(QID).reference


def _bad_input(proc: subprocess.CompletedProcess[str]) -> str:
    """The single error line of a run that must fail with exit code 2."""
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.fixture
def own_bank(tmp_path: Path) -> Path:
    """A bank folder holding one question and its rubric, copied from the bundled bank."""
    src = packaged_bank()
    for sub in ("questions", "rubrics"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / f"{QID}.yaml").write_bytes((src / sub / f"{QID}.yaml").read_bytes())
    return tmp_path


@pytest.mark.slow
class TestBadInput:
    """Each kind of bad input is named on one line, with where it is and how to fix it."""

    def test_unknown_id_suggests_the_closest(self) -> None:
        line = _bad_input(run_cli("grade", "nasyshchenie", "--answer", GOOD))
        assert "no question with id 'nasyshchenie'" in line
        assert "Did you mean: nasyshchenie-neyrona" in line

    def test_whitespace_only_answer(self) -> None:
        assert "empty" in _bad_input(run_cli("grade", QID, "--answer", " \n\t "))

    def test_whitespace_only_stdin(self) -> None:
        assert "stdin" in _bad_input(run_cli("grade", QID, input="   \n"))

    def test_invalid_utf8_file(self, tmp_path: Path) -> None:
        path = tmp_path / "answer.txt"
        path.write_bytes(GOOD.encode("cp1251"))
        line = _bad_input(run_cli("grade", QID, "--answer-file", str(path)))
        assert str(path) in line and "UTF-8" in line

    def test_binary_file(self, tmp_path: Path) -> None:
        path = tmp_path / "answer.png"
        path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00")
        assert "binary" in _bad_input(run_cli("grade", QID, "-f", str(path)))

    def test_missing_answer_file(self, tmp_path: Path) -> None:
        assert "no such file" in _bad_input(run_cli("grade", QID, "-f", str(tmp_path / "nope.txt")))

    def test_missing_bank_folder_by_option(self, tmp_path: Path) -> None:
        line = _bad_input(run_cli("grade", QID, "-a", GOOD, "--bank", str(tmp_path / "nope")))
        assert "bank folder does not exist" in line

    def test_missing_bank_folder_by_environment(self, tmp_path: Path) -> None:
        env = {**os.environ, "GRADER_BANK": str(tmp_path / "nope")}
        line = _bad_input(run_cli("grade", QID, "-a", GOOD, env=env))
        assert str(tmp_path / "nope") in line and "bank folder does not exist" in line

    def test_bank_folder_without_questions(self, tmp_path: Path) -> None:
        assert "no questions/ folder" in _bad_input(run_cli("grade", QID, "-a", GOOD, "--bank", str(tmp_path)))

    def test_malformed_question_yaml(self, own_bank: Path) -> None:
        path = own_bank / "questions" / f"{QID}.yaml"
        path.write_text(f"id: {QID}\nquestion: [unclosed\nreference: x\n", encoding="utf-8")
        line = _bad_input(run_cli("grade", QID, "-a", GOOD, "--bank", str(own_bank)))
        assert f"{path}:" in line and "invalid YAML" in line

    def test_invalid_question_field(self, own_bank: Path) -> None:
        path = own_bank / "questions" / f"{QID}.yaml"
        path.write_text(path.read_text(encoding="utf-8") + "lang: fr\n", encoding="utf-8")
        line = _bad_input(run_cli("grade", QID, "-a", GOOD, "--bank", str(own_bank)))
        lineno = path.read_text(encoding="utf-8").splitlines().index("lang: fr") + 1
        assert f"{path}:{lineno}: field 'lang'" in line

    def test_unknown_rubric_key_names_file_line_and_field(self, own_bank: Path) -> None:
        path = own_bank / "rubrics" / f"{QID}.yaml"
        lines = path.read_text(encoding="utf-8").splitlines()
        at = next(i for i, ln in enumerate(lines) if ln.startswith("  required:"))
        lines[at] = lines[at].replace("required:", "requird:")
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        line = _bad_input(run_cli("grade", QID, "-a", GOOD, "--bank", str(own_bank)))
        assert f"{path}:{at + 1}: unknown field 'points.0.requird'; did you mean 'required'?" in line

    def test_bad_rubric_value_names_file_line_and_field(self, own_bank: Path) -> None:
        path = own_bank / "rubrics" / f"{QID}.yaml"
        lines = path.read_text(encoding="utf-8").splitlines()
        at = next(i for i, ln in enumerate(lines) if ln.startswith("  weight:"))
        lines[at] = "  weight: -1"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        line = _bad_input(run_cli("grade", QID, "-a", GOOD, "--bank", str(own_bank)))
        assert f"{path}:{at + 1}: field 'points.0.weight'" in line and "greater than 0" in line


@pytest.mark.slow
class TestAnswerSources:
    """The answer comes from --answer, --answer-file (`-` is stdin) or a piped stdin; the result is the same."""

    def _score(self, proc: subprocess.CompletedProcess[str]) -> float:
        assert proc.returncode == 0, proc.stderr
        return float(json.loads(proc.stdout)["score"])

    def test_every_source_gives_the_same_grade(self, tmp_path: Path) -> None:
        answer = _reference()
        path = tmp_path / "answer.txt"
        path.write_bytes(b"\xef\xbb\xbf" + answer.encode())  # a BOM is fine
        scores = {
            self._score(run_cli("grade", QID, "--json", "--answer", answer)),
            self._score(run_cli("grade", QID, "--json", "--answer-file", str(path))),
            self._score(run_cli("grade", QID, "--json", "--answer-file", "-", input=answer)),
            self._score(run_cli("grade", QID, "--json", input=answer)),
        }
        assert len(scores) == 1 and scores.pop() >= 0.9

    def test_megabyte_answer_file(self, tmp_path: Path) -> None:
        path = tmp_path / "big.txt"
        unit = _reference() + "\n\n"
        text = unit * (1_000_000 // len(unit.encode()) + 1)
        path.write_text(text, encoding="utf-8")
        proc = run_cli("grade", QID, "--json", "-f", str(path))
        data = json.loads(proc.stdout)
        assert data["score"] >= 0.9
        assert all(p["status"] == "covered" for p in data["points"])
        for p in data["points"]:
            for ev in p["evidence"]:
                assert text[ev["start"] : ev["end"]] == ev["text"]

    def test_text_output_when_piped(self) -> None:
        proc = run_cli("grade", QID, input=GOOD)
        assert proc.returncode == 0 and "Score:" in proc.stdout and "\x1b[" not in proc.stdout


def _modules_loaded(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    return set(json.loads(out.strip().splitlines()[-1]))


def _core_modules() -> list[str]:
    pkg = ROOT / "grader"
    names = [".".join(p.relative_to(ROOT).with_suffix("").parts) for p in pkg.rglob("*.py")]
    return sorted(n.removesuffix(".__init__") for n in names if ".cli" not in n and not n.endswith("__main__"))


@pytest.mark.slow
class TestLayering:
    """Core modules never import typer or rich; lexical grading never imports openai."""

    def test_core_modules_import_no_cli_libraries(self) -> None:
        loaded = _modules_loaded("\n".join(f"import {m}" for m in _core_modules()))
        assert {"typer", "rich", "click", "openai"} & loaded == set()

    def test_import_grader_and_lexical_grade_do_not_import_openai(self) -> None:
        code = f"""
import sys
import grader
assert "openai" not in sys.modules
from grader.cli import main
sys.argv = ["grader", "grade", "{QID}", "--json", "--answer", "{GOOD}"]
try:
    main()
except SystemExit as exc:
    assert exc.code == 0, exc.code
"""
        assert "openai" not in _modules_loaded(code)
