"""check_gate: property-check one gate row (yours or a built-in one) over its domain with hypothesis."""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

from ._theircode import describe
from .gates import Gate
from .value import _check_row

__all__ = ["GateProblem", "GateReport", "check_gate"]

#: Constant exponents tried for a row that takes one (as autograd.testing.EXPONENTS).
EXPONENTS = (-2.0, -1.0, 0.5, 2.0, 3.0)
_CLEAN = (ValueError, OverflowError, ZeroDivisionError)  # how a row says "outside my domain"


@dataclass(frozen=True)
class GateProblem:
    """The first thing wrong with a row, at the smallest input hypothesis found.

    Attributes:
        kind: ``"derivative"`` (local_grads against a centred difference), ``"kink"`` (at a
            kink, local_grads against the one-sided difference of the piece ``branch`` says is
            active), ``"forward"`` (not a finite real number), ``"domain"`` (forward raised but
            the row's ``domain`` is empty), ``"local_grads"`` (wrong count or not finite),
            ``"branch"`` (not an int) or ``"error"`` (the row's code raised something else).
        inputs: the gate's inputs there; ``const``: its constant, if it takes one.
        index: which input's derivative disagrees (derivative and kink problems).
        analytic, numeric: local_grads' number and the finite difference's.
        message: all of it in words.
    """

    kind: str
    inputs: tuple[float, ...]
    const: Optional[float]
    message: str
    index: Optional[int] = None
    analytic: Optional[float] = None
    numeric: Optional[float] = None


@dataclass(frozen=True)
class GateReport:
    """What :func:`check_gate` found: ``ok``, and the ``problem`` at the smallest failing input."""

    ok: bool
    gate: Gate
    problem: Optional[GateProblem]
    examples: int
    eps: float
    bounds: tuple[float, float]

    def __str__(self) -> str:
        where = f"{self.examples} input{'' if self.examples == 1 else 's'} in [{self.bounds[0]:g}, {self.bounds[1]:g}]"
        if self.ok:
            return (
                f"check_gate({self.gate.name!r}) passed: {where}; forward finite or a clean error, "
                f"local derivatives agree with centred differences (h = {self.eps:g}·max(1, |x|))"
                + (", and with the active piece at each kink" if self.gate.branch else "")
            )
        assert self.problem is not None
        return f"check_gate({self.gate.name!r}) FAILED ({self.problem.kind}) after {where}:\n  {self.problem.message}"


def _at(xs: Sequence[float], c: Optional[float]) -> str:
    names = ["x"] if len(xs) == 1 else ["a", "b"]
    text = ", ".join(f"{n} = {x!r}" for n, x in zip(names, xs))
    return text + (f", c = {c!r}" if c is not None else "")


def _real(v: object) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


class _Row:
    """A row's functions at given inputs, with the constant appended where the row takes one."""

    def __init__(self, gate: Gate, c: Optional[float]) -> None:
        self.gate, self.c = gate, c

    def args(self, xs: Sequence[float]) -> tuple[float, ...]:
        return (*xs, self.c) if self.gate.takes_constant else tuple(xs)

    def value(self, xs: Sequence[float]) -> Optional[float]:
        """forward at xs, or None where it raises or is not a finite real number."""
        out, error = _run(self.gate.forward, self.args(xs))
        return float(out) if error is None and _real(out) and math.isfinite(out) else None  # type: ignore[arg-type]

    def branch(self, xs: Sequence[float]) -> Optional[int]:
        out, error = _run(self.gate.branch, self.args(xs))  # type: ignore[arg-type]
        return out if error is None else None  # type: ignore[return-value]


def _run(fn: Callable[..., object], args: Sequence[float]) -> tuple[object, Optional[BaseException]]:
    """``(fn(*args), None)``, or ``(None, what it raised)``: SystemExit and other BaseExceptions too,
    since the row is the learner's code; only Ctrl-C goes on up."""
    try:
        return fn(*args), None
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: B902 - their code may raise anything; it is reported, never re-raised
        return None, exc


def _moved(xs: Sequence[float], i: int, delta: float) -> list[float]:
    out = list(xs)
    out[i] += delta
    return out


def _problem(gate: Gate, xs: tuple[float, ...], c: Optional[float], eps: float, rtol: float,
             atol: float, seen: Optional[list[int]] = None) -> Optional[GateProblem]:
    """What is wrong with ``gate`` at ``xs`` (None if nothing).

    ``seen`` counts, if given, the inputs where forward gave a number and where local_grads did too.
    """
    row = _Row(gate, c)
    at = _at(xs, c)

    def problem(kind: str, message: str, **numbers_: float) -> GateProblem:
        return GateProblem(kind, xs, c, message, **numbers_)  # type: ignore[arg-type]

    # forward: a finite real number, or one of the clean errors where the row has a domain
    out, exc = _run(gate.forward, row.args(xs))
    if isinstance(exc, _CLEAN):
        if gate.domain:
            return None  # outside the domain, said cleanly: the engine names the domain
        return problem("domain", f"forward raised {type(exc).__name__} ({exc}) at {at}, but the row's domain "
                       "is empty: say in words where the gate is defined, e.g. domain=\"x > 0\"")
    if exc is not None:
        return problem("error", f"at {at}: " + describe(exc, "forward"))
    if not _real(out):
        return problem("forward", f"forward returned {type(out).__name__} {out!r:.40} at {at}; it must return "
                       "a real number (raise ValueError outside the domain)")
    if not math.isfinite(out):  # type: ignore[arg-type]
        return problem("forward", f"forward returned {out!r} at {at}; raise ValueError outside the domain "
                       "(and say where in domain=) instead of returning a number that is not finite")
    if seen is not None:
        seen[0] += 1
    # local derivatives: one finite real number per input
    local, exc = _run(gate.local_grads, (out, *row.args(xs)))  # type: ignore[arg-type]
    if isinstance(exc, _CLEAN):
        # excused only where there is no derivative to give (pow at 0, sqrt at 0): where the
        # centred differences converge (analytic nan never agrees), the row owed a number
        for i in range(gate.arity):
            found = _compare(row, xs, i, math.nan, None, eps, rtol, atol)
            if found is not None:
                return problem("local_grads", f"local_grads raised {type(exc).__name__} ({exc}) at {at}, where "
                               f"forward gave {out!r} and the centred difference gives {found[1]!r}: it must "
                               "return a finite derivative there", index=i, numeric=found[1])
        return None
    if exc is not None:
        return problem("error", f"at {at}: " + describe(exc, "local_grads"))
    if not isinstance(local, (tuple, list)) or len(local) != gate.arity:
        return problem("local_grads", f"local_grads returned {local!r:.60} at {at}; it must return a tuple of "
                       f"{gate.arity} number(s), one per input")
    bad = [g for g in local if not (_real(g) and math.isfinite(g))]
    if bad:
        return problem("local_grads", f"local_grads returned {tuple(local)!r} at {at}: {bad[0]!r} is not a finite number")
    if seen is not None:
        seen[1] += 1
    here = None
    if gate.branch is not None:
        here, exc = _run(gate.branch, row.args(xs))
        if exc is not None:
            return problem("error", f"at {at}: " + describe(exc, "branch"))
        if not isinstance(here, int) or isinstance(here, bool):
            return problem("branch", f"branch returned {here!r:.40} at {at}; it must return an int, the active piece")
    for i in range(gate.arity):
        found = _compare(row, xs, i, float(local[i]), here, eps, rtol, atol)
        if found is not None:
            kind, numeric, how = found
            analytic = float(local[i])
            name = "x" if gate.arity == 1 else "ab"[i]
            message = (f"at {at}: local_grads gives ∂out/∂{name} = {analytic!r}, {how} gives {numeric!r} "
                       f"(difference {analytic - numeric:.3g})")
            return problem(kind, message, index=i, analytic=analytic, numeric=numeric)
    return None


def _compare(row: _Row, xs: Sequence[float], i: int, analytic: float, here: Optional[int], eps: float,
             rtol: float, atol: float) -> Optional[tuple[str, float, str]]:
    """``(kind, numeric, how)`` if ``analytic`` disagrees with the finite difference in input ``i``."""
    h = eps * max(1.0, abs(xs[i]))  # a step that scales with the input, so precision does too
    f0 = row.value(xs)
    steps = (1.0, 0.5, 0.25)  # h, h/2, h/4: three differences, to see them converge
    if here is not None:  # a piecewise row: is there a kink within h?
        same = {s: all(row.branch(_moved(xs, i, s * k * h)) == here for k in steps) for s in (1.0, -1.0)}
        if not all(same.values()):
            side = next((s for s in (1.0, -1.0) if same[s]), None)
            if side is None or f0 is None:
                return None  # the active piece is a single point: no difference to compare with
            ends = [row.value(_moved(xs, i, side * k * h)) for k in steps]
            if any(v is None for v in ends):
                return None
            # one-sided differences on the active piece: D(h) = D + k·h + …, so 2·D(h/2) − D(h) = D + O(h²)
            d = [(v - f0) / (side * k * h) for v, k in zip(ends, steps)]  # type: ignore[operator]
            how = (f"the one-sided difference from the {'right' if side > 0 else 'left'}, on the piece "
                   f"branch says is active ({here}),")
            return _judge(analytic, d, 2.0, rtol, atol, "kink", how)
    ends = [(row.value(_moved(xs, i, k * h)), row.value(_moved(xs, i, -k * h))) for k in steps]
    if f0 is None or any(v is None for pair in ends for v in pair):
        return None  # x ± h leaves the domain: not judged here
    # second differences (f(x+h) − 2f(x) + f(x−h))/h² tend to f″ where f is smooth, and blow up
    # when [x − h, x + h] holds a pole (x⁻² near 0) or a kink the row does not claim: not judged
    curv = [(plus - 2.0 * f0 + minus) / (k * h) ** 2 for (plus, minus), k in zip(ends, steps)]  # type: ignore[operator]
    spread = abs(curv[0] - curv[2])
    if spread > 0.1 * max(abs(curv[0]), abs(curv[2])) and spread > 1e-9 * max(1.0, abs(f0)) / h**2:  # type: ignore[arg-type]
        return None
    # centred differences: D(h) = D + k·h² + …, so (4·D(h/2) − D(h))/3 = D + O(h⁴)
    d = [(plus - minus) / (2.0 * k * h) for (plus, minus), k in zip(ends, steps)]  # type: ignore[operator]
    return _judge(analytic, d, 4.0, rtol, atol, "derivative", f"the centred difference (h = {h:.3g})")


def _judge(analytic: float, d: list[float], order: float, rtol: float, atol: float, kind: str,
           how: str) -> Optional[tuple[str, float, str]]:
    """Compare ``analytic`` with the differences ``d`` at steps h, h/2, h/4 (error ∝ hᵖ, 2ᵖ = ``order``)."""
    spread = abs(d[0] - d[2])
    if spread > 0.1 * max(abs(d[0]), abs(d[2])) and spread > 1e-6:
        return None  # the differences do not converge (a pole or a kink within h): not judged here
    numeric = (order * d[2] - d[1]) / (order - 1.0)  # Richardson: the leading error term cancels
    slack = abs(d[1] - d[2])  # how much the last two steps disagree: the differences' own error
    if abs(analytic - numeric) <= atol + rtol * max(abs(analytic), abs(numeric)) + 2.0 * slack:
        return None
    return kind, numeric, how


def check_gate(
    gate: Gate,
    *,
    bounds: tuple[float, float] = (-10.0, 10.0),
    max_examples: int = 200,
    eps: float = 1e-6,
    rtol: float = 1e-5,
    atol: float = 1e-8,
) -> GateReport:
    """Property-check a row with hypothesis: forward, local derivatives and branch, over its domain.

    At inputs drawn from ``bounds`` (and, for two inputs, ties a == b; for a row that takes a
    constant, the exponents of :data:`EXPONENTS`) it checks that

    - ``forward`` returns a finite real number, or raises ValueError / OverflowError /
      ZeroDivisionError where the row's ``domain`` says it is undefined;
    - somewhere in ``bounds`` forward and local_grads give numbers: a row that raises at every
      input tried fails, even where its ``domain`` excuses each error;
    - ``local_grads`` raises a clean error only where no derivative exists (the centred
      differences do not converge there, as for sqrt at 0);
    - ``local_grads`` returns one finite number per input, each equal to the centred
      difference with the magnitude-aware step h = eps·max(1, |x|) (two steps, extrapolated,
      their disagreement allowed for, so a steep but right derivative passes);
    - at a kink the ``branch`` function claims (the active piece changes within h), each
      local derivative equals the one-sided difference on the piece ``branch`` says is active.

    The row's code runs in this process: no sandbox. Anything it raises is reported as its error,
    with its own lines — a ``BaseException`` or ``sys.exit`` too (only Ctrl-C goes on up). The simplest inputs (0, 1, −1, 2, 0.5) are tried first; past them, hypothesis
    shrinks a failure to the smallest failing input it can find.

    Returns:
        A :class:`GateReport`: ``ok``, and ``problem`` with the input and both numbers.

    >>> from autograd import GATES
    >>> check_gate(GATES["tanh"], max_examples=30).ok
    True
    >>> wrong = Gate(name="cube", symbol="x³", arity=1, forward=lambda x: x ** 3,
    ...              local_grads=lambda out, x: (3 * x,), rule="cube multiplies by 3x²")
    >>> print(check_gate(wrong).problem.message)
    at x = -1.0: local_grads gives ∂out/∂x = -3.0, the centred difference (h = 1e-06) gives 3.0... (difference -6)
    """
    _check_row(gate, "check_gate", run=False)
    lo, hi = bounds
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ValueError(f"check_gate: bounds must be two finite numbers, low < high, got {bounds!r}")
    if not (isinstance(max_examples, int) and max_examples >= 1):
        raise ValueError(f"check_gate: max_examples must be a positive int, got {max_examples!r}")
    if not (0.0 < eps < 1e-2):
        raise ValueError(f"check_gate: eps must be in (0, 0.01), got {eps!r}")
    try:
        from hypothesis import HealthCheck, find, settings
        from hypothesis import strategies as st
        from hypothesis.errors import NoSuchExample
    except ImportError:  # hypothesis is the optional [check] extra
        raise ImportError('check_gate needs hypothesis, which is not installed: pip install "gategraph[check]"') from None

    # the simplest inputs first, without hypothesis: a row wrong everywhere is reported at once
    seen = [0, 0]  # inputs where forward gave a number, and where local_grads did too
    simple = [v for v in (0.0, 1.0, -1.0, 2.0, 0.5) if lo <= v <= hi]
    for c in (EXPONENTS if gate.takes_constant else (None,)):
        for v in simple:
            found = _problem(gate, (v,) * gate.arity, c, eps, rtol, atol, seen)
            if found is not None:
                return GateReport(False, gate, found, 1, eps, (lo, hi))
    floats = st.floats(lo, hi, allow_nan=False, allow_infinity=False, allow_subnormal=False)
    inputs = st.tuples(floats) if gate.arity == 1 else st.one_of(
        st.tuples(floats, floats), floats.map(lambda v: (v, v))  # ties: where max-like gates kink
    )
    consts = st.sampled_from(EXPONENTS) if gate.takes_constant else st.none()
    tried = [0]

    def fails(example: tuple[tuple[float, ...], Optional[float]]) -> bool:
        tried[0] += 1
        return _problem(gate, example[0], example[1], eps, rtol, atol, seen) is not None

    config = settings(max_examples=max_examples, database=None, derandomize=True, deadline=None,
                      suppress_health_check=list(HealthCheck))
    try:
        xs, c = find(st.tuples(inputs, consts), fails, settings=config)
    except NoSuchExample:
        return GateReport(seen[1] > 0, gate, _nothing_checked(gate, seen, (lo, hi)), tried[0], eps, (lo, hi))
    found = _problem(gate, xs, c, eps, rtol, atol)
    return GateReport(found is None, gate, found, tried[0], eps, (lo, hi))


def _nothing_checked(gate: Gate, seen: list[int], bounds: tuple[float, float]) -> Optional[GateProblem]:
    """The problem of a row that raised at every input tried (its domain excused each one), if so."""
    if seen[1]:
        return None
    x = min(max(0.0, bounds[0]), bounds[1])  # the first input tried
    c = EXPONENTS[0] if gate.takes_constant else None
    row = _Row(gate, c)
    who, args = "forward", row.args((x,) * gate.arity)
    _, exc = _run(gate.forward, args)
    if seen[0]:  # forward gave numbers; local_grads raised wherever it did
        who = "local_grads"
        start = next((v for v in (x, 1.0, -1.0, 2.0, 0.5) if row.value((v,) * gate.arity) is not None), x)
        args = row.args((start,) * gate.arity)
        _, exc = _run(gate.local_grads, (row.value((start,) * gate.arity), *args))
        x = start
    why = f" ({type(exc).__name__}: {exc})" if exc is not None else ""
    return GateProblem(
        who, (x,) * gate.arity, c,
        f"{who} raised at every input tried{why}, e.g. at {_at((x,) * gate.arity, c)}: the domain "
        f"({gate.domain}) excuses an error outside it, but inside it the row must give numbers",
    )
