"""The course's wire style: draw_graph(style="wires"), its pages and the CLI's --style."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

import viz
from autograd import Value
from viz.backend import render_svg
from viz.cli import main
from viz.dot import GRAD, INK
from viz.html import fill_cells, page_data, stepper

_NODE = re.compile(r'class="node[^"]*">\s*<title>([^<]*)</title>(.*?)(?=class="(?:node|edge)|</svg>)', re.S)
_TEXT = re.compile(r'<text\b([^>]*)>(.*?)</text>', re.S)


def _texts(group: str) -> list[tuple[float, str, str]]:
    """Each text of an SVG node group: (baseline y, fill, text with tags stripped)."""
    found = []
    for attrs, inner in _TEXT.findall(group):
        fill = re.search(r'\sfill="([^"]*)"', attrs)
        found.append((float(re.search(r'\sy="([-0-9.]+)"', attrs).group(1)), fill.group(1) if fill else "",
                      re.sub(r"<[^>]*>", "", inner).replace("&#45;", "-")))
    return found


def _nodes(svg: str) -> dict[str, str]:
    return {title: body for title, body in _NODE.findall(svg)}


@pytest.mark.graphviz
def test_each_value_is_written_above_its_wire_and_its_gradient_below(course: SimpleNamespace) -> None:
    """In the rendered SVG of (x+y)*z each wire's value text lies above (smaller y) its gradient text."""
    nodes = _nodes(render_svg(viz.draw_graph(course.f, style="wires", legend=False)))
    # value ids n0 x, n1 y, n3 x+y, n4 z, n6 f (n2, n5: the gates); value and gradient of each
    expected = {"n0": ("-2", "-4"), "n1": ("5", "-4"), "n3": ("3", "-4"), "n4": ("-4", "3"), "n6": ("-12", "1")}
    for node_id, (value, grad) in expected.items():
        texts = _texts(nodes[node_id])
        value_y = next(y for y, fill, words in texts if words == value and fill != GRAD)
        grad_y = next(y for y, fill, words in texts if words == grad and fill == GRAD)
        assert value_y < grad_y, (node_id, texts)


def test_a_wire_is_a_rule_between_its_value_and_its_gradient_met_by_its_edges(course: SimpleNamespace) -> None:
    """Each value's label is two rows split by <hr/>, value in INK above, gradient in GRAD below; the edges
    leave a wire's right end and enter its left end."""
    source = viz.draw_graph(course.f, style="wires").source
    assert f'<font color="{INK}">3</font></td></tr><hr/><tr>' in source
    assert f'<font color="{GRAD}">-4</font>' in source
    assert "n3 -> n5 [tailport=e]" in source and "n2 -> n3 [arrowhead=none headport=w]" in source


def test_gates_are_circles_with_their_symbols_and_no_value_boxes(course: SimpleNamespace) -> None:
    """The + and × gates are circles labelled + and ×, and no value says "data" (no boxes)."""
    source = viz.draw_graph(course.f, style="wires", legend=False).source
    gates = re.findall(r"\b(n\d+) \[label=<<b>([^<]*)</b>>.*?shape=circle", source)
    assert gates == [("n2", "+"), ("n5", "×")]
    assert "data" not in source


def test_inputs_and_output_are_tagged_by_name_in_their_role_colour(course: SimpleNamespace) -> None:
    """x's wire starts at a tag "x" in the input blue; f's ends at a tag "f" in the output green."""
    source = viz.draw_graph(course.f, style="wires").source
    assert re.search(r'bgcolor="#dbeafe"[^>]*><b>x</b></td><td', source)
    assert re.search(r'</td><td rowspan="3" bgcolor="#dcfce7"[^>]*><b>f</b></td>', source)


def test_a_constant_wire_starts_at_its_number_and_a_named_interior_value_says_its_name() -> None:
    """In x*3 with the product named q, the constant's tag is "3" (grey) and q's wire reads "q = 6"."""
    x = Value(2.0, "x")
    q = x * 3
    q.label = "q"
    out = q + 1
    source = viz.draw_graph(out, style="wires").source
    assert re.search(r'bgcolor="#f3f4f6"[^>]*><b>3</b>', source)
    assert "q = 6</font>" in source


@pytest.mark.parametrize("show, shown, hidden", [("forward", "-12", "#9a3412\">1<"), ("backward", "#9a3412\">1<", ">-12<")])
def test_show_keeps_one_side_of_each_wire(course: SimpleNamespace, show: str, shown: str, hidden: str) -> None:
    """show="forward" writes values and no gradient; show="backward" gradients and no value."""
    source = viz.draw_graph(course.f, style="wires", show=show).source
    assert shown in source and hidden not in source


@pytest.mark.graphviz
def test_wire_style_is_deterministic(course: SimpleNamespace) -> None:
    """The same graph drawn twice gives the same DOT text and the same SVG bytes."""
    first, second = (viz.draw_graph(course.f, style="wires") for _ in range(2))
    assert first.source == second.source
    assert render_svg(first) == render_svg(second)


def test_a_bad_style_names_it_and_the_choices(course: SimpleNamespace) -> None:
    """draw_graph refuses style="lines", naming it and both styles."""
    with pytest.raises(ValueError, match=r"draw_graph: style must be one of 'boxes', 'wires'; got 'lines'"):
        viz.draw_graph(course.f, style="lines")


def test_wires_refuse_what_marks_boxes(course: SimpleNamespace) -> None:
    """style="wires" with collapse, check or lens is refused, pointing to style="boxes"."""
    with pytest.raises(ValueError, match=r"style='wires' draws every gate.*style='boxes'"):
        viz.draw_graph(course.f, style="wires", check=True)


@pytest.mark.graphviz
def test_a_wire_page_marks_every_gradient_for_the_script(course: SimpleNamespace) -> None:
    """page_data(style="wires") marks each node's gradient as a <tspan data-n>, finds edges by "a->b" titles,
    and fill_cells writes the gradients under the wires."""
    from autograd import backward_steps

    svg, data = page_data(course.f, list(backward_steps(course.f)), style="wires")
    assert sorted(int(n) for n in re.findall(r'<tspan data-n="(\d+)">', svg)) == [0, 1, 2, 3, 4]
    assert [node["v"] for node in data["nodes"]] == ["n0", "n1", "n3", "n4", "n6"]
    assert "<title>n3&#45;&gt;n5</title>" in svg and ":e&#45;" not in svg
    filled = fill_cells(svg, ["-4", "-4", "-4", "3", "1"])
    assert '<tspan data-n="2">-4</tspan>' in filled and '<tspan data-n="3">3</tspan>' in filled


def test_a_page_refuses_a_bad_style_and_wires_with_the_what_if_panel(fresh: SimpleNamespace) -> None:
    """stepper(style=...) names a bad style; wires with interactive=True are refused with the way out."""
    with pytest.raises(ValueError, match=r"stepper: style must be one of 'boxes', 'wires'; got 'circuit'"):
        stepper(fresh.f, style="circuit")
    with pytest.raises(ValueError, match=r"stepper: style='wires' steps gate by gate without the what-if panel"):
        stepper(fresh.f, style="wires", interactive=True)


@pytest.mark.graphviz
def test_cli_style_wires_draws_and_steps_in_wires(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture) -> None:
    """draw and steps take --style wires: the SVG has no "data" boxes, the page steps with gradient cells."""
    monkeypatch.chdir(tmp_path)
    assert main(["draw", "(x+y)*z", "x=-2", "y=5", "z=-4", "--style", "wires", "-o", "f.svg"]) == 0
    drawn = (tmp_path / "f.svg").read_text(encoding="utf-8")
    assert "data &#45;12" not in drawn and "data -12" not in drawn and ">&#45;12<" in drawn
    assert main(["steps", "(x+y)*z", "x=-2", "y=5", "z=-4", "--style", "wires", "-o", "f.html"]) == 0
    assert (tmp_path / "f.html").read_text(encoding="utf-8").count('<tspan data-n="') == 5
    capsys.readouterr()


def test_cli_refuses_an_unknown_style(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """--style lines exits 2 naming the choices."""
    code = main(["draw", "x*y", "x=1", "y=2", "--style", "lines", "-o", str(tmp_path / "f.svg")])
    assert code == 2
    assert re.search(r"--style: invalid choice: 'lines' \(choose from '?boxes'?, '?wires'?\)", capsys.readouterr().err)
