"""Replay's answers where last round's attacks broke it: overflowing sums, x ** 0, non-numeric columns, nodes made before tracing."""

from __future__ import annotations

import datetime

import numpy as np
import pytest

from autograd import TraceMismatch, Value, trace
from autograd.replay import Program


def test_parameter_gradients_whose_sum_overflows_but_each_is_finite_are_returned() -> None:
    b1, b2 = Value(1.0), Value(-1.0)
    (dx,) = trace(lambda x: b1 * x + b2 * x, 1.0).backward([1e308])
    assert (dx.tolist(), b1.grad, b2.grad) == ([0.0], 1e308, 1e308)  # as Value.backward gives


def test_x_to_the_zero_has_the_scalar_engines_gradient_at_zero() -> None:
    x = Value(0.0)
    (x ** 0).backward()
    (dx,) = trace(lambda v: v ** 0, 1.0).backward([0.0, 2.0])
    assert dx.tolist() == [x.grad, 0.0] == [0.0, 0.0]


@pytest.mark.parametrize("column, named", [
    ([True, False], "list of bool"),
    (["1", "2"], "list of str"),
    ([b"1"], "list of bytes"),
    (np.array([1 + 2j]), "ndarray of complex128"),
    ([datetime.datetime(2020, 1, 1)], "element of type datetime"),
    (np.array(["2020-01-01"], dtype="datetime64[D]"), "ndarray of datetime64"),
    (True, "got bool"),
    ("3", "got str"),
])
def test_a_non_numeric_column_is_refused_naming_the_column_and_type(column: object, named: str) -> None:
    program = trace(lambda x, y: x * y, 1.0, 1.0)
    with pytest.raises(TypeError, match=f"column 1 must be real numbers .*{named}"):
        program([1.0], column)


def test_large_python_ints_and_numpy_ints_are_numbers() -> None:
    program = trace(lambda x: x * 2, 1.0)
    assert program([10**30, np.int64(3)]).tolist() == [2e30, 6.0]


def test_a_ragged_column_is_refused_naming_it() -> None:
    with pytest.raises(TypeError, match="column 0 must be real numbers .*cannot read as an array"):
        trace(lambda x: x * 2, 1.0)([[1.0], [2.0, 3.0]])


def test_non_numeric_block_and_weights_are_refused_naming_them() -> None:
    program = trace(lambda x: x * 2, 1.0)
    with pytest.raises(TypeError, match="block must be real numbers .*str"):
        program(block=[["a"]])
    with pytest.raises(TypeError, match="weights must be real numbers .*bool"):
        program.backward([1.0], weights=[True])


def test_a_node_made_before_tracing_from_a_parameter_is_refused_naming_it() -> None:
    log_scale = Value(0.5, "log_scale")
    scale = log_scale.exp()
    scale.label = "scale"
    with pytest.raises(TraceMismatch, match="trace: node 'scale' was made before fn ran"):
        trace(lambda x: scale * x, 1.0)


def test_a_node_fn_builds_from_parameters_alone_is_followed() -> None:
    w = Value(2.0, "w")
    program = trace(lambda x: w.exp() * x, 1.0)
    w.data = 0.0
    assert program([3.0]).tolist() == [3.0]  # exp(w) recomputed, as fn would


def test_after_the_second_run_what_fn_kept_is_in_the_program() -> None:
    w, kept = Value(2.0, "w"), []

    def fn(x: Value) -> Value:
        kept[:] = [w.exp() * x]  # a gate node from a parameter alone: trace runs fn twice
        return kept[0] + 1.0

    program = trace(fn, 1.0, keep=kept)
    program([1.0])
    assert program.values_of(kept[0]).tolist() == [np.exp(2.0)]


def test_verify_catches_a_node_made_before_fn_ran() -> None:
    log_scale = Value(0.5, "log_scale")
    scale = log_scale.exp()
    x = Value(1.0, "x0")
    program = Program(lambda v: scale * v, scale * x, [x], [])  # past trace's own refusal
    with pytest.raises(TraceMismatch, match="does not fit data point 0: verify: node .*exp.* was made before fn ran"):
        program.verify([1.0])


class _TwoBiases:
    """b1·x + b2·x: zero, while each bias's gradient is x itself."""

    def __init__(self) -> None:
        self.b1, self.b2 = Value(1.0, "b1"), Value(-1.0, "b2")

    def parameters(self) -> list[Value]:
        return [self.b1, self.b2]

    def __call__(self, x: list[Value]) -> Value:
        return self.b1 * x[0] + self.b2 * x[0]


def test_fit_with_replay_takes_the_scalar_engines_step_where_the_gradient_sum_overflows() -> None:
    import nn  # tests may reach up; the engine does not

    steps = []
    for engine in ("replay", None):
        model = _TwoBiases()
        nn.fit(model, np.array([[1e308]]), np.array([1]), loss="hinge", epochs=1, lr=0.1, progress=False, engine=engine)
        steps.append((model.b1.data, model.b2.data))
    assert steps[0] == steps[1] and np.isfinite(steps[0]).all()


@pytest.mark.parametrize("bad, kind", [("abc", "str"), ([1.0], "list"), (1 + 2j, "complex")])
def test_a_parameter_whose_data_is_not_a_number_is_named(bad: object, kind: str) -> None:
    w = Value(2.0, "w")
    program = trace(lambda x: w * x, 1.0)
    w.data = bad
    with pytest.raises(TypeError, match=f"node 'w' holds {kind} .* as its data, not a number"):
        program([1.0])
