"""Build grader/engine/data/lemmas-LANG.tsv.gz: word forms whose stem differs from the stem of their lemma.

    pip install simplemma==2.0.0 wordfreq==3.1.1 && python scripts/lemma_table.py

The Snowball stemmer gives some forms of one word different stems (подпись / подписи, getankt / tanken,
fehlendes / fehlen); the matcher then misses a candidate who writes another form than the rubric. simplemma's
lemma dictionaries (ru, en, de) know which forms belong together, but loading one takes seconds. This keeps only
what the stemmer gets wrong, for forms common enough to be written (wordfreq Zipf >= MIN_ZIPF): one line per form,
"form<TAB>stem of its lemma", read at run time by `grader.engine.text` in milliseconds.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import Stemmer
import wordfreq
from simplemma.strategies.dictionaries import DefaultDictionaryFactory

from grader.engine.text import is_stopword, normalise_word

MIN_ZIPF = 1.5
OUT = Path(__file__).resolve().parent.parent / "grader" / "engine" / "data"
NAMES = {"ru": "russian", "en": "english", "de": "german"}


def table(lang: str) -> dict[str, str]:
    stem = Stemmer.Stemmer(NAMES[lang]).stemWord
    out: dict[str, str] = {}
    for form, lemma in DefaultDictionaryFactory().get_dictionary(lang).items():
        form, lemma = normalise_word(str(form)), normalise_word(str(lemma))
        if len(form) < 3 or not form.isalpha() or is_stopword(form) or is_stopword(lemma):
            continue  # function words ("waren" -> "sein") would join every form of "to be"
        if wordfreq.zipf_frequency(form, lang) < MIN_ZIPF:
            continue
        target = stem(lemma)
        if stem(form) != target and len(target) >= 3:
            out[form] = target
    return out


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for lang in NAMES:
        rows = table(lang)
        text = "".join(f"{f}\t{s}\n" for f, s in sorted(rows.items()))
        path = OUT / f"lemmas-{lang}.tsv.gz"
        path.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))
        print(f"{path.name}: {len(rows):,} forms, {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
