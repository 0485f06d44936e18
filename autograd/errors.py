"""GateError and the messages that name a gate, its inputs and their nodes; imported by value and graph alike."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Iterable, Optional, Union

from .gates import GATES, Gate

if TYPE_CHECKING:  # annotations only: errors.py imports nothing that imports it
    from .value import Value

__all__ = ["GateError", "check_text"]


class GateError(ValueError, ArithmeticError):
    """A gate was asked for a number it cannot give: outside its domain, or not finite.

    It is both a ``ValueError`` and an ``ArithmeticError``, so either ``except`` catches it.
    """


def _labels(nodes: Iterable[Value]) -> str:
    """`` (node 'x')`` or `` (nodes 'x', 'y')`` for the labelled ones among ``nodes``; "" if none."""
    names = [repr(n.label) for n in nodes if n.label]
    if not names:
        return ""
    return f" (node {names[0]})" if len(names) == 1 else f" (nodes {', '.join(names)})"


def _inputs(parents: tuple[Value, ...], gate: Gate, const: Optional[float]) -> str:
    """``1.0, 2.0`` or ``2.0 with exponent 3.0``: a gate's inputs as the message shows them."""
    xs = ", ".join(repr(p.data) for p in parents)
    return xs + (f" with exponent {const!r}" if gate.takes_constant else "")


def _is_finite(x: object) -> bool:
    try:
        return math.isfinite(x)  # type: ignore[arg-type]
    except TypeError:
        return False


def _non_finite_input(gate: Gate, parents: tuple[Value, ...], const: Optional[float]) -> Optional[GateError]:
    """The error for an input whose data is nan or ±inf (only ``.data = ...`` after creation makes one)."""
    for p in parents:
        if not _is_finite(p.data):
            return GateError(
                f"{gate.name}() got {p.data!r} as an input, not a finite number "
                f"(was .data set to it after the node was made?): got {_inputs(parents, gate, const)}"
                f"{_labels((p,))}"
            )
    return None


def _domain_error(
    gate: Gate, parents: tuple[Value, ...], const: Optional[float], cause: Union[BaseException, float]
) -> GateError:
    """Why ``gate``'s forward gave no finite number at ``parents``: a nan/inf input, its domain, or an overflow.

    ``cause`` is what forward raised, or the non-finite number it returned. A ``ValueError`` or
    ``ZeroDivisionError`` means the inputs lie outside the gate's domain (log of −1); an
    ``OverflowError``, or ±inf returned for finite inputs, means the true result is too large for
    a float (2.0 ** 1024, exp(1000), 1e200 × 1e200).
    """
    bad_input = _non_finite_input(gate, parents, const)
    if bad_input is not None:
        return bad_input
    got = f"got {_inputs(parents, gate, const)}{_labels(parents)}"
    if not gate.domain and GATES.get(gate.name) is not gate:  # a learner's row, no domain in words
        return GateError(f"{gate.name}() has no finite value there, {got}")
    if isinstance(cause, (ValueError, ZeroDivisionError)) or (isinstance(cause, float) and math.isnan(cause)):
        needs = gate.domain or "inputs where it is defined"
        return GateError(f"{gate.name}() needs {needs}, {got}")
    return GateError(f"{gate.name}() overflows a float, {got}")


def _not_finite(node: Value, gate: Gate, upstream: float, cause: BaseException) -> GateError:
    """Why ``gate``'s local derivative at ``node`` is missing: an overflow or a point where it is infinite."""
    parents = node.parents
    bad_input = _non_finite_input(gate, parents, node.const)
    if bad_input is not None:
        return bad_input
    what = "local derivative overflows a float" if isinstance(cause, OverflowError) else "has no finite local derivative"
    return GateError(
        f"{gate.name}() {what} at {_inputs(parents, gate, node.const)} (upstream gradient {upstream!r})"
        f"{_labels(parents)}"
    )


def _gradient_not_finite(node: Value) -> GateError:
    """A gradient that became ±inf or nan at ``node``, a node the user can read."""
    return GateError(
        f"gradient is not finite ({node.grad!r}) at node {node.label or node.op or 'leaf'!r} "
        f"with value {node.data!r}: a product of large derivatives overflowed a float"
    )


def _data_not_finite(node: Value) -> GateError:
    """A node whose data was set to nan or ±inf after it was made, met by backward."""
    return GateError(
        f"node {node.label or node.op or 'leaf'!r} holds {node.data!r} as its data, not a finite number "
        f"(was .data set to it after the node was made?): its gradients are not finite"
    )


# Code points a label may not hold: lone surrogates (U+D800–U+DFFF, not characters at all) and
# the 66 noncharacters (U+FDD0–U+FDEF and the last two code points of each plane, U+xxFFFE and
# U+xxFFFF), which XML and SVG refuse, so no diagram could show them.
_NONCHARACTERS = frozenset([*range(0xFDD0, 0xFDF0), *(p << 16 | low for p in range(17) for low in (0xFFFE, 0xFFFF))])


def check_text(text: str, what: str) -> str:
    """``text`` if every code point in it is a character a diagram can show; else a ValueError naming it.

    >>> check_text("x₁ ∂", "Value label")
    'x₁ ∂'
    >>> check_text("a\\ufffe", "Value label")
    Traceback (most recent call last):
    ...
    ValueError: Value label must be text a diagram can show: U+FFFE at position 1 is a noncharacter
    """
    if text.isascii():  # the common case, O(1) in CPython
        return text
    for i, ch in enumerate(text):
        code = ord(ch)
        if 0xD800 <= code <= 0xDFFF:
            kind = "a lone surrogate (half of a UTF-16 pair, not a character)"
        elif code in _NONCHARACTERS:
            kind = "a noncharacter"
        else:
            continue
        raise ValueError(f"{what} must be text a diagram can show: U+{code:04X} at position {i} is {kind}")
    return text


def _is_number(x: object) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _check_numbers(*nodes: Value) -> None:
    """A TypeError naming the first of ``nodes`` whose .data is not a number; nothing if all are.

    .data is a plain slot (no check on assignment, which would slow every node), so a string
    put there is met later, by a gate or by backward, and named there; callers re-raise the
    original TypeError when every .data is a number (a learner's row's own mistake).
    """
    for n in nodes:
        if not _is_number(n.data):
            raise TypeError(f"node {n.label or n.op or 'leaf'!r} holds {type(n.data).__name__} {repr(n.data)[:40]} as "
                            "its data, not a number (was .data set to it after the node was made?)") from None
