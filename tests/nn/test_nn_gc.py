"""nn._gc: the cyclic GC paused while a graph is built, and the graph moved out of the young generation."""

from __future__ import annotations

import gc
import weakref

import pytest

from autograd import Value
from nn._gc import cyclic_gc_paused


@pytest.fixture(autouse=True)
def _gc_enabled():  # type: ignore[no-untyped-def]
    was = gc.isenabled()
    gc.enable()
    yield
    (gc.enable if was else gc.disable)()  # as it was before the test, whatever the test did


def _in_generation(obj: object, generation: int) -> bool:
    return any(o is obj for o in gc.get_objects(generation))


def test_collector_is_off_inside_and_on_after() -> None:
    """Inside the block gc is disabled; afterwards it is enabled again."""
    with cyclic_gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_disabled_collector_stays_disabled() -> None:
    """A caller who had disabled gc finds it still disabled afterwards."""
    gc.disable()
    with cyclic_gc_paused():
        pass
    assert not gc.isenabled()


def test_graph_built_inside_leaves_the_young_generation_without_a_collection() -> None:
    """Nodes made in the block sit in the oldest generation afterwards, and no collection ran."""
    runs: list[int] = []
    callback = lambda phase, info: runs.append(info["generation"]) if phase == "start" else None  # noqa: E731
    gc.callbacks.append(callback)
    try:
        with cyclic_gc_paused():
            out = Value(1.0)
            for _ in range(3000):  # > 700: without the move, the next allocation would collect
                out = out + 1.0
        assert gc.get_count()[0] < 10
        assert runs == []
    finally:
        gc.callbacks.remove(callback)
    assert _in_generation(out, 2) and not _in_generation(out, 0)


def test_someone_elses_frozen_objects_stay_frozen() -> None:
    """With objects frozen by the caller, the block does not unfreeze them."""
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with cyclic_gc_paused():
            Value(1.0) + 1.0
        # not thawed (that would leave ~0) and nothing of the block's left frozen (more than before);
        # a frozen object another thread frees meanwhile (Playwright's, in a full run) counts down by one
        assert frozen - 1000 <= gc.get_freeze_count() <= frozen
    finally:
        gc.unfreeze()


def test_cycles_made_inside_are_still_collected() -> None:
    """A reference cycle dropped inside the block is freed by the next full collection."""

    class Box:
        pass

    with cyclic_gc_paused():
        box = Box()
        box.me = box  # type: ignore[attr-defined]
        alive = weakref.ref(box)
        del box
    assert alive() is not None
    gc.collect()
    assert alive() is None


def test_moved_garbage_cycles_are_freed_once_enough_has_been_moved(monkeypatch: pytest.MonkeyPatch) -> None:
    """A garbage cycle moved along with graphs is freed by the block's own full collection
    once it has moved more than its budget, with no gc.collect() from the caller."""
    import nn._gc as gc_module

    class Box:
        pass

    full_collections: list[int] = []
    collect = gc.collect
    monkeypatch.setattr(gc, "collect", lambda *args: full_collections.append(1) or collect(*args))
    monkeypatch.setattr(gc_module, "_moved", 0)
    monkeypatch.setattr(gc_module, "_move_budget", 5_000)
    box = Box()
    box.me = box  # type: ignore[attr-defined]
    alive = weakref.ref(box)
    del box
    for _ in range(2):  # each block moves its 6,000 new objects (and the cycle) to the oldest generation
        with cyclic_gc_paused():
            out = Value(1.0)
            for _ in range(3000):
                out = out + 1.0  # an add node and a constant leaf
        del out
    assert full_collections == [1]  # on the way into the second block: 6,000 moved > 5,000
    assert alive() is None
    assert gc_module._move_budget >= gc_module._MOVE_BUDGET_MIN
