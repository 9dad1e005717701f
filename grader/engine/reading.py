"""How a reference answer reads: its key points, menus of alternatives, notes set aside, and what was unsure. Pure.

A reference is read from its layout first. Inline marks ("(0.25 P)", "[1 point]") make one point each; score
levels ("3 points: …, 2 points: …") give the top level as the answer; list items and lines are points, a label
ending in ":" opens a run of them, and a label that offers alternatives ("two of the following:", "z. B.:",
"любые два из:") makes its run a group of which the answer needs N; running text is split into sentences. Grading
notes and optional content are set aside; the words of a criterion ("The student explains …") are dropped. What
the reader had to guess is said in `Reading.unsure`, for `grader rubric build` to show and `lint` to warn about.
"""

from __future__ import annotations

import re

from grader.engine.reading_lists import read_list
from grader.engine.reading_marks import (
    CONTENT_LABEL,
    GRADING_TALK,
    ITEM_SEP,
    LEVEL,
    MENU,
    NOTE,
    NUMBER_WORDS,
    OPTIONAL,
    POINT_WEIGHT,
    SENTENCE_END,
    is_bullet,
    n_content,
    strip_criterion,
)
from grader.models import Reading, ReadPoint

MAX_POINTS = 8
_INLINE_LABEL = re.compile(r"^([^:\n]{1,80}):\s*(\S.*[^:\s])\s*$")


def read_reference(reference: str, asks_for: int | None = None) -> Reading:
    """How `reference` reads; `asks_for` is how many items the question asks for ("name two …"), if it says."""
    notes: list[str] = []
    lines: list[str] = []
    for ln in _unwrapped(reference.splitlines()):
        if NOTE.match(ln) or OPTIONAL.match(ln):
            notes.append(ln)
            continue
        talk = [x for x in SENTENCE_END.split(ln) if GRADING_TALK.search(x) and not POINT_WEIGHT.search(x)]
        notes += talk
        kept = " ".join(x for x in SENTENCE_END.split(ln) if x not in talk) if talk else ln
        if kept or not talk:
            lines.append(CONTENT_LABEL.sub("", kept, count=1))
    text = "\n".join(lines).strip()
    levels = _levels(text)
    if levels is not None:
        reading = levels
    elif len(POINT_WEIGHT.findall(text)) >= 2:
        reading = Reading(shape="marks", points=weighted_clauses(text))
    else:
        lines = [x for ln in lines for x in _inline_menu(ln)]
        content = [ln for ln in lines if ln]
        if sum(map(is_bullet, content)) >= 2 or len(content) >= 3:
            reading = read_list(lines, asks_for)
        else:
            reading = _read_sentences(content, asks_for)
    # the levels set aside are said once, as levels (all of them after key elements, the lower ones otherwise)
    n_notes = len(notes) + len(reading.notes) - (len(LEVEL.findall(text)) - (reading.shape == "levels")
                                                 if levels is not None else 0)  # fmt: skip
    reading.notes[:0] = notes
    if n_notes > 0:
        reading.unsure.append(f"{n_notes} grading note(s) or optional part(s) set aside, not read as points")
    for p in reading.points:
        p.text = strip_criterion(p.text, document=levels is not None)
    if not reading.points:  # all of it labels or notes: the whole text is the one point, and that is a guess
        reading.points = [ReadPoint(text=" ".join(reference.split()))]
        reading.unsure.append("nothing but labels or notes found: the whole reference is read as one point")
    return reading


def _unwrapped(lines: list[str]) -> list[str]:
    """Hard-wrapped lines joined again: a line that does not end a sentence, followed by one that goes on in lower
    case (and is no list item), is one line with it."""
    out: list[str] = []
    for ln in lines:
        s = ln.strip()
        prev = out[-1] if out else ""
        if prev and s[:1].islower() and not is_bullet(s) and prev[-1:] not in ".!?:;":
            out[-1] = f"{prev} {s}"
        else:
            out.append(s)
    return out


def _inline_menu(line: str) -> list[str]:
    """A line like "Possible correct responses: A, B, or C" as a label line and one item line per alternative."""
    m = _INLINE_LABEL.match(line)
    if m is None or is_bullet(line) or MENU.search(m.group(1)) is None or SENTENCE_END.search(m.group(2)):
        return [line]
    items = [x.strip(" .") for x in ITEM_SEP.split(m.group(2)) if x.strip(" .")]
    if len(items) < 2 or any(len(x.split()) > 8 for x in items):  # long pieces are clauses, not alternatives
        return [line]
    return [f"{m.group(1)}:", *(f"- {x}" for x in items), ""]


def _levels(text: str) -> Reading | None:
    """Score levels ("3 points: …, 2 points: …, 1 point: …"): the top level is the full answer, the others are set
    aside. Marks that repeat or rise ("1 point: X. 1 point: Y.") are points of their own, each with its mark."""
    found = list(LEVEL.finditer(text))
    if len(found) < 2:
        return None
    segments = []
    for m, nxt in zip(found, [*found[1:], None], strict=True):
        value = float((m.group("v") or m.group("v2")).replace(",", "."))
        segments.append((value, text[m.end() : nxt.start() if nxt else len(text)].strip(" \n,;")))
    head = text[: found[0].start()]
    long_head = n_content(head) > 8
    if long_head or sum(map(is_bullet, head.splitlines())) >= 2:  # key elements before the levels, or a preamble
        elements = _elements(head, segments)
        if elements is not None or long_head:
            return elements
    values = [v for v, _ in segments]
    if len(set(values)) < len(values) or (values == sorted(values) and 0 not in values and len(values) < 3):
        points = [ReadPoint(text=body, weight=v) for v, body in segments if v > 0 and body]
        return Reading(shape="marks", points=points) if points else None
    top = max(segments)
    inner = read_reference(top[1])
    lower = [f"level {v:g}: {body}" for v, body in segments if (v, body) != top]
    unsure = f"score levels: the {top[0]:g}-point level is read as the full answer, {len(lower)} lower one(s) set aside"
    return inner.model_copy(update={"shape": "levels", "notes": lower + inner.notes, "unsure": [unsure, *inner.unsure]})


def _elements(head: str, segments: list[tuple[float, str]]) -> Reading | None:
    """Key elements, then score levels that count them ("Key elements: - A - B - C … 3 points: the response
    describes three of the elements; 2 points: two …"): the elements are the points, and the top level's count, when
    it states one, is how many of them a full answer needs. Levels whose bodies are answers of their own (no count
    of the elements above) are not this shape."""
    top = max(segments)
    count = _count(top[1])
    if count is None:
        return None
    inner = read_reference(head)
    if len(inner.points) < 2:  # one point is a preamble, not elements to count
        return None
    count = count or len(inner.points)  # "all of the elements": every one of them
    lower = [f"level {v:g}: {body}" for v, body in segments]
    needs = count if count < len(inner.points) else None
    unsure = (f"score levels after {len(inner.points)} key elements: the elements are the points, the {top[0]:g}-point "
              f"level asks for {count} of them")  # fmt: skip
    return inner.model_copy(update={"needs": needs or inner.needs, "notes": lower + inner.notes,
                                    "unsure": [unsure, *inner.unsure]})  # fmt: skip


_COUNT_WORD = re.compile(r"[^\W_]+")
_ARTICLES = frozenset(("eine", "einer", "eines", "einen"))  # German: an article more often than a count
_ALL = frozenset("all every alle allen sämtliche все всех всё каждый".split())
_BOTH = frozenset("both beide beiden оба обе обоих".split())


def _count(body: str) -> int | None:
    """The first count a level's words state ("describes three additional pieces of information" -> 3, "both",
    "beide", "оба" -> 2); 0 when it asks for all of them ("all", "alle", "все")."""
    for word in _COUNT_WORD.findall(body.lower()):
        if word.isdigit():
            return int(word) if 0 < int(word) < 20 else None
        if word in NUMBER_WORDS and word not in _ARTICLES:
            return NUMBER_WORDS[word]
        if word in _BOTH:
            return 2
        if word in _ALL:
            return 0
    return None


def weighted_clauses(reference: str) -> list[ReadPoint]:
    """One point per inline weight marker: the words from the previous marker or sentence start up to it."""
    text = " ".join(reference.split())
    points = []
    prev_end = 0
    for m in POINT_WEIGHT.finditer(text):
        sentence_start = max((b.end() for b in SENTENCE_END.finditer(text, 0, m.start())), default=0)
        start = max(prev_end, sentence_start)
        clause = text[start : m.start()].strip(" ,;:-")
        sentence_end = SENTENCE_END.search(text, m.end())
        sentence = POINT_WEIGHT.sub("", text[sentence_start : sentence_end.start() if sentence_end else len(text)])
        top = m.group(2) or m.group(1)  # a range of credit counts at its top
        points.append(ReadPoint(text=clause, context=" ".join(sentence.split()), weight=float(top.replace(",", "."))))
        prev_end = m.end()
    return points


def _read_sentences(lines: list[str], asks_for: int | None) -> Reading:
    sentences = [s.strip() for para in lines for s in SENTENCE_END.split(para) if s.strip()]
    notes = [s for s in sentences if NOTE.match(s)]
    kept = merge_short([s for s in sentences if not NOTE.match(s)], MAX_POINTS)
    reading = Reading(shape="sentences", points=[ReadPoint(text=s) for s in kept], notes=notes)
    if asks_for and asks_for < len(kept):
        reading.needs = asks_for
    if len(kept) == 1 and n_content(kept[0]) > 12:
        reading.unsure.append("one long sentence read as one point: split it into points if it makes several")
    return reading


def merge_short(pieces: list[str], limit: int, shortest: int = 4) -> list[str]:
    """Short pieces join their neighbour; then the closest-to-empty neighbours merge until `limit` remain."""
    merged: list[str] = []
    lead = ""  # short pieces before the first long one ("No." before its reason) join the piece after them
    for s in pieces:
        if n_content(s) >= shortest:
            merged.append(f"{lead} {s}".strip())
            lead = ""
        elif merged:
            merged[-1] = f"{merged[-1]} {s}"
        else:
            lead = f"{lead} {s}".strip()
    if lead:
        merged.append(lead)
    while len(merged) > limit:
        i = min(range(len(merged) - 1), key=lambda j: n_content(merged[j]) + n_content(merged[j + 1]))
        merged[i : i + 2] = [f"{merged[i]} {merged[i + 1]}"]
    return merged
