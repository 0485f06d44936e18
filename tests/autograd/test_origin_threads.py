"""origin() blocks are per thread: nodes made concurrently in two threads each report their own block."""

from __future__ import annotations

import sys
import threading

from autograd import Value, origin


def run_together(target, args_list) -> None:  # type: ignore[no-untyped-def]
    """Run ``target`` in one thread per args, switching threads as often as Python can (inside the blocks)."""
    threads = [threading.Thread(target=target, args=args) for args in args_list]
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(switch)


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

    run_together(build, [("L1.N1", "a"), ("L2.N7", "b")])
    assert wrong == []


def test_a_new_thread_starts_outside_every_block() -> None:
    """A thread started inside a block does not inherit it: its nodes have no origin."""
    seen: list[object] = []
    with origin("L1.N0"):
        t = threading.Thread(target=lambda: seen.append(Value(1.0).origin))
        t.start()
        t.join()
    assert seen == [None]


def test_a_block_object_can_be_kept_and_entered_again_even_inside_itself() -> None:
    """One origin(...) object, kept, nests in itself: leaving puts back the outer block, then no block."""
    block = origin("L3.N2")
    with block:
        with block:
            inner = Value(1.0)
        middle = Value(1.0)
    with block:
        again = Value(1.0)
    assert (inner.origin, middle.origin, again.origin, Value(1.0).origin) == ("L3.N2", "L3.N2", "L3.N2", None)


def test_one_kept_block_entered_by_two_threads_at_once_stamps_both() -> None:
    """A network may keep its origin objects: two threads entering the same one concurrently both get it, and leave cleanly."""
    block, barrier, seen = origin("L1.N1", "a"), threading.Barrier(2), []

    def build() -> None:
        barrier.wait()
        for _ in range(5000):
            with block:
                y = Value(1.0) * 2.0
            seen.append((y.origin, y.part, Value(0.0).origin))

    run_together(build, [(), ()])
    assert set(seen) == {("L1.N1", "a", None)} and len(seen) == 10000


def test_a_kept_block_pickles_and_copies_as_its_arguments() -> None:
    """A network keeps its blocks; pickling or deep-copying one gives a block stamping the same origin and parts."""
    import copy
    import pickle

    block = origin("L2.N0", {"add": "sum"})
    for twin in (pickle.loads(pickle.dumps(block)), copy.deepcopy(block)):
        with twin:
            y = Value(1.0) + 1.0
        assert (y.origin, y.part) == ("L2.N0", "sum")
