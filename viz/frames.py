"""The backward pass as a film: one diagram per step of autograd.backward_steps, and its captions in words."""

from __future__ import annotations

from typing import Iterable, Iterator, Optional

from autograd import Gate, Step, Value, backward_steps, topological_order

from .dot import DEFAULT_MAX_NODES, add_key, build_graph, check_size, fmt, gate_symbol
from .backend import Diagram
from .i18n import check_lang, gate_rule, text

__all__ = ["backprop_frames", "MAX_STEPS"]

#: Most backward steps (gates) a film is made of: each step is one full diagram.
MAX_STEPS = 100

#: What a gradient not yet computed shows.
PENDING = "?"

#: A caption: its title line, one line per fact, and the gate's rule ("" for the forward frame).
Caption = tuple[str, list[str], str]


def name_of(node: Value, lang: str = "en") -> str:
    """How words refer to a node: its label; else what a network or a loss says it is (its
    ``part``: "L2.N3's relu", "the margin"); else "the × output" / "× 的输出", or "the constant 3".

    >>> name_of(Value(2.0) * 3), name_of(Value(2.0) * 3, "zh"), name_of(Value(3.0), "zh")
    ('the × output', '× 的输出', '常数 3')
    >>> from autograd import origin
    >>> with origin("L2.N3", {"max": "relu"}):
    ...     h = Value(0.5).relu()
    >>> name_of(h), name_of(h, "zh")
    ("L2.N3's relu", 'L2.N3 的 relu')
    """
    if node.label:
        return node.label
    if node.part is not None:
        if node.origin:
            return text("part of", lang, origin=node.origin, part=node.part)
        return text("the part", lang, part=node.part)
    if node.op:
        return text("output of", lang, symbol=gate_symbol(node))
    return text("constant", lang, value=fmt(node.data))


def _is_relu(step: Step) -> bool:
    """Whether a step's gate is a relu: max(0, x), the max gate with a constant 0 first."""
    zero = step.parents[0]
    return step.gate.name == "max" and len(step.parents) == 2 and not zero.op and zero.role == "constant" \
        and zero.data == 0.0


def relu_line(step: Step, lang: str = "en") -> str:
    """What a relu does with the upstream gradient, in words: passes it to its input if > 0, else nothing.

    >>> from autograd import backward_steps, origin
    >>> x = Value(-0.3, "x")
    >>> with origin("L2.N3", {"add": "sum", "max": "relu"}):
    ...     h = (x + 1.0).relu()
    >>> steps = list(backward_steps(h * -0.3))  # the × gate first, then the relu
    >>> relu_line(steps[1])
    "L2.N3's relu passes the upstream gradient -0.3 to its pre-activation because it is > 0"
    """
    node, pre = step.node, step.parents[1]
    own = node.origin is not None and pre.origin == node.origin and pre.op
    where = text("its pre-activation", lang) if own else name_of(pre, lang)
    if pre.data > 0.0:
        return text("caption relu pass", lang, node=name_of(node, lang), upstream=fmt(step.upstream), input=where)
    return text("caption relu block", lang, node=name_of(node, lang), input=where, data=fmt(pre.data))


def gate_called(gate: Gate, lang: str = "en") -> str:
    """A gate as a caption names it: "mul gate", "+ gate (add)"; in Chinese, the name its row's rule uses.

    >>> from autograd import GATES
    >>> gate_called(GATES["add"]), gate_called(GATES["exp"]), gate_called(GATES["add"], "zh")
    ('+ gate (add)', 'exp gate', '加法门单元')
    """
    if lang == "zh" and "门单元" in gate.rule_zh:
        return gate.rule_zh[: gate.rule_zh.index("门单元") + 3].strip()
    key = "gate called" if gate.symbol == gate.name else "gate called symbol"
    return text(key, lang, name=gate.name, symbol=gate.symbol)


def forward_caption(root: Value, lang: str = "en") -> Caption:
    """The first frame in words (no rule: no gate has been visited yet)."""
    out = root.label or "out"
    name = name_of(root, lang) if root.label or root.part is not None else text("the output", lang)
    head = text("caption forward", lang, name=name, value=fmt(root.data))
    return head, [text("caption forward data", lang), text("caption forward start", lang, out=out)], ""


def step_caption(step: Step, total: int, so_far: dict[Value, float], lang: str = "en") -> Caption:
    """One backward step in words: for each input, upstream × local = contribution, and the rule."""
    node = step.node
    head = text("caption step", lang, index=step.index + 1, total=total, called=gate_called(step.gate, lang),
                node=name_of(node, lang), value=fmt(node.data))
    lines = [text("caption upstream", lang, upstream=fmt(step.upstream))]
    if _is_relu(step):
        lines.append(relu_line(step, lang))
    for parent, local, contribution in zip(step.parents, step.local_grads, step.contributions):
        lines.append(text("caption contribution", lang, parent=name_of(parent, lang), data=fmt(parent.data),
                          upstream=fmt(step.upstream), local=fmt(local), contribution=fmt(contribution),
                          total=fmt(so_far[parent])))
    return head, lines, text("caption rule", lang, rule=gate_rule(step.gate, lang))


#: A group's caption lists each gate that sends gradients out of the group (to an input or a
#: parameter) up to this many; past it, a count and the largest.
MAX_GATE_LINES = 24


def _called(node: Value, members: set[Value], lang: str) -> str:
    """A node in a group's caption: its label, or a neuron's output by the neuron ("L1.N2"), or :func:`name_of`."""
    if not node.label and node.origin:
        return node.origin if node not in members else text("output of group", lang, name=node.origin)
    return name_of(node, lang)


def _part(step: Step, k: int, so_far: dict[Value, float], members: set[Value], lang: str) -> str:
    outside = step.parents[k] not in members
    part = text("caption part", lang, parent=_called(step.parents[k], members, lang), data=fmt(step.parents[k].data),
                upstream=fmt(step.upstream), local=fmt(step.local_grads[k]), contribution=fmt(step.contributions[k]))
    return text("caption part total", lang, part=part, total=fmt(so_far[step.parents[k]])) if outside else part


def group_caption(key: str, level: str, steps: list[Step], index: int, total: int,
                  so_far: dict[Value, float], members: set[Value], lang: str = "en") -> Caption:
    """A collapsed group's backward steps (a neuron's or a layer's), all at once, in words.

    The upstream gradient at each output, through the activation's local derivative to the
    pre-activation, the + gates passing it on, then for each gate that sends gradients out of
    the group (to an input, a weight, a bias): upstream × local = contribution, with the
    numbers; ``so_far`` must hold the gradients after these steps.
    """
    by_node = {step.node: step for step in steps}
    head = text("caption neuron" if level == "neuron" else "caption layer", lang, index=index, total=total,
                name=key, gates=len(steps))
    lines: list[str] = []
    inputs = {p for step in steps for p in step.parents}
    outputs = [s for s in steps if s.node not in inputs]
    for step in outputs:
        if len(outputs) == 1:  # a neuron: "its output" says which
            lines.append(text("caption at its output", lang, data=fmt(step.node.data), upstream=fmt(step.upstream)))
        else:
            lines.append(text("caption at output", lang, node=_called(step.node, members, lang),
                              data=fmt(step.node.data), upstream=fmt(step.upstream)))
        inner = [k for k, p in enumerate(step.parents) if p in by_node]
        if len(inner) == 1 and step.gate.arity <= 2 and step.gate.name != "add":
            k = inner[0]
            lines.append(text("caption through", lang, called=gate_called(step.gate, lang),
                              local=fmt(step.local_grads[k]), data=fmt(step.parents[k].data),
                              upstream=fmt(step.upstream), grad=fmt(step.contributions[k])))
    adds = [s for s in steps if s.gate.name == "add"]
    if level == "neuron" and adds and len({fmt(s.upstream) for s in adds}) == 1:
        lines.append(text("caption adds", lang, count=len(adds), grad=fmt(adds[0].upstream)))
    # the gradients leaving the group's gates: to its inputs and parameters (not to constants such as relu's 0)
    sending = [(s, [k for k, p in enumerate(s.parents) if p not in by_node and p.role != "constant"])
               for s in steps]
    sending = [(s, ks) for s, ks in sending if ks]
    for step, ks in sending[:MAX_GATE_LINES]:
        parts = ("；" if lang == "zh" else "; ").join(_part(step, k, so_far, members, lang) for k in ks)
        lines.append(text("caption gate to", lang, called=gate_called(step.gate, lang), parts=parts))
    if len(sending) > MAX_GATE_LINES:
        rest = [(s, k) for s, ks in sending[MAX_GATE_LINES:] for k in ks]
        step, k = max(rest, key=lambda sk: abs(sk[0].contributions[sk[1]]))
        lines.append(text("caption many", lang, count=len(sending) - MAX_GATE_LINES,
                          parent=_called(step.parents[k], members, lang), contribution=fmt(step.contributions[k])))
    rules = " · ".join(dict.fromkeys(gate_rule(s.gate, lang) for s in steps))
    return head, lines, text("caption rules", lang, rules=rules)


def caption_text(caption: Caption) -> str:
    """A caption as plain text: the title line, one line per fact, the rule line last."""
    head, lines, rule = caption
    return "\n".join([head, *lines, *([rule] if rule else [])])


def walk(root: Value, steps: Iterable[Step], total: int,
         lang: str = "en") -> Iterator[tuple[Optional[Step], Caption, dict[Value, float]]]:
    """The frames of a backward pass as they happen: ``(step, caption, so_far)``, the forward frame first.

    ``so_far`` maps each node to the gradient it has received in this pass up to and including
    ``step`` — one dict, updated in place between yields; ``step`` is None for the forward frame.
    """
    so_far: dict[Value, float] = {}
    yield None, forward_caption(root, lang), so_far
    for step in steps:
        so_far.setdefault(step.node, step.upstream)  # the root's seed of 1
        for parent, contribution in zip(step.parents, step.contributions):
            so_far[parent] = so_far.get(parent, 0.0) + contribution
        yield step, step_caption(step, total, so_far, lang), so_far


def backprop_frames(root: Value, lang: str = "en") -> list[Diagram]:
    """The backward pass from ``root``, one diagram per step, ready to flip through.

    The first frame shows the forward values only (every gradient ``?``). Then comes one frame
    per step of :func:`autograd.backward_steps`: the active gate is filled orange and its edges
    are drawn in orange, the gradients computed so far are filled in (the ones that just
    received a contribution are shaded), and those not computed yet still show ``?``. So there
    are 1 + (number of gates) frames, and consecutive frames differ. Each frame has the colour
    key under it, with the active gate and a gradient just received.

    Each frame also carries ``caption`` — the step in words, in ``lang``: upstream × local =
    contribution for each input, with the numbers, and the gate's rule — ``step`` (the
    :class:`autograd.Step`, None for the first frame), ``root`` and ``lang``.

    Like ``root.backward()``, this runs the backward pass: afterwards every ``grad`` is filled
    in, and leaves add to the gradient they had (zero them first if you already called
    ``backward``). The frames show the gradients of this pass alone.

    Args:
        root: the output node.
        lang: ``"en"``, or ``"zh"`` for captions in the course's Chinese terms (上游梯度, 局部梯度).

    Returns:
        A list of :class:`viz.Diagram`. :func:`viz.save_html` steps through them on one page,
        which needs no film: it lays the graph out once and has no :data:`MAX_STEPS` limit.

    Raises:
        TypeError: ``root`` is not a Value.
        ValueError: the graph has more than ``viz.dot.DEFAULT_MAX_NODES`` nodes or more than
            :data:`MAX_STEPS` gates, or ``lang`` is not one of ``viz.i18n.LANGS``.

    >>> x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    >>> frames = backprop_frames((x + y) * z)
    >>> len(frames), frames[1].step.gate.name, frames[2].caption.splitlines()[0]
    (3, 'mul', 'Step 2 of 2: the + gate (add) that made the + output = 3')
    >>> backprop_frames((Value(-2.0) + Value(5.0)) * Value(-4.0), lang="zh")[2].caption.splitlines()[0]
    '第 2 步（共 2 步）：加法门单元，它算出 + 的输出 = 3'
    """
    who = "backprop_frames"
    if not isinstance(root, Value):
        raise TypeError(f"{who} needs an autograd.Value, got {type(root).__name__}")
    check_lang(who, lang)
    check_size(root, DEFAULT_MAX_NODES, who, can_lift=False)
    order = topological_order(root)
    total = sum(1 for node in order if node.op)
    if total > MAX_STEPS:
        raise ValueError(
            f"{who}: the graph has {total} gates, so its film would have {total + 1} full diagrams; "
            f"the limit is {MAX_STEPS} gates. Step through it on one page with viz.save_html(root, path) "
            "or viz.stepper(root), step through a smaller graph (e.g. a single neuron), "
            "or draw the whole graph once with viz.draw_graph."
        )
    frames: list[Diagram] = []
    for step, caption, so_far in walk(root, backward_steps(root), total, lang):

        def grad_text(node: Value) -> str:
            return fmt(so_far[node]) if node in so_far else PENDING

        touched = dict.fromkeys(step.parents) if step else {}
        diagram = build_graph(root, order, show="both", rankdir="LR", group=True, grad_text=grad_text,
                              active=step.node if step else None, touched=touched, lang=lang)
        add_key(diagram, lang, steps=True)
        diagram.caption, diagram.step, diagram.root, diagram.lang = caption_text(caption), step, root, lang
        frames.append(diagram)
    return frames
