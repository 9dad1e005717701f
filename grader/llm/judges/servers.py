"""What a run learns about each LLM server, and the pace it keeps with it.

`Formats`: which rung of the output-format ladder (`grader.llm.judges.wire.LADDER`) a server accepts, per base URL
and model, for the whole process: found once (the first rejection moves it down, said once on stderr), then used
by every call, every row and every judge made for that server.

`Pace`: requests in flight, bounded by a limit that halves when the server says it is overloaded (a 429, a 5xx
that is not a format rejection, e.g. llama.cpp's "Context size has been exceeded" when its slots are full) and
grows back by one after a run of successes (`GROW_AFTER` per request of the limit: additive increase,
multiplicative decrease, as TCP does). Only a failure of a request sent under the current limit lowers it, so one
burst of errors halves it once; a request turned away while others were in flight retries without spending its
retries. It also knows how long the oldest request has waited, for the progress line on slow servers.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import threading
import time

from grader.llm.judges.wire import LADDER

log = logging.getLogger("grader.llm.judges")


class Formats:
    """The ladder rung each server is on (thread-safe, process-wide)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rungs: dict[str, int] = {}

    def current(self, key: str, allowed: tuple[int, ...]) -> int:
        with self._lock:
            found = self._rungs.get(key)
        return found if found in allowed else allowed[0]

    def forget(self, url: str) -> None:
        """Forget what was learnt about the server at `url` (a new server on the same port is another server)."""
        with self._lock:
            for key in [k for k in self._rungs if k.split(" ")[0] == url]:
                del self._rungs[key]

    def reject(self, key: str, failed: int, allowed: tuple[int, ...], why: str, *, whole_kind: bool) -> int | None:
        """Move `key` below rung `failed` (past every rung of its kind when `whole_kind`); None when none is left.
        Said once on stderr by whichever call moves it; calls that failed on a rung already left just use the new."""
        with self._lock:
            now = self._rungs.get(key, allowed[0])
            if now != failed and now in allowed:
                return now
            below = [i for i in allowed if i > failed and not (whole_kind and LADDER[i].kind == LADDER[failed].kind)]
            if not below:
                return None
            self._rungs[key] = below[0]
        log.warning("judge: the LLM server rejected %s (%s); using %s from now on", LADDER[failed].name, why,
                    LADDER[below[0]].name)
        return below[0]


FORMATS = Formats()


GROW_AFTER = 8  # successes per request of the limit before it grows by one (each growth may cost a turned-away try)


class Pace:
    """A concurrency limit that adapts to an overloaded server; shared by threads and event loops alike."""

    POLL = 0.02

    def __init__(self, limit: int) -> None:
        self.ceiling = self.limit = self._lowest = limit
        self._lock = threading.Lock()
        self._generation = 0
        self._successes = 0
        self._started: dict[int, float] = {}
        self._tickets = itertools.count()

    async def enter(self) -> tuple[int, int, int]:
        """Wait for a free slot; the ticket returned (id, generation, requests in flight with this one) goes back to
        `leave` and `overloaded`."""
        while True:
            with self._lock:
                if len(self._started) < self.limit:
                    ticket = next(self._tickets)
                    self._started[ticket] = time.monotonic()
                    return ticket, self._generation, len(self._started)
            await asyncio.sleep(self.POLL)

    def leave(self, ticket: tuple[int, int, int], ok: bool) -> None:
        with self._lock:
            self._started.pop(ticket[0], None)
            if not ok:
                return
            self._successes += 1
            if self.limit < self.ceiling and self._successes >= GROW_AFTER * self.limit:
                self.limit, self._successes = self.limit + 1, 0

    def overloaded(self, ticket: tuple[int, int, int], why: str) -> bool:
        """The server turned away a request: halve the limit, once per generation of requests. True when our own
        concurrency may explain it (other requests were in flight with it): a retry of it is not its fault. A
        request alone in flight was turned away for the server's own reasons."""
        with self._lock:
            # Others in flight when it went out or now (requests reach the server in any order).
            ours = max(ticket[2], len(self._started)) > 1
            if ticket[1] != self._generation:
                return ours
            self._generation += 1
            self._successes = 0
            if self.limit == 1:
                return ours
            self.limit = max(1, self.limit // 2)
            limit, lowest = self.limit, self.limit < self._lowest
            self._lowest = min(self._lowest, limit)
        # Said when the limit reaches a new low; a later growth that the server turns away again is routine.
        (log.warning if lowest else log.info)(
            "judge: the LLM server is overloaded (%s); %d request(s) in flight from now on", why, limit)
        return ours

    @property
    def overloads(self) -> int:
        """How many times the server has turned requests away for load (a cut, or one at the lowest limit)."""
        return self._generation

    def waiting(self) -> tuple[int, float]:
        """Requests in flight and how long the oldest has waited, in seconds."""
        with self._lock:
            oldest = min(self._started.values(), default=time.monotonic())
            return len(self._started), time.monotonic() - oldest


class SlowNotice:
    """A progress line on stderr while calls wait long on the server: first after `after` seconds, then at most
    every `every` seconds for the whole judge (not one line per call)."""

    def __init__(self, pace: Pace, after: float = 5.0, every: float = 30.0) -> None:
        self.pace, self.after, self.every = pace, after, every
        self._last = 0.0
        self._lock = threading.Lock()

    def watch(self) -> _Handle:
        """Schedule the notice for a call starting now; cancel the handle when the call ends."""
        loop = asyncio.get_running_loop()
        holder: list[asyncio.TimerHandle] = []

        def fire() -> None:
            self._say()
            holder[0] = loop.call_later(self.every, fire)

        holder.append(loop.call_later(self.after, fire))
        return _Handle(holder)

    def _say(self) -> None:
        with self._lock:
            now = time.monotonic()
            if now - self._last < min(self.every, 10.0):
                return
            self._last = now
        count, oldest = self.pace.waiting()
        log.warning("judge: waiting for the LLM server: %d request(s) in flight, the oldest for %.0f s", count, oldest)


class _Handle:
    """Cancels whichever timer of a rescheduling notice is pending."""

    def __init__(self, holder: list[asyncio.TimerHandle]) -> None:
        self.holder = holder

    def cancel(self) -> None:
        self.holder[0].cancel()
