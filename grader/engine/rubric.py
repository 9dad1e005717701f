"""Reference answer -> key points -> concepts, automatically. Pure.

List items become points (their first line is the point, the lines under it explain it); a reference without a
list is split into sentences, short ones merged into their neighbour. Each point's concepts are its content
terms: glossary terms with their Russian/English/German equivalents, glosses in parentheses ("насыщение
(saturation)"), Latin technical terms and the most informative remaining words. Words of the question give no
evidence and are left out; words common to many references of a bank weigh less.
"""

from __future__ import annotations

import re

from grader.engine.elision import expand
from grader.engine.glossary import entries as glossary_entries
from grader.engine.informativeness import weight as informativeness
from grader.engine.matching import Matcher
from grader.engine.prefixes import negated_base
from grader.engine.reading import read_reference
from grader.engine.reading_marks import EXAMPLES_LEAD, ITEM_SEP, POINT_WEIGHT
from grader.engine.staleness import is_stale as is_stale  # re-exported: the builder's users check staleness too
from grader.engine.staleness import reference_hash as reference_hash
from grader.engine.text import (
    NEGATING_PREPOSITIONS,
    NEGATIONS,
    NOT_NEGATING_NEXT,
    content_stems,
    detect_lang,
    is_stopword,
    tokenize,
)
from grader.models import Concept, KeyPoint, PointGroup, Question, Reading, Rubric

MAX_CONCEPTS = 12
_NEGATION_REACH = 3  # words after a negation cue that it negates, within its clause
_CLAUSE_END = re.compile(r"[.;:!?\n()]|,\s*(?:but|and|so|aber|sondern|und|но|а|и)\b", re.IGNORECASE)
_NUMBER_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5,
    "два": 2, "две": 2, "три": 3, "четыре": 4, "пять": 5,
}
# "name two challenges", "state at least 4 differences", "nenne drei", "назовите три": a count, then no "sentences".
_ASKS_FOR = re.compile(
    r"(?:at least|name|state|give|list|mindestens|nenne\w*|назов\w*|перечисл\w*|хотя бы)"
    r"(?:\s+(?:and|und|и)\s+\w+)?\s+(?:the\s+|die\s+)?"  # "name and describe two", "назовите и опишите две"
    r"(\d+|two|three|four|five|zwei|drei|vier|fünf|два|две|три|четыре|пять)\b(?!\s*[-–]\s*\d)"
    r"(?!\s+(?:sentences?|sätze?n?|предложени))",
    re.IGNORECASE,
)
# The cue of each kind of negation in each language, for the wordings of a negated term in another language.
_CUES: dict[str, dict[str, tuple[str, ...]]] = {
    "not": {"ru": ("не", "нет"), "en": ("not", "no"), "de": ("nicht", "kein")},
    "without": {"ru": ("без",), "en": ("without",), "de": ("ohne",)},
}
_GERMAN_CUES = frozenset({"nicht", "kein", "keine", "keinen", "keinem", "keiner", "ohne", "nie", "niemals"})
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
# How many times, definitely: "once", "twice", "always" and their kin, a closed class of function words that a
# stopword list drops, yet that carry a claim ("executes at least once", "läuft immer", "всегда сходится"); one the
# reference says and the question does not is a concept like a content word. Hedges of frequency ("often",
# "usually", "часто") soften a claim instead, and answers seldom repeat them: they stay stopwords. "never" / "nie" /
# "никогда" are negations, read as such.
CLAIM_WORDS = frozenset(
    """once twice thrice always einmal zweimal dreimal immer stets однажды дважды трижды всегда""".split()
)
_GLOSS = re.compile(r"([^\s()]+(?:\s+[^\s()]+){0,3})\s*\(([^()]{2,60})\)")


def split_points(reference: str) -> list[tuple[str, str, float]]:
    """Key points of a reference as (headline, full text, weight) triples (`grader.engine.reading`)."""
    return [(p.text, p.context or p.text, p.weight) for p in read_reference(reference).points]


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


def _example_concepts(text: str, lang: str) -> list[tuple[list[str], set[str]]]:
    """The short items listed after "e.g." / "such as" / "z. B." / "например": one concept whose wordings are the
    items, since any one of them shows the idea."""
    found = []
    for m in EXAMPLES_LEAD.finditer(text):
        run = re.split(r"[.;:!?()\n]|\betc\b|\busw\b|\bи т\.", text[m.end() :], maxsplit=1)[0]
        items = [x.strip() for x in ITEM_SEP.split(run) if x.strip()]
        if len(items) >= 2 and all(len(x.split()) <= 4 for x in items):
            found.append((items, set(tokenize(" ".join(items), lang).stems)))
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


def _negated_wordings(wordings: list[str], cues: list[str]) -> list[str]:
    """A negated term's wordings, each after the reference's own cues (those in its script) and after the cues of the
    same kind ("not", "without") in each other language than the cues' it may be written in: a Cyrillic wording in
    Russian, a Latin one in English and German and also in Russian (an English term in a Russian sentence,
    "не backpropagation")."""
    kinds = dict.fromkeys("without" if c in NEGATING_PREPOSITIONS else "not" for c in cues)
    said = {"ru" if _CYRILLIC.search(c) else "de" if c in _GERMAN_CUES else "en" for c in cues}  # in own words
    out: dict[str, None] = {}
    for w in wordings:
        cyrillic = bool(_CYRILLIC.search(w))
        langs = [x for x in (("ru",) if cyrillic else ("ru", "en", "de")) if x not in said]
        own = [c for c in cues if not cyrillic or _CYRILLIC.search(c)]  # no "no функция потерь"
        for cue in [*own, *(c for k in kinds for lang in langs for c in _CUES[k][lang])]:
            out.setdefault(f"{cue} {w}")
    return list(out)


def _prefixed_wordings(norm: str, lang: str, written: str) -> list[str]:
    """A word, and when its prefix negates it (`grader.engine.prefixes`) the word without it after each negation cue
    of its language ("unlimited", "not limited", "no limited", "without limited": stems match "no limits")."""
    prefixed = negated_base(norm, lang, written)
    if prefixed is None:
        return [norm]
    return [norm, *_negated_wordings([prefixed[1]], [c for kind in _CUES for c in _CUES[kind][lang]])]


def _content_words(text: str, lang: str) -> list[tuple[str, str, str, str]]:
    """(normalised, stem, negation, as written) of the words that carry content, where `negation` is the cue that
    negates the word in the reference ("not independent", "keine zeitliche Einschränkung"), or "". In German a
    capitalised word inside a sentence is a noun, never a stopword ("Waren" the goods, not "waren" were)."""
    toks = tokenize(text, lang)
    out = []
    cue, cue_at = "", -10
    for i, (norm, stem) in enumerate(zip(toks.norms, toks.stems, strict=True)):
        # The gap before word i with the word itself: a comma and the conjunction after it ("…, sondern") together.
        if i and _CLAUSE_END.search(text, toks.ends[i - 1], toks.ends[i]):
            cue = ""  # a negation's scope ends with its clause
        if norm in NEGATIONS:
            if toks.norms[i + 1 : i + 2] != [] and toks.norms[i + 1] in NOT_NEGATING_NEXT:
                continue
            cue, cue_at = norm, i
            continue
        if norm.isdigit() or len(norm) < 2:
            continue
        if is_stopword(norm) and norm not in CLAIM_WORDS:
            noun = lang == "de" and i > 0 and text[toks.starts[i]].isupper() and len(norm) > 3
            if not noun or text[: toks.starts[i]].rstrip()[-1:] in ".!?:":
                continue
        written = text[toks.starts[i] : toks.ends[i]]
        out.append((norm, stem, cue if cue and i - cue_at <= _NEGATION_REACH else "", written))
    return out


def point_concepts(text: str, lang: str, question_stems: set[str], question_numbers: set[str]) -> list[Concept]:
    """Concepts for one point: glossary terms and glosses with their equivalents, numbers with units, then every other
    content word, each weighted by how much it says (`grader.engine.informativeness`), the most telling first."""
    concepts: list[Concept] = []
    used: set[str] = set()
    content = _content_words(text, lang)
    terms = _example_concepts(text, lang) + _gloss_concepts(text, lang)
    terms += _glossary_concepts(content_stems(text, lang), lang)  # a function word ("среди") names no term ("среда")
    for wordings, stems in terms + _number_concepts(text, lang, question_numbers):
        if stems <= question_stems or stems & used:
            continue
        norms = [n for w in wordings[:1] for n in tokenize(w, lang).norms if not is_stopword(n)]
        weight = max((informativeness(n, lang) for n in norms), default=1.0)
        # A term the reference negates ("is not an activation function") is a claim only with its negation, as a
        # content word is below: a concept for each polarity the term has where it occurs, the negated one with a
        # cue in the language of each wording, so the answer must negate it too.
        cues = [negation for _, stem, negation, _ in content if stem in stems]
        for polarity in dict.fromkeys(bool(c) for c in cues) or [False]:
            any_ = _negated_wordings(wordings, [c for c in cues if c]) if polarity else wordings
            concepts.append(Concept(any=any_, weight=weight))
        used |= stems
    words: dict[str, tuple[float, list[str]]] = {}
    for norm, stem, negation, written in content:
        if stem in question_stems or stem in used:
            continue
        w = informativeness(norm, lang)
        if stem not in words or words[stem][0] < w:
            # A word the reference negates is a claim only with its negation: the answer must negate it too; a word
            # its prefix negates may be said either way ("unlimited", "no limit").
            said = [f"{negation} {norm}"] if negation else _prefixed_wordings(norm, lang, written)
            words[stem] = (w, said)
    ranked = sorted(words.values(), key=lambda wn: -wn[0])
    concepts += [Concept(any=said, weight=w) for w, said in ranked[: max(0, MAX_CONCEPTS - len(concepts))]]
    return concepts or [Concept(any=[w]) for w in text.split()[:2] if w]


def needed_points(question: str) -> int | None:
    """How many items the question asks for ("name two challenges", "at least 4 differences"), if it says."""
    for m in _ASKS_FOR.finditer(question):
        word = m.group(1).lower()
        n = int(word) if word.isdigit() else _NUMBER_WORDS.get(word)
        if n and 1 < n <= 10:
            return n
    return None


def read_question(question: Question) -> Reading:
    """How the question's reference reads (points, groups, notes, what was unsure), given what the question asks."""
    return read_reference(question.reference, needed_points(question.question))


def build_rubric(question: Question, reading: Reading | None = None) -> Rubric:
    """A rubric derived from the question's reference alone: the same question always gets the same rubric."""
    lang = question.lang or detect_lang(question.reference)
    asked = expand(question.question, lang)  # "Trainings- und Testdaten" names the training data too
    question_stems = {s for n, s in zip(*tokenize(asked, lang)[:2], strict=True)
                      if not is_stopword(n) or n in CLAIM_WORDS}  # fmt: skip
    question_numbers = {m.group(1) for m in _NUMBER.finditer(question.question)}
    reading = reading or read_question(question)
    points = []
    for i, read in enumerate(reading.points, start=1):
        # A clause cut out by an inline mark is the point; the rest of its sentence is other points' context.
        text = " ".join(POINT_WEIGHT.sub("", read.text).split())
        hint = " ".join(POINT_WEIGHT.sub("", read.context or read.text).split())
        points.append(
            KeyPoint(
                id=f"p{i}",
                text=text[:200] or hint[:200],
                weight=read.weight if read.weight > 0 else 1.0,
                concepts=point_concepts(text or hint, lang, question_stems, question_numbers),
                hint=hint[:300],
                group=read.group,
            )
        )
    rubric = Rubric(
        question_id=question.id,
        lang=lang,
        reference_hash=reference_hash(question.reference),
        built_by="auto",
        points=points,
        needs=reading.needs if reading.needs and reading.needs < len(points) else None,
        groups=[PointGroup(id=g.id, needs=g.needs, text=g.label[:200]) for g in reading.groups],
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

