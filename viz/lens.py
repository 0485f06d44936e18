"""Lenses on a diagram: a gradient check of every leaf, and a health lens for what silently stops learning."""

from __future__ import annotations

import numbers
from typing import Any, Mapping, Optional

from autograd import Value, check_leaves
from autograd.check import GRAPH_EPS
from autograd.health import (
    EXPLODING_ABOVE, SATURATED_BELOW, VANISHING_BELOW, is_dead_relu, node_health, saturation,
)

from .dot import FILL, INK, Mark, _word, fit_cjk, fmt, layer_of, role
from .i18n import text

__all__ = ["LENSES", "CHECK_RTOL", "MISMATCH", "KINK", "HEALTH_FILL", "check_marks", "health_marks",
           "check_health", "group_health_marks", "dead_fill", "lens_legend"]

#: What ``draw_graph(lens=...)`` may be besides None.
LENSES = ("health",)
#: Largest relative error a checked leaf passes with (as ``autograd.gradcheck``'s default rtol).
CHECK_RTOL = 1e-5
#: Fill and outline of a leaf whose gradients disagree, and of one at a kink (not judged).
MISMATCH = ("#fecaca", "#dc2626")
KINK = ("#ede9fe", "#7c3aed")
#: Fill per health mark (one per ``autograd.health.HEALTH_MARKS``), most serious first.
# Light enough that the gradients (viz.dot.GRAD) and this lens's words on them keep WCAG AA
# contrast (>= 4.5 : 1).
HEALTH_FILL = {
    "dead": "#fecaca",  # red: nothing below learns from this point
    "saturated": "#ddd6fe",  # violet
    "exploding": "#fbcfe8",  # pink
    "vanishing": "#cffafe",  # cyan
}
_HEALTH_INK = "#991b1b"
_SMALL = '<font point-size="9">{}</font>'


def check_marks(root: Value, lang: str = "en") -> dict[Value, Mark]:
    """A :class:`viz.dot.Mark` for every leaf: analytic and numeric gradient and their relative error.

    The numbers come from :func:`autograd.check_leaves` (the recorded graph re-run with the leaf
    nudged ± h, nothing rebuilt). A mismatch is red; a kink (or a leaf with no step inside the
    gates' domains) is violet and says "not judged"; a passing leaf keeps its role's fill.
    """
    marks = {}
    for c in check_leaves(root, eps=GRAPH_EPS, rtol=CHECK_RTOL):
        parts = [f"{_word('analytic', lang)} {fmt(c.analytic)}"]
        if c.numeric is not None:
            parts.append(f"{_word('numeric', lang)} {fmt(c.numeric)}")
            parts.append(f"{_word('rel error', lang)} {c.rel_error:.1e}")
        if c.verdict == "ok":
            fill, border, verdict = None, INK, _word("check ok", lang)
        elif c.verdict == "mismatch":
            (fill, border), verdict = MISMATCH, f"<b>{_word('check mismatch', lang)}</b>"
        else:
            (fill, border), verdict = KINK, _word("check kink" if c.verdict == "kink" else "check no step", lang)
        note = _SMALL.format(" · ".join([*parts, verdict]))
        marks[c.leaf] = Mark(fill or FILL[role(c.leaf, root)], border, note)
    return marks


def health_marks(root: Value, lang: str = "en") -> dict[Value, Mark]:
    """A :class:`viz.dot.Mark` for every node :func:`autograd.health.node_health` flags.

    The fill is that of its most serious mark (dead, saturated, exploding, vanishing); the
    words list them all; a dead relu's gate circle is filled red too.
    """
    marks = {}
    for node, found in node_health(root).items():
        words = []
        for mark in found:
            if mark == "saturated":
                words.append(fit_cjk(text("saturated", lang, local=fmt(saturation(node) or 0.0))))
            else:
                words.append(_word(mark, lang))
        marks[node] = Mark(HEALTH_FILL[found[0]], _HEALTH_INK,
                           _SMALL.format(f'<font color="{_HEALTH_INK}">{" · ".join(words)}</font>'),
                           gate_fill=HEALTH_FILL["dead"] if "dead" in found else None)
    return marks


def check_health(who: str, health: Any) -> dict[str, tuple[float, float]]:
    """``health`` as ``{neuron id: (dead share, saturated share)}``, or an error naming ``health``.

    Plain data is expected (``nn.health`` gives it, and viz never imports nn): a mapping from a
    neuron id such as ``"L1.N3"`` to a pair of shares in [0, 1].

    >>> check_health("draw_graph", {"L1.N0": (0.25, 0.0)})
    {'L1.N0': (0.25, 0.0)}
    >>> check_health("draw_graph", {"L1.N0": 0.25})
    Traceback (most recent call last):
    ...
    TypeError: draw_graph: health must map each neuron id to a pair (dead share, saturated share), e.g. nn.health(model, X); health['L1.N0'] is float
    """
    if not isinstance(health, Mapping):
        raise TypeError(f"{who}: health must be a mapping neuron id → (dead share, saturated share), such as "
                        f"nn.health(model, X); got {type(health).__name__}")
    out = {}
    for key, shares in health.items():
        if not isinstance(key, str):
            raise TypeError(f"{who}: health's keys must be neuron ids such as 'L1.N3', got {type(key).__name__}: {key!r:.40}")
        if isinstance(shares, (str, bytes, Mapping)) or not hasattr(shares, "__len__") or len(shares) != 2:
            raise TypeError(f"{who}: health must map each neuron id to a pair (dead share, saturated share), "
                            f"e.g. nn.health(model, X); health[{key!r}] is {type(shares).__name__}")
        pair = []
        for what, share in zip(("dead", "saturated"), shares):
            if isinstance(share, bool) or not isinstance(share, numbers.Real) or not 0.0 <= float(share) <= 1.0:
                raise ValueError(f"{who}: health[{key!r}]: the {what} share must be a number in [0, 1], got {share!r:.40}")
            pair.append(float(share))
        out[key] = (pair[0], pair[1])
    return out


def health_from_graph(groups: Mapping[str, list[Value]]) -> dict[str, tuple[float, float]]:
    """Each neuron's shares on the one data point the graph holds: 1.0 where its activation is
    dead (or saturated), else 0.0."""
    out = {}
    for key, members in groups.items():
        dead = any(is_dead_relu(m) for m in members)
        saturated = any((s := saturation(m)) is not None and s < SATURATED_BELOW for m in members)
        out[key] = (float(dead), float(saturated))
    return out


def dead_fill(share: float) -> str:
    """White at 0, red (the dead fill, light enough for the gradients on it) at 1, linear in
    between, as an RGB hex colour.

    >>> dead_fill(0.0), dead_fill(1.0), dead_fill(0.5)
    ('#ffffff', '#fecaca', '#fee4e4')
    """
    red = (0xFE, 0xCA, 0xCA)
    return "#" + "".join(f"{round(255 + (c - 255) * share):02x}" for c in red)


def group_health_marks(groups: Mapping[str, list[Value]], level: str, health: Optional[Any], who: str,
                       lang: str = "en") -> dict[str, Mark]:
    """A mark per collapsed group: filled by its dead share, with both shares in words.

    ``health`` is a report (:func:`check_health`) or None for the graph's own data point. A
    layer (``level="layer"``) gets the mean of its neurons' shares.
    """
    shares = health_from_graph(groups) if health is None else check_health(who, health)
    if health is not None and shares and not any(_group_of(key, level) in groups for key in shares):
        raise ValueError(f"{who}: health has no entry for any neuron of this graph (it has "
                         f"{', '.join(list(shares)[:3])}…; the graph has {', '.join(list(groups)[:3])}…)")
    per_group: dict[str, list[tuple[float, float]]] = {}
    for key, pair in shares.items():
        per_group.setdefault(_group_of(key, level), []).append(pair)
    marks = {}
    for key in groups:
        if key not in per_group:
            continue
        pairs = per_group[key]
        dead = sum(p[0] for p in pairs) / len(pairs)
        sat = sum(p[1] for p in pairs) / len(pairs)
        words = f"{_word('dead share', lang)} {dead:.0%} · {_word('saturated share', lang)} {sat:.0%}"
        marks[key] = Mark(dead_fill(dead), _HEALTH_INK if dead > 0 else INK,
                          _SMALL.format(f'<font color="{_HEALTH_INK}">{words}</font>'))
    return marks


def _group_of(neuron: str, level: str) -> str:
    return neuron if level == "neuron" else layer_of(neuron)


def _num(x: float) -> str:
    """A threshold as a legend prints it: ``1e-8``, ``1e8``, ``0.01``."""
    return f"{x:g}".replace("e-0", "e-").replace("e+0", "e").replace("e+", "e")


def lens_legend(kind: str, lang: str) -> str:
    """The legend line of a lens: ``"check"``, ``"health"`` or ``"health collapsed"``.

    >>> lens_legend("health", "en")[-40:]
    "n exploding one (> 1e8 times the root's)"
    """
    if kind == "check":
        return text("check legend", lang, eps=_num(GRAPH_EPS), rtol=_num(CHECK_RTOL))
    if kind == "health":
        return text("health legend", lang, sat=_num(SATURATED_BELOW), vanish=_num(VANISHING_BELOW),
                    explode=_num(EXPLODING_ABOVE))
    return text("health legend collapsed", lang, sat=_num(SATURATED_BELOW))

