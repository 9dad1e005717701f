"""Writing a batch's report files alongside its grades.jsonl, streaming, each moved into place when complete.

Memory stays flat in rows. Each row is fed once, as it is written to grades.jsonl: its grades.csv line goes
straight to a partial file and its summary facts to the aggregator (a batch worker makes both, so the parent
does no per-row formatting). The HTML then re-reads, by byte offset, only the rows it shows in detail (the first
`DETAIL_LIMIT`), ordered by candidate rank and question.
"""

from __future__ import annotations

import codecs
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from grader.report import CSV_COLUMNS, Aggregator, Facts, Summary, csv_line, csv_row, summary_facts
from grader.report_html import render_html

DETAIL_LIMIT = 2000
CSV_PART = ".grades.csv.part"


class ReportWriter:
    """grades.csv, summary.json and report.html for the rows of a grades.jsonl file, fed in file order."""

    def __init__(self, out: Path, jsonl: Path, *, csv_delimiter: str = ";", detail_limit: int = DETAIL_LIMIT) -> None:
        self.out, self.jsonl, self.delimiter, self.detail_limit = out, jsonl, csv_delimiter, detail_limit
        self.agg = Aggregator({})
        self.index: list[tuple[str, str, int]] = []  # (candidate, question id, byte offset) of rows shown in detail
        self.offset = 0  # of the next row in grades.jsonl
        self.csv = (out / CSV_PART).open("wb")  # a kill leaves it behind; the next run starts it afresh
        self.csv.write(codecs.BOM_UTF8 + csv_line(CSV_COLUMNS, csv_delimiter).encode("utf-8"))

    def add(self, sizes: Sequence[int], csv: bytes, facts: Sequence[Facts]) -> None:
        """Rows in grades.jsonl order: each one's line length in bytes, their grades.csv lines, their facts."""
        for size, f in zip(sizes, facts, strict=True):
            self.agg.add_facts(f)
            if len(self.index) < self.detail_limit:
                self.index.append((f[2], f[1], self.offset))
            self.offset += size
        self.csv.write(csv)

    def add_written(self, path: Path) -> None:
        """Every row already in the grades.jsonl file `path` (a resumed batch's rows from before)."""
        with path.open("rb") as fh:
            for raw in fh:
                rec = json.loads(raw)
                self.add([len(raw)], csv_row(rec, self.delimiter).encode("utf-8"), [summary_facts(rec)])

    def finish(self, text_of: Callable[[str], str]) -> tuple[Summary, dict[str, str]]:
        """Move grades.csv into place, write summary.json and report.html; `text_of` gives a question's text."""
        self.close()
        os.replace(self.out / CSV_PART, self.out / "grades.csv")
        files = {"grades.jsonl": str(self.out / "grades.jsonl"), "grades.csv": str(self.out / "grades.csv")}
        self.agg.texts = {qid: text_of(qid) for qid in self.agg.order}
        summary = self.agg.summary()
        files["summary.json"] = _write(self.out / "summary.json", [summary.model_dump_json(indent=2) + "\n"])
        rank = {c.candidate: c.rank for c in summary.candidates}
        order = {q.id: i for i, q in enumerate(summary.questions)}
        index = sorted(self.index, key=lambda t: (rank.get(t[0], len(rank)), t[0], order.get(t[1], len(order)), t[2]))
        details = _at_offsets(self.jsonl, [off for _, _, off in index])
        files["report.html"] = _write(self.out / "report.html", render_html(summary, details, shown=len(index)))
        return summary, files

    def close(self) -> None:
        self.csv.close()

    def __enter__(self) -> ReportWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def write_reports(out: Path, jsonl: Path, text_of: Callable[[str], str], *, csv_delimiter: str = ";",
                  detail_limit: int = DETAIL_LIMIT) -> tuple[Summary, dict[str, str]]:  # fmt: skip
    """Write grades.csv, summary.json and report.html in `out` from the grades.jsonl objects in `jsonl`."""
    with ReportWriter(out, jsonl, csv_delimiter=csv_delimiter, detail_limit=detail_limit) as writer:
        writer.add_written(jsonl)
        return writer.finish(text_of)


def _at_offsets(path: Path, offsets: list[int]) -> Iterator[dict[str, Any]]:
    with path.open("rb") as fh:
        for off in offsets:
            fh.seek(off)
            yield json.loads(fh.readline())


def _write(path: Path, chunks: Iterable[str]) -> str:
    """Write chunks to a temporary file beside `path`, then rename it over `path` (readers never see half)."""
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        for chunk in chunks:
            fh.write(chunk)
    os.replace(tmp, path)
    return str(path)
