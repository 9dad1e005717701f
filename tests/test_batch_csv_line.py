"""grades.csv lines are formatted by hand for speed, and are exactly what the csv module writes."""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

import pytest

from grader.batch.records import csv_line
from tests.conftest import ROOT, run_cli

ALPHABET = [",", ";", "\t", '"', "'", "\r", "\n", " ", "=", "a", "Я", "ё", "\ufffd", "\u00a0", "\u2028", "|", "0"]


def reference(cells: list[object], delimiter: str) -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerow(cells)
    return buf.getvalue()


@pytest.mark.parametrize("delimiter", [";", ",", "\t", "|"])
def test_same_as_csv_writer(delimiter: str) -> None:
    rnd = random.Random(delimiter)
    for _ in range(2000):
        cells: list[object] = ["".join(rnd.choices(ALPHABET, k=rnd.randint(0, 6))) for _ in range(rnd.randint(1, 5))]
        if rnd.random() < 0.3:
            cells.append(rnd.choice([0, 57, -3, "", None]))
        assert csv_line(cells, delimiter) == reference(cells, delimiter), cells


@pytest.mark.parametrize("cells", [[""], [None], ["", ""], [12], ['"'], ["a\r\nb"]], ids=repr)
def test_edge_records(cells: list[object]) -> None:
    assert csv_line(cells, ";") == reference(cells, ";")


def test_a_delimiter_csv_cannot_use_is_refused() -> None:
    with pytest.raises(TypeError):
        csv_line(["x"], ";;")


def test_batch_refuses_a_bad_delimiter_before_grading(tmp_path: Path) -> None:
    res = run_cli("batch", str(ROOT / "examples" / "batch" / "answers.csv"), "--out", str(tmp_path / "out"),
                  "--csv-delimiter", ";;")  # fmt: skip
    assert res.returncode == 2 and "--csv-delimiter" in res.stderr
    assert not (tmp_path / "out").exists()
