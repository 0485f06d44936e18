"""Gradient check on the diagram (check=True) and the health lens (lens="health"), tested on their DOT source."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import nn
from autograd import Value, origin, topological_order
from nn.losses import hinge_loss
from viz import draw_graph, render
from viz.cli import main
from viz.lens import HEALTH_FILL, KINK, MISMATCH, dead_fill

HOSTILE = '</script><script>alert(1)</script> & "q"'


def node_line(source: str, label: str) -> str:
    """The DOT line of the value node whose bold label cell is ``label``."""
    lines = [line for line in source.splitlines() if f"<td><b>{label}</b></td>" in line]
    assert len(lines) == 1, (label, lines)
    return lines[0]


def lines_with(source: str, text: str) -> list[str]:
    return [line for line in source.splitlines() if text in line]


def _graph() -> tuple[Value, dict[str, Value]]:
    """f = tanh(a·b + c) + relu(c + d) + relu(k): one mul, a kink at k = 0, backward done."""
    a, b, c, d, k = Value(0.3, "a"), Value(-0.4, "b"), Value(-2.0, "c"), Value(0.5, "d"), Value(0.0, "k")
    f = (a * b + c).tanh() + (c + d).relu() + k.relu()
    f.label = "f"
    f.backward()
    return f, {"a": a, "b": b, "c": c, "d": d, "k": k}


# -- check=True ---------------------------------------------------------------------------------

def test_wrong_mul_rule_lights_up_exactly_the_mul_inputs(wrong_mul: None) -> None:
    """With the unswapped mul rule, a and b (the mul's inputs) are red MISMATCH; no other node is."""
    f, _ = _graph()
    source = draw_graph(f, check=True).source
    for name in ("a", "b"):
        line = node_line(source, name)
        assert f'bgcolor="{MISMATCH[0]}"' in line and f'color="{MISMATCH[1]}"' in line and "MISMATCH" in line
    assert len(lines_with(source, "MISMATCH")) == 2
    assert len(lines_with(source, MISMATCH[0])) == 2
    for name in ("c", "d"):
        assert "· ok<" in node_line(source, name)


def test_correct_rules_show_every_leaf_checked_and_nothing_red() -> None:
    """With the true rules every leaf (constants included) shows analytic and numeric; none mismatches."""
    f, _ = _graph()
    source = draw_graph(f, check=True).source
    leaves = [n for n in topological_order(f) if not n.op]
    assert len(lines_with(source, 'size="9">analytic ')) == len(leaves)
    assert "MISMATCH" not in source and MISMATCH[0] not in source


def test_a_kink_is_marked_not_judged() -> None:
    """k = 0 under relu: k's node is violet and says the kink is not judged."""
    f, _ = _graph()
    line = node_line(draw_graph(f, check=True).source, "k")
    assert f'bgcolor="{KINK[0]}"' in line and "kink: not judged" in line


def test_the_leaf_row_shows_analytic_numeric_and_relative_error() -> None:
    """x·y at 3, 4: x's row reads analytic 4, numeric 4 and a tiny relative error."""
    x, y = Value(3.0, "x"), Value(4.0, "y")
    f = x * y
    f.backward()
    line = node_line(draw_graph(f, check=True).source, "x")
    assert re.search(r"analytic 4 · numeric 4 · rel\. error \d\.\de-\d\d · ok", line)


def test_check_leaves_every_value_as_it_was() -> None:
    """Drawing with check=True leaves every node's data and grad unchanged."""
    f, _ = _graph()
    order = topological_order(f)
    before = [(n.data, n.grad) for n in order]
    draw_graph(f, check=True)
    assert [(n.data, n.grad) for n in order] == before


@pytest.mark.parametrize("lang, words", [("en", "gradient check: each leaf"), ("zh", "梯度检查")])
def test_check_has_a_legend_in_each_language(lang, words) -> None:
    """The checked diagram's graph label is the check legend, in English or Chinese."""
    f, _ = _graph()
    source = draw_graph(f, check=True, lang=lang).source
    assert re.search(r"^\tlabel=<.*" + words, source, re.M)
    if lang == "zh":
        assert "解析梯度" in source and "数值梯度" in source


def test_hostile_label_stays_escaped_under_both_lenses() -> None:
    """A label with markup appears escaped, never raw, with check=True and lens="health"."""
    x = Value(-1.0, HOSTILE)
    f = (x * 2.0).relu()
    f.backward()
    for source in (draw_graph(f, check=True).source, draw_graph(f, lens="health").source):
        assert "<script>" not in source and "&lt;/script&gt;&lt;script&gt;" in source


# -- bad input ----------------------------------------------------------------------------------

@pytest.fixture
def f() -> Value:
    return _graph()[0]


def test_check_must_be_a_bool(f) -> None:
    """check="yes" is a TypeError naming check."""
    with pytest.raises(TypeError, match=r"draw_graph: check must be True or False, got str: 'yes'"):
        draw_graph(f, check="yes")  # type: ignore[arg-type]


def test_unknown_lens_is_refused(f) -> None:
    """lens="x-ray" lists the lenses."""
    with pytest.raises(ValueError, match=r"draw_graph: lens must be one of None, 'health'; got 'x-ray'"):
        draw_graph(f, lens="x-ray")


def test_check_with_collapse_is_refused(f) -> None:
    """check=True draws leaves, so collapse= is refused with the reason."""
    with pytest.raises(ValueError, match=r"check=True marks every leaf of the full drawing"):
        draw_graph(f, check=True, collapse="neuron")


@pytest.mark.parametrize("kwargs", [{"check": True}, {"lens": "health"}])
def test_lenses_need_a_backward_first(kwargs) -> None:
    """Without backward (root grad 0) both lenses say to call root.backward() first."""
    x = Value(2.0, "x")
    with pytest.raises(ValueError, match=r"reads the gradients; call root\.backward\(\) first"):
        draw_graph(x * x, **kwargs)


def test_health_report_needs_the_health_lens_and_a_collapse(f) -> None:
    """health= without lens="health", or without collapse, is refused naming what to add."""
    with pytest.raises(ValueError, match=r"pass lens='health' too"):
        draw_graph(f, health={"L1.N0": (0.5, 0.0)}, collapse="neuron")
    with pytest.raises(ValueError, match=r"pass collapse='neuron' or 'layer' too"):
        draw_graph(f, lens="health", health={"L1.N0": (0.5, 0.0)})


@pytest.mark.parametrize("health, error, match", [
    ([("L1.N0", 0.5)], TypeError, r"health must be a mapping neuron id"),
    ({1: (0.5, 0.0)}, TypeError, r"health's keys must be neuron ids"),
    ({"L1.N0": 0.5}, TypeError, r"health\['L1.N0'\] is float"),
    ({"L1.N0": (0.5, 0.0, 1.0)}, TypeError, r"a pair \(dead share, saturated share\)"),
    ({"L1.N0": (1.5, 0.0)}, ValueError, r"the dead share must be a number in \[0, 1\], got 1.5"),
    ({"L1.N0": (0.5, float("nan"))}, ValueError, r"the saturated share must be a number in \[0, 1\]"),
    ({"L9.N9": (0.5, 0.0)}, ValueError, r"health has no entry for any neuron of this graph"),
])
def test_health_report_of_the_wrong_shape_is_refused(net, health, error, match) -> None:
    """Each malformed report raises naming health and what was expected."""
    with pytest.raises(error, match=match):
        draw_graph(net, collapse="neuron", lens="health", health=health)


# -- lens="health" ------------------------------------------------------------------------------

def test_dead_relu_is_red_and_its_input_gets_no_gradient() -> None:
    """relu(w·x) at w·x = −6: the relu's output and gate are red, the product below it is vanishing."""
    w, x = Value(-2.0, "w"), Value(3.0, "x")
    h = w * x
    h.label = "h"
    out = h.relu()
    out.label = "out"
    out.backward()
    source = draw_graph(out, lens="health").source
    line = node_line(source, "out")
    assert f'bgcolor="{HEALTH_FILL["dead"]}"' in line and "dead relu: outputs 0" in line
    assert re.search(rf'\[label=<<b>max</b>> .*fillcolor="{HEALTH_FILL["dead"]}"', source)
    assert f'bgcolor="{HEALTH_FILL["vanishing"]}"' in node_line(source, "h")
    assert "vanishing gradient" in node_line(source, "w")


def test_saturated_sigmoid_is_violet_with_its_local_gradient() -> None:
    """σ(8): the σ output is violet and prints its local gradient σ(8)(1 − σ(8)) ≈ 3.352e-4."""
    s = (Value(4.0, "x") * 2.0).sigmoid()
    s.label = "s"
    s.backward()
    line = node_line(draw_graph(s, lens="health").source, "s")
    assert f'bgcolor="{HEALTH_FILL["saturated"]}"' in line and "saturated: local gradient 0.0003352" in line


def test_exploding_gradient_is_pink() -> None:
    """x·1e9: x's gradient 1e9 is above 1e8 times the root's and is pink."""
    x = Value(1.0, "x")
    f = x * 1e9
    f.backward()
    line = node_line(draw_graph(f, lens="health").source, "x")
    assert f'bgcolor="{HEALTH_FILL["exploding"]}"' in line and "exploding gradient" in line


def test_a_healthy_graph_has_no_marks_but_the_legend(course) -> None:
    """(x + y)·z: nothing is marked; the health legend is there, in Chinese too."""
    source = draw_graph(course.f, lens="health").source
    assert not any(fill in source for fill in HEALTH_FILL.values())
    assert "health: red, a dead relu" in source
    zh = draw_graph(course.f, lens="health", lang="zh").source
    assert "死亡" in zh and "梯度消失" in zh


@pytest.fixture(scope="module")
def net() -> Value:
    """nn.MLP(2, [3, 1]) on one point with a hinge loss, neuron L1.N0 pushed dead, after backward."""
    model = nn.MLP(2, [3, 1], seed=1)
    model.layers[0].neurons[0].b.data = -50.0
    model.layers[0].neurons[1].b.data = 50.0
    loss = hinge_loss(model([Value(0.5, "x0"), Value(-0.5, "x1")]), 1)
    loss.backward()
    return loss


def group_line(source: str, key: str) -> str:
    lines = [line for line in source.splitlines() if line.startswith(f'\t"{key}" [') or line.startswith(f"\t{key} [")]
    assert len(lines) == 1, (key, lines)
    return lines[0]


def test_collapsed_health_colours_each_neuron_by_its_dead_share(net) -> None:
    """With a report, L1.N0 at 75% dead gets dead_fill(0.75) and the words; L1.N1 at 0% stays white."""
    report = {"L1.N0": (0.75, 0.0), "L1.N1": (0.0, 0.25), "L1.N2": (0.5, 0.0)}
    source = draw_graph(net, collapse="neuron", lens="health", health=report).source
    line = group_line(source, "L1.N0")
    assert f'bgcolor="{dead_fill(0.75)}"' in line and "dead 75% · saturated 0%" in line
    assert f'bgcolor="{dead_fill(0.0)}"' in group_line(source, "L1.N1")
    assert "saturated 25%" in group_line(source, "L1.N1")
    assert "dead " not in group_line(source, "L2.N0")  # not in the report: no mark
    assert "each neuron filled by the share of data points" in source


def test_collapsed_health_without_a_report_uses_the_graphs_point(net) -> None:
    """No report: L1.N0 (bias −50) is 100% dead on this point, L1.N1 (bias +50) 0%."""
    source = draw_graph(net, collapse="neuron", lens="health").source
    assert f'bgcolor="{dead_fill(1.0)}"' in group_line(source, "L1.N0")
    assert "dead 0%" in group_line(source, "L1.N1")


def test_layer_view_takes_the_mean_of_its_neurons(net) -> None:
    """collapse="layer": L1's dead share is the mean of its three neurons' (0.75, 0.25, 0.5 → 50%)."""
    report = {"L1.N0": (0.75, 0.0), "L1.N1": (0.25, 0.0), "L1.N2": (0.5, 0.0)}
    line = group_line(draw_graph(net, collapse="layer", lens="health", health=report).source, "L1")
    assert f'bgcolor="{dead_fill(0.5)}"' in line and "dead 50%" in line


def test_nn_health_report_is_read_as_plain_data(net) -> None:
    """nn.health's report colours the collapsed view like the mapping it is."""
    model = nn.MLP(2, [3, 1], seed=1)
    model.layers[0].neurons[0].b.data = -50.0
    report = nn.health(model, [[0.5, -0.5], [1.0, 1.0]])
    source = draw_graph(net, collapse="neuron", lens="health", health=report).source
    assert f'bgcolor="{dead_fill(report["L1.N0"].dead)}"' in group_line(source, "L1.N0")


def test_hostile_origin_is_escaped_in_the_collapsed_health_view() -> None:
    """A neuron id full of markup is escaped in the collapsed, health-lensed node."""
    with origin("L1.N<b>"):
        h = (Value(2.0, "w") * Value(-1.0, "x")).relu()
    h.backward()
    source = draw_graph(h, collapse="neuron", lens="health").source
    assert "<b>L1.N&lt;b&gt;</b>" in source
    assert "N<b>" not in source.replace('"L1.N<b>"', "")  # only in the quoted DOT id


# -- rendering and the command line -------------------------------------------------------------

@pytest.mark.graphviz
def test_checked_diagram_renders_with_the_mismatch_in_red(tmp_path: Path, wrong_mul: None) -> None:
    """The rendered SVG of a wrong-rule check holds the MISMATCH text and the red fill."""
    f, _ = _graph()
    svg = render(draw_graph(f, check=True), tmp_path / "check.svg").read_text()
    assert svg.count("MISMATCH") == 2 and MISMATCH[0] in svg and "gradient check" in svg


@pytest.mark.graphviz
def test_cli_check_writes_the_checked_diagram(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    """gategraph check EXPR ... -o check.svg writes the diagram with each leaf's numbers."""
    monkeypatch.chdir(tmp_path)
    assert main(["check", "relu(x)*y", "x=0", "y=2", "-o", "check.svg"]) == 0
    svg = (tmp_path / "check.svg").read_text()
    assert "analytic" in svg and "kink: not judged" in svg
    assert "wrote check.svg" in capsys.readouterr().out


def test_cli_check_refuses_a_bad_suffix_before_evaluating(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    """-o check.txt exits 2 naming the suffix, and writes nothing."""
    monkeypatch.chdir(tmp_path)
    assert main(["check", "x*y", "x=1", "y=2", "-o", "check.txt"]) == 2
    assert "must end in .svg or .png" in capsys.readouterr().err and not list(tmp_path.iterdir())


def test_stale_gradients_from_a_second_backward_show_as_mismatches(course) -> None:
    """Leaves accumulate: after a second backward x, y, z hold twice their gradient and all three are red."""
    course.f.backward()
    source = draw_graph(course.f, check=True).source
    assert all("MISMATCH" in node_line(source, name) for name in ("x", "y", "z"))
