"""DOT building, pure: whole graphs (draw_graph) and single gates (draw_gate) as graphviz.Digraph."""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Any, Callable, Collection, Iterable, Mapping, NamedTuple, Optional

from autograd import GATES, Value, gate_of, topological_order

from .backend import LAYER_COMMENT, Diagram
from .i18n import CJK_RUN, FONT_STACK, check_lang, gate_rule, text

__all__ = ["draw_graph", "draw_gate", "count_nodes", "role", "fmt", "escape", "node_name", "drawn_name",
           "key_rows", "add_key", "DEFAULT_MAX_NODES"]

#: Significant digits of every number printed on a diagram.
DIGITS = 4
#: Graphs with more value nodes than this are refused by default (Graphviz gets slow, the picture unreadable).
DEFAULT_MAX_NODES = 500
#: Longest label printed; longer labels are cut with "…".
MAX_LABEL = 40
#: A grouped network packs tighter (more fits on a screen): Graphviz spacing in inches, and the
#: padding of a value's cells in points.
NETWORK_SPACING = {"nodesep": "0.05", "ranksep": "0.12"}
NETWORK_CELLPADDING = 3
#: A grouped network keeps the order it is written in (N0 above N1, x0 above x1): every layer
#: feeds every neuron of the next, so any order crosses as often, and dot's crossing
#: minimisation would only shuffle the ties. A small ``mclimit`` stops it early.
NETWORK_ORDER = {"mclimit": "0.01"}

FONT = "Helvetica"
INK = "#1f2937"  # data, labels, outlines: near-black
# gradients: a dark orange-red, so they never read as data; dark enough for WCAG AA (contrast
# >= 4.5 : 1) on every fill a value's cells can have (see tests/viz/test_viz_dot.py)
GRAD = "#9a3412"
EDGE = "#6b7280"  # edges, and cluster names on the white page
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

#: What the colour key says, in order: the roles a value is filled by (see :func:`role`).
ROLE_KEYS = ("input", "parameter", "constant", "interior", "output")

SHOWS = ("forward", "backward", "both")
RANKDIRS = ("LR", "TB", "RL", "BT")

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


def fit_cjk(markup: str) -> str:
    """Label markup whose CJK runs lay out at their real width, in a font stack that has them.

    Graphviz (and graphviz-pure) measure text with built-in tables of Latin fonts: a character
    they do not know counts as spaces, one per UTF-8 byte, in Times (the metrics any unknown
    font gets) — 3 × 0.25 em for a CJK character, which a CJK font draws 1 em wide. Each run
    is therefore set in :data:`viz.i18n.FONT_STACK` (Latin first, then common CJK fonts, so
    the SVG's ``font-family`` falls back to one) and followed by one space per character: the
    measured width becomes 3 × 0.25 + 0.25 = 1 em a character, and the spaces, trailing the
    run, draw nothing.

    >>> fit_cjk("权重w").endswith(">权重  </font>w")
    True
    """
    return CJK_RUN.sub(lambda run: f'<font face="{FONT_STACK}">{run.group()}{" " * len(run.group())}</font>', markup)


def label_text(text: str, limit: int = MAX_LABEL) -> str:
    """Text for a Graphviz HTML-like label: escaped (:func:`escape`), CJK runs fitted (:func:`fit_cjk`)."""
    return fit_cjk(escape(text, limit))


def role(node: Value, root: Optional[Value] = None) -> str:
    """The role a node is coloured by in :func:`draw_graph`: a key of :data:`FILL`.

    The root is ``"output"``; a node made by a gate is ``"interior"`` (a gate output); a leaf
    has the role it was made with (:attr:`autograd.Value.role`: ``"input"``, ``"parameter"``
    — a network marks its weights so, ``Value(0.5, "w", role="parameter")`` by hand — or
    ``"constant"``). Never read from a label's spelling.

    >>> role(Value(1.0, "x")), role(Value(1.0, "w0")), role(Value(1.0, "a", role="parameter")), role(Value(1.0))
    ('input', 'input', 'parameter', 'constant')
    """
    if node is root:
        return "output"
    if node.op:
        return "interior"
    return node.role


def drawn_name(node: Value, with_origin: bool = True) -> str:
    """The short name a diagram prints on a node: its label, else what it is where it was made.

    A network's node prints its part, after its neuron where ``with_origin`` (``"L2.N3 relu"``);
    a loss's its part (``"margin"``); anything else "" (the box shows its numbers only).

    >>> from autograd import origin
    >>> with origin("L2.N3", {"max": "relu"}):
    ...     h = Value(0.5).relu()
    >>> drawn_name(h), drawn_name(h, with_origin=False), drawn_name(Value(1.0, "x")), drawn_name(Value(1.0))
    ('L2.N3 relu', 'relu', 'x', '')
    """
    if node.label:
        return node.label
    part = node.part
    if part is None:
        return ""
    return f"{node.origin} {part}" if with_origin and node.origin else part


def node_name(node: Value) -> str:
    """How words refer to a node: its :func:`drawn_name`, else ``"the × output"`` or ``"the constant 3"``.

    >>> node_name(Value(2.0, "x")), node_name(Value(2.0) * 3), node_name(Value(3.0))
    ('x', 'the × output', 'the constant 3')
    """
    name = drawn_name(node)
    if name:
        return name
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


def check_size(root: Value, max_nodes: Optional[int], who: str, can_lift: bool = True,
               drawn: Optional[int] = None) -> None:
    """Raise ValueError, fast, if ``root``'s graph has more than ``max_nodes`` value nodes.

    ``can_lift``: whether the caller takes a ``max_nodes`` argument the message may suggest.
    ``drawn``: the number of nodes of a collapsed drawing, checked instead of the graph's.
    """
    if max_nodes is None:
        return
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"{who}: max_nodes must be a positive int or None, got {max_nodes!r}")
    if drawn is not None:
        if drawn > max_nodes:
            raise ValueError(
                f"{who}: collapsed, the graph still has {drawn:,} nodes, more than max_nodes={max_nodes}. "
                f'Collapse further with collapse="layer", draw a subgraph, or pass max_nodes=None.'
            )
        return
    if count_nodes(root, limit=max_nodes) <= max_nodes:
        return
    cap = max(100 * max_nodes, 100_000)
    size = count_nodes(root, limit=cap)
    how_large = f"more than {cap:,}" if size > cap else f"{size:,}"
    lift = (
        " or collapse a network: collapse=\"neuron\" draws each neuron as one node (collapse=\"layer\" "
        "each layer), or pass max_nodes=None to draw it all anyway (slow to lay out; group=True boxes "
        "the nodes by layer and neuron so a big drawing stays readable)"
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


def _table(cells: list[str], fill: str, border: str = INK, padding: int = 4, head: str = "") -> str:
    return (
        f'<table border="0" cellborder="1" cellspacing="0" cellpadding="{padding}" bgcolor="{fill}" '
        f'color="{border}">{head}<tr>{"".join(cells)}</tr></table>'
    )


def _word(key: str, lang: str) -> str:
    """A word of :mod:`viz.i18n` ready for a label (CJK fitted)."""
    return fit_cjk(text(key, lang))


#: A page's hook on gradient cells: called with what a cell prints, as parts (plain text, and the
#: Values whose gradients go there) and its alignment, it returns the cell's TITLE. Graphviz wraps
#: a cell that has a TITLE and an HREF in ``<a xlink:href="#" xlink:title="...">`` in SVG, so a
#: page finds each cell by it, however the text inside was laid out.
CellMark = Callable[[list, str], str]


def _title(mark: Optional[CellMark], parts: list, align: str = "center") -> str:
    """The TITLE (and HREF) attributes of a marked cell (nothing without a mark).

    Graphviz before 2.50 or so (Debian's 2.43) writes the ``<a>`` only for a cell with an HREF;
    the page replaces the whole anchor with its own cell, so the link never reaches a reader.
    """
    return f' title="{html.escape(mark(parts, align), quote=True)}" href="#"' if mark else ""


def _grad_cell(grad: str, fill: Optional[str] = None, bold: bool = False, lang: str = "en",
               title: str = "") -> str:
    inner = f'<font color="{GRAD}">{_word("grad", lang)} {grad}</font>'
    inner = f"<b>{inner}</b>" if bold else inner
    return f'<td bgcolor="{fill}"{title}>{inner}</td>' if fill else f"<td{title}>{inner}</td>"


def _value_label(node: Value, fill: str, show: str, grad: str, grad_fill: Optional[str] = None,
                 grad_bold: bool = False, name: str = "", lang: str = "en", padding: int = 4,
                 mark: Optional[CellMark] = None, note: str = "", border: str = INK,
                 part: Optional[str] = None) -> str:
    """A value's record: its label (or ``name``) in a cell of its own, then its data and grad.

    A node without either says what it is (``part``, else its :func:`drawn_name`) on a row
    above its numbers, which is no wider than they are: naming a network's many products and
    sums costs the drawing height, not width.
    """
    cells = []
    own = node.label or name
    if own:
        cells.append(f"<td><b>{label_text(own)}</b></td>")
    if show != "backward":
        cells.append(f"<td>{_word('data', lang)} {fmt(node.data)}</td>")
    if show != "forward":
        cells.append(_grad_cell(grad, grad_fill, grad_bold, lang, _title(mark, [text("grad", lang) + " ", node])))
    said = "" if own else (drawn_name(node) if part is None else part)  # a node says what it is wherever drawn
    head = f'<tr><td colspan="{len(cells)}"><b>{label_text(said)}</b></td></tr>' if said else ""
    if note:  # a lens's words about the node, on a row under its cells
        return _html(_table(cells, fill, border=border, padding=padding, head=head).replace(
            "</tr></table>", f'</tr><tr><td colspan="{len(cells)}">{note}</td></tr></table>'))
    return _html(_table(cells, fill, border=border, padding=padding, head=head))


class Mark(NamedTuple):
    """How a lens marks one drawn node: its fill, its outline, words on a row of their own
    (label markup, escaped already), and for a gate's output the fill of the gate's circle."""

    fill: str
    border: str = INK
    note: str = ""
    gate_fill: Optional[str] = None


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
        "label": _html(f"<b>{label_text(gate_symbol(node))}</b>"),
        "shape": "circle",
        "style": "filled",
        "fillcolor": ACTIVE_FILL if active else GATE_FILL,
        "color": GRAD if active else EDGE,
        "penwidth": "2" if active else "1",
        "width": "0.3",
        "margin": "0.02",
    }


def origin_sort_key(origin: str) -> tuple[object, ...]:
    """Natural order of origins: ``"L2"`` before ``"L10"``, ``"L1.N2"`` before ``"L1.N10"``.

    >>> sorted(["L10", "L2.N10", "L2.N2", "L1"], key=origin_sort_key)
    ['L1', 'L2.N2', 'L2.N10', 'L10']
    """
    # re.split with a group alternates text and digit runs, so equal positions compare alike
    return tuple(int(part) if i % 2 else part for i, part in enumerate(re.split(r"(\d+)", origin)))


def layer_of(origin: str) -> str:
    """The layer part of an origin: ``"L1.N3"`` → ``"L1"``."""
    return origin.split(".", 1)[0]


def _entry_gates(order: list[Value]) -> dict[Value, list[Value]]:
    """Each gate fed from outside its layer (by an input or the previous layer), with its own leaves.

    These are a neuron's first gates, the × of each weight with what comes in; the leaves are
    the parents that carry the gate's own origin (the weight).
    """
    entry: dict[Value, list[Value]] = {}
    for node in order:
        if node.op and node.origin is not None:
            layer = layer_of(node.origin)
            if any(p.origin is None or layer_of(p.origin) != layer for p in node.parents):
                own = [p for p in node.parents if not p.op and p.origin == node.origin]
                entry[node] = list(dict.fromkeys(own))
    return entry


def _entry_ranks(clusters: "_Clusters", entry: Mapping[Value, list[Value]], gate_ids: Mapping[Value, str]) -> None:
    """Stand each neuron's entry gates in one rank, the first of its layer after the weights.

    The edges from the previous layer (or the inputs) then all end in one column, the weights
    sit just left of the gates they feed, and the rest of the neuron follows to the right.
    """
    by_neuron: dict[str, list[str]] = {}
    for gate in entry:
        by_neuron.setdefault(gate.origin, []).append(gate_ids[gate])  # type: ignore[arg-type]
    for neuron, gates in by_neuron.items():
        rank = Diagram(graph_attr={"rank": "same"})
        for name in gates:
            rank.node(name)
        clusters.graph_for(neuron).subgraph(rank)


def _folded_sums(clusters: "_Clusters", order: list[Value], entry: Mapping[Value, list[Value]],
                 gate_ids: Mapping[Value, str]) -> set[tuple[Value, Value]]:
    """Fold each neuron's running sum ``((b + w0·x0) + w1·x1) + w2·x2`` into one column of gates.

    Every link of the chain (a sum that feeds the next gate of its kind in its neuron) is left
    out of dot's ranking: the chain's gates then stand in one rank, just right of the products
    they add, and their sums in the next, instead of one rank per input. A neuron of ``n``
    inputs takes 7 ranks instead of ``2n + 5``; the 3 → 4 → 4 → 1 network's drawing turns from
    about 4.2 : 1 into about 2 : 1.

    Returns:
        The ``(parent, gate)`` edges to draw with ``constraint=false``.
    """
    _entry_ranks(clusters, entry, gate_ids)
    loose: set[tuple[Value, Value]] = set()
    chains: dict[str, list[str]] = {}
    for node in order:
        if not node.op or node.origin is None or node in entry:
            continue
        links = [p for p in node.parents if p.op == node.op and p.origin == node.origin and p not in entry]
        if links:
            loose.update((p, node) for p in links)
            chain = chains.setdefault(node.origin, [])
            chain.extend(gate_ids[n] for n in (*links, node) if gate_ids[n] not in chain)
    for neuron, gates in chains.items():
        rank = Diagram(graph_attr={"rank": "same"})
        for name in gates:
            rank.node(name)
        clusters.graph_for(neuron).subgraph(rank)
    return loose


def _layer_columns(diagram: Diagram, order: list[Value], entry: Mapping[Value, list[Value]],
                   value_ids: Mapping[Value, str], gate_ids: Mapping[Value, str]) -> None:
    """Invisible anchors that stand each layer in its own column, left to right.

    Anchor ``k`` sits between layer ``k - 1`` and layer ``k``: every output of layer ``k - 1``
    (a node used outside its layer, or the root) points into it, and it points into every
    entry gate of layer ``k`` and every other leaf of layer ``k`` (a bias, relu's 0). Each of
    dot's edges asks for one rank at least, so all of layer ``k - 1`` lies left of the anchor
    and all of layer ``k`` right of it. Leaves without an origin go before the first layer that
    uses them (the inputs), or after the last layer their users come from (a loss's constants).
    The inputs of a layer stand in one column in the order they were made (x0 on top), held
    there by invisible edges from each to the next.
    """
    layers = sorted({layer_of(n.origin) for n in order if n.origin is not None}, key=origin_sort_key)
    index = {name: i for i, name in enumerate(layers)}
    consumers: dict[Value, list[Value]] = {}
    for node in order:
        for parent in node.parents:
            consumers.setdefault(parent, []).append(node)
    paired = {leaf for leaves in entry.values() for leaf in leaves}
    into: list[list[str]] = [[] for _ in range(len(layers) + 1)]  # anchor k's sources
    out_of: list[list[str]] = [[] for _ in range(len(layers) + 1)]  # anchor k's targets
    for gate in entry:
        out_of[index[layer_of(gate.origin)]].append(gate_ids[gate])
    stage: dict[Value, int] = {}  # the last layer a node comes after (-1: before them all)
    for node in order:
        users = consumers.get(node, [])
        if node.origin is not None:
            layer = layer_of(node.origin)
            k = stage[node] = index[layer]
            if not node.parents and node not in paired:
                out_of[k].append(value_ids[node])
            if not users or any(u.origin is None or layer_of(u.origin) != layer for u in users):
                into[k + 1].append(value_ids[node])
        else:
            stage[node] = max((stage[p] for p in node.parents), default=-1)
    inputs: list[list[str]] = [[] for _ in range(len(layers) + 1)]  # the leaves that feed layer k first
    for node in order:
        if node.parents or node.origin is not None:
            continue
        users = consumers.get(node, [])
        first = [index[layer_of(u.origin)] for u in users if u.origin is not None]
        if first:
            into[min(first)].append(value_ids[node])
            inputs[min(first)].append(value_ids[node])
        elif users and max(stage[u] for u in users) >= 0:
            out_of[max(stage[u] for u in users) + 1].append(value_ids[node])
    for k, (sources, targets) in enumerate(zip(into, out_of)):
        if not sources or not targets:
            continue
        anchor = f"column{k}"
        diagram.node(anchor, label="", shape="point", style="invis", width="0", height="0")
        for source in sources:
            diagram.edge(source, anchor, style="invis")
        for target in targets:
            diagram.edge(anchor, target, style="invis")
    for column in inputs:  # one column in the order made, x0 on top
        stack_in_order(diagram, column)
    _weights_by_inputs(diagram, entry, value_ids)


def _weights_by_inputs(diagram: Diagram, entry: Mapping[Value, list[Value]], value_ids: Mapping[Value, str]) -> None:
    """Stand each neuron's weights in the order of their inputs (w.0 by x0 on top, then w.1, …).

    An invisible edge from each input to the weight it is multiplied by: crossing minimisation
    then keeps the weights in the inputs' order, which stand in order already (x0 on top, or
    the previous layer's N0 on top). Invisible flat edges between the weights, as for the
    inputs, are not kept inside a neuron's box: both dot 2.43 and graphviz-pure turned whole
    neurons upside down (w1.3.2 on top of w1.3.0). Each edge spans one rank (an input stands
    a rank before its layer's weights): the 3 → 4 → 4 → 1 drawing keeps its width.
    """
    for gate, own in entry.items():
        for outside in (p for p in gate.parents if p not in own):
            for weight in own:
                diagram.edge(value_ids[outside], value_ids[weight], style="invis")


def stack_in_order(diagram: Diagram, names: list[str]) -> None:
    """Stand the nodes ``names`` in one rank, in that order (first on top in ``LR``).

    Invisible flat edges, each from a node to the next, fix the order, which crossing
    minimisation would otherwise choose.
    """
    if len(names) < 2:
        return
    rank = Diagram(graph_attr={"rank": "same"})
    for name in names:
        rank.node(name)
    for upper, lower in zip(names, names[1:]):
        rank.edge(upper, lower, style="invis")
    diagram.subgraph(rank)


class _Clusters:
    """Nested cluster subgraphs by ``origin`` ("L1.N3" lies in "L1"), in order of first use.

    With ``boxed_layers`` (a network), a layer cluster that holds neuron clusters only is marked
    with the comment :data:`viz.backend.LAYER_COMMENT`: the backend lays the network out without
    it and draws its box around its neurons afterwards (see :func:`viz.backend.pinned_layers`).
    """

    def __init__(self, top: Diagram, boxed_layers: bool = False) -> None:
        self.top = top
        self.graphs: dict[str, Diagram] = {}
        self.children: dict[Optional[str], list[str]] = {None: []}
        self.boxed_layers = boxed_layers
        self.holds_nodes: set[str] = set()  # clusters with nodes of their own, not only sub-clusters

    def graph_for(self, origin: Optional[str]) -> Diagram:
        if origin is None:
            return self.top
        self.holds_nodes.add(origin)
        parent: Optional[str] = None
        parts = origin.split(".")
        for i in range(len(parts)):
            prefix = ".".join(parts[: i + 1])
            if prefix not in self.graphs:
                outer = i == 0
                self.graphs[prefix] = Diagram(
                    name=f"cluster_{len(self.graphs)}",
                    graph_attr={
                        "label": _html(label_text(prefix)),
                        "labeljust": "l",
                        "fontsize": "10",
                        "fontcolor": EDGE,
                        "color": "#9ca3af",
                        "style": "rounded" if outer else "rounded,dashed",
                        "margin": "4",
                    },
                )
                self.children.setdefault(parent, []).append(prefix)
                self.children[prefix] = []
            parent = prefix
        return self.graphs[origin]

    def close(self, key: Optional[str] = None) -> None:
        """Add every cluster to its parent, innermost first (a subgraph is copied when added).

        Siblings go in natural order ("L2" before "L10", "N0" on top of "N1"), the order dot
        starts its crossing minimisation from.
        """
        for child in sorted(self.children.get(key, []), key=origin_sort_key):
            self.close(child)
            if key is None and self.boxed_layers and self.children[child] and child not in self.holds_nodes:
                self.graphs[child].comment = LAYER_COMMENT
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
    lang: str = "en",
    mark: Optional[CellMark] = None,
    leaves: Collection[Value] = (),
    names: Mapping[Value, str] = {},
    marks: Mapping[Value, Mark] = {},
) -> Diagram:
    """The diagram of ``order`` (see :func:`draw_graph`); frames pass ``active`` and ``touched``,
    lenses ``marks`` (a node's fill, outline and a row of words; see :mod:`viz.lens`).

    A page passes ``mark`` (see :data:`CellMark`) to find the gradient cells in the SVG;
    ``leaves``: nodes of ``order`` drawn without the gate that made them (a part of a graph);
    ``names``: a name for a node without a label (else it prints its :func:`drawn_name`:
    inside its neuron's box its part alone, ``"relu"``; where it leaves its neuron, or without
    boxes in a drawing of several neurons, after its neuron, ``"L2.N3 relu"``).

    A grouped network (``group`` and nodes with a network's ``origin``) is drawn as layer
    columns, with tighter spacing (see :func:`_layer_columns`), each neuron's weights in their
    inputs' order and its running sum folded into one column of gates (see :func:`_folded_sums`).
    """
    value_ids, gate_ids = node_ids(order)
    entry = _entry_gates(order) if group else {}
    diagram = _new_diagram(rankdir, **({**NETWORK_SPACING, **NETWORK_ORDER} if entry else {}))
    padding = NETWORK_CELLPADDING if entry else 4
    clusters = _Clusters(diagram, boxed_layers=bool(entry))
    # the nodes whose name says their neuron too: in boxes, those that leave their neuron's box;
    # without, every one if the drawing holds parts of several neurons (an expanded one needs none)
    leaving: set[Value] = {root}
    if group:
        for node in order:
            leaving.update(p for p in node.parents if p.origin is not None and p.origin != node.origin)
    elif len({n.origin for n in order if n.origin is not None and n not in leaves}) > 1:
        leaving = set(order)
    for node in order:
        where = clusters.graph_for(node.origin if group else None)
        lens = marks.get(node)
        if node.op and node not in leaves:
            attrs = _gate_attrs(node, node is active)
            if lens is not None and lens.gate_fill:
                attrs["fillcolor"] = lens.gate_fill
            where.node(gate_ids[node], **attrs)
        label = _value_label(
            node, lens.fill if lens else FILL[role(node, root)], show, grad_text(node),
            grad_fill=TOUCHED_FILL if node in touched else None, grad_bold=node is active,
            lang=lang, padding=padding, mark=mark, name=names.get(node, ""), part=drawn_name(node, node in leaving),
            **({"note": lens.note, "border": lens.border} if lens else {}),
        )
        where.node(value_ids[node], label=label, shape="plain")
    loose = _folded_sums(clusters, order, entry, gate_ids) if entry else set()
    clusters.close()
    connect(diagram, order, value_ids, gate_ids, active=active, leaves=leaves, entry=entry, loose=loose)
    return diagram


def connect(diagram: Diagram, order: list[Value], value_ids: Mapping[Value, str], gate_ids: Mapping[Value, str], *,
            active: Optional[Value], leaves: Collection[Value], entry: Mapping[Value, list[Value]],
            into_gate: Mapping[str, str] = {}, out_of_gate: Mapping[str, str] = {},
            loose: Collection[tuple[Value, Value]] = ()) -> None:
    """The edges of a drawing, value → gate → value (the ``active`` gate's in orange), with the
    attributes ``into_gate`` and ``out_of_gate``; ``loose`` edges (parent, gate's node) — a neuron's
    running sum folded into one column (:func:`_folded_sums`) — do not constrain the ranks; then a
    grouped network's layer columns (``entry``: :func:`_entry_gates`), or a part's entry gates in
    one column."""
    for node in order:
        if not node.op or node in leaves:
            continue
        hot = {"color": GRAD, "penwidth": "2"} if node is active else {}
        for parent in node.parents:  # a parent used twice gets two edges
            folded = {"constraint": "false"} if (parent, node) in loose else {}
            diagram.edge(value_ids[parent], gate_ids[node], **into_gate, **hot, **folded)
        diagram.edge(gate_ids[node], value_ids[node], **out_of_gate, **hot)
    if entry:
        _layer_columns(diagram, order, entry, value_ids, gate_ids)
    elif leaves:  # a part drawn alone (an expanded neuron): the gates it takes its inputs in, one column
        fed = [gate_ids[n] for n in order if n.op and n not in leaves and any(p in leaves for p in n.parents)]
        stack_in_order(diagram, fed)


def draw_graph(
    root: Value,
    *,
    show: str = "both",
    rankdir: str = "LR",
    group: bool = True,
    max_nodes: Optional[int] = DEFAULT_MAX_NODES,
    collapse: Optional[str] = None,
    lang: str = "en",
    legend: bool = True,
    check: bool = False,
    lens: Optional[str] = None,
    health: Optional[Mapping[str, Any]] = None,
    style: str = "boxes",
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

    Legend — fill colour by role, from how each node was made (see :func:`role`), drawn under
    the diagram as a key unless ``legend=False``:

    - blue: input (a leaf made as one: ``Value(2.0, "x")``)
    - amber: parameter (a network's weights and biases, or ``Value(0.5, "w", role="parameter")``)
    - grey: constant (a number in the expression, or ``role="constant"``)
    - white: gate output (made by a gate)
    - green: output (``root``)
    - grey circles: gates; data is printed in near-black, gradients in dark orange-red.

    Every value names itself where it can: its label, else what a network or a loss says it is
    (:func:`drawn_name`: ``"w·x"``, ``"sum"``, ``"L2.N3 relu"``, ``"margin"``, ``"hinge"``).

    Args:
        root: the output node.
        show: ``"forward"`` (data only), ``"backward"`` (grad only) or ``"both"``.
        rankdir: Graphviz direction: ``"LR"`` (inputs on the left), ``"TB"``, ``"RL"``, ``"BT"``.
        group: box nodes that carry an ``origin`` (set by networks, e.g. ``"L1.N3"``) in
            nested clusters, one per layer ``L1`` holding one per neuron ``L1.N3``. A network
            then reads left to right in layer columns: the inputs on the left, each layer one
            column of its neurons in order (``N0`` on top), the loss on the right.
        max_nodes: refuse graphs with more value nodes than this (None: no limit). The nodes
            are counted before anything is built, stopping as soon as the limit is passed.
            With ``collapse``, the drawn nodes are counted (a collapsed group is one).
        collapse: ``None`` (every node), ``"neuron"`` (each neuron a network made is one
            node: its pre-activation and output, each with data and grad, and its
            parameters' gradients — listed, or past six the count and the largest) or
            ``"layer"`` (each layer one node). Groups are read from ``origin`` (see
            :func:`viz.collapse.collapse_groups`); nodes without one stay as they are, and an
            edge joins two drawn nodes wherever the full graph has an edge between them.
        lang: ``"en"`` or ``"zh"``: the words on the diagram (data/grad → 值/梯度, …).
        legend: draw the colour key under the diagram (:func:`key_rows`), in ``lang``.
        check: a gradient check on the diagram. Each leaf shows its analytic gradient (its
            ``grad``, so call ``root.backward()`` once first), its numeric gradient and their
            relative error; a mismatch (relative error > 1e-5) is red, a leaf whose ±h crosses a
            kink of a max/relu is violet and "not judged"; a legend says so. The numeric
            gradients re-run the recorded graph with each leaf nudged by h = 1e-5·max(1, |x|)
            (:func:`autograd.numeric_grads_of`): nothing is rebuilt, every value is restored.
            Not with ``collapse`` or ``lens``.
        lens: ``None`` or ``"health"``: mark what silently stops learning (see
            :mod:`autograd.health`): a relu that outputs 0 (red; its input gets no gradient), a
            σ/tanh whose local gradient is below 1e-2 (violet, saturated), a gradient below
            1e-8 of the root's (cyan, vanishing) or above 1e8 times it (pink, exploding), with
            a legend. With ``collapse``, each neuron is filled by the share of data points on
            which it is dead, white 0% to red 100%, and both shares are written on it.
        health: with ``lens="health"`` and ``collapse``, a report over a batch: a mapping
            neuron id → (dead share, saturated share), such as ``nn.health(model, X)``. None:
            the shares on the graph's own data point (0% or 100%). A layer gets its neurons' mean.
        style: ``"boxes"`` (each value a box of its name, data and grad) or ``"wires"``, the
            course's circuit figures: each gate a circle, each value a wire with its value
            written above it and its gradient below (:func:`viz.wires.build_wires`), inputs
            and the output tagged by name in their role's colour; a wire lies across in every
            ``rankdir``, so it reads best in ``"LR"``. Not with ``collapse``, ``check`` or
            ``lens`` (they mark boxes).

    Returns:
        A :class:`viz.Diagram` (a ``graphviz.Digraph``); write it with :func:`viz.render`.

    Raises:
        TypeError: ``root`` is not a Value, ``check`` not a bool, ``health`` not a mapping of pairs.
        ValueError: a bad ``show``/``rankdir``/``style``/``max_nodes``/``lens``/``health``, a graph over
            ``max_nodes``, ``check`` or ``lens`` on a graph without gradients (no backward yet).

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
    check_lang(who, lang)
    legend_kind = _check_lens(who, root, check, lens, health, collapse)
    from .wires import STYLES, build_wires

    _check_choice(who, "style", style, STYLES)
    if style == "wires" and (collapse is not None or check or lens is not None):
        raise ValueError(f"{who}: style='wires' draws every gate and marks no box; "
                         "draw collapse=, check= and lens= with style='boxes'")
    if style == "wires":
        check_size(root, max_nodes, who)
        diagram = build_wires(root, topological_order(root), show=show, rankdir=rankdir, group=bool(group),
                              grad_text=lambda node: fmt(node.grad))
    elif collapse is None:
        check_size(root, max_nodes, who)
        from .lens import check_marks, health_marks

        marks = check_marks(root, lang) if check else health_marks(root, lang) if lens else {}
        diagram = build_graph(
            root, topological_order(root), show=show, rankdir=rankdir, group=bool(group),
            grad_text=lambda node: fmt(node.grad), lang=lang, marks=marks,
        )
    else:
        from .collapse import COLLAPSE_LEVELS, build_collapsed, collapse_groups

        _check_choice(who, "collapse", collapse, (None, *COLLAPSE_LEVELS))
        if max_nodes is not None:  # the full graph may be far larger than the drawing: bound the walk
            check_size(root, max(100 * max_nodes, 100_000), who)
        order = topological_order(root)
        groups = collapse_groups(order, collapse)
        check_size(root, max_nodes, who, drawn=_collapsed_count(order, groups))
        group_marks = {}
        if lens:
            from .lens import group_health_marks

            group_marks = group_health_marks(groups, collapse, health, who, lang)
        diagram = build_collapsed(root, order, level=collapse, show=show, rankdir=rankdir,
                                  grad_text=lambda node: fmt(node.grad), lang=lang, group_marks=group_marks)
    if not isinstance(legend, bool):
        raise TypeError(f"{who}: legend must be True or False, got {type(legend).__name__}: {legend!r:.40}")
    lens_words = ""
    if legend_kind:
        from .lens import lens_legend

        lens_words = lens_legend(legend_kind, lang)
    add_key(diagram, lang, key=legend, words=lens_words)
    return diagram


def add_key(diagram: Diagram, lang: str = "en", *, key: bool = True, steps: bool = False, words: str = "") -> None:
    """Put the colour key (:func:`key_rows`) and a line of ``words`` (a lens's legend) under ``diagram``,
    as its graph label; nothing if there is neither. ``steps``: the key of a backward pass, step by step."""
    rows = [key_rows(lang, steps)] if key else []
    if words:
        rows.append(f'<tr><td align="left"><font point-size="10">{label_text(words, limit=400)}</font></td></tr>')
    if rows:
        body = "".join(rows)
        diagram.attr(label=_html(f'<table border="0" cellborder="0" cellspacing="2">{body}</table>'), labelloc="b")


def key_rows(lang: str = "en", steps: bool = False) -> str:
    """The colour key as rows of a Graphviz HTML-like table: one swatch per role, filled with its
    colour (:data:`FILL`), a gate, and what a value's cells say (data in :data:`INK`, grad in
    :data:`GRAD`); with ``steps``, the active gate and a gradient just received too.

    The words name the colours as drawn, so the key and the picture always agree.

    >>> "parameter" in key_rows() and FILL["parameter"] in key_rows() and GRAD in key_rows()
    True
    """
    def swatch(fill: str, words: str, shape: str = "") -> str:
        return (f'<td bgcolor="{fill}" border="1" color="{INK}" cellpadding="2"{shape}>'
                f'<font point-size="10" color="{INK}">{words}</font></td>')

    cells = [swatch(FILL[key], _word(f"key {key}", lang)) for key in ROLE_KEYS]
    cells.append(swatch(GATE_FILL, _word("key gate", lang), ' style="rounded"'))
    if steps:
        cells.append(swatch(ACTIVE_FILL, _word("key active", lang), ' style="rounded"'))
        cells.append(f'<td bgcolor="{TOUCHED_FILL}" border="1" color="{INK}" cellpadding="2"><font point-size="10" '
                     f'color="{GRAD}">{_word("key touched", lang)}</font></td>')
    rows = f'<tr><td><table border="0" cellborder="0" cellspacing="3"><tr>{"".join(cells)}</tr></table></td></tr>'
    words = (f'<font point-size="10" color="{INK}">{_word("key data", lang)}</font>'
             f'<font point-size="10">   </font>'
             f'<font point-size="10" color="{GRAD}">{_word("key grad", lang)}</font>')
    return rows + f'<tr><td align="left">{words}</td></tr>'


def _check_lens(who: str, root: Value, check: object, lens: object, health: object,
                collapse: Optional[str]) -> str:
    """Check ``check``, ``lens`` and ``health`` (see :func:`draw_graph`); the legend they need
    (a kind for :func:`viz.lens.lens_legend`), or ""."""
    if not isinstance(check, bool):
        raise TypeError(f"{who}: check must be True or False, got {type(check).__name__}: {check!r:.40}")
    from .lens import LENSES

    _check_choice(who, "lens", lens, (None, *LENSES))
    if health is not None and lens != "health":
        raise ValueError(f"{who}: health= is the report the health lens colours by; pass lens='health' too")
    if health is not None and collapse is None:
        raise ValueError(f"{who}: health= colours each neuron of a collapsed view; pass collapse='neuron' or 'layer' too")
    if check and (lens is not None or collapse is not None):
        raise ValueError(f"{who}: check=True marks every leaf of the full drawing; draw it without lens= and collapse=")
    if (check or lens) and root.op and root.grad == 0.0 and health is None:
        raise ValueError(f"{who}: {'check=True' if check else 'lens=' + repr(lens)} reads the gradients; "
                         "call root.backward() first")
    if check:
        return "check"
    return "" if lens is None else ("health collapsed" if collapse else "health")


def _collapsed_count(order: list[Value], groups: Mapping[str, list[Value]]) -> int:
    """How many value nodes a collapsed drawing has: one per group, plus every node in none."""
    grouped = sum(len(members) for members in groups.values())
    return len(groups) + len(order) - grouped


def gate_numbers(node: Value) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The local derivatives of the gate that made ``node`` and local × ``node.grad`` for each input."""
    local = gate_of(node).local_grads_at(node.data, [p.data for p in node.parents], node.const)
    return tuple(local), tuple(g * node.grad for g in local)


def draw_gate(node: Value, *, lang: str = "en") -> Diagram:
    """One gate alone: its inputs, output, upstream gradient, local derivatives and rule.

    The inputs (with their forward values) point into the gate, the gate into its output,
    which shows its data and its gradient — the upstream gradient. Each input edge is
    labelled with the local derivative ∂out/∂input and the gradient sent back to that input,
    upstream × local = contribution. The title states the gate table's rule in words
    ("add distributes", "max routes", "mul swaps", ...). Call ``backward()`` on the final
    output first, so the upstream gradient is filled in.

    Args:
        node: the output of the gate to draw (a node with an ``op``).
        lang: ``"en"`` or ``"zh"``: title, rule (the row's ``rule_zh``, in the course's terms:
            加法门单元, MAX门单元, 乘法门单元, 上游梯度, 局部梯度) and edge labels in that language.

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
    check_lang(who, lang)
    if not node.op:
        raise ValueError(
            f"{who}: {node_name(node)!r} is a leaf, made by no gate; pass the output of a gate "
            f"(a node with an op, one of {', '.join(GATES)})"
        )
    gate = gate_of(node)
    local, sent = gate_numbers(node)
    names = ["x"] if gate.arity == 1 else ["a", "b"]
    out_name = node.label or "out"
    rule = gate_rule(gate, lang)
    name = rule[: rule.index("门单元") + 3] if lang == "zh" and "门单元" in rule else gate.name
    title = (
        f"<b>{label_text(text('gate title', lang, name=name, symbol=gate_symbol(node)), limit=200)}</b><br/>"
        f"{label_text(rule, limit=200)}<br/>"
        f'<font color="{GRAD}">{_word("sent back rule", lang)}</font>'
    )
    diagram = _new_diagram("LR", label=_html(title), labelloc="t", fontsize="12")
    ids: dict[Value, str] = {}
    name_of: dict[Value, str] = {}  # a * a: one input node, one name, two edges
    for i, parent in enumerate(node.parents):
        if parent not in ids:
            ids[parent] = f"n{len(ids)}"
            name_of[parent] = parent.label or names[i]
            label = _value_label(parent, FILL[role(parent)], "forward", "", name=name_of[parent], lang=lang)
            diagram.node(ids[parent], label=label, shape="plain")
    gate_id, out_id = f"n{len(ids)}", f"n{len(ids) + 1}"
    diagram.node(gate_id, **_gate_attrs(node, active=True))
    label = _value_label(node, FILL["output"], "both", fmt(node.grad), name=out_name, lang=lang)
    diagram.node(out_id, label=label, shape="plain")
    for parent, lg, c in zip(node.parents, local, sent):
        label = (
            f"{_word('local', lang)} ∂{label_text(_operand(out_name))}/∂{label_text(_operand(name_of[parent]))} "
            f"= {fmt(lg)}<br/>"
            f'<font color="{GRAD}">{_word("sent back", lang)}: {fmt(node.grad)} × {fmt(lg)} = {fmt(c)}</font>'
        )
        diagram.edge(ids[parent], gate_id, label=_html(label))
    upstream = f'<font color="{GRAD}">{_word("upstream", lang)} {fmt(node.grad)}</font>'
    diagram.edge(gate_id, out_id, label=_html(upstream))
    return diagram
