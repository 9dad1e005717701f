"""What a sentence does, as signals: whether it speaks to the grader rather than about the subject. Pure.

A sentence aimed at the grader combines moves an answer about data science does not: it **addresses** the grader,
model, system or reviewer; it names the **score**, grade, points, rubric or reference as something to act on; it is
an **instruction** (imperative or modal mood) or a **role change**; it **claims a score value** ("100 из 100",
"full marks", "1.0") for a grading word or for "this answer"; it carries **markup** of a chat template or a JSON
verdict; it holds an **encoded** blob to be decoded. Each signal has a weight; a sentence whose signals of
different kinds weigh `THRESHOLD` or more, within a window of words, is aimed at the grader. Words with a
domain sense ("F1 score", "data points", "оценка параметров", "the model's loss") do not count as grading words:
a grading word must stand alone or after a determiner, and a model or system is the addressee only when it is
spoken to ("Model, ...", "to the model", "dear system").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

THRESHOLD = 3
WINDOW = 16  # words: signals further apart than this belong to different thoughts

_B = r"\b"  # start of a word
_E = r"\b"  # end of a word


def _rx(pattern: str) -> re.Pattern[str]:
    """A pattern for lowered text (no IGNORECASE: it makes Python's matcher ~5x slower on Cyrillic)."""
    return re.compile(pattern)


# The grader as an addressee. Nouns that only ever mean the one who grades count anywhere; nouns with a sense in
# the field ("evaluator network", "LLM judge", "оценщик" = estimator) only when spoken to: "X:", "X,", "dear X",
# "to/for the X", "dem X", "для X"; a model, system or bot likewise; and "whoever checks this".
_GRADER_NOUN = (
    r"(?:grader|graders|grading\s+(?:model|system|bot|engine|script)|checking\s+(?:model|system|bot)"
    r"|проверяющ\w*|проверяльщик\w*|экзаменатор\w*|bewerter\w*|bewerterin|prüfer\w*|prüferin|korrektor\w*"
    r"|korrigierende\w*|bewertende\w*)"
)
_SPOKEN_NOUN = (
    r"(?:evaluator|assessor|examiner|reviewer|marker|checker|proctor|judge|llm|gpt\w*|chatgpt|model|system"
    r"|bot|ai|assistant|admin|administrator|moderator|оценщик\w*|рецензент\w*|асессор\w*|ассистент\w*"
    r"|модератор\w*|админ\w*|администратор\w*|модел[ьи]|систем[аеы]|бот[уа]?|ии|нейросет[ьи]"
    r"|gutachter\w*|modell|ki|assistent\w*)"
)
_ADDRESSEE = _rx(
    _B
    + _GRADER_NOUN
    + _E
    + r"|^\W*"
    + _SPOKEN_NOUN
    + r"\s*[,:!]"
    + r"|"
    + _B
    + r"(?:admin|administrator|moderator|админ\w*|администратор\w*|модератор\w*)\s*[:!]"
    + r"|"
    + _B
    + r"(?:to|for|dear|hey|hi|attention|note\s+to|dem|den|der|an\s+das|an\s+den|an\s+die|für\s+das"
    r"|für\s+den|für\s+die|liebes?|lieber|liebe|для|дорог\w+|уважаем\w+|эй|внимание)\s+"
    r"(?:the\s+|checking\s+|grading\s+|das\s+|den\s+|die\s+|)"
    + _SPOKEN_NOUN
    + _E
    + r"|"
    + _B
    + r"(?:whoever|anyone\s+who|the\s+one\s+who|person\s+who|тот,?\s+кто|тому,?\s+кто|кто\s+бы|wer\s+auch)"
    r"(?:\W+\w+){0,2}?\W+(?:check|grad|mark|review|evaluat|assess|read|провер|оцени|чита|bewert|korrigier|prüf|lies)"
)
# Grading words as objects: score (not after a metric), grade, marks, credit, points (not data points), rubric ...
# A word before a grading word that makes it a quantity of the subject ("F1 score", "z-score", "credit rating").
_METRIC = _rx(
    _B + r"(?:f1|f-?beta|f|auc|roc|r2|r\^2|z|t|bleu|rouge|test|train|training|validation|cv|anomaly|outlier"
    r"|credit|risk|cost|accuracy|precision|recall|silhouette|similarity|confidence|brier|log|propensity"
    r"|model|models|mean|average|inception|fid|quality|relevance|bm25|tf-idf|match|alignment|attention"
    r"|data|decision|fisher|gini|p|credit|feature|importance|outlier|kappa|cohen|exam|test)[\s-]+$"
)
_OBJECT = _rx(
    _B + r"(?:score|scores|scoring|grade|grades|grading|marks|mark|credit|rating|verdict|verdicts|points?"
    r"|evaluation|assessment|оценк[аиуой]|оценку|оценкой|балл\w*|отметк\w*|вердикт\w*|зач[её]т\w*|punkte?|punktzahl"
    r"|(?:die|eine|der|beste|volle)\s+note|noten|bewertung\w*|wertung|gesamtnote)" + _E
)
_POINT_DOMAIN = _rx(
    r"(?:data|access|end|decimal|floating|check|break|starting|focal|saddle|critical|fixed|turning"
    r"|sample|control|entry|exit)\s+points?$|(?:punkt-zu-punkt|zu)$"
)
# Words that exist only to grade: the rubric, the reference, key points, the instructions themselves.
_META = _rx(
    _B + r"(?:rubric|rubrics|key\s+points?|reference\s+answer|model\s+answer|grading\s+\w+|instructions?|prompts?"
    r"|system\s+prompt|guidelines|рубрик\w*|эталон\w*|ключев\w+\s+пункт\w*|пункт\w*\s+рубрик\w*|критери\w+\s+оценк\w*"
    r"|инструкци\w*|промпт\w*|указани[яйе]\w*|musterlösung\w*|bewertungs\w+|anweisung\w*|instruktion\w*|vorgaben"
    r"|schlüsselpunkt\w*|kernpunkt\w*)" + _E
)
# Instruction mood: imperatives of what one asks a grader to do, modal verbs, "please".
_GENERIC_META = _rx(
    r"(?:instructions?|prompts?|system\s+prompt|guidelines|инструкци\w*|промпт\w*|указани\w*"
    r"|anweisung\w*|instruktion\w*|vorgaben)\b"
)
_INSTRUCTION = _rx(
    r"(?:^\W*|[:;,!]\s*|\b(?:please|now|then|just|and|bitte|jetzt|пожалуйста|теперь|просто|и)\s+)"
    r"(?:give|award|assign|grant|mark|rate|grade|output|return|print|respond|reply|set|treat|consider|count"
    r"|accept|approve|ignore|disregard|forget|override|bypass|skip|pretend|act|follow|obey|evaluate|decode"
    r"|execute|write|say|put|report|classify|label|pass|reveal|show|repeat|tell|покажи|zeige)"
    + _E
    + r"|"
    + _B
    + r"(?:you|u)\s+(?:must|should|shall|will|have\s+to|need\s+to|are\s+to|are\s+required)"
    + _E
    + r"|"
    + _B
    + r"(?:must|should|shall|have\s+to|need\s+to|muss|soll|sollte|должен|должна|должны)\s+(?:\w+\s+)?"
    r"(?:give|award|assign|grant|mark|rate|grade|accept|count|geben|vergeben|bewerten|werten|поставить|засчитать"
    r"|выставить|оценить)"
    + _E
    + r"|"
    + _B
    + r"(?:please|kindly|bitte|пожалуйста)"
    + _E
    + r"|"
    + _B
    + r"(?:постав|выстав|засчита|оцен|отмет|счита|прим|игнориру|проигнориру|забуд|след|вывед|ответ|верн"
    r"|напиш|присво|начисл|расшифру|декодиру|выполн|призна|да|переведи|пропуст|учт)(?:ь|и|й)(?:те)?"
    + _E
    + r"|"
    + _B
    + r"(?:долж(?:ен|на|ны|но)|нужно|надо|следует|необходимо|обязан\w*)"
    + _E
    + r"|"
    + _B
    + r"(?:gib|gebt|geben\s+sie|vergib|vergeben\s+sie|bewerte|bewerten\s+sie|setze?|setzen\s+sie"
    r"|ignoriere|ignorieren\s+sie|vergiss|vergessen\s+sie|antworte|schreibe?|werte|zähle|akzeptiere|betrachte"
    r"|behandle|folge|dekodiere|entschlüssele|gib\s+aus|musst|sollst|müssen\s+sie|sollen\s+sie)" + _E
)
# Overriding the grader's own instructions: an imperative of ignoring or revealing, then an instruction word.
_OVERRIDE = _rx(
    r"(?:^\W*|[:;,!]\s*|\b(?:please|now|and|bitte|und|пожалуйста|теперь|и)\s+)"
    r"(?:ignore|disregard|forget|override|bypass|skip|reveal|show|print|repeat|игнорируй\w*|проигнорируй\w*|забудь\w*"
    r"|не\s+обращай\w*\s+внимания\s+на|покажи\w*|выведи\w*|ignoriere\w*|ignorieren\s+sie|vergiss|vergessen\s+sie"
    r"|missachte\w*|zeige\w*)\b(?:\W+\w+){0,5}?\W+"
    r"(?:instructions?|prompts?|rules|guidelines|rubric|инструкци\w*|промпт\w*|указани\w*|правил\w*|anweisung\w*"
    r"|instruktion\w*|regeln|vorgaben|prompts?)"
)
# A role change: "you are now", "from now on", "pretend", "act as", "представь, что ты", "ab jetzt".
_ROLE = _rx(
    _B + r"(?:you\s+are\s+now|you're\s+now|from\s+now\s+on|pretend|act\s+as|roleplay|role-play|new\s+role"
    r"|ты\s+теперь|теперь\s+ты|вы\s+теперь|представь\w*,?\s+что|с\s+этого\s+момента|отныне|притворись"
    r"|du\s+bist\s+jetzt|ab\s+jetzt|ab\s+sofort|tu\s+so|stell\s+dir\s+vor|von\s+nun\s+an"
    r"|(?:imagine|suppose|assume)\s+(?:that\s+)?you\s+are|you\s+are\s+(?:now\s+)?(?:a|an|the)\s+(?:\w+\s+)?"
    r"(?:grader|examiner|evaluator|reviewer|judge|assessor|marker|teacher|professor|instructor)"
    r"|(?:new|updated|real|actual)\s+(?:instructions?|rules|task|role)|нов\w+\s+(?:инструкци\w*|правила|указани\w*"
    r"|задач\w*|роль)|neue\s+(?:anweisungen|regeln|aufgabe|rolle))" + _E
)
# A value claimed for a grading word: the maximum, or "N of N".
_TOP = (
    r"(?:full|maximum|max|maximal|perfect|полн\w*|максимальн\w*|высш\w*|наивысш\w*|идеальн\w*|volle?\w*"
    r"|höchste?\w*|maximale?\w*|bestmögliche?\w*)"
)
_VALUE_BEFORE = _rx(_B + _TOP + r"\s+(?:\w+\s+)?$")
_VALUE_AFTER = _rx(
    r"^\s*(?:(?:is|=|:|—|–|-|ist|равна?|равен|равняется|составляет|будет|auf|на|is\s+set\s+to|to|should\s+be"
    r"|must\s+be|equals|reads|will\s+be|lautet|beträgt|wäre|sein|sei"
    r"|должна\s+быть|должен\s+быть|sollte\s+sein|the|die|den|der)\s*)*"
    r"(?:1(?:[.,]0+)?|100\s*%?|(\d+)\s*(?:/|из|von|out\s+of|of)\s*\1|10|5|a\+?|excellent|max\w*|максим\w*|"
    r"отлично|sehr\s+gut|voll\w*|perfect|full|covered|passed|зач[её]т|засчитан\w*|bestanden)(?!\w)"
    + r"(?=\s*(?:$|[.,;:!?)\]}\"'»](?!\d)|please|bitte|пожалуйста|points?|marks?|балл\w*|punkte?|for|за|für|and|и|und))"
)
# "score: 1.0", "оценка = 100%": a grading word as a label of a top value, whatever follows.
_LABELLED = _rx(r"\s*[:=]\s*(?:1(?:[.,]0+)?|100\s*%?|(\d+)\s*/\s*\1|a\+|max\w*|максим\w*)(?![\d.,]*\d)")
# A grade-like value right after a grading word, whatever follows ("Note 1,0 bewertet", "10 баллов из 10").
_SCORE_NEAR = _rx(
    r"\s*(?:of\s+|von\s+|в\s+)?(?:1[.,]0+|100\s*%|(\d+)\s*(?:/|из|von|out\s+of|of)\s*\1"
    r"|(\d+)\s+\w+\s+(?:из|von|out\s+of)\s+\2)(?!\d)"
)
# "N of N" for a grading scale (5, 10, 100), with or without a word between: "10 баллов из 10", "100/100".
_FULL_MARKS = _rx(r"\b(5|10|100)\s*(?:\w+\s+)?(?:/|из|von|out\s+of)\s*\1(?!\d)")
# "This answer" as the thing graded, and what is claimed for it.
_SELF = _rx(
    _B + r"(?:this|my|the\s+above|the\s+present|этот|мой|данный|настоящий|diese|meine)\s+"
    r"(?:answer|response|solution|submission|ответ|решение|работа|antwort|lösung|abgabe)" + _E
)
_CLAIM = _rx(
    _B + r"(?:deserves?|earns?|merits?|gets?|receives?|is\s+(?:fully\s+|completely\s+|entirely\s+)?(?:correct|perfect"
    r"|complete|excellent|right)|заслуживает|получает|полностью\s+(?:правильн|верн|раскрыва|покрыва)\w*|верн\w+"
    r"|правильн\w+|идеальн\w+|verdient|erhält|ist\s+(?:vollständig\s+|völlig\s+)?(?:richtig|korrekt|perfekt))"
    r"|" + _B + r"(?:all|every|все|всё|alle)\s+(?:\w+\s+)?(?:covered|met|satisfied|раскрыты|покрыты|выполнены"
    r"|erfüllt|abgedeckt)" + _E
)
_POINTS_WORD = _rx(r"(?:points?|criteria|пункт\w*|критери\w*|punkte|kriterien)$")
# Chat-template tokens, fake tags, a JSON object or a table with grading keys.
_MARKUP = _rx(
    r"<\s*/?\s*(?:system|assistant|user|instructions?|rubric|student_answer|answer|prompt|im_start|im_end|s|inst)\s*>"
    r"|<\|[^|>]{1,30}\|>|\[/?\s*(?:inst|system|sys|admin)\s*\]|<<\s*/?\s*sys\s*>>"
    r"|^\s*#{1,6}\s*(?:system|instructions?|grader|admin|assistant|response)\b"
    r"|^\W*(?:user|assistant|human|пользователь|ассистент|benutzer|nutzer|assistent)\s*:\s*\S"
    r"|\|\s*(?:verdict|score|grade|оценка|балл|вердикт|note|punkte|bewertung)\s*\|"
    r"|[{,]\s*[\"']?(?:score|grade|verdict|points|covered|mark|rating|result|оценка|балл|punkte|note)[\"']?\s*:"
)
HINT = _rx(
    _B + r"(?:decode|decoded|decipher|base64|b64|rot13|rot-13|caesar|encoded|расшифру\w*|декодиру\w*"
    r"|закодирован\w*|dekodier\w*|entschlüssel\w*|kodiert\w*|backwards|rückwärts|наоборот"
    r"|задом\s+наперёд|задом\s+наперед)"
)
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class Signal:
    kind: str
    weight: int
    at: int  # word index in the sentence


def _word_at(starts: list[int], pos: int) -> int:
    lo, hi = 0, len(starts)
    while lo < hi:
        mid = (lo + hi) // 2
        if starts[mid] <= pos:
            lo = mid + 1
        else:
            hi = mid
    return max(0, lo - 1)


def signals(sentence: str) -> list[Signal]:
    """Every signal in one sentence, each with the index of the word it starts at."""
    low = sentence.lower()
    starts = [m.start() for m in _WORD.finditer(low)] or [0]
    found: list[Signal] = []

    def add(kind: str, weight: int, pos: int) -> None:
        found.append(Signal(kind, weight, _word_at(starts, pos)))

    for m in _ADDRESSEE.finditer(low):
        add("addressee", 2, m.start())
    meta = [(m.start(), m.end()) for m in _META.finditer(low)]
    for m in _OBJECT.finditer(low):
        if any(a <= m.start() < b for a, b in meta):  # "key points" is one signal, not two
            continue
        if m.group().startswith("point") and _POINT_DOMAIN.search(low[: m.end()]):
            continue
        if _METRIC.search(low[max(0, m.start() - 24) : m.start()]):
            continue
        add("object", 1, m.start())
        if _VALUE_AFTER.search(low[m.end() :]) or _LABELLED.match(low, m.end()):
            add("value", 2, m.start())
        elif _SCORE_NEAR.match(low, m.end()) or _VALUE_BEFORE.search(low[max(0, m.start() - 30) : m.start()]):
            add("value", 1, m.start())
    for a, _b in meta:
        add("meta", 1 if _GENERIC_META.match(low, a) else 2, a)
    for m in _OVERRIDE.finditer(low):
        add("override", 3, m.start())
    for rx, kind, weight in ((_INSTRUCTION, "instruction", 1), (_ROLE, "role", 2),
                             (_MARKUP, "markup", 3), (HINT, "hint", 1)):  # fmt: skip
        for m in rx.finditer(low):
            add(kind, weight, m.start())
    for m in _FULL_MARKS.finditer(low):
        add("value", 1, m.start())
    for m in _SELF.finditer(low):
        add("self", 1, m.start())
        if _CLAIM.search(low[m.end() : m.end() + 60]):
            add("value", 2, m.start())
    for m in _CLAIM.finditer(low):
        words = m.group().split()
        if words[0] in {"all", "every", "все", "всё", "alle"}:  # "all points covered" claims more than "all met"
            add("value", 2 if len(words) == 3 and _POINTS_WORD.match(words[1]) else 1, m.start())
    return found


def weight(found: list[Signal]) -> int:
    """The highest weight of signals of distinct kinds within one window of words (one signal per kind)."""
    best = 0
    for s in found:
        kinds: dict[str, int] = {}
        for t in found:
            if s.at <= t.at < s.at + WINDOW:
                kinds[t.kind] = max(kinds.get(t.kind, 0), t.weight)
        if len(kinds) >= 2 or any(w >= THRESHOLD for w in kinds.values()):
            best = max(best, sum(kinds.values()))
    return best


def aimed_at_grader(sentence: str) -> bool:
    """Whether the signals of `sentence` reach `THRESHOLD` (markup alone does)."""
    return weight(signals(sentence)) >= THRESHOLD
