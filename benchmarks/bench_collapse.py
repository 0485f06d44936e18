"""Diagram sizes and times: the grouped 3 → 4 → 4 → 1 network as layer columns, and 2 → 16 → 16 → 1 collapsed.

Run:  python benchmarks/bench_collapse.py

Each network runs on one data point with micrograd's hinge loss and its backward pass. For each
diagram it prints the drawing's size in points (from the SVG), the number of nodes drawn, and the
time to build the DOT and lay it out to SVG with the Graphviz that viz finds (graphviz-pure when
there is no system dot) — the best of five runs, since this machine has slow spells.
"""

from __future__ import annotations

import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import nn  # noqa: E402
import viz  # noqa: E402
from autograd import Value, topological_order  # noqa: E402
from nn.losses import hinge_loss  # noqa: E402
from viz.backend import find_dot, render_svg  # noqa: E402

ROUNDS = 5


def network(sizes: list[int], nin: int) -> Value:
    """nn.MLP(nin, sizes) on one point with a hinge loss, after backward."""
    model = nn.MLP(nin, sizes, seed=1)
    loss = hinge_loss(model([Value([0.5, -1.0, 2.0][i % 3], f"x{i}") for i in range(nin)]), 1)
    loss.label = "loss"
    loss.backward()
    return loss


def measure(name: str, root: Value, **options: object) -> None:
    best = float("inf")
    svg = ""
    for _ in range(ROUNDS):
        start = time.perf_counter()
        svg = render_svg(viz.draw_graph(root, **options))
        best = min(best, time.perf_counter() - start)
    svg_root = ET.fromstring(svg)
    width, height = (float(svg_root.get(k).removesuffix("pt")) for k in ("width", "height"))
    drawn = sum(1 for g in svg_root.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "node")
    print(f"{name:44} {len(topological_order(root)):5} values  {drawn:4} drawn  "
          f"{width:6.0f} × {height:5.0f} pt  {best:6.3f} s")


def main() -> None:
    print(f"Graphviz: {find_dot()}  (best of {ROUNDS})")
    small = network([4, 4, 1], 3)
    measure("3→4→4→1 + hinge, grouped (layer columns)", small, group=True)
    measure("3→4→4→1 + hinge, collapse='neuron'", small, collapse="neuron")
    big = network([16, 16, 1], 2)
    measure("2→16→16→1 + hinge, collapse='neuron'", big, collapse="neuron")
    measure("2→16→16→1 + hinge, collapse='layer'", big, collapse="layer")


if __name__ == "__main__":
    main()
