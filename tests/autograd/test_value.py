"""Value: construction, operators as gates, composites, and clear errors for bad input."""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path

import numpy as np
import pytest

import autograd
from autograd import GATES, GateError, Value, gradcheck, origin


def test_imported_autograd_is_this_project() -> None:
    """`import autograd` finds gategraph's engine, not HIPS autograd from PyPI."""
    root = Path(__file__).resolve().parents[2]
    assert Path(autograd.__file__).resolve().parent == root / "autograd"
    assert hasattr(autograd, "GATES") and hasattr(autograd, "backward_steps")


def test_new_value_fields() -> None:
    """A leaf has float data, zero grad, no op, no parents and its label."""
    v = Value(3, label="x")
    assert (v.data, v.grad, v.op, v.parents, v.label) == (3.0, 0.0, "", (), "x")
    assert type(v.data) is float


def test_value_has_slots_and_identity_equality() -> None:
    """Value uses __slots__ and keeps object identity for == and hash (nodes key dicts)."""
    a, b = Value(1.0), Value(1.0)
    assert not hasattr(a, "__dict__")
    assert a != b and len({a, b}) == 2
    assert Value.__eq__ is object.__eq__ and Value.__hash__ is object.__hash__


def test_value_signature_and_copies_survive_the_metaclass() -> None:
    """Value(data, label, role) is what help() shows; copy and pickle give equal nodes; a subclass keeps its type."""
    import copy
    import inspect
    import pickle

    assert list(inspect.signature(Value).parameters) == ["data", "label", "role"]
    v = Value(2.0, "x", role="parameter")
    for twin in (copy.copy(v), pickle.loads(pickle.dumps(v))):
        assert (twin.data, twin.label, twin.op, twin.role) == (2.0, "x", "", "parameter") and twin is not v

    class Named(Value):
        __slots__ = ()

    assert type(Named(1.0)) is Named and Named(1.0).data == 1.0


def test_numpy_scalars_are_accepted() -> None:
    """numpy integer and float scalars convert to plain floats."""
    assert Value(np.float32(1.5)).data == 1.5 and Value(np.int64(2)).data == 2.0


@pytest.mark.parametrize("bad, typename", [("abc", "str"), (None, "NoneType"), ([1.0], "list"), (1j, "complex"), (True, "bool")])
def test_non_numbers_raise_type_error_naming_the_type(bad: object, typename: str) -> None:
    """Anything but a real number is refused with a TypeError that names its type."""
    with pytest.raises(TypeError, match=f"got {typename}"):
        Value(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_data_raises_value_error(bad: float) -> None:
    """NaN and ±inf are refused at the door."""
    with pytest.raises(ValueError, match="finite"):
        Value(bad)


def test_non_string_label_is_refused() -> None:
    """A label must be text."""
    with pytest.raises(TypeError, match="label must be a str, got int"):
        Value(1.0, label=3)  # type: ignore[arg-type]


def test_product_of_a_node_with_itself_keeps_both_parents() -> None:
    """a * a records (a, a): the node is used twice and appears twice."""
    a = Value(3.0)
    assert (a * a).parents == (a, a) and (a + a).parents == (a, a)


@pytest.mark.parametrize(
    "make, op",
    [
        (lambda a, b: a + b, "add"),
        (lambda a, b: a * b, "mul"),
        (lambda a, b: a.max(b), "max"),
        (lambda a, b: a.exp(), "exp"),
        (lambda a, b: a.log(), "log"),
        (lambda a, b: a**2, "pow"),
        (lambda a, b: a.tanh(), "tanh"),
        (lambda a, b: a.sigmoid(), "sigmoid"),
    ],
)
def test_each_operator_records_its_gate(make, op: str) -> None:  # type: ignore[no-untyped-def]
    """Each operator makes one node whose op names its row in GATES and whose data is forward's."""
    a, b = Value(1.5), Value(0.5)
    out = make(a, b)
    gate = GATES[op]
    assert out.op == op
    xs = [p.data for p in out.parents]
    assert out.data == gate.forward_at(xs, out.const)


@pytest.mark.parametrize(
    "expr, expected",
    [
        (lambda x: 2 * x, 6.0),
        (lambda x: x * 2, 6.0),
        (lambda x: 2 + x, 5.0),
        (lambda x: x + 2, 5.0),
        (lambda x: 2 - x, -1.0),
        (lambda x: x - 2, 1.0),
        (lambda x: 1 / x, 1 / 3),
        (lambda x: x / 2, 1.5),
        (lambda x: x**3, 27.0),
        (lambda x: 2**x, 8.0),
        (lambda x: -x, -3.0),
    ],
)
def test_python_numbers_work_on_either_side(expr, expected: float) -> None:  # type: ignore[no-untyped-def]
    """Numbers on either side of every operator give the arithmetic result."""
    assert math.isclose(expr(Value(3.0)).data, expected, rel_tol=1e-12)


def test_composites_are_built_from_gates() -> None:
    """-, /, relu and a Value exponent are made of table gates, not gates of their own."""
    a, b = Value(2.0), Value(3.0)
    assert (a - b).op == "add" and (-a).op == "mul" and (a / b).op == "mul"
    assert a.relu().op == "max" and (a**b).op == "exp"


def test_relu_is_max_of_zero_and_x_with_zero_gradient_at_zero() -> None:
    """relu(x) = max(0, x); at x = 0 the zero wins, so relu'(0) = 0 as in PyTorch."""
    x = Value(0.0)
    y = x.relu()
    y.backward()
    assert y.data == 0.0 and x.grad == 0.0 and y.parents[1] is x


@pytest.mark.parametrize("x, grad", [(2.0, 1.0), (-2.0, 0.0)])
def test_relu_gradient_away_from_zero(x: float, grad: float) -> None:
    """relu passes the gradient for x > 0 and blocks it for x < 0."""
    v = Value(x)
    v.relu().backward()
    assert v.grad == grad


def test_max_tie_routes_to_first_input() -> None:
    """At a tie a.max(b) sends the whole gradient to a (documented convention)."""
    a, b = Value(1.0), Value(1.0)
    a.max(b).backward()
    assert (a.grad, b.grad) == (1.0, 0.0)


def test_value_exponent_is_exp_of_b_log_a() -> None:
    """a ** b with a Value b gives both gradients: b·a^(b−1) and a^b·ln a."""
    a, b = Value(2.0), Value(3.0)
    (a**b).backward()
    assert math.isclose(a.grad, 12.0) and math.isclose(b.grad, 8 * math.log(2))


def test_composite_and_fused_sigmoid_agree() -> None:
    """1/(1 + e^−x) built from gates and the fused sigmoid give the same value and gradient."""
    for x0 in [-30.0, -3.0, -0.5, 0.0, 0.7, 4.0, 30.0]:
        x1, x2 = Value(x0), Value(x0)
        composite, fused = 1 / (1 + (-x1).exp()), x2.sigmoid()
        composite.backward()
        fused.backward()
        assert abs(composite.data - fused.data) <= 1e-12
        assert abs(x1.grad - x2.grad) <= 1e-12


def test_composite_and_fused_tanh_agree() -> None:
    """tanh as (e^2x − 1)/(e^2x + 1) from gates matches the fused tanh gate."""
    for x0 in [-3.0, -0.2, 0.0, 0.9, 2.5]:
        x1, x2 = Value(x0), Value(x0)
        e = (2 * x1).exp()
        composite, fused = (e - 1) / (e + 1), x2.tanh()
        composite.backward()
        fused.backward()
        assert abs(composite.data - fused.data) <= 1e-12 and abs(x1.grad - x2.grad) <= 1e-12


@pytest.mark.parametrize("x", [1000.0, -1000.0, 1e300, -1e300])
def test_fused_sigmoid_and_tanh_are_finite_for_extreme_inputs(x: float) -> None:
    """sigmoid(±1000) and tanh(±1000) are finite, with finite gradients, and raise nothing."""
    for fn in (Value.sigmoid, Value.tanh):
        v = Value(x)
        out = fn(v)
        out.backward()
        assert math.isfinite(out.data) and math.isfinite(v.grad)


def test_log_of_non_positive_names_gate_value_and_node() -> None:
    """log(−1) raises an error naming the gate, the value and the node's label."""
    with pytest.raises(GateError, match=r"^log\(\) needs x > 0, got -1.0 \(node 'q'\)$"):
        Value(-1.0, "q").log()


def test_gate_error_is_value_and_arithmetic_error() -> None:
    """GateError is caught by `except ValueError` and by `except ArithmeticError`."""
    assert issubclass(GateError, ValueError) and issubclass(GateError, ArithmeticError)


def test_division_by_zero_is_an_error() -> None:
    """a / 0 raises, naming division and the node."""
    with pytest.raises(GateError, match=r"division by zero.*got b = 0.0 \(node 'b'\)"):
        Value(1.0) / Value(0.0, "b")


def test_division_by_zero_number_is_an_error() -> None:
    """a / 0 with a plain number raises too."""
    with pytest.raises(GateError, match="division by zero"):
        Value(1.0) / 0


def test_exp_overflow_is_an_error() -> None:
    """exp(1000) would overflow: an error calls it an overflow and names the value and the node."""
    with pytest.raises(GateError, match=r"^exp\(\) overflows a float, got 1000.0 \(node 'x'\)$"):
        Value(1000.0, "x").exp()


def test_exp_just_below_the_limit_works() -> None:
    """exp(709) is a finite float and no error."""
    assert math.isfinite(Value(709.0).exp().data)


def test_negative_base_fractional_power_is_an_error() -> None:
    """(−8) ** (1/3) has no real value: an error, never a complex or NaN."""
    with pytest.raises(GateError, match=r"pow\(\) needs .*got -8.0 with exponent 0.333"):
        Value(-8.0) ** (1 / 3)


def test_negative_base_integer_power_is_fine() -> None:
    """(−2) ** 3 is −8."""
    assert (Value(-2.0) ** 3).data == -8.0


def test_value_exponent_with_non_positive_base_is_an_error() -> None:
    """a ** b with a Value b needs a > 0 because it is exp(b·log a)."""
    with pytest.raises(GateError, match=r"needs a > 0, got -2.0 \(node 'a'\)"):
        Value(-2.0, "a") ** Value(2.0)


def test_product_overflow_is_an_error_naming_both_nodes() -> None:
    """1e200 × 1e200 overflows to inf: refused, naming the gate and both nodes."""
    with pytest.raises(GateError, match=r"mul\(\) overflows a float, got 1e\+200, 1e\+200 \(nodes 'a', 'b'\)"):
        Value(1e200, "a") * Value(1e200, "b")


def test_sum_overflow_is_an_error() -> None:
    """1e308 + 1e308 overflows to inf: refused."""
    with pytest.raises(GateError, match=r"add\(\) overflows"):
        Value(1e308) + 1e308


def test_bad_operand_type_is_a_type_error() -> None:
    """x + "a" names the bad operand's type."""
    with pytest.raises(TypeError, match="got str"):
        Value(1.0) + "a"  # type: ignore[operator]


def test_nan_operand_is_refused() -> None:
    """x * nan raises instead of producing a NaN node."""
    with pytest.raises(ValueError, match="finite number, got nan"):
        Value(1.0) * math.nan


def test_infinite_local_derivative_is_an_error_in_backward() -> None:
    """sqrt at 0 has an infinite derivative: backward raises instead of writing inf."""
    x = Value(0.0, "x")
    y = x**0.5
    with pytest.raises(GateError, match=r"pow\(\) has no finite local derivative at 0.0 with exponent 0.5.*\(node 'x'\)"):
        y.backward()


def test_overflowing_gradient_is_an_error() -> None:
    """Finite values with a gradient of 1e400 (x·1e200·1e200 at x = 1e−300) raise, never inf."""
    x = Value(1e-300, "x")
    y = x * 1e200 * 1e200
    assert math.isfinite(y.data)
    with pytest.raises(GateError, match=r"gradient is not finite \(inf\) at node 'x'"):
        y.backward()



def test_overflow_at_an_interior_node_is_named() -> None:
    """An inf gradient inside the graph (here at relu q, whose input then gets 0·inf = nan) is
    caught and named: backward checks the leaves, where every non-finite gradient ends up."""
    x = Value(-1.0, "x")
    q = x.relu()
    q.label = "q"
    y = q * 1e200 * 1e200
    with pytest.raises(GateError, match=r"gradient is not finite \(inf\) at node 'q'"):
        y.backward()
    assert math.isnan(x.grad)

def test_origin_block_stamps_new_nodes_only() -> None:
    """Nodes made inside origin("L1.N3") carry it; nodes made outside carry None."""
    a = Value(1.0)
    with autograd.origin("L1.N3"):
        b = a * 2
    c = b + 1
    assert (a.origin, b.origin, c.origin) == (None, "L1.N3", None)


def test_repr_shows_data_grad_and_op() -> None:
    """repr names data, grad, op and label."""
    assert repr(Value(2.0, "x") * 3) == "Value(data=6.0, grad=0.0, op='mul')"
    assert repr(Value(2.0, "x")) == "Value(data=2.0, grad=0.0, label='x')"


def test_gradcheck_of_every_operator_composite() -> None:
    """Composites built from gates pass a gradient check."""
    fn = lambda a, b: (a - b) / (a * b) + a**b + 2**a - (-b).sigmoid() + a.max(b).tanh()  # noqa: E731
    assert gradcheck(fn, [1.3, 0.7]).ok


def test_module_imports_nothing_from_nn_or_viz() -> None:
    """The engine stands alone: importing it loads neither nn nor viz."""
    import subprocess

    code = "import sys, autograd; print('nn' in sys.modules, 'viz' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"


def test_int_too_large_for_a_float_is_a_value_error() -> None:
    """10**400 has no float: a ValueError says so, on either side of an operator."""
    with pytest.raises(ValueError, match="int too large for a float"):
        Value(1.0) + 10**400
    with pytest.raises(ValueError, match="int too large for a float"):
        Value(10**400)


@pytest.mark.parametrize("x", [0.0, -0.0, 2.0, -3.0, 1e-300, 1e300])
def test_power_zero_has_derivative_zero_everywhere(x: float) -> None:
    """x ** 0 = 1 is flat: backward gives 0 at every x, 0 included (as PyTorch), never a GateError."""
    v = Value(x, "x")
    y = v**0
    y.backward()
    assert (y.data, v.grad) == (1.0, 0.0)


def test_constants_from_numbers_are_marked_lifted_and_values_are_not() -> None:
    """The 2 in x * 2, 2 - x, 2 / x and 2 ** x is a lifted constant leaf; Value(2.0) is the user's own."""
    x = Value(1.5, "x")
    lifted = [(x * 2).parents[1], (2 - x).parents[0], (x / 2).parents[1].parents[0], x.relu().parents[0]]
    assert all(c._info.lifted and c.op == "" and c.label == "" for c in lifted)
    assert not Value(2.0)._info.lifted and not x._info.lifted


# -- roles and parts: what a node is, from how it was made ------------------------------------


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda: Value(1.0, "x"), "input"),
        (lambda: Value(1.0, "w0"), "input"),  # never from the label's spelling
        (lambda: Value(1.0, "a", role="parameter"), "parameter"),
        (lambda: Value(1.0, role="parameter"), "parameter"),
        (lambda: Value(1.0, "k", role="constant"), "constant"),
        (lambda: Value(1.0), "constant"),
        (lambda: (Value(1.0) * 2).parents[1], "constant"),  # the 2 an operator lifted
        (lambda: Value(1.0) * 2, "gate output"),
    ],
)
def test_a_nodes_role_comes_from_how_it_was_made(make, expected) -> None:
    """role= when given; else a labelled leaf is an input, an unlabelled one or a lifted number a constant."""
    from autograd import ROLES

    node = make()
    assert node.role == expected and node.role in ROLES


def test_an_unknown_role_is_refused_naming_the_choices() -> None:
    """role="weight" is a ValueError listing the leaf roles."""
    with pytest.raises(ValueError, match="Value role must be one of 'input', 'parameter', 'constant' \\(or None\\), got 'weight'"):
        Value(1.0, "w", role="weight")


def test_a_role_survives_relabelling() -> None:
    """Setting a label keeps the role the leaf was made with."""
    w = Value(1.0, role="parameter")
    w.label = "w"
    assert (w.label, w.role) == ("w", "parameter")


def test_origin_parts_name_what_each_gate_makes() -> None:
    """origin(name, {gate: part}) gives each gate's output its part; other gates and leaves get none."""
    with origin("L1.N0", {"mul": "w·x", "add": "sum", "max": "relu"}):
        w = Value(0.5, "w", role="parameter")
        h = (w * 2.0 + 1.0).relu()
        e = h.exp()
    pre, product = h.parents[1], h.parents[1].parents[0]
    assert (h.part, pre.part, product.part, e.part, w.part) == ("relu", "sum", "w·x", None, None)
    assert {n.origin for n in (h, pre, product, e, w)} == {"L1.N0"}


def test_origin_part_as_one_string_names_every_gate_and_a_learners_row() -> None:
    """origin(None, "margin"): every gate output in the block is a "margin", a learner's row's too."""
    from autograd import Gate, apply

    twice = Gate(name="twice", symbol="2x", arity=1, forward=lambda x: 2 * x, local_grads=lambda out, x: (2.0,),
                 rule="twice doubles the upstream gradient")
    with origin(None, "margin"):
        m = apply(twice, Value(1.0) + 2.0)
    assert (m.part, m.parents[0].part, m.origin) == ("margin", "margin", None)


def test_origin_blocks_are_made_once_and_shared() -> None:
    """Two blocks with the same name and parts give their nodes the very same record (no per-node cost)."""
    with origin("L1.N0", {"add": "sum"}):
        a = Value(1.0) + 1.0
    with origin("L1.N0", {"add": "sum"}):
        b = Value(2.0) + 1.0
    assert a._info is b._info


@pytest.mark.parametrize(
    "parts, error, message",
    [
        ({"matmul": "x"}, ValueError, "parts names a gate that is not a row of GATES: 'matmul'"),
        ({"add": 3}, TypeError, "a part must be a str, got int"),
        (["add"], TypeError, "parts must be a str, a mapping gate name -> str, or None; got list"),
    ],
)
def test_bad_parts_are_refused_by_name(parts, error, message) -> None:
    """A part for an unknown gate, a part that is not text, or parts of the wrong type are refused."""
    with pytest.raises(error, match=re.escape(message)):
        with origin("L1.N0", parts):
            pass


def test_an_origin_block_reads_a_swapped_gate_table(wrong_mul: None) -> None:
    """Cached origin records follow the table the engine reads: with the wrong mul row installed, a
    node made inside an origin block carries it too (as one made outside does)."""
    from autograd import gate_of

    with origin("L1.N0", {"mul": "w·x"}):
        y = Value(2.0) * 3.0
    assert gate_of(y) is autograd.value.GATES["mul"] and gate_of(y) is not GATES["mul"]


@pytest.mark.parametrize("gate", [
    lambda x: x * 2.0, lambda x: x + x, lambda x: 2.0 - x, lambda x: x.log(), lambda x: x.tanh(),
    lambda x: x.max(Value(1.0)),
])
def test_a_gate_names_the_node_whose_data_was_set_to_a_string(gate) -> None:  # type: ignore[no-untyped-def]
    x = Value(2.0, "x")
    x.data = "abc"
    with pytest.raises(TypeError, match=r"node 'x' holds str 'abc' as its data, not a number"):
        gate(x)
