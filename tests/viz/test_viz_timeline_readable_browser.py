"""The timeline's graph card in headless Chromium (issue 18): it opens readable (the median text in
view >= 11 px on screen) at the loss, stays readable and put across epochs, and a minimap shows
the part in view; "fit" still shows the whole."""

from __future__ import annotations

from pathlib import Path

import pytest

import nn
from viz.timeline import save_training

pytestmark = [pytest.mark.browser, pytest.mark.graphviz]

SIZES = [(800, 600), (1400, 900)]

#: The card's state: the median on-screen font (CSS px) of the drawing's texts whose centre lies in
#: the card's stage, how many, the viewBox, the minimap's rectangle (null while hidden) and the view
#: clipped to the whole drawing, whether the loss (the "hinge" node) is what shows at its place (in
#: view, not under the minimap), and whether the whole drawing lies inside the stage.
CARD = """() => {
  const stage = document.getElementById('graph'), s = stage.getBoundingClientRect();
  const svg = stage.querySelector(':scope > svg'), sizes = [];
  for (const text of svg.querySelectorAll('text')) {
    const box = text.getBoundingClientRect();
    if (!box.width || !box.height) { continue; }
    const x = box.left + box.width / 2, y = box.top + box.height / 2;
    if (x < s.left || x > s.right || y < s.top || y > s.bottom) { continue; }
    const m = text.getScreenCTM();
    sizes.push(parseFloat(getComputedStyle(text).fontSize) * Math.hypot(m.a, m.b));
  }
  sizes.sort((a, b) => a - b);
  const mini = stage.querySelector('.gg-minimap'), rect = mini && !mini.hidden ? mini.querySelector('rect.seen') : null;
  const g = svg.querySelector('g.graph').getBoundingClientRect(), v = svg.getAttribute('viewBox').split(' ').map(Number);
  // the view clipped to the whole drawing (the minimap's own viewBox): what its rectangle should be
  const w = mini && mini.querySelector('svg') ? mini.querySelector('svg').getAttribute('viewBox').split(' ').map(Number) : null;
  const seen = w && [Math.max(w[0], v[0]), Math.max(w[1], v[1])];
  if (seen) { seen.push(Math.min(w[0] + w[2], v[0] + v[2]) - seen[0], Math.min(w[1] + w[3], v[1] + v[3]) - seen[1]); }
  const at = (t) => { const b = t.getBoundingClientRect(); return [b.left + b.width / 2, b.top + b.height / 2]; };
  const loss = Array.from(svg.querySelectorAll('text')).find(t => t.textContent === 'hinge');
  const under = document.elementFromPoint(...at(loss));
  return {font: sizes.length ? sizes[(sizes.length - 1) >> 1] : 0, texts: sizes.length,
          view: v, seen: seen,
          loss: under === loss || (under && under.closest('g.node') === loss.closest('g.node')),
          rect: rect ? ['x', 'y', 'width', 'height'].map(k => Number(rect.getAttribute(k))) : null,
          whole: g.left >= s.left - 1 && g.top >= s.top - 1 && g.right <= s.right + 1 && g.bottom <= s.bottom + 1};
}"""


@pytest.fixture(scope="module")
def moons(tmp_path_factory) -> Path:
    """A 2→16→16→1 moons network's timeline after a short fit (3 epochs on 40 points)."""
    X, y = nn.data.make_moons(40, seed=2)
    model = nn.MLP(2, [16, 16, 1], seed=2)
    history = nn.fit(model, X, y, epochs=3, lr=0.5, batch_size=10, progress=False, record=True)
    return save_training(history, tmp_path_factory.mktemp("readable") / "moons.html", model=model, X=X, y=y, point=1)


def open_card(browser, path: Path, width: int, height: int):
    """The page in a width × height tab, its graph card scrolled into view; errors in ``.problems``."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    page.goto(path.resolve().as_uri())
    page.locator("#graph").scroll_into_view_if_needed()
    return page


def scrub(page, epoch: int) -> None:
    """Move the slider to ``epoch`` as a user dragging it would (an input event)."""
    page.eval_on_selector("#epoch", "(s, v) => { s.value = v; s.dispatchEvent(new Event('input')); }", str(epoch))


@pytest.mark.parametrize("width,height", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_card_opens_readable_and_stays_put_over_the_epochs(browser, moons, width, height) -> None:
    """On open and after each epoch the median text in view is >= 11 px, the view does not move,
    and the minimap's rectangle is the view; the loss (the graph's end) is in view."""
    page = open_card(browser, moons, width, height)
    first = page.evaluate(CARD)
    assert first["font"] >= 11 and first["texts"] >= 5 and not first["whole"]
    assert first["rect"] == pytest.approx(first["seen"], abs=0.01) and first["loss"]
    for epoch in (3, 1, 2):
        scrub(page, epoch)
        now = page.evaluate(CARD)
        assert now["font"] >= 11 and now["view"] == first["view"] and now["rect"] == first["rect"]
    assert page.problems == []
    page.close()


def test_reader_view_is_kept_minimap_moves_it_and_fit_shows_the_whole(browser, moons) -> None:
    """A reader's zoom survives epoch changes; pressing the minimap centres the view there; "fit"
    shows the whole drawing and hides the minimap."""
    page = open_card(browser, moons, 800, 600)
    page.click("#zoom-in")
    zoomed = page.evaluate(CARD)
    scrub(page, 2)
    assert page.evaluate(CARD)["view"] == zoomed["view"]
    box = page.locator("#graph .gg-minimap").bounding_box()
    page.mouse.click(box["x"] + 0.1 * box["width"], box["y"] + 0.5 * box["height"])
    moved = page.evaluate(CARD)
    assert moved["view"][0] < zoomed["view"][0] - 100 and moved["rect"] == pytest.approx(moved["seen"], abs=0.01)
    page.click("#fit")
    fitted = page.evaluate(CARD)
    assert fitted["whole"] and fitted["rect"] is None
    assert page.problems == []
    page.close()
