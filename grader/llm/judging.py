"""LLM and hybrid grading as pure steps around the judge call: plan the request, then turn replies into a Grade.

`plan()` finds text aimed at the grader and blanks it out, runs the lexical matcher, and decides which points the
judge must see: all of them in `llm` mode; in `hybrid` mode only those the matcher has not settled (a point is
settled when every one of its concepts is found, none negated). `finish()` grounds every verdict (a covered or
partial point needs a quote found in the answer, flag `unverified_quote`, that is about the point: outside any
sentence aimed at the grader, a few words long, related to the point — flag `unsupported_quote`; otherwise it
counts as missing and says why), takes the majority over re-asks, and scores with the rubric's weights — never
with a number from the model. In `hybrid` mode an answer suspected of injection can lose points through the judge
but never gain one above the lexical result on the cleaned answer (flag `llm_capped`). Callers (sync `grade`,
async `agrade`) only move requests and replies between these steps and a judge.

Degrade, don't drop: when the judge fails on an answer, the points it was not asked about (settled lexically, in
hybrid mode) keep their grade and the answer is scored from them, flagged `judge_failed_points` (the failed ones
earn nothing, so the score is a floor); with `fallback` the failed points take their lexical result instead, in
either mode. Only when nothing at all is decided is the answer unscored. A judge verdict of missing on a point the
lexical matcher found covered is kept, and flagged `judge_disagrees` with the lexical status beside it.

In `hybrid` mode a point that a misconception or a reversed statement touches is never settled lexically: the judge
decides it, seeing the rubric's misconceptions, and may answer `contradicted` with a quote of the wrong claim.
"""

from __future__ import annotations

import re
from collections import Counter

from pydantic import PrivateAttr

from grader import __version__
from grader.engine.contradictions import apply, flags_for
from grader.engine.feedback import compose, study_next
from grader.engine.injection import Injection, find_injection
from grader.engine.matching import AnswerMatch, Matcher
from grader.engine.scoring import KEYWORD_LIST_CAP, combine, keyword_list, spare
from grader.llm.grounding import locate_quote, quote_problem
from grader.llm.judges.base import JudgeReply, JudgeRequest, PointVerdict, Usage, Verdict
from grader.models import Grade, Lang, Mode, Model, PointResult, Question, Rubric, Span

VERDICT_SCORE: dict[str, float] = {"covered": 1.0, "partial": 0.5, "missing": 0.0, "contradicted": 0.0}
_ORDER: tuple[Verdict, ...] = ("contradicted", "missing", "partial", "covered")  # ties go to the first
_UNSUPPORTED = {
    "ru": {"inside_injection": "Цитата взята из текста, обращённого к проверяющему, — пункт не засчитан.",
           "too_short": "Цитата слишком коротка, чтобы что-то показать, — пункт не засчитан.",
           "unrelated": "Цитата не относится к этому пункту — пункт не засчитан."},
    "en": {"inside_injection": "The quote comes from text addressed to the grader, so the point does not count.",
           "too_short": "The quote is too short to show anything, so the point does not count.",
           "unrelated": "The quote is not about this point, so the point does not count."},
    "de": {"inside_injection": "Das Zitat stammt aus Text an den Bewerter; der Punkt zählt nicht.",
           "too_short": "Das Zitat ist zu kurz, um etwas zu zeigen; der Punkt zählt nicht.",
           "unrelated": "Das Zitat gehört nicht zu diesem Punkt; der Punkt zählt nicht."},
}
_CAPPED = {
    "ru": "Ответ похож на попытку управлять оценкой: модель не может поднять пункт выше лексической проверки.",
    "en": "The answer looks like it tries to steer the grade: the model cannot raise a point above the lexical check.",
    "de": "Die Antwort versucht offenbar, die Bewertung zu lenken: das Modell hebt keinen Punkt über die lexikalische "
          "Prüfung.",
}
_UNVERIFIED = {
    "ru": "Цитата не найдена в ответе — пункт не засчитан.",
    "en": "The quote is not in the answer, so the point does not count.",
    "de": "Das Zitat steht nicht in der Antwort; der Punkt zählt nicht.",
}


class Plan(Model):
    """Everything `finish` needs besides the replies; `request` is None when the judge need not be asked."""

    question: Question
    rubric: Rubric
    answer: str
    mode: Mode
    lang: Lang
    injection: Injection
    lexical: list[PointResult]
    keyword_list: bool
    touched: dict[str, str] = {}  # point id -> "misconception" or "reversal", from the lexical pass
    caps: dict[str, float] = {}  # point id -> the score cap of a misconception of it
    request: JudgeRequest | None
    fallback: bool = False  # a failed judge call falls back to the lexical result of the points asked
    # (point id, verdict, quote) -> `_support`'s answer: a verdict is weighed, voted on and written out, and grounding
    # a quote (finding it, matching it against the point) is most of the CPU a reply costs
    _grounds: dict[tuple[str, str, str], tuple[Span | None, str | None]] = PrivateAttr(default_factory=dict)


def settled(match: AnswerMatch) -> set[str]:
    """Points the lexical matcher settles with confidence: every concept found, none negated."""
    return {p.id for p in match.points if p.concepts and all(c.matched and not c.negated for c in p.concepts)}


def for_model(injection: Injection) -> str:
    """The text the judge sees: the answer with suspicious sentences replaced by a visible gap."""
    return re.sub(r" {3,}", " […] ", injection.clean) if injection.suspected else injection.clean


def plan(question: Question, rubric: Rubric, answer: str, mode: Mode, matcher: Matcher, lang: Lang, *,
         fallback: bool = False) -> Plan:
    """Blank out injection, match lexically, and choose the points to ask the judge about."""
    from grader.engine.lexical import contradictions, lexical_points

    injection = find_injection(answer)
    named = matcher.match(injection.clean, lang)  # every term named: whether the answer only lists them
    match, found = contradictions(question, rubric, injection.clean, named, lang, matcher)
    lexical = apply(lexical_points(rubric, match, lang), found)
    touched: dict[str, str] = {c.point: c.cause for c in sorted(found, key=lambda c: c.cause == "misconception")}
    caps = {m.point: m.cap for m in rubric.misconceptions if m.cap is not None}
    done = settled(match) - touched.keys() if mode == "hybrid" else set()
    ask = [p.id for p in rubric.points if p.id not in done]
    request = None
    if ask and injection.clean.strip():
        request = JudgeRequest(question=question, rubric=rubric, answer=for_model(injection), point_ids=ask, lang=lang)
    return Plan(question=question, rubric=rubric, answer=answer, mode=mode, lang=lang, injection=injection,
                lexical=lexical, keyword_list=keyword_list(named, question.question, question.reference, lang),
                request=request, fallback=fallback, touched=touched, caps=caps)


def reask(p: Plan, first: JudgeReply, round_: int) -> JudgeRequest | None:
    """A re-ask (`--repeat`) for the borderline points of the first reply: partial, or a quote not in the answer."""
    if p.request is None or first.error:
        return None
    borderline = [v.id for v in first.verdicts if _effective(v, p) == "partial" or not _grounded(v, p)]
    if not borderline:
        return None
    return p.request.model_copy(update={"point_ids": borderline, "round": round_})


def _support(v: PointVerdict, p: Plan) -> tuple[Span | None, str | None]:
    """Where a covered or partial verdict's quote is in the cleaned answer, and why it cannot support the point
    ("not_found", or a `quote_problem`); (None, None) for other verdicts. Worked out once per verdict and plan."""
    if v.verdict not in ("covered", "partial"):
        return None, None
    key = (v.id, v.verdict, v.quote)
    found = p._grounds.get(key)
    if found is None:
        found = p._grounds[key] = _ground(v, p)
    return found


def _ground(v: PointVerdict, p: Plan) -> tuple[Span | None, str | None]:
    span = locate_quote(v.quote, p.injection.clean)
    if span is None:
        return None, "not_found"
    point = next((pt for pt in p.rubric.points if pt.id == v.id), None)
    if point is None:
        return span, None
    from grader.engine.lexical import matcher_for

    return span, quote_problem(span, point, matcher_for(p.question, p.rubric), p.lang, p.injection.spans)


def _grounded(v: PointVerdict, p: Plan) -> bool:
    return _support(v, p)[1] is None


def _effective(v: PointVerdict, p: Plan) -> Verdict:
    return v.verdict if _grounded(v, p) else "missing"


def _vote(votes: list[PointVerdict], p: Plan) -> tuple[PointVerdict, float | None]:
    """The majority verdict (after grounding) and the share of votes agreeing with it (None for a single vote)."""
    counts = Counter(_effective(v, p) for v in votes)
    best = max(_ORDER, key=lambda verdict: (counts[verdict], -_ORDER.index(verdict)))
    chosen = next((v for v in votes if _effective(v, p) == best), votes[0])
    return chosen, (round(counts[best] / len(votes), 4) if len(votes) > 1 else None)


def _llm_point(base: PointResult, votes: list[PointVerdict], p: Plan) -> PointResult:
    v, stability = _vote(votes, p)
    span, problem = _support(v, p)
    if v.verdict == "contradicted":  # the contradicting claim, as evidence (the verdict only lowers the point)
        span = locate_quote(v.quote, p.injection.clean)
    verified = None if v.verdict in ("missing", "contradicted") else problem != "not_found"
    verdict = v.verdict if problem is None else "missing"
    feedback = v.feedback.strip() or (base.feedback or "" if verdict == "contradicted" else "")
    if problem == "not_found":
        feedback = (_UNVERIFIED.get(p.lang, _UNVERIFIED["en"]) + " " + feedback).strip()
    elif problem is not None:
        feedback = (_UNSUPPORTED.get(p.lang, _UNSUPPORTED["en"])[problem] + " " + feedback).strip()
    return base.model_copy(update={
        "status": "covered" if verdict == "covered" else "partial" if verdict == "partial" else "missing",
        "score": VERDICT_SCORE[verdict], "evidence": [span] if span and problem is None else [], "decided_by": "llm",
        "verdict": v.verdict, "quote": v.quote or None, "quote_verified": verified, "feedback": feedback or None,
        "stability": stability,
    })


def _capped(point: PointResult, lexical: PointResult, p: Plan) -> PointResult:
    """A hybrid point of an answer suspected of injection: the judge may lower it, never raise it above `lexical`."""
    if p.mode != "hybrid" or not p.injection.suspected or point.score <= lexical.score:
        return point
    note = _CAPPED.get(p.lang, _CAPPED["en"])
    return lexical.model_copy(update={"decided_by": "lexical", "verdict": point.verdict, "quote": point.quote,
                                      "quote_verified": point.quote_verified,
                                      "feedback": (note + " " + (point.feedback or "")).strip()})


def finish(p: Plan, replies: list[JudgeReply]) -> Grade:
    """The grade from the lexical results and the judge's replies (first reply, then re-asks)."""
    usage = sum((r.usage for r in replies), Usage())
    if replies and replies[0].error:
        return degraded(p, replies[0], usage)
    votes: dict[str, list[PointVerdict]] = {}
    for r in replies:
        if not r.error:
            for v in r.verdicts:
                votes.setdefault(v.id, []).append(v)
    points, capped = [], False
    for b in p.lexical:
        if b.id not in votes:
            points.append(_settled(b, p))
            continue
        judged = _llm_point(b, votes[b.id], p)
        held = _capped(judged, b, p)
        capped |= held is not judged
        points.append(_disagreement(held, b))
    said = replies[0].feedback.strip() if replies else ""
    return _graded(p, points, usage, said, cached=bool(replies) and all(r.cached for r in replies),
                   extra_flags=("llm_capped",) if capped else ())


def _graded(p: Plan, points: list[PointResult], usage: Usage, said: str, *, cached: bool,
            failed: list[str] | None = None, extra_flags: tuple[str, ...] = ()) -> Grade:
    flags = _flags(p, points) + list(extra_flags)
    groups = p.rubric.group_needs()
    score = combine(points, p.rubric.needs, groups)
    for pt in points:
        if pt.verdict == "contradicted" and pt.id in p.caps:
            score = min(score, p.caps[pt.id])
    if p.keyword_list:
        score = min(score, KEYWORD_LIST_CAP)
    left = spare(points, p.rubric.needs, groups)
    hints = study_next(points, left)
    feedback = compose(points, p.lang, flags=flags, hints=hints, spare=left)
    if said:
        head, _, rest = feedback.partition("\n")
        feedback = f"{head} {said}" + (f"\n{rest}" if rest else "")
    return Grade(question_id=p.question.id, score=score if p.injection.clean.strip() else 0.0, points=points,
                 feedback=feedback, mode=p.mode, lang=p.lang, grader_version=__version__, flags=flags,
                 study_next=hints, usage=usage.as_dict(), cached=cached, failed_points=failed)


def _disagreement(judged: PointResult, lexical: PointResult) -> PointResult:
    """A judged point that the lexical matcher found covered but the judge calls missing keeps both statuses."""
    if lexical.status == "covered" and judged.status == "missing":
        return judged.model_copy(update={"lexical_status": lexical.status})
    return judged


_FAILED = {
    "ru": "Модель не оценила {n} пункт(а) ({why}); оценка по остальным.",
    "en": "The judge failed on {n} point(s) ({why}); scored from the others.",
    "de": "Das Modell hat {n} Punkt(e) nicht bewertet ({why}); bewertet nach den übrigen.",
}


def degraded(p: Plan, reply: JudgeReply, usage: Usage) -> Grade:
    """The grade when the judge failed on this answer: from what is decided without it, else unscored."""
    asked = set(p.request.point_ids) if p.request else set()
    if not p.fallback and not any(b.id not in asked for b in p.lexical):
        return unscored(p, reply, usage)
    failed = [b.id for b in p.lexical if b.id in asked]
    none = {"decided_by": "none", "status": "missing", "score": 0.0, "evidence": []}
    points = [b if b.id not in asked else b if p.fallback else b.model_copy(update=none) for b in p.lexical]
    why = reply.error or "no reply"
    said = _FAILED.get(p.lang, _FAILED["en"]).format(n=len(failed), why=why[:120])
    flags = ("judge_failed_points", f"judge_{reply.error_kind or 'error'}")
    return _graded(p, points, usage, said, cached=False, failed=failed, extra_flags=flags)


def _settled(b: PointResult, p: Plan) -> PointResult:
    """A point the judge was not asked about: the lexical result (hybrid), or missing when nothing was left."""
    if p.mode == "hybrid" or p.request is None:
        return b
    return b.model_copy(update={"decided_by": "none"})


def _flags(p: Plan, points: list[PointResult]) -> list[str]:
    flags = []
    if p.injection.suspected:
        flags.append("injection_suspected")
    if any(pt.quote_verified is False for pt in points):
        flags.append("unverified_quote")
    if any(pt.decided_by == "llm" and pt.quote_verified and pt.verdict in ("covered", "partial")
           and pt.status == "missing" for pt in points):
        flags.append("unsupported_quote")
    if p.keyword_list:
        flags.append("keyword_list")
    if any(pt.lexical_status for pt in points):
        flags.append("judge_disagrees")
    causes = {p.touched.get(pt.id, "misconception") for pt in points if pt.verdict == "contradicted"}
    flags += flags_for(causes)
    return flags


def unscored(p: Plan, reply: JudgeReply, usage: Usage) -> Grade:
    """A grade that could not be made: score None, the reason in the feedback and a `judge_<kind>` flag."""
    points = [b.model_copy(update={"decided_by": "none", "status": "missing", "score": 0.0, "evidence": []})
              if p.request and b.id in p.request.point_ids else b for b in p.lexical]
    flags = [f"judge_{reply.error_kind or 'error'}"] + (["injection_suspected"] if p.injection.suspected else [])
    return Grade(question_id=p.question.id, score=None, points=points, feedback=reply.error or "unscored",
                 mode=p.mode, lang=p.lang, grader_version=__version__, flags=flags, usage=usage.as_dict(),
                 cached=False)
