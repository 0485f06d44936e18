"""Worksheets (a stepper page whose gradient cells the learner fills in), their answer keys, and the exercise checker's page."""

from __future__ import annotations

import html
import math
import os
import random
import re
from pathlib import Path
from typing import Any, Optional, Sequence, TypeVar

from autograd import GATES, Step, Value, backward_steps, topological_order

from . import assets, expr
from ._files import write_atomic
from .dot import DEFAULT_MAX_NODES, check_size, fmt
from .frames import gate_called, name_of
from .html import Addon, Stepper, _check_suffix, _style, fill_cells, json_for_script, page_data, page_head, stepper_html
from .i18n import check_lang, gate_rule, text

__all__ = ["ABS_TOL", "REL_TOL", "exercise_page", "expression_variants", "random_expression", "worksheet",
           "worksheet_class"]

PathT = TypeVar("PathT", str, os.PathLike)

#: An answer ``a`` to a gradient ``g`` is right when ``|a − g| ≤ REL_TOL·|g| + ABS_TOL``: four
#: significant digits (what the drawing prints) pass, and 0 passes for a gradient that is 0 up
#: to rounding.
REL_TOL, ABS_TOL = 1e-3, 1e-9

#: How the expression language writes the gate rows that are operators (the others are written
#: as calls, by their row's name, when :data:`viz.expr.FUNCTIONS` knows it). A row written in
#: neither way (a learner's own gate) is never drawn into a random expression.
OPERATOR_SYNTAX = {"add": "+", "mul": "*", "pow": "**"}

#: The numbers a variant's variables are drawn from: small, exact in decimal, never 0 (no
#: division by zero); numbers that put a piecewise row at its kink (max at a tie) are redrawn.
NUMBERS = (-3.0, -2.0, -1.5, -1.0, -0.5, 0.5, 1.0, 1.5, 2.0, 3.0)

#: Most variants of one worksheet (two-digit file numbers).
MAX_VARIANTS = 99

_SVG_ID = re.compile(r'\sid="')

def _d(out: str, node: str) -> str:
    """``∂out/∂node``, with a name of several words in parentheses: ∂f/∂(x + y).

    >>> _d("f", "x + y")
    '∂f/∂(x + y)'
    """
    return text("ws answer label", "en", out=_paren(out), node=_paren(node))


def _gradients(root: Value, steps: Sequence[Step]) -> dict[Value, float]:
    """∂root/∂node for every node, from the steps of one backward pass (the graph's ``grad``
    fields may hold an earlier pass too): 1 at the root, then the contributions added up."""
    grads = {node: 0.0 for node in topological_order(root)}
    grads[root] = 1.0
    for step in steps:
        for parent, contribution in zip(step.parents, step.contributions):
            grads[parent] += contribution
    return grads


class _Sheet:
    """One worksheet's drawing, frames without numbers, its cells and their answers."""

    def __init__(self, root: Value, lang: str, who: str, max_nodes: Optional[int]) -> None:
        if not isinstance(root, Value):
            raise TypeError(f"{who} needs an autograd.Value, got {type(root).__name__}")
        check_size(root, max_nodes, who)
        order = topological_order(root)
        if not any(node.op for node in order):
            raise ValueError(f"{who}: {name_of(root)!r} is a lone value with no gate: there is no gradient to work out")
        saved = {node: node.grad for node in order}
        try:
            steps = list(backward_steps(root))
            svg, data = page_data(root, steps, lang)
        finally:  # the worksheet runs a backward pass; the learner's graph keeps its gradients
            for node, grad in saved.items():
                node.grad = grad
        self.root, self.order, self.steps, self.svg, self.lang = root, order, steps, svg, lang
        self.grads = _gradients(root, steps)
        self.out = root.label or "out"
        self.names = [name_of(node, lang) for node in order]
        data["frames"] = self._frames(data["frames"])
        self.data = data

    def _frames(self, frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The stepper's frames with every number the learner is to find taken out: no cell
        updates, and captions that say what to multiply, not what it comes to."""
        lang, out = self.lang, self.out
        head = text("ws caption forward", lang, name=self.root.label or text("the output", lang), value=fmt(self.root.data))
        blank = [{"a": None, "s": [], "t": [], "c": [head, [text("ws caption forward data", lang),
                                                           text("ws caption forward start", lang, out=out)], ""]}]
        total = len(self.steps)
        for frame, step in zip(frames[1:], self.steps):
            node = name_of(step.node, lang)
            lines = [text("ws caption upstream", lang, out=out, node=_paren(node))]
            for parent in step.parents:
                lines.append(text("ws caption contribution", lang, out=out, node=_paren(node),
                                  parent=name_of(parent, lang), dparent=_paren(name_of(parent, lang)),
                                  data=fmt(parent.data)))
            caption = [text("caption step", lang, index=step.index + 1, total=total,
                            called=gate_called(step.gate, lang), node=node, value=fmt(step.node.data)),
                       lines, text("caption rule", lang, rule=gate_rule(step.gate, lang))]
            blank.append({"a": frame["a"], "s": [], "t": frame["t"], "c": caption})
        return blank

    def cells(self) -> list[dict[str, Any]]:
        """Each gradient cell, output first: its node index, name, answer and its uses
        (``[child index, local gradient text, ∂child/∂node, the gate as a caption calls it, its
        rule in words]`` for each gate the node feeds)."""
        index = {node: i for i, node in enumerate(self.order)}
        uses: dict[Value, list[list[Any]]] = {node: [] for node in self.order}
        for step in self.steps:
            child = index[step.node]
            for parent, local in zip(step.parents, step.local_grads):
                uses[parent].append([child, fmt(local), _d(self.names[child], self.names[index[parent]]),
                                     gate_called(step.gate, self.lang), gate_rule(step.gate, self.lang)])
        cells = []
        for node in reversed(self.order):
            i = index[node]
            answer = self.grads[node]
            cells.append({"i": i, "name": _paren(self.names[i]), "d": _d(self.out, self.names[i]),
                          "answer": answer, "shown": fmt(answer), "uses": uses[node]})
        return cells

    def filled_svg(self, prefix: str) -> str:
        """The drawing with every gradient cell filled in (for the key), its ids made unique by ``prefix``."""
        filled = fill_cells(self.svg, [fmt(self.grads[node]) for node in self.order])
        return _SVG_ID.sub(f' id="{prefix}-', filled)


def _paren(name: str) -> str:
    return f"({name})" if " " in name else name


def _worksheet_html(sheet: _Sheet, title: str) -> str:
    lang, out = sheet.lang, sheet.out
    cells = sheet.cells()
    rows = "".join(
        f'<tr><th><label for="ws-in-{c["i"]}">{html.escape(c["d"])}</label><br>'
        f'<small>{html.escape(text("data", lang))} {html.escape(fmt(sheet.order[c["i"]].data))}</small></th>'
        f'<td><input id="ws-in-{c["i"]}" type="text" inputmode="decimal" autocomplete="off" spellcheck="false"></td>'
        f'<td id="ws-v-{c["i"]}" aria-live="polite"></td></tr>'
        for c in cells
    )
    # the heading and the score share a line, the instructions are one short paragraph: the
    # script moves this section into the viewport, where the first box must show at 800×600
    body = (f'<style>{assets.code("worksheet.css")}</style>\n<section class="panel ws" id="ws">\n'
            f'<h2>{html.escape(text("ws heading", lang))} '
            f'<span id="ws-score" aria-live="polite">{html.escape(text("ws score", lang, right=0, n=len(cells)))}</span></h2>\n'
            f'<p class="ws-how">{html.escape(text("ws instructions", lang, out=out))}</p>\n'
            f'<table>{rows}</table>\n</section>\n')
    say = {"score": text("ws score", lang, right="{right}", n="{n}"), "right": text("ws right", lang),
           "notNumber": text("ws not a number", lang),
           "wrong": text("ws wrong", lang, out=out, node="{node}"),
           "wrongRoot": text("ws wrong root", lang, out=out, node="{node}"),
           "use": text("ws use", lang, upstream="{upstream}", local="{local}", up="{up}", lo="{lo}"),
           "usePending": text("ws use pending", lang, upstream="{upstream}", local="{local}", lo="{lo}"),
           "rule": text("ws hint rule", lang, gate="{gate}", node="{node}", rule="{rule}"),
           "again": text("ws hint again", lang), "answer": text("ws hint answer", lang, answer="{answer}")}
    ws = {"mode": "worksheet", "rel": REL_TOL, "abs": ABS_TOL, "pending": sheet.data["pending"],
          "cells": [{k: c[k] for k in ("i", "name", "answer", "shown", "uses")} | {"d": c["d"]} for c in cells],
          "text": say}
    body += f'<script type="application/json" id="ws-data">{json_for_script(ws)}</script>\n'
    return stepper_html(sheet.svg, sheet.data, title, Addon("ws", script=assets.code("worksheet.js"), body=body))


def _bindings_text(root: Value) -> str:
    leaves = [n for n in topological_order(root) if not n.op and n.label]
    return ", ".join(f"{n.label} = {fmt(n.data)}" for n in leaves)


def _key_html(sheets: Sequence[_Sheet], title: str, numbered: bool) -> str:
    """One static page (no script) with every sheet's drawing filled in and a table of its gradients."""
    lang = sheets[0].lang
    parts = []
    for k, sheet in enumerate(sheets, 1):
        heading = (text("key variant", lang, k=k, bindings=_bindings_text(sheet.root)) if numbered
                   else _bindings_text(sheet.root))
        rows = "".join(
            f"<tr><td>{html.escape(sheet.names[i])}</td><td>{html.escape(fmt(node.data))}</td>"
            f"<td>{html.escape(fmt(sheet.grads[node]))}</td></tr>"
            for i, node in reversed(list(enumerate(sheet.order)))
        )
        parts.append(
            f'<section class="variant" id="variant-{k:02d}"><h2>{html.escape(heading)}</h2>'
            f'<div class="drawing">{sheet.filled_svg(f"v{k:02d}")}</div>'
            f'<table><tr><th>{html.escape(text("key node", lang))}</th><th>{html.escape(text("data", lang))}</th>'
            f'<th>{html.escape(_d(sheet.out, text("key node", lang)))}</th></tr>{rows}</table></section>'
        )
    name = html.escape(title)
    key = html.escape(text("key title", lang))
    style = (_style() + ".variant { background: white; border: 1px solid #e5e7eb; border-radius: .5rem; "
             "padding: .5rem 1rem; margin-bottom: 1rem; break-inside: avoid; }\n.variant h2 { font-size: 1.05rem; }\n"
             ".drawing svg { display: block; width: 100%; max-height: 22rem; }\n"
             "table { border-collapse: collapse; } td, th { padding: .15rem .8rem; border-top: 1px solid #e5e7eb; "
             "text-align: right; font-variant-numeric: tabular-nums; } td:first-child, th:first-child { text-align: left; }\n")
    head = page_head(lang, f"gategraph: {key}: {name}", "default-src 'none'; style-src 'unsafe-inline'", style)
    return head + f"""<body>
<h1>{key} <small>{name}</small></h1>
{''.join(parts)}
</body>
</html>
"""


def worksheet(root: Value, path: PathT, *, answers: Optional[PathT] = None, lang: str = "en",
              title: Optional[str] = None, max_nodes: Optional[int] = DEFAULT_MAX_NODES) -> PathT:
    """Write a worksheet: the stepper page of ``root`` with every gradient cell left for the learner.

    The page shows the graph with its forward values, steps through the gates in backward
    order (captions say what to multiply, never what it comes to) and has one box per node,
    output first. The learner types ∂root/∂node and presses Enter; the page says right (the
    cell in the drawing turns green and shows the number) when ``|typed − answer| ≤
    REL_TOL·|answer| + ABS_TOL`` (4 significant digits), else a hint that escalates with each
    wrong answer to that box: first the rule of each gate the node feeds, in words; then the
    numbers, upstream × local (the upstream's number once the learner has it right, the local
    gradient's number always); then the answer. What is typed is read by a strict decimal pattern and
    ``Number()``, never evaluated; anything else is refused with a message.

    The answers are in the page's data (a page that checks offline must carry them): a learner
    who reads the page source finds them. A worksheet is for practice, not for an exam — a
    hash would not hide 4-digit numbers either (there are few enough to try them all).

    Like :func:`viz.save_html` the page is self-contained and offline, under a strict CSP
    (only its two scripts, pinned by hash, run), with every label escaped. The graph's
    ``grad`` fields are left as they were.

    Args:
        root: the output Value.
        path: the worksheet, ``.html``/``.htm`` (written whole or not at all).
        answers: where to write the answer key (a static page with every gradient filled in), or None.
        lang: ``"en"`` or ``"zh"``.
        title: the page's title (default: ``root``'s label).
        max_nodes: refuse a graph with more value nodes than this (None: no limit).

    Returns:
        ``path``, as given.

    Raises:
        TypeError: ``root`` is not a Value.
        ValueError: a wrong suffix, an unknown ``lang``, a graph with no gate or over ``max_nodes``.

    >>> import tempfile
    >>> x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    >>> folder = Path(tempfile.mkdtemp())
    >>> page = worksheet((x + y) * z, folder / "ws.html", answers=folder / "key.html")
    >>> "ws-in-" in page.read_text(encoding="utf-8"), x.grad
    (True, 0.0)
    """
    lang = check_lang("worksheet", lang)
    _check_suffix(path, "worksheet")
    if answers is not None:
        _check_suffix(answers, "worksheet answers")
    sheet = _Sheet(root, lang, "worksheet", max_nodes)
    name = root.label if title is None else title
    page = _worksheet_html(sheet, name)
    key = _key_html([sheet], name, numbered=False) if answers is not None else None
    write_atomic(path, page)
    if key is not None:
        write_atomic(answers, key)
    return path


def variant_path(path: PathT, k: int) -> Path:
    """The file of variant ``k`` of a class set written at ``path``: ``ws.html`` -> ``ws-07.html``.

    >>> variant_path("out/ws.html", 7).as_posix()
    'out/ws-07.html'
    """
    target = Path(path)
    return target.with_name(f"{target.stem}-{k:02d}{target.suffix}")


def worksheet_class(roots: Sequence[Value], path: PathT, *, answers: Optional[PathT] = None, lang: str = "en",
                    title: Optional[str] = None, max_nodes: Optional[int] = DEFAULT_MAX_NODES) -> list[Path]:
    """Write one worksheet per root (``ws-01.html``, ``ws-02.html``, … from ``path`` = ``ws.html``)
    and, if ``answers`` is given, ONE answer key with every variant's drawing and gradients.

    Make the roots with :func:`expression_variants` (the same expression, other numbers).

    Returns:
        The worksheets' paths, in order.

    Raises:
        ValueError: no roots or more than :data:`MAX_VARIANTS`, or what :func:`worksheet` refuses.
    """
    lang = check_lang("worksheet_class", lang)
    _check_suffix(path, "worksheet_class")
    if answers is not None:
        _check_suffix(answers, "worksheet_class answers")
    roots = list(roots)
    if not 1 <= len(roots) <= MAX_VARIANTS:
        raise ValueError(f"worksheet_class: needs 1 to {MAX_VARIANTS} roots, got {len(roots)}")
    sheets = [_Sheet(root, lang, "worksheet_class", max_nodes) for root in roots]
    name = roots[0].label if title is None else title
    pages = [(variant_path(path, k), _worksheet_html(sheet, f"{name} · {text('ws title', lang)} {k:02d}"))
             for k, sheet in enumerate(sheets, 1)]
    key = _key_html(sheets, name, numbered=True) if answers is not None else None
    for target, page in pages:
        write_atomic(target, page)
    if key is not None:
        write_atomic(answers, key)
    return [target for target, _ in pages]


# -- expressions for a class --------------------------------------------------------------------
def _writable_gates() -> list[tuple[str, int, str]]:
    """``(how to write it, arity, row name)`` for each row of GATES the expression language can write."""
    out = []
    for name, gate in GATES.items():
        if name in OPERATOR_SYNTAX:
            out.append((OPERATOR_SYNTAX[name], gate.arity, name))
        elif name in expr.FUNCTIONS and expr.FUNCTIONS[name] == gate.arity:
            out.append((name, gate.arity, name))
    return out


def _usable(text_: str, values: dict[str, float]) -> Optional[Value]:
    """The expression's graph at ``values`` if it has finite, moderate gradients there that the
    printed values give to 4 digits, and no piecewise row at its kink; else None."""
    try:
        root = expr.evaluate(expr.parse(text_), values)
        steps = list(backward_steps(root))
        grads = _gradients(root, steps)
        by_hand = _from_shown(root, steps)
    except (ArithmeticError, ValueError):
        return None
    if any(not math.isfinite(g) or abs(g) > 1e4 for g in grads.values()):
        return None
    if any(abs(by_hand[n] - g) > REL_TOL / 2 * abs(g) + ABS_TOL for n, g in grads.items()):
        return None  # the 4 digits the page prints are not enough (tanh near ±1, say)
    for node in topological_order(root):  # at a kink of a piecewise row (max at a tie) the answer is a convention
        parents = [p.data for p in node.parents]
        if node.op and GATES[node.op].branch is not None and (len(set(parents)) < len(parents) or 0.0 in parents):
            return None
    return root


def _from_shown(root: Value, steps: Sequence[Step]) -> dict[Value, float]:
    """The gradients a learner gets by hand from the values as the page prints them (4 significant
    digits): each step's local gradients at the printed numbers, times the upstream, added up."""
    def shown(x: float) -> float:
        return float(fmt(x))

    grads = {node: 0.0 for node in topological_order(root)}
    grads[root] = 1.0
    for step in steps:
        local = step.gate.local_grads_at(shown(step.node.data), [shown(p.data) for p in step.parents], step.node.const)
        for parent, lg in zip(step.parents, local):
            grads[parent] += grads[step.node] * lg
    return grads


def _draw_values(names: Sequence[str], rng: random.Random) -> dict[str, float]:
    return {name: rng.choice(NUMBERS) for name in names}


def random_expression(seed: int) -> tuple[str, dict[str, float]]:
    """A small random expression (2 to 4 gates over a, b, c, drawn from the gate table) and numbers
    at which it has finite gradients; the same ``seed`` gives the same pair.

    >>> random_expression(1) == random_expression(1), len(random_expression(2)[1]) >= 1
    (True, True)
    """
    rng = random.Random(f"gategraph-worksheet-expression:{seed}")
    gates = _writable_gates()
    for _ in range(200):
        names = ["a"]
        text_ = "a"
        for _ in range(rng.randint(2, 4)):
            how, arity, row = rng.choice(gates)
            if row == "pow":  # a constant exponent
                text_ = f"{text_ if text_.isidentifier() else f'({_bare(text_)})'} ** {rng.choice((2, 3))}"
            elif arity == 1:
                text_ = f"{how}({_bare(text_)})"
            else:
                if len(names) < 3 and rng.random() < 0.75:
                    names.append("abc"[len(names)])
                    other = names[-1]
                else:
                    other = rng.choice(names)  # a fork: the same variable feeds two gates
                left, right = (text_, other) if rng.random() < 0.5 else (other, text_)
                text_ = (f"{how}({_bare(left)}, {_bare(right)})" if how.isidentifier()
                         else f"({left} {how} {right})")
        text_ = _bare(text_)
        for _ in range(20):
            values = _draw_values(expr.variables(expr.parse(text_)), rng)
            if _usable(text_, values) is not None:
                return text_, values
    raise RuntimeError(f"random_expression: no usable expression for seed {seed}")  # pragma: no cover


def _bare(text_: str) -> str:
    """``text_`` without parentheses around the whole of it: ``(a + b)`` -> ``a + b``.

    >>> _bare("(a + b)"), _bare("(a + b) * (c + a)")
    ('a + b', '(a + b) * (c + a)')
    """
    if not (text_.startswith("(") and text_.endswith(")")):
        return text_
    depth = 0
    for ch in text_[1:-1]:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            return text_
    return text_[1:-1]


def expression_variants(text_: str, values: dict[str, float], n: int, seed: int = 0) -> list[Value]:
    """``n`` graphs of the expression ``text_``: the first at ``values``, each other one at numbers
    drawn from :data:`NUMBERS` by ``random.Random("gategraph-worksheet:SEED:K")`` (redrawn until
    the gradients are finite and no two variants share their numbers, when there are enough).

    Raises:
        ValueError: ``n`` outside 1..MAX_VARIANTS.
        viz.expr.ExpressionError: a bad expression or bindings.
        ArithmeticError: no finite value or gradient at ``values``.

    >>> [f.data for f in expression_variants("x * y", {"x": 2, "y": 3}, 3, seed=5)][0]
    6.0
    """
    if not 1 <= n <= MAX_VARIANTS:
        raise ValueError(f"expression_variants: n must be 1 to {MAX_VARIANTS}, got {n}")
    tree = expr.parse(text_)
    first = expr.evaluate(tree, values)
    _gradients(first, list(backward_steps(first)))  # raises if no finite gradient there
    names = expr.variables(tree)
    roots, seen = [first], {tuple(values[name] for name in names)}
    for k in range(2, n + 1):
        rng = random.Random(f"gategraph-worksheet:{seed}:{k}")
        chosen = None
        for _ in range(200):
            drawn = _draw_values(names, rng)
            key = tuple(drawn[name] for name in names)
            root = _usable(text_, drawn)
            if root is not None and (key not in seen or len(seen) >= len(NUMBERS) ** len(names)):
                chosen = root
                seen.add(key)
                break
        if chosen is None:
            raise ArithmeticError(f"no numbers from {NUMBERS} give {text_!r:.80} finite gradients (variant {k})")
        roots.append(chosen)
    return roots


# -- the exercise checker's page ----------------------------------------------------------------
def exercise_page(report: Any, path: PathT, *, lang: str = "en",
                  max_nodes: Optional[int] = DEFAULT_MAX_NODES) -> PathT:
    """Write the stepper page of a failed exercise (see :func:`exercise_stepper`) to ``path``.

    >>> import tempfile
    >>> from types import SimpleNamespace
    >>> x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    >>> f = (x + y) * z
    >>> report = SimpleNamespace(ok=False, root=f, step=1, node=y, expected=-4.0, actual=4.0, message="")
    >>> page = exercise_page(report, Path(tempfile.mkdtemp()) / "first-wrong.html")
    >>> "should be -4; your code made it 4" in page.read_text(encoding="utf-8")
    True
    """
    _check_suffix(path, "exercise_page")
    write_atomic(path, exercise_stepper(report, lang=lang, max_nodes=max_nodes, who="exercise_page").html)
    return path


def exercise_stepper(report: Any, *, lang: str = "en", max_nodes: Optional[int] = DEFAULT_MAX_NODES,
                     who: str = "exercise_stepper") -> Stepper:
    """The stepper page of a failed exercise, opened at its first wrong step, that step's
    wrong cell marked in red and a banner with the right number and the learner's.

    In a notebook it shows inline like :func:`viz.stepper` (notebook 07 puts it beside the
    right backward's stepper); :func:`exercise_page` writes it to a file.

    ``report`` is what ``autograd.exercises`` returns (only plain attributes are read):
    ``root`` (the task's graph), ``step`` (index of the first wrong step in
    ``backward_steps(root)``, None: open at the last step), ``node`` (the wrong cell's node in
    ``root``'s graph), ``expected`` and ``actual`` (None when the step went wrong in another
    way, e.g. a gate visited out of order), ``message`` and ``backward_pass``. The page steps
    as any stepper does; the graph's ``grad`` fields are left as they were.

    Raises:
        ValueError: the report is ok or has no graph or node to show (e.g. the learner's code
            raised), or its node is not in its graph; a wrong ``lang`` (or, for
            :func:`exercise_page`, a wrong suffix).
    """
    lang = check_lang(who, lang)
    root, node, step = getattr(report, "root", None), getattr(report, "node", None), getattr(report, "step", None)
    if getattr(report, "ok", False):
        raise ValueError(f"{who}: the report is ok: there is no wrong step to show")
    if not isinstance(root, Value) or not isinstance(node, Value):
        raise ValueError(
            f"{who}: the report has no graph (root) or no wrong node to show "
            f"(root={type(root).__name__}, node={type(node).__name__}); print the report instead"
        )
    check_size(root, max_nodes, who)
    order = topological_order(root)
    if not any(node is n for n in order):
        raise ValueError(f"{who}: the report's node {name_of(node)!r} is not in its root's graph")
    saved = {n: n.grad for n in order}
    try:
        steps = list(backward_steps(root))
        svg, data = page_data(root, steps, lang)
    finally:
        for n, grad in saved.items():
            n.grad = grad
    if step is not None and not (isinstance(step, int) and 0 <= step < len(steps)):
        raise ValueError(f"{who}: the report's step must be 0 to {len(steps) - 1}, got {step!r}")
    start = len(steps) if step is None else step + 1  # frame 0 is the forward pass
    index = next(i for i, n in enumerate(order) if n is node)
    out = root.label or "out"
    expected, actual = getattr(report, "expected", None), getattr(report, "actual", None)
    lines = [text("exercise wrong", lang, out=out, node=_paren(name_of(node, lang)), expected=fmt(expected),
                  actual=fmt(actual)) if expected is not None and actual is not None
             else text("exercise wrong here", lang, node=name_of(node, lang))]
    if getattr(report, "backward_pass", 1) > 1:
        lines[0] += " " + text("exercise pass", lang, n=report.backward_pass)
    message = getattr(report, "message", "")
    if message:
        lines.append(text("exercise checker", lang, message=message))
    banner = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    ws = {"mode": "exercise", "start": start, "i": index, "text": {}}
    body = (f'<style>{assets.code("worksheet.css")}</style>\n<div id="ws-banner" role="alert">{banner}</div>\n'
            f'<script type="application/json" id="ws-data">{json_for_script(ws)}</script>\n')
    title = getattr(report, "title", "") or root.label
    # its animation (in a notebook) plays the right pass up to the first wrong step, and holds there
    return Stepper(stepper_html(svg, data, title, Addon("ws", script=assets.code("worksheet.js"), body=body)),
                   len(data["frames"]), lang, drawing=(svg, data), name=root.label, last=start)
