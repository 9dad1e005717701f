"""`grader check` over fixture banks that pass, fail, are stale and are malformed: exit codes, JSON, JUnit, GitHub."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import run_cli

DATA = Path(__file__).parent / "data" / "check"


def check(*args: str | Path, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    proc = run_cli("check", *map(str, args), env=env)
    return proc.returncode, proc.stdout, proc.stderr


class TestExitCodes:
    """0 when everything passes, 1 when a check fails, 2 when the run cannot proceed."""

    def test_passing_bank(self) -> None:
        code, out, _ = check(DATA / "pass")
        assert code == 0
        assert "3 golden examples: 3 passed, 0 failed" in out

    @pytest.mark.parametrize(
        ("folder", "expected"),
        [
            ("fail", "dropout::partial  score 0.50 outside band [0.80, 1.00]; expected covered: inference (missing)"),
            ("stale", "stale/rubrics/dropout.yaml:3: error [stale-rubric]"),
            ("malformed", "malformed/rubrics/dropout.yaml:8: error [bad-weight] field 'points.0.weight'"),
        ],
    )
    def test_failing_banks(self, folder: str, expected: str) -> None:
        code, out, _ = check(DATA / folder)
        assert code == 1
        assert expected in out

    def test_run_cannot_proceed(self, tmp_path: Path) -> None:
        code, _, err = check(tmp_path / "nowhere")
        assert code == 2 and "no such file or folder" in err
        bad = tmp_path / "baseline.json"
        bad.write_text("{}", encoding="utf-8")
        code, _, err = check(DATA / "pass", "--baseline", bad)
        assert code == 2 and "not a grader baseline" in err
        code, _, err = check(DATA / "pass", "--fail-on-change")
        assert code == 2 and "--baseline" in err


class TestLint:
    """Every lint check names the file, the line and the field."""

    def test_findings(self) -> None:
        code, out, _ = check(DATA / "lint", "--json")
        assert code == 1
        report = json.loads(out)
        found = {(f["code"], Path(f["file"]).name, f["line"], f["field"]) for f in report["findings"]}
        assert found == {
            ("duplicate-id", "dropout.yaml", 1, "question_id"),
            ("duplicate-id", "dropout-copy.yaml", 1, "question_id"),
            ("no-rubric", "batchnorm.yaml", 1, None),
            ("no-hash", "dropout-copy.yaml", 1, "question_id"),
            ("concept-in-question", "dropout.yaml", 11, "points.0.concepts.1"),
            ("no-concepts", "dropout.yaml", 14, "points.1.concepts"),
            ("unknown-point", "dropout.yaml", 23, "examples.0.covers.1"),
            ("reference-below-floor", "dropout.yaml", 5, "points"),  # the line of the key `points:`
            ("no-question", "orphan.yaml", 1, "question_id"),
        }
        assert report["summary"]["errors"] == 6 and report["summary"]["warnings"] == 3

    def test_warnings_fail_only_when_strict(self, tmp_path: Path) -> None:
        bank = tmp_path / "bank"
        shutil.copytree(DATA / "pass", bank)
        shutil.copy(DATA / "lint" / "questions" / "batchnorm.yaml", bank / "questions")
        code, out, _ = check(bank)
        assert code == 0 and "warning [no-rubric]" in out
        assert check(bank, "--strict")[0] == 1

    def test_rubric_file_alone_finds_its_question_beside_it(self) -> None:
        code, out, _ = check(DATA / "fail" / "rubrics" / "dropout.yaml", "--json")
        assert code == 1
        report = json.loads(out)
        assert [e["outcome"] for e in report["examples"]] == ["passed", "failed", "passed"]


class TestJunit:
    """The JUnit XML has the testsuites/testsuite/testcase shape CI tools read, with consistent counts."""

    def test_counts_and_structure(self, tmp_path: Path) -> None:
        xml = tmp_path / "out" / "junit.xml"
        code, _, _ = check(DATA / "fail", DATA / "malformed", "--junit", xml)
        assert code == 1
        root = ET.parse(xml).getroot()
        assert root.tag == "testsuites"
        suites = {s.get("name"): s for s in root.findall("testsuite")}
        assert set(suites) == {"grader lint", "grader golden examples"}
        for el in [root, *suites.values()]:
            cases = list(el.iter("testcase"))
            assert int(el.get("tests", "-1")) == len(cases)
            assert int(el.get("failures", "-1")) == sum(c.find("failure") is not None for c in cases)
            assert int(el.get("errors", "-1")) == sum(c.find("error") is not None for c in cases)
            assert all(c.get("classname") and c.get("name") for c in cases)
        assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("8", "1", "2")  # partial; 2 files
        lint_cases = suites["grader lint"].findall("testcase")
        assert len(lint_cases) == 5  # 2 + 3 question and rubric files
        errors = [c for c in lint_cases if c.find("error") is not None]
        assert sorted(Path(c.get("name", "")).name for c in errors) == ["broken.yaml", "dropout.yaml"]
        examples = suites["grader golden examples"].findall("testcase")
        failed = [c for c in examples if c.find("failure") is not None]
        assert [(c.get("classname"), c.get("name")) for c in failed] == [("dropout", "partial")]
        failure = failed[0].find("failure")
        assert failure is not None
        assert "band [0.80, 1.00], score 0.50" in (failure.text or "")
        assert failed[0].get("line") and failed[0].get("file", "").endswith("fail/rubrics/dropout.yaml")


class TestGithub:
    """--github prints ::error annotations with file and line and appends Markdown to $GITHUB_STEP_SUMMARY."""

    def test_annotations_and_summary(self, tmp_path: Path) -> None:
        import os

        summary = tmp_path / "summary.md"
        env = {**os.environ, "GITHUB_STEP_SUMMARY": str(summary)}
        code, out, _ = check(DATA / "stale", DATA / "fail", "--github", env=env)
        assert code == 1
        lines = [ln for ln in out.splitlines() if ln.startswith("::")]
        assert any(
            ln.startswith("::error file=")
            and "stale/rubrics/dropout.yaml,line=3,title=grader check%3A stale-rubric::" in ln
            for ln in lines
        )
        golden = [ln for ln in lines if "golden example dropout%3A%3Apartial" in ln]
        assert len(golden) == 1 and "%0A" in golden[0] and ",line=" in golden[0]
        md = summary.read_text(encoding="utf-8")
        assert md.startswith("## grader check: ❌ failed")
        assert "| dropout::partial | 0.80–1.00 | 0.50 |" in md


class TestBaseline:
    """A saved baseline reports examples that moved more than the tolerance or changed a point's status."""

    @pytest.fixture
    def bank(self, tmp_path: Path) -> Path:
        bank = tmp_path / "bank"
        shutil.copytree(DATA / "pass", bank)
        return bank

    def test_save_then_compare(self, bank: Path, tmp_path: Path) -> None:
        base = tmp_path / "baseline.json"
        assert check(bank, "--save-baseline", base)[0] == 0
        saved = json.loads(base.read_text(encoding="utf-8"))
        assert saved["examples"]["dropout::partial"]["points"]["regularization"] == "covered"
        code, out, _ = check(bank, "--baseline", base, "--fail-on-change")
        assert code == 0 and "no example moved" in out
        rubric = bank / "rubrics" / "dropout.yaml"
        text = rubric.read_text(encoding="utf-8")
        # A heavy concept the reference has and the strong example lacks: that point turns partial.
        text = text.replace(
            "  - [выключается, отключаются, обнуляются, zeroed, dropped]\n",
            "  - [выключается, отключаются, обнуляются, zeroed, dropped]\n  - {any: [часть нейронов], weight: 2}\n",
        ).replace("covers: [regularization, random-off, inference]", "covers: [regularization, inference]")
        rubric.write_text(text, "utf-8")
        code, out, _ = check(bank, "--baseline", base, "--json")
        assert code == 0  # a change alone does not fail without --fail-on-change
        diff = json.loads(out)["diff"]
        assert [c["key"] for c in diff["changes"]] == ["dropout::strong"]
        change = diff["changes"][0]
        assert change["moved"] and change["delta"] == pytest.approx(-0.125)
        assert change["points"] == [{"id": "random-off", "before": "covered", "after": "partial"}]
        code, out, _ = check(bank, "--baseline", base, "--fail-on-change")
        assert code == 1
        assert "dropout::strong" in out and "random-off: covered → partial" in out
        code, _, _ = check(bank, "--baseline", base, "--tolerance", "0.2", "--fail-on-change")
        assert code == 1  # the point status changed, whatever the tolerance


class TestCalibrationGate:
    """--labels with --min-pearson fails when the bank's rubrics agree too little with human scores."""

    def test_gate(self, tmp_path: Path) -> None:
        labels = tmp_path / "labels.csv"
        rows = [
            ("a1", "Dropout — регуляризация против переобучения: случайно отключаются нейроны.", "0.9"),
            ("a2", "Dropout нужен против переобучения.", "0.5"),
            ("a3", "Не знаю.", "0.0"),
        ]
        labels.write_text(
            "id,question_id,answer,score\n" + "".join(f"{i},dropout,{a},{s}\n" for i, a, s in rows), "utf-8"
        )
        code, out, _ = check(DATA / "pass", "--labels", labels, "--min-pearson", "0.8", "--json")
        assert code == 0
        cal = json.loads(out)["calibration"]
        assert cal["n"] == 3 and cal["pearson"] >= 0.8 and cal["passed"]
        inverted = labels.read_text("utf-8").replace(",0.9\n", ",0.1\n").replace(",0.0\n", ",1.0\n")
        labels.write_text(inverted, "utf-8")
        assert check(DATA / "pass", "--labels", labels, "--min-pearson", "0.8")[0] == 1
        assert check(DATA / "pass", "--labels", labels)[0] == 2  # --min-pearson missing
