"""Language detection, normalisation, stemming and tokenisation with character offsets (ru, en, de).

Tokens keep their offsets into the original text so evidence can point at what the candidate wrote. Cyrillic
tokens are stemmed with the Russian Snowball stemmer; Latin tokens with the English one, or the German one in a
German text, so mixed sentences ("используем dropout и batch normalization") stem each word in its own language.
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from functools import cache
from operator import itemgetter
from typing import NamedTuple, cast

import Stemmer

from grader.models import Lang

# A word: letters and digits, with combining marks inside it (a stress mark, a decomposed й or ё) and apostrophes
# between letters. Underscores split words ("batch_size"), but `_WORD_FAST`, with a cheaper character class, is
# only safe for text without them.
_MARKS = "\u0300-\u036f"
_WORD = re.compile(rf"[^\W_](?:[^\W_]|[{_MARKS}])*(?:['’][^\W_](?:[^\W_]|[{_MARKS}])*)*")
_WORD_FAST = re.compile(rf"\w[\w{_MARKS}]*(?:['’]\w[\w{_MARKS}]*)*")
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_GERMAN_CHARS = re.compile(r"[äöüß]", re.IGNORECASE)

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
            весьма много мало более менее нужно нужен должен должна должны""".split()
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
    stemmer = Stemmer.Stemmer(_STEMMER_NAMES[lang])
    stemmer.maxCacheSize = 100_000
    return stemmer


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


def detect_lang(text: str, default: Lang = "ru") -> Lang:
    """Russian when a fair share of letters are Cyrillic (answers mix in English terms), else German or English."""
    # Counted on UTF-8 bytes, several times faster than a regex over the text: every Cyrillic letter of U+0400-047F
    # (а-я, ё and their capitals among them) opens with byte D0 or D1; Latin letters are the ASCII ones.
    data = text[:_LANG_SAMPLE].encode("utf-8", "surrogatepass")
    cyr = data.count(b"\xd0") + data.count(b"\xd1")
    lat = len(data.translate(None, _NOT_ASCII_LETTER))
    if cyr + lat == 0:
        return default
    if cyr >= 0.3 * (cyr + lat):
        return "ru"
    if _GERMAN_CHARS.search(text):
        return "de"
    words = [normalise_word(m.group()) for m in _WORD.finditer(text[:5000])]
    de_hits = sum(w in STOPWORDS["de"] for w in words)
    en_hits = sum(w in STOPWORDS["en"] for w in words)
    return "de" if de_hits > en_hits else "en"


def latin_lang(lang: str) -> str:
    """Which stemmer Latin-script words get in a text of `lang`: German in German text, English elsewhere."""
    return "de" if lang == "de" else "en"


def stem_word(norm: str, lang: str) -> str:
    """The stem of one normalised word by the stemmer of `lang` (ru, en or de), whatever its script."""
    stem: str = _stemmer(lang).stemWord(norm)
    return stem


def stem_words(norms: list[str], lang: str) -> list[str]:
    """Stem each normalised word with the stemmer of its own script."""
    latin = _stemmer(latin_lang(lang))
    russian = _stemmer("ru")
    cyr_idx = [i for i, w in enumerate(norms) if not w.isascii() and _CYRILLIC.search(w)]
    if not cyr_idx:
        return list(latin.stemWords(norms))
    stems = list(norms)
    cyr_set = set(cyr_idx)
    lat_idx = [i for i in range(len(norms)) if i not in cyr_set]
    for idx, stemmer in ((cyr_idx, russian), (lat_idx, latin)):
        if idx:
            for i, s in zip(idx, stemmer.stemWords([norms[i] for i in idx]), strict=True):
                stems[i] = s
    return stems


_WORD_CACHE_LIMIT = 300_000
# Raw word -> (normalised, stem), one cache per stemmer of Latin words: answers repeat their vocabulary, so most
# words are normalised and stemmed once per process rather than once per occurrence.
_word_cache: dict[str, dict[str, tuple[str, str]]] = {"en": {}, "de": {}}


def _analyse(word: str, latin: str) -> tuple[str, str]:
    """Normalised form and stem of one raw word (Russian stemmer for Cyrillic, `latin`'s for the rest)."""
    norm = normalise_word(word)
    cyrillic = not norm.isascii() and _CYRILLIC.search(norm) is not None
    stem: str = _stemmer("ru" if cyrillic else latin).stemWord(norm)
    cache = _word_cache[latin]
    if len(cache) >= _WORD_CACHE_LIMIT:
        cache.clear()
    cache[word] = (norm, stem)
    return norm, stem


# A chunk of text between two spaces -> its words as (start in chunk, end in chunk, normalised, stem). Words never
# contain a space, so splitting on " " (in C) and analysing each distinct chunk once gives the same words as a
# regex over the whole text, at a fraction of the cost; offsets are rebuilt only for the words asked about.
_Word = tuple[int, int, str, str]
_ChunkWords = tuple[_Word, ...]
_chunk_cache: dict[str, dict[str, _ChunkWords]] = {"en": {}, "de": {}}
_NORM, _STEM = itemgetter(2), itemgetter(3)


def _analyse_chunk(chunk: str, latin: str) -> _ChunkWords:
    get = _word_cache[latin].get
    words = []
    for m in (_WORD_FAST if "_" not in chunk else _WORD).finditer(chunk):
        norm, stem = get(m.group()) or _analyse(m.group(), latin)
        words.append((m.start(), m.end(), norm, stem))
    cache = _chunk_cache[latin]
    if len(cache) >= _WORD_CACHE_LIMIT:
        cache.clear()
    cache[chunk] = found = tuple(words)
    return found


def chunk_words(chunk: str, latin: str) -> _ChunkWords:
    """The words of a space-free piece of text as (start, end, normalised, stem), Latin words stemmed in `latin`."""
    found = _chunk_cache[latin].get(chunk)
    return found if found is not None else _analyse_chunk(chunk, latin)


class _Offsets:
    """Start or end offsets of a `Words`' words, worked out on access."""

    __slots__ = ("_end", "_words")

    def __init__(self, words: Words, end: bool) -> None:
        self._words = words
        self._end = end

    def __getitem__(self, i: int) -> int:
        return self._words.offset(i, self._end)


class Words:
    """The words of a text: normalised forms and stems, with character offsets worked out on access.

    The matcher's view of an answer: it reads the stems of every word through its own per-chunk memo, and the
    norms and offsets of only the few words around what it cites, so the words are kept per chunk (the text split
    at spaces) and a word is found by bisecting the chunks' first word indexes; no list of every word is made
    unless `norms` or `stems` is asked for.
    """

    __slots__ = ("_chunk_starts", "_chunks", "_first", "_flat", "_per_chunk", "ends", "starts")

    def __init__(self, text: str, lang: str = "ru") -> None:
        latin = latin_lang(lang)
        chunks = text.split(" ")
        known = list(map(_chunk_cache[latin].get, chunks))  # map() runs in C: this is per word of every answer
        per_chunk = (
            [w if w is not None else _analyse_chunk(c, latin) for w, c in zip(known, chunks, strict=True)]
            if None in known
            else cast(list[_ChunkWords], known)
        )
        self._fill(chunks, per_chunk, [0, *itertools.accumulate(map(len, per_chunk))])

    @classmethod
    def from_chunks(cls, chunks: list[str], per_chunk: list[_ChunkWords], first: list[int]) -> Words:
        """The words of `" ".join(chunks)`, given each chunk's words (`chunk_words`) and the index of each chunk's
        first word followed by the number of words (`[0, *accumulate(map(len, per_chunk))]`)."""
        self = cls.__new__(cls)
        self._fill(chunks, per_chunk, first)
        return self

    def _fill(self, chunks: list[str], per_chunk: list[_ChunkWords], first: list[int]) -> None:
        self._flat: list[_Word] | None = None
        self.starts = _Offsets(self, end=False)
        self.ends = _Offsets(self, end=True)
        self._chunks = chunks
        self._per_chunk = per_chunk
        self._first = first
        self._chunk_starts: list[int] = []  # character offset of each chunk, made on first use

    def __len__(self) -> int:
        return self._first[-1]

    def _words(self) -> list[_Word]:
        if self._flat is None:
            self._flat = list(itertools.chain.from_iterable(self._per_chunk))
        return self._flat

    @property
    def norms(self) -> list[str]:
        """Normalised form of every word."""
        return list(map(_NORM, self._words()))

    @property
    def stems(self) -> list[str]:
        """Stem of every word."""
        return list(map(_STEM, self._words()))

    def word(self, i: int) -> _Word:
        """Word `i` as (start in its chunk, end in its chunk, normalised, stem)."""
        k = bisect.bisect_right(self._first, i) - 1
        return self._per_chunk[k][i - self._first[k]]

    def norm(self, i: int) -> str:
        """Normalised form of word `i`."""
        return self.word(i)[2]

    def norms_between(self, a: int, b: int) -> list[str]:
        """Normalised forms of words [a, b) (clipped like a slice), without making the whole list."""
        return [self.word(i)[2] for i in range(max(a, 0), min(b, len(self)))]

    def _starts(self) -> list[int]:
        if not self._chunk_starts:
            self._chunk_starts = [0, *itertools.accumulate(map(len, self._chunks))]
        return self._chunk_starts

    def span(self, a: int, b: int) -> tuple[int, int]:
        """Character offsets [start, end) of words a..b (inclusive) in the text."""
        first, starts = self._first, self._starts()
        k = bisect.bisect_right(first, a) - 1
        start = starts[k] + k + self._per_chunk[k][a - first[k]][0]  # + k: the spaces before chunk k
        if b >= first[k + 1]:
            k = bisect.bisect_right(first, b, k + 1) - 1
        return start, starts[k] + k + self._per_chunk[k][b - first[k]][1]

    def offset(self, i: int, end: bool = False) -> int:
        """Character offset of the start (or end) of word `i` in the text."""
        first, starts = self._first, self._starts()
        k = bisect.bisect_right(first, i) - 1
        word = self._per_chunk[k][i - first[k]]
        return starts[k] + k + (word[1] if end else word[0])


def tokenize(text: str, lang: str = "ru") -> Tokens:
    """Words of `text` with offsets, normalised forms and stems."""
    words = Words(text, lang)
    starts: list[int] = []
    ends: list[int] = []
    at = 0
    for chunk, found in zip(words._chunks, words._per_chunk, strict=True):
        starts.extend(at + w[0] for w in found)
        ends.extend(at + w[1] for w in found)
        at += len(chunk) + 1
    return Tokens(words.norms, words.stems, starts, ends)


ALL_STOPWORDS = STOPWORDS["ru"] | STOPWORDS["en"] | STOPWORDS["de"]


def is_stopword(norm: str) -> bool:
    return norm in ALL_STOPWORDS


def content_stems(text: str, lang: str = "ru") -> set[str]:
    """Stems of the words in `text` that are not stopwords."""
    toks = tokenize(text, lang)
    return {s for n, s in zip(toks.norms, toks.stems, strict=True) if not is_stopword(n) and len(n) > 1}
