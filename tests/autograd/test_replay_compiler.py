"""Replay's compiler, phase by phase, on tiny graphs: what each phase returns (collect, classify, fuse, schedule, emit)."""

from __future__ import annotations

import numpy as np
import pytest

from autograd import GATES, MATMUL_MIN_TERMS, Value, trace
from autograd.replay_compiler import (
    Dot,
    GateStep,
    MatmulStep,
    SumStep,
    classify,
    collect,
    emit,
    fuse,
    schedule,
)


def phases(root: Value, inputs: list[Value], keep: tuple[Value, ...] = ()):  # type: ignore[no-untyped-def]
    """Every phase's result for the graph below ``root``."""
    graph = collect(root, inputs, keep)
    leaves = classify(graph)
    fused = fuse(graph, leaves)
    plan = schedule(graph, fused)
    return graph, leaves, fused, plan, emit(graph, leaves, plan)


def labels(graph) -> list[str]:  # type: ignore[no-untyped-def]
    """Each node as a word: its label, gate name, or number."""
    return [n.label or n.op or repr(n.data) for n in graph.nodes]


# -- collect ---------------------------------------------------------------------------------------
def test_collect_numbers_nodes_in_topological_order_with_repeated_inputs_kept() -> None:
    """a·a names its input twice; uses counts both slots; the root is last."""
    a = Value(3.0, "a")
    graph = collect(a * a, [a])
    assert labels(graph) == ["a", "mul"]
    assert graph.parents == ((), (0, 0)) and graph.uses == (2, 0) and graph.root == 1


def test_collect_marks_an_ignored_input_and_protects_root_and_kept_nodes() -> None:
    """An input fn does not use has no position; the root and kept nodes are protected."""
    x, y = Value(1.0, "x"), Value(2.0, "y")
    inner = x * 2.0
    graph = collect(inner + 1.0, [x, y], keep=[inner])
    assert graph.inputs == (graph.position[id(x)], None)
    assert graph.protected == {graph.position[id(inner)], graph.root}


# -- classify --------------------------------------------------------------------------------------
def test_classify_lifted_numbers_are_constants_and_other_leaves_parameters() -> None:
    """x·2's 2 (lifted by the operator) is a constant; w, made with Value(...), is a parameter."""
    w, x = Value(0.5, "w"), Value(1.0, "x")
    graph = collect(w * x * 2.0, [x])
    leaves = classify(graph)
    assert [labels(graph)[i] for i in leaves.parameters] == ["w"]
    assert [labels(graph)[i] for i in leaves.constants] == ["2.0"]
    assert leaves.captured == leaves.parameters + leaves.constants
    assert [leaves.index[i] for i in leaves.captured] == [0, 1]


def test_classify_a_value_made_inside_fn_is_a_parameter() -> None:
    """A Value(...) fn makes itself may be held by someone: read at every call, never frozen."""
    x = Value(1.0, "x")
    k = Value(4.0)  # unlabelled, but made by a call of Value, not lifted by an operator
    leaves = classify(collect(x * k, [x]))
    assert len(leaves.parameters) == 1 and leaves.constants == ()


def test_classify_does_not_depend_on_who_refers_to_a_leaf() -> None:
    """Holding extra references to a lifted constant (or to nothing) does not change its class."""
    x = Value(1.0, "x")
    f = x * 3.0
    held = [f.parents[1]] * 5  # five more references to the constant 3 (reference counting would see them)
    graph = collect(f, [x])
    assert [graph.nodes[i] for i in classify(graph).constants] == held[:1]


def test_classify_a_labelled_or_kept_lifted_leaf_is_a_parameter() -> None:
    """A label makes a lifted number a named node someone reads; a kept or root leaf is never frozen."""
    x = Value(1.0, "x")
    f = x * 3.0
    f.parents[1].label = "c"
    assert classify(collect(f, [x])).constants == ()
    g = x + 1.0
    assert classify(collect(g, [x], keep=[g.parents[1]])).constants == ()


# -- fuse ------------------------------------------------------------------------------------------
def test_fuse_turns_a_chain_of_adds_into_one_sum_in_chain_order() -> None:
    """((a + b) + c) + d is one sum of 4 terms, each with the add (time) and slot that took it."""
    a, b, c, d = (Value(float(i), n) for i, n in enumerate("abcd"))
    graph = collect(a + b + c + d, [a, b, c, d])
    fused = fuse(graph, classify(graph))
    pos = [graph.position[id(v)] for v in (a, b, c, d)]
    (root, terms), = fused.sums.items()
    assert [t[0] for t in terms] == pos and [t[2] for t in terms] == [0, 1, 1, 1]
    assert len(fused.absorbed) == 2 and not fused.dots


def test_fuse_keeps_a_link_that_is_read_elsewhere_or_kept() -> None:
    """An add used twice, or kept, stays its own node: its value is needed."""
    a, b, c = Value(1.0, "a"), Value(2.0, "b"), Value(3.0, "c")
    s = a + b
    graph = collect((s + c) * s, [a, b, c])
    assert fuse(graph, classify(graph)).absorbed == frozenset()
    t = a + b
    graph = collect(t + c, [a, b, c], keep=[t])
    assert fuse(graph, classify(graph)).absorbed == frozenset()


def neuron(n: int) -> tuple[list[Value], list[Value], Value]:
    """Σ w_k·x_k + b over n inputs, as a neuron builds it (bias first)."""
    w = [Value(0.1 * (k + 1), f"w{k}") for k in range(n)]
    xs = [Value(1.0, f"x{k}") for k in range(n)]
    act = Value(0.5, "b")
    for wk, xk in zip(w, xs):
        act = act + wk * xk
    return w, xs, act


def test_fuse_makes_a_long_dot_product_a_matrix_product_row() -> None:
    """MATMUL_MIN_TERMS products of a parameter and a column become a Dot; the bias stays a term."""
    w, xs, act = neuron(MATMUL_MIN_TERMS)
    graph = collect(act, xs)
    leaves = classify(graph)
    fused = fuse(graph, leaves)
    (root, dot), = fused.dots.items()
    assert isinstance(dot, Dot) and dot.columns == tuple(graph.position[id(x)] for x in xs)
    assert dot.weights == tuple(leaves.index[graph.position[id(p)]] for p in w)
    assert [graph.nodes[t[0]].label for t in dot.others] == ["b"]
    assert not fused.sums


def test_fuse_leaves_a_short_dot_product_a_sum() -> None:
    """Below MATMUL_MIN_TERMS (and alone, not a layer) the products stay gates and the sum a sum."""
    _, xs, act = neuron(MATMUL_MIN_TERMS - 1)
    graph = collect(act, xs)
    fused = fuse(graph, classify(graph))
    assert not fused.dots and len(fused.sums) == 1


def test_fuse_makes_a_layer_of_short_neurons_matrix_product_rows() -> None:
    """MATMUL_MIN_TERMS neurons over the same 2 columns: each a Dot (a layer of 8 × 2 weights)."""
    x0, x1 = Value(1.0, "x0"), Value(2.0, "x1")
    outs = [Value(0.1 * j) * x0 + Value(0.2 * j) * x1 for j in range(MATMUL_MIN_TERMS)]
    root = outs[0]
    for o in outs[1:]:
        root = root * o  # not an add: the neurons' sums stay apart
    graph = collect(root, [x0, x1])
    fused = fuse(graph, classify(graph))
    assert len(fused.dots) == MATMUL_MIN_TERMS
    assert {d.columns for d in fused.dots.values()} == {(graph.position[id(x0)], graph.position[id(x1)])}


# -- schedule --------------------------------------------------------------------------------------
def test_schedule_groups_one_gate_at_one_level() -> None:
    """Two tanh at level 1 are one group; the add of both is level 2."""
    x, y = Value(1.0, "x"), Value(2.0, "y")
    graph = collect(x.tanh() + y.tanh(), [x, y])
    plan = schedule(graph, fuse(graph, classify(graph)))
    assert [(g.level, g.kind, len(g.nodes)) for g in plan.groups] == [(1, "gate", 2), (2, "sum", 1)]
    assert plan.groups[0].gate is GATES["tanh"] and plan.levels == 2


def test_schedule_separates_gates_with_other_constants() -> None:
    """x² and x³ are both pow gates at level 1, but with other constants: two groups."""
    x = Value(2.0, "x")
    graph = collect(x**2 + x**3, [x])
    plan = schedule(graph, fuse(graph, classify(graph)))
    assert sorted(g.const for g in plan.groups if g.kind == "gate") == [2.0, 3.0]


def test_schedule_slots_say_what_each_node_reads_and_when() -> None:
    """A mul group's slot s lists each node's input s and (that node, s): when its gradient is sent."""
    x, y = Value(1.0, "x"), Value(2.0, "y")
    graph = collect((x * y).exp(), [x, y])
    plan = schedule(graph, fuse(graph, classify(graph)))
    mul = plan.groups[0]
    px, py, pm = (graph.position[id(v)] for v in (x, y, graph.nodes[graph.root].parents[0]))
    assert [s.nodes for s in mul.slots] == [(px,), (py,)]
    assert [s.when for s in mul.slots] == [((pm, 0),), ((pm, 1),)]


def test_schedule_puts_one_layer_on_several_column_sets_in_one_matmul() -> None:
    """The same neuron layer on two data points' columns: one matmul group with two instances."""
    w = [[Value(0.1 * (j + k), f"w{j}{k}") for k in range(2)] for j in range(MATMUL_MIN_TERMS)]
    points = [[Value(1.0, "a0"), Value(2.0, "a1")], [Value(3.0, "b0"), Value(4.0, "b1")]]
    root = None
    for xs in points:
        for row in w:
            s = row[0] * xs[0] + row[1] * xs[1]
            root = s if root is None else root * s
    graph = collect(root, [x for xs in points for x in xs])
    plan = schedule(graph, fuse(graph, classify(graph)))
    (matmul,) = [g for g in plan.groups if g.kind == "matmul"]
    assert matmul.columns == tuple(tuple(graph.position[id(x)] for x in xs) for xs in points)
    assert len(matmul.nodes) == 2 * MATMUL_MIN_TERMS and len(matmul.weights) == MATMUL_MIN_TERMS


# -- emit ------------------------------------------------------------------------------------------
def test_emit_lays_out_rows_inputs_first_then_steps() -> None:
    """Row 0 is zeros, rows 1..n the inputs (an ignored one too), then each step's block."""
    x, y = Value(1.0, "x"), Value(2.0, "y")
    graph, _, _, _, code = phases((x * 3.0).exp(), [x, y])
    assert code.n_input_rows == 2 and code.row[graph.inputs[0]] == 1
    assert [(type(s).__name__, s.start, s.stop) for s in code.steps] == [("GateStep", 3, 4), ("GateStep", 4, 5)]
    assert code.root_row == 4 and code.n_rows == 5


def test_emit_pushes_a_lone_contribution_and_pulls_several_in_order() -> None:
    """exp(x)'s one consumer writes x's gradient row; y read by two gates sums two contributions."""
    x, y = Value(1.0, "x"), Value(2.0, "y")
    graph, _, _, _, code = phases(x.exp() * y + y.tanh(), [x, y])
    exp_step = next(s for s in code.steps if isinstance(s, GateStep) and s.gate.name == "exp")
    assert exp_step.push == (slice(1, 2),)  # x's gradient row, written directly
    (rows, sources), = code.input_pulls
    assert rows == slice(2, 3) and sources.shape == (2, 1)  # y: two contributions, summed


def test_emit_sends_parameters_gradients_and_drops_constants() -> None:
    """w's contributions are summed over the batch (leaf_of names w); the constant 3's are not computed."""
    w, x = Value(0.5, "w"), Value(1.0, "x")
    graph, leaves, _, _, code = phases(w * x * 3.0, [x])
    w_index = leaves.index[graph.position[id(w)]]
    const_index = leaves.index[leaves.constants[0]]
    assert list(code.leaf_of) == [w_index] and const_index not in code.leaf_of


def test_emit_makes_sum_and_matmul_steps() -> None:
    """A neuron of MATMUL_MIN_TERMS inputs and its tanh: a matmul step with one bias, then a gate step."""
    w, xs, act = neuron(MATMUL_MIN_TERMS)
    _, _, _, _, code = phases(act.tanh(), xs)
    matmul, tanh = code.steps
    assert isinstance(matmul, MatmulStep) and matmul.W.shape == (1, MATMUL_MIN_TERMS) and len(matmul.biases) == 1
    assert isinstance(tanh, GateStep) and tanh.name == "tanh"
    _, _, _, _, code = phases(xs[0] + xs[1] + xs[2], xs[:3])
    (step,) = code.steps
    assert isinstance(step, SumStep) and step.terms.shape == (3, 1)


def test_emit_refuses_a_gate_without_a_numpy_twin() -> None:
    """A learner's row with no numpy twin cannot be replayed: the error names it."""
    from dataclasses import replace

    from autograd.replay_compiler import Group, Schedule, Slot

    x = Value(1.0, "x")
    graph = collect(x.exp(), [x])
    leaves = classify(graph)
    bare = replace(GATES["exp"], numpy=None)
    plan = Schedule((Group(1, "gate", (1,), (Slot((0,), ((1, 0),)),), bare),))
    with pytest.raises(ValueError, match=r"gate 'exp' has no numpy twin"):
        emit(graph, leaves, plan)


# -- the program they make -------------------------------------------------------------------------
def test_a_parameter_made_inside_fn_gets_its_gradient_and_is_read_at_every_call() -> None:
    """fn's own Value(...) is replayed as a parameter: replay reads its .data and adds to its .grad."""
    made: list[Value] = []

    def fn(x: Value) -> Value:
        k = Value(2.0, "k")
        made.append(k)
        return x * k

    program = trace(fn, 1.0)
    k = made[0]
    assert program.captured == [k]
    program.backward([1.0, 2.0])
    assert k.grad == 3.0
    k.data = 10.0
    assert program([1.0, 2.0]).tolist() == [10.0, 20.0]


def test_values_of_a_kept_parameter() -> None:
    """A kept leaf that is a parameter gets a row, so values_of can read it back."""
    w = Value(0.5, "w")
    program = trace(lambda x: w * x, 1.0, keep=[w])
    program(np.array([1.0, 2.0]))
    assert program.values_of(w).tolist() == [0.5, 0.5]
