"""Stochastic gradient descent, with optional momentum."""

from __future__ import annotations

from typing import Iterable

from autograd import Value

from ._checks import check_real, check_values

__all__ = ["SGD"]


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
        """Move every parameter against its gradient, using the ``grad`` the last backward left."""
        lr, mu = self.lr, self.momentum
        if mu == 0.0:
            for p in self.params:
                p.data -= lr * p.grad  # p ← p − lr·∂L/∂p
            return
        velocity = self.velocity
        for i, p in enumerate(self.params):
            velocity[i] = mu * velocity[i] - lr * p.grad  # v ← μ·v − lr·∂L/∂p
            p.data += velocity[i]  # p ← p + v

    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` to 0.0 before the next backward (leaves accumulate)."""
        for p in self.params:
            p.grad = 0.0

    def __repr__(self) -> str:
        return f"SGD({len(self.params)} parameters, lr={self.lr:g}, momentum={self.momentum:g})"
