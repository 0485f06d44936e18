"""Trace and replay: the same numbers and errors as the scalar engine, per data point, over every gate."""

from __future__ import annotations

import math
import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import GATES, MATMUL_MIN_TERMS, GateError, TraceMismatch, Value, backward_steps, trace
from autograd.testing import RandomGraph, gate_inputs, graphs

GATE_NAMES = sorted(GATES)
EXAMPLES = 200 if os.environ.get("GATEGRAPH_FUZZ") else 25


def close(a: float, b: float, rel: float = 1e-12) -> bool:
    """Equal within ``rel`` relative (exactly equal passes, zeros included)."""
    return a == b or abs(a - b) <= rel * max(abs(a), abs(b))


def scalar_at(graph: RandomGraph, point: list[float]) -> tuple[float, list[float], list[float]]:
    """The scalar engine's value and input gradients at one data point, and each gradient's scale.

    A gradient is a sum over paths of products of local derivatives; where the paths cancel, one
    rounding of a local derivative (numpy's ``power`` and Python's ``pow`` differ by an ulp) moves
    the sum by that much relative to Σ|path|, not to the small result. The scale is Σ|path|:
    the backward pass run again on |upstream| × |local|.
    """
    leaves = [Value(x) for x in point]
    root = graph(*leaves)
    size = {root: 1.0}  # ∂root/∂node with every term made positive: Σ over paths of Π|local|
    for step in backward_steps(root):
        for parent, local in zip(step.parents, step.local_grads):
            size[parent] = size.get(parent, 0.0) + size.get(step.node, 0.0) * abs(local)
    return root.data, [x.grad for x in leaves], [size.get(x, 0.0) for x in leaves]


def batch_around(inputs: tuple[float, ...], size: int = 4) -> list[np.ndarray]:
    """Columns of ``size`` data points: the drawn point and tiny moves of it (same side of every kink)."""
    return [np.array([x + 1e-7 * j * (k + 1) for j in range(size)]) for k, x in enumerate(inputs)]


@pytest.mark.parametrize("name", GATE_NAMES)
def test_every_gate_row_has_a_numpy_twin(name: str) -> None:
    """Each row carries its numpy twin, so replay reads every gate from the table."""
    assert GATES[name].numpy is not None, f"gate {name!r} has no numpy twin: replay cannot run it"


@pytest.mark.parametrize("name", GATE_NAMES)
@settings(max_examples=EXAMPLES, deadline=None)
@given(data=st.data())
def test_numpy_twin_equals_the_row(name: str, data: st.DataObject) -> None:
    """The twin's forward and local derivatives on an array equal the row's, entry by entry."""
    gate = GATES[name]
    xs, c = data.draw(gate_inputs(gate))
    cols = [np.array([x, x]) for x in xs]
    extra = [] if c is None else [c]
    out = gate.numpy.forward(*cols, *extra)
    local = gate.numpy.local_grads(out, *cols, *extra)
    want = gate.forward_at(xs, c)
    assert close(float(out[1]), want)
    for got, exp in zip(local, gate.local_grads_at(want, xs, c)):
        assert close(float(np.broadcast_to(got, (2,))[1]), exp)


@settings(max_examples=EXAMPLES * 3, deadline=None)
@given(graph=graphs())
def test_replay_equals_the_scalar_engine_per_data_point(graph: RandomGraph) -> None:
    """Values and input gradients at every data point equal the scalar engine's within 1e-12 (of the gradient's scale where its paths cancel)."""
    program = trace(graph, *graph.inputs)
    cols = batch_around(graph.inputs)
    values = program(*cols)
    grads = program.backward(*cols)
    for b in range(len(values)):
        want, want_grads, scales = scalar_at(graph, [float(c[b]) for c in cols])
        assert close(float(values[b]), want), (b, values[b], want)
        for k, (g, scale) in enumerate(zip(want_grads, scales)):
            # within 1e-12 of the gradient, or of its scale where its paths cancel
            assert close(float(grads[k][b]), g) or abs(float(grads[k][b]) - g) <= 1e-12 * scale, (b, k, grads[k][b], g)


@settings(max_examples=EXAMPLES * 2, deadline=None)
@given(graph=graphs(max_inputs=3).filter(lambda g: len(g.inputs) >= 2))
def test_captured_leaves_get_the_weighted_sum_of_their_gradients(graph: RandomGraph) -> None:
    """A leaf fn closes over gets Σ_b w_b · ∂fn_b/∂p added to its grad, as the scalar engine's per point."""
    p = Value(graph.inputs[-1], "p")
    n = len(graph.inputs) - 1

    def fn(*xs: Value) -> Value:
        return graph(*xs, p)

    program = trace(fn, *graph.inputs[:n])
    cols = batch_around(graph.inputs[:n], 3)
    weights = np.array([0.5, 1.0, 2.0])
    p.grad = 1.0
    program.backward(*cols, weights=weights)
    want, scale = 1.0, 1.0
    for b in range(3):
        q = Value(p.data)
        root = graph(*[Value(float(c[b])) for c in cols], q)
        root.backward()
        want += weights[b] * q.grad
        scale += abs(weights[b] * q.grad)
    assert abs(p.grad - want) <= 1e-12 * scale


@settings(max_examples=EXAMPLES * 2, deadline=None)
@given(graph=graphs())
def test_a_program_with_no_inputs_replays_the_whole_graph_exactly(graph: RandomGraph) -> None:
    """fn taking no inputs (every leaf captured) gives the scalar engine's value and leaf grads."""
    leaves = [Value(x) for x in graph.inputs]
    program = trace(lambda: graph(*leaves))
    value = program()
    program.backward()
    replayed = [x.grad for x in leaves]
    fresh = [Value(x) for x in graph.inputs]
    root = graph(*fresh)
    root.backward()
    assert close(float(value[0]), root.data)
    assert all(close(a, b.grad) for a, b in zip(replayed, fresh))


def test_relu_routes_per_data_point_and_gives_zero_at_zero() -> None:
    """relu = max(0, x): gradient 1 where x > 0, and 0 at x = 0 (the tie goes to the first input)."""
    program = trace(lambda x: x.relu(), 1.0)
    (grad,) = program.backward([-1.0, 0.0, 2.0])
    assert program([-1.0, 0.0, 2.0]).tolist() == [0.0, 0.0, 2.0]
    assert grad.tolist() == [0.0, 0.0, 1.0]


def test_max_routes_each_data_point_to_its_own_winner() -> None:
    """max(a, b) sends each point's gradient to that point's larger input; a tie to a."""
    program = trace(lambda a, b: a.max(b), 1.0, 2.0)
    ga, gb = program.backward([3.0, 1.0, 2.0], [1.0, 3.0, 2.0])
    assert ga.tolist() == [1.0, 0.0, 1.0] and gb.tolist() == [0.0, 1.0, 0.0]


def test_domain_error_names_the_gate_and_the_data_point() -> None:
    """log of a negative number at one data point raises the scalar engine's GateError with its index."""
    program = trace(lambda x: x.log(), 1.0)
    with pytest.raises(GateError, match=r"at data point 2: log\(\) needs x > 0, got -1\.0"):
        program([1.0, 2.0, -1.0, 3.0])


def test_overflow_names_the_gate_and_the_data_point() -> None:
    """exp overflowing at one data point is a GateError naming exp and that point."""
    program = trace(lambda x: (x * 2.0).exp(), 1.0)
    with pytest.raises(GateError, match=r"at data point 1: exp\(\) overflows a float, got 800\.0"):
        program([1.0, 400.0])


def test_non_finite_local_derivative_names_the_data_point() -> None:
    """√x at 0 has a finite value but no finite derivative: backward raises, naming pow and the point."""
    program = trace(lambda x: x**0.5, 1.0)
    assert program([4.0, 0.0]).tolist() == [2.0, 0.0]
    with pytest.raises(GateError, match=r"at data point 1: pow\(\) has no finite local derivative"):
        program.backward([4.0, 0.0])


def test_error_leaves_captured_gradients_untouched() -> None:
    """A backward that fails adds nothing to the captured leaves' grads."""
    w = Value(2.0, "w")
    program = trace(lambda x: (w * x).log(), 1.0)
    with pytest.raises(GateError, match="data point 1"):
        program.backward([1.0, -1.0])
    assert w.grad == 0.0


def test_verify_catches_a_graph_that_branches_on_data() -> None:
    """fn that takes a Python branch on .data builds another graph elsewhere: verify says where."""

    def fn(x: Value) -> Value:
        return x * x if x.data > 0 else x + 1.0

    program = trace(fn, 1.0)
    assert program([1.0, 2.0], verify=2).tolist() == [1.0, 4.0]
    with pytest.raises(TraceMismatch, match=r"the trace does not fit data point 2: node 1 is a leaf there but mul\(node 0, node 0\) in the trace"):
        program([1.0, 2.0, -3.0], verify=3)


def test_verify_catches_a_constant_computed_from_the_data() -> None:
    """A constant made from an input's number (softmax's shift by the max) cannot be replayed: verify says so."""
    program = trace(lambda x: x + Value(-x.data), 1.0)
    with pytest.raises(TraceMismatch, match=r"data point 1: the constant at node \d+ is -5\.0 there but -1\.0"):
        program.verify([1.0, 5.0], points=2)


def test_columns_are_checked() -> None:
    """Wrong count, mismatched lengths, non-finite numbers and 2-D columns get clear errors."""
    program = trace(lambda x, y: x * y, 1.0, 2.0)
    with pytest.raises(TypeError, match=r"takes 2 column\(s\), one per input of fn, got 1"):
        program([1.0])
    with pytest.raises(ValueError, match=r"column 1 has 3 data points, an earlier column has 2"):
        program([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"column 0 needs finite numbers, got nan at data point 1"):
        program([1.0, float("nan")], 2.0)
    with pytest.raises(ValueError, match=r"column 0 must be 1-D"):
        program(np.ones((2, 2)), 2.0)
    with pytest.raises(ValueError, match=r"weights must be one number per data point \(2\)"):
        program.backward([1.0, 2.0], 3.0, weights=[1.0])


def test_a_number_column_is_broadcast() -> None:
    """A number for a column stands for the same value at every data point."""
    program = trace(lambda x, y: x * y, 1.0, 2.0)
    assert program([1.0, 2.0, 3.0], 10).tolist() == [10.0, 20.0, 30.0]


def test_long_dot_products_replay_as_matrix_products() -> None:
    """A neuron with many weights becomes a matmul, with the scalar engine's numbers to rounding."""
    rng = np.random.default_rng(0)
    n = MATMUL_MIN_TERMS + 4
    w = [Value(float(v), f"w{i}") for i, v in enumerate(rng.normal(size=n))]
    bias = Value(0.5, "b")

    def neuron(*xs: Value) -> Value:
        act = bias
        for wi, xi in zip(w, xs):
            act = act + wi * xi
        return act.tanh()

    program = trace(neuron, *([0.0] * n))
    assert "matmul" in program.listing()
    cols = [rng.normal(size=5) for _ in range(n)]
    grads = program.backward(*cols)
    replayed = [p.grad for p in w]
    want_w = [0.0] * n
    for b in range(5):
        xs = [Value(float(c[b])) for c in cols]
        for p in w:
            p.grad = 0.0
        root = neuron(*xs)
        root.backward()
        assert math.isclose(program(*cols)[b], root.data, rel_tol=1e-12)
        for k in range(n):
            assert math.isclose(grads[k][b], xs[k].grad, rel_tol=1e-12, abs_tol=1e-15)
            want_w[k] += w[k].grad
    assert all(math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15) for a, b in zip(replayed, want_w))


def test_scalar_graph_is_that_data_point_s_graph() -> None:
    """The program gives back one data point's scalar graph, ready to draw and step."""
    w = Value(3.0, "w")
    program = trace(lambda x: w * x + 1.0, 0.0)
    root = program.scalar_graph([1.0, 2.0, 5.0], index=2)
    assert root.data == 16.0 and root.op == "add"
    with pytest.raises(IndexError, match=r"index must be a data point 0\.\.2, got 3"):
        program.scalar_graph([1.0, 2.0, 5.0], index=3)


def test_values_of_a_kept_node() -> None:
    """A node kept while tracing can be read back as a column after a call."""
    kept: list[Value] = []

    def fn(x: Value) -> Value:
        y = x * 2.0
        kept.append(y)
        return y.relu()

    program = trace(fn, 1.0, keep=kept)
    program([-1.0, 3.0])
    assert program.values_of(kept[0]).tolist() == [-2.0, 6.0]


def test_listing_shows_levels_gates_and_sizes() -> None:
    """The listing names each level's gate and how many nodes it runs at once."""
    program = trace(lambda x, y: (x * y + x).tanh(), 1.0, 2.0)
    text = str(program)
    assert "in 3 levels" in text and "level 1  mul" in text and "level 3  tanh" in text


def test_trace_needs_a_function_returning_a_value() -> None:
    """fn must return a Value; anything else is a TypeError that says so."""
    with pytest.raises(TypeError, match=r"fn must return one Value, got float"):
        trace(lambda x: 1.0, 1.0)


def test_autograd_imports_neither_nn_nor_viz() -> None:
    """The engine knows nothing of networks or pictures: importing it pulls in neither."""
    code = "import sys, autograd; print(any(m.split('.')[0] in ('nn', 'viz') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_huge_but_finite_values_are_not_an_error() -> None:
    """Values whose sum overflows a float are each finite: replay must not call that an error."""
    program = trace(lambda x: x * 1.0, 1.0)
    assert program([1e308, 1e308]).tolist() == [1e308, 1e308]


def test_a_block_is_the_columns_at_once() -> None:
    """block= (one row per input) gives what the columns give, and is checked the same way."""
    program = trace(lambda x, y: x * y + x, 1.0, 2.0)
    cols = [np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0])]
    assert program(block=np.stack(cols)).tolist() == program(*cols).tolist()
    with pytest.raises(ValueError, match=r"block must have shape \(n_inputs, B\) = \(2, B >= 1\), got \(3, 3\)"):
        program(block=np.ones((3, 3)))
    with pytest.raises(ValueError, match=r"column 1 needs finite numbers, got inf at data point 2"):
        program(block=np.array([[1.0, 2.0, 3.0], [1.0, 2.0, np.inf]]))


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf], ids=repr)
def test_a_parameter_set_to_nan_after_tracing_is_named_not_hidden(bad: float) -> None:
    """w.data = -inf after the trace: exp(w)·x + tanh(w) would replay as −1 everywhere (exp(−inf) = 0,
    tanh(−inf) = −1), as the engine's saturating gates once did; replay names the leaf instead."""
    w = Value(1.0, "w")
    program = trace(lambda x: w.exp() * x + w.tanh(), 0.5)
    w.data = bad
    with pytest.raises(GateError, match=rf"^node 'w' holds {bad!r}, not a finite number \(was \.data set"):
        program(np.array([0.5, 1.0]))
    with pytest.raises(GateError, match=rf"^node 'w' holds {bad!r}"):
        program.backward(np.array([0.5, 1.0]))
