"""Trace a scalar graph once and replay it with numpy over a batch: each node holds a column of numbers."""

from __future__ import annotations

import operator
import sys
from typing import Any, Callable, Iterable, Optional, Sequence, Union

import numpy as np

from .gates import GATES, FixedGrads, SwappedInputs
from .graph import topological_order
from .value import GateError, Value

__all__ = ["MATMUL_MIN_TERMS", "Program", "TraceMismatch", "trace"]

#: A sum with at least this many "parameter × column" terms replays as a matrix product.
#: Below it the terms are multiplied and summed one by one, in the scalar engine's order.
MATMUL_MIN_TERMS = 8

Column = Union[float, int, Sequence[float], np.ndarray]
_data = operator.attrgetter("data")


class TraceMismatch(ValueError):
    """``fn`` builds a different graph for some data point than the one traced: the trace does not fit."""


def trace(fn: Callable[..., Value], *example_inputs: float, keep: Iterable[Value] = ()) -> Program:
    """Run ``fn`` once on Values of ``example_inputs`` and return its graph as a replayable :class:`Program`.

    ``fn`` takes one Value per example input and returns one Value. The leaves it reaches but
    does not take as inputs (a model's parameters, constants) are *captured*: the program reads
    their current ``.data`` at every call and adds gradients into their ``.grad``.

    A trace is valid for every data point where ``fn`` builds the same gates in the same order
    from the same leaves: no Python ``if`` on ``.data``, no constant computed from the inputs'
    numbers (``Value(max(v.data ...))``). The max gate (and relu) is fine: it is one gate that
    routes per data point. Pass ``verify=k`` to a call to check k sample points against ``fn``
    through the scalar engine.

    Args:
        fn: the scalar function, e.g. ``lambda x, y: (x * y).relu()``.
        example_inputs: one number per input of ``fn``, used to build the traced graph.
        keep: nodes made while tracing whose columns :meth:`Program.values_of` gives back (e.g.
            a model's scores): a list that ``fn`` fills while it runs, read after it returns.

    Raises:
        TypeError: ``fn`` not callable or not returning a Value; an example that is not a number.

    >>> w = Value(3.0, "w")
    >>> program = trace(lambda x: (w * x).relu(), 1.0)
    >>> program([-2.0, 0.0, 2.0])
    array([0., 0., 6.])
    >>> program.backward([-2.0, 0.0, 2.0])  # ∂f/∂x per point; w.grad gets Σ ∂f/∂w = 0 + 0 + 2
    (array([0., 0., 3.]),)
    >>> w.grad
    2.0
    """
    if not callable(fn):
        raise TypeError(f"trace needs a function of Values, got {type(fn).__name__}")
    leaves = [Value(x, f"x{i}") for i, x in enumerate(example_inputs)]
    root = fn(*leaves)
    if not isinstance(root, Value):
        raise TypeError(f"trace: fn must return one Value, got {type(root).__name__}")
    return Program(fn, root, leaves, list(keep))  # read after fn ran: fn may fill it


class _Group:
    """Nodes of one level made by one kind of step, laid out in contiguous rows ``start:stop``."""

    __slots__ = ("level", "kind", "gate", "const", "nodes", "start", "stop", "slots", "args", "edges", "push",
                 "pull", "extra", "xs", "xpush", "sum_rows")

    def __init__(self, level: int, kind: str, gate: Any, const: Optional[float]) -> None:
        self.level, self.kind, self.gate, self.const = level, kind, gate, const
        self.nodes: list[int] = []  # positions in the traced order
        self.start = self.stop = 0
        self.slots: list[tuple[list[int], list[tuple[int, int]]]] = []  # per operand: nodes read, (time, slot)
        self.args: list[tuple[str, Any]] = []  # per operand: ("v", value rows) or ("p", captured indices)
        self.edges: list[Optional[int]] = []  # per operand: first row of its contribution block, if any
        self.push: Any = None  # where contributions go straight into a gradient row
        self.pull: list[tuple[Any, np.ndarray]] = []  # (rows, (fanout, m) sources) of nodes that sum several
        self.extra: Any = None  # matmul: (weight index matrix, whether its entries are distinct)
        self.xs: Any = None  # matmul: (column nodes, their (time, slot))
        self.xpush: Any = None  # matmul: the columns' gradient rows, where pushed
        self.sum_rows: Any = None  # sum, matmul: (terms, m) value rows of the terms


def _rows(index: Sequence[int]) -> Union[slice, np.ndarray]:
    """A slice where the rows are contiguous (a view, no copy), else an index array."""
    arr = np.asarray(index, dtype=np.intp)
    if arr.ndim == 1 and len(arr) and np.all(np.diff(arr) == 1):
        return slice(int(arr[0]), int(arr[-1]) + 1)
    return arr


def _only_in_graph(order: list[Value], i: int, uses: int) -> bool:
    """Whether the leaf ``order[i]`` is referred to only by ``order`` and its ``uses`` consumer nodes."""
    getrefcount = getattr(sys, "getrefcount", None)
    if getrefcount is None:  # not CPython: treat every leaf as a parameter
        return False
    return getrefcount(order[i]) - 2 == uses  # 2: the list ``order`` and getrefcount's own argument


def _read(V: np.ndarray, pv: np.ndarray, arg: tuple[str, Any]) -> np.ndarray:
    """An operand's values: value rows of V (a view for a slice), or captured leaves as (m, 1) columns."""
    kind, where = arg
    if kind == "p":
        return pv.take(where)[:, None]
    return V[where] if isinstance(where, slice) else V.take(where, axis=0)


def _write(A: np.ndarray, rows: Union[slice, np.ndarray], values: np.ndarray) -> None:
    A[rows] = values


def _pull(GE: np.ndarray, rows: Union[slice, np.ndarray], sources: np.ndarray) -> None:
    """Each node's gradient (its row in ``rows``) = the sum of its contributions' rows in ``sources``."""
    if isinstance(rows, slice):
        _seq_sum(GE.take(sources, axis=0), GE[rows])
    else:
        out = np.empty((len(rows), GE.shape[1]))
        _seq_sum(GE.take(sources, axis=0), out)
        GE[rows] = out


def _seq_sum(stack: np.ndarray, out: np.ndarray) -> None:
    """out = stack[0] + stack[1] + … left to right, as the scalar engine's chain of adds.

    numpy adds the rows of a (k, m, B) array one after another, except when m·B = 1, where it
    sums pairwise (a different rounding): then accumulate, which is always sequential.
    """
    if stack.shape[0] == 1:
        out[...] = stack[0]
    elif out.size == 1:
        out[...] = np.add.accumulate(stack.ravel())[-1]  # accumulate adds one after another
    else:
        np.sum(stack, axis=0, out=out)


class Program:
    """A traced scalar graph, replayed on numpy columns (one entry per data point).

    Made by :func:`trace`. The traced nodes are grouped by level (1 + the level of their deepest
    input) and kind; chains of add gates become n-ary sums (summed in the chain's order), and
    sums of at least :data:`MATMUL_MIN_TERMS` products of a captured leaf and a column become
    matrix products. Every group is a few numpy calls writing into a contiguous block of rows.
    Apart from those matrix products, values and gradients are those of the scalar engine, bit
    for bit where numpy and the platform's libm agree. ``str(program)`` lists what runs.

    Constants that ``fn`` makes itself (relu's 0, a ``1 - x``'s 1: leaves that nothing outside
    the traced graph refers to) are read once, when tracing; nobody can see their ``.grad``.

    Attributes:
        n_inputs: how many columns a call takes.
        root: the traced graph's output node (``fn``'s Value at the example inputs).
        captured: the captured leaves that outlive ``fn`` (a model's parameters), in the order
            of the traced graph: read at every call, their ``.grad`` accumulated by ``backward``.
    """

    def __init__(self, fn: Callable[..., Value], root: Value, inputs: list[Value], keep: list[Value]) -> None:
        self._fn = fn
        self._root = root
        self._inputs = inputs
        self.n_inputs = len(inputs)
        order = topological_order(root)
        self._order = order
        pos = dict(zip(map(id, order), range(len(order))))  # node identity -> position
        self._pos = pos
        input_k = {id(x): k for k, x in enumerate(inputs)}
        self._input_pos = [pos.get(id(x)) for x in inputs]
        protect = {pos[id(n)] for n in keep if id(n) in pos} | {len(order) - 1}
        self._keep = {id(n): pos[id(n)] for n in [*keep, root] if id(n) in pos}
        self.root = root
        ops = [n._info.op for n in order]  # each node's gate name ("" for a leaf), read once
        at = pos.__getitem__
        # each node's inputs by position, read from its slots _a, _b (see value.Value)
        parents = [
            () if n._a is None else (at(id(n._a)),) if n._b is None else (at(id(n._a)), at(id(n._b))) for n in order
        ]
        uses = [0] * len(order)
        for ps in parents:
            for p in ps:
                uses[p] += 1
        # Captured leaves: the parameters first, then the constants fn made itself. A constant is
        # a leaf nothing outside the traced graph refers to (only ``order`` and its consumers):
        # no one can change its .data or read its .grad, so replay reads it once, here.
        leaf_pos = [i for i, n in enumerate(order) if not ops[i] and id(n) not in input_k]
        const = {i for i in leaf_pos if i not in protect and _only_in_graph(order, i, uses[i])}
        captured_pos = [i for i in leaf_pos if i not in const] + [i for i in leaf_pos if i in const]
        self.captured: list[Value] = [order[i] for i in captured_pos if i not in const]
        self._n_const = len(const)
        self._const_pv = np.array([0.0] * len(self.captured) + [order[i].data for i in captured_pos[len(self.captured):]])
        cap_index = {p: j for j, p in enumerate(captured_pos)}

        # 1. chains of adds (each link the first input of the next, used once) -> n-ary sums
        # terms: (position, time, slot): time and slot say when the scalar engine adds the
        # term's gradient (the position of the add that took it, and which input it was)
        terms: dict[int, list[tuple[int, int, int]]] = {}
        absorbed = [False] * len(order)
        for i, n in enumerate(order):
            if ops[i] != "add":
                continue
            a, b = parents[i]
            if a in terms and uses[a] == 1 and a not in protect:
                t = terms.pop(a)
                absorbed[a] = True
                t.append((b, i, 1))
            else:
                t = [(a, i, 0), (b, i, 1)]
            terms[i] = t

        # 2. sums of (captured leaf × column) products -> matrix products: a sum of at least
        # MATMUL_MIN_TERMS of them, or a layer of at least that many sums over the same columns
        linear: dict[int, tuple[list[int], list[int], list[tuple[int, int, int]]]] = {}
        candidates = {}
        layer_size: dict[tuple, int] = {}
        for i, t in terms.items():
            dots, others, seen = [], [], set()
            for term in t:
                j = term[0]
                if ops[j] == "mul" and uses[j] == 1 and j not in protect:
                    pa, pb = parents[j]
                    if (pa in cap_index) != (pb in cap_index):
                        w, x = (pa, pb) if pa in cap_index else (pb, pa)
                        if x not in seen:
                            seen.add(x)
                            dots.append((j, w, x))
                            continue
                others.append(term)
            if len(dots) >= 2:
                candidates[i] = (dots, others)
                xs_key = tuple(x for _, _, x in dots)
                layer_size[xs_key] = layer_size.get(xs_key, 0) + 1
        for i, (dots, others) in candidates.items():
            if len(dots) >= MATMUL_MIN_TERMS or layer_size[tuple(x for _, _, x in dots)] >= MATMUL_MIN_TERMS:
                for j, _, _ in dots:
                    absorbed[j] = True
                linear[i] = ([cap_index[w] for _, w, _ in dots], [x for _, _, x in dots], others)

        # 3. what each replayed node reads, and its level
        def operands(i: int) -> list[int]:
            if i in linear:
                return linear[i][1] + [t[0] for t in linear[i][2]]
            if i in terms:
                return [t[0] for t in terms[i]]
            return list(parents[i])

        level = [0] * len(order)
        live = [i for i in range(len(order)) if ops[i] and not absorbed[i]]
        needed: set[int] = set()
        for i in live:
            ops = operands(i)
            needed.update(ops)
            level[i] = 1 + max(level[j] for j in ops)

        # 4. groups, by level then kind, in order of first appearance
        # matmuls: nodes reading the same columns form an instance; instances with the same
        # weights (one neuron layer applied to many data points' columns) share one group
        groups: dict[tuple, _Group] = {}
        instances: dict[tuple, list[int]] = {}
        for i in sorted(live, key=lambda i: level[i]):
            if i in linear:
                instances.setdefault((level[i], tuple(linear[i][1]), len(linear[i][2])), []).append(i)
        by_weights: dict[tuple, list[list[int]]] = {}
        for (lv, _, n_other), nodes in instances.items():
            weights = tuple(tuple(linear[i][0]) for i in nodes)
            by_weights.setdefault((lv, "matmul", weights, n_other), []).append(nodes)
        for key, insts in by_weights.items():
            g = groups[key] = _Group(key[0], "matmul", None, None)
            g.nodes = [i for nodes in insts for i in nodes]
            g.xs = [linear[nodes[0]][1] for nodes in insts]
        for i in sorted(live, key=lambda i: level[i]):
            n = order[i]
            if i in linear:
                continue
            if i in terms:
                key = (level[i], "sum", len(terms[i]))
            else:
                key = (level[i], "gate", n.op, n.const)
            g = groups.get(key)
            if g is None:
                g = groups[key] = _Group(level[i], key[1], GATES[n.op] if key[1] == "gate" else None, n.const)
            g.nodes.append(i)
        self._groups = sorted(groups.values(), key=lambda g: g.level)
        self.levels = max((g.level for g in self._groups), default=0)

        # 5. each group's operand slots: the node each of its nodes reads there, and when (time,
        # slot) the scalar engine hands that node its gradient; a matmul's columns are one slot
        edges_in = [0] * len(order)  # how many contributions each node's gradient sums
        for g in self._groups:
            nodes = g.nodes
            if g.kind == "gate":
                g.slots = [([parents[i][s] for i in nodes], [(i, s) for i in nodes]) for s in range(g.gate.arity)]
            elif g.kind == "sum":
                k = len(terms[nodes[0]])
                g.slots = [([terms[i][t][0] for i in nodes], [terms[i][t][1:] for i in nodes]) for t in range(k)]
            else:
                others = linear[nodes[0]][2]
                g.slots = [([linear[i][2][t][0] for i in nodes], [linear[i][2][t][1:] for i in nodes]) for t in range(len(others))]
                for xs in g.xs:
                    for x in xs:
                        edges_in[x] += 1
            for targets, _ in g.slots:
                for j in targets:
                    edges_in[j] += 1

        # 6. rows: 0 is a zero row, then the inputs, then captured leaves read as columns, then groups
        def all_captured(targets: list[int]) -> bool:
            return all(j in cap_index for j in targets)

        as_rows: set[int] = {len(order) - 1}  # captured leaves that need a row of values
        for g in self._groups:
            for s, (targets, _) in enumerate(g.slots):
                if g.kind == "sum" or not all_captured(targets):
                    as_rows.update(j for j in targets if j in cap_index)
        row: dict[int, int] = {}
        next_row = 1
        for p in self._input_pos:
            if p is not None:
                row[p] = next_row
            next_row += 1  # an input fn ignores keeps its row, with a zero gradient
        self._n_input_rows = next_row - 1
        self._leaf_rows_cap = [j for j, p in enumerate(captured_pos) if p in as_rows]
        for j in self._leaf_rows_cap:
            row[captured_pos[j]] = next_row
            next_row += 1
        self._leaf_stop = next_row
        for g in self._groups:
            g.start = next_row
            for i in g.nodes:
                row[i] = next_row
                next_row += 1
            g.stop = next_row
        self._n_rows = next_row
        self._row = row

        # 7. how gradients flow back. A node with one incoming contribution gets it written
        # straight into its gradient row (pushed); a node with several sums them in the scalar
        # engine's order (pulled); a captured leaf's are summed over the batch at the end.
        incoming: dict[int, list[tuple[int, int, int]]] = {}  # node -> (-time, slot, source row)
        leaf_edges: list[tuple[int, int, int, int]] = []  # (-time, slot, source row, captured index)

        n_live = len(self.captured)

        def is_const(j: int) -> bool:
            return cap_index.get(j, -1) >= n_live

        def edge(target: int, when: tuple[int, int], source: int) -> None:
            if is_const(target):
                return  # nobody sees a constant's gradient
            if target in cap_index:
                leaf_edges.append((-when[0], when[1], source, cap_index[target]))
            else:
                incoming.setdefault(target, []).append((-when[0], when[1], source))

        def pushable(targets: list[int]) -> bool:
            return all(j not in cap_index and edges_in[j] == 1 for j in targets)

        next_edge = self._n_rows
        for g in self._groups:
            m = len(g.nodes)
            g.push = []  # per slot: target rows the contribution is written to, or None
            if g.kind == "gate":
                fixed = g.gate.local_grads if isinstance(g.gate.local_grads, FixedGrads) else None
                for s, (targets, whens) in enumerate(g.slots):
                    if all_captured(targets):
                        g.args.append(("p", np.array([cap_index[j] for j in targets], dtype=np.intp)))
                    else:
                        g.args.append(("v", _rows([row[j] for j in targets])))
                    one = fixed is not None and fixed[s] == 1.0  # 1 × g = g: the node's own gradient
                    if all(is_const(j) for j in targets):  # relu's 0: no gradient to compute
                        g.push.append(None)
                        g.edges.append(None)
                    elif pushable(targets):
                        g.push.append(_rows([row[j] for j in targets]))
                        g.edges.append(None)
                    else:
                        g.push.append(None)
                        g.edges.append(None if one else next_edge)
                        for q, (j, when) in enumerate(zip(targets, whens)):
                            edge(j, when, g.start + q if one else next_edge + q)
                        if not one:
                            next_edge += m
            else:
                if g.kind == "matmul":
                    n_inst, K = len(g.xs), len(g.xs[0])
                    W = np.array([linear[i][0] for i in g.nodes[: m // n_inst]], dtype=np.intp)
                    g.extra = (W, len(np.unique(W)) == W.size, n_inst)
                    flat = [x for xs in g.xs for x in xs]
                    x_rows = _rows([row[x] for x in flat])
                    g.args.append(("v", x_rows if isinstance(x_rows, slice) else x_rows.reshape(n_inst, K)))
                    if pushable(flat):
                        g.xpush = _rows([row[x] for x in flat])
                    else:
                        g.xpush = None
                        g.edges.append(next_edge)
                        last = max(g.nodes)
                        for q, x in enumerate(flat):
                            edge(x, (last, 0), next_edge + q)
                        next_edge += len(flat)
                as_columns = [t for t, _ in g.slots if g.kind == "matmul" and all_captured(t)]
                terms_rows = [[row[j] for j in t] for t, _ in g.slots if not any(t is c for c in as_columns)]
                g.sum_rows = np.array(terms_rows, dtype=np.intp).reshape(len(terms_rows), m)
                if g.kind == "matmul":  # terms that are captured leaves (biases): added as (m, 1) columns
                    g.extra = (*g.extra, [np.array([cap_index[j] for j in t], dtype=np.intp) for t in as_columns])
                copy_to = []
                for targets, whens in g.slots:
                    if pushable(targets):
                        copy_to.append([row[j] for j in targets])
                    else:
                        for q, (j, when) in enumerate(zip(targets, whens)):
                            edge(j, when, g.start + q)
                g.push = np.array(copy_to, dtype=np.intp).reshape(len(copy_to), m) if copy_to else None
        self._n_total = next_edge

        def pulls(nodes: Sequence[int]) -> list[tuple[Any, np.ndarray]]:
            by_fan: dict[int, list[tuple[int, list[int]]]] = {}
            for i in nodes:
                lst = incoming.get(i, [])
                if lst:  # not pushed: sum what its consumers left in contribution rows
                    by_fan.setdefault(len(lst), []).append((row[i], [src for *_, src in sorted(lst)]))
            return [
                (_rows([r for r, _ in items]), np.array([[srcs[f] for _, srcs in items] for f in range(fan)], dtype=np.intp))
                for fan, items in sorted(by_fan.items())
            ]

        for g in self._groups:
            g.pull = pulls(g.nodes)
        self._input_pull = pulls([p for p in self._input_pos if p is not None])
        self._unused_inputs = [1 + k for k, p in enumerate(self._input_pos) if p is None or edges_in[p] == 0]
        leaf_edges.sort()
        self._leaf_src = np.array([e[2] for e in leaf_edges], dtype=np.intp)
        self._leaf_of = np.array([e[3] for e in leaf_edges], dtype=np.intp)
        self._captured_pos = captured_pos
        self._root_row = row[len(order) - 1]
        self._last: Optional[np.ndarray] = None

    # -- calls ------------------------------------------------------------------------------------
    def __call__(self, *columns: Column, verify: int = 0, block: Optional[np.ndarray] = None) -> np.ndarray:
        """``fn``'s value at every data point: an array of shape (B,).

        Args:
            columns: one per input of ``fn``, each a 1-D array of length B or a number (broadcast).
            verify: check this many sample points against ``fn`` through the scalar engine first
                (see :meth:`verify`).
            block: instead of columns, all of them at once as one array of shape (n_inputs, B),
                row k the column of input k (a model's 3072 features without 3072 arguments).

        Raises:
            GateError: a gate is outside its domain (or overflows) at some data point; the message
                names the gate and the data point's index.
            TraceMismatch: with ``verify``, ``fn`` builds another graph at a sampled point.
        """
        cols, B = self._columns(columns, block)
        if verify:
            self.verify(*cols, points=verify)
        V = self._forward(cols, B)
        return V[self._root_row].copy()

    def backward(self, *columns: Column, weights: Optional[Column] = None, verify: int = 0,
                 block: Optional[np.ndarray] = None) -> tuple[np.ndarray, ...]:
        """Forward and backward in one call: ∂fn/∂input per data point, and Σ_b w_b·∂fn_b/∂p into ``p.grad``.

        Every captured leaf p gets ``p.grad += Σ_b weights_b · ∂fn_b/∂p``, as ``Value.backward``
        accumulates (zero them between steps), so an optimizer such as ``nn.SGD`` works unchanged.
        The values of the last call stay readable with :meth:`values_of`.

        Args:
            columns: as for a call.
            weights: one weight per data point (a number is broadcast); default 1. Pass 1/B for
                the gradient of a mean.
            verify, block: as for a call.

        Returns:
            One array of shape (B,) per input: ∂fn/∂input at each data point (not weighted).

        Raises:
            GateError: as for a call, or where a gradient is not finite, naming the data point.
        """
        cols, B = self._columns(columns, block)
        w = self._weights(weights, B)
        if verify:
            self.verify(*cols, points=verify)
        pgrad, GE = self._grads(cols, B, w)
        for p, g in zip(self.captured, pgrad.tolist()):
            p.grad += g  # accumulate, as Value.backward does
        return tuple(GE[1 : 1 + self.n_inputs].copy())  # one copy; a row of it per input

    def _grads(self, cols: Any, B: int, w: np.ndarray, pv: Optional[np.ndarray] = None) -> tuple[np.ndarray, np.ndarray]:
        """Forward and backward without touching any ``.grad``: Σ_b w_b·∂fn_b/∂p per captured leaf p, and
        the gradient rows (row 1 + k: ∂fn/∂input k per data point).

        ``pv`` gives the captured leaves' values (in :attr:`captured`'s order) when the caller has
        read them already; by default they are read from their ``.data``.
        """
        V = self._forward(cols, B, pv)
        GE = np.zeros((self._n_total, B))  # gradient rows (as V's), then contribution blocks
        GE[self._root_row] = 1.0  # ∂fn/∂fn = 1 at every data point
        pgrad = np.zeros(len(self._const_pv))  # parameters first, then constants (not written back)
        with np.errstate(all="ignore"):
            for g in reversed(self._groups):
                self._backward_group(g, V, GE, w, pgrad)
            for rows, sources in self._input_pull:
                _pull(GE, rows, sources)
            if len(self._leaf_src):
                # each captured leaf: Σ over its contributions (in the scalar engine's order) of Σ_b w_b·c_b
                pgrad += np.bincount(self._leaf_of, GE.take(self._leaf_src, axis=0) @ w, minlength=len(pgrad))
            if not self._groups and self._root_row > self._n_input_rows:  # fn returned a captured leaf
                pgrad[self._leaf_rows_cap[self._root_row - 1 - self._n_input_rows]] += w.sum()
            finite = np.isfinite(GE.sum()), np.isfinite(pgrad[: len(self.captured)].sum())
        if not finite[0]:
            self._raise_not_finite(GE, cols, B, backward=True)
        if not finite[1]:
            j = int(np.flatnonzero(~np.isfinite(pgrad))[0])
            raise GateError(
                f"gradient of captured leaf {self._name(self.captured[j])} summed over the batch is not "
                f"finite ({pgrad[j]!r}): the weighted sum overflowed a float"
            )
        return pgrad[: len(self.captured)], GE

    def values_of(self, node: Value) -> np.ndarray:
        """The column of the root (``program.root``) or of a node passed to ``trace(..., keep=...)``, from the last call."""
        if id(node) not in self._keep:
            raise KeyError("values_of needs program.root or a node passed to trace(..., keep=[...])")
        if self._last is None:
            raise RuntimeError("values_of: call the program (or its backward) first")
        return self._last[self._row[self._keep[id(node)]]].copy()

    # -- the scalar engine, for one data point --------------------------------------------------
    def scalar_graph(self, *columns: Column, index: int = 0) -> Value:
        """The scalar graph ``fn`` builds at data point ``index``, for drawing and stepping with viz.

        >>> program = trace(lambda x: x * x, 1.0)
        >>> root = program.scalar_graph([2.0, 5.0], index=1)
        >>> root.data, root.op
        (25.0, 'mul')
        """
        cols, B = self._columns(columns)
        if not isinstance(index, int) or not 0 <= index < B:
            raise IndexError(f"scalar_graph: index must be a data point 0..{B - 1}, got {index!r}")
        return self._fn(*[Value(float(c[index]), f"x{k}") for k, c in enumerate(cols)])

    def verify(self, *columns: Column, points: int = 5) -> None:
        """Check that ``fn`` builds the traced graph at ``points`` data points spread over the batch.

        Each sampled point runs through ``fn`` and the scalar engine; its graph must have the
        traced gates in the traced order, the same captured leaves, and constants of the same
        value. Raises :class:`TraceMismatch` naming the data point and the first difference.
        """
        cols, B = self._columns(columns)
        if not isinstance(points, int) or points < 1:
            raise ValueError(f"verify: points must be an int >= 1, got {points!r}")
        for b in sorted({int(round(v)) for v in np.linspace(0, B - 1, min(points, B))}):
            self._compare(b, self.scalar_graph(*columns, index=b))

    def _compare(self, b: int, root: Value) -> None:
        order = topological_order(root)
        traced = self._order
        where = f"the trace does not fit data point {b}"
        pos = {id(n): i for i, n in enumerate(order)}
        inputs = set(self._input_pos)
        for i, (n, t) in enumerate(zip(order, traced)):
            if n.op != t.op or n.const != t.const or [pos[id(p)] for p in n.parents] != [self._pos[id(p)] for p in t.parents]:
                raise TraceMismatch(f"{where}: node {i} is {self._describe(n, pos)} there but "
                                    f"{self._describe(t, self._pos)} in the trace (does fn branch in Python on .data?)")
            if not n.op and i not in inputs and n is not t and n.data != t.data:
                raise TraceMismatch(f"{where}: the constant at node {i} is {n.data!r} there but {t.data!r} in the trace "
                                    "(fn computes it from the data, so replay cannot use it)")
        if len(order) != len(traced):
            raise TraceMismatch(f"{where}: fn builds {len(order)} nodes there, the trace has {len(traced)} "
                                "(does fn branch in Python on .data?)")

    @staticmethod
    def _describe(n: Value, pos: dict) -> str:
        if not n.op:
            return f"a leaf {n.label!r}" if n.label else "a leaf"
        return f"{n.op}({', '.join(f'node {pos[id(p)]}' for p in n.parents)})"

    # -- internals --------------------------------------------------------------------------------
    def _columns(self, columns: Sequence[Column], block: Optional[np.ndarray] = None) -> tuple[Any, int]:
        """The columns as one (n_inputs, B) block of finite floats, and B; every check on the way."""
        if block is not None:
            if columns:
                raise TypeError("give the columns or block=, not both")
            A = np.asarray(block, dtype=float)
            if A.ndim != 2 or A.shape[0] != self.n_inputs or A.shape[1] == 0:
                raise ValueError(f"block must have shape (n_inputs, B) = ({self.n_inputs}, B >= 1), got {A.shape}")
            with np.errstate(all="ignore"):
                finite = np.isfinite(A.sum())
            if not finite:
                k, b = np.argwhere(~np.isfinite(A))[0]
                raise ValueError(f"column {k} needs finite numbers, got {float(A[k, b])!r} at data point {int(b)}")
            return A, A.shape[1]
        if len(columns) != self.n_inputs:
            raise TypeError(f"the program takes {self.n_inputs} column(s), one per input of fn, got {len(columns)}")
        arrays, B = [], None
        for k, c in enumerate(columns):
            if type(c) is np.ndarray and c.dtype == np.float64 and c.ndim == 1:
                a = c  # the common case, checked first
            else:
                try:
                    a = np.asarray(c, dtype=float)
                except (TypeError, ValueError):
                    raise TypeError(f"column {k} must be numbers (a 1-D array or a number), got {type(c).__name__}") from None
                if a.ndim > 1:
                    raise ValueError(f"column {k} must be 1-D (one number per data point), got shape {a.shape}")
            if a.ndim == 1:
                if B is not None and len(a) != B:
                    raise ValueError(f"column {k} has {len(a)} data points, an earlier column has {B}")
                B = len(a)
            arrays.append(a)
        B = 1 if B is None else B
        if B == 0:
            raise ValueError("the columns hold no data points (length 0)")
        with np.errstate(all="ignore"):
            finite = not arrays or np.isfinite(np.sum([a.sum() for a in arrays]))
        if not finite:
            for k, a in enumerate(arrays):
                bad = np.flatnonzero(~np.isfinite(a.reshape(-1)))
                if len(bad):
                    raise ValueError(f"column {k} needs finite numbers, got {float(a.reshape(-1)[bad[0]])!r} "
                                     f"at data point {int(bad[0])}")
        return [a if a.ndim else np.full(B, float(a)) for a in arrays], B

    @staticmethod
    def _weights(weights: Optional[Column], B: int) -> np.ndarray:
        if weights is None:
            return np.ones(B)
        w = np.asarray(weights, dtype=float)
        if w.ndim == 0:
            w = np.full(B, float(w))
        if w.shape != (B,):
            raise ValueError(f"weights must be one number per data point ({B}), got shape {w.shape}")
        if not np.isfinite(w).all():
            raise ValueError("weights must be finite numbers")
        return w

    def _forward(self, cols: Any, B: int, captured: Optional[np.ndarray] = None) -> np.ndarray:
        V = np.empty((self._n_rows, B))
        V[0] = 0.0
        if self.n_inputs:
            V[1 : 1 + self.n_inputs] = cols
        pv = self._const_pv.copy()
        if captured is None:
            captured = np.fromiter(map(_data, self.captured), float, len(self.captured))
        with np.errstate(all="ignore"):
            finite = np.isfinite(captured.sum()) or np.isfinite(captured).all()  # one pass; an overflowing sum looks again
        if not finite:  # a parameter set to nan or ±inf after tracing: tanh(inf) = 1 would hide it, so say so
            j = int(np.flatnonzero(~np.isfinite(captured))[0])
            leaf = self.captured[j]
            raise GateError(f"node {leaf.label or 'leaf'!r} holds {float(captured[j])!r}, not a finite number "
                            f"(was .data set to it after the node was made?): replay reads it as a parameter")
        pv[: len(self.captured)] = captured
        self._pvals = pv
        if self._leaf_rows_cap:
            V[1 + self._n_input_rows : self._leaf_stop] = pv[self._leaf_rows_cap][:, None]
        with np.errstate(all="ignore"):
            for g in self._groups:
                out = V[g.start : g.stop]
                if g.kind == "gate":
                    xs = [_read(V, pv, a) for a in g.args]
                    if g.const is not None:
                        xs.append(g.const)
                    out[...] = g.gate.numpy.forward(*xs)
                elif g.kind == "sum":
                    _seq_sum(V.take(g.sum_rows, axis=0), out)
                else:
                    W, _, n_inst, biases = g.extra
                    X = _read(V, pv, g.args[0])
                    # Σ_k w_jk · x_k for every node j of every instance at once
                    # (a matmul with out= can skip BLAS: measured 6× slower on the image workload)
                    if n_inst == 1:
                        out[...] = pv[W] @ X
                    else:
                        out.reshape(n_inst, W.shape[0], B)[...] = pv[W] @ X.reshape(n_inst, W.shape[1], B)
                    for b in biases:
                        out += pv.take(b)[:, None]
                    if len(g.sum_rows):
                        out += V.take(g.sum_rows, axis=0).sum(axis=0)
            finite = np.isfinite(V.sum())  # one pass; a sum that overflows is searched exactly below
        self._last = V
        if not finite:
            self._raise_not_finite(V, cols, B, backward=False)
        return V

    def _backward_group(self, g: _Group, V: np.ndarray, GE: np.ndarray, w: np.ndarray, pgrad: np.ndarray) -> None:
        G = GE[g.start : g.stop]
        for rows, sources in g.pull:  # nodes with several consumers: sum their contributions
            _pull(GE, rows, sources)
        if g.start <= self._root_row < g.stop:
            GE[self._root_row] = 1.0  # the seed (the root has no consumers)
        if g.kind == "gate":
            lg = g.gate.numpy.local_grads
            if isinstance(lg, SwappedInputs):  # mul: each input's is the other input
                a, b = g.args
                locals_: Sequence[Any] = (_read(V, self._pvals, b), _read(V, self._pvals, a))
            elif isinstance(lg, FixedGrads):
                locals_ = tuple(lg)
            else:
                xs = [_read(V, self._pvals, a) for a in g.args]
                if g.const is not None:
                    xs.append(g.const)
                locals_ = lg(V[g.start : g.stop], *xs)
            m = g.stop - g.start
            for s, (e, push) in enumerate(zip(g.edges, g.push)):
                if push is not None:  # the input's only contribution: write it to its gradient row
                    if isinstance(locals_[s], float) and locals_[s] == 1.0:
                        _write(GE, push, G)
                    else:
                        _write(GE, push, locals_[s] * G)  # contribution = local × upstream
                elif e is not None:
                    np.multiply(locals_[s], G, out=GE[e : e + m])
            return
        if g.push is not None:  # terms used only here: their gradient is the sum's (∂Σ/∂term = 1)
            GE[g.push] = G
        if g.kind == "matmul":
            W, unique, n_inst, _ = g.extra
            m, K, B = W.shape[0], W.shape[1], G.shape[1]
            X = _read(V, self._pvals, g.args[0])
            if n_inst == 1:
                dX = self._pvals[W].T @ G  # ∂/∂x_k = Σ_j w_jk · g_j
                gW = (G * w) @ X.T  # ∂/∂w_jk = Σ_b weight_b · g_jb · x_kb
            else:
                X = X.reshape(n_inst, K, B)
                G3 = G.reshape(n_inst, m, B)
                dX = np.matmul(self._pvals[W].T, G3).reshape(n_inst * K, B)
                gW = np.matmul(G3 * w, X.transpose(0, 2, 1)).sum(axis=0)  # and summed over instances
            if g.xpush is not None:
                _write(GE, g.xpush, dX)
            else:
                GE[g.edges[0] : g.edges[0] + n_inst * K] = dX
            if unique:
                pgrad[W.ravel()] += gW.ravel()
            else:
                np.add.at(pgrad, W.ravel(), gW.ravel())

    def _raise_not_finite(self, A: np.ndarray, cols: list[np.ndarray], B: int, backward: bool) -> None:
        """Find the first data point with a non-finite number and let the scalar engine name the gate."""
        bad_cols = np.flatnonzero(~np.isfinite(A).all(axis=0))
        if not len(bad_cols):
            return  # every number is finite; only their sum overflowed
        b = int(bad_cols[0])
        try:
            root = self._fn(*[Value(float(c[b]), f"x{k}") for k, c in enumerate(cols)])
            if backward:
                saved = [p.grad for p in self.captured]
                try:
                    root.backward()
                finally:
                    for p, gv in zip(self.captured, saved):
                        p.grad = gv
        except GateError as e:
            raise GateError(f"at data point {b}: {e}") from None
        where = "gradient" if backward else "value"
        group = self._first_bad_group(A, b)
        raise GateError(f"at data point {b}: a {where} is not finite in replay ({group}); the scalar engine "
                        "finds none there, so the trace may not fit this point (call with verify=)")

    def _first_bad_group(self, A: np.ndarray, b: int) -> str:
        for g in self._groups:
            if not np.isfinite(A[g.start : g.stop, b]).all():
                return f"level {g.level}, {self._group_name(g)}"
        return "a contribution"

    @staticmethod
    def _name(p: Value) -> str:
        return repr(p.label) if p.label else f"with value {p.data!r}"

    @staticmethod
    def _group_name(g: _Group) -> str:
        if g.kind == "gate":
            return f"{g.gate.name} gate" + (f" (c = {g.const:g})" if g.const is not None else "")
        if g.kind == "sum":
            return f"sum of {g.sum_rows.shape[0]}"
        W, _, n_inst, _ = g.extra
        return f"matmul {W.shape[0]}×{W.shape[1]}" + (f" on {n_inst} column sets" if n_inst > 1 else "")

    # -- showing it -------------------------------------------------------------------------------
    def listing(self) -> str:
        """What the replay runs, level by level: one line per group of nodes, as numpy sees it.

        V is the value array, one row per replayed node and one column per data point; ``p`` the
        captured leaves' values (here p[0] is w, read from its ``.data`` at every call, and p[1] is
        relu's constant 0), used as a column of (m, 1), which numpy broadcasts over the batch.

        >>> w = Value(0.5, "w")
        >>> print(trace(lambda x, y: (w * x + y).relu(), 1.0, 2.0).listing())
        replay of 7 traced nodes (2 inputs, 1 captured leaf, 1 constant) as 3 numpy steps in 3 levels
          rows 1-2: the inputs' columns
          level 1  mul        ×  1  V[3] = p[0] * V[1]
          level 2  sum of 2   ×  1  V[4] = V[3] + V[2]
          level 3  max        ×  1  V[5] = max(p[1], V[4])  (per data point; a tie goes to the first)
        backward: the same steps in reverse; each node's gradient sums its consumers' contributions
        """
        n_rows_leaf = len(self._leaf_rows_cap)
        head = (f"replay of {len(self._order)} traced nodes ({_count(self.n_inputs, 'input')}, "
                f"{_count(len(self.captured), 'captured leaf', 'captured leaves')}, {_count(self._n_const, 'constant')}) as {len(self._groups)} numpy steps in {self.levels} levels")
        lines = [head]
        first = 1 + self._n_input_rows
        parts = []
        if self._n_input_rows:
            parts.append(f"{_rows_word(1, first)}: the inputs' columns")
        if n_rows_leaf:
            parts.append(f"{_rows_word(first, self._leaf_stop)}: captured leaves, broadcast")
        if parts:
            lines.append("  " + "; ".join(parts))
        for g in self._groups:
            m = g.stop - g.start
            target = f"V[{_span(g.start, g.stop, ':')}]"
            if g.kind == "gate":
                args = [_ref(a) for a in g.args]
                if g.const is not None:
                    args.append(f"{g.const:g}")
                sym = {"add": " + ", "mul": " * "}.get(g.gate.name)
                expr = sym.join(args) if sym else f"{g.gate.name}({', '.join(args)})"
                if g.gate.name == "max":
                    expr += "  (per data point; a tie goes to the first)"
                name = g.gate.name + (f" {g.const:g}" if g.const is not None else "")
            elif g.kind == "sum":
                k = g.sum_rows.shape[0]
                name = f"sum of {k}"
                expr = " + ".join(_ref(g.sum_rows[j]) for j in range(min(k, 3))) + (" + …" if k > 3 else "")
            else:
                W, _, n_inst, biases = g.extra
                name = "matmul"
                cols = _ref(g.args[0]) if n_inst == 1 else f"each of {n_inst} column sets V[[…]]"
                expr = f"p[W] @ {cols}  (W: {W.shape[0]}×{W.shape[1]})"
                if biases:
                    expr += " + p[b]" * len(biases)
                if len(g.sum_rows):
                    n_more = len(g.sum_rows)
                    expr += f" + {n_more} more term{'s' if n_more > 1 else ''}"
            lines.append(f"  level {g.level:<2} {name:<10} × {m:>2}  {target} = {expr}")
        lines.append("backward: the same steps in reverse; each node's gradient sums its consumers' contributions")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.listing()

    def __repr__(self) -> str:
        return (f"Program({self.n_inputs} inputs, {len(self.captured)} captured leaves, {len(self._order)} traced "
                f"nodes, {len(self._groups)} steps in {self.levels} levels)")


def _count(n: int, one: str, many: str = "") -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def _rows_word(start: int, stop: int) -> str:
    return f"row {start}" if stop - start == 1 else f"rows {_span(start, stop)}"


def _span(start: int, stop: int, sep: str = "-") -> str:
    return str(start) if stop - start == 1 else f"{start}{sep}{stop - 1 if sep == '-' else stop}"


def _ref(rows: Any) -> str:
    """How the listing shows an operand: value rows ``V[...]`` or captured leaves ``p[...]``."""
    if isinstance(rows, tuple):
        kind, where = rows
        return _ref(where) if kind == "v" else _ref(where).replace("V[", "p[", 1)
    if isinstance(rows, slice):
        return f"V[{_span(rows.start, rows.stop, ':')}]"
    if len(rows) == 1:
        return f"V[{rows[0]}]"
    shown = ", ".join(str(r) for r in rows[:3])
    return f"V[[{shown}{', …' if len(rows) > 3 else ''}]]"
