"""Tests for nn.fit and nn.History: the course's demonstrations and every rejected input."""

import numpy as np
import pytest

import nn
from autograd import GateError, Value
from nn.data import load_digits, make_moons, make_spiral


@pytest.fixture(scope="module")
def moons_history():
    """micrograd's demo: MLP(2, [16, 16, 1]) with the hinge loss on 100 moons, 100 full-batch epochs."""
    X, y = make_moons(100)
    return nn.fit(nn.MLP(2, [16, 16, 1]), X, y, loss="hinge", epochs=100, lr=0.5, reg=1e-4, progress=False)


def test_moons_reach_95_percent_training_accuracy(moons_history):
    """The demo network separates the moons: >= 95% training accuracy after 100 epochs."""
    assert moons_history.train_acc[-1] >= 0.95


def test_moons_loss_falls(moons_history):
    """The training objective at the last epoch is well below the first."""
    assert moons_history.train_loss[-1] < 0.5 * moons_history.train_loss[0]


def test_history_has_one_entry_per_epoch_and_no_val_without_val(moons_history):
    """Without val, train lists have one entry per epoch and the val lists stay empty."""
    h = moons_history
    assert (len(h.train_loss), len(h.train_acc), h.val_loss, h.val_acc) == (100, 100, [], [])


@pytest.fixture(scope="module")
def digits_history():
    """A linear softmax classifier on 200 real digits, validated on 200 others."""
    X, y = load_digits()
    order = np.random.default_rng(0).permutation(len(X))
    train, held_out = order[:200], order[200:400]
    model = nn.Linear(64, 10)
    return nn.fit(model, X[train], y[train], epochs=5, lr=0.5, batch_size=20, val=(X[held_out], y[held_out]), progress=False)


def test_linear_classifier_on_digits_beats_chance_on_held_out_data(digits_history):
    """Held-out accuracy is far above the 10% of guessing."""
    assert digits_history.val_acc[-1] > 0.6


def test_history_records_validation_loss_every_epoch(digits_history):
    """With val, val_loss and val_acc get one entry per epoch and val_loss falls here."""
    h = digits_history
    assert len(h.val_loss) == len(h.val_acc) == 5 and h.val_loss[-1] < h.val_loss[0]


def test_svm_loss_trains_a_multiclass_mlp():
    """loss="svm" trains an MLP on a 3-arm spiral: training accuracy rises well above a third."""
    X, y = make_spiral(20, 3)
    h = nn.fit(nn.MLP(2, [16, 3]), X, y, loss="svm", epochs=30, lr=0.1, batch_size=20, progress=False)
    assert h.train_acc[-1] > 0.5 and h.train_loss[-1] < h.train_loss[0]


def test_fit_is_reproducible():
    """The same seeds give the same history, mini-batch shuffling included."""
    X, y = make_spiral(10, 3)
    runs = [nn.fit(nn.MLP(2, [4, 3]), X, y, epochs=2, batch_size=7, progress=False).train_loss for _ in range(2)]
    assert runs[0] == runs[1]


def test_fit_full_batch_matches_one_manual_step():
    """With batch_size=None one epoch is one SGD step on the mean loss plus the L2 penalty."""
    X, y = make_spiral(5, 2)
    fitted, manual = nn.Linear(2, 2), nn.Linear(2, 2)
    nn.fit(fitted, X, y, epochs=1, lr=0.3, reg=0.01, progress=False)
    objective = sum(nn.losses.softmax_cross_entropy(manual(x), int(t)) for x, t in zip(X, y)) * (1 / len(X))
    (objective + nn.losses.l2_penalty(manual.parameters(), 0.01)).backward()
    nn.SGD(manual.parameters(), lr=0.3).step()
    np.testing.assert_allclose(fitted.weight_matrix(), manual.weight_matrix(), rtol=1e-12)


def test_progress_bar_is_shown_when_asked(capsys):
    """progress=True draws a tqdm bar on stderr; progress=False prints nothing."""
    X, y = make_moons(10)
    nn.fit(nn.MLP(2, [4, 1]), X, y, loss="hinge", epochs=2, progress=True)
    shown = capsys.readouterr().err
    nn.fit(nn.MLP(2, [4, 1]), X, y, loss="hinge", epochs=2, progress=False)
    assert "fit" in shown and "2/2" in shown and capsys.readouterr().err == ""


X2, Y2 = make_moons(6)


@pytest.mark.parametrize(
    ("X", "y", "kwargs", "message"),
    [
        (X2, Y2[:5], {}, r"y must hold one label per sample: expected 6, got shape \(5,\)"),
        (X2, Y2 + 2, {}, r"y\[0\] = 2 is outside the classes 0..1 \(the model has 2 outputs\)"),
        (X2, Y2 - 1, {}, r"y\[0\] = -1 is outside the classes 0..1"),
        (np.zeros((0, 2)), np.zeros(0, dtype=int), {}, r"X is empty: the dataset has no samples"),
        (np.where(np.eye(6, 2) == 1, np.nan, X2), Y2, {}, r"X contains NaN or infinity: X\[0, 0\] = nan"),
        (X2[:, :1], Y2, {}, r"X has 1 features per sample, but the model expects 2 inputs"),
        (X2, Y2.astype(float), {}, r"y must hold integer class labels, got dtype float64"),
        (np.zeros((6, 1, 2)), Y2, {}, r"X must be 2-D .* got shape \(6, 1, 2\) \(flatten each image first"),
        (X2, Y2, {"loss": "mse"}, r"unknown loss 'mse'; choose one of 'softmax', 'svm', 'hinge'"),
        (X2, Y2, {"loss": "hinge"}, r"loss='hinge' needs a model with 1 output, got 2: pass loss='softmax' or loss='svm'"),
        (X2, Y2, {"epochs": 0}, r"epochs must be an integer >= 1, got 0"),
        (X2, Y2, {"lr": -1.0}, r"lr must be a finite number > 0, got -1.0"),
        (X2, Y2, {"batch_size": 0}, r"batch_size must be an integer >= 1, got 0"),
        (X2, Y2, {"val": (X2, Y2[:3])}, r"y_val must hold one label per sample: expected 6, got shape \(3,\)"),
        (X2, Y2, {"val": X2}, r"val must be a pair \(X_val, y_val\), got ndarray"),
    ],
)
def test_fit_rejects_bad_input(X, y, kwargs, message):
    """Each bad input raises ValueError with a message naming what was expected and what came."""
    with pytest.raises(ValueError, match=message):
        nn.fit(nn.MLP(2, [3, 2]), X, y, progress=False, **kwargs)


def test_fit_hinge_rejects_labels_other_than_0_and_1():
    """For loss="hinge" labels must be 0/1 (mapped to −1/+1): a −1 label is refused, not reinterpreted."""
    X, y = make_moons(6)
    with pytest.raises(ValueError, match=r"y\[0\] = -1 is outside the classes 0..1 \(loss='hinge' maps labels 0/1"):
        nn.fit(nn.MLP(2, [3, 1]), X, 2 * y - 1, loss="hinge", progress=False)


def test_fit_softmax_rejects_a_single_output_model():
    """A 1-output model cannot give softmax one score per class: ValueError naming loss='hinge' to pass."""
    X, y = make_moons(6)
    with pytest.raises(ValueError, match=r"loss='softmax' needs one score per class \(>= 2 outputs\), got 1: pass loss='hinge'"):
        nn.fit(nn.MLP(2, [3, 1]), X, y, loss="softmax", progress=False)


class _TwoScores:
    """A hand-written model without nin/nout: scores (w·x, −w·x)."""

    def __init__(self):
        self.w = Value(0.0, "w")

    def __call__(self, x):
        return [x[0] * self.w, x[0] * -self.w]

    def parameters(self):
        return [self.w]


def test_fit_trains_any_callable_with_parameters():
    """A model that is not an nn.Module but is callable and has parameters() trains."""
    h = nn.fit(_TwoScores(), [[1.0], [-1.0]], [0, 1], epochs=10, lr=0.5, progress=False)
    assert h.train_acc[-1] == 1.0


def test_fit_counts_the_classes_of_a_model_without_nout():
    """Without an nout attribute fit calls the model once to count its scores, then checks the labels."""
    with pytest.raises(ValueError, match=r"y\[1\] = 2 is outside the classes 0..1 \(the model has 2 outputs\)"):
        nn.fit(_TwoScores(), [[1.0], [-1.0]], [0, 2], progress=False)


# --- the default loss fits the model; a model's output is checked


def test_default_loss_is_hinge_for_one_output():
    """Without loss=, a 1-output model trains with the hinge loss: the same history as loss="hinge"."""
    X, y = make_moons(10)
    default = nn.fit(nn.MLP(2, [4, 1]), X, y, epochs=3, lr=0.5, progress=False)
    hinge = nn.fit(nn.MLP(2, [4, 1]), X, y, loss="hinge", epochs=3, lr=0.5, progress=False)
    assert default == hinge


def test_default_loss_is_softmax_for_several_outputs():
    """Without loss=, a 3-output model trains with softmax cross-entropy: the same history as loss="softmax"."""
    X, y = make_spiral(5, 3)
    default = nn.fit(nn.MLP(2, [4, 3]), X, y, epochs=2, progress=False)
    softmax = nn.fit(nn.MLP(2, [4, 3]), X, y, loss="softmax", epochs=2, progress=False)
    svm = nn.fit(nn.MLP(2, [4, 3]), X, y, loss="svm", epochs=2, progress=False)
    assert default == softmax and default != svm


def test_default_loss_counts_the_outputs_of_a_model_without_nout():
    """A hand-written 2-score model without nout gets softmax by default, as an nn.MLP would."""
    h = nn.fit(_TwoScores(), [[1.0], [-1.0]], [0, 1], epochs=2, lr=0.5, progress=False)
    assert h == nn.fit(_TwoScores(), [[1.0], [-1.0]], [0, 1], loss="softmax", epochs=2, lr=0.5, progress=False)


def test_hinge_on_a_model_without_nout_that_gives_two_scores_is_refused():
    """loss="hinge" with a 2-score model without nout is refused, not trained on its first score."""
    with pytest.raises(ValueError, match=r"loss='hinge' needs a model with 1 output, got 2: pass loss='softmax' or loss='svm'"):
        nn.fit(_TwoScores(), [[1.0], [-1.0]], [0, 1], loss="hinge", progress=False)


class _Returns:
    """A model that returns whatever it was given, with one parameter."""

    def __init__(self, out):
        self.out, self.w = out, Value(0.0)

    def __call__(self, x):
        return self.out

    def parameters(self):
        return [self.w]


@pytest.mark.parametrize(
    ("out", "got"),
    [
        (0.5, r"float: 0.5"),
        ([0.5, 1.5], r"a list whose item 0 is float: 0.5"),
        ([Value(1.0), "s"], r"a list whose item 1 is str: 's'"),
        ([], r"list: \[\]"),
        (None, r"NoneType: None"),
    ],
)
def test_a_model_that_does_not_return_values_is_told_what_to_return(out, got):
    """A model returning a float, plain numbers or nothing gets a TypeError saying it must return Values."""
    told = r"the model must return a Value \(one score\) or a list of Values \(one score per class\), computed from its parameters"
    with pytest.raises(TypeError, match=told + "; it returned " + got):
        nn.fit(_Returns(out), [[1.0], [2.0]], [0, 1], progress=False)


class _WrappedScores(_TwoScores):
    """_TwoScores with its scores handed back through ``wrap`` (tuple, numpy array, …)."""

    def __init__(self, wrap):
        super().__init__()
        self.wrap = wrap

    def __call__(self, x):
        return self.wrap(super().__call__(x))


@pytest.mark.parametrize("wrap", [tuple, lambda scores: np.array(scores, dtype=object)], ids=["tuple", "ndarray"])
def test_a_model_may_return_a_tuple_or_an_array_of_values(wrap):
    """Scores as a tuple or a numpy object array of Values train exactly like a list."""
    X, y = [[1.0], [-1.0]], [0, 1]
    assert nn.fit(_WrappedScores(wrap), X, y, epochs=2, progress=False) == nn.fit(_TwoScores(), X, y, epochs=2, progress=False)


class _OneOutputReturnsFloat(_Returns):
    nout = 1


def test_a_model_with_nout_that_returns_a_float_is_told_too():
    """With nout declared the output is first seen in training: the same TypeError, not 'not subscriptable'."""
    with pytest.raises(TypeError, match=r"must return a Value .* it returned float: 0.5"):
        nn.fit(_OneOutputReturnsFloat(0.5), [[1.0], [2.0]], [0, 1], progress=False)


# --- training never goes silently non-finite


def _linear_one_output():
    return nn.MLP(2, [1], activation="linear")


def test_fit_with_a_huge_lr_raises_and_keeps_the_last_finite_parameters():
    """lr=1e308 on data scaled by 100 raises DivergedError naming the epoch, batch and lr; the weights stay finite."""
    X, y = make_moons(20)
    model = _linear_one_output()
    before = [p.data for p in model.parameters()]
    message = r"fit: epoch 1/3, batch 1/1: SGD.step: params\[0\] \('w1.0.0'\) would become -?inf .*the step was not taken.*\(lr=1e\+308\)"
    with pytest.raises(nn.DivergedError, match=message):
        nn.fit(model, 100.0 * X, y, loss="hinge", epochs=3, lr=1e308, progress=False)
    assert [p.data for p in model.parameters()] == before


class _OverflowsOnCall:
    """score = x₀·w, except that call number ``bad`` multiplies by 1e308 twice (a GateError in the forward)."""

    nout = 1

    def __init__(self, bad):
        self.bad, self.calls, self.w = bad, 0, Value(0.0, "w")

    def __call__(self, x):
        self.calls += 1
        score = x[0] * self.w
        return score * 1e308 * 1e308 if self.calls == self.bad else score

    def parameters(self):
        return [self.w]


def test_fit_gate_error_in_a_batch_leaves_the_parameters_of_the_previous_step():
    """A GateError in epoch 2's forward names the batch and leaves w as epoch 1's step set it."""
    model = _OverflowsOnCall(bad=2)
    with pytest.raises(GateError, match=r"fit: epoch 2/3, batch 1/1: mul\(\) overflows.*the step was not taken") as caught:
        nn.fit(model, [[1.0]], [1], loss="hinge", epochs=3, lr=0.5, progress=False)
    assert model.w.data == 0.5  # epoch 1: hinge 1 − w·1 at w = 0 has ∂/∂w = −1, so w ← 0 − 0.5·(−1)
    assert isinstance(caught.value.__cause__, GateError)


class _GradientOverflows:
    """score = 100·log(w) at w = 1e-307: finite forward, but ∂score/∂w = 100/w overflows in backward."""

    nout = 1

    def __init__(self):
        self.w = Value(1e-307, "w")

    def __call__(self, x):
        return self.w.log() * 100.0

    def parameters(self):
        return [self.w]


def test_fit_gate_error_in_backward_leaves_the_parameters_untouched():
    """An overflow in the backward pass raises GateError naming the batch; w is not stepped."""
    model = _GradientOverflows()
    with pytest.raises(GateError, match=r"fit: epoch 1/2, batch 1/1: .*not finite.*the step was not taken"):
        nn.fit(model, [[1.0]], [1], epochs=2, progress=False)
    assert model.w.data == 1e-307


def test_fit_names_validation_when_the_validation_forward_overflows():
    """A GateError while evaluating val names the epoch and 'validation'."""
    model = _OverflowsOnCall(bad=2)  # call 1: the training batch; call 2: the validation sample
    with pytest.raises(GateError, match=r"fit: epoch 1/1, validation: mul\(\) overflows"):
        nn.fit(model, [[1.0]], [1], epochs=1, val=([[1.0]], [1]), progress=False)


# -- fit in parts: checked arguments as a config, trainers behind one protocol, the loop ----------
def _check(model, X, y, **kwargs):
    settings = dict(loss=None, epochs=2, lr=0.1, reg=0.0, batch_size=None, val=None, seed=0, progress=False,
                    engine=None, record=False)
    return nn.train.check_fit_arguments(model, X, y, **{**settings, **kwargs})


def test_check_fit_arguments_resolves_the_defaults_into_a_frozen_config():
    """loss, batch size and engine left to fit are decided: hinge for 1 output, the whole set, replay for an MLP."""
    X, y = make_moons(10)
    config, data = _check(nn.MLP(2, [3, 1]), X, y)
    assert (config.loss, config.n_classes, config.batch_size, config.engine) == ("hinge", 1, 10, "replay")
    assert data.X.shape == (10, 2) and data.y.tolist() == list(y) and data.val is None
    with pytest.raises(AttributeError):
        config.lr = 1.0  # type: ignore[misc]


def test_check_fit_arguments_picks_the_scalar_engine_for_a_model_of_yours():
    """A model that is not one of the package's trains on the scalar engine unless replay is asked for."""
    config, _ = _check(_TwoScores(), [[1.0], [-1.0]], [0, 1])
    assert (config.engine, config.loss, config.n_classes) == ("scalar", "softmax", 2)


def test_check_fit_arguments_refuses_a_record_that_is_not_a_bool_before_any_work():
    """record="yes" is a TypeError from the checks, before any tracing or training."""
    with pytest.raises(TypeError, match=r"record must be True or False, got str"):
        _check(nn.MLP(2, [3, 1]), [[0.0, 1.0]], [1], record="yes")


class _Counting:
    """A Trainer that trains nothing: it counts its calls and reports a loss of 1 and every sample right."""

    def __init__(self):
        self.model, self.params, self.steps, self.evaluated = None, [Value(0.0, "w")], [], 0

    def step(self, X, y):
        self.steps.append(len(y))
        return 1.0, len(y)

    def evaluate(self, X, y):
        self.evaluated += 1
        return 2.0, 0.5


def test_train_runs_any_trainer_batch_by_batch():
    """train hands each batch to trainer.step and the validation set to trainer.evaluate, every epoch."""
    X, y = make_moons(10)
    config, data = _check(nn.MLP(2, [3, 1]), X, y, epochs=3, batch_size=4, val=(X, y), engine="scalar")
    trainer = _Counting()
    history = nn.train.train(trainer, config, data)
    assert trainer.steps == [4, 4, 2] * 3 and trainer.evaluated == 3
    assert history.train_loss == [1.0] * 3 and history.train_acc == [1.0] * 3 and history.val_acc == [0.5] * 3


@pytest.mark.parametrize("engine", ["scalar", "replay"])
def test_both_trainers_step_like_fit(engine):
    """Each trainer's step is fit's update: the same objective and parameters as one epoch of full-batch fit."""
    X, y = make_moons(12)
    model, twin = nn.MLP(2, [4, 1], seed=3), nn.MLP(2, [4, 1], seed=3)
    config, data = _check(model, X, y, engine=engine, reg=1e-3, epochs=1)
    trainer = nn.train.ScalarTrainer(model, config)
    if engine == "replay":
        trainer = nn.train.ReplayTrainer(trainer, data)
    value, right = trainer.step(data.X, data.y)
    history = nn.fit(twin, X, y, engine=engine, reg=1e-3, epochs=1, progress=False)
    assert value == history.train_loss[0] and right / len(y) == history.train_acc[0]
    assert [p.data for p in model.parameters()] == [p.data for p in twin.parameters()]
