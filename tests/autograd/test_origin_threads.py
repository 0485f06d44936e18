"""origin() blocks are per thread: nodes made concurrently in two threads each report their own block."""

from __future__ import annotations

import sys
import threading

import pytest

from autograd import Value, origin


def test_two_threads_in_different_blocks_each_stamp_their_own() -> None:
    """Threads building nodes inside origin("L1.N1") and origin("L2.N7") at once never mix the names."""
    barrier = threading.Barrier(2)
    wrong: list[tuple[str, object, object]] = []

    def build(name: str, part: str) -> None:
        barrier.wait()
        for _ in range(10000):
            with origin(name, part):
                x = Value(1.0)
                made = [x * 2.0]
                for _ in range(10):
                    made.append(made[-1] + x)
            if x.origin != name or {(n.origin, n.part) for n in made} != {(name, part)}:
                wrong.append((name, x.origin, {(n.origin, n.part) for n in made}))

    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as Python can, inside the blocks
    try:
        threads = [threading.Thread(target=build, args=args) for args in (("L1.N1", "a"), ("L2.N7", "b"))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(switch)
    assert wrong == []


def test_a_new_thread_starts_outside_every_block() -> None:
    """A thread started inside a block does not inherit it: its nodes have no origin."""
    seen: list[object] = []
    with origin("L1.N0"):
        t = threading.Thread(target=lambda: seen.append(Value(1.0).origin))
        t.start()
        t.join()
    assert seen == [None]


def test_a_block_object_entered_inside_itself_is_refused_by_name() -> None:
    """One origin(...) object cannot be nested in itself (it would lose the outer block); a new one can."""
    block = origin("L3.N2")
    with block:
        with pytest.raises(RuntimeError, match=r"this block is entered already; enter a new origin\(\.\.\.\) inside it"):
            with block:
                pass
        with origin("L3.N2"):
            inner = Value(1.0)
        middle = Value(1.0)
    assert (inner.origin, middle.origin, Value(1.0).origin) == ("L3.N2", "L3.N2", None)
