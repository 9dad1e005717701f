"""Words a text leaves out with a hyphen, written out: "Trainings- und Testdaten" -> "Trainingsdaten und Testdaten".

German (and Russian, and English with hyphenated compounds) shares the last part of coordinated compounds: "Vor- und
Nachteile", "Ein- oder Ausgabe", "аудио- и видеоданные", "pre- and post-processing". A question that asks about
"Trainings- und Testdaten" names the training data as much as the test data, and what the question names is no
evidence of knowing the answer, or is what a contrast is about (`grader.engine.topics`). The shared part is the
next word's last part: after its hyphen when it has one, else its longest ending that is a word of the language
(wordfreq's lists: "daten" of "Testdaten", "teile" of "Nachteile"). Pure, apart from wordfreq's word lists.
"""

from __future__ import annotations

import re
from functools import lru_cache

from grader.engine.informativeness import zipf

_ELIDED = re.compile(
    r"(?<![\w-])([^\W\d_]{2,})-(\s*(?:,\s*[^\W\d_]{2,}-\s*)*(?:und|oder|bzw\.?|sowie|and|or|и|или)\s+)([^\W\d_][\w-]{3,})",
    re.IGNORECASE,
)
_OTHER_ELIDED = re.compile(r"([^\W\d_]{2,})-(?=\s)")
MIN_PART = 3  # letters the shared part needs
KNOWN = 3.5  # Zipf frequency from which an ending counts as a word of the language


@lru_cache(maxsize=4096)
def expand(text: str, lang: str) -> str:
    """`text` with every elided compound written out (unchanged when it has none)."""
    if "-" not in text:
        return text
    return _ELIDED.sub(lambda m: _written_out(m, lang), text)


def _written_out(m: re.Match[str], lang: str) -> str:
    first, between, last = m.group(1), m.group(2), m.group(3)
    shared = _shared_part(last, lang)
    if shared is None:
        return m.group(0)
    between = _OTHER_ELIDED.sub(lambda k: k.group(1) + shared, between)  # "Ein-, Aus- und Weitergabe"
    return first + shared + between + last


def _shared_part(word: str, lang: str) -> str | None:
    """The last part of a compound `word` that an elided word before it shares ("-processing", "daten")."""
    if "-" in word:
        return word[word.index("-") :]
    low = word.lower()
    for k in range(2, len(low) - MIN_PART + 1):
        if zipf(low[k:], lang) >= KNOWN:
            return low[k:]
    return None
