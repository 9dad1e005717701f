"""The markers a reference reader looks for, in English, German and Russian. Pure.

Layout and punctuation say most of how a reference is built; these few markers say the rest: a point's mark
("(0.25 P)", "[1 point]"), a grading note ("Note: ..."), a menu of alternatives ("two of the following", "z. B.",
"любые два из"), score levels ("3 points: ..."), a label before the content ("Needed information:") and the words
of a criterion ("The student explains ...") that are about the grading, not the subject.
"""

from __future__ import annotations

import re
import unicodedata

from grader.engine.sentence_ends import END_POINT
from grader.engine.text import is_stopword, tokenize

NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "eine": 1, "einer": 1, "eines": 1, "einen": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5,
    "один": 1, "одна": 1, "одно": 1, "одного": 1, "одну": 1, "два": 2, "две": 2, "двух": 2, "три": 3, "трёх": 3,
    "трех": 3, "четыре": 4, "пять": 5,
}  # fmt: skip
_NUMBERED = re.compile(r"^\s*(?:\d{1,2}[.)]|[a-zA-Zа-яА-Я][.)])\s+")
_BULLET_PUNCT = set("-*•·–—>")
# A sentence ends after its punctuation (`sentence_ends.END_POINT`: not after "e.g." or "z. B.") where the next one
# opens with a capital or a digit.
SENTENCE_END = re.compile(rf"(?:(?<=[!?…])|(?<={END_POINT}))\s+(?=[\"«(]?[A-ZА-ЯЁÄÖÜ0-9])")
# Alternatives in one line: "A, B, or C", "A; B", "A oder B", "A или B".
ITEM_SEP = re.compile(r"\s*[;,]\s*(?:(?:or|and|oder|und|или|и)\s+)?|\s+(?:or|oder|или)\s+", re.IGNORECASE)
_COUNT = r"\d+|" + "|".join(NUMBER_WORDS)

# A point's mark in the reference: "(0.25 P)", "(je 0.5 P)", "(0.25–0.5 P)", "[1 point]", "(2 marks)", "(1 балл)".
POINT_WEIGHT = re.compile(
    r"[(\[]\s*(?:je|each|по)?\s*(\d+(?:[.,]\d+)?)(?:\s*[-–]\s*(\d+(?:[.,]\d+)?))?\s*"
    r"(?:P|Pkt|Punkte?|points?|pts?|marks?|балл(?:а|ов)?|б)\.?\s*[)\]]",
    re.IGNORECASE,
)
# A grading note inside a reference ("Note: … can be omitted", "Hinweis: …", "Примечание: …") is not a point.
NOTE = re.compile(r"^\s*(?:\(?\s*)(?:notes?|nb|n\.b\.|hinweis|anmerkung|bemerkung|примечание|замечание)\s*[:.)]", re.I)
# A sentence about grading rather than the subject, without a "Note:" label: "The answer may be rounded", "It is
# also sufficient to give a formula", "… is also accepted", "Es genügt, …", "… wird auch akzeptiert", "Допускается …".
GRADING_TALK = re.compile(
    r"\b(?:(?:the )?(?:answer|response)s? (?:may|can|need not|does not have to)\b|it is (?:also )?(?:sufficient|enough|"
    r"acceptable|valid|fine) to\b|(?:is|are) (?:also )?(?:accepted|acceptable)\b|can still (?:get|receive|earn)\b|"
    r"(?:die )?antwort (?:darf|kann|muss nicht)\b|es (?:genügt|reicht)\b|(?:wird|werden) (?:auch )?(?:akzeptiert|"
    r"als richtig gewertet)\b|ist (?:auch|ebenfalls) (?:ausreichend|zulässig)\b|ответ (?:может|можно)\b|"
    r"достаточно (?:указать|назвать|привести|дать)\b|(?:также )?засчитыва\w+|допуска\w+)",
    re.IGNORECASE,
)
# Content a full answer may leave out ("Optional: …", "Zusätzlich: …", "Дополнительно: …"): set aside like a note.
OPTIONAL = re.compile(
    r"^\s*(?:optional\w*|additional(?:ly)?|bonus|not required|zusätzlich\w*|nicht erforderlich|"
    r"дополнительно|необязательно|бонус)\b[^:\n]{0,40}:",
    re.IGNORECASE,
)
# A label naming what follows as the content ("Needed information:", "Erwartete Antwort:", "Ожидаемый ответ:"):
# its words are about the reference, not the subject, and are dropped.
CONTENT_LABEL = re.compile(
    r"^\s*(?:(?:needed|required|expected|key|essential|necessary|correct|model|sample|reference|benötigte|"
    r"erforderliche|erwartete|richtige|korrekte|wesentliche|необходим\w+|требуем\w+|ожидаем\w+|правильн\w+|"
    r"ключев\w+|эталонн\w+)\s+)?(?:information|points?|content|elements|answers?|responses?|solution|ideas?|"
    r"informationen|punkte|antwort|lösung|inhalte?|aspekte|(?:schlüssel)?elemente|musterlösung|информация|пункты|"
    r"ответ|решение|содержание|моменты|идеи|элементы|эталон)\s*:\s*",
    re.IGNORECASE,
)
# Words that open a menu of alternatives, in a label ("Possible correct responses:", "One of the following:") or
# before a list inside a sentence ("e.g.", "z. B.", "например"). `n` holds a stated count ("two of", "любые два из").
MENU = re.compile(
    rf"(?:\b(?P<n>{_COUNT}|any|either)\s+(?:\w+\s+)?of\b(?!\s+(?:them|which))|\bpossible\b|"
    r"\be\.\s?g\.|\bfor (?:example|instance)\b|\bsuch as\b|\bexamples?\b|\balternatives?\b|"
    rf"\bz\.\s?B\.|\bzum Beispiel\b|\bbeispielsweise\b|\bbeliebige\w*\b|\bmögliche\w*\b|"
    rf"\b(?P<n_de>{_COUNT})\s+(?:der|von|aus)\b|"
    rf"\bнапример\b|\bк примеру\b|\bвозможн\w+\b|\bвариант\w*\b|"
    rf"\b(?:люб\w+\s+)?(?P<n_ru>{_COUNT}|люб\w+)\s+(?:\w+\s+)?из\b)",
    re.IGNORECASE,
)
# Words that say outright that any one (or N) of the items will do, as against "e.g." or "possible", which only
# suggest it.
STATED_MENU = re.compile(
    rf"\b(?:{_COUNT}|any|either|beliebige\w*|люб\w+)\s+(?:\w+\s+)?(?:of|der|von|aus|из)\b", re.IGNORECASE
)
# A list inside a sentence after "e.g." / "such as" / "z. B." / "например": alternatives, any of which will do.
EXAMPLES_LEAD = re.compile(
    r"(?:\be\.\s?g\.|\bfor (?:example|instance)\b|\bsuch as\b|\bz\.\s?B\.|\bzum Beispiel\b|\bbeispielsweise\b|"
    r"\bwie etwa\b|\bнапример\b|\bк примеру\b|\bтаки[ехм]\s+как\b)[:,]?\s*",
    re.IGNORECASE,
)
# A score level: "3 points: …", "2 Punkte – …", "1 балл: …", "Score 2: …", at a line start or after a sentence.
LEVEL = re.compile(
    r"(?:^|(?<=[\n.;,]))\s*(?:[-*•]\s*)?(?:(?:score|level|stufe|niveau|уровень|оценка)\s*(?P<v2>\d+(?:[.,]\d+)?)"
    r"|(?P<v>\d+(?:[.,]\d+)?)\s*(?:points?|marks?|pts?\.?|P\.?|Punkte?|Pkt\.?|балл(?:а|ов)?|очк(?:о|а|ов)))"
    r"\s*[:=–—-]\s*",
    re.IGNORECASE | re.MULTILINE,
)
# A criterion instead of a model answer: "The student explains …", "Der Student erklärt …", "Студент объясняет …".
# The subject and the verb of assessing say what to look for, not what the answer holds, and are dropped.
_MODAL = r"(?:should|must|can|has to|is able to|will|soll(?:te)?|muss|kann|должен|должна|должно|может)"
CRITERION = re.compile(
    r"^\s*(?:the |a |der |die |das |ein |eine )?(?:(?:students?|candidates?|learners?|examinees?|respondents?|"
    r"studierende\w*|student(?:in)?|kandidat(?:in)?|prüfling|schüler(?:in)?|студент\w*|кандидат\w*|ученик\w*|"
    rf"обучающ\w+|отвечающ\w+)\s+(?:{_MODAL}\s+)?"
    rf"|(?:answers?|responses?|antwort|ответ)\s+{_MODAL}\s+)"  # "Responses contain a status code" is content
    r"(?:(?:correctly|clearly|briefly|richtig|korrekt|kurz|правильно|верно|кратко)\s+)?"
    r"(?:explain|describ|name|mention|state|identif|give|list|defin|show|discuss|compar|recogni|justif|outlin|argu|"
    r"demonstrat|point|refer|includ|contain|erklär|beschreib|nenn|erläuter|begründ|gib|geb|zeig|vergleich|defini|"
    r"erwähn|identifizi|enthält|объясн|описыва|опиш|назыв|назов|назва|указыва|укаж|привод|привед|перечисл|"
    r"определ|упомина|упомян|сравн|обоснов|показыва|покаж|раскрыва|раскро|содерж|включа)\w*"
    r"(?:\s+out)?(?:\s*,?\s*(?:that|how|why|what|which|dass|wie|warum|was|welche\w*|что|как|почему|зачем))?[\s,:]*",
    re.IGNORECASE,
)
# A rubric document's criterion without its subject ("names overfitting", "nennt drei Gründe", "называет три причины").
CRITERION_VERB = re.compile(
    r"^\s*(?:explains|describes|names|mentions|states|identifies|gives|lists|defines|shows|discusses|compares|"
    r"justifies|outlines|erklärt|beschreibt|nennt|erläutert|begründet|gibt|zeigt|vergleicht|definiert|erwähnt|"
    r"объясняет|описывает|называет|указывает|приводит|перечисляет|определяет|упоминает|сравнивает|обосновывает|"
    r"показывает|раскрывает)\b\s*",
    re.IGNORECASE,
)
# "on the basis of model Y", "anhand des Modells Y", "на основе модели Y": the connector says nothing to look for.
CRITERION_LINK = re.compile(
    r"\b(?:on the basis of|based on|by means of|with reference to|anhand(?: de[sr]| von)?|"
    r"auf (?:der )?grundlage(?: de[sr]| von)?|на основе|на основании|на примере|с опорой на)\b\s*",
    re.IGNORECASE,
)


def stated_count(label: str) -> int | None:
    """The count a menu's words state ("two of the following" -> 2, "any of" -> 1), or None when they only suggest
    alternatives ("e.g.", "possible")."""
    m = MENU.search(label)
    if m is None or STATED_MENU.search(label) is None:
        return None
    for word in re.findall(r"[^\W_]+", label.lower()):  # the first count said ("any two of" is two, not any)
        if word.isdigit() and 0 < int(word) < 100:
            return int(word)
        if word in NUMBER_WORDS:
            return NUMBER_WORDS[word]
    return 1


def strip_criterion(text: str, document: bool = False) -> str:
    """A criterion's content: "The student explains X on the basis of model Y" -> "X model Y". In a rubric document
    (`document`), a criterion may also open with its verb alone ("names X")."""
    out = CRITERION.sub("", text, count=1)
    if document and out == text:
        out = CRITERION_VERB.sub("", text, count=1)
    if out == text:
        return text
    out = CRITERION_LINK.sub("", out)
    return out[:1].upper() + out[1:] if out else text


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


def bullet_kind(line: str) -> str:
    """What a list item is marked with: "1" for numbers, "a" for letters, else the bullet character."""
    s = line.lstrip()
    if _NUMBERED.match(s):
        return "1" if s[0].isdigit() else "a"
    return s[0]


def n_content(text: str) -> int:
    return sum(1 for n in tokenize(text).norms if not is_stopword(n))
