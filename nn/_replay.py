"""fit's replay path: one sample's loss traced once, then replayed on numpy over every batch."""

from __future__ import annotations

from operator import attrgetter
from typing import Any, Optional

import numpy as np

from autograd import GateError, Program, Value, trace

from ._gc import cyclic_gc_paused
from .losses import total
from .module import Layer, MLP, Neuron

__all__ = ["LossProgram", "ReplayTrainer", "loss_program", "supports"]

_data = attrgetter("data")


def supports(model: Any) -> bool:
    """Whether ``fit`` replays ``model`` by default: the package's own models, whose graph never branches on data."""
    return isinstance(model, (MLP, Layer, Neuron))


class LossProgram:
    """One sample's loss as a traced :class:`autograd.Program`: columns in, the loss per sample out.

    The columns are the sample's features, then its label as numbers: for "hinge" the target
    t = 2·label − 1 (±1); for "softmax" and "svm" a one-hot row h (and for "svm" the mask 1 − h),
    so that the traced graph is the same for every label. It builds, gate for gate, the graph
    ``nn.losses`` builds for one sample, with the label read from those columns:

    - hinge: relu(1 − t·s), as :func:`nn.losses.hinge_loss`;
    - softmax: the scores shifted by their max (found with max gates, the same number as the
      scalar path's constant), exp, Σexp, p_y = (Σ_j h_j·e_j) / Σexp, −log p_y;
    - svm: Σ_j (1 − h_j)·relu(s_j − s_y + Δ), s_y = Σ_j h_j·s_j.

    Attributes:
        program: the traced Program (``print(program)`` lists what the replay runs).
        scores: the traced score nodes, readable per sample after a call with ``program.values_of``.
    """

    def __init__(self, model: Any, loss: str, n_features: int, n_classes: int) -> None:
        self.loss = loss
        self.n_features = n_features
        self.n_classes = n_classes
        self.scores: list[Value] = []
        kept: list[Value] = []
        label_cols = 1 if loss == "hinge" else (2 * n_classes if loss == "svm" else n_classes)
        self.n_label_columns = label_cols

        def one_sample(*cols: Value) -> Value:
            out = model(list(cols[:n_features]))
            scores = [out] if isinstance(out, Value) else list(out)
            labels = cols[n_features:]
            if loss == "hinge":
                result = (1 - labels[0] * scores[0]).relu()  # max(0, 1 − t·s)
            elif loss == "softmax":
                result = _softmax_onehot(scores, labels)
            else:
                result = _svm_onehot(scores, labels[:n_classes], labels[n_classes:])
            kept[:] = [*scores, result]
            return result

        example = [0.0] * n_features + ([1.0] if loss == "hinge" else _label_example(loss, n_classes))
        with cyclic_gc_paused():
            self.program: Program = trace(one_sample, *example, keep=kept)
        self.scores, self.root = kept[:-1], kept[-1]

    def columns(self, X: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
        """The program's columns for samples X (n × features) with labels y (n integers)."""
        cols = [np.ascontiguousarray(X[:, i], dtype=float) for i in range(self.n_features)]
        if self.loss == "hinge":
            return cols + [2.0 * y - 1.0]  # labels 0/1 -> −1/+1
        onehot = (np.arange(self.n_classes)[:, None] == y[None, :]).astype(float)
        cols += list(onehot)
        if self.loss == "svm":
            cols += list(1.0 - onehot)
        return cols

    def block(self, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The same columns as one (columns × samples) array: what :meth:`run` hands the program."""
        if self.loss == "hinge":
            labels = (2.0 * y - 1.0)[None, :]
        else:
            onehot = (np.arange(self.n_classes)[:, None] == y[None, :]).astype(float)
            labels = np.vstack([onehot, 1.0 - onehot]) if self.loss == "svm" else onehot
        return np.vstack([np.asarray(X, dtype=float).T, labels])

    def run(self, X: np.ndarray, y: np.ndarray, weight: Optional[float]) -> tuple[np.ndarray, int]:
        """Each sample's loss and how many were classified right; with ``weight``, backward too.

        With a weight w, every parameter's ``grad`` gets w·Σ_i ∂L_i/∂p (w = 1/n for the mean).
        """
        block = self.block(X, y)
        if weight is None:
            losses = self.program(block=block)
        else:
            self.program.backward(block=block, weights=weight)
            losses = self.program.values_of(self.root)
        return losses, self._correct(y)

    def _correct(self, y: np.ndarray) -> int:
        if self.loss == "hinge":
            s = self.program.values_of(self.scores[0])
            return int(np.sum((s > 0.0) == (y == 1)))
        scores = np.stack([self.program.values_of(s) for s in self.scores])
        return int(np.sum(np.argmax(scores, axis=0) == y))  # argmax: the first of equal scores, as max()


def _label_example(loss: str, k: int) -> list[float]:
    onehot = [1.0] + [0.0] * (k - 1)
    return onehot + [1.0 - h for h in onehot] if loss == "svm" else onehot


def _softmax_onehot(s: list[Value], h: tuple[Value, ...]) -> Value:
    """−log softmax(s)_y as nn.losses.softmax_cross_entropy builds it, with y given as a one-hot h."""
    level = list(s)
    while len(level) > 1:  # the largest score by a tree of max gates: depth log₂K, not K − 1
        level = [a.max(b) for a, b in zip(level[::2], level[1::2])] + level[len(level) - len(level) % 2 :]
    shift = -level[0]  # the scalar path's constant −max, as a node per sample
    exps = [(v + shift).exp() for v in s]  # e_j = exp(s_j − max)
    denom = total(exps)  # Σ_j e_j
    picked = total([hj * ej for hj, ej in zip(h, exps)])  # e_y = Σ_j h_j·e_j, exactly e_y
    p = picked / denom  # p_y = e_y / Σ_j e_j
    return -p.log()


def _svm_onehot(s: list[Value], h: tuple[Value, ...], mask: tuple[Value, ...]) -> Value:
    """Σ_{j≠y} max(0, s_j − s_y + 1) as nn.losses.svm_loss builds it, with y given as one-hot h and mask 1 − h."""
    sy = total([hj * sj for hj, sj in zip(h, s)])  # s_y = Σ_j h_j·s_j
    offset = 1.0 - sy  # Δ − s_y
    return total([(sj + offset).relu() * mj for sj, mj in zip(s, mask)])  # the term j = y is × 0


class ReplayTrainer:
    """What ``fit`` needs per batch on the replay path: the loss program, and the L2 penalty on the parameter vector.

    Per batch the parameters' ``.data`` are read once into a vector P, the loss program runs on
    it, the penalty λ·Σp² and its gradient 2λ·p are computed on P directly (the numbers the
    scalar engine's ``l2_penalty`` graph gives), and each parameter's ``.grad`` gets the sum of
    both in one pass, so ``nn.SGD`` works unchanged.
    """

    def __init__(self, model: Any, loss: str, n_features: int, n_classes: int, params: list[Value], reg: float) -> None:
        self.model, self.loss_name, self.params, self.reg = model, loss, params, reg
        self.losses = LossProgram(model, loss, n_features, n_classes)
        index = {id(p): i for i, p in enumerate(params)}
        extra = [p for p in self.losses.program.captured if id(p) not in index]  # leaves fn reads that are not params
        for p in extra:
            index[id(p)] = len(index)
        self._leaves = list(params) + extra  # what .grad is written to: the params, then those leaves
        self._n_params = len(params)
        # where each of the program's captured leaves sits in _leaves (each once: no repeats)
        self._at = np.array([index[id(p)] for p in self.losses.program.captured], dtype=np.intp)

    def _read(self) -> np.ndarray:
        return np.fromiter(map(_data, self._leaves), float, len(self._leaves))

    def _penalty(self, P: np.ndarray) -> float:
        """λ·Σp² over the parameters in P (0 without a penalty); GateError if it overflows, as the scalar graph."""
        if not self.reg:
            return 0.0
        params = P[: self._n_params]
        with np.errstate(all="ignore"):
            value = self.reg * float(np.sum(params * params))  # λ·Σ p² (no BLAS call: its threads cost more than they save here)
        if not np.isfinite(value):
            raise GateError(f"the L2 penalty λ·Σp² is not finite ({value!r}): a parameter is too large")
        return value

    def backward(self, X: np.ndarray, y: np.ndarray) -> tuple[float, int]:
        """Add ∂(mean loss + penalty)/∂p into every parameter's grad; return that objective and the right count."""
        P = self._read()  # every parameter's .data, read once per batch
        penalty = self._penalty(P)
        program = self.losses.program
        block = program._columns((), self.losses.block(X, y))[0]
        n = len(y)
        pgrad, _ = program._grads(block, n, np.full(n, 1.0 / n), P[self._at])
        losses = program.values_of(self.losses.root)
        if self.reg:
            G = (self.reg * P) * 2.0  # ∂(λ·Σp²)/∂p = λ·p + λ·p, as the scalar engine sums p·p's two inputs
            G[self._n_params :] = 0.0
        else:
            G = np.zeros(len(P))
        G[self._at] += pgrad
        for p, g in zip(self._leaves, G.tolist()):
            p.grad += g  # accumulate, as Value.backward does
        objective = float(np.sum(losses)) * (1.0 / n) + penalty  # (1/N) Σᵢ Lᵢ + λ·Σp²
        return objective, self.losses._correct(y)

    def verify(self, X: np.ndarray, y: np.ndarray) -> None:
        """Check 5 of the samples X, y through the scalar engine: raise TraceMismatch where the graph differs."""
        self.losses.program.verify(*self.losses.columns(X, y), points=5)

    def evaluate(self, X: np.ndarray, y: np.ndarray, size: int) -> tuple[float, int]:
        """The summed loss and the right count over X in chunks of ``size``, forward only."""
        loss_sum, correct = 0.0, 0
        for start in range(0, len(y), size):
            losses, right = self.losses.run(X[start : start + size], y[start : start + size], None)
            loss_sum += float(np.sum(losses))
            correct += right
        return loss_sum, correct

    def penalty_value(self) -> float:
        """λ·Σp² at the parameters' current values (0 without a penalty)."""
        return self._penalty(self._read())


def loss_program(model: Any, loss: str, n_classes: Optional[int] = None) -> LossProgram:
    """The traced one-sample loss ``fit`` replays for ``model``: see :class:`LossProgram`.

    >>> from nn import MLP
    >>> lp = loss_program(MLP(2, [4, 1]), "hinge")
    >>> X, y = np.array([[0.5, -1.0], [2.0, 0.0]]), np.array([1, 0])
    >>> losses, right = lp.run(X, y, None)
    >>> losses.shape, lp.program.scalar_graph(*lp.columns(X, y), index=1).op
    ((2,), 'max')
    """
    nin = getattr(model, "nin", None)
    if not isinstance(nin, int):
        raise TypeError(f"loss_program needs a model with nin (like nn.MLP), got {type(model).__name__}")
    k = n_classes if n_classes is not None else getattr(model, "nout", 1)
    return LossProgram(model, loss, nin, k)


