"""Past `spill.LIMIT` candidates a batch keeps its summary state in a scratch file, and writes the same files."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from grader.bank.store import Bank
from grader.batch import spill
from grader.batch.run import run_batch
from grader.batch.spill import Sorter, Spill, SpillMap
from grader.tables import RowSource
from tests.test_batch_jobs import example_rows, same_files

KEYS = ["a", "b", "B", "ё", "е", "Ё", "😀", "\ud800x", "\udfff", "", "a\x00b", "Кандидат 1", "Кандидат 10"]


class TestSpillMap:
    """A map that spills answers, orders and counts as a dict does, whether an entry is in memory or in the file."""

    def test_as_a_dict(self, tmp_path: Path) -> None:
        scratch = Spill(tmp_path / "scratch.sqlite")
        m, d = SpillMap(scratch, limit=3), dict[str, tuple[int, str]]()
        rnd = random.Random(3)
        keys = KEYS + [f"k{i}" for i in range(20)]
        for _ in range(400):
            k = rnd.choice(keys)
            assert m.get(k) == d.get(k)
            d[k] = m[k] = (d.get(k, (0, ""))[0] + 1, k)
        assert m.table, "it spilled"
        assert list(m.items()) == list(d.items()) and len(m) == len(d)
        scratch.close()
        assert not (tmp_path / "scratch.sqlite").exists()

    def test_without_a_file_it_stays_in_memory(self) -> None:
        m = SpillMap(None, limit=2)
        for i in range(10):
            m[str(i)] = i
        assert not m.table and list(m.items()) == [(str(i), i) for i in range(10)]


def test_a_sorter_orders_as_sorted_does(tmp_path: Path) -> None:
    """Numbers (a tie, -0.0 beside 0.0), then names in code-point order, lone surrogates and emoji included."""
    rnd = random.Random(8)
    items = [((rnd.choice([-1.0, -0.5, -0.0, 0.0]), rnd.choice([-2.0, -1.25, 0.0]), name), i)
             for i, name in enumerate(KEYS * 3)]  # fmt: skip
    items = [((a, b, f"{name}{i}"), i) for i, ((a, b, name), _) in enumerate(items)]  # names unique, as candidates'
    sorter = Sorter(Spill(tmp_path / "scratch.sqlite"), limit=4)
    for key, item in items:
        sorter.add(key, item)
    expected = [item for _, item in sorted(items, key=lambda t: t[0])]
    assert sorter.table and list(sorter) == expected and list(sorter) == expected  # read twice


def many_candidates(n: int) -> list[dict[str, str]]:
    """Rows from many candidates: some answer a question twice, some blank, some to an unknown question; the
    example answers repeat, so answers are shared across candidates."""
    rnd, src, rows = random.Random(4), example_rows(), []
    for i in range(n):
        row = dict(rnd.choice(src), id=f"r{i}", candidate=f"Кандидат {rnd.randrange(n // 3)}")
        if i % 9 == 1:
            row["answer"] = ""
        elif i % 13 == 2:
            row["question_id"] = "no-such-question"
        rows.append(row)
    return rows


@pytest.mark.parametrize("output", ["full", "lean"])
def test_a_spilled_batch_writes_the_same_files(tmp_path: Path, bank: Bank, monkeypatch: pytest.MonkeyPatch,
                                               output: str) -> None:  # fmt: skip
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in many_candidates(240)), encoding="utf-8")
    run_batch(RowSource.open(path), tmp_path / "memory", bank, output=output)  # type: ignore[arg-type]
    monkeypatch.setattr(spill, "LIMIT", 4)
    run_batch(RowSource.open(path), tmp_path / "spilled", bank, output=output)  # type: ignore[arg-type]
    same_files(tmp_path / "memory", tmp_path / "spilled")
    summary = json.loads((tmp_path / "spilled" / "summary.json").read_text(encoding="utf-8"))
    assert len(summary["candidates"]) > 40 and {f["flag"] for f in summary["flagged"]} >= {"shared_answer",
                                                                                           "duplicate_answer"}
    assert not (tmp_path / "spilled" / spill.SCRATCH).exists()
