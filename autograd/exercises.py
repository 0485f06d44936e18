"""Exercises for learners: seeded tasks, and a checker that points at the first backward step that went wrong.

Four kinds of task, each seeded (same seed, same numbers) and each with a model answer:

- :class:`LocalGrads`: write a gate's local derivatives (add, mul, max, exp, log, pow, σ, tanh);
- :class:`BackwardLoop`: write the backward loop, given the topological order;
- :class:`HandGradients`: fill in every gradient of a small graph by hand;
- :class:`FindTheBug`: fix a broken backward (``=`` instead of ``+=`` at a fork, the wrong order,
  no visited set, a second ``backward()`` that doubles interior gradients, the sign of a subtraction).

Learners' code runs on :mod:`autograd.reference` Values (``data``, ``grad``, ``parents``,
``gate``, ``local_grads()``). The checker runs the same graph through the fast engine's
:func:`autograd.backward_steps` and reports the FIRST step where the learner's numbers differ,
with the expected and actual numbers and the arithmetic (upstream × local = contribution).

The learner's code runs in this process, with no sandbox: it can do anything Python can. Any
exception it raises is reported as the learner's error, with their own lines, never as a crash
of the checker; a loop that never ends never ends here either.
"""

from __future__ import annotations

import inspect
import math
import operator
import random
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional, Sequence

from . import reference
from ._theircode import describe
from .gates import GATES, FixedGrads, Gate
from .graph import Step, backward_steps, topological_order
from .value import Value, apply

__all__ = [
    "BUGS",
    "COURSE_GATES",
    "GRAPHS",
    "SUB",
    "BackwardLoop",
    "FindTheBug",
    "HandGradients",
    "LocalGrads",
    "Report",
    "check_backward",
    "check_loop",
]

#: The gates whose local derivatives a learner writes: the course's gates, and σ and tanh.
COURSE_GATES = ("add", "mul", "max", "exp", "log", "pow", "sigmoid", "tanh")

#: Subtraction as a row of its own, the way a learner would add it (see :func:`autograd.apply`).
SUB = Gate(
    name="sub",
    symbol="−",
    arity=2,
    forward=operator.sub,  # a − b
    local_grads=FixedGrads((1.0, -1.0)),  # ∂(a−b)/∂a = 1, ∂(a−b)/∂b = −1
    rule="sub passes the upstream gradient to a unchanged and to b with its sign flipped",
    rule_zh="减法门单元把上游梯度原样传给 a，取反后传给 b",
)

_CLOSE = dict(rel_tol=1e-9, abs_tol=1e-12)


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, **_CLOSE)


def _fmt(x: float) -> str:
    text = f"{x:.6g}"
    return "0" if text == "-0" else text


# -- the graphs: one builder each, for both engines -------------------------------------------
Leaf = Callable[[float, str], Any]


def _label(node: Any, label: str) -> Any:
    node.label = label
    return node


def _course(leaf: Leaf, sub: Callable, n: Sequence[float]) -> Any:
    """f = (x + y)·z"""
    x, y, z = leaf(n[0], "x"), leaf(n[1], "y"), leaf(n[2], "z")
    q = _label(x + y, "q")
    return _label(q * z, "f")


def _fork(leaf: Leaf, sub: Callable, n: Sequence[float]) -> Any:
    """q = x·y feeds two gates: f = q + q·z"""
    x, y, z = leaf(n[0], "x"), leaf(n[1], "y"), leaf(n[2], "z")
    q = _label(x * y, "q")
    p = _label(q * z, "p")
    return _label(q + p, "f")


def _neuron(leaf: Leaf, sub: Callable, n: Sequence[float]) -> Any:
    """f = σ(w0·x0 + w1·x1 + b)"""
    w0, x0, w1, x1, b = (leaf(v, k) for v, k in zip(n, ("w0", "x0", "w1", "x1", "b")))
    s = _label(_label(_label(w0 * x0, "w0·x0") + _label(w1 * x1, "w1·x1"), "w·x") + b, "s")
    return _label(s.sigmoid(), "f")


def _subtract(leaf: Leaf, sub: Callable, n: Sequence[float]) -> Any:
    """f = (x − y)·z, with the sub gate"""
    x, y, z = leaf(n[0], "x"), leaf(n[1], "y"), leaf(n[2], "z")
    d = _label(sub(x, y), "d")
    return _label(d * z, "f")


def _routed(leaf: Leaf, sub: Callable, n: Sequence[float]) -> Any:
    """f = max(x, y)·z"""
    x, y, z = leaf(n[0], "x"), leaf(n[1], "y"), leaf(n[2], "z")
    m = _label(x.max(y), "m")
    return _label(m * z, "f")


#: The graphs exercises are set on: name -> (builder, how many inputs).
GRAPHS: Mapping[str, tuple[Callable, int]] = {
    "course": (_course, 3),
    "fork": (_fork, 3),
    "neuron": (_neuron, 5),
    "subtract": (_subtract, 3),
    "max": (_routed, 3),
}


def _numbers(graph: str, seed: int) -> list[float]:
    """Small whole numbers a learner can do by hand (never 0, and a max never at a tie)."""
    rng = random.Random(f"{graph}:{seed}")
    while True:
        n = [float(rng.choice([-5, -4, -3, -2, -1, 1, 2, 3, 4, 5])) for _ in range(GRAPHS[graph][1])]
        if graph == "max" and n[0] == n[1]:
            continue
        if graph == "neuron":  # a neuron's numbers need not be whole: keep them short
            n = [round(v * rng.uniform(0.2, 1.0), 1) or 0.5 for v in n]
        return n


def _fast_graph(graph: str, numbers: Sequence[float]) -> Value:
    build = GRAPHS[graph][0]
    return build(lambda v, k: Value(v, k), lambda a, b: apply(SUB, a, b), numbers)


def _reference_graph(graph: str, numbers: Sequence[float], watch: Optional[list] = None) -> reference.Value:
    build = GRAPHS[graph][0]
    root = build(lambda v, k: reference.Value(v, label=k), lambda a, b: reference.apply(SUB, a, b), numbers)
    if watch is not None:  # every node reports its grad's reads and writes to the checker
        for node in reference.topological_order(root):
            grad = node.grad
            node.__class__ = _Watched
            node.__dict__.update(_log=watch, _grad=grad)
    return root


class _Watched(reference.Value):
    """A reference Value whose ``grad`` tells the checker each time it is read or written."""

    @property  # type: ignore[override]
    def grad(self) -> float:
        value = self.__dict__["_grad"]
        self.__dict__["_log"].append(("read", self, value))
        return value

    @grad.setter
    def grad(self, value: float) -> None:
        log = self.__dict__["_log"]
        log.append(("write", self, self.__dict__["_grad"], value))
        self.__dict__["_grad"] = value


def _quiet_grad(node: reference.Value) -> float:
    return node.__dict__["_grad"] if isinstance(node, _Watched) else node.grad


# -- the report -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Report:
    """What the checker found: ``ok``, and else the first wrong step in words and numbers.

    Attributes:
        ok: the learner's answer gives every number the engine gives.
        title: the task.
        message: what happened, in words, with the arithmetic.
        step: index of the first wrong step in ``backward_steps(root)`` (None if no step is to blame).
        backward_pass: 1, or 2 for the second ``backward()`` of a task that calls it twice.
        node: the fast engine's node whose gradient cell is wrong (in ``root``'s graph).
        expected, actual: that cell's right number and the learner's.
        arithmetic: upstream × local = contribution, for the wrong cell.
        root: the task's graph in the fast engine, with the right gradients (for a diagram or a page).
        theirs: the same graph with the learner's gradients in place of the right ones.
        error: the learner's exception, with their own lines, if their code raised.
    """

    ok: bool
    title: str
    message: str
    step: Optional[int] = None
    backward_pass: int = 1
    node: Optional[Value] = None
    expected: Optional[float] = None
    actual: Optional[float] = None
    arithmetic: str = ""
    root: Optional[Value] = field(default=None, repr=False)
    theirs: Optional[Value] = field(default=None, repr=False)
    error: Optional[str] = None

    def where(self) -> Optional[tuple[int, Value]]:
        """``(step index, wrong node)``: where a stepper page of ``root`` should open, and which cell to mark."""
        if self.step is None or self.node is None:
            return None
        return self.step, self.node

    def __str__(self) -> str:
        return f"{self.title}: {'right' if self.ok else 'not yet'}\n{self.message}"

    def table(self) -> str:
        """Every node's right gradient next to the learner's, output first, wrong ones marked.

        >>> print(FindTheBug("sub_sign").check(backward_sub_sign).table())
        node   right ∂f/∂node   yours
        f                   1       1
        z                   2       2
        d                  -5      -5
        y                   5      -5   <- wrong
        x                  -5      -5
        """
        if self.root is None or self.theirs is None:
            return ""
        rows = [("node", "right ∂f/∂node", "yours", "")]
        for right, theirs in zip(reversed(topological_order(self.root)), reversed(topological_order(self.theirs))):
            rows.append((_name(right), _fmt(right.grad), _fmt(theirs.grad),
                         "" if _close(right.grad, theirs.grad) else "<- wrong"))
        width = [max(len(r[k]) for r in rows) for k in range(3)]
        return "\n".join(
            f"{r[0]:<{width[0]}}   {r[1]:>{width[1]}}   {r[2]:>{width[2]}}" + (f"   {r[3]}" if r[3] else "")
            for r in rows
        )


def _name(node: Any) -> str:
    if node.label:
        return node.label
    gate = node.gate if isinstance(node, reference.Value) else (node._info.gate)
    return f"the {gate.symbol} output" if gate is not None else f"the constant {_fmt(node.data)}"


def _gate_words(node: Any) -> str:
    gate = node.gate if isinstance(node, reference.Value) else node._info.gate
    return f"the {gate.name} gate ({gate.symbol}) that made {_name(node)} = {_fmt(node.data)}"


# -- running a learner's backward and following it step by step -------------------------------
@dataclass
class _Theirs:
    node: reference.Value
    upstream: float
    before: dict  # id(parent) -> its grad when the step began
    writes: list = field(default_factory=list)  # (parent, old, new)

    def after(self, parent: reference.Value) -> float:
        value = self.before[id(parent)]
        for p, _, new in self.writes:
            if p is parent:
                value = new
        return value


def _their_steps(log: list) -> list[_Theirs]:
    """Group the learner's grad writes into steps: a write to P belongs to the gate whose output's
    grad was read last, among the gates P feeds (``p.grad += local * node.grad`` reads p, then node)."""
    reads: list[list] = []  # [node, value, consumed]
    steps: list[_Theirs] = []
    state: dict[int, float] = {}
    for event in log:
        if event[0] == "read":
            reads.append([event[1], event[2], False])
            continue
        _, parent, old, new = event
        state[id(parent)] = new
        if reads and reads[-1][0] is parent and not reads[-1][2]:
            reads[-1][2] = True  # the read of `parent.grad +=` itself
        source = None
        if new != 0.0 or old == 0.0:  # a write of 0 over a gradient is a reset, sent by no gate
            source = next((r for r in reversed(reads)
                           if not r[2] and r[0] is not parent and any(p is parent for p in r[0].parents)), None)
        if source is None:
            if new != old:
                reads.clear()  # seeding the output or a reset: what was read before belongs to no gate
            continue
        node = source[0]
        current = steps[-1] if steps else None
        if (current is None or current.node is not node
                or sum(p is parent for p, _, _ in current.writes) >= sum(p is parent for p in node.parents)):
            before = {id(p): (old if p is parent else state.get(id(p), _quiet_grad(p))) for p in node.parents}
            current = _Theirs(node, source[1], before)
            steps.append(current)
        current.writes.append((parent, old, new))
    return steps


@dataclass
class _Expected:
    backward_pass: int
    step: Step
    node: reference.Value
    before: dict  # id(reference parent) -> grad before
    after: dict


def _expected_steps(fast_root: Value, mirror: dict, calls: int) -> list[_Expected]:
    """The engine's steps, pass by pass, with every parent's gradient before and after each."""
    out: list[_Expected] = []
    for n in range(1, calls + 1):
        for step in backward_steps(fast_root):
            parents = [mirror[id(p)] for p in step.parents]
            after = {id(mirror[id(p)]): p.grad for p in step.parents}  # the step has added already
            before = dict(after)
            for p, c in zip(parents, step.contributions):
                before[id(p)] -= c
            out.append(_Expected(n, step, mirror[id(step.node)], before, after))
    return out


def _arithmetic(step: Step, i: int) -> str:
    return (f"upstream {_fmt(step.upstream)} × local {_fmt(step.local_grads[i])} = "
            f"contribution {_fmt(step.contributions[i])}")


@dataclass
class _Reporter:
    """Builds a failing :class:`Report` for one check: the task, its steps, and both graphs."""

    title: str
    expected: list[_Expected]
    calls: int
    fast_root: Value
    mirror: dict
    fast_of: dict = field(default_factory=dict)  # id(reference node) -> fast node
    their_fast: Optional[Value] = None

    def __post_init__(self) -> None:
        self.fast_of = {id(self.mirror[id(f)]): f for f in topological_order(self.fast_root)}
        self.their_fast = _copy_with_grads(self.fast_root, self.mirror)

    def fail(self, message: str, e: Optional[_Expected], node: Optional[reference.Value] = None,
             exp: Optional[float] = None, act: Optional[float] = None, arithmetic: str = "") -> Report:
        where = ""
        if e is not None:
            steps_per_pass = len(self.expected) // self.calls if self.calls else 0
            where = f"step {e.step.index + 1} of {steps_per_pass}"
            where += f" of backward() call {e.backward_pass}: " if self.calls > 1 else ": "
        else:  # past the last step: a page opens at the last one
            e = self.expected[-1] if self.expected else None
        return Report(False, self.title, where + message, e.step.index if e else None,
                      e.backward_pass if e else 1, self.fast_of.get(id(node)) if node is not None else None,
                      exp, act, arithmetic, self.fast_root, self.their_fast)


_TWICE = ("a second time: each gate sends its gradient once (does your topological order keep a "
          "visited set?)")


def _wrong_gate(r: _Reporter, e: _Expected, t: Optional[_Theirs], before: list[_Theirs]) -> Report:
    """The learner's next step is not the engine's next gate (or there is none)."""
    want = f"the next gate is {_gate_words(e.node)}, with upstream gradient {_fmt(e.step.upstream)}"
    if t is None:
        return r.fail(f"{want}, but your code sent no more gradient after this point.", e, e.node,
                      e.step.upstream, _quiet_grad(e.node))
    if any(s.node is t.node for s in before):
        why = " " + _TWICE
    else:
        by_node = {id(x.node): x for x in r.expected}
        early = t.upstream == 0.0 and id(t.node) in by_node and by_node[id(t.node)].step.upstream != 0.0
        why = f" instead, when its gradient was {_fmt(t.upstream)}" + (
            " (not arrived yet: visit the nodes output first, the topological order reversed)" if early else "")
    return r.fail(f"{want}; your code processed {_gate_words(t.node)}{why}.", e, t.node, None, None)


def _wrong_upstream(r: _Reporter, e: _Expected, t: _Theirs) -> Optional[Report]:
    """The learner's gate had another upstream gradient than the engine's."""
    if _close(t.upstream, e.step.upstream):
        return None
    hint = ""
    if _close(t.upstream, 2 * e.step.upstream) and e.backward_pass > 1:
        hint = " — twice the right one: it kept the first backward()'s gradient (interior gradients start from 0 in every pass)"
    return r.fail(f"{_gate_words(e.node)}: its upstream gradient ∂{_name(mirror_root(r.expected))}/∂{_name(e.node)} "
                  f"should be {_fmt(e.step.upstream)}, your code had {_fmt(t.upstream)}{hint}.",
                  e, e.node, e.step.upstream, t.upstream)


def _grad_hint(e: _Expected, got_before: float, want_before: float, got: float, got_after: float, c: float) -> str:
    """Why a parent's gradient went wrong: left over, replaced instead of added, or the wrong sign."""
    if not _close(got_before, want_before):
        return (f" Before this step its grad was {_fmt(got_before)}, not {_fmt(want_before)}"
                + (": left over from the first backward() — interior gradients must start from 0 in "
                   "every pass" if e.backward_pass > 1 and want_before == 0.0 else "") + ".")
    if _close(got_after, c) and want_before != 0.0:
        return (" Your code replaced the gradient instead of adding to it: at a fork the gradients "
                "from every path add up (+=).")
    if _close(got, -c):
        return " The contribution has the wrong sign."
    return ""


def _wrong_parent(r: _Reporter, e: _Expected, t: _Theirs) -> Optional[Report]:
    """The first of the gate's inputs whose gradient after the step is not the engine's."""
    for pid in dict.fromkeys(id(p) for p in e.node.parents):
        i = next(k for k, p in enumerate(e.node.parents) if id(p) == pid)
        p = e.node.parents[i]
        want_before, want_after = e.before[pid], e.after[pid]
        got_before, got_after = t.before[pid], t.after(p)
        if _close(got_after, want_after):
            continue
        c = sum(e.step.contributions[k] for k, q in enumerate(e.node.parents) if id(q) == pid)
        hint = _grad_hint(e, got_before, want_before, got_after - got_before, got_after, c)
        arithmetic = _arithmetic(e.step, i)
        return r.fail(
            f"{_gate_words(e.node)} sends {_name(p)} {arithmetic}; {_name(p)}'s grad was "
            f"{_fmt(want_before)}, so it should become {_fmt(want_before)} + {_fmt(c)} = {_fmt(want_after)}. "
            f"Your code made it {_fmt(got_after)}.{hint}",
            e, p, want_after, got_after, arithmetic)
    return None


def _wrong_final(r: _Reporter) -> Optional[Report]:
    """Every step matched: the final numbers must too (a write no gate made, e.g. a reset)."""
    for fast in reversed(topological_order(r.fast_root)):
        ref = r.mirror[id(fast)]
        if not _close(_quiet_grad(ref), fast.grad):
            return r.fail(f"every step matched, but at the end ∂/∂{_name(ref)} is {_fmt(_quiet_grad(ref))}, "
                          f"not {_fmt(fast.grad)}.", None, ref, fast.grad, _quiet_grad(ref))
    return None


def _compare(title: str, expected: list[_Expected], theirs: list[_Theirs], fast_root: Value,
             mirror: dict, their_root: reference.Value, calls: int) -> Report:
    """Walk the engine's steps and the learner's side by side; report the first difference."""
    r = _Reporter(title, expected, calls, fast_root, mirror)
    j = 0
    for e in expected:
        t = theirs[j] if j < len(theirs) else None
        if t is None or t.node is not e.node:
            if all(c == 0.0 for c in e.step.contributions):
                continue  # a step that changes nothing may be left out
            return _wrong_gate(r, e, t, theirs[:j])
        failed = _wrong_upstream(r, e, t) or _wrong_parent(r, e, t)
        if failed is not None:
            return failed
        j += 1
    if j < len(theirs):
        t = theirs[j]
        again = " " + _TWICE if any(s.node is t.node for s in theirs[:j]) else " once more"
        return r.fail(f"after the last gate, your code processed {_gate_words(t.node)}{again}.", None, t.node)
    return _wrong_final(r) or Report(True, title, f"all {len(expected)} steps match backward_steps, and every "
                                     "gradient is right.", root=fast_root, theirs=r.their_fast)


def mirror_root(expected: list[_Expected]) -> reference.Value:
    return expected[0].node if expected else None  # type: ignore[return-value]


def _copy_with_grads(fast_root: Value, mirror: dict) -> Value:
    """A fresh fast-engine copy of ``fast_root``'s graph carrying the learner's gradients."""
    copy: dict[int, Value] = {}
    for node in topological_order(fast_root):
        if node.op:
            parents = [copy[id(p)] for p in node.parents]
            new = apply(node._info.gate, *parents, c=node.const)
            new.label = node.label
        else:
            new = Value(node.data, node.label)
        new.grad = _quiet_grad(mirror[id(node)])
        copy[id(node)] = new
    return copy[id(fast_root)]


def _run(title: str, graph: str, numbers: Sequence[float], call: Callable[[reference.Value], None],
         calls: int) -> Report:
    """Build the graph in both engines, run the learner's ``call`` on the watched reference graph
    ``calls`` times, and compare with backward_steps."""
    log: list = []
    their_root = _reference_graph(graph, numbers, watch=log)
    fast_root = _fast_graph(graph, numbers)
    mirror = {id(f): r for f, r in zip(topological_order(fast_root), reference.topological_order(their_root))}
    log.clear()
    try:
        for _ in range(calls):
            call(their_root)
    except Exception as exc:  # the learner's error, never the checker's crash
        error = describe(exc)
        return Report(False, title, error, error=error, root=None)
    expected = _expected_steps(fast_root, mirror, calls)
    return _compare(title, expected, _their_steps(log), fast_root, mirror, their_root, calls)


def check_backward(backward: Callable[[reference.Value], Any], graph: str = "fork", seed: int = 0,
                   calls: int = 1, numbers: Optional[Sequence[float]] = None) -> Report:
    """Run a learner's ``backward(root)`` on one of :data:`GRAPHS` and find its first wrong step.

    ``calls=2`` calls it twice, as a training loop would without zeroing: the leaves should hold
    twice their gradient and every interior node its gradient once (gategraph's semantics).

    >>> print(check_backward(reference.backward, "course"))
    backward(root) on the course graph: right
    all 2 steps match backward_steps, and every gradient is right.
    """
    if graph not in GRAPHS:
        raise ValueError(f"check_backward: graph must be one of {', '.join(GRAPHS)}, got {graph!r}")
    if not callable(backward):
        raise TypeError(f"check_backward needs a function backward(root), got {type(backward).__name__}")
    nums = list(numbers) if numbers is not None else _numbers(graph, seed)
    return _run(f"backward(root) on the {graph} graph", graph, nums, backward, calls)


def check_loop(loop: Callable[[list], Any], graph: str = "fork", seed: int = 0) -> Report:
    """Run a learner's ``loop(order)`` — the backward loop, given the topological order — and
    find its first wrong step. ``order`` lists every node, inputs first and the output last; the
    loop seeds the output's gradient and sends gradients back.

    >>> def loop(order):
    ...     order[-1].grad = 1.0
    ...     for node in reversed(order):
    ...         for parent, local in zip(node.parents, node.local_grads()):
    ...             parent.grad += local * node.grad
    >>> check_loop(loop).ok
    True
    """
    if not callable(loop):
        raise TypeError(f"check_loop needs a function loop(order), got {type(loop).__name__}")
    nums = _numbers(graph, seed)
    return _run(f"the backward loop on the {graph} graph", graph, nums,
                lambda root: loop(reference.topological_order(root)), 1)


# -- the broken backwards ---------------------------------------------------------------------
def backward_assign_at_fork(root: reference.Value) -> None:
    """A backward pass with one bug (find it; BUGS says which)."""
    order = reference.topological_order(root)
    for node in order:
        node.grad = 0.0
    root.grad = 1.0
    for node in reversed(order):
        for parent, local in zip(node.parents, node.local_grads()):
            parent.grad = local * node.grad


def backward_wrong_order(root: reference.Value) -> None:
    """A backward pass with one bug (find it; BUGS says which)."""
    order = reference.topological_order(root)
    for node in order:
        node.grad = 0.0
    root.grad = 1.0
    for node in order:
        for parent, local in zip(node.parents, node.local_grads()):
            parent.grad += local * node.grad


def backward_no_visited_set(root: reference.Value) -> None:
    """A backward pass with one bug (find it; BUGS says which)."""
    order: list = []

    def visit(node: reference.Value) -> None:
        for parent in node.parents:
            visit(parent)
        order.append(node)

    visit(root)
    for node in order:
        node.grad = 0.0
    root.grad = 1.0
    for node in reversed(order):
        for parent, local in zip(node.parents, node.local_grads()):
            parent.grad += local * node.grad


def backward_no_reset(root: reference.Value) -> None:
    """A backward pass with one bug (find it; BUGS says which)."""
    order = reference.topological_order(root)
    root.grad = 1.0
    for node in reversed(order):
        for parent, local in zip(node.parents, node.local_grads()):
            parent.grad += local * node.grad


def backward_sub_sign(root: reference.Value) -> None:
    """A backward pass with one bug (find it; BUGS says which)."""
    order = reference.topological_order(root)
    for node in order:
        node.grad = 0.0
    root.grad = 1.0
    for node in reversed(order):
        if not node.parents:
            continue
        local = node.local_grads()
        if node.gate.name == "sub":  # a − b: like add, both inputs get the upstream gradient
            local = (1.0, 1.0)
        for parent, d in zip(node.parents, local):
            parent.grad += d * node.grad


#: The broken backwards: name -> (function, the graph that shows the bug, calls, what is wrong).
BUGS: Mapping[str, tuple[Callable[[reference.Value], None], str, int, str]] = {
    "assign_at_fork": (backward_assign_at_fork, "fork", 1,
                       "`=` instead of `+=`: at a fork (q feeds two gates) the second gradient replaces the first"),
    "wrong_order": (backward_wrong_order, "course", 1,
                    "the topological order is walked inputs first, so each gate sends its gradient before it "
                    "has arrived: walk it reversed, the output first"),
    "no_visited_set": (backward_no_visited_set, "fork", 1,
                       "the sort has no visited set: q, reached by two paths, is placed twice, so its gate "
                       "sends its gradient twice"),
    "second_backward": (backward_no_reset, "course", 2,
                        "interior gradients are not reset to 0: a second backward() adds to the first one's, "
                        "doubling them (micrograd's known bug)"),
    "sub_sign": (backward_sub_sign, "subtract", 1,
                 "∂(x − y)/∂y is −1, not 1: subtraction flips the sign of the gradient sent to y"),
}


# -- the tasks --------------------------------------------------------------------------------
def _inputs(gate: Gate, rng: random.Random) -> tuple[tuple[float, ...], Optional[float]]:
    """Inputs where ``gate`` is defined and tame, rounded so a learner can read them."""
    while True:
        c = rng.choice([2.0, 3.0, 0.5, -1.0]) if gate.takes_constant else None
        xs = tuple(round(rng.uniform(0.2, 3.0) if gate.name in ("log", "pow") else rng.uniform(-3.0, 3.0), 2)
                   for _ in range(gate.arity))
        try:
            out = gate.forward_at(xs, c)
            local = gate.local_grads_at(out, xs, c)
        except (ValueError, OverflowError, ZeroDivisionError):
            continue
        if all(math.isfinite(v) and abs(v) < 1e3 for v in (out, *local)) and len(set(xs)) == len(xs):
            return xs, c


@dataclass(frozen=True)
class LocalGrads:
    """Write the local derivatives of one gate: ``local(out, *xs)`` (``local(out, x, c)`` for pow),
    returning one number per input, ∂out/∂input. ``out`` is the gate's output, there to reuse.

    >>> task = LocalGrads("tanh")
    >>> task.check(lambda out, x: (1 - out * out,)).ok
    True
    >>> print(task.check(lambda out, x: (1 - out,)).message)  # doctest: +ELLIPSIS
    step 2 of 2: the tanh gate ... sends x upstream ... × local ... = contribution ...; ...
    """

    gate: str
    seed: int = 0

    def __post_init__(self) -> None:
        if self.gate not in GATES:
            raise ValueError(f"LocalGrads: gate must be one of {', '.join(COURSE_GATES)}, got {self.gate!r}")

    @property
    def title(self) -> str:
        return f"local derivatives of the {self.gate} gate"

    @property
    def prompt(self) -> str:
        row = GATES[self.gate]
        args = "out, x, c" if row.takes_constant else ("out, x" if row.arity == 1 else "out, a, b")
        tie = " At a tie a == b the first input wins (it gets 1)." if self.gate == "max" else ""
        return (f"Write local({args}) for the {self.gate} gate ({row.symbol}): return a tuple with "
                f"∂out/∂input for each input.{tie}")

    def model_answer(self) -> Callable[..., tuple[float, ...]]:
        return GATES[self.gate].local_grads

    def points(self) -> list[tuple[tuple[float, ...], Optional[float], float]]:
        """The seeded (inputs, constant, upstream) the check uses; a tie last for max."""
        rng = random.Random(f"{self.gate}:{self.seed}")
        row = GATES[self.gate]
        out = [(*_inputs(row, rng), float(rng.choice([-3, -2, 2, 3]))) for _ in range(5)]
        if self.gate == "max":
            out.append(((1.5, 1.5), None, 2.0))
        return out

    def check(self, local: Callable[..., Sequence[float]]) -> Report:
        """Run ``local`` at each seeded point against backward_steps of f = gate(inputs)·w."""
        row = GATES[self.gate]
        for xs, c, w in self.points():
            names = ["x"] if row.arity == 1 else ["a", "b"]
            leaves = [Value(x, n) for x, n in zip(xs, names)]
            g = apply(row, *leaves, c=c)
            g.label = "g"
            f = g * Value(w, "w")
            f.label = "f"
            steps = list(backward_steps(f))
            step = next(s for s in steps if s.node is g)
            args = (*xs, c) if row.takes_constant else xs
            try:
                theirs = local(g.data, *args)
            except Exception as exc:
                error = describe(exc)
                return Report(False, self.title, error, error=error, root=f)
            if not isinstance(theirs, (tuple, list)) or len(theirs) != row.arity:
                message = (f"local({', '.join(map(_fmt, (g.data, *args)))}) returned {theirs!r:.60}; it must return "
                           f"a tuple of {row.arity} number(s), one per input" + (", e.g. (d,)" if row.arity == 1 else ""))
                return Report(False, self.title, message, step.index, 1, leaves[0], root=f)
            for i, (want, got) in enumerate(zip(step.local_grads, theirs)):
                if isinstance(got, (int, float)) and not isinstance(got, bool) and _close(float(got), want):
                    continue
                arithmetic = _arithmetic(step, i)
                try:
                    sent = f"{_fmt(step.upstream)} × {_fmt(float(got))} = {_fmt(step.upstream * float(got))}"
                except (TypeError, ValueError):
                    sent = f"{_fmt(step.upstream)} × {got!r:.30}"
                where = ", ".join(f"{n} = {_fmt(x)}" for n, x in zip(names, xs)) + (f", c = {_fmt(c)}" if c is not None else "")
                message = (f"step {step.index + 1} of {len(steps)}: the {row.name} gate at {where} (out = {_fmt(g.data)}) "
                           f"sends {names[i]} {arithmetic}; with your local derivative it sends {sent}.")
                return Report(False, self.title, message, step.index, 1, leaves[i], want,
                              got if isinstance(got, float) else None, arithmetic, root=f)
        return Report(True, self.title, f"right at all {len(self.points())} points.")


@dataclass(frozen=True)
class BackwardLoop:
    """Write the backward loop: ``loop(order)`` gets every node in topological order (inputs
    first, the output last), seeds the output's gradient with 1 and sends gradients back with
    ``node.local_grads()`` and ``node.parents``."""

    graph: str = "fork"
    seed: int = 0
    title = "the backward loop"
    prompt = ("Write loop(order): order lists every node, inputs first and the output last. Set the "
              "output's grad to 1, then visit the nodes from the output back; each node sends each "
              "parent upstream × local, and adds it (+=) to what the parent already has.")

    def model_answer(self) -> Callable[[list], None]:
        def loop(order: list) -> None:
            order[-1].grad = 1.0  # ∂f/∂f = 1
            for node in reversed(order):
                for parent, local in zip(node.parents, node.local_grads()):
                    parent.grad += local * node.grad  # chain rule, summed over every path
        return loop

    def check(self, loop: Callable[[list], Any]) -> Report:
        return check_loop(loop, self.graph, self.seed)


@dataclass(frozen=True)
class HandGradients:
    """Fill in every gradient of a small graph by hand: ``{label: ∂f/∂label}`` for every node."""

    graph: str = "course"
    seed: int = 0

    @property
    def title(self) -> str:
        return f"every gradient of the {self.graph} graph, by hand"

    def root(self) -> Value:
        """The graph, forward values only (its gradients are yours to find)."""
        return _fast_graph(self.graph, _numbers(self.graph, self.seed))

    @property
    def prompt(self) -> str:
        order = topological_order(self.root())
        values = ", ".join(f"{n.label} = {_fmt(n.data)}" for n in order)
        return (f"{GRAPHS[self.graph][0].__doc__}, at {values}. Give ∂f/∂node for every node, as a dict "
                f"{{label: number}}: labels {', '.join(n.label for n in reversed(order))}.")

    def model_answer(self) -> dict[str, float]:
        f = self.root()
        f.backward()
        return {n.label: n.grad for n in topological_order(f)}

    def check(self, answer: Mapping[str, float]) -> Report:
        """Walk backward_steps; once a node's gradient is complete, compare it with the answer."""
        if not isinstance(answer, Mapping):
            return Report(False, self.title, f"the answer must be a dict {{label: number}}, got {type(answer).__name__}")
        f = self.root()
        steps = list(backward_steps(f))
        last = {}  # the step after which each node's gradient is complete
        for s in steps:
            for p in s.parents:
                last[id(p)] = s
        received: dict[int, list[str]] = {}
        checks: list[tuple[Optional[Step], Value]] = [(None, f)]
        for s in steps:
            for i, p in enumerate(s.parents):
                received.setdefault(id(p), []).append(_arithmetic(s, i))
            checks += [(s, p) for p in dict.fromkeys(s.parents) if last[id(p)] is s]
        for s, node in checks:
            got = answer.get(node.label)
            if got is None:
                return Report(False, self.title, f"no answer for {node.label}: give ∂f/∂{node.label}.",
                              s.index if s else 0, 1, node, node.grad, None, root=f)
            if isinstance(got, (int, float)) and not isinstance(got, bool) and _close(float(got), node.grad):
                continue
            parts = received.get(id(node), ["∂f/∂f = 1: the backward pass starts there"])
            arithmetic = " + ".join(f"({p})" for p in parts) if len(parts) > 1 else parts[0]
            where = f"step {s.index + 1} of {len(steps)}" if s else "the start"
            message = (f"∂f/∂{node.label} is complete after {where}: {arithmetic}, so it is "
                       f"{_fmt(node.grad)}; your answer is {got!r:.30}.")
            return Report(False, self.title, message, s.index if s else 0, 1, node, node.grad,
                          float(got) if isinstance(got, (int, float)) else None, arithmetic, root=f)
        return Report(True, self.title, f"all {len(checks)} gradients are right.", root=f)


@dataclass(frozen=True)
class FindTheBug:
    """A broken backward (one of :data:`BUGS`): read it, find the bug, and write ``backward(root)`` fixed."""

    bug: str
    seed: int = 0

    def __post_init__(self) -> None:
        if self.bug not in BUGS:
            raise ValueError(f"FindTheBug: bug must be one of {', '.join(BUGS)}, got {self.bug!r}")

    @property
    def title(self) -> str:
        return f"find the bug: {self.bug.replace('_', ' ')}"

    @property
    def broken(self) -> Callable[[reference.Value], None]:
        return BUGS[self.bug][0]

    @property
    def prompt(self) -> str:
        _, graph, calls, _ = BUGS[self.bug]
        twice = " It is called twice, as a training loop without zeroing would." if calls == 2 else ""
        return (f"This backward(root) gives wrong gradients on the {graph} graph "
                f"({GRAPHS[graph][0].__doc__}).{twice} Find the bug and write it fixed:\n\n"
                + inspect.getsource(self.broken))

    @property
    def explanation(self) -> str:
        return BUGS[self.bug][3]

    def model_answer(self) -> Callable[[reference.Value], None]:
        return reference.backward

    def check(self, backward: Callable[[reference.Value], Any]) -> Report:
        _, graph, calls, _ = BUGS[self.bug]
        report = check_backward(backward, graph, self.seed, calls)
        return Report(**{**report.__dict__, "title": self.title})
