"""The course's image workload: a 32×32×3 photo through Linear(3072, 10) + softmax + L2, forward and backward.

Run:  python benchmarks/bench_image.py            (full run, about a minute)
      python benchmarks/bench_image.py --quick    (smoke run on an 8×8×3 image, a few seconds)

Three engines compute the same loss, L = −log softmax(Wx + b)_y + reg·(ΣW² + Σb²), and its
gradient with respect to W and b:
  - gategraph: ``nn.Linear``, ``nn.losses.softmax_cross_entropy`` and ``nn.losses.l2_penalty``;
  - micrograd 0.1.0: the same graph written out by hand; it has no exp or log, so they are
    added to its Value class here, and its recursive topological sort needs a raised recursion
    limit at this depth;
  - numpy: the analytic forward and backward by hand (dscores = p − onehot(y)).
Each engine runs in its own subprocess with the same image, weights and label (sent on stdin),
with Python's cyclic garbage collector on (as users run them; gategraph's nn pauses it while it
builds a graph, which holds no cycles) and, for the two scalar engines, off for the whole run too.
The engines take turns over three rounds and the minimum time counts, so background load that
comes and goes hits each of them alike. Every engine's loss and gradient are compared before any time is printed.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench_engine import count_micrograd_ops  # benchmarks/ is on sys.path when a script in it runs
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
REG = 1e-3
LABEL = 3
CLASSES = 10


def _timed(forward: Callable[[], Any], backward: Callable[[Any], Any], repeats: int) -> dict:
    """Seconds of ``repeats`` runs of ``out = forward()`` then ``backward(out)``; the last out and grads."""
    times: dict = {"forward": [], "backward": []}
    out = grads = None
    for _ in range(repeats):
        out = grads = None  # drop the previous graph before timing the next
        t0 = time.perf_counter()
        out = forward()
        t1 = time.perf_counter()
        grads = backward(out)
        t2 = time.perf_counter()
        times["forward"].append(t1 - t0)
        times["backward"].append(t2 - t1)
    return {**times, "out": out, "grads": grads}


def gategraph_worker(job: dict) -> dict:
    sys.path.insert(0, str(ROOT))
    import nn
    from autograd import topological_order

    model = nn.Linear(len(job["x"]), CLASSES)
    for neuron, row, b in zip(model.neurons, job["W"], job["b"]):
        for w, value in zip(neuron.w, row):
            w.data = value
        neuron.b.data = b
    params = model.parameters()
    x = job["x"]

    def forward():  # type: ignore[no-untyped-def]
        model.zero_grad()
        return nn.losses.softmax_cross_entropy(model(x), LABEL) + nn.losses.l2_penalty(params, REG)

    r = _timed(forward, lambda loss: loss.backward(), job["repeats"])
    loss = r.pop("out")
    r.pop("grads")
    return {
        **r,
        "loss": loss.data,
        "grad_W": [[w.grad for w in n.w] for n in model.neurons],
        "grad_b": [n.b.grad for n in model.neurons],
        "op_nodes": sum(1 for v in topological_order(loss) if v.op),
    }


def _micrograd_value():  # type: ignore[no-untyped-def]
    """micrograd's Value with the exp and log it lacks, written in its own closure style."""
    from micrograd.engine import Value

    def exp(self):  # type: ignore[no-untyped-def]
        out = Value(math.exp(self.data), (self,), "exp")

        def _backward() -> None:
            self.grad += out.data * out.grad  # d/dx eˣ = eˣ

        out._backward = _backward
        return out

    def log(self):  # type: ignore[no-untyped-def]
        out = Value(math.log(self.data), (self,), "log")

        def _backward() -> None:
            self.grad += out.grad / self.data  # d/dx ln x = 1/x

        out._backward = _backward
        return out

    Value.exp, Value.log = exp, log
    return Value


def micrograd_worker(job: dict) -> dict:
    sys.setrecursionlimit(1_000_000)  # its topological sort recurses once per node of the chain
    Value = _micrograd_value()
    W = [[Value(w) for w in row] for row in job["W"]]
    b = [Value(v) for v in job["b"]]
    params = [p for row in W for p in row] + b
    xs = job["x"]

    def forward():  # type: ignore[no-untyped-def]
        for p in params:
            p.grad = 0.0
        x = [Value(v) for v in xs]
        scores = []
        for row, bj in zip(W, b):
            act = bj
            for wi, xi in zip(row, x):
                act = act + wi * xi
            scores.append(act)
        top = max(s.data for s in scores)
        exps = [(s - top).exp() for s in scores]
        denom = exps[0]
        for e in exps[1:]:
            denom = denom + e
        penalty = params[0] * params[0]
        for p in params[1:]:
            penalty = penalty + p * p
        return -(exps[LABEL] / denom).log() + REG * penalty

    r = _timed(forward, lambda loss: loss.backward(), job["repeats"])
    loss = r.pop("out")
    r.pop("grads")
    return {
        **r,
        "loss": loss.data,
        "grad_W": [[w.grad for w in row] for row in W],
        "grad_b": [v.grad for v in b],
        "op_nodes": count_micrograd_ops(loss),
    }


def numpy_worker(job: dict) -> dict:
    import numpy as np

    W, b, x = np.array(job["W"]), np.array(job["b"]), np.array(job["x"])

    def forward():  # type: ignore[no-untyped-def]
        scores = W @ x + b
        e = np.exp(scores - scores.max())
        p = e / e.sum()
        return p, -np.log(p[LABEL]) + REG * ((W * W).sum() + (b * b).sum())

    def backward(out):  # type: ignore[no-untyped-def]
        dscores = out[0].copy()
        dscores[LABEL] -= 1.0  # ∂L/∂scores = p − onehot(y)
        return np.outer(dscores, x) + 2 * REG * W, dscores + 2 * REG * b  # ∂L/∂W, ∂L/∂b

    r = _timed(forward, backward, job["repeats"])
    (_, loss), (dW, db) = r.pop("out"), r.pop("grads")
    return {**r, "loss": float(loss), "grad_W": dW.tolist(), "grad_b": db.tolist()}


WORKERS = {"gategraph": gategraph_worker, "micrograd": micrograd_worker, "numpy": numpy_worker}


def run(engine: str, job: dict, repeats: int, gc_on: bool = True) -> dict:
    """One engine in a fresh subprocess, so none pays for another's heap."""
    args = [sys.executable, __file__, "--worker", engine] + ([] if gc_on else ["--gc-off"])
    payload = json.dumps({**job, "repeats": repeats})
    done = subprocess.run(args, input=payload, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def make_job(side: int) -> dict:
    """A real photo resized to side×side×3, pixels scaled to [0, 1], and Linear's seeded weights."""
    sys.path.insert(0, str(ROOT))
    import nn

    image = nn.data.resize(nn.data.sample_image("china.jpg"), (side, side))
    x = (nn.data.flatten(image) / 255.0).tolist()
    model = nn.Linear(len(x), CLASSES, seed=0)
    return {"x": x, "W": model.weight_matrix().tolist(), "b": model.bias_vector().tolist()}


def _agree(a: dict, b: dict) -> float:
    """The largest relative difference between two engines' loss and gradients."""
    pairs = [(a["loss"], b["loss"])]
    pairs += [(u, v) for ra, rb in zip(a["grad_W"], b["grad_W"]) for u, v in zip(ra, rb)]
    pairs += list(zip(a["grad_b"], b["grad_b"]))
    return max(abs(u - v) / max(abs(u), abs(v), 1e-12) for u, v in pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="an 8×8×3 image, one repeat each: a smoke run")
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--gc-off", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        if args.gc_off:
            gc.disable()
        print(json.dumps(WORKERS[args.worker](json.loads(sys.stdin.read()))))
        return

    side = 8 if args.quick else 32
    job = make_job(side)
    fast, slow, many, rounds = (1, 1, 10, 1) if args.quick else (3, 1, 1000, 3)
    runs = [("gategraph", fast, True), ("micrograd", slow, True), ("numpy", many, True)]
    if not args.quick:
        runs += [("gategraph", fast, False), ("micrograd", slow, False)]
    results: dict[str, dict] = {}
    for _ in range(rounds):  # interleaved, so a burst of background load hits every engine alike
        for engine, repeats, gc_on in runs:
            r = run(engine, job, repeats, gc_on)
            name = engine if gc_on else f"{engine}, gc off"
            if name in results:
                results[name]["forward"] += r["forward"]
                results[name]["backward"] += r["backward"]
            else:
                results[name] = r
    fast, slow, many = fast * rounds, slow * rounds, many * rounds
    worst = max(_agree(results["numpy"], r) for r in results.values())
    if worst > 1e-6:
        sys.exit(f"engines disagree: largest relative difference {worst:.2e}")

    print(f"{side}×{side}×3 image → Linear({3 * side * side}, {CLASSES}) + softmax + L2 (reg {REG:g}), "
          f"forward + backward; loss {results['numpy']['loss']:.6f}")
    print(f"engines agree on the loss and all {CLASSES * (3 * side * side + 1)} gradients "
          f"(largest relative difference {worst:.1e})")
    print(f"op nodes: gategraph {results['gategraph']['op_nodes']:,}, micrograd {results['micrograd']['op_nodes']:,}")
    print(f"milliseconds, minimum over {fast} (gategraph), {slow} (micrograd), {many} (numpy) runs:")
    print(f"  {'engine':<20}{'forward':>10}{'backward':>10}{'total':>10}{'median':>10}")
    best = {}
    for name, r in results.items():
        totals = [f + b for f, b in zip(r["forward"], r["backward"])]
        best[name] = min(totals)
        ms = [1e3 * t for t in (min(r["forward"]), min(r["backward"]), best[name], statistics.median(totals))]
        print(f"  {name:<20}" + "".join(f"{t:>10.3f}" for t in ms))
    print("speed ratios (total time):")
    print(f"  micrograd / gategraph, gc on (as shipped): {best['micrograd'] / best['gategraph']:6.1f}×  (target >= 10×)")
    if not args.quick:
        print(f"  micrograd / gategraph, both gc off:        {best['micrograd, gc off'] / best['gategraph, gc off']:6.1f}×")
    print(f"  gategraph / numpy:                         {best['gategraph'] / best['numpy']:6.0f}×")
    if args.quick:
        print("(--quick: a smoke run on a small graph, single runs, gc on only; the ratios mean little)")


if __name__ == "__main__":
    main()
