"""Pausing Python's cyclic garbage collector while a bulk step builds acyclic objects: an opt-in.

Parsers, plans and runs over a million records build millions of small
objects that hold no reference cycles. Left on, the cyclic collector rescans
the growing heap again and again: measured here at a third to a half of such
a step's time. :func:`paused_collector` switches it off for the step and back
on afterwards (only if it was on), whatever happens. It is a context manager
and, called, a decorator.

The collector is the process's, not the library's: no library module calls
this. The ``ecomrules`` command pauses it for its whole run
(:func:`ecomrules.cli.app.main`), and so do the benchmarks. A program that
embeds the library opts in around its own bulk steps, where it knows no
other thread needs the collector::

    from ecomrules.gcpause import paused_collector

    with paused_collector():
        items = read_open_items("open-items.csv")
        result = plan(items, customers, history, policy, as_of)

At the end the new objects are moved to the oldest generation at once
(``gc.freeze`` then ``gc.unfreeze``) instead of being scanned by the first
young collection; that step is skipped when the application froze objects
itself. The collector is process-wide state: another thread allocating
cycles during the step keeps them until the next collection.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused_collector"]


@contextmanager
def paused_collector() -> Iterator[None]:
    """Run the block with the cyclic garbage collector paused."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        if enabled:
            gc.enable()
