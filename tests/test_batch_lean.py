"""`grader batch --output lean`: grades.jsonl rows without the rubric's texts, lossless (every row expands to the
full row with rubrics.json), and every other output byte-identical to the full run's, resumed or not."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from grader.bank.store import Bank
from grader.batch.lean import RUBRICS, expand
from grader.batch.run import run_batch
from grader.errors import GraderError
from grader.tables import RowSource
from tests.conftest import ROOT, run_cli

EXAMPLES = ROOT / "examples" / "batch"
REPORTS = ("grades.csv", "summary.json", "report.html")


def rows_of(path: Path) -> list[dict[str, object]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory, bank: Bank) -> tuple[Path, Path, Path]:
    """The example answers (bank questions and own references, a blank and an error row) and a row with an extra
    column, graded into a full and a lean folder."""
    tmp = tmp_path_factory.mktemp("lean")
    path = tmp / "in.csv"
    text = (EXAMPLES / "answers.csv").read_text(encoding="utf-8").splitlines()
    text[0] += ",note"
    path.write_text("\n".join([text[0]] + [line + f",=n{i}" for i, line in enumerate(text[1:])]) + "\n",
                    encoding="utf-8")  # fmt: skip
    run_batch(RowSource.open(path), tmp / "full", bank)
    run_batch(RowSource.open(path), tmp / "lean", bank, output="lean", workers=2)
    return path, tmp / "full", tmp / "lean"


def test_reports_are_the_same(both: tuple[Path, Path, Path]) -> None:
    _, full, lean = both
    for name in REPORTS:
        assert (lean / name).read_bytes() == (full / name).read_bytes(), name
    assert not (full / RUBRICS).exists()


def test_every_lean_row_expands_to_the_full_row(both: tuple[Path, Path, Path]) -> None:
    _, full, lean = both
    rubrics = json.loads((lean / RUBRICS).read_text(encoding="utf-8"))
    full_rows, lean_rows = rows_of(full / "grades.jsonl"), rows_of(lean / "grades.jsonl")
    assert len(full_rows) == len(lean_rows) > 10
    assert [expand(r, rubrics) for r in lean_rows] == full_rows
    assert any(r.get("error") for r in lean_rows) and any("empty" in r.get("flags", ()) for r in lean_rows)


def test_lean_rows_hold_no_point_texts_or_hints(both: tuple[Path, Path, Path]) -> None:
    _, full, lean = both
    graded = [r for r in rows_of(lean / "grades.jsonl") if r.get("points")]
    assert graded
    for row in graded:
        assert not {"feedback", "study_next", "question", "grader_version"} & row.keys()
        for point in row["points"]:  # type: ignore[attr-defined]
            assert isinstance(point, list) and len(point) in (3, 4)  # id, status, score[, evidence offsets]
            assert all(isinstance(span, list) and len(span) == 2 for span in (point[3] if len(point) == 4 else []))
    assert (lean / "grades.jsonl").stat().st_size < (full / "grades.jsonl").stat().st_size / 2


def test_resumed_lean_batch_ends_the_same(both: tuple[Path, Path, Path], tmp_path: Path, bank: Bank) -> None:
    """A lean run cut after a few rows (as a kill leaves it) resumes into the same five files."""
    path, _, lean = both
    out = tmp_path / "out"
    shutil.copytree(lean, out)
    kept = (out / "grades.jsonl").read_bytes().splitlines(keepends=True)[:5]
    (out / "grades.jsonl.part").write_bytes(b"".join(kept) + b'{"id": "half a li')
    for name in ("grades.jsonl", RUBRICS, *REPORTS):
        (out / name).unlink()
    result = run_batch(RowSource.open(path), out, bank, output="lean", resume=True)
    assert result.resumed == 5
    for name in ("grades.jsonl", RUBRICS, *REPORTS):
        assert (out / name).read_bytes() == (lean / name).read_bytes(), name


def test_output_format_cannot_change_on_resume(both: tuple[Path, Path, Path], tmp_path: Path, bank: Bank) -> None:
    path, _, lean = both
    out = tmp_path / "out"
    shutil.copytree(lean, out)
    (out / "grades.jsonl").rename(out / "grades.jsonl.part")
    with pytest.raises(GraderError, match="output changed"):
        run_batch(RowSource.open(path), out, bank, resume=True)


def test_unknown_output_format(tmp_path: Path, bank: Bank) -> None:
    with pytest.raises(GraderError, match="--output full or --output lean"):
        run_batch(RowSource.open(EXAMPLES / "answers.csv"), tmp_path, bank, output="short")  # type: ignore[arg-type]


@pytest.mark.slow
def test_judged_rows_keep_what_the_rubric_cannot_give(tmp_path: Path) -> None:
    """--mode hybrid: judge verdicts, quotes and feedback stay on the lean rows, which still expand exactly."""
    for kind in ("full", "lean"):
        res = run_cli("batch", str(EXAMPLES / "answers.csv"), "--out", str(tmp_path / kind), "--mode", "hybrid",
                      "--judge", "fake", "--output", kind, "--quiet")  # fmt: skip
        assert res.returncode == 0, res.stderr
    rubrics = json.loads((tmp_path / "lean" / RUBRICS).read_text(encoding="utf-8"))
    lean_rows = rows_of(tmp_path / "lean" / "grades.jsonl")
    assert [expand(r, rubrics) for r in lean_rows] == rows_of(tmp_path / "full" / "grades.jsonl")
    assert any(len(p) == 5 for r in lean_rows for p in r.get("points", ()))  # type: ignore[attr-defined]
    for name in REPORTS:
        assert (tmp_path / "lean" / name).read_bytes() == (tmp_path / "full" / name).read_bytes(), name


def test_rows_with_words_about_something_else_stay_lean(tmp_path: Path, bank: Bank) -> None:
    """An off-topic or aside note names the answer's own words: the lean row keeps them as offsets, not the
    feedback, and expands to the full row."""
    from tests.test_offtopic import AS_WRITTEN, FAR, OTHER, QUESTIONS

    rows = [(q, answer) for lang, q in QUESTIONS.items() for answer in (OTHER[lang], AS_WRITTEN[lang])]
    rows += [FAR[lang] for lang in QUESTIONS]
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps({"id": str(i), "question": q.question, "reference": q.reference,
                                        "answer": answer}, ensure_ascii=False) + "\n"
                            for i, (q, answer) in enumerate(rows)), encoding="utf-8")  # fmt: skip
    run_batch(RowSource.open(path), tmp_path / "full", bank)
    run_batch(RowSource.open(path), tmp_path / "lean", bank, output="lean")
    full_rows, lean_rows = rows_of(tmp_path / "full" / "grades.jsonl"), rows_of(tmp_path / "lean" / "grades.jsonl")
    rubrics = json.loads((tmp_path / "lean" / RUBRICS).read_text(encoding="utf-8"))
    assert [expand(r, rubrics) for r in lean_rows] == full_rows
    assert sum("off_topic" in r["flags"] for r in lean_rows) == 3  # type: ignore[operator]
    for lean_row, full_row in zip(lean_rows, full_rows, strict=True):
        assert "feedback" not in lean_row and "study_next" not in lean_row
        named = [full_row["answer"][a:b] for a, b in lean_row["aside"]]  # type: ignore[index,misc]
        assert named and all(w in str(full_row["feedback"]) for w in named)
