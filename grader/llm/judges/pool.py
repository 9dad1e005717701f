"""The HTTP clients of a judge session: requests in flight bounded by the concurrency, spread over a few clients.

One client holds one connection pool, and httpcore's pool walks every connection and every request in it each
time a request starts or ends: with 64 in flight that walk was a fifth of the judge's CPU per call. So a session
keeps one client per `POOL` requests in flight (their pools together sized to the concurrency), and each request
goes to the client with the fewest in flight, so no pool queues a request while another has a free connection.
The clients are made for the first request: a session the cache answers in full makes none. Every client of the
process shares one TLS context (`shared_tls`).
"""

from __future__ import annotations

import asyncio
import math
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

POOL = 16  # requests in flight per client


class Clients:
    """`concurrency` slots over `ceil(concurrency / POOL)` clients made by `make(pool size)`."""

    def __init__(self, make: Callable[[int], Any], concurrency: int) -> None:
        self._make, self._count = make, max(1, math.ceil(concurrency / POOL))
        self._size = math.ceil(concurrency / self._count)
        self.clients: list[Any] = []
        self.slots = asyncio.Semaphore(concurrency)
        self._busy = [0] * self._count

    @asynccontextmanager
    async def client(self) -> AsyncIterator[Any]:
        """A slot, and the client with the fewest requests in flight, for one request."""
        async with self.slots:
            if not self.clients:
                self.clients = [self._make(self._size) for _ in range(self._count)]
            i = min(range(len(self._busy)), key=self._busy.__getitem__)
            self._busy[i] += 1
            try:
                yield self.clients[i]
            finally:
                self._busy[i] -= 1

    async def close(self) -> None:
        clients, self.clients = self.clients, []
        for client in clients:
            await client.close()


_TLS: list[Any] = []  # the process's TLS context for judge clients, made once
_TLS_LOCK = threading.Lock()


def shared_tls(httpx: Any) -> Any:
    """The TLS context every judge client shares: the one each client would make for itself (the HTTP library's
    default, with the certificates the environment names), made once. Loading the CA certificates costs ~25 ms
    of CPU, and a session makes a client per `POOL` requests in flight."""
    with _TLS_LOCK:
        if not _TLS:
            _TLS.append(httpx.create_ssl_context())
        return _TLS[0]
