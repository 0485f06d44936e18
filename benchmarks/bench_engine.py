"""Engine speed and memory against micrograd 0.1.0: demo step, deep chain, bytes per op node.

Run:  python benchmarks/bench_engine.py            (full run, about two minutes)
      python benchmarks/bench_engine.py --quick    (smoke run, a few seconds)

Each engine runs in a fresh subprocess, so neither pays for the other's heap. The workload is
micrograd's own demo step: MLP 2→16→16→1 on 100 two-moons points, loss
mean(relu(1 − y·score)) + 1e-4·Σp², zero grads, forward, backward, SGD — the model code below
mirrors micrograd/nn.py line by line, so both engines build the same graph (65,077 op nodes).
A step's time ends when its SGD update does; freeing its graph afterwards is timed apart,
because micrograd's graphs are reference cycles that its GC-disabled run never frees at all.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


# --- the workload, engine-agnostic (mirrors micrograd/nn.py) -----------------------------------
def build_model(Value, seed: int = 1):  # type: ignore[no-untyped-def]
    rng = random.Random(seed)

    class Neuron:
        def __init__(self, nin: int, nonlin: bool = True) -> None:
            self.w = [Value(rng.uniform(-1, 1)) for _ in range(nin)]
            self.b = Value(0.0)
            self.nonlin = nonlin

        def __call__(self, x):  # type: ignore[no-untyped-def]
            act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
            return act.relu() if self.nonlin else act

        def parameters(self):  # type: ignore[no-untyped-def]
            return self.w + [self.b]

    class Layer:
        def __init__(self, nin: int, nout: int, **kwargs: bool) -> None:
            self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]

        def __call__(self, x):  # type: ignore[no-untyped-def]
            out = [n(x) for n in self.neurons]
            return out[0] if len(out) == 1 else out

        def parameters(self):  # type: ignore[no-untyped-def]
            return [p for n in self.neurons for p in n.parameters()]

    class MLP:
        def __init__(self, nin: int, nouts: list[int]) -> None:
            sz = [nin] + nouts
            self.layers = [Layer(sz[i], sz[i + 1], nonlin=i != len(nouts) - 1) for i in range(len(nouts))]

        def __call__(self, x):  # type: ignore[no-untyped-def]
            for layer in self.layers:
                x = layer(x)
            return x

        def parameters(self):  # type: ignore[no-untyped-def]
            return [p for layer in self.layers for p in layer.parameters()]

    return MLP(2, [16, 16, 1])


def moons(n: int = 100, seed: int = 1) -> tuple[list[list[float]], list[int]]:
    """Two interleaving half circles with labels −1/+1 (as micrograd's demo uses)."""
    import math

    rng = random.Random(seed)
    X, y = [], []
    for i in range(n):
        t = math.pi * rng.random()
        if i % 2 == 0:
            X.append([math.cos(t) + rng.gauss(0, 0.1), math.sin(t) + rng.gauss(0, 0.1)])
            y.append(-1)
        else:
            X.append([1 - math.cos(t) + rng.gauss(0, 0.1), 0.5 - math.sin(t) + rng.gauss(0, 0.1)])
            y.append(1)
    return X, y


def demo_step(model, X, y):  # type: ignore[no-untyped-def]
    """micrograd's demo: forward, hinge loss + L2, zero grads, backward, SGD."""
    scores = [model(x) for x in X]
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in model.parameters())
    total = data_loss + reg_loss
    for p in model.parameters():
        p.grad = 0.0
    total.backward()
    for p in model.parameters():
        p.data -= 0.05 * p.grad
    return total


# --- engines ------------------------------------------------------------------------------------
def count_micrograd_ops(root) -> int:  # type: ignore[no-untyped-def]
    """Op nodes of a micrograd graph, counted without its recursive sort (which dies when deep)."""
    seen, stack = {root}, [root]
    while stack:
        for p in stack.pop()._prev:
            if p not in seen:
                seen.add(p)
                stack.append(p)
    return sum(1 for v in seen if v._op)


def load_engine(name: str):  # type: ignore[no-untyped-def]
    """(Value, count_op_nodes) for an engine name."""
    if name == "micrograd":
        from micrograd.engine import Value

        return Value, count_micrograd_ops
    sys.path.insert(0, str(ROOT))
    from autograd import Value, topological_order

    return Value, lambda root: sum(1 for v in topological_order(root) if v.op)


def worker(engine: str, gc_off: bool, steps: int, chain_sizes: list[int], extras: bool) -> dict:
    import gc

    Value, count = load_engine(engine)
    if gc_off:
        gc.disable()
    model = build_model(Value)
    X, y = moons()
    result: dict = {"engine": engine, "gc": not gc_off}
    result["op_nodes"] = count(demo_step(model, X, y))  # first step also warms up
    times, frees = [], []
    for _ in range(steps):
        t0 = time.perf_counter()
        total = demo_step(model, X, y)
        t1 = time.perf_counter()
        # Freeing the step's graph is timed on its own. gategraph's graph has no cycles, so it
        # is freed here, at once; micrograd's is all cycles (each node's _backward closure
        # refers to the node), so it waits for the cyclic GC, or forever with the GC off.
        del total
        frees.append(time.perf_counter() - t1)
        times.append(t1 - t0)
    result["step_min"] = min(times)
    result["step_median"] = statistics.median(times)
    result["free_min"] = min(frees)
    if not extras:  # a later round: the demo step only
        return result

    # bytes per op node: the live graph of one forward + backward, measured by tracemalloc
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    scores = [model(x) for x in X]
    total = sum((1 + -yi * si).relu() for yi, si in zip(y, scores)) * (1.0 / len(X))
    total.backward()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    nodes = count(total)
    result["bytes_per_op_node"] = (after - before) / nodes
    del scores, total

    # a chain v + 1 + 1 + ... of n add gates: forward + backward time per gate
    # (lengths take turns, five times over, so a slow spell of the machine hits them all alike)
    chain: dict = {n: float("inf") for n in chain_sizes}
    default_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(10_000)  # lets micrograd's recursive sort go ~10x deeper than default
    for _ in range(5):
        for n in chain_sizes:
            if chain[n] != "RecursionError":
                try:
                    chain[n] = min(chain[n], time_chain(Value, n))
                except RecursionError:
                    chain[n] = "RecursionError"
    sys.setrecursionlimit(default_limit)
    result["chain_us_per_gate"] = chain

    # correctness: the deepest chain that backprops at the default recursion limit ...
    deepest = 0
    for n in (100, 500, 1_000, 10_000, 100_000, 1_000_000):
        try:
            time_chain(Value, n)
        except RecursionError:
            break
        deepest = n
    result["deepest_chain"] = deepest
    # ... and x.grad after calling backward() twice on f = (x + y)·z (one call gives −4)
    x, y_, z = Value(-2.0), Value(5.0), Value(-4.0)
    f = (x + y_) * z
    f.backward()
    f.backward()
    result["second_backward_x_grad"] = x.grad
    return result


def time_chain(Value, n: int) -> float:  # type: ignore[no-untyped-def]
    """Microseconds per gate to build and backprop a chain of n add gates."""
    v = Value(0.5)
    t0 = time.perf_counter()
    for _ in range(n):
        v = v + 1.0
    v.backward()
    return (time.perf_counter() - t0) / n * 1e6


def best(rounds: list[dict]) -> dict:
    """The first round's extras (memory, chains), the fastest round's demo step, the median of medians."""
    top = {**rounds[0], **min(rounds, key=lambda r: r["step_min"])}
    top["step_median"] = statistics.median(r["step_median"] for r in rounds)
    return top


def run(engine: str, gc_off: bool, steps: int, chain_sizes: list[int], extras: bool) -> dict:
    args = [sys.executable, __file__, "--worker", engine, "--steps", str(steps), "--chain", *map(str, chain_sizes)]
    if gc_off:
        args.append("--gc-off")
    if extras:
        args.append("--extras")
    out = subprocess.run(args, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="few steps, small chains: a smoke run")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--gc-off", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--extras", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--steps", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--chain", type=int, nargs="*", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.gc_off, args.steps, args.chain, args.extras)))
        return

    chains = [5_000, 10_000] if args.quick else [25_000, 50_000, 100_000, 200_000]
    fast, slow, rounds = (3, 1, 1) if args.quick else (12, 2, 6)
    # The engines take turns, round after round, and each keeps its best round: load that
    # comes and goes on a shared machine then hits them alike.
    results: dict = {"ours": [], "mg": [], "mg_nogc": [], "ours_nogc": []}
    # Memory, chains and correctness are measured in the first round only.
    for r in range(rounds):
        results["ours"].append(run("gategraph", False, fast, chains, r == 0))
        results["mg_nogc"].append(run("micrograd", True, fast, [1_000], r == 0))
        results["ours_nogc"].append(run("gategraph", True, fast, chains, r == 0))
        results["mg"].append(run("micrograd", False, slow, [1_000, 5_000, 10_000], r == 0))
    ours, mg, mg_nogc, ours_nogc = (best(results[k]) for k in ("ours", "mg", "mg_nogc", "ours_nogc"))

    print(f"op nodes per demo step: gategraph {ours['op_nodes']:,}, micrograd {mg['op_nodes']:,}")
    print(f"demo step, seconds (best of {fast} steps x {rounds} rounds; micrograd as shipped {slow} x {rounds}):")
    print(f"  gategraph                 {ours['step_min']:.4f}  (median {ours['step_median']:.4f})")
    print(f"  micrograd as shipped      {mg['step_min']:.4f}  (median {mg['step_median']:.4f})")
    print(f"  micrograd, gc disabled    {mg_nogc['step_min']:.4f}  (median {mg_nogc['step_median']:.4f})")
    print(f"  gategraph, gc disabled    {ours_nogc['step_min']:.4f}  (median {ours_nogc['step_median']:.4f})")
    print(f"  speed-up vs micrograd as shipped:   {mg['step_min'] / ours['step_min']:.1f}x  (target >= 10x)")
    print(f"  speed-up vs micrograd, gc disabled: {mg_nogc['step_min'] / ours['step_min']:.2f}x  (target >= 2x; gategraph's GC on)")
    print(f"  both engines with gc disabled:      {mg_nogc['step_min'] / ours_nogc['step_min']:.2f}x")
    print(f"  freeing one step's graph, not in the times above: gategraph {ours['free_min'] * 1e3:.1f} ms at once; "
          f"micrograd {mg_nogc['free_min'] * 1e3:.1f} ms with gc disabled (its graph is reference cycles: never freed)")
    print("bytes per op node (tracemalloc, live graph after forward + backward):")
    print(f"  gategraph {ours['bytes_per_op_node']:.0f}, micrograd {mg['bytes_per_op_node']:.0f}: "
          f"{ours['bytes_per_op_node'] / mg['bytes_per_op_node']:.2f} of micrograd's (target <= 0.33)")
    print("chain of n add gates, forward + backward, microseconds per gate:")
    for n, us in ours["chain_us_per_gate"].items():
        print(f"  gategraph n={int(n):>7,}: {us:.2f}")
    for n, us in mg["chain_us_per_gate"].items():
        shown = f"{us:.2f}" if isinstance(us, float) else us
        print(f"  micrograd n={int(n):>7,}: {shown}")
    for n, us in ours_nogc["chain_us_per_gate"].items():
        print(f"  gategraph n={int(n):>7,}, gc disabled: {us:.2f}")
    for label, r in (("", ours), (", gc disabled", ours_nogc)):
        per_gate = list(r["chain_us_per_gate"].values())
        print(f"  gategraph per-gate spread across lengths{label}: {max(per_gate) / min(per_gate):.2f}x (1.0 = linear)")
    print("correctness:")
    print(f"  deepest chain that backprops at the default recursion limit: gategraph "
          f"{ours['deepest_chain']:,}+, micrograd {mg['deepest_chain']:,}")
    print(f"  x.grad after backward() twice on (x + y)·z (once: -4; PyTorch: -8): gategraph "
          f"{ours['second_backward_x_grad']:g}, micrograd {mg['second_backward_x_grad']:g}")

if __name__ == "__main__":
    main()
