"""The training loop: fit a model with SGD and record per-epoch loss and accuracy in a History."""

from __future__ import annotations

import random
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Optional, Sequence

import numpy as np
from tqdm import tqdm

from autograd import GateError, Value

from . import _replay
from ._checks import check_choice, check_int, check_real
from ._gc import cyclic_gc_paused
from .losses import data_loss, hinge_loss, l2_penalty, softmax_cross_entropy, svm_loss, total_loss
from .optim import SGD, DivergedError

__all__ = ["ENGINES", "LOSSES", "History", "Start", "fit"]

#: The loss names ``fit`` accepts (``loss=None``, the default, picks "hinge" or "softmax" by the model).
LOSSES = ("softmax", "svm", "hinge")

#: How ``fit`` computes each batch: "replay" (traced once, replayed on numpy) or "scalar" (a graph per batch).
ENGINES = ("replay", "scalar")

_MULTICLASS: dict[str, Callable[[list[Value], int], Value]] = {
    "softmax": softmax_cross_entropy,
    "svm": svm_loss,
}


@dataclass(frozen=True)
class Start:
    """The model as ``fit(..., record=True)`` found it, before its first update: epoch 0.

    Attributes:
        snapshot: the parameters' ``data``, in ``model.parameters()`` order.
        train_loss, train_acc: the training objective (data loss + L2 penalty) and accuracy on
            the whole training set.
        val_loss, val_acc: the same on the validation set (None without ``val``).
    """

    snapshot: list[float]
    train_loss: float
    train_acc: float
    val_loss: Optional[float] = None
    val_acc: Optional[float] = None


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
        snapshots: with ``fit(..., record=True)``, the parameters' ``data`` after each epoch, one
            list of floats per epoch in ``model.parameters()`` order (empty without ``record``):
            enough to recompute anything at that epoch (``restore``, then call the model).
        start: with ``record=True``, the model before training (:class:`Start`): epoch 0 of a
            training timeline; None without ``record``.
        loss: the loss ``fit`` trained with ("softmax", "svm" or "hinge"; "" before any fit).
    """

    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)
    snapshots: list[list[float]] = field(default_factory=list)
    loss: str = ""
    start: Optional[Start] = None

    def restore(self, model: Any, epoch: int) -> None:
        """Set ``model``'s parameters to their values after ``epoch`` (1-based) of the recorded fit;
        ``epoch=0`` sets them as they were before training (:attr:`start`).

        Raises:
            ValueError: nothing was recorded (pass ``record=True`` to ``fit``), ``epoch`` outside
                0..len(snapshots) (1.. without ``start``), or a model with another number of parameters.

        >>> from nn import MLP
        >>> from nn.data import make_moons
        >>> model = MLP(2, [4, 1])
        >>> X, y = make_moons(20)
        >>> h = fit(model, X, y, epochs=3, progress=False, record=True)
        >>> h.restore(model, 1); [p.data for p in model.parameters()] == h.snapshots[0]
        True
        >>> h.restore(model, 0); [p.data for p in model.parameters()] == h.start.snapshot
        True
        """
        if not self.snapshots:
            raise ValueError("history has no snapshots: train with fit(..., record=True)")
        first = 0 if self.start is not None else 1
        if isinstance(epoch, bool) or not isinstance(epoch, int) or not first <= epoch <= len(self.snapshots):
            raise ValueError(f"epoch must be an int in {first}..{len(self.snapshots)}, got {epoch!r}")
        params = model.parameters()
        snapshot = self.start.snapshot if epoch == 0 and self.start is not None else self.snapshots[epoch - 1]
        if len(params) != len(snapshot):
            raise ValueError(f"model has {len(params)} parameters, but the history recorded {len(snapshot)}: "
                             "pass the model that was trained")
        for p, v in zip(params, snapshot):
            p.data = v

    def sample_loss(self, model: Any, x: Sequence[float], label: int) -> Value:
        """One sample's data loss as a scalar graph, with the loss ``fit`` trained with (no L2 penalty).

        >>> from nn import Linear
        >>> h = History(loss="softmax")
        >>> round(h.sample_loss(Linear(2, 3, seed=1), [0.5, -1.0], 2).data, 4) > 0
        True
        """
        check_choice("loss", self.loss, LOSSES)
        out = _scores(model([float(v) for v in x]))
        if self.loss == "hinge":
            if len(out) != 1:
                _choose_loss(self.loss, len(out))
            return hinge_loss(out[0], 2 * int(label) - 1)  # labels 0/1 -> −1/+1
        return _MULTICLASS[self.loss](out, int(label))


def _check_X(X: Any, model: Any, xname: str) -> np.ndarray:
    """X as a 2-D float array of finite numbers with the model's number of inputs per row."""
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
    return Xa


def _check_labels(y: Any, n: int, loss: str, k: int, yname: str) -> np.ndarray:
    """y as an array of n integer labels, each a class of the loss (0/1 for hinge, else 0..k−1)."""
    ya = np.asarray(y)
    if ya.ndim != 1 or len(ya) != n:
        raise ValueError(f"{yname} must hold one label per sample: expected {n}, got shape {ya.shape}")
    if ya.dtype.kind not in "iu":
        raise ValueError(f"{yname} must hold integer class labels, got dtype {ya.dtype}")
    classes = 2 if loss == "hinge" else k
    outside = np.flatnonzero((ya < 0) | (ya >= classes))
    if len(outside):
        i = outside[0]
        how = " (loss='hinge' maps labels 0/1 to -1/+1)" if loss == "hinge" else f" (the model has {k} outputs)"
        raise ValueError(f"{yname}[{i}] = {ya[i]} is outside the classes 0..{classes - 1}{how}")
    return ya


def _scores(out: Any) -> list[Value]:
    """The model's output as a list of score Values (a lone Value is one score), or a TypeError."""
    if isinstance(out, Value):
        return [out]
    items = list(out) if hasattr(out, "__iter__") and not isinstance(out, (str, bytes, dict)) else []
    if items and all(isinstance(v, Value) for v in items):
        return items  # a list, a tuple, a numpy array of Values, …
    if items:
        j, bad = next((j, v) for j, v in enumerate(items) if not isinstance(v, Value))
        got = f"a {type(out).__name__} whose item {j} is {type(bad).__name__}: {bad!r:.40}"
    else:
        got = f"{type(out).__name__}: {out!r:.40}"
    raise TypeError(
        "the model must return a Value (one score) or a list of Values (one score per class), "
        f"computed from its parameters; it returned {got}"
    )


def _n_outputs(model: Any, x0: np.ndarray) -> int:
    """How many scores the model gives: its ``nout``, or counted from one call."""
    nout = getattr(model, "nout", None)
    if isinstance(nout, int):
        return nout
    return len(_scores(model(x0.tolist())))


def _check_model(model: Any) -> None:
    if not callable(model) or not callable(getattr(model, "parameters", None)):
        raise TypeError(f"model must be callable and have parameters(), like nn.MLP; got {type(model).__name__}")


def _choose_loss(loss: Optional[str], k: int) -> str:
    """The loss for a model with k outputs: the one asked for if it suits k, else an error naming the one to pass."""
    if loss is None:
        return "hinge" if k == 1 else "softmax"  # 1 score: binary; one score per class: cross-entropy
    if loss == "hinge" and k != 1:
        raise ValueError(f"loss='hinge' needs a model with 1 output, got {k}: pass loss='softmax' or loss='svm'")
    if loss != "hinge" and k < 2:
        raise ValueError(f"loss={loss!r} needs one score per class (>= 2 outputs), got {k}: pass loss='hinge'")
    return loss


def _data_loss(model: Any, xs: Sequence[list], ys: Sequence[int], loss: str) -> tuple[Value, int]:
    """The mean loss over the samples as one graph, and how many samples were classified right."""
    losses = []
    correct = 0
    for x, label in zip(xs, ys):
        out = _scores(model(x))
        if loss == "hinge":
            if len(out) != 1:
                _choose_loss(loss, len(out))  # raises: names the loss to pass
            score = out[0]
            losses.append(hinge_loss(score, 2 * label - 1))  # labels 0/1 -> −1/+1
            correct += (score.data > 0.0) == (label == 1)
        else:
            losses.append(_MULTICLASS[loss](out, label))
            correct += max(range(len(out)), key=lambda j: out[j].data) == label  # argmax
    return data_loss(losses), correct  # (1/N) Σᵢ Lᵢ


@contextmanager
def _where(place: str, note: str = "") -> Iterator[None]:
    """Name the epoch and batch in a GateError or DivergedError raised inside (same type, same cause)."""
    try:
        yield
    except (GateError, DivergedError) as e:
        if type(e) not in (GateError, DivergedError):  # a subclass may take other arguments: leave it be
            raise
        raise type(e)(f"fit: {place}: {e}{note}") from e


def fit(
    model: Any,
    X: Any,
    y: Any,
    *,
    loss: Optional[str] = None,
    epochs: int = 10,
    lr: float = 0.1,
    reg: float = 0.0,
    batch_size: Optional[int] = None,
    val: Optional[tuple[Any, Any]] = None,
    seed: int = 0,
    progress: bool = True,
    engine: Optional[str] = None,
    record: bool = False,
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
            prediction "class 1 where the score is > 0". None (the default) picks by the model:
            1 output: "hinge"; K >= 2 outputs: "softmax".
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
        record: keep a copy of the parameters' data after every epoch in ``History.snapshots``
            (one list of floats per epoch, on either engine), and the model before training in
            ``History.start`` (its parameters, objective and accuracy: one more pass over the
            data), for a training timeline (``viz.save_training``). Off by default: then
            nothing is copied.

    Returns:
        A :class:`History`.

    Training never goes silently non-finite: an SGD step that would make a parameter NaN or
    infinite raises :class:`nn.DivergedError`, and a gate that overflows in a batch's forward or
    backward raises ``GateError``, each naming the epoch and batch. Either way the step is not
    taken, so the model keeps its parameters from before that batch (the last finite ones).

    Raises:
        ValueError: an unknown loss name (the valid ones are listed), X and y of different
            lengths, an empty dataset, NaN or infinity in X, a label outside 0..K−1, a model
            whose number of outputs does not suit the loss (the message names the loss to pass),
            or a bad epochs/lr/reg/batch_size.
        TypeError: a model that is not callable with ``parameters()``, or that returns something
            other than a Value or a list of Values.
        DivergedError: an update would make a parameter NaN or infinite (lower lr).
        GateError: a gate overflowed or left its domain during a batch.

    >>> from nn import MLP
    >>> from nn.data import make_moons
    >>> X, y = make_moons(20)
    >>> history = fit(MLP(2, [8, 1]), X, y, loss="hinge", epochs=5, lr=0.5, progress=False)
    >>> len(history.train_loss), history.val_loss
    (5, [])
    """
    if loss is not None:
        check_choice("loss", loss, LOSSES)
    _check_model(model)
    Xa = _check_X(X, model, "X")
    k = _n_outputs(model, Xa[0])
    loss = _choose_loss(loss, k)
    ya = _check_labels(y, len(Xa), loss, k, "y")
    val_arrays = None
    if val is not None:
        if not (isinstance(val, (tuple, list)) and len(val) == 2):
            raise ValueError(f"val must be a pair (X_val, y_val), got {type(val).__name__}")
        Xv = _check_X(val[0], model, "X_val")
        val_arrays = Xv, _check_labels(val[1], len(Xv), loss, k, "y_val")
    epochs = check_int("epochs", epochs, 1)
    lr = check_real("lr", lr, positive=True)
    reg = check_real("reg", reg, low=0.0)
    if engine is not None:
        check_choice("engine", engine, ENGINES)
    n = len(Xa)
    size = n if batch_size is None else check_int("batch_size", batch_size, 1)
    rng = random.Random(check_int("seed", seed, 0))

    params = model.parameters()
    optimizer = SGD(params, lr)
    trainer = None
    if engine == "replay" or (engine is None and _replay.supports(model)):
        trainer = _replay.ReplayTrainer(model, loss, Xa.shape[1], 2 if loss == "hinge" else k, params, reg)
        if not _replay.supports(model):  # a model of yours: check its graph is the same for other samples
            trainer.verify(Xa[:100], ya[:100])

    history = History(loss=loss)
    if not isinstance(record, bool):
        raise TypeError(f"record must be True or False, got {type(record).__name__}")
    if record:  # epoch 0: the model before any update, measured on the whole data
        history.start = _start(model, trainer, Xa, ya, val_arrays, loss, params, reg, size)
    order = list(range(n))
    batches = -(-n // size)  # ⌈n / size⌉
    kept = f"; the step was not taken, so the model keeps its parameters from before this batch (lr={lr:g})"
    bar = tqdm(range(epochs), desc="fit", unit="epoch", disable=not progress)
    for epoch in bar:
        if size < n:
            rng.shuffle(order)
        loss_sum = 0.0
        correct = 0
        for b, start in enumerate(range(0, n, size)):
            batch = order[start : start + size]
            where = f"epoch {epoch + 1}/{epochs}, batch {b + 1}/{batches}"
            if trainer is not None:
                try:
                    optimizer.zero_grad()
                    value, right = trainer.backward(Xa[batch], ya[batch])
                except GateError:  # outside the traced graph's domain: this batch on the scalar path
                    value = None
                if value is not None:
                    with _where(where, kept):
                        optimizer.step()
                    loss_sum += value * (len(batch) / n)
                    correct += right
                    continue
            with _where(where, kept), cyclic_gc_paused():
                objective, right = _data_loss(model, Xa[batch].tolist(), ya[batch].tolist(), loss)
                if reg:
                    objective = total_loss(objective, l2_penalty(params, reg))  # L = data loss + λ·Σp²
                optimizer.zero_grad()
                objective.backward()
                optimizer.step()
            loss_sum += objective.data * (len(batch) / n)  # the epoch's mean, never above the largest batch loss
            correct += right
        history.train_loss.append(loss_sum)
        history.train_acc.append(correct / n)
        if record:
            history.snapshots.append([p.data for p in params])
        postfix = {"loss": f"{history.train_loss[-1]:.4f}", "acc": f"{history.train_acc[-1]:.3f}"}
        if val_arrays is not None:
            with _where(f"epoch {epoch + 1}/{epochs}, validation"):
                if trainer is not None:
                    val_loss, val_acc = _evaluate_replay(trainer, *val_arrays, size)
                else:
                    val_loss, val_acc = _evaluate(model, val_arrays[0].tolist(), val_arrays[1].tolist(),
                                                  loss, params, reg, size)
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
        loss_sum += data_loss.data * (len(xs[chunk]) / len(xs))
        correct += right
    penalty = l2_penalty(params, reg).data if reg else 0.0
    return loss_sum + penalty, correct / len(xs)


def _start(model: Any, trainer: Optional[_replay.ReplayTrainer], Xa: np.ndarray, ya: np.ndarray,
           val_arrays: Optional[tuple[np.ndarray, np.ndarray]], loss: str, params: list[Value], reg: float,
           size: int) -> Start:
    """The model's parameters and its objective and accuracy (training, validation) before fit changes it."""

    def measure(X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        if trainer is not None:
            return _evaluate_replay(trainer, X, y, size)
        return _evaluate(model, X.tolist(), y.tolist(), loss, params, reg, size)

    with _where("before training"):
        train_loss, train_acc = measure(Xa, ya)
        val_loss, val_acc = measure(*val_arrays) if val_arrays is not None else (None, None)
    return Start([p.data for p in params], train_loss, train_acc, val_loss, val_acc)


def _evaluate_replay(trainer: _replay.ReplayTrainer, X: np.ndarray, y: np.ndarray, size: int) -> tuple[float, float]:
    """:func:`_evaluate` on the replay path (falling back to it where a chunk leaves the traced domain)."""
    try:
        loss_sum, correct = trainer.evaluate(X, y, size)
    except GateError:
        return _evaluate(trainer.model, X.tolist(), y.tolist(), trainer.loss_name, trainer.params, trainer.reg, size)
    return loss_sum / len(y) + trainer.penalty_value(), correct / len(y)
