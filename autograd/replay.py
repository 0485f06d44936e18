"""Trace a scalar graph once and replay it with numpy over a batch: each node holds a column of numbers."""

from __future__ import annotations

import numbers
import operator
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence, Union

import numpy as np

from .graph import topological_order
from .replay_compiler import MATMUL_MIN_TERMS, Emitted, classify, collect, emit, fuse, schedule, span
from .errors import _check_numbers
from .value import GateError, Value

__all__ = ["MATMUL_MIN_TERMS", "Program", "TraceMismatch", "trace"]

Column = Union[float, int, Sequence[float], np.ndarray]
_data = operator.attrgetter("data")
class TraceMismatch(ValueError):
    """``fn`` builds a different graph for some data point than the one traced: the trace does not fit."""


def trace(fn: Callable[..., Value], *example_inputs: float, keep: Iterable[Value] = ()) -> Program:
    """Run ``fn`` once on Values of ``example_inputs`` and return its graph as a replayable :class:`Program`.

    ``fn`` takes one Value per example input and returns one Value. The leaves it reaches but
    does not take as inputs are *captured*: a number its operators made a leaf of (the 2 in
    ``x * 2``, relu's 0) is a constant, read once; any other leaf, a ``Value(...)`` someone made
    (a model's parameters), is read from its ``.data`` at every call and gets its gradients
    added into its ``.grad`` (the rule: ``autograd.replay_compiler.Leaves``).

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
        TraceMismatch: ``fn`` reaches a gate node made before it ran (``scale = log_scale.exp()``
            built once in a model's ``__init__``): the scalar engine keeps that node's ``.data``
            while replay would recompute it, so build it inside ``fn``.

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
    leaves, root = _run(fn, example_inputs)
    premade = _premade_candidates(root, leaves)
    if premade:  # run fn again: a gate node it hands back again is not its own (see _premade_candidates)
        leaves, root = _run(fn, example_inputs)  # and the Program is built from this, fn's last run
        for n in topological_order(root):
            if id(n) in premade:
                raise TraceMismatch(_premade_message(n, "trace"))
    return Program(fn, root, leaves, list(keep))  # read after fn ran: fn may fill it


def _run(fn: Callable[..., Value], example_inputs: Sequence[float]) -> tuple[list[Value], Value]:
    leaves = [Value(x, f"x{i}") for i, x in enumerate(example_inputs)]
    root = fn(*leaves)
    if not isinstance(root, Value):
        raise TypeError(f"trace: fn must return one Value, got {type(root).__name__}")
    return leaves, root


def _premade_candidates(root: Value, leaves: list[Value]) -> dict[int, Value]:
    """The gate nodes below ``root`` that depend on no input: only these can have been made before fn ran.

    Such a node made before tracing from parameters (a model's ``scale = log_scale.exp()`` built
    once in ``__init__``) keeps, in the scalar engine, the ``.data`` it was made with as
    ``log_scale`` trains, while replay would recompute it at every call: the two would train
    differently. A node fn builds from parameters alone (``w.exp() * x`` inside fn) is fine. To
    tell them apart, ``trace`` runs fn a second time when there are any (most graphs have none)
    and refuses a node that comes back as the same object.
    """
    fed = {id(x) for x in leaves}  # nodes that depend on an input
    candidates = {}
    for n in topological_order(root):
        if n.op:
            if n._a is not None and id(n._a) in fed or n._b is not None and id(n._b) in fed:
                fed.add(id(n))
            else:
                candidates[id(n)] = n
    return candidates


def _premade_message(n: Value, where: str) -> str:
    name = repr(n.label) if n.label else f"{n.op} node with value {n.data!r}"
    return (f"{where}: node {name} was made before fn ran (fn reaches it but does not build it): the scalar engine "
            "keeps its .data from when it was made, replay would recompute it; build it inside fn (e.g. in the "
            "model's __call__)")


class Program:
    """A traced scalar graph, replayed on numpy columns (one entry per data point).

    Made by :func:`trace`. The traced nodes are grouped by level (1 + the level of their deepest
    input) and kind; chains of add gates become n-ary sums (summed in the chain's order), and
    sums of at least :data:`MATMUL_MIN_TERMS` products of a captured leaf and a column become
    matrix products. Every group is a few numpy calls writing into a contiguous block of rows.
    Apart from those matrix products, values and gradients are those of the scalar engine, bit
    for bit where numpy and the platform's libm agree. ``str(program)`` lists what runs. The
    compiler's phases (collect, classify, fuse, schedule, emit) are in
    :mod:`autograd.replay_compiler`.

    Constants that ``fn``'s operators make from Python numbers (relu's 0, a ``1 - x``'s 1:
    unlabelled leaves that exist only inside the graph) are read once, when tracing; nobody can
    see their ``.grad``. Every other leaf ``fn`` reaches but does not take as an input is captured.

    Attributes:
        n_inputs: how many columns a call takes.
        root: the traced graph's output node (``fn``'s Value at the example inputs).
        captured: the captured leaves that are not constants (a model's parameters), in the
            order of the traced graph: read at every call, their ``.grad`` accumulated by ``backward``.
        levels: how many levels the replay runs.
    """

    def __init__(self, fn: Callable[..., Value], root: Value, inputs: list[Value], keep: list[Value]) -> None:
        graph = collect(root, inputs, keep)
        leaves = classify(graph)
        fused = fuse(graph, leaves)
        plan = schedule(graph, fused)
        self._code: Emitted = emit(graph, leaves, plan)
        self._fn = fn
        self._graph = graph
        self.root = root
        self.n_inputs = len(inputs)
        self.levels = plan.levels
        self._keep = {id(n): graph.position[id(n)] for n in [*keep, root] if id(n) in graph.position}
        self.captured: list[Value] = [graph.nodes[i] for i in leaves.parameters]
        self._n_const = len(leaves.constants)
        # p, the captured leaves' values: the parameters' read at every call, the constants' once, here
        self._const_pv: np.ndarray = np.array([0.0] * len(leaves.parameters) + [graph.nodes[i].data for i in leaves.constants],
                                              dtype=float)
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
        V, _ = self._forward(cols, B)
        return V[self._code.root_row].copy()

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
        V, pv = self._forward(cols, B, pv)
        code = self._code
        GE = np.zeros((code.n_total, B))  # gradient rows (as V's), then contribution blocks
        GE[code.root_row] = 1.0  # ∂fn/∂fn = 1 at every data point
        pgrad = np.zeros(len(pv))  # parameters first, then constants (not written back)
        with np.errstate(all="ignore"):
            code.backward(V, pv, GE, w, pgrad)
            finite = np.isfinite(GE.sum()), np.isfinite(pgrad[: len(self.captured)]).all()
        if not finite[0]:  # or only the sum overflowed: the search below finds no bad column and returns
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
        return self._last[self._code.row[self._keep[id(node)]]].copy()

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
        traced = self._graph.nodes
        where = f"the trace does not fit data point {b}"
        pos = {id(n): i for i, n in enumerate(order)}
        inputs = set(self._graph.inputs)
        for i, (n, t) in enumerate(zip(order, traced)):
            if n.op != t.op or n.const != t.const or [pos[id(p)] for p in n.parents] != list(self._graph.parents[i]):
                raise TraceMismatch(f"{where}: node {i} is {self._describe(n, pos)} there but "
                                    f"{self._describe(t, self._graph.position)} in the trace (does fn branch in Python on .data?)")
            if n.op and n is t:
                raise TraceMismatch(f"{where}: " + _premade_message(n, "verify"))
            if not n.op and i not in inputs and n is not t and n.data != t.data:
                raise TraceMismatch(f"{where}: the constant at node {i} is {n.data!r} there but {t.data!r} in the trace "
                                    "(fn computes it from the data, so replay cannot use it)")
        if len(order) != len(traced):
            raise TraceMismatch(f"{where}: fn builds {len(order)} nodes there, the trace has {len(traced)} "
                                "(does fn branch in Python on .data?)")

    @staticmethod
    def _describe(n: Value, pos: Mapping[int, int]) -> str:
        if not n.op:
            return f"a leaf {n.label!r}" if n.label else "a leaf"
        return f"{n.op}({', '.join(f'node {pos[id(p)]}' for p in n.parents)})"

    # -- internals --------------------------------------------------------------------------------
    def _columns(self, columns: Sequence[Column], block: Optional[np.ndarray] = None) -> tuple[Any, int]:
        """The columns as one (n_inputs, B) block of finite floats, and B; every check on the way."""
        if block is not None:
            if columns:
                raise TypeError("give the columns or block=, not both")
            return self._block(block)
        if len(columns) != self.n_inputs:
            raise TypeError(f"the program takes {self.n_inputs} column(s), one per input of fn, got {len(columns)}")
        arrays, B = [], None
        for k, c in enumerate(columns):
            a = _column(k, c)
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

    def _block(self, block: np.ndarray) -> tuple[np.ndarray, int]:
        """block= as an (n_inputs, B) array of finite floats, and B."""
        A = _real_array("block", block, "(an array of shape (n_inputs, B))")
        if A.ndim != 2 or A.shape[0] != self.n_inputs or A.shape[1] == 0:
            raise ValueError(f"block must have shape (n_inputs, B) = ({self.n_inputs}, B >= 1), got {A.shape}")
        with np.errstate(all="ignore"):
            finite = np.isfinite(A.sum())
        if not finite:
            k, b = np.argwhere(~np.isfinite(A))[0]
            raise ValueError(f"column {k} needs finite numbers, got {float(A[k, b])!r} at data point {int(b)}")
        return A, A.shape[1]

    @staticmethod
    def _weights(weights: Optional[Column], B: int) -> np.ndarray:
        if weights is None:
            return np.ones(B)
        w = _real_array("weights", weights, "(one per data point, or a number)")
        if w.ndim == 0:
            w = np.full(B, float(w))
        if w.shape != (B,):
            raise ValueError(f"weights must be one number per data point ({B}), got shape {w.shape}")
        if not np.isfinite(w).all():
            raise ValueError("weights must be finite numbers")
        return w

    def _parameters(self, captured: Optional[np.ndarray]) -> np.ndarray:
        """p: the parameters' values (read from their ``.data`` unless given), then the constants'."""
        if captured is None:
            try:
                captured = np.fromiter(map(_data, self.captured), float, len(self.captured))
            except (TypeError, ValueError):  # numpy's message names neither the parameter nor its type
                for leaf in self.captured:
                    _check_numbers(leaf)
                raise
        with np.errstate(all="ignore"):
            finite = np.isfinite(captured.sum()) or np.isfinite(captured).all()  # one pass; an overflowing sum looks again
        if not finite:  # a parameter set to nan or ±inf after tracing: tanh(inf) = 1 would hide it, so say so
            j = int(np.flatnonzero(~np.isfinite(captured))[0])
            leaf = self.captured[j]
            raise GateError(f"node {leaf.label or 'leaf'!r} holds {float(captured[j])!r}, not a finite number "
                            f"(was .data set to it after the node was made?): replay reads it as a parameter")
        pv = self._const_pv.copy()
        pv[: len(self.captured)] = captured
        return pv

    def _forward(self, cols: Any, B: int, captured: Optional[np.ndarray] = None) -> tuple[np.ndarray, np.ndarray]:
        """Every node's values (V, one row per node) and p, the captured leaves' values; GateError where one is not finite."""
        code = self._code
        pv = self._parameters(captured)
        V = np.empty((code.n_rows, B))
        V[0] = 0.0
        if self.n_inputs:
            V[1 : 1 + self.n_inputs] = cols
        if len(code.leaf_rows):
            V[1 + code.n_input_rows : code.leaf_stop] = pv[code.leaf_rows][:, None]
        with np.errstate(all="ignore"):
            for step in code.steps:
                step.forward(V, pv)
            finite = np.isfinite(V.sum())  # one pass; a sum that overflows is searched exactly below
        self._last = V
        if not finite:
            self._raise_not_finite(V, cols, B, backward=False)
        return V, pv

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
        group = self._first_bad_step(A, b)
        raise GateError(f"at data point {b}: a {where} is not finite in replay ({group}); the scalar engine "
                        "finds none there, so the trace may not fit this point (call with verify=)")

    def _first_bad_step(self, A: np.ndarray, b: int) -> str:
        for step in self._code.steps:
            if not np.isfinite(A[step.start : step.stop, b]).all():
                return f"level {step.level}, {step.title()}"
        return "a contribution"

    @staticmethod
    def _name(p: Value) -> str:
        return repr(p.label) if p.label else f"with value {p.data!r}"

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
        code = self._code
        head = (f"replay of {len(self._graph.nodes)} traced nodes ({_count(self.n_inputs, 'input')}, "
                f"{_count(len(self.captured), 'captured leaf', 'captured leaves')}, {_count(self._n_const, 'constant')}) "
                f"as {len(code.steps)} numpy steps in {self.levels} levels")
        lines = [head]
        first = 1 + code.n_input_rows
        parts = []
        if code.n_input_rows:
            parts.append(f"{_rows_word(1, first)}: the inputs' columns")
        if len(code.leaf_rows):
            parts.append(f"{_rows_word(first, code.leaf_stop)}: captured leaves, broadcast")
        if parts:
            lines.append("  " + "; ".join(parts))
        for step in code.steps:
            target = f"V[{span(step.start, step.stop, ':')}]"
            lines.append(f"  level {step.level:<2} {step.name:<10} × {step.stop - step.start:>2}  {target} = {step.expression()}")
        lines.append("backward: the same steps in reverse; each node's gradient sums its consumers' contributions")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.listing()

    def __repr__(self) -> str:
        return (f"Program({self.n_inputs} inputs, {len(self.captured)} captured leaves, {len(self._graph.nodes)} traced "
                f"nodes, {len(self._code.steps)} steps in {self.levels} levels)")


def _count(n: int, one: str, many: str = "") -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def _rows_word(start: int, stop: int) -> str:
    return f"row {start}" if stop - start == 1 else f"rows {span(start, stop)}"


def _column(k: int, c: Column) -> np.ndarray:
    """Column k as a float array of at most one dimension (a number stands for every data point)."""
    if type(c) is np.ndarray and c.dtype == np.float64 and c.ndim == 1:
        return c  # the common case, checked first
    a = _real_array(f"column {k}", c, "(a 1-D array or a number)")
    if a.ndim > 1:
        raise ValueError(f"column {k} must be 1-D (one number per data point), got shape {a.shape}")
    return a


def _real_array(what: str, c: Any, shape: str) -> np.ndarray:
    """``c`` as a float array, refusing what is not real numbers (bool, str, bytes, complex, dates) by name.

    numpy would read True as 1, "3" as 3.0 and drop an imaginary part; a column of those is a
    mistake, not data.
    """
    try:
        raw = np.asarray(c)
    except (TypeError, ValueError):
        raise TypeError(f"{what} must be real numbers {shape}, got {type(c).__name__} that numpy cannot read as an array") from None
    if raw.dtype.kind == "O":  # Python ints too large for int64, Fractions, or anything at all: look at each
        bad = next((v for v in raw.reshape(-1) if isinstance(v, bool) or not isinstance(v, numbers.Real)), None)
        if bad is not None:
            raise TypeError(f"{what} must be real numbers {shape}, got an element of type {type(bad).__name__}")
    elif raw.dtype.kind not in "fiu":
        kind = type(c).__name__ if raw.ndim == 0 else f"{type(c).__name__} of {raw.dtype.name}"
        raise TypeError(f"{what} must be real numbers {shape}, got {kind}")
    try:
        a = raw.astype(float)
    except (TypeError, ValueError, OverflowError) as e:
        raise ValueError(f"{what} cannot be read as floats: {e}") from None
    return a
