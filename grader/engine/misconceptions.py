"""Misconceptions of a rubric stated in an answer. Pure.

A misconception is matched exactly like a key point (wordings, typos, synonyms, negation: "momentum does not reduce
the step" states nothing wrong), but it must be stated, not merely touched:

- every one of its concepts is found, all in one statement of the answer (a piece between sentence punctuation,
  brackets, ", и" / ", and", "но" / "but");
- not after a contrast ("а не", "rather than", "unlike", "в отличие от"): what follows one is said of something else;
- in the wording's order ("от входа к выходу" is not "от выхода ко входу");
- with no negation before or within the claim besides any a wording has itself ("ReLU не насыщается так, как
  сигмоида" states no misconception about ReLU).

A false ✘ costs a right answer its point, so the matching errs towards missing a wrong claim rather than inventing
one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from grader.engine.compiled import CompiledConcept, CompiledPoint, Evidence, PointMatch
from grader.engine.contradictions import SENTENCE_END, Contradiction
from grader.engine.matching import AnswerMatch, Matcher, claims_matcher
from grader.engine.sentence_ends import END_POINT
from grader.engine.synonyms import canonical
from grader.engine.text import NEGATIONS, latin_lang, normalise_word, tokenize
from grader.models import Rubric

# Statements end at sentence punctuation (`END_POINT`: not at the point of "0.5" or "e.g."), brackets, ", и" /
# ", and", and before a contrast. What follows "а не", "rather than", "unlike", "в отличие от" ... is said of
# something else: such a statement states no misconception.
_CONTRASTS = (
    r"а не|вместо|в отличие от|отлича\w+ от|по сравнению с|rather than|instead of|unlike|differs? from|"
    r"different from|in contrast to|compared to|statt|anstatt|im Gegensatz zu|unterscheidet sich von|"
    r"im Vergleich zu"
)
_STATEMENT_BREAK = re.compile(
    rf"(?:[!?;:\n()\[\]]|{END_POINT})+|,\s*(?:а|и|while|and|und)\b|\b(?:но|but|however|whereas|aber|sondern)\b"
    rf"|(?=\b(?:{_CONTRASTS})\b)",
    re.IGNORECASE,
)
_CONTRASTED = re.compile(rf"\s*(?:{_CONTRASTS})\b", re.IGNORECASE)
_WORD = re.compile(r"\w+(?:['’]\w+)*")


def matcher_of(rubric: Rubric, question: str) -> Matcher | None:
    """A matcher whose points are the rubric's misconceptions (None without any), built once per rubric."""
    return claims_matcher(rubric, question)


def find_misconceptions(
    rubric: Rubric, question: str, answer: str, lang: str, match: AnswerMatch | None = None
) -> list[Contradiction]:
    """The rubric's misconceptions that `answer` states, each with its evidence and feedback in `lang` (`match`: the
    answer's match, whose matcher may have matched the misconceptions in the same walk)."""
    matcher = matcher_of(rubric, question)
    if matcher is None or not answer.strip():
        return []
    found = []
    if match is not None and match.claims is not None and match.latin == latin_lang(lang):
        matched = match.claims
    else:
        matched = matcher.match(answer, lang).points
    for claim, pm, cp in zip(rubric.misconceptions, matched, matcher.points, strict=True):
        evidence = _in_one_statement(pm, cp, answer, lang) if pm.concepts and pm.score >= 1.0 else None
        if evidence:
            found.append(
                Contradiction(claim.point, "misconception", evidence, claim.feedback_in(lang), claim.id, claim.cap)
            )
    return found


def statements(text: str) -> Iterator[tuple[int, int]]:
    """Character ranges [start, end) of the statements of `text` (see the module's docstring)."""
    at = 0
    for m in _STATEMENT_BREAK.finditer(text):
        if m.start() > at:
            yield at, m.start()
        at = max(at, m.end())
    if at < len(text):
        yield at, len(text)


def _in_one_statement(pm: PointMatch, cp: CompiledPoint, answer: str, lang: str) -> tuple[Evidence, ...] | None:
    """Evidence of every concept of `pm` from the first statement that holds some of each and no other negation."""
    for start, end in statements(answer):
        picked: list[Evidence] = []
        for c, cc in zip(pm.concepts, cp.concepts, strict=True):
            inside = [
                e
                for e in c.evidence
                if e.start < end and start < e.end and not SENTENCE_END.search(e.text)
            ]
            if inside and not _in_order(cc, answer[min(start, inside[0].start) : end], lang):
                inside = []
            if not inside:
                break
            picked += inside
        else:
            if not _negated_outside(answer, start, min(end, max(e.end for e in picked)), picked):
                return tuple(sorted(picked))
    return None


def _in_order(cc: CompiledConcept, statement: str, lang: str) -> bool:
    """Whether the statement says some wording's words in that wording's order, as far as it can be told: a claim
    about order ("от входа к выходу") is the opposite claim with its words swapped. Words found only by typo
    tolerance cannot be placed: a wording with fewer than two words in the statement does not count against it."""
    said = [canonical(s) for s in tokenize(statement, lang).stems]
    known = set(said)
    placeable = [[s for s in w.stems if s in known] for w in cc.wordings]
    placeable = [stems for stems in placeable if len(stems) > 1]
    return not placeable or any(_subsequence(stems, said) for stems in placeable)


def _subsequence(stems: list[str], said: list[str]) -> bool:
    words = iter(said)
    return all(s in words for s in stems)  # `in` on an iterator consumes it: the stems must come in this order


def _negated_outside(answer: str, start: int, end: int, evidence: list[Evidence]) -> bool:
    """A negation word in answer[start:end] outside every evidence span (`end`: where the claim's evidence ends; a
    negation after it belongs to the next claim: "RL is learning with a teacher, no reward is needed")."""
    if _CONTRASTED.match(answer, start):
        return True
    for m in _WORD.finditer(answer, start, end):
        if normalise_word(m.group()) in NEGATIONS and not any(e.start <= m.start() < e.end for e in evidence):
            return True
    return False
