"""Collapsed diagrams: one node per neuron or layer, read from origin, edges wherever the full graph crosses."""

from __future__ import annotations

import re

import pytest

import nn
from autograd import Value, origin, topological_order
from nn.losses import hinge_loss
from viz import draw_graph
from viz.collapse import MAX_PARAMS_LISTED, collapse_groups


def _mlp(sizes: list[int], nin: int) -> Value:
    """An nn.MLP on one point with a hinge loss, after backward."""
    model = nn.MLP(nin, sizes, seed=1)
    loss = hinge_loss(model([Value(0.5 - i, f"x{i}") for i in range(nin)]), 1)
    loss.label = "loss"
    loss.backward()
    return loss


@pytest.fixture(scope="module")
def net() -> Value:
    """3 → 4 → 4 → 1 and a hinge loss, as the course draws it."""
    return _mlp([4, 4, 1], 3)


def test_groups_are_neurons_in_natural_order_with_members_in_topological_order(net) -> None:
    """collapse_groups gives L1.N0 … L3.N0, each member list a subsequence of the topological order."""
    order = topological_order(net)
    groups = collapse_groups(order)
    assert list(groups) == [f"L{k}.N{j}" for k, n in ((1, 4), (2, 4), (3, 1)) for j in range(n)]
    position = {node: i for i, node in enumerate(order)}
    assert all([position[m] for m in members] == sorted(position[m] for m in members) for members in groups.values())
    assert all(m.origin == key for key, members in groups.items() for m in members)


def test_layer_groups_hold_every_node_of_the_layer(net) -> None:
    """collapse_groups(level="layer") has L1, L2, L3, holding all nodes whose origin starts with the layer."""
    order = topological_order(net)
    groups = collapse_groups(order, "layer")
    assert list(groups) == ["L1", "L2", "L3"]
    assert len(groups["L1"]) == sum(1 for n in order if n.origin and n.origin.startswith("L1."))


def test_bad_level_is_refused() -> None:
    """collapse_groups with level="gate" raises ValueError listing the levels."""
    with pytest.raises(ValueError, match=r"level must be one of 'neuron', 'layer'; got 'gate'"):
        collapse_groups([], "gate")


def test_collapsed_network_draws_one_node_per_neuron(net) -> None:
    """Nine neurons become nine nodes named by origin; no gate inside a neuron is drawn."""
    source = draw_graph(net, collapse="neuron").source
    assert all(re.search(rf"^\t\"?L{k}\.N{j}\"? \[", source, re.M) for k, j in
               [(1, 0), (1, 3), (2, 0), (2, 3), (3, 0)])
    assert source.count("<b>max</b>") == 1  # only the loss's relu stays a gate


def test_collapsed_neuron_shows_pre_activation_output_and_parameter_gradients(net) -> None:
    """A layer-1 neuron lists its pre-activation and output with data and grad, and its 4 parameters' gradients."""
    source = draw_graph(net, collapse="neuron").source
    line = next(line for line in source.splitlines() if line.lstrip().startswith('"L1.N0"') or line.lstrip().startswith("L1.N0"))
    assert "pre-activation" in line and "output" in line and "data" in line and "grad" in line
    assert all(f"w1.0.{i}:" in line for i in range(3)) and "b1.0:" in line


def test_many_parameters_are_summarised_by_the_largest_gradient() -> None:
    """A neuron with more than MAX_PARAMS_LISTED parameters shows their count and the largest |grad|
    (its parameters are the leaves made with role="parameter", as nn makes them)."""
    xs = [Value(float(i + 1), f"x{i}") for i in range(MAX_PARAMS_LISTED + 2)]
    with origin("L1.N0"):
        act = Value(0.0, "b", role="parameter")
        for i, x in enumerate(xs):
            act = act + Value(0.1 * i, f"w{i}", role="parameter") * x
        out = act.relu()
    out.backward()
    source = draw_graph(out, collapse="neuron").source
    assert f"{MAX_PARAMS_LISTED + 3} params, largest grad" in source  # 8 weights and b
    assert "w7: 8" in source  # each weight's grad is its input: the last, 8, is the largest


def test_edges_join_collapsed_nodes_where_the_full_graph_crosses(net) -> None:
    """Every layer-1 neuron feeds every layer-2 neuron once; inputs feed every layer-1 neuron."""
    source = draw_graph(net, collapse="neuron").source
    edges = set(re.findall(r"^\t\"?([\w.]+)\"? -> \"?([\w.]+)\"?", source, re.M))
    assert all((f"L1.N{i}", f"L2.N{j}") in edges for i in range(4) for j in range(4))
    inputs = {a for a, b in edges if b == "L1.N0"}
    assert len(inputs) == 3 and source.count("L1.N0 -> L2.N0") + source.count('"L1.N0" -> "L2.N0"') == 1


def test_layer_collapse_draws_one_node_per_layer(net) -> None:
    """collapse="layer" gives nodes L1, L2, L3 with an edge L1 → L2 → L3."""
    source = draw_graph(net, collapse="layer").source
    edges = set(re.findall(r"^\t\"?([\w.]+)\"? -> \"?([\w.]+)\"?", source, re.M))
    assert {("L1", "L2"), ("L2", "L3")} <= edges


def test_collapse_on_a_graph_without_origins_draws_it_as_is(course) -> None:
    """Nothing to collapse: the course example keeps every node and gate."""
    source = draw_graph(course.f, collapse="neuron").source
    assert source.count("shape=circle") == 2 and "data -12" in source


def test_bad_collapse_is_refused(course) -> None:
    """collapse="neurons" raises ValueError listing the choices."""
    with pytest.raises(ValueError, match=r"collapse must be one of None, 'neuron', 'layer'; got 'neurons'"):
        draw_graph(course.f, collapse="neurons")


def test_the_node_cap_error_says_how_to_collapse() -> None:
    """2 → 16 → 16 → 1 is over max_nodes=500, and the error names collapse="neuron"."""
    with pytest.raises(ValueError, match=r"more than max_nodes=500.*collapse=\"neuron\" draws each neuron as one node"):
        draw_graph(_mlp([16, 16, 1], 2))


def test_a_big_network_collapsed_fits_under_the_cap() -> None:
    """2 → 16 → 16 → 1 collapsed is drawn: 33 neuron nodes instead of about a thousand."""
    source = draw_graph(_mlp([16, 16, 1], 2), collapse="neuron").source
    assert len(re.findall(r"^\t\"?L\d\.N\d+\"? \[", source, re.M)) == 33


def test_collapsed_still_over_the_cap_says_collapse_further(net) -> None:
    """A cap below the collapsed count raises, suggesting collapse="layer"."""
    with pytest.raises(ValueError, match=r'collapsed, the graph still has \d+ nodes, more than max_nodes=5\. Collapse further with collapse="layer"'):
        draw_graph(net, collapse="neuron", max_nodes=5)


def test_collapsed_zh_uses_chinese_words(net) -> None:
    """lang="zh" on a collapsed diagram prints 激活前, 输出 and 参数."""
    source = draw_graph(net, collapse="neuron", lang="zh").source
    assert all(word in source for word in ("激活前", "输出", "参数", "梯度")) and "pre-activation" not in source


def test_a_collapsed_networks_loss_tail_prints_its_parts() -> None:
    """collapse="neuron": the nodes outside the neurons (the hinge's) print -y·s, margin, hinge."""
    loss = hinge_loss(nn.MLP(2, [3, 1], seed=1)([0.5, -0.5]), -1)
    loss.backward()
    source = draw_graph(loss, collapse="neuron").source
    assert all(f"<b>{name}</b>" in source for name in ("-y", "-y·s", "margin", "hinge"))
