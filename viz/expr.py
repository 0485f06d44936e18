"""Safe arithmetic expressions for the command line: parsed with ast against a whitelist, never eval'd."""

from __future__ import annotations

import ast
import math
import operator
import warnings
from typing import Mapping, Union

from autograd import GATES, Value

__all__ = ["ExpressionError", "FUNCTIONS", "build", "evaluate", "parse", "parse_bindings", "unparse", "variables"]

#: The functions an expression may call, with how many arguments each takes: every row of the
#: gate table that Python has no operator for (one-input rows first), and the composite relu,
#: which is max(0, x). Each is the Value method of the same name.
FUNCTIONS = {
    **{g.name: g.arity for g in GATES.values() if not g.operator and g.arity == 1 and not g.takes_constant},
    "relu": 1,
    **{g.name: g.arity for g in GATES.values() if not g.operator and g.arity == 2},
}

#: Longest expression accepted, in characters.
MAX_LENGTH = 1000

ALLOWED = "numbers, names, + - * / **, unary -, and calls to " + ", ".join(FUNCTIONS)

_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_UNARY = {ast.USub: "-", ast.UAdd: "+"}
_OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
              ast.Pow: operator.pow}

# Words for what a refused piece of syntax is, so the error says what was seen.
_WHAT = {
    ast.Attribute: "attribute access is",
    ast.Subscript: "subscripts are",
    ast.Lambda: "lambdas are",
    ast.ListComp: "comprehensions are",
    ast.SetComp: "comprehensions are",
    ast.DictComp: "comprehensions are",
    ast.GeneratorExp: "comprehensions are",
    ast.List: "lists are",
    ast.Tuple: "tuples are",
    ast.Dict: "dicts are",
    ast.Set: "sets are",
    ast.Compare: "comparisons are",
    ast.BoolOp: "and/or are",
    ast.IfExp: "if-expressions are",
    ast.NamedExpr: "assignments are",
    ast.JoinedStr: "strings are",
    ast.Starred: "star-arguments are",
}

Number = Union[float, Value]


class ExpressionError(ValueError):
    """An expression or a binding the command line refuses (bad syntax, a forbidden construct, ...)."""


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def _refuse(what: str) -> ExpressionError:
    return ExpressionError(f"{what} not allowed; EXPR may use only {ALLOWED}")


def _children(node: ast.AST) -> list[ast.AST]:
    """The sub-expressions of a whitelisted node, left to right (a call's name is not one)."""
    if isinstance(node, ast.Expression):
        return [node.body]
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    if isinstance(node, ast.Call):
        return list(node.args)
    return []


def _check_node(node: ast.AST) -> None:
    """Raise ExpressionError unless ``node`` itself (not its children) is on the whitelist."""
    if isinstance(node, ast.Expression):
        return
    if isinstance(node, ast.Constant):
        if isinstance(node.value, (str, bytes)):
            raise _refuse("strings are")
        if type(node.value) not in (int, float):
            raise _refuse(f"the constant {node.value!r} is")
    elif isinstance(node, ast.Name):
        if node.id in FUNCTIONS:
            raise ExpressionError(f"{node.id} is a function: call it, as in {node.id}(x)")
    elif isinstance(node, ast.BinOp):
        if type(node.op) not in _BINARY:
            raise _refuse(f"the operator {type(node.op).__name__} is")
    elif isinstance(node, ast.UnaryOp):
        if type(node.op) not in _UNARY:
            raise _refuse(f"the operator {type(node.op).__name__} is")
    elif isinstance(node, ast.Call):
        func = node.func
        if not isinstance(func, ast.Name) or func.id not in FUNCTIONS:
            called = repr(func.id) if isinstance(func, ast.Name) else "anything but a named function"
            raise ExpressionError(f"calling {called} is not allowed; the functions are {', '.join(FUNCTIONS)}")
        if node.keywords:
            raise _refuse("keyword arguments are")
        if len(node.args) != FUNCTIONS[func.id]:
            raise ExpressionError(
                f"{func.id}() takes {FUNCTIONS[func.id]} argument(s), got {len(node.args)}"
            )
    else:
        raise _refuse(_WHAT.get(type(node), f"{type(node).__name__} is"))


def _check(tree: ast.AST) -> None:
    """Raise ExpressionError unless every piece of ``tree`` is on the whitelist.

    An explicit stack, not recursion: ``x+x+…+x`` is a chain of hundreds of nested additions.
    Pieces are checked in reading order (pre-order, left to right), so the first refused one is named.
    """
    stack = [tree]
    while stack:
        node = stack.pop()
        _check_node(node)
        stack.extend(reversed(_children(node)))


def _postorder(tree: ast.AST) -> list[ast.AST]:
    """Every node of a checked tree, each after all of its sub-expressions (any depth, no recursion)."""
    order, stack = [], [tree]
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(_children(node))
    order.reverse()  # a node came before its descendants, so now it comes after them
    return order


def parse(text: str) -> ast.Expression:
    """Parse ``text`` and check it against the whitelist; nothing is evaluated.

    Raises:
        ExpressionError: a syntax error, or anything beyond numbers, names, + - * / **,
            unary -, and calls to exp, log, tanh, sigmoid, relu, max (one-line message).

    >>> ast.unparse(parse("(x + y) * z"))
    '(x + y) * z'
    >>> parse("x.__class__")
    Traceback (most recent call last):
    ...
    viz.expr.ExpressionError: attribute access is not allowed; EXPR may use only numbers, ...
    """
    if not isinstance(text, str):
        raise ExpressionError(f"the expression must be text, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is {len(text)} characters long; the limit is {MAX_LENGTH}")
    try:
        with warnings.catch_warnings():
            # Python warns about some odd-but-valid source ("1and x": SyntaxWarning); as errors
            # they are refused like any other syntax error instead of printing a stray line.
            warnings.simplefilter("error")
            tree = ast.parse(text.strip(), mode="eval")
        _check(tree)
    except SyntaxError as error:
        raise ExpressionError(f"not a valid expression: {error.msg}") from None
    except Warning as warning:  # a warning category the compiler does not turn into SyntaxError
        raise ExpressionError(f"not a valid expression: {_one_line(warning)}") from None
    except (RecursionError, MemoryError):
        raise ExpressionError("the expression is nested too deeply") from None
    except ValueError as error:  # e.g. a null byte, or an integer literal with too many digits
        if isinstance(error, ExpressionError):
            raise
        raise ExpressionError(f"not a valid expression: {error}") from None
    return tree


def variables(tree: ast.AST) -> list[str]:
    """The variable names in a parsed expression, in order of first appearance.

    >>> variables(parse("max(b, a) * b + exp(c)"))
    ['b', 'a', 'c']
    """
    found = sorted(
        (node.lineno, node.col_offset, node.id)
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and node.id not in FUNCTIONS
    )
    return list(dict.fromkeys(name for _, _, name in found))


def _number(value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except OverflowError:
        raise ExpressionError(f"the number {value!r:.40} is too large for a float") from None
    if not math.isfinite(number):
        raise ExpressionError(f"the number {value!r:.40} is not finite")
    return number


def _float_op(op: type, a: float, b: float) -> float:
    """``a op b`` for two plain numbers; raises ArithmeticError where there is no real result."""
    try:
        # math.pow raises where ** would overflow or give a complex number ((-8) ** (1/3))
        out = math.pow(a, b) if op is ast.Pow else _OPERATORS[op](a, b)  # ZeroDivisionError for / 0
    except ValueError:
        raise ArithmeticError(f"{a!r} ** {b!r} has no real value") from None
    except OverflowError:
        out = math.inf
    if not math.isfinite(out):
        raise OverflowError(f"{a!r} {_BINARY[op]} {b!r} overflows a float")
    return out


def _as_value(x: Number) -> Value:
    return x if isinstance(x, Value) else Value(x)


def _apply(name: str, args: list[Number]) -> Value:
    return getattr(_as_value(args[0]), name)(*args[1:])  # x.exp(), a.max(b): the row's method


# Binding strength of each piece, as ast.unparse ranks them (its _Precedence): a child binding
# less tightly than its place requires is put in parentheses.
_ARITH, _TERM, _FACTOR, _POWER, _ATOM = 1, 2, 3, 4, 6
_PRECEDENCE = {ast.Add: _ARITH, ast.Sub: _ARITH, ast.Mult: _TERM, ast.Div: _TERM, ast.Pow: _POWER}


def _wrap(piece: tuple[str, int], needed: int) -> str:
    text, precedence = piece
    return f"({text})" if precedence < needed else text


def _text(node: ast.AST, parts: list[tuple[str, int]]) -> tuple[str, int]:
    """``node`` written out as ``ast.unparse`` writes it, from its children's (text, precedence)."""
    if isinstance(node, ast.Name):
        return node.id, _ATOM
    if isinstance(node, ast.Constant):
        return repr(node.value), _ATOM
    if isinstance(node, ast.UnaryOp):
        return _UNARY[type(node.op)] + _wrap(parts[0], _FACTOR), _FACTOR
    if isinstance(node, ast.BinOp):
        own = _PRECEDENCE[type(node.op)]
        # ** groups to the right (a ** b ** c = a ** (b ** c)); the others to the left
        left, right = (own + 1, own) if isinstance(node.op, ast.Pow) else (own, own + 1)
        return f"{_wrap(parts[0], left)} {_BINARY[type(node.op)]} {_wrap(parts[1], right)}", own
    if isinstance(node, ast.Call):
        return f"{node.func.id}({', '.join(text for text, _ in parts)})", _ATOM  # type: ignore[attr-defined]
    return parts[0]  # ast.Expression: its body


def unparse(tree: ast.AST) -> str:
    """A checked expression written out the way ``ast.unparse`` writes it, at any depth.

    ``ast.unparse`` recurses, so it fails on a long chain such as ``x+x+…+x``; this walks the
    tree with an explicit stack and gives the same text.

    >>> unparse(parse("(a+b)*-c ** 2 / max(a,b)"))
    '(a + b) * -c ** 2 / max(a, b)'
    """
    done: dict[ast.AST, tuple[str, int]] = {}
    for node in _postorder(tree):
        done[node] = _text(node, [done.pop(child) for child in _children(node)])
    return done[tree][0]


#: Longest piece of an expression a node is labelled with; a longer one is named by its gate
#: and a count instead (``add1``, ``mul2``): the whole expression is the page's title, once.
MAX_PIECE = 12


def _evaluate(tree: ast.AST, env: Mapping[str, Value]) -> Number:
    """The value of a checked tree: numbers between numbers, the engine's gates once a Value is in.

    Every node an operator or a function makes is labelled with its own piece of the expression
    if that is at most :data:`MAX_PIECE` characters (``x + y``), else with its gate's name and
    a count, in the order they are made (``add1``, ``mul2``). Nodes are visited children first
    from an explicit stack, so any depth works.
    """
    done: dict[ast.AST, tuple[Number, tuple[str, int]]] = {}
    counts: dict[str, int] = {}
    for node in _postorder(tree):
        kids = [done.pop(child) for child in _children(node)]
        args = [value for value, _ in kids]
        text = _text(node, [piece for _, piece in kids])
        if isinstance(node, ast.Expression):
            out: Number = args[0]
        elif isinstance(node, ast.Constant):
            out = _number(node.value)
        elif isinstance(node, ast.Name):
            out = env[node.id]
        elif isinstance(node, ast.UnaryOp):
            out = -args[0] if isinstance(node.op, ast.USub) else args[0]
        elif isinstance(node, ast.BinOp):
            op = type(node.op)
            left, right = args
            if not isinstance(left, Value) and not isinstance(right, Value):
                out = _float_op(op, left, right)
            else:
                out = _OPERATORS[op](left, right)  # the engine's gates
        elif isinstance(node, ast.Call):
            out = _apply(node.func.id, args)  # type: ignore[attr-defined]
        else:  # parse() lets nothing else through
            raise ExpressionError(f"unexpected {type(node).__name__}")
        if isinstance(out, Value) and not out.label:
            if len(text[0]) <= MAX_PIECE:
                out.label = text[0]  # name the node by its own piece of the expression
            elif out.op:
                counts[out.op] = counts.get(out.op, 0) + 1
                out.label = f"{out.op}{counts[out.op]}"
        done[node] = (out, text)
    return done[tree][0]


def build(tree: ast.Expression, env: Mapping[str, Value]) -> Value:
    """The graph of a parsed expression over the given leaves (one Value per variable).

    >>> build(parse("a * b + 1"), {"a": Value(2.0), "b": Value(3.0)}).data
    7.0
    """
    try:
        return _as_value(_evaluate(tree, env))
    except ZeroDivisionError:
        raise ArithmeticError("division by zero") from None


def evaluate(tree: ast.Expression, values: Mapping[str, float], root_label: str = "f") -> Value:
    """Build the graph of a parsed expression with one labelled leaf per variable.

    Every node an operator or function makes is labelled with its piece of the expression
    (``x + y``) if that is at most :data:`MAX_PIECE` characters long, else with its gate and a
    count (``add1``); the result with ``root_label`` unless it is a variable itself. Each
    variable's leaf is an ``"input"`` (a name says nothing of what a value is for).

    Raises:
        ExpressionError: a variable without a value, or a value for a name not in the expression.
        ArithmeticError: the expression has no finite value there (the engine's GateError,
            a division by zero or an overflow between numbers).

    >>> f = evaluate(parse("(x + y) * z"), {"x": -2, "y": 5, "z": -4})
    >>> f.label, f.data, [p.label for p in f.parents]
    ('f', -12.0, ['x + y', 'z'])
    >>> g = evaluate(parse("sigmoid(w0*x0 + w1*x1 + b)"), {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "b": -3})
    >>> [p.label for p in g.parents[0].parents], g.parents[0].parents[0].parents[0].label
    (['add1', 'b'], 'w0 * x0')
    """
    names = variables(tree)
    missing = [name for name in names if name not in values]
    if missing:
        raise ExpressionError(f"no value for {', '.join(missing)}: add {' '.join(n + '=NUMBER' for n in missing)}")
    unused = [name for name in values if name not in names]
    if unused:
        raise ExpressionError(
            f"{', '.join(unused)} {'is' if len(unused) == 1 else 'are'} not in the expression "
            f"(its variables: {', '.join(names) or 'none'})"
        )
    env = {name: Value(values[name], name) for name in names}
    root = build(tree, env)
    if root.op or not root.label:
        root.label = root_label if root_label not in env else root_label + "_"
    return root


def parse_bindings(items: list[str]) -> dict[str, float]:
    """``["x=-2", "y=5"]`` -> ``{"x": -2.0, "y": 5.0}``, refusing anything else with one line.

    >>> parse_bindings(["x=-2", "y=1e3"])
    {'x': -2.0, 'y': 1000.0}
    >>> parse_bindings(["x=nan"])
    Traceback (most recent call last):
    ...
    viz.expr.ExpressionError: x=nan: the value must be a finite number, got 'nan'
    """
    values: dict[str, float] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name, text = name.strip(), text.strip()
        if not sep or not name.isidentifier() or name in FUNCTIONS:
            raise ExpressionError(f"{item!r:.60} is not a binding: write NAME=VALUE, e.g. x=-2")
        if name in values:
            raise ExpressionError(f"{name} is given twice")
        try:
            number = float(text)
        except ValueError:
            raise ExpressionError(f"{name}={text:.40}: the value must be a number, got {text!r:.40}") from None
        if not math.isfinite(number):
            raise ExpressionError(f"{name}={text:.40}: the value must be a finite number, got {text!r:.40}")
        values[name] = number
    return values
