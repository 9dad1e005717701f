"""A function word is no term: prepositions never become concepts nor name a glossary term."""

from __future__ import annotations

from grader.engine.rubric import build_rubric
from grader.grading import grade
from grader.models import Question

RL = Question(
    id="rl-ru",
    lang="ru",
    question="Что такое обучение с подкреплением?",
    reference="Агент действует в среде и получает награду; среди всех стратегий он ищет ту, что даёт больше награды.",
)


def test_a_preposition_names_no_glossary_term() -> None:
    q = Question(id="pr-ru", lang="ru", question="Что такое precision?",
                 reference="Precision — доля верно предсказанных положительных среди всех предсказанных положительных.")
    wordings = {w for p in build_rubric(q).points for c in p.concepts for w in c.any}
    assert "среда" not in wordings and "environment" not in wordings and "среди" not in wordings


def test_the_term_the_preposition_looks_like_is_still_a_term() -> None:
    rubric = build_rubric(RL)
    env = [c for p in rubric.points for c in p.concepts if "environment" in c.any]
    assert env, "the environment ('в среде') is a glossary term of this reference"
    # "среди" (among) in an answer is no evidence of the environment.
    g = grade(RL, rubric, "Среди стратегий агент выбирает лучшую.")
    said = [e.text.lower() for p in g.points for e in p.evidence]
    assert "среди" not in said
