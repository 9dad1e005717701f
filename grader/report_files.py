"""Writing a batch's report files from its grades.jsonl, streaming, each through a temporary file moved into place.

Memory stays flat in rows: one pass feeds the summary and grades.csv; the HTML then re-reads, by byte offset, only
the rows it shows in detail (the first `DETAIL_LIMIT`), ordered by candidate rank and question.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from grader.report import Aggregator, Summary, csv_lines
from grader.report_html import render_html

DETAIL_LIMIT = 2000


def write_reports(out: Path, jsonl: Path, text_of: Callable[[str], str], *, csv_delimiter: str = ";",
                  detail_limit: int = DETAIL_LIMIT) -> tuple[Summary, dict[str, str]]:  # fmt: skip
    """Write grades.csv, summary.json and report.html in `out` from the grades.jsonl objects in `jsonl`."""
    agg = Aggregator({})
    index: list[tuple[str, str, int]] = []  # (candidate, question id, byte offset) of the rows shown in detail
    texts: dict[str, str] = {}

    def records() -> Iterator[dict[str, Any]]:
        for offset, rec in _read(jsonl):
            qid = rec.get("question_id") or ""
            if qid not in texts:
                texts[qid] = text_of(qid)
            agg.add(rec)
            if len(index) < detail_limit:
                index.append((rec.get("candidate") or "", qid, offset))
            yield rec

    files = {"grades.jsonl": str(out / "grades.jsonl")}
    files["grades.csv"] = _write(out / "grades.csv", csv_lines(records(), csv_delimiter), bom=True)
    agg.texts = texts
    summary = agg.summary()
    files["summary.json"] = _write(out / "summary.json", [summary.model_dump_json(indent=2) + "\n"])
    rank = {c.candidate: c.rank for c in summary.candidates}
    order = {q.id: i for i, q in enumerate(summary.questions)}
    index.sort(key=lambda t: (rank.get(t[0], len(rank)), t[0], order.get(t[1], len(order)), t[2]))
    details = _at_offsets(jsonl, [off for _, _, off in index])
    files["report.html"] = _write(out / "report.html", render_html(summary, details, shown=len(index)))
    return summary, files


def _read(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    offset = 0
    with path.open("rb") as fh:
        for raw in fh:
            yield offset, json.loads(raw)
            offset += len(raw)


def _at_offsets(path: Path, offsets: list[int]) -> Iterator[dict[str, Any]]:
    with path.open("rb") as fh:
        for off in offsets:
            fh.seek(off)
            yield json.loads(fh.readline())


def _write(path: Path, chunks: Iterable[str], *, bom: bool = False) -> str:
    """Write chunks to a temporary file beside `path`, then rename it over `path` (readers never see half)."""
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    with tmp.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        for chunk in chunks:
            fh.write(chunk)
    os.replace(tmp, path)
    return str(path)
