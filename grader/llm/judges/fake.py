"""A judge that replies from a script and records every request: for tests and demos (`--judge fake`).

A script entry is a `JudgeReply`, a mapping of point id to verdict (or to a `PointVerdict`-shaped mapping), or a
callable taking the request. Entries are used in turn and the last one repeats; points an entry does not
mention are "missing". With no script every point is "missing". `GRADER_FAKE_JUDGE=replies.json` (see
`from_file`) scripts the fake judge from the command line.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from grader.errors import InvalidFile
from grader.llm.judges.base import JudgeReply, JudgeRequest, PointVerdict, Usage, requested_points

T = TypeVar("T", bound=BaseModel)
Script = JudgeReply | Mapping[str, Any] | Callable[[JudgeRequest], JudgeReply]


class FakeJudge:
    """Scripted replies; `calls` holds every request in the order received. Thread- and task-safe."""

    def __init__(
        self, script: Sequence[Script] = (), *, drafts: Sequence[Mapping[str, Any]] = (), identity: str = "fake"
    ) -> None:
        self.script = list(script)
        self.drafts = list(drafts)
        self.calls: list[JudgeRequest] = []
        self.prompts: list[list[dict[str, str]]] = []
        self._identity = identity
        self._lock = threading.Lock()

    @property
    def identity(self) -> str:
        return self._identity

    def judge(self, request: JudgeRequest) -> JudgeReply:
        with self._lock:
            entry = self.script[min(len(self.calls), len(self.script) - 1)] if self.script else {}
            self.calls.append(request)
        if callable(entry):
            return entry(request)
        if isinstance(entry, JudgeReply):
            return entry
        return _from_mapping(entry, request)

    async def ajudge(self, request: JudgeRequest) -> JudgeReply:
        return self.judge(request)

    def structured(
        self, messages: Callable[[bool], list[dict[str, str]]], schema: type[T]
    ) -> tuple[T | None, Usage, str | None]:
        """A scripted structured reply (e.g. a rubric draft): `self.drafts` in turn, the last one repeating."""
        with self._lock:
            self.prompts.append(messages(True))
            data = self.drafts[min(len(self.prompts), len(self.drafts)) - 1] if self.drafts else None
        if data is None:
            return None, Usage(calls=1), "the fake judge has no scripted reply for this"
        return schema.model_validate(data), Usage(calls=1), None


def _from_mapping(entry: Mapping[str, Any], request: JudgeRequest) -> JudgeReply:
    verdicts = []
    for pid in requested_points(request):
        v = entry.get(pid, "missing")
        verdicts.append(PointVerdict.model_validate({"id": pid, **({"verdict": v} if isinstance(v, str) else v)}))
    return JudgeReply(verdicts=verdicts, feedback=str(entry.get("_feedback", "")), usage=Usage(calls=1))


def from_file(path: str) -> FakeJudge:
    """A fake judge scripted by a JSON file: a list of {point id: verdict or {verdict, quote, feedback}}, or
    {"replies": [...], "drafts": [...]} where drafts are rubric drafts for `grader rubric build --llm`."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidFile(
            f"cannot read the fake judge's script ({exc})", where=path, fix='Give a JSON list like [{"p1": "covered"}]'
        ) from None
    if isinstance(data, list):
        data = {"replies": data}
    replies, drafts = data.get("replies", []) if isinstance(data, dict) else None, data.get("drafts", [])
    if not isinstance(replies, list) or not all(isinstance(d, dict) for d in [*replies, *drafts]):
        raise InvalidFile("expected a JSON list of objects", where=path, fix='e.g. [{"definition": "covered"}]')
    return FakeJudge(replies, drafts=drafts)
