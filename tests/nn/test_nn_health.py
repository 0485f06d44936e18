"""nn.health: per neuron, the share of a batch on which it is dead (relu outputs 0) or saturated (σ/tanh)."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from nn import HealthReport, NeuronHealth


def test_dead_share_is_the_share_of_points_with_a_non_positive_pre_activation() -> None:
    """For each first-layer relu neuron, the dead share equals mean(w·x + b ≤ 0) computed with numpy."""
    model = nn.MLP(2, [6, 1], seed=3)
    X = np.random.default_rng(0).normal(size=(40, 2))
    report = nn.health(model, X)
    layer = model.layers[0]
    pre = X @ layer.weight_matrix().T + layer.bias_vector()
    for j in range(6):
        assert report[f"L1.N{j}"].dead == pytest.approx(np.mean(pre[:, j] <= 0.0))
    assert report.points == 40


def test_a_neuron_pushed_below_zero_is_dead_everywhere_and_listed() -> None:
    """A bias of −100 kills L1.N1 on every point: dead share 1, and report.dead() names it."""
    model = nn.MLP(2, [3, 1], seed=0)
    model.layers[0].neurons[1].b.data = -100.0
    report = nn.health(model, [[0.1, 0.2], [-1.0, 3.0], [2.0, -2.0]])
    assert report["L1.N1"] == NeuronHealth(1.0, 0.0) and "L1.N1" in report.dead()


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_a_large_bias_saturates_sigmoid_and_tanh(activation) -> None:
    """b = 20 puts σ and tanh on their flat part: saturated share 1, dead share 0."""
    model = nn.MLP(2, [2, 1], activation=activation, seed=0)
    model.layers[0].neurons[0].b.data = 20.0
    report = nn.health(model, [[0.5, -0.5], [0.0, 1.0]])
    assert report["L1.N0"] == NeuronHealth(0.0, 1.0)
    assert report["L1.N1"].saturated == 0.0  # bias 0, inputs near 0: σ' ≈ 1/4, tanh' ≈ 1


def test_linear_neurons_are_never_dead_nor_saturated() -> None:
    """The output layer of an MLP is linear: 0 and 0, whatever the data."""
    model = nn.MLP(2, [2, 1], seed=0)
    model.layers[1].neurons[0].b.data = -1e3
    assert nn.health(model, [[1.0, 1.0]])["L2.N0"] == NeuronHealth(0.0, 0.0)


def test_every_neuron_is_reported_in_model_order_with_its_activation() -> None:
    """2 → 4 → 3 → 1 gives 8 ids L1.N0 … L3.N0 and each neuron's activation."""
    report = nn.health(nn.MLP(2, [4, 3, 1]), [[0.0, 1.0]])
    assert list(report) == [*(f"L1.N{j}" for j in range(4)), *(f"L2.N{j}" for j in range(3)), "L3.N0"]
    assert report.activations["L1.N0"] == "relu" and report.activations["L3.N0"] == "linear"


def test_layers_and_single_neurons_are_accepted() -> None:
    """A Linear layer and a lone relu Neuron give their own neurons."""
    assert list(nn.health(nn.Linear(3, 2), [[1.0, 2.0, 3.0]])) == ["L1.N0", "L1.N1"]
    neuron = nn.Neuron(1, seed=0)
    neuron.w[0].data = 1.0
    assert nn.health(neuron, [[-1.0], [1.0]])["L1.N0"].dead == 0.5


def test_str_is_a_table_one_row_per_neuron() -> None:
    """str(report) has a header and one row per neuron with its percentages."""
    model = nn.MLP(2, [2, 1], seed=0)
    model.layers[0].neurons[0].b.data = -100.0
    lines = str(nn.health(model, [[1.0, 1.0]])).splitlines()
    assert lines[0].split() == ["neuron", "activation", "dead", "saturated"]
    assert lines[1].split() == ["L1.N0", "relu", "100%", "0%"] and len(lines) == 4


def test_gradients_and_parameters_are_left_alone() -> None:
    """health runs forward only: parameters' data and grads are unchanged."""
    model = nn.MLP(2, [3, 1], seed=0)
    for p in model.parameters():
        p.grad = 0.5
    before = [(p.data, p.grad) for p in model.parameters()]
    nn.health(model, [[1.0, 2.0], [3.0, -1.0]])
    assert [(p.data, p.grad) for p in model.parameters()] == before


def test_report_is_a_mapping_of_pairs() -> None:
    """A HealthReport is a Mapping id → (dead, saturated) pair: plain data to a diagram."""
    report = nn.health(nn.MLP(2, [2, 1]), [[0.0, 1.0]])
    assert isinstance(report, HealthReport) and len(report) == 3
    dead, saturated = report["L1.N0"]
    assert 0.0 <= dead <= 1.0 and 0.0 <= saturated <= 1.0


@pytest.mark.parametrize("X, match", [
    ([[1.0, 2.0, 3.0]], r"X has 3 features per sample, but the model expects 2 inputs"),
    ([1.0, 2.0], r"X must be 2-D \(samples × features\), got shape \(2,\)"),
    (np.empty((0, 2)), r"X is empty"),
    ([[1.0, float("nan")]], r"X contains NaN or infinity: X\[0, 1\]"),
])
def test_bad_X_is_refused_naming_X(X, match) -> None:
    """X of the wrong width, shape, size or with a NaN raises ValueError naming X."""
    with pytest.raises(ValueError, match=match):
        nn.health(nn.MLP(2, [2, 1]), X)


def test_other_models_are_refused() -> None:
    """A model that is not an MLP, Layer or Neuron is a TypeError naming what is accepted."""
    with pytest.raises(TypeError, match=r"health needs an nn.MLP, nn.Layer, nn.Linear or nn.Neuron, got list"):
        nn.health([1, 2], [[1.0]])


@pytest.mark.parametrize("share", [1.5, -0.1])
def test_dead_share_outside_zero_one_is_refused(share) -> None:
    """report.dead(share) needs a share in [0, 1] and names share."""
    report = nn.health(nn.MLP(2, [2, 1]), [[0.0, 1.0]])
    with pytest.raises(ValueError, match="share must be"):
        report.dead(share)
