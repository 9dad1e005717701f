"""Data that crosses module boundaries: questions, rubrics and grades.

Every model forbids unknown keys, so a typo in a hand-edited YAML file is an error naming the field rather than a
silently ignored setting.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Lang = Literal["ru", "en", "de"]
LANGS: tuple[Lang, ...] = ("ru", "en", "de")
Status = Literal["covered", "partial", "missing"]
Mode = Literal["lexical", "llm", "hybrid"]


class Model(BaseModel):
    # Schemas are built on first use, not at import: `grader` starts faster and builds only what a command needs.
    # No NaN or infinity anywhere: a weight of .inf would make every score NaN (and the JSON output invalid).
    model_config = ConfigDict(extra="forbid", defer_build=True, allow_inf_nan=False)


class Source(Model):
    """Where a question came from: a channel (or file) and a post number."""

    channel: str
    post: int | None = None
    url: str | None = None


QUESTION_ID = r"^[a-z0-9][a-z0-9-]*$"  # what a question id may be: lower-case letters, digits and dashes


class Question(Model):
    id: str = Field(pattern=QUESTION_ID)
    question: str = Field(min_length=1)
    reference: str = Field(min_length=1)
    tags: list[str] = []
    lang: Lang = "ru"
    source: Source | None = None
    related: list[str] = []


class Concept(Model):
    """One idea a point needs, as alternative wordings; any one of them counts.

    In YAML a concept is usually just the list of wordings; the mapping form adds a weight.
    """

    any: list[str] = Field(min_length=1)
    weight: float = Field(default=1.0, gt=0)

    @model_validator(mode="before")
    @classmethod
    def _from_list(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"any": [data]}
        if isinstance(data, list):
            return {"any": data}
        return data

    @field_validator("any")
    @classmethod
    def _no_blank(cls, v: list[str]) -> list[str]:
        if any(not str(s).strip() for s in v):
            raise ValueError("a wording is empty")
        return v

    def to_yaml(self) -> Any:
        return list(self.any) if self.weight == 1.0 else {"any": list(self.any), "weight": self.weight}


class KeyPoint(Model):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    text: str
    weight: float = Field(default=1.0, gt=0)
    required: bool = False
    concepts: list[Concept] = []
    hint: str | dict[Lang, str] = ""
    translations: dict[Lang, str] = {}  # the point's text in other languages, shown to a learner who reads those
    group: str | None = None  # the id of the `PointGroup` (menu of alternatives) this point is one item of

    def text_in(self, lang: str) -> str:
        """The point's text in `lang` when the rubric has it, else in the rubric's own language."""
        return str(self.translations.get(lang, self.text))  # type: ignore[call-overload]

    def hint_in(self, lang: str) -> str:
        """The hint in `lang` when the rubric has it, else in the rubric's own language."""
        if isinstance(self.hint, str):
            return self.hint
        return self.hint.get(lang) or next(iter(self.hint.values()), "")  # type: ignore[call-overload]


class Misconception(Model):
    """A wrong claim people often make about the topic, matched like a key point (concepts, alternatives,
    polarity: "does not X" never states X). An answer that states it earns nothing for the point it contradicts,
    which shows as contradicted with this evidence and `feedback` (what is wrong, what is right); `cap`, when
    given, also caps the whole score."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    text: str = Field(min_length=1)
    point: str  # the key point the claim contradicts
    concepts: list[Concept] = Field(min_length=1)
    feedback: str | dict[Lang, str]
    cap: float | None = Field(default=None, ge=0, le=1)

    def feedback_in(self, lang: str) -> str:
        """The feedback in `lang` when the rubric has it, else in the rubric's own language."""
        if isinstance(self.feedback, str):
            return self.feedback
        return self.feedback.get(lang) or next(iter(self.feedback.values()), "")  # type: ignore[call-overload]


class Example(Model):
    """A golden answer with the outcome a rubric author expects from it."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    answer: str
    band: tuple[float, float]
    covers: list[str] = []
    contradicts: list[str] = []  # points the answer states wrongly: they must come out contradicted
    score: float | None = Field(default=None, ge=0, le=1)  # a human grade, when someone gave one
    note: str = ""

    @field_validator("band")
    @classmethod
    def _band_ordered(cls, v: tuple[float, float]) -> tuple[float, float]:
        lo, hi = v
        if not 0 <= lo <= hi <= 1:
            raise ValueError("band must be [low, high] with 0 <= low <= high <= 1")
        return v


class PointGroup(Model):
    """A menu of alternatives ("two of the following", "z. B.", "любые два из"): of the points naming this group,
    only the best `needs` count towards the score."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    needs: int = Field(ge=1)
    text: str = ""  # the words that introduce the menu in the reference


class Rubric(Model):
    question_id: str
    lang: Lang = "ru"
    reference_hash: str = ""
    built_by: Literal["auto", "curated", "llm"] = "auto"
    points: list[KeyPoint] = Field(min_length=1)
    # How many points a full answer needs when the question asks for a number of them ("name two challenges"):
    # the score is then taken over the best `needs` points.
    needs: int | None = Field(default=None, ge=1)
    groups: list[PointGroup] = []  # menus of alternatives among the points (`KeyPoint.group`)
    examples: list[Example] = []
    # Wrong claims that cost the point they contradict (`Misconception`); rubric builders leave the list empty.
    misconceptions: list[Misconception] = []

    def group_needs(self) -> list[tuple[frozenset[str], int]]:
        """Each group as (the ids of its points, how many of them count), for `scoring.combine`."""
        return [(frozenset(p.id for p in self.points if p.group == g.id), g.needs) for g in self.groups]

    @model_validator(mode="after")
    def _unique_ids(self) -> Rubric:
        for kind, ids in (
            ("point", [p.id for p in self.points]),
            ("example", [e.id for e in self.examples]),
            ("misconception", [m.id for m in self.misconceptions]),
            ("group", [g.id for g in self.groups]),
        ):
            dup = sorted({i for i in ids if ids.count(i) > 1})
            if dup:
                raise ValueError(f"duplicate {kind} id(s): {', '.join(dup)}")
        for g in self.groups:
            size = sum(p.group == g.id for p in self.points)
            if g.needs > size:
                raise ValueError(f"group '{g.id}' needs {g.needs} points but {size} point(s) name it")
        groups = {g.id for g in self.groups}
        for p in self.points:
            if p.group is not None and p.group not in groups:
                raise ValueError(f"point '{p.id}' names unknown group '{p.group}' (add it under groups:)")
        known = {p.id for p in self.points}
        for m in self.misconceptions:
            if m.point not in known:
                raise ValueError(
                    f"misconception '{m.id}' names unknown point '{m.point}' (known: {', '.join(sorted(known))})"
                )
        return self


class Span(Model):
    """Evidence: characters [start, end) of the original answer."""

    start: int
    end: int
    text: str


class PointResult(Model):
    """How one key point fared in a grade. Frozen: grades may share a result (the lexical grader shares one
    "missing" result per point and language); change one with `model_copy(update=...)`."""

    model_config = ConfigDict(frozen=True)

    id: str
    text: str
    status: Status
    score: float
    weight: float = 1.0
    required: bool = False
    evidence: list[Span] = []
    hint: str = ""
    decided_by: Literal["lexical", "llm", "none"] = "lexical"
    verdict: Literal["covered", "partial", "missing", "contradicted"] | None = None
    quote: str | None = None
    quote_verified: bool | None = None
    feedback: str | None = None
    stability: float | None = None
    lexical_status: Status | None = None  # set where the judge contradicts the lexical matcher (`judge_disagrees`)


class Grade(Model):
    question_id: str
    score: float | None  # None: the grade could not be made (e.g. an unparseable judge reply)
    points: list[PointResult]
    feedback: str
    mode: Mode = "lexical"
    lang: Lang = "ru"
    grader_version: str
    flags: list[str] = []
    study_next: list[str] = []
    usage: dict[str, int] | None = None
    cached: bool | None = None
    failed_points: list[str] | None = None  # points the judge failed on, scored without it (`judge_failed_points`)

    def public(self) -> dict[str, Any]:
        """The stable machine shape of `grader grade --json` (empty optional fields left out; `score` always there,
        null when the grade could not be made)."""
        data = self.model_dump(exclude_none=True)
        return {"question_id": data.pop("question_id"), "score": self.score, **data}


class ReadPoint(Model):
    """One key point as read: `text` is what its concepts come from, `context` the words around it (its sentence,
    the sub-items under it) shown as its hint."""

    text: str
    context: str = ""
    weight: float = 1.0
    group: str | None = None


class ReadGroup(Model):
    """A menu of alternatives: the answer needs `needs` of its `size` points."""

    id: str
    needs: int
    size: int
    label: str = ""


class Reading(Model):
    """How a reference was read (`grader.engine.reading`): what `grader rubric build` shows and `lint` checks."""

    shape: Literal["marks", "levels", "list", "sentences"]
    points: list[ReadPoint]
    groups: list[ReadGroup] = []
    needs: int | None = None  # points a full answer needs over the whole rubric ("name two …" of a plain list)
    notes: list[str] = []  # set aside: grading notes, optional content, lower score levels
    unsure: list[str] = []  # what the reader guessed, for a person to check
