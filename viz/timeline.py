"""The training timeline: one self-contained page to scrub through a recorded fit's epochs with a slider."""

from __future__ import annotations

import html
import math
import os
import re
from typing import Any, Optional, Sequence, TypeVar

import numpy as np

from autograd import Value, topological_order
from autograd.errors import check_text

from . import assets
from ._files import write_atomic
from .backend import render_svg
from .boundary import plane, trace_prediction
from .collapse import _group_label, _outputs, _pre_activation, build_collapsed, collapse_groups
from .dot import FILL, _value_label, fmt, node_ids, role
from .html import _SVG_NOISE, _SVG_SIZE, _check_suffix, json_for_script, page_head, text_width
from .i18n import FONT_STACK, check_lang, text

__all__ = ["GRID", "HEAT_GRID", "LEVELS", "nice_ticks", "save_training", "shade", "training_data", "training_html"]

PathT = TypeVar("PathT", str, os.PathLike)

#: Grid points per axis at which a 2-D classifier's decision boundary is drawn, per epoch.
GRID = 40

#: Grid points per axis of each hidden neuron's heatmap, and the most neurons given one.
HEAT_GRID, HEAT_NEURONS = 16, 16

#: Class colours of the boundary and the points (the same order as viz.plots' CLASS_COLORS).
COLOURS = ("#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#ca8a04", "#db2777",
           "#4b5563", "#65a30d")

_NODE = re.compile(r'<g id="[^"]*" class="node[^"]*">\s*<title>([^<]*)</title>(.*?)</g>', re.S)
_SVG_TEXT = re.compile(r"(<text\b[^>]*>)([^<]*)(</text>)")
_DOT_NODE = re.compile(r'^\t"?([^"\s\[]+)"? \[label=<(.*)>(?: [^\n]*)?\]$', re.M)
_TD = re.compile(r"<td\b[^>]*>(.*?)</td>", re.S)
_TAG = re.compile(r"<[^>]+>")

# Chart geometry (SVG user units): the plot area inside the margins.
_W, _H, _L, _R, _T, _B = 360, 200, 50, 12, 24, 34

#: The charts' series colours (train, validation).
_SERIES = ("#c2410c", "#2563eb")


def _tint(colour: str, strength: float = 0.28) -> str:
    """``colour`` laid at ``strength`` over white, as an opaque colour (the boundary's cells).

    >>> _tint("#000000", 0.5)
    '#808080'
    """
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(255 - (255 - v) * strength):02x}" for v in rgb)


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values (1, 2 or 5 × a power of ten apart) from at or below ``lo`` to at or above ``hi``,
    about ``count`` of them: an axis drawn from the first to the last reads in round numbers.

    >>> nice_ticks(0.119, 0.914)
    [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    >>> nice_ticks(0, 50)
    [0.0, 10.0, 20.0, 30.0, 40.0, 50.0]
    >>> nice_ticks(-1.37, 2.2)
    [-2.0, -1.0, 0.0, 1.0, 2.0, 3.0]
    >>> nice_ticks(3.0, 3.0)
    [2.4, 2.6, 2.8, 3.0, 3.2, 3.4, 3.6]
    """
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi < lo or count < 2:
        raise ValueError(f"nice_ticks needs finite lo <= hi and count >= 2, got {lo!r}, {hi!r}, {count!r}")
    if hi - lo < 1e-12 * max(1.0, abs(lo), abs(hi)):
        lo, hi = lo - 0.5, hi + 0.5
    raw = (hi - lo) / (count - 1)
    power = 10.0 ** math.floor(math.log10(raw))
    fraction = raw / power  # 1 <= fraction < 10: the nearest of 1, 2, 5, 10 (Heckbert's nice numbers)
    step = power * (1 if fraction < 1.5 else 2 if fraction < 3 else 5 if fraction < 7 else 10)
    first, last = math.floor(lo / step + 1e-9), math.ceil(hi / step - 1e-9)
    return [float(f"{k * step:.12g}") + 0.0 for k in range(first, last + 1)]  # + 0.0: no "-0"


#: Confidence levels of the decision boundary's shading: level 0 is a guess (probability 1/classes), 9 sure.
LEVELS = 10


def shade(colour: str, level: int) -> str:
    """The boundary's colour for a class at a confidence ``level`` (0 .. LEVELS − 1): the class
    colour laid over white, paler where the model is less sure.

    >>> shade("#2563eb", 0), shade("#2563eb", 9)
    ('#e5ecfd', '#7ca1f3')
    """
    if isinstance(level, bool) or not isinstance(level, int) or not 0 <= level < LEVELS:
        raise ValueError(f"shade: level must be an int in 0..{LEVELS - 1}, got {level!r}")
    return _tint(colour, 0.12 + 0.48 * level / (LEVELS - 1))


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


def _levels(p: np.ndarray, classes: int) -> np.ndarray:
    """The confidence level (0 .. LEVELS − 1) of the winning class's probability ``p``: 0 at a guess (1/classes), LEVELS − 1 near 1.

    >>> _levels(np.array([0.5, 0.75, 0.99, np.nan]), 2).tolist()
    [0, 5, 9, 0]
    """
    sure = (np.nan_to_num(p, nan=1.0 / classes) - 1.0 / classes) / (1.0 - 1.0 / classes)
    return np.clip(np.floor(sure * LEVELS), 0, LEVELS - 1).astype(int)


#: The alphabet of a neuron's heatmap: a value scaled to −1 .. 1 by the map's largest |value|, in 21 steps.
_HEAT = "abcdefghijklmnopqrstu"


def _boundary(model: Any, Xa: np.ndarray, ya: np.ndarray, point: int, snapshots: list[list[float]],
              params: _Params, grid: int, lang: str) -> tuple[Optional[dict[str, Any]], Optional[dict[str, Any]]]:
    """For a 2-D classifier, per epoch: the class and the confidence at each grid point, and each
    first-hidden-layer neuron's output on a coarser grid; computed by replay (one traced program
    run on the grid's columns). ``(None, None)`` for other data."""
    if Xa.shape[1] != 2:
        return None, None
    traced = trace_prediction(model, hidden=HEAT_NEURONS)
    scores, hidden = traced.scores, traced.hidden
    if len(scores) > 10:
        return None, None
    classes = max(2, len(scores))
    lo, hi = plane(Xa)

    def columns(side: int) -> tuple[np.ndarray, np.ndarray]:  # the grid's points, top row first
        gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], side), np.linspace(hi[1], lo[1], side))
        return gx.ravel(), gy.ravel()

    fine, coarse = columns(grid), columns(HEAT_GRID)
    cls_epochs, conf_epochs, heat_epochs = [], [], []
    with np.errstate(all="ignore"):  # a diverged epoch's NaN and overflow are shaded as a guess
        for snapshot in snapshots:
            params.load(snapshot)
            s = traced.values_at(*fine, scores)
            if len(scores) == 1:  # one score s: class 1 where s > 0, with probability sigmoid(s)
                p1 = 1.0 / (1.0 + np.exp(-np.clip(s[0], -60, 60)))
                cls, p = (s[0] > 0.0).astype(int), np.maximum(p1, 1.0 - p1)
            else:  # several scores: the softmax's largest probability
                z = np.exp(np.nan_to_num(s - s.max(axis=0), nan=0.0))
                cls, p = np.argmax(np.nan_to_num(s, nan=-np.inf), axis=0), z.max(axis=0) / z.sum(axis=0)
            cls_epochs.append("".join(map(str, cls.tolist())))
            conf_epochs.append("".join(map(str, _levels(p, classes).tolist())))
            if hidden:
                maps = []
                for v in traced.values_at(*coarse, [node for _, node in hidden]):
                    v = np.nan_to_num(v, nan=0.0, posinf=0.0, neginf=0.0)
                    top = float(np.abs(v).max()) or 1.0
                    maps.append("".join(_HEAT[k] for k in np.rint(v / top * 10 + 10).astype(int).tolist()))
                heat_epochs.append(maps)
    px = (Xa - lo) / (hi - lo)

    def ticks(axis: int, flip: bool) -> list[list[Any]]:
        span = hi[axis] - lo[axis]
        return [[round(float(1 - (t - lo[axis]) / span if flip else (t - lo[axis]) / span), 4), fmt(t)]
                for t in nice_ticks(float(lo[axis]), float(hi[axis])) if lo[axis] <= t <= hi[axis]]

    boundary = {"n": grid, "cls": cls_epochs, "conf": conf_epochs,
                "shades": [[shade(c, k) for k in range(LEVELS)] for c in COLOURS],
                "pts": [[round(float(a), 4), round(1.0 - float(b), 4), int(c)] for (a, b), c in zip(px, ya)],
                "point": point, "xticks": ticks(0, False), "yticks": ticks(1, True)}
    neurons = {"n": HEAT_GRID, "names": [name for name, _ in hidden], "maps": heat_epochs} if hidden else None
    return boundary, neurons


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
        W = np.asarray(snapshot, dtype=float)[index]  # classes × inputs
        W = np.where(np.isfinite(W), W, 0.0)  # a diverged epoch: NaN drawn as 0
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


def _shape(order: list[Value]) -> list[tuple[Any, tuple[int, ...]]]:
    """A graph's shape: each node's gate and its parents' positions, in topological order."""
    pos = {id(node): i for i, node in enumerate(order)}
    return [(node.op, tuple(pos[id(p)] for p in node.parents)) for node in order]


_EDGE = re.compile(r'<g id="(edge\d+)" class="edge[^"]*">\s*<title>([^<]*)</title>')


def _edge_weights(svg: str, labels: _Labels, order: list[Value], where: dict[int, int]) -> list[list[Any]]:
    """The drawing's edges that carry a value into a weight's product: ``[edge id, parameter index]``
    (an edge A -> B, where B multiplies A's output by a parameter of the model)."""
    outputs = {key: [order[i] for i in outs] for key, _, outs in labels.groups}
    members = {key: [order[i] for i in ms] for key, ms, _ in labels.groups}
    for title, i in labels.loose:
        outputs[title], members[title] = [order[i]], [order[i]]
    found = []
    for ident, title in _EDGE.findall(svg):
        a, _, b = html.unescape(title).partition("->")
        sources = {id(n) for n in outputs.get(a.split(":")[0], ())}
        for node in members.get(b.split(":")[0], ()):
            ids = [id(p) for p in node.parents]
            if getattr(node.op, "name", node.op) == "mul" and len(ids) == 2 and sources & set(ids):
                other = ids[1] if ids[0] in sources else ids[0]
                if other in where:
                    found.append([ident, where[other]])
                    break
    return found


def _graph(history: Any, model: Any, x: Sequence[float], label: int, snapshots: list[list[float]],
           params: _Params, lang: str) -> tuple[str, list[list[Any]], list[Optional[list[str]]], list[int], list[list[Any]]]:
    """The point's loss, collapsed by neuron, laid out once; its changing cell texts per epoch.

    Returns ``(svg, cells, texts, other, edges)``: ``cells[j] = [node title, index of the <text>
    in its group]``, ``texts[e][j]`` what that cell shows at position e (None at a position whose
    graph has another shape than the drawn one, e.g. a max that took the other branch, or that
    could not be computed; those positions are listed in ``other``); ``edges`` from :func:`_edge_weights`.
    """
    def build(snapshot: Sequence[float]) -> Optional[tuple[Value, list[Value]]]:
        params.load(snapshot)
        try:
            with np.errstate(all="ignore"):
                root = history.sample_loss(model, x, label)
                root.backward()
        except ArithmeticError:  # a diverged epoch (a GateError, an overflow): no graph at this epoch
            return None
        return root, topological_order(root)

    def diagram(root: Value, order: list[Value]) -> Any:
        return build_collapsed(root, order, level="neuron", show="both", rankdir="LR",
                               grad_text=lambda n: fmt(n.grad), lang=lang)

    built = [build(s) for s in snapshots]
    layout = next((e for e, b in enumerate(built) if b is not None), None)
    if layout is None:
        raise ValueError("save_training: the traced point's loss cannot be computed at any epoch "
                         "(the training diverged: try a smaller learning rate)")
    root, order = built[layout]
    shape = _shape(order)
    same = [b is not None and (e == layout or _shape(b[1]) == shape) for e, b in enumerate(built)]
    labels = _Labels(root, order, lang)
    shown = labels.shown(order)
    per_epoch: list[Optional[dict[str, list[str]]]] = []
    widest: dict[int, tuple[float, float]] = {}
    for e, b in enumerate(built):
        if not same[e]:
            per_epoch.append(None)
            continue
        per_epoch.append(labels.texts(*b))
        for i in shown:  # per node, the data and grad whose printed text is widest, so the layout has room
            d, g = b[1][i].data, b[1][i].grad
            wd, wg = widest.get(i, (d, g))
            widest[i] = (d if text_width(fmt(d)) > text_width(fmt(wd)) else wd,
                         g if text_width(fmt(g)) > text_width(fmt(wg)) else wg)
    for i, (d, g) in widest.items():
        order[i].data, order[i].grad = d, g
    svg = _SVG_SIZE.sub(r"\1", _SVG_NOISE.sub("", render_svg(diagram(root, order))).strip(), count=1)
    layout_texts = {title: [html.unescape(t) for _, t, _ in _SVG_TEXT.findall(body)]
                    for title, body in _NODE.findall(svg)}
    base = per_epoch[layout]
    for title, texts in base.items():
        if len(layout_texts.get(html.escape(title), [])) != len(texts):  # a value node or group
            raise RuntimeError(f"save_training: the drawing of node {title!r} does not have the texts its "
                               "label has; the page would show wrong numbers, so none is written")
    cells = [[t, j] for t, texts in base.items() for j in range(len(texts))
             if any(e is not None and e[t][j] != base[t][j] for e in per_epoch)
             or not _same(base[t][j], layout_texts[html.escape(t)][j])]
    # a run's leading space (the gap after a CJK word) as a no-break space: HTML collapses a plain one
    texts = [None if e is None else [re.sub(r"^ +", lambda m: "\xa0" * len(m.group()), e[t][j]) for t, j in cells]
             for e in per_epoch]
    where = {id(p): k for k, p in enumerate(params.params)}
    return svg, cells, texts, [e for e, ok in enumerate(same) if not ok], _edge_weights(svg, labels, order, where)


def _edge_epochs(edges: list[list[Any]], snapshots: list[list[float]]) -> dict[str, Any]:
    """The drawn edges' weights per epoch as ints −99..99 of the largest finite |w| over all epochs
    (so an edge grows as its weight does); NaN and infinities as 0."""
    if not edges:
        return {"ids": [], "w": [], "s": 0.0}
    W = np.asarray(snapshots, dtype=float)[:, [k for _, k in edges]]
    W = np.where(np.isfinite(W), W, 0.0)
    scale = float(np.abs(W).max()) or 1.0
    return {"ids": [ident for ident, _ in edges], "w": np.rint(W / scale * 99).astype(int).tolist(),
            "s": float(f"{scale:.4g}")}


def _chart(series: dict[str, list[float]], labels: dict[str, str], ident: str, title: str,
           ylow: Optional[float] = None, yhigh: Optional[float] = None, first: int = 1) -> tuple[str, list[list[Any]]]:
    """A line chart of the series over the epochs (numbered from ``first``) as inline SVG, with
    round ticks, axis titles and a key whose swatches have their series' colour; and each
    epoch's marker x and ys (None where a value is NaN or infinite: no dot is drawn there)."""
    shown = {k: v for k, v in series.items() if v}
    n = len(next(iter(shown.values())))
    values = [v for s in shown.values() for v in s if math.isfinite(v)] or [0.0, 1.0]
    yt = nice_ticks(min(values) if ylow is None else ylow, max(values) if yhigh is None else yhigh)
    lo, hi = yt[0], yt[-1]
    last = first + n - 1
    xt = [t for t in nice_ticks(first, max(last, first + 1)) if first <= t <= last] if n > 1 else [float(first)]
    pw, ph = _W - _L - _R, _H - _T - _B

    def px(epoch: float) -> float:
        return round(_L + (pw * (epoch - first) / (n - 1) if n > 1 else pw / 2), 2)

    def py(v: float) -> Optional[float]:
        return round(_T + ph * (1 - (v - lo) / (hi - lo)), 2) if math.isfinite(v) else None

    parts = [f'<svg id="{ident}" class="chart" viewBox="0 0 {_W} {_H}" role="img">',
             f'<rect x="{_L}" y="{_T}" width="{pw}" height="{ph}" fill="white" stroke="#d1d5db"/>']
    for v in yt:
        y = py(v)
        parts.append(f'<line x1="{_L}" x2="{_L + pw}" y1="{y}" y2="{y}" class="grid"/>'
                     f'<text x="{_L - 4}" y="{y + 3}" text-anchor="end" class="tick">{html.escape(fmt(v))}</text>')
    for t in xt:
        parts.append(f'<text x="{px(t)}" y="{_T + ph + 13}" text-anchor="middle" class="tick">{fmt(t)}</text>')
    parts.append(f'<text x="{_L + pw / 2}" y="{_H - 4}" text-anchor="middle" class="axis">{html.escape(labels["epoch"])}</text>'
                 f'<text transform="translate(11 {_T + ph / 2}) rotate(-90)" text-anchor="middle" class="axis">'
                 f'{html.escape(title)}</text>')
    marks = []
    for k, (name, s) in enumerate(shown.items()):
        colour = _SERIES[k % len(_SERIES)]
        path, pen = [], "M"
        for i, v in enumerate(s):  # a NaN or infinite value breaks the line
            y = py(v)
            if y is None:
                pen = "M"
                continue
            path.append(f"{pen}{px(first + i)},{y}")
            pen = "L"
        parts.append(f'<path class="series" fill="none" stroke="{colour}" stroke-width="1.8" d="{" ".join(path)}"/>')
        kx = _L + 8 + 90 * k
        parts.append(f'<rect class="swatch" x="{kx}" y="{_T - 13}" width="14" height="4" fill="{colour}"/>'
                     f'<text x="{kx + 18}" y="{_T - 8}" class="key">{html.escape(labels[name])}</text>')
        y0 = py(s[0])
        parts.append(f'<circle class="dot" r="3.5" fill="{colour}" cx="{px(first)}" cy="{y0 if y0 is not None else _T}"/>')
        marks.append([py(v) for v in s])
    parts.append(f'<line class="mark" x1="{px(first)}" x2="{px(first)}" y1="{_T}" y2="{_T + ph}" stroke="#374151" '
                 'stroke-dasharray="3 3"/></svg>')
    # per epoch: [x, y of series 0, y of series 1, ...]
    return "".join(parts), [[px(first + i)] + [m[i] for m in marks] for i in range(n)]


def training_data(history: Any, *, model: Any, X: Any, y: Any, point: int = 0,
                  lang: str = "en", class_names: Optional[Sequence[str]] = None) -> tuple[dict[str, str], dict[str, Any]]:
    """What the timeline page shows: its drawings (charts, the point's graph) and its per-epoch data.

    The model's parameters are set to each snapshot in turn and put back afterwards (data and grad).
    See :func:`save_training` for the arguments.

    Returns:
        ``(svgs, data)``: ``svgs`` maps "loss", "acc", "graph" to inline SVG; ``data`` is JSON-able:
        ``epochs``, ``loss``/``acc`` (per epoch the marker's x and ys, None for a NaN), ``values``
        (the four series, None for a NaN), ``boundary`` (None or ``{"n": grid side, "cls": [one
        digit per grid point, rows top first] per epoch, "conf": [its confidence level 0..9, the
        same way], "shades": [per class, a colour per level], "pts": [[x, y in 0..1, class]],
        "point": the traced row, "xticks"/"yticks": [[position in 0..1, label]]}``), ``neurons``
        (None or ``{"n": heatmap side, "names": ["L1.N0", ...], "maps": [per epoch, per neuron,
        one letter a..u per grid point for −1..1 of the map's largest |value|]}``), ``weights``
        (None or ``{"rows", "cols", "k", "epochs": [{"s": largest |w|, "w": ints −99..99, class
        after class}]}``), ``cells`` and ``texts`` (the graph's changing texts: ``texts[e][j]``
        goes into ``<text>`` ``cells[j][1]`` of the node titled ``cells[j][0]``; None at an epoch
        whose graph has another shape, those epochs listed in ``other``), ``edges`` (``{"ids":
        the drawing's edges that carry a weight, "w": per epoch their weights as ints −99..99 of
        "s", the largest |w|}``), ``text`` (the page's words), ``classes`` (each class's name),
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
        boundary, neurons = _boundary(model, Xa, ya, point, snapshots, params, GRID, lang)
        graph_svg, cells, texts, other, edges = _graph(history, model, Xa[point].tolist(), int(ya[point]),
                                                       snapshots, params, lang)
    finally:
        params.restore()
    weights = _weights(model, snapshots)
    # one name per class: the labels in y, or the linear classifier's outputs if it has more
    classes = _class_names(class_names, max(int(ya.max()) + 1, weights["k"] if weights else 0), lang)
    words = {k: text(f"timeline {k}", lang) for k in ("train", "val", "loss", "accuracy", "epoch")}
    loss_svg, loss_marks = _chart({"train": series["train_loss"], "val": series["val_loss"]},
                                  words, "loss-chart", words["loss"], first=first)
    acc_svg, acc_marks = _chart({"train": series["train_acc"], "val": series["val_acc"]},
                                words, "acc-chart", words["accuracy"], 0.0, 1.0, first=first)
    data = {
        "lang": lang,
        "epochs": len(snapshots),
        "first": first,
        "loss": loss_marks,
        "acc": acc_marks,
        "values": [[float(v) if math.isfinite(v) else None for v in series[name]]
                   for name in ("train_loss", "train_acc", "val_loss", "val_acc")],
        "boundary": boundary,
        "neurons": neurons,
        "weights": weights,
        "classes": classes,
        "colours": list(COLOURS),
        "tints": [_tint(c) for c in COLOURS],
        "cells": cells,
        "texts": texts,
        "other": [e + first for e in other],
        "edges": _edge_epochs(edges, snapshots),
        "text": {"counter": text("timeline counter", lang, i="{i}", n="{n}"),
                 "status": text("timeline status", lang, loss="{loss}", acc="{acc}"),
                 "val": text("timeline val status", lang, loss="{loss}", acc="{acc}"),
                 "pause": text("timeline pause", lang)},
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
        "title", "epoch", "previous", "next", "loss", "accuracy", "boundary", "weights", "graph", "hint",
        "play", "fit", "boundary key", "neurons", "neurons key", "edges key")}
    n = data["epochs"]
    panels = [f'<div class="card"><h2>{say["loss"]}</h2>{svgs["loss"]}</div>',
              f'<div class="card"><h2>{say["accuracy"]}</h2>{svgs["acc"]}</div>']
    if data["boundary"]:
        keys = "".join(f'<span><i style="background:{data["colours"][k % len(data["colours"])]}"></i>'
                       f'{html.escape(name)}</span>' for k, name in enumerate(data["classes"]))
        panels.append(f'<div class="card"><h2>{say["boundary"]}</h2>'
                      '<canvas id="boundary" width="360" height="360"></canvas>'
                      f'<p class="key" id="boundary-key">{keys}<br>{say["boundary key"]}</p></div>')
    if data.get("neurons"):
        maps = "".join(f'<figure><canvas width="{data["neurons"]["n"]}" height="{data["neurons"]["n"]}"></canvas>'
                       f'<figcaption>{html.escape(name)}</figcaption></figure>' for name in data["neurons"]["names"])
        panels.append(f'<div class="card"><h2>{say["neurons"]}</h2><div id="neurons">{maps}</div>'
                      f'<p class="key">{say["neurons key"]}</p></div>')
    if data["weights"]:
        w = data["weights"]
        figures = "".join(
            f'<figure><canvas width="{w["cols"] * 8}" height="{w["rows"] * 8}"></canvas>'
            f'<figcaption>{html.escape(data["classes"][k])}</figcaption></figure>'
            for k in range(w["k"]))
        panels.append(f'<div class="card"><h2>{say["weights"]} <small id="wscale"></small></h2>'
                      f'<div id="weights">{figures}</div></div>')
    other = ""
    if data.get("other"):
        other = f'<p class="other-note">{html.escape(text("timeline other shape", lang, epochs=_epoch_list(data["other"])))}</p>'
    name = html.escape(title)
    scripts = (assets.code(assets.SHARED), assets.code("timeline.js"))
    head = page_head(lang, f"gategraph: {say['title']}{': ' + name if name else ''}", assets.csp(*scripts),
                     assets.style("timeline.css", FONTS=FONT_STACK))
    return head + f"""<body data-epoch="{data['first']}">
<h1>{say['title']}{' <small>' + name + '</small>' if name else ''}</h1>
<div class="controls">
<button id="play" type="button" aria-pressed="false">&#9654; {say['play']}</button>
<button id="prev" type="button">&#9664; {say['previous']}</button>
<input id="epoch" type="range" min="0" max="{n - 1}" value="0" step="1" aria-label="{say['epoch']}">
<button id="next" type="button">{say['next']} &#9654;</button>
<span id="counter" aria-live="polite"></span>
</div>
<p id="status" aria-live="polite"></p>
<div class="grid">
{''.join(panels)}
</div>
<div class="card graph-card"><h2>{say['graph']} <small>{say['edges key']}</small></h2>{other}
<div class="stage" id="graph"><div class="zoom"><button id="zoom-out" type="button" aria-label="−">&minus;</button>
<button id="zoom-in" type="button" aria-label="+">+</button><button id="fit" type="button">{say['fit']}</button></div>
{svgs['graph']}</div></div>
<p class="hint">{say['hint']}</p>
<script type="application/json" id="tl-data">{json_for_script(data)}</script>
<script>{scripts[0]}</script>
<script>{scripts[1]}</script>
</body>
</html>
"""


def _epoch_list(epochs: Sequence[int]) -> str:
    """Epoch numbers as runs: 3, 5–7, 9.

    >>> _epoch_list([3, 5, 6, 7, 9])
    '3, 5–7, 9'
    """
    runs: list[list[int]] = []
    for e in epochs:
        if runs and e == runs[-1][-1] + 1:
            runs[-1].append(e)
        else:
            runs.append([e])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs)


def save_training(history: Any, path: PathT, *, model: Any, X: Any, y: Any, point: int = 0,
                  lang: str = "en", title: str = "", class_names: Optional[Sequence[str]] = None) -> PathT:
    """Write a recorded fit as ONE self-contained page to scrub (or play) through its epochs.

    The page opens at epoch 0 (before training, where the history has it) with a play button.
    For the epoch the slider is at, it shows: the loss and accuracy curves (train, and
    validation if recorded; round ticks, axis titles) with that epoch marked; for 2-D data, the
    decision boundary at :data:`GRID` × :data:`GRID` points, coloured by class and paler where
    the model is less sure (its probability: sigmoid of a single score, else the softmax), with
    axes, a key, the data and the traced point ringed, and each first-hidden-layer neuron's
    output over the plane as a small heatmap (both computed by replay, ``autograd.trace``); for
    a linear classifier (a model with ``neurons``, like ``nn.Linear``), each class's weights as
    an image (red promotes the class, blue suppresses it); and the collapsed graph of one data
    point's loss (``draw_graph(..., collapse="neuron")``) with its data and gradients at that
    epoch, fitted to its card (wheel or buttons zoom, drag pans), each weight's edge blue for
    w > 0, orange for w < 0, as wide as |w|. The graph is laid out once; each epoch's numbers
    are data the page's script fills in. An epoch whose graph has another shape (a gate took
    another branch) is named on the page and shows no numbers.
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
