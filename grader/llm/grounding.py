"""Keeping a judge honest: a judge's quote counts only if it occurs in the answer. Pure.

A quote is looked up allowing for case, spacing and a typo or two (rapidfuzz partial alignment, similarity ≥ 90);
then it becomes an evidence span. Text aimed at the grader is found and set aside before any judge sees the
answer, by `grader.engine.injection`.
"""

from __future__ import annotations

from rapidfuzz import fuzz

from grader.models import Span

QUOTE_MIN_SIMILARITY = 90.0


def _squash(text: str) -> str:
    return " ".join(text.casefold().split())


def locate_quote(quote: str, answer: str) -> Span | None:
    """Where `quote` occurs in `answer` (case, spacing and small typos forgiven), or None when it does not."""
    q = _squash(quote.strip(" \"'«»„“”.…"))
    if len(q) < 2:
        return None
    lowered = answer.casefold()
    haystack = lowered if len(lowered) == len(answer) else answer.lower()
    if q in _squash(haystack):
        exact = haystack.find(q)
        if exact >= 0:
            return Span(start=exact, end=exact + len(q), text=answer[exact : exact + len(q)])
    align = fuzz.partial_ratio_alignment(q, haystack, score_cutoff=QUOTE_MIN_SIMILARITY)
    if align is None or not haystack[align.dest_start : align.dest_end].strip():
        return None
    start, end = align.dest_start, align.dest_end
    return Span(start=start, end=end, text=answer[start:end])
