"""What goes over the wire to an OpenAI-compatible server and what comes back, checked before use. Pure.

Servers differ in how they constrain output, so a reply's shape is asked for on a ladder of `Rung`s, best first:
strict `json_schema` keyed by the rubric's point ids with bounded strings; the same without `maxLength` (strict
OpenAI schemas refuse it); the list form (ids as an enum); `json_object` with the schema inside it (what
llama-cpp-python constrains by); plain `json_object` with the shape spelled out in the prompt. The judge climbs
down only when a server rejects a rung, and remembers where it stopped (`grader.llm.judges.servers`).

A reply is never trusted: `completion()` reads a chat completion of any shape (a `message` that is a string, a
`usage` that is a list, `content` that is an object) into content, finish reason and usage, or raises `Unusable`;
`GradeWire.parse()` accepts the keyed or the list form and wants a verdict for every point asked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from grader.llm.judges.base import VERDICTS, PointVerdict, Usage
from grader.llm.prompts import max_tokens_for, schema_for, strip_code_fence

T = TypeVar("T", bound=BaseModel)
Kind = Literal["json_schema", "json_object"]


class Unusable(Exception):
    """A reply that arrived but cannot be used (bad JSON, wrong shape, cut off, refused)."""

    def __init__(self, message: str, usage: Usage | None = None) -> None:
        super().__init__(message)
        self.usage = usage or Usage(calls=1)


@dataclass(frozen=True)
class Rung:
    """One way of asking for structured output."""

    name: str
    kind: Kind
    keyed: bool = True
    bounded: bool = True
    schema_inside: bool = False  # json_object carrying the schema (llama-cpp-python, some proxies)

    @property
    def shape_in_prompt(self) -> bool:
        """Whether the prompt spells the shape out: whenever the server may not hold the model to the schema."""
        return self.kind == "json_object"


LADDER: tuple[Rung, ...] = (
    Rung("json_schema", "json_schema"),
    Rung("json_schema without maxLength", "json_schema", bounded=False),
    Rung("json_schema as a list", "json_schema", keyed=False, bounded=False),
    Rung("json_object with the schema", "json_object", schema_inside=True),
    Rung("json_object", "json_object"),
)
# `response_format` in the config pins a part of the ladder; "auto" walks all of it.
PINNED: dict[str, tuple[int, ...]] = {"auto": (0, 1, 2, 3, 4), "json_schema": (0, 1, 2), "json_object_schema": (3,),
                                      "json_object": (4,)}


class GradeWire:
    """The grading reply for the points `ids`: keyed by id (or a list), bounded strings, a verdict for each."""

    name = "grade"

    def __init__(self, ids: list[str]) -> None:
        self.ids = ids

    def param(self, rung: Rung, brief: bool = False) -> dict[str, Any]:
        # Shared, made once per set of points (the SDK only serialises it)
        schema = schema_for(tuple(self.ids), keyed=rung.keyed, bounded=rung.bounded, brief=brief)
        return _param(rung, "grade", schema)

    def max_tokens(self, brief: bool = False) -> int:
        return max_tokens_for(len(self.ids), brief=brief)

    def parse(self, content: str, usage: Usage) -> tuple[list[PointVerdict], str]:
        """Verdicts for exactly `ids`, in order, and the overall feedback; `Unusable` when the reply lacks any."""
        data = _json(content, usage)
        points = data.get("points", data)
        if isinstance(points, list):
            points = {p.get("id"): p for p in points if isinstance(p, dict) and isinstance(p.get("id"), str)}
        if not isinstance(points, dict):
            raise Unusable("reply does not match the schema", usage)
        found, missing = [], []
        for pid in self.ids:
            verdict = _point(points.get(pid), pid)
            if verdict is None:
                missing.append(pid)
            else:
                found.append(verdict)
        if missing:
            raise Unusable(f"no verdict for point(s): {', '.join(missing)}", usage)
        feedback = data.get("feedback") if "points" in data else ""
        return found, feedback if isinstance(feedback, str) else ""


class ModelWire:
    """Any reply described by a pydantic model (rubric drafts); its schema has no list or keyed variant."""

    def __init__(self, schema: type[BaseModel]) -> None:
        self.schema, self.name = schema, schema.__name__

    def param(self, rung: Rung, brief: bool = False) -> dict[str, Any]:
        return _param(rung, self.name, self.schema.model_json_schema())

    def max_tokens(self, brief: bool = False) -> int | None:
        return None

    def parse(self, content: str, usage: Usage) -> BaseModel:
        try:
            return self.schema.model_validate_json(strip_code_fence(content))
        except ValidationError as exc:
            kind = "not JSON" if any(e["type"] == "json_invalid" for e in exc.errors()) else "does not match the schema"
            raise Unusable(f"reply {kind}", usage) from None


def _param(rung: Rung, name: str, schema: dict[str, Any]) -> dict[str, Any]:
    if rung.kind == "json_object":
        return {"type": "json_object", "schema": schema} if rung.schema_inside else {"type": "json_object"}
    return {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": True}}


def _json(content: str, usage: Usage) -> dict[str, Any]:
    try:
        data = json.loads(strip_code_fence(content))
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than the decoder's stack, e.g. "[[[[…"
        raise Unusable("reply not JSON", usage) from None
    if not isinstance(data, dict):
        raise Unusable("reply does not match the schema", usage)
    return data


def _point(raw: Any, pid: str) -> PointVerdict | None:
    """One point's verdict from whatever the model wrote for it, or None when it holds no valid verdict."""
    if isinstance(raw, str):  # {"flat": "covered"}: a small model's shorthand
        raw = {"verdict": raw}
    if not isinstance(raw, dict):
        return None
    verdict = raw.get("verdict")
    verdict = verdict.strip().lower() if isinstance(verdict, str) else None
    if verdict not in VERDICTS:
        return None
    quote, feedback = raw.get("quote"), raw.get("feedback")
    return PointVerdict(id=pid, verdict=verdict, quote=quote if isinstance(quote, str) else "",
                        feedback=feedback if isinstance(feedback, str) else "")


def completion(data: Any) -> tuple[str, str | None, Usage]:
    """The content, finish reason and usage of a chat completion of any shape; `Unusable` when it has no text."""
    choices = data.get("choices") if isinstance(data, dict) else None
    choice = choices[0] if isinstance(choices, list) and choices else None
    if not isinstance(choice, dict):
        raise Unusable("not a chat completion")
    usage = usage_of(data)
    message = choice.get("message")
    if not isinstance(message, dict):
        raise Unusable("not a chat completion (no message object)", usage)
    content, finish = message.get("content"), choice.get("finish_reason")
    if finish == "length":
        raise Unusable("reply cut off at the token limit", usage)
    if not isinstance(content, str):
        if content is not None and not isinstance(content, list):
            raise Unusable("reply content is not text", usage)
        # a list of content parts (some proxies): their text joined
        content = "".join(p.get("text", "") for p in content or [] if isinstance(p, dict)
                          and isinstance(p.get("text"), str))
    if not content.strip():
        raise Unusable("the model refused" if message.get("refusal") else "empty reply", usage)
    return content, finish if isinstance(finish, str) else None, usage


def usage_of(data: dict[str, Any]) -> Usage:
    """Tokens a reply reports; anything but non-negative integers counts as nothing."""
    u = data.get("usage")
    u = u if isinstance(u, dict) else {}

    def count(key: str) -> int:
        value = u.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**9 else 0

    return Usage(calls=1, prompt_tokens=count("prompt_tokens"), completion_tokens=count("completion_tokens"))


def server_message(body: Any) -> str:
    """What a server said about an error, in one short line (its `error.message` when it sent one)."""
    if isinstance(body, dict):
        inner = body.get("error", body)
        body = inner.get("message", inner) if isinstance(inner, dict) else inner
    text = body if isinstance(body, str) else (str(body) if body else "")
    return " ".join(text.split())[:200]


def retry_after(headers: Any) -> float | None:
    """Seconds a server asks us to wait (`retry-after-ms` or `retry-after`), when it says."""
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is not None:
            try:
                return float(value) / scale
            except ValueError:
                return None
    return None
