"""The training loop: fit a model with SGD and record per-epoch loss and accuracy in a History."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence

import numpy as np
from tqdm import tqdm

from autograd import GateError, Value

from . import _replay
from ._checks import check_choice, check_int, check_real
from ._graph import cyclic_gc_paused, total
from .losses import hinge_loss, l2_penalty, softmax_cross_entropy, svm_loss
from .optim import SGD

__all__ = ["ENGINES", "LOSSES", "History", "fit"]

#: The loss names ``fit`` accepts.
LOSSES = ("softmax", "svm", "hinge")

#: How ``fit`` computes each batch: "replay" (traced once, replayed on numpy) or "scalar" (a graph per batch).
ENGINES = ("replay", "scalar")

_MULTICLASS: dict[str, Callable[[list[Value], int], Value]] = {
    "softmax": softmax_cross_entropy,
    "svm": svm_loss,
}


@dataclass
class History:
    """What ``fit`` recorded, one entry per epoch.

    Attributes:
        train_loss: mean training objective over the epoch's batches (data loss + L2 penalty),
            each batch measured just before its update.
        train_acc: fraction of training samples classified right during the epoch.
        val_loss: the same objective on the validation set after the epoch (empty without ``val``).
            A val_loss that rises while train_loss falls is overfitting.
        val_acc: validation accuracy after the epoch (empty without ``val``).
    """

    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)


def _check_data(X: Any, y: Any, loss: str, model: Any, names: tuple[str, str]) -> tuple[np.ndarray, np.ndarray]:
    """X and y as numpy arrays (floats and ints) after every check ``fit`` promises."""
    xname, yname = names
    try:
        Xa = np.asarray(X, dtype=float)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{xname} must be a samples × features array of numbers: {e}") from None
    if Xa.ndim != 2:
        hint = " (flatten each image first: nn.data.flatten)" if Xa.ndim > 2 else ""
        raise ValueError(f"{xname} must be 2-D (samples × features), got shape {Xa.shape}{hint}")
    if len(Xa) == 0:
        raise ValueError(f"{xname} is empty: the dataset has no samples")
    bad = np.argwhere(~np.isfinite(Xa))
    if len(bad):
        r, c = bad[0]
        raise ValueError(f"{xname} contains NaN or infinity: {xname}[{r}, {c}] = {Xa[r, c]}")
    nin = getattr(model, "nin", None)
    if isinstance(nin, int) and Xa.shape[1] != nin:
        raise ValueError(f"{xname} has {Xa.shape[1]} features per sample, but the model expects {nin} inputs")
    ya = np.asarray(y)
    if ya.ndim != 1 or len(ya) != len(Xa):
        raise ValueError(f"{yname} must hold one label per sample: expected {len(Xa)}, got shape {ya.shape}")
    if ya.dtype.kind not in "iu":
        raise ValueError(f"{yname} must hold integer class labels, got dtype {ya.dtype}")
    k = 2 if loss == "hinge" else _n_outputs(model, Xa[0])
    outside = np.flatnonzero((ya < 0) | (ya >= k))
    if len(outside):
        i = outside[0]
        how = " (loss='hinge' maps labels 0/1 to -1/+1)" if loss == "hinge" else f" (the model has {k} outputs)"
        raise ValueError(f"{yname}[{i}] = {ya[i]} is outside the classes 0..{k - 1}{how}")
    return Xa, ya


def _n_outputs(model: Any, x0: np.ndarray) -> int:
    """How many scores the model gives: its ``nout``, or counted from one call."""
    nout = getattr(model, "nout", None)
    if isinstance(nout, int):
        return nout
    out = model(x0.tolist())
    return 1 if isinstance(out, Value) else len(out)


def _check_model(model: Any, loss: str) -> None:
    if not callable(model) or not callable(getattr(model, "parameters", None)):
        raise TypeError(f"model must be callable and have parameters(), like nn.MLP; got {type(model).__name__}")
    nout = getattr(model, "nout", None)
    if isinstance(nout, int):
        if loss == "hinge" and nout != 1:
            raise ValueError(f"loss='hinge' needs a model with 1 output, got {nout} (use 'softmax' or 'svm')")
        if loss != "hinge" and nout < 2:
            raise ValueError(f"loss={loss!r} needs one score per class (>= 2 outputs), got {nout} (use 'hinge')")


def _data_loss(model: Any, xs: Sequence[list], ys: Sequence[int], loss: str) -> tuple[Value, int]:
    """The mean loss over the samples as one graph, and how many samples were classified right."""
    losses = []
    correct = 0
    for x, label in zip(xs, ys):
        out = model(x)
        if loss == "hinge":
            score = out if isinstance(out, Value) else out[0]
            losses.append(hinge_loss(score, 2 * label - 1))  # labels 0/1 -> −1/+1
            correct += (score.data > 0.0) == (label == 1)
        else:
            losses.append(_MULTICLASS[loss](out, label))
            correct += max(range(len(out)), key=lambda j: out[j].data) == label  # argmax
    return total(losses) * (1.0 / len(losses)), correct  # (1/N) Σᵢ Lᵢ


def fit(
    model: Any,
    X: Any,
    y: Any,
    *,
    loss: str = "softmax",
    epochs: int = 10,
    lr: float = 0.1,
    reg: float = 0.0,
    batch_size: Optional[int] = None,
    val: Optional[tuple[Any, Any]] = None,
    seed: int = 0,
    progress: bool = True,
    engine: Optional[str] = None,
) -> History:
    """Train ``model`` on (X, y) by gradient descent and return the per-epoch History.

    Each batch is one graph: the model's output for every sample, the loss averaged over the
    batch, plus ``l2_penalty(model.parameters(), reg)`` (biases included, as in micrograd's demo);
    then backward and one SGD step.

    Args:
        model: an ``nn.MLP``, ``nn.Linear`` or any callable with ``parameters()`` that maps a list
            of floats to a list of score Values (or one Value).
        X: samples × features array of finite numbers (flatten images first).
        y: one integer class label 0..K−1 per sample, K the model's number of outputs.
        loss: "softmax" (cross-entropy) or "svm" (multiclass hinge) for a K-output model; or
            "hinge" (binary) for a 1-output model, with labels 0/1 mapped to −1/+1 and the
            prediction "class 1 where the score is > 0".
        epochs: passes over the data, >= 1.
        lr: SGD learning rate, > 0.
        reg: L2 strength λ >= 0 (the penalty is λ·Σp², without ½).
        batch_size: samples per update; None is the whole set (full-batch gradient descent).
            Batches are reshuffled every epoch; the last one may be smaller.
        val: optional (X_val, y_val) evaluated after every epoch into ``val_loss`` and ``val_acc``.
        seed: seeds the shuffling of batches.
        progress: show a tqdm progress bar over the epochs.
        engine: "replay" traces one sample's loss once and replays it with numpy over each batch
            (:func:`autograd.trace`): the same numbers, far faster. "scalar" builds each batch's
            graph with the scalar engine, for stepping and drawing. None (the default) is
            "replay" for the package's models (MLP, Layer, Linear, Neuron), "scalar" for others;
            "replay" for a model of yours first checks 5 samples through the scalar engine
            (``Program.verify``) and raises ``autograd.TraceMismatch`` if its graph depends on them.
            A batch that leaves the traced graph's domain (softmax's p_y below ~1e−304, where
            the scalar path switches to log space) runs on the scalar path.

    Returns:
        A :class:`History`.

    Raises:
        ValueError: an unknown loss name (the valid ones are listed), X and y of different
            lengths, an empty dataset, NaN or infinity in X, a label outside 0..K−1, a model
            whose number of outputs does not suit the loss, or a bad epochs/lr/reg/batch_size.

    >>> from nn import MLP
    >>> from nn.data import make_moons
    >>> X, y = make_moons(20)
    >>> history = fit(MLP(2, [8, 1]), X, y, loss="hinge", epochs=5, lr=0.5, progress=False)
    >>> len(history.train_loss), history.val_loss
    (5, [])
    """
    check_choice("loss", loss, LOSSES)
    _check_model(model, loss)
    Xa, ya = _check_data(X, y, loss, model, ("X", "y"))
    val_data = None
    if val is not None:
        if not (isinstance(val, (tuple, list)) and len(val) == 2):
            raise ValueError(f"val must be a pair (X_val, y_val), got {type(val).__name__}")
        val_arrays = _check_data(val[0], val[1], loss, model, ("X_val", "y_val"))
    epochs = check_int("epochs", epochs, 1)
    lr = check_real("lr", lr, positive=True)
    reg = check_real("reg", reg, low=0.0)
    if engine is not None:
        check_choice("engine", engine, ENGINES)
    replay = engine == "replay" or (engine is None and _replay.supports(model))
    n = len(Xa)
    size = n if batch_size is None else check_int("batch_size", batch_size, 1)
    rng = random.Random(check_int("seed", seed, 0))

    params = model.parameters()
    optimizer = SGD(params, lr)
    trainer = None
    if replay:
        k = 2 if loss == "hinge" else _n_outputs(model, Xa[0])
        trainer = _replay.ReplayTrainer(model, loss, Xa.shape[1], k, params, reg)
        if not _replay.supports(model):  # a model of yours: check its graph is the same for other samples
            trainer.verify(Xa[:100], ya[:100])
    if val is not None:
        val_data = val_arrays if replay else (val_arrays[0].tolist(), val_arrays[1].tolist())

    history = History()
    order = list(range(n))
    bar = tqdm(range(epochs), desc="fit", unit="epoch", disable=not progress)
    for _ in bar:
        if size < n:
            rng.shuffle(order)
        loss_sum = 0.0
        correct = 0
        for start in range(0, n, size):
            batch = order[start : start + size]
            if trainer is not None:
                try:
                    optimizer.zero_grad()
                    value, right = trainer.backward(Xa[batch], ya[batch])
                except GateError:  # outside the traced graph's domain: this batch on the scalar path
                    value = None
                if value is not None:
                    optimizer.step()
                    loss_sum += value * len(batch)
                    correct += right
                    continue
            with cyclic_gc_paused():
                objective, right = _data_loss(model, Xa[batch].tolist(), ya[batch].tolist(), loss)
                if reg:
                    objective = objective + l2_penalty(params, reg)  # L = data loss + λ·Σp²
                optimizer.zero_grad()
                objective.backward()
                optimizer.step()
            loss_sum += objective.data * len(batch)
            correct += right
        history.train_loss.append(loss_sum / n)
        history.train_acc.append(correct / n)
        postfix = {"loss": f"{history.train_loss[-1]:.4f}", "acc": f"{history.train_acc[-1]:.3f}"}
        if val_data is not None:
            if trainer is not None:
                val_loss, val_acc = _evaluate_replay(trainer, *val_data, size)
            else:
                val_loss, val_acc = _evaluate(model, *val_data, loss, params, reg, size)
            history.val_loss.append(val_loss)
            history.val_acc.append(val_acc)
            postfix["val_loss"] = f"{val_loss:.4f}"
        bar.set_postfix(postfix)
    return history


def _evaluate(
    model: Any, xs: list, ys: list, loss: str, params: list[Value], reg: float, size: int
) -> tuple[float, float]:
    """The objective (data loss + penalty) and accuracy on a dataset, forward only, in chunks."""
    loss_sum = 0.0
    correct = 0
    for start in range(0, len(xs), size):
        chunk = slice(start, start + size)
        with cyclic_gc_paused():
            data_loss, right = _data_loss(model, xs[chunk], ys[chunk], loss)
        loss_sum += data_loss.data * len(xs[chunk])
        correct += right
    penalty = l2_penalty(params, reg).data if reg else 0.0
    return loss_sum / len(xs) + penalty, correct / len(xs)


def _evaluate_replay(trainer: _replay.ReplayTrainer, X: np.ndarray, y: np.ndarray, size: int) -> tuple[float, float]:
    """:func:`_evaluate` on the replay path (falling back to it where a chunk leaves the traced domain)."""
    try:
        loss_sum, correct = trainer.evaluate(X, y, size)
    except GateError:
        return _evaluate(trainer.model, X.tolist(), y.tolist(), trainer.loss_name, trainer.params, trainer.reg, size)
    return loss_sum / len(y) + trainer.penalty_value(), correct / len(y)
