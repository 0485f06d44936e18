"""Value: a scalar node that records which gate made it from which parents."""

from __future__ import annotations

import math
import numbers
from contextvars import ContextVar
from typing import Any, Callable, Mapping, Optional, Union

from .errors import GateError, _check_numbers, _domain_error, _labels, check_text
from .gates import GATES, FixedGrads, Gate, SwappedInputs

__all__ = ["Value", "GateError", "ROLES", "apply", "as_float", "gate_function", "gate_of", "origin"]

#: What a node can be, by how it was made: a leaf is an "input", a "parameter" or a "constant"
#: (``Value(data, label, role=...)``, or a network marking its weights); a gate makes a "gate output".
ROLES = ("input", "parameter", "constant", "gate output")
_LEAF_ROLES = ROLES[:3]

Number = Union[int, float]
_isfinite = math.isfinite


def as_float(x: object, what: str = "Value") -> float:
    """Convert a real number to a finite float; the one place the engine accepts outside numbers.

    >>> as_float(3)
    3.0
    >>> as_float("3")
    Traceback (most recent call last):
    ...
    TypeError: Value needs a real number (int or float), got str: '3'
    """
    if type(x) is float:  # the common case, checked first
        f = x
    elif type(x) is int or (isinstance(x, numbers.Real) and not isinstance(x, bool)):
        try:
            f = float(x)
        except OverflowError:
            raise ValueError(f"{what} needs a finite number, got {type(x).__name__} too large for a float") from None
    else:
        raise TypeError(f"{what} needs a real number (int or float), got {type(x).__name__}: {x!r:.60}")
    if not _isfinite(f):
        raise ValueError(f"{what} needs a finite number, got {f!r}")
    return f


class _Info:
    """What a node says about itself beyond its numbers and inputs; shared between nodes, never mutated.

    Every node made by one gate inside one ``origin(...)`` block shares one record, so a node
    needs a single slot for all of it: fewer slots make nodes smaller and cheaper for the
    cyclic garbage collector, which scans every slot of every node it sees.
    """

    __slots__ = ("op", "gate", "local_grads", "fixed", "swapped", "label", "origin", "const", "lifted", "role",
                 "part")

    def __init__(
        self,
        op: str = "",
        label: str = "",
        origin: Optional[str] = None,
        const: Optional[float] = None,
        gate: Optional[Gate] = None,
        lifted: bool = False,
        role: Optional[str] = None,
        part: Optional[str] = None,
    ) -> None:
        if gate is None and op:
            gate = GATES[op]
        self.gate = gate  # the row of the gate that made the node (a learner's row too); None for a leaf
        self.op = gate.name if gate is not None else ""  # its name; "" for a leaf
        self.local_grads = None  # that gate's row, read by backward
        if gate is not None:
            # a learner's row gets its results checked (see _checked_local_grads); built-in rows run bare
            builtin = GATES.get(gate.name) is gate
            self.local_grads = gate.local_grads if builtin else _checked_local_grads(gate)
        # derivatives backward can take without calling local_grads (see gates.FixedGrads and
        # gates.SwappedInputs): fixed ones as a plain tuple, which unpacks fastest
        self.fixed = tuple(self.local_grads) if isinstance(self.local_grads, FixedGrads) else None
        self.swapped = isinstance(self.local_grads, SwappedInputs)
        self.label = label
        self.origin = origin  # where a network made the node, e.g. "L1.N3"
        self.const = const  # the gate's constant (pow's exponent)
        # a constant an operator made from a Python number (the 2 in x * 2): see Value.backward
        self.lifted = lifted
        self.role = role  # a leaf's role as its maker said (see Value.role); None: the default
        self.part = part  # what the node is where it was made, e.g. "relu" or "margin" (see origin)

    def replace(self, **changes: Any) -> _Info:
        """A copy with some fields changed (records are shared, so never changed in place)."""
        fields = {"gate": self.gate, "label": self.label, "origin": self.origin, "const": self.const,
                  "lifted": self.lifted, "role": self.role, "part": self.part}
        fields.update(changes)
        return _Info(**fields)


# The records new nodes start with outside every ``origin(...)`` block: ``_current`` for
# leaves, ``_constant`` for constants lifted from Python numbers, ``_made[i]`` for the output
# of the i-th gate in GATES (``_ROW`` gives i); a learner's row's output gets one from ``_extra``
# (id(row) -> (row, record)), made on first use, with no part (``_extra_part``).
_ROW = {name: i for i, name in enumerate(GATES)}
_current = _Info()
_constant = _Info(lifted=True)
_made = tuple(_Info(op=name) for name in GATES)
_extra: dict[int, tuple[Gate, _Info]] = {}
_extra_part: Optional[str] = None

Parts = Union[str, Mapping[str, str], None]
# An origin block's records, the same five in the same order: (leaf, lifted constant, made,
# extra, extra part). Only ``extra`` ever changes, filled on first use with records that depend
# on the block and the row alone, so threads sharing a block can fill it in any order.
_Records = tuple[_Info, _Info, tuple[_Info, ...], dict[int, tuple[Gate, _Info]], Optional[str]]

# The block nodes are being made in, per thread and per asyncio task: a context variable, so
# two threads building networks at once each stamp their own block. Its value is the block's
# five records and, sixth, the value before it was entered (what leaving it puts back); None:
# outside every block (the module's records above, which a test may patch).
_in_block: ContextVar[Optional[tuple[Any, ...]]] = ContextVar("gategraph_origin", default=None)
_now = _in_block.get
_set = _in_block.set

# The records of each origin block met so far, by (name, parts): records are never changed,
# so a block entered again (a neuron called on the next data point) reuses them. Bounded:
# a program that makes endless names only refills it.
_blocks: dict[tuple[Optional[str], Any], _Records] = {}
_MAX_BLOCKS = 4096
_blocks_table = GATES  # the gate table the cached records were made from


def _block(name: Optional[str], parts: Parts) -> _Records:
    """The records of an origin block, checked once: a leaf's, a lifted constant's, one per row of
    GATES, the learners' rows' (see apply) and the part their outputs are."""
    global _blocks_table
    if _blocks_table is not GATES:  # the table was swapped (a test's deliberately wrong row): start afresh
        _blocks.clear()
        _blocks_table = GATES
    key: tuple[Optional[str], Any]
    if parts is None or isinstance(parts, str):
        key = (name, parts)
    elif isinstance(parts, Mapping):
        key = (name, tuple(parts.items()))
    else:
        raise TypeError(f"origin: parts must be a str, a mapping gate name -> str, or None; got {type(parts).__name__}")
    try:
        records = _blocks.get(key)
    except TypeError:  # something unhashable where text belongs: named by the checks below
        records = None
    if records is not None:
        return records
    if name is not None:
        if not isinstance(name, str):
            raise TypeError(f"origin needs a str or None, got {type(name).__name__}")
        check_text(name, "origin name")
    if parts is None or isinstance(parts, str):
        by_gate = dict.fromkeys(GATES, parts)
    else:
        unknown = [g for g in parts if g not in GATES]
        if unknown:
            raise ValueError(f"origin: parts names a gate that is not a row of GATES: {unknown[0]!r} "
                             f"(the rows: {', '.join(GATES)})")
        by_gate = {g: parts.get(g) for g in GATES}
    for part in by_gate.values():
        if part is not None:
            if not isinstance(part, str):
                raise TypeError(f"origin: a part must be a str, got {type(part).__name__}")
            check_text(part, "origin part")
    leaf = _Info(origin=name)
    made: _Records = (leaf, leaf.replace(lifted=True),
                      tuple(leaf.replace(gate=gate, part=by_gate[gate.name]) for gate in GATES.values()),
                      {}, parts if isinstance(parts, str) else None)
    if len(_blocks) >= _MAX_BLOCKS:
        _blocks.clear()
    _blocks[key] = made
    return made


class origin:
    """Stamp ``name`` (e.g. ``"L1.N3"``) on every Value created inside the block, as ``node.origin``,
    and on what each gate makes there, what it is (``node.part``).

    Networks use it to say which layer and neuron made a node, and which part of it each gate's
    output is, as plain data a diagram can group by and name, so the engine never needs to know
    what a network is. The block's records are made once and shared by all its nodes: a part
    costs a node nothing. The current block is per thread (and asyncio task), held in a
    ``contextvars.ContextVar``; an ``origin`` object keeps no state, so a network may make its
    blocks once and enter them on every call, from any thread.

    Args:
        name: where the nodes are made (``"L1.N3"``), or None for no place (a loss).
        parts: what each gate's output is in the block: one str for every gate (``"margin"``),
            or a mapping from a gate's name in ``GATES`` to a str (``{"mul": "w·x", "add": "sum",
            "max": "relu"}``; a gate not in it makes nodes with no part), or None.

    >>> with origin("L1.N3", parts={"mul": "w·x", "tanh": "tanh"}):
    ...     y = (Value(2.0) * 3).tanh()
    >>> y.origin, y.part, y.parents[0].part
    ('L1.N3', 'tanh', 'w·x')
    """

    __slots__ = ("_records", "_args")

    def __init__(self, name: Optional[str], parts: Parts = None) -> None:
        # A class, not a generator: a neuron enters a block per data point, and a class's three
        # calls cost a third of contextlib's. The block's records are looked up here (made and
        # checked by _block the first time), so entering one only sets a context variable. The
        # object keeps no state of its own: it can be made once, kept, and entered again, nested
        # in itself or by several threads at once.
        records = None
        if _blocks_table is GATES:
            try:
                records = _blocks.get((name, parts if parts is None or isinstance(parts, str) else tuple(parts.items())))
            except (AttributeError, TypeError):  # not a mapping, or not hashable: _block names what is wrong
                pass
        self._records = records or _block(name, parts)
        self._args = name, parts

    def __reduce__(self) -> tuple[type[origin], tuple[Optional[str], Parts]]:
        """Pickled (and copied) as its arguments, so a network that keeps its blocks pickles as before."""
        return origin, self._args

    def __enter__(self) -> None:
        """Make the block's records the current ones, in this thread (or asyncio task) alone."""
        _set(self._records + (_now(),))

    def __exit__(self, *exc: object) -> None:
        """Put back the records current before (``with`` blocks nest, so they are the current value's sixth)."""
        _set(_now()[5])  # type: ignore[index]  # inside a block, never None


_ADD, _MUL, _POW = GATES["add"], GATES["mul"], GATES["pow"]


def _lift(x: object) -> Value:
    """A Python number on one side of an operator becomes a constant leaf, marked as such (``lifted``)."""
    if type(x) is not float or x - x:  # x − x is nan for ±inf and nan, 0.0 (falsy) for a finite x
        x = as_float(x)  # an int or numpy number: converted; nan, inf, str, bool...: refused, named
    out: Value = _new()
    out.data, out.grad, out._a, out._b = x, 0.0, None, None
    block = _now()
    out._info, out._mark = _constant if block is None else block[1], None
    return out


def _unary(gate: Gate, a: Value, const: Optional[float] = None) -> Value:
    """Run a one-input ``gate`` forward on ``a`` and record the result as a new node."""
    try:
        bad = gate.saturates and a.data - a.data  # nan or ±inf in, a finite number out: named, not hidden
    except TypeError:
        _check_numbers(a)
        raise
    if bad:
        raise _domain_error(gate, (a,), const, math.nan)
    try:
        data = gate.forward(a.data) if const is None else gate.forward(a.data, const)
    except (ValueError, OverflowError, ZeroDivisionError) as error:
        raise _domain_error(gate, (a,), const, error) from None
    except TypeError:  # a .data set to something that is not a number
        _check_numbers(a)
        raise
    if data - data:  # x − x is 0.0 for a finite x and nan (truthy) for ±inf or nan
        raise _domain_error(gate, (a,), const, data)
    out: Value = _new()
    out.data = data
    out.grad = 0.0
    out._a = a
    out._b = None
    block = _now()
    info = (_made if block is None else block[2])[_ROW[gate.name]]
    out._info = info if const is None else info.replace(const=const)
    out._mark = None
    return out


def _binary_method(gate: Gate, reflected: bool = False) -> Callable[[Value, object], Value]:
    """The operator method for a two-input gate: ``self ∘ other`` (or ``other ∘ self`` if reflected).

    Like :func:`_unary`, with the node written out in place rather than in a shared helper:
    binary gates are most of every graph, and this saves a Python call per node.
    """
    forward, row, saturates, now = gate.forward, _ROW[gate.name], gate.saturates, _now

    def method(self: Value, other: object) -> Value:
        if type(other) is not Value:
            other = _lift(other)
        # a gate that can map nan or ±inf to a finite number (max(nan, 1) = 1) checks its inputs
        try:
            bad = saturates and (self.data - self.data or other.data - other.data)
            data = forward(self.data, other.data)
            off = data - data  # x − x is 0.0 for a finite x and nan (truthy) for ±inf or nan
        except (ValueError, OverflowError, ZeroDivisionError) as error:
            raise _domain_error(gate, (self, other), None, error) from None
        except TypeError:  # a .data set to something that is not a number ("a" + "b" is "ab": met at off)
            _check_numbers(self, other)
            raise
        if bad:
            raise _domain_error(gate, (self, other), None, math.nan)
        if off:
            raise _domain_error(gate, (self, other), None, data)
        out: Value = _new()
        out.data = data
        out.grad = 0.0
        out._a = self
        out._b = other
        block = now()  # the gate's name and derivatives, the node's origin
        out._info = (_made if block is None else block[2])[row]
        out._mark = None
        return out

    if reflected:  # Python calls x.__radd__(n) for n + x only when n is not a Value

        def reflected_method(self: Value, other: object) -> Value:
            return method(_lift(other), self)

        reflected_method.__name__ = f"r{gate.name}"
        reflected_method.__doc__ = f"The {gate.name} gate ({gate.symbol}) with a number first: {gate.rule}."
        return reflected_method

    method.__name__ = gate.name
    method.__doc__ = f"The {gate.name} gate ({gate.symbol}): {gate.rule}."
    return method


def _new_record() -> _Info:
    return object.__new__(_Info)


_NO_LABEL = ""


def _leaf_record(label: str, role: Optional[str]) -> _Info:
    """The record of a leaf made with a label or a role, in the current origin block.

    Written out field by field (no ``replace``): every labelled Value is made here.
    """
    if not isinstance(label, str):
        raise TypeError(f"Value label must be a str, got {type(label).__name__}")
    if label:
        check_text(label, "Value label")
    if role is not None and role not in _LEAF_ROLES:
        raise ValueError(f"Value role must be one of {', '.join(map(repr, _LEAF_ROLES))} (or None), got {role!r:.40}")
    info = _new_record()
    info.op, info.gate, info.local_grads, info.fixed, info.swapped = "", None, None, None, False
    block = _now()
    info.label, info.origin, info.const, info.lifted = label, (_current if block is None else block[0]).origin, None, False
    info.role, info.part = role, None
    return info


class _ValueType(type):
    """Value's metaclass, for speed alone: ``Value(data, label)`` runs the checks below.

    Value itself has no ``__init__``, so the gates make their output nodes with :data:`_new`,
    Python's plain call of a class (``object.__new__``, nothing else), filling every slot
    themselves: their data is checked already. That plain call is a third cheaper than
    ``object.__new__(Value)`` from Python, and every graph is mostly gate outputs.
    """

    def __call__(cls, data: Number, label: str = "", role: Optional[str] = None) -> Value:
        # a plain leaf (no label, no role: the empty string is one object) shares the block's
        # record; a named one, or one with a role, gets its own, its label and role checked first
        if label is _NO_LABEL and role is None:
            block = _now()
            info = _current if block is None else block[0]
        else:
            info = _leaf_record(label, role)
        node = type.__call__(cls)
        node.data = as_float(data)
        node.grad = 0.0
        node._a = None
        node._b = None
        node._info = info
        node._mark = None
        return node


class Value(metaclass=_ValueType):
    """A scalar in a computation graph: its forward value, its gradient, and how it was made.

    Args:
        data: a finite real number.
        label: a name shown in diagrams and error messages.
        role: what the leaf is: ``"input"``, ``"parameter"`` or ``"constant"`` (diagrams colour
            it by this). None: an ``"input"`` if it has a label, else a ``"constant"``.

    Attributes:
        data: the forward value (float).
        grad: ∂root/∂self after ``root.backward()`` (float, starts at 0.0).
        op: name of the gate in ``GATES`` that made this node; ``""`` for a leaf.
        parents: the gate's inputs, a tuple in argument order; ``a * a`` has ``(a, a)``.
        label: the node's name ("" if none).
        origin: where a network made it (e.g. ``"L1.N3"``), or None.
        part: what it is where it was made (``"relu"``, ``"margin"``; see :func:`origin`), or None.
        role: one of :data:`ROLES`, from how it was made.
        const: the gate's constant (pow's exponent), or None.

    >>> x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    >>> f = (x + y) * z
    >>> f.backward()
    >>> f.data, x.grad, y.grad, z.grad
    (-12.0, -4.0, -4.0, 3.0)
    """

    # The inputs live inline in two slots, _a and _b (None where absent): measured 1.5x faster
    # on micrograd's demo step than a tuple per node, which is one more object for the
    # allocator and the cyclic garbage collector. ``parents`` builds the tuple on demand.
    # _mark is scratch space for graph walks (see graph._walk).
    # _info holds op, label, origin and const (see _Info), one record shared by plain nodes.
    __slots__ = ("data", "grad", "_a", "_b", "_info", "_mark")

    @property
    def label(self) -> str:
        """The node's name in diagrams and error messages ("" if none); settable."""
        return self._info.label

    @label.setter
    def label(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError(f"Value label must be a str, got {type(value).__name__}")
        self._info = self._info.replace(label=check_text(value, "Value label"))

    @property
    def op(self) -> str:
        """Name of the gate in ``GATES`` that made this node; ``""`` for a leaf."""
        return self._info.op

    @property
    def origin(self) -> Optional[str]:
        """Where a network made this node (e.g. ``"L1.N3"``, see :func:`origin`), or None."""
        return self._info.origin

    @property
    def part(self) -> Optional[str]:
        """What the node is where it was made (``"w·x"``, ``"relu"``, ``"margin"``; see :func:`origin`), or None."""
        return self._info.part

    @property
    def role(self) -> str:
        """What the node is, by how it was made: one of :data:`ROLES`.

        A gate's output is a ``"gate output"``; a leaf has the role it was made with
        (``Value(0.5, "w", role="parameter")``; a network marks its weights so), else it is an
        ``"input"`` if it has a label and a ``"constant"`` if not (a number written into an
        expression, such as the 2 in ``x * 2``). Never read from the label's spelling.

        >>> Value(1.0, "x").role, Value(1.0, "b", role="parameter").role, (Value(1.0) * 2).role
        ('input', 'parameter', 'gate output')
        """
        info = self._info
        if info.gate is not None:
            return "gate output"
        if info.role is not None:
            return info.role
        return "input" if info.label and not info.lifted else "constant"

    @property
    def const(self) -> Optional[float]:
        """The gate's constant (pow's exponent), or None."""
        return self._info.const

    @property
    def parents(self) -> tuple[Value, ...]:
        """The gate's inputs in argument order: ``()`` for a leaf, ``(a, a)`` for ``a * a``."""
        a = self._a
        if a is None:
            return ()
        b = self._b
        return (a,) if b is None else (a, b)

    def __repr__(self) -> str:
        parts = [f"data={self.data!r}", f"grad={self.grad!r}"]
        if self.op:
            parts.append(f"op={self.op!r}")
        if self.label:
            parts.append(f"label={self.label!r}")
        return f"Value({', '.join(parts)})"

    # -- gates: each operator is its row of the gate table, recorded on a new node ------------
    __add__ = _binary_method(_ADD)  # self + other
    __radd__ = _binary_method(_ADD, reflected=True)  # other + self
    __mul__ = _binary_method(_MUL)  # self * other
    __rmul__ = _binary_method(_MUL, reflected=True)  # other * self
    # every other gate (max, exp, log, tanh, sigmoid, ...) is a method named after its row:
    # see _method below the class

    def __pow__(self, other: Union[Value, Number]) -> Value:
        """self ** c for a number c (the pow gate); self ** b for a Value b is exp(b · log self)."""
        if isinstance(other, Value):
            if self.data <= 0.0:
                raise GateError(
                    f"a ** b with a Value exponent is exp(b·log a) and log() needs a > 0, "
                    f"got {self.data!r}{_labels((self,))}"
                )
            return (other * self.log()).exp()
        return _unary(_POW, self, as_float(other, "pow() exponent"))

    def __rpow__(self, other: Number) -> Value:  # other ** self = exp(self · log other)
        return _lift(other) ** self

    # -- composites: built from the gates above -----------------------------------------------
    def relu(self) -> Value:
        """relu(x) = max(0, x), the course's formula: zero is the first input, so relu'(0) = 0."""
        return _lift(0.0).max(self)

    def __neg__(self) -> Value:  # -self = self × (−1)
        return self * -1.0

    def __sub__(self, other: Union[Value, Number]) -> Value:  # self + (−other)
        return self + (-other)

    def __rsub__(self, other: Number) -> Value:  # other + (−self)
        return _lift(other) + (-self)

    def __truediv__(self, other: Union[Value, Number]) -> Value:  # self × other⁻¹
        other = other if isinstance(other, Value) else _lift(other)
        if other.data == 0.0:
            raise GateError(f"division by zero: a / b is a × b^-1 and pow() needs b != 0, got b = 0.0{_labels((other,))}")
        return self * other**-1.0

    def __rtruediv__(self, other: Number) -> Value:  # other × self⁻¹
        return _lift(other) / self

    # -- backward -----------------------------------------------------------------------------
    def backward(self) -> None:
        """Fill in ``grad`` = ∂self/∂node for every node this one depends on.

        Seeds ``self.grad = 1.0``, recomputes every interior node's gradient from scratch and
        *adds* into the leaves' gradients. Calling it twice therefore adds the same gradient to
        each leaf again (PyTorch's semantics: leaves accumulate, so zero them between steps),
        while interior gradients stay correct — never micrograd's growing multiples.

        >>> a = Value(3.0)
        >>> b = a * a
        >>> b.backward(); a.grad
        6.0
        >>> b.backward(); a.grad
        12.0

        Raises :class:`GateError` if a gate has no finite local derivative (√x at 0), or if the
        gradient of a node you can read overflows to ±inf (or becomes nan): a Value you made, a
        node a gate made from one, anything you labelled. One kind of node is exempt: a constant
        that an operator made from a Python number (the 1e200 in ``x * 1e200``), and nodes made
        from such constants alone. Nobody asked for their gradients, so if one overflows, backward
        leaves it as it came out (±inf or nan, shown as such in diagrams) and raises nothing: at
        x = 1e200, ``(x * 1e-200 * 1e200).backward()`` gives x.grad = 1.0 exactly, while the
        constant 1e-200 gets ∂f/∂c = x · 1e200 = inf. Label such a constant and it is checked too.

        >>> x = Value(1e200, "x")
        >>> f = x * 1e-200 * 1e200
        >>> f.backward()
        >>> x.grad, f.parents[0].parents[1].grad  # ∂f/∂x, and ∂f/∂c for the constant c = 1e-200
        (1.0, inf)
        """
        # graph.py walks Values, so it imports this module; this import runs at call time, once
        # per backward (a dict lookup once imported), never per node
        from .graph import backward

        backward(self)


# Value() without its checks, for the gates (see _ValueType): type's own call, bound to Value.
_new: Callable[[], Value] = type.__call__.__get__(Value)  # type: ignore[attr-defined]


# -- the methods of the rows Python has no operator for --------------------------------------
def _method(gate: Gate) -> Callable[..., Value]:
    """``x.name()`` for a one-input row (``x.name(c)`` if it takes a constant), ``a.name(b)`` for two."""
    if gate.arity == 2:
        return _binary_method(gate)
    if gate.takes_constant:

        def method(self: Value, c: Number) -> Value:
            return _unary(gate, self, as_float(c, f"{gate.name}() constant"))

    else:

        def method(self: Value) -> Value:
            return _unary(gate, self)

    method.__name__ = method.__qualname__ = gate.name
    domain = f" Raises GateError unless {gate.domain}." if gate.domain else ""
    method.__doc__ = f"The {gate.name} gate ({gate.symbol}): {gate.rule}.{domain}"
    return method


# Every row with no Python operator becomes a Value method named after it: x.exp(), a.max(b), ...
# (at a tie of max the gradient goes to self, the first input: see the row).
for _gate in GATES.values():
    if not _gate.operator:
        if hasattr(Value, _gate.name):
            raise ValueError(f"gate {_gate.name!r} would hide Value.{_gate.name}: give the row another name")
        setattr(Value, _gate.name, _method(_gate))
del _gate


# -- a learner's own rows ---------------------------------------------------------------------
def _check_row(gate: object, who: str, run: bool = True) -> Gate:
    """``gate`` if it is a row the engine can run, else a TypeError/ValueError saying what to fix.

    ``run=False`` is for looking at a row without making nodes (check_gate): then a learner's
    row may share a built-in row's name.
    """
    if not isinstance(gate, Gate):
        raise TypeError(f"{who} needs an autograd.Gate row, got {type(gate).__name__}")
    if not (isinstance(gate.name, str) and gate.name.isidentifier()):
        raise ValueError(f"{who}: a gate's name must be a Python identifier such as 'cube', got {gate.name!r}")
    builtin = GATES.get(gate.name)
    if run and builtin is not None and builtin is not gate:
        raise ValueError(
            f"{who}: {gate.name!r} is the name of a built-in row of GATES, which is read-only; "
            f"give your row a name of its own, e.g. 'my_{gate.name}'"
        )
    if gate.arity not in (1, 2):
        raise ValueError(f"{who}: gate {gate.name!r} has arity {gate.arity!r}; the engine's gates take 1 or 2 inputs")
    for field in ("forward", "local_grads"):
        if not callable(getattr(gate, field)):
            raise TypeError(f"{who}: gate {gate.name!r}: {field} must be a function, got {type(getattr(gate, field)).__name__}")
    if gate.branch is not None and not callable(gate.branch):
        raise TypeError(f"{who}: gate {gate.name!r}: branch must be a function or None")
    for field in ("symbol", "rule", "domain"):
        if not isinstance(getattr(gate, field), str):
            raise TypeError(f"{who}: gate {gate.name!r}: {field} must be a str, got {type(getattr(gate, field)).__name__}")
    return gate


def _checked_local_grads(gate: Gate) -> Callable[..., tuple[float, ...]]:
    """A learner row's ``local_grads``, with its result checked: one real number per input."""
    local_grads, n = gate.local_grads, gate.arity

    def checked(out: float, *args: float) -> tuple[float, ...]:
        result = local_grads(out, *args)
        if not isinstance(result, (tuple, list)) or len(result) != n:
            shown = f"{type(result).__name__} {result!r:.40}"
            raise TypeError(
                f"gate {gate.name!r}: local_grads must return a tuple of {n} number(s), one per input, "
                f"got {shown}" + (" (write (d,) for a one-input gate)" if n == 1 else "")
            )
        grads = []
        for i, g in enumerate(result):
            if isinstance(g, bool) or not isinstance(g, numbers.Real):
                raise TypeError(f"gate {gate.name!r}: local_grads()[{i}] must be a real number, got {type(g).__name__} {g!r:.40}")
            grads.append(float(g))  # a non-finite one is caught where it is used
        return tuple(grads)

    return checked


def _record(gate: Gate, const: Optional[float]) -> _Info:
    """The record a node made by ``gate`` carries, in the current origin block."""
    current, _, made, extra, extra_part, *_ = _now() or (_current, _constant, _made, _extra, _extra_part)
    row = _ROW.get(gate.name)
    if row is not None and GATES[gate.name] is gate:
        info = made[row]
    else:
        entry = extra.get(id(gate))
        if entry is None or entry[0] is not gate:
            entry = extra[id(gate)] = (gate, current.replace(gate=gate, part=extra_part))
        info = entry[1]
    return info if const is None else info.replace(const=const)


def apply(gate: Gate, *inputs: Union[Value, Number], c: Optional[Number] = None) -> Value:
    """Run any row forward on Values, a built-in one or your own, and record the new node.

    A row of your own (``autograd.Gate(name=..., symbol=..., arity=..., forward=...,
    local_grads=..., rule=...)``) needs no change to the package: the node carries the row, so
    ``backward``, ``backward_steps``, ``gradcheck`` and the diagrams all read it. ``GATES`` is not
    touched, and a row of your own may not reuse a built-in row's name.

    Args:
        gate: the row.
        inputs: ``gate.arity`` Values (or numbers, which become constant leaves).
        c: the gate's constant, for a row that ``takes_constant``.

    Raises:
        TypeError / ValueError: a bad row, the wrong number of inputs, a constant it does not take.
        GateError: the inputs are outside the row's domain (its ``forward`` raised ValueError,
            OverflowError or ZeroDivisionError) or its output is not finite.

    >>> cube = Gate(name="cube", symbol="x³", arity=1, forward=lambda x: x ** 3,
    ...             local_grads=lambda out, x: (3 * x * x,), rule="cube multiplies the upstream gradient by 3x²")
    >>> x = Value(2.0, "x")
    >>> y = apply(cube, x) * 5
    >>> y.backward()
    >>> y.data, x.grad, gate_of(y.parents[0]).symbol
    (40.0, 60.0, 'x³')
    """
    _check_row(gate, "apply")
    if len(inputs) != gate.arity:
        raise TypeError(f"apply: gate {gate.name!r} takes {gate.arity} input(s), got {len(inputs)}")
    xs = tuple(x if type(x) is Value else _lift(x) for x in inputs)
    const: Optional[float] = None
    if gate.takes_constant:
        if c is None:
            raise TypeError(f"apply: gate {gate.name!r} needs its constant: apply(gate, x, c=...)")
        const = as_float(c, f"apply: gate {gate.name!r}'s constant c")
    elif c is not None:
        raise TypeError(f"apply: gate {gate.name!r} takes no constant, got c = {c!r}")
    args = [x.data for x in xs] if const is None else [xs[0].data, const]
    if any(x.data - x.data for x in xs):  # nan or ±inf: whatever the row would make of it, named
        raise _domain_error(gate, xs, const, math.nan)
    try:
        data = gate.forward(*args)
    except (ValueError, OverflowError, ZeroDivisionError) as error:
        raise _domain_error(gate, xs, const, error) from None
    if isinstance(data, bool) or not isinstance(data, numbers.Real):
        raise TypeError(f"gate {gate.name!r}: forward must return a real number, got {type(data).__name__} {data!r:.40}")
    data = float(data)
    if data - data:  # inf or nan
        raise _domain_error(gate, xs, const, data)
    out: Value = _new()
    out.data, out.grad = data, 0.0
    out._a, out._b = xs[0], (xs[1] if len(xs) == 2 else None)
    out._info = _record(gate, const)
    out._mark = None
    return out


def gate_function(gate: Gate) -> Callable[..., Value]:
    """A function that applies your row to Values: ``f(x)``, ``f(a, b)``, or ``f(x, c)`` for a
    row that takes a constant. Nothing global changes: ``GATES`` stays as it is.

    >>> softplus = gate_function(Gate(
    ...     name="softplus", symbol="softplus", arity=1, forward=lambda x: math.log1p(math.exp(x)),
    ...     local_grads=lambda out, x: (1 / (1 + math.exp(-x)),),
    ...     rule="softplus multiplies the upstream gradient by σ(x)"))
    >>> x = Value(0.0)
    >>> y = softplus(x)
    >>> y.backward(); x.grad
    0.5
    """
    _check_row(gate, "gate_function")
    if gate.takes_constant:

        def fn(x: Union[Value, Number], c: Number) -> Value:
            return apply(gate, x, c=c)

    elif gate.arity == 1:

        def fn(x: Union[Value, Number]) -> Value:  # type: ignore[misc]
            return apply(gate, x)

    else:

        def fn(a: Union[Value, Number], b: Union[Value, Number]) -> Value:  # type: ignore[misc]
            return apply(gate, a, b)

    fn.__name__ = fn.__qualname__ = gate.name
    fn.__doc__ = f"The {gate.name} gate ({gate.symbol}): {gate.rule}."
    fn.gate = gate  # type: ignore[attr-defined]
    return fn


def gate_of(node: Value) -> Gate:
    """The row of the gate that made ``node``: a built-in row of ``GATES`` or a learner's own.

    Diagrams, steps and checks look a node's gate up here, never by name in ``GATES``.

    >>> gate_of(Value(2.0) * 3) is GATES["mul"]
    True
    """
    if not isinstance(node, Value):
        raise TypeError(f"gate_of needs a Value, got {type(node).__name__}")
    gate = node._info.gate
    if gate is None:
        raise ValueError(f"gate_of: {node!r} is a leaf, made by no gate")
    return gate
