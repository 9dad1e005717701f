"""Text as the injection screen reads it: disguises undone, with a map back to the answer's characters. Pure.

An instruction to the grader can be hidden from a reader of patterns while a model still reads it: invisible
characters or soft hyphens inside words, fullwidth or other compatibility letters, Latin and Cyrillic look-alikes
mixed in one word, letters spaced out ("i g n o r e"), a word split over two lines, base64, rot13, percent-escapes,
text written backwards. `unmask` undoes the first five and keeps, for every character it returns, the index of the
answer's character it came from, so whatever the screen finds can be blanked in the answer itself. `decoded`
reads the encoded ones.
"""

from __future__ import annotations

import re
import unicodedata

from grader.models import Model

# Format characters that render as nothing: zero-width space/joiners, word joiner, invisible operators, BOM,
# soft hyphen, combining grapheme joiner, Mongolian vowel separator, bidirectional marks and overrides.
INVISIBLE = frozenset(
    "\u00ad\u034f\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
# Letters that look alike in Latin and Cyrillic (and Greek): each maps to its look-alike in the other script.
_LAT = "aceopxyABCEHKMOPTXYijsIJS"
_CYR = "асеорхуАВСЕНКМОРТХУіјѕІЈЅ"
TO_LATIN = str.maketrans(_CYR + "αεικνορτυχΑΒΕΗΙΚΜΝΟΡΤΥΧ", _LAT + "aeikvoptuxABEHIKMNOPTYX")
TO_CYRILLIC = str.maketrans(_LAT, _CYR)
# Letters str.lower() and NFKC leave apart from the plain one a reader sees (Turkish dotted/dotless i, the old
# Cyrillic letter forms).
PLAIN = {
    "\u0130": "I",
    "\u0131": "i",
    "\u1c80": "в",
    "\u1c81": "д",
    "\u1c82": "о",
    "\u1c83": "с",
    "\u1c84": "т",
    "\u1c85": "т",
    "\u1c86": "ъ",
    "\u1c87": "ѣ",
    "\u1c88": "ꙋ",
}
_ODD = re.compile("[" + "".join(sorted(INVISIBLE)) + "\u0130\u0131\u1c80-\u1c88]")
_SCRIPTS_MEET = re.compile(r"[a-zA-Z][\u0370-\u04ff]|[\u0370-\u04ff][a-zA-Z]")
# A digit between letters; the digit comes first in the pattern so that re scans for it fast (~20x).
_LEET_ANY = re.compile(r"[0134578](?<=[^\W\d_][0134578])(?=[^\W\d_])")
_LETTER_RUN = re.compile(r"[^\W_]*[^\W\d_][^\W_]*")
# A digit between two letters of a word (leetspeak), and the letters digits stand in for, per script.
_LEET = re.compile(r"(?<=[^\W\d_])[0134578](?=[^\W\d_])")
_LEET_LAT = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b"}
_LEET_CYR = {"0": "о", "3": "з", "4": "а", "5": "s", "7": "т", "8": "в"}
# Three or more single letters or digits ("1 0 0"), each but the last followed by one separator (space, dot, dash,
# underscore).
_SPACED = re.compile(r"(?<![^\W_])(?:[^\W_][ .\-_·*]){2,}[^\W_](?![^\W_])")
# What every run `_SPACED` joins holds, found ~10x faster (a literal space first; the text is read with one
# space in front, so a run at its very start counts).
_SPACED_QUICK = re.compile(r" [^\W_][ .\-_·*][^\W_][ .\-_·*][^\W_](?![^\W_])")
_SPLIT_WORD = re.compile(r"(?<=[^\W\d_])-?[ \t]*\n[ \t]*(?=[^\W\d_])")


class Unmasked(Model):
    """The text as read, and for each of its characters the index of the answer character it came from."""

    text: str
    origin: list[int]
    disguised: bool = False  # whether anything was undone (itself a sign of intent when the text also instructs)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """[start, end) of the read text as [start, end) of the answer."""
        if start >= end or start >= len(self.origin):
            at = self.origin[start] if start < len(self.origin) else (self.origin[-1] + 1 if self.origin else 0)
            return at, at
        return self.origin[start], self.origin[end - 1] + 1


def _script(ch: str) -> str:
    if "a" <= ch.lower() <= "z":
        return "lat"
    if "\u0400" <= ch <= "\u04ff":
        return "cyr"
    if "\u0370" <= ch <= "\u03ff":
        return "grk"
    return "other"


def _fold_word(word: str) -> str:
    """A word mixing Latin and Cyrillic (or Greek) letters, written in its majority script, with digits between its
    letters read as the letters they stand in for ("g1ve", "m4rks", "П0ставь"); others as they are."""
    if _LEET.search(word):
        word = _LEET.sub(lambda m: _leet(m.group(), word), word)
    scripts = {_script(c) for c in word}
    if len(scripts & {"lat", "cyr", "grk"}) < 2:
        return word
    latin = sum(_script(c) == "lat" for c in word)
    cyrillic = sum(_script(c) == "cyr" for c in word)
    return word.translate(TO_LATIN) if latin >= cyrillic else word.translate(TO_LATIN).translate(TO_CYRILLIC)


def _foldable(text: str) -> bool:
    """Whether some word of `text` mixes scripts or has a digit between letters."""
    return _SCRIPTS_MEET.search(text) is not None or _LEET_ANY.search(text) is not None


def _leet(digit: str, word: str) -> str:
    cyrillic = sum(_script(c) == "cyr" for c in word) > sum(_script(c) == "lat" for c in word)
    return (_LEET_CYR if cyrillic else _LEET_LAT).get(digit, digit)


def _edit(text: str, origin: list[int], rx: re.Pattern[str], repl: str) -> tuple[str, list[int]]:
    """Apply `rx.sub(repl)` (repl holds no group references) keeping `origin` in step."""
    out, mapped, last = [], [], 0
    for m in rx.finditer(text):
        out.append(text[last : m.start()])
        mapped += origin[last : m.start()]
        out.append(repl)
        mapped += [origin[m.start()]] * len(repl)
        last = m.end()
    out.append(text[last:])
    mapped += origin[last:]
    return "".join(out), mapped


def unmask(answer: str) -> Unmasked:
    """`answer` with invisible characters dropped, compatibility forms (fullwidth, ligatures) made plain (NFKC),
    each word mixing scripts written in one, spaced-out letters joined and words split over lines rejoined."""
    usual = answer.isascii() or (unicodedata.is_normalized("NFKC", answer) and not _ODD.search(answer))
    if usual and not _foldable(answer):  # the usual answer: nothing to undo but the layout
        return _unmask_layout(answer, list(range(len(answer))), False)
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(answer):
        if ch in INVISIBLE:
            continue
        plain = ch if ch.isascii() else PLAIN.get(ch) or unicodedata.normalize("NFKC", ch)
        chars.append(plain)
        origin += [i] * len(plain)
    text = "".join(chars)  # NFKC may make one character several ("ﬁ"): each keeps the same origin
    disguised = len(text) != len(answer) or text != answer
    folded = _LETTER_RUN.sub(lambda m: _fold_word(m.group()), text) if _foldable(text) else text
    disguised |= folded != text
    return _unmask_layout(folded, origin, disguised)


def _unmask_layout(text: str, origin: list[int], disguised: bool) -> Unmasked:
    """Spaced-out letters joined, words split over lines rejoined."""
    if _SPACED_QUICK.search(f" {text}") and _SPACED.search(text):
        disguised = True
        text, origin = _join_spaced(text, origin)
    if "\n" in text:
        text, origin = _edit(text, origin, _SPLIT_WORD, "\n")
    return Unmasked.model_construct(text=text, origin=origin, disguised=disguised)  # built here: no validation


def _join_spaced(text: str, origin: list[int]) -> tuple[str, list[int]]:
    out, mapped, last = [], [], 0
    for m in _SPACED.finditer(text):
        out.append(text[last : m.start()])
        mapped += origin[last : m.start()]
        for k in range(m.start(), m.end()):
            if (k - m.start()) % 2 == 0:
                out.append(text[k])
                mapped.append(origin[k])
        last = m.end()
    out.append(text[last:])
    mapped += origin[last:]
    return "".join(out), mapped


def joined_lines(sentence: str) -> str:
    """The sentence with each line break between two letters removed: a word split over two lines made whole."""
    return re.sub(r"(?<=[^\W\d_])\n(?=[^\W\d_])", "", sentence)


_BLOB = re.compile(r"[A-Za-z0-9+/_-]{16,}={0,2}")
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
_PRINTABLE = re.compile(r"[^\W_]")


def decoded(sentence: str, rot13: bool) -> list[str]:
    """Readable text hidden in `sentence`: each base64 blob that decodes to mostly letters, the sentence with
    percent-escapes decoded, and (`rot13`: the answer asks for decoding) the sentence in rot13 and reversed."""
    import base64  # here, not at the top: only a screened sentence needs them
    import binascii
    import codecs
    import urllib.parse

    found = []
    for m in _BLOB.finditer(sentence):
        blob = m.group()
        if blob.isalpha() and (blob.islower() or blob.isupper()):
            continue  # a long word, not a blob
        try:
            alt = b"-_" if "-" in blob or "_" in blob else None
            raw = base64.b64decode(blob + "=" * (-len(blob) % 4), altchars=alt)
            text = raw.decode("utf-8")
        except (binascii.Error, ValueError):
            continue
        if text and len(_PRINTABLE.findall(text)) >= 0.6 * len(text):
            found.append(text)
    if _PERCENT.search(sentence):
        found.append(urllib.parse.unquote(sentence))
    if rot13 and re.search("[A-Za-z]{3}", sentence):
        found += [codecs.encode(sentence, "rot13"), sentence[::-1]]
    return found
