"""What silently stops learning, node by node: dead relus, saturated σ/tanh, vanishing and exploding gradients."""

from __future__ import annotations

from typing import Optional

from .gates import GATES
from .graph import topological_order
from .value import Value, gate_of

__all__ = ["SATURATED_BELOW", "VANISHING_BELOW", "EXPLODING_ABOVE", "HEALTH_MARKS", "is_dead_relu",
           "saturation", "node_health"]

#: A σ or tanh gate whose local derivative is below this is saturated: it passes back less than
#: 1% of its upstream gradient (σ' ≤ 1/4 at best, tanh' ≤ 1).
SATURATED_BELOW = 1e-2
#: A gradient is vanishing where |grad| < 1e-8·|root.grad| (root.grad is backward's seed, 1).
VANISHING_BELOW = 1e-8
#: A gradient is exploding where |grad| > 1e8·|root.grad|.
EXPLODING_ABOVE = 1e8
#: The marks :func:`node_health` gives, most serious first.
HEALTH_MARKS = ("dead", "saturated", "exploding", "vanishing")


def is_dead_relu(node: Value) -> bool:
    """Whether ``node`` is a relu that outputs 0: a max gate whose first input, the constant 0, won.

    Its other input then gets no gradient (the max gate routes all of it to the 0), so nothing
    below it learns from this data point. At x = 0 the tie goes to the first input (relu'(0) = 0),
    so relu(0) is dead too.

    >>> is_dead_relu(Value(-1.5).relu()), is_dead_relu(Value(2.0).relu()), is_dead_relu(Value(-1.0).max(-3.0))
    (True, False, False)
    """
    if node.op != "max":
        return False
    zero, x = node.parents
    if zero.op or zero.label or zero.data != 0.0:  # relu's 0 is an unlabelled constant leaf
        return False
    return GATES["max"].branch_at([zero.data, x.data]) == 0


def saturation(node: Value) -> Optional[float]:
    """The local derivative of a σ or tanh gate (from its row), or None for any other node.

    >>> round(saturation(Value(8.0).sigmoid()), 6), saturation(Value(1.0).exp())
    (0.000335, None)
    """
    if node.op not in ("sigmoid", "tanh"):
        return None
    return gate_of(node).local_grads_at(node.data, [p.data for p in node.parents], node.const)[0]


def node_health(root: Value) -> dict[Value, tuple[str, ...]]:
    """Every node of ``root``'s graph that silently stops learning, with its marks (see :data:`HEALTH_MARKS`).

    - ``"dead"``: a relu that outputs 0 (:func:`is_dead_relu`); its input gets no gradient.
    - ``"saturated"``: a σ/tanh gate whose local derivative is below :data:`SATURATED_BELOW`.
    - ``"vanishing"``: |grad| < :data:`VANISHING_BELOW`·|root.grad| (0 included), for every node
      but constants (unlabelled leaves, which nothing trains).
    - ``"exploding"``: |grad| > :data:`EXPLODING_ABOVE`·|root.grad|, likewise.

    Gradients are read as they are: call ``root.backward()`` first.

    Raises:
        TypeError: ``root`` is not a Value. ValueError: root's grad is 0 (no backward yet).

    >>> w, x = Value(-2.0, "w"), Value(3.0, "x")
    >>> h = (w * x).relu()
    >>> h.backward()
    >>> {n.label or n.op: marks for n, marks in node_health(h).items()}
    {'w': ('vanishing',), 'x': ('vanishing',), 'mul': ('vanishing',), 'max': ('dead',)}
    """
    if not isinstance(root, Value):
        raise TypeError(f"node_health needs an autograd.Value, got {type(root).__name__}")
    seed = abs(root.grad)
    if seed == 0.0:
        raise ValueError("node_health reads the gradients backward computed; call root.backward() first")
    marks: dict[Value, tuple[str, ...]] = {}
    for node in topological_order(root):
        found = []
        if is_dead_relu(node):
            found.append("dead")
        local = saturation(node)
        if local is not None and local < SATURATED_BELOW:
            found.append("saturated")
        if node.op or node.label:
            g = abs(node.grad)
            if g > EXPLODING_ABOVE * seed:
                found.append("exploding")
            elif g < VANISHING_BELOW * seed:
                found.append("vanishing")
        if found:
            marks[node] = tuple(found)
    return marks
