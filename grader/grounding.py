"""Keeping a judge honest: quotes checked against the answer, text aimed at the grader found and set aside. Pure.

- **Quotes.** A judge's quote counts only if it occurs in the answer, allowing for case, spacing and a typo or
  two (rapidfuzz partial alignment, similarity ≥ 90); then it becomes an evidence span.
- **Injection.** Sentences that address the grader instead of the question ("ignore previous instructions",
  "score: 1.0", "поставь максимальный балл", fake `</answer>` or `<system>` tags; Russian, English, German) are
  found by pattern. Such a sentence is blanked out (same length, so evidence offsets still hold) before any
  grading, and the grade is flagged `injection_suspected`: an injection can never add to a score.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from grader.models import Model, Span

QUOTE_MIN_SIMILARITY = 90.0

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
_SCORE_CLAIM = re.compile(
    r"(?<![\w-])(?:score|grade|rating|mark|оценк[аиу]|балл\w*|punktzahl|punkte|bewertung|note)\s*[:=]\s*"
    r"(?:1(?:[.,]0+)?|100\s*%?|10\s*/\s*10|5\s*/\s*5|max\w*|максим\w*|a\+?)(?![\w.,]*\d)",
    _I,
)
# A metric reported as a number is not a claim about the grade ("F1 score: 1.0 on train means overfitting").
_METRIC_BEFORE = re.compile(r"(?:f1|f-?beta|auc|roc|r2|r\^2|bleu|rouge|silhouette|accuracy|z|t|test|train)[\s-]*$", _I)
_INJECTION = [re.compile(p, _I) for p in _INJECTION_PATTERNS]
_SENTENCE = re.compile(r"[^.!?\n]*(?:[.!?]+|\n|$)")


class Injection(Model):
    """Sentences of an answer that address the grader, and the answer with them blanked out."""

    spans: list[Span] = []
    clean: str

    @property
    def suspected(self) -> bool:
        return bool(self.spans)


# Words at least one of which every pattern above needs: most answers contain none, and skip the patterns.
_TRIGGERS = (
    "ignor", "disregard", "forget", "overrid", "bypass", "you are", "new instruction", "system", "as a", "give",
    "award", "assign", "grant", "mark", "score", "grade", "rating", "<", "[inst", "[/inst",
    "игнор", "забуд", "не обращ", "постав", "выстав", "дай", "дав", "назнач", "ты теперь", "новые инструкции",
    "системн", "отмет", "оценк", "балл",
    "vergiss", "vergessen", "missacht", "gib", "gebt", "geben", "vergib", "vergeb", "du bist", "neue anweisungen",
    "punkt", "bewertung", "note",
)


def _hits(text: str) -> list[tuple[int, int]]:
    low = text.lower()
    if not any(t in low for t in _TRIGGERS):
        return []
    found = [(m.start(), m.end()) for rx in _INJECTION for m in rx.finditer(text)]
    for m in _SCORE_CLAIM.finditer(text):
        if not _METRIC_BEFORE.search(text[max(0, m.start() - 12) : m.start()]):
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


def _squash(text: str) -> str:
    return " ".join(text.casefold().split())


def locate_quote(quote: str, answer: str) -> Span | None:
    """Where `quote` occurs in `answer` (case, spacing and small typos forgiven), or None when it does not."""
    q = _squash(quote.strip(" \"'«»„“”.…"))
    if len(q) < 2:
        return None
    lowered = answer.casefold()
    haystack = lowered if len(lowered) == len(answer) else answer.lower()
    if q in _squash(haystack):
        exact = haystack.find(q)
        if exact >= 0:
            return Span(start=exact, end=exact + len(q), text=answer[exact : exact + len(q)])
    align = fuzz.partial_ratio_alignment(q, haystack, score_cutoff=QUOTE_MIN_SIMILARITY)
    if align is None or not haystack[align.dest_start : align.dest_end].strip():
        return None
    start, end = align.dest_start, align.dest_end
    return Span(start=start, end=end, text=answer[start:end])
