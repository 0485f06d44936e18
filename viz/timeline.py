"""The training timeline: one self-contained page to scrub through a recorded fit's epochs with a slider."""

from __future__ import annotations

import html
import math
import os
import re
from typing import Any, Optional, Sequence, TypeVar

import numpy as np

from autograd import Value, topological_order, trace
from autograd.errors import check_text

from . import assets
from ._files import write_atomic
from .backend import render_svg
from .collapse import _group_label, _outputs, _pre_activation, build_collapsed, collapse_groups
from .dot import FILL, _value_label, fmt, node_ids, role
from .html import _SVG_NOISE, _SVG_SIZE, _check_suffix, json_for_script, page_head, text_width
from .i18n import FONT_STACK, check_lang, text

__all__ = ["GRID", "save_training", "training_data", "training_html"]

PathT = TypeVar("PathT", str, os.PathLike)

#: Grid points per axis at which a 2-D classifier's decision boundary is drawn, per epoch.
GRID = 40

#: Class colours of the boundary and the points (the same order as viz.plots' CLASS_COLORS).
COLOURS = ("#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#ca8a04", "#db2777",
           "#4b5563", "#65a30d")

_NODE = re.compile(r'<g id="[^"]*" class="node[^"]*">\s*<title>([^<]*)</title>(.*?)</g>', re.S)
_SVG_TEXT = re.compile(r"(<text\b[^>]*>)([^<]*)(</text>)")
_DOT_NODE = re.compile(r'^\t"?([^"\s\[]+)"? \[label=<(.*)>(?: [^\n]*)?\]$', re.M)
_TD = re.compile(r"<td\b[^>]*>(.*?)</td>", re.S)
_TAG = re.compile(r"<[^>]+>")
_VIEWBOX = re.compile(r'viewBox="[-0-9.]+ [-0-9.]+ ([0-9.]+) ([0-9.]+)"')

# Chart geometry (SVG user units): the plot area inside the margins.
_W, _H, _L, _R, _T, _B = 360, 190, 44, 10, 22, 26


def _tint(colour: str, strength: float = 0.28) -> str:
    """``colour`` laid at ``strength`` over white, as an opaque colour (the boundary's cells).

    >>> _tint("#000000", 0.5)
    '#808080'
    """
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(255 - (255 - v) * strength):02x}" for v in rgb)


def _class_names(names: Optional[Sequence[str]], seen: int, lang: str) -> list[str]:
    """The classes' names: ``names`` checked (one str per class, at least ``seen``), or "class 0",
    "class 1", … (类别 0, … in Chinese), ``seen`` of them."""
    if names is None:
        return [text("timeline class", lang, k=k) for k in range(seen)]
    if isinstance(names, str) or not all(isinstance(n, str) for n in names):
        raise _fail("class_names", "a list of str, one name per class", repr(names)[:80])
    names = list(names)
    if len(names) < seen:
        raise _fail("class_names", f"a name for each of the {seen} classes", f"{len(names)} names")
    return [check_text(n, "save_training: class name") for n in names]


def _fail(name: str, expected: str, got: Any) -> ValueError:
    return ValueError(f"save_training: {name} must be {expected}, got {got}")


def _check(history: Any, model: Any, X: Any, y: Any, point: Any) -> tuple[list[list[float]], np.ndarray, np.ndarray]:
    """The snapshots, X and y checked against each other, the model and the point."""
    snapshots = getattr(history, "snapshots", None)
    if not isinstance(snapshots, list) or not snapshots:
        raise ValueError("save_training: history has no snapshots: train with nn.fit(..., record=True)")
    if len(getattr(history, "train_loss", ())) != len(snapshots):
        raise _fail("history", "one snapshot per epoch of train_loss",
                    f"{len(snapshots)} snapshots for {len(getattr(history, 'train_loss', ()))} epochs")
    if not callable(model) or not callable(getattr(model, "parameters", None)):
        raise TypeError(f"save_training: model must be callable with parameters(), like nn.MLP; got {type(model).__name__}")
    n_params = len(model.parameters())
    start = getattr(history, "start", None)
    if start is not None and len(start.snapshot) != len(snapshots[0]):
        raise _fail("history", "one snapshot size before and during training",
                    f"{len(start.snapshot)} parameters at the start, {len(snapshots[0])} after epoch 1")
    if any(len(s) != n_params for s in snapshots):
        raise _fail("model", f"the trained model ({len(snapshots[0])} parameters per snapshot)",
                    f"a model with {n_params} parameters")
    try:
        Xa = np.asarray(X, dtype=float)
    except (TypeError, ValueError) as e:
        raise _fail("X", "a samples × features array of numbers", str(e)) from None
    nin = getattr(model, "nin", None)
    if Xa.ndim != 2 or len(Xa) == 0 or (isinstance(nin, int) and Xa.shape[1] != nin):
        features = f"{nin} features (the model's inputs)" if isinstance(nin, int) else "features"
        raise _fail("X", f"a non-empty 2-D array of samples × {features}", f"shape {Xa.shape}")
    if not np.isfinite(Xa).all():
        raise _fail("X", "finite numbers", "NaN or infinity")
    ya = np.asarray(y)
    if ya.shape != (len(Xa),) or ya.dtype.kind not in "iu" or (ya < 0).any():
        raise _fail("y", f"{len(Xa)} integer labels >= 0, one per row of X", f"shape {ya.shape}, dtype {ya.dtype}")
    if isinstance(point, bool) or not isinstance(point, (int, np.integer)) or not 0 <= point < len(Xa):
        raise _fail("point", f"the index of a row of X, an int in 0..{len(Xa) - 1}", repr(point))
    return snapshots, Xa, ya


class _Params:
    """Set a model's parameters to a snapshot; ``restore`` puts back the values they had."""

    def __init__(self, model: Any) -> None:
        self.params: list[Value] = model.parameters()
        self.saved = [(p.data, p.grad) for p in self.params]

    def load(self, snapshot: Sequence[float]) -> None:
        for p, v in zip(self.params, snapshot):
            p.data = v
            p.grad = 0.0

    def restore(self) -> None:
        for p, (data, grad) in zip(self.params, self.saved):
            p.data, p.grad = data, grad


def _boundary(model: Any, Xa: np.ndarray, ya: np.ndarray, snapshots: list[list[float]], params: _Params,
              grid: int) -> Optional[dict[str, Any]]:
    """A 2-D classifier's class per grid point per epoch, one digit a point (None for other data)."""
    if Xa.shape[1] != 2:
        return None
    scores: list[Value] = []

    def fn(a: Value, b: Value) -> Value:
        out = model([a, b])
        scores[:] = [out] if isinstance(out, Value) else list(out)
        total = scores[0]
        for s in scores[1:]:
            total = total + s
        return total

    program = trace(fn, 0.0, 0.0, keep=scores)
    if len(scores) > 10:
        return None
    pad = 0.1 * max(float(np.ptp(Xa, axis=0).max()), 1e-9) + 0.25
    lo, hi = Xa.min(axis=0) - pad, Xa.max(axis=0) + pad
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], grid), np.linspace(hi[1], lo[1], grid))  # top row first
    columns = (gx.ravel(), gy.ravel())
    epochs = []
    for snapshot in snapshots:
        params.load(snapshot)
        program(*columns)
        if len(scores) == 1:
            cls = (program.values_of(scores[0]) > 0.0).astype(int)  # one score: class 1 where s > 0
        else:
            cls = np.argmax(np.stack([program.values_of(s) for s in scores]), axis=0)
        epochs.append("".join(map(str, cls.tolist())))
    px = (Xa - lo) / (hi - lo)
    return {"n": grid, "cls": epochs,
            "pts": [[round(float(a), 4), round(1.0 - float(b), 4), int(c)] for (a, b), c in zip(px, ya)]}


def _weights(model: Any, snapshots: list[list[float]]) -> Optional[dict[str, Any]]:
    """A linear classifier's weights per class per epoch as ints −99..99 of the epoch's largest |w|."""
    neurons = getattr(model, "neurons", None)
    nin = getattr(model, "nin", None)
    if not neurons or not isinstance(nin, int) or not all(len(getattr(n, "w", ())) == nin for n in neurons):
        return None
    side = math.isqrt(nin)
    rows, cols = (side, side) if side * side == nin else (1, nin)
    where = {id(p): i for i, p in enumerate(model.parameters())}
    index = np.array([[where[id(w)] for w in n.w] for n in neurons])
    epochs = []
    for snapshot in snapshots:
        W = np.asarray(snapshot)[index]  # classes × inputs
        scale = float(np.abs(W).max()) or 1.0
        epochs.append({"s": float(f"{scale:.4g}"), "w": np.rint(W / scale * 99).astype(int).ravel().tolist()})
    return {"rows": rows, "cols": cols, "k": len(neurons), "epochs": epochs}


def _cell_texts(label: str) -> list[str]:
    """A node's texts as Graphviz prints them, from its HTML-like label: one per run of text
    between tags (a cell's words, a CJK run set in its own font, a number after it).

    >>> _cell_texts('<tr><td><b>L1</b></td><td><font face="F">值 </font> 1.5</td></tr>')
    ['L1', '值 ', ' 1.5']
    """
    cells = _TD.findall(label) or [label]  # a gate: no table
    return [html.unescape(run) for cell in cells for run in _TAG.split(cell) if run.strip()]


def _same(a: str, b: str) -> bool:
    return a.split() == b.replace("\xa0", " ").split()


class _Labels:
    """The labels :func:`viz.collapse.build_collapsed` gives the value nodes of a graph, without
    building the diagram's edges: the graph has the same shape at every epoch, so its groups are
    found once, as positions in topological order."""

    def __init__(self, root: Value, order: list[Value], lang: str) -> None:
        groups = collapse_groups(order, "neuron")
        pos = {node: i for i, node in enumerate(order)}
        consumers: dict[Value, list[Value]] = {}
        for node in order:
            for parent in node.parents:
                consumers.setdefault(parent, []).append(node)
        self.groups = [(key, [pos[m] for m in members], [pos[m] for m in _outputs(members, consumers, root)])
                       for key, members in groups.items()]
        grouped = {i for _, members, _ in self.groups for i in members}
        loose = [n for n in order if pos[n] not in grouped]
        value_ids, _ = node_ids(loose)
        self.loose = [(value_ids[n], pos[n]) for n in loose]
        self.lang = lang

    def shown(self, order: list[Value]) -> list[int]:
        """The positions of the nodes whose numbers a label can show."""
        out = {i for _, i in self.loose}
        for _, members, outputs in self.groups:
            inside = {order[i] for i in members}
            out.update(outputs)
            out.update(i for i in members if not order[i].op)
            out.update(order.index(p) for i in outputs if (p := _pre_activation(order[i], inside)) is not None)
        return sorted(out)

    def texts(self, root: Value, order: list[Value]) -> dict[str, list[str]]:
        """Each drawn value node's (or group's) cell texts, by its title in the drawing."""
        def grad(node: Value) -> str:
            return fmt(node.grad)

        out = {}
        for key, members, outputs in self.groups:
            nodes = [order[i] for i in members]
            fill = FILL["output"] if root in nodes else FILL["interior"]
            out[key] = _cell_texts(_group_label(key, nodes, [order[i] for i in outputs], "neuron", "both", grad,
                                                self.lang, fill))
        for title, i in self.loose:
            node = order[i]
            out[title] = _cell_texts(_value_label(node, FILL[role(node, root)], "both", grad(node), lang=self.lang))
        return out


def _graph(history: Any, model: Any, x: Sequence[float], label: int, snapshots: list[list[float]],
           params: _Params, lang: str) -> tuple[str, list[list[Any]], list[list[str]]]:
    """The point's loss, collapsed by neuron, laid out once; its changing cell texts per epoch.

    Returns ``(svg, cells, texts)``: ``cells[j] = [node title, index of the <text> in its
    group]``, ``texts[e][j]`` what that cell shows after epoch e + 1.
    """
    def build(snapshot: Sequence[float]) -> tuple[Value, list[Value]]:
        params.load(snapshot)
        root = history.sample_loss(model, x, label)
        root.backward()
        return root, topological_order(root)

    def diagram(root: Value, order: list[Value]) -> Any:
        return build_collapsed(root, order, level="neuron", show="both", rankdir="LR",
                               grad_text=lambda n: fmt(n.grad), lang=lang)

    root, order = build(snapshots[0])
    labels = _Labels(root, order, lang)
    shown = labels.shown(order)
    per_epoch = []
    widest: dict[int, tuple[float, float]] = {}
    for e, snapshot in enumerate(snapshots):
        if e:
            root, order = build(snapshot)
        per_epoch.append(labels.texts(root, order))
        for i in shown:  # per node, the data and grad whose printed text is widest, so the layout has room
            d, g = order[i].data, order[i].grad
            wd, wg = widest.get(i, (d, g))
            widest[i] = (d if text_width(fmt(d)) > text_width(fmt(wd)) else wd,
                         g if text_width(fmt(g)) > text_width(fmt(wg)) else wg)
    for i, (d, g) in widest.items():
        order[i].data, order[i].grad = d, g
    svg = _SVG_SIZE.sub(r"\1", _SVG_NOISE.sub("", render_svg(diagram(root, order))).strip(), count=1)
    box = _VIEWBOX.search(svg)
    if box:  # drawn at its natural size (1 pt = 1 px), the card scrolls: small print stays readable
        svg = svg.replace("<svg", f'<svg width="{float(box.group(1)):.0f}" height="{float(box.group(2)):.0f}"', 1)
    layout_texts = {title: [html.unescape(t) for _, t, _ in _SVG_TEXT.findall(body)]
                    for title, body in _NODE.findall(svg)}
    for title, texts in per_epoch[0].items():
        if len(layout_texts.get(html.escape(title), [])) != len(texts):  # a value node or group
            raise RuntimeError(f"save_training: the drawing of node {title!r} does not have the texts its "
                               "label has; the page would show wrong numbers, so none is written")
    cells = [[t, j] for t, texts in per_epoch[0].items() for j in range(len(texts))
             if any(e[t][j] != per_epoch[0][t][j] for e in per_epoch)
             or not _same(per_epoch[0][t][j], layout_texts[html.escape(t)][j])]
    # a run's leading space (the gap after a CJK word) as a no-break space: HTML collapses a plain one
    texts = [[re.sub(r"^ +", lambda m: "\xa0" * len(m.group()), e[t][j]) for t, j in cells] for e in per_epoch]
    return svg, cells, texts


def _chart(series: dict[str, list[float]], labels: dict[str, str], ident: str,
           ylow: Optional[float] = None, yhigh: Optional[float] = None, first: int = 1) -> tuple[str, list[list[float]]]:
    """A polyline chart of the series over the epochs (numbered from ``first``) as inline SVG, and
    each epoch's marker x and ys."""
    shown = {k: v for k, v in series.items() if v}
    n = len(next(iter(shown.values())))
    values = [v for s in shown.values() for v in s]
    lo = min(values) if ylow is None else ylow
    hi = max(values) if yhigh is None else yhigh
    if hi - lo < 1e-12:
        lo, hi = lo - 0.5, hi + 0.5
    pw, ph = _W - _L - _R, _H - _T - _B

    def px(i: int) -> float:
        return round(_L + (pw * i / (n - 1) if n > 1 else pw / 2), 2)

    def py(v: float) -> float:
        return round(_T + ph * (1 - (v - lo) / (hi - lo)), 2)

    colours = ("#c2410c", "#2563eb")
    parts = [f'<svg id="{ident}" class="chart" viewBox="0 0 {_W} {_H}" role="img">',
             f'<rect x="{_L}" y="{_T}" width="{pw}" height="{ph}" fill="white" stroke="#d1d5db"/>']
    for v in (lo, (lo + hi) / 2, hi):
        parts.append(f'<text x="{_L - 4}" y="{py(v) + 3}" text-anchor="end" class="tick">{html.escape(fmt(float(f"{v:.3g}")))}</text>')
    parts.append(f'<text x="{_L}" y="{_H - 8}" class="tick">{first}</text>'
                 f'<text x="{_W - _R}" y="{_H - 8}" text-anchor="end" class="tick">{first + n - 1}</text>')
    marks = []
    for k, (name, s) in enumerate(shown.items()):
        points = " ".join(f"{px(i)},{py(v)}" for i, v in enumerate(s))
        colour = colours[k % len(colours)]
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.8" points="{points}"/>')
        parts.append(f'<text x="{_L + 90 * k}" y="{_T - 8}" fill="{colour}" class="key">&#9644; {html.escape(labels[name])}</text>')
        parts.append(f'<circle class="dot" r="3.5" fill="{colour}" cx="{px(0)}" cy="{py(s[0])}"/>')
        marks.append([py(v) for v in s])
    parts.append(f'<line class="mark" x1="{px(0)}" x2="{px(0)}" y1="{_T}" y2="{_T + ph}" stroke="#374151" '
                 'stroke-dasharray="3 3"/></svg>')
    # per epoch: [x, y of series 0, y of series 1, ...]
    return "".join(parts), [[px(i)] + [m[i] for m in marks] for i in range(n)]


def training_data(history: Any, *, model: Any, X: Any, y: Any, point: int = 0,
                  lang: str = "en", class_names: Optional[Sequence[str]] = None) -> tuple[dict[str, str], dict[str, Any]]:
    """What the timeline page shows: its drawings (charts, the point's graph) and its per-epoch data.

    The model's parameters are set to each snapshot in turn and put back afterwards (data and grad).
    See :func:`save_training` for the arguments.

    Returns:
        ``(svgs, data)``: ``svgs`` maps "loss", "acc", "graph" to inline SVG; ``data`` is JSON-able:
        ``epochs``, ``loss``/``acc`` (per epoch the marker's x and ys), ``boundary`` (None or
        ``{"n": grid side, "cls": [one digit per grid point, rows top first] per epoch, "pts":
        [[x, y in 0..1, class]]}``), ``weights`` (None or ``{"rows", "cols", "k", "epochs": [{"s":
        largest |w|, "w": ints −99..99, class after class}]}``), ``cells`` and ``texts`` (the
        graph's changing texts: ``texts[e][j]`` goes into ``<text>`` ``cells[j][1]`` of the node
        titled ``cells[j][0]``), ``text`` (the page's words), ``classes`` (each class's name),
        ``first`` (the first position's epoch: 0 where the history has its ``start``, else 1).
    """
    lang = check_lang("save_training", lang)
    snapshots, Xa, ya = _check(history, model, X, y, point)
    series = {name: list(getattr(history, name)) for name in ("train_loss", "train_acc", "val_loss", "val_acc")}
    start = getattr(history, "start", None)
    # epoch 0, the model before training, goes first (where it was measured on the same data)
    first = 0 if start is not None and (start.val_loss is not None) == bool(series["val_loss"]) else 1
    if first == 0:
        snapshots = [list(start.snapshot)] + snapshots
        for name, values in series.items():
            if values:
                values.insert(0, float(getattr(start, name)))
    params = _Params(model)
    try:
        boundary = _boundary(model, Xa, ya, snapshots, params, GRID)
        graph_svg, cells, texts = _graph(history, model, Xa[point].tolist(), int(ya[point]), snapshots, params, lang)
    finally:
        params.restore()
    weights = _weights(model, snapshots)
    # one name per class: the labels in y, or the linear classifier's outputs if it has more
    classes = _class_names(class_names, max(int(ya.max()) + 1, weights["k"] if weights else 0), lang)
    words = {k: text(f"timeline {k}", lang) for k in ("train", "val", "loss", "accuracy")}
    loss_svg, loss_marks = _chart({"train": series["train_loss"], "val": series["val_loss"]},
                                  words, "loss-chart", first=first)
    acc_svg, acc_marks = _chart({"train": series["train_acc"], "val": series["val_acc"]},
                                words, "acc-chart", 0.0, 1.0, first=first)
    data = {
        "lang": lang,
        "epochs": len(snapshots),
        "first": first,
        "loss": loss_marks,
        "acc": acc_marks,
        "values": [[float(v) for v in series[name]] for name in ("train_loss", "train_acc", "val_loss", "val_acc")],
        "boundary": boundary,
        "weights": weights,
        "classes": classes,
        "colours": list(COLOURS),
        "tints": [_tint(c) for c in COLOURS],
        "cells": cells,
        "texts": texts,
        "text": {"counter": text("timeline counter", lang, i="{i}", n="{n}"),
                 "status": text("timeline status", lang, loss="{loss}", acc="{acc}"),
                 "val": text("timeline val status", lang, loss="{loss}", acc="{acc}")},
    }
    return {"loss": loss_svg, "acc": acc_svg, "graph": graph_svg}, data


def training_html(svgs: dict[str, str], data: dict[str, Any], title: str = "") -> str:
    """The timeline page from :func:`training_data`: inline SVG and canvases, the data as JSON, one script.

    Every piece of text is escaped; the data sits in a ``<script type="application/json">``
    block escaped by :func:`viz.html.json_for_script`; a Content-Security-Policy lets only
    the page's own scripts (the shared ``static/gg.js``, then ``static/timeline.js``) run and nothing load.
    """
    lang = data["lang"]
    say = {k: html.escape(text(f"timeline {k}", lang)) for k in (
        "title", "epoch", "previous", "next", "loss", "accuracy", "boundary", "weights", "graph", "hint")}
    n = data["epochs"]
    panels = [f'<div class="card"><h2>{say["loss"]}</h2>{svgs["loss"]}</div>',
              f'<div class="card"><h2>{say["accuracy"]}</h2>{svgs["acc"]}</div>']
    if data["boundary"]:
        panels.append(f'<div class="card"><h2>{say["boundary"]}</h2>'
                      '<canvas id="boundary" width="320" height="320"></canvas></div>')
    if data["weights"]:
        w = data["weights"]
        figures = "".join(
            f'<figure><canvas width="{w["cols"] * 8}" height="{w["rows"] * 8}"></canvas>'
            f'<figcaption>{html.escape(data["classes"][k])}</figcaption></figure>'
            for k in range(w["k"]))
        panels.append(f'<div class="card"><h2>{say["weights"]} <small id="wscale"></small></h2>'
                      f'<div id="weights">{figures}</div></div>')
    name = html.escape(title)
    scripts = (assets.code(assets.SHARED), assets.code("timeline.js"))
    head = page_head(lang, f"gategraph: {say['title']}{': ' + name if name else ''}", assets.csp(*scripts),
                     assets.style("timeline.css", FONTS=FONT_STACK))
    return head + f"""<body data-epoch="{n - 1 + data['first']}">
<h1>{say['title']}{' <small>' + name + '</small>' if name else ''}</h1>
<div class="controls">
<button id="prev" type="button">&#9664; {say['previous']}</button>
<input id="epoch" type="range" min="0" max="{n - 1}" value="{n - 1}" step="1" aria-label="{say['epoch']}">
<button id="next" type="button">{say['next']} &#9654;</button>
<span id="counter" aria-live="polite"></span>
</div>
<p id="status" aria-live="polite"></p>
<div class="grid">
{''.join(panels)}
</div>
<div class="card graph-card"><h2>{say['graph']}</h2><div id="graph">{svgs['graph']}</div></div>
<p class="hint">{say['hint']}</p>
<script type="application/json" id="tl-data">{json_for_script(data)}</script>
<script>{scripts[0]}</script>
<script>{scripts[1]}</script>
</body>
</html>
"""


def save_training(history: Any, path: PathT, *, model: Any, X: Any, y: Any, point: int = 0,
                  lang: str = "en", title: str = "", class_names: Optional[Sequence[str]] = None) -> PathT:
    """Write a recorded fit as ONE self-contained page to scrub through its epochs with a slider.

    For the epoch the slider is at, the page shows: the loss and accuracy curves (train, and
    validation if recorded) with that epoch marked; for 2-D data, the decision boundary (the
    class at each of :data:`GRID` × :data:`GRID` points) with the data on top; for a linear
    classifier (a model with ``neurons``, like ``nn.Linear``), each class's weights as an image
    (red promotes the class, blue suppresses it); and the collapsed graph of one data point's
    loss (``draw_graph(..., collapse="neuron")``) with its data and gradients at that epoch.
    The graph is laid out once; each epoch's numbers are data the page's script fills in.
    It loads nothing and runs only its own script (a Content-Security-Policy pins it).

    Args:
        history: from ``nn.fit(..., record=True)`` (its ``snapshots`` and ``sample_loss``).
        path: where to write; ``.html`` or ``.htm``; written whole or not at all.
        model: the trained model; its parameters are set to each snapshot in turn and put
            back (data and grad) before this returns.
        X: the samples (N × the model's inputs); y: their N integer labels.
        point: the row of X whose loss graph is drawn.
        lang: "en" or "zh".
        title: shown in the heading (escaped).
        class_names: what to call each class (label k is ``class_names[k]``), e.g. the digits'
            "digit 0", …, "digit 9"; default "class 0", "class 1", …

    Returns:
        ``path``, as given.

    Raises:
        ValueError: a history without snapshots, a wrong suffix, X or y of the wrong shape,
            ``point`` outside X, a model other than the trained one, an unknown ``lang``, fewer
            ``class_names`` than classes in y.

    >>> import tempfile, pathlib, nn
    >>> model = nn.MLP(2, [4, 1])
    >>> X, y = nn.data.make_moons(30)
    >>> h = nn.fit(model, X, y, epochs=3, progress=False, record=True)
    >>> page = save_training(h, pathlib.Path(tempfile.mkdtemp()) / "t.html", model=model, X=X, y=y)
    >>> "http:" in page.read_text(encoding="utf-8")
    False
    """
    _check_suffix(path, "save_training")
    svgs, data = training_data(history, model=model, X=X, y=y, point=point, lang=lang, class_names=class_names)
    write_atomic(path, training_html(svgs, data, title))
    return path
