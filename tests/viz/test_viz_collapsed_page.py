"""The stepper on a collapsed network: one frame per neuron (or layer), each group's own gate drawing, same numbers as the engine."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import nn
from autograd import Value, backward_steps, origin, topological_order
from nn.losses import hinge_loss
from viz import save_html, stepper
from viz.dot import fmt
from viz.html import page_data


def mlp_loss() -> Value:
    """The course's 3→4→4→1 network on x = (2, 3, −1) with label −1 under the hinge loss."""
    loss = hinge_loss(nn.MLP(3, [4, 4, 1])([2.0, 3.0, -1.0]), -1)
    loss.label = "loss"
    return loss


@pytest.fixture(scope="module")
def collapsed() -> tuple[Value, str, dict]:
    """The 3→4→4→1 page collapsed by neuron (the backward pass has run: grads are the engine's)."""
    loss = mlp_loss()
    svg, data = page_data(loss, list(backward_steps(loss)), collapse="neuron")
    return loss, svg, data


def final_texts(data: dict) -> list[str]:
    """Each node's gradient text after the last frame."""
    texts = [data["pending"]] * len(data["nodes"])
    for frame in data["frames"]:
        for i, shown in frame["s"]:
            texts[i] = shown
    return texts


def test_one_frame_per_neuron_and_per_gate_outside_them(collapsed) -> None:
    """9 neurons, the hinge's 3 gates one by one, and the forward frame: 13 frames, each neuron once."""
    _, _, data = collapsed
    stepped = [frame.get("u") for frame in data["frames"]]
    assert len(stepped) == 13 and stepped[0] is None
    assert sorted(u for u in stepped if u) == sorted(data["groups"]) and len(data["groups"]) == 9
    assert stepped[-9:] == ["L3.N0", "L2.N3", "L2.N2", "L2.N1", "L2.N0", "L1.N3", "L1.N2", "L1.N1", "L1.N0"]


def test_the_last_frame_shows_the_engines_gradients(collapsed) -> None:
    """After the last frame every node's gradient text is the engine's grad, to the page's 4 digits."""
    loss, _, data = collapsed
    assert final_texts(data) == [fmt(node.grad) for node in topological_order(loss)]


def test_a_neuron_is_stepped_only_after_every_gradient_into_it(collapsed) -> None:
    """When a neuron's frame comes, its output's gradient is complete (it does not change later)."""
    loss, _, data = collapsed
    order = topological_order(loss)
    for k, frame in enumerate(data["frames"]):
        if "u" in frame:
            outputs = [i for i, n in enumerate(data["nodes"]) if n.get("u") == frame["u"]
                       and not any(i in m["p"] and m.get("u") == frame["u"] for m in data["nodes"])]
            later = {i for f in data["frames"][k + 1:] for i, _ in f["s"]}
            assert outputs and not later & set(outputs), frame["u"]
            assert all(fmt(order[i].grad) in {shown for j, shown in frame["s"] if j == i} | {
                shown for f in data["frames"][:k] for j, shown in f["s"] if j == i} for i in outputs)


def test_a_neuron_caption_tells_what_happened_inside_it(collapsed) -> None:
    """The caption names the neuron, the upstream gradient at its output, the activation's local derivative and each weight."""
    loss, _, data = collapsed
    frame = next(f for f in data["frames"] if f.get("u") == "L2.N0")
    head, lines, rule = frame["c"]
    out = next(n for n in topological_order(loss) if n.origin == "L2.N0" and n.op == "max")
    assert head.startswith("Step ") and "neuron L2.N0" in head
    assert lines[0] == f"upstream gradient arriving at its output ({fmt(out.data)}): {fmt(out.grad)}"
    assert lines[1].startswith("through the max gate's local derivative ")
    assert sum("× gate (mul): to w2.0." in line for line in lines) == 4 and "mul swaps" in rule


def test_chinese_neuron_caption(tmp_path: Path) -> None:
    """A zh collapsed page words a neuron's step in the course's terms."""
    text = save_html(mlp_loss(), tmp_path / "zh.html", lang="zh", collapse="neuron").read_text(encoding="utf-8")
    for piece in ("神经元 L1.N0", "上游梯度", "局部梯度", "激活前", "返回", "点击一个神经元"):
        assert piece in text, piece


def test_each_group_has_its_own_gate_drawing(collapsed) -> None:
    """After the collapsed drawing come one gate-by-gate SVG per neuron, each gradient a cell of the page."""
    loss, svg, data = collapsed
    drawings = re.findall(r'<svg class="gg-gates" data-group="([^"]+)"', svg)
    assert drawings == data["groups"] and svg.count("<svg") == 10
    l1n0 = svg[svg.index('data-group="L1.N0"'):svg.index('data-group="L1.N1"')]
    members = [i for i, n in enumerate(data["nodes"]) if n.get("u") == "L1.N0"]
    assert set(members) <= {int(i) for i in re.findall(r'<tspan data-n="(\d+)"', l1n0)}
    assert len(set(re.findall(r'\sid="([^"]+)"', svg))) == len(re.findall(r'\sid="([^"]+)"', svg))  # ids unique


def test_layer_collapse_steps_a_layer_at_a_time(tmp_path: Path) -> None:
    """collapse="layer": one frame per layer, and the same final gradients."""
    loss = mlp_loss()
    svg, data = page_data(loss, list(backward_steps(loss)), collapse="layer")
    assert [f["u"] for f in data["frames"] if "u" in f] == ["L3", "L2", "L1"]
    assert final_texts(data) == [fmt(node.grad) for node in topological_order(loss)]


def test_stepper_takes_collapse_and_refuses_an_unknown_level() -> None:
    """stepper(collapse="neuron") makes the page; an unknown level is refused naming the choices."""
    page = stepper(mlp_loss(), collapse="neuron")
    assert page.frames == 13 and 'class="gg-gates"' in page.html and 'id="back"' in page.html
    with pytest.raises(ValueError, match=r"stepper: collapse must be one of None, 'neuron', 'layer'; got 'gate'"):
        stepper(mlp_loss(), collapse="gate")


def test_max_nodes_counts_the_collapsed_drawing() -> None:
    """The 2→16→16→1 graph is over 500 nodes, but collapsed it fits; a tiny cap still refuses it."""
    X, y = nn.data.make_moons(2)
    loss = hinge_loss(nn.MLP(2, [16, 16, 1])(list(X[0])), 2 * int(y[0]) - 1)
    with pytest.raises(ValueError, match=r"collapsed, the graph still has .* more than max_nodes=10"):
        save_html(loss, "unused.html", collapse="neuron", max_nodes=10)


def test_a_group_split_by_an_outside_gate_is_refused() -> None:
    """A group whose gates have a gate of no group between them cannot be one step: a clear error."""
    x = Value(2.0, "x")
    with origin("A"):
        h = x * Value(3.0, "w")
    y = h + 1.0
    with origin("A"):
        z = y * Value(0.5, "v")
    with pytest.raises(ValueError, match=r"cannot step 'A' as one unit.*collapse=None"):
        page_data(z, list(backward_steps(z)), collapse="neuron")


def test_default_page_is_unchanged_by_the_collapse_machinery(tmp_path: Path) -> None:
    """Without collapse the page has one drawing, no groups and no back button."""
    text = save_html(mlp_loss(), tmp_path / "p.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r'id="gg-data">(.*?)</script>', text, re.S).group(1))
    assert text.count("<svg") == 1 and "groups" not in data and 'id="back"' not in text


def test_an_expanded_neurons_products_stand_in_one_column(collapsed) -> None:
    """In L2.N1's own gate drawing the four × gates that take the layer's inputs share one x (one
    rank, in order): the neuron reads as inputs, products, then the sum, not a staircase."""
    _, svg, _ = collapsed
    gates = re.search(r'<svg class="gg-gates" data-group="L2.N1".*?</svg>', svg, re.S).group(0)
    products = [float(cx) for cx, symbol in re.findall(r'<ellipse[^>]*\scx="([-\d.]+)"[^>]*/>\s*<text[^>]*>([^<]*)</text>', gates)
                if symbol == "×"]
    assert len(products) == 4 and max(products) - min(products) < 1, products
