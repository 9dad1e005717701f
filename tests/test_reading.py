"""How a reference is read into a rubric: menus of alternatives as groups, score levels, criteria, notes, a
reference in another language than the answer, and the lint and `rubric build` views of the reading.

Every case is written here, for this test, in English, German and Russian.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from grader.ci.lint import RubricDoc, lint_rubric
from grader.engine.lexical import grade_lexical
from grader.engine.reading import read_reference
from grader.engine.rubric import build_rubric, read_question
from grader.engine.scoring import combine
from grader.models import KeyPoint, PointGroup, PointResult, Question, Rubric
from tests.conftest import run_cli


def question(reference: str, ask: str = "Explain.", lang: str = "en") -> Question:
    return Question(id="q", question=ask, reference=reference, lang=lang)  # type: ignore[arg-type]


def raw_score(q: Question, answer: str) -> float:
    """The rubric's share of credit without the automatic curve, so a test sees what the groups do."""
    rubric = build_rubric(q).model_copy(update={"built_by": "curated"})
    s = grade_lexical(q, rubric, answer).score
    assert s is not None
    return s


def words_of(rubric: Rubric) -> set[str]:
    return {w.lower() for p in rubric.points for c in p.concepts for a in c.any for w in a.split()}


class TestMenus:
    """A menu of alternatives is a group of points of which the answer needs N, not all."""

    @pytest.mark.parametrize(
        ("reference", "lang", "needs", "size"),
        [
            ("Dropout zeroes random units.\nTwo of the following:\n- weight decay\n- early stopping\n- augmentation",
             "en", 2, 3),
            ("Dropout schaltet Einheiten ab.\nEines der folgenden:\n- Gewichtsabnahme\n- frühes Stoppen\n- Bagging",
             "de", 1, 3),
            ("Дропаут отключает нейроны.\nЛюбые два из:\n- затухание весов\n- ранняя остановка\n- аугментация",
             "ru", 2, 3),
        ],
        ids=["en-two-of", "de-eines-der", "ru-lyubye-dva-iz"],
    )
    def test_a_labelled_menu_is_a_group(self, reference: str, lang: str, needs: int, size: int) -> None:
        rubric = build_rubric(question(reference, lang=lang))
        assert [(g.needs, sum(p.group == g.id for p in rubric.points)) for g in rubric.groups] == [(needs, size)]
        assert rubric.points[0].group is None and rubric.needs is None

    def test_two_of_four_score_full_and_one_of_four_less(self) -> None:
        q = question(
            "Dropout zeroes random units in training.\nAny two of:\n- weight decay\n- early stopping\n"
            "- data augmentation\n- ensembling"
        )
        two = raw_score(q, "Dropout zeroes random units in training; also weight decay and early stopping help.")
        one = raw_score(q, "Dropout zeroes random units in training; also weight decay helps.")
        assert two == 1.0 and one < two

    def test_the_question_count_goes_to_its_group_not_the_whole_rubric(self) -> None:
        q = question(
            "Batch normalisation rescales activations per batch.\nPossible other methods:\n- layer normalisation\n"
            "- weight standardisation\n- group normalisation",
            ask="Explain batch normalisation and name two other methods.",
        )
        rubric = build_rubric(q)
        assert rubric.needs is None and [g.needs for g in rubric.groups] == [2]
        full = raw_score(q, "Batch normalisation rescales activations per batch; layer and group normalisation too.")
        assert full == 1.0
        assert raw_score(q, "Layer normalisation and group normalisation.") < 0.8  # the first point is still needed

    @pytest.mark.parametrize(
        ("reference", "lang"),
        [
            ("Possible correct responses: overfitting, high variance, or memorising the training set.", "en"),
            ("Mögliche Antworten: Überanpassung, hohe Varianz oder Auswendiglernen.", "de"),
            ("Возможные ответы: переобучение, высокая дисперсия или запоминание выборки.", "ru"),
        ],
        ids=["en", "de", "ru"],
    )
    def test_an_inline_menu_needs_one_and_says_it_guessed(self, reference: str, lang: str) -> None:
        reading = read_reference(reference)
        assert len(reading.points) == 3 and reading.needs == 1
        assert any("menu guessed" in u for u in reading.unsure)

    @pytest.mark.parametrize(
        ("reference", "lang", "answer"),
        [
            ("Ensembles reduce variance, e.g. bagging, boosting or stacking.", "en", "Ensembles like boosting "
             "reduce variance."),
            ("Ensembles verringern die Varianz, z. B. Bagging, Boosting oder Stacking.", "de", "Ensembles wie "
             "Boosting verringern die Varianz."),
            ("Ансамбли снижают дисперсию, например бэггинг, бустинг или стекинг.", "ru", "Ансамбли, такие как "
             "бустинг, снижают дисперсию."),
        ],
        ids=["en-eg", "de-zb", "ru-naprimer"],
    )
    def test_examples_in_a_sentence_are_one_concept_with_alternatives(
        self, reference: str, lang: str, answer: str
    ) -> None:
        q = question(reference, lang=lang)
        rubric = build_rubric(q)
        alternatives = [{a.lower() for a in c.any} for c in rubric.points[0].concepts if len(c.any) == 3]
        assert any(a & {"boosting", "бустинг"} for a in alternatives)
        assert raw_score(q, answer) == 1.0

    def test_combine_counts_the_best_of_a_group(self) -> None:
        def result(pid: str, score: float) -> PointResult:
            return PointResult(id=pid, text=pid, status="covered" if score else "missing", score=score)

        points = [result("a", 1.0), result("b", 0.0), result("c", 1.0), result("d", 0.0)]
        assert combine(points) == 0.5
        assert combine(points, groups=[(frozenset({"b", "c", "d"}), 1)]) == 1.0
        assert combine(points, groups=[(frozenset({"b", "c", "d"}), 2)]) == pytest.approx(2 / 3, abs=1e-4)

    def test_a_group_must_be_satisfiable_and_known(self) -> None:
        point = KeyPoint(id="p1", text="x", concepts=[], group="g1")
        with pytest.raises(ValidationError, match="needs 2 points but 1"):
            Rubric(question_id="q", points=[point], groups=[PointGroup(id="g1", needs=2)])
        with pytest.raises(ValidationError, match="unknown group 'g1'"):
            Rubric(question_id="q", points=[point])


class TestRubricDocuments:
    """Score levels and labels of a rubric document become points and weights, not words to find."""

    @pytest.mark.parametrize(
        ("reference", "top"),
        [
            ("3 points: names overfitting, regularisation and validation, 2 points: names two of them, "
             "1 point: names one of them.", "overfitting"),
            ("2 Punkte: nennt Überanpassung und Regularisierung.\n1 Punkt: nennt nur eines davon.", "Überanpassung"),
            ("2 балла: называет переобучение и регуляризацию.\n1 балл: называет одно из них.", "переобучение"),
        ],
        ids=["en", "de", "ru"],
    )
    def test_the_top_level_is_the_answer_and_lower_levels_are_set_aside(self, reference: str, top: str) -> None:
        reading = read_reference(reference)
        assert reading.shape == "levels"
        assert top.lower() in reading.points[0].text.lower() and len(reading.notes) >= 1
        assert not reading.points[0].text.lower().startswith(("names", "nennt", "называет"))
        assert any("score levels" in u for u in reading.unsure)

    @pytest.mark.parametrize(
        ("reference", "lang", "n"),
        [
            ("Key elements:\n- the learning rate of the optimiser\n- the batch size used for training\n"
             "- the number of training epochs\n- the random seed of the data split\n\nRubric:\n"
             "3 points: The response names three settings needed to repeat the training run.\n"
             "2 points: The response names two settings.\n1 point: The response names one setting.\n"
             "0 points: Nothing relevant.", "en", 3),
            ("Erwartete Elemente:\n- die Lernrate des Optimierers\n- die Batchgröße beim Training\n"
             "- die Anzahl der Epochen\n\n2 Punkte: Die Antwort nennt zwei Einstellungen, die zum Wiederholen "
             "nötig sind.\n1 Punkt: Die Antwort nennt eine Einstellung.\n0 Punkte: Nichts Passendes.", "de", 2),
            ("Ключевые элементы:\n- скорость обучения оптимизатора\n- размер батча при обучении\n"
             "- число эпох обучения\n- зерно генератора при разбиении данных\n\n"
             "2 балла: ответ называет две настройки, нужные для повтора обучения.\n"
             "1 балл: ответ называет одну настройку.\n0 баллов: ничего по делу.", "ru", 2),
        ],
        ids=["en", "de", "ru"],
    )
    def test_key_elements_counted_by_score_levels(self, reference: str, lang: str, n: int) -> None:
        """A rubric document that lists key elements, then counts them in score levels: the elements are the
        points, the top level's count is how many a full answer needs, and the levels are set aside."""
        reading = read_reference(reference)
        assert len(reading.points) in (3, 4) and reading.needs == n
        assert not any(p.text[:1].isdigit() or "response" in p.text.lower() for p in reading.points)
        assert len(reading.notes) >= 3 and any("key elements" in u for u in reading.unsure)
        rubric = build_rubric(question(reference, lang=lang))
        assert rubric.needs == n and len(rubric.points) == len(reading.points)

    @pytest.mark.parametrize(
        "reference",
        [
            "Key elements:\n- the learning rate\n- the batch size\n- the number of epochs\n\n"
            "2 points: The response names all of the settings.\n1 point: The response names one setting.",
            "Key elements:\n- the learning rate\n- the batch size\n\n"
            "2 points: The response names both settings.\n1 point: The response names one setting.",
            "Erwartete Elemente:\n- die Lernrate\n- die Batchgröße\n\n"
            "2 Punkte: Die Antwort nennt beide Einstellungen.\n1 Punkt: Die Antwort nennt eine Einstellung.",
            "Ключевые элементы:\n- скорость обучения\n- размер батча\n\n"
            "2 балла: ответ называет оба параметра.\n1 балл: ответ называет один параметр.",
        ],
        ids=["all", "both", "beide", "оба"],
    )
    def test_key_elements_a_top_level_asks_all_of(self, reference: str) -> None:
        """A top level that asks for all or both of the key elements counts them too: every element is a point a
        full answer needs, and the level's own words are no point."""
        reading = read_reference(reference)
        assert len(reading.points) in (2, 3) and reading.needs is None
        assert not any("response" in p.text.lower() or "antwort" in p.text.lower() or "ответ" in p.text.lower()
                       for p in reading.points)  # fmt: skip
        assert any("key elements" in u for u in reading.unsure)

    def test_both_of_three_key_elements_is_two_of_them(self) -> None:
        reading = read_reference("Key elements:\n- the learning rate\n- the batch size\n- the number of epochs\n\n"
                                 "2 points: The response names both settings it needs.\n1 point: It names one.")
        assert len(reading.points) == 3 and reading.needs == 2

    def test_key_elements_set_aside_only_their_levels(self) -> None:
        """The levels after key elements are set aside as levels, not counted again as grading notes."""
        reading = read_reference("Key elements:\n- the learning rate\n- the batch size\n- the number of epochs\n\n"
                                 "2 points: The response names two settings.\n1 point: The response names one.")
        assert reading.needs == 2 and not any("grading note" in u for u in reading.unsure)

    def test_levels_after_one_sentence_with_a_count_are_not_key_elements(self) -> None:
        """A preamble that reads as one point is no list of elements for a level to count ("names one cause and
        one remedy" counts no element of it): its levels are not set aside for it."""
        reference = ("This question checks whether the candidate understands how a model overfits the noise of its "
                     "training data and how to fix it.\n2 points: names one cause and one remedy such as "
                     "regularization.\n1 point: names one of them.")  # fmt: skip
        reading = read_reference(reference)
        assert not any("key elements" in u for u in reading.unsure)
        assert any("regularization" in p.text for p in reading.points)

    def test_levels_after_an_introduction_without_a_count_are_not_key_elements(self) -> None:
        reference = ("This question checks whether the candidate understands how a model overfits the noise of its "
                     "training data.\n2 points: the training error is low while the validation error is high.\n"
                     "1 point: the validation error is high.")  # fmt: skip
        reading = read_reference(reference)
        assert reading.needs is None and not any("key elements" in u for u in reading.unsure)

    @pytest.mark.parametrize(
        "label", ["Key elements:", "Ключевые элементы:", "Элементы:", "Wesentliche Elemente:", "Schlüsselelemente:"]
    )
    def test_a_key_elements_label_is_no_part_of_an_element(self, label: str) -> None:
        """The label over key elements is dropped in every language, not read into the first element."""
        reading = read_reference(f"{label}\n- the learning rate\n- the batch size\n- the number of epochs\n\n"
                                 "2 points: names two of them.\n1 point: names one.")  # fmt: skip
        assert [p.text for p in reading.points] == ["the learning rate", "the batch size", "the number of epochs"]

    def test_marks_that_repeat_are_points_of_their_own(self) -> None:
        reading = read_reference("1 point: defines overfitting. 1 point: names dropout. 2 points: explains L2.")
        assert [p.weight for p in reading.points] == [1.0, 1.0, 2.0] and reading.shape == "marks"

    @pytest.mark.parametrize(
        ("reference", "lang", "label"),
        [
            ("Needed information: the validation loss rises while the training loss falls.", "en", "needed"),
            ("Erwartete Antwort: der Validierungsfehler steigt, der Trainingsfehler sinkt.", "de", "erwartete"),
            ("Ожидаемый ответ: ошибка на валидации растёт, а на обучении падает.", "ru", "ожидаемый"),
        ],
        ids=["en", "de", "ru"],
    )
    def test_a_content_label_is_not_a_concept(self, reference: str, lang: str, label: str) -> None:
        rubric = build_rubric(question(reference, lang=lang))
        assert label not in words_of(rubric) and len(words_of(rubric)) >= 3

    @pytest.mark.parametrize(
        ("reference", "lang", "meta", "content"),
        [
            ("The student explains overfitting on the basis of the bias-variance model.", "en",
             {"student", "explains", "basis"}, "overfitting"),
            ("Der Student erklärt die Überanpassung anhand des Bias-Varianz-Modells.", "de",
             {"student", "erklärt", "anhand"}, "überanpassung"),
            ("Студент объясняет переобучение на основе модели смещения и дисперсии.", "ru",
             {"студент", "объясняет", "основе"}, "переобучение"),
        ],
        ids=["en", "de", "ru"],
    )
    def test_a_criterion_is_read_as_its_content(self, reference: str, lang: str, meta: set[str], content: str) -> None:
        words = words_of(build_rubric(question(reference, lang=lang)))
        assert not meta & words and content in words

    @pytest.mark.parametrize(
        "reference",
        ["Responses contain a status code.", "Ответы содержат код состояния.", "Die Antwort enthält einen Statuscode."],
    )
    def test_a_subject_that_is_content_stays(self, reference: str) -> None:
        assert read_reference(reference).points[0].text == reference

    @pytest.mark.parametrize("reference", ["Note: anything sensible.", "Expected answer:", "Hinweis: frei."])
    def test_a_reference_of_labels_or_notes_alone_is_one_point_and_unsure(self, reference: str) -> None:
        reading = read_reference(reference)
        assert [p.text for p in reading.points] == [reference] and reading.unsure
        assert len(build_rubric(question(reference)).points) == 1

    @pytest.mark.parametrize(
        ("reference", "talk"),
        [
            ("Dropout zeroes random units. It is also sufficient to name the keep rate.", "It is also sufficient"),
            ("Dropout schaltet Einheiten ab. Die Antwort darf die Rate weglassen.", "Die Antwort darf"),
            ("Дропаут отключает нейроны. Также засчитывается ответ про ансамбли.", "Также засчитывается"),
        ],
        ids=["en", "de", "ru"],
    )
    def test_a_sentence_about_grading_is_a_note(self, reference: str, talk: str) -> None:
        reading = read_reference(reference)
        assert len(reading.points) == 1 and reading.notes[0].startswith(talk) and reading.unsure

    def test_optional_content_is_set_aside(self) -> None:
        reading = read_reference("Dropout zeroes random units.\nOptional: it can be read as an ensemble.")
        assert [p.text for p in reading.points] == ["Dropout zeroes random units."]
        assert reading.notes == ["Optional: it can be read as an ensemble."] and reading.unsure


class TestAnotherLanguage:
    """The glossary bridges a reference in one language and an answer in another."""

    REFERENCES = {
        "en": "Backpropagation computes the gradient of the loss function.",
        "de": "Die Rückpropagierung berechnet den Gradienten der Verlustfunktion.",
        "ru": "Обратное распространение вычисляет градиент функции потерь.",
    }
    OFF_TOPIC = {
        "en": "The weather is nice today.",
        "de": "Das Wetter ist heute schön.",
        "ru": "Погода сегодня хорошая.",
    }

    @pytest.mark.parametrize(
        ("ref_lang", "answer_lang"),
        [("en", "de"), ("en", "ru"), ("de", "en"), ("ru", "en"), ("ru", "de")],
    )
    def test_an_answer_in_another_language_covers_the_point(self, ref_lang: str, answer_lang: str) -> None:
        q = question(self.REFERENCES[ref_lang], lang=ref_lang)
        rubric = build_rubric(q)
        good = grade_lexical(q, rubric, self.REFERENCES[answer_lang])
        off = grade_lexical(q, rubric, self.OFF_TOPIC[answer_lang])
        assert good.lang == answer_lang and good.points[0].status == "covered"
        assert off.score == 0.0 and (good.score or 0) > 0.6


REGULARISE = Question(
    id="reg",
    question="Why regularise a model? Name two methods.",
    reference="Regularisation keeps a model from fitting noise.\nPossible methods:\n- weight decay\n- early stopping\n"
    "- dropout\nNote: any sensible method counts.",
    lang="en",
)
GUESSED = Question(id="guess", question="What helps?", reference="Possible answers: dropout, weight decay, bagging.")


class TestShowingTheReading:
    """`rubric build` shows how the reference was read; `lint` warns where the reading was a guess."""

    def test_lint_warns_on_an_automatic_rubric_only(self) -> None:
        rubric = build_rubric(GUESSED)
        found = lint_rubric(RubricDoc(path="r.yaml", rubric=rubric), GUESSED)
        assert [f.code for f in found if f.code == "unsure-reading"] == ["unsure-reading"]
        assert "menu guessed" in next(f.message for f in found if f.code == "unsure-reading")
        curated = rubric.model_copy(update={"built_by": "curated"})
        assert not [f for f in lint_rubric(RubricDoc(path="r.yaml", rubric=curated), GUESSED)
                    if f.code == "unsure-reading"]

    def test_a_reading_without_guesses_gives_no_warning(self) -> None:
        q = question("Dropout zeroes random units in training. It is switched off at inference.")
        assert read_question(q).unsure == []
        found = lint_rubric(RubricDoc(path="r.yaml", rubric=build_rubric(q)), q)
        assert "unsure-reading" not in {f.code for f in found}

    def test_rubric_build_shows_points_groups_notes_and_doubts(self, tmp_path: Path) -> None:
        (tmp_path / "questions").mkdir()
        (tmp_path / "questions" / "reg.yaml").write_text(
            yaml.safe_dump(REGULARISE.model_dump(exclude_defaults=True) | {"lang": "en"}, allow_unicode=True),
            encoding="utf-8",
        )
        proc = run_cli("rubric", "build", "reg", "--bank", str(tmp_path))
        assert proc.returncode == 0, proc.stderr
        assert "group g1: any 2 of its 3 points" in proc.stderr and "[g1]" in proc.stderr
        assert "set aside: Note: any sensible method counts." in proc.stderr and "unsure:" in proc.stderr
        proc = run_cli("rubric", "build", "reg", "--bank", str(tmp_path), "--force", "--json")
        reading = json.loads(proc.stdout)["readings"]["reg"]
        assert [g["needs"] for g in reading["groups"]] == [2] and reading["notes"]
        assert [p["group"] for p in reading["points"]] == [None, "g1", "g1", "g1"]
        saved = yaml.safe_load((tmp_path / "rubrics" / "reg.yaml").read_text(encoding="utf-8"))
        assert saved["groups"] == [{"id": "g1", "needs": 2, "text": "Possible methods:"}]
        shown = run_cli("rubric", "show", "reg", "--bank", str(tmp_path)).stdout
        assert "group g1: any 2 of its 3 points" in shown and shown.count("group g1") == 4


class TestTitledSections:
    """A reference laid out as titled sections (a short title item over its paragraph, as channel posts write them)
    is one point per section: its title and its paragraph, not a point for the title and another for the text."""

    @pytest.mark.parametrize(
        ("reference", "lang"),
        [
            ("🔹Forward pass\nInputs flow through every layer to a prediction.\n\n"
             "🔹Backward pass\nGradients of the loss flow back and the weights are updated.", "en"),
            ("▪️ Vorwärtsdurchlauf\nDie Eingaben laufen durch alle Schichten zur Vorhersage.\n"
             "▪️ Rückwärtsdurchlauf\nDie Gradienten des Fehlers fließen zurück, die Gewichte werden angepasst.", "de"),
            ("🔹Прямой проход\nВходы проходят через все слои, получается предсказание 🙂.\n\n"
             "🔹Обратный проход\nГрадиенты ошибки идут назад, и веса обновляются.", "ru"),
        ],
        ids=["en", "de", "ru"],
    )
    def test_each_title_with_its_paragraph_is_one_point(self, reference: str, lang: str) -> None:
        reading = read_reference(reference)
        assert len(reading.points) == 2
        first, second = (p.text for p in reading.points)
        title, paragraph = (ln.lstrip("🔹▪️ ") for ln in reference.splitlines()[:2])
        assert first.startswith(title) and paragraph in first and paragraph not in second

    def test_a_closing_remark_after_a_list_stays_a_point_of_its_own(self) -> None:
        reading = read_reference("- Dropout\n- Weight decay\n- Early stopping\nAll three reduce overfitting.")
        assert [p.text for p in reading.points][-1] == "All three reduce overfitting."


class TestFeedbackOnMenus:
    """An answer that has answered a menu ("any two of") is not told the other alternatives are missing, nor sent
    to study them; one that has not yet is still shown what it may add."""

    REFERENCE = ("Dropout zeroes random units in training.\nAny two of:\n- weight decay\n- early stopping\n"
                 "- data augmentation\n- ensembling")

    def _grade(self, answer: str) -> tuple[str, list[str]]:
        q = question(self.REFERENCE)
        g = grade_lexical(q, build_rubric(q).model_copy(update={"built_by": "curated"}), answer)
        return g.feedback, g.study_next

    def test_a_menu_answered_names_no_alternative_as_missing(self) -> None:
        feedback, study = self._grade("Dropout zeroes random units in training; weight decay and early stopping help.")
        assert "augmentation" not in feedback and "ensembling" not in feedback
        assert study == [] and "(3)" in feedback  # "all key points covered (3)": the two it needs and dropout

    def test_a_menu_half_answered_still_shows_what_may_be_added(self) -> None:
        feedback, study = self._grade("Dropout zeroes random units in training; weight decay helps.")
        assert "augmentation" in feedback and any("ensembling" in h for h in study)
