"""How much of what an answer says is about the question asked. Pure, apart from wordfreq's word lists.

An automatic rubric's curve (`grader.engine.scoring.auto_curve`) lifts low coverage a lot, because a genuine
answer says much of the reference's idea in words of its own. An answer to a neighbouring question of the same
course shares a few of the domain's words with the reference ("frame", "packet", "Gradient") and would be lifted the
same way. What tells them apart is the rest of the answer: a partial or reworded answer spends its informative words
on the question's topic; an answer to another question spends most of them on another topic.

`relevance(...)` is the share of the answer's informative content that relates to the topic: the question, the
reference and the rubric's wordings, with what the grader already knows to be the same words (glossary rows naming
a topic term in another language or form, near-synonym groups, `grader.engine.glossary`, `grader.engine.synonyms`)
and the initials of consecutive topic words ("DQDB" for "Distributed Queue Dual Buses"). Each distinct content word
of the answer weighs its informativeness (`grader.engine.informativeness.weight`: rare words say more than common
ones) and relates to the topic as a topic stem, a compound holding one or held by one ("Kundengespräch" and
"Kunde"), or by the character trigrams of its stem (`grader.engine.soft.grams`). Numbers and function words weigh
nothing. The curve takes the share as a second input, fitted under leave-one-question-out like the first
(`benchmarks/loqo.py`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from grader.engine.glossary import entries as glossary_entries
from grader.engine.informativeness import weight
from grader.engine.soft import credit, grams
from grader.engine.synonyms import canonical
from grader.engine.text import ALL_STOPWORDS, tokenize
from grader.models import Question, Rubric

RELATED_FROM = 0.5  # trigram Dice from which an answer word starts to relate to a topic word (1.0: the same stem)
MIN_PART = 4  # letters a stem needs to count as a part of a compound that holds it
_MIN_CONTENT = 1.0  # informative weight an answer needs before its relevance is read (a word or two says too little)
_INITIALS = range(2, 7)  # how many consecutive topic words an abbreviation may stand for
_TOPICS_LIMIT = 512


@dataclass(frozen=True)
class Relevance:
    """The share of the answer's informative weight that relates to the topic, and its words that do not (most
    informative first)."""

    share: float
    unrelated: tuple[str, ...]


def _content(text: str, lang: str) -> list[tuple[str, str]]:
    """(normalised word, stem) of the content words of `text`, in order."""
    toks = tokenize(text, lang)
    return [(n, s) for n, s in zip(toks.norms, toks.stems, strict=True) if n not in ALL_STOPWORDS and len(n) > 1]


@dataclass(frozen=True)
class _Topic:
    stems: frozenset[str]  # topic stems (glossary wordings' too), their synonym group keys and abbreviations
    grams: tuple[tuple[str, frozenset[str]], ...]  # each topic stem (no key, no abbreviation) with its trigrams


@lru_cache(maxsize=_TOPICS_LIMIT)
def _topic(texts: tuple[str, ...], lang: str) -> _Topic:
    words = [_content(t, lang) for t in texts]
    stems = {s for ws in words for _, s in ws}
    for row in glossary_entries():  # a row naming a topic term brings its other wordings
        row_stems = [{s for _, s in _content(w, lang)} for w in row]
        if any(rs and rs <= stems for rs in row_stems):
            stems.update(*row_stems)
    plain = frozenset(stems)
    stems |= {canonical(s) for s in plain}  # near-synonym group keys
    for ws in words:  # abbreviations: the initials of consecutive content words (matched whole, never as parts)
        norms = [n for n, _ in ws if n.isalpha()]
        for i in range(len(norms)):
            for k in _INITIALS:
                if i + k <= len(norms):
                    stems.add("".join(n[0] for n in norms[i : i + k]))
    return _Topic(frozenset(stems), tuple((s, grams(s)) for s in plain if len(s) > 2))


@lru_cache(maxsize=100_000)
def _related(stem: str, texts: tuple[str, ...], lang: str) -> float:
    """How much one answer stem relates to the topic: 1 for a topic stem (or a compound of one), else by its best
    trigram Dice with a topic stem."""
    topic = _topic(texts, lang)
    if stem in topic.stems or canonical(stem) in topic.stems:
        return 1.0
    mine = grams(stem)
    best = 0.0
    for other, g in topic.grams:
        short, long_ = (stem, other) if len(stem) <= len(other) else (other, stem)
        # A compound and its first or last part ("kund" in "kundengesprach", "gruss" in "begruss").
        if len(short) >= MIN_PART and (long_.startswith(short) or long_.endswith(short)):
            return 1.0
        best = max(best, 2 * len(mine & g) / (len(mine) + len(g)))
    return credit(best, RELATED_FROM)


def topic_of(question: Question, rubric: Rubric) -> tuple[str, str, str]:
    """The texts that say what the question is about: the question, the reference and the rubric's wordings."""
    wordings = " ; ".join(w for p in rubric.points for c in p.concepts for w in c.any)
    return question.question, question.reference, wordings


def relevance(answer: str, topic: Iterable[str], lang: str) -> Relevance:
    """How much of `answer`'s informative content relates to the `topic` texts (question, reference, wordings)."""
    texts = tuple(topic)
    seen: dict[str, str] = {}
    for n, s in _content(answer, lang):
        if not n.isdigit():
            seen.setdefault(s, n)
    total = related = 0.0
    loose: list[tuple[float, str]] = []
    for stem, norm in seen.items():
        w = weight(norm, lang)
        r = _related(stem, texts, lang)
        total += w
        related += w * r
        if r < 1.0:
            loose.append((-w * (1 - r), norm))
    if total < _MIN_CONTENT:
        return Relevance(1.0, ())
    loose.sort()
    return Relevance(round(related / total, 4), tuple(n for _, n in loose))
