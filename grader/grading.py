"""grade(question, rubric, answer) -> Grade: the one place that composes matching, judges and scoring.

Modes: `lexical` (no network), `llm` (one judge call per answer, every point), `hybrid` (points the lexical
matcher settles stay lexical; one judge call for the rest). In every mode, sentences that address the grader
("ignore previous instructions", "score: 1.0") are blanked out first and the grade is flagged
`injection_suspected`, so an injection can never raise a score.

Grading many answers at once (batch jobs): `grade_many(tasks, mode=..., judge=..., concurrency=16)` returns the
grades in input order, with at most `concurrency` judge calls in flight; `await agrade(...)` and
`await agrade_many(...)` do the same inside your own event loop. One judge failing on one answer (bad reply,
timeout) leaves the points it was asked about undecided: scored from the rest when any are decided (flag
`judge_failed_points`), else unscored (`score` None, a `judge_*` flag); a `JudgeError` (no key, no server) stops
the run. A judge's `judge()` is also thread-safe, so `grade()` may be called from worker threads.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from grader.engine.injection import find_injection, may_be_spaced
from grader.engine.lexical import feedback_lang, grade_lexical, grade_lexical_match, matcher_for
from grader.models import Grade, Mode, Model, Question, Rubric


def _lexical_guarded(question: Question, rubric: Rubric, answer: str) -> Grade:
    """Lexical grade of the answer with any text addressing the grader blanked out (and flagged); a rubric with
    enough scored golden examples grades the way they were graded (`grader.engine.exemplars`)."""
    teacher = None
    if any(e.score is not None for e in rubric.examples):  # only scored examples teach (golden ones may not be)
        from grader.engine.exemplars import teacher_for

        teacher = teacher_for(question, rubric)
    if teacher is None:
        # Graded first: the matcher's pieces of the answer tell whether it may hold an injection at all, and
        # almost no answer does, so the usual answer is read once.
        result, m = grade_lexical_match(question, rubric, answer, matcher_for(question, rubric))
        if not m.flagged and not may_be_spaced(answer):
            return result
        injection = find_injection(answer)
        if not injection.suspected:
            return result
        result = grade_lexical(question, rubric, injection.clean)
    else:
        injection = find_injection(answer)
        result = teacher.grade(injection.clean)
    if injection.suspected:
        result.flags.insert(0, "injection_suspected")
    return result


def _plan(question: Question, rubric: Rubric, answer: str, mode: Mode, judge: Any) -> Any:
    from grader.llm import judging

    if judge is None:
        raise ValueError(f"mode {mode!r} needs a judge (see grader.llm.judges)")
    # A judge set up with `fallback = "lexical"` (`--fallback lexical`): points it fails on take their lexical result.
    return judging.plan(question, rubric, answer, mode, matcher_for(question, rubric), feedback_lang(answer, question),
                        fallback=getattr(judge, "fallback", None) == "lexical")


def grade(
    question: Question, rubric: Rubric, answer: str, *, mode: Mode = "lexical", judge: Any = None, repeat: int = 1
) -> Grade:
    """Grade `answer` to `question` against `rubric` in the given mode; `repeat` > 1 re-asks borderline points."""
    if mode == "lexical":
        return _lexical_guarded(question, rubric, answer)
    if not answer.strip():  # a blank answer needs no judge: 0, flagged `empty`
        return _lexical_guarded(question, rubric, answer).model_copy(update={"mode": mode})
    from grader.llm import judging

    plan = _plan(question, rubric, answer, mode, judge)
    if plan.request is None:
        return judging.finish(plan, [])
    replies = [judge.judge(plan.request)]
    for round_ in range(1, repeat):
        again = judging.reask(plan, replies[0], round_)
        if again is not None:
            replies.append(judge.judge(again))
    return judging.finish(plan, replies)


async def agrade(
    question: Question, rubric: Rubric, answer: str, *, mode: Mode = "lexical", judge: Any = None, repeat: int = 1,
    slots: Any = None,
) -> Grade:
    """`grade` for an event loop: the judge is awaited (`judge.ajudge`), so many grades can share it. `slots` (an
    `asyncio.Semaphore`) bounds answers being judged at once: held for the judge's calls only, so the lexical
    pass of the next answers runs while their slots are busy, and the grounding of this reply after it is free."""
    if mode == "lexical":
        return _lexical_guarded(question, rubric, answer)
    if not answer.strip():  # a blank answer needs no judge: 0, flagged `empty`
        return _lexical_guarded(question, rubric, answer).model_copy(update={"mode": mode})
    import asyncio  # here, not at the top: asyncio costs ~15 ms of every `grader` start
    import contextlib

    from grader.llm import judging

    plan = _plan(question, rubric, answer, mode, judge)
    if plan.request is None:
        return judging.finish(plan, [])
    async with slots if slots is not None else contextlib.nullcontext():
        replies = [await judge.ajudge(plan.request)]
        again = [judging.reask(plan, replies[0], r) for r in range(1, repeat)]
        replies += await asyncio.gather(*(judge.ajudge(a) for a in again if a is not None))
    if slots is not None:
        await asyncio.sleep(0)  # whoever waited for the slot sends its request before this reply is graded
    return judging.finish(plan, replies)


class GradeTask(Model):
    """One answer to grade in a batch."""

    question: Question
    rubric: Rubric
    answer: str


async def agrade_many(
    tasks: Sequence[GradeTask], *, mode: Mode = "lexical", judge: Any = None, repeat: int = 1, concurrency: int = 8
) -> list[Grade]:
    """Grades for `tasks` in input order, with at most `concurrency` answers being judged at once (and as many
    again prepared ahead of a free slot)."""
    import asyncio

    from grader.llm.judges.cache import judge_session

    slots, ahead = asyncio.Semaphore(concurrency), asyncio.Semaphore(2 * concurrency)

    async def one(t: GradeTask) -> Grade:
        async with ahead:
            return await agrade(t.question, t.rubric, t.answer, mode=mode, judge=judge, repeat=repeat, slots=slots)

    try:
        async with judge_session(judge), asyncio.TaskGroup() as group:
            running = [group.create_task(one(t)) for t in tasks]
    except BaseExceptionGroup as eg:  # one failing task cancels the rest; surface the first cause as is
        raise eg.exceptions[0] from None
    return [r.result() for r in running]


def grade_many(
    tasks: Sequence[GradeTask], *, mode: Mode = "lexical", judge: Any = None, repeat: int = 1, concurrency: int = 8
) -> list[Grade]:
    """`agrade_many` from synchronous code (runs its own event loop)."""
    if mode == "lexical":
        return [_lexical_guarded(t.question, t.rubric, t.answer) for t in tasks]
    import asyncio

    return asyncio.run(agrade_many(tasks, mode=mode, judge=judge, repeat=repeat, concurrency=concurrency))
