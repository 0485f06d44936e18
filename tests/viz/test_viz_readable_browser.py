"""The stepper page reads without touching the zoom: its diagram text is at least 11 px on screen at every step, a minimap shows where the view is, keys in a field stay there, one counter, long captions fold."""

from __future__ import annotations

import re
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest

from autograd import Value

pytestmark = pytest.mark.browser  # the browser fixture (conftest.py) skips where Chromium is missing

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_viz.py"


@pytest.fixture(scope="module")
def bench() -> SimpleNamespace:
    """benchmarks/bench_viz.py's names: its graphs and its measure of the on-screen font."""
    return SimpleNamespace(**runpy.run_path(str(BENCH)))


@pytest.fixture(scope="module")
def pages(tmp_path_factory, bench) -> dict[str, Path]:
    """The 3→4→4→1 network's page gate by gate and by neuron, the sigmoid neuron's, a what-if page, a Chinese one."""
    from viz import save_html

    folder = tmp_path_factory.mktemp("readable")
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    return {"mlp": save_html(bench.mlp_3441(), folder / "mlp.html"),
            "neurons": save_html(bench.mlp_3441(), folder / "neurons.html", collapse="neuron"),
            "sigmoid": save_html(bench.neuron(), folder / "sigmoid.html"),
            "whatif": save_html(bench.neuron(), folder / "whatif.html", interactive=True),
            "zh": save_html((x + y) * z, folder / "zh.html", lang="zh")}


@pytest.mark.parametrize("name", ["mlp", "neurons", "sigmoid"])
def test_the_diagram_text_is_readable_at_every_step(browser, bench, pages, name: str) -> None:
    """At a notebook cell's size (800×600), then made a window's (1400×900), the median diagram text inside
    the stage is at least 11 px on screen in the first view and after every step, with no zoom touched
    (1.6–8.3 px before); one page session, stepped by the page's own keys."""
    frames = int(re.search(r'id="slider"[^>]*max="(\d+)"', pages[name].read_text("utf-8"))[1]) + 1
    page = browser.new_page(viewport={"width": 800, "height": 600})
    try:
        page.goto(pages[name].resolve().as_uri())
        for width, height in [(800, 600), (1400, 900)]:
            page.set_viewport_size({"width": width, "height": height})
            page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
            fonts = page.evaluate(bench.EVERY_FRAME)
            small = [(k, round(px, 1)) for k, (px, count) in enumerate(fonts) if px < 11 or count < 5]
            assert len(fonts) == frames and small == [], (width, height)
    finally:
        page.close()


# The minimap's outlined rectangle, the view's (the drawing's viewBox) and the active gate's ring.
# (The gate's box in the drawing's units: its screen box less the drawing's, over the scale, plus the view's corner.)
MINIMAP = """() => {
  const frame = document.querySelector('.gg-minimap'), seen = frame.querySelector('.seen');
  if (frame.hidden || !seen) { return {hidden: frame.hidden}; }
  const drawing = document.querySelector('.stage > svg'), view = drawing.viewBox.baseVal;
  const scale = +drawing.getAttribute('data-scale'), origin = drawing.getBoundingClientRect();
  const box = frame.getBoundingClientRect(), drawn = seen.getBoundingClientRect();
  const ring = frame.querySelector('.here'), gate = document.querySelector('.stage > svg .node.active');
  const at = gate && gate.getBoundingClientRect();
  return {hidden: frame.hidden, rect: ['x', 'y', 'width', 'height'].map((a) => +seen.getAttribute(a)),
          view: [view.x, view.y, view.width, view.height], frame: [box.left, box.top, box.right, box.bottom],
          drawn: [drawn.left, drawn.top, drawn.right, drawn.bottom],
          ring: ring.style.display === 'none' ? null : [+ring.getAttribute('cx'), +ring.getAttribute('cy')],
          gate: at && [view.x + (at.left - origin.left) / scale, view.y + (at.top - origin.top) / scale,
                       view.x + (at.right - origin.left) / scale, view.y + (at.bottom - origin.top) / scale]};
}"""


def test_the_minimap_marks_the_view_and_the_active_gate_and_moves_the_view(browser, open_page, pages) -> None:
    """On the network's page the minimap shows; its rectangle is the stage's view (in the drawing's units),
    inside the minimap; its ring sits on the active gate; a press on the minimap centres the view there."""
    page = open_page(browser, pages["mlp"])
    try:
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        shown = page.evaluate(MINIMAP)
        assert not shown["hidden"]
        x, y, w, h = shown["rect"]
        vx, vy, vw, vh = shown["view"]
        assert (x, w) == pytest.approx((vx, vw)) and y >= vy and y + h == pytest.approx(vy + vh)
        left, top, right, bottom = shown["frame"]
        assert left - 1 <= shown["drawn"][0] < shown["drawn"][2] <= right + 1 and top - 1 <= shown["drawn"][1]
        gx0, gy0, gx1, gy1 = shown["gate"]  # the active gate, in the drawing's units (the ring's too)
        assert gx0 - 1 <= shown["ring"][0] <= gx1 + 1 and gy0 - 1 <= shown["ring"][1] <= gy1 + 1
        page.mouse.click(left + 3, (top + bottom) / 2)  # the drawing's left end: the inputs
        moved = page.evaluate(MINIMAP)
        assert moved["view"][0] < vx and moved["view"][0] + moved["view"][2] / 2 < vx
        assert page.get_attribute("body", "data-frame") == "2" and page.problems == []
    finally:
        page.close()


def test_a_graph_that_fits_readable_has_no_minimap(browser, open_page, pages) -> None:
    """The course example fits whole at a readable size at 1400 px: the page shows it whole, with no minimap."""
    page = open_page(browser, pages["zh"], 1400)
    try:
        assert page.evaluate(MINIMAP)["hidden"] and page.problems == []
    finally:
        page.close()


def test_keys_typed_into_a_number_box_stay_in_it(browser, open_page, pages) -> None:
    """In a what-if number box "-0.5" is typed as such (not "0.5" with a zoom out), and ←, Home and End
    move in the box, not through the steps; outside it the same keys step and zoom."""
    page = open_page(browser, pages["whatif"])
    try:
        page.keyboard.press("ArrowRight")
        scale = page.get_attribute(".stage > svg", "data-scale")
        box = page.locator('.whatif .leaf:has(> span[title="x0"]) input[type=number]')
        box.click()
        box.press("Control+a")
        page.keyboard.type("-0.5")
        frame = page.get_attribute("body", "data-frame")  # the what-if shows the last step of the new values
        for key in ("ArrowLeft", "Home", "End"):
            page.keyboard.press(key)
        assert box.input_value() == "-0.5"
        assert page.get_attribute(".stage > svg", "data-scale") == scale and page.get_attribute("body", "data-frame") == frame
        page.locator("h1").click()  # out of the box: the page's keys again
        page.keyboard.press("Home")
        page.keyboard.press("-")
        assert page.get_attribute("body", "data-frame") == "0" and page.get_attribute(".stage > svg", "data-scale") != scale
        assert page.problems == []
    finally:
        page.close()


def test_one_counter_and_the_forward_pass_is_step_zero(browser, open_page, pages) -> None:
    """The counter says "step k of n" from step 0 (the forward pass); no caption title repeats it, in English or Chinese."""
    page = open_page(browser, pages["sigmoid"])
    zh = open_page(browser, pages["zh"])
    try:
        assert page.inner_text("#counter") == "step 0 of 5" and page.inner_text("#caption h2").startswith("Forward pass")
        page.keyboard.press("End")
        assert page.inner_text("#counter") == "step 5 of 5" and "of 5" not in page.inner_text("#caption h2")
        zh.keyboard.press("ArrowRight")
        assert zh.inner_text("#counter") == "第 1 步，共 2 步" and "步" not in zh.inner_text("#caption h2")
        assert page.problems == [] and zh.problems == []
    finally:
        page.close()
        zh.close()


# The caption's facts as shown (visible or folded), the toggle's text, and the list's and one line's height.
FACTS = """() => {
  const list = document.querySelector('#caption ul'), style = getComputedStyle(list);
  return [Array.from(list.children, (li) => [li.textContent, li.offsetParent !== null]),
          (document.querySelector('#caption .show-all') || {}).textContent || null,
          list.offsetHeight, parseFloat(style.lineHeight) || 1.2 * parseFloat(style.fontSize)];
}"""


# The element inside the caption's box as it is scrolled (seen without scrolling).
SEEN = """(selector) => {
  const box = document.querySelector('#caption').getBoundingClientRect();
  const at = document.querySelector(selector).getBoundingClientRect();
  return at.height > 0 && at.top >= box.top && at.bottom <= box.bottom;
}"""


@pytest.mark.parametrize("width", [800, 1400])
def test_a_long_caption_folds_largest_contributions_first(browser, open_page, pages, width: int) -> None:
    """A neuron's step (8 facts, some two lines long at 800 px) shows at most 6 lines of them, no more than
    the caption's box holds: the arrival at its output, then the largest contributions; "show all" (on the
    title's line, seen without scrolling) shows every fact, "show fewer" folds them again."""
    page = open_page(browser, pages["neurons"], width)
    try:
        step = page.evaluate("gategraph.use('stepper').data.frames.findIndex((frame) => frame.u === 'L2.N1')")
        for _ in range(step):  # the loss's gates, L3.N0, L2.N3, L2.N2, then L2.N1
            page.keyboard.press("ArrowRight")
        facts, toggle, height, line = page.evaluate(FACTS)
        shown = [text for text, visible in facts if visible]
        assert len(facts) == 8 and 2 <= len(shown) < 8 and toggle == "show all 8"
        assert height <= 6.6 * line and page.evaluate(SEEN, "#caption .show-all")
        assert shown[0].startswith("upstream gradient arriving at its output")

        def largest(text: str) -> float:
            return max(abs(float(c)) for c in re.findall(r"×[^=;]*= (-?[0-9.e+-]+)", text))

        sizes = [largest(text) for text, _ in facts if "×" in text]
        assert sizes == sorted(sizes, reverse=True) and largest(shown[1]) == max(sizes)
        page.click("#caption .show-all")
        facts, toggle, _, _ = page.evaluate(FACTS)
        assert all(visible for _, visible in facts) and toggle == "show fewer"
        page.click("#caption .show-all")
        assert sum(visible for _, visible in page.evaluate(FACTS)[0]) == len(shown) and page.problems == []
    finally:
        page.close()
