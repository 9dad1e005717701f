"""Reference answer -> key points -> concepts, automatically. Pure.

List items become points (their first line is the point, the lines under it explain it); a reference without a
list is split into sentences, short ones merged into their neighbour. Each point's concepts are its content
terms: glossary terms with their Russian/English/German equivalents, glosses in parentheses ("насыщение
(saturation)"), Latin technical terms and the most informative remaining words. Words of the question give no
evidence and are left out; words common to many references of a bank weigh less.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from grader.engine.glossary import entries as glossary_entries
from grader.engine.informativeness import weight as informativeness
from grader.engine.matching import Matcher
from grader.engine.text import NEGATIONS, NOT_NEGATING_NEXT, detect_lang, is_stopword, tokenize
from grader.models import Concept, KeyPoint, Question, Rubric

MAX_POINTS = 8
MAX_LIST_POINTS = 14
MAX_CONCEPTS = 12
_NEGATION_REACH = 3  # words after a negation cue that it negates, within its clause
_CLAUSE_END = re.compile(r"[.;:!?\n()]|,\s*(?:but|and|so|aber|sondern|und|но|а|и)\b", re.IGNORECASE)
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
# A point's mark in the reference: "(0.25 P)", "(je 0.5 P)", "(0.25–0.5 P)", "[1 point]", "(2 marks)", "(1 балл)".
_POINT_WEIGHT = re.compile(
    r"[(\[]\s*(?:je|each|по)?\s*(\d+(?:[.,]\d+)?)(?:\s*[-–]\s*(\d+(?:[.,]\d+)?))?\s*"
    r"(?:P|Pkt|Punkte?|points?|pts?|marks?|балл(?:а|ов)?|б)\.?\s*[)\]]",
    re.IGNORECASE,
)
# A grading note inside a reference ("Note: … can be omitted", "Hinweis: …", "Примечание: …") is not a point.
_NOTE = re.compile(r"^\s*(?:\(?\s*)(?:notes?|nb|n\.b\.|hinweis|anmerkung|bemerkung|примечание|замечание)\s*[:.)]", re.I)
_NUMBERED = re.compile(r"^\s*(?:\d{1,2}[.)]|[a-zA-Zа-яА-Я][.)])\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"«(]?[A-ZА-ЯЁÄÖÜ0-9])")
_GLOSS = re.compile(r"([^\s()]+(?:\s+[^\s()]+){0,3})\s*\(([^()]{2,60})\)")
_BULLET_PUNCT = set("-*•·–—>")


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
    reference = "\n".join(ln for ln in _unwrapped(reference.splitlines()) if not _NOTE.match(ln))
    if len(_POINT_WEIGHT.findall(reference)) >= 2:
        return _weighted_clauses(reference)
    lines = [ln.strip() for ln in reference.splitlines() if ln.strip()]
    bullets = [ln for ln in lines if is_bullet(ln)]
    if len(bullets) >= 2 or len(lines) >= 3:
        return _line_points(lines)
    sentences = [s.strip() for para in lines for s in _SENTENCE_END.split(para) if s.strip() and not _NOTE.match(s)]
    return [(s, s, 1.0) for s in _merge_short(sentences, MAX_POINTS)]


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


def _merge_short(pieces: list[str], limit: int, shortest: int = 4) -> list[str]:
    """Short pieces join their neighbour; then the closest-to-empty neighbours merge until `limit` remain."""
    merged: list[str] = []
    lead = ""  # short pieces before the first long one ("No." before its reason) join the piece after them
    for s in pieces:
        if _n_content(s) >= shortest:
            merged.append(f"{lead} {s}".strip())
            lead = ""
        elif merged:
            merged[-1] = f"{merged[-1]} {s}"
        else:
            lead = f"{lead} {s}".strip()
    if lead:
        merged.append(lead)
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
        top = m.group(2) or m.group(1)  # a range of credit counts at its top
        points.append((clause, " ".join(sentence.split()), float(top.replace(",", "."))))
        prev_end = m.end()
    return points


def _n_content(text: str) -> int:
    return sum(1 for n in tokenize(text).norms if not is_stopword(n))


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


_NUMBER = re.compile(r"(?<![\w.,])(\d+(?:[.,]\d+)?)(?:\s*(%|€|\$|[^\W\d_]{1,12}\b))?")


def _number_concepts(text: str, lang: str, question_numbers: set[str]) -> list[tuple[list[str], set[str]]]:
    """Numbers and quantities: "16,50 €", "8 bytes", "2 children". A bare single digit says too little alone, so it
    counts only with the word after it; a number the question gives is no evidence."""
    found = []
    for m in _NUMBER.finditer(text):
        number, unit = m.group(1), m.group(2) or ""
        if number in question_numbers:
            continue
        if len(number) == 1 and not (unit and unit.isalpha() and not is_stopword(unit.lower())):
            continue
        wording = number if len(number) > 1 else f"{number} {unit}"
        found.append(([wording], set(tokenize(wording, lang).stems)))
    return found


def _content_words(text: str, lang: str) -> list[tuple[str, str, str]]:
    """(normalised, stem, negation) of the words that carry content, where `negation` is the cue that negates the
    word in the reference ("not independent", "keine zeitliche Einschränkung"), or "". In German a capitalised word
    inside a sentence is a noun, never a stopword ("Waren" the goods, not "waren" were)."""
    toks = tokenize(text, lang)
    out = []
    cue, cue_at = "", -10
    for i, (norm, stem) in enumerate(zip(toks.norms, toks.stems, strict=True)):
        if i and _CLAUSE_END.search(text, toks.ends[i - 1], toks.starts[i]):
            cue = ""  # a negation's scope ends with its clause
        if norm in NEGATIONS:
            if toks.norms[i + 1 : i + 2] != [] and toks.norms[i + 1] in NOT_NEGATING_NEXT:
                continue
            cue, cue_at = norm, i
            continue
        if norm.isdigit() or len(norm) < 2:
            continue
        if is_stopword(norm):
            noun = lang == "de" and i > 0 and text[toks.starts[i]].isupper() and len(norm) > 3
            if not noun or text[: toks.starts[i]].rstrip()[-1:] in ".!?:":
                continue
        out.append((norm, stem, cue if cue and i - cue_at <= _NEGATION_REACH else ""))
    return out


def point_concepts(text: str, lang: str, question_stems: set[str], question_numbers: set[str]) -> list[Concept]:
    """Concepts for one point: glossary terms and glosses with their equivalents, numbers with units, then every other
    content word, each weighted by how much it says (`grader.engine.informativeness`), the most telling first."""
    concepts: list[Concept] = []
    used: set[str] = set()
    terms = _gloss_concepts(text, lang) + _glossary_concepts(set(tokenize(text, lang).stems), lang)
    for wordings, stems in terms + _number_concepts(text, lang, question_numbers):
        if stems <= question_stems or stems & used:
            continue
        norms = [n for w in wordings[:1] for n in tokenize(w, lang).norms if not is_stopword(n)]
        concepts.append(Concept(any=wordings, weight=max((informativeness(n, lang) for n in norms), default=1.0)))
        used |= stems
    words: dict[str, tuple[float, str]] = {}
    for norm, stem, negation in _content_words(text, lang):
        if stem in question_stems or stem in used:
            continue
        w = informativeness(norm, lang)
        if stem not in words or words[stem][0] < w:
            # A word the reference negates is a claim only with its negation: the answer must negate it too.
            words[stem] = (w, f"{negation} {norm}" if negation else norm)
    ranked = sorted(words.values(), key=lambda wn: -wn[0])
    concepts += [Concept(any=[norm], weight=w) for w, norm in ranked[: max(0, MAX_CONCEPTS - len(concepts))]]
    return concepts or [Concept(any=[w]) for w in text.split()[:2] if w]


def needed_points(question: str) -> int | None:
    """How many items the question asks for ("name two challenges", "at least 4 differences"), if it says."""
    for m in _ASKS_FOR.finditer(question):
        word = m.group(1).lower()
        n = int(word) if word.isdigit() else _NUMBER_WORDS.get(word)
        if n and 1 < n <= 10:
            return n
    return None


def build_rubric(question: Question) -> Rubric:
    """A rubric derived from the question's reference alone: the same question always gets the same rubric."""
    lang = question.lang or detect_lang(question.reference)
    question_stems = {s for n, s in zip(*tokenize(question.question, lang)[:2], strict=True) if not is_stopword(n)}
    question_numbers = {m.group(1) for m in _NUMBER.finditer(question.question)}
    points = []
    for i, (head, text, weight) in enumerate(split_points(question.reference), start=1):
        clean = " ".join(_POINT_WEIGHT.sub("", text).split())
        head = " ".join(_POINT_WEIGHT.sub("", head).split())
        # A clause cut out by an inline weight is the point; the rest of its sentence is other points' context.
        clause = head != clean and len(_POINT_WEIGHT.findall(question.reference)) >= 2
        points.append(
            KeyPoint(
                id=f"p{i}",
                text=head[:200] or clean[:200],
                weight=weight if weight > 0 else 1.0,
                concepts=point_concepts(head if clause else clean, lang, question_stems, question_numbers),
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
        kept = [c for c in point.concepts if compiled.kept(c)]
        points.append(point if len(kept) == len(point.concepts) else point.model_copy(update={"concepts": kept}))
    return rubric.model_copy(update={"points": points})


def reference_hash(reference: str) -> str:
    """A short hash of the reference text (whitespace-insensitive), stored in a rubric to detect staleness."""
    canonical = " ".join(reference.split())
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def is_stale(rubric: Rubric, question: Question) -> bool:
    """True when the rubric was built from a reference other than the question's current one."""
    return bool(rubric.reference_hash) and rubric.reference_hash != reference_hash(question.reference)
