"""`--dry-run`: how many judge calls a run would make, after the cache and the hybrid plan, and what they cost.

`DryRunJudge` stands in for the judge: the run goes through the same steps (rows read, rubrics built, injection
screened, the hybrid plan made), and each request the real judge would get is looked up in the cache and, when
missing, counted with its estimated tokens. It answers "missing" for every point and calls nothing.

Tokens are estimated from the very messages the judge would send: about 3.5 characters a token (English prose
runs near 4, Russian near 3 in current tokenizers), plus the reply's JSON schema when it is sent as one, and per
point asked about a reply of about `REPLY_TOKENS_PER_POINT`. Re-asks for `--repeat` depend on the replies, so
they are given as an upper bound.
"""

from __future__ import annotations

import math
import threading

from grader.llm.judges.base import JudgeReply, JudgeRequest, PointVerdict
from grader.llm.judges.cache import ReplyCache, cache_key, default_cache_path
from grader.llm.prompts import compact, grade_messages, reply_schema
from grader.models import Model

CHARS_PER_TOKEN = 3.5
MESSAGE_OVERHEAD = 4  # tokens a chat message costs beyond its text
REPLY_TOKENS_PER_POINT = 60  # a verdict, a short quote and one sentence of feedback
REPLY_OVERHEAD = 20


class Estimate(Model):
    """What a run would ask the judge."""

    judge: str
    calls: int = 0  # requests the judge would get
    cached: int = 0  # requests the cache would answer
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    cost_usd: float | None = None  # when the config has a price for the model
    max_reasks: int = 0  # with --repeat N: at most (N - 1) more calls per call, for borderline points only


def estimate_tokens(request: JudgeRequest, *, schema: bool = True) -> tuple[int, int]:
    """(prompt, completion) tokens of one judge call, estimated."""
    wanted = set(request.point_ids)
    points = [p for p in request.rubric.points if p.id in wanted]
    messages = grade_messages(request.question, points, request.answer, request.lang, json_shape=not schema)
    prompt = sum(MESSAGE_OVERHEAD + math.ceil(len(m["content"]) / CHARS_PER_TOKEN) for m in messages)
    if schema:
        prompt += math.ceil(len(compact(reply_schema([p.id for p in points]))) / CHARS_PER_TOKEN)
    return prompt, REPLY_OVERHEAD + REPLY_TOKENS_PER_POINT * len(points)


class DryRunJudge:
    """Counts the calls a run would make; answers every point "missing" without calling anything."""

    def __init__(self, identity: str, *, use_cache: bool = True, schema: bool = True) -> None:
        self._identity = identity
        self._schema = schema
        path = default_cache_path()
        self._cache = ReplyCache(path) if use_cache and path.is_file() else None  # a dry run creates no cache
        self._lock = threading.Lock()
        self.estimate = Estimate(judge=identity)

    @property
    def identity(self) -> str:
        return self._identity

    def judge(self, request: JudgeRequest) -> JudgeReply:
        hit = self._cache is not None and self._cache.get(cache_key(self._identity, request)) is not None
        prompt, completion = (0, 0) if hit else estimate_tokens(request, schema=self._schema)
        with self._lock:
            e = self.estimate
            self.estimate = e.model_copy(update={
                "cached": e.cached + hit, "calls": e.calls + (not hit), "prompt_tokens": e.prompt_tokens + prompt,
                "completion_tokens": e.completion_tokens + completion,
                "total_tokens": e.total_tokens + prompt + completion})  # fmt: skip
        return JudgeReply(verdicts=[PointVerdict(id=i, verdict="missing") for i in request.point_ids])

    async def ajudge(self, request: JudgeRequest) -> JudgeReply:
        return self.judge(request)

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()
