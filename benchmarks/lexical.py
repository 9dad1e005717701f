"""Speed of the lexical grader: answers per second on one core, a 1 MB answer, and `grader grade` start-up time.

Synthetic Russian answers of about 200 words mix inflected rubric terms (Russian and English), everyday filler and
a few typos; they are graded against an 8-point rubric by `grade_lexical` (the whole grade: matching, scoring,
feedback) and, in the same run on the same answers, by a naive loop of `rapidfuzz.fuzz.partial_ratio` of every
concept wording over the raw text. Prints figures; asserts nothing.

    python benchmarks/lexical.py                 # everything
    python benchmarks/lexical.py --answers 3000 --startup-runs 20
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence

from rapidfuzz import fuzz

from grader.engine.lexical import grade_lexical
from grader.engine.matching import Matcher
from grader.grading import grade
from grader.models import Concept, KeyPoint, Question, Rubric

# The 8-point rubric: one line per concept, "point | wording; wording | inflected form; form; ..." (the forms are
# what synthetic answers use).
SPEC = """
overfitting | переобучение; overfitting | переобучение; переобучения; переобучением; overfitting; переобучается
overfitting | обучающая выборка; training set | обучающей выборке; обучающую выборку; training set
regularization | регуляризация; regularization | регуляризация; регуляризацию; регуляризации; regularization
regularization | штраф за большие веса; weight penalty | штраф за большие веса; штрафует большие веса
regularization | L1; L2; weight decay | L1; L2; weight decay
dropout | dropout; прореживание | dropout; дропаут; прореживание; прореживания
dropout | случайно отключает нейроны; randomly drops neurons | случайно отключает нейроны; отключаются случайные нейроны
early-stopping | ранняя остановка; early stopping | ранняя остановка; раннюю остановку; early stopping
early-stopping | валидационная выборка; validation set | валидационной выборке; validation set; на валидации
augmentation | аугментация данных; data augmentation | аугментация данных; аугментацию данных; аугментации
augmentation | больше данных; more data | больше данных; собрать больше данных; more data
cross-validation | кросс-валидация; cross-validation | кросс-валидация; кросс-валидацию; cross-validation
cross-validation | фолды; folds | фолды; фолдов; folds; на k фолдах
capacity | уменьшить число параметров; fewer parameters | уменьшить число параметров; меньше параметров
capacity | упростить модель; simpler model | упростить модель; более простую модель; simpler model
batchnorm | батч-нормализация; batch normalization | батч-нормализация; батч-нормализацию; batchnorm
batchnorm | стабилизирует обучение; stabilizes training | стабилизирует обучение; стабилизации обучения
"""


def _points() -> dict[str, list[tuple[list[str], list[str]]]]:
    points: dict[str, list[tuple[list[str], list[str]]]] = {}
    for line in SPEC.strip().splitlines():
        pid, wordings, forms = (part.strip() for part in line.split("|"))
        points.setdefault(pid, []).append(
            ([w.strip() for w in wordings.split(";")], [f.strip() for f in forms.split(";")])
        )
    return points


POINTS = list(_points().items())

FILLER = """в общем если честно я думаю что здесь важно понимать как ведёт себя модель на новых данных и почему
    качество на тесте может сильно отличаться от того что мы видим при обучении обычно это заметно когда метрика на
    трейне растёт а на отложенной части падает поэтому стоит внимательно смотреть на графики и сравнивать разные
    подходы между собой кроме того полезно помнить про баланс между смещением и разбросом потому что слишком
    сложная архитектура запоминает шум вместо закономерностей в реальных проектах мы часто начинаем с простого
    бейзлайна затем постепенно усложняем пайплайн и проверяем гипотезы на практике ещё имеет смысл логировать
    эксперименты фиксировать сиды и следить за утечками признаков например когда информация из будущего попадает в
    обучение тогда результаты выглядят слишком хорошо но в продакшене всё ломается также многое зависит от размера
    датасета количества признаков и того насколько чистая разметка у нас есть""".split()
CONNECT = ["также", "кроме того", "ещё", "например", "а ещё", "и", "поэтому", "потом"]


def build_rubric() -> tuple[Question, Rubric]:
    """The 8-point rubric the answers are graded against, and its question."""
    points = [
        KeyPoint(id=pid, text=pid, concepts=[Concept(any=wordings) for wordings, _forms in concepts])
        for pid, concepts in POINTS
    ]
    question = Question(id="bench", question="Как бороться с переобучением нейронной сети?", reference="...")
    return question, Rubric(question_id="bench", points=points)


def typo(word: str, rng: random.Random) -> str:
    """One keyboard slip: a dropped, doubled or swapped letter."""
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return word[:i] + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i] + word[i:]
    return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]


def synthetic_answer(rng: random.Random, n_words: int = 200, typo_rate: float = 0.04) -> str:
    """About `n_words` words: a random subset of the rubric's points in inflected forms, amid filler, with typos."""
    chosen = rng.sample(POINTS, rng.randint(2, len(POINTS)))
    phrases = [rng.choice(forms) for _pid, concepts in chosen for _w, forms in concepts if rng.random() < 0.8]
    words: list[str] = []
    while len(words) < n_words:
        if phrases and rng.random() < 0.25:
            words += [rng.choice(CONNECT), *phrases.pop().split()]
        else:
            start = rng.randrange(len(FILLER) - 8)
            words += FILLER[start : start + rng.randint(4, 9)]
            words[-1] += rng.choice([",", ".", "", ""])
    words = [typo(w, rng) if rng.random() < typo_rate else w for w in words[:n_words]]
    return " ".join(words).capitalize() + "."


def naive_grade(wordings: Sequence[Sequence[str]], answer: str, cutoff: float = 85.0) -> int:
    """The baseline: partial_ratio of each concept's wordings over the raw lower-cased text."""
    text = answer.lower()
    found = 0
    for concept in wordings:
        if any(fuzz.partial_ratio(w.lower(), text) >= cutoff for w in concept):
            found += 1
    return found


def rate(fn: Callable[[str], object], answers: Sequence[str], min_seconds: float = 2.0) -> float:
    """Answers per CPU-second of `fn`, looping over `answers` for at least `min_seconds` of CPU time.

    CPU time of this (single-threaded) process rather than wall time, so other load on the machine does not count.
    """
    done, start = 0, time.process_time()
    while True:
        for a in answers:
            fn(a)
        done += len(answers)
        elapsed = time.process_time() - start
        if elapsed >= min_seconds:
            return done / elapsed


def startup(runs: int) -> list[float]:
    """Wall-clock seconds of `grader grade` in a fresh process, from exec to exit, `runs` times."""
    exe = os.path.join(os.path.dirname(sys.executable), "grader")
    cmd = [exe] if os.path.exists(exe) else [sys.executable, "-m", "grader"]
    args = ["grade", "nasyshchenie-neyrona", "--answer", "Насыщение: сигмоида выдаёт почти 0 или 1, градиент мал."]
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([*cmd, *args], capture_output=True, check=True)
        times.append(time.perf_counter() - t)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=2000, help="distinct synthetic answers")
    parser.add_argument("--seconds", type=float, default=3.0, help="minimum timing per contender")
    parser.add_argument("--startup-runs", type=int, default=15)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    rng = random.Random(20261130)
    question, rubric = build_rubric()
    answers = [synthetic_answer(rng) for _ in range(args.answers)]
    wordings = [c.any for p in rubric.points for c in p.concepts]
    n_words = statistics.mean(len(a.split()) for a in answers)
    print(
        f"{len(answers)} synthetic answers, {n_words:.0f} words each, {len(rubric.points)} points, "
        f"{len(wordings)} concepts, {sum(map(len, wordings))} wordings; one core"
    )

    matcher = Matcher(rubric, question.question)
    ours = rate(lambda a: grade_lexical(question, rubric, a, matcher=matcher), answers, args.seconds)
    naive = rate(lambda a: naive_grade(wordings, a), answers, args.seconds)
    match_only = rate(lambda a: matcher.match(a), answers, args.seconds)
    public = rate(lambda a: grade(question, rubric, a), answers, args.seconds)
    print(f"grader (grade_lexical) : {ours:10,.0f} answers/s (per CPU-second): match, score, feedback, Grade")
    print(f"naive partial_ratio    : {naive:10,.0f} answers/s (per CPU-second)")
    print(f"speed-up               : {ours / naive:10.1f}x   (targets: >= 5,000 answers/s and >= 5x)")
    print(f"  matching alone       : {match_only:10,.0f} answers/s   (Matcher.match: {match_only / naive:.1f}x naive)")
    print(f"  grading.grade()      : {public:10,.0f} answers/s   (adds the injection screen of every answer)")

    big = " ".join(answers)
    while len(big.encode()) < 1_000_000:
        big += " " + " ".join(answers)
    big = big.encode()[:1_000_000].decode("utf-8", "ignore")
    fresh = Matcher(rubric, question.question)
    t, c = time.perf_counter(), time.process_time()
    g = grade_lexical(question, rubric, big, matcher=fresh)
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    print(
        f"1 MB answer            : {wall:10.3f} s wall, {cpu:.3f} s CPU  ({len(big.split()):,} words, score {g.score})"
    )

    if args.startup_runs:
        times = startup(args.startup_runs)
        print(
            f"`grader grade` start   : {min(times):10.3f} s best, {statistics.median(times):.3f} s median "
            f"of {len(times)} runs (process start to exit; target <= 0.3 s)"
        )


if __name__ == "__main__":
    main()
