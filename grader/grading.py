"""grade(question, rubric, answer) -> Grade: the one place that composes matching, judges and scoring.

Modes: `lexical` (no network), `llm` (one judge call per answer, every point), `hybrid` (points the lexical
matcher settles stay lexical; one judge call for the rest). In every mode, sentences that address the grader
("ignore previous instructions", "score: 1.0") are blanked out first and the grade is flagged
`injection_suspected`, so an injection can never raise a score.

Grading many answers at once (batch jobs): `grade_many(tasks, mode=..., judge=..., concurrency=16)` returns the
grades in input order, with at most `concurrency` judge calls in flight; `await agrade(...)` and
`await agrade_many(...)` do the same inside your own event loop. One judge failing on one answer (bad reply,
timeout) leaves that grade unscored (`score` None, a `judge_*` flag); a `JudgeError` (no key, no server) stops
the run. A judge's `judge()` is also thread-safe, so `grade()` may be called from worker threads.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from grader import __version__
from grader.engine.feedback import compose, study_next
from grader.engine.matching import AnswerMatch, Evidence, Matcher, PointMatch
from grader.models import Grade, KeyPoint, Lang, Mode, Model, PointResult, Question, Rubric
from grader.engine.scoring import KEYWORD_LIST_CAP, auto_curve, combine, is_keyword_list, status_of
from grader.engine.text import detect_lang, latin_lang

if TYPE_CHECKING:
    from pydantic import TypeAdapter

_MIN_WORDS_FOR_LANG = 3
_START = itemgetter(0)  # an Evidence's start

_matchers: dict[tuple[int, int], Matcher] = {}


def matcher_for(question: Question, rubric: Rubric) -> Matcher:
    """The compiled matcher for this rubric, built once and reused (its word memo is what makes batches fast)."""
    key = (id(question), id(rubric))
    m = _matchers.get(key)
    if m is None or m.rubric is not rubric or m.question != question.question:
        if len(_matchers) > 256:
            _matchers.clear()
        from grader.llm.grounding import piece_may_hold_injection

        m = _matchers[key] = Matcher(rubric, question.question, piece_may_hold_injection)
    return m


def feedback_lang(answer: str, question: Question, match: AnswerMatch | None = None) -> Lang:
    """The answer's language when there is enough of it to tell, else the question's (`match`: the answer's, to
    take the letter counts from)."""
    if len(answer.split(maxsplit=_MIN_WORDS_FOR_LANG)) >= _MIN_WORDS_FOR_LANG:  # without splitting a long answer
        return detect_lang(answer, default=question.lang, counts=match.letters if match is not None else None)
    return question.lang


def lexical_points(rubric: Rubric, match: AnswerMatch, lang: str) -> list[PointResult]:
    """Point results from the matcher's findings, with each point's hint in `lang`."""
    by_id: dict[str, PointMatch] = {p.id: p for p in match.points}
    found: list[dict[str, Any]] = []
    for point in rubric.points:
        pm = by_id[point.id]
        if not pm.score:  # nothing found: the result every such answer shares
            continue
        evidence = [s for c in pm.concepts for s in c.evidence]
        if len(evidence) > 1:
            evidence.sort(key=_START)
        found.append(_fields(point, lang, pm.score, evidence))
    # One call for all points found, ~40% cheaper than one per point; evidence becomes `Span`s from its attributes.
    made = _point_results().validate_python(found, from_attributes=True)
    if len(made) == len(rubric.points):
        return made
    each, shared = iter(made), _missing(rubric, lang)
    return [next(each) if by_id[p.id].score else shared[i] for i, p in enumerate(rubric.points)]


def _fields(point: KeyPoint, lang: str, score: float, evidence: list[Evidence]) -> dict[str, Any]:
    return {
        "id": point.id,
        "text": point.text,
        "status": status_of(score),
        "score": round(score, 4),
        "weight": point.weight,
        "required": point.required,
        "evidence": evidence,
        "hint": point.hint_in(lang),
        "decided_by": "lexical",
    }


_missing_memo: dict[tuple[int, str], tuple[Rubric, list[PointResult]]] = {}


def _missing(rubric: Rubric, lang: str) -> list[PointResult]:
    """Each point's result when nothing of it is found (`PointResult` is frozen, so grades share them)."""
    hit = _missing_memo.get((id(rubric), lang))
    if hit is not None and hit[0] is rubric:
        return hit[1]
    results = _point_results().validate_python([_fields(p, lang, 0.0, []) for p in rubric.points])
    if len(_missing_memo) > 256:
        _missing_memo.clear()
    _missing_memo[(id(rubric), lang)] = (rubric, results)
    return results


@cache
def _point_results() -> TypeAdapter[list[PointResult]]:
    from pydantic import TypeAdapter  # here: a start-up that grades nothing need not import it

    return TypeAdapter(list[PointResult])


def grade_lexical(question: Question, rubric: Rubric, answer: str, *, matcher: Matcher | None = None) -> Grade:
    """Grade by lexical matching alone: no network, deterministic."""
    return _grade_lexical(question, rubric, answer, matcher or matcher_for(question, rubric))[0]


def _grade_lexical(question: Question, rubric: Rubric, answer: str, matcher: Matcher) -> tuple[Grade, AnswerMatch]:
    # Matched first, in the question's language, so the language is told from the letters the matcher counted;
    # matched again only when the answer's language stems Latin words another way (German).
    m = matcher.match(answer, question.lang)
    lang = feedback_lang(answer, question, m)
    if latin_lang(lang) != latin_lang(question.lang):
        m = matcher.match(answer, lang)
    points = lexical_points(rubric, m, lang)
    flags: list[str] = []
    score = combine(points, rubric.needs)
    if rubric.built_by == "auto":
        score = round(auto_curve(score), 4)
    if is_keyword_list(m):
        flags.append("keyword_list")
        score = min(score, KEYWORD_LIST_CAP)
    empty = not answer.strip()
    hints = study_next(points)
    graded = Grade(
        question_id=question.id,
        score=0.0 if empty else score,
        points=points,
        feedback=compose(points, lang, empty=empty, flags=flags, hints=hints),
        mode="lexical",
        lang=lang,
        grader_version=__version__,
        flags=flags,
        study_next=hints,
    )
    return graded, m


def _lexical_guarded(question: Question, rubric: Rubric, answer: str) -> Grade:
    """Lexical grade of the answer with any text addressing the grader blanked out (and flagged); a rubric with
    enough scored golden examples grades the way they were graded (`grader.engine.exemplars`)."""
    from grader.llm.grounding import find_injection

    teacher = None
    if rubric.examples:
        from grader.engine.exemplars import teacher_for

        teacher = teacher_for(question, rubric)
    if teacher is None:
        # Graded first: the matcher's pieces of the answer tell whether it may hold an injection at all, and
        # almost no answer does, so the usual answer is read once.
        result, m = _grade_lexical(question, rubric, answer, matcher_for(question, rubric))
        if not m.flagged:
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
    return judging.plan(question, rubric, answer, mode, matcher_for(question, rubric), feedback_lang(answer, question))


def grade(
    question: Question, rubric: Rubric, answer: str, *, mode: Mode = "lexical", judge: Any = None, repeat: int = 1
) -> Grade:
    """Grade `answer` to `question` against `rubric` in the given mode; `repeat` > 1 re-asks borderline points."""
    if mode == "lexical":
        return _lexical_guarded(question, rubric, answer)
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
    question: Question, rubric: Rubric, answer: str, *, mode: Mode = "lexical", judge: Any = None, repeat: int = 1
) -> Grade:
    """`grade` for an event loop: the judge is awaited (`judge.ajudge`), so many grades can share it."""
    if mode == "lexical":
        return _lexical_guarded(question, rubric, answer)
    from grader.llm import judging

    plan = _plan(question, rubric, answer, mode, judge)
    if plan.request is None:
        return judging.finish(plan, [])
    replies = [await judge.ajudge(plan.request)]
    again = [judging.reask(plan, replies[0], r) for r in range(1, repeat)]
    import asyncio  # here, not at the top: asyncio costs ~15 ms of every `grader` start

    replies += await asyncio.gather(*(judge.ajudge(a) for a in again if a is not None))
    return judging.finish(plan, replies)


class GradeTask(Model):
    """One answer to grade in a batch."""

    question: Question
    rubric: Rubric
    answer: str


async def agrade_many(
    tasks: Sequence[GradeTask], *, mode: Mode = "lexical", judge: Any = None, repeat: int = 1, concurrency: int = 8
) -> list[Grade]:
    """Grades for `tasks` in input order, with at most `concurrency` answers being judged at once."""
    import asyncio

    from grader.llm.judges.cache import judge_session

    gate = asyncio.Semaphore(concurrency)

    async def one(t: GradeTask) -> Grade:
        async with gate:
            return await agrade(t.question, t.rubric, t.answer, mode=mode, judge=judge, repeat=repeat)

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
