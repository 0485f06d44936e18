"""check_gate: built-in rows pass; deliberately wrong rows fail, each at a reported input with both numbers."""

from __future__ import annotations

import math
import sys

import pytest

from autograd import GATES, Gate, check_gate

W = dict(symbol="s", rule="r")
MAX_FORWARD = GATES["max"].forward


@pytest.mark.parametrize("name", sorted(GATES))
def test_every_builtin_row_passes(name: str) -> None:
    """Each row of GATES passes its own property check."""
    report = check_gate(GATES[name], max_examples=40)
    assert report.ok, str(report)


WRONG = {
    "wrong sign": (Gate(name="log", arity=1, forward=math.log, local_grads=lambda o, x: (-1 / x,), domain="x > 0", **W),
                   "derivative"),
    "missing factor": (Gate(name="sigmoid", arity=1, forward=GATES["sigmoid"].forward,
                            local_grads=lambda o, x: (o,), **W), "derivative"),
    "missing square": (Gate(name="tanh", arity=1, forward=math.tanh, local_grads=lambda o, x: (1 - o,), **W),
                       "derivative"),
    "wrong branch at the tie": (Gate(name="max", arity=2, forward=MAX_FORWARD,
                                     local_grads=GATES["max"].local_grads,
                                     branch=lambda a, b: 0 if a > b else 1, **W), "kink"),
    "wrong local at the tie": (Gate(name="max", arity=2, forward=MAX_FORWARD,
                                    local_grads=lambda o, a, b: (1.0, 0.0) if a > b else (0.0, 1.0),
                                    branch=GATES["max"].branch, **W), "kink"),
    "nan outside the domain": (Gate(name="root", arity=1, forward=lambda x: math.sqrt(x) if x >= 0 else math.nan,
                                    local_grads=lambda o, x: (0.5 / o,), **W), "forward"),
    "no domain in words": (Gate(name="root", arity=1, forward=math.sqrt, local_grads=lambda o, x: (0.5 / o,), **W),
                           "domain"),
    "a bare float": (Gate(name="twice", arity=1, forward=lambda x: 2 * x, local_grads=lambda o, x: 2.0, **W),
                     "local_grads"),
}


@pytest.mark.parametrize("case", sorted(WRONG))
def test_each_wrong_row_is_caught(case: str) -> None:
    """A deliberately wrong row fails, with the kind of problem named."""
    gate, kind = WRONG[case]
    report = check_gate(gate, max_examples=100)
    assert not report.ok and report.problem is not None and report.problem.kind == kind, str(report)


def test_a_wrong_derivative_reports_both_numbers() -> None:
    """The report gives the input, local_grads' number and the centred difference's."""
    cube = Gate(name="cube", arity=1, forward=lambda x: x**3, local_grads=lambda o, x: (3 * x,), **W)
    problem = check_gate(cube).problem
    assert problem is not None
    (x,) = problem.inputs
    assert problem.analytic == pytest.approx(3 * x) and problem.numeric == pytest.approx(3 * x * x, rel=1e-6)
    assert f"∂out/∂x = {problem.analytic!r}" in problem.message


def test_a_wrong_row_shrinks_to_a_small_input() -> None:
    """Hypothesis shrinks the failing input: missing factor of sigmoid fails already at 0."""
    gate, _ = WRONG["missing factor"]
    assert check_gate(gate).problem.inputs == (0.0,)  # type: ignore[union-attr]


def test_the_rows_own_error_is_reported_with_its_line() -> None:
    """A row whose code raises NameError is reported as its error, with this file's line."""
    def forward(x: float) -> float:
        return undefined_name * x  # type: ignore[name-defined]  # noqa: F821

    report = check_gate(Gate(name="oops", arity=1, forward=forward, local_grads=lambda o, x: (1.0,), **W), max_examples=5)
    assert report.problem is not None and report.problem.kind == "error"
    assert "forward raised NameError: name 'undefined_name' is not defined" in report.problem.message
    assert "test_gatecheck.py" in report.problem.message and "return undefined_name * x" in report.problem.message


def test_bad_bounds_are_refused() -> None:
    """bounds must be two finite numbers, low < high."""
    with pytest.raises(ValueError, match=r"bounds must be two finite numbers, low < high, got \(1.0, 0.0\)"):
        check_gate(GATES["exp"], bounds=(1.0, 0.0))


def test_not_a_row_is_refused() -> None:
    """check_gate needs a Gate."""
    with pytest.raises(TypeError, match="check_gate needs an autograd.Gate row, got str"):
        check_gate("exp")  # type: ignore[arg-type]


def _never(x: float) -> float:
    raise ValueError("never")


def _integers_only(x: float) -> float:
    if x != int(x):
        raise ValueError("not an integer")
    return x


class _Boom(BaseException):
    """A BaseException a learner's row may raise."""


def _boom(x: float) -> float:
    raise _Boom("b")


def test_local_grads_that_raise_everywhere_fail_even_with_a_domain() -> None:
    """local_grads = (1/0,) where no difference can judge it (forward defined at integers only): failed."""
    row = Gate(name="z", arity=1, forward=_integers_only, local_grads=lambda o, x: (1 / 0,),
               domain="x an integer", **W)
    report = check_gate(row, max_examples=20)
    assert not report.ok and report.problem is not None and report.problem.kind == "local_grads", str(report)
    assert report.problem.message.startswith("local_grads raised at every input tried (ZeroDivisionError: division by zero)")


def test_local_grads_that_raise_without_a_domain_fail() -> None:
    """local_grads = (1/0,) with no domain: failed at the first input, naming local_grads."""
    row = Gate(name="z", arity=1, forward=lambda x: x, local_grads=lambda o, x: (1 / 0,), **W)
    problem = check_gate(row, max_examples=20).problem
    assert problem is not None and problem.kind == "local_grads"
    assert problem.message == ("local_grads raised ZeroDivisionError (division by zero) at x = 0.0, where forward gave "
                               "0.0 and the centred difference gives 1.0: it must return a finite derivative there")


def test_a_forward_that_always_raises_inside_its_domain_fails() -> None:
    """A forward raising ValueError everywhere, with a domain set: failed, not passed."""
    row = Gate(name="n", arity=1, forward=_never, local_grads=lambda o, x: (1.0,), domain="x > 0", **W)
    problem = check_gate(row, max_examples=20).problem
    assert problem is not None and problem.kind == "forward"
    assert problem.message.startswith("forward raised at every input tried (ValueError: never)")


def test_the_wrong_number_of_derivatives_fails() -> None:
    """Two derivatives for one input: a local_grads problem."""
    row = Gate(name="two", arity=1, forward=lambda x: x, local_grads=lambda o, x: (1.0, 2.0), **W)
    problem = check_gate(row, max_examples=5).problem
    assert problem is not None and problem.kind == "local_grads"
    assert "it must return a tuple of 1 number(s), one per input" in problem.message


@pytest.mark.parametrize("forward, what", [(_boom, "forward raised _Boom: b"),
                                           (lambda x: sys.exit("bye"), "forward raised SystemExit: bye")],
                         ids=["BaseException", "sys.exit"])
def test_a_base_exception_in_the_row_is_its_error(forward: object, what: str) -> None:
    """A BaseException or sys.exit in forward is reported as the row's error, not raised."""
    row = Gate(name="b", arity=1, forward=forward, local_grads=lambda o, x: (1.0,), **W)  # type: ignore[arg-type]
    problem = check_gate(row, max_examples=5).problem
    assert problem is not None and problem.kind == "error" and what in problem.message
