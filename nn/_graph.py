"""Helpers for building graphs: a sum as a chain of add gates, and the cyclic GC paused meanwhile."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator, Sequence

from autograd import Value

__all__ = ["cyclic_gc_paused", "total"]


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a graph is built (also usable as a decorator).

    A graph has no reference cycles (a node points only to its inputs), so reference counting
    frees it and the cyclic collector, which runs every 700 new objects and rescans the older ones
    ever more often as a graph grows, finds nothing to free. On the course's image workload
    (123,000 nodes) it took more than half of the forward pass.

    On the way out, everything the collector tracks moves to its oldest generation, as
    ``gc.freeze(); gc.unfreeze()`` does, at no cost: otherwise the first young collection after
    the pause would scan the whole new graph at once (a third of the image workload's forward
    pass). Young garbage cycles, if any, are then freed by the next full collection instead of
    a young one. If something else has frozen objects (``gc.get_freeze_count() > 0``, e.g. a
    server before it forks), the frozen generation is left alone and the young one is not moved.

    >>> with cyclic_gc_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if gc.get_freeze_count() == 0:
                gc.freeze()  # every generation → the permanent one (a list splice) …
                gc.unfreeze()  # … → the oldest generation, where only full collections look
            gc.enable()


def total(values: Sequence[Value]) -> Value:
    """v₀ + v₁ + … as a chain of add gates (no constant 0 leaf, unlike the builtin ``sum``).

    >>> total([Value(1.0), Value(2.0), Value(3.0)]).data
    6.0
    """
    it = iter(values)
    out = next(it)
    for v in it:
        out = out + v
    return out
