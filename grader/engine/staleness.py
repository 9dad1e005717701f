"""Whether a rubric still fits its question: the reference's hash, stored in the rubric when it is built.

Apart from the rubric builder (`grader.engine.rubric`, which re-exports both) so that checking a saved rubric does
not import the builder and its reference reader.
"""

from __future__ import annotations

import hashlib

from grader.models import Question, Rubric


def reference_hash(reference: str) -> str:
    """A short hash of the reference text (whitespace-insensitive), stored in a rubric to detect staleness."""
    canonical = " ".join(reference.split())
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def is_stale(rubric: Rubric, question: Question) -> bool:
    """True when the rubric was built from a reference other than the question's current one."""
    return bool(rubric.reference_hash) and rubric.reference_hash != reference_hash(question.reference)
