"""draw_graph and draw_gate build exact, deterministic, escaped DOT source without running Graphviz."""

from __future__ import annotations

import re

import pytest

import viz.dot
from autograd import GATES, Value, origin
from viz import draw_gate, draw_graph
from viz.dot import count_nodes, escape, fmt, role

GOLDEN = """digraph {
\tgraph [bgcolor=white fontname=Helvetica nodesep=0.25 rankdir=LR ranksep=0.35]
\tnode [fontcolor="#1f2937" fontname=Helvetica fontsize=11]
\tedge [arrowsize=0.6 color="#6b7280" fontname=Helvetica fontsize=10]
\tn0 [label=<<table border="0" cellborder="1" cellspacing="0" cellpadding="4" bgcolor="#dbeafe" color="#1f2937"><tr><td><b>x</b></td><td>data -2</td><td><font color="#9a3412">grad -4</font></td></tr></table>> shape=plain]
\tn1 [label=<<table border="0" cellborder="1" cellspacing="0" cellpadding="4" bgcolor="#dbeafe" color="#1f2937"><tr><td><b>y</b></td><td>data 5</td><td><font color="#9a3412">grad -4</font></td></tr></table>> shape=plain]
\tn2 [label=<<b>+</b>> color="#6b7280" fillcolor="#e5e7eb" margin=0.02 penwidth=1 shape=circle style=filled width=0.3]
\tn3 [label=<<table border="0" cellborder="1" cellspacing="0" cellpadding="4" bgcolor="#ffffff" color="#1f2937"><tr><td>data 3</td><td><font color="#9a3412">grad -4</font></td></tr></table>> shape=plain]
\tn4 [label=<<table border="0" cellborder="1" cellspacing="0" cellpadding="4" bgcolor="#dbeafe" color="#1f2937"><tr><td><b>z</b></td><td>data -4</td><td><font color="#9a3412">grad 3</font></td></tr></table>> shape=plain]
\tn5 [label=<<b>×</b>> color="#6b7280" fillcolor="#e5e7eb" margin=0.02 penwidth=1 shape=circle style=filled width=0.3]
\tn6 [label=<<table border="0" cellborder="1" cellspacing="0" cellpadding="4" bgcolor="#dcfce7" color="#1f2937"><tr><td><b>f</b></td><td>data -12</td><td><font color="#9a3412">grad 1</font></td></tr></table>> shape=plain]
\tn0 -> n2
\tn1 -> n2
\tn2 -> n3
\tn3 -> n5
\tn4 -> n5
\tn5 -> n6
}
"""


def test_course_example_dot_is_exactly_the_golden_source(course) -> None:
    """(x + y)·z draws as the golden DOT: f = -12, grads -4, -4, 3, ids n0..n6 in topological order
    (without the colour key, which the default draws under it: see the key's own tests)."""
    assert draw_graph(course.f, legend=False).source == GOLDEN


def test_same_graph_built_twice_gives_the_same_bytes() -> None:
    """Two separately built copies of one expression give byte-identical DOT."""

    def build() -> str:
        a, b = Value(0.5, "a"), Value(-1.5, "b")
        out = (a * b + a.exp()).tanh()
        out.backward()
        return draw_graph(out).source

    assert build().encode() == build().encode()


def test_node_used_twice_draws_two_edges() -> None:
    """a·a sends two edges from a into the × gate."""
    a = Value(3.0, "a")
    assert draw_graph(a * a).source.count("\tn0 -> n1\n") == 2


def test_show_forward_prints_data_only(course) -> None:
    """show="forward" prints every data value and no gradient."""
    source = draw_graph(course.f, show="forward", legend=False).source
    assert "data -12" in source and "grad" not in source


def test_show_backward_prints_gradients_only(course) -> None:
    """show="backward" prints every gradient and no data value."""
    source = draw_graph(course.f, show="backward", legend=False).source
    assert "grad -4" in source and "data" not in source


def test_rankdir_reaches_the_graph(course) -> None:
    """rankdir="TB" is the graph's direction."""
    assert "rankdir=TB" in draw_graph(course.f, rankdir="TB").source


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"show": "grads"}, r"show must be one of 'forward', 'backward', 'both'; got 'grads'"),
        ({"rankdir": "up"}, r"rankdir must be one of 'LR', 'TB', 'RL', 'BT'; got 'up'"),
        ({"max_nodes": 0}, r"max_nodes must be a positive int or None, got 0"),
    ],
)
def test_bad_option_is_refused_listing_valid_ones(course, kwargs, message) -> None:
    """A bad option raises ValueError naming it and what is allowed."""
    with pytest.raises(ValueError, match=message):
        draw_graph(course.f, **kwargs)


def test_non_value_is_refused() -> None:
    """draw_graph of a float raises TypeError naming the type."""
    with pytest.raises(TypeError, match=r"draw_graph needs an autograd.Value, got float"):
        draw_graph(3.0)  # type: ignore[arg-type]


def test_graph_over_max_nodes_says_how_large_and_what_to_do(course) -> None:
    """5 value nodes against max_nodes=4: the error gives the size and suggests a subgraph."""
    with pytest.raises(ValueError, match=r"has 5 value nodes, more than max_nodes=4\. Draw a subgraph"):
        draw_graph(course.f, max_nodes=4)


def test_huge_graph_is_refused_before_anything_is_built(monkeypatch) -> None:
    """A 200,000-node chain is refused by a bounded count, before any ordering or building."""
    node = Value(1.0, "x")
    for _ in range(200_000):
        node = node + 1.0
    monkeypatch.setattr(viz.dot, "topological_order", lambda root: pytest.fail("graph was walked in full"))
    with pytest.raises(ValueError, match=r"has more than 100,000 value nodes, more than max_nodes=10"):
        draw_graph(node, max_nodes=10)


def test_max_nodes_none_draws_any_size() -> None:
    """max_nodes=None lifts the limit."""
    node = Value(1.0, "x")
    for _ in range(600):
        node = node + 1.0
    assert draw_graph(node, max_nodes=None).source.count("->") == 2 * 600 + 600


def test_count_nodes_stops_just_past_the_limit() -> None:
    """count_nodes with a limit returns limit + 1 as soon as the limit is passed."""
    node = Value(1.0, "x")
    for _ in range(50):
        node = node * 2.0
    assert (count_nodes(node), count_nodes(node, limit=10)) == (101, 11)


def test_origins_become_nested_clusters_layer_then_neuron() -> None:
    """Nodes made under origin "L1.N0" sit in a cluster "L1.N0" inside a cluster "L1"."""
    x = Value(2.0, "x")
    with origin("L1.N0"):
        h = x * Value(3.0, "w")
    out = h + 1.0
    source = draw_graph(out).source
    layer = source.index("subgraph cluster_0 {")
    neuron = source.index("subgraph cluster_1 {")
    assert layer < neuron < source.index("data 6") < source.index("}", neuron)
    assert "label=<L1>" in source and "label=<L1.N0>" in source


def test_group_false_draws_no_clusters() -> None:
    """group=False ignores origins."""
    with origin("L1.N0"):
        h = Value(2.0, "x") * 3.0
    assert "cluster" not in draw_graph(h, group=False).source


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda: Value(1.0, "x"), "input"),
        (lambda: Value(1.0, "w0"), "input"),
        (lambda: Value(1.0, "b1.0"), "input"),
        (lambda: Value(1.0, "a", role="parameter"), "parameter"),
        (lambda: Value(1.0, "x", role="constant"), "constant"),
        (lambda: Value(1.0, role="input"), "input"),
        (lambda: Value(1.0), "constant"),
        (lambda: Value(1.0) * 2.0, "interior"),
    ],
)
def test_role_rule(make, expected) -> None:
    """A leaf's role is the one it was made with; else labelled leaves are inputs (whatever the
    label's spelling: w0 and b1.0 too) and unlabelled ones constants; a gate's output is interior."""
    assert role(make(), root=None) == expected


def test_labelled_leaf_made_inside_a_network_keeps_its_own_role() -> None:
    """An origin says where a leaf was made, not what it is: a labelled leaf with one is an input
    unless made as a parameter (as nn's weights are)."""
    with origin("L2.N1"):
        gain, w = Value(1.0, "gain"), Value(1.0, "w", role="parameter")
    assert (role(gain), role(w)) == ("input", "parameter")


def test_log_1_plus_exp_colours_both_variables_alike() -> None:
    """log(1 + exp(a·b)) from the CLI's parser: a and b are both inputs, drawn in one colour (b was amber)."""
    from viz import expr

    f = expr.evaluate(expr.parse("log(1+exp(a*b))"), {"a": 1.0, "b": 2.0})
    lines = [line for line in draw_graph(f).source.splitlines() if "<b>a</b>" in line or "<b>b</b>" in line]
    assert len(lines) == 2 and all(f'bgcolor="{viz.dot.FILL["input"]}"' in line for line in lines)


def test_root_is_the_output_and_coloured_green(course) -> None:
    """The root's role is output, drawn with the green fill."""
    assert role(course.f, course.f) == "output"
    assert viz.dot.FILL["output"] in draw_graph(course.f, legend=False).source.splitlines()[-8]


@pytest.mark.parametrize(
    "x, text",
    [(-12.0, "-12"), (3.0, "3"), (1 / 3, "0.3333"), (-0.0, "0"), (1234567.0, "1.235e+06"), (1e-7, "1e-07")],
)
def test_numbers_have_four_significant_digits(x, text) -> None:
    """fmt prints 4 significant digits."""
    assert fmt(x) == text


HOSTILE = 'a"b{c}|d<e>\\N\\G\\\\ </script><script>alert(1)</script> & é\x00\n'


def test_escape_leaves_no_markup_no_quotes_and_no_graphviz_escapes() -> None:
    """Escaped text has no raw < > " and no backslash directly before a letter."""
    text = escape(HOSTILE, limit=200)
    assert not set('<>"') & set(text)
    assert re.search(r"\\[A-Za-z\\]", text) is None
    assert "&lt;script&gt;" in text and "x00" in text and "\x00" not in text


def test_long_labels_are_cut() -> None:
    """Labels over 40 characters end in an ellipsis."""
    assert escape("x" * 100) == "x" * 39 + "…"


def test_hostile_label_stays_inside_its_html_label() -> None:
    """A label full of DOT and HTML syntax appears only escaped in the DOT source."""
    node = Value(1.0, HOSTILE[:35]) * 2.0
    source = draw_graph(node).source
    assert "<script>" not in source and "&lt;/script&gt;&lt;script&gt;" in source


def test_draw_gate_shows_inputs_output_local_grads_contributions_and_rule(course) -> None:
    """The × gate of f: inputs 3 and -4, upstream 1, locals -4 and 3, sent back -4 and 3, the mul rule."""
    source = draw_gate(course.f).source
    for text in ("data 3", "data -4", "data -12", "grad 1", "local ∂f/∂a = -4", "local ∂f/∂z = 3",
                 "sent back: 1 × -4 = -4", "sent back: 1 × 3 = 3", "upstream 1", GATES["mul"].rule):
        assert text in source, text


def test_draw_gate_of_a_squared_node_has_one_input_and_two_edges() -> None:
    """a·a: one input node, two labelled edges into the gate."""
    a = Value(3.0, "a")
    sq = a * a
    sq.backward()
    source = draw_gate(sq).source
    assert source.count("data 3") == 1 and source.count("n0 -> n1") == 2
    assert source.count("sent back: 1 × 3 = 3") == 2


@pytest.mark.parametrize("name", sorted(GATES))
def test_draw_gate_prints_each_gates_rule(name) -> None:
    """Every gate's diagram states its rule from the gate table."""
    a, b = Value(0.7, "a"), Value(0.4, "b")
    node = {"add": a + b, "mul": a * b, "max": a.max(b), "exp": a.exp(), "log": a.log(),
            "pow": a**2, "tanh": a.tanh(), "sigmoid": a.sigmoid()}[name]
    node.backward()
    assert escape(GATES[name].rule, limit=200) in draw_gate(node).source


def test_draw_gate_of_a_leaf_is_refused() -> None:
    """A leaf has no gate: ValueError naming it."""
    with pytest.raises(ValueError, match=r"draw_gate: 'x' is a leaf, made by no gate"):
        draw_gate(Value(1.0, "x"))


def _two_layer_net() -> Value:
    """A hand-made 2 → 2 → 1 network with origins as nn stamps them, and its output."""
    xs = [Value(1.0, "x0"), Value(-2.0, "x1")]
    hidden = []
    for j in range(2):
        with origin(f"L1.N{j}"):
            act = Value(0.1, f"b1.{j}")
            for i, x in enumerate(xs):
                act = act + Value(0.5 - j, f"w1.{j}.{i}") * x
            hidden.append(act.relu())
    with origin("L2.N0"):
        out = Value(0.0, "b2.0")
        for i, h in enumerate(hidden):
            out = out + Value(0.3, f"w2.0.{i}") * h
    return out


def test_a_grouped_network_stands_each_neurons_entry_gates_in_one_rank() -> None:
    """Each neuron's × gates fed from outside its layer share one rank=same subgraph, and so do
    the + gates of its running sum (see test below); the inputs x0, x1 stand in a column of
    their own, chained in order by an invisible edge."""
    source = draw_graph(_two_layer_net()).source
    ranks = re.findall(r"\{\n\t*graph \[rank=same\]\n((?:\t*n\d+\n)+)((?:\t*n\d+ -> n\d+ \[style=invis\]\n)*)", source)
    assert [len(nodes.split()) for nodes, chain in ranks if not chain] == [2, 2] * 3  # × gates, + gates
    assert [(len(nodes.split()), chain.count("->")) for nodes, chain in ranks if chain] == [(2, 1)]


def test_a_grouped_network_folds_each_running_sum_into_one_column() -> None:
    """The link of each neuron's running sum (b + w0·x0, fed on into + w1·x1) is left out of the
    ranking (constraint=false), so the sum's two + gates can share a rank: one link a neuron."""
    source = draw_graph(_two_layer_net()).source
    assert len(re.findall(r"n\d+ -> n\d+ \[constraint=false\]", source)) == 3
    assert "constraint=false" not in draw_graph(_two_layer_net(), group=False).source


def test_a_grouped_network_gets_an_invisible_anchor_between_layers() -> None:
    """Inputs point into anchor column0, which points into layer 1; layer 1's outputs into column1."""
    source = draw_graph(_two_layer_net()).source
    assert "column0 [label=\"\" height=0 shape=point style=invis width=0]" in source
    assert source.count("-> column0 [style=invis]") == 2  # x0, x1
    assert source.count("-> column1 [style=invis]") == 2  # the two relu outputs
    assert source.count("column1 -> ") == 2 + 1  # layer 2's two entry gates and its bias


def test_a_graph_without_origins_gets_no_columns(course) -> None:
    """Columns are for networks only: the course example keeps its exact golden source."""
    source = draw_graph(course.f, legend=False).source
    assert "column" not in source and source == GOLDEN


def test_neuron_clusters_come_in_natural_order() -> None:
    """Cluster L1.N2 is written before L1.N10 whatever order the graph made them in."""
    x = Value(1.0, "x")
    with origin("L1.N10"):
        a = x * Value(2.0, "w")
    with origin("L1.N2"):
        b = x * Value(3.0, "w")
    source = draw_graph(a + b).source
    assert source.index("label=<L1.N2>") < source.index("label=<L1.N10>")


def test_zh_diagram_prints_value_and_gradient_in_chinese(course) -> None:
    """lang="zh" names the cells 值 and 梯度, each CJK run in the CJK font stack."""
    source = draw_graph(course.f, lang="zh").source
    assert "值 </font> -12" in source and "梯度  </font> 3" in source and "data" not in source
    assert "'Noto Sans CJK SC'" in source


def test_zh_gate_diagram_states_the_rule_in_the_courses_terms(course) -> None:
    """draw_gate(lang="zh") titles the mul gate 乘法门单元 and names 上游梯度 and 局部梯度."""
    source = draw_gate(course.f, lang="zh").source
    for term in ("乘法门单元", "上游梯度", "局部梯度", "回传"):
        assert term in source


def test_legend_is_printed_in_the_chosen_language(course) -> None:
    """The colour key is drawn by default, as the graph label, in Chinese for lang="zh"."""
    assert "参数" in draw_graph(course.f, lang="zh").source
    label = [line for line in draw_graph(course.f).source.splitlines() if line.startswith("\tlabel=<")]
    assert len(label) == 1 and "parameter" in label[0] and "gate output" in label[0]


def test_legend_false_draws_no_key(course) -> None:
    """legend=False leaves the graph without a label."""
    assert "\tlabel=" not in draw_graph(course.f, legend=False).source


def test_legend_must_be_a_bool(course) -> None:
    """legend="yes" is refused by name."""
    with pytest.raises(TypeError, match="legend must be True or False, got str"):
        draw_graph(course.f, legend="yes")  # type: ignore[arg-type]


def test_each_key_swatch_is_filled_with_its_roles_colour_and_says_its_name() -> None:
    """The key's words match the colours: each role's swatch has that role's fill and its word;
    the data words are in the data's ink and the grad words in the gradient's colour."""
    key = viz.dot.key_rows()
    for name, word in [("input", "input"), ("parameter", "parameter"), ("constant", "constant"),
                       ("interior", "gate output"), ("output", "output")]:
        assert re.search(f'bgcolor="{viz.dot.FILL[name]}"[^>]*><font[^>]*>{word}</font>', key)
    assert f'color="{viz.dot.INK}">data: the value' in key and f'color="{viz.dot.GRAD}">grad: ∂output' in key


def test_the_key_of_a_film_adds_the_active_gate_and_a_gradient_just_received() -> None:
    """key_rows(steps=True) adds a swatch of the active gate's fill and of a touched gradient cell."""
    key = viz.dot.key_rows(steps=True)
    assert viz.dot.ACTIVE_FILL in key and viz.dot.TOUCHED_FILL in key and viz.dot.TOUCHED_FILL not in viz.dot.key_rows()


def _contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""

    def luminance(colour: str) -> float:
        rgb = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted([luminance(a), luminance(b)], reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _palette_pairs() -> list[tuple[str, str, str]]:
    """Every (text colour, fill) pair the diagrams' palette can produce, named."""
    from viz.lens import _HEALTH_INK, HEALTH_FILL, KINK, MISMATCH, dead_fill

    d = viz.dot
    value_fills = {**{f"role {k}": v for k, v in d.FILL.items()}, "touched grad cell": d.TOUCHED_FILL,
                   **{f"health {k}": v for k, v in HEALTH_FILL.items()}, "mismatch": MISMATCH[0], "kink": KINK[0],
                   **{f"dead share {s}": dead_fill(s) for s in (0.0, 0.25, 0.5, 0.75, 1.0)}}
    pairs = [(f"{t} on {f}", tc, fc) for f, fc in value_fills.items()
             for t, tc in (("data", d.INK), ("grad", d.GRAD), ("health words", _HEALTH_INK))]
    gate_fills = {"gate": d.GATE_FILL, "active gate": d.ACTIVE_FILL, "dead gate": HEALTH_FILL["dead"]}
    pairs += [(f"symbol on {f}", d.INK, fc) for f, fc in gate_fills.items()]
    pairs += [(f"{t} on the page", tc, "#ffffff") for t, tc in (("cluster name", d.EDGE), ("key", d.INK),
                                                                  ("key grad", d.GRAD))]
    return pairs


@pytest.mark.parametrize("name, text, fill", _palette_pairs())
def test_all_diagram_text_meets_wcag_aa_contrast(name: str, text: str, fill: str) -> None:
    """Every text colour the palette puts on every fill it can have has contrast >= 4.5 : 1 (WCAG AA)."""
    assert _contrast(text, fill) >= 4.5, f"{name}: {text} on {fill} is {_contrast(text, fill):.2f} : 1"


def test_the_contrast_check_fails_on_the_old_gradient_colour() -> None:
    """The old orange #c2410c on the blue input fill was 4.24 : 1, which the check refuses."""
    assert round(_contrast("#c2410c", viz.dot.FILL["input"]), 2) == 4.24


def test_unknown_lang_is_refused(course) -> None:
    """lang="fr" raises ValueError naming draw_graph and the choices."""
    with pytest.raises(ValueError, match=r"draw_gate: lang must be one of 'en', 'zh'; got 'fr'"):
        draw_gate(course.f, lang="fr")


def test_cjk_runs_are_padded_one_space_per_character() -> None:
    """fit_cjk pads each CJK run with as many spaces as it has characters, Latin text untouched."""
    from viz.dot import fit_cjk

    assert re.sub(r"<font[^>]*>", "", fit_cjk("权重w 梯度")).replace("</font>", "") == "权重  w 梯度  "
    assert fit_cjk("w0 ∂x") == "w0 ∂x"


def test_a_networks_layer_clusters_are_marked_for_their_boxes_to_be_drawn_after_layout() -> None:
    """L1 and L2 of a network hold neuron clusters only: each carries LAYER_MARK (the backend lays
    the network out without them, then draws their boxes); a neuron cluster never does."""
    from viz.backend import LAYER_MARK

    source = draw_graph(_two_layer_net()).source
    marked = re.findall(re.escape(LAYER_MARK) + r"\n\t*subgraph cluster_\d+ \{\n\t*graph \[[^\]]*label=<([^>]*)>", source)
    assert marked == ["L1", "L2"]


def test_a_layer_cluster_with_nodes_of_its_own_is_not_marked() -> None:
    """A node made under origin "L1" itself sits in the layer's cluster, outside any neuron's, so
    that cluster is laid out by dot as it is (a box drawn round its neurons alone would miss it)."""
    from viz.backend import LAYER_MARK

    x = Value(1.0, "x")
    with origin("L1.N0"):
        h = x * Value(2.0, "w")
    with origin("L1"):
        s = h * 3.0
    assert LAYER_MARK not in draw_graph(s).source and "label=<L1>" in draw_graph(s).source


def test_a_graph_that_is_no_network_is_not_marked(course) -> None:
    """Without origins there are no clusters, so no marks and one Graphviz run."""
    from viz.backend import LAYER_MARK

    assert LAYER_MARK not in draw_graph(course.f).source


# -- every node says what it is ---------------------------------------------------------------


@pytest.fixture(scope="module")
def network_source() -> str:
    """The DOT source of nn.MLP(3, [4, 4, 1]) under the hinge loss with label −1, grouped."""
    import nn
    from nn.losses import hinge_loss

    loss = hinge_loss(nn.MLP(3, [4, 4, 1])([2.0, 3.0, -1.0]), -1)
    loss.backward()
    return draw_graph(loss).source


def _names(source: str) -> list[str]:
    """The name of every value node, in order: a label's cell, or the row a part is said on."""
    return ["".join(pair) for pair in re.findall(
        r"<tr><td><b>([^<]*)</b></td><td>data|<tr><td colspan=\"2\"><b>([^<]*)</b></td></tr>", source)]


def test_a_networks_nodes_print_their_parts_and_outputs_their_neuron(network_source) -> None:
    """Inside a neuron's box: w·x and sum; where a value leaves its neuron: "L2.N3 relu"; the loss's
    tail: -y·s, margin, hinge; no value node of the network is left without a name."""
    names = _names(network_source)
    # one product and one running sum per weight: 32; the score's last sum leaves its neuron
    assert names.count("w·x") == 3 * 4 + 4 * 4 + 4 and names.count("sum") == 3 * 4 + 4 * 4 + 4 - 1
    assert {f"L{k}.N{j} relu" for k in (1, 2) for j in range(4)} <= set(names) and "L3.N0 sum" in names
    assert ["-y", "-y·s", "margin", "hinge"] == [n for n in names if n in ("-y", "-y·s", "margin", "hinge")]
    unnamed = re.findall(r'bgcolor="#ffffff"[^>]*><tr><td>data', network_source)
    assert unnamed == []


def test_the_hinge_tail_has_no_two_anonymous_constants_of_the_same_value(network_source) -> None:
    """The anonymous constants of the drawing are relu's 0s and the hinge's 1, never two −1s."""
    anonymous = re.findall(r'bgcolor="#f3f4f6"[^>]*><tr><td>data (\S+)</td>', network_source)
    assert sorted(set(anonymous)) == ["0", "1"] and anonymous.count("1") == 1


def test_without_boxes_every_part_says_its_neuron() -> None:
    """group=False on a layer: no neuron box, so w·x is printed "L1.N0 w·x"; one neuron alone
    (an expanded neuron on a page) needs no prefix but on its output."""
    import nn

    layer_out = nn.Layer(2, 2, seed=0)([1.0, 2.0])
    assert "L1.N0 w·x" in _names(draw_graph(layer_out[0] + layer_out[1], group=False).source)
    names = _names(draw_graph(nn.Neuron(2, seed=0)([1.0, 2.0]), group=False).source)
    assert "w·x" in names and "L1.N0 relu" in names and "L1.N0 w·x" not in names
