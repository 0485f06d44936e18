"""Garbage-collector policy for building graphs: the cyclic collector paused, new nodes moved to the oldest generation."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator

__all__ = ["cyclic_gc_paused"]


# Objects cyclic_gc_paused has moved to the oldest generation since its last full collection,
# and how many it may move before it runs the next one (see below).
_moved = 0
_MOVE_BUDGET_MIN = 1_000_000
_move_budget = _MOVE_BUDGET_MIN


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
    pass). If something else has frozen objects (``gc.get_freeze_count() > 0``, e.g. a server
    before it forks), the frozen generation is left alone and the young one is not moved.

    Python runs a full collection once its oldest generation has grown by a quarter, but it does
    not count objects moved there this way. So that a young garbage cycle moved along with a
    graph is still freed, the block counts what it moves and, once that passes a quarter of the
    oldest generation (and at least a million objects), runs the full collection itself on the
    way in, when the previous graph has usually been dropped already.

    >>> with cyclic_gc_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    global _moved, _move_budget
    was_enabled = gc.isenabled()
    if was_enabled and _moved > _move_budget and gc.get_freeze_count() == 0:
        gc.collect()
        _moved = 0
        _move_budget = max(_MOVE_BUDGET_MIN, len(gc.get_objects(generation=2)) // 4)
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if gc.get_freeze_count() == 0:
                _moved += gc.get_count()[0]  # new objects since the last young collection
                gc.freeze()  # every generation → the permanent one (a list splice) …
                gc.unfreeze()  # … → the oldest generation, where only full collections look
            gc.enable()

