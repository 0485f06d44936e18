"""The reference engine: the same values and gradients as the fast engine, on random graphs."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings

from autograd import GATES, Value, reference, topological_order
from autograd.testing import graphs


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


@settings(max_examples=60, deadline=None)
@given(graphs())
def test_same_values_and_gradients_as_the_fast_engine(graph) -> None:  # type: ignore[no-untyped-def]
    """On a random graph over every gate, both engines give every node the same data and grad."""
    root, _ = graph.build()
    root.backward()
    ref_root = graph(*[reference.Value(x, label=f"x{i}") for i, x in enumerate(graph.inputs)])
    reference.backward(ref_root)
    fast, ref = topological_order(root), reference.topological_order(ref_root)
    assert len(fast) == len(ref)
    for f, r in zip(fast, ref):
        assert (f.op, f.data) == ((r.gate.name if r.gate else ""), r.data)
        assert close(f.grad, r.grad), (f, r)


def test_every_gate_row_is_a_method_or_an_operator() -> None:
    """Each row with no Python operator is a reference.Value method of the same name."""
    for gate in GATES.values():
        assert bool(gate.operator) != hasattr(reference.Value, gate.name), gate.name


def test_backward_twice_accumulates_in_leaves_only() -> None:
    """A second backward adds into the leaves and recomputes interior gradients (as the fast engine)."""
    x, y, z = (reference.Value(v, label=n) for v, n in ((-2.0, "x"), (5.0, "y"), (-4.0, "z")))
    q = x + y
    f = q * z
    f.backward()
    f.backward()
    assert (x.grad, q.grad, f.grad) == (-8.0, -4.0, 1.0)


def test_reused_node_counts_every_path() -> None:
    """a * a sends the gradient along both edges: d(a²)/da = 2a."""
    a = reference.Value(3.0)
    reference.backward(a * a)
    assert a.grad == 6.0


def test_outside_the_domain_is_an_error() -> None:
    """log of a negative number raises, never returns nan."""
    with pytest.raises(ValueError, match="math domain error"):
        reference.Value(-1.0).log()


def test_not_finite_data_is_refused() -> None:
    """A leaf must hold a finite number."""
    with pytest.raises(ValueError, match="finite number, got nan"):
        reference.Value(float("nan"))


def test_relu_at_zero_gives_the_gradient_to_the_constant() -> None:
    """relu = max(0, x): at the tie x = 0 the first input (the 0) wins, so relu'(0) = 0, as the fast engine."""
    x, fx = reference.Value(0.0), Value(0.0)
    reference.backward(x.relu())
    fx.relu().backward()
    assert x.grad == fx.grad == 0.0
