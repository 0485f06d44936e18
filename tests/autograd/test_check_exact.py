"""gradcheck against an exact reference (mpmath, 700 digits) on random graphs from 1e-300 to 1e300."""

from __future__ import annotations

import dataclasses
import math
import os
from collections import Counter
from contextlib import contextmanager
from typing import Callable, Iterator, Optional

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import autograd.value
from autograd import GATES, gradcheck
from autograd.testing import RandomGraph, graphs

mpmath = pytest.importorskip("mpmath")
mp = mpmath.mp

#: Graphs the exact-reference test draws; GATEGRAPH_FUZZ=1 draws ten times as many.
EXAMPLES = 20_000 if os.environ.get("GATEGRAPH_FUZZ") else 2_000
MAGNITUDES = (1e-300, 1e300)
WRONG_BY = 1e-4  # the relative error of the wrong rule that must be caught
# Digits of the reference. Values span 1e-300 to 1e300, so a sum like 1e184 + 1e-92 needs 276
# digits to keep its small part, and a derivative may be all that is left when such parts
# cancel (down to 1e-308, below which a float is 0): 700 digits cover 1e300 against 1e-330
# with 70 to spare. (At 60 digits the example below cancels to 0; at 100 it is off in the 9th digit.)
DIGITS = 700

Dual = tuple  # (value, [∂value/∂input_k for each input k]), mpmath numbers


def _scale(v: "mpmath.mpf", ds: list) -> list:
    return [v * d for d in ds]


def _tanh(a: Dual) -> Dual:
    # d/dx tanh x = sech²x, computed so (1 − tanh²x cancels to 0 at every precision for x = 1e10)
    return (mp.tanh(a[0]), _scale(mp.sech(a[0]) ** 2, a[1]))


def _sigmoid(a: Dual) -> Dual:
    e = mp.exp(-a[0])  # σ = 1/(1 + e), σ′ = e/(1 + e)²
    return (1 / (1 + e), _scale(e / (1 + e) ** 2, a[1]))


def _exp(a: Dual) -> Dual:
    e = mp.exp(a[0])
    return (e, _scale(e, a[1]))


# Each gate's value and derivatives in exact arithmetic, written apart from the engine's table
# (this is the oracle the table is checked against): forward mode, every input's at once.
_EXACT: dict[str, Callable[..., Dual]] = {
    "add": lambda a, b: (a[0] + b[0], [x + y for x, y in zip(a[1], b[1])]),
    "mul": lambda a, b: (a[0] * b[0], [a[0] * y + b[0] * x for x, y in zip(a[1], b[1])]),
    "max": lambda a, b: a if a[0] >= b[0] else b,  # the engine's tie rule; ties are not drawn
    "exp": _exp,
    "log": lambda a: (mp.log(a[0]), _scale(1 / a[0], a[1])),
    "pow": lambda a, c: (mp.power(a[0], c), _scale(c * mp.power(a[0], c - 1) if c != 0 else mp.zero, a[1])),
    "tanh": _tanh,
    "sigmoid": _sigmoid,
}


def exact_gradients(g: RandomGraph, digits: int = DIGITS) -> list[float]:
    """∂g/∂inputs[k] for every k, computed with ``digits`` significant digits, rounded to floats."""
    with mp.workdps(digits):
        n = len(g.inputs)
        regs: list[Dual] = [(mp.mpf(x), [mp.one if j == k else mp.zero for j in range(n)]) for k, x in enumerate(g.inputs)]
        for name, operands, c in g.program:
            args = [regs[k] for k in operands]
            regs.append(_EXACT[name](*args, mp.mpf(c)) if c is not None else _EXACT[name](*args))
        return [float(d) for d in regs[-1][1]]


@contextmanager
def wrong_rule(name: str, factor: float) -> Iterator[None]:
    """Every node made inside the block by gate ``name`` has its local derivatives times ``factor``.

    Like tests/conftest.py's ``wrong_mul``, as a context manager, so each hypothesis example can
    patch a gate of its own graph.
    """
    right = GATES[name].local_grads

    def scaled(out: float, *xs: float) -> tuple[float, ...]:
        return tuple(factor * g for g in right(out, *xs))

    table = {**GATES, name: dataclasses.replace(GATES[name], local_grads=scaled)}
    saved = autograd.value.GATES, autograd.value._made
    autograd.value.GATES = table  # type: ignore[assignment]
    autograd.value._made = tuple(autograd.value._Info(op=n) for n in table)
    try:
        yield
    finally:
        autograd.value.GATES, autograd.value._made = saved


def _close(a: float, b: float, rtol: float) -> bool:
    return abs(a - b) <= rtol * max(abs(a), abs(b))


def test_the_exact_reference_knows_every_gate() -> None:
    """The oracle has a row for every gate of the table, so no drawn graph can reach an unknown one."""
    assert set(_EXACT) == set(GATES)


def test_the_exact_reference_keeps_what_cancellation_leaves() -> None:
    """f = (x + x⁻²)·2x·(x + y)·2x = 4(x³ + 1)(x + y) has ∂f/∂x ≈ 4 at x = 1e-92, y = 1; at 60 digits
    the 1e184-sized parts of the product rule cancel to 0; at DIGITS they leave the 4."""
    g = RandomGraph(
        (1e-92, 1.0),
        (
            ("add", (0, 0), None), ("add", (0, 1), None), ("pow", (0,), -2.0), ("add", (0, 0), None),
            ("add", (0, 4), None), ("mul", (6, 2), None), ("mul", (7, 3), None), ("mul", (8, 5), None),
        ),
    )
    assert exact_gradients(g, 60)[0] == 0.0 and exact_gradients(g)[0] == 4.0


def test_the_exact_reference_is_exact_where_floats_are() -> None:
    """On x·y + exp(x) the reference gives y + eˣ, to the last bit."""
    g = RandomGraph((0.5, 3.0), (("mul", (0, 1), None), ("exp", (0,), None), ("add", (2, 3), None)))
    assert exact_gradients(g) == [3.0 + math.exp(0.5), 0.5]


# Graphs hypothesis found where gradcheck once said MISMATCH to a right gradient: f bends on a
# scale far below the first step (a pole 1.2e-10, 1e-13, 1e-104 or 7e-16 from x), so x ± h
# crosses it without leaving the domain and the differences look smooth (a linear 2x, a sum
# drowned in 1e196) or settle by coincidence between two regimes.
POLES = {
    "(x0 + x2)^-2 with x0 + x2 = -1.2e-10": RandomGraph(
        (1.0, 1.0, -1.0000000001211944),
        (("add", (0, 2), None), ("exp", (0,), None), ("pow", (3,), -2.0), ("mul", (5, 1), None), ("mul", (6, 4), None)),
    ),
    "1/x + 1e196 at x = 1e-104": RandomGraph((1e-104, 1e196), (("pow", (0,), -1.0), ("add", (2, 1), None))),
    "2(x + y)^2/x at x = y = 1e-13, where the derivative is 0": RandomGraph(
        (1e-13, 1e-13),
        (
            ("add", (0, 0), None), ("pow", (0,), -2.0), ("add", (0, 1), None), ("add", (0, 1), None),
            ("mul", (5, 2), None), ("mul", (6, 3), None), ("mul", (7, 4), None),
        ),
    ),
    "log(x)^-2 e^2x at x = 1 + 7e-16": RandomGraph(
        (1.0000000000000007,),
        (("exp", (0,), None), ("log", (0,), None), ("exp", (0,), None), ("pow", (2,), -2.0), ("mul", (4, 1), None), ("mul", (5, 3), None)),
    ),
}


@pytest.mark.parametrize("name", sorted(POLES))
def test_a_pole_within_the_step_is_no_false_mismatch(name: str) -> None:
    """Where f bends on a scale far below the first step, gradcheck passes the right gradient."""
    g = POLES[name]
    report = gradcheck(g, list(g.inputs), rtol=1e-5, atol=0.0)
    exact = exact_gradients(g)
    assert all(_close(c.analytic, e, 1e-5) for c, e in zip(report.inputs, exact)), report
    assert report.ok, report


def test_a_pole_within_the_step_is_found_by_shrinking() -> None:
    """At 1.2e-10 from a pole of (x0 + x2)^-2 the step shrinks below 1e-10 and resolves ∂f/∂x0 to rtol."""
    g = POLES["(x0 + x2)^-2 with x0 + x2 = -1.2e-10"]
    check = gradcheck(g, list(g.inputs)).inputs[0]
    assert check.resolved and check.step < 1e-10 and check.rel_error < 1e-5, check


@pytest.mark.slow
def test_gradcheck_matches_an_exact_reference_at_every_magnitude() -> None:
    """On EXAMPLES random graphs with inputs from 1e-300 to 1e300 in magnitude, gradcheck never
    says MISMATCH where the engine's gradient equals the exact one (to rtol), and with a gate's
    rule wrong by 1e-4 relative it says MISMATCH wherever its numeric derivative resolves that."""
    seen: Counter[str] = Counter()
    rtol = 1e-5

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(graphs(max_inputs=3, max_ops=6, scaled=MAGNITUDES), st.data())
    def check(g: RandomGraph, data: st.DataObject) -> None:
        seen["graphs"] += 1
        exact = exact_gradients(g)
        # 1. the right rules: a MISMATCH only where the float gradient really is off
        report = gradcheck(g, list(g.inputs), rtol=rtol, atol=0.0)
        for c, e in zip(report.inputs, exact):
            seen["inputs"] += 1
            if not c.judged:
                seen["not judged (kink)"] += 1
                continue
            if c.ok:
                seen["ok" if c.resolved else "ok, numeric unresolved"] += 1
                continue
            assert not _close(c.analytic, e, rtol), f"false MISMATCH: exact {e!r}\n{g}\n{report}"
            seen["MISMATCH, engine's float gradient off (rounding in backward)"] += 1
        # 2. one gate of the graph wrong by 1e-4: caught wherever it shows and gradcheck resolves it
        name = data.draw(st.sampled_from(sorted({op for op, _, _ in g.program})), label="wrong gate")
        with wrong_rule(name, 1.0 + WRONG_BY):
            wrong = gradcheck(g, list(g.inputs), rtol=rtol, atol=0.0)
        for c, e in zip(wrong.inputs, exact):
            off = abs(c.analytic - e)
            if not c.judged or off <= WRONG_BY / 2 * abs(e):
                continue  # at a kink, or the wrong rule does not reach this input (max routed past it)
            tolerance = rtol * max(abs(c.analytic), abs(c.numeric)) + c.error
            if tolerance >= off / 2 or not _close(e, report.inputs[c.index].numeric, 1e-6):
                seen["wrong rule, numeric too imprecise to see it"] += 1
                continue
            assert not c.ok, f"wrong {name} rule not caught: exact {e!r}\n{g}\n{wrong}"
            seen["wrong rule caught"] += 1

    check()
    print(dict(seen))  # shown with pytest -s: the counts the README's reliability section quotes
    assert seen["graphs"] >= EXAMPLES
    # the check has teeth: most wrong rules that show are resolved and caught
    assert seen["wrong rule caught"] >= 4 * seen["wrong rule, numeric too imprecise to see it"]
    assert seen["ok"] >= 0.8 * seen["inputs"]


def test_a_pole_hidden_below_rounding_is_unresolved_not_a_mismatch() -> None:
    """At x2 = 1e-63, x2⁻² moves f by 1e126 beside a 4e174 term: no step sees its −4e189 slope,
    so the wide step's number is reported as unresolved, never as a MISMATCH (found by hypothesis)."""

    def f(x0, x1, x2):
        return ((x2.exp() * x1 * (x0 + x0)) + x2 ** -2.0) * (x0 + x0)

    check = gradcheck(f, [1.0, 1e174, 1e-63]).inputs[2]
    assert check.ok and not check.resolved and "good to ±inf" in str(check)


def test_a_pole_just_visible_beside_a_huge_term_is_no_false_mismatch() -> None:
    """x2⁻² at 1e-73 changes f by 1 part in 4e9 over the scale of x2: x2 ± 1e-5 cannot see it
    (f there is 4e155 either way), a step of |x2|/100 resolves ∂f/∂x2 = −4e219."""

    def f(x0, x1, x2):
        return ((x2.exp() * x1 * (x0 + x0)) + x2 ** -2.0) * (x0 + x0)

    check = gradcheck(f, [1.0, 1e155, 1e-73]).inputs[2]
    assert check.ok and check.resolved and check.numeric == pytest.approx(-4e219, rel=1e-5), check
