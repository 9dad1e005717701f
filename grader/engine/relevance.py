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

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from typing import cast

from grader.engine.glossary import entries as glossary_entries
from grader.engine.informativeness import weight
from grader.engine.rubric_memo import RubricMemo
from grader.engine.soft import credit, grams
from grader.engine.synonyms import canonical
from grader.engine.text import ALL_STOPWORDS, MEMO_KEY_MAX, chunk_words, latin_lang
from grader.models import Question, Rubric

RELATED_FROM = 0.5  # trigram Dice from which an answer word starts to relate to a topic word (1.0: the same stem)
MIN_PART = 4  # letters a stem needs to count as a part of a compound that holds it
_MIN_CONTENT = 1.0  # informative weight an answer needs before its relevance is read (a word or two says too little)
_INITIALS = range(2, 7)  # how many consecutive topic words an abbreviation may stand for
_TOPICS_LIMIT = 512
_MEMO_LIMIT = 50_000  # answer stems remembered per topic


@dataclass(frozen=True)
class Relevance:
    """The share of the answer's informative weight that relates to the topic, and its words that do not (most
    informative first, as the answer writes them)."""

    share: float
    unrelated: tuple[str, ...]


ON_TOPIC = Relevance(1.0, ())  # all of it about the question: the curve lifts it as coverage alone would


def _content(text: str, lang: str) -> list[tuple[str, str]]:
    """(normalised word, stem) of the content words of `text`, in order (the tokenizer's memoised pieces, without
    the offsets it would add)."""
    latin = latin_lang(lang)
    return [(n, s) for chunk in text.split(" ") for _, _, n, s in chunk_words(chunk, latin)
            if n not in ALL_STOPWORDS and len(n) > 1]  # fmt: skip


_weights: dict[tuple[str, str], float] = {}


def _weight(norm: str, lang: str) -> float:
    """`informativeness.weight`, remembered (it is asked for every word of every answer)."""
    w = _weights.get((norm, lang))
    if w is None:
        if len(_weights) > _MEMO_LIMIT:
            _weights.clear()
        w = weight(norm, lang)
        if len(norm) <= MEMO_KEY_MAX:
            _weights[(norm, lang)] = w
    return w


@dataclass
class _Topic:
    """A topic's words as the relation test reads them, and the memo of answer stems already related to it."""

    stems: frozenset[str]  # topic stems (glossary wordings' too), their synonym group keys and abbreviations
    words: frozenset[str]  # the topic stems alone (no key, no abbreviation)
    parts: frozenset[str]  # first and last parts (>= MIN_PART letters) of the topic stems: a compound's parts
    index: dict[str, list[int]]  # trigram -> the topic stems holding it (by position in `sizes`)
    sizes: list[int]  # each topic stem's trigram count
    memo: dict[str, float] = field(default_factory=dict)

    def related(self, stem: str) -> float:
        """How much one answer stem relates to the topic: 1 for a topic stem, a compound holding one as its first or
        last part ("kundengesprach", "begruss") or a part of one; else by its best trigram Dice with a topic stem."""
        hit = self.memo.get(stem)
        if hit is None:
            hit = self._relate(stem)
            if len(stem) <= MEMO_KEY_MAX:
                self.memo[stem] = hit
            if len(self.memo) > _MEMO_LIMIT:
                self.memo.clear()
        return hit

    def _relate(self, stem: str) -> float:
        if stem in self.stems or canonical(stem) in self.stems or stem in self.parts:
            return 1.0
        n = len(stem)
        if any(stem[:k] in self.words or stem[-k:] in self.words for k in range(MIN_PART, n)):
            return 1.0
        mine = grams(stem)
        shared: dict[int, int] = {}  # topic stem -> trigrams it shares with this one (few: a dict, not a Counter)
        for i in itertools.chain.from_iterable(map(self.index.get, mine, itertools.repeat(()))):
            shared[i] = shared.get(i, 0) + 1
        best = max((2 * c / (len(mine) + self.sizes[i]) for i, c in shared.items()), default=0.0)
        return credit(best, RELATED_FROM)


@lru_cache(maxsize=4)
def _glossary_stems(lang: str) -> tuple[tuple[frozenset[str], ...], ...]:
    """Each glossary row's wordings as their content stems in `lang` (read once per language, not per topic)."""
    return tuple(tuple(frozenset(s for _, s in _content(w, lang)) for w in row) for row in glossary_entries())


@lru_cache(maxsize=_TOPICS_LIMIT)
def _topic(texts: tuple[str, ...], lang: str) -> _Topic:
    words = [_content(t, lang) for t in texts]
    stems = {s for ws in words for _, s in ws}
    for row_stems in _glossary_stems(lang):  # a row naming a topic term brings its other wordings
        if any(rs and rs <= stems for rs in row_stems):
            stems.update(*row_stems)
    plain = sorted(s for s in stems if len(s) > 2)
    parts = {p for s in plain for k in range(MIN_PART, len(s)) for p in (s[:k], s[-k:])}
    index: dict[str, list[int]] = {}
    for i, s in enumerate(plain):
        for g in grams(s):
            index.setdefault(g, []).append(i)
    stems |= {canonical(s) for s in plain}  # near-synonym group keys
    for ws in words:  # abbreviations: the initials of consecutive content words (matched whole, never as parts)
        norms = [n for n, _ in ws if n.isalpha()]
        for i in range(len(norms)):
            for k in _INITIALS:
                if i + k <= len(norms):
                    stems.add("".join(n[0] for n in norms[i : i + k]))
    return _Topic(frozenset(stems), frozenset(plain), frozenset(parts), index, [len(grams(s)) for s in plain])


_wordings: RubricMemo[str] = RubricMemo(_TOPICS_LIMIT)


def topic_of(question: Question, rubric: Rubric) -> tuple[str, str, str]:
    """The texts that say what the question is about: the question, the reference and the rubric's wordings."""
    return question.question, question.reference, _wordings.get(rubric, _joined_wordings)


def _joined_wordings(rubric: Rubric) -> str:
    return " ; ".join(w for p in rubric.points for c in p.concepts for w in c.any)


# A piece's content words as (stem, (normalised word, weight, the word as written)), in order.
_Piece = tuple[tuple[str, tuple[str, float, str]], ...]
_pieces: dict[str, dict[str, _Piece]] = {}  # per language: each piece of answer text between spaces read
_STEM = itemgetter(0)


def _words(answer: str, lang: str) -> dict[str, tuple[str, float, str]]:
    """Each distinct content stem of `answer` (numbers left out) with the first word that has it (normalised), that
    word's weight and the word as the answer writes it, in the order the stems first come; each distinct piece
    between spaces read once and remembered, with its words' weights. Gathered in C loops: the pieces looked up at
    once, the first word of each stem kept by writing the words in reverse over the stems in order."""
    memo = _pieces.setdefault(lang, {})
    pieces = list(dict.fromkeys(answer.split(" ")))
    found = list(map(memo.get, pieces))
    if None in found:  # the pieces new to the memo (a few), found by a C scan and read alone
        at = -1
        for _ in range(found.count(None)):
            at = found.index(None, at + 1)
            found[at] = _piece(pieces[at], lang, memo)
    words = list(itertools.chain.from_iterable(cast(list[_Piece], found)))
    seen = dict.fromkeys(map(_STEM, words))
    seen.update(reversed(words))
    return cast(dict[str, tuple[str, float, str]], seen)


def _piece(chunk: str, lang: str, memo: dict[str, _Piece]) -> _Piece:
    if len(memo) > _MEMO_LIMIT:
        memo.clear()
    found = tuple(
        (s, (n, _weight(n, lang), chunk[a:b])) for a, b, n, s in chunk_words(chunk, latin_lang(lang))
        if n not in ALL_STOPWORDS and len(n) > 1 and not n[:1].isdigit()  # a number, "0.25" too
    )  # fmt: skip
    if len(chunk) <= MEMO_KEY_MAX:
        memo[chunk] = found
    return found


def relevance(answer: str, topic: Iterable[str], lang: str) -> Relevance:
    """How much of `answer`'s informative content relates to the `topic` texts (question, reference, wordings)."""
    about = _topic(tuple(topic), lang)
    total = related = 0.0
    loose: list[tuple[float, str, str]] = []
    known = about.memo.get  # the topic's memo read here: most stems are in it
    for stem, (norm, w, said) in _words(answer, lang).items():
        r = known(stem)
        if r is None:
            r = about.related(stem)
        total += w
        related += w * r
        if r < 1.0:
            loose.append((-w * (1 - r), norm, said))
    if total < _MIN_CONTENT:
        return Relevance(1.0, ())
    loose.sort()
    return Relevance(round(related / total, 4), tuple(said for _, _, said in loose))  # quoted as written
