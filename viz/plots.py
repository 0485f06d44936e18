"""Training pictures with matplotlib (Agg): loss and accuracy curves, decision boundaries, weight templates."""

from __future__ import annotations

import math
from typing import Any, Callable, Optional, Sequence

import numpy as np

try:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle
except ImportError as exc:  # matplotlib is the optional [plots] extra
    raise ImportError(
        f'viz.plots needs matplotlib ({exc}): pip install "gategraph[plots]"'
    ) from exc

from .boundary import plane, trace_prediction

__all__ = ["grid_classes", "plot_history", "plot_decision_boundary", "plot_weights", "predict"]

# One colour per class (colour-blind safe: Okabe–Ito), light versions for the regions.
CLASS_COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
TRAIN, VAL = "#1f2937", "#c2410c"


def _figure(width: float, height: float) -> Figure:
    """A figure drawn by the Agg canvas: no pyplot, no GUI, no global state touched."""
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _series(history: Any, name: str) -> list[float]:
    values = getattr(history, name, None)
    if values is None:
        return []
    try:
        return [float(v) for v in values]
    except (TypeError, ValueError):
        raise TypeError(f"plot_history: history.{name} must be a list of numbers, got {values!r:.60}") from None


def plot_history(history: Any, *, title: Optional[str] = None) -> Figure:
    """Loss and accuracy per epoch, training and validation: where overfitting shows.

    Args:
        history: anything with per-epoch lists ``train_loss``, ``train_acc``, ``val_loss`` and
            ``val_acc`` (``nn.History``); the validation lists may be empty.
        title: an optional title over both plots.

    Returns:
        A matplotlib Figure with two axes: loss (left) and accuracy (right).

    Raises:
        TypeError: ``history`` has no ``train_loss``.
        ValueError: ``train_loss`` is empty.

    >>> from types import SimpleNamespace
    >>> h = SimpleNamespace(train_loss=[1.0, 0.5], train_acc=[0.5, 0.9], val_loss=[], val_acc=[])
    >>> [ax.get_ylabel() for ax in plot_history(h).axes]
    ['loss', 'accuracy']
    """
    if not hasattr(history, "train_loss"):
        raise TypeError(
            "plot_history needs a History (train_loss, train_acc, val_loss, val_acc lists), "
            f"got {type(history).__name__}"
        )
    curves = {name: _series(history, name) for name in ("train_loss", "train_acc", "val_loss", "val_acc")}
    if not curves["train_loss"]:
        raise ValueError("plot_history: history.train_loss is empty; train for at least one epoch")
    figure = _figure(9.0, 3.4)
    loss_ax, acc_ax = figure.subplots(1, 2)
    for ax, kind in ((loss_ax, "loss"), (acc_ax, "acc")):
        for split, colour in (("train", TRAIN), ("val", VAL)):
            values = curves[f"{split}_{kind}"]
            if values:
                epochs = range(1, len(values) + 1)
                marker = "o" if len(values) <= 30 else None
                ax.plot(epochs, values, color=colour, marker=marker, markersize=3,
                        label="training" if split == "train" else "validation")
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss" if kind == "loss" else "accuracy")
        ax.grid(alpha=0.3)
        if ax.lines:
            ax.legend(frameon=False)
    acc_ax.set_ylim(-0.02, 1.02)
    if title:
        figure.suptitle(title)
    return figure


def predict(model: Callable[[list[float]], Any], point: Sequence[float]) -> int:
    """The class a model gives a point: argmax of a list of scores, or ``score > 0`` for one score.

    >>> predict(lambda p: [p[0], p[1]], [0.2, 0.7]), predict(lambda p: p[0] - 1.0, [0.5, 0.0])
    (1, 0)
    """
    scores = _scores(model, point)
    if len(scores) == 1:
        return int(scores[0] > 0.0)
    return max(range(len(scores)), key=scores.__getitem__)


def _scores(model: Callable[[list[float]], Any], point: Sequence[float]) -> list[float]:
    """The model's scores at one point, by the scalar engine: one, or one per class."""
    out = model([float(point[0]), float(point[1])])
    return [_score(s) for s in out] if isinstance(out, (list, tuple)) else [_score(out)]


def _score(x: Any) -> float:
    return float(getattr(x, "data", x))


#: Sample points of the grid a traced prediction is checked at against the scalar engine.
VERIFY_POINTS = 8


def grid_classes(model: Callable[[list[Any]], Any], xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """The class the model gives each point (xs[i], ys[j]) of a grid: an array of shape (len(ys), len(xs)).

    The model's prediction is traced once and replayed over the whole grid (``autograd.trace``,
    via :func:`viz.boundary.trace_prediction`), checked against the scalar engine at
    :data:`VERIFY_POINTS` of its points. A model the trace does not fit (one that branches in
    Python on ``.data``, or does not return Values) is called point by point instead. A point
    whose scores are not finite (a diverged model) gets class −1.

    >>> grid_classes(lambda p: p[0] - 0.5, np.array([0.0, 1.0]), np.array([0.0])).tolist()
    [[0, 1]]
    """
    gx, gy = (a.ravel() for a in np.meshgrid(xs, ys))
    try:
        traced = trace_prediction(model)
        with np.errstate(all="ignore"):
            s = traced.values_at(gx, gy, traced.scores, verify=VERIFY_POINTS)
    except (TypeError, ValueError, ArithmeticError):  # TraceMismatch is a ValueError, GateError an ArithmeticError
        rows = [_scores_or_none(model, point) for point in zip(gx.tolist(), gy.tolist())]
        k = max((len(r) for r in rows if r is not None), default=1)
        s = np.array([[math.nan] * k if r is None else r for r in rows]).T
    finite = np.isfinite(s).all(axis=0)
    classes = (s[0] > 0.0).astype(int) if len(s) == 1 else np.argmax(np.where(finite, s, 0.0), axis=0)
    return np.where(finite, classes, -1).reshape(len(ys), len(xs))


def _scores_or_none(model: Callable[[list[Any]], Any], point: tuple[float, float]) -> Optional[list[float]]:
    """The model's scores at one point by the scalar engine; None where the engine refuses a number."""
    try:
        return _scores(model, point)
    except ArithmeticError:  # GateError: the model overflows here
        return None


def plot_decision_boundary(
    model: Callable[[list[float]], Any],
    X: Any,
    y: Any,
    *,
    resolution: int = 60,
    title: Optional[str] = None,
) -> Figure:
    """The regions a 2-D classifier assigns to each class, with the data on top.

    Args:
        model: called on a list of 2 floats; returns one score Value (class 1 where it is > 0,
            as with the hinge loss) or a list of score Values (class = argmax), e.g. ``nn.MLP``.
        X: N × 2 points; y: their N integer labels.
        resolution: grid points per axis the model is evaluated at (``resolution²`` calls).
        title: an optional title.

    Returns:
        A matplotlib Figure.

    Raises:
        ValueError: X is not N × 2, y does not match it, or resolution < 2.

    >>> X = np.array([[0.0, 0.0], [1.0, 1.0]]); y = np.array([0, 1])
    >>> fig = plot_decision_boundary(lambda p: p[0] + p[1] - 1.0, X, y, resolution=5)
    >>> fig.axes[0].get_xlabel()
    'x0'
    """
    points = np.asarray(X, dtype=float)
    labels = np.asarray(y)
    if points.ndim != 2 or points.shape[1] != 2 or len(points) == 0:
        raise ValueError(f"plot_decision_boundary: X must be N × 2 points, got shape {points.shape}")
    if labels.shape != (len(points),):
        raise ValueError(f"plot_decision_boundary: y must hold {len(points)} labels, got shape {labels.shape}")
    if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 2:
        raise ValueError(f"plot_decision_boundary: resolution must be an int >= 2, got {resolution!r}")
    (x_lo, y_lo), (x_hi, y_hi) = plane(points)
    xs, ys = np.linspace(x_lo, x_hi, resolution), np.linspace(y_lo, y_hi, resolution)
    grid = np.ma.masked_less(grid_classes(model, xs, ys), 0)  # a point the model cannot score stays blank
    n_classes = int(max(grid.max() if grid.count() else 0, labels.max())) + 1
    colours = [CLASS_COLORS[k % len(CLASS_COLORS)] for k in range(n_classes)]

    figure = _figure(5.0, 4.5)
    ax = figure.subplots()
    ax.contourf(xs, ys, grid, levels=np.arange(-0.5, n_classes), cmap=ListedColormap(colours), alpha=0.25)
    for k in range(n_classes):
        chosen = labels == k
        if chosen.any():
            ax.scatter(points[chosen, 0], points[chosen, 1], s=18, color=colours[k], edgecolors="white",
                       linewidths=0.5, label=f"class {k}")
    if grid.count() < grid.size:  # a diverged model: say what the blank cells are
        ax.add_patch(Rectangle((0, 0), 0, 0, facecolor="white", edgecolor="#6b7280", label="no finite score"))
    ax.set_xlabel("x0")
    ax.set_ylabel("x1")
    ax.set_xlim(x_lo, x_hi)
    ax.set_ylim(y_lo, y_hi)
    ax.legend(frameon=False, fontsize=8, loc="best")
    if title:
        ax.set_title(title)
    return figure


def plot_weights(
    weights: Any,
    image_shape: Sequence[int],
    *,
    class_names: Optional[Sequence[str]] = None,
    title: Optional[str] = None,
) -> Figure:
    """A linear classifier's weights, one image per class: the template each class matches.

    Row k of W (K × D) is reshaped to ``image_shape``. A colour image (H, W, 3) is shown
    stretched to its own min..max, as CS231n does; a one-channel image (H, W) in red and blue
    around a white 0, so you see which pixels promote the class (red) and which suppress it
    (blue).

    Args:
        weights: a K × D array, or an object with ``weight_matrix()`` (``nn.Linear``). A
            K × (D + 1) array has a bias column last, which is dropped.
        image_shape: (H, W) or (H, W, C) with H·W·C = D, e.g. (8, 8) or (32, 32, 3).
        class_names: K names for the titles (default: "class k").
        title: an optional title over the grid.

    Returns:
        A matplotlib Figure with one image per class.

    Raises:
        ValueError: shapes that do not fit, or a wrong number of class names.

    >>> fig = plot_weights(np.arange(8.0).reshape(2, 4), (2, 2), class_names=["a", "b"])
    >>> [ax.get_title() for ax in fig.axes]
    ['a', 'b']
    """
    if hasattr(weights, "weight_matrix"):
        weights = weights.weight_matrix()
    W = np.asarray(weights, dtype=float)
    shape = tuple(int(d) for d in image_shape)
    if len(shape) not in (2, 3) or min(shape, default=0) < 1:
        raise ValueError(f"plot_weights: image_shape must be (H, W) or (H, W, C), got {tuple(image_shape)}")
    size = math.prod(shape)
    if W.ndim != 2 or W.shape[1] not in (size, size + 1):
        raise ValueError(
            f"plot_weights: weights must be K × {size} (or K × {size + 1} with a bias column) for "
            f"images of shape {shape}, got shape {W.shape}"
        )
    if not np.isfinite(W).all():
        raise ValueError("plot_weights: weights contain NaN or infinity")
    W = W[:, :size]
    K = len(W)
    names = [f"class {k}" for k in range(K)] if class_names is None else [str(n) for n in class_names]
    if len(names) != K:
        raise ValueError(f"plot_weights: {K} classes but {len(names)} class names")

    columns = min(K, 10)
    rows = -(-K // columns)
    figure = _figure(1.3 * columns + 0.6, 1.45 * rows + (0.4 if title else 0.1))
    axes = np.atleast_1d(figure.subplots(rows, columns)).ravel()
    colour = len(shape) == 3 and shape[2] == 3
    for k, ax in enumerate(axes):
        ax.set_axis_off()
        if k >= K:
            continue
        image = W[k].reshape(shape)
        if colour:
            low, high = image.min(), image.max()
            ax.imshow((image - low) / (high - low) if high > low else np.zeros_like(image), interpolation="nearest")
        else:
            image = image.reshape(shape[:2])
            bound = max(float(np.abs(image).max()), 1e-12)
            ax.imshow(image, cmap="RdBu_r", vmin=-bound, vmax=bound, interpolation="nearest")
        ax.set_title(names[k], fontsize=9)
    if title:
        figure.suptitle(title)
    # the unused cells of the grid stay empty
    for ax in axes[K:]:
        figure.delaxes(ax)
    return figure
