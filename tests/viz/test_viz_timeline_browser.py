"""The training timeline in headless Chromium: the slider moves every picture to its epoch, nothing is fetched."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

import nn
from viz.timeline import save_training

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.graphviz,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium at /usr/bin/chromium (CI installs it)"),
]

EPOCHS = 12


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One headless Chromium for the whole module."""
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    """A moons MLP's timeline (12 epochs) and a linear classifier's on 4×4 'images', written once."""
    folder = tmp_path_factory.mktemp("timeline")
    X, y = nn.data.make_moons(40, seed=2)
    model = nn.MLP(2, [6, 1], seed=2)
    history = nn.fit(model, X, y, epochs=EPOCHS, lr=0.5, batch_size=10, progress=False, record=True)
    rng = __import__("numpy").random.default_rng(0)
    Xi = rng.normal(size=(30, 16))
    yi = (Xi[:, 0] > 0).astype(int) + (Xi[:, 5] > 0).astype(int)
    linear = nn.Linear(16, 3, seed=0)
    hist_i = nn.fit(linear, Xi, yi, epochs=3, lr=0.2, progress=False, record=True)
    return {
        "moons": save_training(history, folder / "moons.html", model=model, X=X, y=y, point=1),
        "linear": save_training(hist_i, folder / "linear.html", model=linear, X=Xi, y=yi),
    }


def scrub(page, epoch: int) -> None:
    """Move the slider to ``epoch`` (0: before training) as a user dragging it would (an input event)."""
    page.eval_on_selector("#epoch", "(s, v) => { s.value = v; s.dispatchEvent(new Event('input')); }", str(epoch))


SNAPSHOT = """() => ({
  epoch: document.body.getAttribute('data-epoch'),
  counter: document.getElementById('counter').textContent,
  mark: document.querySelector('#loss-chart .mark').getAttribute('x1'),
  dot: document.querySelector('#acc-chart .dot').getAttribute('cy'),
  pixels: Array.from(document.getElementById('boundary').getContext('2d')
                 .getImageData(0, 0, 320, 320).data.filter((_, i) => i % 4 === 0)).join(','),
  graph: Array.from(document.querySelectorAll('#graph text')).map(t => t.textContent).join('|'),
})"""


def test_scrubbing_moves_every_picture_to_its_epoch(open_page, browser, pages) -> None:
    """Epoch 0 (before training) and the last epoch differ in the counter, the curves' marker, the
    boundary pixels and the graph's numbers; epoch 1 lies between them."""
    page = open_page(browser, pages["moons"])
    last = page.evaluate(SNAPSHOT)
    scrub(page, 1)
    one = page.evaluate(SNAPSHOT)
    scrub(page, 0)
    first = page.evaluate(SNAPSHOT)
    assert (first["epoch"], one["epoch"], last["epoch"]) == ("0", "1", str(EPOCHS))
    assert first["counter"] == f"epoch 0 of {EPOCHS}" and last["counter"] == f"epoch {EPOCHS} of {EPOCHS}"
    assert float(first["mark"]) < float(one["mark"]) < float(last["mark"])
    assert float(first["mark"]) < float(last["mark"]) and first["dot"] != last["dot"]
    assert first["pixels"] != last["pixels"] and first["graph"] != last["graph"]
    scrub(page, EPOCHS)
    assert page.evaluate(SNAPSHOT) == last  # back again: the same pictures
    assert page.problems == [] and page.requests == [pages["moons"].resolve().as_uri()]
    page.close()


def test_graph_shows_no_layout_placeholder(open_page, browser, pages) -> None:
    """After load, every cell the script fills shows the epoch's own text (the page's data), not the layout's."""
    page = open_page(browser, pages["moons"])
    shown = page.evaluate("""() => {
      const data = JSON.parse(document.getElementById('tl-data').textContent);
      const last = data.texts[data.texts.length - 1];
      return data.cells.map((c, j) => {
        const g = Array.from(document.querySelectorAll('#graph g.node'))
          .find(n => n.querySelector('title').textContent === c[0]);
        return g.querySelectorAll('text')[c[1]].textContent === last[j];
      });
    }""")
    assert shown and all(shown)
    page.close()


def test_linear_weights_redraw_per_epoch(open_page, browser, pages) -> None:
    """The class images of a linear classifier change between epoch 1 and 3; the scale is shown."""
    page = open_page(browser, pages["linear"], width=1400)
    grab = """() => Array.from(document.querySelectorAll('#weights canvas')).map(c =>
      Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data).join(','))"""
    last = page.evaluate(grab)
    scrub(page, 1)
    first = page.evaluate(grab)
    assert len(first) == 3 and first != last
    assert page.inner_text("#wscale").startswith("±")
    assert page.problems == [] and page.requests == [pages["linear"].resolve().as_uri()]
    page.close()
