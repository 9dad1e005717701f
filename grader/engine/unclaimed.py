"""What an answer says without claiming it: the questions it asks, and the claims it reports only to reject. Pure.

A sentence that asks ("Is bias the error from …?", "Делит ли …?", "Schaltet Dropout …?") claims nothing, whatever
words it holds, unless the next sentence answers it ("Why not the most complex model? Because …"). A judgement
that calls a claim false turns the claim into its opposite: a short sentence that only judges the one before it
("That is wrong.", "Это заблуждение.", "Das stimmt nicht."), or such a judgement opening a sentence ("That is a
myth: …" judges the sentence before; "It is not true that …", "Неверно, что …", "Es stimmt nicht, dass …" the
rest of its own) or closing one ("…, but that is wrong"). A judgement is a falsity word ("wrong", "неверно",
"falsch") not negated, or a truth word ("true", "правда", "stimmt") negated, among words that carry no content of
their own (function words, degree adverbs): "It is not so simple" judges nothing.

A relation left vague relates nothing: "it has something to do with bias, variance and complexity", "irgendwas mit
Neuronen und Training", "что-то связанное с порогом и долями" names the terms and says only that they belong to the
topic. A stretch up to a colon, semicolon or sentence end that holds such a frame ("has to do with", "something
about", "hat mit … zu tun", "irgendwas mit", "что-то связанное с", "что-то про", "как-то связано") is *vague*
("send something" is no frame); what follows a colon is read on its own ("It has to do with variance: a flexible
model memorises noise" keeps the second half).

`unclaimed(text)` gives the stretches of `text` that are asked, disowned and vague; the matcher's concepts whose only
evidence lies there earn nothing (`grader.engine.lexical.contradictions`).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from grader.engine.contradictions import SENTENCE_END
from grader.engine.text import ALL_STOPWORDS, NEGATIONS

_FALSE = frozenset(
    """wrong false untrue incorrect nonsense rubbish bogus myth misconception mistaken fallacy fiction
    неверно неверное неправда неправильно ошибка ошибочно заблуждение миф чушь чепуха ерунда бред вздор ложь
    falsch unsinn blödsinn mythos märchen irrtum unzutreffend inkorrekt quatsch""".split()
)
_TRUE = frozenset("true correct right верно правда правильно так richtig wahr stimmt korrekt zutreffend".split())
# Words that only strengthen, soften or place a judgement ("a *common* misconception", "на самом деле это миф"),
# and nouns that only refer back to what is judged ("that *story* is incorrect", "davon stimmt kein *Wort*").
_DEGREE = frozenset(
    """completely simply totally absolutely entirely just actually really quite of course certainly frankly
    honestly common widespread popular classic old whole entire
    совсем совершенно абсолютно просто конечно вовсе полностью вообще самом деле распространенное популярное
    старое частое
    völlig ganz total absolut einfach natürlich gar aber allerdings leider überhaupt eigentlich tatsächlich davon
    daran weit verbreitet verbreiteter verbreiteten gängiger häufiger alter ganze ganzen""".split()
)
_SHELL = frozenset(
    """story claim claims statement statements idea view version notion belief theory explanation account
    утверждение утверждения мнение история представление версия идея слово объяснение
    aussage aussagen behauptung behauptungen geschichte vorstellung idee ansicht darstellung wort erklärung""".split()
)
_THAT = frozenset({"that", "что", "dass"})
_JUDGING_WORDS = 7  # words a judgement may have (its own, before or after the claim)
_WORD = re.compile(r"[\w'’-]+")
_CUE = re.compile(r"\b(?:" + "|".join(sorted(_FALSE | _TRUE, key=len, reverse=True)) + r")\b", re.IGNORECASE)
_CLOSING = ("”", "“", "\"", "»", "«", "'", "’", ")", "]")
_CLAUSE_MARK = re.compile(r"[,:—–]|\s-\s")


class Unclaimed(NamedTuple):
    """[start, end) stretches of a text: those only asked, those called false by the text itself, and those that
    relate their terms only vaguely."""

    asked: list[tuple[int, int]]
    disowned: list[tuple[int, int]]
    vague: list[tuple[int, int]]


NOTHING = Unclaimed([], [], [])
# A relation left vague: an indefinite ("something", "somehow", "kind of", "irgendwie", "что-то", "как-то") before
# a word of relation ("kind of" right before it: "kind of linked", not "this kind of penalty with"; "с", not "с
# помощью": "как-то бороться с помощью …" says how; "do something about it" acts on it), "has to do with" / "hat
# mit … zu tun".
_VAGUE = re.compile(
    r"(?<![\w-])(?:"
    r"(?:(?:something|somehow)\s+(?:\w+\s+)?|(?:kind|sort) of\s+)(?:to do with|related|connected|linked|with)"
    r"|(?<!do )(?<!does )(?<!did )(?<!doing )(?:something|somehow)\s+(?:\w+\s+)?about"
    r"|(?:has|have|had|having)\s+(?:\w+\s+)?to do with"
    r"|mit\b.{0,80}\bzu tun|(?:irgendwas|irgendetwas|irgendwie)\s+(?:\w+\s+){0,6}?(?:mit|über|um|zusammen)"
    r"|(?:что-то|что-нибудь|как-то|чем-то)\s+(?:\w+\s+)?(?:связанн\w*|связан\w*|про|с(?!\s+помощью)|со|вроде|типа|насч[её]т"
    r"|относ\w*))(?!\w)",
    re.IGNORECASE,
)
# A vague close ("stuff like that", "или что-то такое"): vague is only its own clause, from the clause mark before it
# ("I'd use L1, dropout and early stopping, stuff like that" keeps what it says before).
_CLOSE = re.compile(
    r"(?<![\w-])(?:stuff like that|that sort of thing|things like that|so in der Richtung|как-то так"
    r"|что-то в этом роде|что-то такое)(?!\w)",
    re.IGNORECASE,
)
_CLOSE_MARKS = ",(—–"
_STRETCH_END = re.compile(r"[.!?;:\n]+")
# The same patterns for lower-cased text: several times faster than ignoring case (used when lower-casing keeps the
# text's length, so offsets hold).
_CUE_LOW = re.compile(_CUE.pattern)
_VAGUE_LOW = re.compile(_VAGUE.pattern.lower())
_CLOSE_LOW = re.compile(_CLOSE.pattern.lower())

# The bits of a matcher's `piece_flag` (grader.engine.lexical) that `piece_marks` sets: a piece holding a question
# mark, a word of a judgement, a word of a vague frame.
ASKS, JUDGES, VAGUE = 4, 8, 16
UNCLAIMED_MARKS = ASKS | JUDGES | VAGUE
_PIECE_EDGES = ".,;:!?()[]{}«»„“”\"'’…-—–"
_ANCHORS = frozenset(
    """something somehow kind sort stuff thing things do tun irgendwas irgendetwas irgendwie richtung что-то
    что-нибудь как-то чем-то""".split()
)
_JUDGING = _FALSE | _TRUE


def piece_marks(piece: str) -> int:
    """`ASKS`, `JUDGES` and/or `VAGUE` for a piece of answer between spaces that holds a question mark, is a word
    of a judgement, or of a vague frame: an answer is read again only for what its pieces may hold."""
    found = ASKS if "?" in piece else 0
    for part in piece.split():  # a piece between spaces may hold line breaks and tabs: "wrong.\nThe"
        word = part.strip(_PIECE_EDGES).lower().replace("ё", "е")
        found |= (JUDGES if word in _JUDGING else 0) | (VAGUE if word in _ANCHORS else 0)
    return found


def unclaimed(text: str, question: str = "", marks: int = UNCLAIMED_MARKS) -> Unclaimed:
    """The stretches of `text` it asks without answering, and those it calls false. Nothing is only asked when the
    `question` asks what to check or ask (`asks_for_checks`): there a question is an item of the answer. `marks`:
    what the answer's pieces may hold (`piece_marks`), when known: the rest is not looked for."""
    low = text.lower()
    same = len(low) == len(text)
    cue, vague_rx, close, hay = (_CUE_LOW, _VAGUE_LOW, _CLOSE_LOW, low) if same else (_CUE, _VAGUE, _CLOSE, text)
    has_question = bool(marks & ASKS) and "?" in text and not asks_for_checks(question)
    has_cue = bool(marks & JUDGES) and cue.search(hay) is not None
    vague = _vague(hay, vague_rx, close) if marks & VAGUE else []
    if not (has_question or has_cue):
        return Unclaimed([], [], vague) if vague else NOTHING
    sentences = _sentences(text)
    asked: list[tuple[int, int]] = []
    if has_question:
        answered = False  # whether a sentence after this one states something
        for a, b, q in reversed(sentences):
            if q and not answered:
                asked.append((a, b))
            elif not q and _states(text[a:b]):
                answered = True
        asked.reverse()
    disowned: list[tuple[int, int]] = []
    if has_cue:
        for i, (a, b, q) in enumerate(sentences):
            if not q and cue.search(hay, a, b):  # a question judges nothing: "Не так ли?", "Das stimmt doch nicht?"
                disowned += _judged(text, a, b, sentences[i - 1][:2] if i else None)
    return Unclaimed(asked, disowned, vague)


def _vague(text: str, vague: re.Pattern[str], close: re.Pattern[str]) -> list[tuple[int, int]]:
    """The stretches (up to a colon, semicolon or sentence end) that relate their terms only vaguely, and the clauses
    of a vague close (`vague`, `close`: the patterns for `text` as it is cased)."""
    if vague.search(text) is None and close.search(text) is None:
        return []
    out, at = [], 0
    for m in [*_STRETCH_END.finditer(text), None]:
        end = m.start() if m else len(text)
        if vague.search(text, at, end):
            out.append((at, end))
        elif closing := close.search(text, at, end):
            out.append((max(at, *(text.rfind(c, at, closing.start()) + 1 for c in _CLOSE_MARKS)), end))
        at = m.end() if m else end
    return out


_CHECKS = re.compile(
    r"\b(?:check\w*|verif\w*|look(?:s|ing)? (?:for|at|out)|pay\w* attention|attention to|watch\w*|ask\w*|inspect\w*"
    r"|questions|achten|achtest|achtet|beachten|beachtest|beachtet|prüf\w*|überprüf\w*|kontroll\w*|fragen|fragst|fragt"
    r"|erfrag\w*|nachfrag\w*|провер\w*|внимани\w*|смотре\w*|спрос\w*|спраш\w*|следит\w*|вопрос(?:ы|ов|ами)?)\b",
    re.IGNORECASE,
)


def asks_for_checks(question: str) -> bool:
    """Whether `question` asks what to check, watch or ask ("Worauf sollst du achten?", "What would you check?",
    "Какие вопросы задать?"): its answer may well be a list of questions."""
    return _CHECKS.search(question) is not None


def _states(sentence: str) -> bool:
    """Whether a sentence holds a word of content (not only "Yes." or "That's all.")."""
    return any(len(w) > 2 and w.lower() not in ALL_STOPWORDS for w in _WORD.findall(sentence))


# A question tag closing a statement ("…, right?", "…, не так ли?", "…, oder?"): the statement is claimed.
_TAG = re.compile(
    r"[,—–-]\s*(?:right|correct|true|yes|no|ok(?:ay)?|(?:is|are|was|were|do|does|did|can|will|would|has|have)n['’]t"
    r"\s+(?:it|they|that|this|there|we|you)|don['’]t you think|не так ли|не правда ли|верно|правда|да|так ведь"
    r"|ведь так|правильно|oder|nicht wahr|ne|gell|richtig|stimmt['’]?s?|ja)\s*$",
    re.IGNORECASE,
)


def _sentences(text: str) -> list[tuple[int, int, bool]]:
    """[start, end) of each sentence with words, and whether it asks: ends with a question mark (a statement before
    a question tag is the sentence, and asks nothing)."""
    out, at = [], 0
    for m in SENTENCE_END.finditer(text):
        if _WORD.search(text, at, m.start()):  # a question in quotes ("… “how to detect …?”") is reported, not asked
            asks = "?" in m.group() and not text.startswith(_CLOSING, m.end())
            tag = _TAG.search(text, at, m.start()) if asks else None
            out.append((at, tag.start(), False) if tag else (at, m.start(), asks))
        at = m.end()
    if _WORD.search(text, at):
        out.append((at, len(text), False))
    return out


def _judged(text: str, a: int, b: int, before: tuple[int, int] | None) -> list[tuple[int, int]]:
    """What the sentence text[a:b] calls false (the sentence `before` it, or a part of its own), with the judgement
    itself: its words say nothing of the topic ("simply" is no "simple")."""
    if _judgement(text[a:b]):
        return [before, (a, b)] if before else []
    marks = list(_CLAUSE_MARK.finditer(text, a, b))
    if marks:
        first, last = marks[0], marks[-1]
        if _judgement(text[a : first.start()]):  # "That is a myth: …" judges the sentence before; "Неверно, что …"
            if _opens_claim(text[first.end() : b]):  # the rest of its own
                return [(a, b)]
            return [before, (a, first.start())] if before else []
        if _judgement(_after_contrast(text[last.end() : b])):  # "…, but that is wrong"
            return [(a, b)]
    words = _WORD.findall(text[a:b])
    for k, w in enumerate(words[:_JUDGING_WORDS]):  # "It is not true that …", "Es stimmt nicht dass …"
        if w.lower() in _THAT and k and _judgement(" ".join(words[:k])):
            return [(a, b)]
    return []


def _opens_claim(rest: str) -> bool:
    first = _WORD.search(rest)
    return first is not None and first.group().lower() in _THAT


_CONTRASTS = frozenset({"but", "however", "но", "а", "aber", "doch"})


def _after_contrast(clause: str) -> str:
    words = clause.split()
    return " ".join(words[1:]) if words and words[0].lower() in _CONTRASTS else clause


def _judgement(clause: str) -> bool:
    """Whether `clause` only judges something false: a falsity word not negated, or a truth word negated, and no
    word of its own content."""
    words = [w.lower().replace("ё", "е") for w in _WORD.findall(clause)]
    if not words or len(words) > _JUDGING_WORDS:
        return False
    negated = any(w in NEGATIONS or w.endswith(("n't", "n’t")) for w in words)
    false = any(w in _FALSE for w in words)
    # "так" is "true" only at the clause's end ("Это не так"); before a word it is "so" ("не так просто").
    true = any(w in _TRUE and (w != "так" or k == len(words) - 1) for k, w in enumerate(words))
    if not ((false and not negated) or (true and negated and not false)):
        return False
    return all(w in _FALSE or w in _TRUE or w in NEGATIONS or w in _DEGREE or w in _SHELL or w in ALL_STOPWORDS
               or w.endswith(("n't", "n’t")) for w in words)  # fmt: skip
