"""Tests for nn.SGD."""

import pytest

import nn
from autograd import Value


def test_sgd_step_moves_against_the_gradient():
    """One step sets p ← p − lr·grad."""
    p = Value(1.0)
    p.grad = 4.0
    nn.SGD([p], lr=0.25).step()
    assert p.data == 0.0


def test_sgd_momentum_accumulates_velocity():
    """With momentum μ the second step with the same gradient is (1 + μ) times the first."""
    p = Value(0.0)
    opt = nn.SGD([p], lr=0.1, momentum=0.5)
    p.grad = 1.0
    opt.step()
    first = p.data
    opt.step()
    assert (first, p.data - first) == (pytest.approx(-0.1), pytest.approx(-0.15))


def test_sgd_zero_grad_clears_gradients():
    """zero_grad sets every parameter's grad to 0."""
    ps = [Value(1.0), Value(2.0)]
    for p in ps:
        p.grad = 3.0
    nn.SGD(ps, lr=0.1).zero_grad()
    assert [p.grad for p in ps] == [0.0, 0.0]


def test_sgd_minimises_a_quadratic():
    """Repeated steps on (w − 3)² bring w to 3."""
    w = Value(0.0)
    opt = nn.SGD([w], lr=0.1, momentum=0.5)
    for _ in range(200):
        opt.zero_grad()
        ((w - 3.0) ** 2).backward()
        opt.step()
    assert w.data == pytest.approx(3.0, abs=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lr": 0.0}, r"lr must be a finite number > 0, got 0.0"),
        ({"lr": 0.1, "momentum": 1.0}, r"momentum must be in \[0, 1\), got 1.0"),
        ({"lr": 0.1, "momentum": -0.1}, r"momentum must be a finite number >= 0"),
    ],
)
def test_sgd_rejects_bad_hyperparameters(kwargs, message):
    """A non-positive lr or a momentum outside [0, 1) raises ValueError naming it."""
    with pytest.raises(ValueError, match=message):
        nn.SGD([Value(1.0)], **kwargs)


def test_sgd_rejects_a_parameter_listed_twice():
    """The same Value twice would be stepped twice: ValueError naming both indices."""
    p = Value(1.0)
    with pytest.raises(ValueError, match=r"same Value twice, at index 0 and 1"):
        nn.SGD([p, p], lr=0.1)


def test_sgd_rejects_non_values():
    """A plain number among the params raises TypeError naming its index."""
    with pytest.raises(TypeError, match=r"params\[1\] must be a Value, got float"):
        nn.SGD([Value(1.0), 2.0], lr=0.1)


def test_sgd_step_that_overflows_raises_and_changes_nothing():
    """SGD([w], lr=1e308).step() raises DivergedError naming w, its grad and lr, and w keeps its value."""
    w = Value(1.0, "w")
    w.grad = -3.0
    with pytest.raises(nn.DivergedError, match=r"SGD.step: params\[0\] \('w'\) would become inf \(data 1.0, grad -3.0, lr 1e\+308\): lr is too large"):
        nn.SGD([w], lr=1e308).step()
    assert w.data == 1.0


def test_sgd_nan_gradient_raises_before_any_parameter_changes():
    """A NaN gradient on the last parameter leaves the earlier ones unchanged too."""
    ps = [Value(1.0), Value(2.0), Value(3.0)]
    for p, g in zip(ps, [1.0, 1.0, float("nan")]):
        p.grad = g
    with pytest.raises(nn.DivergedError, match=r"params\[2\] would become nan \(data 3.0, grad nan, lr 0.1\): its gradient is not finite"):
        nn.SGD(ps, lr=0.1).step()
    assert [p.data for p in ps] == [1.0, 2.0, 3.0]


def test_sgd_momentum_divergence_leaves_parameters_and_velocity_unchanged():
    """With momentum, a velocity that overflows raises and neither parameters nor velocities move."""
    ps = [Value(0.0), Value(0.0)]
    opt = nn.SGD(ps, lr=1e300, momentum=0.9)
    ps[0].grad, ps[1].grad = 1e-300, 1.0
    opt.step()  # v = −lr·g: −1.0 and −1e300, both finite
    before = ([p.data for p in ps], list(opt.velocity))
    ps[1].grad = 1e10  # v ← 0.9·(−1e300) − 1e310 = −inf
    with pytest.raises(nn.DivergedError, match=r"params\[1\] would become -inf .* momentum 0.9, velocity -1e\+300 -> -inf"):
        opt.step()
    assert ([p.data for p in ps], list(opt.velocity)) == before


def test_diverged_error_is_a_value_error_and_an_arithmetic_error():
    """Either except clause catches it, as with GateError."""
    assert issubclass(nn.DivergedError, ValueError) and issubclass(nn.DivergedError, ArithmeticError)
