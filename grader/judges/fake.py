"""A judge that replies from a script and records every request: for tests and demos (`--judge fake`).

A script entry is a `JudgeReply`, a mapping of point id to verdict (or to a `PointVerdict`-shaped mapping), or a
callable taking the request. Entries are used in turn and the last one repeats; points an entry does not
mention are "missing". With no script every point is "missing". `GRADER_FAKE_JUDGE=replies.json` (a JSON list
of such mappings) scripts the fake judge from the command line.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from grader.errors import InvalidFile
from grader.judges.base import JudgeReply, JudgeRequest, PointVerdict, Usage, requested_points

Script = JudgeReply | Mapping[str, Any] | Callable[[JudgeRequest], JudgeReply]


class FakeJudge:
    """Scripted replies; `calls` holds every request in the order received. Thread- and task-safe."""

    def __init__(self, script: Sequence[Script] = (), *, identity: str = "fake") -> None:
        self.script = list(script)
        self.calls: list[JudgeRequest] = []
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


def _from_mapping(entry: Mapping[str, Any], request: JudgeRequest) -> JudgeReply:
    verdicts = []
    for pid in requested_points(request):
        v = entry.get(pid, "missing")
        verdicts.append(PointVerdict.model_validate({"id": pid, **({"verdict": v} if isinstance(v, str) else v)}))
    return JudgeReply(verdicts=verdicts, feedback=str(entry.get("_feedback", "")), usage=Usage(calls=1))


def load_script(path: str) -> list[Script]:
    """A fake judge's script from a JSON file: a list of {point id: verdict or {verdict, quote, feedback}}."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidFile(f"cannot read the fake judge's script ({exc})", where=path,
                          fix="Give a JSON list of {point id: verdict} objects") from None
    if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
        raise InvalidFile("expected a JSON list of objects", where=path, fix="e.g. [{\"definition\": \"covered\"}]")
    return list(data)
