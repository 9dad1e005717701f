"""Reading and writing the question bank: `questions/<id>.yaml` and `rubrics/<id>.yaml` under one folder.

The only core module that touches those files. A file that does not parse or validate raises `InvalidFile` naming
the file, the line where the YAML parser can tell it, and the field.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError

from grader.bank import parsed
from grader.engine.staleness import is_stale
from grader.errors import InvalidFile, NotFound
from grader.limits import read_file
from grader.models import Question, Rubric
from grader.outputs import write_atomic

if TYPE_CHECKING:
    import yaml

BANK_ENV = "GRADER_BANK"
M = TypeVar("M", bound=BaseModel)


def packaged_bank() -> Path:
    """The bank shipped with the package: inside the wheel, or the repository root in a source checkout."""
    here = Path(__file__).resolve().parent.parent  # the grader package
    inside = here / "_bank"
    return inside if (inside / "questions").is_dir() else here.parent


def resolve_bank(path: str | os.PathLike[str] | None = None) -> Path:
    """`path`, else $GRADER_BANK, else the packaged bank; it must hold a `questions/` folder."""
    chosen = path or os.environ.get(BANK_ENV) or None
    root = Path(chosen) if chosen else packaged_bank()
    if not root.is_dir():
        raise NotFound(
            "bank folder does not exist",
            where=str(root),
            fix=f"Pass --bank DIR (or set {BANK_ENV}) to a folder holding questions/ and rubrics/",
        )
    if not (root / "questions").is_dir():
        raise NotFound(
            "bank folder has no questions/ folder",
            where=str(root),
            fix="Run `grader import telegram FILE --bank DIR` to create one, or point --bank at a bank",
        )
    return root


# --- YAML -------------------------------------------------------------------------------------------------------



class _Flow(list):  # type: ignore[type-arg]
    """A list written on one line, `[a, b, c]`, wrapped at the dump's width: how curated rubrics write concepts."""


class _FlowMap(dict):  # type: ignore[type-arg]
    """A mapping written on one line: `{any: [...], weight: 0.5}`."""


@functools.cache
def _dumper() -> type[yaml.SafeDumper]:
    """The YAML dumper of bank files, made on first use: reading a cached bank needs no PyYAML."""
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    def str_presenter(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
        style = "|" if "\n" in data else None
        if style:
            data = "\n".join(line.rstrip() for line in data.splitlines())
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)

    Dumper.add_representer(str, str_presenter)
    seq, mapping = "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
    Dumper.add_representer(_Flow, lambda d, data: d.represent_sequence(seq, data, flow_style=True))
    Dumper.add_representer(_FlowMap, lambda d, data: d.represent_mapping(mapping, data, flow_style=True))
    return Dumper


def dump_yaml(data: Any) -> str:
    import yaml

    return yaml.dump(data, Dumper=_dumper(), allow_unicode=True, sort_keys=False, width=110)


def _line_of(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """The 1-based line of the YAML node at pydantic location `loc`, as deep as the path can be followed; a field
    is on the line of its key (where an unknown or misspelt key is), not of its value below it."""
    import yaml

    line = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if getattr(k, "value", None) == key), None)
            if pair is None:
                break
            line, node = pair[0].start_mark.line + 1, pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            break
    return line


def load_model(path: Path, model: type[M]) -> M:
    """Parse and validate one YAML file (or take it from `grader.bank.parsed`, where it was kept when it was last
    read); any problem is an `InvalidFile` naming file, line and field."""
    try:
        key = parsed.key_of(path)
    except OSError:  # no such file, or not one to read: reading it says so properly
        return _parse_model(path, model)
    kept = parsed.load(key, model)
    if kept is not None:
        return kept
    value = _parse_model(path, model)
    parsed.save(key, value)
    return value


def _parse_model(path: Path, model: type[M]) -> M:
    import yaml

    from grader.bank.yaml_errors import explain, yaml_problem
    from grader.limits_yaml import compose_yaml, load_yaml

    try:
        text = read_file(path, "YAML file").decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidFile(f"not UTF-8 text (byte {exc.start})", where=str(path), fix="Save it as UTF-8") from None
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        line, problem, fix = yaml_problem(exc)
        raise InvalidFile(problem, where=f"{path}:{line}" if line else str(path), fix=fix) from None
    if not isinstance(data, dict):
        raise InvalidFile("expected a mapping of fields at the top level", where=str(path))
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        # Composing the node tree costs as much as parsing again, so it is done only to place an error.
        line = _line_of(compose_yaml(text), tuple(err["loc"]))
        where = f"{path}:{line}" if line else str(path)
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise InvalidFile(explain(err, model) + more, where=where) from None


def model_yaml(model: BaseModel) -> str:
    data = model.model_dump(mode="json", exclude_defaults=True)
    return dump_yaml(data)


def rubric_yaml(rubric: Rubric) -> str:
    """A rubric as YAML, concepts in their short list form."""
    data = rubric.model_dump(mode="json", exclude_defaults=True)
    data.update(lang=rubric.lang, built_by=rubric.built_by)  # always said, as in the curated files
    for point, raw in zip(rubric.points, data["points"], strict=True):
        raw["concepts"] = [_flow(c.to_yaml()) for c in point.concepts]
        raw["weight"] = int(point.weight) if point.weight.is_integer() else point.weight
        order = ("id", "text", "weight", "required", "concepts", "hint")
        ordered_point = {k: raw.pop(k) for k in order if k in raw}
        ordered_point.update(raw)
        raw.clear()
        raw.update(ordered_point)
    for claim, raw in zip(rubric.misconceptions, data.get("misconceptions", []), strict=True):
        raw["concepts"] = [_flow(c.to_yaml()) for c in claim.concepts]
    ordered = {
        k: data[k]
        for k in (
            *("question_id", "lang", "reference_hash", "built_by", "points", "needs", "groups"),
            *("misconceptions", "examples"),
        )
        if k in data
    }
    return dump_yaml(ordered)


def _flow(concept: Any) -> Any:
    """A concept's short YAML form on one line: `[a, b]`, or `{any: [a, b], weight: 0.5}`."""
    if isinstance(concept, dict):
        return _FlowMap({k: _Flow(v) if isinstance(v, list) else v for k, v in concept.items()})
    return _Flow(concept)


def atomic_write(path: Path, text: str) -> None:
    """Write via a temporary file and rename, so a reader never sees half a file; OS errors name the path."""
    write_atomic(path, text)


def _load_question(path: Path) -> Question:
    q = load_model(path, Question)
    if q.id != path.stem:
        raise InvalidFile(
            f"id '{q.id}' does not match the file name",
            where=f"{path}:1",
            fix=f"Rename the file to {q.id}.yaml or set id: {path.stem}",
        )
    return q


# --- The bank -----------------------------------------------------------------------------------------------------


@dataclass
class Bank:
    """Questions and rubrics under one folder, read lazily and cached."""

    root: Path
    _questions: dict[str, Question] | None = field(default=None, repr=False)
    _rubrics: dict[str, Rubric | None] = field(default_factory=dict, repr=False)

    @classmethod
    def open(cls, path: str | os.PathLike[str] | None = None) -> Bank:
        return cls(resolve_bank(path))

    @property
    def questions_dir(self) -> Path:
        return self.root / "questions"

    @property
    def rubrics_dir(self) -> Path:
        return self.root / "rubrics"

    def question_files(self) -> Iterator[Path]:
        yield from sorted(self.questions_dir.glob("*.yaml"))

    def questions(self) -> list[Question]:
        if self._questions is None:
            self._questions = {q.id: q for q in map(_load_question, self.question_files())}
        return list(self._questions.values())

    def ids(self) -> list[str]:
        """Question ids, from the file names alone (no file is parsed)."""
        return [p.stem for p in self.question_files()]

    def question(self, qid: str) -> Question:
        """One question, reading only its own file: grading one answer must not parse the whole bank."""
        if self._questions is not None and qid in self._questions:
            return self._questions[qid]
        path = self.questions_dir / f"{qid}.yaml"
        if qid and "/" not in qid and "\\" not in qid and path.is_file():
            return _load_question(path)
        import difflib  # here: only an unknown id needs it, not every start-up

        ids = self.ids()
        close = difflib.get_close_matches(qid, ids, n=3, cutoff=0.4)
        close += [i for i in ids if qid and qid in i and i not in close][: 3 - len(close)]
        fix = f"Did you mean: {', '.join(close)}?" if close else "See `grader questions list`"
        raise NotFound(f"no question with id '{qid}'", where=str(self.questions_dir), fix=fix)

    def rubric_path(self, qid: str) -> Path:
        return self.rubrics_dir / f"{qid}.yaml"

    def rubric(self, qid: str) -> Rubric | None:
        """The rubric file for `qid`, or None when there is none yet."""
        if qid not in self._rubrics:
            path = self.rubric_path(qid)
            self._rubrics[qid] = load_model(path, Rubric) if path.exists() else None
        return self._rubrics[qid]

    def save_rubric(self, rubric: Rubric) -> Path:
        path = self.rubric_path(rubric.question_id)
        atomic_write(path, rubric_yaml(rubric))
        self._rubrics[rubric.question_id] = rubric
        return path

    def save_question(self, question: Question, *, force: bool = False) -> str:
        """Write a question file: 'created', 'unchanged', 'updated' (with force) or 'kept' (edited by hand)."""
        path = self.questions_dir / f"{question.id}.yaml"
        text = model_yaml(question)
        if path.exists():
            if path.read_text(encoding="utf-8") == text:
                return "unchanged"
            if not force:
                return "kept"
            atomic_write(path, text)
            return "updated"
        atomic_write(path, text)
        self._questions = None
        return "created"


def rubric_for(bank: Bank, question: Question) -> tuple[Rubric, list[str]]:
    """The bank's rubric for a question, or one built on the fly; with warnings for the user (none, stale)."""
    rubric = bank.rubric(question.id)
    if rubric is None:
        from grader.engine.rubric import build_rubric  # here: the builder and its reader only for a bank without one

        return build_rubric(question), [
            f"no rubric file for '{question.id}': using one built automatically "
            f"(save it with `grader rubric build {question.id}`)"
        ]
    if is_stale(rubric, question):
        return rubric, [f"rubric for '{question.id}' is stale: the reference changed since it was built"]
    return rubric, []


def load_bank(path: str | os.PathLike[str] | None = None) -> Bank:
    """The question bank at `path`, else $GRADER_BANK, else the one shipped with the package."""
    return Bank.open(path)
