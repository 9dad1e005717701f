"""A hiring team can trust the batch: suspicious answers are flagged and shown, and the report cannot mislead
(rank, bar and mean one number; blank, error and not-asked cells distinct; no ghost columns; one language)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from grader.bank.store import Bank
from grader.batch import integrity
from grader.batch.run import run_batch
from grader.tables import RowSource
from tests.browser import browser_page

Q1, Q2 = "nasyshchenie-neyrona", "backpropagation-through-time-bptt"
GOOD = "Насыщение: выход сигмоиды или tanh близок к 0 или 1, градиент затухает, и обучение останавливается."
OTHER = "Нейрон насыщается, когда его активация упирается в предел функции, и градиент почти нулевой."
SECOND = "Выход сигмоиды упирается в 0 или 1, градиент затухает, и веса почти не обновляются."
SHARED = "Сеть разворачивают во времени на все шаги последовательности и считают градиенты обратным проходом по шагам."


def _reference(bank: Bank) -> str:
    return bank.question(Q1).reference


def _rows(bank: Bank) -> list[dict[str, str]]:
    padded = (GOOD + " ") * 3 + "сигмоида градиент насыщение " * 40
    return [
        {"id": "a1", "candidate": "Анна", "question_id": Q1, "answer": GOOD},
        {"id": "a2", "candidate": "Анна", "question_id": Q2, "answer": SHARED},
        {"id": "b1", "candidate": "Борис", "question_id": Q1, "answer": _reference(bank)},  # copied
        {"id": "b2", "candidate": "Борис", "question_id": Q2, "answer": SHARED.upper() + "!"},  # shared with Анна
        {"id": "c1", "candidate": "Вера", "question_id": Q1, "answer": "   "},  # blank
        {"id": "c2", "candidate": "Вера", "question_id": "q-typo", "answer": GOOD},  # unknown id: an error
        {"id": "d1", "candidate": "Глеб", "question_id": Q1, "answer": padded},  # padding
        {"id": "e1", "candidate": "Дина", "question_id": Q1, "answer": OTHER},  # Q2 never asked
        {"id": "e2", "candidate": "Дина", "question_id": Q1, "answer": SECOND},  # answered twice
    ]


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory, bank: Bank) -> Path:
    tmp = tmp_path_factory.mktemp("integrity")
    path = tmp / "in.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in _rows(bank)), encoding="utf-8")
    run_batch(RowSource.open(path), tmp / "out", bank)
    return tmp / "out"


def _records(out: Path) -> dict[str, dict]:  # type: ignore[type-arg]
    return {r["id"]: r for r in map(json.loads, (out / "grades.jsonl").read_text("utf-8").splitlines())}


def _summary(out: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((out / "summary.json").read_text("utf-8"))


class TestFlagsOnRows:
    """Per-answer flags are in grades.jsonl and grades.csv and never change the score."""

    def test_copied_reference_and_padding_are_flagged(self, out: Path) -> None:
        recs = _records(out)
        assert "copied_reference" in recs["b1"]["flags"] and "repetition" in recs["d1"]["flags"]
        assert not {"copied_reference", "repetition"} & set(recs["a1"]["flags"])
        assert "copied_reference" in (out / "grades.csv").read_text("utf-8-sig")

    def test_flags_do_not_change_scores(self, out: Path, bank: Bank) -> None:
        from grader.bank.store import rubric_for
        from grader.grading import grade

        question = bank.question(Q1)
        rubric, _ = rubric_for(bank, question)
        for rid in ("b1", "d1"):
            rec = _records(out)[rid]
            assert rec["score"] == grade(question, rubric, rec["answer"]).score

    @pytest.mark.parametrize(
        ("answer", "flagged"),
        [("Градиент затухает. Градиент затухает при насыщении. Градиент затухает при насыщении.", True),
         ("Градиент затухает при насыщении, и поэтому обучение замедляется на глубоких слоях.", False),
         ("relu " * 60, True), ("Sigmoid saturates; gradients vanish 🙂 и обучение стоит.", False)],
        ids=["repeated-sentence", "plain", "keyword-spam", "mixed-emoji"],
    )  # fmt: skip
    def test_repetition(self, answer: str, flagged: bool) -> None:
        assert integrity.repetition(answer) is flagged

    @pytest.mark.parametrize(
        "answer",
        ["Градиент затухает. Градиент  затухает!Ещё… слово; конец.", "a .b c.\u00a0d e.\u2003f g.\tH", "end. ",
         "İstanbul STRASSE Straße ΣΑΣ ёж Ёлка", "snake_case k-means, t-SNE (PCA); x_1=2.5", "— ... ok?! 🙂 и всё",
         "line one.\nline two\n\n  three; four\r\nfive", " \n lead and trail \t", ""],
        ids=["ru-punctuation", "unicode-spaces", "trailing-space", "case-folding", "symbols", "no-words",
             "line-breaks", "blank-edges", "empty"],
    )  # fmt: skip
    def test_pieces_read_as_the_whole_text(self, answer: str) -> None:
        """Words and sentences read a piece at a time (each remembered) are those of the regex over the text."""
        tokens = integrity._WORD_OR_SPLIT.findall(answer.casefold().replace("ё", "е"))
        words, marked = integrity._answer_parts(answer)
        assert words == tuple(t for t in tokens if t)
        sentences = [list(run) for is_words, run in itertools.groupby(tokens, bool) if is_words]
        assert [list(run) for is_words, run in itertools.groupby(marked, bool) if is_words] == sentences
        assert integrity._answer_parts.__wrapped__(answer) == (words, marked)  # read again from the memo

    def test_long_pieces_are_not_remembered(self) -> None:
        """The memos of pieces and words hold short ones only: answers of long unbroken text (a pasted blob, up to
        the 1,000,000 characters an answer may hold) do not stay in memory after they are graded."""
        import tracemalloc

        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            for i in range(20):
                answer = "ответ из нескольких слов и одного длинного куска " + f"{i:03d}" + "x" * 100_000
                integrity.flags_for(answer, "")
                integrity.sketch(integrity.answer_words(answer))
            integrity.answer_words.cache_clear()
            integrity._answer_parts.cache_clear()
            kept = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
        assert kept < 500_000  # 20 answers of 100 KB: 4 MB kept when every piece and word was remembered

    def test_copied_reference_nearly_verbatim(self, bank: Bank) -> None:
        ref = _reference(bank)
        nearly = ref.replace("очень", "весьма").replace("сети", "модели")
        assert integrity.copied_reference(nearly, ref)
        assert not integrity.copied_reference(GOOD, ref)
        assert not integrity.copied_reference(ref[:120], ref)  # a quoted phrase is not a copied answer


class TestFlagsAcrossRows:
    """shared_answer names the group; duplicate_answer keeps both answers and says so."""

    def test_shared_answer_group(self, out: Path) -> None:
        shared = [f for f in _summary(out)["flagged"] if f["flag"] == "shared_answer"]
        # Глеб's padded answer is Анна's, word for word, three times over plus keyword spam: as sets of word pairs
        # (repetition counts once) it is hers, so it is linked to hers too.
        assert shared == [{"flag": "shared_answer", "question_id": Q1, "candidates": ["Анна", "Глеб"],
                           "ids": ["a1", "d1"]},
                          {"flag": "shared_answer", "question_id": Q2, "candidates": ["Анна", "Борис"],
                           "ids": ["a2", "b2"]}]  # fmt: skip

    def test_duplicate_answer(self, out: Path) -> None:
        s = _summary(out)
        dup = [f for f in s["flagged"] if f["flag"] == "duplicate_answer"]
        assert [(f["question_id"], f["candidates"]) for f in dup] == [(Q1, ["Дина"])]
        dina = next(c for c in s["candidates"] if c["candidate"] == "Дина")
        assert dina["repeated"] == [Q1]
        recs = _records(out)
        assert dina["scores"][Q1] == round((recs["e1"]["score"] + recs["e2"]["score"]) / 2, 4)


class TestReportCannotMislead:
    """Blank is 0 and its own cell; unknown ids are errors, not columns; rank follows the mean shown."""

    def test_unknown_id_is_an_error_not_a_column(self, out: Path) -> None:
        s = _summary(out)
        assert [q["id"] for q in s["questions"]] == [Q1, Q2]
        assert _records(out)["c2"]["error"].startswith("unknown question id")

    def test_blank_is_zero_and_counted_as_blank(self, out: Path) -> None:
        s = _summary(out)
        vera = next(c for c in s["candidates"] if c["candidate"] == "Вера")
        # the mistyped id counts as asked (0): a candidate with one good answer and typos does not rank on it alone
        got = (vera["blank"], vera["scores"], vera["errors"], vera["asked"], vera["mean"])
        assert got == ([Q1], {Q1: 0.0}, 1, 2, 0)
        assert (s["blank"], s["errors"]) == (1, 1)

    def test_rank_follows_the_mean(self, out: Path) -> None:
        cands = _summary(out)["candidates"]
        means = [c["mean"] for c in cands]
        assert means == sorted(means, reverse=True)
        for c in cands:
            assert c["mean"] == round(c["total"] / c["asked"], 4)

    def test_cells_and_words(self, out: Path) -> None:
        page = (out / "report.html").read_text("utf-8")
        assert "<td class='cell blank'" in page and "<td class='cell none'" in page
        for english in ("unknown question id", ">line ", "Errors", "Mean", ">copied_reference<", ">empty<"):
            assert english not in page, english
        assert ">копия эталона<" in page and ">пустой ответ<" in page
        assert "неизвестный id вопроса" in page

    def test_groups(self, out: Path) -> None:
        q1 = _summary(out)["questions"][0]
        assert sum(g["size"] for g in q1["groups"]) == q1["answers"]
        assert any(g["answer"] == "   " for g in q1["groups"])  # blank answers form their own group


@pytest.mark.slow
def test_report_in_a_browser(out: Path) -> None:
    """Chromium shows the ranking, the heat map with its three kinds of empty cell, every flag and the groups."""
    with browser_page(out / "report.html") as page:
        for section in ("ranking", "heatmap", "integrity", "groups", "difficulty", "details"):
            assert page.locator(f"#{section}").is_visible(), section
        assert page.locator("tr.cand-row").count() == 5
        for cls in ("blank", "none"):
            assert page.locator(f"td.cell.{cls}").first.is_visible(), cls
        for flag in ("copied_reference", "repetition", "shared_answer", "duplicate_answer"):
            assert page.locator(f"tr.flagged.{flag}").count() >= 1, flag
        assert page.locator("tr.group").count() >= 3
