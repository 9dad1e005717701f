"""Reference answer -> key points -> concepts, automatically. Pure.

List items become points (their first line is the point, the lines under it explain it); a reference without a
list is split into sentences, short ones merged into their neighbour. Each point's concepts are its content
terms: glossary terms with their Russian/English/German equivalents, glosses in parentheses ("насыщение
(saturation)"), Latin technical terms and the most informative remaining words. Words of the question give no
evidence and are left out; words common to many references of a bank weigh less.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

from grader.engine.glossary import entries as glossary_entries
from grader.engine.matching import Matcher
from grader.engine.text import detect_lang, is_stopword, tokenize
from grader.models import Concept, KeyPoint, Question, Rubric

MAX_POINTS = 8
MAX_LIST_POINTS = 14
MAX_CONCEPTS = 8
MIN_CONCEPTS = 3
CONCEPT_SHARE = 0.6  # of a point's candidate terms that become concepts
_NUMBER_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5,
    "два": 2, "две": 2, "три": 3, "четыре": 4, "пять": 5,
}
# "name two challenges", "state at least 4 differences", "nenne drei", "назовите три": a count, then no "sentences".
_ASKS_FOR = re.compile(
    r"(?:at least|name|state|give|list|mindestens|nenne\w*|назов\w*|перечисл\w*|хотя бы)\s+(?:the\s+|die\s+)?"
    r"(\d+|two|three|four|five|zwei|drei|vier|fünf|два|две|три|четыре|пять)\b(?!\s*[-–]\s*\d)"
    r"(?!\s+(?:sentences?|sätze?n?|предложени))",
    re.IGNORECASE,
)
_POINT_WEIGHT = re.compile(r"\(\s*(\d+(?:[.,]\d+)?)\s*(?:P|Pkt|points?|баллa?|б)\s*\)", re.IGNORECASE)
_NUMBERED = re.compile(r"^\s*(?:\d{1,2}[.)]|[a-zA-Zа-яА-Я][.)])\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"«(]?[A-ZА-ЯЁÄÖÜ0-9])")
_GLOSS = re.compile(r"([^\s()]+(?:\s+[^\s()]+){0,3})\s*\(([^()]{2,60})\)")
_BULLET_PUNCT = set("-*•·–—>")
# Words so common in data-science answers that alone they say nothing about which idea an answer covers.
_GENERIC = frozenset(
    """модел модельн данн метод задач использ помога позволя получ работ примен нужн случа котор являет
        такж например различн основн процесс результат способ возможн больш мал model data method
        task use using help allow get work apply need case result way different main process example
        various large small also make based much possible instead contain includ following correct consider
        alternatively typically usually especially additional additionally therefore thus fully within may must
        several another given first second rather dabei fall geben gibt steht zentral zentrale zusätzlich beide
        darf hinaus muss soll sollen werden kann beispielsweise sowie sowohl bereits immer""".split()
)


def is_bullet(line: str) -> bool:
    """A list item: a line opening with an emoji or symbol bullet, a dash, or a number."""
    s = line.lstrip()
    if not s:
        return False
    first = s[0]
    if first in _BULLET_PUNCT and len(s) > 1 and (s[1].isspace() or first in "•·"):
        return True
    if unicodedata.category(first) == "So":
        return True
    return bool(_NUMBERED.match(s))


def strip_bullet(line: str) -> str:
    s = _NUMBERED.sub("", line.strip(), count=1)
    while s and (unicodedata.category(s[0]) in ("So", "Mn", "Cf") or s[0] in _BULLET_PUNCT or s[0] == "\ufe0f"):
        s = s[1:]
    return s.strip()


def split_points(reference: str) -> list[tuple[str, str, float]]:
    """Key points of a reference as (headline, full text, weight) triples.

    Inline point weights ("... Begrüßung (0.25 P)") mark one point each: the clause before the marker. Otherwise
    lines are points when the reference is laid out as a list (bullets, or several lines); a header line ending
    in ":" joins the line after it. Running text is split into sentences.
    """
    if len(_POINT_WEIGHT.findall(reference)) >= 2:
        return _weighted_clauses(reference)
    lines = [ln.strip() for ln in reference.splitlines() if ln.strip()]
    bullets = [ln for ln in lines if is_bullet(ln)]
    if len(bullets) >= 2 or len(lines) >= 3:
        return _line_points(lines)
    sentences = [s.strip() for para in lines for s in _SENTENCE_END.split(para) if s.strip()]
    return [(s, s, 1.0) for s in _merge_short(sentences, MAX_POINTS)]


def _merge_short(pieces: list[str], limit: int, shortest: int = 4) -> list[str]:
    """Short pieces join their neighbour; then the closest-to-empty neighbours merge until `limit` remain."""
    merged: list[str] = []
    for s in pieces:
        if merged and _n_content(s) < shortest:
            merged[-1] = f"{merged[-1]} {s}"
        else:
            merged.append(s)
    while len(merged) > limit:
        i = min(range(len(merged) - 1), key=lambda j: _n_content(merged[j]) + _n_content(merged[j + 1]))
        merged[i : i + 2] = [f"{merged[i]} {merged[i + 1]}"]
    return merged


def _line_points(lines: list[str]) -> list[tuple[str, str, float]]:
    """One point per line; a header line ("Possible challenges:") is folded into the line after it."""
    points: list[str] = []
    header = ""
    for ln in lines:
        text = strip_bullet(ln) if is_bullet(ln) else ln
        if text.rstrip().endswith(":") and _n_content(text) <= 8:
            header = f"{header} {text}".strip()
            continue
        points.append(f"{header} {text}".strip() if header else text)
        header = ""
    if header and points:
        points[-1] = f"{points[-1]} {header}"
    return [(p, p, 1.0) for p in _merge_short(points, MAX_LIST_POINTS, shortest=1)]


def _weighted_clauses(reference: str) -> list[tuple[str, str, float]]:
    """One point per inline weight marker: the words from the previous marker or sentence start up to it."""
    text = " ".join(reference.split())
    points = []
    prev_end = 0
    for m in _POINT_WEIGHT.finditer(text):
        sentence_start = max((b.end() for b in _SENTENCE_END.finditer(text, 0, m.start())), default=0)
        start = max(prev_end, sentence_start)
        clause = text[start : m.start()].strip(" ,;:-")
        sentence_end = _SENTENCE_END.search(text, m.end())
        sentence = _POINT_WEIGHT.sub("", text[sentence_start : sentence_end.start() if sentence_end else len(text)])
        points.append((clause, " ".join(sentence.split()), float(m.group(1).replace(",", "."))))
        prev_end = m.end()
    return points


def _n_content(text: str) -> int:
    return sum(1 for n in tokenize(text).norms if not is_stopword(n))


def document_frequency(references: Iterable[str], lang: str = "ru") -> tuple[Counter[str], int]:
    """How many references each stem occurs in, and how many references there are."""
    df: Counter[str] = Counter()
    n = 0
    for ref in references:
        n += 1
        df.update(set(tokenize(ref, lang).stems))
    return df, n


def _glossary_concepts(text_stems: set[str], lang: str) -> list[tuple[list[str], set[str]]]:
    """Glossary rows one of whose wordings occurs in the text, with the stems that wording used."""
    found = []
    for row in glossary_entries():
        for wording in row:
            stems = {s for n, s in zip(*tokenize(wording, lang)[:2], strict=True) if not is_stopword(n)}
            if stems and stems <= text_stems:
                found.append((list(row), stems))
                break
    return found


def _gloss_concepts(text: str, lang: str) -> list[tuple[list[str], set[str]]]:
    """'term (gloss)' pairs: the gloss is an alternative wording of the words before it."""
    found = []
    for m in _GLOSS.finditer(text):
        gloss = m.group(2).strip()
        if len(gloss.split()) > 4 or not re.search(r"[A-Za-z]", gloss):
            continue
        words = [w for w in re.findall(r"[^\W_]+", m.group(1)) if not is_stopword(w.lower())]
        head = " ".join(words[-max(1, len(gloss.split())) :])
        if not head:
            continue
        toks = tokenize(f"{head} {gloss}", lang)
        found.append(([head, gloss], set(toks.stems)))
    return found


def point_concepts(head: str, text: str, lang: str, question_stems: set[str], idf: dict[str, float]) -> list[Concept]:
    """Concepts for one point, the most telling first; longer points get more (up to MAX_CONCEPTS)."""
    toks = tokenize(text, lang)
    head_stems = set(tokenize(head, lang).stems)
    stems_here = set(toks.stems)
    concepts: list[Concept] = []
    used: set[str] = set()
    for wordings, stems in _gloss_concepts(text, lang) + _glossary_concepts(stems_here, lang):
        if stems <= question_stems or stems & used:
            continue
        weight = 1.5 if stems & head_stems else 1.0
        concepts.append(Concept(any=wordings, weight=weight))
        used |= stems
    scored: dict[str, tuple[float, str]] = {}
    for norm, stem in zip(toks.norms, toks.stems, strict=True):
        if is_stopword(norm) or len(norm) < 3 or norm.isdigit() or stem in question_stems or stem in used:
            continue
        if stem in _GENERIC or norm in _GENERIC:
            continue
        latin_in_russian = lang == "ru" and norm.isascii()
        weight = idf.get(stem, 1.0) * (1.5 if stem in head_stems else 1.0) * (1.3 if latin_in_russian else 1.0)
        if stem not in scored or scored[stem][0] < weight:
            scored[stem] = (weight, norm)
    ranked = sorted(scored.values(), key=lambda wn: -wn[0])
    limit = min(MAX_CONCEPTS, max(MIN_CONCEPTS, math.ceil(CONCEPT_SHARE * len(scored))))
    for weight, norm in ranked[: max(0, limit - len(concepts))]:
        concepts.append(Concept(any=[norm], weight=round(max(0.3, min(weight, 2.0)), 2)))
    return concepts[:limit] if concepts else [Concept(any=[w]) for w in head.split()[:2] if w]


def needed_points(question: str) -> int | None:
    """How many items the question asks for ("name two challenges", "at least 4 differences"), if it says."""
    for m in _ASKS_FOR.finditer(question):
        word = m.group(1).lower()
        n = int(word) if word.isdigit() else _NUMBER_WORDS.get(word)
        if n and 1 < n <= 10:
            return n
    return None


def build_rubric(question: Question, corpus: Sequence[str] = ()) -> Rubric:
    """A rubric derived from the question's reference; `corpus` (other references) tunes term informativeness."""
    lang = question.lang or detect_lang(question.reference)
    question_stems = {s for n, s in zip(*tokenize(question.question, lang)[:2], strict=True) if not is_stopword(n)}
    df, n_docs = document_frequency([*corpus, question.reference], lang)
    idf = {s: 0.5 + math.log((1 + n_docs) / (1 + c)) / math.log(2 + n_docs) for s, c in df.items()}
    points = []
    for i, (head, text, weight) in enumerate(split_points(question.reference), start=1):
        clean = " ".join(_POINT_WEIGHT.sub("", text).split())
        head = " ".join(_POINT_WEIGHT.sub("", head).split())
        # A clause cut out by an inline weight is the point; the rest of its sentence is other points' context.
        clause = head != clean and len(_POINT_WEIGHT.findall(question.reference)) >= 2
        source = head if clause else clean
        points.append(
            KeyPoint(
                id=f"p{i}",
                text=head[:200] or clean[:200],
                weight=weight if weight > 0 else 1.0,
                concepts=point_concepts(_tail(head, clause), source, lang, question_stems, idf),
                hint=clean[:300],
            )
        )
    needs = needed_points(question.question)
    rubric = Rubric(
        question_id=question.id,
        lang=lang,
        reference_hash=reference_hash(question.reference),
        built_by="auto",
        points=points,
        needs=needs if needs and needs < len(points) else None,
    )
    return without_question_words(rubric, question.question)


def without_question_words(rubric: Rubric, question: str) -> Rubric:
    """The rubric without the concepts the matcher ignores because the question holds them (its own test, so a
    built rubric passes `grader check --strict`); grades are unchanged, since those concepts never counted."""
    matcher = Matcher(rubric, question)
    points = []
    for point, compiled in zip(rubric.points, matcher.points, strict=True):
        live = {id(c.concept) for c in compiled.concepts}
        kept = [c for c in point.concepts if id(c) in live]
        points.append(point if len(kept) == len(point.concepts) else point.model_copy(update={"concepts": kept}))
    return rubric.model_copy(update={"points": points})


def _tail(head: str, clause: bool) -> str:
    """The telling words of a headline: its first and last content words; a weighted clause's last ones only.

    In "the header is shorter (8 bytes)" the point is at its end; in "Kunden begrüßen (0.25 P)" just before the mark.
    """
    words = [w for w in head.split() if not is_stopword(w.lower().strip(".,:;()"))]
    return " ".join(words[-3:] if clause else words[:3] + words[-3:])


def reference_hash(reference: str) -> str:
    """A short hash of the reference text (whitespace-insensitive), stored in a rubric to detect staleness."""
    canonical = " ".join(reference.split())
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def is_stale(rubric: Rubric, question: Question) -> bool:
    """True when the rubric was built from a reference other than the question's current one."""
    return bool(rubric.reference_hash) and rubric.reference_hash != reference_hash(question.reference)
