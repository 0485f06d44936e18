"""The stepper page in headless Chromium fills the viewport it is given and makes its view again (readable, or whole) whenever its stage gets a new size."""

from __future__ import annotations

from pathlib import Path

import pytest

import nn
from autograd import Value
from nn.losses import hinge_loss
from viz import save_html

pytestmark = pytest.mark.browser  # the browser fixture (conftest.py) skips where Chromium is missing

# The page's view for the stage's size: the drawing's whole graph inside the stage, at a scale no
# fit to 0 px could give, or (a graph too large to read whole) its median text at least 11 px on
# screen with some of the drawing in view.
FITTED = """() => {
  const stage = document.querySelector('.stage').getBoundingClientRect();
  const box = document.querySelector('#graph0').getBoundingClientRect();
  const scale = +document.querySelector('.stage > svg').getAttribute('data-scale');
  const sizes = Array.from(document.querySelectorAll('.stage > svg text'), (t) => +t.getAttribute('font-size'))
    .sort((a, b) => a - b);
  const whole = box.left >= stage.left - 1 && box.right <= stage.right + 1
      && box.top >= stage.top - 1 && box.bottom <= stage.bottom + 1;
  const seen = box.left < stage.right && box.right > stage.left && box.top < stage.bottom && box.bottom > stage.top;
  return box.width > 20 && scale > 0.05 && (whole || (seen && scale * sizes[(sizes.length - 1) >> 1] >= 11));
}"""

# Where the viewer's parts end, in CSS pixels from the top of the viewport.
BOTTOMS = """() => Object.fromEntries(['.controls', '.stage', '.viewer > .panel'].map(
  (s) => [s, document.querySelector(s).getBoundingClientRect().bottom]))"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    """The course example's page, the 3→4→4→1 network's (gate by gate and by neuron) and a what-if page."""
    folder = tmp_path_factory.mktemp("fit")
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    f = (x + y) * z
    f.label = "f"
    loss = hinge_loss(nn.MLP(3, [4, 4, 1])([2.0, 3.0, -1.0]), -1)
    loss.label = "loss"
    return {"course": save_html(f, folder / "course.html"), "mlp": save_html(loss, folder / "mlp.html"),
            "neurons": save_html(loss, folder / "neurons.html", collapse="neuron"),
            "whatif": save_html(f, folder / "whatif.html", interactive=True)}


def _open(browser, path: Path, width: int, height: int):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.problems = []
    page.on("console", lambda msg: page.problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    page.goto(path.resolve().as_uri())
    return page


@pytest.mark.parametrize("name", ["course", "mlp", "neurons", "whatif"])
def test_controls_stage_and_caption_fit_the_viewport(browser, pages, name: str) -> None:
    """At 500–900 px high (a notebook's frame is 700) the controls, the stage and the caption all show, the drawing readable or whole."""
    page = _open(browser, pages[name], 800, 700)
    try:
        for width, height in [(800, 700), (800, 500), (1000, 600), (1400, 900)]:
            if name == "whatif" and height < 600:
                continue  # the what-if panel adds its own rows: the page scrolls below 600 px
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_timeout(100)
            bottoms = page.evaluate(BOTTOMS)
            assert max(bottoms.values()) <= height, (width, height, bottoms)
            assert page.evaluate("document.querySelector('.stage').clientHeight") >= 200, (width, height)
            assert page.evaluate(FITTED), (width, height)
        assert page.problems == []
    finally:
        page.close()


def test_a_stage_that_gets_its_size_late_is_fitted_then(browser, pages, tmp_path: Path) -> None:
    """A page whose stage is 0 × 0 when its script runs (a notebook's cell with content-visibility: auto)
    makes its view (readable) when the stage first gets a size, with no window resize."""
    hidden = tmp_path / "hidden.html"
    text = pages["mlp"].read_text(encoding="utf-8")
    hidden.write_text(text.replace("<body>", '<body>\n<style id="hide">.viewer { display: none; }</style>', 1),
                      encoding="utf-8")
    page = _open(browser, hidden, 800, 700)
    try:
        assert page.evaluate("document.querySelector('.stage').clientWidth") == 0
        page.evaluate("document.getElementById('hide').remove()")
        page.wait_for_timeout(200)
        assert page.evaluate(FITTED) and page.problems == []
    finally:
        page.close()


def test_a_new_stage_size_fits_again_until_the_reader_zooms(browser, pages) -> None:
    """A narrower stage (no window resize) refits a small drawing; once the reader zooms, a new size keeps the zoom."""
    page = _open(browser, pages["course"], 1400, 900)
    try:
        def scale() -> float:
            return float(page.get_attribute(".stage svg", "data-scale"))

        wide = scale()
        page.evaluate("document.querySelector('.viewer').style.width = '600px'")
        page.wait_for_timeout(200)
        narrow = scale()
        assert narrow < wide and page.evaluate(FITTED)
        page.click("#zoom-in")
        zoomed = scale()
        page.evaluate("document.querySelector('.viewer').style.width = ''")
        page.wait_for_timeout(200)
        assert scale() == zoomed and page.problems == []
    finally:
        page.close()
