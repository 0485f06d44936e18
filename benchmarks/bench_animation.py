"""A stepper's notebook animation (viz.animation.animate): time to make and size, for the course's graphs.

Run:  python benchmarks/bench_animation.py            (three rounds each)
      python benchmarks/bench_animation.py --rounds 1

Each row makes the animated PNG a notebook shows for a stepper page (what
``Stepper.outputs`` adds to the page): the page's drawing and frames come from
``viz.html.page_data`` once, outside the timing; only ``animate`` is timed, best of the rounds
(this machine has slow spells). The first call of a process also finds the system's fonts (resvg)
and checks for a CJK font: a warm-up call runs first, so the rows are warm figures.

Targets: the 3→4→4→1 network with the hinge loss (notebook 04, gate by gate, 77 frames)
≲ 1 s and ≲ 300 KB; the (x+y)·z demo ≲ 30 KB.
"""

from __future__ import annotations

import argparse
import struct
import sys
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_viz import demo, mlp_3441, neuron  # noqa: E402

from autograd import Value, backward_steps  # noqa: E402
from viz.animation import animate  # noqa: E402
from viz.html import page_data  # noqa: E402

#: (name, graph, page_data options, size target in KB or None, time target in s or None)
ROWS: list[tuple[str, Callable[[], Value], dict[str, Any], Any, Any]] = [
    ("(x+y)·z demo", demo, {}, 30, None),
    ("(x+y)·z demo, zh", demo, {"lang": "zh"}, 30, None),
    ("sigmoid neuron", neuron, {}, None, None),
    ("3→4→4→1 + hinge loss, gate by gate", mlp_3441, {}, 300, 1.0),
    ("3→4→4→1 + hinge loss, by neuron", mlp_3441, {"collapse": "neuron"}, None, None),
]


def apng_frames(png: bytes) -> int:
    """The frame count in the APNG's acTL chunk."""
    at = png.find(b"acTL")
    return struct.unpack(">I", png[at + 4:at + 8])[0]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds per graph; each keeps its best (default 3)")
    args = parser.parse_args(argv)
    rounds = max(1, args.rounds)
    warm = demo()
    animate(*page_data(warm, list(backward_steps(warm))))  # warm-up: fonts found once a process
    print(f"viz.animation.animate, best of {rounds} round{'s' if rounds > 1 else ''}")
    print(f"{'graph':40} {'page frames':>11} {'APNG frames':>11} {'image':>11} {'size':>10} {'time':>8}")
    for name, build, options, kb, seconds in ROWS:
        root = build()
        svg, data = page_data(root, list(backward_steps(root)), **options)
        best, png = float("inf"), b""
        for _ in range(rounds):
            start = time.perf_counter()
            png = animate(svg, data)
            best = min(best, time.perf_counter() - start)
        width, height = struct.unpack(">II", png[16:24])
        verdict = []
        if kb is not None:
            verdict.append(f"size target ≤ {kb} KB: {'met' if len(png) / 1000 <= kb else 'MISSED'}")
        if seconds is not None:
            verdict.append(f"time target ≤ {seconds:g} s: {'met' if best <= seconds else 'MISSED'}")
        print(f"{name:40} {len(data['frames']):11d} {apng_frames(png):11d} {f'{width}×{height}':>11} "
              f"{len(png) / 1000:7.1f} KB {best:7.2f} s  {'; '.join(verdict)}")


if __name__ == "__main__":
    main()
