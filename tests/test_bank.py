"""Reading and writing the question bank: errors name file, line and field; one question reads one file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from grader.bank.store import Bank, load_model, packaged_bank, resolve_bank
from grader.engine.rubric import reference_hash
from grader.errors import InvalidFile, NotFound
from grader.models import Question, Rubric

QUESTION = "id: demo\nquestion: Что такое dropout?\nreference: Случайное отключение нейронов при обучении.\n"


def _bank(tmp_path: Path, **questions: str) -> Bank:
    (tmp_path / "questions").mkdir()
    (tmp_path / "rubrics").mkdir()
    for qid, text in questions.items():
        (tmp_path / "questions" / f"{qid}.yaml").write_text(text, encoding="utf-8")
    return Bank.open(tmp_path)


class TestLoadErrors:
    """A file that does not parse or validate is an InvalidFile naming the file, the line and the field."""

    def test_yaml_syntax_error_names_the_line(self, tmp_path: Path) -> None:
        path = tmp_path / "q.yaml"
        path.write_text("id: demo\nquestion: [unclosed\nreference: x\n", encoding="utf-8")
        with pytest.raises(InvalidFile, match=rf"^{path}:\d+: invalid YAML"):
            load_model(path, Question)

    def test_unknown_key_names_its_line(self, tmp_path: Path) -> None:
        path = tmp_path / "q.yaml"
        path.write_text(QUESTION + "tgas: [x]\n", encoding="utf-8")
        with pytest.raises(InvalidFile, match=rf"^{path}:4: unknown field 'tgas'; did you mean 'tags'\?"):
            load_model(path, Question)

    def test_nested_field_names_its_path_and_line(self, tmp_path: Path) -> None:
        path = tmp_path / "r.yaml"
        path.write_text(
            "question_id: demo\npoints:\n- id: p1\n  text: t\n  concepts:\n  - [dropout]\n  - {any: [], weight: 1}\n",
            encoding="utf-8",
        )
        with pytest.raises(InvalidFile, match=rf"^{path}:7: field 'points.0.concepts.1.any'"):
            load_model(path, Rubric)

    def test_missing_field(self, tmp_path: Path) -> None:
        path = tmp_path / "q.yaml"
        path.write_text("id: demo\nquestion: q\n", encoding="utf-8")
        with pytest.raises(InvalidFile, match="field 'reference': Field required"):
            load_model(path, Question)

    @pytest.mark.parametrize("text", ["- a\n- b\n", "just text\n", ""])
    def test_top_level_must_be_a_mapping(self, tmp_path: Path, text: str) -> None:
        path = tmp_path / "q.yaml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(InvalidFile, match="expected a mapping"):
            load_model(path, Question)

    def test_not_utf8(self, tmp_path: Path) -> None:
        path = tmp_path / "q.yaml"
        path.write_bytes(QUESTION.replace("Что такое", "Что такое").encode("cp1251"))
        with pytest.raises(InvalidFile, match="not UTF-8"):
            load_model(path, Question)

    def test_id_must_match_the_file_name(self, tmp_path: Path) -> None:
        bank = _bank(tmp_path, other=QUESTION)
        with pytest.raises(InvalidFile, match="does not match the file name"):
            bank.question("other")


class TestQuestions:
    """Asking for one question reads one file; unknown ids get the closest suggestions."""

    def test_one_question_ignores_a_broken_neighbour(self, tmp_path: Path) -> None:
        bank = _bank(tmp_path, demo=QUESTION, broken="id: [\n")
        assert bank.question("demo").question == "Что такое dropout?"
        with pytest.raises(InvalidFile, match=r"broken\.yaml"):
            bank.questions()

    def test_unknown_id_suggests_close_ids(self, tmp_path: Path) -> None:
        bank = _bank(tmp_path, demo=QUESTION, broken="id: [\n")
        with pytest.raises(NotFound, match=r"no question with id 'dem'.*Did you mean: demo"):
            bank.question("dem")

    @pytest.mark.parametrize("qid", ["../questions/demo", "", "demo/"])
    def test_ids_are_not_paths(self, tmp_path: Path, qid: str) -> None:
        with pytest.raises(NotFound):
            _bank(tmp_path, demo=QUESTION).question(qid)

    def test_ids_come_from_file_names(self, tmp_path: Path) -> None:
        assert _bank(tmp_path, b=QUESTION, a=QUESTION).ids() == ["a", "b"]

    def test_the_bundled_bank_loads(self) -> None:
        bank = Bank.open()
        assert len(bank.questions()) == 13
        for q in bank.questions():
            assert bank.question(q.id) == q
            assert bank.rubric(q.id) is not None


class TestResolveBank:
    """--bank, then $GRADER_BANK, then the bundled bank; a folder without questions/ is refused."""

    def test_missing_folder(self, tmp_path: Path) -> None:
        with pytest.raises(NotFound, match=r"bank folder does not exist.*--bank DIR"):
            resolve_bank(tmp_path / "nope")

    def test_folder_without_questions(self, tmp_path: Path) -> None:
        with pytest.raises(NotFound, match="no questions/ folder"):
            resolve_bank(tmp_path)

    def test_environment_variable(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        (tmp_path / "questions").mkdir()
        monkeypatch.setenv("GRADER_BANK", str(tmp_path))
        assert resolve_bank() == tmp_path
        monkeypatch.delenv("GRADER_BANK")
        assert resolve_bank() == packaged_bank()


class TestWriting:
    """Saving a question reports what happened and never overwrites a hand edit unless forced."""

    def test_save_question_outcomes(self, tmp_path: Path) -> None:
        bank = _bank(tmp_path)
        q = Question(id="demo", question="Что такое dropout?", reference="Отключение нейронов.", tags=["dl"])
        assert bank.save_question(q) == "created"
        assert bank.save_question(q) == "unchanged"
        path = tmp_path / "questions" / "demo.yaml"
        path.write_text(path.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
        assert bank.save_question(q) == "kept"
        assert path.read_text(encoding="utf-8").endswith("# edited\n")
        assert bank.save_question(q, force=True) == "updated"
        assert load_model(path, Question) == q

    def test_reference_hash_ignores_whitespace(self) -> None:
        assert reference_hash("a  b\n c") == reference_hash("a b c") != reference_hash("a b d")


def test_fast_yaml_loader_reads_the_bank_like_the_safe_one() -> None:
    """The bank is parsed with libyaml when available; it must read every bank file exactly as SafeLoader does."""
    root = packaged_bank()
    files = sorted((root / "questions").glob("*.yaml")) + sorted((root / "rubrics").glob("*.yaml"))
    assert files
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert yaml.load(text, Loader=loader) == yaml.safe_load(text), path
