"""Smoke test of benchmarks/bench_image.py: the quick run works and the three engines agree."""

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_image.py"


def test_bench_image_quick_run_agrees_across_engines():
    """`bench_image.py --quick` exits 0 after checking gategraph, micrograd and numpy give the same loss and gradients."""
    done = subprocess.run([sys.executable, str(BENCH), "--quick"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "engines agree on the loss and all 1930 gradients" in done.stdout
