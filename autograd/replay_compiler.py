"""Replay's compiler: a traced scalar graph to a numpy program, in five pure phases, one function each.

    collect(root, inputs, keep) -> Graph       the traced nodes in topological order, by position
    classify(graph)             -> Leaves      inputs, parameters (read at every call) and constants
    fuse(graph, leaves)         -> Fused       chains of adds -> n-ary sums; "mul + sum" -> matrix products
    schedule(graph, fused)      -> Schedule    the replayed nodes in groups, by level and kind
    emit(graph, leaves, plan)   -> Emitted     value rows, numpy steps, and how gradients flow back

Each phase reads the earlier phases' results and returns a small frozen dataclass; none changes
its arguments or the traced Values. :class:`autograd.Program` runs what :func:`emit` returns.
Nodes are named by their *position* in the traced order (``graph.nodes[i]``) throughout.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import partial
from types import MappingProxyType
from typing import Any, Callable, Mapping, Optional, Sequence, Union

import numpy as np

from .gates import GATES, FixedGrads, Gate, NumpyTwin, SwappedInputs
from .graph import topological_order
from .value import Value

__all__ = [
    "MATMUL_MIN_TERMS", "Dot", "Emitted", "Fused", "GateStep", "Graph", "Group", "Leaves", "MatmulStep",
    "Schedule", "Slot", "SumStep", "classify", "collect", "emit", "fuse", "schedule", "span",
]

#: A sum with at least this many "parameter × column" terms replays as a matrix product.
#: Below it the terms are multiplied and summed one by one, in the scalar engine's order.
MATMUL_MIN_TERMS = 8

Rows = Union[slice, np.ndarray]
#: An operand of a step: ("v", value rows) or ("p", indices into the captured leaves' values).
Operand = tuple[str, Any]
#: A term of an n-ary sum: (its node, time, slot): the scalar engine hands the term its gradient
#: at the add gate at position ``time``, which took it as input ``slot``.
Term = tuple[int, int, int]
#: Nodes that sum several gradient contributions: (their gradient rows, (fan-in, m) source rows).
Pull = tuple[Rows, np.ndarray]


# -- 1. collect ------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Graph:
    """The traced graph, every node named by its position in topological order (inputs before users).

    Attributes:
        nodes: the traced Values; the last one is the root.
        ops: each node's gate name, "" for a leaf.
        parents: each node's inputs, as positions, in argument order (``a * a`` has (j, j)).
        uses: how many input slots of other nodes read each node.
        position: id(node) -> position.
        inputs: the position of each of fn's inputs; None for an input fn ignores.
        protected: the root and the kept nodes: read back by the caller, so never fused away.
    """

    nodes: tuple[Value, ...]
    ops: tuple[str, ...]
    parents: tuple[tuple[int, ...], ...]
    uses: tuple[int, ...]
    position: Mapping[int, int]
    inputs: tuple[Optional[int], ...]
    protected: frozenset[int]

    @property
    def root(self) -> int:
        return len(self.nodes) - 1


def collect(root: Value, inputs: Sequence[Value] = (), keep: Sequence[Value] = ()) -> Graph:
    """The graph below ``root`` by position: its nodes, their gates, inputs and number of users.

    >>> x = Value(2.0, "x")
    >>> g = collect(x * x + 1.0, [x])
    >>> g.ops, g.parents, g.uses, g.inputs
    (('', 'mul', '', 'add'), ((), (0, 0), (), (1, 2)), (2, 1, 1, 0), (0,))
    """
    nodes = tuple(topological_order(root))
    position = dict(zip(map(id, nodes), range(len(nodes))))
    at = position.__getitem__
    # each node's inputs by position, read from its slots _a, _b (see value.Value)
    parents = [
        () if n._a is None else (at(id(n._a)),) if n._b is None else (at(id(n._a)), at(id(n._b))) for n in nodes
    ]
    uses = [0] * len(nodes)
    for ps in parents:
        for p in ps:
            uses[p] += 1
    protected = {position[id(n)] for n in keep if id(n) in position} | {len(nodes) - 1}
    return Graph(nodes, tuple([n._info.op for n in nodes]), tuple(parents), tuple(uses), MappingProxyType(position),
                 tuple(position.get(id(x)) for x in inputs), frozenset(protected))


# -- 2. classify -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Leaves:
    """The graph's leaves by role: fn's inputs (columns), parameters and constants (both *captured*).

    The rule: a leaf that an operator made from a Python number (the 2 in ``x * 2``, relu's 0,
    ``1 - x``'s 1: an unlabelled "lifted" constant, see ``Value.backward``) is a **constant**:
    it exists only inside the graph, so nobody can change its ``.data`` or read its ``.grad``;
    replay reads it once, here. Every other leaf that is not an input is a **parameter**: a
    ``Value(...)`` someone made and may hold (a model's weights), read from its ``.data`` at every
    call, its ``.grad`` accumulated by backward. The rule never takes a parameter for a constant;
    a ``Value(...)`` that fn makes itself for a fixed number is replayed as a parameter (the same
    numbers, one more read per call). The root and kept nodes are never constants.

    Attributes:
        inputs: the position of each of fn's inputs (None: fn ignores it).
        parameters: the parameters' positions, in graph order.
        constants: the constants' positions, in graph order.
        index: position -> index into the captured values ``p``: the parameters, then the constants.
    """

    inputs: tuple[Optional[int], ...]
    parameters: tuple[int, ...]
    constants: tuple[int, ...]
    index: Mapping[int, int]

    @property
    def captured(self) -> tuple[int, ...]:
        """The captured leaves' positions in the order of ``p``: the parameters, then the constants."""
        return self.parameters + self.constants


def _is_lifted(node: Value) -> bool:
    """Whether an operator made the leaf from a Python number (and nobody labelled it since)."""
    return node._info.lifted and not node.label


def classify(graph: Graph) -> Leaves:
    """Sort the graph's leaves into inputs, parameters and constants (the rule: see :class:`Leaves`).

    >>> w, x = Value(3.0, "w"), Value(1.0, "x")
    >>> leaves = classify(collect((w * x).relu(), [x]))  # nodes: relu's 0, w, x, w·x, max
    >>> leaves.inputs, leaves.parameters, leaves.constants, leaves.captured
    ((2,), (1,), (0,), (1, 0))
    """
    inputs = set(graph.inputs)
    leaves = [i for i, op in enumerate(graph.ops) if not op and i not in inputs]
    constants = tuple(i for i in leaves if i not in graph.protected and _is_lifted(graph.nodes[i]))
    is_constant = set(constants)
    parameters = tuple(i for i in leaves if i not in is_constant)
    index = {p: j for j, p in enumerate(parameters + constants)}
    return Leaves(graph.inputs, parameters, constants, MappingProxyType(index))


# -- 3. fuse ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Dot:
    """A sum replayed as a row of a matrix product: Σ_k p[weights[k]] · columns[k], plus other terms."""

    weights: tuple[int, ...]  # indices into the captured values p
    columns: tuple[int, ...]  # the columns' positions, each once
    others: tuple[Term, ...]  # the sum's remaining terms (a bias, ...), added after the product


@dataclass(frozen=True)
class Fused:
    """Which replayed nodes are n-ary sums or matrix-product rows, and which nodes they absorbed.

    Attributes:
        sums: node -> its terms, for chains of adds replayed as one sum (summed in the chain's order).
        dots: node -> :class:`Dot`, for sums replayed as a row of a matrix product.
        absorbed: nodes computed inside a sum or a product, never replayed on their own.
    """

    sums: Mapping[int, tuple[Term, ...]]
    dots: Mapping[int, Dot]
    absorbed: frozenset[int]

    def operands(self, graph: Graph, i: int) -> tuple[int, ...]:
        """The nodes that node ``i`` reads as replayed: a product's columns and terms, a sum's terms, or its inputs."""
        if i in self.dots:
            d = self.dots[i]
            return d.columns + tuple(t[0] for t in d.others)
        if i in self.sums:
            return tuple(t[0] for t in self.sums[i])
        return graph.parents[i]


def _add_chains(graph: Graph) -> tuple[dict[int, list[Term]], set[int]]:
    """Chains of adds, each link the first input of the next and used only there, as n-ary sums."""
    terms: dict[int, list[Term]] = {}
    absorbed: set[int] = set()
    parents, uses, protected = graph.parents, graph.uses, graph.protected
    for i, op in enumerate(graph.ops):
        if op != "add":
            continue
        a, b = parents[i]
        if a in terms and uses[a] == 1 and a not in protected:
            t = terms.pop(a)  # (…(t0 + t1) + …) + b: the chain so far, then b
            absorbed.add(a)
            t.append((b, i, 1))
        else:
            t = [(a, i, 0), (b, i, 1)]
        terms[i] = t
    return terms, absorbed


def _products(graph: Graph, leaves: Leaves, terms: list[Term]) -> tuple[list[tuple[int, int, int]], list[Term]]:
    """A sum's terms split into (product, weight, column) triples, each column once, and the other terms.

    A term is a product when it is w × x (or x × w) with w captured and x not, used only by this sum.
    """
    dots, others, seen = [], [], set()
    ops, uses, parents, protected, captured = graph.ops, graph.uses, graph.parents, graph.protected, leaves.index
    for term in terms:
        j = term[0]
        if ops[j] == "mul" and uses[j] == 1 and j not in protected:
            a, b = parents[j]
            if (a in captured) != (b in captured):
                w, x = (a, b) if a in captured else (b, a)
                if x not in seen:
                    seen.add(x)
                    dots.append((j, w, x))
                    continue
        others.append(term)
    return dots, others


def fuse(graph: Graph, leaves: Leaves) -> Fused:
    """Chains of adds become n-ary sums; sums of "parameter × column" products become matrix-product rows.

    A sum becomes a :class:`Dot` when it has at least :data:`MATMUL_MIN_TERMS` such products, or
    when at least that many sums read the same columns (a layer of neurons).

    >>> x, y, w = Value(1.0, "x"), Value(2.0, "y"), Value(3.0, "w")
    >>> g = collect(w * x + y + x, [x, y])  # nodes: w, x, w·x, y, w·x + y, (w·x + y) + x
    >>> f = fuse(g, classify(g))
    >>> dict(f.sums), dict(f.dots), f.absorbed  # one sum of 3 terms at node 5; node 4 inside it
    ({5: ((2, 4, 0), (3, 4, 1), (1, 5, 1))}, {}, frozenset({4}))
    """
    terms, absorbed = _add_chains(graph)
    candidates = {}
    layer_size: Counter = Counter()  # how many sums read the same columns: a layer's neurons
    for i, t in terms.items():
        dots, others = _products(graph, leaves, t)
        if len(dots) >= 2:
            columns = tuple([x for _, _, x in dots])
            candidates[i] = (dots, columns, others)
            layer_size[columns] += 1
    fused: dict[int, Dot] = {}
    for i, (dots, columns, others) in candidates.items():
        if len(dots) >= MATMUL_MIN_TERMS or layer_size[columns] >= MATMUL_MIN_TERMS:
            absorbed.update([j for j, _, _ in dots])
            fused[i] = Dot(tuple([leaves.index[w] for _, w, _ in dots]), columns, tuple(others))
    sums = {i: tuple(t) for i, t in terms.items() if i not in fused}
    return Fused(MappingProxyType(sums), MappingProxyType(fused), frozenset(absorbed))


# -- 4. schedule -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Slot:
    """One operand of a group: the node each of its nodes reads there, and when that node gets its gradient.

    ``when[q]`` is (time, slot): the scalar engine hands node ``nodes[q]`` its gradient at the gate at
    position ``time``, which took it as input ``slot``; gradients are summed in that order.
    """

    nodes: tuple[int, ...]
    when: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Group:
    """Nodes of one level made by one kind of step: one numpy call (or a few) replays them all.

    Attributes:
        level: 1 + the level of the deepest node the group reads (inputs and leaves: 0).
        kind: "gate" (one gate row), "sum" (n-ary sums of k terms) or "matmul".
        nodes: the group's nodes; a matmul's are instance after instance.
        slots: the operands: a gate's inputs, a sum's terms, a matmul's terms besides the product.
        gate, const: a gate group's row and constant (pow's exponent).
        columns: a matmul's column positions, per instance (the same layer on other columns).
        weights: a matmul's weight matrix W as indices into p (a row per node of one instance).
    """

    level: int
    kind: str
    nodes: tuple[int, ...]
    slots: tuple[Slot, ...]
    gate: Optional[Gate] = None
    const: Optional[float] = None
    columns: tuple[tuple[int, ...], ...] = ()
    weights: tuple[tuple[int, ...], ...] = ()


@dataclass(frozen=True)
class Schedule:
    """The replayed nodes in groups, ordered by level (within a level: matmuls first, then by first node)."""

    groups: tuple[Group, ...]

    @property
    def levels(self) -> int:
        return max((g.level for g in self.groups), default=0)


def _levels(graph: Graph, fused: Fused, live: list[int]) -> list[int]:
    """Each node's level: 1 + the deepest level among what it reads (leaves and absorbed nodes: 0)."""
    level = [0] * len(graph.nodes)
    fused_nodes = fused.sums.keys() | fused.dots.keys()
    for i in live:  # in topological order: what i reads is placed
        reads = fused.operands(graph, i) if i in fused_nodes else graph.parents[i]
        level[i] = 1 + max([level[j] for j in reads])
    return level


def _matmul_groups(fused: Fused, ordered: list[int], level: list[int]) -> list[Group]:
    """Matrix-product rows as groups: rows reading the same columns form an instance; instances with
    the same weights (one layer applied to many data points' columns) share one group."""
    instances: dict[tuple, list[int]] = {}
    for i in ordered:
        if i in fused.dots:
            d = fused.dots[i]
            instances.setdefault((level[i], d.columns, len(d.others)), []).append(i)
    by_weights: dict[tuple, list[list[int]]] = {}
    for (lv, _, n_other), inst in instances.items():
        weights = tuple(fused.dots[i].weights for i in inst)
        by_weights.setdefault((lv, weights, n_other), []).append(inst)
    groups = []
    for (lv, weights, n_other), insts in by_weights.items():
        nodes = tuple(i for inst in insts for i in inst)
        slots = tuple(Slot(tuple(fused.dots[i].others[t][0] for i in nodes),
                           tuple(fused.dots[i].others[t][1:] for i in nodes)) for t in range(n_other))
        groups.append(Group(lv, "matmul", nodes, slots, columns=tuple(fused.dots[inst[0]].columns for inst in insts),
                            weights=weights))
    return groups


def _group(graph: Graph, fused: Fused, key: tuple, nodes: list[int]) -> Group:
    """A gate or sum group of ``nodes``, with its operand slots."""
    level, kind = key[0], key[1]
    if kind == "sum":
        terms = [fused.sums[i] for i in nodes]
        slots = tuple(Slot(tuple(t[k][0] for t in terms), tuple(t[k][1:] for t in terms)) for k in range(key[2]))
        return Group(level, kind, tuple(nodes), slots)
    gate = GATES[key[2]]
    slots = tuple(Slot(tuple(graph.parents[i][s] for i in nodes), tuple((i, s) for i in nodes))
                  for s in range(gate.arity))
    return Group(level, kind, tuple(nodes), slots, gate, key[3])


def schedule(graph: Graph, fused: Fused) -> Schedule:
    """Group the replayed nodes by level, then kind (gate row and constant, sum size, matmul weights).

    >>> x, y = Value(1.0, "x"), Value(2.0, "y")
    >>> g = collect((x * y + x).tanh(), [x, y])
    >>> [(gr.level, gr.kind, gr.nodes) for gr in schedule(g, fuse(g, classify(g))).groups]
    [(1, 'gate', (2,)), (2, 'sum', (3,)), (3, 'gate', (4,))]
    """
    live = [i for i, op in enumerate(graph.ops) if op and i not in fused.absorbed]
    level = _levels(graph, fused, live)
    ordered = sorted(live, key=level.__getitem__)
    groups = _matmul_groups(fused, ordered, level)
    members: dict[tuple, list[int]] = {}
    for i in ordered:
        if i in fused.dots:
            continue
        n = graph.nodes[i]
        key = (level[i], "sum", len(fused.sums[i])) if i in fused.sums else (level[i], "gate", n.op, n.const)
        members.setdefault(key, []).append(i)
    groups += [_group(graph, fused, key, nodes) for key, nodes in members.items()]
    return Schedule(tuple(sorted(groups, key=lambda g: g.level)))


# -- 5. emit: the numpy program --------------------------------------------------------------------
def _rows(index: Sequence[int]) -> Rows:
    """A slice where the rows are contiguous (a view, no copy), else an index array."""
    arr = np.asarray(index, dtype=np.intp)
    if arr.ndim == 1 and len(arr) and np.all(np.diff(arr) == 1):
        return slice(int(arr[0]), int(arr[-1]) + 1)
    return arr


def _read(V: np.ndarray, pv: np.ndarray, arg: Operand) -> np.ndarray:
    """An operand's values: value rows of V (a view for a slice), or captured leaves as (m, 1) columns."""
    kind, where = arg
    if kind == "p":
        return pv.take(where)[:, None]
    return V[where] if isinstance(where, slice) else V.take(where, axis=0)


def _write(A: np.ndarray, rows: Rows, values: np.ndarray) -> None:
    A[rows] = values


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


def _pull(GE: np.ndarray, rows: Rows, sources: np.ndarray) -> None:
    """Each node's gradient (its row in ``rows``) = the sum of its contributions' rows in ``sources``."""
    if isinstance(rows, slice):
        _seq_sum(GE.take(sources, axis=0), GE[rows])
    else:
        out = np.empty((len(rows), GE.shape[1]))
        _seq_sum(GE.take(sources, axis=0), out)
        GE[rows] = out


def _ref(rows: Any) -> str:
    """How the listing shows an operand: value rows ``V[...]`` or captured leaves ``p[...]``."""
    if isinstance(rows, tuple):
        kind, where = rows
        return _ref(where) if kind == "v" else _ref(where).replace("V[", "p[", 1)
    if isinstance(rows, slice):
        return f"V[{span(rows.start, rows.stop, ':')}]"
    if len(rows) == 1:
        return f"V[{rows[0]}]"
    shown = ", ".join(str(r) for r in rows[:3])
    return f"V[[{shown}{', …' if len(rows) > 3 else ''}]]"


def span(start: int, stop: int, sep: str = "-") -> str:
    """Rows start..stop−1 as the listing writes them: "3-5" (or, with sep=":", the slice "3:6")."""
    return str(start) if stop - start == 1 else f"{start}{sep}{stop - 1 if sep == '-' else stop}"


@dataclass(frozen=True, eq=False)
class GateStep:
    """One gate row's numpy twin over a block of rows; backward writes each input's contribution.

    Per input slot s: ``push[s]``, the input's gradient rows where it is their only contribution
    (written there directly); else ``edges[s]``, the first row of a contribution block that the
    input's own pull sums later (None where the local derivative is 1: the block is G itself, or
    where every input is a constant: nobody needs it).
    """

    level: int
    start: int
    stop: int
    gate: Gate
    twin: NumpyTwin  # the gate row's numpy twin: what runs
    const: Optional[float]
    args: tuple[Operand, ...]
    push: tuple[Optional[Rows], ...]
    edges: tuple[Optional[int], ...]
    pulls: tuple[Pull, ...] = ()

    def _inputs(self, V: np.ndarray, pv: np.ndarray) -> list[Any]:
        xs: list[Any] = [_read(V, pv, a) for a in self.args]
        if self.const is not None:
            xs.append(self.const)
        return xs

    def forward(self, V: np.ndarray, pv: np.ndarray) -> None:
        V[self.start : self.stop] = self.twin.forward(*self._inputs(V, pv))

    def _locals(self, V: np.ndarray, pv: np.ndarray) -> Sequence[Any]:
        lg = self.twin.local_grads
        if isinstance(lg, SwappedInputs):  # mul: each input's is the other input
            a, b = self.args
            return _read(V, pv, b), _read(V, pv, a)
        if isinstance(lg, FixedGrads):
            return tuple(lg)
        return lg(V[self.start : self.stop], *self._inputs(V, pv))

    def backward(self, V: np.ndarray, pv: np.ndarray, GE: np.ndarray, w: np.ndarray, pgrad: np.ndarray) -> None:
        for rows, sources in self.pulls:  # nodes with several consumers: sum their contributions
            _pull(GE, rows, sources)
        G = GE[self.start : self.stop]
        locals_ = self._locals(V, pv)
        m = self.stop - self.start
        for s, (e, push) in enumerate(zip(self.edges, self.push)):
            if push is not None:  # the input's only contribution: write it to its gradient row
                if isinstance(locals_[s], float) and locals_[s] == 1.0:
                    _write(GE, push, G)
                else:
                    _write(GE, push, locals_[s] * G)  # contribution = local × upstream
            elif e is not None:
                np.multiply(locals_[s], G, out=GE[e : e + m])

    @property
    def name(self) -> str:
        return self.gate.name + (f" {self.const:g}" if self.const is not None else "")

    def title(self) -> str:
        return f"{self.gate.name} gate" + (f" (c = {self.const:g})" if self.const is not None else "")

    def expression(self) -> str:
        args = [_ref(a) for a in self.args]
        if self.const is not None:
            args.append(f"{self.const:g}")
        sym = {"add": " + ", "mul": " * "}.get(self.gate.name)
        expr = sym.join(args) if sym else f"{self.gate.name}({', '.join(args)})"
        if self.gate.name == "max":
            expr += "  (per data point; a tie goes to the first)"
        return expr


@dataclass(frozen=True, eq=False)
class SumStep:
    """n-ary sums of k terms, added left to right; each term's gradient is the sum's (∂Σ/∂term = 1).

    ``terms`` holds the terms' value rows, (k, m); ``push`` the gradient rows of terms used only
    here, (j, m), which get the sum's gradient directly (the others pull it from the sum's rows).
    """

    level: int
    start: int
    stop: int
    terms: np.ndarray
    push: Optional[np.ndarray]
    pulls: tuple[Pull, ...] = ()

    def forward(self, V: np.ndarray, pv: np.ndarray) -> None:
        _seq_sum(V.take(self.terms, axis=0), V[self.start : self.stop])

    def backward(self, V: np.ndarray, pv: np.ndarray, GE: np.ndarray, w: np.ndarray, pgrad: np.ndarray) -> None:
        for rows, sources in self.pulls:
            _pull(GE, rows, sources)
        if self.push is not None:  # terms used only here: their gradient is the sum's
            GE[self.push] = GE[self.start : self.stop]

    @property
    def name(self) -> str:
        return f"sum of {self.terms.shape[0]}"

    def title(self) -> str:
        return self.name

    def expression(self) -> str:
        k = self.terms.shape[0]
        return " + ".join(_ref(self.terms[j]) for j in range(min(k, 3))) + (" + …" if k > 3 else "")


@dataclass(frozen=True, eq=False)
class MatmulStep:
    """Rows of p[W] @ X (for each of n_inst column sets X), plus biases and other terms.

    Attributes:
        W: (m, K) indices into p: one row per node of an instance, one column per column of X.
        unique: whether W's entries are distinct (then gradients add into p with plain indexing).
        n_inst: how many column sets the same W is applied to.
        columns: the value rows of X, all instances' (a slice, or an (n_inst, K) index array).
        biases: terms that are captured leaves, each an (m,) index array into p.
        terms: the other terms' value rows, (k, m).
        push: as :class:`SumStep`'s, for the terms. xpush: the columns' gradient rows where this is
            their only contribution; else xedge, the first row of their contribution block.
    """

    level: int
    start: int
    stop: int
    W: np.ndarray
    unique: bool
    n_inst: int
    columns: Operand
    biases: tuple[np.ndarray, ...]
    terms: np.ndarray
    push: Optional[np.ndarray]
    xpush: Optional[Rows]
    xedge: Optional[int]
    pulls: tuple[Pull, ...] = ()

    def forward(self, V: np.ndarray, pv: np.ndarray) -> None:
        W, n_inst = self.W, self.n_inst
        out = V[self.start : self.stop]
        X = _read(V, pv, self.columns)
        # Σ_k w_jk · x_k for every node j of every instance at once
        # (a matmul with out= can skip BLAS: measured 6× slower on the image workload)
        if n_inst == 1:
            out[...] = pv[W] @ X
        else:  # one product for all instances: the column sets side by side, (K, n_inst·B)
            m, K, B = W.shape[0], W.shape[1], V.shape[1]
            side = pv[W] @ X.reshape(n_inst, K, B).transpose(1, 0, 2).reshape(K, n_inst * B)
            out.reshape(n_inst, m, B)[...] = side.reshape(m, n_inst, B).transpose(1, 0, 2)
        for b in self.biases:
            out += pv.take(b)[:, None]
        if len(self.terms):
            out += V.take(self.terms, axis=0).sum(axis=0)

    def backward(self, V: np.ndarray, pv: np.ndarray, GE: np.ndarray, w: np.ndarray, pgrad: np.ndarray) -> None:
        for rows, sources in self.pulls:
            _pull(GE, rows, sources)
        G = GE[self.start : self.stop]
        if self.push is not None:
            GE[self.push] = G
        W, n_inst = self.W, self.n_inst
        m, K, B = W.shape[0], W.shape[1], G.shape[1]
        X = _read(V, pv, self.columns)
        if n_inst == 1:
            dX = pv[W].T @ G  # ∂/∂x_k = Σ_j w_jk · g_j
            gW = (G * w) @ X.T  # ∂/∂w_jk = Σ_b weight_b · g_jb · x_kb
        else:  # as the forward: instances side by side, so each is one matrix product
            Gs = G.reshape(n_inst, m, B).transpose(1, 0, 2).reshape(m, n_inst * B)
            Xs = X.reshape(n_inst, K, B).transpose(1, 0, 2).reshape(K, n_inst * B)
            dX = (pv[W].T @ Gs).reshape(K, n_inst, B).transpose(1, 0, 2).reshape(n_inst * K, B)
            gW = (Gs * np.tile(w, n_inst)) @ Xs.T  # summed over the data points of every instance
        if self.xpush is not None:
            _write(GE, self.xpush, dX)
        else:
            GE[self.xedge : self.xedge + n_inst * K] = dX
        if self.unique:
            pgrad[W.ravel()] += gW.ravel()
        else:
            np.add.at(pgrad, W.ravel(), gW.ravel())

    name = "matmul"

    def title(self) -> str:
        return f"matmul {self.W.shape[0]}×{self.W.shape[1]}" + (f" on {self.n_inst} column sets" if self.n_inst > 1 else "")

    def expression(self) -> str:
        cols = _ref(self.columns) if self.n_inst == 1 else f"each of {self.n_inst} column sets V[[…]]"
        expr = f"p[W] @ {cols}  (W: {self.W.shape[0]}×{self.W.shape[1]})" + " + p[b]" * len(self.biases)
        if len(self.terms):
            n_more = len(self.terms)
            expr += f" + {n_more} more term{'s' if n_more > 1 else ''}"
        return expr


Step = Union[GateStep, SumStep, MatmulStep]


@dataclass(frozen=True, eq=False)
class Emitted:
    """The numpy program: where every node's values live, the steps, and how gradients flow back.

    The value array V has one row per node and one column per data point: row 0 is zeros, rows
    1..n_inputs the inputs' columns, then the captured leaves that are read as rows (broadcast),
    then each step's block, in order. The gradient array has V's rows (row r: the gradient of
    the node in V's row r), then blocks of contributions that nodes with several consumers sum.

    Attributes:
        steps: the groups as numpy steps, in order (backward runs them reversed).
        row: position -> value row.
        n_rows: rows of V. n_total: rows of the gradient array.
        n_input_rows: rows of the inputs (one per input of fn, used or not).
        leaf_rows: indices into p of the captured leaves with a value row (rows n_input_rows + 1 on).
        root_row: the root's row.
        input_pulls: the inputs' gradients that sum several contributions.
        leaf_src, leaf_of: every contribution to a captured leaf: its row, and the leaf's index in p,
            in the scalar engine's order of adding them.
    """

    steps: tuple[Step, ...]
    row: Mapping[int, int]
    n_rows: int
    n_total: int
    n_input_rows: int
    leaf_rows: np.ndarray
    root_row: int
    input_pulls: tuple[Pull, ...]
    leaf_src: np.ndarray
    leaf_of: np.ndarray

    @property
    def leaf_stop(self) -> int:
        return 1 + self.n_input_rows + len(self.leaf_rows)

    def backward(self, V: np.ndarray, pv: np.ndarray, GE: np.ndarray, w: np.ndarray, pgrad: np.ndarray) -> None:
        """Fill the gradient rows GE (seeded at the root) and add Σ_b w_b·∂fn_b/∂p into pgrad, given the
        values V and p of a forward run."""
        for step in reversed(self.steps):
            step.backward(V, pv, GE, w, pgrad)
        for rows, sources in self.input_pulls:
            _pull(GE, rows, sources)
        if len(self.leaf_src):
            # each captured leaf: Σ over its contributions (in the scalar engine's order) of Σ_b w_b·c_b
            pgrad += np.bincount(self.leaf_of, GE.take(self.leaf_src, axis=0) @ w, minlength=len(pgrad))
        if not self.steps and self.root_row > self.n_input_rows:  # fn returned a captured leaf
            pgrad[self.leaf_rows[self.root_row - 1 - self.n_input_rows]] += w.sum()


@dataclass(frozen=True)
class _Layout:
    row: dict[int, int]
    n_input_rows: int
    leaf_rows: list[int]
    starts: list[int]
    n_rows: int


def _layout(graph: Graph, leaves: Leaves, plan: Schedule) -> _Layout:
    """Value rows: 0 is zeros, then the inputs, then captured leaves read as rows, then each group's block."""
    captured = leaves.index
    as_rows = {graph.root} | set(graph.protected)  # captured leaves that need a row of values
    for g in plan.groups:
        for slot in g.slots:
            if g.kind == "sum" or not all(j in captured for j in slot.nodes):
                as_rows.update(j for j in slot.nodes if j in captured)
    row: dict[int, int] = {}
    next_row = 1
    for p in graph.inputs:
        if p is not None:
            row[p] = next_row
        next_row += 1  # an input fn ignores keeps its row, with a zero gradient
    n_input_rows = next_row - 1
    leaf_rows = [k for k, p in enumerate(leaves.captured) if p in as_rows]
    for k in leaf_rows:
        row[leaves.captured[k]] = next_row
        next_row += 1
    starts = []
    for g in plan.groups:
        starts.append(next_row)
        for i in g.nodes:
            row[i] = next_row
            next_row += 1
    return _Layout(row, n_input_rows, leaf_rows, starts, next_row)


class _Router:
    """Where each gradient contribution goes, gathered while emit walks the groups (local to one emit).

    A node with one incoming contribution gets it written straight into its gradient row
    (pushed); a node with several sums them in the scalar engine's order (pulled); a captured
    leaf's are summed over the batch at the end; a constant's are dropped (nobody sees them).
    """

    def __init__(self, leaves: Leaves, row: dict[int, int], fan_in: list[int], first_free: int) -> None:
        self.row, self.fan_in = row, fan_in
        self.index = leaves.index  # captured leaf -> its index in p
        self.constants = frozenset(leaves.constants)
        self.incoming: dict[int, list[tuple[int, int, int]]] = {}  # node -> (-time, slot, source row)
        self.leaf_edges: list[tuple[int, int, int, int]] = []  # (-time, slot, source row, index in p)
        self.next_free = first_free  # the next contribution row

    def block(self, size: int) -> int:
        """Reserve ``size`` contribution rows; return the first."""
        start = self.next_free
        self.next_free += size
        return start

    def send(self, slot: Slot, first_source: int) -> None:
        """Node ``slot.nodes[q]`` gets the contribution in row ``first_source + q``, at ``slot.when[q]``."""
        index, constants = self.index, self.constants
        for q, (j, (time, s)) in enumerate(zip(slot.nodes, slot.when)):
            if j in constants:
                continue  # nobody sees a constant's gradient
            if j in index:
                self.leaf_edges.append((-time, s, first_source + q, index[j]))
            else:
                self.incoming.setdefault(j, []).append((-time, s, first_source + q))

    def pushable(self, targets: Sequence[int]) -> bool:
        """Whether every target is a replayed node or input whose gradient is this one contribution."""
        index, fan_in = self.index, self.fan_in
        return all(j not in index and fan_in[j] == 1 for j in targets)

    def captured(self, targets: Sequence[int]) -> bool:
        """Whether every target is a captured leaf (read from p, not from value rows)."""
        index = self.index
        return all(j in index for j in targets)

    def operand(self, targets: Sequence[int]) -> Operand:
        if self.captured(targets):
            return ("p", np.array([self.index[j] for j in targets], dtype=np.intp))
        return ("v", _rows([self.row[j] for j in targets]))

    def pulls(self, nodes: Sequence[int]) -> tuple[Pull, ...]:
        """The nodes that sum contributions, grouped by how many: their rows and the sources, in order."""
        by_fan: dict[int, list[tuple[int, list[int]]]] = {}
        for i in nodes:
            lst = self.incoming.get(i, [])
            if lst:  # not pushed: sum what its consumers left in contribution rows
                by_fan.setdefault(len(lst), []).append((self.row[i], [src for *_, src in sorted(lst)]))
        return tuple(
            (_rows([r for r, _ in items]), np.array([[srcs[f] for _, srcs in items] for f in range(fan)], dtype=np.intp))
            for fan, items in sorted(by_fan.items())
        )


def _gate_step(g: Group, start: int, router: _Router) -> Callable[[tuple[Pull, ...]], Step]:
    gate = g.gate
    if gate is None or gate.numpy is None:
        raise ValueError(f"gate {gate.name if gate else None!r} has no numpy twin (Gate.numpy): replay cannot run it")
    fixed = gate.local_grads if isinstance(gate.local_grads, FixedGrads) else None
    m = len(g.nodes)
    push: list[Optional[Rows]] = []
    edges: list[Optional[int]] = []
    for s, slot in enumerate(g.slots):
        one = fixed is not None and fixed[s] == 1.0  # 1 × g = g: the node's own gradient rows
        if router.constants.issuperset(slot.nodes):  # relu's 0: no gradient to compute
            push.append(None)
            edges.append(None)
        elif router.pushable(slot.nodes):
            push.append(_rows([router.row[j] for j in slot.nodes]))
            edges.append(None)
        else:
            first = start if one else router.block(m)
            push.append(None)
            edges.append(None if one else first)
            router.send(slot, first)
    args = tuple(router.operand(slot.nodes) for slot in g.slots)
    return partial(GateStep, g.level, start, start + m, gate, gate.numpy, g.const, args, tuple(push), tuple(edges))


def _term_push(g: Group, start: int, router: _Router) -> Optional[np.ndarray]:
    """A sum's or matmul's terms: the gradient rows of those used only here (the others get sent)."""
    copy_to = []
    for slot in g.slots:
        if router.pushable(slot.nodes):
            copy_to.append([router.row[j] for j in slot.nodes])
        else:
            router.send(slot, start)  # ∂Σ/∂term = 1: the contribution is the sum's own gradient
    return np.array(copy_to, dtype=np.intp).reshape(len(copy_to), len(g.nodes)) if copy_to else None


def _term_rows(g: Group, router: _Router, slots: Sequence[Slot]) -> np.ndarray:
    return np.array([[router.row[j] for j in s.nodes] for s in slots], dtype=np.intp).reshape(len(slots), len(g.nodes))


def _sum_step(g: Group, start: int, router: _Router) -> Callable[[tuple[Pull, ...]], Step]:
    terms = _term_rows(g, router, g.slots)
    return partial(SumStep, g.level, start, start + len(g.nodes), terms, _term_push(g, start, router))


def _matmul_step(g: Group, start: int, router: _Router) -> Callable[[tuple[Pull, ...]], Step]:
    n_inst, K = len(g.columns), len(g.columns[0])
    W = np.array(g.weights, dtype=np.intp)
    flat = [x for xs in g.columns for x in xs]
    x_rows = _rows([router.row[x] for x in flat])
    columns = ("v", x_rows if isinstance(x_rows, slice) else x_rows.reshape(n_inst, K))
    xpush = xedge = None
    if router.pushable(flat):
        xpush = x_rows
    else:
        xedge = router.block(len(flat))
        last = max(g.nodes)  # the columns' contributions, handed out with the last of the layer's sums
        router.send(Slot(tuple(flat), tuple((last, 0) for _ in flat)), xedge)
    leaf_terms = [s for s in g.slots if router.captured(s.nodes)]  # biases
    biases = tuple(router.operand(s.nodes)[1] for s in leaf_terms)
    terms = _term_rows(g, router, [s for s in g.slots if not any(s is b for b in leaf_terms)])
    return partial(MatmulStep, g.level, start, start + len(g.nodes), W, len(np.unique(W)) == W.size, n_inst,
                   columns, biases, terms, _term_push(g, start, router), xpush, xedge)


#: Each kind's step builder: it routes the group's gradients and returns the step, given its pulls
#: (known once every group has sent its contributions).
_STEP: dict[str, Callable[[Group, int, _Router], Callable[[tuple[Pull, ...]], Step]]] = {"gate": _gate_step, "sum": _sum_step, "matmul": _matmul_step}


def _fan_in(plan: Schedule, n: int) -> list[int]:
    """How many gradient contributions each node gets from the replayed groups."""
    fan_in = [0] * n
    for g in plan.groups:
        for slot in g.slots:
            for j in slot.nodes:
                fan_in[j] += 1
        for xs in g.columns:
            for x in xs:
                fan_in[x] += 1
    return fan_in


def emit(graph: Graph, leaves: Leaves, plan: Schedule) -> Emitted:
    """The numpy program for the scheduled groups: rows for every value, a step per group, gradient routes.

    >>> w, x = Value(0.5, "w"), Value(1.0, "x")
    >>> g = collect((w * x).relu(), [x])  # nodes: relu's 0, w, x, w·x, max
    >>> leaves = classify(g)
    >>> code = emit(g, leaves, schedule(g, fuse(g, leaves)))
    >>> dict(code.row), [(s.name, s.start, s.stop) for s in code.steps]  # x in row 1, w·x in 2, max in 3
    ({2: 1, 3: 2, 4: 3}, [('mul', 2, 3), ('max', 3, 4)])
    """
    layout = _layout(graph, leaves, plan)
    router = _Router(leaves, layout.row, _fan_in(plan, len(graph.nodes)), layout.n_rows)
    builders = [_STEP[g.kind](g, start, router) for g, start in zip(plan.groups, layout.starts)]
    steps = [build(router.pulls(g.nodes)) for build, g in zip(builders, plan.groups)]
    input_pulls = router.pulls([p for p in graph.inputs if p is not None])
    leaf_edges = sorted(router.leaf_edges)
    return Emitted(
        steps=tuple(steps),
        row=MappingProxyType(layout.row),
        n_rows=layout.n_rows,
        n_total=router.next_free,
        n_input_rows=layout.n_input_rows,
        leaf_rows=np.array(layout.leaf_rows, dtype=np.intp),
        root_row=layout.row[graph.root],
        input_pulls=input_pulls,
        leaf_src=np.array([e[2] for e in leaf_edges], dtype=np.intp),
        leaf_of=np.array([e[3] for e in leaf_edges], dtype=np.intp),
    )
