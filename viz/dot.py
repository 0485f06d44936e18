"""DOT building, pure: whole graphs (draw_graph) and single gates (draw_gate) as graphviz.Digraph."""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Callable, Iterable, Mapping, Optional

from autograd import GATES, Value, gate_of, topological_order

from .backend import Diagram

__all__ = ["draw_graph", "draw_gate", "count_nodes", "role", "fmt", "escape", "node_name", "DEFAULT_MAX_NODES"]

#: Significant digits of every number printed on a diagram.
DIGITS = 4
#: Graphs with more value nodes than this are refused by default (Graphviz gets slow, the picture unreadable).
DEFAULT_MAX_NODES = 500
#: Longest label printed; longer labels are cut with "…".
MAX_LABEL = 40

FONT = "Helvetica"
INK = "#1f2937"  # data, labels, outlines
GRAD = "#c2410c"  # gradients: orange-red, so they never read as data
EDGE = "#6b7280"
FILL = {
    "input": "#dbeafe",  # blue
    "parameter": "#fef3c7",  # amber
    "constant": "#f3f4f6",  # grey
    "interior": "#ffffff",  # white
    "output": "#dcfce7",  # green
}
GATE_FILL = "#e5e7eb"
ACTIVE_FILL = "#fdba74"  # the gate of the current backward step
TOUCHED_FILL = "#ffedd5"  # a gradient cell that just received a contribution

SHOWS = ("forward", "backward", "both")
RANKDIRS = ("LR", "TB", "RL", "BT")

# A leaf whose label starts like a weight or a bias: w, w0, W_1, b, b2, bias, ...
_PARAMETER_LABEL = re.compile(r"[wWbB]")


def fmt(x: float) -> str:
    """A number as a diagram prints it: :data:`DIGITS` significant digits, no ``-0``.

    >>> fmt(-12.0), fmt(3.0), fmt(0.123456), fmt(123456.0), fmt(-0.0)
    ('-12', '3', '0.1235', '1.235e+05', '0')
    """
    text = f"{x:.{DIGITS}g}"
    return "0" if text == "-0" else text


def escape(text: str, limit: int = MAX_LABEL) -> str:
    """User text made safe inside a Graphviz HTML-like label (and so in SVG and HTML).

    ``& < > " '`` become entities; control characters are shown as ``\\xNN``; a backslash is
    followed by a zero-width space so Graphviz never reads ``\\N``, ``\\G``, ... as one of its
    escape sequences; text longer than ``limit`` characters is cut with "…".

    >>> escape('<script>"x" & {y|z}</script>')
    '&lt;script&gt;&quot;x&quot; &amp; {y|z}&lt;/script&gt;'
    >>> escape("a" * 50)[-3:]
    'aa…'
    """
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    shown = "".join(
        f"\\x{ord(ch):02x}" if unicodedata.category(ch) in ("Cc", "Cs") else ch for ch in text
    )
    return html.escape(shown, quote=True).replace("\\", "\\\u200b")


def role(node: Value, root: Optional[Value] = None) -> str:
    """The role a node is coloured by in :func:`draw_graph`.

    The rule, in order: the root is ``"output"``; a node made by a gate is ``"interior"``;
    a leaf without a label is a ``"constant"`` (a number written into the expression, such as
    relu's 0); a labelled leaf is a ``"parameter"`` if a network made it (it has an ``origin``)
    or its label starts with ``w``, ``W``, ``b`` or ``B`` (w0, W, b, bias); any other labelled
    leaf is an ``"input"``.

    >>> role(Value(1.0, "x")), role(Value(1.0, "w0")), role(Value(1.0))
    ('input', 'parameter', 'constant')
    """
    if node is root:
        return "output"
    if node.op:
        return "interior"
    if not node.label:
        return "constant"
    if node.origin is not None or _PARAMETER_LABEL.match(node.label):
        return "parameter"
    return "input"


def node_name(node: Value) -> str:
    """How words refer to a node: its label, else ``"the × output"`` or ``"the constant 3"``.

    >>> node_name(Value(2.0, "x")), node_name(Value(2.0) * 3), node_name(Value(3.0))
    ('x', 'the × output', 'the constant 3')
    """
    if node.label:
        return node.label
    if node.op:
        return f"the {gate_symbol(node)} output"
    return f"the constant {fmt(node.data)}"


def _operand(name: str) -> str:
    """A name as it reads after ∂: ``x`` stays ``x``, ``x + y`` becomes ``(x + y)``."""
    return name if re.fullmatch(r"[\w.]+", name) else f"({name})"


def gate_symbol(node: Value) -> str:
    """The text inside a gate's node: the gate table's symbol, with pow's exponent (``^2``)."""
    symbol = gate_of(node).symbol
    return symbol + fmt(node.const) if node.const is not None else symbol


def count_nodes(root: Value, limit: Optional[int] = None) -> int:
    """How many value nodes ``root`` depends on (itself included), stopping early past ``limit``.

    Args:
        root: the node to count from.
        limit: stop as soon as more than ``limit`` nodes are seen (None: count them all).

    Returns:
        The count, or ``limit + 1`` if the walk stopped early.

    >>> x = Value(1.0, "x")
    >>> count_nodes(x * x + 1), count_nodes(x * x + 1, limit=2)
    (4, 3)
    """
    seen = {root}
    stack = [root]
    while stack:
        for parent in stack.pop().parents:
            if parent not in seen:
                seen.add(parent)
                if limit is not None and len(seen) > limit:
                    return len(seen)
                stack.append(parent)
    return len(seen)


def check_size(root: Value, max_nodes: Optional[int], who: str, can_lift: bool = True) -> None:
    """Raise ValueError, fast, if ``root``'s graph has more than ``max_nodes`` value nodes.

    ``can_lift``: whether the caller takes a ``max_nodes`` argument the message may suggest.
    """
    if max_nodes is None:
        return
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"{who}: max_nodes must be a positive int or None, got {max_nodes!r}")
    if count_nodes(root, limit=max_nodes) <= max_nodes:
        return
    cap = max(100 * max_nodes, 100_000)
    size = count_nodes(root, limit=cap)
    how_large = f"more than {cap:,}" if size > cap else f"{size:,}"
    lift = (
        " or pass max_nodes=None to draw it all anyway (slow to lay out; group=True boxes the "
        "nodes by layer and neuron so a big drawing stays readable)"
        if can_lift
        else " or draw the whole graph once with viz.draw_graph(root, max_nodes=None)"
    )
    raise ValueError(
        f"{who}: the graph has {how_large} value nodes, more than max_nodes={max_nodes}. "
        f"Draw a subgraph instead (e.g. one neuron's output or the loss of a single example),{lift}."
    )


def _check_root(root: object, who: str) -> None:
    if not isinstance(root, Value):
        raise TypeError(f"{who} needs an autograd.Value, got {type(root).__name__}")


def _check_choice(who: str, name: str, value: object, choices: Iterable[str]) -> None:
    choices = tuple(choices)
    if value not in choices:
        raise ValueError(f"{who}: {name} must be one of {', '.join(map(repr, choices))}; got {value!r}")


def _html(inner: str) -> str:
    """Mark text as a Graphviz HTML-like label (the graphviz package passes ``<...>`` through)."""
    return f"<{inner}>"


def _table(cells: list[str], fill: str, border: str = INK) -> str:
    return (
        f'<table border="0" cellborder="1" cellspacing="0" cellpadding="4" bgcolor="{fill}" '
        f'color="{border}"><tr>{"".join(cells)}</tr></table>'
    )


def _grad_cell(text: str, fill: Optional[str] = None, bold: bool = False) -> str:
    inner = f'<font color="{GRAD}">grad {text}</font>'
    inner = f"<b>{inner}</b>" if bold else inner
    return f'<td bgcolor="{fill}">{inner}</td>' if fill else f"<td>{inner}</td>"


def _value_label(node: Value, fill: str, show: str, grad: str, grad_fill: Optional[str] = None,
                 grad_bold: bool = False, name: str = "") -> str:
    cells = []
    if node.label or name:
        cells.append(f"<td><b>{escape(node.label or name)}</b></td>")
    if show != "backward":
        cells.append(f"<td>data {fmt(node.data)}</td>")
    if show != "forward":
        cells.append(_grad_cell(grad, grad_fill, grad_bold))
    return _html(_table(cells, fill))


def _new_diagram(rankdir: str, **graph_attr: str) -> Diagram:
    return Diagram(
        graph_attr={"rankdir": rankdir, "fontname": FONT, "nodesep": "0.25", "ranksep": "0.35",
                    "bgcolor": "white", **graph_attr},
        node_attr={"fontname": FONT, "fontsize": "11", "fontcolor": INK},
        edge_attr={"fontname": FONT, "fontsize": "10", "color": EDGE, "arrowsize": "0.6"},
    )


def _gate_attrs(node: Value, active: bool) -> dict[str, str]:
    marked = {"class": "active"} if active else {}  # SVG class, so a page can find the active gate
    return {
        **marked,
        "label": _html(f"<b>{escape(gate_symbol(node))}</b>"),
        "shape": "circle",
        "style": "filled",
        "fillcolor": ACTIVE_FILL if active else GATE_FILL,
        "color": GRAD if active else EDGE,
        "penwidth": "2" if active else "1",
        "width": "0.3",
        "margin": "0.02",
    }


class _Clusters:
    """Nested cluster subgraphs by ``origin`` ("L1.N3" lies in "L1"), in order of first use."""

    def __init__(self, top: Diagram) -> None:
        self.top = top
        self.graphs: dict[str, Diagram] = {}
        self.children: dict[Optional[str], list[str]] = {None: []}

    def graph_for(self, origin: Optional[str]) -> Diagram:
        if origin is None:
            return self.top
        parent: Optional[str] = None
        parts = origin.split(".")
        for i in range(len(parts)):
            prefix = ".".join(parts[: i + 1])
            if prefix not in self.graphs:
                outer = i == 0
                self.graphs[prefix] = Diagram(
                    name=f"cluster_{len(self.graphs)}",
                    graph_attr={
                        "label": _html(escape(prefix)),
                        "labeljust": "l",
                        "fontsize": "10",
                        "fontcolor": EDGE,
                        "color": "#9ca3af",
                        "style": "rounded" if outer else "rounded,dashed",
                        "margin": "8",
                    },
                )
                self.children.setdefault(parent, []).append(prefix)
                self.children[prefix] = []
            parent = prefix
        return self.graphs[origin]

    def close(self, key: Optional[str] = None) -> None:
        """Add every cluster to its parent, innermost first (a subgraph is copied when added)."""
        for child in self.children.get(key, []):
            self.close(child)
            (self.top if key is None else self.graphs[key]).subgraph(self.graphs[child])


def node_ids(order: list[Value]) -> tuple[dict[Value, str], dict[Value, str]]:
    """Ids ``n0, n1, …`` for every drawn node in topological order: a gate just before its output.

    Returns:
        ``(value_ids, gate_ids)``, both keyed by the value node (a gate by the node it makes).
    """
    value_ids: dict[Value, str] = {}
    gate_ids: dict[Value, str] = {}
    for node in order:
        if node.op:
            gate_ids[node] = f"n{len(value_ids) + len(gate_ids)}"
        value_ids[node] = f"n{len(value_ids) + len(gate_ids)}"
    return value_ids, gate_ids


def build_graph(
    root: Value,
    order: list[Value],
    *,
    show: str,
    rankdir: str,
    group: bool,
    grad_text: Callable[[Value], str],
    active: Optional[Value] = None,
    touched: Mapping[Value, object] = {},
) -> Diagram:
    """The diagram of ``order`` (see :func:`draw_graph`); frames pass ``active`` and ``touched``."""
    value_ids, gate_ids = node_ids(order)
    diagram = _new_diagram(rankdir)
    clusters = _Clusters(diagram)
    for node in order:
        where = clusters.graph_for(node.origin if group else None)
        if node.op:
            where.node(gate_ids[node], **_gate_attrs(node, node is active))
        label = _value_label(
            node, FILL[role(node, root)], show, grad_text(node),
            grad_fill=TOUCHED_FILL if node in touched else None, grad_bold=node is active,
        )
        where.node(value_ids[node], label=label, shape="plain")
    clusters.close()
    for node in order:
        if not node.op:
            continue
        hot = {"color": GRAD, "penwidth": "2"} if node is active else {}
        for parent in node.parents:  # a parent used twice gets two edges
            diagram.edge(value_ids[parent], gate_ids[node], **hot)
        diagram.edge(gate_ids[node], value_ids[node], **hot)
    return diagram


def draw_graph(
    root: Value,
    *,
    show: str = "both",
    rankdir: str = "LR",
    group: bool = True,
    max_nodes: Optional[int] = DEFAULT_MAX_NODES,
) -> Diagram:
    """The computation graph behind ``root``: every value with its data and grad, every gate.

    Value nodes are records ``label | data | grad`` (the label cell only if the node has a
    label), drawn as Graphviz HTML-like tables — the successor of ``shape=record`` — so the
    gradient can have its own colour; each gate is its own small circle with the gate table's
    symbol (pow shows its exponent, ``^2``), and edges run
    value → gate → value. A node used twice (``a * a``) sends two edges. Numbers have
    :data:`DIGITS` (4) significant digits. Node ids are ``n0, n1, …`` in topological order, so
    the same graph always gives the same DOT text. Call ``root.backward()`` first to see
    gradients; this function only reads them.

    Legend — fill colour by role (see :func:`role` for the exact rule):

    - blue: input (a labelled leaf such as ``x``)
    - amber: parameter (a leaf a network made, or labelled ``w…``/``W…``/``b…``/``B…``)
    - grey: constant (an unlabelled leaf: a number in the expression)
    - white: interior (made by a gate)
    - green: output (``root``)
    - grey circles: gates; data is printed in dark grey, gradients in orange-red.

    Args:
        root: the output node.
        show: ``"forward"`` (data only), ``"backward"`` (grad only) or ``"both"``.
        rankdir: Graphviz direction: ``"LR"`` (inputs on the left), ``"TB"``, ``"RL"``, ``"BT"``.
        group: box nodes that carry an ``origin`` (set by networks, e.g. ``"L1.N3"``) in
            nested clusters, one per layer ``L1`` holding one per neuron ``L1.N3``.
        max_nodes: refuse graphs with more value nodes than this (None: no limit). The nodes
            are counted before anything is built, stopping as soon as the limit is passed.

    Returns:
        A :class:`viz.Diagram` (a ``graphviz.Digraph``); write it with :func:`viz.render`.

    Raises:
        TypeError: ``root`` is not a Value.
        ValueError: a bad ``show``/``rankdir``/``max_nodes``, or a graph over ``max_nodes``.

    >>> x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    >>> f = (x + y) * z
    >>> f.backward()
    >>> dot = draw_graph(f)
    >>> "grad -4" in dot.source and "data -12" in dot.source
    True
    """
    who = "draw_graph"
    _check_root(root, who)
    _check_choice(who, "show", show, SHOWS)
    _check_choice(who, "rankdir", rankdir, RANKDIRS)
    check_size(root, max_nodes, who)
    return build_graph(
        root, topological_order(root), show=show, rankdir=rankdir, group=bool(group),
        grad_text=lambda node: fmt(node.grad),
    )


def gate_numbers(node: Value) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The local derivatives of the gate that made ``node`` and local × ``node.grad`` for each input."""
    local = gate_of(node).local_grads_at(node.data, [p.data for p in node.parents], node.const)
    return tuple(local), tuple(g * node.grad for g in local)


def draw_gate(node: Value) -> Diagram:
    """One gate alone: its inputs, output, upstream gradient, local derivatives and rule.

    The inputs (with their forward values) point into the gate, the gate into its output,
    which shows its data and its gradient — the upstream gradient. Each input edge is
    labelled with the local derivative ∂out/∂input and the gradient sent back to that input,
    upstream × local = contribution. The title states the gate table's rule in words
    ("add distributes", "max routes", "mul swaps", ...). Call ``backward()`` on the final
    output first, so the upstream gradient is filled in.

    Args:
        node: the output of the gate to draw (a node with an ``op``).

    Returns:
        A :class:`viz.Diagram`.

    Raises:
        TypeError: ``node`` is not a Value.
        ValueError: ``node`` is a leaf, made by no gate.

    >>> x, y = Value(-2.0, "x"), Value(5.0, "y")
    >>> q = x + y
    >>> q.grad = -4.0
    >>> dot = draw_gate(q)
    >>> "add distributes" in dot.source and "-4 × 1 = -4" in dot.source
    True
    """
    who = "draw_gate"
    _check_root(node, who)
    if not node.op:
        raise ValueError(
            f"{who}: {node_name(node)!r} is a leaf, made by no gate; pass the output of a gate "
            f"(a node with an op, one of {', '.join(GATES)})"
        )
    gate = gate_of(node)
    local, sent = gate_numbers(node)
    names = ["x"] if gate.arity == 1 else ["a", "b"]
    out_name = node.label or "out"
    title = (
        f"<b>{escape(gate.name)} gate ({escape(gate_symbol(node))})</b><br/>"
        f"{escape(gate.rule, limit=200)}<br/>"
        f'<font color="{GRAD}">gradient sent back = upstream × local</font>'
    )
    diagram = _new_diagram("LR", label=_html(title), labelloc="t", fontsize="12")
    ids: dict[Value, str] = {}
    name_of: dict[Value, str] = {}  # a * a: one input node, one name, two edges
    for i, parent in enumerate(node.parents):
        if parent not in ids:
            ids[parent] = f"n{len(ids)}"
            name_of[parent] = parent.label or names[i]
            label = _value_label(parent, FILL[role(parent)], "forward", "", name=name_of[parent])
            diagram.node(ids[parent], label=label, shape="plain")
    gate_id, out_id = f"n{len(ids)}", f"n{len(ids) + 1}"
    diagram.node(gate_id, **_gate_attrs(node, active=True))
    label = _value_label(node, FILL["output"], "both", fmt(node.grad), name=out_name)
    diagram.node(out_id, label=label, shape="plain")
    for parent, lg, c in zip(node.parents, local, sent):
        label = (
            f"local ∂{escape(_operand(out_name))}/∂{escape(_operand(name_of[parent]))} = {fmt(lg)}<br/>"
            f'<font color="{GRAD}">sent back: {fmt(node.grad)} × {fmt(lg)} = {fmt(c)}</font>'
        )
        diagram.edge(ids[parent], gate_id, label=_html(label))
    diagram.edge(gate_id, out_id, label=_html(f'<font color="{GRAD}">upstream {fmt(node.grad)}</font>'))
    return diagram
