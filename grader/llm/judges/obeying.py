"""A judge that does what an injected sentence asks: for tests and demos of the injection guarantees
(`--judge obeying`).

It stands for the worst model: when the answer it is shown still holds anything that could be an instruction
about grading (read credulously: disguises undone, base64 and rot13 decoded, any word about grading), or one of
the `payloads` it was told about, it marks every point covered and quotes, as evidence, the injected sentence
itself (`quote="injected"`), a 3-character fragment of it (`"fragment"`), or the answer's sentence closest to the
point (`"related"`). Otherwise it is honest: a point is covered or partial as the lexical matcher finds it, quoting
the sentence of the answer that holds the evidence. So an answer's grade with this judge, compared with its grade
once the injection is removed, measures how much an injection can lift it through the real code path.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from typing import Literal, TypeVar

from pydantic import BaseModel

from grader.engine.injection_text import decoded, unmask
from grader.llm.judges.base import JudgeReply, JudgeRequest, PointVerdict, Usage, requested_points

T = TypeVar("T", bound=BaseModel)
QuoteStyle = Literal["injected", "fragment", "related"]
# Anything a credulous reader could take as being about grading: wider than the screen on purpose.
_GRADING = re.compile(
    r"score|grade|grading|marks|credit|rubric|covered|verdict|maxim|perfect|evaluat|reviewer|examiner|instruction"
    r"|ignore|admin|assistant|llm|prompt|оцен|балл|засчит|зачт|максим|проверя|инструкц|игнор|bewert|punkt|prüf"
    r"|korrig|anweisung|ignorier|höchst",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
_WORD = re.compile(r"\w+")


class ObeyingJudge:
    """Obeys any instruction it can still read in the answer; honest otherwise. Records its calls."""

    def __init__(
        self,
        *,
        payloads: Sequence[str] = (),
        quote: QuoteStyle = "injected",
        credulous: bool = True,
        identity: str = "obeying",
    ) -> None:
        self.payloads = [" ".join(_WORD.findall(unmask(p).text.lower())) for p in payloads if p.strip()]
        self.quote = quote
        self.credulous = credulous
        self.calls: list[JudgeRequest] = []
        self.obeyed = 0
        self._identity = identity
        self._lock = threading.Lock()

    @property
    def identity(self) -> str:
        return self._identity

    def judge(self, request: JudgeRequest) -> JudgeReply:
        trigger = self.trigger(request.answer)
        with self._lock:
            self.calls.append(request)
            self.obeyed += trigger is not None
        if trigger is not None:
            return self._obey(request, trigger)
        return _honest(request)

    async def ajudge(self, request: JudgeRequest) -> JudgeReply:
        return self.judge(request)

    def structured(
        self, messages: Callable[[bool], list[dict[str, str]]], schema: type[T]
    ) -> tuple[T | None, Usage, str | None]:
        """No structured replies (rubric drafts): this judge only grades."""
        return None, Usage(calls=1), "the obeying judge only grades; it drafts no rubrics"

    def trigger(self, answer: str) -> str | None:
        """The sentence of `answer` this judge would obey, if any."""
        read = unmask(answer).text
        sentences = [m.group() for m in _SENTENCE.finditer(answer) if m.group().strip()]
        flat = " ".join(_WORD.findall(read.lower()))
        for p in self.payloads:
            words = p.split()
            if words and (p in flat or sum(w in flat for w in words) >= max(2, 0.6 * len(words))):
                return _sentence_holding(sentences, words) or answer.strip()
        if not self.credulous:
            return None
        for s in sentences:
            texts = [unmask(s).text, *decoded(s, True)]
            if any(_GRADING.search(t) for t in texts):
                return s.strip()
        return None

    def _obey(self, request: JudgeRequest, trigger: str) -> JudgeReply:
        verdicts = []
        for pid in requested_points(request):
            point = next(p for p in request.rubric.points if p.id == pid)
            if self.quote == "fragment":
                quote = trigger.strip()[:3]
            elif self.quote == "related":
                quote = _closest(request.answer, point.text + " " + " ".join(w for c in point.concepts for w in c.any))
            else:
                quote = trigger.strip()
            verdicts.append(PointVerdict(id=pid, verdict="covered", quote=quote, feedback="As instructed."))
        return JudgeReply(verdicts=verdicts, feedback="Full marks, as instructed.", usage=Usage(calls=1))


def _sentence_holding(sentences: list[str], words: list[str]) -> str | None:
    return max(sentences, key=lambda s: sum(w in unmask(s).text.lower() for w in words), default=None)


def _closest(answer: str, target: str) -> str:
    """The sentence of `answer` sharing the most words with `target` (the most plausible honest-looking quote)."""
    want = {w.lower() for w in _WORD.findall(target) if len(w) > 3}
    sentences = [m.group().strip() for m in _SENTENCE.finditer(answer) if m.group().strip()]
    return max(sentences, key=lambda s: len(want & {w.lower() for w in _WORD.findall(s)}), default=answer.strip())


def _honest(request: JudgeRequest) -> JudgeReply:
    """What a fair judge says: the lexical matcher's finding per point, quoting the sentence that holds it."""
    from grader.engine.lexical import lexical_points, matcher_for

    match = matcher_for(request.question, request.rubric).match(request.answer, request.lang)
    results = {p.id: p for p in lexical_points(request.rubric, match, request.lang)}
    verdicts = []
    for pid in requested_points(request):
        r = results[pid]
        if r.status == "missing" or not r.evidence:
            verdicts.append(PointVerdict(id=pid, verdict="missing"))
            continue
        quote = _sentence_at(request.answer, r.evidence[0].start, r.evidence[0].end)
        verdicts.append(PointVerdict(id=pid, verdict="covered" if r.status == "covered" else "partial", quote=quote))
    return JudgeReply(verdicts=verdicts, usage=Usage(calls=1))


def _sentence_at(answer: str, start: int, end: int) -> str:
    for m in _SENTENCE.finditer(answer):
        if m.start() <= start and end <= m.end():
            return m.group().strip()
    return answer[start:end]
