"""fit's replay path: the same History as the scalar path, and one sample's graph still drawable."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Value
from nn.data import make_moons, make_spiral


def both_engines(make_model, X, y, **kwargs):  # type: ignore[no-untyped-def]
    """History and final parameters of the same fit on the scalar and on the replay path."""
    out = {}
    for engine in ("scalar", "replay"):
        model = make_model()
        history = nn.fit(model, X, y, engine=engine, progress=False, **kwargs)
        out[engine] = (history, [p.data for p in model.parameters()])
    return out["scalar"], out["replay"]


def assert_same(a: nn.History, b: nn.History, tol: float = 1e-9) -> None:
    for name in ("train_loss", "train_acc", "val_loss", "val_acc"):
        xs, ys = getattr(a, name), getattr(b, name)
        assert len(xs) == len(ys), name
        for x, y in zip(xs, ys):
            assert abs(x - y) <= tol * max(1.0, abs(x)), (name, x, y)


def test_hinge_fit_gives_the_same_history_on_both_paths() -> None:
    """An MLP with hinge loss and L2: same seed, same History and weights on scalar and replay within 1e-9."""
    X, y = make_moons(30)
    (hs, ps), (hr, pr) = both_engines(lambda: nn.MLP(2, [8, 8, 1], seed=1), X, y,
                                      loss="hinge", epochs=4, lr=0.5, reg=1e-4)
    assert_same(hs, hr)
    assert max(abs(a - b) for a, b in zip(ps, pr)) <= 1e-9


def test_softmax_fit_with_batches_and_validation_agrees() -> None:
    """Softmax, shuffled minibatches and a validation set: both paths record the same numbers."""
    X, y = make_spiral(10, 3)
    (hs, _), (hr, _) = both_engines(lambda: nn.MLP(2, [8, 3], seed=2), X, y, loss="softmax", epochs=3,
                                    lr=0.5, reg=1e-3, batch_size=8, val=(X[:9], y[:9]), seed=3)
    assert_same(hs, hr)
    assert len(hr.val_loss) == 3


def test_svm_fit_agrees() -> None:
    """The multiclass SVM loss, read from one-hot label columns, trains as the scalar path does."""
    X, y = make_spiral(8, 3)
    (hs, _), (hr, _) = both_engines(lambda: nn.MLP(2, [6, 3], activation="tanh", seed=0), X, y,
                                    loss="svm", epochs=3, lr=0.1, batch_size=10)
    assert_same(hs, hr)


def test_a_batch_outside_the_traced_domain_runs_on_the_scalar_path() -> None:
    """A score gap of 2000 underflows p_y in the traced chain: that batch falls back and both paths still agree."""

    def model() -> nn.Linear:
        f = nn.Linear(2, 2, seed=0)
        f.neurons[0].w[0].data, f.neurons[1].w[0].data = 1000.0, -1000.0
        return f

    X, y = np.array([[1.0, 0.0], [0.5, 0.5]]), np.array([1, 0])
    (hs, _), (hr, _) = both_engines(model, X, y, loss="softmax", epochs=2, lr=1e-3)
    assert_same(hs, hr)
    assert hr.train_loss[0] >= 999.0  # (2000 + ~0) / 2: the first sample is in log space


def test_custom_module_defaults_to_the_scalar_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """A model that is not one of the package's is not traced unless engine="replay" is asked for."""
    traced = []
    monkeypatch.setattr(nn._replay, "ReplayTrainer", lambda *a: traced.append(a) or pytest.fail("traced"))

    class Scale(nn.Module):
        def __init__(self) -> None:
            self.nin, self.nout, self.k = 1, 1, Value(0.5, "k")

        def __call__(self, x):  # type: ignore[no-untyped-def]
            return x[0] * self.k if isinstance(x[0], Value) else Value(x[0]) * self.k

        def parameters(self) -> list[Value]:
            return [self.k]

    nn.fit(Scale(), [[1.0], [-1.0]], [1, 0], loss="hinge", epochs=1, progress=False)
    assert traced == []


def test_engine_must_be_known() -> None:
    """An unknown engine name is refused, listing the valid ones."""
    with pytest.raises(ValueError, match=r"engine.*'replay'.*'scalar'"):
        nn.fit(nn.MLP(2, [1]), [[0.0, 1.0]], [1], loss="hinge", engine="gpu", progress=False)


def test_loss_program_gives_back_one_sample_s_scalar_graph() -> None:
    """The replayed loss of a sample equals the scalar engine's loss on its own graph, ready to draw."""
    model = nn.MLP(2, [4, 3], seed=0)
    lp = nn.loss_program(model, "softmax")
    X, y = make_spiral(3, 3)
    losses, _ = lp.run(X, y, None)
    root = lp.program.scalar_graph(*lp.columns(X, y), index=4)
    want = nn.losses.softmax_cross_entropy(model(X[4].tolist()), int(y[4]))
    assert isinstance(root, Value) and root.data == pytest.approx(want.data, rel=1e-12)
    assert losses[4] == pytest.approx(want.data, rel=1e-12)
    assert "level" in str(lp.program)


def test_replay_of_a_model_that_branches_on_data_is_refused() -> None:
    """engine="replay" on a model whose graph depends on the sample raises TraceMismatch, naming the sample."""
    from autograd import TraceMismatch

    class Branchy(nn.Module):
        def __init__(self) -> None:
            self.nin, self.nout, self.k = 1, 1, Value(0.5, "k")

        def __call__(self, x):  # type: ignore[no-untyped-def]
            x0 = x[0] if isinstance(x[0], Value) else Value(x[0])
            return x0 * self.k if x0.data > 0 else x0 + self.k  # a Python branch on the data

        def parameters(self) -> list[Value]:
            return [self.k]

    with pytest.raises(TraceMismatch, match=r"the trace does not fit data point 0: node 5 is mul"):
        nn.fit(Branchy(), [[1.0], [-1.0]], [1, 0], loss="hinge", epochs=1, progress=False, engine="replay")


def test_replay_step_adds_the_scalar_engines_gradients_with_l2_into_grad() -> None:
    """One replay batch adds into each .grad what the scalar engine's loss + l2_penalty backward gives, within 1e-12."""
    from nn._replay import ReplayTrainer
    from nn.losses import l2_penalty
    from nn.train import _data_loss

    X, y = make_moons(12)
    model = nn.MLP(2, [4, 1], seed=5)
    params = model.parameters()
    objective, _ = _data_loss(model, X.tolist(), y.tolist(), "hinge")
    objective = objective + l2_penalty(params, 0.1)
    objective.backward()
    want = [p.grad for p in params]
    for p in params:
        p.grad = 1.0  # replay adds into .grad, as Value.backward does
    value, _ = ReplayTrainer(model, "hinge", 2, 2, params, 0.1).backward(X, y)
    assert abs(value - objective.data) <= 1e-12 * max(1.0, abs(objective.data))
    assert all(abs(p.grad - 1.0 - g) <= 1e-12 * max(1.0, abs(g)) for p, g in zip(params, want))
