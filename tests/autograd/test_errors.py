"""autograd.errors: one home for GateError and its messages; domain vs overflow vs nan; labels a diagram can show."""

from __future__ import annotations

import math
import re
from typing import Callable
import subprocess
import sys

import pytest

import autograd
from autograd import GateError, Value, origin
from autograd.errors import check_text


def test_gate_error_lives_in_errors_and_is_reexported() -> None:
    """`from autograd import GateError` and `autograd.value.GateError` are the class defined in autograd.errors."""
    import autograd.errors
    import autograd.graph
    import autograd.value

    assert autograd.GateError is autograd.errors.GateError is autograd.value.GateError
    assert autograd.GateError.__module__ == "autograd.errors"
    assert not hasattr(autograd.graph, "_labels") or autograd.graph._labels is autograd.errors._labels


def test_errors_module_imports_neither_value_nor_graph() -> None:
    """Importing autograd.errors alone loads gates but not value or graph: the messages sit below both."""
    # autograd/__init__ imports everything, so load the submodule without running the package's __init__
    code = (
        "import importlib.util, sys, pathlib, types; root = pathlib.Path(sys.argv[1]);"
        "pkg = types.ModuleType('autograd'); pkg.__path__ = [str(root / 'autograd')]; sys.modules['autograd'] = pkg;"
        "import autograd.errors; print('autograd.value' in sys.modules, 'autograd.graph' in sys.modules)"
    )
    root = str(__import__("pathlib").Path(autograd.__file__).resolve().parents[1])
    out = subprocess.run([sys.executable, "-c", code, root], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"


def test_graph_imports_no_private_helper_from_value() -> None:
    """graph.py takes its messages from errors.py; from value it needs only public names (Value, gate_of)."""
    import ast
    import inspect

    import autograd.graph

    tree = ast.parse(inspect.getsource(autograd.graph))
    from_value = [a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module == "value" for a in n.names]
    assert "Value" in from_value and not [name for name in from_value if name.startswith("_")]


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: Value(2.0, "x") ** 1024, r"^pow\(\) overflows a float, got 2.0 with exponent 1024.0 \(node 'x'\)$"),
        (lambda: Value(1.0) / Value(5e-324, "b"), r"^pow\(\) overflows a float, got 5e-324 with exponent -1.0 \(node 'b'\)$"),
        (lambda: Value(1e-300, "x") ** -2, r"^pow\(\) overflows a float, got 1e-300 with exponent -2.0"),
        (lambda: Value(0.0, "x") ** -1, r"^pow\(\) needs x > 0 for a fractional exponent and x != 0 for a negative one, got 0.0"),
        (lambda: Value(-8.0, "x") ** 0.5, r"^pow\(\) needs x > 0 .*got -8.0 with exponent 0.5 \(node 'x'\)$"),
        (lambda: Value(0.0, "x").log(), r"^log\(\) needs x > 0, got 0.0 \(node 'x'\)$"),
        (lambda: Value(710.0, "x").exp(), r"^exp\(\) overflows a float, got 710.0 \(node 'x'\)$"),
        (lambda: Value(1e308, "a") + Value(1e308, "b"), r"^add\(\) overflows a float, got 1e\+308, 1e\+308 \(nodes 'a', 'b'\)$"),
    ],
)
def test_overflow_and_domain_are_told_apart(make, message: str) -> None:  # type: ignore[no-untyped-def]
    """Inputs outside a gate's domain say what it needs; a result too large for a float says 'overflows'."""
    with pytest.raises(GateError, match=message):
        make()


@pytest.mark.parametrize(
    "bad, use",
    [
        *((math.nan, use) for use in (lambda x: x * 2.0, lambda x: x + 1.0, lambda x: x.exp(), lambda x: x.tanh(), lambda x: x**2)),
        *((bad, use) for bad in (math.inf, -math.inf) for use in (lambda x: x * 2.0, lambda x: x + 1.0, lambda x: x**3)),
    ],
)
def test_data_set_to_nan_after_creation_is_named_as_such(bad: float, use) -> None:  # type: ignore[no-untyped-def]
    """x.data = nan (or ±inf) after x was made: a gate that meets it names the value, not an overflow."""
    x = Value(1.0, "x")
    x.data = bad
    with pytest.raises(GateError, match=rf"got {bad!r} as an input, not a finite number \(was \.data set to it.*\(node 'x'\)$"):
        use(x)


def test_data_set_to_nan_before_backward_is_named() -> None:
    """A graph whose leaf data became nan after the forward pass: backward names that node and its data."""
    x = Value(2.0, "x")
    y = x * 3.0
    x.data = math.nan
    with pytest.raises(GateError, match=r"^node 'x' holds nan as its data, not a finite number"):
        y.backward()


def test_local_derivative_overflow_is_called_overflow() -> None:
    """d/dx x⁻¹ = −x⁻² at x = 1e-200 is too large for a float: backward says the local derivative overflows."""
    x = Value(1e-200, "x")
    with pytest.raises(GateError, match=r"^pow\(\) local derivative overflows a float at 1e-200 with exponent -1.0 .*\(node 'x'\)$"):
        (x**-1).backward()


@pytest.mark.parametrize(
    "text, code, kind",
    [
        ("a\ud800", "U+D800", "a lone surrogate"),
        ("\udfff", "U+DFFF", "a lone surrogate"),
        ("x\ufffe", "U+FFFE", "a noncharacter"),
        ("x\uffff", "U+FFFF", "a noncharacter"),
        ("\ufdd0", "U+FDD0", "a noncharacter"),
        ("\ufdef", "U+FDEF", "a noncharacter"),
        ("\U0001fffe", "U+1FFFE", "a noncharacter"),
        ("ok\U0010ffff", "U+10FFFF", "a noncharacter"),
    ],
)
def test_labels_with_surrogates_or_noncharacters_are_refused(text: str, code: str, kind: str) -> None:
    """Value(…, label), the label setter and origin() refuse a code point no diagram can show, naming it."""
    message = rf"must be text a diagram can show: {re.escape(code)} at position \d+ is {kind}"
    with pytest.raises(ValueError, match="Value label " + message):
        Value(1.0, text)
    v = Value(1.0, "fine")
    with pytest.raises(ValueError, match="Value label " + message):
        v.label = text
    assert v.label == "fine"
    with pytest.raises(ValueError, match="origin name " + message):
        with origin(text):
            pass


@pytest.mark.parametrize("text", ["x₁", "∂L/∂w", "损失", "é\u0301", "\ufdcf\ufdf0\ufffd", "\U0001f600", "\U0001fffd"])
def test_ordinary_unicode_labels_are_kept(text: str) -> None:
    """Characters next to the refused ranges (U+FDCF, U+FDF0, U+FFFD, U+1FFFD) and CJK, emoji, accents pass."""
    assert Value(1.0, text).label == text and check_text(text, "label") == text


_NON_FINITE = (math.nan, math.inf, -math.inf)


def _calls(name: str) -> list[Callable[[Value], Value]]:
    """Every way to call row ``name`` with the Value x as one input: through its operator (or
    method) and through apply, x in each input position, pow with exponents 0, -1 and 2."""
    gate = autograd.GATES[name]
    run = autograd.OPERATORS[gate.operator] if gate.operator else lambda v, *rest: getattr(v, name)(*rest)
    one = Value(1.0)
    if gate.arity == 2:
        return [lambda x: run(x, one), lambda x: run(one, x),
                lambda x: autograd.apply(gate, x, one), lambda x: autograd.apply(gate, one, x)]
    if gate.takes_constant:
        return [f for c in (0.0, -1.0, 2.0) for f in (lambda x, c=c: run(x, c), lambda x, c=c: autograd.apply(gate, x, c=c))]
    return [run, lambda x: autograd.apply(gate, x)]


@pytest.mark.parametrize("name", sorted(autograd.GATES))
@pytest.mark.parametrize("bad", _NON_FINITE, ids=repr)
def test_every_gate_names_a_non_finite_input_in_every_position(name: str, bad: float) -> None:
    """Every row, through its operator or method and through apply, in every input position and with
    every constant: an input whose data was set to nan or ±inf is a GateError naming it, also where
    the row would map it to a finite number (exp(-inf) = 0, tanh(inf) = 1, max(nan, 1) = 1, inf ** 0 = 1)."""
    for call in _calls(name):
        x = Value(1.0, "x")
        x.data = bad
        with pytest.raises(GateError, match=rf"^{name}\(\) got {bad!r} as an input, not a finite number \(was \.data set"):
            call(x)
