"""One event loop on a daemon thread, for judges called from synchronous code.

`judge.judge(request)` used to run `asyncio.run` per call, and so built a new HTTP client (an SSL context, a
connection pool: ~26 ms of CPU) for every answer and kept no connection between answers. Instead, synchronous
calls from any thread run as coroutines on this one loop, where each judge keeps one client for its life
(`Resident`): connections are reused, and the client is closed when the judge is collected or the process exits.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")
CLOSE_WAIT = 5.0  # seconds to wait for a client to close at exit

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_thread: threading.Thread | None = None


def loop() -> asyncio.AbstractEventLoop:
    """The process's background loop, started on first use."""
    global _loop, _thread
    with _lock:
        if _loop is None or _thread is None or not _thread.is_alive():
            _loop = asyncio.new_event_loop()
            _thread = threading.Thread(target=_loop.run_forever, name="grader-judge-background", daemon=True)
            _thread.start()
        return _loop


def on_loop_thread() -> bool:
    return _thread is not None and threading.current_thread() is _thread


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run `coro` on the background loop and wait for its result (from any thread but the loop's own)."""
    if on_loop_thread():
        coro.close()
        raise RuntimeError("a synchronous judge call from inside the judge's own event loop")
    return asyncio.run_coroutine_threadsafe(coro, loop()).result()


class Resident:
    """A judge's long-lived client on the background loop: made on first use by `make`, closed (`close` awaited on
    the loop) when `owner` is collected, `close()` is called, or the process exits."""

    def __init__(self, owner: object, make: Callable[[], Any], close: Callable[[Any], Awaitable[None]]) -> None:
        self._make, self._close = make, close
        self._lock = threading.Lock()
        self._held: list[Any] = []  # the client once made; shared with the finaliser, which must not hold `owner`
        self._finalizer = weakref.finalize(owner, _release, self._held, close)

    def get(self) -> Any:
        with self._lock:
            if not self._held:
                self._held.append(self._make())
            return self._held[0]

    def close(self) -> None:
        self._finalizer()


def _release(held: list[Any], close: Callable[[Any], Awaitable[None]]) -> None:
    """Close the client in `held`, if one was made, on the background loop."""
    if not held or _loop is None or _loop.is_closed():
        return
    client = held.pop()

    async def closing() -> None:
        await close(client)

    future = asyncio.run_coroutine_threadsafe(closing(), _loop)
    if not on_loop_thread():  # collected on the loop's own thread: it closes once this callback returns
        try:
            future.result(CLOSE_WAIT)
        except Exception:  # closing a client at exit must never raise
            future.cancel()
