"""Every piece of text a stepper page draws meets WCAG AA contrast (≥ 4.5 : 1) against what lies under it, in Chromium."""

from __future__ import annotations

import pytest

import nn
import viz
from autograd import Value

pytestmark = pytest.mark.browser

#: For each visible text of the page: its colour and the colour under it, as the browser computes them.
#: SVG text lies on the filled shape of its own node or table cell (the nearest earlier filled
#: polygon, path or ellipse of its group whose box holds the text), else on the stage's white;
#: HTML text on the nearest ancestor with a background colour.
_PAIRS = r"""
() => {
  const rgb = (c) => { const m = c.match(/[\d.]+/g); return m ? m.slice(0, 4).map(Number) : null; };
  const opaque = (c) => { const v = rgb(c); return v && !(v.length === 4 && v[3] === 0) && c !== "none"; };
  const under = (text) => {
    const box = text.getBBox();
    let node = text;
    while (node && node.tagName !== "svg") {
      let sib = node.previousElementSibling;
      while (sib) {
        const shapes = sib.matches("polygon, path, ellipse, rect") ? [sib] : [...sib.querySelectorAll("polygon, path, ellipse, rect")].reverse();
        for (const shape of shapes) {
          const fill = shape.getAttribute("fill");
          if (!fill || fill === "none" || fill === "transparent") continue;
          const b = shape.getBBox();
          const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
          if (cx >= b.x && cx <= b.x + b.width && cy >= b.y && cy <= b.y + b.height) return getComputedStyle(shape).fill;
        }
        sib = sib.previousElementSibling;
      }
      node = node.parentNode;
    }
    return "rgb(255, 255, 255)";
  };
  const background = (el) => {
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const bg = getComputedStyle(node).backgroundColor;
      if (opaque(bg)) return bg;
    }
    return "rgb(255, 255, 255)";
  };
  const pairs = [];
  for (const text of document.querySelectorAll(".stage > svg text")) {
    if (!text.textContent.trim()) continue;
    pairs.push([text.textContent.trim(), getComputedStyle(text).fill, under(text)]);
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    const el = t.parentElement;
    if (!t.textContent.trim() || el.closest("svg, script, style") || !el.getClientRects().length) continue;
    if (getComputedStyle(el).visibility === "hidden") continue;
    pairs.push([t.textContent.trim().slice(0, 40), getComputedStyle(el).color, background(el)]);
  }
  return pairs;
}
"""


def _luminance(colour: str) -> float:
    """WCAG relative luminance of an ``rgb(r, g, b)`` string."""
    parts = [float(v) for v in colour[colour.index("(") + 1:colour.index(")")].split(",")[:3]]
    linear = [c / 255 / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in parts]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours: (L1 + 0.05) / (L2 + 0.05), the lighter over the darker."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_rejects_the_old_orange_on_blue() -> None:
    """The measure can fail: the old gradient orange on the input blue was 4.24 : 1."""
    assert contrast("rgb(194, 65, 12)", "rgb(219, 234, 254)") < 4.5


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_text_of_a_network_page_meets_aa_contrast(lang, browser, open_page, tmp_path) -> None:
    """The 3→4→4→1 + hinge page, mid-way through its backward pass (active gate, just-received cells,
    the caption, the key): every text at ≥ 4.5 : 1 against what lies under it."""
    model = nn.MLP(3, [4, 4, 1])
    loss = nn.losses.hinge_loss(model([Value(2.0, "x0"), Value(3.0, "x1"), Value(-1.0, "x2")]), 1.0)
    path = viz.save_html(loss, tmp_path / "net.html", lang=lang)
    tab = open_page(browser, path, width=1400)
    try:
        for _ in range(5):
            tab.keyboard.press("ArrowRight")
        pairs = tab.evaluate(_PAIRS)
    finally:
        tab.close()
    assert len(pairs) > 100  # the drawing's cells and the page's words were all found
    low = [(words, fg, bg, round(contrast(fg, bg), 2)) for words, fg, bg in pairs if contrast(fg, bg) < 4.5]
    assert not low, low[:10]
