"""Tests for nn.Neuron, nn.Layer, nn.MLP and nn.Linear."""

import numpy as np
import pytest

import nn
from autograd import Value, topological_order


def test_course_network_has_41_parameters():
    """The course's 3 → 4 → 4 → 1 network has (3+1)·4 + (4+1)·4 + (4+1)·1 = 41 parameters."""
    assert len(nn.MLP(3, [4, 4, 1]).parameters()) == 41


def test_micrograd_demo_network_has_337_parameters():
    """micrograd's MLP(2, [16, 16, 1]) has 48 + 272 + 17 = 337 parameters."""
    assert len(nn.MLP(2, [16, 16, 1]).parameters()) == 337


def test_mlp_repr_shows_shapes_activation_and_size():
    """The repr lists every layer width, the hidden activation and the parameter count."""
    assert repr(nn.MLP(3, [4, 4, 1], activation="tanh")) == "MLP(3 → 4 → 4 → 1, tanh, 41 parameters)"


def test_layer_and_neuron_reprs_show_shapes():
    """Layer and Neuron reprs show nin → nout, the activation and the parameter count."""
    assert repr(nn.Layer(3, 4, activation="sigmoid")) == "Layer(3 → 4, sigmoid, 16 parameters)"
    assert repr(nn.Neuron(5)) == "Neuron(5 → 1, relu, 6 parameters)"


def test_linear_repr_for_the_image_classifier():
    """Linear(3072, 10) is the course's image classifier with 10·3072 + 10 parameters."""
    assert repr(nn.Linear(3072, 10)) == "Linear(3072 → 10, 30730 parameters)"


def test_same_seed_gives_same_weights():
    """Initialisation is reproducible: the same seed gives the same parameter values."""
    a = [p.data for p in nn.MLP(3, [4, 4, 1], seed=7).parameters()]
    b = [p.data for p in nn.MLP(3, [4, 4, 1], seed=7).parameters()]
    assert a == b


def test_different_seeds_give_different_weights():
    """A different seed gives a different network."""
    a = [p.data for p in nn.MLP(3, [4, 4, 1], seed=0).parameters()]
    b = [p.data for p in nn.MLP(3, [4, 4, 1], seed=1).parameters()]
    assert a != b


def test_relu_layers_get_he_scaled_weights():
    """Weights of a relu layer lie in ±√(6/nin) and spread over it (He-uniform), biases start at 0."""
    layer = nn.Layer(600, 5, seed=3)
    w = layer.weight_matrix()
    bound = np.sqrt(6 / 600)
    assert np.all(np.abs(w) <= bound) and np.abs(w).max() > 0.9 * bound
    assert np.all(layer.bias_vector() == 0.0)


def test_single_output_mlp_returns_a_value():
    """An MLP whose last layer has one neuron returns that Value itself, not a list."""
    out = nn.MLP(2, [3, 1])([0.5, -1.0])
    assert isinstance(out, Value)


def test_multi_output_mlp_returns_a_list_of_values():
    """An MLP with several outputs returns a list with one Value per output."""
    out = nn.MLP(2, [3, 4])([0.5, -1.0])
    assert isinstance(out, list) and len(out) == 4 and all(isinstance(v, Value) for v in out)


def test_linear_returns_a_list_even_for_one_output():
    """Linear is a score function: it always returns a list of nout scores."""
    out = nn.Linear(3, 1)([1.0, 2.0, 3.0])
    assert isinstance(out, list) and len(out) == 1


def test_linear_computes_wx_plus_b():
    """Linear's scores equal W @ x + b computed with numpy from weight_matrix and bias_vector."""
    f = nn.Linear(4, 3, seed=2)
    for n, b in zip(f.neurons, [0.5, -1.0, 2.0]):
        n.b.data = b
    x = np.array([0.2, -0.4, 1.5, 3.0])
    scores = [s.data for s in f(x)]
    np.testing.assert_allclose(scores, f.weight_matrix() @ x + f.bias_vector(), rtol=1e-12)


def test_neuron_applies_its_activation():
    """A tanh neuron's output is tanh of its weighted sum."""
    n = nn.Neuron(2, activation="tanh")
    n.w[0].data, n.w[1].data, n.b.data = 1.0, 2.0, -0.5
    assert n([0.3, 0.4]).data == pytest.approx(np.tanh(1.0 * 0.3 + 2.0 * 0.4 - 0.5))


def test_relu_neuron_clips_negative_sums_to_zero():
    """A relu neuron outputs max(0, b + w·x): 0 for a negative weighted sum."""
    n = nn.Neuron(1)
    n.w[0].data = 2.0
    assert (n([-3.0]).data, n([3.0]).data) == (0.0, 6.0)


def test_nodes_made_inside_a_neuron_carry_its_origin():
    """Every gate a neuron creates is stamped with "L{layer}.N{neuron}" so viz can group by it."""
    model = nn.MLP(2, [3, 1])
    out = model([1.0, -2.0])
    origins = {n.origin for n in topological_order(out) if n.op}
    assert origins == {"L1.N0", "L1.N1", "L1.N2", "L2.N0"}


def test_parameters_carry_their_neurons_origin():
    """Each weight and bias is stamped with the origin of the neuron it belongs to."""
    model = nn.MLP(2, [3, 1])
    assert [p.origin for p in model.layers[0].neurons[2].parameters()] == ["L1.N2"] * 3
    assert model.layers[1].neurons[0].b.origin == "L2.N0"


def test_inputs_carry_no_origin():
    """Inputs are made before any neuron runs, so their origin stays None."""
    out = nn.MLP(2, [3, 1])([1.0, -2.0])
    inputs = [n for n in topological_order(out) if n.label in ("x0", "x1")]
    assert len(inputs) == 2 and all(n.origin is None for n in inputs)


def test_parameters_and_inputs_are_labelled_for_diagrams():
    """Weights are labelled w{layer}.{neuron}.{input}, biases b{layer}.{neuron}, inputs x{i}."""
    model = nn.MLP(2, [3, 1])
    labels = [p.label for p in model.parameters()]
    assert labels[:3] == ["w1.0.0", "w1.0.1", "b1.0"] and labels[-1] == "b2.0"
    leaves = {n.label for n in topological_order(model([1.0, -2.0])) if not n.op and n.label.startswith("x")}
    assert leaves == {"x0", "x1"}


def test_calling_with_values_keeps_them_in_the_graph():
    """Values passed in are used as they are, so gradients flow back to them."""
    x = [Value(1.0), Value(2.0)]
    out = nn.MLP(2, [3, 1], activation="linear")(x)
    out.backward()
    assert x[0].grad != 0.0


def test_zero_grad_resets_every_parameter():
    """zero_grad sets every parameter's grad back to 0 after a backward pass."""
    model = nn.MLP(2, [3, 1], activation="tanh")
    model([1.0, 2.0]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_wrong_input_length_names_expected_and_received():
    """Calling a model on the wrong number of inputs raises ValueError with both counts."""
    with pytest.raises(ValueError, match=r"MLP expects 3 inputs, got 2"):
        nn.MLP(3, [4, 1])([1.0, 2.0])


def test_nan_input_is_rejected_by_index():
    """A NaN input raises ValueError naming which input it was."""
    with pytest.raises(ValueError, match=r"Linear input 1: .*finite"):
        nn.Linear(2, 2)([1.0, float("nan")])


def test_unknown_activation_lists_the_valid_ones():
    """An unknown activation name raises ValueError listing relu, tanh, sigmoid and linear."""
    with pytest.raises(ValueError, match=r"unknown activation 'gelu'; choose one of 'relu', 'tanh', 'sigmoid', 'linear'"):
        nn.MLP(2, [3, 1], activation="gelu")


def test_bad_layer_sizes_are_rejected():
    """Empty nouts or a zero-width layer raise ValueError naming the problem."""
    with pytest.raises(ValueError, match=r"nouts is empty"):
        nn.MLP(2, [])
    with pytest.raises(ValueError, match=r"nouts\[1\] must be an integer >= 1, got 0"):
        nn.MLP(2, [3, 0])


def _linear_mlp_forward(model, x):
    return np.array([v.data for v in model(list(x))])


def test_linear_activation_mlp_is_an_affine_map():
    """Without activations, f(a·x + (1−a)·z) = a·f(x) + (1−a)·f(z): the layers collapse to one linear map."""
    model = nn.MLP(3, [5, 5, 2], activation="linear", seed=4)
    rng = np.random.default_rng(0)
    x, z, a = rng.normal(size=3), rng.normal(size=3), 0.3
    mixed = _linear_mlp_forward(model, a * x + (1 - a) * z)
    np.testing.assert_allclose(mixed, a * _linear_mlp_forward(model, x) + (1 - a) * _linear_mlp_forward(model, z))


def test_linear_activation_mlp_equals_one_linear_layer():
    """A linear-only MLP equals the single layer W = W₃W₂W₁, b = W₃(W₂b₁ + b₂) + b₃."""
    model = nn.MLP(3, [5, 5, 2], activation="linear", seed=4)
    for layer in model.layers:
        for i, n in enumerate(layer.neurons):
            n.b.data = 0.1 * (i + 1)
    W, b = np.eye(3), np.zeros(3)
    for layer in model.layers:
        W, b = layer.weight_matrix() @ W, layer.weight_matrix() @ b + layer.bias_vector()
    x = np.array([0.7, -1.2, 2.5])
    np.testing.assert_allclose(_linear_mlp_forward(model, x), W @ x + b, rtol=1e-12)


def test_relu_mlp_is_not_affine():
    """With relu the convex-combination identity fails: activations add non-linearity."""
    model = nn.MLP(1, [8, 1], seed=0)
    f = [model([x]).data for x in (-2.0, 0.0, 2.0)]
    assert abs(f[1] - (f[0] + f[2]) / 2) > 1e-3


# -- every node says what it is ---------------------------------------------------------------


def test_a_networks_weights_and_biases_are_parameters_and_its_inputs_inputs() -> None:
    """Every parameter an MLP makes has role "parameter"; the leaves it makes of plain numbers are inputs."""
    model = nn.MLP(3, [4, 1], seed=0)
    out = model([1.0, 2.0, 3.0])
    leaves = [n for n in topological_order(out) if not n.op]
    assert {p.role for p in model.parameters()} == {"parameter"}
    assert sorted(n.label for n in leaves if n.role == "input") == ["x0", "x1", "x2"]


@pytest.mark.parametrize("activation, gate", [("relu", "max"), ("tanh", "tanh"), ("sigmoid", "sigmoid")])
def test_a_neurons_nodes_name_their_part(activation: str, gate: str) -> None:
    """A neuron's products are "w·x", its running sums "sum", its output the activation's name."""
    out = nn.Neuron(3, activation, seed=0, layer=2, index=3)([1.0, 2.0, 3.0])
    made = [n for n in topological_order(out) if n.op]
    parts = {n.op: {m.part for m in made if m.op == n.op} for n in made}
    assert parts == {"mul": {"w·x"}, "add": {"sum"}, gate: {activation}} and out.part == activation
    assert {n.origin for n in made} == {"L2.N3"}


def test_a_linear_neurons_output_is_its_last_sum() -> None:
    """Without an activation the output is the pre-activation, a "sum"."""
    assert nn.Linear(2, 1)([1.0, 2.0])[0].part == "sum"
