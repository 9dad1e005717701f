"""Small things a daily user meets: `grader --version`, `--min-score` on the scale shown on screen, messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader import __version__
from grader.engine.feedback import counted
from tests.conftest import ROOT, run_cli

DATA = Path(__file__).parent / "data"
QID = "nasyshchenie-neyrona"
GOOD = "Насыщение: выход сигмоиды или tanh близок к 0 или 1, градиент почти нулевой, веса почти не обновляются."


def test_version() -> None:
    proc = run_cli("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"grader {__version__}"


@pytest.mark.slow
class TestMinScore:
    """--min-score reads 0-100 as printed on screen, and 0..1 as before; the answer here scores 86."""

    @pytest.mark.parametrize(("value", "rc"), [("80", 0), ("90", 1), ("0.8", 0), ("0.9", 1), ("100", 1), ("1", 1)])
    def test_either_scale(self, value: str, rc: int) -> None:
        assert run_cli("grade", QID, "-a", GOOD, "--min-score", value).returncode == rc

    def test_out_of_range_is_a_usage_error(self) -> None:
        proc = run_cli("grade", QID, "-a", GOOD, "--min-score", "150")
        assert proc.returncode == 2 and "Traceback" not in proc.stderr


class TestMessages:
    """Counts agree with their nouns; advice names only flags the command has; a finished batch says so."""

    @pytest.mark.parametrize(("n", "want"), [(0, "0 errors"), (1, "1 error"), (2, "2 errors"), (21, "21 errors")])
    def test_counted(self, n: int, want: str) -> None:
        assert counted(n, "error") == want

    @pytest.mark.slow
    def test_check_says_1_error(self) -> None:
        proc = run_cli("check", str(DATA / "check" / "stale"))
        assert "2 files linted: 1 error, 0 warnings" in proc.stdout

    @pytest.mark.slow
    def test_grade_examples_without_score_column(self, tmp_path: Path) -> None:
        graded = tmp_path / "graded.csv"
        graded.write_text(f"question_id,answer,grade\n{QID},{GOOD},1\n", encoding="utf-8")
        proc = run_cli("grade", QID, "-a", GOOD, "--examples", str(graded))
        assert proc.returncode == 2
        assert "no column 'score'" in proc.stderr and "--score-col" not in proc.stderr

    @pytest.mark.slow
    def test_resume_of_a_finished_batch_says_so(self, tmp_path: Path) -> None:
        args = ("batch", str(ROOT / "examples" / "batch" / "answers.csv"), "--out", str(tmp_path), "--quiet")
        assert "nothing to resume" not in run_cli(*args).stderr
        proc = run_cli(*args, "--resume")
        assert proc.returncode == 0
        assert "nothing to resume: this batch had finished" in proc.stderr
