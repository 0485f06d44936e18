"""The course's wire style: gates as circles joined by wires, each value above its wire and its gradient below."""

from __future__ import annotations

import re
from typing import Callable, Collection, Mapping, Optional

from autograd import Value

from .backend import Diagram
from .dot import (
    EDGE, FILL, GRAD, INK, TOUCHED_FILL, CellMark, _Clusters, _entry_gates, _folded_sums, _gate_attrs, _html,
    _new_diagram, _title, connect, drawn_name, fmt, label_text, node_ids, role,
)

__all__ = ["build_wires", "STYLES", "plain_edge_titles"]

#: The styles :func:`viz.draw_graph` draws in: value boxes (the default) or the course's wires.
STYLES = ("boxes", "wires")

#: Padding of a wire's two cells (points): room above and below the rule, so the wire reads as a line.
WIRE_PADDING = 3
#: The least width of a wire's cells (points): a short number still gets a wire you can see.
WIRE_WIDTH = 30


def _wire_label(node: Value, show: str, grad: str, *, name: str, end: str, fill: str,
                grad_fill: Optional[str], grad_bold: bool, mark: Optional[CellMark]) -> str:
    """A value as a piece of wire: a table of two rows split by a rule (``<hr/>``), the value
    above it (in :data:`viz.dot.INK`) and the gradient below (in :data:`viz.dot.GRAD`); the rule is
    drawn in the edges' colour.

    The rows are equally tall, so the rule lies at the node's middle, where the wire's edges
    attach (ports ``w`` and ``e``): the edges and the rule draw one continuous line. ``name``
    (a leaf's or the output's) sits in a cell of ``fill`` at the wire's ``end`` (``"start"``
    for a leaf, ``"end"`` for the output); an interior value with a name prints it before its
    value (``q = 3``).
    """
    value = fmt(node.data) if show != "backward" else ""
    if name and not end and value:
        value = f"{label_text(name)} = {value}"
    above = f'<font color="{INK}">{value or " "}</font>'
    below = " "
    if show != "forward":
        below = f'<font color="{GRAD}">{grad}</font>'
        below = f"<b>{below}</b>" if grad_bold else below
    title = _title(mark, [node]) if show != "forward" else ""
    shade = grad_fill or "white"  # a fill gives the cell a box the page finds and shades
    cells_above = f'<td width="{WIRE_WIDTH}">{above}</td>'
    cells_below = f'<td width="{WIRE_WIDTH}" bgcolor="{shade}"{title}>{below}</td>'
    if name and end:
        tag = (f'<td rowspan="3" bgcolor="{fill}" border="1" color="{INK}" style="rounded" cellpadding="4">'
               f"<b>{label_text(name)}</b></td>")
        cells_above = tag + cells_above if end == "start" else cells_above + tag
    return _html(
        f'<table border="0" cellborder="0" cellspacing="0" cellpadding="{WIRE_PADDING}" color="{EDGE}">'
        f"<tr>{cells_above}</tr><hr/><tr>{cells_below}</tr></table>"
    )


def build_wires(
    root: Value,
    order: list[Value],
    *,
    show: str,
    rankdir: str,
    group: bool,
    grad_text: Callable[[Value], str],
    active: Optional[Value] = None,
    touched: Mapping[Value, object] = {},
    mark: Optional[CellMark] = None,
    leaves: Collection[Value] = (),
    names: Mapping[Value, str] = {},
) -> Diagram:
    """The diagram of ``order`` in the course's wire style (see :func:`viz.draw_graph`, ``style="wires"``).

    Each gate is a small circle with its symbol; each value is a piece of wire with its value
    written above and its gradient below, so "upstream × local" reads at the gate: the wire
    that leaves a gate carries the upstream gradient under it, the wires that enter it the
    gradients it sends back. A leaf's wire starts at a tag with its name (filled by its role,
    :func:`viz.dot.role`), the output's wire ends at one; a value used twice fans out from its
    wire's end. Node ids are those of :func:`viz.dot.build_graph` (``n0, n1, …``, a gate just
    before its output), so a page finds its nodes the same way in both styles; the arguments
    mean what they mean there.

    >>> x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    >>> f = (x + y) * z
    >>> f.backward()
    >>> from autograd import topological_order
    >>> source = build_wires(f, topological_order(f), show="both", rankdir="LR", group=False,
    ...                      grad_text=lambda node: fmt(node.grad)).source
    >>> "<hr/>" in source, 'headport=w' in source, "shape=circle" in source
    (True, True, True)
    """
    value_ids, gate_ids = node_ids(order)
    entry = _entry_gates(order) if group else {}
    diagram = _new_diagram(rankdir, **({"nodesep": "0.1", "ranksep": "0.2"} if entry else {}))
    clusters = _Clusters(diagram, boxed_layers=bool(entry))
    several = len({n.origin for n in order if n.origin is not None and n not in leaves}) > 1
    for node in order:
        where = clusters.graph_for(node.origin if group else None)
        if node.op and node not in leaves:
            where.node(gate_ids[node], **_gate_attrs(node, node is active))
        starts = not node.op or node in leaves
        name = names.get(node, "") or drawn_name(node, with_origin=several and not group or node is root)
        if starts and not name:
            name = fmt(node.data)  # a constant's tag is its number
        end = "start" if starts else "end" if node is root else ""
        label = _wire_label(node, show, grad_text(node), name=name, end=end, fill=FILL[role(node, root)],
                            grad_fill=TOUCHED_FILL if node in touched else None, grad_bold=node is active,
                            mark=mark)
        where.node(value_ids[node], label=label, shape="plain")
    loose = _folded_sums(clusters, order, entry, gate_ids) if entry else set()  # as boxes do
    clusters.close()
    # a wire leaves from its right end (the rule's height) and is entered at its left end
    connect(diagram, order, value_ids, gate_ids, active=active, leaves=leaves, entry=entry, loose=loose,
            into_gate={"tailport": "e"}, out_of_gate={"headport": "w", "arrowhead": "none"})
    return diagram


# An edge's SVG <title> names its ports ("n0:e->n2"); a page finds edges by "n0->n2".
_PORTED_TITLE = re.compile(r"(<title>[^<:]+)(?::[a-z]+)?(&#45;&gt;[^<:]+)(?::[a-z]+)?(</title>)")


def plain_edge_titles(svg: str) -> str:
    """``svg`` with the ports taken out of its edges' titles, as a page looks edges up.

    >>> plain_edge_titles("<title>n0:e&#45;&gt;n2</title><title>n2&#45;&gt;n3:w</title>")
    '<title>n0&#45;&gt;n2</title><title>n2&#45;&gt;n3</title>'
    """
    return _PORTED_TITLE.sub(r"\1\2\3", svg)
