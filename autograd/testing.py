"""Hypothesis strategies for random expression graphs over every gate, for property tests (yours too)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional, Sequence

try:
    from hypothesis import assume
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - hypothesis is a test dependency
    raise ImportError(
        "autograd.testing needs hypothesis: pip install hypothesis (or gategraph[dev])"
    ) from exc

from .check import numeric_grad
from .gates import GATES, Gate
from .value import Value

__all__ = [
    "EXPONENTS",
    "RandomGraph",
    "finite_floats",
    "gate_inputs",
    "graphs",
]

#: Constant exponents drawn for gates that take one (pow).
EXPONENTS = (-2.0, -1.0, 0.5, 2.0, 3.0)

# A graph's numbers stay within these bounds, so centered differences keep their precision.
_MAX_ABS = 1e3
_MARGIN = 1e-3  # how far an input must stay from a kink or a domain edge


def finite_floats(min_value: float = -5.0, max_value: float = 5.0) -> st.SearchStrategy[float]:
    """Finite floats in a sane range (no nan, no inf, no subnormal surprises)."""
    return st.floats(min_value, max_value, allow_nan=False, allow_infinity=False, allow_subnormal=False)


def _safe(gate: Gate, xs: Sequence[float], c: Optional[float]) -> bool:
    """Whether ``gate`` is smooth and tame on a ±_MARGIN box around ``xs``.

    Tame means: forward succeeds, values and local derivatives stay below _MAX_ABS, and a
    piecewise gate stays on one piece. Read from the gate table alone, so a new gate is covered.
    """
    for i in range(len(xs)):
        for delta in (-_MARGIN, 0.0, _MARGIN):
            moved = list(xs)
            moved[i] += delta
            try:
                out = gate.forward_at(moved, c)
                grads = gate.local_grads_at(out, moved, c)
            except (ValueError, OverflowError, ZeroDivisionError):
                return False
            if not (math.isfinite(out) and abs(out) < _MAX_ABS):
                return False
            if any(not (math.isfinite(g) and abs(g) < _MAX_ABS) for g in grads):
                return False
            if gate.branch_at(moved, c) != gate.branch_at(xs, c):
                return False
    return True


@st.composite
def gate_inputs(draw: st.DrawFn, gate: Gate) -> tuple[tuple[float, ...], Optional[float]]:
    """Inputs ``(xs, c)`` at which ``gate`` is smooth: away from kinks and domain edges."""
    c = draw(st.sampled_from(EXPONENTS)) if gate.takes_constant else None
    xs = tuple(draw(finite_floats()) for _ in range(gate.arity))
    assume(_safe(gate, xs, c))
    return xs, c


@dataclass(frozen=True)
class RandomGraph:
    """A random expression over every gate, replayable on any inputs.

    ``program`` lists instructions ``(gate name, operand registers, constant)``; registers
    0..n−1 are the inputs and each instruction appends one register. Because an instruction
    may read any earlier register, graphs share nodes (reuse, diamonds). Calling the graph
    on Values builds it, so it is the ``fn`` of :func:`autograd.gradcheck`.
    """

    inputs: tuple[float, ...]
    program: tuple[tuple[str, tuple[int, ...], Optional[float]], ...]

    def __call__(self, *xs: Value) -> Value:
        regs: list[Value] = list(xs)
        for name, operands, c in self.program:
            regs.append(_apply(name, [regs[i] for i in operands], c))
        return regs[-1]

    def build(self) -> tuple[Value, list[Value]]:
        """The graph on fresh leaves: ``(root, leaves)``."""
        leaves = [Value(x, f"x{i}") for i, x in enumerate(self.inputs)]
        return self(*leaves), leaves

    def __repr__(self) -> str:
        lines = [f"RandomGraph(inputs={list(self.inputs)!r})"]
        for k, (name, operands, c) in enumerate(self.program, start=len(self.inputs)):
            args = ", ".join(f"r{i}" for i in operands) + (f", c={c}" if c is not None else "")
            lines.append(f"  r{k} = {name}({args})")
        return "\n".join(lines)


def _apply(name: str, args: list[Value], c: Optional[float]) -> Value:
    """Apply a gate by name through the public operators (so the operators are tested too)."""
    if name == "add":
        return args[0] + args[1]
    if name == "mul":
        return args[0] * args[1]
    if name == "max":
        return args[0].max(args[1])
    if name == "pow":
        return args[0] ** c
    if GATES[name].arity == 1:
        return getattr(args[0], name)()
    raise NotImplementedError(f"autograd.testing does not know how to apply gate {name!r}")


@st.composite
def graphs(draw: st.DrawFn, max_inputs: int = 3, max_ops: int = 8) -> RandomGraph:
    """Random expression graphs over all gates in ``GATES``, smooth at their drawn inputs.

    Every instruction is checked with the gate table's own functions to stay away from kinks
    and domain edges (log of x ≤ 0, max ties, exp overflow), and values stay below 1e3.
    Operands are drawn from all earlier registers, so nodes are shared (reuse, diamonds), and
    registers nothing reads are added into the output, so every input and gate reaches the root.

    >>> from hypothesis import given
    >>> from autograd import gradcheck
    >>> @given(graphs())
    ... def test(g):
    ...     assert gradcheck(g, g.inputs).ok
    >>> test()
    """
    n_inputs = draw(st.integers(1, max_inputs))
    inputs = [draw(finite_floats(-3.0, 3.0)) for _ in range(n_inputs)]
    values = list(inputs)
    program = []
    names = sorted(GATES)
    for _ in range(draw(st.integers(1, max_ops))):
        gate = GATES[draw(st.sampled_from(names))]
        operands = tuple(draw(st.integers(0, len(values) - 1)) for _ in range(gate.arity))
        c = draw(st.sampled_from(EXPONENTS)) if gate.takes_constant else None
        xs = [values[i] for i in operands]
        if not _safe(gate, xs, c):
            continue  # skip this instruction rather than reject the whole graph
        values.append(gate.forward_at(xs, c))
        program.append((gate.name, operands, c))
    assume(program)
    # Fold every register nothing reads (inputs included) into the output with add gates, so
    # each drawn instruction and input reaches the root and the gradient check covers it.
    used = {i for _, operands, _ in program for i in operands}
    out = len(values) - 1
    for r in range(len(values) - 1):
        if r not in used:
            values.append(values[out] + values[r])
            program.append(("add", (out, r), None))
            out = len(values) - 1
    graph = RandomGraph(tuple(inputs), tuple(program))
    assume(all(_centered_difference_is_precise(graph, i) for i in range(n_inputs)))
    return graph


def _centered_difference_is_precise(graph: RandomGraph, i: int, eps: float = 1e-5) -> bool:
    """Whether the centered difference at ``eps`` is far more precise than gradcheck's rtol.

    Each gate is checked on its own above, but curvature compounds: log(3·x) at x = 0.001 has
    tame gates, yet its centered difference is off by eps²/(3x²) = 3e-5, relative. The
    difference is D(h) = f′ + k·h² + …, so D(2·eps) − D(eps) = 3k·eps², three times the error.
    """
    d1 = numeric_grad(graph, graph.inputs, i, eps)
    d2 = numeric_grad(graph, graph.inputs, i, 2 * eps)
    return abs(d2 - d1) / 3 <= max(1e-6 * abs(d1), 1e-9)
