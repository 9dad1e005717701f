"""Gradable opposites in ru/en/de (high/low, large/small, early/late, ...): a language resource for reading which
of two things a text calls high and which low (`grader.engine.roles`). Pure data and one lookup table.

The words of a side are its forms where a stemmer splits them; a word is looked up by stem, as the direction words
of `grader.engine.reversal` are, and the table holds both: a gradable opposite wins where a word is both ("lower").
"""

from __future__ import annotations

from grader.engine.reversal import PAIRS, lexicon

# Gradable opposites, (one side, the other), in ru/en/de: a general language resource (adjectives and adverbs of
# degree, size, time and order), the forms listed where a stemmer splits them. Comparatives of "more"/"less" are
# left out: they relate two things ("more data than parameters"), they do not qualify one.
GRADABLE: tuple[tuple[str, str], ...] = (
    (
        "high higher highest hoch hohe hoher hohen hohes höher höchste высокий высокая высокое высокие высокой высоким "
        "высокую высоко выше",
        "low lower lowest niedrig niedrige niedriger niedrigen niedriges gering geringe geringer geringen geringem "
        "tief tiefe tiefer tiefen низкий низкая низкое "
        "низкие низкой низким низкую низко ниже",
    ),
    (
        "large larger largest big bigger huge groß große großer großen großes größer большой большая большое большие "
        "большим большую больший крупный",
        "small smaller smallest little tiny klein kleine kleiner kleinen kleines маленький маленькая маленькое "
        "маленькие маленьким малый малая малое малые малым мелкий",
    ),
    (
        "many numerous zahlreich zahlreiche многие многочисленные",
        "few wenige weniger немногие",
    ),
    (
        "strong stronger stark starke starker starken stärker сильный сильная сильное сильные сильно сильнее",
        "weak weaker schwach schwache schwacher schwachen schwächer слабый слабая слабое слабые слабо слабее",
    ),
    (
        "long longer lang lange langer langen länger длинный длинная длинное длинные долгий долгая долго",
        "short shorter kurz kurze kurzer kurzen kürzer короткий короткая короткое короткие коротко",
    ),
    (
        "early earlier früh frühe früher frühen ранний ранняя раннее ранние рано",
        "late later spät späte später späten поздний поздняя позднее поздние поздно",
    ),
    (
        "first erste ersten erster erstes первый первая первое первые первых",
        "last final letzte letzten letzter letztes последний последняя последнее последние последних",
    ),
    (
        "wide broad breit breite breiten широкий широкая широкое широкие",
        "narrow schmal schmale schmalen eng enge узкий узкая узкое узкие",
    ),
    (
        "deep deeper tiefgreifend глубокий глубокая глубокое глубокие",
        "shallow flach flache flachen мелкий неглубокий неглубокая неглубокие",
    ),
    (
        "simple simpler einfach einfache einfacher einfachen простой простая простое простые",
        "complex complicated komplex komplexe komplexer komplexen kompliziert сложный сложная сложное сложные",
    ),
    (
        "positive positiv positive positiven положительный положительная положительное положительные",
        "negative negativ negative negativen отрицательный отрицательная отрицательное отрицательные",
    ),
    (
        "maximum maximal maximale maximalen максимальный максимальная максимальное максимальные максимум",
        "minimum minimal minimale minimalen минимальный минимальная минимальное минимальные минимум",
    ),
)
POLAR = {**lexicon(), **lexicon(GRADABLE, first=len(PAIRS))}  # "lower": the adjective's pair, not the verb's
