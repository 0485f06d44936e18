"""Trace a scalar graph once and replay it with numpy over a batch: each node holds a column of numbers."""

from __future__ import annotations

import math
import operator
from functools import reduce
from itertools import repeat
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
_grad = operator.attrgetter("grad")


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

    __slots__ = ("level", "kind", "gate", "const", "nodes", "start", "stop", "args", "edges", "pull", "extra")

    def __init__(self, level: int, kind: str, gate: Any, const: Optional[float]) -> None:
        self.level, self.kind, self.gate, self.const = level, kind, gate, const
        self.nodes: list[int] = []  # positions in the traced order
        self.start = self.stop = 0
        self.args: list[Any] = []  # per operand: a slice or an index array into the value rows
        self.edges: list[Optional[int]] = []  # per operand: first row of its contribution block
        self.pull: Any = None  # (fanout, m) rows of the contributions each node's gradient sums
        self.extra: Any = None  # matmul: (weight index matrix, other terms' rows or None)


def _rows(index: Sequence[int]) -> Union[slice, np.ndarray]:
    """A slice where the rows are contiguous (a view, no copy), else an index array."""
    arr = np.asarray(index, dtype=np.intp)
    if arr.ndim == 1 and len(arr) and np.all(np.diff(arr) == 1):
        return slice(int(arr[0]), int(arr[-1]) + 1)
    return arr


def _seq_sum(stack: np.ndarray, out: np.ndarray) -> None:
    """out = stack[0] + stack[1] + … left to right, as the scalar engine's chain of adds.

    numpy adds the rows of a (k, m, B) array one after another, except when m·B = 1, where it
    sums pairwise (a different rounding): then accumulate, which is always sequential.
    """
    if stack.shape[0] == 1:
        out[...] = stack[0]
    elif out.size == 1:
        out[...] = reduce(operator.add, stack.ravel().tolist())
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

    Attributes:
        n_inputs: how many columns a call takes.
        captured: the captured leaves, in the order of the traced graph.
    """

    def __init__(self, fn: Callable[..., Value], root: Value, inputs: list[Value], keep: list[Value]) -> None:
        self._fn = fn
        self._root = root
        self._inputs = inputs
        self.n_inputs = len(inputs)
        order = topological_order(root)
        self._order = order
        pos = {id(n): i for i, n in enumerate(order)}
        self._pos = pos
        input_k = {id(x): k for k, x in enumerate(inputs)}
        self._input_pos = [pos.get(id(x)) for x in inputs]
        captured_pos = [i for i, n in enumerate(order) if not n.op and id(n) not in input_k]
        self.captured: list[Value] = [order[i] for i in captured_pos]
        cap_index = {p: j for j, p in enumerate(captured_pos)}
        protect = {pos[id(n)] for n in keep if id(n) in pos} | {len(order) - 1}
        self._keep = {id(n): pos[id(n)] for n in keep if id(n) in pos}
        parents = [tuple(pos[id(p)] for p in n.parents) for n in order]
        uses = [0] * len(order)
        for ps in parents:
            for p in ps:
                uses[p] += 1

        # 1. chains of adds (each link the first input of the next, used once) -> n-ary sums
        # terms: (position, time, slot): time and slot say when the scalar engine adds the
        # term's gradient (the position of the add that took it, and which input it was)
        terms: dict[int, list[tuple[int, int, int]]] = {}
        absorbed = [False] * len(order)
        for i, n in enumerate(order):
            if n.op != "add":
                continue
            a, b = parents[i]
            if a in terms and uses[a] == 1 and a not in protect:
                t = terms.pop(a)
                absorbed[a] = True
                t.append((b, i, 1))
            else:
                t = [(a, i, 0), (b, i, 1)]
            terms[i] = t

        # 2. sums of many (captured leaf × column) products -> matrix products
        linear: dict[int, tuple[list[int], list[int], list[tuple[int, int, int]]]] = {}
        for i, t in terms.items():
            dots, others, seen = [], [], set()
            for term in t:
                j = term[0]
                node = order[j]
                if node.op == "mul" and uses[j] == 1 and j not in protect:
                    pa, pb = parents[j]
                    if (pa in cap_index) != (pb in cap_index):
                        w, x = (pa, pb) if pa in cap_index else (pb, pa)
                        if x not in seen:
                            seen.add(x)
                            dots.append((j, w, x))
                            continue
                others.append(term)
            if len(dots) >= MATMUL_MIN_TERMS:
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
        live = [i for i, n in enumerate(order) if n.op and not absorbed[i]]
        needed: set[int] = set()
        for i in live:
            ops = operands(i)
            needed.update(ops)
            level[i] = 1 + max(level[j] for j in ops)

        # 4. groups, by level then kind, in order of first appearance
        groups: dict[tuple, _Group] = {}
        for i in sorted(live, key=lambda i: level[i]):
            n = order[i]
            if i in linear:
                key: tuple = (level[i], "matmul", tuple(linear[i][1]), len(linear[i][2]))
            elif i in terms:
                key = (level[i], "sum", len(terms[i]))
            else:
                key = (level[i], "gate", n.op, n.const)
            g = groups.get(key)
            if g is None:
                g = groups[key] = _Group(level[i], key[1], GATES[n.op] if key[1] == "gate" else None, n.const)
            g.nodes.append(i)
        self._groups = list(groups.values())
        self.levels = max((g.level for g in self._groups), default=0)

        # 5. rows: 0 is a zero row, then the inputs, then captured leaves read as columns, then groups
        row: dict[int, int] = {}
        next_row = 1
        for p in self._input_pos:
            if p is not None:
                row[p] = next_row
            next_row += 1  # an input fn ignores keeps its row (of zeros gradient)
        self._n_input_rows = next_row - 1
        self._leaf_rows_cap = [j for j, p in enumerate(captured_pos) if p in needed or p == len(order) - 1]
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

        # 6. operands as rows, contribution blocks (after the value rows), and incoming edges
        incoming: dict[int, list[tuple[int, int, int, int]]] = {}  # node -> (-time, slot, order, source row)

        def edge(target: int, time: int, slot: int, source: int) -> None:
            lst = incoming.setdefault(target, [])
            lst.append((-time, slot, len(lst), source))

        next_edge = self._n_rows
        for g in self._groups:
            m = len(g.nodes)
            if g.kind == "gate":
                arity = g.gate.arity
                fixed = g.gate.local_grads if isinstance(g.gate.local_grads, FixedGrads) else None
                for s in range(arity):
                    g.args.append(_rows([row[parents[i][s]] for i in g.nodes]))
                    direct = fixed is not None and fixed[s] == 1.0  # 1 × g = g: read the node's own gradient
                    g.edges.append(None if direct else next_edge)
                    for q, i in enumerate(g.nodes):
                        edge(parents[i][s], i, s, row[i] if direct else next_edge + q)
                    if not direct:
                        next_edge += m
            elif g.kind == "sum":
                k = len(terms[g.nodes[0]])
                idx = np.array([[row[terms[i][t][0]] for i in g.nodes] for t in range(k)], dtype=np.intp)
                g.args.append(idx)
                for i in g.nodes:
                    for j, time, slot in terms[i]:
                        edge(j, time, slot, row[i])
            else:  # matmul
                widx, xs, others = linear[g.nodes[0]]
                W = np.array([linear[i][0] for i in g.nodes], dtype=np.intp)
                oth = None
                if others:
                    oth = np.array([[row[linear[i][2][t][0]] for i in g.nodes] for t in range(len(others))], dtype=np.intp)
                    for i in g.nodes:
                        for j, time, slot in linear[i][2]:
                            edge(j, time, slot, row[i])
                unique = len(np.unique(W)) == W.size
                g.args.append(_rows([row[x] for x in xs]))
                g.extra = (W, oth, unique)
                g.edges.append(next_edge)
                last = max(g.nodes)
                for q, x in enumerate(xs):
                    edge(x, last, 0, next_edge + q)
                next_edge += len(xs)
        self._n_total = next_edge

        def pull_matrix(nodes: Sequence[int]) -> np.ndarray:
            lists = [[src for *_, src in sorted(incoming.get(i, []))] for i in nodes]
            fan = max((len(x) for x in lists), default=0)
            return np.array([[x[f] if f < len(x) else 0 for x in lists] for f in range(fan)], dtype=np.intp).reshape(
                fan, len(nodes)
            )

        for g in self._groups:
            g.pull = pull_matrix(g.nodes)
        self._leaf_pull = pull_matrix(
            [p if p is not None else -1 for p in self._input_pos] + [captured_pos[j] for j in self._leaf_rows_cap]
        )
        self._captured_pos = captured_pos
        self._root_row = row[len(order) - 1]
        self._last: Optional[np.ndarray] = None

    # -- calls ------------------------------------------------------------------------------------
    def __call__(self, *columns: Column, verify: int = 0) -> np.ndarray:
        """``fn``'s value at every data point: an array of shape (B,).

        Args:
            columns: one per input of ``fn``, each a 1-D array of length B or a number (broadcast).
            verify: check this many sample points against ``fn`` through the scalar engine first
                (see :meth:`verify`).

        Raises:
            GateError: a gate is outside its domain (or overflows) at some data point; the message
                names the gate and the data point's index.
            TraceMismatch: with ``verify``, ``fn`` builds another graph at a sampled point.
        """
        cols, B = self._columns(columns)
        if verify:
            self.verify(*columns, points=verify)
        V = self._forward(cols, B)
        return V[self._root_row].copy()

    def backward(self, *columns: Column, weights: Optional[Column] = None, verify: int = 0) -> tuple[np.ndarray, ...]:
        """Forward and backward in one call: ∂fn/∂input per data point, and Σ_b w_b·∂fn_b/∂p into ``p.grad``.

        Every captured leaf p gets ``p.grad += Σ_b weights_b · ∂fn_b/∂p``, as ``Value.backward``
        accumulates (zero them between steps), so an optimizer such as ``nn.SGD`` works unchanged.
        The values of the last call stay readable with :meth:`values_of`.

        Args:
            columns: as for a call.
            weights: one weight per data point (a number is broadcast); default 1. Pass 1/B for
                the gradient of a mean.
            verify: as for a call.

        Returns:
            One array of shape (B,) per input: ∂fn/∂input at each data point (not weighted).

        Raises:
            GateError: as for a call, or where a gradient is not finite, naming the data point.
        """
        cols, B = self._columns(columns)
        w = self._weights(weights, B)
        if verify:
            self.verify(*columns, points=verify)
        V = self._forward(cols, B)
        GE = np.zeros((self._n_total, B))
        GE[self._root_row] = 1.0  # ∂fn/∂fn = 1 at every data point
        pgrad = np.zeros(len(self.captured))
        with np.errstate(all="ignore"):
            for g in reversed(self._groups):
                self._backward_group(g, V, GE, w, pgrad)
            n_leaf = self._n_input_rows + len(self._leaf_rows_cap)
            if n_leaf:
                _seq_sum(GE[self._leaf_pull], GE[1 : 1 + n_leaf])
                if self._root_row <= n_leaf:  # fn returned a leaf: ∂leaf/∂leaf = 1
                    GE[self._root_row] = 1.0
            leaf_grads = GE[1 + self._n_input_rows : 1 + n_leaf]
            if len(leaf_grads):
                pgrad[self._leaf_rows_cap] += leaf_grads @ w  # Σ_b w_b · ∂fn_b/∂p
        if not (np.isfinite(GE.sum()) and np.isfinite(pgrad.sum())):
            self._raise_not_finite(GE, cols, B, backward=True)
        if len(self.captured):
            new = np.fromiter(map(_grad, self.captured), float, len(self.captured)) + pgrad
            if not np.isfinite(new).all():
                j = int(np.flatnonzero(~np.isfinite(new))[0])
                raise GateError(
                    f"gradient of captured leaf {self._name(self.captured[j])} summed over the batch is not "
                    f"finite ({new[j]!r}): the weighted sum overflowed a float"
                )
            list(map(setattr, self.captured, repeat("grad"), new.tolist()))
        return tuple(GE[1 + k].copy() for k in range(self.n_inputs))

    def values_of(self, node: Value) -> np.ndarray:
        """The column of a node passed to ``trace(..., keep=...)``, from the last call."""
        if id(node) not in self._keep:
            raise KeyError("values_of needs a node passed to trace(..., keep=[...])")
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
    def _columns(self, columns: Sequence[Column]) -> tuple[list[np.ndarray], int]:
        if len(columns) != self.n_inputs:
            raise TypeError(f"the program takes {self.n_inputs} column(s), one per input of fn, got {len(columns)}")
        arrays, B = [], None
        for k, c in enumerate(columns):
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
            bad = np.flatnonzero(~np.isfinite(a.reshape(-1)))
            if len(bad):
                raise ValueError(f"column {k} needs finite numbers, got {float(a.reshape(-1)[bad[0]])!r} at data point {int(bad[0])}")
            arrays.append(a)
        B = 1 if B is None else B
        if B == 0:
            raise ValueError("the columns hold no data points (length 0)")
        return [np.broadcast_to(a, (B,)) for a in arrays], B

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

    def _forward(self, cols: list[np.ndarray], B: int) -> np.ndarray:
        V = np.empty((self._n_rows, B))
        V[0] = 0.0
        for k, c in enumerate(cols):
            V[1 + k] = c
        pvals = np.fromiter(map(_data, self.captured), float, len(self.captured))
        self._pvals = pvals
        if self._leaf_rows_cap:
            V[1 + self._n_input_rows : self._leaf_stop] = pvals[self._leaf_rows_cap][:, None]
        with np.errstate(all="ignore"):
            for g in self._groups:
                out = V[g.start : g.stop]
                if g.kind == "gate":
                    xs = [V[a] for a in g.args]
                    if g.const is not None:
                        xs.append(g.const)
                    out[...] = g.gate.numpy.forward(*xs)
                elif g.kind == "sum":
                    _seq_sum(V[g.args[0]], out)
                else:
                    W, oth, _ = g.extra
                    np.matmul(pvals[W], V[g.args[0]], out=out)  # Σ_k w_jk · x_k for every node j at once
                    if oth is not None:
                        out += V[oth].sum(axis=0)
        self._last = V
        if not np.isfinite(V.sum()):
            self._raise_not_finite(V, cols, B, backward=False)
        return V

    def _backward_group(self, g: _Group, V: np.ndarray, GE: np.ndarray, w: np.ndarray, pgrad: np.ndarray) -> None:
        G = GE[g.start : g.stop]
        if g.pull.shape[0]:
            _seq_sum(GE[g.pull], G)
        if g.start <= self._root_row < g.stop:
            GE[self._root_row] = 1.0  # the seed: the root has no consumers, so the pull gave it 0
        if g.kind == "gate":
            gate = g.gate
            lg = gate.numpy.local_grads
            if isinstance(lg, SwappedInputs):  # mul: each input's is the other input
                a, b = g.args
                locals_: Sequence[Any] = (V[b], V[a])
            elif isinstance(lg, FixedGrads):
                locals_ = tuple(lg)
            else:
                xs = [V[a] for a in g.args]
                if g.const is not None:
                    xs.append(g.const)
                locals_ = lg(V[g.start : g.stop], *xs)
            m = g.stop - g.start
            for s, e in enumerate(g.edges):
                if e is not None:
                    np.multiply(locals_[s], G, out=GE[e : e + m])  # contribution = local × upstream
        elif g.kind == "matmul":
            W, _, unique = g.extra
            X = V[g.args[0]]
            e = g.edges[0]
            Wm = self._pvals[W]
            np.matmul(Wm.T, G, out=GE[e : e + X.shape[0]])  # ∂/∂x_k = Σ_j w_jk · g_j
            gW = (G * w) @ X.T  # ∂/∂w_jk = Σ_b weight_b · g_jb · x_kb
            if unique:
                pgrad[W.ravel()] += gW.ravel()
            else:
                np.add.at(pgrad, W.ravel(), gW.ravel())

    def _raise_not_finite(self, A: np.ndarray, cols: list[np.ndarray], B: int, backward: bool) -> None:
        """Find the first data point with a non-finite number and let the scalar engine name the gate."""
        bad_cols = np.flatnonzero(~np.isfinite(A).all(axis=0))
        b = int(bad_cols[0]) if len(bad_cols) else 0
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
            return f"sum of {g.args[0].shape[0]}"
        W = g.extra[0]
        return f"matmul {W.shape[0]}×{W.shape[1]}"

    # -- showing it -------------------------------------------------------------------------------
    def listing(self) -> str:
        """What the replay runs, level by level: one line per group of nodes, as numpy sees it.

        V is the value array, one row per replayed node and one column per data point; ``p`` the
        captured leaves' values, read from their ``.data`` at every call.

        >>> w = Value(0.5, "w")
        >>> print(trace(lambda x, y: (w * x + y).relu(), 1.0, 2.0).listing())
        replay of 7 traced nodes (2 inputs, 2 captured leaves) as 3 numpy steps in 3 levels
          rows 1-2: the inputs' columns; rows 3-4: captured leaves, broadcast
          level 1  mul        ×  1  V[5] = V[4] * V[1]
          level 2  sum of 2   ×  1  V[6] = V[5] + V[2]
          level 3  max        ×  1  V[7] = max(V[3], V[6])  (per data point; a tie goes to the first)
        backward: the same steps in reverse; each node's gradient sums its consumers' contributions
        """
        n_rows_leaf = len(self._leaf_rows_cap)
        head = (f"replay of {len(self._order)} traced nodes ({self.n_inputs} inputs, {len(self.captured)} captured "
                f"leaves) as {len(self._groups)} numpy steps in {self.levels} levels")
        lines = [head]
        first = 1 + self._n_input_rows
        parts = []
        if self._n_input_rows:
            parts.append(f"rows {_span(1, first)}: the inputs' columns")
        if n_rows_leaf:
            parts.append(f"rows {_span(first, self._leaf_stop)}: captured leaves, broadcast")
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
                k = g.args[0].shape[0]
                name = f"sum of {k}"
                expr = " + ".join(_ref(g.args[0][j]) for j in range(min(k, 3))) + (" + …" if k > 3 else "")
            else:
                W, oth, _ = g.extra
                name = "matmul"
                expr = f"p[W] @ {_ref(g.args[0])}  (W: {W.shape[0]}×{W.shape[1]})"
                if oth is not None:
                    expr += f" + {oth.shape[0]} more term{'s' if oth.shape[0] > 1 else ''}"
            lines.append(f"  level {g.level:<2} {name:<10} × {m:>2}  {target} = {expr}")
        lines.append("backward: the same steps in reverse; each node's gradient sums its consumers' contributions")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.listing()

    def __repr__(self) -> str:
        return (f"Program({self.n_inputs} inputs, {len(self.captured)} captured leaves, {len(self._order)} traced "
                f"nodes, {len(self._groups)} steps in {self.levels} levels)")


def _span(start: int, stop: int, sep: str = "-") -> str:
    return str(start) if stop - start == 1 else f"{start}{sep}{stop - 1 if sep == '-' else stop}"


def _ref(rows: Union[slice, np.ndarray]) -> str:
    if isinstance(rows, slice):
        return f"V[{_span(rows.start, rows.stop, ':')}]"
    if len(rows) == 1:
        return f"V[{rows[0]}]"
    shown = ", ".join(str(r) for r in rows[:3])
    return f"V[[{shown}{', …' if len(rows) > 3 else ''}]]"
