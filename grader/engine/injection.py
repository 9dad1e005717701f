"""The injection screen: sentences of an answer that address the grader instead of the question. Pure.

Sentences that address the grader ("ignore previous instructions", "score: 1.0", "поставь максимальный балл", fake
`</answer>` or `<system>` tags; Russian, English, German) are found by pattern. Such a sentence is blanked out
(same length, so evidence offsets still hold) before any grading, and the grade is flagged `injection_suspected`:
an injection can never add to a score. It runs before every mode, so it lives in the engine.
"""

from __future__ import annotations

import itertools
import re
from functools import cache

from grader.models import Model, Span

_I = re.IGNORECASE | re.UNICODE
_PRIOR = r"(?:previous|prior|above|earlier|preceding|all|any|the|your|system)"
_INJECTION_PATTERNS = [
    # English
    rf"\b(?:ignore|disregard|forget|override|bypass)\b(?:\s+\w+){{0,3}}?\s+{_PRIOR}\b(?:\s+\w+){{0,2}}?\s+"
    r"(?:instructions?|prompts?|rules|guidelines|directions|rubric)",
    r"\byou\s+are\s+now\b|\bnew\s+instructions?\s*:|\bsystem\s+prompt\b|\bas\s+an?\s+(?:ai|language\s+model)\b",
    r"\b(?:give|award|assign|grant|mark)\b(?:\s+\w+){0,4}?\s+(?:full|maximum|max|highest|perfect|top)\s+"
    r"(?:score|marks?|points?|grade|credit)",
    r"\bmark\s+(?:all|every)\s+(?:the\s+)?(?:key\s+)?points?\s+(?:as\s+)?covered",
    # Russian
    r"\b(?:игнорир\w*|проигнорир\w*|забудь\w*|не\s+обращай\w*\s+внимания\s+на)\b(?:\s+\w+){0,2}?\s+"
    r"(?:предыдущ\w+|прежн\w+|вышеизложенн\w+|все|системн\w+|эти)\b(?:\s+\w+){0,2}?\s*(?:инструкц\w+|указани\w+|правил\w*|промпт\w*)",
    r"\b(?:постав\w*|выстав\w*|да[йв]\w*|назнач\w*)\b(?:\s+\w+){0,3}?\s+(?:максимальн\w+|высш\w+|полн\w+|наивысш\w+)\s+"
    r"(?:балл\w*|оценк\w+|отметк\w+)",
    r"\bты\s+теперь\b|\bновые\s+инструкции\s*:|\bсистемн\w+\s+(?:промпт\w*|инструкц\w+)",
    r"\bотметь\w*\s+все\s+(?:ключевые\s+)?пункты",
    # German
    r"\b(?:ignoriere\w*|vergiss|vergessen\s+sie|missachte\w*)\b(?:\s+\w+){0,2}?\s+"
    r"(?:vorherig\w+|bisherig\w+|obig\w+|alle|vorangegangen\w+|system\w*)\b(?:\s+\w+){0,2}?\s*"
    r"(?:anweisung\w*|instruktion\w*|regeln|vorgaben|prompts?)",
    r"\b(?:gib|gebt|geben\s+sie|vergib|vergeben\s+sie)\b(?:\s+\w+){0,4}?\s+(?:die\s+)?(?:volle\w*|höchste\w*|maximale\w*|beste\w*)\s+"
    r"(?:punktzahl|punkte|note|bewertung)",
    r"\bdu\s+bist\s+jetzt\b|\bneue\s+anweisungen\s*:",
    # Fake tags and chat-template tokens
    r"<\s*/?\s*(?:system|assistant|user|instructions?|rubric|student_answer|answer|prompt)\s*>",
    r"<\|[a-z_]+\|>|\[/?INST\]|<<\s*/?SYS\s*>>",
]
_SCORE_CLAIM = (
    r"(?<![\w-])(?:score|grade|rating|mark|оценк[аиу]|балл\w*|punktzahl|punkte|bewertung|note)\s*[:=]\s*"
    r"(?:1(?:[.,]0+)?|100\s*%?|10\s*/\s*10|5\s*/\s*5|max\w*|максим\w*|a\+?)(?![\w.,]*\d)"
)
# A metric reported as a number is not a claim about the grade ("F1 score: 1.0 on train means overfitting").
_METRIC_BEFORE = r"(?:f1|f-?beta|auc|roc|r2|r\^2|bleu|rouge|silhouette|accuracy|z|t|test|train)[\s-]*$"


@cache
def _compiled() -> tuple[list[re.Pattern[str]], re.Pattern[str], re.Pattern[str]]:
    """The patterns, compiled on first use (~10 ms): most runs grade answers the gate below clears without them."""
    return (
        [re.compile(p, _I) for p in _INJECTION_PATTERNS],
        re.compile(_SCORE_CLAIM, _I),
        re.compile(_METRIC_BEFORE, _I),
    )


_SENTENCE = re.compile(r"[^.!?\n]*(?:[.!?]+|\n|$)")


class Injection(Model):
    """Sentences of an answer that address the grader, and the answer with them blanked out."""

    spans: list[Span] = []
    clean: str

    @property
    def suspected(self) -> bool:
        return bool(self.spans)


# A cheap, exact gate in front of the patterns (most answers hold none of them, and the scan was the largest
# per-answer cost of lexical grading). Each entry is what one pattern (or branch) cannot match without: groups of
# substrings, one of each group present, looked up in the answer lowered with whitespace runs made one space (so
# `\s+` is " "). `_FOLD` first maps the few characters that IGNORECASE equates with a letter used here while
# str.lower() does not (Turkish dotted/dotless i, long s, old Cyrillic letter forms); tests check both facts.
_GATES: tuple[tuple[tuple[str, ...], ...], ...] = (
    (("ignor", "disregard", "forget", "overrid", "bypass"),
     ("instruction", "prompt", "rules", "guideline", "direction", "rubric")),
    (("you are now", "new instruction", "system prompt", "as an ai", "as a ai", "as a language model",
      "as an language model"),),
    (("give", "award", "assign", "grant", "mark"), ("full", "max", "highest", "perfect", "top"),
     ("score", "mark", "point", "grade", "credit")),
    (("mark all", "mark every"),),
    (("игнорир", "забудь", "не обращай"), ("инструкц", "указани", "правил", "промпт")),
    (("постав", "выстав", "дай", "дав", "назнач"), ("максимальн", "высш", "полн"), ("балл", "оценк", "отметк")),
    (("ты теперь", "новые инструкции"),),
    (("системн",), ("промпт", "инструкц")),
    (("отметь",), ("пункты",)),
    (("ignoriere", "vergiss", "vergessen sie", "missachte"),
     ("anweisung", "instruktion", "regeln", "vorgaben", "prompt")),
    (("gib", "gebt", "geben sie"), ("volle", "höchste", "maximale", "beste"), ("punkt", "note", "bewertung")),
    (("du bist jetzt", "neue anweisungen"),),
    (("<",), (">",)),
    (("[inst]", "[/inst]"),),
    (("score", "grade", "rating", "mark", "оценк", "балл", "punkt", "bewertung", "note"), (":", "=")),
)  # fmt: skip
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u1c80": "в", "\u1c81": "д", "\u1c82": "о",
                       "\u1c83": "с", "\u1c84": "т", "\u1c85": "т", "\u1c86": "ъ", "\u1c87": "ѣ",
                       "\u1c88": "ꙋ"})  # fmt: skip
_ODD = re.compile("[\u0130\u0131\u017f\u1c80-\u1c88]")


def _gate_text(text: str) -> str:
    """`text` as the gate reads it: IGNORECASE's equivalents folded, lowered, whitespace runs one space."""
    if _ODD.search(text):
        text = text.translate(_FOLD)
    return " ".join(text.lower().split())


def _needed_first(gates: tuple[tuple[tuple[str, ...], ...], ...]) -> tuple[str, ...]:
    """Substrings one of which every gate needs (each gate's first group, minus those holding a shorter one)."""
    first = {s for gate in gates for s in gate[0]}
    return tuple(sorted(s for s in first if not any(o != s and o in s for o in first)))


_FIRST = _needed_first(_GATES)


def _prepass_words(first: tuple[str, ...]) -> tuple[tuple[bytes, ...], tuple[str, ...], tuple[tuple[bytes, ...], ...]]:
    """`first` made cheap to look for: ASCII one-word entries as bytes, the others by their longest word, and the
    words of each ASCII entry with a space, longest first, as bytes (a text holding an entry, whitespace
    collapsed, holds each of its words as written)."""
    ascii_single = tuple(s.encode() for s in first if s.isascii() and " " not in s)
    other = tuple(sorted({max(s.split(" "), key=len) for s in first if not s.isascii()}))
    multi = tuple(
        tuple(w.encode() for w in sorted(s.split(" "), key=len, reverse=True))
        for s in first
        if s.isascii() and " " in s
    )
    return ascii_single, other, multi


_FIRST_ASCII, _FIRST_OTHER, _FIRST_MULTI = _prepass_words(_FIRST)
_NOT_ASCII = bytes(range(128, 256))


_MULTI_KEY = tuple(words[0] for words in _FIRST_MULTI)  # the longest word of each entry with a space


# One search for any entry as a substring, ~7x faster than testing each in turn ("(?!)", matching nothing, if none).
_ASCII_KEYS = sorted({*_FIRST_ASCII, *_MULTI_KEY}, key=len, reverse=True)  # looked for in a piece's ASCII letters
_ASCII_ANY = re.compile(b"|".join(map(re.escape, _ASCII_KEYS)) or b"(?!)")
_OTHER_ANY = re.compile("|".join(map(re.escape, sorted(set(_FIRST_OTHER), key=len, reverse=True))) or "(?!)")
_chunk_gate: dict[str, int] = {}
_CHUNK_GATE_LIMIT = 200_000


def piece_may_hold_injection(chunk: str) -> int:
    """1 when a space-free piece of text holds an entry of `_FIRST` or a word one needs, else 0 (memoised). A text
    none of whose pieces (split at " ") holds one holds no injection; the matcher keeps this with each piece."""
    low = (chunk.translate(_FOLD) if _ODD.search(chunk) else chunk).lower()
    ascii_part = low.encode("utf-8", "surrogatepass").translate(None, _NOT_ASCII)
    flag = int(_ASCII_ANY.search(ascii_part) is not None or _OTHER_ANY.search(low) is not None)
    if len(_chunk_gate) >= _CHUNK_GATE_LIMIT:
        _chunk_gate.clear()
    _chunk_gate[chunk] = flag
    return flag


def _may_hold_injection(text: str) -> bool:
    """False only when no injection pattern can match `text` (True may still find nothing)."""
    # First, per piece of text between spaces, memoised (answers repeat their words): no entry of `_FIRST` has a
    # space but those in `_FIRST_MULTI`, whose words must all occur, so a text holding an entry has a piece holding
    # it, or holding the longest word of a multi-word one. Lowering and dropping non-ASCII characters act per
    # character, so a piece reads the same alone as in the text. Almost every answer stops here.
    chunks = text.split(" ")
    flags = list(map(_chunk_gate.get, chunks, itertools.repeat(2)))  # 2: not seen yet
    if max(flags) == 2:
        flags = [f if f != 2 else piece_may_hold_injection(c) for f, c in zip(flags, chunks, strict=True)]
    if not any(flags):
        return False
    # Then the needed words looked up in the lowered text as written (no whitespace collapsing), the ASCII ones
    # among its ASCII bytes only (an ASCII word occurs in a text exactly when it occurs in the text with its other
    # characters dropped), which in a Russian answer is a fraction of it.
    low = (text.translate(_FOLD) if _ODD.search(text) else text).lower()
    ascii_part = low.encode("utf-8", "surrogatepass").translate(None, _NOT_ASCII)
    if (
        not any(map(ascii_part.__contains__, _FIRST_ASCII))
        and not any(map(low.__contains__, _FIRST_OTHER))
        and not any(all(map(ascii_part.__contains__, words)) for words in _FIRST_MULTI)
    ):
        return False
    low = _gate_text(text)
    if not any(s in low for s in _FIRST):  # one flat pass rejects almost every answer
        return False
    return any(all(any(s in low for s in group) for group in gate) for gate in _GATES)


def _hits(text: str) -> list[tuple[int, int]]:
    if not _may_hold_injection(text):
        return []
    patterns, score_claim, metric_before = _compiled()
    found = [(m.start(), m.end()) for rx in patterns for m in rx.finditer(text)]
    for m in score_claim.finditer(text):
        if not metric_before.search(text[max(0, m.start() - 12) : m.start()]):
            found.append((m.start(), m.end()))
    return found


def find_injection(answer: str) -> Injection:
    """The sentences of `answer` holding an attempt to instruct the grader, and the answer without them."""
    hits = _hits(answer)
    if not hits:
        return Injection(clean=answer)
    spans: list[Span] = []
    for m in _SENTENCE.finditer(answer):
        a, b = m.start(), m.end()
        if a < b and any(s < b and e > a for s, e in hits):
            if spans and spans[-1].end >= a:
                spans[-1] = Span(start=spans[-1].start, end=b, text=answer[spans[-1].start : b])
            else:
                spans.append(Span(start=a, end=b, text=answer[a:b]))
    clean = list(answer)
    for s in spans:
        clean[s.start : s.end] = [c if c == "\n" else " " for c in answer[s.start : s.end]]
    return Injection(spans=spans, clean="".join(clean))
