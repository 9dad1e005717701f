"""Language detection, normalisation, stemming and tokenisation with character offsets (ru, en, de).

Tokens keep their offsets into the original text so evidence can point at what the candidate wrote. Cyrillic
tokens are stemmed with the Russian Snowball stemmer; Latin tokens with the English one, or the German one in a
German text, so mixed sentences ("используем dropout и batch normalization") stem each word in its own language.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from operator import itemgetter
from typing import NamedTuple

import Stemmer

from grader.engine.lemmas import LemmaTable, read_table
from grader.models import Lang

# A word: letters and digits, with combining marks inside it (a stress mark, a decomposed й or ё) and apostrophes
# between letters. Underscores split words ("batch_size"), but `_WORD_FAST`, with a cheaper character class, is
# only safe for text without them.
# A number written with a decimal point or comma ("1.0", "0,5", "1.2.3") is one word, not several numbers: the
# digits of "1.0" are no evidence of "0 или 1". Its comma is read as a point (`_analyse`).
_MARKS = "\u0300-\u036f"
_NUMBER = r"(?<![^\W_])[0-9]+(?:[.,][0-9]+)+(?![^\W_])"
_WORD = re.compile(rf"{_NUMBER}|[^\W_](?:[^\W_]|[{_MARKS}])*(?:['’][^\W_](?:[^\W_]|[{_MARKS}])*)*")
_WORD_FAST = re.compile(rf"{_NUMBER}|\w[\w{_MARKS}]*(?:['’]\w[\w{_MARKS}]*)*")
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
# Letters only German writes (ä ö ü ß, in either case): a substring search each, several times faster than a regex.
_GERMAN_CHARS = "äöüßÄÖÜẞ"

STOPWORDS: dict[str, frozenset[str]] = {
    "ru": frozenset(
        """а без более бы был была были было быть в вам вас весь во вот все всего всех вы где да даже для до
            его ее ей ему если есть еще же за здесь и из или им их к как какая какие каких какой
            когда кто ли либо между меня мне может можно мы на над надо наш не него нее нет ни них
            но ну о об однако он она они оно от очень по под при про с со так также такие такой там
            те тем то того тоже той только том тот ту ты у уже хотя чего чей чем что чтобы чье эта
            эти это этого этой этом этот эту я является являются которые который которая которое
            которых которым котором каждый каждом каждая свой своей своих свои себя себе вообще
            всегда иногда часто где-то например т.е также то есть либо ли бы бывает будет будут
            через после перед потом затем тогда поэтому потому почему зачем сам сама сами само самый
            весьма много мало более менее нужно нужен должен должна должны
            среди вдоль внутри вне возле против кроме вместо сквозь ради благодаря согласно
            вроде насчет вследствие ввиду изо ото обо подо передо""".split()
    ),
    "en": frozenset(
        """a about above after again against all also am an and any are as at be because been before being
            below between both but by can could did do does doing down during each either else few
            for from further had has have having he her here hers him his how i if in into is it its
            itself just may me might more most must my no nor not of off on once only or other our
            ours out over own same she should so some such than that the their them then there these
            they this those through to too under until up very was we were what when where which
            while who whom why will with would you your e.g. i.e. etc eg ie usually often sometimes
            thing things one ones way ways using use used uses""".split()
    ),
    "de": frozenset(
        """aber alle allem allen aller alles als also am an ander andere anderen auch auf aus bei beim bin bis
            bist da damit dann das dass dasselbe dazu dein dem den denn der des dessen deshalb die
            dies diese diesem diesen dieser dieses doch dort du durch ein eine einem einen einer
            eines er es etwas euch euer für gegen hat hatte hattest ich ihr ihre im in indem ins ist
            ja jede jedem jeden jeder jedes jene kann können könnte man manche mein mich mir mit
            muss musste nach nicht nichts noch nun nur ob oder ohne sehr sein seine sich sie sind so
            solche soll sollte sondern sonst über um und uns unser unter viel vom von vor wann war
            waren warum was weil welche welchem welchen welcher welches wenn wer werde werden wie
            wieder will wir wird wo wurde wurden zu zum zur zwar zwischen bzw z.b""".split()
    ),
}

# Cues that turn the concept after them into its opposite. "не только" / "not only" are not negations.
NEGATIONS = frozenset(
    """не нет без никогда ни not no without never cannot can't don't doesn't didn't isn't aren't wasn't
        weren't won't shouldn't nicht kein keine keinen keinem keiner ohne nie niemals""".split()
)
NOT_NEGATING_NEXT = frozenset({"только", "лишь", "only", "just", "nur", "merely"})
# The negations that are a preposition: they negate the phrase after them ("without children", "ohne Kinder").
NEGATING_PREPOSITIONS = frozenset({"without", "ohne", "без"})

_STEMMER_NAMES: dict[str, str] = {"ru": "russian", "en": "english", "de": "german"}


class Tokens(NamedTuple):
    """Parallel lists for one text: normalised form, stem and [start, end) offsets of each word.

    A NamedTuple of lists rather than a list of models: the matcher walks these for every answer, and this is the
    hot path of batch grading.
    """

    norms: list[str]
    stems: list[str]
    starts: list[int]
    ends: list[int]


@cache
def _stemmer(lang: str) -> Stemmer.Stemmer:
    # Without PyStemmer's own cache: it purges by sorting its entries, 1.5-2.5 µs of every word it has not seen
    # (3x the stemming); `stem_word` memoises in a plain dict instead.
    return Stemmer.Stemmer(_STEMMER_NAMES[lang], 0)


@cache
def _lemma_stems(lang: str) -> LemmaTable:
    """Word forms the stemmer splits from their lemma (подписи / подпись, getankt / tanken), with the stem of the
    lemma: one stem for every form of a word. Made from simplemma's dictionaries by scripts/lemma_table.py."""
    return read_table(lang)


def normalise_word(word: str) -> str:
    """Case-fold, fold ё to е, drop stress marks and unify apostrophes."""
    if word.isascii():
        return word.lower()
    # NFKC first, so a decomposed ё (е + U+0308) is composed before it is folded; Cyrillic has no precomposed
    # stressed vowels, so the acute survives NFKC and is dropped.
    word = unicodedata.normalize("NFKC", word).lower().replace("ё", "е").replace("’", "'")
    return word.replace("\u0301", "").replace("\u0300", "")


_LANG_SAMPLE = 100_000
_NOT_ASCII_LETTER = bytes(b for b in range(256) if not (65 <= b <= 90 or 97 <= b <= 122))


def letter_counts(text: str) -> tuple[int, int]:
    """Cyrillic letters (U+0400-047F) and ASCII letters in `text`; sums over pieces of a text are its counts."""
    # Counted on UTF-8 bytes, several times faster than a regex over the text: every Cyrillic letter of U+0400-047F
    # (а-я, ё and their capitals among them) opens with byte D0 or D1; Latin letters are the ASCII ones.
    data = text.encode("utf-8", "surrogatepass")
    return data.count(b"\xd0") + data.count(b"\xd1"), len(data.translate(None, _NOT_ASCII_LETTER))


def detect_lang(
    text: str,
    default: Lang = "ru",
    *,
    counts: tuple[int, int] | None = None,
    stops: tuple[int, int] | None = None,
) -> Lang:
    """Russian when a fair share of letters are Cyrillic (answers mix in English terms), else German or English.

    `counts`: the text's `letter_counts`, when the caller has them (they are taken over at most `_LANG_SAMPLE`
    characters, so they are used only for a text no longer than that); `stops`: its words that are German and
    English stopwords (`stopword_counts`), likewise, for a text of at most `_STOP_SAMPLE` characters.
    """
    cyr, lat = counts if counts is not None and len(text) <= _LANG_SAMPLE else letter_counts(text[:_LANG_SAMPLE])
    if cyr + lat == 0:
        return default
    if cyr >= 0.3 * (cyr + lat):
        return "ru"
    if any(c in text for c in _GERMAN_CHARS):
        return "de"
    if stops is not None and len(text) <= _STOP_SAMPLE:
        de_hits, en_hits = stops
    else:
        words = [normalise_word(m.group()) for m in _WORD.finditer(text[:_STOP_SAMPLE])]
        de_hits, en_hits = stopword_counts(words)
    return "de" if de_hits > en_hits else "en"


_STOP_SAMPLE = 5000


def stopword_counts(norms: Iterable[str]) -> tuple[int, int]:
    """How many of these normalised words are German stopwords, and how many English ones (sums over pieces of a
    text are its counts)."""
    de_hits = en_hits = 0
    for w in norms:
        de_hits += w in _DE_STOPWORDS
        en_hits += w in _EN_STOPWORDS
    return de_hits, en_hits


def latin_lang(lang: str) -> str:
    """Which stemmer Latin-script words get in a text of `lang`: German in German text, English elsewhere."""
    return "de" if lang == "de" else "en"


def stem_word(norm: str, lang: str) -> str:
    """The stem of one normalised word by the stemmer of `lang` (ru, en or de), whatever its script (memoised)."""
    memo = _stem_memo[lang]
    stem = memo.get(norm)
    if stem is None:
        if len(memo) >= _WORD_CACHE_LIMIT:
            memo.clear()
        stem = _stemmer(lang).stemWord(norm)
        if len(norm) <= MEMO_KEY_MAX:
            memo[norm] = stem
    return stem


_WORD_CACHE_LIMIT = 300_000
# The longest piece, word or token a memo keeps. The memos are bounded in entries; a piece of answer between spaces
# can be as long as the answer (a pasted blob, a hash), so a memo of long keys would hold megabytes per entry. Words
# and pieces this long are rare and cost only their own analysis when not remembered.
MEMO_KEY_MAX = 64
# Raw word -> (normalised, stem), one cache per stemmer of Latin words: answers repeat their vocabulary, so most
# words are normalised and stemmed once per process rather than once per occurrence.
_word_cache: dict[str, dict[str, tuple[str, str]]] = {"en": {}, "de": {}}
_stem_memo: dict[str, dict[str, str]] = {"ru": {}, "en": {}, "de": {}}  # normalised word -> stem, per stemmer


def _analyse(word: str, latin: str) -> tuple[str, str]:
    """Normalised form and stem of one raw word (Russian stemmer for Cyrillic, `latin`'s for the rest)."""
    norm = normalise_word(word)
    if norm[:1].isdigit() and ("." in norm or "," in norm):  # a number (`_NUMBER`): its value is its stem
        stem = _number_value(norm)
    else:
        cyrillic = not norm.isascii() and _CYRILLIC.search(norm) is not None
        lang = "ru" if cyrillic else latin
        stem = _lemma_stems(lang).get(norm) or stem_word(norm, lang)
    cache = _word_cache[latin]
    if len(cache) >= _WORD_CACHE_LIMIT:
        cache.clear()
    if len(word) <= MEMO_KEY_MAX:
        cache[word] = (norm, stem)
    return norm, stem


def _number_value(number: str) -> str:
    """A decimal number as its value reads: comma as point, and a fraction of one or two digits without its trailing
    zeros ("1,0" and "1.00" are "1", "0,50" is "0.5"). Three digits after one separator may group thousands
    ("1,000"), and more separators are no decimal ("1.2.3"): those are kept as written, comma as point."""
    whole, _, fraction = number.replace(",", ".").partition(".")
    if "." in fraction or len(fraction) > 2:
        return number.replace(",", ".")
    fraction = fraction.rstrip("0")
    return f"{whole}.{fraction}" if fraction else whole


# A chunk of text between two spaces -> its words as (start in chunk, end in chunk, normalised, stem). Words never
# contain a space, so splitting on " " (in C) and analysing each distinct chunk once gives the same words as a
# regex over the whole text, at a fraction of the cost; offsets are rebuilt only for the words asked about.
Word = tuple[int, int, str, str]
ChunkWords = tuple[Word, ...]
_chunk_cache: dict[str, dict[str, ChunkWords]] = {"en": {}, "de": {}}
_NORM, _STEM = itemgetter(2), itemgetter(3)


def _analyse_chunk(chunk: str, latin: str) -> ChunkWords:
    get = _word_cache[latin].get
    words = []
    if chunk.isalpha():  # letters only (most pieces), so one word, all of it: no regex
        norm, stem = get(chunk) or _analyse(chunk, latin)
        words.append((0, len(chunk), norm, stem))
    else:
        for m in (_WORD_FAST if "_" not in chunk else _WORD).finditer(chunk):
            norm, stem = get(m.group()) or _analyse(m.group(), latin)
            words.append((m.start(), m.end(), norm, stem))
    found = tuple(words)
    if len(chunk) <= MEMO_KEY_MAX:
        cache = _chunk_cache[latin]
        if len(cache) >= _WORD_CACHE_LIMIT:
            cache.clear()
        cache[chunk] = found
    return found


def chunk_words(chunk: str, latin: str) -> ChunkWords:
    """The words of a space-free piece of text as (start, end, normalised, stem), Latin words stemmed in `latin`."""
    found = _chunk_cache[latin].get(chunk)
    return found if found is not None else _analyse_chunk(chunk, latin)


def tokenize(text: str, lang: str = "ru") -> Tokens:
    """Words of `text` with offsets, normalised forms and stems."""
    latin = latin_lang(lang)
    toks = Tokens([], [], [], [])
    at = 0
    for chunk in text.split(" "):
        for start, end, norm, stem in chunk_words(chunk, latin):
            toks.norms.append(norm)
            toks.stems.append(stem)
            toks.starts.append(at + start)
            toks.ends.append(at + end)
        at += len(chunk) + 1
    return toks


ALL_STOPWORDS = STOPWORDS["ru"] | STOPWORDS["en"] | STOPWORDS["de"]
_DE_STOPWORDS, _EN_STOPWORDS = STOPWORDS["de"], STOPWORDS["en"]


def is_stopword(norm: str) -> bool:
    return norm in ALL_STOPWORDS


def content_stems(text: str, lang: str = "ru") -> set[str]:
    """Stems of the words in `text` that are not stopwords."""
    toks = tokenize(text, lang)
    return {s for n, s in zip(toks.norms, toks.stems, strict=True) if not is_stopword(n) and len(n) > 1}
