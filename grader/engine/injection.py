"""The injection screen: sentences of an answer that speak to the grader instead of answering the question. Pure.

The answer is first read as a model would read it (`injection_text.unmask`: invisible characters, compatibility
letters, mixed-script look-alikes, spaced letters and words split over lines undone), then each sentence is
scored on what it does (`injection_signals`: it addresses the grader, makes the score or the rubric the object of
an instruction, claims a score value, carries chat markup or a JSON verdict, hides an encoded instruction). A
sentence aimed at the grader is blanked out (same length, so evidence offsets still hold) before any grading, and
the grade is flagged `injection_suspected`. It runs before every mode, so it lives in the engine.

A cheap pre-check decides the usual answer: a sentence reaches the threshold only with an anchor word or
character (a grading, addressing, instruction or role word, markup, an encoded blob, a disguised letter) — the
one exception, a model or system spoken to with an order that names nothing about grading ("Model, do it"), is
let through, as it cannot be told from "Модель, обученная на ..." by a piece alone — and
`piece_may_hold_injection` tells whether a piece of text between spaces holds one; the matcher memoises it with
each piece. An answer none of whose pieces holds an anchor, and with no spaced-out letters, is not screened.
"""

from __future__ import annotations

import bisect
import re
import unicodedata

from grader.engine.injection_text import INVISIBLE, PLAIN, Unmasked, decoded, joined_lines, unmask
from grader.engine.sentence_ends import END_POINT
from grader.engine.text import MEMO_KEY_MAX
from grader.models import Model, Span

# Substrings of a lowered piece that one signal or another needs (see injection_signals for the signals).
_ANCHORS = re.compile(
    r"grader|grading|evaluat|assessor|examiner|reviewer|marker|checker|proctor|judge|admin|llm|gpt|assistant"
    r"|score|grade|mark|credit|rating|verdict|point|assessment|rubric|reference|instruction|prompt|guideline"
    r"|pretend|role|answer|decod|decipher|base64|b64|rot13|rot-13|caesar|encod|backwards\W"
    r"|rückwärts|наоборот|%[0-9a-f]{2}"
    r"|^(?:now|act)\W*$"
    r"|проверяющ|проверяльщ|оценщик|экзаменатор|рецензент|асессор|ассистент|админ|модератор|оценк|балл|отметк|вердикт|зач[её]т"
    r"|засчит|рубрик|эталон|пункт|критери|инструкц|промпт|указани|теперь|представь|отныне|притвор|ответ|расшифр"
    r"|декодир|закодир|постав|выстав|оцени|начисл|присво|игнорир|забудь|disregard|bypass|override|vergiss|vergessen"
    r"|bewert|prüfer|korrektor|gutachter|korrigier|assistent|punkt|note|wertung|musterlösung|anweisung|instruktion"
    r"|vorgaben|schlüsselpunkt|kernpunkt|jetzt|sofort|antwort|abgabe|dekodier|entschlüssel|kodiert|vergib"
    r"|^gib\W*$"
    r"|[<{\[|#]"  # tags, JSON, [INST], tables, headings ("->" and quotes are everywhere)
)
# 16 or more base64 characters with a digit, a capital after a small letter, or padding (not "cross-validation")
_BLOB_PIECE = re.compile(r"(?=[A-Za-z0-9+/_-]*(?:\d|[a-z][A-Z]|=))[A-Za-z0-9+/_-]{16,}={0,2}")
_MIXED = re.compile(r"[a-z][а-яёіјѕ]|[а-яёіјѕ][a-z]|[α-ω][a-zа-я]|[a-zа-я][α-ω]")
# Three one-character pieces in a row (a plain search for a space first is ~10x faster than word boundaries);
# letters spaced by dots, dashes or stars stay in one piece, which `_SPACED_PIECE` tells.
_SPACED_QUICK = re.compile(r" \w \w \w(?!\w)")  # a run of 4+ has such a triple inside, wherever it starts
_LEET_PIECE = re.compile(r"[^\W\d_][0134578][^\W\d_]")  # "g1ve": a digit standing in for a letter
_SPACED_PIECE = re.compile(r"(?:[^\W\d_][.\-_·*]){2,}[^\W\d_]")
_SENTENCE_END = rf"(?:[!?]|{END_POINT})+(?=\s|$)|\n[ \t]*\n|\n(?=[ \t]*(?:[-*•–>#\d]|[A-ZА-ЯЁÄÖÜ]))|(?<=[:;.!?])\n"
_WORD = re.compile(r"[^\W_]+")
_LONG_WINDOWS = 3  # a sentence longer than this many signal windows is read as the stretches around its anchors
_CLOSED = re.compile(r"[.!?]\W*$")  # a sentence that ends with its punctuation is not continued on the next line
_chunk_gate: dict[str, int] = {}
_CHUNK_GATE_LIMIT = 200_000
# A piece that is one word of one script (Latin: lower case after its first letter, or under 16 letters; an
# apostrophe's ending allowed) or a number (runs of under 16 digits), between opening and closing punctuation: no
# blob, spaced or leet letters, nothing disguised, so only an anchor can flag it. Most pieces are such.
_PLAIN_PIECE = re.compile(
    r"[(\"'«“]*(?:[A-Za-z][a-z]*(?:'[a-z]+)?|[A-Za-z]{1,15}|[А-ЯЁа-яё]+|[0-9]{1,15}(?:[.,][0-9]{1,15})*)"
    r"[,.;:!?)\"'»”]*"
)


def _alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a regex's source."""
    found, depth, start, i = [], 0, 0, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 1
        elif c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == "|" and depth == 0:
            found.append(pattern[start:i])
            start = i + 1
        i += 1
    return [*found, pattern[start:]]


_Tree = dict[str, "_Tree"]


def _prefix_tree(words: list[str]) -> str:
    """A regex that finds one of `words` wherever the plain alternation would (a word that another opens is cut
    to the shorter: a search asks only whether one is there)."""
    tree: _Tree = {}
    for w in words:
        node = tree
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def branch(node: _Tree) -> str:
        if "" in node:
            return ""
        options = [re.escape(ch) + branch(node[ch]) for ch in sorted(node)]
        return options[0] if len(options) == 1 else "(?:" + "|".join(options) + ")"

    return branch(tree)


def _gate_of(anchors: re.Pattern[str]) -> re.Pattern[str]:
    """`anchors` for a yes/no search, about twice as fast: re tries every alternative at every position, and ~100
    of them are plain words, which a tree of their prefixes tries a letter at a time."""
    parts = _alternatives(anchors.pattern)
    words = [a for a in parts if re.fullmatch(r"[\w-]+", a)]
    return re.compile("|".join([_prefix_tree(words), *(a for a in parts if a not in words)]))


_ANCHOR_GATE = _gate_of(_ANCHORS)
_HIDING = INVISIBLE | frozenset(PLAIN)  # characters that hide or stand in for a letter


class Injection(Model):
    """Sentences of an answer that address the grader, and the answer with them blanked out."""

    spans: list[Span] = []
    clean: str

    @property
    def suspected(self) -> bool:
        return bool(self.spans)


def _disguised(piece: str) -> bool:
    """Whether a non-ASCII piece reads differently once unmasked (invisible, compatibility or look-alike letters)."""
    if _MIXED.search(piece.lower()) is not None:
        return True
    if unicodedata.is_normalized("NFKC", piece):
        return not _HIDING.isdisjoint(piece)  # a C loop over the characters
    # only letters count: "…", "²" or a no-break space change under NFKC too, and they hide nothing
    return any(c in INVISIBLE or c in PLAIN or (c.isalpha() and not unicodedata.is_normalized("NFKC", c))
               for c in piece)


def piece_may_hold_injection(chunk: str) -> int:
    """1 when a space-free piece of text holds an anchor some signal needs, else 0 (memoised). A text none of
    whose pieces (split at " ") holds one, and with no spaced-out letters, holds no injection."""
    known = _chunk_gate.get(chunk)
    if known is not None:
        return known
    low = chunk.lower()
    if _PLAIN_PIECE.fullmatch(chunk) is not None:
        flag = int(_ANCHOR_GATE.search(low) is not None)
    else:
        flag = _screen(chunk, low)
    if len(_chunk_gate) >= _CHUNK_GATE_LIMIT:
        _chunk_gate.clear()
    if len(chunk) <= MEMO_KEY_MAX:
        _chunk_gate[chunk] = flag
    return flag


def _screen(chunk: str, low: str) -> int:
    return int(
        any(_ANCHOR_GATE.search(part) for part in _parts(low))
        or _BLOB_PIECE.search(chunk) is not None
        or _SPACED_PIECE.search(chunk) is not None
        or _LEET_PIECE.search(chunk) is not None
        or (not chunk.isascii() and _disguised(chunk))
    )


def _parts(low: str) -> list[str]:
    """A piece as the pre-check reads it: whole, joined over a line break, and each of its lines."""
    if "\n" not in low and "\t" not in low:
        return [low]
    return [low.replace("\n", "").replace("-", ""), *low.split()]


def may_be_spaced(text: str) -> bool:
    """Whether `text` holds three one-character words in a row ("i g n o r e"), which the piece check cannot see."""
    return _SPACED_QUICK.search(text) is not None


def _may_hold_injection(text: str) -> bool:
    """False only when no sentence of `text` can reach the threshold (True may still find nothing)."""
    return any(map(piece_may_hold_injection, text.split(" "))) or may_be_spaced(text)


def _anchor_pieces(text: str) -> tuple[list[int], list[str]]:
    """Where the pieces holding an anchor start, and those pieces, from the pre-check's memo (one dict lookup a
    piece: a regex scan of the whole answer costs ~0.3 ms)."""
    starts, pieces, at = [], [], 0
    for chunk in text.split(" "):
        if piece_may_hold_injection(chunk):
            starts.append(at)
            pieces.append(chunk)
        at += len(chunk) + 1
    return starts, pieces


def _sentences(text: str) -> list[tuple[int, int]]:
    bounds, last = [], 0
    for m in re.finditer(_SENTENCE_END, text):  # compiled at first use (re's cache): only screened answers need it
        if m.end() > last:
            bounds.append((last, m.end()))
            last = m.end()
    if last < len(text):
        bounds.append((last, len(text)))
    return [(a, b) for a, b in bounds if text[a:b].strip()]


def _excerpts(text: str) -> list[str]:
    """A long run-on sentence as the stretches around its anchors (signals count only within `WINDOW` words of
    each other, and the regexes cost per character); a stretch that does not open the sentence starts with a
    neutral word, so that "at the start" patterns do not fire inside it."""
    from grader.engine.injection_signals import WINDOW

    words = [m.start() for m in _WORD.finditer(text)]
    if len(words) <= _LONG_WINDOWS * WINDOW:
        return [text] if _ANCHORS.search(text) else []
    spans: list[list[int]] = []
    for m in _ANCHORS.finditer(text):
        at = bisect.bisect_right(words, m.start()) - 1
        lo, hi = max(0, at - WINDOW), min(len(words), at + WINDOW + 1)
        if spans and lo <= spans[-1][1] and hi - spans[-1][0] <= _LONG_WINDOWS * WINDOW:
            spans[-1][1] = hi
        else:
            spans.append([lo, hi])
    return [("" if lo == 0 else "x ") + text[words[lo] : words[hi] if hi < len(words) else len(text)]
            for lo, hi in spans]


def _aimed(sentence: str, disguised: bool, hinted: bool) -> bool:
    """Whether one sentence (as read) is aimed at the grader: by its signals, joined over lines, or decoded
    (`hinted`: the answer asks for decoding, so rot13 and backwards text are read too)."""
    from grader.engine.injection_signals import THRESHOLD, Signal, signals, weight

    low = sentence.lower()
    texts = [low, joined_lines(low)] if "\n" in low else [low]
    for text in texts:
        for excerpt in _excerpts(text):
            found = signals(excerpt)
            if disguised and found:
                found.append(Signal("disguise", 1, found[0].at))
            if weight(found) >= THRESHOLD:
                return True
    for text in decoded(sentence, hinted):
        inner = [s for e in _excerpts(text.lower()) for s in signals(e)]
        if inner and weight(inner) >= THRESHOLD - (1 if hinted else 0):
            return True
    return False


def _flagged(un: Unmasked, answer: str) -> list[tuple[int, int]]:
    """Answer spans of the sentences aimed at the grader, alone or with the next line (a thought over two lines)."""
    from grader.engine.injection_signals import HINT  # here: compiling the signals costs ~10 ms of every start

    sentences = _sentences(un.text)
    low = un.text.lower()
    anchors, pieces = _anchor_pieces(un.text) if un.text == answer else ([], [])
    if un.text != answer:  # disguises undone: the pieces of the answer are not the pieces read
        anchors, pieces = [m.start() for m in _ANCHORS.finditer(low)], [low]
    hinted = any(HINT.search(p.lower()) for p in pieces)
    # Only a sentence holding an anchor (or a line break, or any sentence once the answer asks for decoding) can
    # be aimed at the grader; the others are not read again.
    live = [hinted or "\n" in low[a:b] or bisect.bisect_left(anchors, a) < bisect.bisect_left(anchors, b)
            for a, b in sentences]
    hit = []
    for (a, b), alive in zip(sentences, live, strict=True):
        oa, ob = un.span(a, b)
        hit.append(alive and _aimed(un.text[a:b], answer[oa:ob] != un.text[a:b], hinted))
    for i in range(len(sentences) - 1):
        a, b = sentences[i][0], sentences[i + 1][1]
        if hit[i] or hit[i + 1] or not (live[i] or live[i + 1]) or _CLOSED.search(un.text[a : sentences[i][1]]):
            continue
        if _aimed(joined_lines(un.text[a:b]), False, hinted):
            hit[i] = hit[i + 1] = True
    return [un.span(a, b) for (a, b), h in zip(sentences, hit, strict=True) if h]


def find_injection(answer: str) -> Injection:
    """The sentences of `answer` holding an attempt to instruct the grader, and the answer without them."""
    if not _may_hold_injection(answer):
        return Injection(clean=answer)
    spans: list[Span] = []
    for a, b in _flagged(unmask(answer), answer):
        if spans and spans[-1].end >= a:
            a = spans.pop().start
        spans.append(Span(start=a, end=b, text=answer[a:b]))
    if not spans:
        return Injection(clean=answer)
    clean = list(answer)
    for s in spans:
        clean[s.start : s.end] = [c if c == "\n" else " " for c in answer[s.start : s.end]]
    return Injection(spans=spans, clean="".join(clean))
