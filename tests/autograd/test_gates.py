"""The gate table: every row's local derivative against a centered difference, and its shape."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import GATES, FixedGrads, Gate, SwappedInputs
from autograd.testing import gate_inputs

GATE_NAMES = sorted(GATES)


def test_required_gates_are_in_the_table() -> None:
    """The table has at least the gates the engine promises."""
    assert {"add", "mul", "max", "exp", "log", "pow", "tanh", "sigmoid"} <= set(GATES)


def test_table_is_read_only() -> None:
    """GATES cannot be changed at run time: adding a gate is adding a row in gates.py."""
    with pytest.raises(TypeError):
        GATES["sub"] = GATES["add"]  # type: ignore[index]


@pytest.mark.parametrize("name", GATE_NAMES)
def test_row_is_keyed_by_its_name(name: str) -> None:
    """Each row's name is its key, so node.op finds the row that made it."""
    assert isinstance(GATES[name], Gate) and GATES[name].name == name


@pytest.mark.parametrize("name", GATE_NAMES)
def test_forward_and_local_grads_take_arity_inputs(name: str) -> None:
    """forward takes arity inputs (then c, for a gate that takes one); local_grads takes out first
    and gives one derivative per input. One input fewer is a TypeError."""
    gate = GATES[name]
    assert gate.arity in (1, 2)
    xs, extra = [0.5] * gate.arity, [2.0] if gate.takes_constant else []
    out = gate.forward(*xs, *extra)
    assert type(out) is float and out == gate.forward_at(xs, *extra)
    assert len(gate.local_grads(out, *xs, *extra)) == gate.arity
    with pytest.raises(TypeError):
        gate.forward(*xs[1:], *extra)


def test_forward_at_names_the_gate_given_the_wrong_inputs() -> None:
    """The *_at helpers check the inputs against the row: a clear error, not a wrong call."""
    with pytest.raises(TypeError, match=r"add takes 2 input\(s\), got 1"):
        GATES["add"].forward_at([1.0])
    with pytest.raises(TypeError, match=r"pow needs its constant c"):
        GATES["pow"].local_grads_at(4.0, [2.0])
    with pytest.raises(TypeError, match=r"exp takes no constant, got c = 2.0"):
        GATES["exp"].branch_at([1.0], 2.0)


def test_only_a_one_input_gate_takes_a_constant() -> None:
    """A row that would hand a constant to a two-input gate is refused when it is written."""
    with pytest.raises(ValueError, match=r"gate 'bad': only a one-input gate can take a constant, arity is 2"):
        Gate("bad", "?", 2, forward=max, local_grads=lambda out, a, b: (1.0, 0.0), rule="bad", takes_constant=True)


@pytest.mark.parametrize("name", GATE_NAMES)
def test_rule_and_symbol_are_words_for_people(name: str) -> None:
    """Every row carries a symbol and a rule that names the gate and what it does upstream."""
    gate = GATES[name]
    assert gate.symbol
    assert gate.rule.startswith(name) and "gradient" in gate.rule


@pytest.mark.parametrize("name", GATE_NAMES)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_local_grads_match_centered_difference(name: str, data: st.DataObject) -> None:
    """Each local derivative equals (f(x+h) − f(x−h)) / 2h where the gate is smooth."""
    gate = GATES[name]
    xs, c = data.draw(gate_inputs(gate))
    out = gate.forward_at(xs, c)
    local = gate.local_grads_at(out, xs, c)
    assert len(local) == gate.arity
    assert all(type(g) is float for g in local)  # plain floats, printable on a diagram
    h = 1e-6
    for i in range(gate.arity):
        plus, minus = list(xs), list(xs)
        plus[i] += h
        minus[i] -= h
        numeric = (gate.forward_at(plus, c) - gate.forward_at(minus, c)) / (2 * h)
        assert math.isclose(local[i], numeric, rel_tol=1e-5, abs_tol=1e-6), (i, local[i], numeric)


def test_max_tie_gives_the_gradient_to_the_first_input() -> None:
    """At a tie max routes everything to its first input (argmax's first-index convention)."""
    assert GATES["max"].local_grads(2.0, 2.0, 2.0) == (1.0, 0.0)


def test_sigmoid_forward_is_stable_at_extremes() -> None:
    """The fused sigmoid gives finite values for ±1000 where exp would overflow."""
    sig = GATES["sigmoid"].forward
    assert sig(1000.0) == 1.0 and sig(-1000.0) == 0.0


@pytest.mark.parametrize("name", GATE_NAMES)
def test_only_one_input_gates_take_a_constant(name: str) -> None:
    """The engine stores a constant for one-input gates only (pow's exponent)."""
    gate = GATES[name]
    assert not (gate.takes_constant and gate.arity != 1)


def test_fixed_grads_are_called_like_any_local_grads() -> None:
    """A FixedGrads row gives the same plain tuple at every input, as a local_grads function would."""
    add = GATES["add"].local_grads
    assert isinstance(add, FixedGrads)
    assert add(5.0, 2.0, 3.0) == add(-1.0, 0.5, -1.5) == (1.0, 1.0)
    assert type(add(5.0, 2.0, 3.0)) is tuple


def test_swapped_inputs_give_each_input_the_other() -> None:
    """mul's local derivatives are its inputs swapped: ∂(ab)/∂a = b, ∂(ab)/∂b = a, as plain floats."""
    mul = GATES["mul"].local_grads
    assert isinstance(mul, SwappedInputs)
    assert mul(6.0, 2.0, 3.0) == (3.0, 2.0) and type(mul(6.0, 2.0, 3.0)) is tuple


def _finite_from_non_finite(gate: Gate) -> list[tuple[float, ...]]:
    """The calls of a row with a nan or ±inf input (others and pow's constant from a small grid)
    whose output is a finite number, e.g. exp(-inf) = 0."""
    special, plain = (math.nan, math.inf, -math.inf), (-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0)
    grid = [(s,) for s in special] if gate.arity == 1 else \
        [(s, p) for s in special for p in (*plain, *special)] + [(p, s) for s in special for p in plain]
    consts = (-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0) if gate.takes_constant else (None,)
    found = []
    for xs in grid:
        for c in consts:
            try:
                out = gate.forward_at(list(xs), c)
            except (ValueError, OverflowError, ZeroDivisionError):
                continue
            if math.isfinite(out):
                found.append(xs if c is None else (*xs, c))
    return found


@pytest.mark.parametrize("name", GATE_NAMES)
def test_saturates_says_whether_a_non_finite_input_can_give_a_finite_output(name: str) -> None:
    """The flag that makes the engine check a row's inputs is exact: True where some nan or ±inf input
    gives a finite output (so checking the output alone would hide it), False where none does."""
    found = _finite_from_non_finite(GATES[name])
    assert GATES[name].saturates == bool(found), f"{name}: finite outputs from non-finite inputs at {found[:4]}"


def test_saturates_must_be_a_bool() -> None:
    """A row written with saturates="yes" is refused when it is written, naming the field."""
    with pytest.raises(TypeError, match=r"gate 'bad': saturates must be True or False, got 'yes'"):
        Gate("bad", "b", 1, forward=math.exp, local_grads=lambda out, x: (out,), rule="r", saturates="yes")  # type: ignore[arg-type]
