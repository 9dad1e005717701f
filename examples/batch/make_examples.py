"""Writes the example batch files: answers.csv (UTF-8) and anketa-excel.csv (cp1251, `;`, as Russian Excel saves).

The answers are hand-written, of deliberately varied quality. Run `python examples/batch/make_examples.py` to
regenerate both files after editing the rows below.
"""

import csv
from pathlib import Path

SAT, MOM, RL, CNN = (
    "nasyshchenie-neyrona",
    "ispolzovat-momentum-optimizatsii",
    "on-policy-off-policy-algoritmy",
    "svertochnye-neyroseti-okazalis-obychnykh-mlp",
)
ROWS = [
    (
        "a1",
        "Анна Смирнова",
        SAT,
        "Насыщение — это когда выход сигмоиды или tanh почти всегда около 0 или 1. Производная "
        "там почти нулевая, градиент затухает, веса почти не обновляются и обучение останавливается; в глубоких сетях это "
        "накапливается по слоям. Помогают ReLU, инициализация Xavier/He, батч-нормализация.",
    ),
    (
        "a2",
        "Анна Смирнова",
        MOM,
        "Momentum накапливает прошлые градиенты, это сглаживает шаги и помогает проскочить "
        "мелкие локальные минимумы. Но если модель и так склонна к переобучению, momentum может ускорить переобучение. "
        "На плато, где градиент почти не меняется, инерция тоже может мешать, тогда лучше подобрать гиперпараметры или "
        "взять другой оптимизатор.",
    ),
    (
        "a3",
        "Анна Смирнова",
        RL,
        "Policy — правило, по которому агент выбирает действие в состоянии среды. On-policy "
        "алгоритмы учатся только на свежих данных текущей policy (VPG, TRPO, PPO). Off-policy учатся на данных, "
        "собранных другой policy, например из replay buffer: DDPG обучает Q-функцию через уравнение Беллмана.",
    ),
    (
        "a4",
        "Анна Смирнова",
        CNN,
        "У MLP на картинке 1920x1080 огромное число параметров в первом слое. Свёртки и "
        "пулинг разделяют веса и резко сокращают параметры, сохраняя локальные признаки. CNN иерархически выделяют "
        "паттерны и устойчивы к сдвигам, а MLP пришлось бы учить инвариантность множеством нейронов.",
    ),
    (
        "b1",
        "Борис Кузнецов",
        SAT,
        "Нейрон насыщается, если на вход приходят большие значения и сигмоида выдаёт почти 1. "
        "Тогда обучение идёт медленно.",
    ),
    ("b2", "Борис Кузнецов", MOM, "Momentum лучше не использовать, когда данных мало."),
    (
        "b3",
        "Борис Кузнецов",
        RL,
        "On-policy — это когда агент учится на своей текущей стратегии, off-policy — когда "
        "на чужих данных. Пример: Q-learning.",
    ),
    ("b4", "Борис Кузнецов", CNN, ""),
    ("c1", "Вера Павлова", SAT, "сигмоида, tanh, градиент, ReLU"),
    (
        "c2",
        "Вера Павлова",
        MOM,
        "Инерция полезна почти всегда, но на плато функции потерь и при склонности к "
        "переобучению её стоит отключить или уменьшить коэффициент: она может ускорить переобучение.",
    ),
    ("c3", "Вера Павлова", RL, "Не помню точно, кажется это про то, онлайн или офлайн обучается модель."),
    (
        "c4",
        "Вера Павлова",
        CNN,
        "Свёрточные сети используют локальные рецептивные поля и общие веса, поэтому "
        "параметров меньше, чем у полносвязной сети, и они учитывают структуру изображения.",
    ),
    (
        "d1",
        "Дмитрий Орлов",
        SAT,
        "Saturation: the activation output sticks near its limits (0 or 1 for a sigmoid), "
        "so gradients vanish and training stalls. ReLU and careful weight initialisation help.",
    ),
    ("d2", "Дмитрий Орлов", MOM, "Не знаю."),
    (
        "d3",
        "Дмитрий Орлов",
        RL,
        "Off-policy методы (DDPG, DQN) переиспользуют опыт из буфера, собранный другой "
        "политикой; on-policy (PPO) требуют свежих траекторий от текущей политики и поэтому менее эффективны по данным.",
    ),
    ("d4", "Дмитрий Орлов", CNN, "Потому что CNN придумали позже."),
    (
        "e1",
        "Елена Волкова",
        "pereobuchenie",
        "Переобучение — модель запоминает обучающую выборку и плохо обобщает на новые данные.",
    ),
]
# A question that is not in the bank: the row brings its own question and reference; a rubric is built for it.
OWN = (
    "e2",
    "Елена Волкова",
    "",
    "Что такое dropout?",
    "Dropout случайно обнуляет часть нейронов на каждом шаге "
    "обучения. Это мешает нейронам подстраиваться друг под друга и работает как регуляризация против "
    "переобучения. На инференсе dropout выключают, а веса масштабируют.",
    "Dropout выключает случайные нейроны при обучении — это регуляризация, сеть меньше переобучается. При "
    "инференсе его отключают.",
)

here = Path(__file__).parent
with (here / "answers.csv").open("w", encoding="utf-8", newline="") as fh:
    w = csv.writer(fh)
    w.writerow(["id", "candidate", "question_id", "question", "reference", "answer"])
    for rid, cand, qid, ans in ROWS:
        w.writerow([rid, cand, qid, "", "", ans])
    w.writerow(OWN)
# Russian Excel: "CSV (разделители — запятые)" is in fact cp1251 with `;`, headers as people type them.
with (here / "anketa-excel.csv").open("w", encoding="cp1251", newline="") as fh:
    w = csv.writer(fh, delimiter=";")
    w.writerow(["№", "ФИО", "Вопрос", "Ответ кандидата"])
    for n, (_, cand, qid, ans) in enumerate(ROWS[:12], start=1):
        w.writerow([n, cand, qid, ans])
