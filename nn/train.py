"""The training loop: fit a model with SGD and record per-epoch loss and accuracy in a History."""

from __future__ import annotations

import random
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Optional, Protocol, Sequence

import numpy as np
from tqdm import tqdm

from autograd import GateError, Value

from . import _replay
from ._checks import check_choice, check_int, check_real
from ._gc import cyclic_gc_paused
from .losses import data_loss, hinge_loss, l2_penalty, softmax_cross_entropy, svm_loss, total_loss
from .optim import SGD, DivergedError

__all__ = ["ENGINES", "LOSSES", "FitConfig", "FitData", "History", "ReplayTrainer", "ScalarTrainer", "Start", "Trainer",
           "check_fit_arguments", "fit", "train"]

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
    config, data = check_fit_arguments(model, X, y, loss=loss, epochs=epochs, lr=lr, reg=reg, batch_size=batch_size,
                                       val=val, seed=seed, progress=progress, engine=engine, record=record)
    return train(_trainer(model, config, data), config, data)


# -- 1. the arguments, checked, as a config and the data ------------------------------------------
@dataclass(frozen=True)
class FitConfig:
    """``fit``'s settings, checked and resolved (what the caller left to ``fit`` decided).

    Attributes:
        loss: "softmax", "svm" or "hinge".
        n_classes: the model's number of outputs (1 for hinge).
        epochs, lr, reg, seed, progress, record: as given to ``fit``.
        batch_size: samples per update (the whole set for ``batch_size=None``).
        engine: "replay" or "scalar".
    """

    loss: str
    n_classes: int
    epochs: int
    lr: float
    reg: float
    batch_size: int
    seed: int
    progress: bool
    record: bool
    engine: str


@dataclass(frozen=True, eq=False)
class FitData:
    """The training samples and labels as checked arrays, and the validation pair if any."""

    X: np.ndarray
    y: np.ndarray
    val: Optional[tuple[np.ndarray, np.ndarray]] = None


def _check_val(val: Any, model: Any, loss: str, k: int) -> Optional[tuple[np.ndarray, np.ndarray]]:
    if val is None:
        return None
    if not (isinstance(val, (tuple, list)) and len(val) == 2):
        raise ValueError(f"val must be a pair (X_val, y_val), got {type(val).__name__}")
    Xv = _check_X(val[0], model, "X_val")
    return Xv, _check_labels(val[1], len(Xv), loss, k, "y_val")


def check_fit_arguments(model: Any, X: Any, y: Any, *, loss: Optional[str], epochs: int, lr: float, reg: float,
                        batch_size: Optional[int], val: Any, seed: int, progress: bool, engine: Optional[str],
                        record: bool) -> tuple[FitConfig, FitData]:
    """Check ``fit``'s arguments (in this order: loss name, model, X, the model's outputs, y, val,
    the numbers, engine, record) and resolve the defaults; the errors are ``fit``'s.

    >>> from nn import MLP
    >>> config, data = check_fit_arguments(MLP(2, [3, 1]), [[0.0, 1.0]], [1], loss=None, epochs=2, lr=0.1,
    ...                                    reg=0.0, batch_size=None, val=None, seed=0, progress=False,
    ...                                    engine=None, record=False)
    >>> config.loss, config.batch_size, config.engine, data.X.shape
    ('hinge', 1, 'replay', (1, 2))
    """
    if loss is not None:
        check_choice("loss", loss, LOSSES)
    _check_model(model)
    Xa = _check_X(X, model, "X")
    k = _n_outputs(model, Xa[0])
    loss = _choose_loss(loss, k)
    data = FitData(Xa, _check_labels(y, len(Xa), loss, k, "y"), _check_val(val, model, loss, k))
    epochs = check_int("epochs", epochs, 1)
    lr = check_real("lr", lr, positive=True)
    reg = check_real("reg", reg, low=0.0)
    if engine is not None:
        check_choice("engine", engine, ENGINES)
    size = len(Xa) if batch_size is None else check_int("batch_size", batch_size, 1)
    seed = check_int("seed", seed, 0)
    if not isinstance(record, bool):
        raise TypeError(f"record must be True or False, got {type(record).__name__}")
    if engine is None:
        engine = "replay" if _replay.supports(model) else "scalar"
    return FitConfig(loss, k, epochs, lr, reg, size, seed, bool(progress), record, engine), data


# -- 2. the trainers: one batch's update, and a dataset's objective and accuracy ------------------
class Trainer(Protocol):
    """What ``train`` needs of an engine: an update on a batch, and a measure of a dataset.

    Both give the training objective (mean data loss + L2 penalty, each batch measured just
    before its update) and the accuracy or the count of samples classified right.
    """

    model: Any
    params: list[Value]

    def step(self, X: np.ndarray, y: np.ndarray) -> tuple[float, int]:
        """One SGD update on the batch (X, y): its objective before the update, and how many were right."""

    def evaluate(self, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        """The objective and the accuracy on (X, y), forward only (parameters unchanged)."""


class ScalarTrainer:
    """Each batch's graph built with the scalar engine: the model's output for every sample, the mean
    loss, plus ``l2_penalty(model.parameters(), reg)``; then backward and one SGD step."""

    def __init__(self, model: Any, config: FitConfig) -> None:
        self.model, self.config = model, config
        self.params: list[Value] = model.parameters()
        self.optimizer = SGD(self.params, config.lr)

    def step(self, X: np.ndarray, y: np.ndarray) -> tuple[float, int]:
        with cyclic_gc_paused():
            objective, right = _data_loss(self.model, X.tolist(), y.tolist(), self.config.loss)
            if self.config.reg:
                objective = total_loss(objective, l2_penalty(self.params, self.config.reg))  # L = data loss + λ·Σp²
            self.optimizer.zero_grad()
            objective.backward()
            self.optimizer.step()
        return objective.data, right

    def evaluate(self, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        c = self.config
        return _evaluate(self.model, X.tolist(), y.tolist(), c.loss, self.params, c.reg, c.batch_size)


class ReplayTrainer:
    """One sample's loss traced once and replayed on numpy over each batch (``nn._replay``), with the
    L2 penalty on the parameter vector; a batch outside the traced graph's domain (a GateError in
    replay) runs on the scalar trainer, which then names the gate if it fails too.

    A model that is not one of the package's is checked first: 5 of the first 100 samples through
    the scalar engine (``Program.verify``), raising ``autograd.TraceMismatch`` where its graph differs.
    """

    def __init__(self, scalar: ScalarTrainer, data: FitData) -> None:
        self.scalar, self.model, self.params = scalar, scalar.model, scalar.params
        c = scalar.config
        n_features, n_classes = data.X.shape[1], 2 if c.loss == "hinge" else c.n_classes
        self.replay = _replay.ReplayTrainer(self.model, c.loss, n_features, n_classes, self.params, c.reg)
        if not _replay.supports(self.model):  # a model of yours: check its graph is the same for other samples
            self.replay.verify(data.X[:100], data.y[:100])

    def step(self, X: np.ndarray, y: np.ndarray) -> tuple[float, int]:
        optimizer = self.scalar.optimizer
        try:
            optimizer.zero_grad()
            value, right = self.replay.backward(X, y)
        except GateError:  # outside the traced graph's domain: this batch on the scalar path
            return self.scalar.step(X, y)
        optimizer.step()
        return value, right

    def evaluate(self, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        try:
            loss_sum, correct = self.replay.evaluate(X, y, self.scalar.config.batch_size)
        except GateError:  # a chunk outside the traced domain: the whole set on the scalar path
            return self.scalar.evaluate(X, y)
        return loss_sum / len(y) + self.replay.penalty_value(), correct / len(y)


def _trainer(model: Any, config: FitConfig, data: FitData) -> Trainer:
    scalar = ScalarTrainer(model, config)
    return ReplayTrainer(scalar, data) if config.engine == "replay" else scalar


# -- 3. the loop ------------------------------------------------------------------------------------
def train(trainer: Trainer, config: FitConfig, data: FitData) -> History:
    """Run ``config.epochs`` epochs of ``trainer`` on ``data``, shuffled by ``config.seed``: ``fit``'s loop."""
    history = History(loss=config.loss)
    if config.record:  # epoch 0: the model before any update, measured on the whole data
        history.start = _start(trainer, data)
    n, size, epochs = len(data.y), config.batch_size, config.epochs
    order = list(range(n))
    rng = random.Random(config.seed)
    bar = tqdm(range(epochs), desc="fit", unit="epoch", disable=not config.progress)
    for epoch in bar:
        if size < n:
            rng.shuffle(order)
        loss_sum, correct = _epoch(trainer, config, data, order, epoch)
        history.train_loss.append(loss_sum)
        history.train_acc.append(correct / n)
        if config.record:
            history.snapshots.append([p.data for p in trainer.params])
        postfix = {"loss": f"{history.train_loss[-1]:.4f}", "acc": f"{history.train_acc[-1]:.3f}"}
        if data.val is not None:
            with _where(f"epoch {epoch + 1}/{epochs}, validation"):
                val_loss, val_acc = trainer.evaluate(*data.val)
            history.val_loss.append(val_loss)
            history.val_acc.append(val_acc)
            postfix["val_loss"] = f"{val_loss:.4f}"
        bar.set_postfix(postfix)
    return history


def _epoch(trainer: Trainer, config: FitConfig, data: FitData, order: list[int], epoch: int) -> tuple[float, int]:
    """One pass over the batches of ``order``: the epoch's mean objective and how many were right."""
    n, size = len(order), config.batch_size
    batches = -(-n // size)  # ⌈n / size⌉
    kept = f"; the step was not taken, so the model keeps its parameters from before this batch (lr={config.lr:g})"
    loss_sum = 0.0
    correct = 0
    for b, start in enumerate(range(0, n, size)):
        batch = order[start : start + size]
        with _where(f"epoch {epoch + 1}/{config.epochs}, batch {b + 1}/{batches}", kept):
            value, right = trainer.step(data.X[batch], data.y[batch])
        loss_sum += value * (len(batch) / n)  # the epoch's mean, never above the largest batch loss
        correct += right
    return loss_sum, correct


def _evaluate(
    model: Any, xs: list, ys: list, loss: str, params: list[Value], reg: float, size: int
) -> tuple[float, float]:
    """The objective (data loss + penalty) and accuracy on a dataset, forward only, in chunks."""
    loss_sum = 0.0
    correct = 0
    for start in range(0, len(xs), size):
        chunk = slice(start, start + size)
        with cyclic_gc_paused():
            batch_loss, right = _data_loss(model, xs[chunk], ys[chunk], loss)
        loss_sum += batch_loss.data * (len(xs[chunk]) / len(xs))
        correct += right
    penalty = l2_penalty(params, reg).data if reg else 0.0
    return loss_sum + penalty, correct / len(xs)


def _start(trainer: Trainer, data: FitData) -> Start:
    """The model's parameters and its objective and accuracy (training, validation) before fit changes it."""
    with _where("before training"):
        train_loss, train_acc = trainer.evaluate(data.X, data.y)
        val_loss, val_acc = trainer.evaluate(*data.val) if data.val is not None else (None, None)
    return Start([p.data for p in trainer.params], train_loss, train_acc, val_loss, val_acc)
