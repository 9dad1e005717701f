"""Equivalent terms across Russian, English and German for common data-science concepts.

Used when a rubric is built automatically, so that "обратное распространение" also accepts "backpropagation".
Each line is one concept: its wordings separated by " | ". Matching is by stems, so one inflected form suffices.
"""

from __future__ import annotations

from functools import lru_cache

_GLOSSARY = """
обратное распространение | backpropagation | backprop | back propagation | Rückpropagierung
прямой проход | прямое распространение | forward pass | forward propagation | Vorwärtsdurchlauf
градиент | gradient | Gradient
градиентный спуск | gradient descent | Gradientenabstieg
затухающие градиенты | затухание градиента | исчезающий градиент | vanishing gradient | verschwindender Gradient
взрывающиеся градиенты | взрыв градиента | exploding gradient
функция активации | activation function | активационная функция | Aktivierungsfunktion
функция потерь | функция ошибки | loss function | loss | Verlustfunktion
скорость обучения | learning rate | шаг обучения | Lernrate
переобучение | overfitting | переподгонка | Überanpassung
недообучение | underfitting
регуляризация | regularization | regularisation | Regularisierung
инициализация весов | weight initialization | initialization | Initialisierung
веса | weights | Gewichte
смещение | bias
нейрон | neuron | Neuron
слой | layer | Schicht
скрытый слой | hidden layer | verborgene Schicht
сигмоида | сигмоидальная | sigmoid | Sigmoid
гиперболический тангенс | tanh | hyperbolic tangent
свертка | сверточный | convolution | convolutional | Faltung
пулинг | pooling | субдискретизация
рекуррентная сеть | рекуррентная нейронная сеть | RNN | recurrent neural network | rekurrentes Netz
сверточная сеть | сверточная нейросеть | CNN | convolutional neural network
многослойный перцептрон | MLP | multilayer perceptron
трансформер | transformer
механизм внимания | внимание | attention | self-attention | Aufmerksamkeit
кодировщик | энкодер | encoder | Encoder
декодер | decoder | Decoder
патч | patch | patches
токен | token
эпоха | epoch | Epoche
размер батча | batch size | размер пакета | Batchgröße
оптимизатор | optimizer | Optimierer
признак | признаки | feature | features | Merkmal
обучение с подкреплением | reinforcement learning | RL | bestärkendes Lernen
агент | agent | Agent
среда | окружение | environment | Umgebung
награда | вознаграждение | reward | Belohnung
действие | action | Aktion
политика | policy | стратегия
последовательность | sequence | Sequenz
классификация | classification | Klassifikation
кластеризация | clustering | Clustering
параметры | parameters | Parameter
гиперпараметры | hyperparameters | Hyperparameter
локальный минимум | local minimum | local minima | lokales Minimum
плато | plateau
инвариантность | invariance | Invarianz
иерархия | иерархический | hierarchy | hierarchical | Hierarchie
представление | representation | embedding | эмбеддинг | Repräsentation
видеокарта | графический процессор | GPU | Grafikprozessor
"""


@lru_cache(maxsize=1)
def entries() -> tuple[tuple[str, ...], ...]:
    """The glossary as tuples of equivalent wordings."""
    rows = []
    for line in _GLOSSARY.strip().splitlines():
        words = tuple(w.strip() for w in line.split("|") if w.strip())
        if len(words) > 1:
            rows.append(words)
    return tuple(rows)
