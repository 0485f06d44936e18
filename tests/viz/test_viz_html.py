"""save_html and stepper: one self-contained page, the graph laid out once, the frames as escaped JSON data."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

import nn
import viz
from autograd import Value
from nn.losses import hinge_loss
from viz import backprop_frames, save_html, stepper
from viz.html import json_for_script

HOSTILE = ['</script><img src=x onerror=alert(1)>', "<svg onload=alert(1)>{|}\\", "<!-- & -->",
           "\u2028</SCRIPT >\u2029"]


def page_json(text: str) -> dict:
    """The frames data a page carries."""
    return json.loads(re.search(r'<script type="application/json" id="gg-data">(.*?)</script>', text, re.S).group(1))


def mlp_loss() -> Value:
    """The course's 3→4→4→1 network on x = (2, 3, −1) with label −1 under the hinge loss (76 frames)."""
    loss = hinge_loss(nn.MLP(3, [4, 4, 1])([2.0, 3.0, -1.0]), -1)
    loss.label = "loss"
    return loss


@pytest.fixture(scope="module")
def page_text(tmp_path_factory) -> str:
    """The stepper page of the course example, rendered once for this module."""
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    f = (x + y) * z
    f.label = "f"
    return save_html(f, tmp_path_factory.mktemp("html") / "steps.html").read_text(encoding="utf-8")


def test_save_html_returns_the_path_as_given(fresh, tmp_path: Path) -> None:
    """The returned path is the argument, and the file is there."""
    target = str(tmp_path / "deep" / "steps.html")
    assert save_html(fresh.f, target) == target and Path(target).is_file()


def test_page_holds_one_drawing_and_the_frames_as_data(page_text: str) -> None:
    """One well-formed inline <svg> with a gradient cell per value node, and three frames of data."""
    (svg,) = re.findall(r"<svg.*?</svg>", page_text, re.S)
    assert ET.fromstring(svg).tag == "svg" and svg.count('class="gv"') == 5 and svg.count('class="gbg"') == 5
    data = page_json(page_text)
    assert len(data["frames"]) == 3 and [f["a"] for f in data["frames"]] == [None, 4, 2]


def test_gradient_cells_start_pending_and_frames_fill_them_in(page_text: str) -> None:
    """Every cell starts '?'; frame 1 sets f, x+y and z; frame 2 sets x and y, the cells it touched."""
    assert re.findall(r'class="gv"[^>]*>grad <tspan[^>]*>([^<]*)</tspan>', page_text) == ["?"] * 5
    frames = page_json(page_text)["frames"]
    assert frames[1]["s"] == [[4, "1"], [2, "-4"], [3, "3"]] and frames[2]["s"] == [[0, "-4"], [1, "-4"]]
    assert frames[2]["t"] == [0, 1]


def test_page_references_nothing_outside_itself(page_text: str) -> None:
    """No src/href attributes, no url(...), no @import, no http(s) URL, no <link>."""
    assert re.search(r"(?i)\b(src|href)\s*=|url\(|@import|https?://|<link", page_text) is None


def test_page_has_controls_and_explanations(page_text: str) -> None:
    """Slider, previous/next, zoom and fit buttons, and each step as upstream × local = contribution."""
    for piece in ('id="slider" type="range" min="0" max="2"', 'id="prev"', 'id="next"', 'id="zoom-in"',
                  'id="zoom-out"', 'id="fit"', "upstream 1 × local -4 = -4", "rule: mul swaps its inputs"):
        assert piece in page_text, piece


def test_only_the_pages_own_script_may_run(page_text: str) -> None:
    """Three executable <script>s (the shared module, the stepper's, the gradient-check toggle's), each pinned by its SHA-256 in the CSP; the others are inert JSON data."""
    scripts = re.findall(r"<script>(.*?)</script>", page_text, re.S)
    assert len(scripts) == 3 and "default-src 'none'" in page_text
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in page_text
    assert page_text.count("<script") == 5 and page_text.count('<script type="application/json"') == 2


def test_hostile_labels_inject_no_markup(tmp_path: Path) -> None:
    """Labels that try to close the script, open tags or comments appear only as escaped text and data."""
    a, b, c = (Value(v, label) for v, label in zip((1.0, 2.0, 3.0), HOSTILE))
    out = a * b + c
    out.label = HOSTILE[3]
    text = save_html(out, tmp_path / "h.html").read_text(encoding="utf-8")
    assert text.count("<script") == 5 and text.lower().count("</script") == 5  # data + script, twice (check toggle), gg.js
    assert "<img" not in text and "<svg onload" not in text and "<!-- &" not in text
    block = re.search(r'id="gg-data">(.*?)</script>', text, re.S).group(1)
    assert not set(block) & set("<>&\u2028\u2029")
    (svg,) = re.findall(r"<svg.*?</svg>", text, re.S)
    assert ET.fromstring(svg) is not None
    captions = json.dumps(page_json(text)["frames"], ensure_ascii=False)
    assert all(json.dumps(label, ensure_ascii=False)[1:-1] in captions for label in HOSTILE)


@settings(max_examples=50, deadline=None)
@given(st.text())
def test_json_for_script_round_trips_and_holds_no_markup(s: str) -> None:
    """Any string comes back from the JSON unchanged, and the JSON holds no < > & U+2028 U+2029."""
    encoded = json_for_script({"s": s})
    assert json.loads(encoded) == {"s": s} and not set(encoded) & set("<>&\u2028\u2029")


def test_frames_list_is_accepted_and_not_run_again(fresh, tmp_path: Path) -> None:
    """save_html takes the frames of backprop_frames; it shows their steps and runs no second backward pass."""
    frames = backprop_frames(fresh.f)
    text = save_html(frames, tmp_path / "s.html").read_text(encoding="utf-8")
    assert len(page_json(text)["frames"]) == 3 and fresh.x.grad == -4.0


def test_frames_keep_their_language(fresh, tmp_path: Path) -> None:
    """Chinese frames give a Chinese page unless lang says otherwise."""
    text = save_html(backprop_frames(fresh.f, lang="zh"), tmp_path / "s.html").read_text(encoding="utf-8")
    assert '<html lang="zh-Hans">' in text and "上游梯度 1 × 局部梯度 -4 = -4" in text


def test_chinese_page_speaks_the_course_terms(fresh, tmp_path: Path) -> None:
    """lang="zh": controls, captions and the cells' words in Chinese, each gate named as the course does."""
    text = save_html(fresh.f, tmp_path / "zh.html", lang="zh").read_text(encoding="utf-8")
    for piece in ("上一步", "下一步", "适合窗口", "反向传播", "前向传播：f = -12", "乘法门单元", "局部梯度",
                  "第 0 步，共 2 步"):
        assert piece in text, piece
    (svg,) = re.findall(r"<svg.*?</svg>", text, re.S)
    assert svg.count(">值 ") == 5 and svg.count(">梯度 <tspan data-n=") == 5
    assert "data " not in svg and "grad " not in svg


def test_no_step_limit_on_the_page(tmp_path: Path) -> None:
    """A chain of 120 gates (over backprop_frames' MAX_STEPS) gets a page of 121 frames."""
    node = Value(0.5, "x")
    for _ in range(120):
        node = node + 1.0
    assert len(page_json(save_html(node, tmp_path / "c.html").read_text(encoding="utf-8"))["frames"]) == 121


def test_network_page_is_small(tmp_path: Path) -> None:
    """The 3→4→4→1 network's page (76 frames: 72 gates of the network, 3 of the hinge) is under 600 KB,
    one drawing for all frames."""
    path = save_html(mlp_loss(), tmp_path / "mlp.html")
    text = path.read_text(encoding="utf-8")
    assert path.stat().st_size < 600_000 and text.count("<svg") == 1 and len(page_json(text)["frames"]) == 76


def test_stepper_shows_in_a_sandboxed_inline_frame(fresh) -> None:
    """iframe_html is an iframe that may run scripts only, whose srcdoc is the whole page."""
    page = stepper(fresh.f)
    shown = page.iframe_html()
    srcdoc = re.search(r'srcdoc="([^"]*)"', shown).group(1)
    assert shown.startswith("<iframe ") and 'sandbox="allow-scripts"' in shown
    assert html.unescape(srcdoc) == page.html and page.frames == 3


def test_stepper_saves_the_same_page(fresh, tmp_path: Path) -> None:
    """Stepper.save writes the page it shows."""
    page = stepper(fresh.f)
    assert page.save(tmp_path / "p.html").read_text(encoding="utf-8") == page.html


def test_wrong_suffix_is_refused(fresh, tmp_path: Path) -> None:
    """A .svg path for the page raises ValueError naming .html."""
    with pytest.raises(ValueError, match=r"should end in one of \.html, \.htm, got '\.svg'"):
        save_html(fresh.f, tmp_path / "steps.svg")


def test_empty_frame_list_is_refused(tmp_path: Path) -> None:
    """An empty list raises ValueError."""
    with pytest.raises(ValueError, match=r"the list of frames is empty"):
        save_html([], tmp_path / "s.html")


def test_non_diagram_is_refused(tmp_path: Path) -> None:
    """A string is neither a Value nor a list of frames."""
    with pytest.raises(TypeError, match=r"needs an autograd.Value or the list of frames from viz.backprop_frames, got str"):
        save_html("(x+y)*z", tmp_path / "s.html")


def test_a_plain_diagram_list_is_refused(course, tmp_path: Path) -> None:
    """Diagrams that are not backprop frames name the frame and say to pass the root."""
    with pytest.raises(TypeError, match=r"frame 0 is a Diagram, not a frame of viz.backprop_frames.*pass the root"):
        save_html([viz.draw_graph(course.f)], tmp_path / "s.html")


def test_unknown_language_is_refused(fresh, tmp_path: Path) -> None:
    """lang="fr" raises ValueError listing the languages."""
    with pytest.raises(ValueError, match=r"save_html: lang must be one of 'en', 'zh'; got 'fr'"):
        save_html(fresh.f, tmp_path / "s.html", lang="fr")


def test_graph_over_max_nodes_is_refused(fresh) -> None:
    """Over max_nodes the stepper refuses, saying how to lift the limit."""
    with pytest.raises(ValueError, match=r"stepper: the graph has 5 value nodes, more than max_nodes=3.*max_nodes=None"):
        stepper(fresh.f, max_nodes=3)


def test_stepper_save_refuses_a_wrong_suffix(fresh, tmp_path: Path) -> None:
    """Stepper.save wants .html or .htm, and writes nothing otherwise."""
    with pytest.raises(ValueError, match=r"Stepper\.save: .* should end in one of \.html, \.htm, got '\.txt'"):
        stepper(fresh.f).save(tmp_path / "p.txt")
    assert not (tmp_path / "p.txt").exists()


def test_a_drawing_without_its_gradient_cells_is_refused(fresh, tmp_path: Path, monkeypatch) -> None:
    """If the SVG's marked gradient cells cannot be found, no page with stale numbers is written."""
    real = viz.html.render_svgs
    monkeypatch.setattr(viz.html, "render_svgs",
                        lambda diagrams: [svg.replace('xlink:title="gg', 'data-x="gg') for svg in real(diagrams)])
    with pytest.raises(RuntimeError, match=r"found 0 of the 5 gradient cells.*none is written"):
        save_html(fresh.f, tmp_path / "s.html")
    assert not (tmp_path / "s.html").exists()


def test_marked_cells_are_found_whatever_the_text_layout() -> None:
    """A marked cell's text split in two runs (as system Graphviz may write it) becomes one centred text with its slot."""
    from viz.html import _Cells

    node = Value(1.0, "w")
    cells = _Cells({node: 0})
    title = cells.mark(["梯度 ", node], "center")
    svg = (f'<g id="node1" class="node"><title>n0</title>\n<g id="a_node1_2"><a xlink:title="{title}">\n'
           '<polygon fill="none" stroke="#1f2937" points="52.5,-0.5 52.5,-21.5 110.5,-21.5 110.5,-0.5 52.5,-0.5"/>\n'
           '<text text-anchor="start" x="55.5" y="-7.3" font-family="Helvetica,sans-Serif" font-size="11.00" '
           'fill="#c2410c">梯度</text>\n<text text-anchor="start" x="80" y="-7.3" font-size="11.00" '
           'fill="#c2410c"> &#45;12.34</text>\n</a>\n</g>\n</g>')
    filled = cells.fill(svg)
    assert "<a " not in filled and "&#45;12.34" not in filled and filled.count("<text") == 1
    assert ('<text class="gv" text-anchor="middle" x="81.50" y="-7.3" font-size="11.00" fill="#c2410c">'
            '梯度 <tspan data-n="0">?</tspan></text>') in filled
    assert '<polygon class="gbg" data-n="0"' in filled
