"""A 2-D classifier over a grid of points, by replay: one prediction traced, then run on numpy columns."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from autograd import GateError, Value, topological_order, trace
from autograd.replay import Program

__all__ = ["TracedPrediction", "plane", "trace_prediction"]


def plane(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The corners (low, high) of the region a boundary is drawn over: the points' box, padded.

    >>> plane(np.array([[0.0, 0.0], [1.0, 2.0]]))
    (array([-0.45, -0.45]), array([1.45, 2.45]))
    """
    pad = 0.1 * max(float(np.ptp(points, axis=0).max()), 1e-9) + 0.25
    return points.min(axis=0) - pad, points.max(axis=0) + pad


def _hidden_outputs(order: list[Value]) -> list[tuple[str, Value]]:
    """The first hidden layer's neurons and their outputs (the last node each made, in topological
    order), by the ``origin`` nn sets on a neuron's nodes ("L1.N0", ...); none unless a second layer follows."""
    last: dict[str, Value] = {}
    for node in order:
        origin = getattr(node, "origin", None)
        if isinstance(origin, str):
            last[origin] = node
    if not any(key.startswith("L2.") for key in last):
        return []
    first = [(int(m.group(1)), key) for key in last if (m := re.fullmatch(r"L1\.N(\d+)", key))]
    return [(key, last[key]) for _, key in sorted(first)]


@dataclass
class TracedPrediction:
    """A model's prediction at one point, traced: replay it at any number of points at once.

    Attributes:
        program: the traced graph (:func:`autograd.trace`) of the sum of the scores.
        scores: the model's score nodes in the trace: one (class 1 where it is > 0) or one per class.
        hidden: (origin, output) of the first hidden layer's neurons, when asked for and the model has them.
    """

    program: Program
    scores: list[Value]
    hidden: list[tuple[str, Value]]

    def values_at(self, xs: np.ndarray, ys: np.ndarray, nodes: Sequence[Value], verify: int = 0) -> np.ndarray:
        """The columns of ``nodes`` (scores, hidden outputs) at the points (xs[b], ys[b]): shape (len(nodes), B).

        A point where the model overflows or leaves a gate's domain (a diverged model) gets
        what replay computed there, inf or NaN, rather than an error: a picture shows the
        other points. ``verify`` checks that many sample points against the scalar engine
        (:class:`autograd.replay.TraceMismatch` if the model branches on the data).
        """
        if verify:
            try:
                self.program.verify(xs, ys, points=verify)
            except GateError:  # the scalar engine overflows at a sampled point: nothing there to compare
                pass
        try:
            self.program(xs, ys)
        except GateError:
            pass  # the program keeps the values of its last call, the non-finite ones too
        return np.stack([self.program.values_of(node) for node in nodes])


def trace_prediction(model: Callable[[list[Value]], Any], hidden: int = 0) -> TracedPrediction:
    """Trace ``model`` on one 2-D point: its scores, and up to ``hidden`` first-layer neurons' outputs.

    ``model`` takes a list of 2 Values and returns a score Value or a list of them (``nn.MLP``).

    Raises:
        TypeError: the model returns something other than Values (it cannot be traced).

    >>> import nn
    >>> traced = trace_prediction(nn.MLP(2, [3, 1], seed=0))
    >>> traced.values_at(np.array([0.0, 1.0]), np.array([0.0, 1.0]), traced.scores).shape
    (1, 2)
    """
    scores: list[Value] = []
    outputs: list[tuple[str, Value]] = []
    kept: list[Value] = []

    def fn(a: Value, b: Value) -> Value:
        out = model([a, b])
        scores[:] = [out] if isinstance(out, Value) else list(out)
        if not scores or not all(isinstance(s, Value) for s in scores):
            raise TypeError(f"trace_prediction: the model must return a Value or a list of Values, got {out!r:.60}")
        total = scores[0]
        for s in scores[1:]:
            total = total + s
        outputs[:] = _hidden_outputs(topological_order(total))[:hidden] if hidden else []
        kept[:] = scores + [node for _, node in outputs]
        return total

    program = trace(fn, 0.0, 0.0, keep=kept)  # trace reads kept after fn has filled it
    # copies: replay's checks against the scalar engine (verify) run fn again, refilling the lists
    return TracedPrediction(program, list(scores), list(outputs))
