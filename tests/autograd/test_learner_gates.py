"""A learner's own gate, defined as a row: runs, steps, backprops and gradchecks like a built-in one."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings

import autograd
from autograd import GATES, Gate, GateError, Value, apply, backward_steps, gate_function, gate_of, gradcheck
from autograd.testing import graphs

CUBE = Gate(name="cube", symbol="x³", arity=1, forward=lambda x: x**3,
            local_grads=lambda out, x: (3.0 * x * x,), rule="cube multiplies the upstream gradient by 3x²")
SUB = Gate(name="sub", symbol="−", arity=2, forward=lambda a, b: a - b,
           local_grads=lambda out, a, b: (1.0, -1.0), rule="sub passes the upstream gradient to a and its negative to b")
ROOT = Gate(name="root", symbol="√", arity=1, forward=math.sqrt, local_grads=lambda out, x: (0.5 / out,),
            rule="root multiplies the upstream gradient by 1/(2√x)", domain="x > 0")


def test_a_row_needs_only_six_keywords() -> None:
    """Every field but name, symbol, arity, forward, local_grads and rule has a default."""
    assert CUBE.domain == "" and CUBE.branch is None and CUBE.operator == "" and not CUBE.takes_constant


def test_apply_runs_forward_and_backward() -> None:
    """apply(row, x) makes a node with the row's forward value; backward uses its local derivatives."""
    x = Value(2.0, "x")
    y = apply(CUBE, x)
    y.backward()
    assert (y.data, x.grad, y.op) == (8.0, 12.0, "cube")


def test_gate_of_finds_a_learners_row_and_a_builtin_row() -> None:
    """gate_of reads the row off the node, a learner's or a built-in one."""
    a, b = Value(1.0), Value(2.0)
    assert gate_of(apply(SUB, a, b)) is SUB
    assert gate_of(a * b) is GATES["mul"]


def test_gate_of_a_leaf_is_an_error() -> None:
    """A leaf was made by no gate."""
    with pytest.raises(ValueError, match="is a leaf, made by no gate"):
        gate_of(Value(1.0))


def test_gate_function_applies_the_row_with_numbers_too() -> None:
    """gate_function(row) returns f(a, b); a number becomes a constant leaf."""
    sub = gate_function(SUB)
    a = Value(5.0)
    out = sub(a, 3)
    out.backward()
    assert (out.data, a.grad, sub.__name__, sub.gate) == (2.0, 1.0, "sub", SUB)


def test_builtin_rows_stay_read_only() -> None:
    """Applying a learner row leaves GATES as it was, and GATES refuses assignment."""
    before = dict(GATES)
    apply(CUBE, Value(1.0))
    assert dict(GATES) == before and "cube" not in GATES
    with pytest.raises(TypeError):
        GATES["cube"] = CUBE  # type: ignore[index]


def test_a_builtin_name_is_refused() -> None:
    """A learner row named like a built-in row is refused with a clear error."""
    mine = Gate(name="exp", symbol="e", arity=1, forward=math.exp, local_grads=lambda out, x: (out,), rule="r")
    with pytest.raises(ValueError, match="'exp' is the name of a built-in row of GATES, which is read-only"):
        apply(mine, Value(1.0))


def test_wrong_arity_and_bad_rows_are_refused() -> None:
    """The wrong number of inputs, a non-row, or a three-input row: each a clear error."""
    with pytest.raises(TypeError, match="gate 'sub' takes 2 input"):
        apply(SUB, Value(1.0))
    with pytest.raises(TypeError, match="needs an autograd.Gate row, got builtin_function_or_method"):
        apply(math.exp, Value(1.0))  # type: ignore[arg-type]
    three = Gate(name="fma", symbol="fma", arity=3, forward=lambda a, b, c: a * b + c,
                 local_grads=lambda o, a, b, c: (b, a, 1.0), rule="r")
    with pytest.raises(ValueError, match="the engine's gates take 1 or 2 inputs"):
        apply(three, 1.0, 2.0, 3.0)


def test_outside_the_domain_is_a_gate_error_naming_it() -> None:
    """A learner forward that raises ValueError becomes a GateError with the row's domain in words."""
    with pytest.raises(GateError, match=r"root\(\) needs x > 0, got -1.0 \(node 'q'\)"):
        apply(ROOT, Value(-1.0, "q"))


def test_a_learner_forward_returning_nan_is_refused() -> None:
    """nan from a learner forward is an error, never a silent NaN."""
    bad = Gate(name="bad", symbol="?", arity=1, forward=lambda x: float("nan"), local_grads=lambda o, x: (1.0,), rule="r")
    with pytest.raises(GateError, match=r"bad\(\) has no finite value there, got 1.0"):
        apply(bad, Value(1.0))


def test_local_grads_of_the_wrong_shape_is_a_clear_error() -> None:
    """local_grads returning a bare float (not a tuple) is named in backward's error."""
    bare = Gate(name="twice", symbol="2x", arity=1, forward=lambda x: 2 * x, local_grads=lambda o, x: 2.0, rule="r")
    y = apply(bare, Value(1.0))
    with pytest.raises(TypeError, match=r"local_grads must return a tuple of 1 number\(s\).*write \(d,\)"):
        y.backward()


def test_backward_steps_reads_the_learners_row() -> None:
    """backward_steps shows the learner's gate with its row and local derivatives."""
    a, b = Value(5.0, "a"), Value(3.0, "b")
    f = apply(SUB, a, b) * 2.0
    steps = list(backward_steps(f))
    assert steps[1].gate is SUB and steps[1].local_grads == (1.0, -1.0) and steps[1].contributions == (2.0, -2.0)


def test_gradcheck_passes_on_a_learner_row() -> None:
    """gradcheck through a learner's smooth row agrees with the centred difference."""
    assert gradcheck(lambda x, y: apply(CUBE, apply(SUB, x, y)), [1.5, -0.5]).ok


def test_gradcheck_fails_on_a_wrong_learner_row() -> None:
    """A learner row with a wrong sign fails gradcheck."""
    wrong = Gate(name="sub2", symbol="−", arity=2, forward=lambda a, b: a - b,
                 local_grads=lambda out, a, b: (1.0, 1.0), rule="r")
    assert not gradcheck(lambda x, y: apply(wrong, x, y), [1.0, 2.0]).ok


def test_a_learner_row_inside_an_origin_block() -> None:
    """origin() stamps a learner row's nodes too, and the row stays on them."""
    with autograd.origin("L1.N1"):
        y = apply(CUBE, Value(2.0))
    z = apply(CUBE, Value(2.0))
    assert (y.origin, gate_of(y), z.origin, gate_of(z)) == ("L1.N1", CUBE, None, CUBE)


def test_a_constant_taking_learner_row() -> None:
    """A learner row that takes a constant gets it through apply(..., c=)."""
    scale = Gate(name="scale", symbol="·c", arity=1, forward=lambda x, c: c * x,
                 local_grads=lambda out, x, c: (c,), rule="r", takes_constant=True)
    x = Value(2.0)
    y = apply(scale, x, c=3)
    y.backward()
    assert (y.data, x.grad, y.const) == (6.0, 3.0, 3.0)
    with pytest.raises(TypeError, match="needs its constant"):
        apply(scale, x)


@settings(max_examples=25, deadline=None)
@given(graphs(gates=[*GATES.values(), CUBE, SUB]))
def test_random_graphs_with_learner_rows_gradcheck(graph) -> None:  # type: ignore[no-untyped-def]
    """autograd.testing draws random graphs over built-in and learner rows alike; each gradchecks."""
    assert gradcheck(graph, graph.inputs).ok


@pytest.mark.parametrize("name", sorted(GATES))
def test_every_row_without_an_operator_is_a_value_method(name: str) -> None:
    """Each row Python has no operator for is the Value method of its name, making a node of that row."""
    gate = GATES[name]
    if gate.operator:
        assert gate.operator in autograd.OPERATORS
        return
    args = [Value(0.5)] * (gate.arity - 1)
    node = getattr(Value(0.5), name)(*args)
    assert gate_of(node) is gate and node.data == gate.forward(*([0.5] * gate.arity))
