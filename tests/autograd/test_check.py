"""Gradient checks: they pass on the engine, fail on a wrong rule, and report kinks."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings

from autograd import GATES, GradcheckError, Value, gradcheck, numeric_grad, relative_error
from autograd.testing import graphs


def test_relative_error_is_cs231n_formula() -> None:
    """|a − n| / max(|a|, |n|), and 0 when both are 0."""
    assert relative_error(1.0, 1.5) == pytest.approx(1 / 3)
    assert relative_error(0.0, 0.0) == 0.0
    assert relative_error(-2.0, 2.0) == 2.0


def test_numeric_grad_is_a_centered_difference() -> None:
    """For x³ at 2 the centered difference is 12 + eps² (exactly, in exact arithmetic)."""
    assert numeric_grad(lambda x: x**3, [2.0], 0, eps=1e-3) == pytest.approx(12.0 + 1e-6, rel=1e-9)


def test_gradcheck_passes_on_a_smooth_function() -> None:
    """A smooth function of three inputs passes with a tiny relative error."""
    report = gradcheck(lambda a, b, c: (a * b + c.exp()).log() * b.sigmoid(), [0.3, -1.2, 0.8])
    assert report.ok and report.max_rel_error < 1e-7 and report.kinks == ()


def test_gradcheck_reports_analytic_and_numeric_per_input() -> None:
    """Each input's record holds both derivatives: for a·b they are b and a."""
    report = gradcheck(lambda a, b: a * b, [3.0, 4.0])
    first, second = report.inputs
    assert (first.index, first.value, first.analytic) == (0, 3.0, 4.0)
    assert first.numeric == pytest.approx(4.0) and second.analytic == 3.0


def test_gradcheck_fails_on_a_wrong_derivative(wrong_mul: None) -> None:
    """With a mul rule that forgets to swap, the check fails and says so."""
    report = gradcheck(lambda a, b: a * b, [3.0, 4.0])
    assert not report.ok and report.max_rel_error > 0.2
    assert "MISMATCH" in str(report)


def test_gradcheck_raises_on_request_naming_the_input(wrong_mul: None) -> None:
    """raise_on_failure=True raises GradcheckError naming the input and both numbers."""
    with pytest.raises(GradcheckError, match=r"mismatch for input 0: analytic 3.0, numeric 4.0"):
        gradcheck(lambda a, b: a * b, [3.0, 4.0], raise_on_failure=True)


def test_gradcheck_reports_relu_kink_instead_of_failing() -> None:
    """relu at 0: numeric 0.5 vs analytic 0 is a kink, reported, and the check still passes."""
    report = gradcheck(lambda x: x.relu() * 3, [0.0])
    assert report.kinks == (0,) and report.ok
    assert report.inputs[0].kink and report.inputs[0].numeric == pytest.approx(1.5)


def test_gradcheck_reports_max_crossing_within_eps() -> None:
    """max(a, b) with a − b smaller than eps crosses the tie: a kink for both inputs."""
    report = gradcheck(lambda a, b: a.max(b), [1.0, 1.0 + 1e-7])
    assert report.kinks == (0, 1)


def test_gradcheck_judges_inputs_away_from_the_kink() -> None:
    """A kink in one input does not hide a wrong gradient in another."""
    report = gradcheck(lambda a, b: a.relu() + b * b, [0.0, 2.0])
    assert report.kinks == (0,) and report.inputs[1].ok


@pytest.mark.parametrize(
    "inputs, match",
    [
        ([1.0, math.nan], r"inputs\[1\] needs a finite number, got nan"),
        ([1.0, "2"], r"inputs\[1\] needs a real number \(int or float\), got str"),
        ([], "inputs is empty"),
        (3.0, "inputs must be a list of numbers, got float"),
    ],
)
def test_gradcheck_validates_inputs_by_index(inputs: object, match: str) -> None:
    """A bad input is named by its index before anything runs."""
    with pytest.raises((TypeError, ValueError), match=match):
        gradcheck(lambda *xs: xs[0], inputs)  # type: ignore[arg-type]


def test_gradcheck_refuses_a_function_that_returns_no_value() -> None:
    """fn must return a Value."""
    with pytest.raises(TypeError, match="fn must return a Value, got float"):
        gradcheck(lambda x: 1.0, [1.0])  # type: ignore[arg-type, return-value]


@pytest.mark.parametrize("eps", [0.0, -1e-5, 2.0])
def test_gradcheck_refuses_bad_eps(eps: float) -> None:
    """eps must lie in (0, 1)."""
    with pytest.raises(ValueError, match="eps must be in"):
        gradcheck(lambda x: x, [1.0], eps=eps)


@settings(max_examples=150, deadline=None)
@given(graphs())
def test_random_graphs_pass_gradcheck(g) -> None:  # type: ignore[no-untyped-def]
    """Random expression graphs over every gate, with shared nodes, pass the gradient check."""
    report = gradcheck(g, list(g.inputs))
    assert report.ok, str(report)


def test_random_graphs_avoid_curvature_that_centered_differences_cannot_resolve() -> None:
    """log(3·x) at x = 0.001 has tame gates but a centered difference off by 3e-5 (relative):
    gradcheck rightly flags it at rtol 1e-5, and the graphs strategy does not draw such inputs."""
    from autograd.testing import RandomGraph, _centered_difference_is_precise

    g = RandomGraph(inputs=(3.0, 0.001), program=(("mul", (0, 1), None), ("log", (2,), None)))
    report = gradcheck(g, list(g.inputs))
    assert not report.ok and report.max_rel_error == pytest.approx(3.3e-5, rel=0.05)
    assert _centered_difference_is_precise(g, 0) and not _centered_difference_is_precise(g, 1)


def test_report_prints_a_table() -> None:
    """str(report) has a verdict line and one line per input."""
    text = str(gradcheck(lambda a, b: a + b, [1.0, 2.0]))
    assert text.startswith("gradcheck passed") and text.count("\n") == 2


@settings(max_examples=60, deadline=None)
@given(graphs())
def test_random_graphs_reach_every_input_and_gate(g) -> None:  # type: ignore[no-untyped-def]
    """Every input and every drawn gate of a random graph lies on a path to the root."""
    from autograd import topological_order

    root, leaves = g.build()
    order = topological_order(root)
    assert all(leaf in order for leaf in leaves)
    assert sum(1 for n in order if n.op) == len(g.program)  # one gate node per instruction, none lost


def test_max_rel_error_ignores_derivatives_that_are_both_zero() -> None:
    """An input whose derivatives are both within atol of 0 passes and leaves max_rel_error alone."""
    # a·1e-9 taken out of the graph: analytic 0, numeric 1e-9, relative error 1 but below atol
    report = gradcheck(lambda a: a * 0.0 + Value(a.data * 1e-9), [1.0])
    assert report.inputs[0].rel_error == pytest.approx(1.0) and report.ok and report.max_rel_error == 0.0
