"""Hypothesis strategies for random expression graphs over every gate, for property tests (yours too)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Optional, Sequence

try:
    from hypothesis import assume
    from hypothesis import strategies as st
except ImportError:  # hypothesis is the optional [check] extra
    raise ImportError('autograd.testing needs hypothesis, which is not installed: pip install "gategraph[check]"') from None

from .check import numeric_grad
from .gates import GATES, OPERATORS, Gate
from .value import Value, apply

__all__ = [
    "EXPONENTS",
    "RandomGraph",
    "finite_floats",
    "gate_inputs",
    "graphs",
    "scaled_floats",
]

#: Constant exponents drawn for gates that take one (pow).
EXPONENTS = (-2.0, -1.0, 0.5, 2.0, 3.0)

# A graph's numbers stay within these bounds, so centered differences keep their precision.
_MAX_ABS = 1e3
_MARGIN = 1e-3  # how far an input must stay from a kink or a domain edge


def finite_floats(min_value: float = -5.0, max_value: float = 5.0) -> st.SearchStrategy[float]:
    """Finite floats in a sane range (no nan, no inf, no subnormal surprises)."""
    return st.floats(min_value, max_value, allow_nan=False, allow_infinity=False, allow_subnormal=False)


def scaled_floats(smallest: float = 1e-300, largest: float = 1e300) -> st.SearchStrategy[float]:
    """Floats of either sign whose magnitude is spread evenly over the decades from ``smallest`` to ``largest``.

    ``st.floats`` draws mostly small numbers and the odd huge one; this draws 10^u for u uniform
    in [log10 smallest, log10 largest], so 1e-250, 3e-7 and 2e180 are all common.
    """
    if not 0.0 < smallest <= largest < math.inf:
        raise ValueError(f"scaled_floats needs 0 < smallest <= largest < inf, got {smallest!r}, {largest!r}")
    decades = st.floats(math.log10(smallest), math.log10(largest))
    return st.tuples(st.sampled_from((1.0, -1.0)), decades).map(
        lambda t: min(max(t[0] * 10.0 ** t[1], -largest), largest)
    )


def _tame(v: float, scaled: bool, zero: bool = False) -> bool:
    """A number a graph may hold: below _MAX_ABS; with ``scaled``, a float in [1e-300, 1e300]
    in magnitude (or 0 where ``zero`` allows it: a piecewise gate's local derivative)."""
    if not math.isfinite(v):
        return False
    if not scaled:
        return abs(v) < _MAX_ABS
    return (zero and v == 0.0) or _TINY <= abs(v) <= _HUGE


_TINY, _HUGE = 1e-300, 1e300  # the value range of graphs(scaled=True): no subnormals, no overflow


def _safe(gate: Gate, xs: Sequence[float], c: Optional[float], scaled: bool = False) -> bool:
    """Whether ``gate`` is smooth and tame on a ±_MARGIN box around ``xs``.

    Tame means: forward succeeds, values and local derivatives stay below _MAX_ABS, and a
    piecewise gate stays on one piece. Read from the gate table alone, so a new gate is covered.
    With ``scaled`` the box is relative, x·(1 ± _MARGIN), and the bounds are those of :func:`_tame`.
    """
    for i in range(len(xs)):
        for delta in (-_MARGIN, 0.0, _MARGIN):
            moved = list(xs)
            moved[i] = moved[i] * (1.0 + delta) if scaled else moved[i] + delta
            try:
                out = gate.forward_at(moved, c)
                grads = gate.local_grads_at(out, moved, c)
            except (ValueError, OverflowError, ZeroDivisionError):
                return False
            # with scaled, 0 is an underflow (sigmoid(-800), 1e-200²), except for max's exact 0
            if not (_tame(out, scaled) and all(_tame(g, scaled, gate.branch is not None) for g in grads)):
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
    on Values builds it, so it is the ``fn`` of :func:`autograd.gradcheck`. ``gates`` holds the
    rows of your own that the program uses (built-in rows are found in ``GATES``).
    """

    inputs: tuple[float, ...]
    program: tuple[tuple[str, tuple[int, ...], Optional[float]], ...]
    gates: tuple[Gate, ...] = ()

    def __call__(self, *xs: Value) -> Value:
        rows = {**GATES, **{g.name: g for g in self.gates}}
        regs: list[Value] = list(xs)
        for name, operands, c in self.program:
            regs.append(_apply(rows[name], [regs[i] for i in operands], c))
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


def _apply(gate: Gate, args: list[Value], c: Optional[float]) -> Value:
    """Apply a row the way its row says Values call it, so the operators and methods are tested
    too: its Python operator (``a + b``, ``x ** c``), else its method (``x.exp()``, ``a.max(b)``);
    a learner's row through :func:`autograd.apply`."""
    extra = () if c is None else (c,)
    if GATES.get(gate.name) is not gate:
        return apply(gate, *args, c=c)
    if gate.operator:
        return OPERATORS[gate.operator](*args, *extra)  # type: ignore[return-value]
    return getattr(args[0], gate.name)(*args[1:], *extra)


@st.composite
def graphs(
    draw: st.DrawFn,
    max_inputs: int = 3,
    max_ops: int = 8,
    gates: Optional[Iterable[Gate]] = None,
    scaled: Optional[tuple[float, float]] = None,
) -> RandomGraph:
    """Random expression graphs over all gates in ``GATES`` (or over ``gates``, rows of your own
    among them), smooth at their drawn inputs.

    Every instruction is checked with the gate table's own functions to stay away from kinks
    and domain edges (log of x ≤ 0, max ties, exp overflow), and values stay below 1e3.
    Operands are drawn from all earlier registers, so nodes are shared (reuse, diamonds), and
    registers nothing reads are added into the output, so every input and gate reaches the root.

    With ``scaled=(smallest, largest)`` the inputs are :func:`scaled_floats` (magnitudes spread
    over every decade between, either sign), every value and local derivative stays within
    [1e-300, 1e300] in magnitude (no underflow to 0, no overflow; max's exact 0 excepted), the
    margins around kinks and domain edges are relative, registers nothing reads are multiplied
    into the output (adding 1e-200 to 1e100 would drown it), and backward must stay finite.

    >>> from hypothesis import given
    >>> from autograd import gradcheck
    >>> @given(graphs())
    ... def test(g):
    ...     assert gradcheck(g, g.inputs).ok
    >>> test()
    """
    n_inputs = draw(st.integers(1, max_inputs))
    numbers = finite_floats(-3.0, 3.0) if scaled is None else scaled_floats(*scaled)
    inputs = [draw(numbers) for _ in range(n_inputs)]
    values = list(inputs)
    program = []
    rows = {g.name: g for g in (GATES.values() if gates is None else gates)}
    if not rows:
        raise ValueError("graphs: gates is empty; give at least one row")
    names = sorted(rows)
    wide = scaled is not None
    for _ in range(draw(st.integers(1, max_ops))):
        gate = rows[draw(st.sampled_from(names))]
        operands = tuple(draw(st.integers(0, len(values) - 1)) for _ in range(gate.arity))
        c = draw(st.sampled_from(EXPONENTS)) if gate.takes_constant else None
        xs = [values[i] for i in operands]
        if not _safe(gate, xs, c, wide):
            continue  # skip this instruction rather than reject the whole graph
        values.append(gate.forward_at(xs, c))
        program.append((gate.name, operands, c))
    assume(program)
    # Fold every register nothing reads (inputs included) into the output, so each drawn
    # instruction and input reaches the root and the gradient check covers it: with add gates,
    # or for scaled graphs with mul gates where they are tame (a product keeps every factor's
    # relative precision).
    used = {i for _, operands, _ in program for i in operands}
    out = len(values) - 1
    for r in range(len(values) - 1):
        if r not in used:
            xs = [values[out], values[r]]
            fold = "mul" if wide and _safe(GATES["mul"], xs, None, True) else "add"
            assume(not wide or _safe(GATES[fold], xs, None, True))
            values.append(GATES[fold].forward_at(xs))
            program.append((fold, (out, r), None))
            out = len(values) - 1
    own = tuple(g for g in rows.values() if GATES.get(g.name) is not g)
    graph = RandomGraph(tuple(inputs), tuple(program), own)
    if wide:
        try:  # the gradient must be a float too: 1/x at 1e-300 times 1e10 is not
            graph.build()[0].backward()
        except ArithmeticError:
            assume(False)
    else:
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
