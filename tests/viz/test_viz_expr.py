"""The expression language of the CLI: a whitelist parsed with ast, built into labelled Values."""

from __future__ import annotations

import functools
import math

import pytest

from autograd import Value
from viz.expr import ExpressionError, build, evaluate, parse, parse_bindings, variables


def test_course_example_builds_the_expected_graph() -> None:
    """(x+y)*z at -2, 5, -4 is -12, with the sum labelled by its source."""
    f = evaluate(parse("(x+y)*z"), {"x": -2, "y": 5, "z": -4})
    f.backward()
    x, y = f.parents[0].parents
    assert (f.label, f.data, f.parents[0].label, x.grad, y.grad) == ("f", -12.0, "x + y", -4.0, -4.0)


def test_every_whitelisted_function_is_the_engines_gate() -> None:
    """exp, log, tanh, sigmoid, relu and max build the engine's own nodes."""
    f = evaluate(parse("max(exp(a), log(b)) + tanh(a) * sigmoid(b) - relu(a)"), {"a": 0.5, "b": 2.0})
    ops = set()
    stack = [f]
    while stack:
        node = stack.pop()
        ops.add(node.op)
        stack.extend(node.parents)
    assert {"max", "exp", "log", "tanh", "sigmoid", "add", "mul"} <= ops


def test_variable_used_twice_is_one_leaf() -> None:
    """x*x uses the same leaf twice, so d(x²)/dx = 2x."""
    f = evaluate(parse("x*x"), {"x": 3.0})
    f.backward()
    assert f.parents[0] is f.parents[1] and f.parents[0].grad == 6.0


def test_numbers_alone_are_computed_and_wrapped() -> None:
    """2**3 + 1 has no variables: the result is a single constant node labelled f."""
    f = evaluate(parse("2**3 + 1"), {})
    assert (f.data, f.op, f.label) == (9.0, "", "f")


def test_variables_in_order_of_appearance() -> None:
    """Names come out in the order they first appear, without the function names."""
    assert variables(parse("max(b, a) * b + exp(c)")) == ["b", "a", "c"]


@pytest.mark.parametrize(
    "text, message",
    [
        ("x.real", r"attribute access is not allowed"),
        ("x[0]", r"subscripts are not allowed"),
        ("lambda: 1", r"lambdas are not allowed"),
        ("[x for x in y]", r"comprehensions are not allowed"),
        ("'a'", r"strings are not allowed"),
        ("None", r"the constant None is not allowed"),
        ("open('f')", r"calling 'open' is not allowed; the functions are exp, log, tanh, sigmoid, relu, max"),
        ("max(x)", r"max\(\) takes 2 argument\(s\), got 1"),
        ("x @ y", r"the operator MatMult is not allowed"),
        ("x +", r"not a valid expression"),
        ("x" * 1001, r"the expression is 1001 characters long; the limit is 1000"),
    ],
)
def test_refusals_name_what_was_seen(text, message) -> None:
    """Each refusal says what it saw and, where it helps, what is allowed."""
    with pytest.raises(ExpressionError, match=message):
        parse(text)


def test_parse_never_evaluates(monkeypatch) -> None:
    """Parsing a call to a whitelisted name runs no engine code."""
    monkeypatch.setattr(Value, "exp", lambda self: pytest.fail("evaluated during parse"))
    parse("exp(x)")


def test_no_real_power_of_numbers_is_an_arithmetic_error() -> None:
    """(-8) ** (1/3) between plain numbers has no real value."""
    with pytest.raises(ArithmeticError, match=r"has no real value"):
        evaluate(parse("(-8) ** (1/3)"), {})


def test_build_over_given_leaves() -> None:
    """build uses the caller's leaves, as gradcheck needs."""
    a, b = Value(2.0, "a"), Value(3.0, "b")
    assert build(parse("a * b + 1"), {"a": a, "b": b}).parents[0].parents == (a, b)


def test_bindings_parse_numbers_in_any_float_syntax() -> None:
    """x=-2 y=1e3 z=.5 parse as floats."""
    assert parse_bindings(["x=-2", "y=1e3", "z=.5"]) == {"x": -2.0, "y": 1000.0, "z": 0.5}


@pytest.mark.parametrize(
    "text, value",
    [
        ("+".join(["x"] * 400), 400.0),  # left-deep: 399 nested additions
        ("**".join(["x"] * 300), 1.0),  # right-deep: ** groups to the right
        ("-" * 990 + "x", 1.0),  # 990 nested negations
        ("tanh(" * 150 + "x" + ")" * 150, functools.reduce(lambda v, _: math.tanh(v), range(150), 1.0)),
    ],
)
def test_long_chains_build_at_any_depth(text, value) -> None:
    """Chains hundreds of levels deep inside the length limit build without recursion errors."""
    assert evaluate(parse(text), {"x": 1.0}).data == value


def test_labels_of_a_long_chain_are_short_pieces_then_gate_and_count() -> None:
    """A 400-term sum: pieces up to 12 characters label their nodes ("x + x + x"), longer ones
    are named by the gate and a count in the order made ("add3" for the 4-term sum, "add398" last)."""
    root = evaluate(parse("+".join(["x"] * 400)), {"x": 1.0})
    chain = [root.parents[0]]
    while chain[-1].op:
        chain.append(chain[-1].parents[0])
    labels = [n.label for n in reversed(chain)]
    assert labels[:5] == ["x", "x + x", "x + x + x", "add1", "add2"] and labels[-1] == "add396"


def test_no_interior_label_is_longer_than_twelve_characters() -> None:
    """The sigmoid neuron: every interior node's label is at most 12 characters; the root is f."""
    from autograd import topological_order

    f = evaluate(parse("sigmoid(w0*x0 + w1*x1 + b)"), {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "b": -3})
    interior = [n.label for n in topological_order(f) if n.op and n is not f]
    assert interior == ["w0 * x0", "w1 * x1", "add1", "add2"] and f.label == "f"


def test_python_warnings_while_parsing_become_refusals() -> None:
    """'1and x' makes the compiler warn (SyntaxWarning); parse refuses it instead and nothing is printed."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ExpressionError, match=r"^not a valid expression: invalid decimal literal$"):
            parse("1and x")
    assert caught == []


def test_too_deep_nesting_is_refused() -> None:
    """300 nested parentheses: the parser's own limit, refused as an ExpressionError."""
    with pytest.raises(ExpressionError, match=r"too many nested parentheses"):
        parse("(" * 300 + "x" + ")" * 300)
