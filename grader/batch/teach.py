"""Graded examples and calibration for `grader batch`: teach the rubrics a batch grades, map its scores.

    warnings = attach_examples(resolver, "graded.csv")    # before grading: rubrics gain scored examples

An examples row is for a question of the batch when its question_id is a bank question, or its reference is the
reference of rows in the input. Grading then goes through `grader.engine.exemplars` (lexical mode), which never lets
an example grade itself.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from grader.agreement.calibration import Calibration
from grader.agreement.datasets import graded_rows, skipped_warning
from grader.batch.tasks import Resolver
from grader.engine.exemplars import MIN_EXAMPLES, GradedExample, with_examples
from grader.engine.rubric import reference_hash
from grader.tables import Columns


def attach_examples(
    resolver: Resolver, path: Path, columns: Columns | None = None, score_max: float | None = None
) -> list[str]:
    """Add the file's graded answers to the rubrics of the questions they answer; warnings for thin questions."""
    found: dict[str, list[GradedExample]] = {}
    skipped: list[str] = []
    for row, score in graded_rows(path, columns, score_max=score_max, skipped=skipped):
        qid = row.question_id.strip()
        key = qid if qid in resolver.bank_ids else resolver.by_hash.get(reference_hash(row.reference), "")
        if key and row.answer.strip():
            found.setdefault(key, []).append(GradedExample(id=row.id, answer=row.answer, score=score))
    note = skipped_warning(path, skipped)
    warnings = [note] if note else []
    for key, examples in found.items():
        question, rubric = resolver.pair(key)
        resolver.pairs[key] = (question, with_examples(rubric, examples))
        if len(examples) < MIN_EXAMPLES:
            warnings.append(f"{key}: {len(examples)} graded example(s) in {path}; {MIN_EXAMPLES}+ teach the grader")
    if not found:
        warnings.append(f"no graded example in {path} answers a question of this batch")
    return warnings


def fingerprint(examples: Path | None, cal: Calibration | None, score_max: float | None = None) -> dict[str, Any]:
    """What resuming must check did not change: the examples file's content and scale, and the calibration."""
    digest = hashlib.sha256(examples.read_bytes()).hexdigest() if examples else None
    found: dict[str, Any] = {"examples_sha256": digest, "calibration": cal.model_dump_json() if cal else None}
    if score_max is not None:
        found["examples_score_max"] = score_max
    return found
