"""Numeric gradients of a recorded graph (numeric_grads_of, check_leaves) and the health marks of its nodes."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings

import autograd.check
from autograd import GATES, Value, check_leaves, numeric_grads_of, relative_error, topological_order
from autograd.health import is_dead_relu, node_health, saturation
from autograd.testing import graphs

EXAMPLES = 200 if os.environ.get("GATEGRAPH_FUZZ") == "1" else 25


@settings(max_examples=EXAMPLES, deadline=None)
@given(graphs())
def test_numeric_grads_of_agrees_with_backward_on_random_graphs(g) -> None:
    """On random smooth graphs over every gate, each leaf's numeric gradient matches backward's."""
    leaves = [Value(x, f"x{i}") for i, x in enumerate(g.inputs)]
    out = g(*leaves)
    out.backward()
    grads = numeric_grads_of(out)
    for leaf in leaves:
        num = grads[leaf]
        assert not num.kink
        assert relative_error(leaf.grad, num.numeric) <= 1e-4 or abs(leaf.grad - num.numeric) <= 1e-7


def _chain() -> tuple[Value, list[Value]]:
    x, y = Value(0.7, "x"), Value(-1.3, "y")
    f = (x * y + x.exp()).tanh() + (y * y).log()
    f.backward()
    return f, [x, y]


def test_every_data_is_restored() -> None:
    """After numeric_grads_of, every node of the graph holds exactly the data it had."""
    f, _ = _chain()
    order = topological_order(f)
    before = [n.data for n in order]
    numeric_grads_of(f)
    assert [n.data for n in order] == before


def test_data_is_restored_when_a_gate_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """A gate raising an unexpected error mid-way still leaves every node's data as recorded."""
    f, _ = _chain()
    order = topological_order(f)
    before = [n.data for n in order]

    def broken(*xs: float) -> float:
        raise RuntimeError("boom")

    import dataclasses

    bad = dataclasses.replace(GATES["tanh"], forward=broken)
    for node in order:  # the tanh nodes' records name the broken row (as autograd.gate_of reads it)
        if node.op == "tanh":
            monkeypatch.setattr(node, "_info", node._info.replace(gate=bad))
    with pytest.raises(RuntimeError, match="boom"):
        numeric_grads_of(f)
    assert [n.data for n in order] == before


def test_step_grows_with_the_magnitude_of_the_leaf() -> None:
    """h = eps·max(1, |x|): 10 for x = 1e6, eps for x = 0.5."""
    big, small = Value(1e6, "big"), Value(0.5, "small")
    grads = numeric_grads_of(big * small)
    assert grads[big].h == pytest.approx(10.0) and grads[small].h == 1e-5


def test_step_shrinks_to_stay_inside_a_domain() -> None:
    """log(x) at x = 1e-6: x − h would be ≤ 0, so h shrinks below x and the derivative is 1/x."""
    x = Value(1e-6, "x")
    num = numeric_grads_of(x.log())[x]
    assert num.h < 1e-6 and num.numeric == pytest.approx(1e6, rel=1e-2) and not num.kink  # (h/x)²/3 ≈ 0.3%


def test_kink_is_found_from_the_branch_of_max() -> None:
    """relu(x) at x = 0 has a kink within ±h; at x = 1 it has none."""
    at_zero, at_one = Value(0.0, "x"), Value(1.0, "x")
    assert numeric_grads_of(at_zero.relu())[at_zero].kink
    assert not numeric_grads_of(at_one.relu())[at_one].kink


def test_check_leaves_flags_exactly_the_leaves_a_wrong_mul_rule_affects(wrong_mul: None) -> None:
    """With mul's derivatives unswapped, a and b of a·b mismatch; c, added, does not."""
    a, b, c = Value(0.3, "a"), Value(-0.4, "b"), Value(2.0, "c")
    f = a * b + c
    f.backward()
    verdicts = {chk.leaf.label: chk.verdict for chk in check_leaves(f)}
    assert verdicts == {"a": "mismatch", "b": "mismatch", "c": "ok"}


def test_check_leaves_needs_a_backward_first() -> None:
    """A root whose grad is still 0 is refused with the fix in the message."""
    x = Value(2.0, "x")
    with pytest.raises(ValueError, match=r"call root\.backward\(\) first"):
        check_leaves(x * x)


@pytest.mark.parametrize("eps", [0.0, 1.0, -1e-5, True, "1e-5"])
def test_bad_eps_is_refused(eps) -> None:
    """eps outside (0, 1), or not a number, raises ValueError naming eps."""
    with pytest.raises(ValueError, match=r"eps must be a number in \(0, 1\)"):
        numeric_grads_of(Value(1.0, "x") * 2.0, eps=eps)


def test_a_leaf_set_to_inf_after_the_forward_is_refused_not_differenced() -> None:
    """tanh's output was recorded at x = 1, then x.data = inf: x ± h would give tanh = 1 on both
    sides, a numeric 0 against backward's 0.42, so the graph is refused, naming the node."""
    x = Value(1.0, "x")
    y = x.tanh()
    y.backward()
    x.data = float("inf")
    with pytest.raises(ValueError, match=r"^numeric_grads_of: node 'x' holds inf, not a finite number \(was \.data set"):
        check_leaves(y)


def test_root_must_be_a_value() -> None:
    """A float root is a TypeError naming the function."""
    with pytest.raises(TypeError, match="numeric_grads_of needs an autograd.Value, got float"):
        numeric_grads_of(1.0)  # type: ignore[arg-type]


def test_dead_relu_needs_the_constant_zero_to_win() -> None:
    """relu(−1) and relu(0) are dead; relu(1) and a max of two inputs are not."""
    assert is_dead_relu(Value(-1.0).relu()) and is_dead_relu(Value(0.0).relu())
    assert not is_dead_relu(Value(1.0).relu())
    assert not is_dead_relu(Value(0.0, "a").max(Value(-1.0)))  # a labelled first input is no relu's 0


def test_saturation_is_the_rows_local_derivative() -> None:
    """σ(6) has σ' = σ(1 − σ) ≈ 0.00247; tanh(0) has 1."""
    assert saturation(Value(6.0).sigmoid()) == pytest.approx(0.0024665, rel=1e-4)
    assert saturation(Value(0.0).tanh()) == 1.0


def test_node_health_marks_vanishing_and_exploding_relative_to_the_root() -> None:
    """x·1e9 explodes at x (grad 1e9 > 1e8), y·1e-9 vanishes at y; constants are not marked."""
    x, y = Value(1.0, "x"), Value(1.0, "y")
    f = x * 1e9 + y * 1e-9
    f.backward()
    marks = node_health(f)
    assert marks[x] == ("exploding",) and marks[y] == ("vanishing",)
    assert all(n.label for n in marks if not n.op)


def test_node_health_marks_a_saturated_sigmoid() -> None:
    """σ(8) is saturated (local 3.4e-4 < 1e-2); σ(0) (local 1/4) is not."""
    x = Value(8.0, "x")
    s = x.sigmoid()
    s.backward()
    assert node_health(s)[s] == ("saturated",)
    z = Value(0.0, "z").sigmoid()
    z.backward()
    assert z not in node_health(z)
