"""Small things a daily user meets: `grader --version`, `--min-score` on the scale shown on screen, plurals."""

from __future__ import annotations

import pytest

from grader import __version__
from tests.conftest import run_cli

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
