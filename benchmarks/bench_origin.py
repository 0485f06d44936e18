"""What ``autograd.origin`` costs an ``nn.MLP`` forward: time per point and its profiled share.

Run:  python benchmarks/bench_origin.py            (best of 3 x 7 rounds of 200 points, interleaved)
      python benchmarks/bench_origin.py --quick    (smoke run)

The workload is one data point through ``nn.MLP(2, [16, 16, 1])`` and ``nn.losses.hinge_loss`` —
the forward every training step makes once per point (33 neurons, so 34 ``origin`` blocks). It is
timed as is and with every ``origin`` replaced by a ``with`` that does nothing (the same model,
built that way), in turns; and the share is cProfile's own time in ``origin``'s making, entry and
exit over the whole forward.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import timeit


def workload(points: int = 200):  # type: ignore[no-untyped-def]
    """A function running ``points`` forwards + hinge losses on a fixed model and fixed points."""
    import nn
    from nn.losses import hinge_loss

    model = nn.MLP(2, [16, 16, 1], seed=1)
    rng = random.Random(0)
    xs = [(rng.uniform(-2, 2), rng.uniform(-2, 2), rng.choice((-1, 1))) for _ in range(points)]

    def run() -> None:
        for a, b, y in xs:
            hinge_loss(model([a, b]), y)

    return run


def origin_share(run) -> float:  # type: ignore[no-untyped-def]
    """The fraction of ``run``'s profiled time spent entering and leaving ``origin`` blocks.

    Counted: the frames of ``autograd/value.py`` that make, enter and leave a block (``origin``,
    its ``__enter__``/``__exit__``, ``_block``), and contextlib's frames where ``nn``'s own code
    called them (a ``with origin(...)``; ``nn``'s gc-pausing decorator calls them from contextlib).
    """
    profile = cProfile.Profile()
    profile.runcall(run)
    stats = pstats.Stats(profile)
    spent = 0.0
    for (filename, _line, name), (_cc, _nc, tt, _ct, callers) in stats.stats.items():  # type: ignore[attr-defined]
        if filename.endswith("value.py") and name in ("origin", "__enter__", "__exit__", "_block", "__init__"):
            spent += tt
        elif filename.endswith("contextlib.py"):
            spent += sum(c[2] for (f, _l, n), c in callers.items()
                         if not f.endswith("contextlib.py") or n == "helper")
    return spent / stats.total_tt  # type: ignore[attr-defined]


class _NoBlock:
    """A ``with`` that does nothing: what a forward costs with no origin at all."""

    def __init__(self, name: object, parts: object = None) -> None:
        pass

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        pass


def best(run, points: int, rounds: int) -> float:  # type: ignore[no-untyped-def]
    """The best time per point over ``rounds`` runs, in seconds."""
    return min(timeit.repeat(run, number=1, repeat=rounds)) / points


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one short round (a smoke run)")
    args = parser.parse_args()
    points, rounds = (20, 1) if args.quick else (200, 7)
    run = workload(points)
    run()  # warm the block records
    import nn.losses
    import nn.module

    real = nn.module.origin, nn.losses.origin
    nn.module.origin = nn.losses.origin = _NoBlock  # type: ignore[assignment,misc]
    bare = workload(points)  # the same model and points, its neurons made with no-op blocks
    bare()
    times: dict[str, list[float]] = {"origin": [], "no-op": []}
    for _ in range(3):  # interleaved, so that the machine's load falls on both alike
        nn.module.origin, nn.losses.origin = real  # type: ignore[misc]
        times["origin"].append(best(run, points, rounds))
        nn.module.origin = nn.losses.origin = _NoBlock  # type: ignore[assignment,misc]
        times["no-op"].append(best(bare, points, rounds))
    nn.module.origin, nn.losses.origin = real  # type: ignore[misc]
    t, t0 = min(times["origin"]), min(times["no-op"])
    print(f"MLP(2, [16, 16, 1]) forward + hinge: {t * 1e6:.1f} µs per point (best of {3 * rounds}); "
          f"with origin a no-op: {t0 * 1e6:.1f} µs: origin costs {(t - t0) / t:.1%}")
    print(f"origin's share of it under cProfile: {origin_share(run):.1%}")


if __name__ == "__main__":
    main()
