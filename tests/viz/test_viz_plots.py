"""viz.plots draws History curves, decision boundaries and weight templates as Agg figures, by duck typing."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from viz.plots import plot_decision_boundary, plot_history, plot_weights, predict


def history(val: bool = True) -> SimpleNamespace:
    """A History-like object with three epochs."""
    return SimpleNamespace(
        train_loss=[1.0, 0.6, 0.4], train_acc=[0.5, 0.7, 0.9],
        val_loss=[1.1, 0.8, 0.9] if val else [], val_acc=[0.4, 0.6, 0.7] if val else [],
    )


def test_history_gives_loss_and_accuracy_axes_with_train_and_val() -> None:
    """Two axes, each with a training and a validation curve."""
    figure = plot_history(history())
    assert [len(ax.lines) for ax in figure.axes] == [2, 2]
    assert list(figure.axes[0].lines[1].get_ydata()) == [1.1, 0.8, 0.9]


def test_history_without_validation_draws_training_only() -> None:
    """Empty validation lists draw nothing for validation."""
    assert [len(ax.lines) for ax in plot_history(history(val=False)).axes] == [1, 1]


def test_figures_use_the_agg_canvas_and_save_png(tmp_path: Path) -> None:
    """Figures carry an Agg canvas and save as PNG without pyplot."""
    figure = plot_history(history())
    figure.savefig(tmp_path / "h.png")
    assert isinstance(figure.canvas, FigureCanvasAgg) and (tmp_path / "h.png").read_bytes()[:4] == b"\x89PNG"


def test_history_with_no_epochs_is_refused() -> None:
    """An empty train_loss raises ValueError."""
    with pytest.raises(ValueError, match=r"history.train_loss is empty"):
        plot_history(SimpleNamespace(train_loss=[], train_acc=[], val_loss=[], val_acc=[]))


def test_non_history_is_refused() -> None:
    """Something without train_loss raises TypeError naming the type."""
    with pytest.raises(TypeError, match=r"plot_history needs a History .* got dict"):
        plot_history({"train_loss": [1.0]})


def test_predict_reads_one_score_or_a_list_of_scores() -> None:
    """One score: class 1 where it is > 0; several: the argmax."""
    assert predict(lambda p: -0.5, [0, 0]) == 0 and predict(lambda p: [0.1, 0.9, 0.3], [0, 0]) == 1


def test_decision_boundary_colours_regions_and_points() -> None:
    """A linear rule on two classes gives one region fill and two point clouds."""
    X = np.array([[0.0, 0.0], [0.2, 0.1], [1.0, 1.0], [0.9, 1.2]])
    y = np.array([0, 0, 1, 1])
    ax = plot_decision_boundary(lambda p: p[0] + p[1] - 1.0, X, y, resolution=10).axes[0]
    assert len(ax.collections) >= 3 and [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1"]


def test_decision_boundary_refuses_points_that_are_not_2d() -> None:
    """X of shape (3, 3) raises ValueError naming the shape."""
    with pytest.raises(ValueError, match=r"X must be N × 2 points, got shape \(3, 3\)"):
        plot_decision_boundary(lambda p: 0.0, np.zeros((3, 3)), np.zeros(3, int))


def test_weights_draw_one_image_per_class_from_3072_columns() -> None:
    """A (10, 3072) matrix with image shape (32, 32, 3) gives ten 32×32 colour images."""
    W = np.random.default_rng(0).normal(size=(10, 3072))
    figure = plot_weights(W, (32, 32, 3))
    shapes = [ax.images[0].get_array().shape for ax in figure.axes]
    assert shapes == [(32, 32, 3)] * 10


def test_weights_drop_a_bias_column() -> None:
    """K × (D + 1) weights are read as K × D plus a bias column."""
    figure = plot_weights(np.ones((2, 65)), (8, 8))
    assert [ax.images[0].get_array().shape for ax in figure.axes] == [(8, 8), (8, 8)]


def test_weights_take_a_model_with_weight_matrix() -> None:
    """An object with weight_matrix() (nn.Linear) is accepted by duck typing."""
    model = SimpleNamespace(weight_matrix=lambda: np.arange(12.0).reshape(3, 4))
    assert len(plot_weights(model, (2, 2)).axes) == 3


def test_weights_of_the_wrong_size_are_refused() -> None:
    """(2, 10) weights for 8×8 images raise ValueError with both shapes."""
    with pytest.raises(ValueError, match=r"weights must be K × 64 .* got shape \(2, 10\)"):
        plot_weights(np.ones((2, 10)), (8, 8))


def test_without_matplotlib_the_error_names_the_extra(monkeypatch) -> None:
    """Importing viz.plots without matplotlib raises ImportError naming gategraph[plots]."""
    import importlib
    import sys

    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.delitem(sys.modules, "viz.plots", raising=False)
    with pytest.raises(ImportError, match=r'viz.plots needs matplotlib .*pip install "gategraph\[plots\]"'):
        importlib.import_module("viz.plots")
