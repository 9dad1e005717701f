"""What the benchmarks that run the grader as a command measure of it, taken one way."""

from __future__ import annotations

import resource


def children_cpu() -> float:
    """CPU seconds (user + system) of this process's children that have ended and been waited for: taken before and
    after a command, the difference is the command's CPU, its worker processes' included."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime
