"""grade(question, rubric, answer) -> Grade: the one place that composes matching, judges and scoring."""

from __future__ import annotations

from typing import Any

from grader import __version__
from grader.feedback import compose, study_next
from grader.matching import AnswerMatch, Matcher, PointMatch
from grader.models import Grade, Lang, Mode, PointResult, Question, Rubric
from grader.scoring import KEYWORD_LIST_CAP, auto_curve, combine, is_keyword_list, status_of
from grader.text import detect_lang

_MIN_WORDS_FOR_LANG = 3

_matchers: dict[tuple[int, int], Matcher] = {}


def matcher_for(question: Question, rubric: Rubric) -> Matcher:
    """The compiled matcher for this rubric, built once and reused (its word memo is what makes batches fast)."""
    key = (id(question), id(rubric))
    m = _matchers.get(key)
    if m is None or m.rubric is not rubric or m.question != question.question:
        if len(_matchers) > 256:
            _matchers.clear()
        m = _matchers[key] = Matcher(rubric, question.question)
    return m


def feedback_lang(answer: str, question: Question) -> Lang:
    """The answer's language when there is enough of it to tell, else the question's."""
    if len(answer.split()) >= _MIN_WORDS_FOR_LANG:
        return detect_lang(answer, default=question.lang)
    return question.lang


def lexical_points(rubric: Rubric, match: AnswerMatch, lang: str) -> list[PointResult]:
    """Point results from the matcher's findings, with each point's hint in `lang`."""
    by_id: dict[str, PointMatch] = {p.id: p for p in match.points}
    results = []
    for point in rubric.points:
        pm = by_id[point.id]
        evidence = [s for c in pm.concepts for s in c.evidence]
        evidence.sort(key=lambda s: s.start)
        results.append(
            PointResult(
                id=point.id,
                text=point.text,
                status=status_of(pm.score),
                score=round(pm.score, 4),
                weight=point.weight,
                required=point.required,
                evidence=evidence,
                hint=point.hint_in(lang),
                decided_by="lexical",
            )
        )
    return results


def grade_lexical(question: Question, rubric: Rubric, answer: str, *, matcher: Matcher | None = None) -> Grade:
    """Grade by lexical matching alone: no network, deterministic."""
    lang = feedback_lang(answer, question)
    m = (matcher or matcher_for(question, rubric)).match(answer, lang)
    points = lexical_points(rubric, m, lang)
    flags: list[str] = []
    score = combine(points, rubric.needs)
    if rubric.built_by == "auto":
        score = round(auto_curve(score), 4)
    if is_keyword_list(m):
        flags.append("keyword_list")
        score = min(score, KEYWORD_LIST_CAP)
    empty = not answer.strip()
    return Grade(
        question_id=question.id,
        score=0.0 if empty else score,
        points=points,
        feedback=compose(points, lang, empty=empty, flags=flags),
        mode="lexical",
        lang=lang,
        grader_version=__version__,
        flags=flags,
        study_next=study_next(points),
    )


def grade(question: Question, rubric: Rubric, answer: str, *, mode: Mode = "lexical", judge: Any = None) -> Grade:
    """Grade `answer` to `question` against `rubric` in the given mode."""
    if mode == "lexical":
        return grade_lexical(question, rubric, answer)
    raise NotImplementedError(f"mode {mode!r} needs a judge; LLM grading is not built yet")
