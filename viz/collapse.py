"""Collapsed diagrams: each neuron (or layer) a network made drawn as one node, found by ``origin``."""

from __future__ import annotations

from typing import Callable, Mapping, Optional, Union

from autograd import Value

from .backend import Diagram
from .dot import (
    FILL, GRAD, INK, CellMark, Mark, _gate_attrs, _title, _html, _new_diagram, _value_label, _word, fmt, label_text,
    layer_of,
    node_ids, origin_sort_key, role, stack_in_order,
)
from .i18n import text

__all__ = ["COLLAPSE_LEVELS", "MAX_PARAMS_LISTED", "collapse_groups", "build_collapsed"]

#: What ``collapse=`` may be: one node per neuron (origin ``"L1.N3"``) or per layer (``"L1"``).
COLLAPSE_LEVELS = ("neuron", "layer")

#: A collapsed node lists its parameters' gradients up to this many; past it, it gives the
#: count and the one with the largest |grad|.
MAX_PARAMS_LISTED = 6


def group_key(node: Value, level: str) -> Optional[str]:
    """The collapsed group a node falls in: its origin (``"neuron"``) or the origin's layer (``"layer"``).

    >>> from autograd import origin
    >>> with origin("L2.N1"):
    ...     w = Value(0.5, "w")
    >>> group_key(w, "neuron"), group_key(w, "layer"), group_key(Value(1.0, "x"), "layer")
    ('L2.N1', 'L2', None)
    """
    if node.origin is None:
        return None
    return node.origin if level == "neuron" else layer_of(node.origin)


def collapse_groups(order: list[Value], level: str = "neuron") -> dict[str, list[Value]]:
    """The collapsed groups of a graph: group id → its member nodes, in topological order.

    A neuron is every node that shares an ``origin`` such as ``"L1.N3"`` (its parameters, its
    products and sums, its activation); a layer is every node whose origin starts with that
    layer (``"L1"``). Nodes without an origin (the inputs, a loss) are in no group and are drawn
    as they are. Groups come in natural order (``L1.N0``, ``L1.N1``, …, ``L2.N0``); the ids
    are the origins themselves, which is also the SVG ``<title>`` of a collapsed node, so a
    page can find the node of a group, step one group at a time (the gates of a group are its
    members with an ``op``, in the order backward visits them when reversed) and expand a
    group into its gates (draw its members with :func:`viz.draw_graph`'s full detail).

    Args:
        order: the graph's nodes in topological order (``autograd.topological_order(root)``).
        level: ``"neuron"`` or ``"layer"``.

    Returns:
        ``{group id: [member nodes in topological order]}``.

    >>> from autograd import origin, topological_order
    >>> x = Value(2.0, "x")
    >>> with origin("L1.N0"):
    ...     h = (x * Value(3.0, "w")).relu()
    >>> groups = collapse_groups(topological_order(h + 1.0))
    >>> list(groups), len(groups["L1.N0"])
    (['L1.N0'], 4)
    """
    if level not in COLLAPSE_LEVELS:
        raise ValueError(f"collapse_groups: level must be one of {', '.join(map(repr, COLLAPSE_LEVELS))}; got {level!r}")
    groups: dict[str, list[Value]] = {}
    for node in order:
        key = group_key(node, level)
        if key is not None:
            groups.setdefault(key, []).append(node)
    return {key: groups[key] for key in sorted(groups, key=origin_sort_key)}


def _outputs(members: list[Value], consumers: Mapping[Value, list[Value]], root: Value) -> list[Value]:
    """The members used outside their group (or the root): what a group hands on."""
    inside = set(members)
    return [m for m in members if m is root or any(u not in inside for u in consumers.get(m, ()))]


def _pre_activation(output: Value, inside: set[Value]) -> Optional[Value]:
    """The interior node an output's gate acts on (relu's x in max(0, x)), if it is not the output itself."""
    made = [p for p in output.parents if p.op and p in inside]
    return made[0] if len(made) == 1 and len(output.parents) <= 2 else None


def _row(cells: list[str]) -> str:
    return "<tr>" + "".join(cells) + "</tr>"


def _cells(name: str, node: Value, show: str, grad: str, lang: str, mark: Optional[CellMark] = None) -> list[str]:
    cells = [f'<td align="left">{name}</td>']
    if show != "backward":
        cells.append(f"<td>{_word('data', lang)} {fmt(node.data)}</td>")
    if show != "forward":
        title = _title(mark, [text("grad", lang) + " ", node])
        cells.append(f'<td{title}><font color="{GRAD}">{_word("grad", lang)} {grad}</font></td>')
    return cells


def params_parts(params: list[Value], lang: str = "en") -> list[Union[str, Value]]:
    """The parameters' line of a collapsed node, as plain text and the Values whose gradients it prints.

    Up to :data:`MAX_PARAMS_LISTED` parameters are listed; past that, the count and the one with
    the largest |grad| (chosen by ``grad`` now: call ``backward()`` first).

    >>> params_parts([Value(1.0, "w0"), Value(2.0, "b")])[:3]
    ['params: ', 'w0', ': ']
    """
    if len(params) <= MAX_PARAMS_LISTED:
        parts: list[Union[str, Value]] = [text("params", lang) + ": "]
        for i, p in enumerate(params):
            parts += [" · "] if i else []
            parts += [p.label or "·", ": ", p]
        return parts
    big = max(params, key=lambda p: abs(p.grad))
    return [f"{len(params)} {text('params', lang)}, {text('largest grad', lang)} ", big.label or "·", ": ", big]


def _params_rows(params: list[Value], grad_text: Callable[[Value], str], lang: str, width: int,
                 mark: Optional[CellMark] = None) -> list[str]:
    """Each parameter's gradient, or past :data:`MAX_PARAMS_LISTED` the count and the largest |grad|."""
    if not params:
        return []
    parts = params_parts(params, lang)
    line = "".join(label_text(p) if isinstance(p, str) else grad_text(p) for p in parts)
    title = _title(mark, parts, "left")
    return [f'<tr><td colspan="{width}" align="left"{title}><font color="{GRAD}" point-size="9">{line}</font></td></tr>']


def _group_label(key: str, members: list[Value], outputs: list[Value], level: str, show: str,
                 grad_text: Callable[[Value], str], lang: str, fill: str, mark: Optional[CellMark] = None) -> str:
    inside = set(members)
    width = 1 + (show != "backward") + (show != "forward")
    rows = [f'<tr><td colspan="{width}" align="left"><b>{label_text(key)}</b></td></tr>']
    for out in outputs:
        prefix = "" if level == "neuron" else label_text(out.origin or "") + " "
        pre = _pre_activation(out, inside)
        if pre is not None:
            rows.append(_row(_cells(prefix + _word("pre-activation", lang), pre, show, grad_text(pre), lang, mark)))
        rows.append(_row(_cells(prefix + _word("output", lang), out, show, grad_text(out), lang, mark)))
    params = [m for m in members if m.role == "parameter"]
    rows += _params_rows(params, grad_text, lang, width, mark)
    return _html(
        f'<table border="0" cellborder="1" cellspacing="0" cellpadding="3" bgcolor="{fill}" '
        f'color="{INK}">{"".join(rows)}</table>'
    )


def _stack_in_order(diagram: Diagram, keys: list[str]) -> None:
    """Stand each layer's groups in one rank, first on top (``L1.N0`` above ``L1.N1``)."""
    columns: dict[str, list[str]] = {}
    for key in keys:
        columns.setdefault(layer_of(key), []).append(key)
    for column in columns.values():
        stack_in_order(diagram, column)


def build_collapsed(
    root: Value,
    order: list[Value],
    *,
    level: str,
    show: str,
    rankdir: str,
    grad_text: Callable[[Value], str],
    lang: str = "en",
    active: Optional[str] = None,
    mark: Optional[CellMark] = None,
    group_marks: Mapping[str, Mark] = {},
) -> Diagram:
    """The collapsed diagram of ``order`` (see :func:`viz.draw_graph` with ``collapse=``).

    Each group of :func:`collapse_groups` is one node whose id is the group id (``"L1.N3"``);
    a node without an origin keeps its full form, ids ``n0, n1, …`` as in the full drawing (a
    gate just before its output). An edge joins two drawn nodes wherever any edge of the full
    graph crosses between them (once per pair for a group). ``active``: a group id drawn as
    the current step; ``mark``: a page's hook on the gradient cells (see :data:`viz.dot.CellMark`);
    ``group_marks``: a lens's fill and words per group id (see :mod:`viz.lens`).
    """
    groups = collapse_groups(order, level)
    unit: dict[Value, str] = {}
    for key, members in groups.items():
        for member in members:
            unit[member] = key
    loose = [n for n in order if n not in unit]
    value_ids, gate_ids = node_ids(loose)
    consumers: dict[Value, list[Value]] = {}
    for node in order:
        for parent in node.parents:
            consumers.setdefault(parent, []).append(node)
    diagram = _new_diagram(rankdir)
    for key, members in groups.items():
        outputs = _outputs(members, consumers, root)
        fill = FILL["output"] if root in members else FILL["interior"]
        lens = group_marks.get(key)
        hot = {"color": GRAD, "penwidth": "2", "class": "active"} if key == active else {}
        label = _group_label(key, members, outputs, level, show, grad_text, lang, lens.fill if lens else fill, mark)
        if lens is not None and lens.note:  # the lens's words, one more row at the bottom
            width = 1 + (show != "backward") + (show != "forward")
            label = label.replace("</table>>", f'<tr><td colspan="{width}" align="left">{lens.note}</td></tr></table>>')
        diagram.node(key, label=label, shape="plain", **hot)
    for node in loose:
        if node.op:
            diagram.node(gate_ids[node], **_gate_attrs(node, False))
        diagram.node(value_ids[node], shape="plain",
                     label=_value_label(node, FILL[role(node, root)], show, grad_text(node), lang=lang, mark=mark))

    _stack_in_order(diagram, list(groups))

    def source(parent: Value) -> str:
        return unit.get(parent) or value_ids[parent]

    seen: set[tuple[str, str]] = set()
    for node in order:
        if node.op and node not in unit:
            for parent in node.parents:  # a parent used twice gets two edges, as in the full drawing
                diagram.edge(source(parent), gate_ids[node])
            diagram.edge(gate_ids[node], value_ids[node])
        elif node in unit:
            for parent in node.parents:
                pair = (source(parent), unit[node])
                if pair[0] != pair[1] and pair not in seen:
                    seen.add(pair)
                    diagram.edge(*pair)
    return diagram
