"""Trace once, replay on numpy: gategraph's replay against numpy by hand, torch and HIPS autograd.

Run:  python benchmarks/bench_replay.py --bench-python /path/to/venv/bin/python   (a few minutes)
      python benchmarks/bench_replay.py --quick                                    (smoke run)
      python benchmarks/bench_replay.py --parts image training                     (some parts only)

numpy's BLAS runs on one thread here (OPENBLAS_NUM_THREADS=1 etc., unless already set), as torch
does in its worker: on this shared 2-core machine OpenBLAS's threads, waiting for a busy core,
made each small matrix product several times slower (the CIFAR epoch: 13 s with them, 4 s without).

``--bench-python`` names a Python that has torch and HIPS autograd installed (``pip install
torch==2.13.0 autograd``) in a venv WITHOUT gategraph: HIPS autograd's import name ``autograd`` is
ours too. Those two engines run there, in worker processes started with ``-I`` (no gategraph on
the path); without it (or if either is missing) their columns are skipped with a note.

What is measured (seconds per step, each engine's best round; the engines take turns, round after
round, so a slow spell of this shared machine hits them alike):

1. micrograd's demo step: MLP 2→16→16→1 (relu), 100 moons points, mean hinge loss + 1e-4·Σp²,
   forward and backward. Every engine reads the 337 parameters from Value-like objects and adds
   the gradients back into their ``.grad``, as ``nn.SGD`` needs: gategraph's Values for numpy by
   hand and replay; in the worker processes (which cannot import gategraph) an object with the
   same two slots. Engines: gategraph's scalar engine; replay as ``nn.fit`` runs it (one sample's
   loss traced once and replayed over the batch; the L2 penalty and its gradient computed on the
   parameter vector read for it); numpy by hand (matrices); torch CPU float64, batched, one thread; HIPS autograd.
   Then the whole demo step traced as ONE program with no inputs (it captures the 100 points as
   constants) and replayed, against the scalar step; and what tracing costs, in scalar steps.
2. The course's image workload: Linear(3072, 10) + softmax + 1e-3·L2 on a batch of 100 images,
   forward and backward with the 30,730 parameters synced the same way: replay vs numpy by hand.
3. Training: ``gategraph train digits`` (its settings: 5 epochs, batches of 64, validation) and
   one epoch of the linear classifier on 10,000 CIFAR-shaped images (random pixels, written and
   read back in ``load_cifar10_batch``'s format), batches of 100, through ``nn.fit``.

Every engine's loss and gradient are compared with numpy by hand's before any time is printed.
"""

from __future__ import annotations

import argparse
import json
import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # before numpy loads its BLAS: see the module docstring
import pickle
import subprocess
import sys
import tempfile
import time
from operator import attrgetter
from pathlib import Path
from typing import Any, Callable, Optional

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
REG = 1e-4
IMAGE_REG = 1e-3
_data, _grad = attrgetter("data"), attrgetter("grad")


# -- the demo step as matrices: shared by numpy by hand, torch and HIPS autograd ------------------
def unpack(P: Any) -> tuple:
    """nn.MLP(2, [16, 16, 1])'s parameters, neuron by neuron (weights then bias), as matrices."""
    L1 = P[:48].reshape(16, 3)
    L2 = P[48:320].reshape(16, 17)
    L3 = P[320:337]
    return L1[:, :2], L1[:, 2], L2[:, :16], L2[:, 16], L3[:16], L3[16]


def numpy_demo_step(params: list, X: np.ndarray, t: np.ndarray) -> float:
    """Forward and backward by hand: mean(relu(1 − t·s)) + REG·Σp²; grads added into params' .grad."""
    P = np.fromiter(map(_data, params), float, len(params))
    W1, b1, W2, b2, w3, b3 = unpack(P)
    Z1 = X @ W1.T + b1
    H1 = np.maximum(Z1, 0.0)
    Z2 = H1 @ W2.T + b2
    H2 = np.maximum(Z2, 0.0)
    s = H2 @ w3 + b3
    m = 1.0 - t * s
    loss = np.maximum(m, 0.0).mean() + REG * (P @ P)
    ds = np.where(m > 0.0, -t, 0.0) / len(t)
    G = 2.0 * REG * P
    gW1, gb1, gW2, gb2, gw3, _ = unpack(G)  # views into G
    gw3 += ds @ H2
    G[336] += ds.sum()
    dZ2 = np.outer(ds, w3) * (Z2 > 0.0)
    gW2 += dZ2.T @ H1
    gb2 += dZ2.sum(axis=0)
    dZ1 = (dZ2 @ W2) * (Z1 > 0.0)
    gW1 += dZ1.T @ X
    gb1 += dZ1.sum(axis=0)
    for p, g in zip(params, G.tolist()):
        p.grad += g
    return float(loss)


def numpy_image_step(params: list, X: np.ndarray, y: np.ndarray) -> float:
    """Linear(3072, 10) + softmax + IMAGE_REG·Σp² by hand; grads added into params' .grad."""
    P = np.fromiter(map(_data, params), float, len(params))
    Wb = P.reshape(10, X.shape[1] + 1)
    scores = X @ Wb[:, :-1].T + Wb[:, -1]
    shifted = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    p = e / e.sum(axis=1, keepdims=True)
    n = len(y)
    loss = -np.log(p[np.arange(n), y]).mean() + IMAGE_REG * (P @ P)
    dscores = p
    dscores[np.arange(n), y] -= 1.0
    dscores /= n
    G = 2.0 * IMAGE_REG * P
    gWb = G.reshape(10, X.shape[1] + 1)
    gWb[:, :-1] += dscores.T @ X
    gWb[:, -1] += dscores.sum(axis=0)
    for q, g in zip(params, G.tolist()):
        q.grad += g
    return float(loss)


# -- worker processes: torch and HIPS autograd, in a venv without gategraph ----------------------
class Param:
    """A stand-in for a Value where gategraph cannot be imported: the same two slots."""

    __slots__ = ("data", "grad")

    def __init__(self, data: float) -> None:
        self.data, self.grad = data, 0.0


def worker(engine: str) -> None:
    """Serve rounds of demo steps: one JSON problem line, then one line per round."""
    job = json.loads(sys.stdin.readline())
    X, t = np.array(job["X"]), np.array(job["t"])
    params = [Param(v) for v in job["params"]]
    if engine == "torch":
        import torch

        torch.set_num_threads(1)
        Xt, tt = torch.tensor(X, dtype=torch.float64), torch.tensor(t, dtype=torch.float64)

        def step() -> float:
            P = torch.tensor(np.fromiter(map(_data, params), float, len(params)), requires_grad=True)
            W1, b1, W2, b2, w3, b3 = unpack(P)
            H1 = torch.relu(Xt @ W1.T + b1)
            H2 = torch.relu(H1 @ W2.T + b2)
            s = H2 @ w3 + b3
            loss = torch.relu(1.0 - tt * s).mean() + REG * (P * P).sum()
            loss.backward()
            for p, g in zip(params, P.grad.tolist()):
                p.grad += g
            return float(loss)
    else:
        import autograd.numpy as anp
        from autograd import value_and_grad

        def objective(P: Any) -> Any:
            W1, b1, W2, b2, w3, b3 = unpack(P)
            H1 = anp.maximum(anp.dot(X, W1.T) + b1, 0.0)
            H2 = anp.maximum(anp.dot(H1, W2.T) + b2, 0.0)
            s = anp.dot(H2, w3) + b3
            return anp.mean(anp.maximum(1.0 - t * s, 0.0)) + REG * anp.sum(P * P)

        loss_and_grad = value_and_grad(objective)

        def step() -> float:
            P = np.fromiter(map(_data, params), float, len(params))
            loss, G = loss_and_grad(P)
            for p, g in zip(params, G.tolist()):
                p.grad += g
            return float(loss)

    for line in sys.stdin:
        steps = int(line)
        best = float("inf")
        for p in params:
            p.grad = 0.0
        loss = step()
        grads = [p.grad for p in params]
        for _ in range(steps):
            t0 = time.perf_counter()
            for p in params:
                p.grad = 0.0
            step()
            best = min(best, time.perf_counter() - t0)
        print(json.dumps({"best": best, "loss": loss, "grads": grads}), flush=True)


class Worker:
    """A worker process kept alive across rounds, so rounds interleave without start-up costs."""

    def __init__(self, python: str, engine: str, problem: dict) -> None:
        self.engine = engine
        self.proc = subprocess.Popen([python, "-I", str(Path(__file__).resolve()), "--worker", engine],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.proc.stdin.write(json.dumps(problem) + "\n")
        self.proc.stdin.flush()

    def round(self, steps: int) -> dict:
        self.proc.stdin.write(f"{steps}\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.engine} worker failed: {self.proc.stderr.read()[-2000:]}")
        return json.loads(line)

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def start_workers(python: Optional[str], problem: dict) -> tuple[dict, list[str]]:
    workers, notes = {}, []
    if not python:
        return workers, ["torch, HIPS autograd: skipped (no --bench-python given)"]
    for engine, module in (("torch", "torch"), ("hips", "autograd")):
        probe = subprocess.run([python, "-I", "-c", f"import {module}, numpy"], capture_output=True, text=True)
        if probe.returncode != 0:
            notes.append(f"{engine}: skipped ({module} is not importable by {python})")
            continue
        w = Worker(python, engine, problem)
        try:
            w.round(1)
        except RuntimeError as error:
            notes.append(f"{engine}: skipped ({error})")
            continue
        workers[engine] = w
    return workers, notes


# -- in-process engines -------------------------------------------------------------------------
def best_of(step: Callable[[], Any], steps: int, zero: Callable[[], None]) -> float:
    best = float("inf")
    for _ in range(steps):
        t0 = time.perf_counter()
        zero()
        step()
        best = min(best, time.perf_counter() - t0)
    return best


def close(a: float, b: float, rel: float = 1e-9) -> bool:
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))


def check(name: str, loss: float, grads: list[float], want_loss: float, want_grads: list[float]) -> None:
    if not close(loss, want_loss) or not all(close(g, w) for g, w in zip(grads, want_grads)):
        worst = max(abs(g - w) for g, w in zip(grads, want_grads))
        raise SystemExit(f"{name} disagrees with numpy by hand: loss {loss!r} vs {want_loss!r}, worst grad gap {worst:.3g}")


def demo(args: argparse.Namespace) -> list[str]:
    import nn
    from autograd import trace
    from nn._gc import cyclic_gc_paused
    from nn._replay import ReplayTrainer
    from nn.losses import l2_penalty
    from nn.train import _data_loss

    X, y = nn.data.make_moons(100)
    t = 2.0 * y - 1.0
    model = nn.MLP(2, [16, 16, 1], seed=1)
    params = model.parameters()
    assert len(params) == 337

    def zero() -> None:
        for p in params:
            p.grad = 0.0

    def grads() -> list[float]:
        return [p.grad for p in params]

    xs, ys = X.tolist(), y.tolist()

    def scalar_objective():  # type: ignore[no-untyped-def]
        with cyclic_gc_paused():
            data_loss, _ = _data_loss(model, xs, ys, "hinge")
            return data_loss + l2_penalty(params, REG)

    def scalar_step() -> float:
        objective = scalar_objective()
        objective.backward()
        return objective.data

    # tracing: one sample's loss (ReplayTrainer), and the whole step as one program;
    # each the best of a few, as the steps they are compared with are
    trace_small = trace_whole = float("inf")
    for _ in range(1 if args.quick else 3):
        t0 = time.perf_counter()
        trainer = ReplayTrainer(model, "hinge", 2, 2, params, REG)
        trace_small = min(trace_small, time.perf_counter() - t0)
        t0 = time.perf_counter()
        whole = trace(scalar_objective)
        trace_whole = min(trace_whole, time.perf_counter() - t0)

    def replay_step() -> float:
        return trainer.backward(X, y)[0]

    def whole_step() -> float:
        whole.backward()
        return float(whole.values_of(whole.root)[0])

    # correctness first: every engine against numpy by hand
    zero()
    want_loss = numpy_demo_step(params, X, t)
    want = grads()
    for name, step in (("scalar", scalar_step), ("replay", replay_step), ("whole-step replay", whole_step)):
        zero()
        check(name, step(), grads(), want_loss, want)
    problem = {"X": X.tolist(), "t": t.tolist(), "params": [p.data for p in params]}
    workers, notes = start_workers(args.bench_python, problem)
    for name, w in workers.items():
        r = w.round(1)
        check(name, r["loss"], r["grads"], want_loss, want)

    fast, slow, rounds = (20, 1, 2) if args.quick else (200, 3, 7)
    times: dict[str, float] = {}

    def keep(name: str, seconds: float) -> None:
        times[name] = min(times.get(name, float("inf")), seconds)

    for _ in range(rounds):
        keep("numpy by hand", best_of(lambda: numpy_demo_step(params, X, t), fast, zero))
        keep("replay (batched, as nn.fit runs it)", best_of(replay_step, fast, zero))
        for name, w in workers.items():
            keep({"torch": "torch CPU float64, batched, 1 thread", "hips": "HIPS autograd"}[name], w.round(fast)["best"])
        keep("whole step as one program", best_of(whole_step, fast, zero))
        keep("scalar engine", best_of(scalar_step, slow, zero))
    for w in workers.values():
        w.close()

    base = times["numpy by hand"]
    lines = [f"1. micrograd's demo step (MLP 2→16→16→1, 100 points, hinge + L2, forward + backward, "
             f"parameters synced with Values): best of {fast} steps × {rounds} rounds, µs per step"]
    for name, s in times.items():
        lines.append(f"   {name:<40} {s * 1e6:>9.0f}   {s / base:6.2f}× numpy by hand")
    replay = times["replay (batched, as nn.fit runs it)"]
    lines.append(f"   replay vs numpy by hand: {replay / base:.2f}× (target ≤ 3×)")
    for key in ("torch CPU float64, batched, 1 thread", "HIPS autograd"):
        if key in times:
            lines.append(f"   replay vs {key}: {times[key] / replay:.2f}× faster (target > 1×)")
    lines.append(f"   whole step as one program: {times['scalar engine'] / times['whole step as one program']:.0f}× "
                 "faster than the scalar step (target ≥ 100×)")
    lines.append(f"   tracing: one sample's loss {trace_small * 1e3:.1f} ms = "
                 f"{trace_small / times['scalar engine']:.2f} scalar steps; the whole step {trace_whole * 1e3:.1f} ms = "
                 f"{trace_whole / times['scalar engine']:.2f} scalar steps (target ≤ 5)")
    lines.extend(f"   note: {n}" for n in notes)
    return lines


def image(args: argparse.Namespace) -> list[str]:
    import nn
    from nn._replay import ReplayTrainer

    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, size=(100, 3072)).astype(float) / 255.0 - 0.5
    y = rng.integers(0, 10, size=100)
    model = nn.Linear(3072, 10, seed=0)
    params = model.parameters()

    def zero() -> None:
        for p in params:
            p.grad = 0.0

    t0 = time.perf_counter()
    trainer = ReplayTrainer(model, "softmax", 3072, 10, params, IMAGE_REG)
    trace_time = time.perf_counter() - t0
    zero()
    want_loss = numpy_image_step(params, X, y)
    want = [p.grad for p in params]
    zero()
    check("image replay", trainer.backward(X, y)[0], [p.grad for p in params], want_loss, want)
    steps, rounds = (3, 2) if args.quick else (10, 5)
    times: dict[str, float] = {}
    for _ in range(rounds):
        for name, step in (("numpy by hand", lambda: numpy_image_step(params, X, y)),
                           ("replay", lambda: trainer.backward(X, y))):
            times[name] = min(times.get(name, float("inf")), best_of(step, steps, zero))
    return [
        "2. image workload, Linear(3072, 10) + softmax + L2, batch of 100, forward + backward, "
        "30,730 parameters synced with Values: ms per step",
        f"   numpy by hand {times['numpy by hand'] * 1e3:.2f}, replay {times['replay'] * 1e3:.2f}: "
        f"{times['replay'] / times['numpy by hand']:.2f}× (target ≤ 3×); tracing {trace_time * 1e3:.0f} ms",
    ]


def training(args: argparse.Namespace) -> list[str]:
    import nn

    lines = ["3. training through nn.fit (replay, its default)"]
    try:
        from viz.cli import TRAIN_DEFAULTS
    except ImportError as e:  # the CLI's settings live in viz; the CIFAR epoch below does not need them
        lines.append(f"   gategraph train digits: skipped, viz does not import ({e})")
    else:
        spec = TRAIN_DEFAULTS["digits"]
        X, y = nn.data.load_digits()
        order = np.random.default_rng(0).permutation(len(X))[: spec["samples"]]
        cut = len(order) * 4 // 5
        Xt, yt, val = X[order[:cut]], y[order[:cut]], (X[order[cut:]], y[order[cut:]])
        epochs = 1 if args.quick else spec["epochs"]
        t0 = time.perf_counter()
        nn.fit(nn.Linear(64, 10, seed=0), Xt, yt, loss=spec["loss"], epochs=epochs, lr=spec["lr"], reg=1e-4,
               batch_size=spec["batch_size"], val=val, progress=False)
        digits = time.perf_counter() - t0
        lines.append(f"   gategraph train digits ({epochs} epochs, batches of {spec['batch_size']}, validation): "
                     f"{digits:.2f} s of training (target ≤ 1 s)")

    n = 1000 if args.quick else 10_000
    rng = np.random.default_rng(1)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data_batch_1"
        batch = {b"data": rng.integers(0, 256, size=(n, 3072), dtype=np.uint8), b"labels": rng.integers(0, 10, n).tolist()}
        path.write_bytes(pickle.dumps(batch))
        images, labels = nn.data.load_cifar10_batch(path)
    Xc = images.reshape(len(images), -1) / 255.0 - 0.5  # each image flattened (nn.data.flatten), centred
    t0 = time.perf_counter()
    nn.fit(nn.Linear(3072, 10, seed=0), Xc, labels, loss="softmax", epochs=1, lr=1e-3, reg=IMAGE_REG,
           batch_size=100, progress=False)
    cifar = time.perf_counter() - t0
    lines.append(f"   one epoch of Linear(3072, 10) on {n:,} CIFAR-shaped images, batches of 100 "
                 f"(tracing included): {cifar:.2f} s (target ≤ 5 s)")
    return lines


PARTS: dict[str, Callable[[argparse.Namespace], list[str]]] = {"demo": demo, "image": image, "training": training}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="few steps, small data: a smoke run")
    parser.add_argument("--bench-python", default=os.environ.get("GATEGRAPH_BENCH_PYTHON"),
                        help="a Python with torch and HIPS autograd, without gategraph (env GATEGRAPH_BENCH_PYTHON)")
    parser.add_argument("--parts", nargs="+", choices=list(PARTS), default=list(PARTS),
                        help="which parts to run (default: all three)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker)
        return
    sys.path.insert(0, str(ROOT))
    for name in args.parts:
        for line in PARTS[name](args):
            print(line, flush=True)


if __name__ == "__main__":
    main()
