"""The what-if page in headless Chromium: edited leaves give the Python engine's values, gradients, frames and errors."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Iterator, Optional

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from autograd import GATES, GateError, Value, topological_order
from autograd.testing import EXPONENTS, RandomGraph, finite_floats, graphs
from viz import save_html

GRAPHS = 200 if os.environ.get("GATEGRAPH_FUZZ") == "1" else 50

pytestmark = pytest.mark.browser  # the browser fixture (conftest.py) skips where Chromium is missing


@pytest.fixture(scope="module")
def tab(browser) -> Iterator[object]:
    """One tab for the whole module; it records page errors and dialogs."""
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    page.problems, page.dialogs = [], []
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    page.on("console", lambda msg: page.problems.append(msg.text) if msg.type == "error" else None)
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    page.close()


def leaf_box(label: str) -> str:
    return f'.whatif .leaf:has(> span[title="{label}"]) input[type=number]'


def close(js: float, py: float) -> bool:
    """Equal within 1e-12 relative (an exact zero must be matched to 1e-300)."""
    return math.isclose(js, py, rel_tol=1e-12, abs_tol=1e-300)


def first_forward_error(graph: RandomGraph, inputs: tuple[float, ...]) -> str:
    """The engine's message for the first gate, in topological order, whose forward fails on ``inputs``.

    The page computes in topological order, while Python stops at the first failing gate in the
    order the code made them; where several gates fail they may name different ones, so this
    asks the engine about the gate the page reaches first (its inputs rebuilt as labelled leaves).
    """
    root, leaves = graph.build()
    data = {leaf: x for leaf, x in zip(leaves, inputs)}
    for node in topological_order(root):
        if not node.op:
            continue
        parents = [Value(data[p], p.label) for p in node.parents]
        try:
            data[node] = RandomGraph((), ((node.op, tuple(range(len(parents))), node.const),))(*parents).data
        except GateError as error:
            return str(error)
    raise AssertionError("no gate fails on these inputs")


def python_side(graph: RandomGraph, inputs: tuple[float, ...]) -> tuple[Optional[str], list[Value]]:
    """The engine's error message (or None) and the nodes in topological order, on new inputs."""
    try:
        root, _ = RandomGraph(inputs, graph.program).build()
    except GateError:
        return first_forward_error(graph, inputs), []
    try:
        root.backward()
    except GateError as error:
        return str(error), []
    return None, topological_order(root)


def test_fifty_drawn_graphs_edited_in_the_page_match_the_engine(tab, tmp_path: Path) -> None:
    """On 50 drawn graphs, new inputs typed into the page give the engine's values and gradients (1e-12) or its error."""
    drawn: list[tuple[RandomGraph, list[float]]] = []

    @settings(max_examples=GRAPHS, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(graphs(), st.lists(finite_floats(-3.0, 3.0), min_size=3, max_size=3))
    def collect(graph: RandomGraph, new: list[float]) -> None:
        drawn.append((graph, new))

    collect()
    assert len(drawn) >= 50
    mismatches, errors_seen = [], 0
    for k, (graph, new) in enumerate(drawn):
        root, _ = graph.build()
        path = save_html(root, tmp_path / f"g{k}.html", interactive=True)
        tab.set_content(path.read_text(encoding="utf-8"))  # the page's own bytes, faster than a navigation
        # before any edit the page's engine rebuilds exactly the frames Python wrote
        assert tab.evaluate("() => JSON.stringify(gategraph.use('whatif').compute().frames) === JSON.stringify(gategraph.use('stepper').data.frames)"), graph
        inputs = tuple(new[: len(graph.inputs)])
        for i, x in enumerate(inputs):
            tab.fill(leaf_box(f"x{i}"), repr(x))
        state = tab.evaluate("gategraph.use('whatif').state()")
        message, order = python_side(graph, inputs)
        shown = tab.inner_text(".stage") + tab.inner_text("#caption")
        assert "NaN" not in shown and "Infinity" not in shown
        if message is not None:
            errors_seen += 1
            assert state["error"] == message and tab.inner_text(".whatif .error .message") == message
            continue
        assert state["error"] is None and len(state["data"]) == len(order)
        for node, data, grad in zip(order, state["data"], state["grad"]):
            if not (close(data, node.data) and close(grad, node.grad)):
                mismatches.append((graph, node, data, node.data, grad, node.grad))
    assert mismatches == [] and tab.problems == [] and tab.dialogs == []


def test_log_of_a_negative_number_shows_the_log_gates_error_in_words(tab, tmp_path: Path) -> None:
    """x = −1 typed into the page shows GateError's own message, marks the log gate, and nowhere shows NaN."""
    x = Value(2.0, "x")
    f = (x * 3.0).log() + x
    f.label = "f"
    tab.goto(save_html(f, tmp_path / "log.html", interactive=True).as_uri())
    tab.fill(leaf_box("x"), "-1")
    with pytest.raises(GateError) as expected:
        (Value(-1.0, "x") * 3.0).log()
    assert tab.inner_text(".whatif .error .message") == str(expected.value) == "log() needs x > 0, got -3.0"
    assert tab.is_visible(".whatif .error") and tab.locator(".node.failed").count() == 1
    body = tab.inner_text("body")
    assert "NaN" not in body and "Infinity" not in body and "log gate cannot compute" in tab.inner_text("#caption")
    tab.fill(leaf_box("x"), "0.5")  # back in the domain: the error goes, the numbers come back
    assert not tab.is_visible(".whatif .error") and tab.locator(".node.failed").count() == 0
    assert tab.evaluate("gategraph.use('whatif').state().grad[0]") == pytest.approx(1 / 0.5 + 1, rel=1e-12)


def sample_points(name: str) -> list[tuple[tuple[float, ...], Optional[float]]]:
    """Points to compare a row and its twin at: ordinary ones, kinks, ties, domain edges, overflow."""
    gate = GATES[name]
    xs = [-710.0, -3.0, -1.5, -0.5, -1e-3, 0.0, 1e-3, 0.5, 1.0, 2.5, 20.0, 709.0, 710.0]
    cs = list(EXPONENTS) + [0.0, 1.5] if gate.takes_constant else [None]
    if gate.arity == 2:
        return [((a, b), None) for a in xs for b in xs]
    return [((x,), c) for x in xs for c in cs if not (x == 0.0 and c == 0.0)]


@pytest.mark.parametrize("name", sorted(GATES))
def test_each_twin_reproduces_its_python_row(tab, tmp_path: Path, name: str) -> None:
    """A row's JavaScript forward and local derivatives give its Python numbers (1e-12), and are not finite where it raises."""
    tab.goto(save_html(Value(1.0, "x") * 2.0, tmp_path / "twins.html", interactive=True).as_uri())
    gate, points = GATES[name], sample_points(name)
    results = tab.evaluate("""([name, points]) => points.map(([xs, c]) => {
        const twin = gategraph.use('twins')[name], out = twin.f(xs[0], xs[1], c);
        return [out, isFinite(out) ? twin.l(out, xs[0], xs[1], c) : []];
    })""", [name, [[list(xs), c] for xs, c in points]])
    for (xs, c), (out, local) in zip(points, results):
        try:
            expected = gate.forward_at(xs, c)
            if not math.isfinite(expected):
                raise OverflowError
        except (ValueError, OverflowError, ZeroDivisionError):
            assert out is None or not math.isfinite(out), (name, xs, c, out)  # JSON sends NaN/±inf as null
            continue
        assert close(out, expected), (name, xs, c, out, expected)
        try:
            grads = gate.local_grads_at(expected, xs, c)
        except (ValueError, OverflowError, ZeroDivisionError):
            assert any(g is None or not math.isfinite(g) for g in local), (name, xs, c, local)
            continue
        assert all(close(j, p) for j, p in zip(local, grads)) and len(local) == gate.arity, (name, xs, c, local, grads)


def test_hostile_labels_stay_text_in_the_what_if_panel_and_captions(tab, tmp_path: Path) -> None:
    """Labels holding </script>, <img onerror> and <svg onload> show as text in the panel and rebuilt captions."""
    a, b = Value(1.0, "</script><img src=x onerror=alert(1)>"), Value(2.0, "<svg onload=alert(2)>")
    out = a * b
    out.label = "\u2028</SCRIPT ><!--"
    path = save_html(out, tmp_path / "hostile.html", interactive=True)
    assert path.read_text(encoding="utf-8").count("<script") == 7  # page, what-if, check: data + script each; gg.js
    tab.goto(path.as_uri())
    tab.locator(".whatif input[type=number]").first.fill("3")
    caption = tab.inner_text("#caption")
    assert "to </script><img src=x onerror=alert(1)> (3): upstream 1 × local 2 = 2" in caption
    assert "<svg onload=alert(2)>" in tab.inner_text(".whatif")
    assert tab.locator("img").count() == 0 and tab.dialogs == [] and tab.problems == []


def test_chinese_page_rebuilds_its_captions_in_chinese(tab, tmp_path: Path) -> None:
    """On a zh page, the frames rebuilt by the page equal the Python ones, and an edit keeps them in Chinese."""
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    f = (x + y) * z
    tab.goto(save_html(f, tmp_path / "zh.html", lang="zh", interactive=True).as_uri())
    assert tab.evaluate("() => JSON.stringify(gategraph.use('whatif').compute().frames) === JSON.stringify(gategraph.use('stepper').data.frames)")
    tab.fill(leaf_box("z"), "2")
    assert "加法门单元" in tab.inner_text("#caption") and tab.evaluate("gategraph.use('whatif').state().grad[0]") == 2.0
    assert tab.inner_text("#counter") == "第 2 步，共 2 步"


def test_slider_moves_the_numbers_and_reset_restores_them(tab, tmp_path: Path) -> None:
    """Dragging a leaf's slider changes its box and the output; reset brings back the original numbers."""
    x = Value(1.5, "x")
    f = (x * x).tanh()
    tab.goto(save_html(f, tmp_path / "slide.html", interactive=True).as_uri())
    slider = tab.locator('.whatif input[type=range][data-leaf="0"]')
    assert (float(slider.get_attribute("min")), float(slider.get_attribute("max"))) == (-1.5, 4.5)
    slider.fill("-1")
    state = tab.evaluate("gategraph.use('whatif').state()")
    assert tab.input_value(leaf_box("x")) == "-1" and state["data"][-1] == pytest.approx(math.tanh(1.0), rel=1e-12)
    tab.click(".whatif .reset")
    assert tab.evaluate("gategraph.use('whatif').state()")["data"][-1] == pytest.approx(math.tanh(2.25), rel=1e-12)
    assert tab.input_value(leaf_box("x")) == "1.5"


def test_an_overflowing_input_shows_the_engines_overflow_error(tab, tmp_path: Path) -> None:
    """x = 1e308 in x·x shows mul's overflow message as GateError words it; the slider's range stays finite."""
    x = Value(2.0, "x")
    tab.goto(save_html((x * x).tanh(), tmp_path / "big.html", interactive=True).as_uri())
    tab.fill(leaf_box("x"), "1e308")
    big = Value(1e308, "x")
    with pytest.raises(GateError) as expected:
        big * big
    assert tab.inner_text(".whatif .error .message") == str(expected.value)
    slider = tab.locator('.whatif input[type=range][data-leaf="0"]')
    assert all(math.isfinite(float(slider.get_attribute(end))) for end in ("min", "max", "step"))
    body = tab.inner_text("body")
    assert "NaN" not in body and "Infinity" not in body and tab.problems == []


@pytest.mark.parametrize("make, typed", [
    (lambda x: x.log(), 0.0),             # a pole: log(0) is outside the domain
    (lambda x: x.exp(), 1000.0),          # too large: exp(1000) overflows
    (lambda x: x ** -1, 0.0),             # a pole: 0 ** -1
    (lambda x: x ** 0.5, 0.0),            # forward fine, local derivative at a pole
    (lambda x: x ** 3, 1e103),            # too large: 1e309
    (lambda x: x ** -0.5, 1e-300),        # forward fine (1e150), local derivative overflows (1e450)
])
def test_errors_tell_a_point_outside_the_domain_from_an_overflow(tab, tmp_path: Path, make, typed: float) -> None:
    """A pole (an input of 0) gives the engine's domain or no-derivative words, a too-large result its overflow words."""
    x = Value(2.0, "x")
    tab.set_content(save_html(make(x).tanh(), tmp_path / "e.html", interactive=True).read_text(encoding="utf-8"))
    tab.fill(leaf_box("x"), repr(typed))
    with pytest.raises(GateError) as expected:
        make(Value(typed, "x")).tanh().backward()
    assert tab.inner_text(".whatif .error .message") == str(expected.value)
