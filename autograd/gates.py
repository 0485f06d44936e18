"""The gate table: every operation the engine knows, defined once with its derivative and its rule."""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Callable, Mapping, Optional, Sequence

import numpy as np

__all__ = ["Gate", "GATES", "EXP_MAX", "FixedGrads", "JsTwin", "NumpyTwin", "OPERATORS", "SwappedInputs"]

# Largest x with a finite exp(x) in IEEE double precision: log(DBL_MAX).
EXP_MAX = 709.782712893384


@dataclass(frozen=True)
class Gate:
    """One row of the gate table.

    Every function takes the gate's inputs as plain floats, ``arity`` of them; a gate that
    ``takes_constant`` (pow) takes its constant ``c`` after them. So ``GATES["add"].forward(2.0, 3.0)``
    is 5.0 and ``GATES["pow"].forward(2.0, 3.0)`` is 2³ = 8.0. Where Python has the function
    already (``operator.add``, ``math.exp``), the row uses it: a C function costs the engine no
    Python call per node. The ``*_at`` methods call each function with a node's constant, or
    without it, as the row needs.

    Attributes:
        name: the key in ``GATES`` and the ``op`` recorded on every node this gate makes.
        symbol: what a diagram prints inside the gate's node.
        arity: how many Value inputs the gate takes.
        forward: ``forward(*xs[, c]) -> out``. Raises ``ValueError`` outside its domain and
            ``OverflowError`` (or returns ±inf) where the result is too large for a float; the
            engine turns either into a :class:`~autograd.GateError` naming the node and which.
        local_grads: ``local_grads(out, *xs[, c]) -> (d out/d x_0, ...)``, plain floats, one per
            input. ``out`` is passed so a gate can reuse it (d/dx eˣ = eˣ = out).
        rule: what the gate does to the upstream gradient, in words (printed on gate diagrams).
        domain: the condition ``forward`` needs, in words, for error messages ("" = every finite x).
        branch: for piecewise gates only, ``branch(*xs[, c]) -> int``: which piece is active.
            Gradient checks compare it at x ± eps to find kinks.
        takes_constant: whether the node carries a constant ``c`` (pow's exponent); one-input
            gates only.
        rule_zh: the rule in Chinese, in the course's terms (加法门单元, 上游梯度, …); "" falls
            back to ``rule``.
        operator: how Values and expressions call the gate: a key of :data:`OPERATORS`
            (``"+"``, ``"*"``, ``"**"``), or ``""`` (the default) for a method and an expression
            function named after the row, ``x.exp()`` and ``exp(x)``, ``a.max(b)`` and ``max(a, b)``.
        numpy: the row's :class:`NumpyTwin`, the same ``forward`` and ``local_grads`` on numpy
            arrays (one entry per data point), which :func:`autograd.trace`'s replay runs.
        js: the row's :class:`JsTwin`, the same ``forward`` and ``local_grads`` in JavaScript, which
            the what-if page runs (None: a page cannot recompute this gate, so it refuses to be live).
        saturates: whether a nan or ±inf input can give a finite output (exp(−inf) = 0,
            tanh(inf) = 1, max(nan, 1) = 1). The engine checks a finite output only, which such
            a gate would pass; for these rows it checks the inputs too, so a ``.data`` set to
            nan after the node was made is named, never hidden. Rows you pass to ``apply`` have
            their inputs checked always.

    >>> mul = GATES["mul"]
    >>> mul.forward(2.0, 3.0), mul.local_grads(6.0, 2.0, 3.0)
    (6.0, (3.0, 2.0))
    >>> GATES["pow"].local_grads_at(8.0, (2.0,), 3.0)  # d/dx x³ = 3x² at x = 2
    (12.0,)
    """

    name: str
    symbol: str
    arity: int
    forward: Callable[..., float]
    local_grads: Callable[..., tuple[float, ...]]
    rule: str
    domain: str = ""
    branch: Optional[Callable[..., int]] = None
    takes_constant: bool = False
    rule_zh: str = ""
    operator: str = ""
    numpy: Optional["NumpyTwin"] = None
    js: Optional["JsTwin"] = None
    saturates: bool = False

    def __post_init__(self) -> None:
        if self.takes_constant and self.arity != 1:
            raise ValueError(f"gate {self.name!r}: only a one-input gate can take a constant, arity is {self.arity}")
        if not isinstance(self.saturates, bool):
            raise TypeError(f"gate {self.name!r}: saturates must be True or False, got {self.saturates!r}")
        if self.operator and self.operator not in OPERATORS:
            raise ValueError(f"gate {self.name!r}: operator must be one of {', '.join(OPERATORS)} or \"\", got {self.operator!r}")

    def _args(self, xs: Sequence[float], c: Optional[float]) -> tuple[float, ...]:
        if len(xs) != self.arity:
            raise TypeError(f"{self.name} takes {self.arity} input(s), got {len(xs)}")
        if self.takes_constant:
            if c is None:
                raise TypeError(f"{self.name} needs its constant c")
            return (*xs, c)
        if c is not None:
            raise TypeError(f"{self.name} takes no constant, got c = {c!r}")
        return tuple(xs)

    def forward_at(self, xs: Sequence[float], c: Optional[float] = None) -> float:
        """``forward`` at the inputs ``xs``, with the constant ``c`` if the gate takes one."""
        return self.forward(*self._args(xs, c))

    def local_grads_at(self, out: float, xs: Sequence[float], c: Optional[float] = None) -> tuple[float, ...]:
        """``local_grads`` at the output ``out`` and inputs ``xs``, with ``c`` if the gate takes one."""
        return self.local_grads(out, *self._args(xs, c))

    def branch_at(self, xs: Sequence[float], c: Optional[float] = None) -> Optional[int]:
        """Which piece of a piecewise gate is active at ``xs``; None for a smooth gate."""
        args = self._args(xs, c)
        return None if self.branch is None else self.branch(*args)


#: The Python operator a row's ``operator`` names, as a function of the gate's inputs (and pow's
#: constant): ``OPERATORS["+"](a, b)`` is ``a + b``, ``OPERATORS["**"](x, c)`` is ``x ** c``.
OPERATORS: Mapping[str, Callable[..., object]] = MappingProxyType(
    {"+": operator.add, "*": operator.mul, "**": operator.pow}
)


class FixedGrads(tuple):
    """Local derivatives that are the same at every input, e.g. add's (1, 1), as a row's ``local_grads``.

    Called like any ``local_grads``; backward sees the type and uses the numbers without a call.

    >>> FixedGrads((1.0, 1.0))(5.0, 2.0, 3.0)
    (1.0, 1.0)
    """

    __slots__ = ()

    def __call__(self, out: float, *xs: float) -> tuple[float, ...]:
        return tuple(self)


class SwappedInputs:
    """Local derivatives of a product of two inputs, as a row's ``local_grads``: each input's is the other input.

    ∂(ab)/∂a = b and ∂(ab)/∂b = a: the course's "mul swaps its inputs". Called like any
    ``local_grads``; backward sees the type and swaps the inputs' data without a call.

    >>> SwappedInputs()(6.0, 2.0, 3.0)
    (3.0, 2.0)
    """

    __slots__ = ()

    def __call__(self, out: float, a: float, b: float) -> tuple[float, float]:
        return (b, a)

    def __repr__(self) -> str:
        return "SwappedInputs()"


@dataclass(frozen=True)
class NumpyTwin:
    """A row's ``forward`` and ``local_grads`` on numpy arrays, for replay over a batch.

    Same calling convention as the row (``forward(*xs[, c])``, ``local_grads(out, *xs[, c])``),
    each x a float64 array with one entry per data point, and the same numbers bit for bit where
    the platform's libm and numpy agree. Outside the gate's domain a twin gives inf or nan
    instead of raising; replay finds them and names the gate and the data point.
    ``local_grads`` may be the row's own :class:`FixedGrads` or :class:`SwappedInputs`.

    >>> twin = GATES["max"].numpy
    >>> a, b = np.array([1.0, 2.0, 3.0]), np.array([3.0, 2.0, 1.0])
    >>> twin.forward(a, b), twin.local_grads(twin.forward(a, b), a, b)[0]  # ties: the first input wins
    (array([3., 2., 3.]), array([0., 1., 1.]))
    """

    forward: Callable[..., Any]
    local_grads: Callable[..., tuple[Any, ...]]


def _elementwise(f: Callable[[float], float]) -> Callable[[Any], Any]:
    """A float function mapped over an array, for where numpy's own version rounds differently."""

    def mapped(x: Any) -> Any:
        x = np.asarray(x, dtype=float)
        return np.fromiter(map(f, x.ravel().tolist()), float, x.size).reshape(x.shape)

    mapped.__name__ = getattr(f, "__name__", "mapped")
    return mapped


def _np_max(a: Any, b: Any) -> Any:
    return np.where(a >= b, a, b)  # a where a >= b (the first input wins a tie), else b


def _np_max_local(out: Any, a: Any, b: Any) -> tuple[Any, Any]:
    first = (a >= b).astype(float)  # 1 where a wins, per data point
    return first, 1.0 - first


def _np_sigmoid(x: Any) -> Any:
    # the scalar row's two branches at once: e = e^−|x| is e⁻ˣ for x >= 0 and eˣ for x < 0
    e = np.exp(-np.abs(x))
    return np.where(x >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))


@dataclass(frozen=True)
class JsTwin:
    """A row's ``forward`` and ``local_grads`` as JavaScript expressions, for the what-if page.

    The expressions read the inputs ``a`` (and ``b`` for a two-input gate), the constant ``c``
    (for a gate that ``takes_constant``) and, in ``local_grads``, the output ``out``; they may use
    ``Math``. ``local_grads`` is an array literal (or a conditional choosing one), one entry per
    input. They use the same formulas as the row, so the page's numbers agree with the engine's to
    the last bits or so; outside the domain they give NaN or ±Infinity, which the page reports in
    words as the engine's GateError would. viz refuses any other name or character in them.

    >>> GATES["mul"].js
    JsTwin(forward='a * b', local_grads='[b, a]')
    """

    forward: str
    local_grads: str

    def __post_init__(self) -> None:
        for field in ("forward", "local_grads"):
            value = getattr(self, field)
            if not isinstance(value, str) or not value.strip():
                raise TypeError(f"JsTwin.{field} must be a non-empty JavaScript expression (str), got {value!r}")


def _sigmoid(x: float) -> float:
    # σ(x) = 1 / (1 + e⁻ˣ); for x < 0 use eˣ / (1 + eˣ) so e⁻ˣ never overflows.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _pow_local(out: float, x: float, c: float) -> tuple[float]:
    # d/dx xᶜ = c·xᶜ⁻¹ (math.pow raises ValueError where that is infinite, e.g. x = 0, c < 1)
    return (c * math.pow(x, c - 1.0) if c != 0.0 else 0.0,)  # x⁰ = 1 is flat: 0, even at x = 0


_ROWS = (
    Gate(
        "add", "+", 2,
        forward=operator.add,  # a + b
        local_grads=FixedGrads((1.0, 1.0)),  # ∂(a+b)/∂a = ∂(a+b)/∂b = 1, whatever a and b
        rule="add distributes the upstream gradient unchanged to every input",
        rule_zh="加法门单元把上游梯度原样分配给每一个输入",
        operator="+",
        numpy=NumpyTwin(np.add, FixedGrads((1.0, 1.0))),
        js=JsTwin("a + b", "[1, 1]"),
    ),
    Gate(
        "mul", "×", 2,
        forward=operator.mul,  # a · b
        local_grads=SwappedInputs(),  # ∂(ab)/∂a = b, ∂(ab)/∂b = a
        rule="mul swaps its inputs: each input gets the upstream gradient times the other input",
        rule_zh="乘法门单元交换输入：每个输入得到上游梯度乘以另一个输入",
        operator="*",
        numpy=NumpyTwin(np.multiply, SwappedInputs()),
        js=JsTwin("a * b", "[b, a]"),
    ),
    Gate(
        "max", "max", 2,
        forward=lambda a, b: a if a >= b else b,
        # ∂max/∂a = 1 where a wins; at a tie a == b the FIRST input wins (argmax's convention),
        # so relu(x) = max(0, x) has relu'(0) = 0, as in PyTorch.
        local_grads=lambda out, a, b: (1.0, 0.0) if a >= b else (0.0, 1.0),
        rule="max routes the upstream gradient to the larger input (the first one at a tie); "
        "the other input gets 0",
        rule_zh="MAX门单元把上游梯度路由给较大的输入（相等时给第一个输入），另一个输入得到 0",
        branch=lambda a, b: 0 if a >= b else 1,
        numpy=NumpyTwin(_np_max, _np_max_local),
        js=JsTwin("a >= b ? a : b", "a >= b ? [1, 0] : [0, 1]"),
        saturates=True,
    ),
    Gate(
        "exp", "exp", 1,
        forward=math.exp,  # eˣ
        local_grads=lambda out, x: (out,),  # d/dx eˣ = eˣ = out
        rule="exp multiplies the upstream gradient by its own output (d/dx eˣ = eˣ)",
        rule_zh="exp 门单元把上游梯度乘以它自己的输出（d/dx eˣ = eˣ）",
        domain=f"x <= {EXP_MAX:.2f} (larger overflows a float)",
        numpy=NumpyTwin(np.exp, lambda out, x: (out,)),
        js=JsTwin("Math.exp(a)", "[out]"),
        saturates=True,
    ),
    Gate(
        "log", "log", 1,
        forward=math.log,  # ln x
        local_grads=lambda out, x: (1.0 / x,),  # d/dx ln x = 1/x
        rule="log multiplies the upstream gradient by 1/x",
        rule_zh="log 门单元把上游梯度乘以 1/x",
        domain="x > 0",
        numpy=NumpyTwin(np.log, lambda out, x: (1.0 / x,)),
        js=JsTwin("Math.log(a)", "[1 / a]"),
    ),
    Gate(
        "pow", "^", 1,
        forward=math.pow,  # xᶜ
        local_grads=_pow_local,
        rule="pow multiplies the upstream gradient by c·x^(c−1)",
        rule_zh="幂门单元把上游梯度乘以 c·x^(c−1)",
        domain="x > 0 for a fractional exponent and x != 0 for a negative one",
        takes_constant=True,
        operator="**",
        # d/dx x^0 = 0 everywhere, as the scalar row and the JS twin say (0·x^(−1) would be nan at x = 0)
        numpy=NumpyTwin(np.power, lambda out, x, c: (c * np.power(x, c - 1.0) if c != 0.0 else np.zeros_like(x),)),
        js=JsTwin("Math.pow(a, c)", "[c === 0 ? 0 : c * Math.pow(a, c - 1)]"),
        saturates=True,
    ),
    Gate(
        "tanh", "tanh", 1,
        forward=math.tanh,  # (eˣ − e⁻ˣ) / (eˣ + e⁻ˣ)
        local_grads=lambda out, x: (1.0 - out * out,),  # d/dx tanh x = 1 − tanh²x
        rule="tanh multiplies the upstream gradient by 1 − t², t its output",
        rule_zh="tanh 门单元把上游梯度乘以 1 − t²，t 是它的输出",
        # numpy's own tanh differs from libm's in the last bit at ~1 point in 8: map math.tanh
        numpy=NumpyTwin(_elementwise(math.tanh), lambda out, x: (1.0 - out * out,)),
        js=JsTwin("Math.tanh(a)", "[1 - out * out]"),
        saturates=True,
    ),
    Gate(
        "sigmoid", "σ", 1,
        forward=_sigmoid,
        local_grads=lambda out, x: (out * (1.0 - out),),  # dσ/dx = σ(1 − σ)
        rule="sigmoid multiplies the upstream gradient by σ(1 − σ), σ its output",
        rule_zh="sigmoid 门单元把上游梯度乘以 σ(1 − σ)，σ 是它的输出",
        numpy=NumpyTwin(_np_sigmoid, lambda out, x: (out * (1.0 - out),)),
        js=JsTwin("a >= 0 ? 1 / (1 + Math.exp(-a)) : Math.exp(a) / (1 + Math.exp(a))", "[out * (1 - out)]"),
        saturates=True,
    ),
)

#: The one gate table, ``name -> Gate``. Read-only: adding a gate is adding a row above.
GATES: Mapping[str, Gate] = MappingProxyType({g.name: g for g in _ROWS})
