"""The whole mechanism in about 100 lines, written to be read first: a Value, a topological sort, a backward loop."""

# This file has none of the fast engine's speed tricks (value.py and graph.py: shared records,
# inline input slots, no __init__, derivatives as data). It computes the same numbers: a test
# checks it against the fast engine on random graphs over every gate. Read it first.

from __future__ import annotations

import math
from typing import Optional, Union

from .gates import GATES, Gate

__all__ = ["Value", "apply", "topological_order", "backward"]


class Value:
    """A number in a computation graph: its value, its gradient, and the gate that made it.

    >>> x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    >>> f = (x + y) * z
    >>> backward(f)
    >>> f.data, x.grad, y.grad, z.grad
    (-12.0, -4.0, -4.0, 3.0)
    """

    def __init__(self, data: float, parents: tuple = (), gate: Optional[Gate] = None,
                 const: Optional[float] = None, label: str = "") -> None:
        self.data = float(data)  # the forward value
        self.grad = 0.0  # ∂root/∂self, filled in by backward
        self.parents = tuple(parents)  # the gate's inputs in order, duplicates kept: a*a has (a, a)
        self.gate = gate  # the row of the gate table that made this node; None for a leaf
        self.const = const  # the gate's constant (pow's exponent), else None
        self.label = label
        if not math.isfinite(self.data):
            raise ValueError(f"Value needs a finite number, got {self.data!r}")

    def local_grads(self) -> tuple[float, ...]:
        """∂self/∂parent for each parent, from the gate's row and the numbers of this node."""
        if self.gate is None:
            return ()  # a leaf: no gate, no parents
        return tuple(self.gate.local_grads_at(self.data, [p.data for p in self.parents], self.const))

    def __repr__(self) -> str:
        return f"Value(data={self.data!r}, grad={self.grad!r}, label={self.label!r})"

    # Python's operators: the rows whose `operator` names them, and composites made of them
    def __add__(self, other: Operand) -> Value:  # self + other
        return apply(GATES["add"], self, other)

    def __mul__(self, other: Operand) -> Value:  # self × other
        return apply(GATES["mul"], self, other)

    def __pow__(self, c: float) -> Value:  # self ** c, c a number
        return apply(GATES["pow"], self, const=c)

    __radd__, __rmul__ = __add__, __mul__  # 2 + x is x + 2: add and mul do not care about order

    def __neg__(self) -> Value:  # −self = self × (−1)
        return self * -1.0

    def __sub__(self, other: Operand) -> Value:  # self + (−other)
        return self + (-as_value(other))

    def relu(self) -> Value:  # max(0, x), zero first: at the tie x = 0 the gradient goes to the 0
        return Value(0.0).max(self)

    def backward(self) -> None:
        backward(self)


Operand = Union[Value, float]


def as_value(x: Operand) -> Value:
    """A number on one side of an operator becomes a constant leaf."""
    return x if isinstance(x, Value) else Value(x)


def apply(gate: Gate, *inputs: Operand, const: Optional[float] = None) -> Value:
    """Run ``gate``'s forward on the inputs' numbers and record a new node that remembers them.

    >>> apply(GATES["exp"], Value(0.0)).data
    1.0
    """
    parents = tuple(as_value(x) for x in inputs)
    out = gate.forward_at([p.data for p in parents], const)  # raises outside the gate's domain
    return Value(out, parents, gate, const)


def _method(gate: Gate):  # type: ignore[no-untyped-def]
    def method(self: Value, *others: Operand) -> Value:
        return apply(gate, self, *others)

    method.__name__, method.__doc__ = gate.name, f"The {gate.name} gate: {gate.rule}."
    return method


# Every other row is a method named after it: x.exp(), x.log(), x.tanh(), x.sigmoid(), a.max(b)
for _gate in GATES.values():
    if not _gate.operator:
        setattr(Value, _gate.name, _method(_gate))


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, once each, every node after its parents (``root`` last).

    >>> x = Value(2.0, label="x")
    >>> [n.gate.name if n.gate else n.label or n.data for n in topological_order(x * x + 1)]
    ['x', 'mul', 1.0, 'add']
    """
    order: list[Value] = []
    visited: set[int] = set()  # ids of the nodes placed: a node reached twice is placed once

    def visit(node: Value) -> None:  # depth first: place the parents, then the node
        if id(node) in visited:
            return
        visited.add(id(node))
        for parent in node.parents:
            visit(parent)
        order.append(node)

    visit(root)  # recursion: fine for a reader's graphs; the fast engine goes iterative when deep
    return order


def backward(root: Value) -> None:
    """Fill in ``grad`` = ∂root/∂node for every node, walking the graph from ``root`` back.

    Interior gradients start from 0 on every call; leaves keep what they had and add to it, so
    a second call adds the same gradient to each leaf again (PyTorch's semantics).
    """
    order = topological_order(root)
    for node in order:
        if node.parents:
            node.grad = 0.0  # an interior gradient is recomputed from scratch
    root.grad = 1.0 if root.parents else root.grad + 1.0  # ∂root/∂root = 1
    for node in reversed(order):  # the output first: a node's gradient is complete when reached
        # chain rule: each parent gets upstream × local, added (+=) so that every path through
        # a fork counts
        for parent, local in zip(node.parents, node.local_grads()):
            parent.grad += local * node.grad
