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
    """For x³ at 2 the centered difference is 12 + h² (exactly, in exact arithmetic), h = eps·|x| = 2e-3."""
    assert numeric_grad(lambda x: x**3, [2.0], 0, eps=1e-3) == pytest.approx(12.0 + 4e-6, rel=1e-9)


def test_numeric_grad_keeps_the_plain_step_up_to_one() -> None:
    """For |x| <= 1 the step is eps itself: relu at 3e-6 with eps = 1e-5 averages the slopes, (1.3e-5 − 0)/2e-5."""
    assert numeric_grad(lambda v: v.relu(), [3e-6], 0) == pytest.approx(0.65)


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


def test_curvature_a_plain_centered_difference_cannot_resolve_passes() -> None:
    """log(3·x) at x = 0.001: a centered difference at h = 1e-5 is off by h²/(3x²) = 3.3e-5 relative,
    which failed rtol 1e-5 before; the extrapolation leaves an error far below rtol, and passes."""
    from autograd.testing import RandomGraph

    g = RandomGraph(inputs=(3.0, 0.001), program=(("mul", (0, 1), None), ("log", (2,), None)))
    report = gradcheck(g, list(g.inputs))
    plain = (math.log(3 * (0.001 + 1e-5)) - math.log(3 * (0.001 - 1e-5))) / 2e-5
    assert relative_error(1000.0, plain) > 3e-5
    assert report.ok and report.max_rel_error < 1e-9


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


@pytest.mark.parametrize(
    "fn, x, analytic",
    [
        (lambda x: x + 1e21, 1.0, 1.0),
        (lambda x: x * 1.0, 1e300, 1.0),
        (lambda x: x * x, 1e150, 2e150),
        (lambda x: (x * 1e-10).exp(), 1e11, 1e-10 * math.exp(10.0)),
        (lambda x: x.log(), 1e-300, 1e300),
        (lambda x: x**-2, -3.7e-91, 2 / 3.7e-91**3),
        (lambda x: (x * x).tanh(), 1e-200, 2e-200),
    ],
)
def test_correct_gradients_pass_at_every_magnitude(fn, x: float, analytic: float) -> None:  # type: ignore[no-untyped-def]
    """The issue's examples, which an absolute step reported as MISMATCH (or raised on), pass."""
    report = gradcheck(fn, [x])
    (check,) = report.inputs
    assert report.ok and check.judged and check.analytic == pytest.approx(analytic, rel=1e-12)


def test_step_scales_with_the_input() -> None:
    """h = eps·max(1, |x|): 1e-5 at x = 0.5, 1e145 at x = 1e150 (for |x| ≥ 1 the first step is kept)."""
    assert gradcheck(lambda x: x * x, [0.5]).inputs[0].step == pytest.approx(1e-5)
    assert gradcheck(lambda x: x * x, [1e150]).inputs[0].step == pytest.approx(1e145)


def test_step_shrinks_into_the_domain_and_says_so() -> None:
    """log at 1e-300: x − 1e-5 < 0 would raise, so the step shrinks to |x|/100 = 1e-302, refined
    to 1e-304, reported."""
    check = gradcheck(lambda x: x.log(), [1e-300]).inputs[0]
    assert check.ok and check.shrunk and check.step == pytest.approx(1e-304)
    assert check.numeric == pytest.approx(1e300, rel=1e-8) and "step shrunk to 1.0e-304" in str(check)


def test_step_shrinks_tenfold_at_a_domain_edge_away_from_zero() -> None:
    """log(x − 1) at 1 + 1e-10: steps from 1e-5 shrink tenfold until x − h > 1, and the check passes."""
    check = gradcheck(lambda x: (x - 1).log(), [1 + 1e-10]).inputs[0]
    assert check.ok and check.shrunk and check.step < 1e-10 and check.rel_error < 1e-6


def test_no_step_inside_the_domain_is_reported_not_judged() -> None:
    """log(x − 1) at the float after 1: no step above the float spacing keeps x − h > 1: an edge."""
    report = gradcheck(lambda x: (x - 1).log(), [1.0000000000000002])
    assert report.edges == (0,) and report.ok and not report.inputs[0].judged
    assert "domain edge" in str(report)


def test_rounding_of_the_function_value_widens_the_tolerance() -> None:
    """x + 1e21 at 1: f(x ± h) round to the same float, so the numeric derivative is 0 ± |f|·ε/h:
    passed as unresolved, its error estimate shown, and left out of max_rel_error."""
    report = gradcheck(lambda x: x + 1e21, [1.0])
    (check,) = report.inputs
    assert check.numeric == 0.0 and check.error > 1e21 * 2.2e-16 / 1e-5 and not check.resolved
    assert report.ok and report.max_rel_error == 0.0 and "only good to" in str(check)


def test_relative_and_absolute_tolerance_both_apply() -> None:
    """A gradient off by 2e-5 relative fails rtol 1e-5, and passes rtol 1e-4 or an atol that covers it."""
    bad = lambda x: x * x + Value(x.data * 2e-5 * x.data)  # noqa: E731 - the added part is not differentiated
    assert not gradcheck(bad, [3.0], atol=0.0).ok
    assert gradcheck(bad, [3.0], rtol=1e-4, atol=0.0).ok and gradcheck(bad, [3.0], atol=1e-3).ok


@pytest.mark.parametrize("x", [1e-150, -1e-3, 3.0, 1e150])
def test_a_rule_wrong_by_1e_4_is_caught_at_every_magnitude(wrong_mul_by_1e_4: None, x: float) -> None:
    """With mul's derivatives 1.0001 times too large, x·x fails the check at every scale."""
    report = gradcheck(lambda v: v * v, [x], atol=0.0)
    assert not report.ok and report.inputs[0].rel_error == pytest.approx(1e-4, rel=0.05)


@pytest.fixture
def wrong_mul_by_1e_4(monkeypatch: pytest.MonkeyPatch) -> None:
    """mul's local derivatives times 1 + 1e-4, for nodes made from now on (as tests/conftest.py's wrong_mul)."""
    import dataclasses

    import autograd.value

    bad = dataclasses.replace(GATES["mul"], local_grads=lambda out, a, b: (b * (1 + 1e-4), a * (1 + 1e-4)))
    table = {**GATES, "mul": bad}
    monkeypatch.setattr(autograd.value, "GATES", table)
    monkeypatch.setattr(autograd.value, "_made", tuple(autograd.value._Info(op=name) for name in table))


def test_numeric_grad_names_a_bad_index() -> None:
    """numeric_grad's index must point at an input."""
    with pytest.raises(ValueError, match=r"index must be an input's position, 0 to 1, got 2"):
        numeric_grad(lambda a, b: a * b, [1.0, 2.0], 2)


def test_gradcheck_refuses_an_eps_below_the_float_spacing_naming_it() -> None:
    with pytest.raises(ValueError, match=r"gradcheck: eps = 1e-300 is below the float spacing"):
        gradcheck(lambda x: x * x, [1.0], eps=1e-300)
