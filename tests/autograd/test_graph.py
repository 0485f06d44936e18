"""Graph walks: topological order, backward, backward_steps, and the shapes that broke other engines."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings

from autograd import GATES, GateError, Value, backward_steps, topological_order
from autograd.testing import graphs


def course_example() -> tuple[Value, Value, Value, Value]:
    """CS231n's f = (x + y)·z at x = −2, y = 5, z = −4."""
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    return (x + y) * z, x, y, z


def test_course_example_values_and_gradients() -> None:
    """f = −12, ∂f/∂x = ∂f/∂y = z = −4, ∂f/∂z = x + y = 3."""
    f, x, y, z = course_example()
    f.backward()
    assert (f.data, x.grad, y.grad, z.grad) == (-12.0, -4.0, -4.0, 3.0)


def test_topological_order_puts_inputs_first_and_root_last() -> None:
    """Every node comes after all of its parents, and the root is last."""
    f, x, y, z = course_example()
    order = topological_order(f)
    assert order[-1] is f and len(order) == 5
    position = {node: i for i, node in enumerate(order)}
    assert all(position[p] < position[n] for n in order for p in n.parents)


def test_topological_order_lists_each_node_once() -> None:
    """A node reached by two paths (a diamond) is listed once."""
    a = Value(1.0)
    b, c = a * 2, a + 1
    order = topological_order(b * c)
    assert len(order) == len(set(order)) == 6


def test_topological_order_follows_argument_order() -> None:
    """Among independent inputs the first argument is placed first (deterministic diagrams)."""
    f, x, y, z = course_example()
    assert [n.label for n in topological_order(f) if not n.op] == ["x", "y", "z"]


def test_topological_order_refuses_non_values() -> None:
    """Passing a float names the type."""
    with pytest.raises(TypeError, match="needs a Value, got float"):
        topological_order(1.0)  # type: ignore[arg-type]


def test_square_counts_both_uses() -> None:
    """d(a·a)/da = 2a: both edges of a node used twice carry gradient."""
    a = Value(3.0)
    (a * a).backward()
    assert a.grad == 6.0


def test_double_counts_both_uses() -> None:
    """d(a + a)/da = 2."""
    a = Value(3.0)
    (a + a).backward()
    assert a.grad == 2.0


def test_diamond_sums_gradients_from_both_paths() -> None:
    """f = (2a)·(a + 1): ∂f/∂a = 2(a + 1) + 2a."""
    a = Value(3.0)
    ((a * 2) * (a + 1)).backward()
    assert a.grad == 2 * (3 + 1) + 2 * 3


@pytest.mark.slow
def test_deep_chain_of_100_000_nodes_backprops() -> None:
    """A 100,000-gate chain needs no recursion limit and gets the exact gradient."""
    x = Value(0.5)
    y = x
    for _ in range(100_000):
        y = y + 1.0
    y.backward()
    assert x.grad == 1.0 and y.data == 100_000.5


@pytest.mark.slow
def test_million_node_chain_orders_iteratively() -> None:
    """topological_order handles a chain of 1,000,000 nodes (micrograd dies near 1,000)."""
    x = Value(0.0)
    y = x
    for _ in range(500_000):
        y = y + 1.0  # each step adds a gate node and a constant leaf: 1,000,001 nodes in all
    order = topological_order(y)
    assert len(order) == 1_000_001 and order[0] is x and order[-1] is y


def test_backward_twice_adds_leaf_gradients_again() -> None:
    """A second backward adds the same gradient to each leaf (PyTorch), not a growing multiple."""
    f, x, y, z = course_example()
    f.backward()
    f.backward()
    assert (x.grad, y.grad, z.grad) == (-8.0, -8.0, 6.0)


def test_backward_twice_keeps_interior_gradients_exact() -> None:
    """Interior gradients are recomputed from scratch on every backward."""
    f, x, y, z = course_example()
    s = f.parents[0]
    f.backward()
    f.backward()
    assert s.grad == -4.0 and f.grad == 1.0


def test_backward_on_a_leaf_seeds_one() -> None:
    """The gradient of a leaf with respect to itself is 1."""
    x = Value(2.0)
    x.backward()
    assert x.grad == 1.0


def test_backward_refuses_non_values() -> None:
    """The function form names a bad root's type."""
    from autograd.graph import backward

    with pytest.raises(TypeError, match="backward needs a Value, got int"):
        backward(3)  # type: ignore[arg-type]


def test_backward_steps_yields_one_record_per_gate() -> None:
    """(x + y)·z has two gates: mul first, then add."""
    f, x, y, z = course_example()
    steps = list(backward_steps(f))
    assert [s.gate.name for s in steps] == ["mul", "add"]
    assert [s.index for s in steps] == [0, 1]


def test_backward_steps_record_the_chain_rule_numbers() -> None:
    """Each step carries upstream, local derivatives and their products, per parent."""
    f, x, y, z = course_example()
    mul, add = backward_steps(f)
    assert mul.node is f and mul.upstream == 1.0
    assert mul.parents == (f.parents[0], z) and mul.local_grads == (-4.0, 3.0)
    assert mul.contributions == (-4.0, 3.0)
    assert add.upstream == -4.0 and add.local_grads == (1.0, 1.0) and add.contributions == (-4.0, -4.0)


def test_backward_steps_apply_each_step_before_yielding() -> None:
    """While stepping, grads so far are on the nodes: after the first step z has its gradient."""
    f, x, y, z = course_example()
    steps = backward_steps(f)
    next(steps)
    assert z.grad == 3.0 and x.grad == 0.0
    next(steps)
    assert x.grad == -4.0


def test_backward_steps_step_prints_the_arithmetic() -> None:
    """str(step) shows upstream × local = contribution for each input."""
    f, *_ = course_example()
    first = next(backward_steps(f))
    assert "-> z: 1 × 3 = 3" in str(first)


@settings(max_examples=80, deadline=None)
@given(graphs())
def test_backward_steps_end_where_backward_ends(g) -> None:  # type: ignore[no-untyped-def]
    """For random graphs, exhausting backward_steps leaves the same grads as backward()."""
    root1, leaves1 = g.build()
    root2, leaves2 = g.build()
    root1.backward()
    steps = list(backward_steps(root2))
    assert len(steps) == sum(1 for n in topological_order(root2) if n.op)
    assert [l.grad for l in leaves1] == [l.grad for l in leaves2]
    for s in steps:
        assert s.gate is GATES[s.node.op]
        assert all(math.isclose(c, lg * s.upstream) for c, lg in zip(s.contributions, s.local_grads))


@pytest.mark.parametrize("depth", [10, 5_000])
def test_backward_leaves_no_reference_cycles(depth: int) -> None:
    """A graph is freed by reference counting once dropped, after backward() too: no cycles."""
    import gc

    gc.collect()
    was = gc.isenabled()
    gc.disable()
    try:
        v = Value(0.5)
        for _ in range(depth):  # 5,000 deep: past the recursion limit, the walk goes on iteratively
            v = (v * 1.0001).tanh() + 1.0
        v.backward()
        topological_order(v)
        del v
        assert gc.collect() == 0
    finally:
        if was:
            gc.enable()


def test_walk_past_the_recursion_limit_gives_the_same_order_and_gradients() -> None:
    """With almost no recursion left, the walk hands over to its iterative form mid-graph:
    same topological order, node for node, and the same gradients as with room to recurse."""
    import inspect
    import sys

    x, w = Value(0.3, "x"), Value(0.9, "w")
    v = x
    for _ in range(300):  # a deep graph with sharing: v feeds both a product and a tanh
        v = v * w + v.tanh()
    roomy = topological_order(v)
    v.backward()
    grads = (x.grad, w.grad)
    x.grad = w.grad = 0.0
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 40)  # recursion fails about 35 nodes down
    try:
        tight = topological_order(v)
        v.backward()
    finally:
        sys.setrecursionlimit(limit)
    assert len(tight) == len(roomy) and all(a is b for a, b in zip(tight, roomy))
    assert (x.grad, w.grad) == grads


def test_gradient_overflowing_only_at_a_number_constant_is_no_error() -> None:
    """(x·1e-200)·1e200 at x = 1e200: ∂f/∂x = 1 exactly; the constant 1e-200's gradient (x·1e200) is inf."""
    x = Value(1e200, "x")
    f = x * 1e-200 * 1e200
    f.backward()
    c = f.parents[0].parents[1]
    assert x.grad == 1.0 and c.data == 1e-200 and c.grad == math.inf


def test_backward_steps_agree_on_the_overflowing_constant() -> None:
    """backward_steps ends like backward: x's gradient exact, the constant's inf, no error."""
    x = Value(1e200, "x")
    f = x * 1e-200 * 1e200
    steps = list(backward_steps(f))
    assert len(steps) == 2 and x.grad == 1.0 and math.isinf(f.parents[0].parents[1].grad)


def test_nodes_made_from_number_constants_alone_may_overflow_too() -> None:
    """2 ** x = exp(x · log 2): at x = 1020 the log-2 node's gradient 2^x · x overflows, ∂f/∂x = 2^x ln 2 does not."""
    x = Value(1020.0, "x")
    f = 2**x
    f.backward()
    assert x.grad == pytest.approx(2.0**1020 * math.log(2), rel=1e-12)


def test_a_labelled_constant_is_checked_like_any_node() -> None:
    """Label the constant and you can read its gradient: then its overflow raises, naming it."""
    x = Value(1e200, "x")
    f = x * 1e-200 * 1e200
    f.parents[0].parents[1].label = "c"
    with pytest.raises(GateError, match=r"gradient is not finite \(inf\) at node 'c'"):
        f.backward()


def test_a_value_the_user_made_is_checked_even_when_it_holds_a_constant() -> None:
    """Value(1e-200) is the user's node, not a lifted constant: its overflowing gradient raises."""
    x, c = Value(1e200, "x"), Value(1e-200)
    with pytest.raises(GateError, match=r"gradient is not finite \(inf\) at node 'leaf' with value 1e-200"):
        (x * c * 1e200).backward()


def test_overflow_reaching_a_user_leaf_through_a_constant_still_raises() -> None:
    """x · 1e200 · 1e200 at x = 1e-300: ∂f/∂x = 1e400 overflows at x itself, which the user reads: raised."""
    x = Value(1e-300, "x")
    with pytest.raises(GateError, match=r"gradient is not finite \(inf\) at node 'x'"):
        (x * 1e200 * 1e200).backward()


def test_backward_refuses_an_input_moved_out_of_log_domain_after_the_node_was_made() -> None:
    x = Value(2.0, "x")
    y = x.log()
    x.data = -1.0
    with pytest.raises(GateError, match=r"log\(\) node: its input 'x' now holds -1.0, outside the gate's domain \(x > 0\)"):
        y.backward()


def test_backward_refuses_an_exp_input_moved_past_overflow_after_the_node_was_made() -> None:
    x = Value(2.0, "x")
    y = x.exp()
    y.label = "y"
    x.data = 800.0
    with pytest.raises(GateError, match=r"exp\(\) node 'y': its input 'x' now holds 800.0, outside the gate's domain"):
        y.backward()


def test_backward_names_the_node_whose_data_was_set_to_a_string() -> None:
    x = Value(2.0, "x")
    y = (x * 3.0).log()
    x.data = "abc"
    with pytest.raises(TypeError, match=r"node 'x' holds str 'abc' as its data, not a number"):
        y.backward()


@pytest.mark.parametrize("walk", [Value.backward, lambda y: list(backward_steps(y))], ids=["backward", "backward_steps"])
def test_a_walk_names_a_string_met_by_a_domain_checked_gate(walk) -> None:  # type: ignore[no-untyped-def]
    x = Value(2.0, "x")
    y = x.log()
    x.data = "abc"
    with pytest.raises(TypeError, match=r"node 'x' holds str 'abc' as its data, not a number"):
        walk(y)


def test_backward_steps_refuses_an_input_moved_out_of_the_domain_as_backward_does() -> None:
    x = Value(2.0, "x")
    y = x.log()
    x.data = -1.0
    with pytest.raises(GateError, match=r"log\(\) node: its input 'x' now holds -1.0"):
        list(backward_steps(y))
