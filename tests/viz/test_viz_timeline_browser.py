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


def until(page, condition: str, timeout: float = 5.0) -> None:
    """Wait until the JavaScript expression ``condition`` holds on the page (polled by evaluate:
    the page's Content-Security-Policy forbids the eval wait_for_function would use)."""
    import time

    end = time.monotonic() + timeout
    while not page.evaluate(f"() => Boolean({condition})"):
        assert time.monotonic() < end, f"timed out waiting for {condition}"
        page.wait_for_timeout(50)


def scrub(page, epoch: int) -> None:
    """Move the slider to ``epoch`` (0: before training) as a user dragging it would (an input event)."""
    page.eval_on_selector("#epoch", "(s, v) => { s.value = v; s.dispatchEvent(new Event('input')); }", str(epoch))


SNAPSHOT = """() => ({
  epoch: document.body.getAttribute('data-epoch'),
  counter: document.getElementById('counter').textContent,
  mark: document.querySelector('#loss-chart .mark').getAttribute('x1'),
  dot: document.querySelector('#acc-chart .dot').getAttribute('cy'),
  pixels: Array.from(document.getElementById('boundary').getContext('2d')
                 .getImageData(0, 0, 360, 360).data.filter((_, i) => i % 4 === 0)).join(','),
  graph: Array.from(document.querySelectorAll('#graph text')).map(t => t.textContent).join('|'),
})"""


def test_scrubbing_moves_every_picture_to_its_epoch(open_page, browser, pages) -> None:
    """Epoch 0 (before training) and the last epoch differ in the counter, the curves' marker, the
    boundary pixels and the graph's numbers; epoch 1 lies between them."""
    page = open_page(browser, pages["moons"])
    opened = page.evaluate(SNAPSHOT)
    scrub(page, EPOCHS)
    last = page.evaluate(SNAPSHOT)
    scrub(page, 1)
    one = page.evaluate(SNAPSHOT)
    scrub(page, 0)
    first = page.evaluate(SNAPSHOT)
    assert (first["epoch"], one["epoch"], last["epoch"]) == ("0", "1", str(EPOCHS)) and opened == first
    assert first["counter"] == f"epoch 0 of {EPOCHS}" and last["counter"] == f"epoch {EPOCHS} of {EPOCHS}"
    assert float(first["mark"]) < float(one["mark"]) < float(last["mark"])
    assert float(first["mark"]) < float(last["mark"]) and first["dot"] != last["dot"]
    assert first["pixels"] != last["pixels"] and first["graph"] != last["graph"]
    scrub(page, EPOCHS)
    assert page.evaluate(SNAPSHOT) == last  # back again: the same pictures
    assert page.problems == [] and page.requests == [pages["moons"].resolve().as_uri()]
    page.close()


def test_graph_shows_no_layout_placeholder(open_page, browser, pages) -> None:
    """After load (at epoch 0), every cell the script fills shows the epoch's own text (the page's data), not the layout's."""
    page = open_page(browser, pages["moons"])
    shown = page.evaluate("""() => {
      const data = JSON.parse(document.getElementById('tl-data').textContent);
      const last = data.texts[0];
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
    scrub(page, 3)
    last = page.evaluate(grab)
    scrub(page, 1)
    first = page.evaluate(grab)
    assert len(first) == 3 and first != last
    assert page.inner_text("#wscale").startswith("±")
    assert page.problems == [] and page.requests == [pages["linear"].resolve().as_uri()]
    page.close()


def test_legend_swatches_have_their_series_colour(open_page, browser, tmp_path) -> None:
    """Each key swatch of the loss and accuracy charts is drawn (computed fill) in its series' stroke colour."""
    X, y = nn.data.make_moons(30, seed=3)
    model = nn.MLP(2, [3, 1], seed=3)
    history = nn.fit(model, X[:20], y[:20], epochs=2, lr=0.5, progress=False, record=True, val=(X[20:], y[20:]))
    page = open_page(browser, save_training(history, tmp_path / "v.html", model=model, X=X, y=y))
    pairs = page.evaluate("""() => Array.from(document.querySelectorAll('.chart')).flatMap(svg => {
      const strokes = Array.from(svg.querySelectorAll('.series')).map(p => getComputedStyle(p).stroke);
      return Array.from(svg.querySelectorAll('.swatch')).map((s, k) => [getComputedStyle(s).fill, strokes[k]]);
    })""")
    assert len(pairs) == 4 and all(fill == stroke for fill, stroke in pairs)
    assert len({fill for fill, _ in pairs}) == 2  # train and validation differ
    page.close()


def test_graph_card_zooms_and_fit_shows_the_whole(open_page, browser, pages) -> None:
    """The card opens readable (issue 18: not the whole drawing, which would be too small to read);
    + zooms in, the wheel zooms out, fit shows the whole."""
    page = open_page(browser, pages["moons"], width=800)
    inside = """() => { const s = document.getElementById('graph').getBoundingClientRect();
      const g = document.querySelector('#graph svg g.graph').getBoundingClientRect();
      return [g.left >= s.left - 1, g.top >= s.top - 1, g.right <= s.right + 1, g.bottom <= s.bottom + 1]; }"""
    opened = float(page.get_attribute("#graph svg", "data-scale"))
    page.click("#zoom-in")
    assert float(page.get_attribute("#graph svg", "data-scale")) == pytest.approx(opened * 1.25, rel=1e-3)
    page.locator("#graph").scroll_into_view_if_needed()
    box = page.locator("#graph").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, 400)
    until(page, f"Number(document.querySelector('#graph svg').dataset.scale) < {opened * 1.2}", 3.0)
    page.click("#fit")
    assert page.evaluate(inside) == [True] * 4
    assert float(page.get_attribute("#graph svg", "data-scale")) < opened
    assert page.problems == []
    page.close()


def test_page_opens_at_epoch_0_and_play_advances_to_the_end(open_page, browser, pages) -> None:
    """The page opens at epoch 0; play moves through the epochs and stops at the last, the button back to play."""
    page = open_page(browser, pages["moons"])
    assert page.get_attribute("body", "data-epoch") == "0"
    page.click("#play")
    assert page.get_attribute("#play", "aria-pressed") == "true"
    until(page, "document.body.getAttribute('data-epoch') !== '0'", 3.0)
    until(page, f"document.body.getAttribute('data-epoch') === '{EPOCHS}'", 10.0)
    until(page, "document.getElementById('play').getAttribute('aria-pressed') === 'false'", 3.0)
    assert page.inner_text("#counter") == f"epoch {EPOCHS} of {EPOCHS}" and page.problems == []
    page.close()


def test_edges_follow_the_weights_sign_and_size(open_page, browser, pages) -> None:
    """A weighted edge is blue for w > 0 and orange for w < 0, and the larger |w| the wider."""
    page = open_page(browser, pages["moons"])
    scrub(page, EPOCHS)
    edges = page.evaluate("""() => Array.from(document.querySelectorAll('#graph g.edge.weighted')).map(g =>
      [Number(g.dataset.w), getComputedStyle(g.querySelector('path')).stroke, parseFloat(g.querySelector('path').style.strokeWidth)])""")
    assert len(edges) > 6 and {w > 0 for w, _, _ in edges} == {True, False}
    assert all(colour == ("rgb(37, 99, 235)" if w >= 0 else "rgb(234, 88, 12)") for w, colour, _ in edges)
    widest, narrowest = max(edges, key=lambda e: abs(e[0])), min(edges, key=lambda e: abs(e[0]))
    assert widest[2] > narrowest[2]
    page.close()


def test_boundary_marks_the_traced_point_and_heatmaps_change(open_page, browser, pages) -> None:
    """The boundary's canvas has a dark ring at the traced point; the hidden neurons' maps differ between epochs 0 and the last."""
    page = open_page(browser, pages["moons"])
    ring = page.evaluate("""() => {
      const data = JSON.parse(document.getElementById('tl-data').textContent), b = data.boundary;
      const c = document.getElementById('boundary'), p = b.pts[b.point];
      const x = Math.round(34 + p[0] * (c.width - 40) + 7), y = Math.round(6 + p[1] * (c.height - 36));
      return Array.from(c.getContext('2d').getImageData(x, y, 1, 1).data).slice(0, 3);
    }""")
    assert max(ring) < 90  # the ring's near-black, at its right edge
    maps = "() => Array.from(document.querySelectorAll('#neurons canvas')).map(c => c.toDataURL()).join()"
    first = page.evaluate(maps)
    scrub(page, EPOCHS)
    assert page.locator("#neurons canvas").count() == 6 and page.evaluate(maps) != first
    page.close()


def test_an_epoch_with_another_graph_shape_shows_no_stale_numbers(open_page, browser, tmp_path) -> None:
    """Spiral at lr 200 (issue 25): at epoch 2 the point's graph has another shape; its cells show
    "–" and the page names the epoch; at epoch 1 the numbers are back."""
    X, y = nn.data.make_spiral(10, 3, seed=1)
    model = nn.MLP(2, [4, 3], seed=1)
    history = nn.fit(model, X, y, loss="softmax", epochs=6, lr=200, progress=False, record=True)
    page = open_page(browser, save_training(history, tmp_path / "s.html", model=model, X=X, y=y))
    cells = """() => { const data = JSON.parse(document.getElementById('tl-data').textContent);
      return data.cells.map(c => Array.from(document.querySelectorAll('#graph g.node'))
        .find(n => n.querySelector('title').textContent === c[0]).querySelectorAll('text')[c[1]].textContent); }"""
    assert "At epochs 2 " in page.inner_text(".other-note")
    scrub(page, 2)
    assert set(page.evaluate(cells)) == {"–"} and page.locator("#graph.other").count() == 1
    scrub(page, 1)
    assert "–" not in page.evaluate(cells) and page.locator("#graph.other").count() == 0 and page.problems == []
    page.close()
