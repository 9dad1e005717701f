"""Run-to-run diffs of golden examples: save every example's score and point statuses, compare a later run.

This is how a rubric, prompt, model or matcher change is reviewed: the diff lists each example whose score moved
more than a tolerance or whose point statuses changed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from pydantic import ValidationError

from grader.bank.store import atomic_write
from grader.errors import InvalidFile, NotFound
from grader.limits import read_file
from grader.models import Mode, Model, Status

DEFAULT_TOLERANCE = 0.05


class Outcome(Model):
    """What one golden example scored: the part of a run a baseline keeps."""

    key: str  # "<question>::<example>"
    score: float | None
    points: dict[str, Status]


class Baseline(Model):
    grader_version: str
    mode: Mode
    examples: dict[str, Outcome]


class PointChange(Model):
    id: str
    before: Status | None
    after: Status | None


class Change(Model):
    key: str
    kind: Literal["changed", "added", "removed"]
    before: float | None = None
    after: float | None = None
    delta: float | None = None
    moved: bool = False  # the score moved more than the tolerance
    points: list[PointChange] = []


class BaselineDiff(Model):
    baseline: str
    tolerance: float
    changes: list[Change]

    def significant(self) -> list[Change]:
        """Changes of examples present in both runs: what `--fail-on-change` fails on."""
        return [c for c in self.changes if c.kind == "changed"]


def make_baseline(outcomes: Sequence[Outcome], grader_version: str, mode: Mode) -> Baseline:
    return Baseline(grader_version=grader_version, mode=mode, examples={o.key: o for o in outcomes})


def compare(baseline: Baseline, outcomes: Sequence[Outcome], *, tolerance: float, source: str = "") -> BaselineDiff:
    """Every example that moved more than `tolerance`, changed a point status, appeared or disappeared."""
    changes = []
    now = {o.key: o for o in outcomes}
    for key, after in now.items():
        before = baseline.examples.get(key)
        if before is None:
            changes.append(Change(key=key, kind="added", after=after.score))
            continue
        change = _changed(before, after, tolerance)
        if change is not None:
            changes.append(change)
    changes += [Change(key=k, kind="removed", before=o.score) for k, o in baseline.examples.items() if k not in now]
    return BaselineDiff(baseline=source, tolerance=tolerance, changes=changes)


def _changed(before: Outcome, after: Outcome, tolerance: float) -> Change | None:
    if before.score is None or after.score is None:
        delta = None
        moved = before.score != after.score
    else:
        delta = round(after.score - before.score, 4)
        moved = abs(delta) > tolerance + 1e-9
    ids = list(before.points) + [p for p in after.points if p not in before.points]
    points = [
        PointChange(id=p, before=before.points.get(p), after=after.points.get(p))
        for p in ids
        if before.points.get(p) != after.points.get(p)
    ]
    if not moved and not points:
        return None
    return Change(
        key=after.key, kind="changed", before=before.score, after=after.score, delta=delta, moved=moved, points=points
    )


def save_baseline(path: Path, baseline: Baseline) -> None:
    """Write the baseline as sorted, indented JSON so that committing it gives readable diffs."""
    data = baseline.model_dump(mode="json")
    atomic_write(path, json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n")


def load_baseline(path: Path) -> Baseline:
    try:
        text = read_file(path, "baseline file").decode("utf-8")
    except NotFound:
        raise NotFound(
            "no such baseline file", where=str(path), fix="Create one with `grader check --save-baseline FILE`"
        ) from None
    except UnicodeDecodeError as exc:
        raise InvalidFile(f"cannot read the baseline: {exc}", where=str(path)) from None
    try:
        return Baseline.model_validate_json(text)
    except ValidationError as exc:
        err = exc.errors()[0]
        where_field = ".".join(str(p) for p in err["loc"]) or "(top level)"
        raise InvalidFile(
            f"not a grader baseline ({where_field}: {err['msg']})",
            where=str(path),
            fix="Recreate it with `grader check --save-baseline FILE`",
        ) from None
