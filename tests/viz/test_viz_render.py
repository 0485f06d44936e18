"""render and Diagram find a Graphviz executable (system dot, else graphviz-pure) and write SVG or PNG."""

from __future__ import annotations

import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Optional

import pytest

import viz.backend
from autograd import Value
from viz import DotNotFoundError, RenderError, draw_graph, find_dot, render
from viz.backend import render_svgs

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def no_system_dot(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hide any system dot: PATH lookups of "dot" find nothing."""
    real_which = shutil.which
    monkeypatch.setattr(viz.backend.shutil, "which", lambda name, *a, **k: None if name == "dot" else real_which(name, *a, **k))


def test_without_system_dot_the_pip_graphviz_pure_is_used(no_system_dot) -> None:
    """With no dot on PATH, find_dot returns graphviz-pure from beside the interpreter."""
    assert find_dot() == str(Path(sys.executable).parent / "graphviz-pure")


def test_system_dot_is_preferred_when_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """A dot on PATH wins over graphviz-pure (GATEGRAPH_DOT unset, as for a user)."""
    monkeypatch.delenv("GATEGRAPH_DOT", raising=False)
    monkeypatch.setattr(viz.backend.shutil, "which", lambda name, *a, **k: "/usr/bin/dot" if name == "dot" else None)
    assert find_dot() == "/usr/bin/dot"


def test_gategraph_dot_graphviz_pure_beats_a_system_dot(monkeypatch: pytest.MonkeyPatch) -> None:
    """GATEGRAPH_DOT=graphviz-pure: the pip executable, though a dot is on PATH."""
    monkeypatch.setenv("GATEGRAPH_DOT", "graphviz-pure")
    real_which = shutil.which
    monkeypatch.setattr(viz.backend.shutil, "which", lambda name, *a, **k: "/usr/bin/dot" if name == "dot" else real_which(name, *a, **k))
    assert find_dot() == str(Path(sys.executable).parent / "graphviz-pure")


def test_gategraph_dot_names_the_executable_to_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """GATEGRAPH_DOT=<path> runs that executable; one that does not exist is an error naming it."""
    pure = str(Path(sys.executable).parent / "graphviz-pure")
    monkeypatch.setenv("GATEGRAPH_DOT", pure)
    assert find_dot() == pure
    monkeypatch.setenv("GATEGRAPH_DOT", "/nowhere/dot")
    with pytest.raises(DotNotFoundError, match=r"^cannot draw: GATEGRAPH_DOT='/nowhere/dot' is no executable"):
        find_dot()


def test_neither_found_names_both(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No dot and no graphviz-pure: the error names both and how to install either."""
    monkeypatch.delenv("GATEGRAPH_DOT", raising=False)
    monkeypatch.setattr(viz.backend.shutil, "which", lambda name, *a, **k: None)
    monkeypatch.setattr(viz.backend.sys, "executable", str(tmp_path / "python"))
    with pytest.raises(DotNotFoundError, match=r"system 'dot'.*'graphviz-pure'.*pip install graphviz-pure"):
        find_dot()


@pytest.mark.graphviz
def test_render_svg_through_graphviz_pure(no_system_dot, course, tmp_path: Path) -> None:
    """The course example renders to a well-formed SVG holding its numbers, with no system dot."""
    out = render(draw_graph(course.f), tmp_path / "f.svg")
    root = ET.parse(out).getroot()
    texts = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert root.tag == f"{SVG}svg" and "data -12" in texts and "grad 3" in texts


@pytest.mark.graphviz
def test_render_png_through_graphviz_pure(no_system_dot, course, tmp_path: Path) -> None:
    """A .png path gives a PNG file."""
    out = render(draw_graph(course.f), tmp_path / "f.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_render_returns_the_path_as_given(no_system_dot, course, tmp_path: Path) -> None:
    """render returns its path argument unchanged (a str stays a str)."""
    target = str(tmp_path / "sub" / "f.svg")
    assert render(draw_graph(course.f), target) == target and Path(target).is_file()


def test_unknown_suffix_is_refused_listing_valid_ones(course, tmp_path: Path) -> None:
    """A .pdf path raises ValueError listing .svg and .png, and writes nothing."""
    with pytest.raises(ValueError, match=r"suffix '\.pdf'.*use one of \.svg, \.png"):
        render(draw_graph(course.f), tmp_path / "f.pdf")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.graphviz
def test_graphviz_error_is_reported(tmp_path: Path) -> None:
    """Broken DOT raises RenderError (a RuntimeError) carrying Graphviz's message."""
    with pytest.raises(RenderError, match=r"graphviz-pure failed|dot failed"):
        render("digraph { a -> }", tmp_path / "bad.svg")


@pytest.mark.graphviz
def test_diagram_displays_in_jupyter_without_system_dot(no_system_dot, course) -> None:
    """_repr_svg_ and the mime bundle render through the fallback."""
    diagram = draw_graph(course.f)
    bundle = diagram._repr_mimebundle_()
    assert diagram._repr_svg_().count("<svg") == 1 and bundle["image/svg+xml"].count("<svg") == 1


@pytest.mark.graphviz
def test_diagram_pipe_gives_png_bytes(no_system_dot, course) -> None:
    """Diagram.pipe(format="png") works through the fallback too."""
    assert draw_graph(course.f).pipe(format="png")[:4] == b"\x89PNG"


@pytest.mark.graphviz
def test_batch_render_keeps_order(no_system_dot) -> None:
    """render_svgs renders several graphs in few runs and returns them in order."""
    diagrams = [draw_graph(Value(float(i), f"node{i}") * 2.0) for i in range(5)]
    svgs = render_svgs(diagrams, workers=2)
    assert [("node%d" % i) in svg for i, svg in enumerate(svgs)] == [True] * 5
    assert all(svg.count("<svg") == 1 for svg in svgs)


HOSTILE = 'q"{|}<>\\N\\\\ </text><script>alert(1)</script> & \x07 é ∂'


@pytest.mark.graphviz
def test_hostile_labels_render_to_well_formed_svg_as_plain_text(no_system_dot, tmp_path: Path) -> None:
    """Labels with quotes, braces, pipes, backslashes and markup render verbatim as text, no elements."""
    a = Value(1.0, HOSTILE[:35])
    out = Value(2.0, "<b>bold</b>") * a
    out.label = "</svg>&amp;"
    out.backward()
    root = ET.parse(render(draw_graph(out), tmp_path / "h.svg")).getroot()
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    assert HOSTILE[:27] in "".join(texts).replace("\u200b", "")
    assert "<b>bold</b>" in texts and "</svg>&amp;" in texts
    assert not [e for e in root.iter() if e.tag.split("}")[-1] in ("script", "b", "foreignObject")]


def test_diagram_repr_has_no_memory_address(course) -> None:
    """repr(diagram) is the same on every run (no 0x... address), so notebook outputs stay stable."""
    import viz

    text = repr(viz.draw_graph(course.f))
    assert "0x" not in text and text.startswith("<viz.Diagram: ")


# -- layer columns, measured on the rendered SVG

#: Area (pt²) of the grouped 3 → 4 → 4 → 1 + hinge loss diagram below before layer columns:
#: a diagonal staircase of 4234 × 1521 pt (measured with graphviz-pure 0.2.2 on the code before
#: this change).
STAIRCASE_AREA = 4234 * 1521
#: How far below a layer box's top its label's baseline may lie (points): the room left for it.
LAYER_LABEL_ROOM = 20


def _boxes(svg: str) -> tuple[float, dict[str, tuple[float, float, float, float]], dict[str, tuple[float, float, float, float]]]:
    """The drawing's area, each cluster's box by its label and each node's box by its text (x0, x1, y0, y1)."""
    import re

    root = ET.fromstring(svg)
    area = float(root.get("width").removesuffix("pt")) * float(root.get("height").removesuffix("pt"))
    found: dict[str, dict[str, tuple[float, float, float, float]]] = {"cluster": {}, "node": {}}
    for g in root.iter(f"{SVG}g"):
        kind = g.get("class")
        if kind not in found:
            continue
        points = []
        for shape in g:
            coords = shape.get("points") or shape.get("d") or ""
            points += [tuple(map(float, p.split(","))) for p in re.findall(r"-?[\d.]+,-?[\d.]+", coords)]
        if points:
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            key = " ".join((t.text or "").strip() for t in g.iter(f"{SVG}text")).strip()
            found[kind][key] = (min(xs), max(xs), min(ys), max(ys))
    return area, found["cluster"], found["node"]


#: The renderers the layout tests run on: the pip one (always), and a system dot where installed
#: (CI installs Debian's). Largest share of the staircase's area each may take.
RENDERERS = {"graphviz-pure": 0.5, "dot": 0.6}


@pytest.fixture(scope="module", params=sorted(RENDERERS))
def network_svg(request: pytest.FixtureRequest) -> str:
    """The grouped 3 → 4 → 4 → 1 network with a hinge loss on one point, rendered by graphviz-pure
    and by the system dot (skipped where there is none)."""
    import nn
    from nn.losses import hinge_loss
    from viz.backend import render_svg

    if request.param == "dot" and shutil.which("dot") is None:
        pytest.skip("no system Graphviz 'dot' on PATH (Debian: apt install graphviz)")
    model = nn.MLP(3, [4, 4, 1], seed=1)
    loss = hinge_loss(model([Value(v, f"x{i}") for i, v in enumerate([0.5, -1.0, 2.0])]), 1)
    loss.label = "loss"
    loss.backward()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GATEGRAPH_DOT", request.param)
        svg = render_svg(draw_graph(loss, group=True, legend=False))
    assert ("graphviz-pure" in svg) == (request.param == "graphviz-pure")  # the renderer asked for
    return svg


@pytest.mark.graphviz
def test_each_layer_lies_strictly_right_of_the_previous_one(network_svg) -> None:
    """Cluster L1 ends left of where L2 starts, and L2 left of L3."""
    _, clusters, _ = _boxes(network_svg)
    assert clusters["L1"][1] < clusters["L2"][0] and clusters["L2"][1] < clusters["L3"][0]


@pytest.mark.graphviz
def test_inputs_lie_left_of_the_first_layer(network_svg) -> None:
    """x0, x1 and x2 end left of where cluster L1 starts."""
    _, clusters, nodes = _boxes(network_svg)
    inputs = [box for text, box in nodes.items() if text.split()[0] in ("x0", "x1", "x2")]
    assert len(inputs) == 3 and max(box[1] for box in inputs) < clusters["L1"][0]


@pytest.mark.graphviz
def test_inputs_stand_in_order_top_to_bottom(network_svg) -> None:
    """x0 on top of x1, x1 on top of x2 (crossing minimisation alone put x1 first)."""
    _, _, nodes = _boxes(network_svg)
    tops = {text.split()[0]: box[2] for text, box in nodes.items() if text.split()[0] in ("x0", "x1", "x2")}
    assert tops["x0"] < tops["x1"] < tops["x2"]


@pytest.mark.graphviz
def test_neurons_stand_in_order_top_to_bottom(network_svg) -> None:
    """In each layer N0 is on top, then N1, N2, N3 (SVG y grows downwards)."""
    _, clusters, _ = _boxes(network_svg)
    for layer in ("L1", "L2"):
        tops = [clusters[f"{layer}.N{j}"][2] for j in range(4)]
        assert tops == sorted(tops)


@pytest.mark.graphviz
def test_the_columns_take_at_most_half_the_staircases_area(network_svg, request) -> None:
    """The drawing's width × height is at most 0.5 × the staircase's 4234 × 1521 pt with
    graphviz-pure (layer clusters laid out by dot itself gave 3752 × 1008, 0.59; lined up,
    3728 × 817, 0.47; every node named on a row above its numbers, 3624 × 862, 0.49; each
    neuron's running sum folded into one column, 2344 × 1108, 0.40), and at most 0.6 with
    Debian's Graphviz 2.43 (0.52; folded, 2585 × 1077, 0.43). The colour key is left out: it
    stands under the drawing and says nothing of the layout."""
    area, _, _ = _boxes(network_svg)
    assert area <= RENDERERS[request.node.callspec.params["network_svg"]] * STAIRCASE_AREA


@pytest.mark.graphviz
def test_the_layers_line_up_instead_of_climbing(network_svg) -> None:
    """Of two neighbouring columns (the inputs, L1, L2, L3), the shorter one's vertical middle lies
    within the taller one's span: no staircase (dot's own layer clusters put the inputs below L1
    and L1's middle below all of L2)."""
    _, clusters, nodes = _boxes(network_svg)
    inputs = [box for text, box in nodes.items() if text.split()[0] in ("x0", "x1", "x2")]
    spans = [(min(b[2] for b in inputs), max(b[3] for b in inputs))] + [clusters[k][2:] for k in ("L1", "L2", "L3")]
    for a, b in zip(spans, spans[1:]):
        short, tall = sorted((a, b), key=lambda span: span[1] - span[0])
        assert tall[0] < (short[0] + short[1]) / 2 < tall[1], (a, b)


@pytest.mark.graphviz
def test_each_layer_box_holds_all_its_neurons(network_svg) -> None:
    """The box of L1 (drawn after layout, see viz.backend.pinned_layers) encloses L1.N0 to L1.N3,
    and L2 all of L2's: each layer's label stands above its neurons'."""
    _, clusters, _ = _boxes(network_svg)
    for layer, n in (("L1", 4), ("L2", 4), ("L3", 1)):
        x0, x1, y0, y1 = clusters[layer]
        for j in range(n):
            a0, a1, b0, b1 = clusters[f"{layer}.N{j}"]
            assert x0 < a0 and a1 < x1 and y0 < b0 and b1 < y1, (layer, j)


@pytest.mark.graphviz
def test_the_loss_lies_right_of_the_last_layer(network_svg) -> None:
    """The node labelled loss starts right of cluster L3."""
    _, clusters, nodes = _boxes(network_svg)
    loss = next(box for text, box in nodes.items() if text.startswith("loss"))
    assert loss[0] > clusters["L3"][1]



def _sampled(path: str, steps: int = 12) -> list[tuple[float, float]]:
    """Points along an SVG path of cubic Béziers (``M x,y C x,y x,y x,y …``), ``steps`` per curve."""
    import re

    p = [tuple(map(float, xy.split(","))) for xy in re.findall(r"-?[\d.]+,-?[\d.]+", path)]
    out = [p[0]]
    for i in range(1, len(p) - 2, 3):
        (a, b), (c, d), (e, f), (g, h) = p[i - 1 : i + 3]
        for s in range(1, steps + 1):
            t = s / steps
            u = 1 - t
            out.append((u**3 * a + 3 * u * u * t * c + 3 * u * t * t * e + t**3 * g,
                        u**3 * b + 3 * u * u * t * d + 3 * u * t * t * f + t**3 * h))
    return out


@pytest.mark.graphviz
def test_the_network_is_at_most_three_times_as_wide_as_tall(network_svg) -> None:
    """Width : height of the whole drawing ≤ 3 : 1 (a running sum per input gave 3624 × 862,
    4.2 : 1, with graphviz-pure and 4063 × 832, 4.9 : 1, with Debian's dot 2.43; folded into one
    column of gates, 2344 × 1108, 2.1 : 1, and 2585 × 1077, 2.4 : 1)."""
    root = ET.fromstring(network_svg)
    width, height = (float(root.get(side).removesuffix("pt")) for side in ("width", "height"))
    assert width <= 3 * height, (width, height)


@pytest.mark.graphviz
def test_weights_stand_in_index_order_in_every_neuron(network_svg) -> None:
    """In each neuron w.0 is on top of w.1, w.1 on top of w.2 (… w.3), as their inputs are
    (before, graphviz-pure drew L1.N3's three weights and L2.N3's four upside down)."""
    import re

    _, _, nodes = _boxes(network_svg)
    tops: dict[str, dict[int, float]] = {}
    for text, box in nodes.items():
        named = re.fullmatch(r"w(\d+\.\d+)\.(\d+)", text.split()[0])
        if named:
            tops.setdefault(named.group(1), {})[int(named.group(2))] = box[2]
    assert len(tops) == 9, sorted(tops)
    for neuron, by_index in tops.items():
        ys = [by_index[i] for i in sorted(by_index)]
        assert ys == sorted(ys), (neuron, by_index)


@pytest.mark.graphviz
def test_no_edge_passes_through_a_neuron_box_it_does_not_enter(network_svg) -> None:
    """No point sampled along an edge lies inside a neuron's box (1 pt in from its border) unless
    the edge's tail or head lies in that box."""
    import re

    _, clusters, _ = _boxes(network_svg)
    neurons = {name: box for name, box in clusters.items() if ".N" in name}
    centres = {}  # each node's centre by its id: the middle of its shapes' and texts' points
    root = ET.fromstring(network_svg)
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "node":
            points = [tuple(map(float, xy.split(","))) for shape in g
                      for xy in re.findall(r"-?[\d.]+,-?[\d.]+", shape.get("points") or shape.get("d") or "")]
            points += [(float(t.get("x")), float(t.get("y"))) for t in g.iter(f"{SVG}text")]
            points += [(float(e.get("cx")), float(e.get("cy"))) for e in g.iter(f"{SVG}ellipse")]
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            centres[g.find(f"{SVG}title").text] = ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)

    def inside(point: tuple[float, float], box: tuple[float, float, float, float], pad: float) -> bool:
        return box[0] + pad < point[0] < box[1] - pad and box[2] + pad < point[1] < box[3] - pad

    crossings = []
    for g in root.iter(f"{SVG}g"):
        if g.get("class") != "edge":
            continue
        ends = [end.split(":")[0] for end in g.find(f"{SVG}title").text.split("->")]
        own = {name for name, box in neurons.items() for end in ends if end in centres and inside(centres[end], box, 0)}
        points = _sampled(g.find(f"{SVG}path").get("d"))
        crossings += [(ends, name) for name, box in neurons.items()
                      if name not in own and any(inside(p, box, 1.0) for p in points)]
    assert len(centres) > 100 and not crossings, crossings[:5]


# -- Chinese labels

@pytest.mark.graphviz
def test_chinese_label_cell_is_laid_out_at_its_real_width(no_system_dot) -> None:
    """A label of eight CJK characters at 11 pt gets a cell at least 8 × 11 pt wide (1 em each)."""
    from viz.backend import render_svg

    svg = render_svg(draw_graph(Value(1.0, "权重权重权重权重"), lang="zh", legend=False))
    texts = [t for t in ET.fromstring(svg).iter(f"{SVG}text")]
    label = next(t for t in texts if "权重" in (t.text or ""))
    after = next(t for t in texts if float(t.get("x")) > float(label.get("x")))
    assert float(after.get("x")) - float(label.get("x")) >= 8 * 11


@pytest.mark.graphviz
def test_chinese_text_in_svg_names_cjk_fonts(no_system_dot) -> None:
    """The SVG font-family of a CJK run falls back to Noto Sans CJK SC and other CJK fonts."""
    from viz.backend import render_svg

    svg = render_svg(draw_graph(Value(1.0, "权重w"), lang="zh"))
    families = {t.get("font-family") for t in ET.fromstring(svg).iter(f"{SVG}text") if "权" in (t.text or "")}
    assert families and all("'Noto Sans CJK SC'" in f and "'Microsoft YaHei'" in f for f in families)


def _pixels(png: bytes) -> list:
    from io import BytesIO

    from PIL import Image

    return list(Image.open(BytesIO(png)).convert("L").tobytes())


@pytest.mark.graphviz
def test_graphviz_pure_alone_draws_every_cjk_character_as_the_same_box(no_system_dot) -> None:
    """The baseline the fix answers: graphviz-pure's own PNG of 权重 and of 梯度 is the same picture (tofu)."""
    from viz.backend import _run

    def tofu(word: str) -> bytes:
        return _run(f'digraph {{ a [label="{word}" shape=box] }}', "png")

    assert _pixels(tofu("权重")) == _pixels(tofu("梯度"))


@pytest.mark.graphviz
def test_png_chinese_labels_are_drawn_with_glyphs(no_system_dot, tmp_path: Path) -> None:
    """render's PNGs of 权重 and 梯度 differ (real glyphs, not one box shape) and carry ink in the label."""
    pngs = []
    for word in ("权重", "梯度"):
        pngs.append(render(f'digraph {{ a [label="{word}" shape=plain fontname=Helvetica] }}', tmp_path / f"{word}.png"))
    first, second = (_pixels(p.read_bytes()) for p in pngs)
    assert len(first) == len(second) and sum(a != b for a, b in zip(first, second)) > 50
    assert sum(v < 128 for v in first) > 50  # dark strokes, not an empty picture


@pytest.mark.graphviz
def test_render_writes_whole_or_not_at_all(course, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A write that fails at the last step leaves the existing file's bytes and no temporary file."""
    import viz._files

    target = tmp_path / "f.svg"
    target.write_text("old picture")

    def full_disk(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(viz._files.os, "replace", full_disk)
    with pytest.raises(OSError, match=r"No space left on device"):
        render(draw_graph(course.f), target)
    assert [p.name for p in tmp_path.iterdir()] == ["f.svg"] and target.read_text() == "old picture"


@pytest.mark.graphviz
def test_render_to_a_folder_is_refused(course, tmp_path: Path) -> None:
    """A folder named like a diagram is not overwritten: IsADirectoryError naming it."""
    (tmp_path / "d.svg").mkdir()
    with pytest.raises(IsADirectoryError, match=r"d\.svg' is a folder, not a file"):
        render(draw_graph(course.f), tmp_path / "d.svg")


def _font_dir(pattern: str) -> Optional[str]:
    """A folder holding a font file whose name matches ``pattern``, among the system's fonts."""
    for root in ("/usr/share/fonts", "/usr/local/share/fonts", "/Library/Fonts", "C:/Windows/Fonts"):
        for path in sorted(Path(root).glob(f"**/{pattern}")) if Path(root).is_dir() else ():
            return str(path.parent)
    return None


def test_cjk_font_probe_says_no_where_no_font_draws_ideographs() -> None:
    """No fonts at all (nothing drawn) and matplotlib's DejaVu alone (the same box for every
    ideograph): no CJK font, both times."""
    import matplotlib

    from viz.backend import cjk_font_found

    latin_only = str(Path(matplotlib.__file__).parent / "mpl-data" / "fonts" / "ttf")
    assert not cjk_font_found(skip_system_fonts=True)
    assert not cjk_font_found(skip_system_fonts=True, font_dirs=[latin_only])


def test_cjk_font_probe_says_yes_for_noto_sans_cjk() -> None:
    """The folder of Noto Sans CJK (Debian's fonts-noto-cjk, which CI installs) draws ideographs."""
    from viz.backend import cjk_font_found

    folder = _font_dir("NotoSansCJK*")
    if folder is None:
        pytest.skip("Noto Sans CJK is not installed (Debian: apt install fonts-noto-cjk)")
    assert cjk_font_found(skip_system_fonts=True, font_dirs=[folder])


@pytest.mark.graphviz
def test_png_with_chinese_labels_and_no_cjk_font_is_refused_not_blank(
    no_system_dot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a CJK font a zh PNG would carry blank or boxed labels: RenderError saying what to
    install, and the existing file keeps its bytes. A PNG without CJK text is drawn as before."""
    monkeypatch.setattr(viz.backend, "_system_cjk_font", lambda: False)
    target = tmp_path / "zh.png"
    target.write_bytes(b"old picture")
    with pytest.raises(RenderError, match=r"^no font for Chinese \(CJK\) text is installed.*apt install fonts-noto-cjk"):
        render(draw_graph(Value(1.0, "权重"), lang="zh"), target)
    assert target.read_bytes() == b"old picture"
    assert render(draw_graph(Value(1.0, "w")), tmp_path / "en.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_pinned_layers_joins_the_boxes_of_a_layers_clusters_past_anonymous_subgraphs(rankdir: str) -> None:
    """A laid-out layer whose first neuron holds a rank=same block ({ ... }): the layer's box still
    joins both neurons' boxes, plus the margin and room for its label (10 pt "L1", 12 pt wide):
    on top where layers stand side by side (LR), on the left where they are stacked (TB). The
    page's bounding box grows to hold it."""
    from viz.backend import LAYER_LABEL, LAYER_MARGIN, pinned_layers

    laid_out = "\n".join([
        "digraph {",
        f'\tgraph [bb="0,0,100,100", rankdir={rankdir}];',
        "\tnode [label=\"\\N\"];",
        "\tsubgraph layer_0 {",
        '\t\tgraph [fontsize=10, label=<L1>];',
        "\t\tsubgraph cluster_1 {",
        '\t\t\tgraph [bb="10,60,90,95"];',
        "\t\t\t{",
        "\t\t\t\tgraph [rank=same];",
        "\t\t\t\ta;",
        "\t\t\t}",
        "\t\t}",
        "\t\tsubgraph cluster_2 {",
        '\t\t\tgraph [bb="5,10,95,50"];',
        "\t\t\tb;",
        "\t\t}",
        "\t}",
        "}",
    ])
    pinned = pinned_layers(laid_out)
    m = LAYER_MARGIN
    left, top = (5 - m, 95 + m + LAYER_LABEL) if rankdir == "LR" else (5 - m - 12 - 2 * m, 95 + m)
    assert f'subgraph cluster_0 {{\n\tgraph [bb="{left:.2f},{10 - m:.2f},{95 + m:.2f},{top:.2f}", lp=' in pinned
    assert f'graph [bb="{min(0, left):.2f},0.00,100.00,{max(100, top):.2f}"' in pinned and "layer_" not in pinned


@pytest.mark.graphviz
def test_a_layers_label_stands_top_left_in_its_box_beside_a_graph_label() -> None:
    """A lens's legend is the graph's label (at the bottom); the layer's own label still stands at
    the top left inside the layer's box (left to neato -n2, it took the legend's place)."""
    import nn

    neuron = nn.Neuron(2, seed=0)
    h = neuron([Value(1.0, "x0"), Value(0.5, "x1")])
    h.backward()
    svg = viz.backend.render_svg(draw_graph(h, lens="health"))
    _, clusters, _ = _boxes(svg)
    x0, x1, y0, y1 = clusters["L1"]
    text = next(t for t in ET.fromstring(svg).iter(f"{SVG}text") if t.text == "L1")
    x, y = float(text.get("x")), float(text.get("y"))
    assert x0 < x < x0 + 20 and y0 < y < y0 + LAYER_LABEL_ROOM


@pytest.mark.graphviz
def test_stacked_layers_keep_their_labels_on_the_left_clear_of_the_inputs() -> None:
    """rankdir="TB" stacks the layers, so a label on top would sit on the row above (the inputs,
    the layer before): each label stands left of its neurons, and no input overlaps L1's box."""
    import nn
    from nn.losses import hinge_loss

    loss = hinge_loss(nn.MLP(3, [4, 4, 1], seed=1)([Value(v, f"x{i}") for i, v in enumerate([0.5, -1.0, 2.0])]), 1)
    svg = viz.backend.render_svg(draw_graph(loss, rankdir="TB"))
    _, clusters, nodes = _boxes(svg)
    texts = {t.text: float(t.get("x")) for t in ET.fromstring(svg).iter(f"{SVG}text") if t.text in ("L1", "L2", "L3")}
    for layer, n in (("L1", 4), ("L2", 4), ("L3", 1)):
        assert texts[layer] < min(clusters[f"{layer}.N{j}"][0] for j in range(n)), layer
    x0, x1, y0, y1 = clusters["L1"]
    for text, (a0, a1, b0, b1) in nodes.items():
        if text.split()[0] in ("x0", "x1", "x2"):
            assert a1 < x0 or a0 > x1 or b1 < y0 or b0 > y1, text
