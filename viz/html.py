"""The HTML stepper: one self-contained page, the graph laid out once, each backward step applied as data."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Sequence, TypeVar, Union

from autograd import Step, Value, backward_steps, topological_order

from ._files import write_atomic
from .backend import find_dot, render_svg
from .dot import ACTIVE_FILL, DEFAULT_MAX_NODES, GRAD, TOUCHED_FILL, build_graph, check_size, fmt, node_ids
from .frames import PENDING, walk
from .i18n import FONT_STACK, check_lang, text

__all__ = ["Addon", "Stepper", "json_for_script", "page_data", "save_html", "stepper", "stepper_html"]

PathT = TypeVar("PathT", str, os.PathLike)

SUFFIXES = (".html", ".htm")

#: Height of the inline frame a notebook shows the page in (CSS pixels).
NOTEBOOK_HEIGHT = 700

# What Graphviz writes around and inside the <svg> element that the page does not want: the XML
# declaration, the DOCTYPE (it names a DTD by URL), comments, namespace attributes (HTML puts an
# inline <svg> in the SVG namespace by itself, so the page holds no URL at all), the fixed size
# (the page sizes the drawing), and per-text font and whitespace attributes (the page's CSS sets
# the font stack, CJK fallbacks included).
_SVG_NOISE = re.compile(
    r"<\?xml.*?\?>|<!DOCTYPE[^>]*>|<!--.*?-->|\s(?:xmlns(?::\w+)?|(?:xlink:)?href)=\"[^\"]*\""
    r"|\sxml:space=\"preserve\"|\sfont-family=\"[^\"]*\"",
    re.S,
)
_SVG_SIZE = re.compile(r'(<svg\b[^>]*?)\s(?:width|height)="[^"]*"(?:\s(?:width|height)="[^"]*")?', re.S)
_NODE_GROUP = re.compile(r'<g id="[^"]*" class="node[^"]*">\s*<title>([^<]*)</title>.*?</g>', re.S)
_TEXT = re.compile(r'<text\b([^>]*)>([^<]*)</text>')
_POLYGON = re.compile(r'<polygon fill="none"[^>]*points="([^"]*)"[^>]*/>')
_ATTR_X = re.compile(r'\sx="([-0-9.]+)"')
_ATTR_Y = re.compile(r'\sy="([-0-9.]+)"')
_ANCHOR = re.compile(r'\stext-anchor="[^"]*"')

# Helvetica's advance widths (1/1000 em) of the characters a printed number is made of: the
# layout reserves room for the widest gradient text a cell will ever show.
_WIDTHS = {".": 278, "-": 333, "+": 584}


def text_width(s: str) -> int:
    """The width of a number's text in Helvetica, in 1/1000 em (digits, e, ? are 556 wide).

    >>> text_width("-4"), text_width("1.235e+05") > text_width("-0.1235")
    (889, True)
    """
    return sum(_WIDTHS.get(ch, 556) for ch in s)


def json_for_script(data: Any) -> str:
    """``data`` as JSON that is safe inside ``<script type="application/json">`` in an HTML page.

    ``<``, ``>`` and ``&`` are written as ``\\u003c``, ``\\u003e``, ``\\u0026`` (so no text can
    close the script element or open a comment) and U+2028/U+2029 as escapes; ``JSON.parse``
    reads back the same strings. NaN and infinities are refused.

    >>> json_for_script({"label": "</script><b>&"})
    '{"label":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    >>> json.loads(json_for_script(["</script>"])) == ["</script>"]
    True
    """
    text_ = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text_ = text_.replace(raw, escaped)
    return text_


def _cell_of(points: str) -> tuple[float, float, float, float]:
    xs = [float(p.split(",")[0]) for p in points.split()]
    ys = [float(p.split(",")[1]) for p in points.split()]
    return min(xs), min(ys), max(xs), max(ys)


def _mark_grad_cell(group: str, widest: str) -> str:
    """A value node's SVG group with its gradient cell made ready for the page's script.

    The gradient's text (laid out with ``widest``, the widest text it will show) becomes
    ``<text class="gv">grad <tspan>?</tspan></text>``, centred in its cell, and a background
    ``<polygon class="gbg">`` is put under the cell for the "just touched" shading.
    """
    for match in _TEXT.finditer(group):
        attrs, content = match.groups()
        shown = html.unescape(content)
        if f'fill="{GRAD}"' not in attrs or not shown.endswith(widest):
            continue
        x, y = float(_ATTR_X.search(attrs).group(1)), float(_ATTR_Y.search(attrs).group(1))
        cells = [(_cell_of(m.group(1)), m) for m in _POLYGON.finditer(group, 0, match.start())]
        inside = [(c, m) for c, m in cells if c[0] - 0.5 <= x <= c[2] and c[1] <= y <= c[3] + 0.5]
        if not inside:
            return group
        (x0, _, x1, _), border = min(inside, key=lambda cm: (cm[0][2] - cm[0][0]) * (cm[0][3] - cm[0][1]))
        attrs = _ANCHOR.sub("", _ATTR_X.sub(f' x="{(x0 + x1) / 2:.2f}"', attrs))
        prefix = html.escape(shown[: len(shown) - len(widest)], quote=False)
        label = f'<text class="gv" text-anchor="middle"{attrs}>{prefix}<tspan>{html.escape(PENDING)}</tspan></text>'
        background = f'<polygon class="gbg" fill="none" stroke="none" points="{border.group(1)}"/>'
        return (group[: border.start()] + background + group[border.start() : match.start()] + label
                + group[match.end() :])
    return group


#: StepThrough draws its diagrams this much larger than Graphviz's natural size.
ZOOM = 1.25
_SVG_ID = re.compile(r'\sid="')
_SVG_PT = re.compile(r'\b(width|height)="([0-9.]+)pt"')


def inline_svg(svg: str, index: int) -> str:
    """A whole SVG document from Graphviz made fit to sit inside HTML next to others (for
    :class:`viz.StepThrough`): no prolog or namespace URLs, ids unique to ``index``, drawn
    :data:`ZOOM` times its natural size."""
    body = _SVG_NOISE.sub("", svg).strip()
    body = _SVG_PT.sub(lambda m: f'{m.group(1)}="{float(m.group(2)) * ZOOM:.2f}pt"', body, count=2)
    return _SVG_ID.sub(f' id="f{index}-', body)


def caption_html(caption: str) -> str:
    """A caption's plain text (title line, one line per fact, the rule last) as escaped HTML."""
    lines = [line for line in caption.splitlines() if line.strip()]
    if not lines:
        return ""
    parts = [f"<h2>{html.escape(lines[0])}</h2>"]
    if len(lines) > 1:
        parts.append("<ul>" + "".join(f"<li>{html.escape(line)}</li>" for line in lines[1:]) + "</ul>")
    return "".join(parts)


# The words inside a value node's cells as dot.py draws them: "data 3", "grad ?" (not the bold label).
_CELL_WORDS = re.compile(r'(<text\b(?![^>]*font-weight)[^>]*>(?:<tspan>)?)(data|grad) ')


def _cell_words(svg: str, lang: str) -> str:
    """The drawing with its cells' "data" and "grad" in ``lang`` (shorter in Chinese: 值, 梯度, so
    they fit the room Graphviz laid out for the English words)."""
    if lang == "en":
        return svg
    return _CELL_WORDS.sub(lambda m: f"{m.group(1)}{html.escape(text(m.group(2), lang))} ", svg)


def page_data(root: Value, steps: Sequence[Step], lang: str = "en") -> tuple[str, dict[str, Any]]:
    """The page's one drawing and its frames as data, for the backward ``steps`` from ``root``.

    The graph is laid out once by Graphviz, each gradient cell as wide as the widest text it
    will show; the page's script fills the cells in. The data names every node by its id in
    the drawing and describes each frame by what changes:

    - ``nodes[i] = {"v": value id, "g": gate id or "", "p": [parent indices], "op", "data",
      "label"}`` in topological order: ``v`` and ``g`` are the drawing's ``<title>`` of the
      value node and of the gate that made it, ``data`` the forward value (a float);
    - ``frames[k] = {"a": active node index or None, "s": [[i, grad text], ...] (the cells that
      change), "t": [indices of the cells just touched], "c": [title, [lines], rule]}``;
    - ``text``: the page's own words in ``lang``, ``pending`` (what a cell shows before its
      gradient is computed), ``root`` (the output's index).

    The script knows nodes only through these ids, so another drawing can plug in: a collapsed
    layout maps several nodes to one neuron's group (frames stepping a neuron at a time), and a
    page that recomputes the numbers (what-if) rebuilds ``frames`` from ``nodes`` and replays them.

    Returns:
        ``(svg, data)``: the drawing, ready to inline in HTML, and the JSON-able data.

    Raises:
        RuntimeError: the drawing lacks a value node's gradient cell (a Graphviz whose SVG
            this page does not understand).

    >>> x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    >>> f = (x + y) * z
    >>> svg, data = page_data(f, list(backward_steps(f)))
    >>> len(data["frames"]), data["frames"][1]["s"], svg.count('class="gv"')
    (3, [[4, '1'], [2, '-4'], [3, '3']], 5)
    """
    order = topological_order(root)
    index = {node: i for i, node in enumerate(order)}
    value_ids, gate_ids = node_ids(order)
    total = sum(1 for node in order if node.op)
    widest: dict[Value, str] = {}
    frames: list[dict[str, Any]] = []
    for step, caption, so_far in walk(root, steps, total, lang):
        changed = ([step.node] if step.index == 0 else []) + list(step.parents) if step else []
        updates = {}
        for node in changed:
            shown = fmt(so_far[node])
            updates[index[node]] = shown
            if text_width(shown) > text_width(widest.get(node, PENDING)):
                widest[node] = shown
        head, lines, rule = caption
        frames.append({
            "a": index[step.node] if step else None,
            "s": [[i, shown] for i, shown in updates.items()],
            "t": sorted({index[p] for p in step.parents}) if step else [],
            "c": [head, lines, rule],
        })
    diagram = build_graph(root, order, show="both", rankdir="LR", group=True,
                          grad_text=lambda node: widest.get(node, PENDING))
    svg = _SVG_SIZE.sub(r"\1", _SVG_NOISE.sub("", render_svg(diagram)).strip(), count=1)
    by_id = {value_ids[node]: widest.get(node, PENDING) for node in order}
    svg = _NODE_GROUP.sub(lambda m: _mark_grad_cell(m.group(0), by_id[m.group(1)]) if m.group(1) in by_id
                          else m.group(0), svg)
    marked = svg.count('<text class="gv"')
    if marked != len(order):  # a cell the script cannot fill would show the widest text for ever
        raise RuntimeError(
            f"page_data: found the gradient cell of {marked} of {len(order)} value nodes in the drawing "
            f"Graphviz ({find_dot()}) made; the page would show wrong gradients, so none is written"
        )
    svg = _cell_words(svg, lang)
    data = {
        "lang": lang,
        "root": index[root],
        "pending": PENDING,
        "nodes": [{"v": value_ids[n], "g": gate_ids.get(n, ""), "p": [index[p] for p in n.parents],
                   "op": n.op, "data": n.data, "label": n.label} for n in order],
        "frames": frames,
        "text": {"counter": text("page counter", lang, i="{i}", n="{n}"), "data": text("data", lang)},
    }
    return svg, data


_SCRIPT = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("gg-data").textContent);
  var stage = document.querySelector(".stage");
  var svg = stage.querySelector("svg");
  var slider = document.getElementById("slider");
  var prev = document.getElementById("prev");
  var next = document.getElementById("next");
  var counter = document.getElementById("counter");
  var caption = document.getElementById("caption");
  var frames = data.frames;
  var current = -1;

  // The drawing's groups by their <title>: a node's DOT id ("n3"), an edge's "n0->n2".
  var byTitle = {};
  Array.prototype.forEach.call(svg.querySelectorAll("g.node, g.edge"), function (g) {
    var title = g.querySelector("title");
    if (title) { (byTitle[title.textContent] = byTitle[title.textContent] || []).push(g); }
  });
  function one(id) { return (byTitle[id] || [])[0] || null; }
  var nodes = data.nodes.map(function (n) {
    var group = one(n.v);
    var edges = [];
    if (n.g) {
      n.p.forEach(function (p) { edges = edges.concat(byTitle[data.nodes[p].v + "->" + n.g] || []); });
      edges = edges.concat(byTitle[n.g + "->" + n.v] || []);
    }
    return {group: group, gate: n.g ? one(n.g) : null, edges: edges,
            cell: group ? group.querySelector(".gv tspan") : null, shown: data.pending};
  });
  // Hovering a value shows its label and its data to full precision (the drawing rounds to 4 digits).
  data.nodes.forEach(function (n, i) {
    var title = nodes[i].group && nodes[i].group.querySelector("title");
    if (title) { title.textContent = (n.label || n.op || "") + ": " + data.text.data + " " + String(n.data); }
  });

  // -- the view: which part of the drawing the stage shows (x, y: its top-left corner in the
  // drawing's units; s: screen pixels per unit). Zoom and pan change it; the viewBox follows.
  var box = svg.viewBox.baseVal;
  var graph = {x: box.x, y: box.y, w: box.width, h: box.height};
  var view = {x: graph.x, y: graph.y, s: 1};
  var PAD = 12, MOST = 1.75;  // fitting never draws larger than 1.75 screen pixels per point
  function area() { return {w: stage.clientWidth || 1, h: stage.clientHeight || 1}; }
  function fitScale() {
    var a = area();
    return Math.max(1e-3, Math.min(MOST, (a.w - 2 * PAD) / graph.w, (a.h - 2 * PAD) / graph.h));
  }
  (function shrink() {  // a short drawing gets a shorter stage, not a band of white above and below
    var need = Math.ceil(graph.h * fitScale() + 2 * PAD);
    if (need < stage.clientHeight) { stage.style.height = Math.max(need, 240) + "px"; }
  })();
  function draw() {
    var a = area();
    svg.setAttribute("viewBox", [view.x, view.y, a.w / view.s, a.h / view.s].join(" "));
    svg.setAttribute("data-scale", String(view.s));
  }
  function centre(x, y) { var a = area(); view.x = x - a.w / 2 / view.s; view.y = y - a.h / 2 / view.s; }
  function fit() { view.s = fitScale(); centre(graph.x + graph.w / 2, graph.y + graph.h / 2); draw(); }
  function zoomAt(factor, px, py) {  // keep the drawing's point under (px, py) where it is
    var ux = view.x + px / view.s, uy = view.y + py / view.s;
    view.s = Math.max(fitScale() / 4, Math.min(8, view.s * factor));
    view.x = ux - px / view.s;
    view.y = uy - py / view.s;
    draw();
  }
  function zoomCentre(factor) { var a = area(); zoomAt(factor, a.w / 2, a.h / 2); }
  function reveal(element) {  // pan (never zoom) so the element is in view, if it is not
    if (!element) { return; }
    var at = element.getBoundingClientRect(), st = stage.getBoundingClientRect(), m = 8;
    if (at.left >= st.left + m && at.right <= st.right - m && at.top >= st.top + m && at.bottom <= st.bottom - m) {
      return;
    }
    view.x += (at.left + at.width / 2 - (st.left + st.width / 2)) / view.s;
    view.y += (at.top + at.height / 2 - (st.top + st.height / 2)) / view.s;
    draw();
  }
  stage.addEventListener("wheel", function (event) {
    event.preventDefault();
    var st = stage.getBoundingClientRect();
    zoomAt(Math.exp(-event.deltaY * (event.deltaMode === 1 ? 0.05 : 0.0015)), event.clientX - st.left, event.clientY - st.top);
  }, {passive: false});
  var drag = null;
  svg.addEventListener("pointerdown", function (event) {
    drag = {x: event.clientX, y: event.clientY, id: event.pointerId};
    svg.setPointerCapture(event.pointerId);
    stage.classList.add("dragging");
  });
  svg.addEventListener("pointermove", function (event) {
    if (!drag || event.pointerId !== drag.id) { return; }
    view.x -= (event.clientX - drag.x) / view.s;
    view.y -= (event.clientY - drag.y) / view.s;
    drag.x = event.clientX;
    drag.y = event.clientY;
    draw();
  });
  function release() { drag = null; stage.classList.remove("dragging"); }
  svg.addEventListener("pointerup", release);
  svg.addEventListener("pointercancel", release);
  document.getElementById("zoom-in").addEventListener("click", function () { zoomCentre(1.25); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoomCentre(0.8); });
  document.getElementById("fit").addEventListener("click", fit);
  var size = area();
  window.addEventListener("resize", function () {  // keep the centre of the view where it was
    var x = view.x + size.w / 2 / view.s, y = view.y + size.h / 2 / view.s;
    size = area();
    centre(x, y);
    draw();
  });

  // -- frames: the gradient texts are the updates of frames 0..i, applied in order.
  var marked = [];
  function mark(element, name) { if (element) { element.classList.add(name); marked.push([element, name]); } }
  function element(tag, words, className) {
    var e = document.createElement(tag);
    e.textContent = words;
    if (className) { e.className = className; }
    return e;
  }
  function show(i) {
    i = Math.max(0, Math.min(frames.length - 1, i));
    var texts = nodes.map(function () { return data.pending; });
    for (var k = 0; k <= i; k++) {
      frames[k].s.forEach(function (u) { texts[u[0]] = u[1]; });
    }
    nodes.forEach(function (n, j) {
      if (n.cell && n.shown !== texts[j]) { n.cell.textContent = texts[j]; n.shown = texts[j]; }
    });
    marked.forEach(function (m) { m[0].classList.remove(m[1]); });
    marked = [];
    var frame = frames[i];
    if (frame.a !== null) {
      var active = nodes[frame.a];
      mark(active.gate, "active");
      mark(active.group, "current");
      active.edges.forEach(function (e) { mark(e, "hot"); });
    }
    frame.t.forEach(function (j) { mark(nodes[j].group, "touched"); });
    caption.textContent = "";
    caption.appendChild(element("h2", frame.c[0]));
    var list = document.createElement("ul");
    frame.c[1].forEach(function (line) { list.appendChild(element("li", line)); });
    caption.appendChild(list);
    if (frame.c[2]) { caption.appendChild(element("p", frame.c[2], "rule")); }
    current = i;
    slider.value = String(i);
    counter.textContent = data.text.counter.replace("{i}", String(i + 1)).replace("{n}", String(frames.length));
    prev.disabled = i === 0;
    next.disabled = i === frames.length - 1;
    document.body.setAttribute("data-frame", String(i));
    if (frame.a !== null) { reveal(nodes[frame.a].gate); }
  }
  prev.addEventListener("click", function () { show(current - 1); });
  next.addEventListener("click", function () { show(current + 1); });
  slider.addEventListener("input", function () { show(parseInt(slider.value, 10)); });
  document.addEventListener("keydown", function (event) {
    if (event.target === slider) { return; }  // the slider moves itself with the arrow keys
    var step = {ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1}[event.key];
    if (event.key === "Home") { show(0); } else if (event.key === "End") { show(frames.length - 1); }
    else if (event.key === "+" || event.key === "=") { zoomCentre(1.25); }
    else if (event.key === "-") { zoomCentre(0.8); }
    else if (step) { show(current + step); } else { return; }
    event.preventDefault();
  });
  // -- for an add-on script (what-if): swap in new frames and show one of them
  window.gategraph = {data: data, nodes: nodes, show: show, current: function () { return current; },
                      setFrames: function (f) { frames = f; slider.max = String(f.length - 1); }};
  fit();
  show(0);
})();
"""

_STYLE = """
body { font-family: __FONTS__; color: #1f2937;
       margin: 0 auto; padding: .75rem 1rem; max-width: 90rem; background: #f9fafb; }
h1 { font-size: 1.2rem; margin: 0 0 .6rem; }
h1 small { font-weight: normal; color: #6b7280; }
.controls { display: flex; align-items: center; gap: .6rem; margin-bottom: .6rem; flex-wrap: wrap; }
button { font: inherit; padding: .3rem .8rem; border: 1px solid #9ca3af; border-radius: .4rem;
         background: white; cursor: pointer; }
button:disabled { opacity: .4; cursor: default; }
.controls input[type=range] { flex: 1; min-width: 8rem; accent-color: #c2410c; }
#counter { font-variant-numeric: tabular-nums; color: #374151; min-width: 8rem; }
.stage { position: relative; background: white; border: 1px solid #e5e7eb; border-radius: .5rem;
         height: 60vh; min-height: 240px; overflow: hidden; touch-action: none; }
.stage svg { display: block; width: 100%; height: 100%; cursor: grab; user-select: none; }
.stage.dragging svg { cursor: grabbing; }
.stage svg text { font-family: __FONTS__; }
.zoom { position: absolute; top: .5rem; right: .5rem; display: flex; gap: .3rem; }
.zoom button { padding: .15rem .6rem; background: rgba(255, 255, 255, .92); }
.node.active ellipse { fill: __ACTIVE__; stroke: __GRAD__; stroke-width: 4px; vector-effect: non-scaling-stroke; }
.edge.hot path { stroke: __GRAD__; stroke-width: 2.5px; vector-effect: non-scaling-stroke; }
.edge.hot polygon { fill: __GRAD__; stroke: __GRAD__; }
.node.touched .gbg { fill: __TOUCHED__; }
.node.current .gv { font-weight: bold; }
.panel { margin-top: .6rem; background: white; border: 1px solid #e5e7eb; border-left: 4px solid #c2410c;
         border-radius: .5rem; padding: .5rem 1rem; }
#caption h2 { font-size: 1.02rem; margin: .2rem 0 .4rem; }
#caption ul { margin: .2rem 0; padding-left: 1.2rem; }
#caption li { margin: .15rem 0; font-variant-numeric: tabular-nums; }
#caption .rule { color: #c2410c; margin: .4rem 0 .2rem; }
.hint { color: #6b7280; font-size: .85rem; margin-top: .5rem; }
"""


def _style() -> str:
    fills = {"__FONTS__": FONT_STACK, "__ACTIVE__": ACTIVE_FILL, "__GRAD__": GRAD, "__TOUCHED__": TOUCHED_FILL}
    style = _STYLE
    for key, value in fills.items():
        style = style.replace(key, value)
    return style


def csp(*extra_scripts: str) -> str:
    """The page's Content-Security-Policy: nothing may load; only the page's own scripts, by their hashes, run."""
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s.encode('utf-8')).digest()).decode('ascii')}'"
                      for s in (_SCRIPT, *extra_scripts))
    return f"default-src 'none'; style-src 'unsafe-inline'; script-src {hashes}"


@dataclass(frozen=True)
class Addon:
    """What a feature adds to the stepper page (the what-if panel, a worksheet): CSS, HTML, JSON data, a script.

    ``style`` joins the page's CSS; ``body`` (HTML, escaped by the caller) goes after the caption
    panel; ``data``, unless None, goes in ``<script type="application/json" id="gg-{name}">``
    (escaped by :func:`json_for_script`); ``script`` runs after the page's own, which leaves
    ``window.gategraph`` for it (``data``, ``nodes``, ``show(i)``, ``setFrames(frames)``), and
    the Content-Security-Policy pins it by its hash too.
    """

    name: str
    style: str = ""
    data: Any = None
    script: str = ""
    body: str = ""


def stepper_html(svg: str, data: dict[str, Any], title: str = "", addon: Optional[Addon] = None) -> str:
    """The stepper page: one inline drawing (from :func:`page_data`), its frames as JSON, one script.

    The page needs nothing from outside: inline SVG, inline CSS, the frames in a
    ``<script type="application/json">`` block (escaped by :func:`json_for_script`, so no label
    can end it) and one inline script, which a Content-Security-Policy pins by its hash (so no
    other script could run, and nothing can be fetched). Every piece of text is escaped.

    An :class:`Addon` adds a feature's CSS, HTML, data and script (pinned by its hash too).

    >>> x = Value(2.0, "x")
    >>> square = x * x
    >>> svg, data = page_data(square, list(backward_steps(square)))
    >>> page = stepper_html(svg, data, "</title>")
    >>> page.count("<script"), "&lt;/title&gt;" in page, "http:" in page or "https:" in page
    (2, True, False)
    """
    lang = data.get("lang", "en")
    name = html.escape(title)
    last = max(len(data["frames"]) - 1, 0)
    say = {key: html.escape(text(f"page {key}", lang)) for key in (
        "title", "previous", "next", "previous label", "next label", "frame", "zoom in", "zoom out",
        "fit", "fit label", "diagram", "hint")}
    through = html.escape(text("page through", lang, name=title)) if title else ""
    counter = html.escape(text("page counter", lang, i=1, n=len(data["frames"])))
    return f"""<!DOCTYPE html>
<html lang="{'zh-Hans' if lang == 'zh' else 'en'}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp(*([addon.script] if addon and addon.script else []))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gategraph: {say['title']}{': ' + name if name else ''}</title>
<style>{_style()}{addon.style if addon else ""}</style>
</head>
<body>
<h1>{say['title']}{' <small>' + through + '</small>' if through else ''}</h1>
<div class="controls">
<button id="prev" type="button" aria-label="{say['previous label']}">&#9664; {say['previous']}</button>
<input id="slider" type="range" min="0" max="{last}" value="0" step="1" aria-label="{say['frame']}">
<button id="next" type="button" aria-label="{say['next label']}">{say['next']} &#9654;</button>
<span id="counter" aria-live="polite">{counter}</span>
</div>
<div class="stage" role="img" aria-label="{say['diagram']}">
{svg}
<div class="zoom">
<button id="zoom-out" type="button" aria-label="{say['zoom out']}" title="{say['zoom out']}">&minus;</button>
<button id="zoom-in" type="button" aria-label="{say['zoom in']}" title="{say['zoom in']}">+</button>
<button id="fit" type="button" aria-label="{say['fit label']}" title="{say['fit label']}">{say['fit']}</button>
</div>
</div>
<div class="panel">
<section id="caption" aria-live="polite"></section>
<p class="hint">{say['hint']}</p>
</div>
{addon.body if addon else ""}<script type="application/json" id="gg-data">{json_for_script(data)}</script>
<script>{_SCRIPT}</script>
{_addon_html(addon)}</body>
</html>
"""


def _addon_html(addon: Optional[Addon]) -> str:
    if addon is None:
        return ""
    data = "" if addon.data is None else (
        f'<script type="application/json" id="gg-{html.escape(addon.name)}">{json_for_script(addon.data)}</script>\n')
    return data + (f"<script>{addon.script}</script>\n" if addon.script else "")


def _steps_of(root_or_frames: Any, lang: Optional[str], max_nodes: Optional[int],
              who: str) -> tuple[Value, list[Step], str]:
    """The root, the backward steps and the language of what the caller passed."""
    if isinstance(root_or_frames, Value):
        lang = check_lang(who, "en" if lang is None else lang)
        check_size(root_or_frames, max_nodes, who)
        return root_or_frames, list(backward_steps(root_or_frames)), lang
    if isinstance(root_or_frames, (str, bytes)) or not hasattr(root_or_frames, "__iter__"):
        raise TypeError(
            f"{who} needs an autograd.Value or the list of frames from viz.backprop_frames, "
            f"got {type(root_or_frames).__name__}"
        )
    frames = list(root_or_frames)
    if not frames:
        raise ValueError(f"{who}: the list of frames is empty; pass a Value or viz.backprop_frames(root)")
    root = getattr(frames[0], "root", None)
    for i, frame in enumerate(frames):
        step = getattr(frame, "step", None)
        if not isinstance(getattr(frame, "root", None), Value) or (i and not isinstance(step, Step)):
            raise TypeError(
                f"{who}: frame {i} is a {type(frame).__name__}, not a frame of viz.backprop_frames "
                "(which carries its root and step); pass the root Value instead"
            )
        if frame.root is not root:
            raise ValueError(f"{who}: frame {i} is of another graph than frame 0; pass the frames of one root")
    lang = check_lang(who, getattr(frames[0], "lang", "en") if lang is None else lang)
    return root, [frame.step for frame in frames[1:]], lang


class Stepper:
    """The stepper page of one backward pass, for a notebook or a file (made by :func:`stepper`).

    In Jupyter it shows inline: ``_repr_html_`` is an ``<iframe sandbox="allow-scripts">``
    whose ``srcdoc`` is the whole page, so the page runs on its own (no kernel, no ipywidgets,
    its CSP intact) and a saved notebook still steps when reopened — where the notebook is
    trusted. JupyterLab and Notebook sanitize the HTML of an untrusted notebook (one you did
    not run yourself) and drop every ``<iframe>`` and ``<script>``: there the output shows a
    line saying to trust the notebook or re-run the cell. VS Code shows it as is.

    Attributes:
        html: the page, one self-contained HTML document.
        frames: how many frames it steps through (the forward pass, then one per gate).
    """

    def __init__(self, page: str, frames: int, lang: str = "en") -> None:
        self.html = page
        self.frames = frames
        self.lang = lang

    def save(self, path: PathT) -> PathT:
        """Write the page to ``path`` (``.html``/``.htm``), whole or not at all; returns ``path``."""
        _check_suffix(path, "Stepper.save")
        write_atomic(path, self.html)
        return path

    def _repr_html_(self) -> str:
        fallback = html.escape(text("page untrusted", self.lang))
        return (
            # in a double-quoted attribute only & and " need escaping (fewer bytes than html.escape)
            f'<iframe srcdoc="{self.html.replace("&", "&amp;").replace(chr(34), "&quot;")}" sandbox="allow-scripts" '
            f'style="width: 100%; height: {NOTEBOOK_HEIGHT}px; border: 0" '
            f'title="{html.escape(text("page title", self.lang))}">{fallback}</iframe>'
        )

    def __repr__(self) -> str:
        return f"<viz.Stepper: {self.frames} frames, {len(self.html.encode('utf-8')):,} bytes>"


def _check_suffix(path: Any, who: str) -> None:
    target = Path(path)
    if target.suffix.lower() not in SUFFIXES:
        raise ValueError(f"{who}: {str(path)!r} should end in one of {', '.join(SUFFIXES)}, got {target.suffix!r}")


def _page(root_or_frames: Any, lang: Optional[str], max_nodes: Optional[int], who: str,
          interactive: bool = False) -> Stepper:
    if not isinstance(interactive, bool):
        raise TypeError(f"{who}: interactive must be True or False, got {interactive!r}")
    root, steps, lang = _steps_of(root_or_frames, lang, max_nodes, who)
    addon = None
    if interactive:
        from .whatif import whatif_addon  # the what-if machinery lives in its own module

        svg, data, addon = whatif_addon(root, *page_data(root, steps, lang), who=who)
    else:
        svg, data = page_data(root, steps, lang)
    return Stepper(stepper_html(svg, data, root.label, addon), len(data["frames"]), lang)


def stepper(root_or_frames: Union[Value, Sequence[Any]], lang: Optional[str] = None, *,
            max_nodes: Optional[int] = DEFAULT_MAX_NODES, interactive: bool = False) -> Stepper:
    """The stepper page of ``root``'s backward pass, to show in a notebook (or save).

    The same page as :func:`save_html`; displayed as the last expression of a Jupyter cell
    it shows inline and steps without a kernel (see :class:`Stepper` for where it shows).

    Args:
        root_or_frames: the output Value (its backward pass runs here, like ``backward()``),
            or the frames of :func:`viz.backprop_frames`.
        lang: ``"en"`` or ``"zh"`` (None: English, or the frames' language).
        max_nodes: refuse a graph with more value nodes than this (None: no limit).
        interactive: add the what-if panel (see :func:`save_html`).

    Returns:
        A :class:`Stepper`.

    >>> page = stepper((Value(-2.0, "x") + Value(5.0, "y")) * Value(-4.0, "z"), lang="zh")
    >>> page.frames, "上一步" in page.html, page._repr_html_().startswith("<iframe srcdoc=")
    (3, True, True)
    """
    return _page(root_or_frames, lang, max_nodes, "stepper", interactive)


def save_html(root_or_frames: Union[Value, Sequence[Any]], path: PathT, lang: Optional[str] = None, *,
              max_nodes: Optional[int] = DEFAULT_MAX_NODES, interactive: bool = False) -> PathT:
    """Write the backward pass as ONE self-contained HTML page you can step through.

    The graph is laid out once (one Graphviz run) and drawn once; each frame — the forward
    values, then one per gate of :func:`autograd.backward_steps` — is data the page's script
    applies: the gradients filled in so far (``?`` before), the active gate and its edges in
    orange, the cells that just received a contribution shaded, and the step in words
    (upstream × local = contribution for each input, with the numbers, and the gate's rule).
    So the page grows with nodes + steps, not nodes × steps, and there is no limit on steps.

    The page opens fitted to the whole graph; the wheel, the +/− buttons and "fit" zoom,
    dragging pans, and each step pans to the active gate if it is out of view. ←/→ and
    Home/End step, as does the slider. It loads nothing — no CDN, fonts or links — so it works
    offline and can be mailed around; a Content-Security-Policy lets only its own script run.

    Args:
        root_or_frames: the output Value (its backward pass runs here, like ``backward()``:
            leaves add to the gradient they had), or the frames of
            :func:`viz.backprop_frames` (their steps are shown; nothing runs again).
        path: where to write; must end in ``.html`` or ``.htm``. Parent folders are created;
            the file is written whole or not at all.
        lang: ``"en"``, or ``"zh"`` for controls and captions in the course's Chinese terms
            (None: English, or the frames' language).
        max_nodes: refuse a graph with more value nodes than this (None: no limit; Graphviz
            takes a few seconds past a thousand nodes).
        interactive: add a what-if panel: every leaf gets a number box and a slider; editing
            one recomputes, in the page, every value and gradient (with JavaScript twins of the
            gate table's rows, :attr:`autograd.Gate.js`) and the frames to step through. A value
            outside a gate's domain shows the engine's error in words. See :mod:`viz.whatif`.

    Returns:
        ``path``, as given.

    Raises:
        ValueError: a wrong suffix, an empty list, an unknown ``lang``, or a graph over ``max_nodes``.
        TypeError: neither a Value nor frames of :func:`viz.backprop_frames`.

    >>> import tempfile
    >>> x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    >>> page = save_html((x + y) * z, Path(tempfile.mkdtemp()) / "steps.html")
    >>> page.read_text(encoding="utf-8").count("<svg")
    1
    """
    _check_suffix(path, "save_html")
    write_atomic(path, _page(root_or_frames, lang, max_nodes, "save_html", interactive).html)
    return path
