"""An automatic rubric's point said in the negative: the reference's words under a negation the reference lacks.

An automatic rubric's concepts are single words of a reference sentence, so "Overfitting is not when a model has a
low training error" holds every concept of "Overfitting is when a model has a low training error", and the
matcher's negation check (a cue within a few words before a match, `grader.engine.polarity`) only reaches the
first of them. A negation negates its clause (`negated_parts`), or, a preposition ("without", "ohne", "без") or a
determiner after one ("with no"), the phrase after it ("a node with no children": the node is not negated). So the
answer's polarity is compared with the reference's own, concept by concept: a concept the reference affirms ("low
training error") earns nothing when all its evidence lies in the negated part of a clause of the answer. A concept
the reference itself says under a negation ("the first layers do *not* learn", "a node that has *no* children") is
left to the matcher, which matches a negated concept against a negated wording, with any cue ("without any
children"), and takes a word the reference says only inside a negated clause ("if the base case is not included")
in either polarity (`said_negated`): what the point claims is carried by the word the reference negates.

Curated rubrics are left alone: their wordings carry their own polarity ("веса не обновляются").
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from functools import lru_cache

from grader.engine.compiled import CompiledPoint, ConceptMatch, Evidence, PointMatch
from grader.engine.contradictions import clause_at, clauses
from grader.engine.text import NEGATING_PREPOSITIONS, NEGATIONS, NOT_NEGATING_NEXT, normalise_word, tokenize
from grader.models import Concept, KeyPoint, Rubric

_WORD = re.compile(r"\w+(?:['’]\w+)*")


def _by_first_letter(words: list[str]) -> str:
    """An alternation of `words` grouped by their first letter (a search tries a handful of branches at each
    offset, not one per word; no word is a prefix of another that the lookahead after it would let through)."""
    groups: dict[str, list[str]] = {}
    for w in words:
        groups.setdefault(w[0], []).append(re.escape(w[1:]).replace("'", "['’]"))
    return "|".join(f"{re.escape(first)}(?:{'|'.join(rests)})" for first, rests in groups.items())


_NEGATION_WORDS = r"(?<![\w'’])(?:" + _by_first_letter(sorted(NEGATIONS, key=len, reverse=True)) + r")(?![\w'’])"
_ANY_NEGATION = re.compile(_NEGATION_WORDS, re.IGNORECASE)
_LOWER_NEGATION = re.compile(_NEGATION_WORDS)  # on lower-cased text: twice as fast as ignoring case
_NEXT_WORD = re.compile(r"\s*(\w+(?:['’]\w+)*)")
# Where a negation's reach ends after it: a colon or dash (" - " as typed too) opens a statement of its own, and a
# comma ends the clause ("Sollten die Toiletten nicht begehbar sein, fertige ich Bilder": the photos are not
# negated; "does not hold, as traffic comes in bursts"), unless it opens the clause the negated predicate is about
# ("liegt nicht vor, wenn …"); a reason or a contrast ("because", "aber", "но") asserts again.
_NEW_STATEMENT = re.compile(
    r":|\s[—–-]\s|,(?!\s*(?:when|if|that|whether|wenn|falls|dass|ob|когда|если|что|чтобы)\b)"
    r"|\b(?:because|since|but|however|whereas|although|weil|denn|aber|sondern|jedoch|obwohl|потому|поскольку|но|"
    r"однако|хотя)\b",
    re.IGNORECASE,
)
# Negations that are a preposition negate the phrase after them ("a node without children", "ohne Kinder", "без
# детей"); a negating determiner does so after a preposition ("a node with no children", "mit keinen Kindern") or at
# the start of its clause ("No model can …", to the clause's end), but on a verb's object it negates the predicate
# and its clause ("consumers need no deduplication", "die Klasse übernimmt keine Attribute"), as "not", "nicht",
# "не" do (in German from before the cue: "es lernt das Rauschen nicht").
_DETERMINER_NEGATIONS = frozenset("no kein keine keinen keinem keiner ни".split())
_PREPOSITIONS = frozenset(
    """with of for in on at by from to into onto about under over between through after before during against
    among mit von zu zum zur bei aus nach für in im an am auf über unter zwischen durch gegen um vor hinter neben
    с со у в во на из для при о об обо по от до к ко за под над перед через между""".split()
)
_ABSENCE = frozenset({"нет"})  # before a noun, a determiner ("нет детей"); after one, the predicate ("детей нет")
# English puts a sentential "not" after an auxiliary or modal; after anything else it negates the phrase it stands
# before ("options not covered by the header").
_AUXILIARIES = frozenset(
    """am is are was were be been being do does did have has had can could will would shall should may might must
    need ought dare""".split()
)
_PREVIOUS_WORD = re.compile(r"(\w+)\W*$")
NEGATED_SHARE = 0.5  # a point is said in the negative when at least this share of what it matched lies negated
# Where a smaller clause starts inside a sentence: punctuation, coordinators and subordinators.
_BOUNDARY = re.compile(
    r"[,;:()\[\]]|\s[—–-]\s|\b(?:and|or|but|because|which|that|while|when|if|so|und|oder|aber|weil|wenn|dass|denn|"
    r"и|или|а|но|потому|что|который|которая|которые|когда|если)\b",
    re.IGNORECASE,
)


def _negates(text: str, end: int) -> bool:
    """Whether the negation cue ending at `end` negates what follows ("not only" does not)."""
    nxt = _NEXT_WORD.match(text, end)
    return nxt is None or normalise_word(nxt.group(1)) not in NOT_NEGATING_NEXT


def _in_phrase(text: str, start: int, at: int, after: int, end: int) -> bool:
    """Whether the negation cue text[at:after], in the clause text[start:end], negates the phrase after it, not its
    clause (`NEGATING_PREPOSITIONS`, `_DETERMINER_NEGATIONS`; "нет" before what is absent, "нет детей", where
    "детей нет" ends its clause and negates what stands before it; an English "not" after no auxiliary)."""
    cue = text[at:after].lower()
    if cue in NEGATING_PREPOSITIONS:
        return True
    if cue in _ABSENCE:
        nxt = _NEXT_WORD.match(text, after)
        return nxt is not None and nxt.end() <= end
    if cue not in _DETERMINER_NEGATIONS and cue != "not":
        return False
    before = _PREVIOUS_WORD.search(text, max(start, at - 40), at)
    word = before.group(1).lower() if before else ""
    if cue == "not":
        return word not in _AUXILIARIES
    return not word or word in _PREPOSITIONS


def _negation_at(text: str, start: int, end: int) -> int | None:
    """Offset of the first negation cue in text[start:end] that negates what follows."""
    return next((m.start() for m in _ANY_NEGATION.finditer(text, start, end) if _negates(text, m.end())), None)


def negated_parts(answer: str, near: Sequence[int] | None = None) -> list[Evidence]:
    """The negated parts of `answer`: from the start of the smallest clause holding a negation cue (German puts
    "nicht" after what it negates: "es lernt das Rauschen nicht auswendig") to the end of that clause (`_NEW_STATEMENT`;
    a negation before "when …", "wenn …", "когда …" takes the clause it is about with it). `near`: sorted offsets;
    when given, only the parts in clauses holding one of them."""
    out: list[Evidence] = []
    lower = answer.lower()
    found = _LOWER_NEGATION.finditer(lower) if len(lower) == len(answer) else _ANY_NEGATION.finditer(answer)
    words = [m.span() for m in found]  # the cue words; whether each negates what follows is asked only when needed
    if not words:
        return out  # the usual answer: no negation at all
    starts = [a for a, _b in words]
    last: tuple[int, int] | None = None
    # The clauses in one pass, in step with the cues (`clause_at` for each would read a long sentence once per cue).
    ahead = clauses(answer)
    clause = next(ahead, None)
    for cue in starts:  # only the clauses holding a cue, each once, in order: the others negate nothing
        if last is not None and last[0] <= cue < last[1]:
            continue
        while clause is not None and clause[1] <= cue:
            clause = next(ahead, None)
        last = clause if clause is not None and clause[0] <= cue else None
        if last is None:
            continue
        start, end = last
        if near is not None and bisect.bisect_left(near, start) == bisect.bisect_left(near, end):
            continue  # nothing asked about in this clause
        held = words[bisect.bisect_left(starts, start) : bisect.bisect_left(starts, end)]
        reached = start
        for at, after in ((a, b) for a, b in held if _negates(answer, b)):
            if at < reached:
                continue  # inside the part an earlier negation of this clause reaches
            if _in_phrase(answer, reached, at, after, end):
                begin = at  # "a node with no children": the node is not negated, its children are
            else:
                begin = max([reached, *(m.end() for m in _BOUNDARY.finditer(answer, reached, at))])
            stop = _NEW_STATEMENT.search(answer, at, end)
            reached = stop.start() if stop else end
            out.append(Evidence(begin, reached, answer[begin:reached]))
    return out


def _negative(text: str) -> bool:
    return _negation_at(text, 0, len(text)) is not None


# Words that say something is absent or kept away: a lexical negation of what their clause names ("the lack of
# feedback", "das Fehlen von Verbrauchsmaterial", "it avoids making copies", "отсутствие обратной связи"). A
# reference that says a thing so is answered as well by its syntactic negation ("no feedback", "kein
# Verbrauchsmaterial", "you don't make a copy", "нет обратной связи"). Not "недостаток" (also "drawback").
_ABSENT = re.compile(
    r"(?<![\w'’])(?:lack\w*|missing|absen(?:t|ce)|avoid\w*|prevent\w*|omit\w*|fehl(?:en|t|te|ten|end\w*)|mangel\w*"
    r"|vermeid\w*|verhinder\w*|отсутств\w*|нехватк\w*|избега\w*|избеж\w*|предотвра\w*)(?![\w'’])",
    re.IGNORECASE,
)


def said_under_negation(text: str) -> list[tuple[int, int]]:
    """The parts of an answer's `text` said under a negation (`negated_parts`) or in the clause of an absence word
    (`_ABSENT`), without the absence words themselves: sorted, disjoint [start, end) ranges. Linear in the text
    (each clause is looked up once), and not memoised: an answer may be long."""
    spans = [(e.start, e.end) for e in negated_parts(text)]
    clause, at = None, 0
    for m in _ABSENT.finditer(text):
        if clause is None or m.start() >= clause[1]:
            if clause is not None:
                spans.append((at, clause[1]))
            clause = clause_at(text, m.start())
            if clause is None:
                continue
            at = clause[0]
        spans.append((at, m.start()))
        at = m.end()
    if clause is not None:
        spans.append((at, clause[1]))
    merged: list[tuple[int, int]] = []
    for a, b in sorted(s for s in spans if s[0] < s[1]):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


@lru_cache(maxsize=1024)
def _parts_of(text: str) -> list[Evidence]:
    """A reference's parts said under a negation or an absence word (`said_under_negation`), memoised: a reference
    is asked about for every answer."""
    return [Evidence(a, b, text[a:b]) for a, b in said_under_negation(text)]


@lru_cache(maxsize=4096)
def affirmed(text: str, wording: str, lang: str) -> bool:
    """Whether the reference text `text` says `wording` outside a negation (a wording with its own negation, "не
    обучаются", is said negatively; one not found in the text counts as affirmed when the text negates nothing)."""
    if _negative(wording):
        return False
    parts = _parts_of(text)
    stems = tokenize(wording, lang).stems
    if not stems:
        return False
    said = tokenize(text, lang)
    at = [a for s, a in zip(said.stems, said.starts, strict=True) if s == stems[0]]
    if not at:
        return not parts
    return any(not any(e.start <= a < e.end for e in parts) for a in at)


@lru_cache(maxsize=4096)
def said_negated(text: str, wordings: tuple[str, ...], lang: str) -> bool:
    """Whether the reference text `text` says a concept (a wording of it, by its first word) only inside negated parts
    ("the base case" of "if the base case is not included"): the answer may then say it negated or not, the claim
    of the point is carried by the words the reference negates. False for a wording with its own negation."""
    if any(map(_negative, wordings)):
        return False
    parts = _parts_of(text)
    if not parts:
        return False
    said = tokenize(text, lang)
    firsts = {s for w in wordings for s in tokenize(w, lang).stems[:1]}
    at = [a for s, a in zip(said.stems, said.starts, strict=True) if s in firsts]
    return bool(at) and all(any(e.start <= a < e.end for e in parts) for a in at)


def negated_only(point: KeyPoint, concept: Concept, lang: str) -> bool:
    """Whether the point's text says its concept only inside negated parts (`said_negated`)."""
    return said_negated(point.text, tuple(concept.any), lang)


def discount_negated(
    rubric: Rubric, compiled: Sequence[CompiledPoint], points: Sequence[PointMatch], answer: str
) -> list[PointMatch]:
    """The matcher's findings on an automatic rubric without the concepts that the reference affirms and the answer
    only says under a negation, for each point that the answer says mostly in the negative (`NEGATED_SHARE` of the
    weight it matched); `compiled`: the matcher's points, whose concepts the findings follow."""
    if rubric.built_by != "auto" or not any(p.score for p in points):
        return list(points)
    # Only the clauses holding what was matched: a negation elsewhere takes nothing away.
    parts = negated_parts(answer, sorted(e.start for p in points if p.score for c in p.concepts for e in c.evidence))
    if not parts:
        return list(points)
    within = _Within(parts)
    texts = {p.id: p.text for p in rubric.points}
    out = []
    for pm, cp in zip(points, compiled, strict=True):
        negated = [c.matched and bool(c.evidence) and all(map(within, c.evidence)) for c in pm.concepts]
        if not any(negated):
            out.append(pm)  # the usual point: none of its words said under a negation
            continue
        # A concept found through a wording with its own negation ("no limit" for "unlimited") was matched with
        # its polarity: the answer's negation is that wording's.
        # The answer negating the point's absence word ("does not prevent overfitting", "no lack of …") says the
        # opposite of its clause, which the reference's absence word lets count in either polarity.
        pairs = zip(pm.concepts, cp.concepts, strict=True)
        undone = any(c.negated and any(map(_ABSENT.search, k.concept.any)) for c, k in pairs)
        concepts = tuple(
            ConceptMatch(c.weight, False)
            if said
            and not _negative(c.wording or "")
            and (undone or affirmed(texts[pm.id], k.concept.any[0], rubric.lang))
            else c
            for c, k, said in zip(pm.concepts, cp.concepts, negated, strict=True)
        )
        found = sum(c.weight for c in pm.concepts if c.matched)
        lost = found - sum(c.weight for c in concepts if c.matched)
        if not lost or lost < NEGATED_SHARE * found:
            out.append(pm)  # a negation touching a few of the point's words is about something else
            continue
        total = sum(c.weight for c in concepts)
        out.append(PointMatch(pm.id, sum(c.weight for c in concepts if c.matched) / total if total else 0.0, concepts))
    return out


class _Within:
    """Whether evidence lies inside one of the negated parts (in order, none overlapping another)."""

    def __init__(self, parts: Sequence[Evidence]) -> None:
        self.parts = parts
        self.starts = [p.start for p in parts]

    def __call__(self, e: Evidence) -> bool:
        k = bisect.bisect_right(self.starts, e.start) - 1  # the one part that may hold it: the last starting before
        return k >= 0 and e.end <= self.parts[k].end
