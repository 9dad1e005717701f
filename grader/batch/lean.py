"""`grader batch --output lean`: grades.jsonl rows without what the rubric restores, and rubrics.json to restore it.

A lean row is the full row (`grader.batch.records.grade_record`) less the question's text, the grader version and,
per point, its text, hint, weight and required (in rubrics.json, once per question), the evidence texts (the
answer's characters at the offsets kept), the feedback and `study_next` (made again from the points):

    {"id": "r1", ..., "score": 0.75, "points": [["p1", "covered", 1.0, [[26, 54]]], ["p2", "missing", 0.0]], ...}

A point is `[id, status, score]`, then its evidence offsets when it has some, then a dict of the fields that
differ from what the rubric gives (an LLM verdict, quote, feedback...). The words the feedback names as about
something else (an off-topic or aside note) are `"aside": [[start, end], ...]`, offsets into the answer like the
evidence. Lean rows are lossless: each is expanded
again where it is made and compared with the full row; what does not come back the same is kept as it was (a whole
field, or the full row). `expand(row, rubrics)` gives the full row back (key order aside); the batch's own
grades.csv, summary.json and report.html are the same in both outputs.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from grader import __version__
from grader.engine.feedback import compose, lifted_verdict, named_off_topic, study_next
from grader.models import PointResult, Question, Rubric

RUBRICS = "rubrics.json"
_DROPPED = ("feedback", "grader_version", "study_next", "question")
_UNSET = {f: None for f in ("verdict", "quote", "quote_verified", "feedback", "stability", "lexical_status")}
_EXPECTED_POINT = ("id", "text", "status", "score", "weight", "required", "evidence", "hint", "decided_by")


def rubric_entry(question: Question, rubric: Rubric) -> dict[str, Any]:
    """What rubrics.json holds of one question: its text and language, and each point's text, weight, required and
    hint (a text, or one per language)."""
    points = [{"id": p.id, "text": p.text, "weight": p.weight, "required": p.required, "hint": p.hint}
              for p in rubric.points]  # fmt: skip
    entry = {"question": question.question, "lang": question.lang, "points": points}
    return {**entry, "built_by": "auto"} if rubric.built_by == "auto" else entry  # the feedback's verdict needs it


def rubrics_file(entries: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The content of rubrics.json: the grader version and each question's `rubric_entry`, by question id."""
    return {"grader_version": __version__, "questions": entries}


def lean(record: dict[str, Any], entry: dict[str, Any] | None) -> dict[str, Any]:
    """The lean form of a full grades.jsonl row graded against the question `entry` describes (the row itself when
    it has no points, or no entry)."""
    if entry is None or record.get("error") or not isinstance(record.get("points"), list):
        return record
    table = _points(entry)
    answer = record.get("answer", "")
    lang = record.get("lang", "ru")
    pairs = [_lean_point(p, table.get(p.get("id")), answer, lang) for p in record["points"]]
    full_points = [full for _, full in pairs]  # what expand makes of the lean points: each point built once
    out = {k: v for k, v in record.items() if k not in _DROPPED}
    out["points"] = [lean_point for lean_point, _ in pairs]
    back = _completed(out, full_points, entry, __version__)
    if back.get("feedback") != record.get("feedback") and (aside := _aside(record, answer)):
        out["aside"] = aside  # the words the feedback says are about something else, as offsets
        back = _completed(out, full_points, entry, __version__)
        if back.get("feedback") != record.get("feedback"):
            del out["aside"]
            back = _completed(out, full_points, entry, __version__)
    if back != record:
        for k in _DROPPED:
            if k in record and back.get(k) != record[k]:
                out[k] = record[k]  # made otherwise than the rubric and points make it: kept
        if _completed(out, full_points, entry, __version__) != record:
            return record
    order = [k for key in record for k in (key, "aside") if k in out and (k != "aside" or key == "points")]
    return {k: out[k] for k in order}  # the full row's order, the words aside after the points


def expand(row: dict[str, Any], rubrics: dict[str, Any]) -> dict[str, Any]:
    """The full grades.jsonl row of a lean one (`rubrics`: the content of rubrics.json); a full row unchanged."""
    entry = rubrics.get("questions", {}).get(row.get("question_id"))
    return expand_with(row, entry, rubrics.get("grader_version", __version__))


def expand_with(row: dict[str, Any], entry: dict[str, Any] | None, version: str = __version__) -> dict[str, Any]:
    """`expand` with the row's question's `rubric_entry` (and the grader version) given as they are, not as the
    content of rubrics.json; a full row, or one of a question with no entry, unchanged."""
    points = row.get("points")
    if entry is None or not points or not isinstance(points[0], list):
        return row
    table = _points(entry)
    answer = row.get("answer", "")
    lang = row.get("lang", "ru")
    return _completed(row, [_full_point(p, table.get(p[0]), answer, lang) for p in points], entry, version)


def _completed(row: dict[str, Any], full_points: list[dict[str, Any]], entry: dict[str, Any],
               version: str) -> dict[str, Any]:  # fmt: skip
    """The lean `row` with its points made full (`full_points`) and the fields the points and rubric make again."""
    out = dict(row)
    aside = out.pop("aside", None) or ()
    out["points"] = full_points
    out.setdefault("grader_version", version)
    out.setdefault("question", entry.get("question", ""))
    if "feedback" not in out or "study_next" not in out:
        # Read only, by attribute: the points as they are (a model per point would cost more than the rest of it).
        results = cast(list[PointResult], [SimpleNamespace(**{**_UNSET, **p}) for p in full_points])
        hints = study_next(results)
        out.setdefault("study_next", hints)
        unrelated = [row.get("answer", "")[a:b] for a, b in aside]
        statuses = [str(p.get("status")) for p in full_points]
        up = lifted_verdict(entry.get("built_by") == "auto", row.get("score"), statuses)
        out.setdefault("feedback", compose(results, row.get("lang", "ru"), empty="empty" in row.get("flags", ()),
                                           flags=row.get("flags", ()), hints=hints, unrelated=unrelated,
                                           lifted=up))  # fmt: skip
    return out


def _aside(record: dict[str, Any], answer: str) -> list[list[int]]:
    """Where in `answer` the words stand that the row's feedback names as about something else (each word's first
    place), none unless every one of them is found."""
    spans = []
    for word in named_off_topic(str(record.get("feedback", "")), record.get("lang", "ru")):
        at = answer.find(word) if word else -1
        if at < 0:
            return []
        spans.append([at, at + len(word)])
    return spans


def _points(entry: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["id"]: p for p in entry.get("points", [])}


def _hint(point: dict[str, Any], lang: str) -> str:
    hint = point.get("hint", "")
    if isinstance(hint, str):
        return hint
    return str(hint.get(lang) or next(iter(hint.values()), ""))


def _full_point(lean_point: list[Any], known: dict[str, Any] | None, answer: str, lang: str) -> dict[str, Any]:
    pid, status, score, *rest = lean_point
    spans = rest[0] if rest else []
    known = known or {}
    out: dict[str, Any] = {"id": pid, "text": known.get("text", ""), "status": status, "score": score,
                           "weight": known.get("weight", 1.0), "required": known.get("required", False),
                           "evidence": [{"start": s, "end": e, "text": answer[s:e]} for s, e in spans],
                           "hint": _hint(known, lang), "decided_by": "lexical"}  # fmt: skip
    if len(rest) > 1:
        out.update(rest[1])
    return out


def _lean_point(point: dict[str, Any], known: dict[str, Any] | None, answer: str,
                lang: str) -> tuple[list[Any], dict[str, Any]]:  # fmt: skip
    """A full point's lean form, and the full point `_full_point` makes of that lean form again."""
    spans = [[e["start"], e["end"]] for e in point.get("evidence", [])]
    lean_point: list[Any] = [point.get("id"), point.get("status"), point.get("score")]
    full = _full_point([*lean_point, spans], known, answer, lang)
    differ = {k: v for k, v in point.items() if full.get(k) != v or k not in _EXPECTED_POINT}
    if differ:
        full.update(differ)
        return [*lean_point, spans, differ], full
    return ([*lean_point, spans] if spans else lean_point), full
