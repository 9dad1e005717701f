"""Keeping a judge honest: a judge's quote counts only if it occurs in the answer and is about the point. Pure.

A quote is looked up allowing for case, spacing and a typo or two (rapidfuzz partial alignment, similarity ≥ 90);
then it becomes an evidence span. A located quote still supports its point only when it lies outside every
sentence aimed at the grader, has a few words (or names one of the point's concepts), and relates to the point:
a concept of the point matches in it, it shares a content word, everyday synonym or glossary term with the
point, or it paraphrases the point's text closely (`quote_problem`). Text aimed at the grader is found and set
aside before any judge sees the answer, by `grader.engine.injection`.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import fuzz

from grader.engine.glossary import entries as glossary_entries
from grader.engine.matching import Matcher
from grader.engine.synonyms import canonical
from grader.engine.text import content_stems
from grader.models import KeyPoint, Lang, Span

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


# A quote must carry meaning: this many words, unless it names one of the point's concepts ("dropout").
MIN_QUOTE_WORDS = 2
# A quote that shares no word, concept or glossary term with its point may still paraphrase it this closely.
RELATED_SIMILARITY = 60.0
_WORD = re.compile(r"[^\W_]+")


def quote_problem(span: Span, point: KeyPoint, matcher: Matcher, lang: Lang, aimed: list[Span]) -> str | None:
    """Why a located quote cannot support `point`, or None when it can: it lies in a sentence aimed at the grader
    (`aimed`), is too short to carry meaning, or is about something else (no concept of the point matched in it,
    no content word or glossary term shared with the point, and no close paraphrase of its text). Words of the
    question (`matcher.question`) relate nothing, as they are no evidence for the matcher either."""
    if any(s.start < span.end and span.start < s.end for s in aimed):
        return "inside_injection"
    names_concept = _matches_point(span.text, point, matcher, lang)
    if len(_WORD.findall(span.text)) < MIN_QUOTE_WORDS and not names_concept:
        return "too_short"
    if names_concept or _shares_terms(span.text, point, lang, matcher.question):
        return None
    if fuzz.token_set_ratio(_squash(span.text), _squash(point.text)) >= RELATED_SIMILARITY:
        return None
    return "unrelated"


def _matches_point(text: str, point: KeyPoint, matcher: Matcher, lang: Lang) -> bool:
    match = matcher.match(text, lang)
    return any(p.id == point.id and p.score > 0 for p in match.points)


def _shares_terms(text: str, point: KeyPoint, lang: Lang, question: str) -> bool:
    """Whether `text` shares a content stem (or an everyday synonym, or a glossary equivalent) with the point,
    besides the question's own words."""
    return bool((_stems(text, lang) & _point_stems(point, lang)) - _point_stems_cached((question,), lang))


def _stems(text: str, lang: str) -> set[str]:
    """Content stems of `text` (Latin words with both the English and German stemmers), as synonym keys."""
    return {canonical(s) for latin in ("en", "de") for s in content_stems(text, latin) if len(s) > 2}


@lru_cache(maxsize=4096)
def _point_stems_cached(texts: tuple[str, ...], lang: str) -> frozenset[str]:
    stems: set[str] = set()
    for t in texts:
        stems |= _stems(t, lang)
    return frozenset(stems)


def _point_stems(point: KeyPoint, lang: str) -> frozenset[str]:
    """Content stems of the point's text and wordings, and of the glossary entries that share one with them."""
    texts = [point.text, *(w for c in point.concepts for w in c.any)]
    own = _point_stems_cached(tuple(texts), lang)
    extra = [" ".join(row) for row in glossary_entries() if _point_stems_cached(row, lang) & own]
    return own | _point_stems_cached(tuple(extra), lang) if extra else own
