"""Modules: Neuron, Layer, MLP and the linear score function, with seeded initialisation."""

from __future__ import annotations

import math
import numbers
import random
from typing import Callable, Optional, Sequence, Union

import numpy as np

from autograd import Value, origin

from ._checks import check_choice, check_int
from ._gc import cyclic_gc_paused

__all__ = ["ACTIVATIONS", "Module", "Neuron", "Layer", "MLP", "Linear"]

#: The activation names a Neuron, Layer or MLP accepts. "linear" is the identity.
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")

_APPLY: dict[str, Optional[Callable[[Value], Value]]] = {
    "relu": Value.relu,  # max(0, x): the max gate routes the gradient to x where x > 0
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "linear": None,  # identity: no gate at all
}

# What each gate makes inside a neuron (see autograd.origin): the products wᵢ·xᵢ, the running
# sum b + Σᵢ wᵢxᵢ (the last one is the pre-activation), and the activation by its name.
_ACTIVATION_GATE = {"relu": "max", "tanh": "tanh", "sigmoid": "sigmoid"}  # relu(x) = max(0, x)
PRODUCT, SUM = "w·x", "sum"

Seed = Union[int, random.Random]
Inputs = Sequence[Union[float, Value]]


def _rng(seed: Seed) -> random.Random:
    """A seed gives a fresh generator; a generator is shared (how a Layer seeds its neurons)."""
    if isinstance(seed, random.Random):
        return seed
    return random.Random(check_int("seed", seed, 0))


def _init_bound(nin: int, activation: str) -> float:
    """Half-width a of the uniform initialisation U(−a, a), whose variance is a²/3.

    relu layers get He (Kaiming) init, Var(w) = 2/nin: relu zeroes half of its inputs, and the
    factor 2 makes up for it so activations keep their scale from layer to layer. Every other
    layer gets LeCun init, Var(w) = 1/nin, so a weighted sum of nin unit-variance inputs has
    unit variance.
    """
    gain = 2.0 if activation == "relu" else 1.0
    return math.sqrt(3.0 * gain / nin)


def _as_inputs(x: object, nin: int, who: str, labels: list[str]) -> list[Value]:
    """The call's inputs as Values; a plain number ``x[i]`` becomes a leaf labelled ``x{i}``."""
    if isinstance(x, np.ndarray):
        if x.ndim != 1:
            raise ValueError(f"{who} expects a 1-D input of {nin} numbers, got an array of shape {x.shape}")
        x = x.tolist()
    if isinstance(x, (str, bytes, Value, numbers.Number)) or not hasattr(x, "__len__"):
        raise TypeError(f"{who} expects a list of {nin} numbers or Values, got {type(x).__name__}")
    if len(x) != nin:
        raise ValueError(f"{who} expects {nin} inputs, got {len(x)}")
    out = []
    for i, xi in enumerate(x):
        if not isinstance(xi, Value):
            try:
                xi = Value(xi, labels[i])
            except (TypeError, ValueError) as e:
                raise type(e)(f"{who} input {i}: {e}") from None
        out.append(xi)
    return out


class Module:
    """Base class of everything with parameters: lists them and zeroes their gradients.

    Subclasses set ``nin`` and ``nout`` (how many numbers go in and come out) and define
    ``parameters()`` and ``__call__``; ``nn.fit`` then trains them like the built-in ones.

    >>> class Scale(Module):
    ...     def __init__(self):
    ...         self.nin, self.nout, self.k = 1, 1, Value(2.0, "k")
    ...     def __call__(self, x):
    ...         return x[0] * self.k  # k·x
    ...     def parameters(self):
    ...         return [self.k]
    >>> Scale()
    Scale(1 → 1, 1 parameter)
    """

    nin: int
    nout: int

    def parameters(self) -> list[Value]:
        """Every trainable Value, in a fixed order (weights of a neuron, then its bias)."""
        return []

    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` to 0.0: the engine's leaves accumulate gradients."""
        for p in self.parameters():
            p.grad = 0.0

    def _shape(self) -> str:
        return f"{self.nin} → {self.nout}"

    def __repr__(self) -> str:
        activation = getattr(self, "activation", None)
        parts = [self._shape(), *([activation] if activation else []), self._count()]
        return f"{type(self).__name__}({', '.join(parts)})"

    def _count(self) -> str:
        n = len(self.parameters())
        return f"{n} parameter{'' if n == 1 else 's'}"


class Neuron(Module):
    """One neuron: activation(b + Σᵢ wᵢxᵢ).

    Args:
        nin: how many inputs it takes.
        activation: one of ``ACTIVATIONS``: "relu", "tanh", "sigmoid" or "linear" (identity).
        seed: an int, or a ``random.Random`` to draw from (how Layer and MLP share one stream).
            Weights are uniform, He-scaled for relu and LeCun-scaled otherwise; the bias starts at 0.
        layer, index: where the neuron sits (layer 1 is the first layer after the inputs; neurons
            count from 0). They name its parameters ``w{layer}.{index}.{i}`` and ``b{layer}.{index}``,
            and its parameters and every node it creates carry ``origin = "L{layer}.N{index}"``.

    Its weights and bias have ``role == "parameter"``; each node its call makes says what it is
    (``part``): ``"w·x"`` for a product, ``"sum"`` for b + Σᵢ wᵢxᵢ so far (the last is the
    pre-activation), and the activation's name (``"relu"``, ``"tanh"``, ``"sigmoid"``).

    Calling it on a list of ``nin`` numbers or Values returns one Value.

    >>> n = Neuron(2, activation="linear", seed=0)
    >>> n
    Neuron(2 → 1, linear, 3 parameters)
    >>> n.w[0].data, n.w[1].data = 2.0, -1.0
    >>> out = n([3.0, 4.0])  # 0 + 2·3 − 1·4
    >>> out.data, out.origin, out.part, [p.label for p in n.parameters()]
    (2.0, 'L1.N0', 'sum', ['w1.0.0', 'w1.0.1', 'b1.0'])
    >>> Neuron(2, "tanh")([1.0, 2.0]).part, n.b.role
    ('tanh', 'parameter')
    """

    def __init__(
        self, nin: int, activation: str = "relu", *, seed: Seed = 0, layer: int = 1, index: int = 0
    ) -> None:
        self.nin = check_int("nin", nin, 1)
        self.nout = 1
        self.activation = check_choice("activation", activation, ACTIVATIONS)
        self._apply = _APPLY[activation]
        rng = _rng(seed)
        a = _init_bound(self.nin, activation)
        self.origin = f"L{layer}.N{index}"
        with origin(self.origin):  # the parameters belong to the neuron too
            self.w = [Value(rng.uniform(-a, a), f"w{layer}.{index}.{i}", "parameter") for i in range(self.nin)]
            self.b = Value(0.0, f"b{layer}.{index}", "parameter")
        gate = _ACTIVATION_GATE.get(activation)
        self._parts = {"mul": PRODUCT, "add": SUM, **({gate: activation} if gate else {})}
        self._block = origin(self.origin, self._parts)  # kept: entered once per call, by any thread
        self._labels = [f"x{i}" for i in range(self.nin)]

    @cyclic_gc_paused()
    def __call__(self, x: Inputs) -> Value:
        return self._forward(_as_inputs(x, self.nin, "Neuron", self._labels))

    def _forward(self, x: list[Value]) -> Value:
        with self._block:
            act = self.b
            for wi, xi in zip(self.w, x):
                act = act + wi * xi  # b + Σᵢ wᵢxᵢ
            return act if self._apply is None else self._apply(act)

    def parameters(self) -> list[Value]:
        return [*self.w, self.b]


class Layer(Module):
    """A row of ``nout`` neurons that all see the same ``nin`` inputs.

    Args:
        nin: inputs per neuron.
        nout: how many neurons (outputs).
        activation: one of ``ACTIVATIONS``, used by every neuron.
        seed: an int or a ``random.Random``; the neurons draw their weights from it in order.
        index: the layer's number in a network (1 = first after the inputs), for labels and origins.

    Calling it on ``nin`` numbers or Values returns a list of ``nout`` Values.

    >>> layer = Layer(3, 4)
    >>> layer, len(layer([1.0, 2.0, 3.0]))
    (Layer(3 → 4, relu, 16 parameters), 4)
    """

    def __init__(self, nin: int, nout: int, activation: str = "relu", *, seed: Seed = 0, index: int = 1) -> None:
        self.nin = check_int("nin", nin, 1)
        self.nout = check_int("nout", nout, 1)
        self.activation = check_choice("activation", activation, ACTIVATIONS)
        rng = _rng(seed)
        self.neurons = [Neuron(nin, activation, seed=rng, layer=index, index=j) for j in range(self.nout)]
        self._labels = [f"x{i}" for i in range(self.nin)]

    @cyclic_gc_paused()
    def __call__(self, x: Inputs) -> list[Value]:
        return self._forward(_as_inputs(x, self.nin, type(self).__name__, self._labels))

    def _forward(self, x: list[Value]) -> list[Value]:
        return [n._forward(x) for n in self.neurons]

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def weight_matrix(self) -> np.ndarray:
        """The weights as a ``nout × nin`` numpy array: row j is neuron j's wⱼ (a copy)."""
        return np.array([[w.data for w in n.w] for n in self.neurons])

    def bias_vector(self) -> np.ndarray:
        """The biases as a numpy array of length ``nout`` (a copy)."""
        return np.array([n.b.data for n in self.neurons])


class Linear(Layer):
    """The linear classifier's score function f(x; W, b) = Wx + b: one score per class.

    A Layer with no activation. Row c of ``weight_matrix()`` is class c's template: its dot
    product with x is the class's score, so a positive weight promotes the class where the
    pixel is bright and a negative one suppresses it. For an image flattened by
    ``nn.data.flatten``, ``weight_matrix()[c].reshape(32, 32, 3)`` is the template as a picture.

    Args:
        nin: input size (3072 for a 32×32×3 image).
        nout: number of classes.
        seed: seeds the LeCun-uniform initialisation (biases start at 0). Scale inputs to about
            unit size (e.g. pixels / 255 − 0.5) or the initial scores will be large.

    Calling it on ``nin`` numbers or Values returns a list of ``nout`` score Values, even for nout = 1.

    >>> f = Linear(3072, 10)
    >>> f, f.weight_matrix().shape
    (Linear(3072 → 10, 30730 parameters), (10, 3072))
    """

    def __init__(self, nin: int, nout: int, seed: Seed = 0) -> None:
        super().__init__(nin, nout, "linear", seed=seed, index=1)

    def __repr__(self) -> str:  # the activation is implied by the name
        return f"Linear({self._shape()}, {self._count()})"


class MLP(Module):
    """A multi-layer perceptron: hidden layers with ``activation``, then a linear output layer.

    Args:
        nin: input size.
        nouts: the size of every layer in order, the last being the output size:
            ``MLP(3, [4, 4, 1])`` is the course's 3 → 4 → 4 → 1 network.
        activation: one of ``ACTIVATIONS`` for the hidden layers.
        seed: seeds the initialisation; the same seed gives the same network.

    Calling it on ``nin`` numbers or Values returns a list of ``nouts[-1]`` Values, except that a
    network with a single output returns that Value itself (as micrograd does), ready for a loss.
    Layers are numbered from 1 (``layers[0]`` is layer 1) in labels and origins.

    >>> model = MLP(3, [4, 4, 1])
    >>> model
    MLP(3 → 4 → 4 → 1, relu, 41 parameters)
    >>> out = model([2.0, 3.0, -1.0])
    >>> type(out).__name__, len(MLP(3, [4, 2])([2.0, 3.0, -1.0]))
    ('Value', 2)
    """

    def __init__(self, nin: int, nouts: Sequence[int], activation: str = "relu", seed: int = 0) -> None:
        self.nin = check_int("nin", nin, 1)
        if isinstance(nouts, (str, bytes)) or not hasattr(nouts, "__iter__"):
            raise TypeError(f"nouts must be a list of layer sizes, e.g. [16, 16, 1], got {type(nouts).__name__}")
        sizes = [check_int(f"nouts[{i}]", n, 1) for i, n in enumerate(nouts)]
        if not sizes:
            raise ValueError("nouts is empty; give the size of every layer, e.g. [16, 16, 1]")
        self.activation = check_choice("activation", activation, ACTIVATIONS)
        self.nout = sizes[-1]
        rng = _rng(check_int("seed", seed, 0))
        dims = [self.nin, *sizes]
        last = len(sizes) - 1
        self.layers = [
            Layer(dims[i], dims[i + 1], activation if i < last else "linear", seed=rng, index=i + 1)
            for i in range(len(sizes))
        ]
        self._labels = [f"x{i}" for i in range(self.nin)]

    @cyclic_gc_paused()
    def __call__(self, x: Inputs) -> Union[Value, list[Value]]:
        out = _as_inputs(x, self.nin, "MLP", self._labels)
        for layer in self.layers:
            out = layer._forward(out)
        return out[0] if self.nout == 1 else out

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def _shape(self) -> str:
        return " → ".join(str(n) for n in [self.nin, *(layer.nout for layer in self.layers)])
