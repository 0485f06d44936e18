"""viz.save_training: the training timeline page, its data per epoch and its errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import nn
from viz import save_training
from viz.timeline import COLOURS, LEVELS, nice_ticks, shade, training_data

pytestmark = pytest.mark.graphviz


@pytest.fixture(scope="module")
def moons():
    """A small MLP fitted on moons for 4 epochs with record=True."""
    X, y = nn.data.make_moons(30, seed=1)
    model = nn.MLP(2, [4, 1], seed=1)
    history = nn.fit(model, X, y, epochs=4, lr=0.5, batch_size=10, progress=False, record=True)
    return history, model, X, y


def page_json(path: Path) -> dict:
    return json.loads(re.search(r'id="tl-data">(.*?)</script>', path.read_text(encoding="utf-8"), re.S).group(1))


def test_page_carries_one_boundary_and_one_set_of_graph_texts_per_epoch(moons, tmp_path) -> None:
    """The page's data has a 40×40 class grid and the graph's texts for epoch 0 (before training)
    and each of the 4 epochs."""
    history, model, X, y = moons
    data = page_json(save_training(history, tmp_path / "t.html", model=model, X=X, y=y, point=3))
    assert (data["epochs"], data["first"]) == (5, 0) and len(data["boundary"]["cls"]) == 5
    assert all(len(c) == 40 * 40 and set(c) <= {"0", "1"} for c in data["boundary"]["cls"])
    assert len(data["texts"]) == 5 and all(len(t) == len(data["cells"]) > 0 for t in data["texts"])
    assert data["texts"][0] != data["texts"][-1] and data["weights"] is None


def test_epoch_0_shows_the_model_before_training(moons, tmp_path) -> None:
    """The first position is epoch 0: its boundary is the untrained model's, its chart values the
    history's start, and the charts' axis starts at 0; without a start the page starts at epoch 1."""
    history, model, X, y = moons
    untrained = nn.MLP(2, [4, 1], seed=1)  # the fixture's model as it was before fit
    assert [p.data for p in untrained.parameters()] == history.start.snapshot
    data = page_json(save_training(history, tmp_path / "t.html", model=model, X=X, y=y))
    assert _boundary_agrees(untrained, X, data, 0) and data["boundary"]["cls"][0] != data["boundary"]["cls"][-1]
    assert data["values"][0][0] == history.start.train_loss and data["values"][0][1:] == history.train_loss
    assert '>0</text>' in (tmp_path / "t.html").read_text(encoding="utf-8")
    without = nn.train.History(**{**history.__dict__, "start": None})
    assert page_json(save_training(without, tmp_path / "w.html", model=model, X=X, y=y))["first"] == 1


def test_the_model_gets_its_parameters_back(moons) -> None:
    """After the timeline is computed, the model's parameters (data and grad) are what they were."""
    history, model, X, y = moons
    model.parameters()[0].grad = 0.25
    before = [(p.data, p.grad) for p in model.parameters()]
    training_data(history, model=model, X=X, y=y)
    assert [(p.data, p.grad) for p in model.parameters()] == before


def _boundary_agrees(model, X: np.ndarray, data: dict, position: int) -> bool:
    """Whether the page's grid class at the first data point's nearest cell, at ``position`` of
    the slider, is the model's class there."""
    b = data["boundary"]
    x, yy, _ = b["pts"][0]
    r, c = round(yy * (b["n"] - 1)), round(x * (b["n"] - 1))
    pad = 0.1 * np.ptp(X, axis=0).max() + 0.25
    lo, hi = X.min(axis=0) - pad, X.max(axis=0) + pad
    gx = lo[0] + (hi[0] - lo[0]) * c / (b["n"] - 1)
    gy = hi[1] - (hi[1] - lo[1]) * r / (b["n"] - 1)
    return int(b["cls"][position][r * b["n"] + c]) == int(model([gx, gy]).data > 0)


def test_the_last_epoch_boundary_is_the_models_prediction(moons) -> None:
    """The last epoch's grid class at a data point's nearest cell agrees with the model there."""
    history, model, X, y = moons
    _, data = training_data(history, model=model, X=X, y=y)
    assert _boundary_agrees(model, X, data, -1)


def test_a_linear_classifier_gets_its_weights_per_class() -> None:
    """For nn.Linear on 4 inputs the page carries a 2×2 image per class per epoch (epoch 0 too),
    scaled to ±99."""
    X = np.array([[0.0, 1.0, 2.0, 3.0], [1.0, 0.0, 1.0, 0.0], [2.0, 2.0, 0.0, 1.0]])
    y = np.array([0, 1, 2])
    model = nn.Linear(4, 3, seed=0)
    history = nn.fit(model, X, y, epochs=2, lr=0.1, progress=False, record=True)
    _, data = training_data(history, model=model, X=X, y=y)
    w = data["weights"]
    assert (w["rows"], w["cols"], w["k"], len(w["epochs"])) == (2, 2, 3, 3) and data["boundary"] is None
    assert max(abs(v) for v in w["epochs"][2]["w"]) == 99
    assert w["epochs"][2]["s"] == pytest.approx(np.abs(model.weight_matrix()).max(), rel=1e-3)


def test_each_class_image_is_captioned_with_its_name(tmp_path) -> None:
    """class_names captions each class's weight image (escaped); without them, "class k"."""
    X = np.array([[0.0, 1.0, 2.0, 3.0], [1.0, 0.0, 1.0, 0.0], [2.0, 2.0, 0.0, 1.0]])
    y = np.array([0, 1, 2])
    model = nn.Linear(4, 3, seed=0)
    history = nn.fit(model, X, y, epochs=1, lr=0.1, progress=False, record=True)
    named = save_training(history, tmp_path / "n.html", model=model, X=X, y=y, class_names=["cat", "car", "<frog>"])
    captions = re.findall(r"<figcaption>(.*?)</figcaption>", named.read_text(encoding="utf-8"))
    assert captions == ["cat", "car", "&lt;frog&gt;"]
    plain = save_training(history, tmp_path / "p.html", model=model, X=X, y=y)
    assert re.findall(r"<figcaption>(.*?)</figcaption>", plain.read_text(encoding="utf-8")) == ["class 0", "class 1", "class 2"]


def test_a_class_no_label_names_still_gets_its_image_captioned(tmp_path) -> None:
    """A linear classifier with 3 outputs trained on labels 0 and 1 only: all 3 weight images are
    drawn and captioned (the names follow the model's outputs, not just the labels seen)."""
    X = np.array([[0.0, 1.0, 2.0, 3.0], [1.0, 0.0, 1.0, 0.0], [2.0, 2.0, 0.0, 1.0]])
    y = np.array([0, 1, 0])
    model = nn.Linear(4, 3, seed=0)
    history = nn.fit(model, X, y, loss="softmax", epochs=1, lr=0.1, progress=False, record=True)
    page = save_training(history, tmp_path / "t.html", model=model, X=X, y=y)
    assert re.findall(r"<figcaption>(.*?)</figcaption>", page.read_text(encoding="utf-8")) == ["class 0", "class 1", "class 2"]


@pytest.mark.parametrize("kwargs, message", [
    ({"class_names": ["only one"]}, r"class_names must be a name for each of the 2 classes, got 1 names"),
    ({"class_names": "ab"}, r"class_names must be a list of str, one name per class"),
    ({"X": np.zeros((30, 3))}, r"X must be a non-empty 2-D array of samples × 2 features .*shape \(30, 3\)"),
    ({"X": np.zeros(30)}, r"X must be .*shape \(30,\)"),
    ({"y": np.zeros(29, dtype=int)}, r"y must be 30 integer labels"),
    ({"point": 30}, r"point must be the index of a row of X, an int in 0\.\.29, got 30"),
    ({"point": -1}, r"point must be .* got -1"),
    ({"lang": "fr"}, r"lang"),
])
def test_bad_arguments_are_named(moons, tmp_path, kwargs, message) -> None:
    """A wrong-shape X or y, a point outside X or an unknown lang is refused by name."""
    history, model, X, y = moons
    args = {"model": model, "X": X, "y": y, **kwargs}
    with pytest.raises(ValueError, match=message):
        save_training(history, tmp_path / "t.html", **args)
    assert not (tmp_path / "t.html").exists()


def test_a_history_without_records_says_how_to_record(moons, tmp_path) -> None:
    """A fit without record=True cannot make a timeline; the message says what to pass."""
    _, model, X, y = moons
    history = nn.fit(model, X, y, epochs=1, progress=False)
    with pytest.raises(ValueError, match=r"history has no snapshots: train with nn\.fit\(\.\.\., record=True\)"):
        save_training(history, tmp_path / "t.html", model=model, X=X, y=y)


def test_another_model_is_refused(moons, tmp_path) -> None:
    """A model with another number of parameters than the snapshots is refused by name."""
    history, _, X, y = moons
    with pytest.raises(ValueError, match=r"model must be the trained model \(17 parameters per snapshot\)"):
        save_training(history, tmp_path / "t.html", model=nn.MLP(2, [5, 1]), X=X, y=y)


def test_a_wrong_suffix_is_refused(moons, tmp_path) -> None:
    """The page's path must end in .html or .htm."""
    history, model, X, y = moons
    with pytest.raises(ValueError, match=r"should end in one of \.html, \.htm"):
        save_training(history, tmp_path / "t.png", model=model, X=X, y=y)


def test_hostile_title_stays_escaped_and_nothing_is_linked(moons, tmp_path) -> None:
    """A title with markup is shown as text; the page names no URL; the CSP pins its scripts (gg.js, the timeline's)."""
    history, model, X, y = moons
    page = save_training(history, tmp_path / "t.html", model=model, X=X, y=y,
                         title="</script><img src=x onerror=alert(1)>").read_text(encoding="utf-8")
    assert "<img" not in page and "&lt;img src=x" in page
    assert "http:" not in page and "https:" not in page and page.count("<script") == 3
    assert re.search(r"script-src 'sha256-[A-Za-z0-9+/=]+' 'sha256-[A-Za-z0-9+/=]+'", page)


def test_chinese_page_speaks_chinese(moons, tmp_path) -> None:
    """lang='zh' gives the controls and the graph's cells in the course's Chinese terms."""
    history, model, X, y = moons
    page = save_training(history, tmp_path / "t.html", model=model, X=X, y=y, lang="zh").read_text(encoding="utf-8")
    assert "训练过程" in page and "决策边界" in page and "梯度" in page


class _Hostile:
    """A one-score model of ours whose parameter labels are markup."""

    nin = 2

    def __init__(self) -> None:
        from autograd import Value

        self.w = [Value(0.3, "<img src=x onerror=alert(1)>"), Value(-0.2, "</script><b>")]

    def parameters(self):
        return self.w

    def __call__(self, x):
        return self.w[0] * x[0] + self.w[1] * x[1]


def test_hostile_parameter_labels_stay_escaped(tmp_path) -> None:
    """Markup in a model's parameter labels reaches the page only as escaped text."""
    X, y = nn.data.make_moons(12)
    model = _Hostile()
    history = nn.fit(model, X, y, loss="hinge", epochs=2, lr=0.1, progress=False, record=True)
    page = save_training(history, tmp_path / "t.html", model=model, X=X, y=y).read_text(encoding="utf-8")
    assert "<img" not in page and "</script><b>" not in page and "&lt;img src=x" in page


@given(st.floats(-1e6, 1e6), st.floats(0, 1e6), st.integers(2, 8))
def test_nice_ticks_are_round_evenly_spaced_and_cover_the_range(lo, span, count) -> None:
    """The ticks start at (or below) lo and end at (or above) hi, are evenly spaced by 1, 2, 5 or 10 × a
    power of ten, and are about ``count`` of them."""
    assume(span >= 1e-6 * max(1.0, abs(lo)))  # narrower: the ticks' spacing is below the floats' resolution
    hi = lo + span
    ticks = nice_ticks(lo, hi, count)
    steps = np.diff(ticks)
    slack = 1e-6 * steps[0]  # a bound within a millionth of a step of a tick counts as on it
    assert ticks[0] <= lo + slack and ticks[-1] >= hi - slack
    assert np.allclose(steps, steps[0], rtol=1e-6)
    mantissa = steps[0] / 10 ** np.floor(np.log10(steps[0]))
    assert min(abs(mantissa - m) for m in (1, 2, 5, 10)) < 1e-6
    assert 2 <= len(ticks) <= 3 * count + 1


def test_nice_ticks_refuse_nan_and_a_reversed_range() -> None:
    """NaN bounds or hi < lo are refused by name."""
    with pytest.raises(ValueError, match=r"nice_ticks needs finite lo <= hi and count >= 2, got nan"):
        nice_ticks(float("nan"), 1.0)
    with pytest.raises(ValueError, match=r"got 2\.0, 1\.0, 5"):
        nice_ticks(2.0, 1.0)


def _luminance(colour: str) -> float:
    return sum(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def test_confidence_shading_is_paler_where_the_model_is_less_sure() -> None:
    """A class's shade darkens with each confidence level, level 0 near white; the hue stays the class's."""
    for colour in COLOURS[:3]:
        shades = [shade(colour, k) for k in range(LEVELS)]
        lum = [_luminance(s) for s in shades]
        assert all(a > b for a, b in zip(lum, lum[1:])) and lum[0] > 3 * 255 * 0.85
        rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
        darkest = [int(shades[-1][i : i + 2], 16) for i in (1, 3, 5)]
        assert np.argmin(rgb) == np.argmin(darkest) and np.argmax(rgb) == np.argmax(darkest)
    with pytest.raises(ValueError, match=r"level must be an int in 0\.\.9, got 10"):
        shade(COLOURS[0], 10)


def test_the_page_carries_a_confidence_per_cell_and_hidden_neuron_maps(moons) -> None:
    """Per epoch the boundary has a confidence digit per grid point (not all one level once
    trained), and each of the 4 hidden neurons has a 16×16 map; the traced point is the one asked for."""
    history, model, X, y = moons
    _, data = training_data(history, model=model, X=X, y=y, point=5)
    b, h = data["boundary"], data["neurons"]
    assert len(b["conf"]) == 5 and all(len(c) == 40 * 40 for c in b["conf"]) and len(set(b["conf"][-1])) > 1
    assert b["point"] == 5 and b["xticks"] and b["yticks"]
    assert h["names"] == ["L1.N0", "L1.N1", "L1.N2", "L1.N3"] and len(h["maps"]) == 5
    assert all(len(m) == 16 * 16 and set(m) <= set("abcdefghijklmnopqrstu") for e in h["maps"] for m in e)


def test_the_confidence_is_the_models_probability(moons) -> None:
    """At the grid cell nearest a data point the confidence level is sigmoid(|score|)'s level."""
    history, model, X, y = moons
    _, data = training_data(history, model=model, X=X, y=y)
    b = data["boundary"]
    x, yy, _ = b["pts"][0]
    r, c = round(yy * (b["n"] - 1)), round(x * (b["n"] - 1))
    pad = 0.1 * np.ptp(X, axis=0).max() + 0.25
    lo, hi = X.min(axis=0) - pad, X.max(axis=0) + pad
    s = model([lo[0] + (hi[0] - lo[0]) * c / (b["n"] - 1), hi[1] - (hi[1] - lo[1]) * r / (b["n"] - 1)]).data
    p = 1 / (1 + np.exp(-abs(s)))
    assert int(b["conf"][-1][r * b["n"] + c]) == min(9, int((p - 0.5) / 0.5 * 10))


def test_a_graph_whose_shape_changes_between_epochs_is_drawn_and_the_epochs_named(tmp_path) -> None:
    """Spiral at lr 200 (issue 25): the loss graph takes another branch at epoch 2; the page is
    written, names epoch 2 and carries no numbers for it."""
    X, y = nn.data.make_spiral(10, 3, seed=1)
    model = nn.MLP(2, [4, 3], seed=1)
    history = nn.fit(model, X, y, loss="softmax", epochs=6, lr=200, progress=False, record=True)
    path = save_training(history, tmp_path / "t.html", model=model, X=X, y=y)
    data = page_json(path)
    assert data["other"] == [2] and data["texts"][2] is None and data["texts"][1] is not None
    assert "At epochs 2 this point" in path.read_text(encoding="utf-8")


def test_a_history_holding_nan_writes_a_page(moons, tmp_path) -> None:
    """NaN and infinite losses (a diverged fit) reach the page as null: no JSON error, no dot drawn there."""
    history, model, X, y = moons
    broken = nn.train.History(**{**history.__dict__, "train_loss": [float("nan"), float("inf")] + history.train_loss[2:]})
    data = page_json(save_training(broken, tmp_path / "t.html", model=model, X=X, y=y))
    assert data["values"][0][1:3] == [None, None] and data["loss"][1][1] is None and data["loss"][-1][1] is not None


def test_a_diverging_fit_writes_a_page(tmp_path) -> None:
    """Moons at lr 1e30 for 3 epochs (weights near 1e86): the page is
    still written, every number in it finite or null."""
    X, y = nn.data.make_moons(20, seed=0)
    model = nn.MLP(2, [5, 1], seed=0)
    history = nn.fit(model, X, y, epochs=3, lr=1e30, progress=False, record=True)
    assert max(abs(v) for v in history.snapshots[-1]) > 1e80
    data = page_json(save_training(history, tmp_path / "t.html", model=model, X=X, y=y))
    assert data["epochs"] == 4 and len(data["boundary"]["conf"]) == 4 and len(data["edges"]["w"]) == 4
