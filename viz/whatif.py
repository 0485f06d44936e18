"""What-if on the stepper page: JavaScript twins of the gate table, leaf editors, values and gradients recomputed live."""

from __future__ import annotations

import html
import re
from typing import Any

from autograd import GATES, Gate, Value, topological_order

from . import assets
from .dot import fmt, gate_symbol
from .frames import gate_called
from .html import _ATTR_X, _POLYGON, Addon, _cell_of, json_for_script, value_groups
from .i18n import gate_rule, text

__all__ = ["check_twin", "twins_script", "whatif_addon"]

# The tokens a twin's expression is made of: numbers, names, operators. Anything else is refused,
# so a row's JavaScript can compute and nothing more (no strings, no assignment, no calls but Math's).
_TOKEN = re.compile(
    r"\s+|(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)|(?P<name>[A-Za-z_$][\w$]*)"
    r"|(?P<op>===|!==|>=|<=|&&|\|\||[-+*/()\[\],?:<>!.])"
)
#: The members of JavaScript's ``Math`` a twin may call.
MATH = frozenset({"abs", "exp", "expm1", "log", "log1p", "pow", "sqrt", "tanh", "sinh", "cosh", "sin", "cos",
                  "atan", "max", "min", "sign", "E", "PI", "LN2"})


def check_twin(gate: Gate) -> None:
    """Raise ValueError unless ``gate.js`` holds two expressions over its inputs that only compute.

    The names allowed are ``a`` (and ``b`` for a two-input gate), ``c`` for a gate that takes a
    constant, ``out`` in ``local_grads``, and ``Math.<name>`` for a name in :data:`MATH`.

    >>> check_twin(GATES["log"])
    >>> from autograd import JsTwin
    >>> from dataclasses import replace
    >>> check_twin(replace(GATES["log"], js=JsTwin("alert(a)", "[1 / a]")))
    Traceback (most recent call last):
    ...
    ValueError: gate 'log': JsTwin.forward may use only a, numbers, operators and Math.<function>; found 'alert'
    """
    if gate.js is None:
        raise ValueError(f"gate {gate.name!r} has no JavaScript twin (Gate.js)")
    inputs = ["a", "b"][: gate.arity] + (["c"] if gate.takes_constant else [])
    for field, allowed in (("forward", inputs), ("local_grads", [*inputs, "out"])):
        expr = getattr(gate.js, field)
        pos, after_math, after_dot = 0, False, False
        while pos < len(expr):
            match = _TOKEN.match(expr, pos)
            name = match.group("name") if match else None
            if match is None or (name is not None and not (
                    (after_dot and name in MATH) or (not after_dot and (name in allowed or name == "Math")))):
                found = expr[pos:].split()[0] if match is None else name
                raise ValueError(
                    f"gate {gate.name!r}: JsTwin.{field} may use only {', '.join(allowed)}, numbers, operators "
                    f"and Math.<function>; found {found[:20]!r}"
                )
            op = match.group("op")
            if after_math and op != ".":
                raise ValueError(f"gate {gate.name!r}: JsTwin.{field} uses Math without .<function>")
            if op == "." and not after_math:
                raise ValueError(f"gate {gate.name!r}: JsTwin.{field} may use '.' only after Math")
            if not match.group(0).isspace():
                after_dot, after_math = op == ".", name == "Math"
            pos = match.end()
        if after_math or after_dot:
            raise ValueError(f"gate {gate.name!r}: JsTwin.{field} ends in Math or '.', without a function")


def twins_script() -> str:
    """The JavaScript twins of every row of ``GATES`` that has one, as a JS object literal.

    >>> print(twins_script().splitlines()[1])
      "add": {f: function (a, b, c) { return a + b; }, l: function (out, a, b, c) { return [1, 1]; }},
    """
    lines = ["{"]
    for gate in GATES.values():
        if gate.js is None:
            continue
        check_twin(gate)
        lines.append(f"  {json_for_script(gate.name)}: {{f: function (a, b, c) {{ return {gate.js.forward}; }}, "
                     f"l: function (out, a, b, c) {{ return {gate.js.local_grads}; }}}},")
    lines.append("}")
    return "\n".join(lines)


_DATA_TEXT = re.compile(r'<text\b(?![^>]*\bclass=)(?![^>]*font-weight)([^>]*)>([^<]*)</text>')
_GBG = re.compile(r'<polygon class="gbg"[^>]*points="([^"]*)"')


def _mark_cells(group: str, word: str, number: str) -> str:
    """A value node's group with its data cell ready for the script: ``<text class="dv" data-w>word <tspan>n</tspan>``,
    and its gradient text told its room too (``data-w``: the width the text may take, 2 units
    clear of the cell's borders: a centred text's both sides, a left-aligned text's right side).

    Graphviz may split a cell's text in several ``<text>`` (around a CJK word): the texts are
    gathered by the cell (the smallest box) their start lies in, and the cell whose texts read
    ``word number`` becomes one text.
    """
    gbg = _GBG.search(group)
    if gbg is not None:
        x0, _, x1, _ = _cell_of(gbg.group(1))
        group = group.replace('<text class="gv"', f'<text class="gv" data-w="{x1 - x0 - 4:.2f}"', 1)
    boxes = [_cell_of(m.group(1)) for m in _POLYGON.finditer(group)]
    by_cell: dict[tuple[float, float, float, float], list[re.Match[str]]] = {}
    for match in _DATA_TEXT.finditer(group):
        x = float(_ATTR_X.search(match.group(1)).group(1))
        inside = [c for c in boxes if c[0] - 0.5 <= x <= c[2] + 0.5]
        if inside:
            by_cell.setdefault(min(inside, key=lambda c: (c[2] - c[0]) * (c[3] - c[1])), []).append(match)
    want = " ".join(f"{word} {number}".split())
    for (x0, _, x1, _), texts in by_cell.items():
        if " ".join(html.unescape("".join(m.group(2) for m in texts)).split()) != want:
            continue
        start = float(_ATTR_X.search(texts[0].group(1)).group(1))  # the text starts here, left-aligned
        label = (f'<text class="dv" data-w="{x1 - start - 2:.2f}"{texts[0].group(1)}>{html.escape(word, quote=False)} '
                 f"<tspan>{html.escape(number, quote=False)}</tspan></text>")
        for match in reversed(texts[1:]):
            group = group[: match.start()] + group[match.end():]
        return group[: texts[0].start()] + label + group[texts[0].end():]
    return group


def whatif_addon(root: Value, svg: str, data: dict[str, Any], who: str = "save_html") -> tuple[str, dict[str, Any], Addon]:
    """The what-if parts of ``root``'s stepper page: the drawing with its data cells marked, the data, the add-on.

    ``svg`` and ``data`` come from :func:`viz.html.page_data`. The add-on's JSON carries what the
    script needs beyond ``data``: each node's constant (pow's exponent) and gate symbol, each
    gate's name and rule in words, the caption templates; its script provides the gate table's
    JavaScript twins (:func:`twins_script`) as the part ``"twins"``, then runs the page's engine
    (``static/whatif.js``: forward over the topological order, backward in reverse with += at
    forks, frames and captions rebuilt like :func:`viz.frames.walk`, numbers printed like
    :func:`viz.dot.fmt`, errors worded like the engine's).
    Where new inputs make several gates fail, the page names the first in topological order
    (the Python engine names the first one the code made), in the engine's words.

    Raises:
        ValueError: a gate of the graph has no JavaScript twin.
        RuntimeError: the drawing lacks a value node's data cell.

    >>> from viz.html import page_data
    >>> from autograd import backward_steps
    >>> f = Value(2.0, "x").log()
    >>> svg, data, addon = whatif_addon(f, *page_data(f, list(backward_steps(f))))
    >>> svg.count('class="dv"'), addon.data["gates"]["log"]["domain"]
    (2, 'x > 0')
    """
    order = topological_order(root)
    ops = dict.fromkeys(node.op for node in order if node.op)
    missing = [op for op in ops if op not in GATES or GATES[op].js is None]
    if missing:
        raise ValueError(
            f"{who}(interactive=True): gate {', '.join(map(repr, missing))} has no JavaScript twin (Gate.js), "
            "so the page cannot recompute it; give its row js=JsTwin(forward, local_grads) or pass interactive=False"
        )
    lang = data.get("lang", "en")
    word = text("data", lang)
    parts, at = [], 0
    for i, group in sorted(value_groups(svg, data).items(), key=lambda item: item[1].start()):
        parts += [svg[at:group.start()], _mark_cells(group.group(0), word, fmt(order[i].data))]
        at = group.end()
    svg = "".join(parts) + svg[at:]
    marked = svg.count('<text class="dv"')
    if marked != len(order):
        raise RuntimeError(
            f"{who}(interactive=True): found the data cell of {marked} of {len(order)} value nodes in the drawing; "
            "the page could not show new values, so none is written"
        )
    keys = ("caption forward", "caption forward data", "caption forward start", "caption step", "caption upstream",
            "caption contribution", "caption rule", "output of", "constant", "the output", "whatif title",
            "whatif hint", "whatif reset", "whatif error", "whatif error title", "whatif invalid", "data")
    extra = {
        "c": [node.const for node in order],
        "symbols": [gate_symbol(node) if node.op else "" for node in order],
        "gates": {op: {"called": gate_called(GATES[op], lang), "rule": gate_rule(GATES[op], lang),
                       "domain": GATES[op].domain, "constant": GATES[op].takes_constant} for op in ops},
        "text": {key: text(key, lang) for key in keys},
    }
    script = f"gategraph.provide(\"twins\", {twins_script()});\n{assets.code('whatif.js')}"  # twins, then the engine
    return svg, data, Addon("whatif", assets.code("whatif.css"), extra, script)
