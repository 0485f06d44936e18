"""The gradient-check toggle of the stepper page: each leaf's analytic and numeric gradient, their relative error, outlined by verdict."""

from __future__ import annotations

from typing import Any, Iterable, Optional

from autograd import Step, Value, check_leaves, topological_order
from autograd.check import GRAPH_EPS

from . import assets
from .dot import fmt
from .html import Addon
from .i18n import text
from .lens import CHECK_RTOL, KINK, MISMATCH, _num

__all__ = ["CHECK_OK", "check_addon", "check_data", "pass_grads"]

#: Outline of a leaf whose analytic and numeric gradients agree.
CHECK_OK = "#16a34a"


def pass_grads(steps: Iterable[Step]) -> dict[Value, float]:
    """Each node's gradient from these backward ``steps`` alone, summed in the engine's order (the
    floats ``backward()`` gives fresh leaves), whatever its ``grad`` held before.

    >>> from autograd import backward_steps
    >>> x = Value(3.0, "x")
    >>> f = x * x
    >>> f.backward()  # an earlier pass: x.grad is 6, and the next one adds 6 more
    >>> pass_grads(list(backward_steps(f)))[x], x.grad
    (6.0, 12.0)
    """
    grads: dict[Value, float] = {}
    for step in steps:
        for parent, contribution in zip(step.parents, step.contributions):
            grads[parent] = grads.get(parent, 0.0) + contribution
    return grads


def check_data(root: Value, lang: str = "en", steps: Optional[Iterable[Step]] = None) -> dict[str, Any]:
    """The page's gradient-check data: one row per leaf, from :func:`autograd.check_leaves`.

    With ``steps`` (the page's backward pass) each leaf's analytic gradient is that pass's
    (:func:`pass_grads`), so a page of a root whose leaves kept an earlier pass's gradients (a
    second page of one graph) checks what it shows; without, each leaf's ``grad`` is read as it
    is (leaves accumulate, so a second backward shows as a mismatch, as in
    :func:`autograd.check_leaves`). ``leaves[k] = {"n": node index in the page's data (topological order), "label", "verdict"
    ("ok", "mismatch", "kink" or "no step"), "analytic", "numeric" and "rel" (floats; the last
    two None where no step was taken), "shown": [analytic, numeric, rel error, verdict] as the
    panel prints them (4 significant digits, as :func:`viz.dot.fmt`)}``; ``text``: the panel's
    words in ``lang``.

    >>> a, b = Value(3.0, "a"), Value(4.0, "b")
    >>> f = a * b
    >>> f.backward()
    >>> [(leaf["label"], leaf["shown"][:2], leaf["verdict"]) for leaf in check_data(f)["leaves"]]
    [('a', ['4', '4'], 'ok'), ('b', ['3', '3'], 'ok')]
    """
    order = topological_order(root)
    index = {node: i for i, node in enumerate(order)}
    leaves = []
    for c in _checked(root, order, None if steps is None else pass_grads(steps)):
        verdict = {"ok": "check ok", "mismatch": "check mismatch", "kink": "check kink"}.get(c.verdict, "check no step")
        leaves.append({
            "n": index[c.leaf],
            "label": c.leaf.label or text("constant", lang, value=fmt(c.leaf.data)),  # an unnamed constant
            "verdict": c.verdict,
            "analytic": c.analytic,
            "numeric": c.numeric,
            "rel": c.rel_error,
            "shown": [fmt(c.analytic), "–" if c.numeric is None else fmt(c.numeric),
                      "–" if c.rel_error is None else f"{c.rel_error:.1e}", text(verdict, lang)],
        })
    words = {key: text(key, lang) for key in ("check toggle", "check leaf", "analytic", "numeric", "rel error",
                                               "check verdict", "check stale")}
    words["legend"] = text("check page legend", lang, eps=_num(GRAPH_EPS), rtol=_num(CHECK_RTOL))
    return {"leaves": leaves, "text": words}


def _checked(root: Value, order: list[Value], grads: Optional[dict[Value, float]]) -> list[Any]:
    """check_leaves with each leaf's grad set to ``grads`` (this pass's) for the call, then restored."""
    if grads is None:
        return check_leaves(root, eps=GRAPH_EPS, rtol=CHECK_RTOL)
    leaves = [node for node in order if not node.op and node is not root]
    kept = [leaf.grad for leaf in leaves]
    try:
        for leaf in leaves:
            leaf.grad = grads.get(leaf, 0.0)
        return check_leaves(root, eps=GRAPH_EPS, rtol=CHECK_RTOL)
    finally:
        for leaf, grad in zip(leaves, kept):
            leaf.grad = grad


def check_addon(root: Value, lang: str = "en", steps: Optional[Iterable[Step]] = None) -> Addon:
    """The toggle's :class:`viz.html.Addon`: a button under the caption panel that shows or hides
    the table of :func:`check_data` and the leaves' outlines (red: mismatch; violet: not judged;
    green: ok), of the backward pass ``steps`` if given (see :func:`check_data`). On a what-if page, an edited input makes the check stale: the button is disabled
    and says why until the inputs are reset.

    >>> f = Value(2.0, "x").log()
    >>> f.backward()
    >>> addon = check_addon(f)
    >>> addon.name, addon.data["leaves"][0]["verdict"], 'id="check-toggle"' in addon.body
    ('check', 'ok', True)
    """
    data = check_data(root, lang, steps)
    body = ('<div class="gg-check"><button id="check-toggle" type="button" aria-pressed="false" '
            'aria-controls="check-panel"></button><p class="check-stale" hidden></p>'
            '<div id="check-panel" hidden></div></div>\n')
    style = assets.style("checkpanel.css", BAD=MISMATCH[1], BADFILL=MISMATCH[0], KINK=KINK[1], KINKFILL=KINK[0],
                         OK=CHECK_OK)
    return Addon("check", style, data, assets.code("checkpanel.js"), body)
