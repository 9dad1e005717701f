"""Every word report.html shows, in each report language (the page's language is the answers' most common one).

Error reasons come from the code in English; `reason_text` shows the known ones in the page's language (the raw
reason stays in grades.jsonl). Integrity flags are named and explained here too.
"""

from __future__ import annotations

LABELS = {
    "ru": {
        "title": "Результаты проверки", "answers": "ответов", "candidates": "кандидатов", "questions": "вопросов",
        "mode": "режим", "mean": "Средний балл", "graded": "Оценено", "errors": "Не удалось оценить",
        "blank": "Пустых ответов", "unscored": "Без оценки",
        "ranking": "Рейтинг кандидатов", "candidate": "Кандидат", "total": "Сумма", "avg": "Балл",
        "answered": "Ответов", "asked": "Вопросов", "heatmap": "Карта: кандидат × вопрос",
        "difficulty": "Сложность вопросов", "question": "Вопрос", "range": "Разброс", "missed": "Чаще всего упускают",
        "details": "Ответы", "missing": "Не раскрыто", "no_evidence": "Совпадений с эталоном не найдено.",
        "error": "Ошибка", "line": "строка",
        "shown": "Подробно показаны первые {n} строк из {total}; все строки — в grades.jsonl и grades.csv.",
        "clipped": "Ответ обрезан: показано {n} из {total} символов.", "reasons": "Почему не удалось оценить",
        "heat_clipped": "Показаны первые {n} кандидатов рейтинга.", "of": "из",
        "rank_note": "Балл — сумма баллов по заданным кандидату вопросам, делённая на их число: пустой ответ и "
                     "ответ, который не удалось оценить (и с неизвестным id вопроса), дают 0. По нему же места в "
                     "рейтинге и полоса.",
        "cell_blank": "пусто", "cell_error": "ошибка", "cell_none": "не задан", "cell_twice": "ответов на вопрос: {n}",
        "legend": "Ячейки: балл 0–100; «пусто» — ответ пустой (0); «ошибка» — не удалось оценить (0); "
                  "«·» — вопрос кандидату не задавали.",
        "integrity": "Ответы, которые стоит проверить", "integrity_none": "Подозрительных ответов не найдено.",
        "integrity_note": "Отметки не меняют баллы: они показывают, какие ответы прочитать самому.",
        "flag": "Отметка", "who": "Кандидаты", "rows": "Строки",
        "groups": "Группы похожих ответов", "group_size": "Ответов", "group_first": "Первый ответ группы",
        "groups_note": "Ответы на вопрос, раскрывающие и упускающие одни и те же пункты, собраны в группу: "
                       "прочитайте один ответ группы — остальные устроены так же.",
        "covered_n": "раскрыто пунктов: {n}", "blank_group": "пустые ответы",
    },
    "en": {
        "title": "Grading results", "answers": "answers", "candidates": "candidates", "questions": "questions",
        "mode": "mode", "mean": "Mean score", "graded": "Graded", "errors": "Could not grade",
        "blank": "Blank answers", "unscored": "Unscored",
        "ranking": "Candidate ranking", "candidate": "Candidate", "total": "Sum", "avg": "Score",
        "answered": "Answers", "asked": "Questions", "heatmap": "Heat map: candidate × question",
        "difficulty": "Question difficulty", "question": "Question", "range": "Range", "missed": "Most missed",
        "details": "Answers", "missing": "Missing", "no_evidence": "No match with the reference found.",
        "error": "Error", "line": "line",
        "shown": "The first {n} of {total} rows are shown in detail; all rows are in grades.jsonl and grades.csv.",
        "clipped": "Answer clipped: {n} of {total} characters shown.", "reasons": "Why rows could not be graded",
        "heat_clipped": "The first {n} candidates of the ranking are shown.", "of": "of",
        "rank_note": "Score: the sum of the candidate's scores over the questions they were asked, divided by their "
                     "number; a blank answer and one that could not be graded (an unknown question id too) count 0. "
                     "Rank and bar come from it.",
        "cell_blank": "blank", "cell_error": "error", "cell_none": "not asked", "cell_twice": "answers to it: {n}",
        "legend": "Cells: score 0–100; “blank”: the answer was empty (0); “error”: it could not be graded (0); "
                  "“·”: the question was not asked.",
        "integrity": "Answers to check", "integrity_none": "No suspicious answer found.",
        "integrity_note": "Flags never change a score: they point at answers to read yourself.",
        "flag": "Flag", "who": "Candidates", "rows": "Rows",
        "groups": "Groups of similar answers", "group_size": "Answers", "group_first": "First answer of the group",
        "groups_note": "Answers to a question that cover and miss the same points form a group: read one, "
                       "the others are built the same way.",
        "covered_n": "points covered: {n}", "blank_group": "blank answers",
    },
}  # fmt: skip
LABELS["de"] = LABELS["en"]  # no German page yet: English, never a mix

FLAGS = {
    "ru": {
        "copied_reference": ("копия эталона", "ответ почти дословно повторяет эталонный ответ"),
        "repetition": ("повторы", "одни и те же предложения или слова повторены много раз (набивка объёма)"),
        "shared_answer": ("одинаковые ответы", "у разных кандидатов почти одинаковый ответ на один вопрос"),
        "duplicate_answer": ("два ответа", "кандидат ответил на вопрос больше одного раза; балл — среднее"),
    },
    "en": {
        "copied_reference": ("copied reference", "the answer is the reference answer, verbatim or nearly"),
        "repetition": ("repetition", "the same sentences or words repeated many times (padding)"),
        "shared_answer": ("shared answer", "different candidates gave near-identical answers to one question"),
        "duplicate_answer": ("answered twice", "the candidate answered the question more than once; score: the mean"),
    },
}
FLAGS["de"] = FLAGS["en"]
OTHER_FLAGS = {  # the other flags a grade may carry, as its badge shows them
    "ru": {"empty": "пустой ответ", "keyword_list": "список терминов", "exemplars": "по примерам",
           "calibrated": "откалибровано", "injection_suspected": "попытка управлять проверкой",
           "unverified_quote": "цитата не найдена в ответе", "off_topic": "не по вопросу",
           "misconception": "ошибочное утверждение", "reversed": "наоборот", "other_term": "о другом термине",
           "asked": "вопросы вместо ответа", "disowned": "отвергает верное",
           "vague": "связь не названа",
           "hedged": "и то, и обратное",
           "unsupported_quote": "цитата не из ответа", "llm_capped": "судья ограничен", "judge_disagrees":
           "судья не согласен", "judge_failed_points": "пункты без судьи",
           "judge_timeout": "судья не ответил вовремя", "judge_unavailable": "судья недоступен",
           "judge_unparseable": "ответ судьи не прочитан", "judge_error": "ошибка судьи"},
    "en": {"empty": "blank", "keyword_list": "keyword list", "exemplars": "taught by examples",
           "calibrated": "calibrated", "injection_suspected": "tries to steer the grader",
           "unverified_quote": "quote not found in the answer", "off_topic": "off topic",
           "misconception": "wrong claim", "reversed": "the other way round", "other_term": "another term",
           "asked": "asks instead of answering", "disowned": "rejects what is right",
           "vague": "vague relation",
           "hedged": "hedged both ways",
           "unsupported_quote": "quote not from the answer", "llm_capped": "judge capped", "judge_disagrees":
           "judge disagrees", "judge_failed_points": "points without the judge",
           "judge_timeout": "judge timed out", "judge_unavailable": "judge unavailable",
           "judge_unparseable": "judge's reply unreadable", "judge_error": "judge error"},
}  # fmt: skip
OTHER_FLAGS["de"] = OTHER_FLAGS["en"]


def flag_text(flag: str, lang: str) -> str:
    """A grade's flag as the page shows it (as is when there is no name for it)."""
    named = FLAGS.get(lang, FLAGS["en"]).get(flag)
    return named[0] if named else OTHER_FLAGS.get(lang, OTHER_FLAGS["en"]).get(flag, flag)

REASONS = {  # the start of an error message (see `grader.batch.summary.reason_of`) -> what the page says
    "ru": {
        "unknown question id": "неизвестный id вопроса",
        "no question_id, and no question and reference": "нет ни id вопроса, ни вопроса с эталоном",
        "grading failed": "сбой при оценке",
        "not valid JSON": "строка не JSON",
        "not a JSON object": "строка не объект JSON",
        "empty id": "пустой id строки",
    },
}


def reason_text(reason: str, lang: str) -> str:
    """A counted error reason in the page's language (as is when there is no translation)."""
    table = REASONS.get(lang, {})
    for start, text in table.items():
        if reason.startswith(start):
            return text
    return reason
