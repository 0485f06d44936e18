"""A learner's own row draws and steps like a built-in gate: diagrams and captions read the node's row."""

from __future__ import annotations

from autograd import Gate, Value, apply
from viz import backprop_frames, draw_gate, draw_graph

CUBE = Gate(name="cube", symbol="x³", arity=1, forward=lambda x: x**3,
            local_grads=lambda out, x: (3.0 * x * x,), rule="cube multiplies the upstream gradient by 3x²")


def graph() -> Value:
    x = Value(2.0, "x")
    f = apply(CUBE, x) * Value(0.5, "w")
    f.label = "f"
    return f


def test_draw_graph_prints_the_learners_symbol() -> None:
    """The learner's gate node shows the row's symbol."""
    f = graph()
    f.backward()
    assert "x³" in draw_graph(f).source


def test_draw_gate_prints_the_rule_and_the_arithmetic() -> None:
    """draw_gate of a learner node shows its rule and upstream × local = contribution."""
    f = graph()
    f.backward()
    source = draw_gate(f.parents[0]).source
    assert "cube multiplies the upstream gradient by 3x²" in source and "0.5 × 12 = 6" in source


def test_stepper_caption_comes_from_the_learners_row() -> None:
    """The stepper's caption for the learner gate names it and states its rule."""
    frames = backprop_frames(graph())
    caption = frames[2].caption
    assert "x³ gate (cube)" in caption and "rule: cube multiplies the upstream gradient by 3x²" in caption
    assert "upstream 0.5 × local 12 = 6" in caption


def test_expression_functions_come_from_the_gate_table() -> None:
    """The CLI's functions are the rows without an operator, plus the composite relu."""
    from autograd import GATES
    from viz.expr import FUNCTIONS

    rows = {g.name: g.arity for g in GATES.values() if not g.operator}
    assert FUNCTIONS == {**rows, "relu": 1}
