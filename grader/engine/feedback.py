"""Feedback text in the answer's language: what was covered, what is missing, what to study next. Pure."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from functools import lru_cache

from grader.models import PointResult

_TEXT: dict[str, dict[str, str]] = {
    "ru": {
        "empty": "Ответа нет. Начните с главного: {first}",
        "all": "Отлично: раскрыты все ключевые пункты ({n}).",
        "some": "Раскрыто {covered} из {n} ключевых пунктов.",
        "none": "Ни один ключевой пункт не раскрыт.",
        "none_lifted": "Ни один ключевой пункт не найден в словах эталона; оценка допускает, что они сказаны другими "
        "словами.",
        "partial": "Раскрыто частично: {items}.",
        "missing": "Не хватает: {items}.",
        "required": "Без обязательного пункта ответ не может получить высокую оценку.",
        "req_mark": " (обязательный)",
        "keywords": "Ответ похож на список терминов: объясните их связь полными предложениями.",
        "asked": "Ответ задаёт вопросы вместо ответа: то, о чём только спрошено, не засчитывается.",
        "disowned": "Ответ называет неверным то, что верно: отвергнутые утверждения не засчитываются.",
        "vague": "Ответ лишь называет термины («что-то связанное с …»): объясните, как именно они связаны.",
        "off_topic": "Большая часть ответа не о том, о чём вопрос ({words}): ответьте на заданный вопрос.",
        "aside": "Многое в ответе не упомянуто ни в вопросе, ни в эталоне ({words}): проверьте, что ответ о "
        "заданном вопросе.",
        "wrong": "Ошибка: {items}",
        "reversed": "«{claim}» — наоборот. Верно: {right}",
        "swapped": "«{claim}» — роли перепутаны. Верно: {right}",
        "hedged": "«{claim}» — сказано и то, и обратное, то есть ничего. Верно: {right}",
        "other_term": "«{claim}» — это о другом понятии («{other}»), а вопрос о «{asked}».",
        "study": "Что повторить:",
    },
    "en": {
        "empty": "No answer. Start with the essentials: {first}",
        "all": "Excellent: all key points are covered ({n}).",
        "some": "{covered} of {n} key points covered.",
        "none": "None of the key points is covered.",
        "none_lifted": "None of the key points is found in the reference's own words; the score allows for them "
        "said in other words.",
        "partial": "Partly covered: {items}.",
        "missing": "Missing: {items}.",
        "required": "Without its required points the answer cannot score high.",
        "req_mark": " (required)",
        "keywords": "The answer reads like a list of terms: explain how they connect, in full sentences.",
        "asked": "The answer asks questions instead of answering: what it only asks earns nothing.",
        "disowned": "The answer calls wrong what is right: the claims it rejects earn nothing.",
        "vague": "The answer only says the terms have something to do with it: say how they relate.",
        "off_topic": "Most of the answer is about something the question does not ask about ({words}): answer the "
        "question asked.",
        "aside": "Much of the answer speaks of things neither the question nor the reference mentions ({words}): "
        "make sure it answers the question asked.",
        "wrong": "Wrong: {items}",
        "reversed": "“{claim}” is the other way round. In fact: {right}",
        "swapped": "“{claim}” mixes up which is which. In fact: {right}",
        "hedged": "“{claim}” says both one thing and its opposite, so it says nothing. In fact: {right}",
        "other_term": "“{claim}” explains another term (“{other}”); the question asks about “{asked}”.",
        "study": "Study next:",
    },
    "de": {
        "empty": "Keine Antwort. Beginnen Sie mit dem Wesentlichen: {first}",
        "all": "Ausgezeichnet: alle Kernpunkte sind abgedeckt ({n}).",
        "some": "{covered} von {n} Kernpunkten abgedeckt.",
        "none": "Keiner der Kernpunkte ist abgedeckt.",
        "none_lifted": "Keiner der Kernpunkte steht in den Worten der Musterlösung; die Punktzahl rechnet damit, dass "
        "sie mit anderen Worten gesagt sind.",
        "partial": "Teilweise abgedeckt: {items}.",
        "missing": "Es fehlt: {items}.",
        "required": "Ohne die Pflichtpunkte kann die Antwort nicht hoch bewertet werden.",
        "req_mark": " (Pflicht)",
        "keywords": "Die Antwort liest sich wie eine Liste von Begriffen: erklären Sie die Zusammenhänge.",
        "asked": "Die Antwort stellt Fragen, statt zu antworten: nur Gefragtes zählt nicht.",
        "disowned": "Die Antwort nennt falsch, was richtig ist: verworfene Aussagen zählen nicht.",
        "vague": "Die Antwort nennt nur Begriffe („irgendwas mit …“): erklären Sie, wie sie zusammenhängen.",
        "off_topic": "Die Antwort spricht größtenteils von etwas anderem, als gefragt ist ({words}): beantworten Sie "
        "die gestellte Frage.",
        "aside": "Vieles in der Antwort kommt weder in der Frage noch in der Musterlösung vor ({words}): prüfen Sie, "
        "ob sie die gestellte Frage beantwortet.",
        "wrong": "Falsch: {items}",
        "reversed": "„{claim}“ ist umgekehrt richtig: {right}",
        "swapped": "„{claim}“ vertauscht die Rollen. Richtig ist: {right}",
        "hedged": "„{claim}“ behauptet eines und sein Gegenteil, sagt also nichts. Richtig ist: {right}",
        "other_term": "„{claim}“ erklärt einen anderen Begriff („{other}“); gefragt ist nach „{asked}“.",
        "study": "Als Nächstes lernen:",
    },
}


def phrase(lang: str, key: str, **kw: object) -> str:
    return _TEXT.get(lang, _TEXT["en"])[key].format(**kw)


@lru_cache(maxsize=4096)  # a rubric's few point texts, shortened for every grade
def _short(text: str, limit: int = 80) -> str:
    return shorten(text, limit)


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """"1 error", "2 errors", "0 errors": an English count with its noun agreeing."""
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


def shorten(text: str, limit: int) -> str:
    """`text` on one line in at most `limit` characters, cut between words (never inside one) with "…"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if text[limit - 1].isalnum() and cut[-1].isalnum() and " " in cut:  # the cut falls inside a word
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:—–-([{«„“\"'") + "…"


def short(text: str, limit: int = 80) -> str:
    """`text` on one line, cut to `limit` characters with an ellipsis."""
    return _short(text, limit)


def is_contradicted(p: PointResult) -> bool:
    return p.verdict == "contradicted" and p.status != "covered"


def _study_order(p: PointResult) -> tuple[bool, float, float]:
    return not p.required, -p.weight, p.score


def study_next(points: Sequence[PointResult], spare: Collection[str] = ()) -> list[str]:
    """Hints of the points not covered, heaviest (and required) first; a contradicted point's hint only when its
    feedback does not already say it; none for `spare` points (alternatives of a menu already answered:
    `grader.engine.scoring.spare`)."""
    todo = [p for p in points if p.status != "covered" and p.id not in spare
            and not (is_contradicted(p) and p.hint in (p.feedback or ""))]  # fmt: skip
    if len(todo) > 1:
        todo.sort(key=_study_order)
    return [p.hint or p.text for p in todo]


def summary(points: Sequence[PointResult], lang: str, flags: Sequence[str] = ()) -> str:
    """The feedback's verdict without naming points: for a screen that lists every point with its hint already."""
    n = len(points)
    covered = sum(p.status == "covered" for p in points)
    lines = [phrase(lang, "all", n=n) if covered == n else
             phrase(lang, "some", covered=covered, n=n) if covered else phrase(lang, "none")]  # fmt: skip
    if any(p.required and p.status == "missing" for p in points):
        lines.append(phrase(lang, "required"))
    if "keyword_list" in flags:
        lines.append(phrase(lang, "keywords"))
    lines += [phrase(lang, flag) for flag in ("asked", "disowned", "vague") if flag in flags]
    if "off_topic" in flags:
        lines.append(_off_topic(lang))
    return " ".join(lines)


NAMED_WORDS = 3  # words of an off-topic answer named in its feedback


def _quote(lang: str) -> str:
    return "«{}»" if lang == "ru" else "„{}“" if lang == "de" else "“{}”"


def _off_topic(lang: str, unrelated: Sequence[str] = (), strong: bool = True) -> str:
    """The line on words about something else, naming the most informative of them (when known): that the answer
    is about something else (`strong`, flagged `off_topic`), or only that much of it is not in the question or
    reference."""
    words = ", ".join(_quote(lang).format(w) for w in unrelated[:NAMED_WORDS])
    text = phrase(lang, "off_topic" if strong else "aside", words=words)
    return text if words else text.replace(" ()", "")


def named_off_topic(feedback: str, lang: str) -> list[str]:
    """The words a `compose`d `feedback` in `lang` names on its line about something else, none when it names none
    (what `_off_topic` wrote, read back: `grader.batch.lean` keeps them as offsets instead of the feedback)."""
    left, right = _quote(lang).split("{}")
    for key in ("off_topic", "aside"):
        before, _, after = phrase(lang, key, words="\x00").partition("\x00")
        start = feedback.find(before)
        end = feedback.find(after, start + len(before)) if start >= 0 else -1
        if end >= 0:
            quoted = feedback[start + len(before) : end].split(", ")
            return [q[len(left) : -len(right)] for q in quoted if q.startswith(left) and q.endswith(right)]
    return []


LIFTED = 0.5  # a score from which an automatic rubric's grade with no point found says the curve allowed for them


def lifted_verdict(auto: bool, score: float | None, statuses: Iterable[str]) -> bool:
    """Whether an automatic rubric's curve gave at least `LIFTED` to an answer with no point found in the rubric's
    words (`statuses`: its points'), so the feedback must not say that nothing is covered (`compose`)."""
    return auto and (score or 0.0) >= LIFTED and "covered" not in statuses


def compose(
    points: Sequence[PointResult],
    lang: str,
    *,
    empty: bool = False,
    flags: Sequence[str] = (),
    hints: Sequence[str] | None = None,
    spare: Collection[str] = (),
    unrelated: Sequence[str] = (),
    lifted: bool = False,
) -> str:
    """One paragraph of feedback, then the hints to study, one per line (`hints`: `study_next(points, spare)`,
    when the caller has it already). `spare` points (alternatives of a menu the answer has already answered) are
    neither counted nor called missing. `unrelated`: the answer's words about something else, most informative
    first, when they lowered its score (said strongly when the grade is flagged `off_topic`). `lifted`: the score
    is at least half though no point was found in the rubric's words (an automatic rubric's curve allows for points
    said in other words): the verdict says so rather than that nothing is covered."""
    if hints is None:
        hints = study_next(points, spare)
    if empty:
        return phrase(lang, "empty", first=hints[0] if points else "")
    if spare:
        points = [p for p in points if p.id not in spare or p.status == "covered" or is_contradicted(p)]
    n = len(points)
    by_status: dict[str, list[PointResult]] = {"covered": [], "partial": [], "missing": [], "wrong": []}
    for p in points:
        by_status["wrong" if is_contradicted(p) else p.status].append(p)
    covered, partial, missing = by_status["covered"], by_status["partial"], by_status["missing"]
    if len(covered) == n and "keyword_list" not in flags:  # terms alone are no "excellent" answer
        lines = [phrase(lang, "all", n=n)]
    elif covered:
        lines = [phrase(lang, "some", covered=len(covered), n=n)]
    else:
        lines = [phrase(lang, "none_lifted" if lifted else "none")]
    # A contradicted point is said once, as what is wrong and what is right, not again among the missing ones.
    wrong = [p.feedback or _short(p.text) for p in by_status["wrong"]]
    if wrong:
        lines.append(phrase(lang, "wrong", items=" ".join(wrong)))
    if partial:
        lines.append(phrase(lang, "partial", items="; ".join(_short(p.text) for p in partial)))
    if missing:
        # Each missing point is named once: a required one is marked in the list, not named again after it.
        mark = phrase(lang, "req_mark")
        items = "; ".join(_short(p.text) + (mark if p.required else "") for p in missing)
        lines.append(phrase(lang, "missing", items=items))
        if any(p.required for p in missing):
            lines.append(phrase(lang, "required"))
    if "keyword_list" in flags:
        lines.append(phrase(lang, "keywords"))
    lines += [phrase(lang, flag) for flag in ("asked", "disowned", "vague") if flag in flags]
    if "off_topic" in flags or unrelated:
        lines.append(_off_topic(lang, unrelated, strong="off_topic" in flags))
    text = " ".join(lines)
    if hints:
        text += "\n" + phrase(lang, "study") + "\n" + "\n".join(f"- {h}" for h in hints)
    return text
