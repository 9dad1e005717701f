"""Parsed bank files are kept, and used only while the file is the one they were read from."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from grader.bank import parsed, store
from grader.bank.store import Bank, load_model, packaged_bank
from grader.errors import InvalidFile
from grader.models import Question, Rubric

QID = "nasyshchenie-neyrona"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GRADER_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "bank"


@pytest.fixture
def question_file(tmp_path: Path) -> Path:
    path = tmp_path / "questions" / f"{QID}.yaml"
    path.parent.mkdir()
    shutil.copy(packaged_bank() / "questions" / f"{QID}.yaml", path)
    return path


def no_yaml(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading a file from now on fails: what is loaded must come from the cache."""

    def refuse(path: Path, model: type) -> None:
        raise AssertionError(f"{path} was parsed again")

    monkeypatch.setattr(store, "_parse_model", refuse)


class TestKept:
    """A file read once is read from the cache next time, as the same model."""

    @pytest.mark.parametrize("folder", ["questions", "rubrics"])
    def test_every_bank_file_comes_back_the_same(self, folder: str, cache: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
        model = Question if folder == "questions" else Rubric
        files = sorted((packaged_bank() / folder).glob("*.yaml"))
        read = [load_model(path, model) for path in files]
        assert len(list(cache.glob("*.json"))) == len(files) > 0
        no_yaml(monkeypatch)
        kept = [load_model(path, model) for path in files]
        assert kept == read  # equal field by field ...
        assert [k.model_fields_set for k in kept] == [r.model_fields_set for r in read]  # ... and in what was given

    def test_a_bank_grades_from_the_cache(self, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        bank = Bank.open(packaged_bank())
        first = (bank.question(QID), bank.rubric(QID))
        no_yaml(monkeypatch)
        again = Bank.open(packaged_bank())
        assert (again.question(QID), again.rubric(QID)) == first


class TestNotKept:
    """Anything but the very file it was read from is read again."""

    def test_an_edited_file_is_read_again(self, cache: Path, question_file: Path) -> None:
        load_model(question_file, Question)
        text = question_file.read_text(encoding="utf-8")
        stat = question_file.stat()
        question_file.write_text(text.replace("насыщение", "НАСЫЩЕНИЕ", 1), encoding="utf-8")  # the same size
        os.utime(question_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000))
        assert "НАСЫЩЕНИЕ" in load_model(question_file, Question).question

    def test_a_damaged_entry_is_read_again(self, cache: Path, question_file: Path) -> None:
        first = load_model(question_file, Question)
        (entry,) = cache.glob("*.json")
        for damage in (b"{not json", b"[]", b'{"key": 1}', b"\xff\xfe"):
            entry.write_bytes(damage)
            assert load_model(question_file, Question) == first
        key = parsed.key_of(question_file)
        entry.write_text(json.dumps({"key": key, "data": {"id": "BAD ID"}}), encoding="utf-8")
        assert load_model(question_file, Question) == first  # the key holds but the data does not validate

    def test_a_lower_limit_reads_again(self, cache: Path, question_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        from grader.limits import limit

        load_model(question_file, Question)
        monkeypatch.setenv("GRADER_MAX_FILE_BYTES", "10")
        limit.cache_clear()
        try:
            with pytest.raises(InvalidFile, match="GRADER_MAX_FILE_BYTES"):
                load_model(question_file, Question)
        finally:
            monkeypatch.delenv("GRADER_MAX_FILE_BYTES")
            limit.cache_clear()

    def test_an_invalid_file_is_never_kept(self, cache: Path, question_file: Path) -> None:
        question_file.write_text("id: x\nquestion: [unclosed\n", encoding="utf-8")
        for _ in range(2):
            with pytest.raises(InvalidFile, match=":2"):
                load_model(question_file, Question)
        assert not list(cache.glob("*.json"))

    def test_an_unwritable_cache_costs_only_time(self, tmp_path: Path, question_file: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
        blocker = tmp_path / "a-file"
        blocker.write_text("not a folder")
        monkeypatch.setenv("GRADER_CACHE_DIR", str(blocker))
        assert load_model(question_file, Question).id == QID
        assert load_model(question_file, Question).id == QID
