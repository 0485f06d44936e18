"""Numeric gradient checks: centered differences, relative error, and kinks reported, not failed."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

from .gates import GATES
from .graph import topological_order
from .value import Value, as_float

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
    recorded forward is re-run from the gate table (``GATES[node.op].forward_at``), for the nodes
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
        TypeError: ``root`` is not a Value. ValueError: a bad ``eps``.

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
    position = {n: i for i, n in enumerate(order)}
    consumers: dict[Value, list[Value]] = {}
    for node in order:
        for parent in set(node.parents):
            consumers.setdefault(parent, []).append(node)
    at = {n: _branch_of(n) for n in order if n.op and GATES[n.op].branch is not None}
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
    return GATES[node.op].branch_at([p.data for p in node.parents], node.const)


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
        gate = GATES[node.op]
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
