"""Where a sentence ends: one definition for every reader of sentences (answers, references, the screen). Pure.

A full stop ends a sentence unless it is inside a number, a name or an abbreviation, which a point shows by what is
around it rather than by a list of words:

- a digit follows it and no letter comes before ("0.5", "1.5e-3", "v2.0", "lr .01"): a decimal or version point;
- a small letter follows it at once ("sklearn.metrics", "e.g", "т.е", "d.h"): a point inside a word or a name;
- it stands between one-letter words ("z.B", "U.S"), or closes a run of them ("e.g.", "i.e.", "z. B.", "т. е.",
  "и т.д."): an abbreviation, whose last point ends no sentence either (so "и т.д. Далее" reads as one sentence,
  the price of not splitting "z. B. Bäume").

A point followed at once by a capital after a longer word still ends one ("works.But": a space left out).
"""

from __future__ import annotations

import re

_LETTER = r"[^\W\d_]"
_SMALL = r"[^\W\d_A-ZÀ-ÖØ-ÞА-ЯЁ]"  # a letter that is not a capital of the scripts the grader reads
_ONE = rf"(?<!\w){_LETTER}"  # a word of one letter

# A full stop that ends a sentence (a regex fragment, for patterns that read other ends besides; case-sensitive even
# in a pattern that ignores case, as a small letter after the point is what tells a name).
END_POINT = (
    rf"(?-i:(?<!{_ONE}\.{_LETTER})(?<!{_ONE}\. {_LETTER})"  # not closing an abbreviation ("e.g.", "z. B.")
    r"\."
    rf"(?!{_SMALL})"  # nor inside a word or a name ("sklearn.metrics", "т.е")
    rf"(?!(?<={_ONE}\.)(?:{_LETTER}| {_LETTER}\.))"  # nor after a one-letter word before another ("z.B", "z. B.")
    rf"(?!(?<!{_LETTER}\.)\d))"  # nor a decimal or version point ("0.5", "v2.0"); after a letter it still ends one
)
# A run of what ends a sentence in an answer: the points above, "!", "?", ";" or a line break.
SENTENCE_END = re.compile(rf"(?:[!?;\n]|{END_POINT})+")
