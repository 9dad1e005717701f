"""YAML mistakes in plain words: a syntax error's line and what to do, a validation error's field and, for an
unknown key, the known key it is closest to ("did you mean 'hint'?"). Used wherever bank files are read or linted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, get_args

import yaml
from pydantic import BaseModel
from pydantic_core import ErrorDetails

# PyYAML's problems in plain words: (what its message starts with, whose line to name, what to say, the fix).
_YAML_PROBLEMS = [
    ("could not find expected ':'", "context", "this line is not `key: value`",
     "Add the ':' after the key, or indent the line under the key it continues"),
    ("mapping values are not allowed", "problem", "a ': ' YAML does not expect on this line",
     "Put a value holding ': ' in quotes (text: \"Ответ: ...\"), or indent the line like the fields around it"),
    ("found character '\\t'", "problem", "a tab character", "Indent with spaces: YAML does not allow tabs"),
    ("expected <block end>", "problem", "this line's indentation does not line up with the lines above",
     "Indent it like the other fields of the same item"),
    ("did not find expected ',' or ']'", "context", "a '[' list opened on this line is not closed",
     "Close it with ']'"),
    ("did not find expected ',' or '}'", "context", "a '{' mapping opened on this line is not closed",
     "Close it with '}'"),
    ("found unexpected end of stream", "context", "a quote opened on this line is never closed",
     "Close the quote"),
]  # fmt: skip


def yaml_problem(exc: yaml.YAMLError) -> tuple[int | None, str, str]:
    """(1-based line, what is wrong in plain words, how to fix it) for a YAML syntax error."""
    problem = str(getattr(exc, "problem", None) or exc)
    for start, mark_kind, said, fix in _YAML_PROBLEMS:
        if problem.startswith(start) or problem.startswith(start.removeprefix("did not find ")):
            mark = getattr(exc, f"{mark_kind}_mark", None) or getattr(exc, "problem_mark", None)
            return (mark.line + 1 if mark else None), f"invalid YAML: {said}", fix
    mark = getattr(exc, "problem_mark", None)
    fix = getattr(exc, "fix", None) or "Fix the YAML syntax"  # a refusal by a limit says its own fix
    return (mark.line + 1 if mark else None), f"invalid YAML: {problem}", fix


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside a field's type (`list[KeyPoint]`, `Source | None`, ...), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next((m for m in map(_model_in, get_args(annotation)) if m is not None), None)


def known_fields(model: type[BaseModel], path: Sequence[int | str]) -> list[str]:
    """The field names allowed at `path` (a pydantic location without its last part) of `model`."""
    current: type[BaseModel] | None = model
    for key in path:
        if isinstance(key, int):
            continue
        field = current.model_fields.get(key) if current is not None else None
        current = _model_in(field.annotation) if field is not None else None
    return list(current.model_fields) if current is not None else []


def explain(err: ErrorDetails, model: type[BaseModel]) -> str:
    """A validation error in plain words: an unknown key says which known one it is closest to."""
    loc = tuple(err["loc"])
    name = ".".join(str(p) for p in loc) or "(top level)"
    if err["type"] == "extra_forbidden" and loc:
        import difflib  # here: only a bad file needs it, not every start-up

        known = known_fields(model, loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else f" (known: {', '.join(known)})" if known else ""
        return f"unknown field '{name}'{hint}"
    return f"field '{name}': {err['msg']}"
