"""Interface strings of the interactive commands in Russian and English, and the default from the locale.

Only the interface: grading feedback comes in the answer's language from `grader.engine.feedback`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Literal

UiLang = Literal["ru", "en"]

_TEXT: dict[str, dict[str, str]] = {
    "ru": {
        "intro": "Вопросов: {n}. Ответ — своими словами; закончить — пустая строка дважды или Ctrl-D; выйти — Ctrl-C.",
        "question": "Вопрос {n}/{total}",
        "answer_prompt": "Ваш ответ (пустая строка дважды — готово):",
        "retry_prompt": "Ещё раз (пустая строка дважды — готово):",
        "skipped": "Пустой ответ — вопрос пропущен.",
        "score": "Оценка:",
        "unscored": "без оценки",
        "covered": "Раскрыто",
        "partial": "Частично",
        "missing": "Не хватает",
        "required": "(обязательный)",
        "hint": "Подсказка:",
        "reference": "Эталонный ответ",
        "menu": "[Enter/д] дальше · [п] ещё раз · [э] эталон · [в] выход ›",
        "menu_after_reference": "[Enter/д] дальше · [п] ещё раз · [в] выход ›",
        "interrupted": "Прервано. Всё, что уже оценено, сохранено.",
        "draft_saved": "Недописанный ответ сохранён: {path}",
        "draft_shown": "Ваш недописанный ответ с прошлого раза ({path}; удалится, когда вы ответите):",
        "summary": "Ответов оценено: {n}, средняя оценка {avg}. История: {db}",
        "nothing": "Вопросов для повторения нет.",
        "no_history": "История пуста: начните с `grader quiz`.",
        "stats_head": "Попыток: {attempts}, вопросов: {questions}, средняя по последним ответам: {avg}",
        "by_question": "По вопросам",
        "by_tag": "По тегам",
        "trend": "По дням",
        "missed": "Чаще всего упускаете",
        "col_question": "вопрос",
        "col_attempts": "попыток",
        "col_best": "лучшая",
        "col_last": "последняя",
        "col_box": "коробка",
        "col_due": "повторить",
        "col_tag": "тег",
        "col_avg": "средняя",
        "col_day": "день",
        "col_point": "пункт",
        "col_missed": "упущен",
        "now": "сейчас",
        "chose_next": "дальше",
        "chose_retry": "ещё раз",
        "chose_reference": "эталон",
        "chose_quit": "выход",
    },
    "en": {
        "intro": "{n} question(s). Answer in your own words; finish with an empty line twice or Ctrl-D; "
        "leave with Ctrl-C.",
        "question": "Question {n}/{total}",
        "answer_prompt": "Your answer (an empty line twice to finish):",
        "retry_prompt": "Try again (an empty line twice to finish):",
        "skipped": "Empty answer: question skipped.",
        "score": "Score:",
        "unscored": "unscored",
        "covered": "Covered",
        "partial": "Partly covered",
        "missing": "Missing",
        "required": "(required)",
        "hint": "Hint:",
        "reference": "Reference answer",
        "menu": "[Enter/n] next · [r] retry · [s] show reference · [q] quit ›",
        "menu_after_reference": "[Enter/n] next · [r] retry · [q] quit ›",
        "interrupted": "Interrupted. Everything graded so far is saved.",
        "draft_saved": "The answer you were typing is saved: {path}",
        "draft_shown": "Your unfinished answer from last time ({path}; removed once you answer):",
        "summary": "Answers graded: {n}, average score {avg}. History: {db}",
        "nothing": "No questions to review.",
        "no_history": "No history yet: start with `grader quiz`.",
        "stats_head": "Attempts: {attempts}, questions: {questions}, average of latest scores: {avg}",
        "by_question": "By question",
        "by_tag": "By tag",
        "trend": "By day",
        "missed": "Missed most often",
        "col_question": "question",
        "col_attempts": "attempts",
        "col_best": "best",
        "col_last": "last",
        "col_box": "box",
        "col_due": "due",
        "col_tag": "tag",
        "col_avg": "average",
        "col_day": "day",
        "col_point": "point",
        "col_missed": "missed",
        "now": "now",
        "chose_next": "next",
        "chose_retry": "retry",
        "chose_reference": "reference",
        "chose_quit": "quit",
    },
}


def say(lang: str, key: str, **kw: object) -> str:
    return _TEXT.get(lang, _TEXT["en"])[key].format(**kw)


def default_ui_lang(env: Mapping[str, str] | None = None) -> UiLang:
    """Russian when the locale (LANGUAGE, LC_ALL, LC_MESSAGES, LANG: the first one set) is Russian, else English."""
    env = os.environ if env is None else env
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if value:
            return "ru" if value.lower().startswith("ru") else "en"
    return "en"
