"""Importing questions from a Telegram channel: the text dump as it is, and a Telegram Desktop JSON export."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from grader.bank.importers.telegram import normalise_tag, parse_dump, read_questions
from grader.errors import InvalidFile
from grader.models import Question
from tests.conftest import SEED, run_cli

DATA = Path(__file__).parent / "data" / "telegram"
DUMP = (
    DATA / "channel_dump.txt"
)  # header and six posts copied from the seed: every reaction-line shape, no-reaction post
EXPORT = DATA / "export"  # result.json: string and entity-list texts, hashtags, service messages, photo-only posts
REACTION = re.compile(r"^\s*\d*\s*👍\s*\d*\s*$", re.MULTILINE)


def _by_post(questions: list[Question]) -> dict[int, Question]:
    return {q.source.post: q for q in questions if q.source and q.source.post is not None}


@pytest.fixture(scope="module")
def seed_questions() -> list[Question]:
    if not SEED.is_file():
        pytest.skip(f"seed dump not present at {SEED}")
    return read_questions(SEED)


@pytest.fixture(scope="module")
def export_questions() -> dict[int, Question]:
    return _by_post(read_questions(EXPORT))  # the folder: result.json inside it is read


class TestSeedDump:
    """The real channel dump in ../shared/seeds gives the 13 questions of the bank."""

    def test_thirteen_questions_with_unique_ids(self, seed_questions: list[Question]) -> None:
        assert len(seed_questions) == 13
        assert len({q.id for q in seed_questions}) == 13
        assert [q.source.post for q in seed_questions if q.source] == list(range(1, 14))

    def test_reaction_lines_never_leak(self, seed_questions: list[Question]) -> None:
        for q in seed_questions:
            assert "👍" not in q.question + q.reference, q.id
            assert not REACTION.search(q.reference), q.id

    def test_tags_are_merged(self, seed_questions: list[Question]) -> None:
        tags = {t for q in seed_questions for t in q.tags}
        assert tags == {"глубокое_обучение", "машинное_обучение"}
        rl = next(q for q in seed_questions if "reinforcement learning" in q.question)
        assert rl.tags == ["машинное_обучение", "глубокое_обучение"]  # "#глубокое обучение" in the dump

    def test_post_without_reaction_line_is_split(self, seed_questions: list[Question]) -> None:
        dl = next(q for q in seed_questions if q.question.startswith("Как бы вы объяснили отличия глубокого обучения"))
        assert dl.reference.rstrip().endswith("что снижает необходимость в ручной обработке данных.")
        assert "подкреплением" not in dl.reference
        rl = next(q for q in seed_questions if q.question.startswith("Что вы знаете про обучение с подкреплением"))
        assert rl.reference.startswith("Суть обучения с подкреплением")

    def test_emoji_bullets_are_kept(self, seed_questions: list[Question]) -> None:
        training = next(q for q in seed_questions if q.question.startswith("Коротко опишите процесс обучения"))
        assert "🔹Инициализация весов" in training.reference
        assert any("▪️" in q.reference for q in seed_questions)

    def test_saturation_questions_are_related(self, seed_questions: list[Question]) -> None:
        ids = {q.id: q for q in seed_questions}
        a, b = ids["nasyshchenie-neyrona"], ids["effekt-nasyshcheniya-saturation-neyrona"]
        assert a.related == [b.id] and b.related == [a.id]
        assert sum(bool(q.related) for q in seed_questions) == 2

    def test_the_bundled_bank_is_this_import(self, seed_questions: list[Question], bank: object) -> None:
        from grader.bank.store import Bank

        assert isinstance(bank, Bank)
        assert sorted(q.id for q in seed_questions) == sorted(bank.ids())


class TestDumpFixture:
    """The same rules on a copy kept in tests/data, so they hold without ../shared."""

    def test_header_is_skipped_and_channel_named(self) -> None:
        channel, posts = parse_dump(DUMP.read_text(encoding="utf-8"))
        assert channel.startswith("Библиотека собеса по Data Science")
        assert not any("subscribers" in p.text or "Download Telegram" in p.text for p in posts)

    def test_every_reaction_shape_ends_a_post(self) -> None:
        questions = _by_post(read_questions(DUMP))
        assert len(questions) == 6
        assert questions[1].reference.endswith("стратегии инициализации весов.")  # ended by 👍4
        assert questions[2].reference.endswith("который отвечает за финальное предсказание.")  # ended by 4👍2
        assert questions[3].reference.endswith("например, Adam или RMSprop.")  # ended by 👍71
        assert questions[3].question.startswith("Перечислите гиперапараметры")
        for q in questions.values():
            assert "👍" not in q.reference and not REACTION.search(q.reference)

    def test_no_reaction_post_and_space_tag(self) -> None:
        questions = _by_post(read_questions(DUMP))
        assert questions[5].question.startswith("Как бы вы объяснили отличия")
        assert questions[6].question.startswith("Что вы знаете про обучение с подкреплением")
        assert questions[6].tags == ["машинное_обучение", "глубокое_обучение"]

    def test_saturation_pair_related(self) -> None:
        questions = _by_post(read_questions(DUMP))
        assert questions[1].related == [questions[4].id]
        assert questions[4].related == [questions[1].id]

    @pytest.mark.parametrize(
        ("raw", "tag"),
        [("#глубокое обучение", "глубокое_обучение"), ("#глубокое_обучение", "глубокое_обучение"), ("#ML", "ml")],
    )
    def test_normalise_tag(self, raw: str, tag: str) -> None:
        assert normalise_tag(raw) == tag


class TestDesktopExport:
    """A Telegram Desktop export: only question-and-answer messages become questions."""

    def test_only_qa_messages(self, export_questions: dict[int, Question]) -> None:
        assert sorted(export_questions) == [2, 3, 7]  # not the service messages, the photo-only post or the ad

    def test_string_text(self, export_questions: dict[int, Question]) -> None:
        q = export_questions[2]
        assert q.question == "Что такое dropout и зачем он нужен?"
        assert q.reference.startswith("Dropout — метод регуляризации")
        assert "#" not in q.reference
        assert q.tags == ["глубокое_обучение"]
        assert q.source is not None and q.source.channel == "Библиотека собеса по Data Science"

    def test_entity_list_text(self, export_questions: dict[int, Question]) -> None:
        q = export_questions[3]
        assert q.question == "Зачем нужна батч-нормализация?"
        assert "(batch normalization)" in q.reference
        assert "🔹Стабилизирует обучение" in q.reference
        assert "https://arxiv.org/abs/1502.03167" in q.reference
        assert "#" not in q.reference
        assert q.tags == ["глубокое_обучение", "машинное_обучение"]  # "#машинное" entity + " обучение" is one tag

    def test_photo_with_caption_in_english(self, export_questions: dict[int, Question]) -> None:
        q = export_questions[7]
        assert q.lang == "en" and q.tags == ["ml"] and q.id == "early-stopping"

    def test_not_an_export(self, tmp_path: Path) -> None:
        bad = tmp_path / "result.json"
        bad.write_text(json.dumps({"name": "x", "chats": []}), encoding="utf-8")
        with pytest.raises(InvalidFile, match="messages"):
            read_questions(bad)

    def test_broken_json_names_the_line(self, tmp_path: Path) -> None:
        bad = tmp_path / "result.json"
        bad.write_text('{\n "name": "x",\n "messages": [\n', encoding="utf-8")
        with pytest.raises(InvalidFile, match=r"result\.json:\d+: invalid JSON"):
            read_questions(bad)


@pytest.mark.slow
class TestReimport:
    """Re-running an import is idempotent and keeps files edited by hand unless --force."""

    def test_idempotent_and_keeps_edits(self, tmp_path: Path) -> None:
        first = run_cli("import", "telegram", str(DUMP), "--bank", str(tmp_path), "--json")
        assert first.returncode == 0, first.stderr
        assert set(json.loads(first.stdout)["questions"].values()) == {"created"}
        files = sorted((tmp_path / "questions").glob("*.yaml"))
        assert len(files) == 6
        snapshot = {p.name: p.read_bytes() for p in files}

        again = run_cli("import", "telegram", str(DUMP), "--bank", str(tmp_path), "--json")
        assert set(json.loads(again.stdout)["questions"].values()) == {"unchanged"}
        assert {p.name: p.read_bytes() for p in files} == snapshot

        edited = files[0]
        edited.write_text(edited.read_text(encoding="utf-8") + "# my note\n", encoding="utf-8")
        kept = run_cli("import", "telegram", str(DUMP), "--bank", str(tmp_path), "--json")
        assert json.loads(kept.stdout)["questions"][edited.stem] == "kept"
        assert edited.read_text(encoding="utf-8").endswith("# my note\n")

        forced = run_cli("import", "telegram", str(DUMP), "--bank", str(tmp_path), "--force", "--json")
        assert json.loads(forced.stdout)["questions"][edited.stem] == "updated"
        assert edited.read_bytes() == snapshot[edited.name]

    def test_imported_questions_load_back(self, tmp_path: Path) -> None:
        from grader.bank.store import Bank

        assert run_cli("import", "telegram", str(EXPORT), "--bank", str(tmp_path)).returncode == 0
        loaded = {q.id: q for q in Bank.open(tmp_path).questions()}
        assert loaded == {q.id: q for q in read_questions(EXPORT)}
