"""Writing a batch's report files alongside its grades.jsonl, streaming, each moved into place when complete.

Memory stays flat in rows. Rows are fed a chunk at a time, as they are written to grades.jsonl: their grades.csv
lines go straight to a partial file and their summary facts, already counted, are merged into the aggregator (a
batch worker makes both, so the parent does no per-row work). The HTML then re-reads, by byte offset, only the
rows it shows in detail (the first `DETAIL_LIMIT`), ordered by candidate rank and question.

Memory stays flat in candidates past `spill.LIMIT` of them: their records and their ranking go to a scratch file
in OUT (`grader.batch.spill`), and summary.json and report.html are written from streams of them.
"""

from __future__ import annotations

import codecs
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from grader.batch.html import render_html
from grader.batch.ranking import Ranked
from grader.batch.records import csv_header_line, csv_row
from grader.batch.spill import SCRATCH, Spill
from grader.batch.stats import Summary
from grader.batch.summary import Aggregator, summary_facts
from grader.outputs import write_atomic

DETAIL_LIMIT = 2000
Expand = Callable[[dict[str, Any]], dict[str, Any]]
CSV_PART = ".grades.csv.part"


class ReportWriter:
    """grades.csv, summary.json and report.html for the rows of a grades.jsonl file, fed in file order."""

    def __init__(self, out: Path, jsonl: Path, *, csv_delimiter: str = ";", detail_limit: int = DETAIL_LIMIT,
                 extra_columns: Sequence[str] = (), expand: Expand | None = None) -> None:  # fmt: skip
        self.out, self.jsonl, self.delimiter, self.detail_limit = out, jsonl, csv_delimiter, detail_limit
        self.extra_columns = tuple(extra_columns)
        self.expand = expand  # lean rows (`grader.batch.lean`) made full again, for the reports
        self.spill = Spill(out / SCRATCH)
        self.agg = Aggregator({}, indexing=True, spill=self.spill)
        self.index: list[tuple[str, str, int]] = []  # (candidate, question id, byte offset) of rows shown in detail
        self.offset = 0  # of the next row in grades.jsonl
        self.csv = (out / CSV_PART).open("wb")  # a kill leaves it behind; the next run starts it afresh
        self.csv.write(codecs.BOM_UTF8 + csv_header_line(csv_delimiter, self.extra_columns).encode("utf-8"))

    def add(self, size: int, tally: Aggregator, heads: Sequence[tuple[str, str, int]] = ()) -> None:
        """Rows in grades.jsonl order, a chunk at a time (their grades.csv lines written to `self.csv` by the
        caller): their size in bytes, their summary facts counted, and (candidate, question id, line size) of its
        first rows while the report indexes rows."""
        end = self.offset + size
        for cand, qid, line_size in heads:
            self._index(cand, qid, line_size)
        self.offset = end
        self.agg.merge(tally)

    def add_written(self, path: Path) -> None:
        """Every row already in the grades.jsonl file `path` (a resumed batch's rows from before)."""
        with path.open("rb") as fh:
            for raw in fh:
                rec = json.loads(raw)
                if self.expand is not None:
                    rec = self.expand(rec)
                facts = summary_facts(rec)
                self.agg.add_facts(facts)
                self._index(facts[2], facts[1], len(raw))
                self.csv.write(csv_row(rec, self.delimiter, self.extra_columns).encode("utf-8"))

    def _index(self, cand: str, qid: str, size: int) -> None:
        if len(self.index) < self.detail_limit:
            self.index.append((cand, qid, self.offset))
        self.offset += size

    def finish(self, text_of: Callable[[str], str]) -> tuple[Summary, dict[str, str]]:
        """Move grades.csv into place, write summary.json and report.html; `text_of` gives a question's text."""
        self.close()
        os.replace(self.out / CSV_PART, self.out / "grades.csv")
        files = {"grades.jsonl": str(self.out / "grades.jsonl"), "grades.csv": str(self.out / "grades.csv")}
        self.agg.texts = {qid: text_of(qid) for qid in self.agg.order}
        summary, ranked = self.agg.streamed()
        files["summary.json"] = write_atomic(self.out / "summary.json", summary_json(summary, ranked))
        shown = {cand for cand, _, _ in self.index}
        stats = {c.candidate: c for c in ranked.candidates() if c.candidate in shown}  # of the rows shown in detail
        order = {q.id: i for i, q in enumerate(summary.questions)}
        last = ranked.count + 1
        index = sorted(self.index, key=lambda t: (stats[t[0]].rank if t[0] in stats else last, t[0],
                                                  order.get(t[1], len(order)), t[2]))  # fmt: skip
        details = _at_offsets(self.jsonl, [off for _, _, off in index])
        if self.expand is not None:
            details = map(self.expand, details)
        html = render_html(summary, details, shown=len(index), ranked=ranked, stats=stats)
        files["report.html"] = write_atomic(self.out / "report.html", html)
        self.spill.close()
        return summary, files

    def close(self) -> None:
        self.csv.close()

    def __enter__(self) -> ReportWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
        self.spill.close()


def write_reports(out: Path, jsonl: Path, text_of: Callable[[str], str], *, csv_delimiter: str = ";",
                  detail_limit: int = DETAIL_LIMIT,
                  extra_columns: Sequence[str] = ()) -> tuple[Summary, dict[str, str]]:  # fmt: skip
    """Write grades.csv, summary.json and report.html in `out` from the grades.jsonl objects in `jsonl`."""
    with ReportWriter(out, jsonl, csv_delimiter=csv_delimiter, detail_limit=detail_limit,
                      extra_columns=extra_columns) as writer:  # fmt: skip
        writer.add_written(jsonl)
        return writer.finish(text_of)


def _at_offsets(path: Path, offsets: list[int]) -> Iterator[dict[str, Any]]:
    with path.open("rb") as fh:
        for off in offsets:
            fh.seek(off)
            yield json.loads(fh.readline())


def summary_json(summary: Summary, ranked: Ranked) -> Iterator[str]:
    """summary.json in pieces: `summary` (without candidates and flagged groups) with those two streamed into it,
    the same text as the whole summary's `model_dump_json(indent=2)`."""
    text = summary.model_dump_json(indent=2) + "\n"
    cands, flagged = '\n  "candidates": [],\n', '\n  "flagged": []\n}\n'
    assert text.count(cands) == 1 and text.endswith(flagged)
    before, after = text.split(cands)
    yield before + '\n  "candidates": ['
    yield from _items(c.model_dump_json(indent=2) for c in ranked.candidates())
    yield "],\n" + after[: -len(flagged)] + '\n  "flagged": ['
    yield from _items(f.model_dump_json(indent=2) for f in ranked.flagged())
    yield "]\n}\n"


def _items(objects: Iterable[str]) -> Iterator[str]:
    """JSON objects as the items of a list two levels in (`indent=2`), closed for the `]` that follows."""
    sep = "\n"
    done = False
    for obj in objects:
        yield sep + "    " + obj.replace("\n", "\n    ")
        sep, done = ",\n", True
    if done:
        yield "\n  "
