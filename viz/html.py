"""The HTML stepper: one self-contained page, the graph laid out once, each backward step applied as data."""

from __future__ import annotations

import base64
import html
import json
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Optional, Sequence, TypeVar, Union

from autograd import Step, Value, backward_steps, topological_order

from . import assets
from ._files import write_atomic
from .backend import RenderError, find_dot, render_svgs
from .collapse import COLLAPSE_LEVELS, build_collapsed, collapse_groups
from .dot import (
    ACTIVE_FILL, DEFAULT_MAX_NODES, FILL, GATE_FILL, GRAD, INK, ROLE_KEYS, TOUCHED_FILL, build_graph, check_size,
    escape, fmt, node_ids,
)
from .frames import PENDING, forward_caption, group_caption, step_caption, walk
from .i18n import FONT_STACK, check_lang, text
from .wires import STYLES, build_wires, plain_edge_titles

__all__ = ["Addon", "Stepper", "fill_cells", "iframe_html", "json_for_script", "loader_spec", "markdown_text", "page_data",
           "save_html", "stepper", "stepper_html", "stepper_loader", "value_groups"]

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


# A cell the page marked with a TITLE (see viz.dot.CellMark): Graphviz wraps it in <a xlink:title>.
_MARKED_CELL = re.compile(r'<g id="[^"]*">\s*<a\b[^>]*?\sxlink:title="(gg\d+)"[^>]*>(.*?)</a>\s*</g>', re.S)
_POLYGON = re.compile(r'<polygon\b[^>]*\spoints="([^"]*)"[^>]*/>')
_FIRST_TEXT = re.compile(r'<text\b([^>]*)>')
_TEXT_ATTRS = re.compile(r'\s(y|font-size|font-weight|fill)="([^"]*)"')
_ATTR_X = re.compile(r'\sx="([-0-9.]+)"')


class _Cells:
    """The gradient cells of a page's drawings: marks them for Graphviz, then fills them in for the script.

    Each cell a diagram builder marks (:data:`viz.dot.CellMark`) gets a TITLE ``gg<k>``; in the
    SVG the cell's text is then rewritten as one ``<text class="gv">`` whose gradients are
    ``<tspan data-n="i">?</tspan>`` (``i``: the node's index in the page's data), and a
    ``<polygon class="gbg" data-n="i …">`` goes under the cell for the "just touched" shading.
    Nothing depends on how Graphviz split or placed the text; only the cell's box and the first
    text's baseline, size and colour are read.
    """

    def __init__(self, index: dict[Value, int]) -> None:
        self.index = index
        self.cells: dict[str, tuple[list, str]] = {}

    def mark(self, parts: list, align: str) -> str:
        title = f"gg{len(self.cells)}"
        self.cells[title] = (parts, align)
        return title

    def _fill(self, match: re.Match[str]) -> str:
        parts, align = self.cells[match.group(1)]
        inner = match.group(2)
        polygons = list(_POLYGON.finditer(inner))
        texts = list(_FIRST_TEXT.finditer(inner))
        if not polygons or not texts:
            return match.group(0)
        x0, _, x1, _ = _cell_of(polygons[-1].group(1))
        attrs = "".join(f' {k}="{v}"' for k, v in _TEXT_ATTRS.findall(texts[0].group(1)))
        x = (x0 + x1) / 2 if align == "center" else float((_ATTR_X.search(texts[0].group(1)) or [0, x0])[1])
        anchor = "middle" if align == "center" else "start"
        content = "".join(
            escape(part, limit=200) if isinstance(part, str)
            else f'<tspan data-n="{self.index[part]}">{html.escape(PENDING)}</tspan>' for part in parts
        )
        ns = " ".join(str(self.index[part]) for part in parts if isinstance(part, Value))
        return (f'<polygon class="gbg" data-n="{ns}" fill="none" stroke="none" points="{polygons[-1].group(1)}"/>'
                + "".join(m.group(0) for m in polygons)
                + f'<text class="gv" text-anchor="{anchor}" x="{x:.2f}"{attrs}>{content}</text>')

    def fill(self, svg: str) -> str:
        """The SVG with its marked cells filled in."""
        return _MARKED_CELL.sub(self._fill, svg)


_GRAD_TSPAN = re.compile(r'(<tspan data-n="(\d+)">)[^<]*(</tspan>)')
_NODE_GROUP = re.compile(r'<g id="([^"]*)" class="node[^"]*">\s*<title>([^<]*)</title>.*?</g>', re.S)


def fill_cells(svg: str, texts: Sequence[str]) -> str:
    """The page's ``svg`` (from :func:`page_data`) with node ``i``'s gradient texts set to ``texts[i]``, for a static page.

    >>> fill_cells('<text class="gv">grad <tspan data-n="1">?</tspan></text>', ["0", "-4<"])
    '<text class="gv">grad <tspan data-n="1">-4&lt;</tspan></text>'
    """
    return _GRAD_TSPAN.sub(lambda m: m.group(1) + html.escape(texts[int(m.group(2))], quote=False) + m.group(3), svg)


def value_groups(svg: str, data: dict[str, Any]) -> dict[int, re.Match[str]]:
    """Each value node's group in the page's main drawing, by the node's index in ``data["nodes"]``.

    ``svg`` and ``data`` come from :func:`page_data`; a group is found by its ``<title>``, the
    node's ``"v"`` (a node inside a collapsed group is not drawn there). Each match's
    ``group(0)`` is the group's SVG (its position: ``start()``, ``end()``), ``group(1)`` its id.

    >>> x = Value(2.0, "x")
    >>> square = x * x
    >>> svg, data = page_data(square, list(backward_steps(square)))
    >>> sorted(value_groups(svg, data)), value_groups(svg, data)[0].group(1).startswith("node")
    ([0, 1], True)
    """
    index = {node["v"]: i for i, node in enumerate(data["nodes"]) if node["v"]}
    end = svg.find("<svg", 1)  # a collapsed page's groups' own drawings follow the main one
    end = len(svg) if end < 0 else end
    return {index[m.group(2)]: m for m in _NODE_GROUP.finditer(svg, 0, end) if m.group(2) in index}


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


_BODY_NOISE = re.compile(r'<!--.*?-->| font-family="[^"]*"| (?:xlink:)?href="[^"]*"', re.S)


def _clean(svg: str) -> str:
    """A Graphviz SVG made fit to inline in the page (see ``_SVG_NOISE``), sized by the page.

    The drawing's body is cleaned by the same rules with cheaper patterns (a large page spent
    half a second in the general one).
    """
    head, graph, body = svg.partition('<g id="graph0"')
    body = _BODY_NOISE.sub("", body.replace(' xml:space="preserve"', ""))
    return _SVG_SIZE.sub(r"\1", _SVG_NOISE.sub("", head).strip(), count=1) + "\n" + graph + body


def _widen(widest: dict[Value, str], node: Value, grad: float) -> str:
    """The text of ``grad``, remembered if it is the widest ``node``'s cell has had to show."""
    shown = fmt(grad)
    if text_width(shown) > text_width(widest.get(node, PENDING)):
        widest[node] = shown
    return shown


def _gate_frames(root: Value, steps: Sequence[Step], total: int, index: dict[Value, int],
                 lang: str) -> tuple[list[dict[str, Any]], dict[Value, str]]:
    """One frame per backward step (the forward frame first), and the widest text each cell shows."""
    widest: dict[Value, str] = {}
    frames: list[dict[str, Any]] = []
    for step, caption, so_far in walk(root, steps, total, lang):
        changed = ([step.node] if step.index == 0 else []) + list(step.parents) if step else []
        updates = {index[node]: _widen(widest, node, so_far[node]) for node in changed}
        frames.append({
            "a": index[step.node] if step else None,
            "s": [[i, shown] for i, shown in updates.items()],
            "t": sorted({index[p] for p in step.parents}) if step else [],
            "c": list(caption),
        })
    return frames, widest


def _units(steps: Sequence[Step], unit: dict[Value, str], who: str) -> list[list[tuple[int, Step]]]:
    """The backward steps gathered by collapsed group, in an order the gradients allow.

    A group's steps run as one frame, once every step that sends a gradient into the group has
    run (the engine interleaves the gates of neighbouring neurons, so its order is regrouped);
    a step outside any group is a unit of its own. Among the units that may run, the one the
    engine reached first goes first. Each step keeps its position in the engine's order.
    """
    units: dict[object, list[tuple[int, Step]]] = {}
    for k, step in enumerate(steps):
        units.setdefault(unit.get(step.node, k), []).append((k, step))
    key_of = {step.node: key for key, members in units.items() for _, step in members}
    after: dict[object, set[object]] = {key: set() for key in units}  # unit → units that must run first
    for key, members in units.items():
        for _, step in members:
            for parent in step.parents:
                other = key_of.get(parent)
                if other is not None and other != key:
                    after[other].add(key)
    ordered: list[list[tuple[int, Step]]] = []
    done: set[object] = set()
    waiting = list(units)  # in the order the engine reached them
    while waiting:
        ready = next((key for key in waiting if after[key] <= done), None)
        if ready is None:
            raise ValueError(
                f"{who}: cannot step {waiting[0]!r} as one unit: a gate outside it lies between two of its "
                "gates; pass collapse=None to step gate by gate"
            )
        ordered.append(units[ready])
        done.add(ready)
        waiting.remove(ready)
    return ordered


def _group_frames(root: Value, steps: Sequence[Step], index: dict[Value, int], level: str,
                  groups: dict[str, list[Value]], lang: str) -> tuple[list[dict[str, Any]], dict[Value, str]]:
    """One frame per collapsed group (all its gates at once) or per gate outside any group."""
    unit = {member: key for key, members in groups.items() for member in members}
    units = _units(steps, unit, "save_html")
    frames: list[dict[str, Any]] = [{"a": None, "s": [], "t": [], "c": list(forward_caption(root, lang))}]
    widest: dict[Value, str] = {}
    received: dict[Value, list[tuple[int, float]]] = {}  # each node's contributions: (engine position, amount)
    so_far: dict[Value, float] = {}
    for number, members in enumerate(units, 1):
        changed: dict[Value, None] = {}
        for k, step in members:
            if step.index == 0:  # the root's seed of 1
                so_far[step.node] = step.upstream
                changed[step.node] = None
            for parent, contribution in zip(step.parents, step.contributions):
                received.setdefault(parent, []).append((k, contribution))
                changed[parent] = None
        for node in changed:  # summed in the engine's order: the same floats as backward()
            if node in received:
                so_far[node] = sum(amount for _, amount in sorted(received[node], key=lambda ka: ka[0]))
        first = members[0][1]
        key = unit.get(first.node)
        if key is None:
            caption = step_caption(replace(first, index=number - 1), len(units), so_far, lang)
        else:
            caption = group_caption(key, level, [step for _, step in members], number, len(units), so_far,
                                    set(groups[key]), lang)
        frames.append({
            "a": None if key else index[first.node],
            **({"u": key} if key else {}),
            "s": [[index[node], _widen(widest, node, so_far[node])] for node in changed],
            "t": sorted({index[p] for _, step in members for p in step.parents}),
            "c": list(caption),
        })
    return frames, widest


def _expanded(root: Value, order: list[Value], members: list[Value], **options: Any) -> Any:
    """A group's own gate-by-gate diagram: its members, and the outside nodes they take in (as leaves)."""
    inside = set(members)
    outside = {p for m in members for p in m.parents if p not in inside}
    sub = [n for n in order if n in outside] + members
    names = {n: n.origin for n in outside if n.origin and not n.label}  # a neuron's output: "L1.N2"
    return build_graph(root, sub, show="both", rankdir="LR", group=False, leaves=outside, names=names, **options)


def page_data(root: Value, steps: Sequence[Step], lang: str = "en", *,
              collapse: Optional[str] = None, style: str = "boxes") -> tuple[str, dict[str, Any]]:
    """The page's one drawing and its frames as data, for the backward ``steps`` from ``root``.

    The graph is laid out once by Graphviz, each gradient cell as wide as the widest text it
    will show; the page's script fills the cells in. The data names every node by its id in
    the drawing and describes each frame by what changes:

    - ``nodes[i] = {"v": value id, "g": gate id or "", "p": [parent indices], "op", "data",
      "label"}`` in topological order: ``v`` and ``g`` are the drawing's ``<title>`` of the
      value node and of the gate that made it, ``data`` the forward value (a float); in a
      collapsed drawing a node inside a group has ``"v": ""`` and ``"u"``: its group's id;
    - ``frames[k] = {"a": active node index or None, "s": [[i, grad text], ...] (the cells that
      change), "t": [indices of the cells just touched], "c": [title, [lines], rule]}``, and
      ``"u"``: the group stepped as a whole in that frame (collapsed drawings);
    - ``text``: the page's own words in ``lang``, ``pending`` (what a cell shows before its
      gradient is computed), ``root`` (the output's index); ``groups``: the collapsed groups'
      ids, in order (collapsed drawings only).

    In the SVG each gradient is a ``<tspan data-n="i">`` (``i``: the node's index), so a node's
    gradient may show in several places (a collapsed node and its expansion).

    With ``collapse="neuron"`` (or ``"layer"``) the drawing is the collapsed one of
    :func:`viz.draw_graph`, and the frames step one group at a time (all of a neuron's gates in
    one frame, in an order the gradients allow; the gates outside any group one by one). After
    the main drawing come the groups' own gate-by-gate drawings,
    ``<svg class="gg-gates" data-group="L1.N0">``, which the page shows when a group is clicked.
    With ``style="wires"`` (not with ``collapse``) the drawing is :func:`viz.wires.build_wires`'s,
    each gradient written under its wire.

    Returns:
        ``(svg, data)``: the drawing(s), ready to inline in HTML, and the JSON-able data.

    Raises:
        RuntimeError: the drawing lacks a gradient cell (a Graphviz whose SVG this page does
            not understand).
        ValueError: a group cannot be stepped as one (a gate outside it lies between two of its gates).

    >>> x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    >>> f = (x + y) * z
    >>> svg, data = page_data(f, list(backward_steps(f)))
    >>> len(data["frames"]), data["frames"][1]["s"], svg.count('class="gv"')
    (3, [[4, '1'], [2, '-4'], [3, '3']], 5)
    """
    order = topological_order(root)
    index = {node: i for i, node in enumerate(order)}
    cells = _Cells(index)
    options: dict[str, Any] = {"lang": lang, "mark": cells.mark}
    groups: dict[str, list[Value]] = {}
    if collapse is None:
        frames, widest = _gate_frames(root, steps, sum(1 for node in order if node.op), index, lang)
        value_ids, gate_ids = node_ids(order)
        build = build_graph if style == "boxes" else build_wires
        if style == "wires":
            del options["lang"]  # a wire says nothing but numbers and names
        drawings = [build(root, order, show="both", rankdir="LR", group=True, **options,
                          grad_text=lambda node: widest.get(node, PENDING))]
    else:
        groups = collapse_groups(order, collapse)
        frames, widest = _group_frames(root, steps, index, collapse, groups, lang)
        grouped = {member for members in groups.values() for member in members}
        value_ids, gate_ids = node_ids([node for node in order if node not in grouped])
        options["grad_text"] = lambda node: widest.get(node, PENDING)
        drawings = [build_collapsed(root, order, level=collapse, show="both", rankdir="LR", **options)]
        drawings += [_expanded(root, order, members, **options) for members in groups.values()]
    svgs = []
    for k, drawn in enumerate(render_svgs(drawings)):
        svg = cells.fill(_clean(drawn if style == "boxes" else plain_edge_titles(drawn)))
        if k:  # a group's own drawing: ids of its own, shown on demand
            svg = _SVG_ID.sub(f' id="x{k}-', svg).replace(
                "<svg", f'<svg class="gg-gates" data-group="{html.escape(list(groups)[k - 1])}"', 1)
        svgs.append(svg)
    svg = "\n".join(svgs)
    filled = svg.count('<text class="gv"')
    if filled != len(cells.cells):  # a cell the script cannot fill would show the widest text for ever
        raise RuntimeError(
            f"page_data: found {filled} of the {len(cells.cells)} gradient cells in the drawing Graphviz "
            f"({find_dot()}) made; the page would show wrong gradients, so none is written"
        )
    unit = {member: key for key, members in groups.items() for member in members}
    data = {
        "lang": lang,
        "root": index[root],
        "pending": PENDING,
        "nodes": [{"v": value_ids.get(n, ""), "g": gate_ids.get(n, ""), "p": [index[p] for p in n.parents],
                   "op": n.op, "data": n.data, "label": n.label, **({"u": unit[n]} if n in unit else {})}
                  for n in order],
        "frames": frames,
        "text": {"counter": text("page counter", lang, i="{i}", n="{n}"), "data": text("data", lang),
                 "gates of": text("page gates of", lang, name="{name}"), "prefix": step_prefix(lang),
                 "show all": text("page show all", lang, n="{n}"), "show fewer": text("page show fewer", lang),
                 "minimap": text("page minimap", lang)},
        **({"groups": list(groups)} if collapse else {}),
    }
    return svg, data


def step_prefix(lang: str = "en") -> str:
    """The start every step caption's title shares ("Step {index} of {total}: "), "" if none.

    The page's counter says which step it is, so the page shows a title without it.

    >>> step_prefix(), step_prefix("zh")
    ('Step {index} of {total}: ', '第 {index} 步（共 {total} 步）：')
    """
    prefix = os.path.commonprefix([text(key, lang) for key in ("caption step", "caption neuron", "caption layer")])
    return prefix if "{index}" in prefix and "{total}" in prefix else ""


def _style() -> str:
    """The stepper page's CSS (``static/stepper.css``) in the diagrams' colours and fonts."""
    return assets.style("stepper.css", FONTS=FONT_STACK, ACTIVE=ACTIVE_FILL, GRAD=GRAD, TOUCHED=TOUCHED_FILL)


def page_head(lang: str, title: str, policy: str, style: str) -> str:
    """The start of every page gategraph writes, up to ``<body>``: doctype, language, charset, the
    Content-Security-Policy ``policy``, viewport, ``title`` (escaped already) and inline ``style``."""
    return f"""<!DOCTYPE html>
<html lang="{'zh-Hans' if lang == 'zh' else 'en'}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{policy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{style}</style>
</head>
"""


def page_scripts() -> tuple[str, str]:
    """The stepper page's own scripts, in order: the shared module (``static/gg.js``), then ``static/stepper.js``."""
    return assets.code(assets.SHARED), assets.code("stepper.js")


def csp(*extra_scripts: str) -> str:
    """The stepper page's Content-Security-Policy: nothing may load; only the page's own scripts
    (:func:`page_scripts`) and ``extra_scripts`` (the add-ons'), by their hashes, run."""
    return assets.csp(*page_scripts(), *extra_scripts)


@dataclass(frozen=True)
class Addon:
    """What a feature adds to the stepper page (the what-if panel, a worksheet): CSS, HTML, JSON data, a script.

    ``style`` joins the page's CSS; ``body`` (HTML, escaped by the caller) goes after the part
    that fills the viewport (heading, controls, stage, caption panel); ``data``, unless None, goes in ``<script type="application/json" id="gg-{name}">``
    (escaped by :func:`json_for_script`); ``script`` runs after the page's own and the shared
    module (``static/gg.js``: ``gategraph.fmt``, ``fill``, ``el``, ``readData``, ``on``/``emit``),
    and takes the stepper's part with ``gategraph.use("stepper")`` (``data``; ``nodes[i]``: node
    ``i``'s ``group``, ``gate`` and ``edges`` in the drawing; ``cells[i]``: its gradient texts;
    ``stage``; ``show(i)``, ``current()``, ``setFrames(frames)``, ``relayout()``) and hears the
    page's events with ``gategraph.on`` (``"frame"``: frame ``i`` is shown; ``"whatif:edit"``,
    ``"whatif:reset"``: the what-if panel's inputs changed or were reset); the
    Content-Security-Policy pins it by its hash too.
    """

    name: str
    style: str = ""
    data: Any = None
    script: str = ""
    body: str = ""


def _addons(addon: Union[None, Addon, Sequence[Addon]]) -> list[Addon]:
    """The page's add-ons as a list: none, one, or several (each with its own CSS, HTML, data and script)."""
    if addon is None:
        return []
    if isinstance(addon, Addon):
        return [addon]
    addons = list(addon)
    for k, one in enumerate(addons):
        if not isinstance(one, Addon):
            raise TypeError(f"stepper_html: addon must be an Addon or a sequence of them, got {type(one).__name__} at {k}")
    if len({one.name for one in addons}) != len(addons):
        raise ValueError(f"stepper_html: two add-ons share a name: {[one.name for one in addons]}")
    return addons


def stepper_html(svg: str, data: dict[str, Any], title: str = "",
                 addon: Union[None, Addon, Sequence[Addon]] = None) -> str:
    """The stepper page: one inline drawing (from :func:`page_data`), its frames as JSON, one script.

    The page needs nothing from outside: inline SVG, inline CSS, the frames in a
    ``<script type="application/json">`` block (escaped by :func:`json_for_script`, so no label
    can end it) and one inline script, which a Content-Security-Policy pins by its hash (so no
    other script could run, and nothing can be fetched). Every piece of text is escaped.

    An :class:`Addon` (or a sequence of them, in order) adds a feature's CSS, HTML, data and
    script (pinned by its hash too).

    >>> x = Value(2.0, "x")
    >>> square = x * x
    >>> svg, data = page_data(square, list(backward_steps(square)))
    >>> page = stepper_html(svg, data, "</title>")
    >>> page.count("<script"), "&lt;/title&gt;" in page, "http:" in page or "https:" in page
    (3, True, False)
    """
    addons = _addons(addon)
    lang = data.get("lang", "en")
    name = html.escape(title)
    last = max(len(data["frames"]) - 1, 0)
    say = {key: html.escape(text(f"page {key}", lang)) for key in (
        "title", "previous", "next", "previous label", "next label", "frame", "zoom in", "zoom out",
        "fit", "fit label", "diagram", "hint", "expand hint", "back", "back label")}
    expandable = bool(data.get("groups"))
    bar = (f'<div class="expanded-bar" id="expanded" hidden><span id="expanded-title"></span>'
           f'<button id="back" type="button" aria-label="{say["back label"]}">&#8592; {say["back"]}</button></div>\n'
           if expandable else "")
    hint = say["hint"] + (" " + say["expand hint"] if expandable else "")
    through = html.escape(text("page through", lang, name=title)) if title else ""
    counter = html.escape(text("page counter", lang, i=0, n=last))
    head = page_head(lang, f"gategraph: {say['title']}{': ' + name if name else ''}",
                     csp(*[one.script for one in addons if one.script]),
                     _style() + "".join(one.style for one in addons))
    shared, own = page_scripts()
    return head + f"""<body>
<div class="viewer">
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
{bar}</div>
<div class="panel">
<section id="caption" aria-live="polite"></section>
<p class="hint">{hint} {key_html(lang)}</p>
</div>
</div>
{"".join(one.body for one in addons)}<script type="application/json" id="gg-data">{json_for_script(data)}</script>
<script>{shared}</script>
<script>{own}</script>
{"".join(map(_addon_html, addons))}</body>
</html>
"""


def key_html(lang: str) -> str:
    """The page's colour key, after the hint under the caption: the diagram's key (:func:`viz.dot.key_rows`)
    in HTML — a swatch per role in its fill, a gate, this step's gate, a gradient just received, and
    what the data and grad rows say, each in its own colour; the same palette and words.

    >>> page_key = key_html("en")
    >>> "parameter" in page_key and FILL["parameter"] in page_key and GRAD in page_key
    True
    """
    def swatch(fill: str, words: str, ink: str = INK, gate: bool = False) -> str:
        return (f'<span class="swatch{" gate" if gate else ""}" style="background:{fill};color:{ink}">'
                f'{html.escape(text(words, lang))}</span>')

    swatches = [swatch(FILL[key], f"key {key}") for key in ROLE_KEYS]
    swatches += [swatch(GATE_FILL, "key gate", gate=True), swatch(ACTIVE_FILL, "key active", gate=True),
                 swatch(TOUCHED_FILL, "key touched", GRAD)]
    rows = (f'<span style="color:{INK}">{html.escape(text("page key data", lang))}</span> '
            f'<span style="color:{GRAD}">{html.escape(text("page key grad", lang))}</span>')
    return f'<span class="key" aria-label="{html.escape(text("page key", lang))}">{" ".join(swatches)} {rows}</span>'


def _addon_html(addon: Addon) -> str:
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


#: The live part of a stepper in a notebook is an ``application/javascript`` output: this prefix,
#: then ``{"page": …, "title": …, "height": …}`` as JSON (see :func:`stepper_loader`), then
#: :data:`LOADER_SUFFIX`. It puts the page in an ``<iframe sandbox="allow-scripts">`` whose
#: ``srcdoc`` is set as a DOM property (no HTML escaping, nothing for a Markdown pass to rewrite),
#: in the output's element (JupyterLab and Notebook 7 give ``element``, nbconvert's templates a
#: DOM node or a jQuery object, others the running script's parent), and hides the two outputs
#: before it, the animation (``image/png``) and the line (``text/markdown``), where it finds them
#: as JupyterLab lays out outputs; elsewhere it leaves them, and it never throws.
LOADER_PREFIX = "(function () {\nvar spec = "
LOADER_SUFFIX = r""";
function host() {
  var e = typeof element !== "undefined" ? element : null;
  if (e && e.jquery) { e = e[0]; }
  if (e && e.appendChild) { return e; }
  var script = document.currentScript;
  return script ? script.parentNode : null;
}
function output(child, type, kind) {  // JupyterLab marks an output by its type; nbconvert's images only by class
  return child && child.querySelector && child.querySelector('.jp-OutputArea-output[data-mime-type="' + type +
    '"], .jp-OutputArea-output.' + kind) ? child : null;
}
function hideBefore(node, tries) {
  var child = node.closest ? node.closest(".jp-OutputArea-child") : null;
  if (!child) {  // not in its output area yet (a cell off screen may be attached later): look again
    if (tries < 80) { setTimeout(function () { hideBefore(node, tries + 1); }, tries < 20 ? 50 : 1000); }
    return;
  }
  var before = child.previousElementSibling, still = output(before, "image/png", "jp-RenderedImage");
  if (still) { still.style.display = "none"; before = still.previousElementSibling; }
  var line = output(before, "text/markdown", "jp-RenderedMarkdown");
  if (line) { line.style.display = "none"; }
}
try {
  var node = host();
  if (node) {
    var frame = document.createElement("iframe");
    frame.setAttribute("sandbox", "allow-scripts");
    frame.setAttribute("title", spec.title);
    frame.style.cssText = "width:100%;height:" + spec.height + "px;border:0;display:block";
    frame.srcdoc = spec.page;
    node.appendChild(frame);
    hideBefore(node, 0);
    // The page says how tall it is and how tall its viewport (stepper.js): what lies below the
    // fold is added to the frame, and a page shorter than the frame gives the rest back. The page
    // fills its viewport, so a new height settles at once; a few changes at most, then it stops.
    var changes = 0;
    window.addEventListener("message", function (event) {
      var size = event.data;
      if (event.source !== frame.contentWindow || !size || size.gategraph !== "size" || changes > 8) { return; }
      var below = Math.max(0, Number(size.height) - Number(size.viewport)) || 0;
      var want = below > 0 ? spec.height + Math.min(below, 1600) : Math.max(240, Math.min(spec.height, Number(size.height) || spec.height));
      if (Math.abs(want - frame.offsetHeight) > 2) { changes += 1; frame.style.height = want + "px"; }
    });
  }
} catch (error) {
  if (window.console) { console.warn("gategraph stepper:", error); }
}
})();
"""


def stepper_loader(page: str, title: str, height: int = NOTEBOOK_HEIGHT) -> str:
    """The JavaScript that shows ``page`` in an iframe ``height`` pixels tall (:data:`LOADER_PREFIX`).

    The JSON in it is written so that no text can end an HTML ``<script>`` it is put in:
    ``</`` as ``<\\/``, ``<!`` as ``<\\u0021``, U+2028/U+2029 escaped. :func:`loader_spec` reads it back.

    >>> js = stepper_loader("<p>US$ 1</p><script>x()</script>", "a page")
    >>> "</script>" in js, loader_spec(js)["page"]
    (False, '<p>US$ 1</p><script>x()</script>')
    """
    spec = json.dumps({"page": page, "title": title, "height": int(height)}, ensure_ascii=False)
    for raw, escaped in (("</", "<\\/"), ("<!", "<\\u0021"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        spec = spec.replace(raw, escaped)
    return LOADER_PREFIX + spec + LOADER_SUFFIX


def loader_spec(js: str) -> dict[str, Any]:
    """The page, title and height that :func:`stepper_loader` wrote into ``js``.

    Raises:
        ValueError: ``js`` is not a stepper's loader.

    >>> loader_spec(stepper_loader("<p>hi</p>", "t", 300))
    {'page': '<p>hi</p>', 'title': 't', 'height': 300}
    """
    if not (isinstance(js, str) and js.startswith(LOADER_PREFIX)):
        raise ValueError(f"loader_spec: not a stepper's loader (it starts {str(js)[:40]!r})")
    # the JSON ends where its value ends: a loader saved with an older script after it still reads
    try:
        spec, _ = json.JSONDecoder().raw_decode(js, len(LOADER_PREFIX))
    except ValueError as error:
        raise ValueError(f"loader_spec: the stepper's loader holds no readable page ({error})") from None
    if not (isinstance(spec, dict) and isinstance(spec.get("page"), str)):
        raise ValueError("loader_spec: the stepper's loader holds no page")
    return spec


def iframe_html(page: str, title: str, height: int = NOTEBOOK_HEIGHT) -> str:
    """``page`` in an ``<iframe sandbox="allow-scripts">``, ``height`` CSS pixels tall, as one line of HTML.

    The page is the ``srcdoc``: in a double-quoted attribute only ``&`` and ``"`` need
    escaping, and each line break is written ``&#10;`` (``&#13;``), so the markup holds no blank line.

    >>> frame = iframe_html("<p>a\\n&amp; b</p>", "t")
    >>> frame.startswith("<iframe srcdoc="), chr(10) in frame, html.unescape(frame.split('"')[1])
    (True, False, '<p>a\\n&amp; b</p>')
    """
    srcdoc = page.replace("&", "&amp;").replace('"', "&quot;").replace("\r", "&#13;").replace("\n", "&#10;")
    return (f'<iframe srcdoc="{srcdoc}" sandbox="allow-scripts" style="width:100%;height:{int(height)}px;border:0" '
            f'title="{html.escape(title)}"></iframe>')


# Markdown's specials, backslash-escaped in the line a notebook shows as text/markdown (so it is
# plain text to every renderer: no emphasis, link, HTML or math).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~$&])")


def markdown_text(line: str) -> str:
    r"""``line`` as Markdown that renders as exactly that text (specials backslash-escaped).

    >>> markdown_text("a_b *c* [d] US$ 1 <e>")
    'a\\_b \\*c\\* \\[d\\] US\\$ 1 \\<e\\>'
    """
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", line)
    return re.sub(r"^(\d+)([.)])|^([-+])", lambda m: (m.group(1) or "") + "\\" + (m.group(2) or m.group(3)), escaped)


class Stepper:
    """The stepper page of one backward pass, for a notebook or a file (made by :func:`stepper`).

    In Jupyter it shows as three outputs (:meth:`outputs`, displayed by ``_ipython_display_``):

    A. the line saying how to get the live page, as Markdown that is a list of one item of
       plain text (metadata ``{"gategraph": "stepper-hint"}``);
    B. the backward pass as an animated PNG (:meth:`animation`; ``{"gategraph": "stepper-still"}``);
    C. the live page, as ``application/javascript`` alone (:func:`stepper_loader`;
       ``{"gategraph": "stepper-live"}``): in an ``<iframe sandbox="allow-scripts">`` it runs
       on its own — no kernel, no ipywidgets, its CSP intact — and it hides A and B.

    A notebook the reader ran or trusted runs C: the live page. An untrusted one (JupyterLab and
    Notebook 7 run no script of a notebook the reader did not run) has no renderer it may use for
    C and shows A and B: the animation plays, the line says how to get the page.
    ``nbconvert --HTMLExporter.sanitize_html=True`` drops C and keeps A's text and B's PNG; so does
    a static renderer. The animation is made only when a notebook shows the stepper, not for
    :meth:`save` or :func:`save_html`.

    Attributes:
        html: the page, one self-contained HTML document.
        frames: how many frames it steps through (the forward pass, then one per gate).
        lang: the language of the page's words.
    """

    def __init__(self, page: str, frames: int, lang: str = "en", *,
                 drawing: Optional[tuple[str, dict[str, Any]]] = None, name: str = "",
                 last: Optional[int] = None) -> None:
        self.html = page
        self.frames = frames
        self.lang = lang
        self._drawing = drawing  # the page's svg and data (page_data), for the animation
        self._name = name
        self._last = last  # the animation stops at this frame (None: the last one)
        self._animation: Optional[bytes] = None

    def save(self, path: PathT) -> PathT:
        """Write the page to ``path`` (``.html``/``.htm``), whole or not at all; returns ``path``."""
        _check_suffix(path, "Stepper.save")
        write_atomic(path, self.html)
        return path

    def iframe_html(self, height: int = NOTEBOOK_HEIGHT) -> str:
        """The page in an ``<iframe sandbox="allow-scripts">``, ``height`` CSS pixels tall (:func:`iframe_html`).

        >>> page = stepper(Value(2.0, "x") * Value(3.0, "y"))
        >>> frame = page.iframe_html()
        >>> frame.startswith("<iframe srcdoc="), chr(10) in frame, html.unescape(frame.split('"')[1]) == page.html
        (True, False, True)
        """
        return iframe_html(self.html, text("page title", self.lang), height)

    def animation(self) -> Optional[bytes]:
        """The backward pass as an animated PNG (:func:`viz.animation.animate`), made once; None if
        this stepper carries no drawing to animate."""
        if self._animation is None and self._drawing is not None:
            from .animation import animate  # Pillow and the rasteriser: only when a notebook asks

            self._animation = animate(*self._drawing, last=self._last)
        return self._animation

    def outputs(self) -> list[tuple[dict[str, str], dict[str, str]]]:
        """The notebook outputs of this stepper, in order, as (data, metadata): the line (A), the
        animation (B; left out if it cannot be drawn: no Pillow, resvg or CJK font) and the live
        page (C). See the class's docstring.

        >>> [meta["gategraph"] for _, meta in stepper(Value(2.0, "x") * Value(3.0, "y")).outputs()]
        ['stepper-hint', 'stepper-still', 'stepper-live']
        """
        line = text("page untrusted", self.lang)
        # a list of one item: Markdown renders a paragraph as <p>, which nbconvert's sanitizer shows
        # as text ("&lt;p&gt;"), and <ul><li> as they are
        shown = [({"text/markdown": "* " + markdown_text(line), "text/plain": line}, {"gategraph": "stepper-hint"})]
        try:
            png = self.animation()
        except RenderError:  # the line and the live page only
            png = None
        if png is not None:
            alt = text("anim alt", self.lang, name=self._name or "out")
            shown.append(({"image/png": base64.b64encode(png).decode("ascii"), "text/plain": alt},
                          {"gategraph": "stepper-still"}))
        # no text/plain: an untrusted JupyterLab would show it where it may not run the script
        shown.append(({"application/javascript": stepper_loader(self.html, text("page title", self.lang))},
                      {"gategraph": "stepper-live"}))
        return shown

    def _ipython_display_(self) -> None:
        from IPython.display import display

        for data, metadata in self.outputs():
            display(data, raw=True, metadata=metadata)

    def __repr__(self) -> str:
        return f"<viz.Stepper: {self.frames} frames, {len(self.html.encode('utf-8')):,} bytes>"


def _check_suffix(path: Any, who: str) -> None:
    target = Path(path)
    if target.suffix.lower() not in SUFFIXES:
        raise ValueError(f"{who}: {str(path)!r} should end in one of {', '.join(SUFFIXES)}, got {target.suffix!r}")


def _page(root_or_frames: Any, lang: Optional[str], max_nodes: Optional[int], who: str,
          interactive: bool = False, collapse: Optional[str] = None, check: bool = True,
          style: str = "boxes", title: Optional[str] = None) -> Stepper:
    for name, flag in (("interactive", interactive), ("check", check)):
        if not isinstance(flag, bool):
            raise TypeError(f"{who}: {name} must be True or False, got {flag!r}")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"{who}: title must be a string (the whole expression, say), got {type(title).__name__}")
    if style not in STYLES:
        raise ValueError(f"{who}: style must be one of {', '.join(map(repr, STYLES))}; got {style!r}")
    if style == "wires" and (interactive or collapse is not None):
        raise ValueError(f"{who}: style='wires' steps gate by gate without the what-if panel; "
                         f"pass collapse=None and interactive=False, or style='boxes'")
    if collapse not in (None, *COLLAPSE_LEVELS):
        raise ValueError(f"{who}: collapse must be one of None, {', '.join(map(repr, COLLAPSE_LEVELS))}; got {collapse!r}")
    if interactive and collapse is not None:
        raise ValueError(f"{who}: interactive=True recomputes every gate's cell, so it needs collapse=None; "
                         f"got collapse={collapse!r}")
    root, steps, lang = _steps_of(root_or_frames, lang, None if collapse else max_nodes, who)
    if collapse and max_nodes is not None:  # as draw_graph: the collapsed drawing's nodes count
        order = topological_order(root)
        groups = collapse_groups(order, collapse)
        check_size(root, max_nodes, who, drawn=len(groups) + len(order) - sum(map(len, groups.values())))
    addons = []
    if interactive:
        from .whatif import whatif_addon  # the what-if machinery lives in its own module

        svg, data, whatif = whatif_addon(root, *page_data(root, steps, lang), who=who)
        addons.append(whatif)  # its animation: the pass of the inputs the page was written with
    else:
        svg, data = page_data(root, steps, lang, collapse=collapse, style=style)
    if check:  # the leaves' gradients of the backward pass above (whatever they held before it)
        from .checkpanel import check_addon

        addons.append(check_addon(root, lang, steps))
    # the page's title names the whole graph once (an expression's interior nodes have short names)
    heading = root.label if title is None else title
    return Stepper(stepper_html(svg, data, heading, addons), len(data["frames"]), lang, drawing=(svg, data),
                   name=heading)


def stepper(root_or_frames: Union[Value, Sequence[Any]], lang: Optional[str] = None, *,
            max_nodes: Optional[int] = DEFAULT_MAX_NODES, interactive: bool = False,
            collapse: Optional[str] = None, check: bool = True, style: str = "boxes",
            title: Optional[str] = None) -> Stepper:
    """The stepper page of ``root``'s backward pass, to show in a notebook (or save).

    The same page as :func:`save_html`; displayed as the last expression of a Jupyter cell
    it shows inline and steps without a kernel (see :class:`Stepper` for where it shows).

    Args:
        root_or_frames: the output Value (its backward pass runs here, like ``backward()``),
            or the frames of :func:`viz.backprop_frames`.
        lang: ``"en"`` or ``"zh"`` (None: English, or the frames' language).
        max_nodes: refuse a graph with more value nodes than this (None: no limit); with
            ``collapse``, the collapsed drawing's nodes are counted.
        interactive: add the what-if panel (see :func:`save_html`).
        collapse: ``None`` (gate by gate), ``"neuron"`` or ``"layer"``: see :func:`save_html`.
        check: add the "gradient check" toggle (see :func:`save_html`).
        style: ``"boxes"`` or ``"wires"``: see :func:`save_html`.
        title: what the page's title names (None: the root's label): see :func:`save_html`.

    Returns:
        A :class:`Stepper`.

    >>> page = stepper((Value(-2.0, "x") + Value(5.0, "y")) * Value(-4.0, "z"), lang="zh")
    >>> page.frames, "上一步" in page.html, page.iframe_html().startswith("<iframe srcdoc=")
    (3, True, True)
    """
    return _page(root_or_frames, lang, max_nodes, "stepper", interactive, collapse, check, style, title)


def save_html(root_or_frames: Union[Value, Sequence[Any]], path: PathT, lang: Optional[str] = None, *,
              max_nodes: Optional[int] = DEFAULT_MAX_NODES, interactive: bool = False,
              collapse: Optional[str] = None, check: bool = True, style: str = "boxes",
              title: Optional[str] = None) -> PathT:
    """Write the backward pass as ONE self-contained HTML page you can step through.

    The graph is laid out once (one Graphviz run) and drawn once; each frame — the forward
    values, then one per gate of :func:`autograd.backward_steps` — is data the page's script
    applies: the gradients filled in so far (``?`` before), the active gate and its edges in
    orange, the cells that just received a contribution shaded, and the step in words
    (upstream × local = contribution for each input, with the numbers, and the gate's rule).
    So the page grows with nodes + steps, not nodes × steps, and there is no limit on steps.

    The page opens readable: the diagram's text drawn about 11.5 px tall on screen, at the
    output (a graph that fits whole at that size is shown whole), and each step brings its
    active gate and inputs into view at that size; a minimap in the stage's corner shows the
    whole drawing, the part in view and the active gate (press or drag on it to move there).
    The wheel, the +/− buttons and "fit" (the whole graph) zoom, dragging pans; once the reader
    zooms, steps only pan. ←/→ and Home/End step, as does the slider; keys typed into a field
    stay in it. The counter says "step k of n", the forward pass being step 0; a list of facts
    taller than six lines folds to the largest contributions, with "show all". It loads
    nothing — no CDN, fonts or links — so it works offline and can be mailed around; a
    Content-Security-Policy lets only its own script run.

    Args:
        root_or_frames: the output Value (its backward pass runs here, like ``backward()``:
            leaves add to the gradient they had), or the frames of
            :func:`viz.backprop_frames` (their steps are shown; nothing runs again).
        path: where to write; must end in ``.html`` or ``.htm``. Parent folders are created;
            the file is written whole or not at all.
        lang: ``"en"``, or ``"zh"`` for controls and captions in the course's Chinese terms
            (None: English, or the frames' language).
        max_nodes: refuse a graph with more value nodes than this (None: no limit; Graphviz
            takes a few seconds past a thousand nodes). With ``collapse``, the nodes of the
            collapsed drawing are counted (a group is one).
        interactive: add a what-if panel: every leaf gets a number box and a slider; editing
            one recomputes, in the page, every value and gradient (with JavaScript twins of the
            gate table's rows, :attr:`autograd.Gate.js`) and the frames to step through. A value
            outside a gate's domain shows the engine's error in words. See :mod:`viz.whatif`.
            Needs ``collapse=None``.
        collapse: ``None`` (every gate, one step each), ``"neuron"`` or ``"layer"``: the
            collapsed drawing of :func:`viz.draw_graph`, stepped one group at a time — each
            frame runs all of a neuron's gates (its output's upstream gradient, through the
            activation's local derivative to the pre-activation, then to each input and
            weight, said in words with the numbers); gates outside any group (the inputs'
            consumers, a loss) still step one by one. Clicking a group shows its own
            gate-by-gate drawing with its gradients at the current frame; "back" or Esc returns.
        check: add a "gradient check" toggle (the default): pressing it shows a table of every
            leaf's analytic gradient (this backward pass), numeric gradient (centered
            difference, :func:`autograd.check_leaves`, run when the page is written) and their
            relative error, with a legend, and outlines each leaf: red where they disagree,
            violet at a kink (not judged), green where they agree; pressing again hides it. On
            a what-if page an edited input disables it (the check is of the written inputs)
            until the inputs are reset. See :mod:`viz.checkpanel`.
        style: ``"boxes"`` (each value a box of its data and grad) or ``"wires"`` (the course's
            circuit figures: each value written above its wire, its gradient below, filled in
            step by step; see :func:`viz.draw_graph`). Wires need ``collapse=None`` and
            ``interactive=False``.
        title: what the page's heading and ``<title>`` name, once (None: the root's label): the
            whole expression, say, while its interior nodes carry short names (``gategraph steps``
            passes the expression it drew).

    Returns:
        ``path``, as given.

    Raises:
        ValueError: a wrong suffix, an empty list, an unknown ``lang`` or ``style``, a graph over
            ``max_nodes``, or ``style="wires"`` with ``collapse`` or ``interactive``.
        TypeError: neither a Value nor frames of :func:`viz.backprop_frames`.

    >>> import tempfile
    >>> x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    >>> page = save_html((x + y) * z, Path(tempfile.mkdtemp()) / "steps.html")
    >>> page.read_text(encoding="utf-8").count("<svg")
    1
    """
    _check_suffix(path, "save_html")
    write_atomic(path, _page(root_or_frames, lang, max_nodes, "save_html", interactive, collapse, check, style,
                             title).html)
    return path
