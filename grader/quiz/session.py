"""A quiz session: choose questions by the schedule, grade each answer, log it, offer retry/reference/next.

The terminal is behind a small `QuizUI` protocol, so the flow is the same for the real terminal
(`grader.cli.quiz.TerminalUI`) and for a scripted UI in tests. Every graded attempt is committed to the history
as soon as it is graded: an interrupt (Ctrl-C raises `KeyboardInterrupt` out of `Quiz.run`) loses nothing graded.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from grader.bank.store import Bank, rubric_for
from grader.errors import NotFound
from grader.grading import grade
from grader.models import Grade, Mode, Question
from grader.quiz.history import Attempt, History, attempt_from_grade, normalize_tag, reviews_of
from grader.quiz.policy import Policy
from grader.quiz.schedule import Pick, plan

Choice = Literal["retry", "reference", "next", "quit"]


class QuizUI(Protocol):
    """What a quiz needs from its user interface."""

    def ask(self, question: Question, number: int, total: int, *, retry: bool) -> str:
        """The user's answer; blank means skip. Ctrl-C raises KeyboardInterrupt."""
        ...

    def skipped(self) -> None: ...

    def show_grade(self, question: Question, grade: Grade, answer: str) -> None: ...

    def show_reference(self, question: Question) -> None: ...

    def choose(self, *, reference_shown: bool) -> Choice: ...


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Quiz:
    """One sitting: the bank, the history it writes to, how answers are graded, and the clock."""

    bank: Bank
    history: History
    mode: Mode = "lexical"
    judge: Any = None
    clock: Callable[[], datetime] = utcnow
    session: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    attempts: list[Attempt] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    ui_lang: str | None = None  # the learner's language: points are shown in it where the rubric has their text
    policy: Policy = field(default_factory=Policy)  # the scheduler: Leitner boxes or FSRS, an interview date

    def pool(self, tag: str | None = None) -> list[Question]:
        """The bank's questions, narrowed to a tag; an unknown tag is an error listing the known ones."""
        questions = self.bank.questions()
        if tag is None:
            return questions
        wanted = normalize_tag(tag)
        chosen = [q for q in questions if wanted in q.tags]
        if not chosen:
            known = sorted({t for q in questions for t in q.tags})
            raise NotFound(f"no questions tagged '{tag}'", fix=f"Known tags: {', '.join(known) or '(none)'}")
        return chosen

    def plan(
        self,
        *,
        tag: str | None = None,
        count: int = 5,
        question_id: str | None = None,
        rng: random.Random | None = None,
    ) -> list[Pick]:
        """The questions to ask, by the schedule; `question_id` asks just that one."""
        if question_id:
            return [Pick(question_id=self.bank.question(question_id).id, reason="due")]
        ids = [q.id for q in self.pool(tag)]
        reviews = reviews_of(self.history.attempts())
        return plan(ids, reviews, now=self.clock(), count=count, rng=rng, cards_of=self.policy.cards)

    def answer(self, question: Question, text: str) -> tuple[Grade, Attempt]:
        """Grade one answer and commit it to the history at once."""
        rubric, warnings = rubric_for(self.bank, question)
        self.warnings.extend(w for w in warnings if w not in self.warnings)
        result = grade(question, rubric, text, mode=self.mode, judge=self.judge)
        record = attempt_from_grade(
            result, answer=text, rubric=rubric, tags=question.tags, session=self.session, at=self.clock()
        )
        stored = self.history.add(record)
        self.attempts.append(stored)
        return result, stored

    def run(self, picks: Sequence[Pick], ui: QuizUI) -> list[Attempt]:
        """Ask each picked question until the user moves on or quits; returns this session's attempts."""
        for number, pick in enumerate(picks, start=1):
            if self._ask_one(self.bank.question(pick.question_id), number, len(picks), ui) == "quit":
                break
        return self.attempts

    def _in_ui_lang(self, question: Question, result: Grade) -> Grade:
        """The grade as shown: each point's text in the interface language where the rubric has it."""
        if self.ui_lang is None:
            return result
        rubric, _ = rubric_for(self.bank, question)
        texts = {p.id: p.text_in(self.ui_lang) for p in rubric.points}
        points = [p.model_copy(update={"text": texts.get(p.id, p.text)}) for p in result.points]
        return result.model_copy(update={"points": points})

    def _ask_one(self, question: Question, number: int, total: int, ui: QuizUI) -> Choice:
        retry = False
        while True:
            text = ui.ask(question, number, total, retry=retry)
            if not text.strip():
                ui.skipped()
                return "next"
            result, _ = self.answer(question, text)
            ui.show_grade(question, self._in_ui_lang(question, result), text)
            choice = ui.choose(reference_shown=False)
            while choice == "reference":
                ui.show_reference(question)
                choice = ui.choose(reference_shown=True)
            if choice != "retry":
                return choice
            retry = True
