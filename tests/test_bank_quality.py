"""The bundled bank grades its own references, each other's and its golden examples the way a human grader would.

These are the acceptance figures of the lexical grader over the curated rubrics (issue 2). Run the module as a script
to print them: `python -m tests.test_bank_quality`.
"""

from __future__ import annotations

import statistics
from functools import cache

import pytest

from grader.bank.store import Bank, packaged_bank, rubric_for
from grader.engine.rubric import is_stale, reference_hash
from grader.engine.text import content_stems
from grader.grading import grade
from grader.models import Example, Question, Rubric

SATURATION = ("nasyshchenie-neyrona", "effekt-nasyshcheniya-saturation-neyrona")
OWN_MIN = 0.9
RELATED_MIN = 0.6
TRIVIAL_MAX = 0.1
CROSS_MEAN_MAX = 0.15
# No other question's reference may grade as a passing answer. 0.6 is where a human would start to call an answer
# "mostly right"; references of neighbouring topics (CNN vs MLP and deep vs classic learning share real content)
# may earn partial credit below that, never more.
CROSS_PAIR_MAX = 0.6


@cache
def _bank() -> Bank:
    return Bank(packaged_bank())


def _questions() -> list[Question]:
    return _bank().questions()


@cache
def _rubric(qid: str) -> Rubric:
    rubric, warnings = rubric_for(_bank(), _bank().question(qid))
    assert not warnings, warnings
    return rubric


def _score(q: Question, answer: str) -> float:
    score = grade(q, _rubric(q.id), answer).score
    assert score is not None
    return score


def _related(a: Question, b: Question) -> bool:
    return b.id in a.related or a.id in b.related


@cache
def _cross_scores() -> dict[tuple[str, str], float]:
    """Each question answered with every other (unrelated) question's reference."""
    qs = _questions()
    return {(q.id, o.id): _score(q, o.reference) for q in qs for o in qs if o.id != q.id and not _related(q, o)}


def _golden() -> list[tuple[Question, Example]]:
    return [(q, e) for q in _questions() for e in _rubric(q.id).examples]


QIDS = [q.id for q in _questions()]
GOLDEN = _golden()


class TestRubrics:
    """Every bundled rubric is curated, current, and made of concepts that can count as evidence."""

    @pytest.mark.parametrize("qid", QIDS)
    def test_curated_and_current(self, qid: str) -> None:
        q = _bank().question(qid)
        rubric = _bank().rubric(qid)
        assert rubric is not None, f"no rubric file for {qid}"
        assert rubric.built_by == "curated"
        assert rubric.reference_hash == reference_hash(q.reference)
        assert not is_stale(rubric, q)
        assert 3 <= len(rubric.points) <= 6
        assert any(p.required for p in rubric.points)
        assert all(p.hint for p in rubric.points)
        assert all(p.concepts for p in rubric.points)

    @pytest.mark.parametrize("qid", QIDS)
    def test_no_wording_only_repeats_the_question(self, qid: str) -> None:
        q = _bank().question(qid)
        asked = content_stems(q.question, q.lang)
        echoes = [
            w for p in _rubric(qid).points for c in p.concepts for w in c.any if content_stems(w, q.lang) <= asked
        ]
        assert not echoes, f"wordings made only of question words give no evidence: {echoes}"

    @pytest.mark.parametrize("qid", QIDS)
    def test_wordings_have_content(self, qid: str) -> None:
        lang = _rubric(qid).lang
        empty = [w for p in _rubric(qid).points for c in p.concepts for w in c.any if not content_stems(w, lang)]
        assert not empty, f"wordings of function words only match almost any answer: {empty}"

    @pytest.mark.parametrize("qid", QIDS)
    def test_examples_cover_the_kinds(self, qid: str) -> None:
        rubric = _rubric(qid)
        ids = {e.id for e in rubric.examples}
        assert {"strong", "partial", "wrong", "off-topic"} <= ids
        point_ids = {p.id for p in rubric.points}
        for e in rubric.examples:
            assert set(e.covers) <= point_ids, f"{e.id} covers unknown points"
            assert _bank().question(qid).reference.strip() not in e.answer


class TestReferences:
    """A reference is a full answer to its own question and not to the others."""

    @pytest.mark.parametrize("qid", QIDS)
    def test_own_reference_grades_high(self, qid: str) -> None:
        q = _bank().question(qid)
        assert _score(q, q.reference) >= OWN_MIN

    @pytest.mark.parametrize(("a", "b"), [SATURATION, SATURATION[::-1]], ids=["ru-to-en", "en-to-ru"])
    def test_saturation_references_answer_each_other(self, a: str, b: str) -> None:
        assert _related(_bank().question(a), _bank().question(b))
        assert _score(_bank().question(a), _bank().question(b).reference) >= RELATED_MIN

    def test_other_references_score_low_on_average(self) -> None:
        scores = _cross_scores()
        assert len(scores) == len(QIDS) * (len(QIDS) - 1) - 2
        assert statistics.mean(scores.values()) <= CROSS_MEAN_MAX

    def test_no_other_reference_passes(self) -> None:
        too_high = {pair: s for pair, s in _cross_scores().items() if s > CROSS_PAIR_MAX}
        assert not too_high


class TestNonAnswers:
    """Saying nothing, saying "не знаю" or echoing the question earns nothing."""

    @pytest.mark.parametrize("kind", ["empty", "dont-know", "echo"])
    @pytest.mark.parametrize("qid", QIDS)
    def test_scores_near_zero(self, qid: str, kind: str) -> None:
        q = _bank().question(qid)
        answer = {"empty": "", "dont-know": "не знаю", "echo": q.question}[kind]
        assert _score(q, answer) <= TRIVIAL_MAX


class TestGolden:
    """Each golden example lands in its band and covers the points its author expects."""

    @pytest.mark.parametrize(("q", "example"), GOLDEN, ids=[f"{q.id}::{e.id}" for q, e in GOLDEN])
    def test_example(self, q: Question, example: Example) -> None:
        g = grade(q, _rubric(q.id), example.answer)
        assert g.score is not None
        lo, hi = example.band
        covered = {p.id for p in g.points if p.status == "covered"}
        assert lo <= g.score <= hi, f"score {g.score} outside {example.band}"
        assert set(example.covers) <= covered, f"expected {example.covers}, covered {sorted(covered)}"


def main() -> None:
    """Print the bank's acceptance figures."""
    qs = _questions()
    by_id = {q.id: q for q in qs}
    own = {q.id: _score(q, q.reference) for q in qs}
    cross = _cross_scores()
    worst = max(cross, key=lambda k: cross[k])
    a, b = SATURATION
    trivial = max(_score(q, t) for q in qs for t in ("", "не знаю", q.question))
    passed = 0
    for q, e in GOLDEN:
        g = grade(q, _rubric(q.id), e.answer)
        covered = {p.id for p in g.points if p.status == "covered"}
        passed += g.score is not None and e.band[0] <= g.score <= e.band[1] and set(e.covers) <= covered
    print(f"questions: {len(qs)}")
    print(f"own reference: min {min(own.values()):.3f} ({min(own, key=lambda k: own[k])})")
    print(
        f"saturation pair: {a} <- {b}: {_score(by_id[a], by_id[b].reference):.3f}; reverse: "
        f"{_score(by_id[b], by_id[a].reference):.3f}"
    )
    print(
        f"cross-reference: mean {statistics.mean(cross.values()):.4f} over {len(cross)} pairs; "
        f"max {cross[worst]:.3f} ({worst[0]} <- {worst[1]})"
    )
    print(f"empty / 'не знаю' / question echoed: max {trivial:.3f}")
    print(f"golden examples in band and covering their points: {passed}/{len(GOLDEN)}")


if __name__ == "__main__":
    main()
