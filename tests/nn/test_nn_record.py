"""fit(record=True): a copy of the parameters after every epoch, on both engines."""

from __future__ import annotations

import pytest

import nn
from nn import MLP, Linear, fit
from nn.data import make_moons


@pytest.mark.parametrize("engine", ["replay", "scalar"])
def test_record_keeps_the_parameters_after_each_epoch(engine: str) -> None:
    """Each snapshot is the parameters' data after its epoch; the last is the trained model's."""
    model = MLP(2, [4, 1], seed=1)
    X, y = make_moons(16)
    history = fit(model, X, y, epochs=3, lr=0.3, batch_size=8, progress=False, record=True, engine=engine)
    assert len(history.snapshots) == 3 and all(len(s) == len(model.parameters()) for s in history.snapshots)
    assert history.snapshots[-1] == [p.data for p in model.parameters()]
    assert history.snapshots[0] != history.snapshots[-1]


def test_both_engines_record_the_same_snapshots() -> None:
    """The replay and scalar engines record the same parameters, epoch for epoch (to rounding)."""
    X, y = make_moons(12)
    runs = [fit(MLP(2, [3, 1], seed=2), X, y, epochs=2, lr=0.2, progress=False, record=True, engine=e)
            for e in ("replay", "scalar")]
    for a, b in zip(runs[0].snapshots, runs[1].snapshots):
        assert a == pytest.approx(b, rel=1e-9, abs=1e-12)


def test_without_record_nothing_is_kept() -> None:
    """By default the history holds no snapshots (and knows its loss)."""
    X, y = make_moons(10)
    history = fit(MLP(2, [3, 1]), X, y, epochs=2, progress=False)
    assert history.snapshots == [] and history.loss == "hinge"


def test_record_must_be_a_bool() -> None:
    """record='yes' is refused by name."""
    X, y = make_moons(10)
    with pytest.raises(TypeError, match="record must be True or False, got str"):
        fit(MLP(2, [3, 1]), X, y, epochs=1, progress=False, record="yes")


def test_restore_sets_the_parameters_of_an_epoch() -> None:
    """restore(model, 1) puts back the parameters after epoch 1."""
    model = Linear(2, 3, seed=0)
    X, y = make_moons(10)
    history = fit(model, X, y, epochs=3, lr=0.5, progress=False, record=True)
    history.restore(model, 1)
    assert [p.data for p in model.parameters()] == history.snapshots[0]


@pytest.mark.parametrize("epoch, message", [(-1, r"epoch must be an int in 0\.\.2, got -1"),
                                            (3, r"epoch must be an int in 0\.\.2, got 3")])
def test_restore_refuses_an_epoch_outside_the_record(epoch: int, message: str) -> None:
    """An epoch outside 0..epochs (0: before training) names the range."""
    model = MLP(2, [3, 1])
    X, y = make_moons(10)
    history = fit(model, X, y, epochs=2, progress=False, record=True)
    with pytest.raises(ValueError, match=message):
        history.restore(model, epoch)


def test_restore_without_record_says_how_to_record() -> None:
    """A history without snapshots tells to pass record=True."""
    with pytest.raises(ValueError, match=r"record=True"):
        nn.train.History().restore(MLP(2, [3, 1]), 1)


def test_sample_loss_is_the_trained_loss_of_one_sample() -> None:
    """sample_loss builds the hinge loss max(0, 1 − t·s) of one sample with the fit's loss."""
    model = MLP(2, [3, 1], seed=3)
    X, y = make_moons(10)
    history = fit(model, X, y, epochs=1, progress=False)
    score = model(X[0].tolist()).data
    assert history.sample_loss(model, X[0], y[0]).data == pytest.approx(max(0.0, 1 - (2 * y[0] - 1) * score))


def test_record_keeps_the_model_before_training_as_epoch_0() -> None:
    """record=True keeps the parameters before the first update and the objective and accuracy they
    had on the whole training and validation data (measured apart here); restore(model, 0) puts them back."""
    from nn.losses import hinge_loss, l2_penalty

    model = MLP(2, [3, 1], seed=4)
    X, y = make_moons(12, seed=1)
    Xv, yv = make_moons(6, seed=2)
    before = [p.data for p in model.parameters()]

    def objective(Xs, ys):
        losses = [hinge_loss(model([float(a) for a in x]), 2 * int(t) - 1) for x, t in zip(Xs, ys)]  # labels 0/1 -> -1/+1
        return sum(l.data for l in losses) / len(losses) + l2_penalty(model.parameters(), 1e-3).data

    want_train, want_val = objective(X, y), objective(Xv, yv)
    history = fit(model, X, y, loss="hinge", epochs=2, lr=0.3, reg=1e-3, val=(Xv, yv), progress=False, record=True)
    start = history.start
    assert start.snapshot == before != [p.data for p in model.parameters()]
    assert start.train_loss == pytest.approx(want_train, rel=1e-9) and start.val_loss == pytest.approx(want_val, rel=1e-9)
    assert 0.0 <= start.train_acc <= 1.0 and 0.0 <= start.val_acc <= 1.0
    history.restore(model, 0)
    assert [p.data for p in model.parameters()] == before


def test_without_record_there_is_no_start() -> None:
    """record=False copies nothing: no snapshots, no start, and restore(model, 0) says how to record."""
    model = MLP(2, [3, 1])
    X, y = make_moons(10)
    history = fit(model, X, y, epochs=1, progress=False)
    assert history.start is None and history.snapshots == []
    with pytest.raises(ValueError, match=r"history has no snapshots: train with fit\(\.\.\., record=True\)"):
        history.restore(model, 0)
