"""The decision boundary is computed by replay (one traced prediction), equal to the scalar engine's, and survives a diverged model."""

from __future__ import annotations

import re

import numpy as np
import pytest

import nn
from viz.boundary import trace_prediction
from viz.plots import VERIFY_POINTS, grid_classes, plot_decision_boundary, predict

XS, YS = np.linspace(-1.5, 2.5, 7), np.linspace(-1.0, 1.5, 6)


def scalar_grid(model) -> list[list[int]]:
    """The classes of the grid's points, one scalar forward each (viz.plots.predict)."""
    return [[predict(model, (x, y)) for x in XS] for y in YS]


class Counted:
    """A model that counts its calls."""

    def __init__(self, model) -> None:
        self.model, self.calls = model, 0

    def __call__(self, p):
        self.calls += 1
        return self.model(p)


@pytest.mark.parametrize("outputs", [1, 3])
def test_replay_gives_the_scalar_engines_classes_at_every_grid_point(outputs: int) -> None:
    """A network with one score or three: the replayed grid is the scalar engine's, point by point."""
    model = nn.MLP(2, [8, outputs], seed=3)
    assert grid_classes(model, XS, YS).tolist() == scalar_grid(model)


def test_a_traceable_model_is_called_once_to_trace_and_at_the_checked_points_only() -> None:
    """42 grid points cost one traced call and VERIFY_POINTS checks, not one scalar forward each."""
    model = Counted(nn.MLP(2, [8, 1], seed=3))
    grid_classes(model, XS, YS)
    assert model.calls == 1 + VERIFY_POINTS


def test_a_model_that_branches_on_the_data_falls_back_to_the_scalar_engine() -> None:
    """A Python `if` on .data builds another graph on part of the plane: every point is then computed by the scalar engine."""

    def branchy(p):
        x, y = p
        return x * 1.0 - 0.5 if getattr(y, "data", y) > 0 else y * 1.0 + 0.25

    model = Counted(branchy)
    classes = grid_classes(model, XS, YS).tolist()
    assert classes == scalar_grid(branchy) and model.calls > len(XS) * len(YS)


def test_points_where_the_model_overflows_get_no_class_and_the_rest_are_drawn() -> None:
    """exp(1000·(x − 0.5)) − 1 overflows for x > 1.21: those points get −1, the others their class; the figure says so."""

    def steep(p):
        return ((p[0] - 0.5) * 1000.0).exp() - 1.0

    xs, ys = np.array([0.0, 0.4, 0.6, 2.0]), np.array([0.0])
    assert grid_classes(steep, xs, ys).tolist() == [[0, 0, 1, -1]]
    figure = plot_decision_boundary(steep, np.array([[0.0, 0.0], [2.0, 1.0]]), np.array([0, 1]), resolution=8)
    assert "no finite score" in [t.get_text() for t in figure.axes[0].get_legend().get_texts()]


def test_trace_prediction_keeps_the_first_hidden_layers_outputs_by_origin() -> None:
    """hidden=k: the first k neurons of layer 1, named by origin, for a network with a second layer."""
    traced = trace_prediction(nn.MLP(2, [4, 4, 1], seed=0), hidden=2)
    assert [name for name, _ in traced.hidden] == ["L1.N0", "L1.N1"] and len(traced.scores) == 1


def test_a_diverged_training_run_draws_its_plots_instead_of_reporting_a_bug(tmp_path, monkeypatch, capsys) -> None:
    """lr = 1e8 trains 5 epochs to a model that overflows on part of the plane: both plots are written, exit 0."""
    from viz.cli import main

    monkeypatch.chdir(tmp_path)
    code = main(["train", "moons", "--lr", "1e8", "--epochs", "5", "--no-progress", "-o", "out"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "") and "bug in gategraph" not in out
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["boundary.png", "history.png"]


def test_a_run_that_diverges_while_training_fails_in_one_line_naming_the_epoch_and_writes_nothing(
        tmp_path, monkeypatch, capsys) -> None:
    """lr = 1e12 overflows a step: one line naming the epoch and the numbers, and no folder of partial plots."""
    from viz.cli import main

    monkeypatch.chdir(tmp_path)
    code = main(["train", "moons", "--lr", "1e12", "--epochs", "5", "--no-progress", "-o", "out"])
    _, err = capsys.readouterr()
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert re.search(r"training diverged: fit: epoch \d/5, batch 1/1: mul\(\) overflows a float, got ", err), err
    assert not (tmp_path / "out").exists()
