"""Which neurons silently stop learning over a batch: the share of data points on which each is dead or saturated."""

from __future__ import annotations

from typing import Any, Iterator, Mapping, NamedTuple

from autograd.health import SATURATED_BELOW, is_dead_relu, saturation

from ._checks import check_real
from ._gc import cyclic_gc_paused
from .module import MLP, Layer, Neuron, _as_inputs
from .train import _check_X

__all__ = ["NeuronHealth", "HealthReport", "health"]


class NeuronHealth(NamedTuple):
    """One neuron's shares of the batch, each in [0, 1]: a pair ``(dead, saturated)``."""

    dead: float
    saturated: float


class HealthReport(Mapping[str, NeuronHealth]):
    """What :func:`health` found: neuron id (``"L1.N3"``) → :class:`NeuronHealth` ``(dead, saturated)``.

    It is plain data to a diagram: ``viz.draw_graph(root, collapse="neuron", lens="health",
    health=report)`` reads it as a mapping id → (dead share, saturated share).

    Attributes:
        points: how many data points the shares are over.
        activations: neuron id → its activation ("relu", "tanh", "sigmoid" or "linear").
    """

    def __init__(self, shares: dict[str, NeuronHealth], activations: dict[str, str], points: int) -> None:
        self._shares = shares
        self.activations = activations
        self.points = points

    def __getitem__(self, key: str) -> NeuronHealth:
        return self._shares[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._shares)

    def __len__(self) -> int:
        return len(self._shares)

    def dead(self, share: float = 1.0) -> list[str]:
        """The neurons dead on at least ``share`` of the points (1.0: on every point, never learning)."""
        share = check_real("share", share, low=0.0)
        if share > 1.0:
            raise ValueError(f"share must be a number in [0, 1], got {share!r}")
        return [k for k, v in self._shares.items() if v.dead >= share]

    def __repr__(self) -> str:
        return f"HealthReport({len(self)} neurons over {self.points} points)"

    def __str__(self) -> str:
        rows = [f"{'neuron':<8} {'activation':<10} {'dead':>6} {'saturated':>10}"]
        for key, v in self._shares.items():
            rows.append(f"{key:<8} {self.activations[key]:<10} {v.dead:>6.0%} {v.saturated:>10.0%}")
        return "\n".join(rows)


def _neurons(model: Any) -> list[Neuron]:
    if isinstance(model, MLP):
        return [n for layer in model.layers for n in layer.neurons]
    if isinstance(model, Layer):
        return list(model.neurons)
    if isinstance(model, Neuron):
        return [model]
    raise TypeError(f"health needs an nn.MLP, nn.Layer, nn.Linear or nn.Neuron, got {type(model).__name__}")


@cyclic_gc_paused()
def health(model: Any, X: Any) -> HealthReport:
    """For each neuron of ``model``, the share of the rows of ``X`` on which it is dead or saturated.

    Dead: a relu neuron whose output is 0 (its pre-activation b + Σ wᵢxᵢ ≤ 0), so nothing in it
    or below it learns from that point (``autograd.health.is_dead_relu``). Saturated: a σ or tanh
    neuron whose local derivative is below 1e-2 (``autograd.health.SATURATED_BELOW``), so it
    passes back less than 1% of its gradient. A linear neuron is never either. The model's own
    forward is run on each row; no gradients are computed or changed.

    Args:
        model: an ``nn.MLP``, ``nn.Layer`` (``nn.Linear``) or ``nn.Neuron``.
        X: a samples × ``model.nin`` array of finite numbers.

    Returns:
        A :class:`HealthReport`, neuron ids in the model's order; ``str(report)`` is a table.

    Raises:
        TypeError: another kind of model. ValueError: ``X`` not 2-D, empty, not finite, or of the
            wrong width.

    >>> from nn import MLP
    >>> model = MLP(2, [3, 1], seed=0)
    >>> model.layers[0].neurons[0].b.data = -100.0  # pushed far below zero: dead on every point
    >>> report = health(model, [[0.5, -1.0], [1.0, 2.0]])
    >>> report["L1.N0"], report.dead()
    (NeuronHealth(dead=1.0, saturated=0.0), ['L1.N0'])
    >>> print(report)  # doctest: +NORMALIZE_WHITESPACE
    neuron   activation   dead  saturated
    L1.N0    relu         100%         0%
    L1.N1    relu          50%         0%
    L1.N2    relu          50%         0%
    L2.N0    linear         0%         0%
    """
    neurons = _neurons(model)
    Xa = _check_X(X, model, "X")
    dead = [0] * len(neurons)
    saturated = [0] * len(neurons)
    layers = model.layers if isinstance(model, MLP) else None
    for row in Xa.tolist():
        x = _as_inputs(row, model.nin, "health", [f"x{i}" for i in range(model.nin)])
        if layers is not None:
            outs = []
            for layer in layers:
                x = layer._forward(x)
                outs += x
        elif isinstance(model, Layer):
            outs = model._forward(x)
        else:
            outs = [model._forward(x)]
        for i, out in enumerate(outs):  # a neuron's output is its activation gate's node
            dead[i] += is_dead_relu(out)
            local = saturation(out)
            saturated[i] += local is not None and local < SATURATED_BELOW
    n = len(Xa)
    shares = {nr.origin: NeuronHealth(d / n, s / n) for nr, d, s in zip(neurons, dead, saturated)}
    return HealthReport(shares, {nr.origin: nr.activation for nr in neurons}, n)
