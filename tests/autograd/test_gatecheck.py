"""check_gate: built-in rows pass; deliberately wrong rows fail, each at a reported input with both numbers."""

from __future__ import annotations

import math

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
