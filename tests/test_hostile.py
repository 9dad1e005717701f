"""Hostile input never crashes, hangs, eats memory or lies.

Every case runs the real command in a child process with 1 GB of address space (RLIMIT_AS) and a 60 s timeout
(a timeout fails the test), and ends in exit code 2 with one `error:` line naming the problem, or in an error
row, never in a traceback. The bombs are small: they would blow far past the limits without the guards.
"""

from __future__ import annotations

import json
import os
import resource
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
QID = "nasyshchenie-neyrona"
MEMORY = 1 << 30
RUBRIC = str(ROOT / "rubrics" / f"{QID}.yaml")
ANSWER = "Насыщение: выход сигмоиды застревает у 0 или 1, градиент почти нулевой, обучение стоит. ReLU помогает."
QANSWER = f'"{ANSWER}"'  # as a CSV cell
GRADED = "id,question,reference,answer,score\n"  # a file of graded answers bringing their own reference
REF = "Насыщение: выход активации у её пределов, где градиент почти нулевой, и обучение останавливается"


def graded(scores: list[float]) -> str:
    rows = (f'{i},Что такое насыщение?,"{REF}","{ANSWER[: 12 + 9 * i]}",{s}\n' for i, s in enumerate(scores))
    return GRADED + "".join(rows)


def run(*args: str, cwd: Path, input: bytes = b"", env: dict[str, str] | None = None,
        shell: str | None = None) -> subprocess.CompletedProcess[str]:  # fmt: skip
    """`python -m grader ARGS` (or a shell line) under the memory limit; a run past 60 s raises, failing the test."""

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))

    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    cmd: str | list[str] = shell if shell is not None else [sys.executable, "-m", "grader", *args]
    proc = subprocess.run(cmd, input=input, capture_output=True, cwd=cwd, env=full_env, timeout=60,
                          preexec_fn=limit_memory, shell=shell is not None)  # fmt: skip
    return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode("utf-8", "replace"),
                                       proc.stderr.decode("utf-8", "replace"))  # fmt: skip


def refused(proc: subprocess.CompletedProcess[str], *words: str) -> str:
    """Exit 2, no traceback, and a last stderr line `error: ...` holding every word; returns that line."""
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("error: "), proc.stderr
    for word in words:
        assert word in last, (word, last)
    return last


def graded_rows(out: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (out / "grades.jsonl").read_text(encoding="utf-8").splitlines()]


def alias_bomb(levels: int = 9) -> str:
    """The "billion laughs": nine aliases a level, nine levels (about 387 million nodes expanded)."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def bank_with_rubric(tmp: Path, rubric_text: str) -> Path:
    """A bank holding the bundled question QID and a hostile rubric for it."""
    bank = tmp / "bank"
    (bank / "questions").mkdir(parents=True)
    (bank / "rubrics").mkdir()
    (bank / "questions" / f"{QID}.yaml").write_bytes((ROOT / "questions" / f"{QID}.yaml").read_bytes())
    (bank / "rubrics" / f"{QID}.yaml").write_text(rubric_text, encoding="utf-8")
    return bank


def inf_weight_rubric() -> str:
    text = (ROOT / "rubrics" / f"{QID}.yaml").read_text(encoding="utf-8")
    return text.replace("weight: 2", "weight: .inf", 1)


def xlsx(path: Path, extra: Callable[[zipfile.ZipFile], None] | None = None, far_cell: str | None = None) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["id", "question_id", "answer"])
    ws.append(["1", QID, ANSWER])
    if far_cell:
        ws[far_cell] = "x"
    wb.save(path)
    if extra:
        with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
            extra(zf)
    return path


# --- cases that must end in exit code 2 -----------------------------------------------------------------------------


def _yaml_alias_bomb(tmp: Path) -> tuple[list[str], dict[str, str], tuple[str, ...]]:
    bank = bank_with_rubric(tmp, f"question_id: {QID}\n" + alias_bomb())
    return ["grade", QID, "--bank", str(bank), "--answer", ANSWER], {}, ("aliases expanded", "GRADER_MAX_YAML_NODES")


def _yaml_deep(tmp: Path) -> tuple[list[str], dict[str, str], tuple[str, ...]]:
    bank = bank_with_rubric(tmp, f"question_id: {QID}\npoints: " + "[" * 100_000 + "]" * 100_000 + "\n")
    return ["grade", QID, "--bank", str(bank), "--answer", ANSWER], {}, ("invalid YAML",)


def _inf_weight(tmp: Path) -> tuple[list[str], dict[str, str], tuple[str, ...]]:
    bank = bank_with_rubric(tmp, inf_weight_rubric())
    return ["grade", QID, "--bank", str(bank), "--answer", ANSWER], {}, ("weight", "finite")


def _device_answer(tmp: Path) -> tuple[list[str], dict[str, str], tuple[str, ...]]:
    return ["grade", QID, "--answer-file", "/dev/zero"], {}, ("/dev/zero", "not a regular file")


def _folder_answer(tmp: Path) -> tuple[list[str], dict[str, str], tuple[str, ...]]:
    return ["grade", QID, "--answer-file", str(tmp)], {}, ("is a folder",)


def _xlsx_zip_bomb(tmp: Path) -> tuple[list[str], dict[str, str], tuple[str, ...]]:
    # 212 MB of zeros packs into under 1 MB: past the default 200 MB, refused before anything unpacks it.
    def add(zf: zipfile.ZipFile) -> None:
        with zf.open("xl/media/zeros.bin", "w", force_zip64=True) as fh:
            block = bytes(4 << 20)
            for _ in range(53):
                fh.write(block)

    path = xlsx(tmp / "bomb.xlsx", add)
    return ["batch", str(path), "--out", str(tmp / "out"), "-q"], {}, ("unpacked workbook", "GRADER_MAX_XLSX_BYTES")


def _xlsx_far_column(tmp: Path) -> tuple[list[str], dict[str, str], tuple[str, ...]]:
    path = xlsx(tmp / "far.xlsx", far_cell="XFD1048576")
    return ["batch", str(path), "--out", str(tmp / "out"), "-q"], {}, ("columns", "GRADER_MAX_XLSX_COLUMNS")


def _telegram_list(tmp: Path) -> tuple[list[str], dict[str, str], tuple[str, ...]]:
    (tmp / "result.json").write_text("[1, 2, 3]", encoding="utf-8")
    return ["import", "telegram", str(tmp / "result.json"), "--bank", str(tmp / "b")], {}, ("not a JSON object",)


def _nan_calibration(tmp: Path) -> tuple[list[str], dict[str, str], tuple[str, ...]]:
    (tmp / "cal.json").write_text('{"raw": [0.0, NaN], "calibrated": [0.0, 1.0]}', encoding="utf-8")
    return ["grade", QID, "--answer", ANSWER, "--calibration", str(tmp / "cal.json")], {}, ("cal.json",)


def _calibrate_one_row(tmp: Path) -> tuple[list[str], dict[str, str], tuple[str, ...]]:
    (tmp / "one.csv").write_text(graded([1.0]), encoding="utf-8")
    args = ["calibrate", str(tmp / "one.csv"), "--out", str(tmp / "cal.json")]
    return args, {}, ("cannot fit", "1 answer")


def _damaged_history(tmp: Path) -> tuple[list[str], dict[str, str], tuple[str, ...]]:
    (tmp / "h.sqlite").write_bytes(b"SQLite format 3\x00" + os.urandom(4000))
    return ["stats", "--db", str(tmp / "h.sqlite")], {}, ("h.sqlite",)


def _empty_history(tmp: Path) -> tuple[list[str], dict[str, str], tuple[str, ...]]:
    (tmp / "h.sqlite").write_bytes(b"")
    return ["history", "--db", str(tmp / "h.sqlite")], {}, ("empty", "not a grader history")


def _damaged_cache(tmp: Path) -> tuple[list[str], dict[str, str], tuple[str, ...]]:
    cache = tmp / "cache"
    cache.mkdir()
    (cache / "llm-cache.sqlite").write_bytes(b"not a database at all")
    env = {"GRADER_CACHE_DIR": str(cache), "OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": "http://127.0.0.1:9/v1"}
    return ["grade", QID, "--answer", ANSWER, "--mode", "llm"], env, ("llm-cache.sqlite", "not a grader LLM cache")


def _damaged_state(tmp: Path) -> tuple[list[str], dict[str, str], tuple[str, ...]]:
    (tmp / "in.csv").write_text(f"id,question_id,answer\n1,{QID},{QANSWER}\n", encoding="utf-8")
    (tmp / "out").mkdir()
    (tmp / "out" / ".grader-batch.json").write_text("{not json", encoding="utf-8")
    (tmp / "out" / "grades.jsonl.part").write_text("", encoding="utf-8")
    return ["batch", str(tmp / "in.csv"), "--out", str(tmp / "out"), "--resume", "-q"], {}, ("damaged", "--restart")


def _out_is_a_file(tmp: Path) -> tuple[list[str], dict[str, str], tuple[str, ...]]:
    (tmp / "in.csv").write_text(f"id,question_id,answer\n1,{QID},{QANSWER}\n", encoding="utf-8")
    (tmp / "taken").write_text("x", encoding="utf-8")
    return ["batch", str(tmp / "in.csv"), "--out", str(tmp / "taken" / "sub"), "-q"], {}, ("taken", "in the way")


def _junit_is_a_folder(tmp: Path) -> tuple[list[str], dict[str, str], tuple[str, ...]]:
    (tmp / "junit.xml").mkdir()
    return ["check", RUBRIC, "--junit", str(tmp / "junit.xml")], {}, ("junit.xml", "folder")


def _summary_disk_full(tmp: Path) -> tuple[list[str], dict[str, str], tuple[str, ...]]:
    return ["check", RUBRIC, "--github"], {"GITHUB_STEP_SUMMARY": "/dev/full"}, ("/dev/full", "disk is full")


def _calibrate_out_folder(tmp: Path) -> tuple[list[str], dict[str, str], tuple[str, ...]]:
    (tmp / "g.csv").write_text(graded([i / 5 for i in range(6)]), encoding="utf-8")
    (tmp / "cal.json").mkdir()
    return ["calibrate", str(tmp / "g.csv"), "--out", str(tmp / "cal.json")], {}, ("cal.json", "folder")


def _workers_not_a_number(tmp: Path) -> tuple[list[str], dict[str, str], tuple[str, ...]]:
    return ["grade", QID, "--answer", ANSWER], {"GRADER_MAX_ANSWER_CHARS": "lots"}, ("GRADER_MAX_ANSWER_CHARS",)


def _xml_entity_bomb(tmp: Path) -> tuple[list[str], dict[str, str], tuple[str, ...]]:
    levels = "".join(f'<!ENTITY e{i} "' + f"&e{i - 1};" * 10 + '">' for i in range(1, 10))
    (tmp / "saf").mkdir()
    (tmp / "saf" / "q.xml").write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE question [<!ENTITY e0 "lol">{levels}]>\n<question id="q1">'
        "<questionText>&e9;</questionText><referenceAnswers><referenceAnswer>r</referenceAnswer></referenceAnswers>"
        "<studentAnswers><studentAnswer id='a'><response>x</response><score>1</score></studentAnswer></studentAnswers>"
        "</question>", encoding="utf-8")  # fmt: skip
    return ["evaluate", str(tmp / "saf")], {}, ("q.xml", "amplification")


REFUSED = {
    "saf-xml-entity-bomb": _xml_entity_bomb,
    "yaml-alias-bomb": _yaml_alias_bomb,
    "yaml-deep-nesting": _yaml_deep,
    "rubric-weight-inf": _inf_weight,
    "answer-file-device": _device_answer,
    "answer-file-folder": _folder_answer,
    "xlsx-zip-bomb": _xlsx_zip_bomb,
    "xlsx-far-column": _xlsx_far_column,
    "telegram-top-level-list": _telegram_list,
    "calibration-nan": _nan_calibration,
    "calibrate-one-row": _calibrate_one_row,
    "history-damaged": _damaged_history,
    "history-empty-file": _empty_history,
    "llm-cache-damaged": _damaged_cache,
    "batch-state-damaged": _damaged_state,
    "out-under-a-file": _out_is_a_file,
    "junit-is-a-folder": _junit_is_a_folder,
    "step-summary-disk-full": _summary_disk_full,
    "calibrate-out-is-a-folder": _calibrate_out_folder,
    "limit-not-a-number": _workers_not_a_number,
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_hostile_input_is_refused_in_one_line(case: str, tmp_path: Path) -> None:
    args, env, words = REFUSED[case](tmp_path)
    refused(run(*args, cwd=tmp_path, env=env), *words)


class TestStdin:
    """An endless or foreign pipe on stdin ends with one line, not with all the memory."""

    def test_endless_pipe_into_grade(self, tmp_path: Path) -> None:
        proc = run(shell=f"yes | {sys.executable} -m grader grade {QID}", cwd=tmp_path)
        refused(proc, "stdin", "GRADER_MAX_ANSWER_CHARS")

    def test_endless_pipe_into_quiz(self, tmp_path: Path) -> None:
        env = {"GRADER_MAX_ANSWER_CHARS": "100000"}  # the default million takes seconds of `input()` calls
        proc = run(shell=f"yes | {sys.executable} -m grader quiz --count 1 --db {tmp_path / 'h.sqlite'}", cwd=tmp_path,
                   env=env)  # fmt: skip
        refused(proc, "stdin", "GRADER_MAX_ANSWER_CHARS")

    @pytest.mark.parametrize("data", ["Насыщение нейрона\n\n\n".encode("cp1251"), "Насыщение\n\n\n".encode("utf-16")],
                             ids=["cp1251", "utf-16"])  # fmt: skip
    def test_foreign_encoding_into_quiz(self, data: bytes, tmp_path: Path) -> None:
        proc = run("quiz", "--count", "1", "--db", str(tmp_path / "h.sqlite"), input=data, cwd=tmp_path)
        refused(proc, "not UTF-8")


def test_damaged_state_then_restart(tmp_path: Path) -> None:
    """The way out the message gives works: --restart grades everything again."""
    args, env, words = _damaged_state(tmp_path)
    refused(run(*args, cwd=tmp_path, env=env), *words)
    proc = run(*[a for a in args if a != "--resume"], "--restart", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert [r["id"] for r in graded_rows(tmp_path / "out")] == ["1"]


class TestForeignFiles:
    """Another application's SQLite file is never opened as a history, nor changed."""

    def test_foreign_database_left_alone(self, tmp_path: Path) -> None:
        db = tmp_path / "other.sqlite"
        with sqlite3.connect(db) as conn:
            conn.execute("CREATE TABLE notes (body TEXT)")
        before = db.read_bytes()
        for command in ("stats", "history"):
            refused(run(command, "--db", str(db), cwd=tmp_path), "another application")
        assert db.read_bytes() == before

    def test_a_history_is_marked(self, tmp_path: Path) -> None:
        db = tmp_path / "h.sqlite"
        proc = run("quiz", "--count", "1", "--db", str(db), input=f"{ANSWER}\n\n\nq\n".encode(), cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA application_id").fetchone()[0] == 0x47524831
        assert run("stats", "--db", str(db), cwd=tmp_path).returncode == 0


# --- cases that end in an error row, the batch going on -------------------------------------------------------------


def _batch(tmp: Path, name: str, data: bytes, env: dict[str, str] | None = None) -> list[dict[str, object]]:
    (tmp / name).write_bytes(data)
    proc = run("batch", str(tmp / name), "--out", str(tmp / "out"), "-q", "--json", cwd=tmp, env=env)
    assert "Traceback" not in proc.stderr and proc.returncode == 0, proc.stderr[-2000:]
    return graded_rows(tmp / "out")


def _line(rid: str, answer: str = ANSWER) -> str:
    return json.dumps({"id": rid, "question_id": QID, "answer": answer}, ensure_ascii=False) + "\n"


class TestErrorRows:
    """One bad row is an error row that says why; the rows around it are graded."""

    @pytest.mark.parametrize(
        ("bad", "why", "env"),
        [
            pytest.param('{"id": "x", "a": ' + "[" * 200_000 + "]" * 200_000 + "}\n", "nested too deeply", {},
                         id="deep"),
            pytest.param('{"id": "x", "n": 1' + "0" * 5000 + "}\n", "not valid JSON", {}, id="5000-digit-int"),
            pytest.param('{"id": "x", "answer": "' + "a" * 3000 + '"}\n', "GRADER_MAX_ROW_BYTES",
                         {"GRADER_MAX_ROW_BYTES": "2000"}, id="long-line"),
            pytest.param(_line("x", "b" * 1500), "GRADER_MAX_ANSWER_CHARS", {"GRADER_MAX_ANSWER_CHARS": "1000"},
                         id="long-answer"),
        ],
    )  # fmt: skip
    def test_jsonl_line(self, bad: str, why: str, env: dict[str, str], tmp_path: Path) -> None:
        rows = _batch(tmp_path, "in.jsonl", (_line("a") + bad + _line("b")).encode(), env)
        assert [r["id"] for r in rows][::2] == ["a", "b"]
        assert rows[0]["score"] is not None and rows[2]["score"] is not None
        assert why in str(rows[1]["error"])

    def test_csv_stray_quote_is_not_merged(self, tmp_path: Path) -> None:
        lines = [f'{i},{QID},"{ANSWER}"' for i in range(1, 8)]
        lines[3] = f'4,{QID},"stray quote, never closed'
        rows = _batch(tmp_path, "in.csv", ("id,question_id,answer\n" + "\n".join(lines) + "\n").encode())
        # Row 4 (file line 5) swallows line 6 up to the next quote: one error row naming both lines, not a merge.
        assert [r["id"] for r in rows] == ["1", "2", "3", "#5", "6", "7"]
        assert "lines 5-6" in str(rows[3]["error"]) and "quote" in str(rows[3]["error"])
        assert all(r["score"] is not None for i, r in enumerate(rows) if i != 3)

    def test_csv_cell_over_the_row_limit(self, tmp_path: Path) -> None:
        data = f'id,question_id,answer\n1,{QID},{QANSWER}\n2,{QID},"{"x" * 3000}"\n3,{QID},{QANSWER}\n'
        rows = _batch(tmp_path, "in.csv", data.encode(), {"GRADER_MAX_ROW_BYTES": "2000"})
        assert [r["id"] for r in rows] == ["1", "#3", "3"]
        assert "GRADER_MAX_ROW_BYTES" in str(rows[1]["error"]) and rows[2]["score"] is not None

    def test_csv_line_of_delimiters_over_the_row_limit(self, tmp_path: Path) -> None:
        # A line of nothing but delimiters would be millions of fields: it is not read whole.
        data = f"id,question_id,answer\n1,{QID},{QANSWER}\n2,{QID},{',' * 5000}\n3,{QID},{QANSWER}\n"
        rows = _batch(tmp_path, "in.csv", data.encode(), {"GRADER_MAX_ROW_BYTES": "2000"})
        assert [r["id"] for r in rows] == ["1", "#3", "3"]
        assert "line 3 is longer than 2,000 characters" in str(rows[1]["error"])

    def test_csv_row_wider_than_header(self, tmp_path: Path) -> None:
        data = f"id,question_id,answer\n1,{QID},{QANSWER}\n2,{QID},a,b,c\n3,{QID},{QANSWER}\n"
        rows = _batch(tmp_path, "in.csv", data.encode())
        assert [r["id"] for r in rows] == ["1", "#3", "3"]
        assert "5 fields where the header has 3" in str(rows[1]["error"])

    def test_xlsx_far_row_is_quick(self, tmp_path: Path) -> None:
        path = xlsx(tmp_path / "far.xlsx", far_cell="B1048576")
        rows = _batch(tmp_path, "copy.xlsx", path.read_bytes())
        assert rows[0]["id"] == "1" and rows[0]["score"] is not None

    def test_workers_capped_at_cores(self, tmp_path: Path) -> None:
        rows = "".join(f"{i},{QID},{QANSWER}\n" for i in range(20))
        (tmp_path / "in.csv").write_text("id,question_id,answer\n" + rows, encoding="utf-8")
        proc = run("batch", "in.csv", "--out", "out", "--workers", "500", "-q", cwd=tmp_path)
        assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
        assert len(graded_rows(tmp_path / "out")) == 20


class TestStatistics:
    """A statistic that cannot be computed says so instead of printing a number."""

    def test_constant_human_scores(self, tmp_path: Path) -> None:
        (tmp_path / "g.csv").write_text(graded([0.5] * 6), encoding="utf-8")
        proc = run("evaluate", str(tmp_path / "g.csv"), cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert "Pearson undefined (constant scores)" in proc.stdout
        data = json.loads(run("evaluate", str(tmp_path / "g.csv"), "--json", cwd=tmp_path).stdout)
        assert data["metrics"]["pearson"] is None
