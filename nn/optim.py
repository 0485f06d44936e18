"""Stochastic gradient descent, with optional momentum."""

from __future__ import annotations

import math
from operator import attrgetter
from typing import Iterable, Optional

import numpy as np

from autograd import Value

from ._checks import check_real, check_values

__all__ = ["SGD", "DivergedError"]

_data, _grad = attrgetter("data"), attrgetter("grad")


class DivergedError(ValueError, ArithmeticError):
    """An update would make a parameter NaN or infinite: training diverged, and nothing was changed.

    Like ``GateError`` it is both a ``ValueError`` and an ``ArithmeticError``.
    """


class SGD:
    """Gradient descent on a list of parameters: p ← p − lr · ∂L/∂p.

    With ``momentum`` μ > 0 each parameter keeps a velocity, v ← μ·v − lr·∂L/∂p and p ← p + v,
    so steps in a steady direction build up speed while zig-zags cancel out.

    Args:
        params: the Values to update (e.g. ``model.parameters()``), at least one, each once.
        lr: the learning rate, > 0.
        momentum: μ in [0, 1); 0 is plain SGD.

    Raises:
        TypeError: an entry that is not a Value.
        ValueError: no params, a Value listed twice, lr <= 0, or momentum outside [0, 1).

    ``step`` computes every new value first and changes nothing if one of them is NaN or infinite
    (a NaN gradient, or an lr so large that p − lr·∂L/∂p overflows): it raises
    :class:`DivergedError` naming the parameter, its gradient and lr, so the parameters keep the
    last finite values they had.

    >>> w = Value(2.0)
    >>> opt = SGD([w], lr=0.1)
    >>> loss = w * w  # ∂loss/∂w = 2w = 4
    >>> opt.zero_grad(); loss.backward(); opt.step()
    >>> w.data  # 2 − 0.1 · 4
    1.6
    """

    def __init__(self, params: Iterable[Value], lr: float, momentum: float = 0.0) -> None:
        self.params = check_values("SGD: params", params)
        self.lr = check_real("SGD: lr", lr, positive=True)
        self.momentum = check_real("SGD: momentum", momentum, low=0.0)
        if self.momentum >= 1.0:
            raise ValueError(f"SGD: momentum must be in [0, 1), got {momentum!r}")
        self.velocity = [0.0] * len(self.params)

    def step(self) -> None:
        """Move every parameter against its gradient, using the ``grad`` the last backward left.

        Raises:
            DivergedError: a new value (or velocity) would be NaN or infinite; no parameter and no
                velocity was changed.

        >>> w = Value(1.0, "w")
        >>> w.grad = 2.0
        >>> SGD([w], lr=1e308).step()
        Traceback (most recent call last):
        ...
        nn.optim.DivergedError: SGD.step: params[0] ('w') would become -inf (data 1.0, grad 2.0, lr 1e+308):
        lr is too large for this gradient; no parameter was changed
        >>> w.data
        1.0
        """
        lr, mu, params = self.lr, self.momentum, self.params
        n = len(params)
        # every parameter's data and grad read once into arrays: the same float operations as a
        # loop over Python floats (numpy rounds each elementwise op as Python does), done in C
        data = np.fromiter(map(_data, params), float, n)
        grad = np.fromiter(map(_grad, params), float, n)
        velocity: Optional[list[float]] = None
        with np.errstate(all="ignore"):  # an overflow is caught below, as a non-finite new value
            if mu == 0.0:
                new = data - lr * grad  # p ← p − lr·∂L/∂p
            else:
                v = mu * np.asarray(self.velocity, dtype=float) - lr * grad  # v ← μ·v − lr·∂L/∂p
                new = data + v  # p ← p + v
                velocity = v.tolist()
            # a NaN or infinite velocity makes its new value NaN or infinite too, so checking `new` covers both
            finite = bool(np.isfinite(new.sum())) or bool(np.isfinite(new).all())  # a sum can overflow alone
        values = new.tolist()
        if not finite:
            raise self._diverged(values, velocity)
        for p, x in zip(params, values):
            p.data = x
        if velocity is not None:
            self.velocity[:] = velocity

    def _diverged(self, new: list[float], velocity: Optional[list[float]]) -> DivergedError:
        """The error for the first parameter whose new value is not finite."""
        i = next(i for i, x in enumerate(new) if not math.isfinite(x))
        p = self.params[i]
        name = f"params[{i}] ({p.label!r})" if p.label else f"params[{i}]"
        parts = f"data {p.data!r}, grad {p.grad!r}, lr {self.lr:g}"
        if velocity is not None:
            parts += f", momentum {self.momentum:g}, velocity {self.velocity[i]!r} -> {velocity[i]!r}"
        if not math.isfinite(p.grad):
            why = "its gradient is not finite"
        elif not math.isfinite(p.data):
            why = "its value is already not finite"
        else:
            why = "lr is too large for this gradient"
        return DivergedError(f"SGD.step: {name} would become {new[i]!r} ({parts}): {why}; no parameter was changed")

    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` to 0.0 before the next backward (leaves accumulate)."""
        for p in self.params:
            p.grad = 0.0

    def __repr__(self) -> str:
        return f"SGD({len(self.params)} parameters, lr={self.lr:g}, momentum={self.momentum:g})"
