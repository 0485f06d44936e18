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
