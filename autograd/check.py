"""Numeric gradient checks: centered differences, relative error, and kinks reported, not failed."""

from __future__ import annotations

import dataclasses
import math
import sys
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

from .graph import topological_order
from .errors import GateError
from .value import Value, as_float, gate_of

__all__ = [
    "GradcheckError",
    "GradcheckReport",
    "InputCheck",
    "LeafCheck",
    "NumericGrad",
    "check_leaves",
    "gradcheck",
    "numeric_grad",
    "numeric_grads_of",
    "relative_error",
]

Fn = Callable[..., Value]


class GradcheckError(AssertionError):
    """Raised by ``gradcheck(..., raise_on_failure=True)`` when an analytic gradient is wrong."""


def relative_error(analytic: float, numeric: float) -> float:
    """CS231n's relative error |a − n| / max(|a|, |n|); 0.0 when both are zero.

    >>> relative_error(2.0, 2.0), relative_error(0.0, 0.0), relative_error(1.0, 3.0)
    (0.0, 0.0, 0.6666666666666666)
    """
    scale = max(abs(analytic), abs(numeric))
    return 0.0 if scale == 0.0 else abs(analytic - numeric) / scale


def _call(fn: Fn, xs: Sequence[float]) -> Value:
    out = fn(*[Value(x, f"x{i}") for i, x in enumerate(xs)])
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: fn must return a Value, got {type(out).__name__}")
    return out


def _branches(out: Value) -> tuple[int, ...]:
    """Which piece every piecewise gate (max, so relu too) takes, in graph order."""
    pattern = []
    for node in topological_order(out):
        gate = gate_of(node) if node.op else None  # a learner's piecewise row has kinks too
        if gate is not None and gate.branch is not None:
            pattern.append(gate.branch_at([p.data for p in node.parents], node.const))
    return tuple(pattern)


_ULP = sys.float_info.epsilon  # 2⁻⁵², the spacing of floats at 1.0
_HIDDEN = 1e4  # |a − n|·|x| below this many roundings of f: a disagreement no step resolves (see gradcheck)
_MAX_SHRINKS = 40  # tenfold steps down to stay in fn's domain, at most (then: not judged)
_MAX_ROUNDS = 4  # tenfold steps down while the truncation error still exceeds the rounding error
_MAX_UNSETTLED = 12  # tenfold steps down in all, while the estimate is untrusted or unconfirmed


@dataclass(frozen=True)
class _Difference:
    """A numeric derivative with its error estimate, as ``_estimate`` finds it."""

    value: float  # the derivative: Richardson's extrapolation of centered differences
    error: float  # estimated |value − true derivative|: truncation + rounding
    step: float  # h, the largest of the steps h, h/2, h/4
    kink: bool  # x ± h puts a max/relu on another piece than x does
    shrunk: bool  # the step was shrunk below eps·max(1, |x|) to keep x ± h in fn's domain
    edge: bool  # no step down to the float spacing stays in fn's domain: nothing to judge
    trusted: bool = True  # halving the step shrank the differences' change as theory says


class _Quotient:
    """Centered differences of ``fn`` in input ``i`` at ``xs``: (f(x + h) − f(x − h)) / ((x + h) − (x − h))."""

    def __init__(self, fn: Fn, xs: Sequence[float], i: int, at: Optional[tuple[int, ...]]) -> None:
        self.fn, self.xs, self.i, self.x, self.branches = fn, list(xs), i, xs[i], at

    def at(self, h: float) -> tuple[float, bool, float]:
        """The quotient at step h, whether x ± h puts a max/relu on another piece than x, and the
        rounding error of f at x ± h (see :func:`_rounding`). Raises GateError where x + h or
        x − h is outside fn's domain (or a value there overflows)."""
        h = _symmetric(self.x, h)
        plus, minus = list(self.xs), list(self.xs)
        plus[self.i] = self.x + h  # the floats actually evaluated at: the quotient divides by
        minus[self.i] = self.x - h  # their own distance, so no rounding of x ± h enters it
        f_plus, f_minus = _call(self.fn, plus), _call(self.fn, minus)
        at = self.branches
        kink = at is not None and not (_branches(f_plus) == at == _branches(f_minus))
        quotient = (f_plus.data - f_minus.data) / (plus[self.i] - minus[self.i])
        return quotient, kink, max(_rounding(f_plus), _rounding(f_minus))


def _symmetric(x: float, h: float) -> float:
    """A step near h with x + h and x − h exact floats, h away from x on both sides.

    Rounded x ± h would make the difference lopsided, off by f″·(h₊ − h₋)/2: at x = 1 − 6e-16
    (odd in the last place), x + h crosses 1 where floats are twice as far apart. Taking the
    shorter of the two rounded steps settles within a few rounds.
    """
    for _ in range(4):
        up, down = (x + h) - x, x - (x - h)  # both exact: Sterbenz's lemma
        if up == down:
            return up
        h = min(up, down)
    return h


def _rounding(out: Value) -> float:
    """How far rounding can move ``out.data``, to first order.

    Every gate rounds its output v by at most one unit in the last place, ε·|v| (ε = 2⁻⁵²), and
    an error δ at v moves the output by ∂out/∂v · δ: in all, ε · Σ |∂out/∂v · v| over the gate
    outputs (one backward pass gives every ∂out/∂v). ``x + 1e21`` at x = 1 can move by
    ε·1e21 ≈ 2e5, so no step below that resolves ∂f/∂x.
    """
    try:
        out.backward()
    except GateError:  # a gradient overflowed: |out| alone, as the least the rounding can be
        return _ULP * abs(out.data)
    return _ULP * (abs(out.data) + sum(abs(n.grad * n.data) for n in topological_order(out) if n.op))


def _in_domain(q: _Quotient, h: float, floor: float) -> tuple[float, tuple[float, bool, float], int]:
    """The first step from h down whose x ± h fn accepts, its quotient, and how many shrinks it took.

    While fn raises GateError at x + h or x − h (log at a negative x − h, exp overflowing) the
    step shrinks tenfold. Raises LookupError when no step down to ``floor`` (or to a few units
    in the last place of x) fits.
    """
    shrinks = 0
    while True:
        try:
            return h, q.at(h), shrinks
        except GateError:
            shrinks += 1
            h /= 10
            if shrinks > _MAX_SHRINKS or h < max(floor, 4 * math.ulp(q.x)):
                raise LookupError("no step inside fn's domain") from None


def _richardson(q: _Quotient, h: float, first: tuple[float, bool, float], floor: float = 0.0) -> Optional[_Difference]:
    """The best extrapolated derivative from step h down, with its error estimate; None if x ± h/2 fails.

    D(h) = f′ + c·h² + O(h⁴), so D(h/4) + (D(h/4) − D(h/2))/3 = f′ + O(h⁴), and |D(h/4) − D(h/2)|/3
    ≈ c·h²/16 is what is left of the truncation error. That holds once h is small against the
    scale on which f bends; then halving h cuts |D(h) − D(h/2)| fourfold. Where it does not
    (by at least twofold, or down to the rounding level), h is too large and the estimate is
    not trusted. Rounding (at most R in f at any point) adds at most 3R/(h/2).

    While the estimate is untrusted the step shrinks tenfold, down to ``floor`` or the float
    spacing of x (a pole at 1.2e-10 from x needs h below 1e-10). Once a round was untrusted,
    f is known to bend on a scale below the steps tried, and a trusted round may be a passing
    coincidence of two regimes (D ∝ h⁻² turning into D ∝ h⁻⁴ can cut a difference fourfold
    once): it counts only when the next round is trusted too and agrees with it within their
    errors. While truncation dominates a trusted estimate the step shrinks tenfold too, up to
    _MAX_ROUNDS times; the trusted estimate with the smallest error is kept. If none is
    trusted, the last one is returned with an infinite error: a number that never settled is
    shown, never judged.
    """
    best: Optional[_Difference] = None
    untrusted: Optional[_Difference] = None
    pending: Optional[_Difference] = None  # trusted after an untrusted round: awaits confirmation
    settled = True  # no round so far was untrusted
    d1, _kink, r1 = first
    rounds = 0
    while rounds < _MAX_ROUNDS or not settled or pending is not None:
        if h / 4 < max(4 * math.ulp(q.x), floor) or rounds >= _MAX_UNSETTLED:
            break  # x ± h/4 would be x itself, or nearly; or the other step family takes over
        rounds += 1
        try:
            d2, _kink, r2 = q.at(h / 2)
            d4, _kink, r4 = q.at(h / 4)
        except GateError:  # a hole in the domain inside x ± h: keep what we have
            break
        noise = 3 * max(r1, r2, r4) / (h / 2)
        step1, step2 = abs(d1 - d2), abs(d2 - d4)
        trusted = step2 <= max(step1 / 2, 2 * noise)
        truncation = step2 / 3
        value = d4 + (d4 - d2) / 3
        # twice the estimate, as margin: near a minimum (f′ ≪ f″·h) the last digits of the
        # extrapolation carry an error of the size of the estimate itself
        found: Optional[_Difference] = _Difference(value, 2 * (truncation + noise), h, False, False, False)
        if not trusted:
            settled, pending, found = False, None, None
            untrusted = _Difference(value, math.inf, h, False, False, False, trusted=False)
        elif not settled and pending is None:
            pending = found
            found = None
        elif pending is not None:
            agree = abs(pending.value - found.value) <= pending.error + found.error
            if agree:
                best = min((b for b in (best, pending, found) if b is not None), key=lambda b: b.error)
                settled, pending = True, None
            else:
                pending = found  # the new round awaits confirmation in turn
            found = None
        if found is not None and (best is None or found.error < best.error):
            best = found
        if settled and best is not None and trusted and truncation <= max(noise, 1e-13 * abs(value)):
            break
        h /= 10
        try:
            d1, _kink, r1 = q.at(h)
        except GateError:
            break
    return best or untrusted


def _estimate(fn: Fn, xs: Sequence[float], i: int, eps: float, at: Optional[tuple[int, ...]] = None) -> _Difference:
    """∂fn/∂xs[i] by centered differences, with the step rule of :func:`gradcheck` and an error estimate."""
    q, x = _Quotient(fn, xs, i, at), xs[i]
    best: Optional[_Difference] = None
    left_domain = False  # whether a larger step already left fn's domain
    for h, floor in _step_families(x, eps):
        try:
            h, first, shrinks = _in_domain(q, h, floor)
        except LookupError:
            left_domain = True
            continue
        shrunk = left_domain or shrinks > 0
        if first[1]:  # a kink within x ± h: no derivative to compare with; the quotient as it is
            return _Difference(first[0], math.inf, h, True, shrunk, False)
        found = _richardson(q, h, first, floor) or _Difference(first[0], math.inf, h, False, False, False, trusted=False)
        found = dataclasses.replace(found, shrunk=shrunk)
        if best is None or _better(found, best):
            best = found
    if best is None:
        return _Difference(math.nan, math.inf, eps * abs(x), False, True, True)
    return best


def _step_families(x: float, eps: float) -> list[tuple[float, float]]:
    """The starting steps tried at x, largest first, each with the floor where the next takes over.

    First eps·max(1, |x|). Where |x| is small against that, two more, each at least tenfold
    smaller: |x|/100 and eps·|x|. Both stay in the domain where the first left it (log at
    x = 1e-300), and both see f on the scale of x, where a term like x⁻² bends: beside a huge
    term (x⁻² at x = 1e-73 beside 4e155) only a step that large against x moves f by more than
    its rounding (|x|/100 changes f by 1e-11 of itself, eps·|x| by 1e-14, barely above ε), while
    eps·|x| resolves what needs a step that small (x² at x = 1e-200, where f(x ± 1e-5) = 1e-10
    hides a change of 2e-205). :func:`_better` picks one estimate of the three.

    >>> _step_families(2.0, 1e-5)
    [(2e-05, 0.0)]
    >>> [(f"{h:.0e}", f"{floor:.0e}") for h, floor in _step_families(1e-73, 1e-5)]
    [('1e-05', '1e-75'), ('1e-75', '1e-78'), ('1e-78', '0e+00')]
    """
    starts = [eps * max(1.0, abs(x))]
    for h in (abs(x) / 100, eps * abs(x)):
        if 0.0 < h <= starts[-1] / 10:
            starts.append(h)
    return [(h, starts[k + 1] if k + 1 < len(starts) else 0.0) for k, h in enumerate(starts)]


def _better(a: _Difference, b: _Difference) -> bool:
    """Whether estimate a, from the smaller step, beats b.

    A trusted estimate beats an untrusted one. Two trusted ones that disagree beyond their
    errors saw f on different scales, and the smaller step saw it nearer x, so it wins however
    wide its error: 2(x + y)²/x at x = y = 1e-13 looks like 2x from x ± 1e-5 (slope 2, smooth),
    while x ± 1e-18 gives the true 0 ± 2e-8. Where neither resolves f′ (error ≥ |value|) the wider
    bound wins: the larger step's bound holds only if f is smooth across the scale of x, which
    nothing confirms (1/x + 1e196 at x = 1e-104 is 1e196 at x ± 1e-5 and at x ± 1e-109 alike, so
    both steps see 0, but only the smaller one's ±5e290 admits the true −1e208). Otherwise the
    smaller error relative to the estimate wins, so 2e36 ± 1e26 beats 0 ± 3 (x⁻² at x = 1e-12,
    where f(x ± 1e-5) are equal).
    """
    if a.trusted != b.trusted:
        return a.trusted
    if a.trusted and abs(a.value - b.value) > a.error + b.error:
        return True  # the smaller step contradicts the larger one: only it saw f near x
    if _relative(a) >= 1.0 and _relative(b) >= 1.0:
        return a.error > b.error  # neither resolves f′: the wider bound, see above
    return _relative(a) < _relative(b)


def _relative(d: _Difference) -> float:
    return d.error / abs(d.value) if d.value else (0.0 if d.error == 0.0 else math.inf)


def numeric_grad(fn: Fn, inputs: Sequence[float], index: int, eps: float = 1e-5) -> float:
    """∂fn/∂inputs[index] by one centered difference (f(x + h) − f(x − h)) / ((x + h) − (x − h)).

    The course's formula, with :func:`gradcheck`'s step: h = eps·max(1, |x|), so for |x| <= 1 it
    is the plain (f(x + eps) − f(x − eps)) / 2·eps; shrunk tenfold while fn raises GateError at
    x ± h, and eps·|x| where no such step fits (log at 1e-300). No extrapolation and no error
    estimate, so a step across a kink shows the average slope: gradcheck does the rest.

    >>> numeric_grad(lambda a, b: a * b, [3.0, 4.0], 0)  # ∂(ab)/∂a = b
    4.0...
    >>> round(numeric_grad(lambda x: x.log(), [1e-300], 0) / 1e300, 6)  # 1/x, with a step of 1e-305
    1.0
    """
    xs = [as_float(x, f"numeric_grad: inputs[{i}]") for i, x in enumerate(_as_list(inputs))]
    if not (isinstance(index, int) and 0 <= index < len(xs)):
        raise ValueError(f"numeric_grad: index must be an input's position, 0 to {len(xs) - 1}, got {index!r}")
    _check_eps(eps, "numeric_grad")
    q, x = _Quotient(fn, xs, index, None), xs[index]
    for h in (eps * max(1.0, abs(x)), eps * abs(x)):
        try:
            return _in_domain(q, h, 0.0)[1][0]
        except LookupError:
            continue
    raise ValueError(f"numeric_grad: no step around inputs[{index}] = {x!r} keeps fn in its domain")


@dataclass(frozen=True)
class InputCheck:
    """The check of one input: both derivatives, their relative error, and the verdict.

    Attributes:
        index, value: which input, and its value x.
        analytic: the engine's gradient; numeric: the finite-difference estimate.
        rel_error: |analytic − numeric| / max(|analytic|, |numeric|).
        kink: x ± step crosses a max/relu tie: reported, not judged.
        ok: the input passed (or was not judged).
        error: how far the numeric derivative may be off (truncation + rounding), part of the tolerance.
        step: the step h the numeric derivative used.
        shrunk: the step was shrunk below eps·max(1, |x|) to keep x ± h in fn's domain.
        edge: no step down to the float spacing keeps x ± h in fn's domain: not judged.
    """

    index: int
    value: float
    analytic: float
    numeric: float
    rel_error: float
    kink: bool
    ok: bool
    error: float = 0.0
    step: float = 0.0
    shrunk: bool = False
    edge: bool = False

    @property
    def judged(self) -> bool:
        """Whether the input was judged at all (not at a kink, not at a domain edge)."""
        return not (self.kink or self.edge)

    @property
    def resolved(self) -> bool:
        """Whether the numeric derivative is precise enough to tell the analytic one from 0."""
        return self.error < max(abs(self.analytic), abs(self.numeric))

    def __str__(self) -> str:
        if self.kink:
            verdict = "kink (not judged)"
        elif self.edge:
            verdict = "domain edge: no step keeps x ± h inside (not judged)"
        elif not self.ok:
            verdict = "MISMATCH"
        elif not self.resolved:
            verdict = f"ok, but the numeric derivative is only good to ±{self.error:.1e} (rounding or curvature)"
        else:
            verdict = "ok"
        if self.shrunk and not self.edge:
            verdict += f" (step shrunk to {self.step:.1e} to stay in the domain)"
        return (
            f"input {self.index} = {self.value:.6g}: analytic {self.analytic:.10g}, "
            f"numeric {self.numeric:.10g}, rel error {self.rel_error:.2e}  {verdict}"
        )


@dataclass(frozen=True)
class GradcheckReport:
    """What ``gradcheck`` found.

    Attributes:
        ok: every judged input passed.
        max_rel_error: the largest relative error over the judged inputs whose numeric derivative
            resolves them and whose derivatives are not both ≈ 0 (within ``atol``: there relative
            error means nothing).
        inputs: one :class:`InputCheck` per input.
        kinks: indices of inputs whose ±step crosses a max/relu tie (reported, not judged).
        edges: indices of inputs where no step keeps x ± h in fn's domain (reported, not judged).
    """

    ok: bool
    max_rel_error: float
    inputs: tuple[InputCheck, ...]
    kinks: tuple[int, ...]
    eps: float
    rtol: float
    atol: float
    edges: tuple[int, ...] = ()

    def __str__(self) -> str:
        head = (
            f"gradcheck {'passed' if self.ok else 'FAILED'}: max relative error "
            f"{self.max_rel_error:.2e} (rtol {self.rtol:g}, atol {self.atol:g}, eps {self.eps:g})"
        )
        return "\n".join([head, *(f"  {c}" for c in self.inputs)])


def gradcheck(
    fn: Fn,
    inputs: Sequence[float],
    *,
    eps: float = 1e-5,
    rtol: float = 1e-5,
    atol: float = 1e-8,
    raise_on_failure: bool = False,
) -> GradcheckReport:
    """Compare the engine's gradient of ``fn`` with a numeric one, input by input, at any magnitude.

    The numeric derivative, input by input (x the input's value):

    - **step**: h = eps·max(1, |x|), so the step scales with x (at 1e300 a step of 1e-5 would
      not move x at all). The difference divides by (x + h) − (x − h) as computed: the
      floats actually evaluated at, so rounding x ± h costs nothing.
    - **domain**: if fn raises :class:`~autograd.GateError` at x + h or x − h (log at a negative
      x − h, exp overflowing), the step shrinks tenfold until both sides evaluate. The check
      stays centered; an input where no step down to the float spacing fits is reported in
      ``edges``, not judged. ``InputCheck.shrunk`` says a step shrank, ``InputCheck.step`` to what.
    - **small x**: for |x| < 0.1 two more steps, |x|/100 and eps·|x|, are tried too (each
      where it is at least tenfold below the one before). Both stay in fn's domain where the
      first left it (log at 1e-300: 1e-302, refined to 1e-304) and see f on the scale of x:
      |x|/100 resolves a term bending there beside a huge one (x⁻² at 1e-73 beside 4e155,
      which x ± 1e-5 cannot see), eps·|x| what rounding drowned at the first (x² at 1e-200,
      where f(x ± 1e-5) = 1e-10 hides a change of 2e-205). Of the estimates, a trusted one
      (below) beats an untrusted one; where two are trusted but disagree, the smaller step
      wins; where neither resolves the derivative, the wider error; else the smaller
      relative error.
    - **extrapolation**: D(h) = (f(x + h) − f(x − h)) / 2h is off by about c·h²; Richardson's
      D(h/4) + (D(h/4) − D(h/2))/3 removes that term, and |D(h/4) − D(h/2)|/3 estimates what is
      left (truncation). That estimate is trusted once halving h cuts the differences' change
      at least twofold (fourfold in theory). While it is untrusted (f bends on a scale below
      h, e.g. a pole 1e-10 from x) the step shrinks tenfold down to the float spacing, and after
      an untrusted round a trusted one counts only if the next round confirms it; while
      truncation exceeds the rounding error it shrinks too (up to four times). The best
      estimate is kept; one that never settles is shown with an infinite error, not judged.
    - **rounding**: every gate rounds its output v by up to ε·|v| (ε = 2⁻⁵²), which moves f by
      ∂f/∂v · that; their sum R at x ± h (read off a backward pass there) makes the quotient
      uncertain by about R/h, e.g. |f|·ε/h for f = x + 1e21.

    An input passes when |analytic − numeric| <= atol + rtol·max(|analytic|, |numeric|) + error,
    where ``error`` (``InputCheck.error``) = truncation + rounding: a relative and an absolute
    tolerance, the absolute part growing where the numeric derivative cannot be precise.

    Args:
        fn: takes one Value per input and returns a Value.
        inputs: the point to check at, a list of finite floats.
        eps: the relative step (see above), in (0, 1).
        rtol: largest relative error |a − n| / max(|a|, |n|) that passes.
        atol: an absolute difference this small passes too (both derivatives ≈ 0).
        raise_on_failure: raise :class:`GradcheckError` instead of returning a failed report.

    Returns:
        A :class:`GradcheckReport`. Inputs whose ±h moves a max/relu across a tie are
        reported in ``kinks`` and do not fail the check: no derivative exists there.

    Raises:
        TypeError / ValueError: an input that is not a finite real number (named by index),
            a bad ``eps``, or an ``fn`` that does not return a Value.

    >>> report = gradcheck(lambda x, y: (x + y) * y.tanh(), [0.5, -1.5])
    >>> report.ok, report.max_rel_error < 1e-7
    (True, True)
    >>> gradcheck(lambda x: x.relu(), [0.0]).kinks
    (0,)
    >>> gradcheck(lambda x: x * x, [1e150]).ok  # a step of 1e145
    True
    >>> check = gradcheck(lambda x: x.log(), [1e-300]).inputs[0]
    >>> check.ok, check.shrunk, f"{check.step:.0e}"
    (True, True, '1e-304')
    """
    xs = [as_float(x, f"gradcheck: inputs[{i}]") for i, x in enumerate(_as_list(inputs))]
    _check_eps(eps, "gradcheck")
    leaves = [Value(x, f"x{i}") for i, x in enumerate(xs)]
    out = fn(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: fn must return a Value, got {type(out).__name__}")
    out.backward()
    at = _branches(out)  # which piece each max/relu takes at x, computed once for every input

    checks = []
    for i, leaf in enumerate(leaves):
        d = _estimate(fn, xs, i, eps, at)
        a, n = leaf.grad, d.value
        err = relative_error(a, n) if not d.edge else math.nan
        judged = not (d.kink or d.edge)
        error = d.error
        ok = not judged or abs(a - n) <= atol + rtol * max(abs(a), abs(n)) + error
        if not ok and d.step > abs(xs[i]) and abs(a - n) * abs(xs[i]) <= _HIDDEN * _ULP * abs(out.data):
            # The step is wider than x itself, and the disagreement, over a step that could see f
            # bend on the scale of x (|x|/100), moves f by less than 100 of its own roundings:
            # no difference quotient resolves it (a pole 1e-63 away, x⁻² beside 1e174), so the
            # wide step's number is no evidence against the analytic one. Unresolved, not a MISMATCH.
            error, ok = math.inf, True
        checks.append(InputCheck(i, xs[i], a, n, err, d.kink, ok, error, d.step, d.shrunk, d.edge))
    judged_checks = [c for c in checks if c.judged]
    report = GradcheckReport(
        ok=all(c.ok for c in judged_checks),
        max_rel_error=max(
            (c.rel_error for c in judged_checks if c.resolved and not _both_tiny(c, atol)), default=0.0
        ),
        inputs=tuple(checks),
        kinks=tuple(c.index for c in checks if c.kink),
        eps=float(eps),
        rtol=rtol,
        atol=atol,
        edges=tuple(c.index for c in checks if c.edge),
    )
    if raise_on_failure and not report.ok:
        bad = next(c for c in judged_checks if not c.ok)
        raise GradcheckError(
            f"gradcheck: mismatch for input {bad.index}: analytic {bad.analytic!r}, "
            f"numeric {bad.numeric!r} (relative error {bad.rel_error:.2e} > rtol {rtol:g}; "
            f"the numeric derivative is good to ±{bad.error:.1e})"
        )
    return report


def _check_eps(eps: float, who: str) -> None:
    if not (isinstance(eps, (int, float)) and not isinstance(eps, bool) and 0.0 < eps < 1.0):
        raise ValueError(f"{who}: eps must be in (0, 1), got {eps!r}")
    if eps < _ULP:  # below the float spacing at 1, x ± eps·max(1, |x|) rounds back to x: a step of 0
        raise ValueError(f"{who}: eps = {eps!r} is below the float spacing {_ULP!r}: the step would not move x (x ± h == x)")


def _both_tiny(check: InputCheck, atol: float) -> bool:
    """Both derivatives ≈ 0: |a − n| ≤ atol with |a|, |n| ≤ atol, where relative error is noise."""
    return max(abs(check.analytic), abs(check.numeric)) <= atol


def _as_list(inputs: Sequence[float]) -> list[float]:
    if isinstance(inputs, (str, bytes)) or not hasattr(inputs, "__iter__"):
        raise TypeError(f"gradcheck: inputs must be a list of numbers, got {type(inputs).__name__}")
    out = list(inputs)
    if not out:
        raise ValueError("gradcheck: inputs is empty; give at least one number")
    return out



# -- checking a recorded graph: numeric gradients without rebuilding it ------------------------

#: Relative step of :func:`numeric_grads_of`: a leaf x is nudged by h = eps·max(1, |x|).
GRAPH_EPS = 1e-5
#: How many times :func:`numeric_grads_of` divides a step by 10 when x ± h leaves a gate's domain.
MAX_SHRINKS = 6
_OUT_OF_DOMAIN = (ValueError, OverflowError, ZeroDivisionError)


@dataclass(frozen=True)
class NumericGrad:
    """The centered difference of a graph's root with respect to one of its leaves.

    Attributes:
        numeric: (root(x + h) − root(x − h)) / 2h, or None where no step inside the gates'
            domains was found (``h`` shrunk :data:`MAX_SHRINKS` times and x ± h still failed).
        h: the step used, eps·max(1, |x|), shrunk by tens if x ± h left a gate's domain.
        kink: x ± h puts some piecewise gate (max, so relu) on another piece than x does:
            [x − h, x + h] holds a kink, where no derivative exists to compare with.
    """

    numeric: Optional[float]
    h: float
    kink: bool


def numeric_grads_of(root: Value, *, eps: float = GRAPH_EPS) -> dict[Value, NumericGrad]:
    """∂root/∂leaf for every leaf of an existing graph, by centered difference on the graph itself.

    Nothing is rebuilt from a Python function: each leaf's ``data`` is nudged to x ± h and the
    recorded forward is re-run from the gate table (``gate_of(node).forward_at``), for the nodes
    that depend on that leaf only, in topological order. Every ``data`` is restored afterwards,
    also when a gate fails. The step is magnitude-aware, h = eps·max(1, |x|) (a relative step
    for large x, an absolute one near 0); where x ± h leaves a gate's domain (log of a negative
    number, exp overflowing) h is divided by 10, up to :data:`MAX_SHRINKS` times. Kinks are
    found as in :func:`gradcheck`: from each piecewise row's ``branch``.

    Args:
        root: the graph's output.
        eps: the relative step, in (0, 1).

    Returns:
        ``{leaf: NumericGrad}`` for every leaf (nodes without a gate: inputs, parameters,
        constants), in topological order.

    Raises:
        TypeError: ``root`` is not a Value. ValueError: a bad ``eps``, or a node whose ``data``
            is nan or ±inf (set after the node was made).

    >>> x, y = Value(3.0, "x"), Value(-2.0, "y")
    >>> grads = numeric_grads_of(x * y + x)
    >>> round(grads[x].numeric, 6), round(grads[y].numeric, 6), x.data  # ∂/∂x = y + 1, ∂/∂y = x
    (-1.0, 3.0, 3.0)
    >>> numeric_grads_of(Value(0.0, "z").relu())  # doctest: +ELLIPSIS
    {...: NumericGrad(numeric=..., h=1e-05, kink=True)}
    """
    if not isinstance(root, Value):
        raise TypeError(f"numeric_grads_of needs an autograd.Value, got {type(root).__name__}")
    if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not 0.0 < eps < 1.0:
        raise ValueError(f"numeric_grads_of: eps must be a number in (0, 1), got {eps!r}")
    order = topological_order(root)
    for node in order:  # a gate would map it to anything (tanh(inf) = 1): no difference means a thing
        if not math.isfinite(node.data):
            raise ValueError(f"numeric_grads_of: node {node.label or node.op or 'leaf'!r} holds {node.data!r}, "
                             f"not a finite number (was .data set to it after the node was made?)")
    position = {n: i for i, n in enumerate(order)}
    consumers: dict[Value, list[Value]] = {}
    for node in order:
        for parent in set(node.parents):
            consumers.setdefault(parent, []).append(node)
    at = {n: _branch_of(n) for n in order if n.op and gate_of(n).branch is not None}
    saved = {n: n.data for n in order}
    result: dict[Value, NumericGrad] = {}
    try:
        for leaf in (n for n in order if not n.op):
            below = _downstream(leaf, consumers, position)  # the nodes that depend on the leaf, in order
            x = saved[leaf]
            h = eps * max(1.0, abs(x))
            for _ in range(MAX_SHRINKS + 1):
                try:
                    f_plus, kink_plus = _forward_with(leaf, x + h, below, at, root)
                    f_minus, kink_minus = _forward_with(leaf, x - h, below, at, root)
                except _OUT_OF_DOMAIN:
                    h /= 10.0
                    continue
                result[leaf] = NumericGrad((f_plus - f_minus) / (2.0 * h), h, kink_plus or kink_minus)
                break
            else:
                result[leaf] = NumericGrad(None, h * 10.0, False)
            leaf.data = x  # x and every node below it as recorded
            for n in below:
                n.data = saved[n]
    finally:
        for n, data in saved.items():
            n.data = data
    return result


def _branch_of(node: Value) -> Optional[int]:
    return gate_of(node).branch_at([p.data for p in node.parents], node.const)


def _downstream(leaf: Value, consumers: dict[Value, list[Value]], position: dict[Value, int]) -> list[Value]:
    """Every node that depends on ``leaf``, in topological order."""
    seen: set[Value] = set()
    stack = [leaf]
    while stack:
        for user in consumers.get(stack.pop(), ()):
            if user not in seen:
                seen.add(user)
                stack.append(user)
    return sorted(seen, key=position.__getitem__)


def _forward_with(leaf: Value, x: float, below: list[Value], at: dict[Value, Optional[int]],
                  root: Value) -> tuple[float, bool]:
    """Set ``leaf.data = x`` and re-run the gates ``below`` it, in order; (root's data, a branch moved).

    Raises ValueError/OverflowError/ZeroDivisionError where a gate leaves its domain or its
    output is not finite.
    """
    leaf.data = x
    moved = False
    for node in below:
        xs = [p.data for p in node.parents]
        gate = gate_of(node)
        out = gate.forward_at(xs, node.const)
        if not math.isfinite(out):
            raise OverflowError(f"{gate.name}() is not finite at {xs}")
        node.data = out
        if node in at and gate.branch_at(xs, node.const) != at[node]:
            moved = True
    return root.data, moved


@dataclass(frozen=True)
class LeafCheck:
    """One leaf of :func:`check_leaves`: its analytic and numeric gradients and the verdict.

    ``verdict`` is ``"ok"``, ``"mismatch"``, ``"kink"`` (not judged: no derivative at a kink) or
    ``"no step"`` (not judged: no x ± h inside the gates' domains).
    """

    leaf: Value
    analytic: float
    numeric: Optional[float]
    rel_error: Optional[float]
    h: float
    verdict: str

    @property
    def judged(self) -> bool:
        """Whether the leaf was judged (``"ok"`` or ``"mismatch"``)."""
        return self.verdict in ("ok", "mismatch")


def check_leaves(root: Value, *, eps: float = GRAPH_EPS, rtol: float = 1e-5, atol: float = 1e-8) -> list[LeafCheck]:
    """Each leaf's gradient from backward (``leaf.grad``, read as it is) against :func:`numeric_grads_of`.

    A leaf passes when its relative error is at most ``rtol`` or both differ by at most
    ``atol`` (where both are ≈ 0, relative error is noise), as in :func:`gradcheck`. Call
    ``root.backward()`` once first: this reads the gradients, and a second backward doubles
    the leaves' (they accumulate), which shows here as a mismatch.

    Raises:
        TypeError: ``root`` is not a Value. ValueError: a bad ``eps``/``rtol``/``atol``, or a root
            whose ``grad`` is 0 (backward has not been run).

    >>> a, b = Value(3.0, "a"), Value(4.0, "b")
    >>> f = a * b
    >>> f.backward()
    >>> [(c.leaf.label, c.verdict) for c in check_leaves(f)]
    [('a', 'ok'), ('b', 'ok')]
    """
    for name, tol in (("rtol", rtol), ("atol", atol)):
        if isinstance(tol, bool) or not isinstance(tol, (int, float)) or not 0.0 <= tol < math.inf:
            raise ValueError(f"check_leaves: {name} must be a finite number >= 0, got {tol!r}")
    if isinstance(root, Value) and root.op and root.grad == 0.0:
        raise ValueError("check_leaves compares with the gradients backward computed; call root.backward() first")
    grads = numeric_grads_of(root, eps=eps)
    checks = []
    for leaf, num in grads.items():
        a = leaf.grad
        if num.numeric is None:
            checks.append(LeafCheck(leaf, a, None, None, num.h, "no step"))
            continue
        err = relative_error(a, num.numeric)
        if num.kink:
            verdict = "kink"
        else:
            verdict = "ok" if err <= rtol or abs(a - num.numeric) <= atol else "mismatch"
        checks.append(LeafCheck(leaf, a, num.numeric, err, num.h, verdict))
    return checks
