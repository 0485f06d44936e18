"""The engine benchmark measures what it says: the same 65,077-gate graph on both engines."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_engine.py"


def load_bench():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_engine", BENCH)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def forward_graph(bench, engine: str):  # type: ignore[no-untyped-def]
    Value, count = bench.load_engine(engine)
    model = bench.build_model(Value)
    X, y = bench.moons()
    return bench.demo_step(model, X, y), count


@pytest.mark.parametrize("engine", ["gategraph", "micrograd"])
def test_demo_step_builds_65077_op_nodes(engine: str) -> None:
    """micrograd's demo step (MLP 2→16→16→1, 100 points, hinge + L2) is 65,077 gates on each engine."""
    pytest.importorskip("micrograd")
    bench = load_bench()
    loss, count = forward_graph(bench, engine)
    assert count(loss) == 65_077


@pytest.mark.slow
def test_both_engines_compute_the_same_loss() -> None:
    """Both engines, same seed and data, give the same loss: the benchmark compares like with like."""
    pytest.importorskip("micrograd")
    bench = load_bench()
    ours, _ = forward_graph(bench, "gategraph")
    theirs, _ = forward_graph(bench, "micrograd")
    assert ours.data == pytest.approx(theirs.data, rel=1e-12)
