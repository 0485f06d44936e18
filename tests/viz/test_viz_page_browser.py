"""The stepper page in headless Chromium: it opens readable (small graphs whole), zooms, pans, follows the active gate, steps, fetches nothing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import nn
from autograd import Value, topological_order
from nn.losses import hinge_loss
from viz import save_html, stepper
from viz.dot import fmt

pytestmark = pytest.mark.browser  # the browser fixture (conftest.py) skips where Chromium is missing


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    """The course example's page (English and Chinese) and the 3→4→4→1 network's, written once."""
    folder = tmp_path_factory.mktemp("pages")

    def course() -> Value:
        x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
        f = (x + y) * z
        f.label = "f"
        return f

    loss = hinge_loss(nn.MLP(3, [4, 4, 1])([2.0, 3.0, -1.0]), -1)
    loss.label = "loss"
    return {
        "course": save_html(course(), folder / "course.html"),
        "zh": save_html(course(), folder / "zh.html", lang="zh"),
        "mlp": save_html(loss, folder / "mlp.html"),
    }


INSIDE = """(selector) => {
  const stage = document.querySelector('.stage').getBoundingClientRect();
  const box = document.querySelector(selector).getBoundingClientRect();
  return box.width > 0 && box.left >= stage.left && box.right <= stage.right
      && box.top >= stage.top && box.bottom <= stage.bottom;
}"""


def root_selector(path: Path) -> str:
    """The CSS selector of the output node's group in a page's drawing."""
    text = path.read_text(encoding="utf-8")
    data = json.loads(re.search(r'id="gg-data">(.*?)</script>', text, re.S).group(1))
    svg_id = re.search(r'<g id="([^"]+)" class="node[^"]*">\s*<title>' + data["nodes"][data["root"]]["v"] + "</title>",
                       text).group(1)
    return f"#{svg_id}"


@pytest.mark.parametrize("width", [800, 1400])
def test_opens_at_the_output_and_a_small_graph_whole(open_page, browser, pages, width: int) -> None:
    """On the first frame the network's output node lies inside the stage (the network is too large to
    read whole, so only part of it shows); the course example's whole drawing does."""
    page = open_page(browser, pages["mlp"], width)
    small = open_page(browser, pages["course"], width)
    try:
        assert page.evaluate(INSIDE, root_selector(pages["mlp"])) and not page.evaluate(INSIDE, "#graph0")
        assert small.evaluate(INSIDE, "#graph0")
        assert page.problems == [] and small.problems == []
    finally:
        page.close()
        small.close()


def test_zoom_pan_and_fit_change_the_view(open_page, browser, pages) -> None:
    """+ zooms in, dragging moves the view, the wheel zooms out, fit shows the whole drawing (smaller than the opening view)."""
    page = open_page(browser, pages["mlp"])
    try:
        def view() -> tuple[str, float]:
            return page.get_attribute(".stage svg", "viewBox"), float(page.get_attribute(".stage svg", "data-scale"))

        opening = view()
        page.click("#zoom-in")
        zoomed = view()
        assert zoomed[1] > opening[1] and zoomed[0] != opening[0]
        box = page.locator(".stage > svg").bounding_box()
        page.mouse.move(box["x"] + 300, box["y"] + 200)
        page.mouse.down()
        page.mouse.move(box["x"] + 200, box["y"] + 150, steps=4)
        page.mouse.up()
        panned = view()
        assert panned[1] == zoomed[1] and panned[0] != zoomed[0]
        page.mouse.wheel(0, 400)
        assert view()[1] < panned[1]
        page.click("#fit")
        assert view()[1] < opening[1] and page.evaluate(INSIDE, "#graph0")
    finally:
        page.close()


def test_each_step_keeps_the_active_gate_in_view(open_page, browser, pages) -> None:
    """Zoomed in far, every one of the 75 steps shows its active gate inside the stage."""
    page = open_page(browser, pages["mlp"])
    try:
        page.click("#zoom-in")
        # seven more zoom-ins and the 75 steps in one round trip, by the page's own key handler
        outside = page.evaluate("""() => {
          const inside = """ + INSIDE + """, key = (k) => document.dispatchEvent(new KeyboardEvent("keydown", {key: k}));
          for (let i = 0; i < 7; i++) { key("+"); }
          const outside = [];
          for (let i = 1; i <= 75; i++) { key("ArrowRight"); if (!inside(".node.active")) { outside.push(i); } }
          return outside;
        }""")
        assert page.get_attribute("body", "data-frame") == "75" and outside == []
    finally:
        page.close()


def test_keys_buttons_and_slider_step_and_nothing_is_fetched(open_page, browser, pages) -> None:
    """Next, arrow keys, Home/End and the slider change the frame; no request leaves the page; no errors."""
    page = open_page(browser, pages["course"])
    try:
        def shown() -> tuple[str, str]:
            return page.get_attribute("body", "data-frame"), page.inner_text("#counter")

        def grads() -> list[str]:
            return page.locator(".gv tspan").all_text_contents()

        assert shown() == ("0", "step 0 of 2") and page.is_disabled("#prev") and grads() == ["?"] * 5
        assert page.locator("#node1 > title").text_content() == "x: data -2"  # hover: full precision
        page.click("#next")
        # one counter: the caption's title no longer says "Step 1 of 2" beside it
        assert shown() == ("1", "step 1 of 2") and "of 2" not in page.inner_text("#caption")
        assert page.inner_text("#caption h2") == "The × gate (mul) that made f = -12"
        assert grads() == ["?", "?", "-4", "3", "1"] and page.locator(".node.active").count() == 1
        assert page.locator(".node.touched").count() == 2 and page.locator(".edge.hot").count() == 3
        page.keyboard.press("ArrowRight")
        assert shown()[0] == "2" and page.is_disabled("#next") and grads() == ["-4", "-4", "-4", "3", "1"]
        page.keyboard.press("ArrowLeft")
        assert shown()[0] == "1" and grads() == ["?", "?", "-4", "3", "1"]
        page.keyboard.press("Home")
        assert shown()[0] == "0" and page.locator(".node.active").count() == 0 and grads() == ["?"] * 5
        page.keyboard.press("End")
        assert shown()[0] == "2"
        page.locator("#slider").fill("1")
        assert shown()[0] == "1" and "rule: mul swaps" in page.inner_text("#caption")
        assert page.requests == [pages["course"].resolve().as_uri()] and page.problems == []
    finally:
        page.close()


def test_chinese_page_draws_with_a_cjk_font(open_page, browser, pages, tmp_path: Path) -> None:
    """A zh page's heading and caption render with a real CJK font (what Chromium used), and a screenshot is taken."""
    page = open_page(browser, pages["zh"])
    try:
        page.click("#next")
        assert page.evaluate("document.fonts.check('16px \"Noto Sans CJK SC\"')")
        session = page.context.new_cdp_session(page)
        session.send("DOM.enable")
        session.send("CSS.enable")
        document = session.send("DOM.getDocument")["root"]["nodeId"]
        used = set()
        for selector in ("h1", "#caption h2", "#caption .rule"):
            node = session.send("DOM.querySelector", {"nodeId": document, "selector": selector})["nodeId"]
            used |= {font["familyName"] for font in session.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]}
        assert any("CJK" in name or "Han" in name for name in used), used
        shot = page.screenshot(path=str(tmp_path / "zh.png"))
        assert len(shot) > 10_000 and "乘法门单元" in page.inner_text("#caption")
        assert page.problems == []
    finally:
        page.close()


def test_notebook_output_steps_inside_its_sandboxed_frame(browser) -> None:
    """stepper()'s notebook iframe, put in a page as Jupyter would, runs and steps."""
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    shown = stepper((x + y) * z).iframe_html()
    page = browser.new_page(viewport={"width": 800, "height": 900})
    try:
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.set_content(f"<!DOCTYPE html><html><body><div class='output'>{shown}</div></body></html>")
        inner = page.frame_locator("iframe")
        assert inner.locator("#counter").inner_text() == "step 0 of 2"
        inner.locator("#next").click()
        assert inner.locator("#counter").inner_text() == "step 1 of 2"
        assert inner.locator(".gv tspan").all_text_contents() == ["?", "?", "-4", "3", "1"]
        assert problems == []
    finally:
        page.close()


def test_a_frame_laid_out_late_still_opens_fitted(browser) -> None:
    """A notebook may lay an output's iframe out after the page loaded (width 0 first): the page
    fits again when it gets its size, so the drawing is not left tiny (a blank-looking stage)."""
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    shown = stepper((x + y) * z).iframe_html().replace("width:100%", "width:0")
    page = browser.new_page(viewport={"width": 800, "height": 900})
    try:
        page.set_content(f"<!DOCTYPE html><html><body>{shown}</body></html>")
        inner = page.frame_locator("iframe")
        assert inner.locator("#counter").inner_text() == "step 0 of 2"
        page.eval_on_selector("iframe", "frame => { frame.style.width = '700px'; }")
        page.wait_for_timeout(200)
        scale = float(inner.locator(".stage svg").first.get_attribute("data-scale"))
        assert scale > 0.5  # fitted to 700 px, not to the 0 px it loaded at (1e-3)
    finally:
        page.close()


def test_hostile_labels_stay_text_in_the_browser(open_page, browser, tmp_path: Path) -> None:
    """Labels holding </script>, <img onerror> and <svg onload> show as text: no dialog, no request, no error."""
    a, b = Value(1.0, "</script><img src=x onerror=alert(1)>"), Value(2.0, "<svg onload=alert(2)>")
    out = a * b
    out.label = "\u2028</SCRIPT ><!--"
    page = open_page(browser, save_html(out, tmp_path / "hostile.html"))
    try:
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.keyboard.press("End")
        caption = page.inner_text("#caption")
        assert "</script><img src=x onerror=alert(1)>" in caption and "<svg onload=alert(2)>" in caption
        assert page.locator("img").count() == 0 and dialogs == [] and page.problems == []
        assert page.requests == [(tmp_path / "hostile.html").resolve().as_uri()]
    finally:
        page.close()


@pytest.fixture(scope="module")
def collapsed(tmp_path_factory) -> tuple[Value, Path]:
    """The 3→4→4→1 network's page collapsed by neuron, and its loss (whose grads are the engine's)."""
    loss = hinge_loss(nn.MLP(3, [4, 4, 1])([2.0, 3.0, -1.0]), -1)
    loss.label = "loss"
    return loss, save_html(loss, tmp_path_factory.mktemp("collapsed") / "neurons.html", collapse="neuron")


def test_collapsed_page_steps_neuron_by_neuron(open_page, browser, collapsed) -> None:
    """Stepping on the collapsed page makes one neuron after another active, in view, and fills in its gradients."""
    page = open_page(browser, collapsed[1])
    try:
        # from frame 3 (the hinge's last gate) through the 9 neurons, by the page's own key handler
        seen = page.evaluate("""() => {
          const inside = """ + INSIDE + """, key = (k) => document.dispatchEvent(new KeyboardEvent("keydown", {key: k}));
          const pending = () => Array.from(document.querySelectorAll("svg:not(.gg-gates) .gv tspan"))
                                     .filter((t) => t.textContent === "?").length;
          const active = () => { const a = document.querySelector("svg:not(.gg-gates) .node.expandable.active > title");
                                 return a ? a.textContent : null; };
          for (let i = 0; i < 3; i++) { key("ArrowRight"); }
          const seen = [[active(), pending(), true]];
          for (let i = 0; i < 9; i++) {
            key("ArrowRight");
            seen.push([active(), pending(), inside("svg:not(.gg-gates) .node.active")]);
          }
          return seen;
        }""")
        assert [group for group, _, _ in seen] == [None, "L3.N0", "L2.N3", "L2.N2", "L2.N1", "L2.N0",
                                                   "L1.N3", "L1.N2", "L1.N1", "L1.N0"]
        counts = [count for _, count, _ in seen]
        assert all(b < a for a, b in zip(counts, counts[1:])) and counts[-1] == 0
        assert all(in_view for _, _, in_view in seen)
        assert "Neuron L1.N0" in page.inner_text("#caption") and page.problems == []
    finally:
        page.close()


def test_clicking_a_neuron_opens_its_gates_at_its_step_and_back_returns(open_page, browser, collapsed) -> None:
    """A click on neuron L2.N1 (from the last step) goes to L2.N1's step and shows its gate drawing, its
    own gradients the engine's and the caption about it; stepping on opens the next neuron's gates, a
    step of no neuron returns to the whole network; Esc and "back" return."""
    loss, path = collapsed
    order = topological_order(loss)
    page = open_page(browser, path)
    try:
        page.keyboard.press("End")
        page.click("#fit")  # the whole network in view, so each neuron can be clicked
        target = page.locator("svg:not(.gg-gates) g.node", has=page.locator("title", has_text="L2.N1")).first
        target.click()
        gates = page.locator('svg.gg-gates[data-group="L2.N1"]')
        assert page.get_attribute("body", "data-expanded") == "L2.N1"
        assert gates.is_visible() and not page.locator("svg:not(.gg-gates)").first.is_visible()
        assert page.is_visible("#back") and "L2.N1" in page.inner_text("#expanded-title")
        assert "L2.N1" in page.inner_text("#caption h2")  # the caption follows the neuron: its step
        step = page.evaluate("gategraph.use('stepper').data.frames.findIndex((frame) => frame.u === 'L2.N1')")
        assert step > 0 and page.get_attribute("body", "data-frame") == str(step)
        cells = page.evaluate("""() => Array.from(document.querySelectorAll('svg.gg-gates.open tspan[data-n]'),
                                                  (t) => [+t.getAttribute('data-n'), t.textContent])""")
        members = {i for i, node in enumerate(order) if node.origin == "L2.N1"}
        assert members <= {i for i, _ in cells}
        assert all(shown == fmt(order[i].grad) for i, shown in cells if i in members)  # final at its step
        page.keyboard.press("Escape")
        assert page.get_attribute("body", "data-expanded") is None and not gates.is_visible()
        target.click()
        page.keyboard.press("ArrowRight")  # the next step is L2.N0's: its gates open
        assert page.get_attribute("body", "data-expanded") == "L2.N0" and "L2.N0" in page.inner_text("#caption h2")
        page.keyboard.press("Home")  # the forward pass is no neuron's step: the whole network again
        assert page.get_attribute("body", "data-expanded") is None
        target.click()
        page.click("#back")
        assert page.get_attribute("body", "data-expanded") is None
        assert page.evaluate(INSIDE, root_selector(path)) and page.problems == []
    finally:
        page.close()


# Every node of the open gate drawing (or its leftmost one alone: an input or a weight), inside the stage and below the bar.
_SHOWN_BELOW_BAR = """(all) => {
  const stage = document.querySelector('.stage').getBoundingClientRect();
  const bar = document.getElementById('expanded').getBoundingClientRect();
  const nodes = Array.from(document.querySelectorAll('svg.gg-gates.open g.node'));
  const left = (g) => g.getBoundingClientRect().left;
  return (all ? nodes : [nodes.reduce((a, b) => (left(b) < left(a) ? b : a))]).every((g) => {
    const box = g.getBoundingClientRect();
    return box.left >= stage.left && box.right <= stage.right && box.top >= bar.bottom && box.bottom <= stage.bottom;
  });
}"""


@pytest.mark.parametrize("width", [800, 1400])
def test_an_expanded_neuron_opens_in_view_below_its_bar(open_page, browser, collapsed, width: int) -> None:
    """L2.N1's gate drawing (too wide to read whole at either width) opens readable with its inputs and
    weights (at its left) in view, below the "gates of" bar; "fit" then shows it all below the bar."""
    _, path = collapsed
    page = open_page(browser, path, width)
    try:
        page.click("#fit")  # the whole network in view, so each neuron can be clicked
        page.locator("svg:not(.gg-gates) g.node", has=page.locator("title", has_text="L2.N1")).first.click()
        assert page.evaluate(_SHOWN_BELOW_BAR, False)
        page.click("#fit")
        assert page.evaluate(_SHOWN_BELOW_BAR, True)
    finally:
        page.close()
