"""Retrying a judge request that failed for a passing reason (429, 5xx, timeouts, dropped connections).

The retries are ours, not the SDK's, so the backoff is configurable: `backoff * 2**n` with jitter, capped at
`max_backoff`, or what the server's `retry-after` asks for. A request turned away for our own concurrency (since
lowered, see `grader.llm.judges.servers.Pace`) retries without spending its retries; a refused connection gives
up sooner than a busy server, and when it does, stops the run (`JudgeError`).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from grader.errors import JudgeError
from grader.llm.judges.config import LLMSettings

log = logging.getLogger("grader.llm.judges")
T = TypeVar("T")
MAX_RETRY_AFTER = 120.0
CONNECT_RETRIES = 2
FREE_RETRIES = 8  # retries after an overload our own concurrency caused, on top of max_retries


class Transient(Exception):
    """A request that failed for a passing reason: `kind` (timeout, refused, connection, rate_limited,
    unavailable), the server's `retry_after` if it said one."""

    def __init__(self, kind: str, message: str, retry_after: float | None = None, *, ours: bool = False) -> None:
        super().__init__(message)
        self.kind, self.retry_after = kind, retry_after
        self.ours = ours  # turned away for our own concurrency, since lowered: a retry that does not count


async def with_retries(call: Callable[[], Awaitable[T]], settings: LLMSettings,
                       sleep: Callable[[float], Any]) -> T:  # fmt: skip
    """`await call()`, again after each `Transient` failure until the settings' retries run out (then it raises)."""
    attempt = free = 0
    while True:
        try:
            return await call()
        except Transient as exc:
            # A refused connection rarely heals within seconds: give up sooner than on a busy server.
            limit = min(settings.max_retries, CONNECT_RETRIES if exc.kind == "refused" else 10**6)
            if exc.ours and free < FREE_RETRIES:
                free += 1
                await sleep(delay(settings, attempt, exc.retry_after))
                continue
            if attempt >= limit:
                if exc.kind == "refused":
                    raise JudgeError(f"cannot reach the LLM server at {settings.public_url}",
                                     fix="Start the server or check --base-url / OPENAI_BASE_URL") from None
                raise
            wait = delay(settings, attempt, exc.retry_after)
            log.info("retrying in %.2fs after %s (attempt %d of %d)", wait, exc, attempt + 1, settings.max_retries)
            await sleep(wait)
            attempt += 1


def delay(settings: LLMSettings, attempt: int, retry_after: float | None) -> float:
    """Seconds to wait before retry `attempt` (from 0): the server's `retry-after` when sane, else the backoff."""
    if retry_after is not None and 0 <= retry_after <= MAX_RETRY_AFTER:
        return retry_after
    base: float = min(settings.max_backoff, settings.backoff * 2**attempt)
    return base * random.uniform(0.5, 1.0)
