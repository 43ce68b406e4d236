"""Run one function in several threads released at the same instant.

The concurrency promises (a reservation taken once, a review decision recorded
once, a revert and a decision that race) are tested by letting several
connections act at once and asserting that exactly one wins. :func:`race` is
that harness: each thread waits on one barrier, then calls ``act(n)``; what
each call returned or raised comes back in thread order, so a test asserts on
outcomes rather than on timing.

>>> import threading
>>> lock = threading.Lock()
>>> taken: list[int] = []
>>> def take(n: int) -> str:
...     with lock:
...         if taken:
...             raise LookupError("taken")
...         taken.append(n)
...     return "won"
>>> outcomes = race(take, 4)
>>> sorted(type(o).__name__ if isinstance(o, Exception) else o for o in outcomes)
['LookupError', 'LookupError', 'LookupError', 'won']
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

__all__ = ["race"]

T = TypeVar("T")


def race(
    act: Callable[[int], T], threads: int = 8, *, timeout: float = 60.0
) -> list[T | Exception]:
    """Call ``act(0)`` … ``act(threads - 1)`` in as many threads, all released at once.

    Returns each call's result, or the exception it raised, by thread number.
    A thread still running after ``timeout`` seconds fails the race with
    :class:`TimeoutError` (a hang is a defect, not a slow test).
    """
    start = threading.Barrier(threads)
    outcomes: dict[int, T | Exception] = {}

    def run(n: int) -> None:
        start.wait()
        try:
            outcomes[n] = act(n)
        except Exception as exc:  # returned to the caller, who asserts on it
            outcomes[n] = exc

    workers = [threading.Thread(target=run, args=(n,), daemon=True) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout)
        if worker.is_alive():
            raise TimeoutError(f"a thread of the race still runs after {timeout} s")
    return [outcomes[n] for n in range(threads)]
