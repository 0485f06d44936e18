"""Walking the graph: topological order, backward, and backward one gate at a time."""

from __future__ import annotations

import math
from operator import attrgetter
from dataclasses import dataclass
from typing import Iterator

from .errors import GateError, _check_numbers, _data_not_finite, _is_finite, _gradient_not_finite, _is_number, _not_finite
from .gates import Gate
from .value import Value, gate_of

__all__ = ["topological_order", "backward", "backward_steps", "Step"]


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, each once, inputs first and ``root`` last.

    Depth-first search that recurses while the recursion limit allows and goes on iteratively
    past it, so a chain of a million nodes needs no raised limit.

    >>> x = Value(2.0, "x")
    >>> [n.label or n.op for n in topological_order(x * x + 1)]
    ['x', 'mul', '', 'add']
    """
    if not isinstance(root, Value):
        raise TypeError(f"topological_order needs a Value, got {type(root).__name__}")
    return _walk(root, for_backward=False)[0]


def _walk(root: Value, for_backward: bool) -> tuple[list[Value], list[Value]]:
    """Depth-first post-order from ``root``: ``(order, order)``, one list holding every node.

    ``for_backward=True`` prepares a backward pass on the way: it zeroes interior gradients
    and returns ``(interior nodes in order, leaves)``, so the backward loop skips no leaves.

    Nodes are marked in their ``_mark`` slot with a fresh token: cheaper than a set of seen
    nodes (no hashing, no resizing). The walk recurses, the cheapest way to walk in CPython
    (a call per node, no stack bookkeeping); a graph deeper than the recursion limit allows
    (a long chain) hits RecursionError, and :func:`_walk_iteratively` finishes the walk from
    where it stopped: every node placed so far follows its inputs, and none is placed twice.
    """
    placed = object()
    order: list[Value] = []
    leaves = [] if for_backward else order
    place, place_leaf = order.append, leaves.append

    def visit(node: Value) -> None:  # an interior node, not placed yet
        # a parent is never half-visited here: that would make it its own ancestor (a DAG)
        a = node._a
        if a._mark is not placed:
            if a._a is None:  # a leaf is placed at once, without a call
                a._mark = placed
                place_leaf(a)
            else:
                visit(a)
        b = node._b
        if b is not None and b._mark is not placed:
            if b._a is None:
                b._mark = placed
                place_leaf(b)
            else:
                visit(b)
        node._mark = placed
        if for_backward:
            node.grad = 0.0
        place(node)

    try:
        if root._a is None:
            root._mark = placed
            place_leaf(root)
        else:
            visit(root)
    except RecursionError:
        _walk_iteratively(root, placed, for_backward, order, leaves)
    finally:
        # visit refers to itself through its closure: clear that cell, or the cycle would keep
        # `order` (the whole graph) alive until the cyclic GC ran, and forever with it off
        del visit
    return order, leaves


def _walk_iteratively(root: Value, placed: object, for_backward: bool, order: list[Value], leaves: list[Value]) -> None:
    """The walk of :func:`_walk` without recursion, placing what is not yet ``placed``.

    It descends along first inputs, pushing each node it passes, and climbs back up the stack
    to take each node's second input, so every node is pushed and popped once.
    """
    first, second = object(), object()  # a node's state while it is on the stack
    stack: list[Value] = []
    push, pop = stack.append, stack.pop
    node = root
    if node._mark is placed:
        return
    while True:
        # descend along first inputs until a leaf, or a node whose first input is placed
        while True:
            a = node._a
            if a is None:
                node._mark = placed
                leaves.append(node)
                break
            node._mark = first
            push(node)
            if a._mark is placed:
                break
            node = a
        # climb: a node marked `first` has its first input placed, so go down its second input
        # if that is not placed yet; otherwise all its inputs are placed and so can it be
        while stack:
            top = stack[-1]
            if top._mark is first:
                b = top._b
                # b is never `first` or `second` here: that would make it its own ancestor
                if b is not None and b._mark is not placed:
                    top._mark = second
                    node = b
                    break
            pop()
            top._mark = placed
            if for_backward:
                top.grad = 0.0
            order.append(top)
        else:
            return


def _prepare(root: Value) -> tuple[list[Value], list[Value]]:
    """The start of backward: (interior nodes in order, leaves), interior grads zeroed, root seeded."""
    if not isinstance(root, Value):
        raise TypeError(f"backward needs a Value, got {type(root).__name__}")
    interior, leaves = _walk(root, for_backward=True)
    # ∂root/∂root = 1; a leaf root accumulates like every other leaf
    root.grad = 1.0 if root.op else root.grad + 1.0
    return interior, leaves


def backward(root: Value) -> None:
    """Backpropagate from ``root``: see :meth:`Value.backward`."""
    interior, leaves = _prepare(root)
    try:
        for node in reversed(interior):
            g = node.grad
            a = node._a
            b = node._b
            # chain rule: each parent gets local derivative × upstream gradient, added (+=) so
            # that gradients from every path through a fork sum up
            # (node._info holds the node's row of GATES: see value._Info)
            if b is not None:
                info = node._info
                fixed = info.fixed
                if fixed is not None:  # the same at every input (add's 1, 1): no call
                    la, lb = fixed
                elif info.swapped:  # each input's is the other input (mul's b, a): no call
                    la, lb = b.data, a.data
                else:
                    local_grads = info.local_grads
                    la, lb = local_grads(node.data, a.data, b.data)  # no binary gate takes a constant
                a.grad += la * g
                b.grad += lb * g
            else:
                info = node._info
                local_grads, c = info.local_grads, info.const
                if info.gate.domain:  # exp, log, pow: is the input still where the node was made? (only these rows pay)
                    _check_domain(node, info.gate, a.data, c)
                (la,) = local_grads(node.data, a.data) if c is None else local_grads(node.data, a.data, c)
                a.grad += la * g
    except GateError:
        raise
    except (ValueError, OverflowError, ZeroDivisionError) as error:
        raise _not_finite(node, gate_of(node), node.grad, error) from None
    except TypeError:  # a .data set to something that is not a number after the node was made
        _check_numbers(node, *node.parents)
        raise
    _check_finite(interior, leaves)


def _check_finite(interior: list[Value], leaves: list[Value]) -> None:
    """Raise if a gradient a user can read overflowed to ±inf (or became nan); see Value.backward."""
    # Checking the leaves is enough: a non-finite gradient at any node passes on to its
    # inputs (inf × local is ±inf, or nan where local = 0, and adding to inf or nan stays
    # non-finite), and every path down from a node ends at a leaf. One sum at C speed; a sum
    # of finite grads can itself overflow, and then the exact search below finds nothing.
    if math.isfinite(sum(map(_grad_of, leaves))):
        return
    # Rare from here on, so plain Python. A node whose data was set to nan or inf explains it all.
    for n in [*interior, *leaves]:
        if not _is_finite(n.data):
            raise _data_not_finite(n)
    # Which nodes a user can read: all but unlabelled constants lifted from Python numbers, and
    # unlabelled nodes computed from such constants alone.
    readable = {n for n in leaves if not (n._info.lifted and not n.label)}
    for n in interior:  # inputs come first in `interior`, so each node's inputs are decided
        if n._a in readable or n._b in readable or n.label:
            readable.add(n)
    for n in [*reversed(interior), *leaves]:  # from the root down: name the first bad gradient
        if n in readable and not math.isfinite(n.grad):
            raise _gradient_not_finite(n)


_grad_of = attrgetter("grad")


def _check_domain(node: Value, gate: Gate, x: float, c: object) -> None:
    """GateError if the row's forward refuses ``x``: the input's .data left the domain after ``node`` was made.

    The forward raises ValueError outside the domain (log at −1) and OverflowError where it
    overflows (exp at 710); a node made there would have been refused, so its input was changed.
    """
    try:
        gate.forward(x) if c is None else gate.forward(x, c)
    except (ValueError, OverflowError, ZeroDivisionError, TypeError):
        if not _is_number(x):
            _check_numbers(*node.parents)
        name = f" {node.label!r}" if node.label else ""
        held = f"its input {node.parents[0].label!r}" if node.parents[0].label else "its input"
        raise GateError(
            f"{gate.name}() node{name}: {held} now holds {x!r}, outside the gate's domain ({gate.domain}) "
            f"(was .data set to it after the node was made?): its local derivative would be wrong"
        ) from None


@dataclass(frozen=True)
class Step:
    """One gate of the backward pass, as it happened.

    Attributes:
        index: 0 for the first gate processed (the root's), counting up.
        node: the gate's output node.
        gate: its row in ``GATES`` (or a learner's own row: see :func:`autograd.apply`).
        upstream: ∂root/∂node, the gradient arriving from above.
        parents: the gate's inputs (``node.parents``).
        local_grads: ∂node/∂parent for each parent.
        contributions: local × upstream, the amount added to each parent's ``grad``.
    """

    index: int
    node: Value
    gate: Gate
    upstream: float
    parents: tuple[Value, ...]
    local_grads: tuple[float, ...]
    contributions: tuple[float, ...]

    def __str__(self) -> str:
        lines = [f"step {self.index}: {self.gate.name} gate, upstream gradient {self.upstream:.4g}"]
        for i, (p, lg, c) in enumerate(zip(self.parents, self.local_grads, self.contributions)):
            name = p.label or p.op or f"constant {p.data:.4g}"
            lines.append(f"  -> {name}: {self.upstream:.4g} × {lg:.4g} = {c:.4g}")
        return "\n".join(lines)


def backward_steps(root: Value) -> Iterator[Step]:
    """The walk of :func:`backward`, one gate at a time, for notebooks, diagrams and tests.

    Each yielded :class:`Step` has already added its contributions. Once the generator is
    exhausted every ``grad`` equals what ``root.backward()`` gives.

    >>> x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    >>> f = (x + y) * z
    >>> for step in backward_steps(f):
    ...     print(step)
    step 0: mul gate, upstream gradient 1
      -> add: 1 × -4 = -4
      -> z: 1 × 3 = 3
    step 1: add gate, upstream gradient -4
      -> x: -4 × 1 = -4
      -> y: -4 × 1 = -4
    """
    interior, leaves = _prepare(root)
    for index, node in enumerate(reversed(interior)):
        gate = gate_of(node)
        g = node.grad
        if gate.domain and len(node.parents) == 1:  # as backward checks: the input left the domain since
            _check_domain(node, gate, node.parents[0].data, node._info.const)
        try:
            # the record's local_grads: the row's own, checked for a learner's row (see value._Info)
            info, xs = node._info, [p.data for p in node.parents]
            local = info.local_grads(node.data, *xs) if info.const is None else info.local_grads(node.data, *xs, info.const)
        except (ValueError, OverflowError, ZeroDivisionError) as error:
            raise _not_finite(node, gate, g, error) from None
        except TypeError:
            _check_numbers(node, *node.parents)
            raise
        contributions = tuple(lg * g for lg in local)
        for p, c in zip(node.parents, contributions):
            p.grad += c
        yield Step(index, node, gate, g, node.parents, tuple(local), contributions)
    _check_finite(interior, leaves)
