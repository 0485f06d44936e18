"""The backward pass as a film: one diagram per step of autograd.backward_steps."""

from __future__ import annotations

from autograd import Step, Value, backward_steps, topological_order

from .dot import DEFAULT_MAX_NODES, build_graph, check_size, fmt, node_name
from .backend import Diagram

__all__ = ["backprop_frames", "MAX_STEPS"]

#: Most backward steps (gates) a film is made of: each step is one full diagram.
MAX_STEPS = 100

#: What a gradient not yet computed shows.
PENDING = "?"


def _forward_caption(root: Value) -> str:
    name = root.label or "the output"
    return "\n".join([
        f"Forward pass: {name} = {fmt(root.data)}",
        "Each box shows a node's value (data); gradients not computed yet show as ?.",
        f"The backward pass starts at the output with ∂{root.label or 'out'}/∂{root.label or 'out'} = 1, "
        "then visits the gates from the output back to the inputs.",
    ])


def _step_caption(step: Step, total: int, so_far: dict[Value, float]) -> str:
    node, gate = step.node, step.gate
    called = f"{gate.name} gate" if gate.symbol == gate.name else f"{gate.symbol} gate ({gate.name})"
    lines = [
        f"Step {step.index + 1} of {total}: the {called} that made "
        f"{node_name(node)} = {fmt(node.data)}",
        f"upstream gradient arriving at its output: {fmt(step.upstream)}",
    ]
    for parent, local, contribution in zip(step.parents, step.local_grads, step.contributions):
        lines.append(
            f"to {node_name(parent)} ({fmt(parent.data)}): upstream {fmt(step.upstream)} × local "
            f"{fmt(local)} = {fmt(contribution)}, so its grad is now {fmt(so_far[parent])}"
        )
    lines.append(f"rule: {gate.rule}")
    return "\n".join(lines)


def _frame(diagram: Diagram, caption: str, step: object) -> Diagram:
    diagram.caption = caption
    diagram.step = step
    return diagram


def backprop_frames(root: Value) -> list[Diagram]:
    """The backward pass from ``root``, one diagram per step, ready to flip through.

    The first frame shows the forward values only (every gradient ``?``). Then comes one frame
    per step of :func:`autograd.backward_steps`: the active gate is filled orange and its edges
    are drawn in orange, the gradients computed so far are filled in (the ones that just
    received a contribution are shaded), and those not computed yet still show ``?``. So there
    are 1 + (number of gates) frames, and consecutive frames differ.

    Each frame also carries ``caption`` — the step in words: upstream × local = contribution
    for each input, with the numbers, and the gate's rule — and ``step`` (the
    :class:`autograd.Step`, None for the first frame).

    Like ``root.backward()``, this runs the backward pass: afterwards every ``grad`` is filled
    in, and leaves add to the gradient they had (zero them first if you already called
    ``backward``). The frames show the gradients of this pass alone.

    Args:
        root: the output node.

    Returns:
        A list of :class:`viz.Diagram`; see :func:`viz.save_html` to step through them.

    Raises:
        TypeError: ``root`` is not a Value.
        ValueError: the graph has more than ``viz.dot.DEFAULT_MAX_NODES`` nodes or more than
            :data:`MAX_STEPS` gates.

    >>> x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    >>> frames = backprop_frames((x + y) * z)
    >>> len(frames), frames[1].step.gate.name, frames[2].caption.splitlines()[0]
    (3, 'mul', 'Step 2 of 2: the + gate (add) that made the + output = 3')
    """
    who = "backprop_frames"
    if not isinstance(root, Value):
        raise TypeError(f"{who} needs an autograd.Value, got {type(root).__name__}")
    check_size(root, DEFAULT_MAX_NODES, who, can_lift=False)
    order = topological_order(root)
    total = sum(1 for node in order if node.op)
    if total > MAX_STEPS:
        raise ValueError(
            f"{who}: the graph has {total} gates, so its film would have {total + 1} full diagrams; "
            f"the limit is {MAX_STEPS} gates. Step through a smaller graph (e.g. a single neuron), "
            "or draw the whole graph once with viz.draw_graph."
        )

    so_far: dict[Value, float] = {}  # the gradients of this pass, as received so far

    def grad_text(node: Value) -> str:
        return fmt(so_far[node]) if node in so_far else PENDING

    def draw(active: Value | None = None, touched: dict[Value, object] = {}) -> Diagram:
        return build_graph(root, order, show="both", rankdir="LR", group=True, grad_text=grad_text,
                           active=active, touched=touched)

    frames = [_frame(draw(), _forward_caption(root), None)]
    for step in backward_steps(root):
        so_far.setdefault(step.node, step.upstream)  # the root's seed of 1
        for parent, contribution in zip(step.parents, step.contributions):
            so_far[parent] = so_far.get(parent, 0.0) + contribution
        touched = dict.fromkeys(step.parents)
        frames.append(_frame(draw(step.node, touched), _step_caption(step, total, so_far), step))
    return frames
