"""The judge for any OpenAI-compatible server (OpenAI, vLLM, Ollama, llama.cpp). The only module importing `openai`.

One call per answer: the key points to judge go out, a JSON reply with one verdict per point comes back. Output
is constrained with a strict `json_schema` built once from a pydantic model (the schema `chat.completions.parse`
would send; `parse()` itself rebuilds it on every call, too slow for batches). A server that rejects it (a 4xx,
or a 500 naming the schema, as llama.cpp's Python server does) is asked again with `json_object` and the shape
spelled out in the prompt, and the judge remembers that. Every reply is validated by the pydantic model; one
that still fails after `parse_retries` leaves the answer unscored, never a crash.

Retries (429, 5xx, timeouts, dropped connections) are ours, not the SDK's, so the backoff is configurable:
`backoff * 2**n` with jitter, capped at `max_backoff`, or what the server's `retry-after` asks for.
Temperature 0 and a fixed seed; re-asks for `--repeat` use temperature 0.7 and another seed.

Concurrency: `async with judge.session():` shares one client and bounds requests in flight to `concurrency`
across every task in it; outside a session `judge()` is thread-safe and bounded the same way across threads.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import importlib
import logging
import random
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from grader.errors import JudgeError
from grader.llm.judges.base import JudgeReply, JudgeRequest, PointVerdict, Usage, Verdict, check_reply
from grader.llm.judges.config import LLMSettings
from grader.llm.prompts import grade_messages, strip_code_fence

log = logging.getLogger("grader.llm.judges")
T = TypeVar("T", bound=BaseModel)
MessagesFor = Callable[[bool], list[dict[str, str]]]  # json_shape -> messages
REPEAT_TEMPERATURE = 0.7
MAX_RETRY_AFTER = 120.0
CONNECT_RETRIES = 2


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WirePoint(_Strict):
    id: str
    verdict: Verdict
    quote: str
    feedback: str


class WireGrade(_Strict):
    """The reply schema sent as `json_schema` and used to validate every reply."""

    points: list[WirePoint]
    feedback: str


class _Transient(Exception):
    def __init__(self, kind: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.kind, self.retry_after = kind, retry_after


class _Unusable(Exception):
    """A reply that arrived but cannot be used (bad JSON, wrong shape, refused request)."""

    def __init__(self, message: str, usage: Usage | None = None) -> None:
        super().__init__(message)
        self.usage = usage or Usage(calls=1)


class OpenAIJudge:
    """Per-point verdicts from an OpenAI-compatible chat completions endpoint."""

    def __init__(self, settings: LLMSettings, *, sleep: Callable[[float], Any] | None = None) -> None:
        if settings.api_key is None and settings.base_url is None:
            raise JudgeError("OPENAI_API_KEY is not set",
                             fix="Export OPENAI_API_KEY, or point --base-url at a local OpenAI-compatible server")
        try:
            import openai
        except ImportError:
            raise JudgeError("the openai package is not installed", fix="pip install 'grader[llm]'") from None
        try:  # the HTTP library under the SDK: httpx2 for openai 3.x, httpx before
            http: Any = importlib.import_module("httpx2")
        except ImportError:
            http = importlib.import_module("httpx")
        self.settings = settings
        self._openai, self._httpx = openai, http
        self._format = "json_schema" if settings.response_format == "auto" else settings.response_format
        self._gate = threading.BoundedSemaphore(settings.concurrency)
        self._session: contextvars.ContextVar[tuple[Any, asyncio.Semaphore] | None] = contextvars.ContextVar(
            f"judge-session-{id(self)}", default=None
        )
        self._sleep = sleep or asyncio.sleep

    @property
    def identity(self) -> str:
        return f"{self.settings.model}@{self.settings.public_url}"

    @property
    def response_format(self) -> str:
        return self._format

    def _client(self) -> Any:
        key = self.settings.api_key.get_secret_value() if self.settings.api_key else "sk-no-key-needed"
        return self._openai.AsyncOpenAI(
            api_key=key, base_url=self.settings.url, timeout=self.settings.timeout, max_retries=0
        )

    @asynccontextmanager
    async def session(self) -> AsyncIterator[None]:
        """One client and one concurrency bound shared by every `ajudge` awaited inside."""
        client = self._client()
        token = self._session.set((client, asyncio.Semaphore(self.settings.concurrency)))
        try:
            yield
        finally:
            self._session.reset(token)
            await client.close()

    def judge(self, request: JudgeRequest) -> JudgeReply:
        with self._gate:
            return asyncio.run(self._standalone(request))

    async def _standalone(self, request: JudgeRequest) -> JudgeReply:
        async with self.session():
            return await self.ajudge(request)

    async def ajudge(self, request: JudgeRequest) -> JudgeReply:
        state = self._session.get()
        if state is None:
            return await self._standalone(request)
        client, sem = state
        points = [p for p in request.rubric.points if p.id in set(request.point_ids)]

        def messages(json_shape: bool) -> list[dict[str, str]]:
            return grade_messages(request.question, points, request.answer, request.lang, json_shape=json_shape)

        async with sem:
            parsed, usage, error, kind = await self._structured(client, messages, WireGrade, request.round,
                                                                lambda r: _verdicts(request, r))
        if parsed is None:
            return JudgeReply(usage=usage, error=error, error_kind=kind)
        return JudgeReply(verdicts=_verdicts(request, parsed), feedback=parsed.feedback, usage=usage)

    def structured(self, messages: MessagesFor, schema: type[T]) -> tuple[T | None, Usage, str | None]:
        """`astructured` from synchronous code."""
        with self._gate:
            return asyncio.run(self.astructured(messages, schema))

    async def astructured(self, messages: MessagesFor, schema: type[T]) -> tuple[T | None, Usage, str | None]:
        """Any structured reply (used to draft rubrics): the parsed object, tokens spent, and an error if none."""
        state = self._session.get()
        if state is None:
            async with self.session():
                return await self.astructured(messages, schema)
        async with state[1]:
            parsed, usage, error, _ = await self._structured(state[0], messages, schema, 0, None)
        return parsed, usage, error

    async def _structured(
        self, client: Any, messages: MessagesFor, schema: type[T], round_: int, check: Callable[[T], Any] | None
    ) -> tuple[T | None, Usage, str | None, str | None]:
        usage = Usage()
        error = kind = None
        for _ in range(1 + self.settings.parse_retries):
            try:
                parsed, spent = await self._with_retries(client, messages, schema, round_)
                usage += spent
                if check is not None:
                    check(parsed)
                return parsed, usage, None, None
            except _Unusable as exc:
                usage += exc.usage
                error, kind = f"the judge's reply could not be used: {self._scrub(str(exc))}", "unparseable"
            except ValueError as exc:  # the reply parsed but skipped requested points
                error, kind = f"the judge's reply could not be used: {exc}", "unparseable"
            except _Transient as exc:
                return None, usage, self._scrub(str(exc)), exc.kind
        return None, usage, error, kind

    async def _with_retries(self, client: Any, messages: MessagesFor, schema: type[T], round_: int) -> tuple[T, Usage]:
        attempt, fell_back = 0, False
        while True:
            try:
                return await self._call(client, messages, schema, round_)
            except _Transient as exc:
                # A refused connection rarely heals within seconds: give up sooner than on a busy server.
                limit = min(self.settings.max_retries, CONNECT_RETRIES if exc.kind == "connection" else 10**6)
                if attempt >= limit:
                    auto = self.settings.response_format == "auto"
                    if exc.kind == "unavailable" and self._format == "json_schema" and auto and not fell_back:
                        log.warning("json_schema kept failing (%s); trying json_object", exc)
                        self._format, fell_back, attempt = "json_object", True, 0
                        continue
                    if exc.kind == "connection":
                        raise JudgeError(f"cannot reach the LLM server at {self.settings.public_url}",
                                         fix="Start the server or check --base-url / OPENAI_BASE_URL") from None
                    raise
                delay = self._delay(attempt, exc.retry_after)
                log.info("retrying in %.2fs after %s (attempt %d of %d)", delay, exc, attempt + 1,
                         self.settings.max_retries)
                await self._sleep(delay)
                attempt += 1

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None and 0 <= retry_after <= MAX_RETRY_AFTER:
            return retry_after
        base: float = min(self.settings.max_backoff, self.settings.backoff * 2**attempt)
        return base * random.uniform(0.5, 1.0)

    async def _call(self, client: Any, messages: MessagesFor, schema: type[T], round_: int) -> tuple[T, Usage]:
        fmt = self._format
        kwargs: dict[str, Any] = {
            "model": self.settings.model,
            "messages": messages(fmt == "json_object"),
            "temperature": 0.0 if round_ == 0 else REPEAT_TEMPERATURE,
        }
        if self.settings.seed is not None:
            kwargs["seed"] = self.settings.seed + round_
        try:
            # The documented low-level `client.post`: the SDK's typed `create()`/`parse()` re-walk the request against
            # its TypedDicts and build models of the reply, a few ms of CPU per call that cap a batch's throughput.
            payload = {**kwargs, "response_format": _format_param(schema, fmt)}
            response = await client.post("/chat/completions", cast_to=self._httpx.Response, body=payload)
        except self._openai.APIStatusError as exc:
            self._status_error(exc, fmt)
            return await self._call(client, messages, schema, round_)  # the format changed: ask again
        except self._openai.APITimeoutError:
            raise _Transient("timeout", f"no reply within {self.settings.timeout:g}s") from None
        except self._openai.APIConnectionError:
            raise _Transient("connection", f"cannot connect to {self.settings.public_url}") from None
        return _parsed_reply(response, schema)

    def _status_error(self, exc: Any, fmt: str) -> None:
        """Raise what a 4xx/5xx means for us; return only when the judge switched to json_object."""
        status, body = exc.status_code, self._scrub(str(getattr(exc, "body", "") or exc.message))[:200]
        mentions_format = any(w in body.lower() for w in ("json_schema", "response_format", "schema"))
        if fmt == "json_schema" and self.settings.response_format == "auto" and (
            status in (400, 422) or (status >= 500 and mentions_format)
        ):
            log.warning("the server rejected json_schema (HTTP %d); using json_object from now on", status)
            self._format = "json_object"
            return
        if status in (401, 403):
            raise JudgeError(f"the LLM server refused the API key (HTTP {status})",
                             fix="Check OPENAI_API_KEY and --base-url") from None
        if status == 404:
            raise JudgeError(f"model '{self.settings.model}' not found at {self.settings.public_url} (HTTP 404)",
                             fix="Check --model / GRADER_MODEL and --base-url") from None
        if status == 429 or status >= 500:
            kind = "rate_limited" if status == 429 else "unavailable"
            raise _Transient(kind, f"HTTP {status} from the LLM server", _retry_after(exc.response.headers))
        raise _Unusable(f"HTTP {status}: {body}")

    def _scrub(self, text: str) -> str:
        key = self.settings.api_key.get_secret_value() if self.settings.api_key else ""
        return text.replace(key, "***") if key else text


def _retry_after(headers: Any) -> float | None:
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is not None:
            try:
                return float(value) / scale
            except ValueError:
                return None
    return None


def _usage_of(data: dict[str, Any]) -> Usage:
    u = data.get("usage") or {}
    return Usage(calls=1, prompt_tokens=int(u.get("prompt_tokens") or 0),
                 completion_tokens=int(u.get("completion_tokens") or 0))


@functools.cache
def _format_param(schema: type[BaseModel], fmt: str) -> dict[str, Any]:
    """The `response_format` for a pydantic schema: strict `json_schema` (what `parse()` sends), or `json_object`."""
    if fmt == "json_object":
        return {"type": "json_object"}
    # extra="forbid" and no defaults: every object closed and every property required, as strict mode demands.
    return {"type": "json_schema",
            "json_schema": {"name": schema.__name__, "schema": schema.model_json_schema(), "strict": True}}


def _parsed_reply(response: Any, schema: type[T]) -> tuple[T, Usage]:
    """The reply's content validated by `schema`, and the tokens it cost."""
    try:
        data = response.json()
        choice = data["choices"][0]
        message, finish = choice.get("message") or {}, choice.get("finish_reason")
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        raise _Unusable("not a chat completion") from None
    usage = _usage_of(data)
    content = message.get("content")
    if not content:
        raise _Unusable("the model refused" if message.get("refusal") else "empty reply", usage)
    if finish == "length":
        raise _Unusable("reply cut off at the token limit", usage)
    try:
        return schema.model_validate_json(strip_code_fence(content)), usage
    except ValidationError as exc:
        kind = "not JSON" if any(e["type"] == "json_invalid" for e in exc.errors()) else "does not match the schema"
        raise _Unusable(f"reply {kind}", usage) from None


def _verdicts(request: JudgeRequest, reply: WireGrade) -> list[PointVerdict]:
    found = [PointVerdict(id=p.id, verdict=p.verdict, quote=p.quote, feedback=p.feedback) for p in reply.points]
    return check_reply(request, found)
