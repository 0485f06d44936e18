"""Stepper pages: size on disk and time to write, for the course's graphs from (x+y)·z up to a network.

Run:  python benchmarks/bench_viz.py            (five rounds each, about half a minute)
      python benchmarks/bench_viz.py --quick    (one round, the small graphs only)
      python benchmarks/bench_viz.py --fonts    (only the on-screen text sizes, below)

Each page is one ``viz.save_html`` call: the backward pass, one Graphviz layout of the whole
graph, the frames as data, one atomic write. The graph is rebuilt before every round (the call
runs the backward pass, and leaves would accumulate); only the call is timed, and each page
keeps its best round, so a slow spell of a shared machine does not land on one figure.

Graphs:
  - the (x+y)·z demo: CS231n's first example, 2 gates;
  - the sigmoid neuron ``sigmoid(w0*x0 + w1*x1 + b)`` at the course's numbers;
  - ``nn.MLP(3, [4, 4, 1])`` on x = (2, 3, −1) under the hinge loss with label −1, notebook 04's
    example (76 gates, 77 frames; the page of one full SVG per frame was 16.4 MB, written in 4.8 s);
  - ``nn.MLP(2, [16, 16, 1])`` on one two-moons point: collapsed to one node per neuron where
    ``save_html`` takes ``collapse=`` (one frame per neuron, 33 neurons + 4 loss gates + the
    forward frame = 38 frames; the page also carries each neuron's own gate-by-gate drawing, so
    Graphviz lays out 34 drawings), else drawn gate by gate with ``max_nodes=None``.

Then the training timeline (``viz.timeline.save_training``, what ``gategraph train moons --html``
writes): ``nn.MLP(2, [16, 16, 1])`` fitted on 100 two-moons points for 50 epochs with
``record=True`` (the CLI's lr and batch size); targets: the page at most 3 MB, written in at
most 5 s. Also ``fit``'s time with and without ``record`` (recording is one list copy per epoch).

Then how large the pages draw their diagram's text, as a reader sees it without touching the zoom:
headless Chromium (Playwright, Debian's /usr/bin/chromium) opens each page at 800×600 (a notebook
cell) and at 1400×900 and steps through every frame; after each, the on-screen size of each
``<text>`` of the drawing whose centre lies inside the stage is its font-size times the drawing's
scale on screen (``getScreenCTM``), and the median of those is the frame's size. The table prints
the smallest over all frames (target: at least 11 px) for the 3→4→4→1 network gate by gate and by
neuron, 2→16→16→1 by neuron and the sigmoid neuron; and for the timeline's graph card (what
``gategraph train moons|digits --epochs 10 --html`` writes), the same median over the card's stage
on open and after moving the slider to each epoch.
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import io
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import nn  # noqa: E402
import viz  # noqa: E402
from autograd import Value, topological_order  # noqa: E402
from nn.losses import hinge_loss  # noqa: E402


def demo() -> Value:
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    f = (x + y) * z
    f.label = "f"
    return f


def neuron() -> Value:
    w0, x0, w1, x1, b = (Value(v, name) for v, name in
                         [(2.0, "w0"), (-1.0, "x0"), (-3.0, "x1"), (-2.0, "w1"), (-3.0, "b")])
    f = (w0 * x0 + w1 * x1 + b).sigmoid()
    f.label = "f"
    return f


def mlp_3441() -> Value:
    loss = hinge_loss(nn.MLP(3, [4, 4, 1])([2.0, 3.0, -1.0]), -1)
    loss.label = "loss"
    return loss


def mlp_2_16_16_1() -> Value:
    X, y = nn.data.make_moons(2)
    loss = hinge_loss(nn.MLP(2, [16, 16, 1])(list(X[0])), 2 * int(y[0]) - 1)
    loss.label = "loss"
    return loss


def big_options() -> tuple[str, dict]:
    """How the 2→16→16→1 page is made on this branch: collapsed if save_html can, else in full."""
    if "collapse" in inspect.signature(viz.save_html).parameters:
        return "collapsed by neuron", {"collapse": "neuron", "max_nodes": None}
    return "gate by gate (no collapse yet)", {"max_nodes": None}


def measure(build: Callable[[], Value], folder: Path, rounds: int, **options) -> tuple[int, float, int, int]:
    """(bytes, best seconds, value nodes, gates) of save_html on a freshly built graph, best of ``rounds``."""
    best = float("inf")
    size = nodes = gates = 0
    for i in range(rounds):
        root = build()
        order = topological_order(root)
        nodes, gates = len(order), sum(1 for node in order if node.op)
        path = folder / f"page{i}.html"
        start = time.perf_counter()
        viz.save_html(root, path, **options)
        best = min(best, time.perf_counter() - start)
        size = path.stat().st_size
    return size, best, nodes, gates


def count_frames(build: Callable[[], Value], options: dict) -> int:
    """How many frames the page steps through (one per gate, or per neuron when collapsed)."""
    page = viz.stepper(build(), **options)
    return page.frames


TIMELINE_EPOCHS = 50
TIMELINE_MB, TIMELINE_SECONDS = 3.0, 5.0


def timeline(folder: Path, rounds: int) -> None:
    """Size and best write time of the moons timeline over 50 epochs, and fit's cost of recording."""
    from viz.cli import TRAIN_DEFAULTS
    from viz.timeline import save_training

    spec = TRAIN_DEFAULTS["moons"]
    X, y = nn.data.make_moons(100)
    fits = {}
    for record in (False, True):
        best = float("inf")
        for _ in range(rounds):
            model = nn.MLP(2, [16, 16, 1], seed=0)
            start = time.perf_counter()
            history = nn.fit(model, X, y, loss="hinge", epochs=TIMELINE_EPOCHS, lr=spec["lr"], reg=1e-4,
                             batch_size=spec["batch_size"], progress=False, record=record)
            best = min(best, time.perf_counter() - start)
        fits[record] = best
    best = float("inf")
    path = folder / "timeline.html"
    for _ in range(rounds):
        start = time.perf_counter()
        save_training(history, path, model=model, X=X, y=y)
        best = min(best, time.perf_counter() - start)
    size = path.stat().st_size / 1e6
    print(f"\ntraining timeline, moons, MLP 2→16→16→1, {TIMELINE_EPOCHS} epochs, best of {rounds}:")
    print(f"  fit without record {fits[False]:.2f} s, with record {fits[True]:.2f} s")
    print(f"  page {size:.2f} MB (target <= {TIMELINE_MB:g} MB: {'met' if size <= TIMELINE_MB else 'MISSED'}), "
          f"written in {best:.2f} s (target <= {TIMELINE_SECONDS:g} s: "
          f"{'met' if best <= TIMELINE_SECONDS else 'MISSED'})")


#: The median on-screen size (CSS px) of the diagram text inside the stage, and how many texts that is.
ON_SCREEN_FONT = """() => {
  const stage = document.querySelector('.stage').getBoundingClientRect();
  const sizes = [];
  for (const text of document.querySelectorAll('.stage svg text')) {
    const box = text.getBoundingClientRect();
    if (!box.width || !box.height) { continue; }  // not drawn (a group's drawing not open)
    const x = box.left + box.width / 2, y = box.top + box.height / 2;
    if (x < stage.left || x > stage.right || y < stage.top || y > stage.bottom) { continue; }
    const m = text.getScreenCTM();
    sizes.push(parseFloat(getComputedStyle(text).fontSize) * Math.hypot(m.a, m.b));
  }
  sizes.sort((a, b) => a - b);
  return [sizes.length ? sizes[(sizes.length - 1) >> 1] : 0, sizes.length];
}"""

#: The same after each frame, from the first to the last, stepped by the page's own key handler.
EVERY_FRAME = """() => {
  const measure = """ + ON_SCREEN_FONT + """;
  const key = (k) => document.dispatchEvent(new KeyboardEvent("keydown", {key: k}));
  key("Home");
  const sizes = [measure()];
  for (let i = +document.getElementById("slider").max; i > 0; i--) { key("ArrowRight"); sizes.push(measure()); }
  return sizes;
}"""

#: The sizes a page is read at: a notebook cell, a laptop's browser window.
SIZES = [(800, 600), (1400, 900)]
CHROMIUM = "/usr/bin/chromium"


def frame_fonts(browser, path: Path, width: int, height: int) -> list[tuple[float, int]]:
    """(median on-screen font px, texts measured) after each frame of the page at ``path`` in a
    ``width`` × ``height`` tab of a Playwright ``browser``."""
    page = browser.new_page(viewport={"width": width, "height": height})
    try:
        page.goto(path.resolve().as_uri())
        return [tuple(pair) for pair in page.evaluate(EVERY_FRAME)]
    finally:
        page.close()


#: The timeline's graph card: its stage is #graph; the slider (#epoch) moved to each epoch in turn.
CARD_EPOCHS = 10
EVERY_EPOCH = """() => {
  const measure = """ + ON_SCREEN_FONT.replace("'.stage'", "'#graph'").replace("'.stage svg text'", "'#graph > svg text'") + """;
  const slider = document.getElementById("epoch"), sizes = [measure()];
  for (let e = 0; e <= +slider.max; e++) {
    slider.value = String(e);
    slider.dispatchEvent(new Event("input"));
    sizes.push(measure());
  }
  return sizes;
}"""


def epoch_fonts(browser, path: Path, width: int, height: int) -> list[tuple[float, int]]:
    """(median on-screen font px, texts measured) of the timeline's graph card at ``path`` on open
    (scrolled into view) and after each epoch, in a ``width`` × ``height`` tab."""
    page = browser.new_page(viewport={"width": width, "height": height})
    try:
        page.goto(path.resolve().as_uri())
        page.locator("#graph").scroll_into_view_if_needed()
        return [tuple(pair) for pair in page.evaluate(EVERY_EPOCH)]
    finally:
        page.close()


def fonts(folder: Path) -> None:
    """The smallest median on-screen font over all frames of each network page, and over all
    epochs of the timeline's graph card, at both sizes."""
    from viz import cli

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("\non-screen fonts: skipped (needs Playwright: pip install playwright)")
        return
    pages = [("3→4→4→1 + hinge, gate by gate", mlp_3441, {}),
             ("3→4→4→1 + hinge, by neuron", mlp_3441, {"collapse": "neuron"}),
             ("2→16→16→1 + hinge, by neuron", mlp_2_16_16_1, {"collapse": "neuron", "max_nodes": None}),
             ("sigmoid neuron", neuron, {})]
    print("\nsmallest median on-screen font of the diagram text over all frames (target >= 11 px), "
          "no zoom touched:")
    print(f"{'page':40} {'frames':>7}" + "".join(f" {f'{w}×{h}':>10}" for w, h in SIZES))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        try:
            for k, (name, build, options) in enumerate(pages):
                path = viz.save_html(build(), folder / f"fonts{k}.html", **options)
                smallest, frames = [], 0
                for width, height in SIZES:
                    sizes = frame_fonts(browser, path, width, height)
                    frames = len(sizes)
                    smallest.append(min(size for size, _ in sizes))
                print(f"{name:40} {frames:7d}" + "".join(f" {size:7.1f} px" for size in smallest))
            for dataset in ("moons", "digits"):
                path = folder / f"timeline-{dataset}.html"
                with contextlib.redirect_stdout(io.StringIO()):  # the CLI's summary is not the table's
                    cli.main(["train", dataset, "--epochs", str(CARD_EPOCHS), "--no-progress", "-o", str(folder / dataset),
                              "--html", str(path)])
                smallest = []
                for width, height in SIZES:
                    sizes = epoch_fonts(browser, path, width, height)
                    smallest.append(min(size for size, _ in sizes))
                print(f"{'timeline graph card, ' + dataset:40} {len(sizes):7d}" + "".join(f" {size:7.1f} px" for size in smallest))
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one round, the small graphs only")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per page; each keeps its best (default 5)")
    parser.add_argument("--fonts", action="store_true", help="only the on-screen text sizes (headless Chromium)")
    parser.add_argument("--no-fonts", action="store_true", help="skip the on-screen text sizes")
    args = parser.parse_args(argv)
    if args.fonts:
        with tempfile.TemporaryDirectory() as tmp:
            fonts(Path(tmp))
        return
    rounds = 1 if args.quick else max(1, args.rounds)
    how, big = big_options()
    pages = [("(x+y)·z demo", demo, {}), ("sigmoid neuron", neuron, {}), ("3→4→4→1 + hinge loss", mlp_3441, {})]
    if not args.quick:
        pages.append((f"2→16→16→1 + hinge loss, {how}", mlp_2_16_16_1, big))
    print(f"viz.save_html, best of {rounds} round{'s' if rounds > 1 else ''}; Graphviz: {viz.find_dot()}")
    print(f"{'graph':56} {'nodes':>6} {'gates':>6} {'frames':>7} {'page':>10} {'write':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for name, build, options in pages:
            size, seconds, nodes, gates = measure(build, Path(tmp), rounds, **options)
            frames = count_frames(build, options)
            print(f"{name:56} {nodes:6d} {gates:6d} {frames:7d} {size / 1000:8.1f} KB {seconds:7.2f} s")
        timeline(Path(tmp), rounds)
        if not args.no_fonts:
            fonts(Path(tmp))


if __name__ == "__main__":
    main()
