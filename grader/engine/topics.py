"""Exchanged statements: two topics of a key point, each said with what the point says of the other. Pure.

A point that contrasts two things says something of each in its own clause: "bagging trains models *in parallel on
bootstrap samples*, while boosting trains them *sequentially on reweighted data*"; "with a *large* learning rate
the descent *jumps over the minimum*, while a *small* one *converges slowly*". An answer can keep every word and
exchange what is said of which: "bagging trains models sequentially on reweighted data, while boosting …". The
swapped-roles reading (`grader.engine.roles`) pairs neighbouring words, so it misses statements whose topic and
content stand apart; this reading relates each clause's topic to the whole of the clause.

A clause's *topic* is its first content word, or the first one of the things the question names side by side ("X
and Y", "X vs Y": "Das Modell wird auf den *Trainingsdaten* gelernt", asked about "Trainings- und Testdaten"), with
the side of a gradable
opposite or direction word that qualifies it when one opens the clause ("a *small* learning rate": the learning
rate, small side). What a clause *says* of it
is its other content words. Two clauses of one sentence of a point make a *contrast* when their topics are two
things the question names ("the difference between bagging and boosting"), or one thing on opposite sides ("a large
learning rate", "a small one"), and each says something the other does not. The answer *exchanges* a contrast
when, in one sentence of it, a clause on one topic says only what the point says of the other (none of its own),
and a clause on the other topic does the same the other way round.
A negated clause ("boosting does not train in parallel") states no exchange. Clauses are read as the swapped-roles
reading reads them: inside a sentence, up to punctuation, coordinators and subordinators.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import NamedTuple

from grader.engine.answer_words import CLAUSE_BREAK, AnswerWords
from grader.engine.compiled import PointMatch, fold
from grader.engine.contradictions import SENTENCE_END, Contradiction, clause_at, sentences
from grader.engine.elision import expand
from grader.engine.opposites import POLAR
from grader.engine.reversal import reversed_clause
from grader.engine.rubric_memo import RubricMemo
from grader.engine.text import NEGATIONS, Tokens, content_stems, is_stopword, latin_lang, tokenize
from grader.models import Rubric

_EXACT = "="  # a POLAR key matched by the normalised word, not the stem (`grader.engine.opposites`)
Topic = tuple[str, int]  # a topic word's stem, and the side of the opposite that qualifies it (-1: none)


class _Clause(NamedTuple):
    topic: Topic
    says: frozenset[str]  # the clause's other content stems
    negated: bool
    start: int  # offset of the clause's topic word in the text
    sentence: int  # which sentence of the text holds it


def read_clauses(
    text: str, lang: str, paired: frozenset[str] = frozenset(), toks: Tokens | None = None
) -> list[_Clause]:
    """The clauses of `text` that have a topic and say something of it (`paired`: `_paired` of the question;
    `toks`: its words, when already read)."""
    found: list[_Clause] = []
    cuts = sorted(
        (m.start(), m.end(), ends and m.group().strip(_JOINING) != "")  # "X …; Y …": two clauses of one sentence
        for pattern, ends in ((SENTENCE_END, True), (CLAUSE_BREAK, False))
        for m in pattern.finditer(text)
    )
    if toks is None:
        toks = tokenize(text, lang)
    k, n, at, sentence = 0, len(toks.norms), 0, 0
    for cut_start, cut_end, ends in [*cuts, (len(text), len(text), True)]:
        words = []  # the words between the last cut and this one
        while k < n and toks.starts[k] < cut_start:
            if toks.starts[k] >= at:
                words.append(k)
            k += 1
        clause = _clause(toks, words, sentence, paired)
        if clause is not None:
            found.append(clause)
        at = max(at, cut_end)
        sentence += ends
    return found


def _clause(toks: Tokens, words: list[int], sentence: int, paired: frozenset[str]) -> _Clause | None:
    content = [i for i in words if len(toks.norms[i]) > 1 and not is_stopword(toks.norms[i])]
    if len(content) < 2:
        return None
    named = next((k for k, i in enumerate(content) if toks.stems[i] in paired), 0)
    if named and POLAR.get(toks.stems[content[named - 1]]) is None:  # what the question names is the topic
        content = [content[named], *content[:named], *content[named + 1 :]]
    first, rest = content[0], content[1:]
    side = -1
    polar = POLAR.get(toks.stems[first]) or POLAR.get(_EXACT + toks.norms[first])
    if polar is not None:  # "a small learning rate": the topic is the learning rate, said small
        side = polar[1]
        first, rest = rest[0], rest[1:]
    says = frozenset(toks.stems[i] for i in rest if toks.stems[i] != toks.stems[first])
    negated = any(toks.norms[i] in NEGATIONS for i in words)
    return _Clause((toks.stems[first], side), says, negated, toks.starts[first], sentence) if says else None


class _Contrast(NamedTuple):
    point: str
    topics: tuple[Topic, Topic]
    own: tuple[frozenset[str], frozenset[str]]  # what each side's clause says and the other's does not


_by_rubric: RubricMemo[list[_Contrast]] = RubricMemo()


def contrasts(rubric: Rubric, question: str) -> list[_Contrast]:
    """The rubric's contrasts (see the module's docstring); worked out once per rubric and question."""
    return _by_rubric.get(rubric, _contrasts, question)


def _contrasts(rubric: Rubric, question: str) -> list[_Contrast]:
    asked = frozenset(content_stems(expand(question, rubric.lang), rubric.lang))  # "Trainings- und Testdaten"
    paired = _paired(question, rubric.lang)
    found = []
    for p in rubric.points:
        found += _point_contrasts(p.id, read_clauses(p.text, rubric.lang, paired), asked)
    return found


_COORDINATORS = frozenset("and or vs versus und oder bzw и или".split())


@lru_cache(maxsize=1024)
def _paired(question: str, lang: str) -> frozenset[str]:
    """Stems of the content words the question names side by side: next to "and", "or", "vs" ("bagging and
    boosting", "Trainings- und Testdaten")."""
    toks = tokenize(expand(question, lang), lang)
    content = [k for k, n in enumerate(toks.norms) if len(n) > 1 and not is_stopword(n)]
    out: set[str] = set()
    for k, n in enumerate(toks.norms):
        if n in _COORDINATORS or n == "vs.":
            before = [i for i in content if i < k][-1:]
            after = [i for i in content if i > k][:1]
            if before and after:
                out.update((toks.stems[before[0]], toks.stems[after[0]]))
    return frozenset(out)


def _point_contrasts(pid: str, said: list[_Clause], asked: frozenset[str]) -> list[_Contrast]:
    """The contrasts of one point: two clauses of one of its sentences on two things the question names ("bagging
    trains …, while boosting trains …"), or on one thing, opposite sides ("with a large learning rate …, while a
    small one …")."""
    found = []
    for i, c1 in enumerate(said):
        for c2 in said[i + 1 :]:
            t1, t2 = c1.topic, c2.topic
            if c1.sentence != c2.sentence:
                break
            if t1[0] == t2[0]:
                if {t1[1], t2[1]} != {0, 1}:
                    continue
            elif t1[0] not in asked or t2[0] not in asked:
                continue
            if t1[0] in c2.says or t2[0] in c1.says or c1.negated or c2.negated:
                continue
            own1, own2 = c1.says - c2.says - {t2[0]}, c2.says - c1.says - {t1[0]}
            if own1 and own2:
                found.append(_Contrast(pid, (t1, t2), (own1, own2)))
    return found


def find_exchanged(
    rubric: Rubric,
    question: str,
    points: Sequence[PointMatch],
    answer: str,
    lang: str,
    words: AnswerWords | None = None,
) -> list[Contradiction]:
    """Matched points of a contrast whose two sides the answer exchanges (see the module's docstring); `words`: the
    answer's, read once for the grade (`grader.engine.answer_words`)."""
    pairs = contrasts(rubric, question)
    if not pairs:
        return []
    matched = {pm.id for pm in points if pm.score}
    pairs = [c for c in pairs if c.point in matched]
    if not pairs:
        return []
    wrong: dict[str, int] = {}  # point id -> offset of the exchanged clause in the answer
    # Both sides are exchanged in one sentence (two statements' contents swapped, not a slip in one of them), so only
    # a sentence that names both topics is read: a stem is how its words open, as the stemmers write them.
    for a, b in _joined(answer, sentences(answer) if words is None else words.sentences()):
        folded = fold(answer[a:b]).replace("ё", "е")  # one sentence at a time: folding may change its length
        here = [c for c in pairs if _names(folded, c.topics)]
        if not here:
            continue
        said = _words_between(words, lang, a, b)
        clauses = [c for c in read_clauses(answer[a:b], lang, _paired(question, rubric.lang), said) if not c.negated]
        for pair in here:
            one = _crossed(clauses, pair.topics[0], pair.own[0], pair.own[1])
            if one and _crossed(clauses, pair.topics[1], pair.own[1], pair.own[0]):
                wrong.setdefault(pair.point, a + one[0].start)
    return [
        reversed_clause(rubric, pid, answer, *(clause_at(answer, at) or (0, len(answer))), lang, "swapped")
        for pid, at in sorted(wrong.items())
    ]


_JOINING = "; "  # a semicolon joins two statements of one sentence: a contrast may stand on either side of it


def _joined(text: str, spans: Iterable[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """The sentence ranges `spans` of `text`, those parted only by a semicolon joined into one."""
    held: tuple[int, int] | None = None
    for a, b in spans:
        if held is not None and not text[held[1] : a].strip(_JOINING):
            held = (held[0], b)
            continue
        if held is not None:
            yield held
        held = (a, b)
    if held is not None:
        yield held


def _words_between(words: AnswerWords | None, lang: str, a: int, b: int) -> Tokens | None:
    """The words of answer[a:b] read in `lang`, with offsets from `a`, from the answer's reading for the grade (the
    checks before read the same sentences), or None without one read so."""
    if words is None or words.latin != latin_lang(lang):
        return None
    norms, stems, starts, ends = words.between(a, b)
    return Tokens(norms, stems, list(map(a.__rsub__, starts)), list(map(a.__rsub__, ends)))


def _names(folded: str, topics: tuple[Topic, Topic]) -> bool:
    """Whether `folded` holds both topics' stems (one stem twice, for one word's two sides)."""
    (one, _), (other, _) = topics
    if one == other:
        first = folded.find(one)
        return first >= 0 and folded.find(one, first + len(one)) >= 0
    return one in folded and other in folded


def _crossed(clauses: Sequence[_Clause], topic: Topic, own: frozenset[str], other: frozenset[str]) -> list[_Clause]:
    """The clauses on `topic` that say something of the other side's and nothing of its own."""
    return [c for c in clauses if c.topic == topic and not (c.says & own) and c.says & other]
