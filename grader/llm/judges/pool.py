"""The HTTP clients of a judge session: requests in flight bounded by the concurrency, spread over a few clients.

One client holds one connection pool, and httpcore's pool walks every connection and every request in it each
time a request starts or ends: with 64 in flight that walk was a fifth of the judge's CPU per call. So a session
keeps one client per `POOL` requests in flight (their pools together sized to the concurrency), and each request
goes to the client with the fewest in flight, so no pool queues a request while another has a free connection.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

POOL = 16  # requests in flight per client


class Clients:
    """`concurrency` slots over `ceil(concurrency / POOL)` clients made by `make(pool size)`."""

    def __init__(self, make: Callable[[int], Any], concurrency: int) -> None:
        count = max(1, math.ceil(concurrency / POOL))
        self.clients = [make(math.ceil(concurrency / count)) for _ in range(count)]
        self.slots = asyncio.Semaphore(concurrency)
        self._busy = [0] * count

    @asynccontextmanager
    async def client(self) -> AsyncIterator[Any]:
        """A slot, and the client with the fewest requests in flight, for one request."""
        async with self.slots:
            i = min(range(len(self._busy)), key=self._busy.__getitem__)
            self._busy[i] += 1
            try:
                yield self.clients[i]
            finally:
                self._busy[i] -= 1

    async def close(self) -> None:
        for client in self.clients:
            await client.close()
