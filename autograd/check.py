"""Numeric gradient checks: centered differences, relative error, and kinks reported, not failed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional, Sequence

from .gates import GATES
from .graph import topological_order
from .value import Value, as_float

__all__ = [
    "GradcheckError",
    "GradcheckReport",
    "InputCheck",
    "gradcheck",
    "numeric_grad",
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
        gate = GATES.get(node.op)
        if gate is not None and gate.branch is not None:
            pattern.append(gate.branch_at([p.data for p in node.parents], node.const))
    return tuple(pattern)


def numeric_grad(fn: Fn, inputs: Sequence[float], index: int, eps: float = 1e-5) -> float:
    """∂fn/∂inputs[index] by centered difference (f(x + eps) − f(x − eps)) / 2·eps.

    >>> numeric_grad(lambda a, b: a * b, [3.0, 4.0], 0)  # ∂(ab)/∂a = b
    4.0...
    """
    return _numeric(fn, list(inputs), index, eps)[0]


def _numeric(
    fn: Fn, xs: list[float], i: int, eps: float, at: Optional[tuple[int, ...]] = None
) -> tuple[float, bool]:
    """The centered difference; with ``at`` (the branch pattern at x), also whether x ± eps
    lands on another piece of a max/relu than x does (a kink in [x − eps, x + eps])."""
    plus, minus = list(xs), list(xs)
    plus[i] += eps
    minus[i] -= eps
    f_plus, f_minus = _call(fn, plus), _call(fn, minus)
    kink = at is not None and not (_branches(f_plus) == at == _branches(f_minus))
    return (f_plus.data - f_minus.data) / (2.0 * eps), kink


@dataclass(frozen=True)
class InputCheck:
    """The check of one input: both derivatives, their relative error, and the verdict."""

    index: int
    value: float
    analytic: float
    numeric: float
    rel_error: float
    kink: bool
    ok: bool

    def __str__(self) -> str:
        verdict = "kink (not judged)" if self.kink else ("ok" if self.ok else "MISMATCH")
        return (
            f"input {self.index} = {self.value:.6g}: analytic {self.analytic:.10g}, "
            f"numeric {self.numeric:.10g}, rel error {self.rel_error:.2e}  {verdict}"
        )


@dataclass(frozen=True)
class GradcheckReport:
    """What ``gradcheck`` found.

    Attributes:
        ok: every input away from a kink passed.
        max_rel_error: the largest relative error over the inputs away from kinks whose
            derivatives are not both ≈ 0 (within ``atol``: there relative error means nothing).
        inputs: one :class:`InputCheck` per input.
        kinks: indices of inputs whose ±eps crosses a max/relu tie (reported, not judged).
    """

    ok: bool
    max_rel_error: float
    inputs: tuple[InputCheck, ...]
    kinks: tuple[int, ...]
    eps: float
    rtol: float
    atol: float

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
    """Compare the engine's gradient of ``fn`` with a centered difference, input by input.

    Args:
        fn: takes one Value per input and returns a Value.
        inputs: the point to check at, a list of finite floats.
        eps: the step of the centered difference.
        rtol: largest relative error |a − n| / max(|a|, |n|) that passes.
        atol: an absolute difference this small passes too (both derivatives ≈ 0).
        raise_on_failure: raise :class:`GradcheckError` instead of returning a failed report.

    Returns:
        A :class:`GradcheckReport`. Inputs whose ±eps moves a max/relu across a tie are
        reported in ``kinks`` and do not fail the check: no derivative exists there.

    Raises:
        TypeError / ValueError: an input that is not a finite real number (named by index),
            a bad ``eps``, or an ``fn`` that does not return a Value.

    >>> report = gradcheck(lambda x, y: (x + y) * y.tanh(), [0.5, -1.5])
    >>> report.ok, report.max_rel_error < 1e-7
    (True, True)
    >>> gradcheck(lambda x: x.relu(), [0.0]).kinks
    (0,)
    """
    xs = [as_float(x, f"gradcheck: inputs[{i}]") for i, x in enumerate(_as_list(inputs))]
    if not (isinstance(eps, (int, float)) and 0.0 < eps < 1.0):
        raise ValueError(f"gradcheck: eps must be in (0, 1), got {eps!r}")
    leaves = [Value(x, f"x{i}") for i, x in enumerate(xs)]
    out = fn(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: fn must return a Value, got {type(out).__name__}")
    out.backward()
    at = _branches(out)  # which piece each max/relu takes at x, computed once for every input

    checks = []
    for i, leaf in enumerate(leaves):
        numeric, kink = _numeric(fn, xs, i, eps, at)
        err = relative_error(leaf.grad, numeric)
        ok = kink or err <= rtol or abs(leaf.grad - numeric) <= atol
        checks.append(InputCheck(i, xs[i], leaf.grad, numeric, err, kink, ok))
    judged = [c for c in checks if not c.kink]
    report = GradcheckReport(
        ok=all(c.ok for c in judged),
        max_rel_error=max((c.rel_error for c in judged if not _both_tiny(c, atol)), default=0.0),
        inputs=tuple(checks),
        kinks=tuple(c.index for c in checks if c.kink),
        eps=float(eps),
        rtol=rtol,
        atol=atol,
    )
    if raise_on_failure and not report.ok:
        bad = next(c for c in judged if not c.ok)
        raise GradcheckError(
            f"gradcheck: mismatch for input {bad.index}: analytic {bad.analytic!r}, "
            f"numeric {bad.numeric!r} (relative error {bad.rel_error:.2e} > rtol {rtol:g})"
        )
    return report


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

