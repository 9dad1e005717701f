"""Near-synonyms of everyday vocabulary (ru, en, de), applied alike to rubric wordings and answers. Pure.

Rubrics name the ideas of a field; candidates wrap them in their own everyday words: "около 0 или 1" for "близко к 0
или 1", "производная крошечная" for "маленькая производная", "ровный участок" for "плоский участок". Each group below
is a set of words that can stand for one another in an explanation; the matcher maps every word of a group to one
key, so any of them matches a wording written with any other. The groups hold general language only, never terms
of the field (those belong in a rubric's alternatives), and no stopwords (those never reach the matcher); words
with a second common meaning that would mislead are left out ("cut", "fast", "hand", "перевод", "часть").
"""

from __future__ import annotations

from functools import cache

import Stemmer

from grader.engine.text import ALL_STOPWORDS

# One group a line, indented lines continuing it: key | Russian | English | German, words separated by spaces (the
# inflected forms the stemmer does not bring together are listed too).
_GROUPS = """
near      | около близко близкий близок близка вблизи примерно приблизительно почти практически районе
          | near close around approximately almost nearly roughly | nahe annähernd nahezu ungefähr
small     | маленький маленькая малый небольшой крошечный мелкий малюсенький незначительный ничтожный
          | small tiny little minor minuscule negligible | klein winzig gering
large     | большой огромный крупный значительный гигантский громадный | large big huge massive enormous
          | groß riesig
zero      | 0 ноль нуль нулю нуля нулевой | zero | null
one       | 1 единица единице единицы | |
stop      | остановка останавливаться останавливается остановиться прекращаться прекращается прекращение
            переставать перестает перестают застревать застревает застрять
          | stop stops stopped stall stalls halt cease stuck | stoppen anhalten stagnieren aufhören
slow      | медленный медленно замедляться замедляется замедление тормозить тормозит | slow slowly slows
          | langsam verlangsamen
fast      | быстрый быстро ускорять ускоряет ускорение | quick quickly accelerate accelerates | schnell beschleunigen
decrease  | уменьшать уменьшает уменьшить уменьшение снижать снижает снизить снижение сокращать сокращает
            сократить сокращение понижать понизить | reduce reduces decrease decreases shrink diminish
          | reduzieren verringern senken verkleinern
increase  | увеличивать увеличивает увеличить увеличение повышать повышает повысить повышение наращивать
          | increase increases raise boost | erhöhen vergrößern steigern
apply     | использовать использует используют использование применять применяет применение пользоваться
          | apply applies employ utilize utilise | verwenden benutzen nutzen einsetzen anwenden
learn     | учиться учится учатся учит обучаться обучается обучаются обучать обучить | learn learns train trains
          | lernen lernt trainieren
update    | обновлять обновляет обновляются обновление менять меняется меняются меняться изменять изменяется
            изменение корректировать корректировка | update updated updating change changes adjust modify
          | aktualisieren ändern anpassen
manual    | вручную руками ручной ручками | manually manual | manuell händisch
automatic | автоматически автоматический автоматом | automatically automatic | automatisch
extract   | извлекать извлекает извлечь извлечение вытаскивать вытаскивает выделять выделяет выделить
            выделение доставать достает | extract extracts extraction | extrahieren
transform | преобразовывать преобразует преобразовать преобразование превращать превращает превратить
            конвертировать | transform transforms convert converts | umwandeln transformieren konvertieren
image     | изображение картинка картинки фото фотография снимок | image images picture photo | Bild Foto
piece     | кусок кусочек кусочки фрагмент | piece pieces chunk chunks fragment |
error     | ошибка погрешность | error mistake | Fehler
count     | количество число кол | number count amount | Anzahl Zahl Menge
flat      | плоский ровный пологий | flat | flach
vanish    | исчезать исчезает исчезающий пропадать пропадает затухать затухает затухающий затухание
          | vanish vanishes vanishing disappear disappears fade | verschwinden verschwindet verschwindend
explode   | взрываться взрывается взрывающийся взрыв | explode explodes exploding explosion | explodieren
total     | суммарный сумма суммировать суммируются складывать складываются складываем накопленный
            кумулятивный совокупный | total sum summed cumulative | gesamt Summe kumulativ
accumulate| накапливать накапливает копить копит | accumulate accumulates | akkumulieren ansammeln
previous  | прошлый предыдущий прежний старый | past previous earlier old prior | vorherig früher
new       | новый свежий | new fresh | neu frisch
current   | текущий нынешний | current | aktuell gegenwärtig
random    | случайный случайно случайными рандомный рандомно рандом | random randomly | zufällig
repeat    | повторять повторяется повторение повторяем | repeat repeats repeated | wiederholen wiederholt
generate  | генерировать генерирует генерация порождать порождает создавать создает | generate generates produce
          | erzeugen generieren
predict   | предсказывать предсказывает предсказание прогнозировать прогноз | predict predicts prediction
            forecast | vorhersagen Vorhersage
compute   | вычислять вычисляет вычисление считать считаем считает подсчитывать подсчет рассчитывать расчет
          | calculate calculates calculation | berechnen berechnet
pass      | проход проходить проходит прогон прогонять прогоняем | pass | Durchlauf
forward   | вперед | forward forwards | vorwärts
back      | назад обратно | back backward backwards | zurück rückwärts
shift     | сдвиг сдвиги сдвигать сдвинуть сдвинут | shift shifts shifted | Verschiebung verschieben
stable    | устойчивый стабильный робастный | robust stable | stabil
simple    | простой элементарный | simple basic | einfach
"""

_STEMMERS = {"ru": "russian", "en": "english", "de": "german"}
KEY_MARK = "≈"  # keys never look like a stem, so no answer word matches one by typo tolerance


@cache
def _stemmer(lang: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(_STEMMERS[lang])


def _normalise(word: str) -> str:
    return word.lower().replace("ё", "е")


def groups() -> dict[str, dict[str, list[str]]]:
    """The table: key -> language -> words."""
    logical: list[str] = []
    for line in _GROUPS.strip().splitlines():
        if line[:1].isspace():
            logical[-1] += " " + line  # a continuation of the group above
        else:
            logical.append(line)
    out: dict[str, dict[str, list[str]]] = {}
    for line in logical:
        key, *cols = (part.strip() for part in line.split("|"))
        out[key] = {
            lang: [_normalise(w) for w in col.split()] for lang, col in zip(("ru", "en", "de"), cols, strict=True)
        }
    return out


def _stems_of(word: str, lang: str) -> set[str]:
    """A word's stems: Russian for Cyrillic; an ASCII word's in both English and German, since a Russian rubric
    stems its Latin words in English while a German answer stems them in German. Stopwords never reach the
    matcher, so a stem that is one is left out."""
    if lang == "ru":
        stems = {_stemmer("ru").stemWord(word)}
    elif word.isascii():
        stems = {_stemmer("en").stemWord(word), _stemmer("de").stemWord(word)}
    else:
        stems = {_stemmer(lang).stemWord(word)}
    return stems - ALL_STOPWORDS


@cache
def table() -> dict[str, str]:
    """Stem -> group key (marked with `KEY_MARK`). Where two groups claim a stem, the first listed keeps it."""
    found: dict[str, str] = {}
    for key, by_lang in groups().items():
        for lang, words in by_lang.items():
            for word in words:
                for stem in _stems_of(word, lang):
                    found.setdefault(stem, KEY_MARK + key)
    return found


def conflicts() -> list[tuple[str, str, str]]:
    """Stems claimed by two groups: (stem, first key, second key). The table must have none (a test pins it)."""
    seen: dict[str, str] = {}
    clashes = []
    for key, by_lang in groups().items():
        for lang, words in by_lang.items():
            for word in words:
                for stem in _stems_of(word, lang):
                    if seen.setdefault(stem, key) != key:
                        clashes.append((stem, seen[stem], key))
    return clashes


def canonical(stem: str) -> str:
    """The group key standing for `stem`, or the stem itself when it is in no group."""
    return table().get(stem, stem)


@cache
def members(key: str) -> tuple[str, ...]:
    """Every stem of the group `key` (for typo tolerance: a misspelt "маленкий" is near "маленьк", not a key)."""
    return tuple(sorted(s for s, k in table().items() if k == key))
