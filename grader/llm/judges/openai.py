"""The judge for any OpenAI-compatible server (OpenAI, vLLM, Ollama, llama.cpp). The only module importing `openai`.

One call per answer: the key points to judge go out, a JSON reply with one verdict per point comes back, keyed by
the rubric's point ids. How output is constrained depends on the server: the judge starts at strict `json_schema`
and steps down a ladder (`grader.llm.judges.wire`) only when a server rejects a rung by naming the format, and
the whole process remembers each server's rung (`grader.llm.judges.servers`). Every reply is checked before use;
one that still fails after `parse_retries` re-asks (each in a shorter, stricter form, as the same request at
temperature 0 would get the same reply) leaves the answer unscored, never a crash.

Pace: `max_tokens` from the number of points asked (or `max_tokens` in the settings), a total deadline per request
that no drip-fed reply can stretch, requests in flight bounded by a limit that halves when the server says it is
overloaded, and a progress line on stderr when calls wait longer than a few seconds.

Retries (429, 5xx, timeouts, dropped connections) are ours, with a configurable backoff
(`grader.llm.judges.retries`). When they run out the answer is unscored and a batch goes on; only what fails every
answer stops a run (a refused key, an unknown model or URL, a server that refuses connections throughout).
Temperature 0 and a fixed seed; re-asks for `--repeat` use temperature 0.7 and another seed.

Concurrency: `async with judge.session():` shares its clients (`grader.llm.judges.pool`) and bounds requests in
flight to `concurrency` across every task in it, a slot held for the HTTP exchange only (a reply is read once the
next request has gone out). Outside a session `judge()` is thread-safe and bounded the same way, on one client
kept for the judge's life on a background loop (`grader.llm.judges.background`; `close()` closes it). The SDK is
imported with the first client: a run the cache answers in full never loads it.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import importlib
import importlib.util
import re
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel

from grader.errors import JudgeError
from grader.llm.judges import background
from grader.llm.judges.base import JudgeReply, JudgeRequest, Usage
from grader.llm.judges.config import LLMSettings
from grader.llm.judges.pool import Clients, shared_tls
from grader.llm.judges.retries import Transient, with_retries
from grader.llm.judges.servers import FORMATS, Pace, SlowNotice
from grader.llm.judges.wire import (
    LADDER,
    PINNED,
    GradeWire,
    ModelWire,
    Rung,
    Unusable,
    completion,
    retry_after,
    server_message,
)
from grader.llm.prompts import grade_messages

T = TypeVar("T", bound=BaseModel)
A = TypeVar("A")
R = TypeVar("R")
MessagesFor = Callable[[bool], list[dict[str, str]]]  # json_shape -> messages
RungMessages = Callable[[Rung, bool], list[dict[str, str]]]  # (rung, brief) -> messages
Wire = GradeWire | ModelWire
REPEAT_TEMPERATURE = 0.7
FORMAT_WORDS = ("json_schema", "response_format", "schema", "grammar", "maxlength")


class OpenAIJudge:
    """Per-point verdicts from an OpenAI-compatible chat completions endpoint."""

    def __init__(self, settings: LLMSettings, *, sleep: Callable[[float], Any] | None = None) -> None:
        if settings.api_key is None and settings.base_url is None:
            raise JudgeError("OPENAI_API_KEY is not set",
                             fix="Export OPENAI_API_KEY, or point --base-url at a local OpenAI-compatible server")
        if importlib.util.find_spec("openai") is None:
            raise JudgeError("the openai package is not installed", fix="pip install 'grader[llm]'")
        self.settings = settings
        self._openai: Any = None  # the SDK, imported with the first client (~0.4 s of CPU): a run that the cache
        self._httpx: Any = None  # answers in full never imports it
        self._server = f"{settings.public_url} {settings.model}"
        self._allowed = PINNED[settings.response_format]
        self._gate = threading.BoundedSemaphore(settings.concurrency)
        self._tokens_key = "max_tokens"  # OpenAI's newer models want max_completion_tokens, and say so
        self.pace = Pace(settings.concurrency)
        self._notice = SlowNotice(self.pace)
        self._session: contextvars.ContextVar[Clients | None] = contextvars.ContextVar(
            f"judge-session-{id(self)}", default=None
        )
        self._sleep = sleep or asyncio.sleep
        # The client of synchronous calls (`judge`, `structured`), made on first use and kept.
        self._resident = background.Resident(self, self._state, Clients.close)

    @property
    def identity(self) -> str:
        return self.settings.identity

    @property
    def response_format(self) -> str:
        """The output format this server is asked for now (what the first rejection, if any, left)."""
        return LADDER[FORMATS.current(self._server, self._allowed)].name

    def _client(self, size: int | None = None) -> Any:
        """A client whose connection pool holds `size` connections (default `concurrency`): a session's requests in
        flight each keep one open for the next (the SDK's default keeps 100 at most and opens up to 1,000)."""
        if self._openai is None:
            import openai

            # The HTTP library under the SDK: httpx2 for openai 3.x, httpx before.
            self._httpx = importlib.import_module("httpx2" if importlib.util.find_spec("httpx2") else "httpx")
            self._openai = openai
        key = self.settings.api_key.get_secret_value() if self.settings.api_key else "sk-no-key-needed"
        size = size or self.settings.concurrency
        limits = self._httpx.Limits(max_connections=size, max_keepalive_connections=size)
        http = self._openai.DefaultAsyncHttpxClient(limits=limits, timeout=self.settings.deadline,
                                                    verify=shared_tls(self._httpx))
        return self._openai.AsyncOpenAI(
            api_key=key, base_url=self.settings.url, timeout=self.settings.deadline, max_retries=0, http_client=http
        )

    def _state(self) -> Clients:
        return Clients(self._client, self.settings.concurrency)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[None]:
        """One client and one concurrency bound shared by every `ajudge` awaited inside."""
        state = self._state()
        token = self._session.set(state)
        try:
            yield
        finally:
            self._session.reset(token)
            await state.close()

    def close(self) -> None:
        """Close the client that synchronous calls keep (a later call makes a new one)."""
        self._resident.close()
        self._resident = background.Resident(self, self._state, Clients.close)

    def judge(self, request: JudgeRequest) -> JudgeReply:
        with self._gate:
            return background.run(self._resident_call(self.ajudge, request))

    async def _resident_call(self, call: Callable[[A], Awaitable[R]], arg: A) -> R:
        """`await call(arg)` on the background loop, in the session of the judge's resident client."""
        token = self._session.set(self._resident.get())
        try:
            return await call(arg)
        finally:
            self._session.reset(token)

    async def _standalone(self, request: JudgeRequest) -> JudgeReply:
        async with self.session():
            return await self.ajudge(request)

    async def ajudge(self, request: JudgeRequest) -> JudgeReply:
        state = self._session.get()
        if state is None:
            return await self._standalone(request)
        wanted = set(request.point_ids)
        points = [p for p in request.rubric.points if p.id in wanted]

        def messages(rung: Rung, brief: bool) -> list[dict[str, str]]:
            # A re-ask spells the shape out whatever the format: a server may accept a schema and ignore it.
            claims = [m for m in request.rubric.misconceptions if m.point in request.point_ids]
            return grade_messages(request.question, points, request.answer, request.lang,
                                  json_shape=rung.shape_in_prompt or brief, keyed=rung.keyed, brief=brief,
                                  misconceptions=claims)

        parsed, usage, error, kind = await self._structured(state, messages, GradeWire([p.id for p in points]),
                                                            request.round)
        if parsed is None:
            return JudgeReply(usage=usage, error=error, error_kind=kind)
        verdicts, feedback = parsed
        return JudgeReply(verdicts=verdicts, feedback=feedback, usage=usage)

    async def models(self) -> list[str] | str:
        """The model ids the server lists (GET /models), or what went wrong as one line."""
        client = self._client()
        try:
            async with asyncio.timeout(self.settings.deadline):
                response = await client.get("/models", cast_to=self._httpx.Response)
            data = response.json().get("data")
            return [m["id"] for m in data if isinstance(m, dict) and isinstance(m.get("id"), str)]
        except self._openai.APIStatusError as exc:
            said = server_message(getattr(exc, "body", None))
            return self._scrub(f"HTTP {exc.status_code}: {said}")
        except (self._openai.APIError, TimeoutError, ValueError, RecursionError, AttributeError, TypeError) as exc:
            return self._scrub(f"no model list ({type(exc).__name__})")
        finally:
            await client.close()

    def structured(self, messages: MessagesFor, schema: type[T]) -> tuple[T | None, Usage, str | None]:
        """`astructured` from synchronous code."""
        with self._gate:
            return background.run(self._resident_call(lambda m: self.astructured(m, schema), messages))

    async def astructured(self, messages: MessagesFor, schema: type[T]) -> tuple[T | None, Usage, str | None]:
        """Any structured reply (used to draft rubrics): the parsed object, tokens spent, and an error if none."""
        state = self._session.get()
        if state is None:
            async with self.session():
                return await self.astructured(messages, schema)
        parsed, usage, error, _ = await self._structured(
            state, lambda rung, _brief: messages(rung.shape_in_prompt), ModelWire(schema), 0)
        return parsed, usage, error

    async def _structured(
        self, state: Clients, messages: RungMessages, wire: Wire, round_: int
    ) -> tuple[Any, Usage, str | None, str | None]:
        usage = Usage()
        error = kind = None
        for attempt in range(1 + self.settings.parse_retries):
            try:
                call = functools.partial(self._call, state, messages, wire, round_, attempt > 0)
                parsed, spent = await with_retries(call, self.settings, self._sleep)
                return parsed, usage + spent, None, None
            except Unusable as exc:
                usage += exc.usage
                error, kind = f"the judge's reply could not be used: {self._scrub(str(exc))}", "unparseable"
            except Transient as exc:
                return None, usage, self._scrub(str(exc)), exc.kind
        return None, usage, error, kind

    def _payload(self, messages: RungMessages, wire: Wire, rung: Rung, round_: int, brief: bool) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "model": self.settings.model,
            "messages": messages(rung, brief),
            "temperature": 0.0 if round_ == 0 else REPEAT_TEMPERATURE,
            "response_format": wire.param(rung, brief),
        }
        if self.settings.seed is not None:
            payload["seed"] = self.settings.seed + round_
        max_tokens = self.settings.max_tokens or wire.max_tokens(brief)
        if max_tokens:
            payload[self._tokens_key] = max_tokens
        return payload

    async def _call(
        self, state: Clients, messages: RungMessages, wire: Wire, round_: int, brief: bool
    ) -> tuple[Any, Usage]:
        while True:
            index = FORMATS.current(self._server, self._allowed)
            payload = self._payload(messages, wire, LADDER[index], round_, brief)
            async with state.client() as client:
                response = await self._exchange(client, payload, index)
            if response is None:
                continue  # the server rejected the format (or named its token limit): ask again as it wants
            # The slot is free: whoever waited for it sends before this reply is read.
            await asyncio.sleep(0)
            try:
                data = response.json()
            except (ValueError, RecursionError):  # a body nested deeper than the decoder's stack
                raise Unusable("not a chat completion (not JSON)") from None
            content, _finish, usage = completion(data)
            return wire.parse(content, usage), usage

    async def _exchange(self, client: Any, payload: dict[str, Any], index: int) -> Any:
        """POST one request and read its reply; None when the request must be made again (the server rejected
        the output format, and the judge has moved to the next one)."""
        ticket = await self.pace.enter()
        notice, ok = self._notice.watch(), False
        try:
            # A total deadline: the client's own timeout bounds each read, so a reply drip-fed a byte at a
            # time would never trip it. The documented low-level `client.post`: the SDK's typed `create()`
            # re-walks the request against its TypedDicts, a few ms of CPU per call that cap throughput.
            async with asyncio.timeout(self.settings.deadline):
                response = await client.post("/chat/completions", cast_to=self._httpx.Response, body=payload)
            ok = True
            return response
        except self._openai.APIStatusError as exc:
            self._status_error(exc, index, ticket)
            return None
        except (self._openai.APITimeoutError, TimeoutError):
            raise Transient("timeout", f"no reply within {self.settings.deadline:g}s") from None
        except self._openai.APIConnectionError as exc:
            if isinstance(exc.__cause__, self._httpx.ConnectError):
                raise Transient("refused", f"cannot connect to {self.settings.public_url}") from None
            raise Transient("connection", "the connection to the LLM server dropped") from None
        finally:
            notice.cancel()
            self.pace.leave(ticket, ok)

    def _status_error(self, exc: Any, index: int, ticket: tuple[int, int, int]) -> None:
        """Raise what a 4xx/5xx means for us; return only when the judge moved to another format."""
        status, said = exc.status_code, self._scrub(server_message(getattr(exc, "body", None)))
        why = f"HTTP {status}: {said}" if said else f"HTTP {status}"
        if (status in (400, 422) or status >= 500) and any(w in said.lower() for w in FORMAT_WORDS):
            # A 5xx means the server cannot handle this kind of response_format at all, a 4xx that it
            # refuses this schema: the next rung of another kind, or simply the next rung.
            moved = FORMATS.reject(self._server, index, self._allowed, why, whole_kind=status >= 500)
            if moved is not None:
                return
            raise JudgeError(f"the LLM server at {self.settings.public_url} accepts none of the output formats "
                             f"({why})", fix="Check the server's version and options (see the README's table)"
                             ) from None
        if status == 400 and self._tokens_key == "max_tokens" and "max_completion_tokens" in said:
            self._tokens_key = "max_completion_tokens"
            return
        if status in (401, 403):
            raise JudgeError(f"the LLM server refused the API key (HTTP {status})",
                             fix="Check OPENAI_API_KEY and --base-url") from None
        if status == 404:
            raise self._not_found(said)
        if status == 429 or status >= 500:
            ours = self.pace.overloaded(ticket, why)
            kind = "rate_limited" if status == 429 else "unavailable"
            raise Transient(kind, f"{why} from the LLM server", retry_after(exc.response.headers), ours=ours)
        raise Unusable(why)

    def _not_found(self, said: str) -> JudgeError:
        url = self.settings.public_url
        if not re.search(r"/v\d", urlsplit(url).path):
            return JudgeError(f"no chat completions endpoint at {url} (HTTP 404): the base URL has no /v1",
                              fix=f"OpenAI-compatible servers answer under /v1: try --base-url {url}/v1")
        detail = f": {said}" if said else ""
        return JudgeError(f"model '{self.settings.model}' not found at {url} (HTTP 404{detail})",
                          fix="Check --model / GRADER_MODEL and --base-url (`grader llm check` lists the models)")

    def _scrub(self, text: str) -> str:
        key = self.settings.api_key.get_secret_value() if self.settings.api_key else ""
        return text.replace(key, "***") if key else text
