"""Reference answer -> key points -> concepts, automatically. Pure.

List items become points (their first line is the point, the lines under it explain it); a reference without a
list is split into sentences, short ones merged into their neighbour. Each point's concepts are its content
terms: glossary terms with their Russian/English/German equivalents, glosses in parentheses ("насыщение
(saturation)"), Latin technical terms and the most informative remaining words. Words of the question give no
evidence and are left out; words common to many references of a bank weigh less.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

from grader.bank import Bank, reference_hash
from grader.glossary import entries as glossary_entries
from grader.models import Concept, KeyPoint, Question, Rubric
from grader.text import detect_lang, is_stopword, tokenize

MAX_POINTS = 8
MAX_CONCEPTS = 6
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
        various large small also make based""".split()
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


def split_points(reference: str) -> list[tuple[str, str]]:
    """Key points of a reference as (headline, full text) pairs."""
    lines = [ln for ln in reference.splitlines()]
    bullets = [i for i, ln in enumerate(lines) if is_bullet(ln)]
    if len(bullets) >= 2:
        points = []
        for k, i in enumerate(bullets):
            end = bullets[k + 1] if k + 1 < len(bullets) else len(lines)
            head = strip_bullet(lines[i])
            body = " ".join(ln.strip() for ln in lines[i + 1 : end] if ln.strip())
            points.append((head, f"{head} {body}".strip()))
        return points
    sentences = [s.strip() for para in reference.split("\n") for s in _SENTENCE_END.split(para) if s.strip()]
    merged: list[str] = []
    for s in sentences:
        if merged and _n_content(s) < 5:
            merged[-1] = f"{merged[-1]} {s}"
        else:
            merged.append(s)
    while len(merged) > MAX_POINTS:
        i = min(range(len(merged) - 1), key=lambda j: _n_content(merged[j]) + _n_content(merged[j + 1]))
        merged[i : i + 2] = [f"{merged[i]} {merged[i + 1]}"]
    return [(s, s) for s in merged]


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
    """Up to MAX_CONCEPTS concepts for one point, the most telling first."""
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
        if stem in _GENERIC:
            continue
        weight = idf.get(stem, 1.0) * (1.5 if stem in head_stems else 1.0) * (1.3 if norm.isascii() else 1.0)
        if stem not in scored or scored[stem][0] < weight:
            scored[stem] = (weight, norm)
    ranked = sorted(scored.values(), key=lambda wn: -wn[0])
    for weight, norm in ranked[: max(0, MAX_CONCEPTS - len(concepts))]:
        concepts.append(Concept(any=[norm], weight=round(max(0.3, min(weight, 2.0)), 2)))
    return concepts[:MAX_CONCEPTS] if concepts else [Concept(any=[w]) for w in head.split()[:2] if w]


def build_rubric(question: Question, corpus: Sequence[str] = ()) -> Rubric:
    """A rubric derived from the question's reference; `corpus` (other references) tunes term informativeness."""
    lang = question.lang or detect_lang(question.reference)
    question_stems = {s for n, s in zip(*tokenize(question.question, lang)[:2], strict=True) if not is_stopword(n)}
    df, n_docs = document_frequency([*corpus, question.reference], lang)
    idf = {s: 0.5 + math.log((1 + n_docs) / (1 + c)) / math.log(2 + n_docs) for s, c in df.items()}
    points = []
    for i, (head, text) in enumerate(split_points(question.reference), start=1):
        weight_match = _POINT_WEIGHT.search(text)
        weight = float(weight_match.group(1).replace(",", ".")) if weight_match else 1.0
        clean = _POINT_WEIGHT.sub("", text).strip()
        concepts = point_concepts(_POINT_WEIGHT.sub("", head), clean, lang, question_stems, idf)
        points.append(
            KeyPoint(
                id=f"p{i}",
                text=_POINT_WEIGHT.sub("", head).strip()[:200] or clean[:200],
                weight=weight if weight > 0 else 1.0,
                concepts=concepts,
                hint=clean[:300],
            )
        )
    return Rubric(
        question_id=question.id,
        lang=lang,
        reference_hash=reference_hash(question.reference),
        built_by="auto",
        points=points,
    )


def is_stale(rubric: Rubric, question: Question) -> bool:
    """True when the rubric was built from a reference other than the question's current one."""
    return bool(rubric.reference_hash) and rubric.reference_hash != reference_hash(question.reference)


def rubric_for(bank: Bank, question: Question) -> tuple[Rubric, list[str]]:
    """The bank's rubric for a question, or one built on the fly; with warnings for the user (none, stale)."""
    rubric = bank.rubric(question.id)
    if rubric is None:
        corpus = [q.reference for q in bank.questions() if q.id != question.id]
        return build_rubric(question, corpus), [
            f"no rubric file for '{question.id}': using one built automatically "
            f"(save it with `grader rubric build {question.id}`)"
        ]
    if is_stale(rubric, question):
        return rubric, [f"rubric for '{question.id}' is stale: the reference changed since it was built"]
    return rubric, []
