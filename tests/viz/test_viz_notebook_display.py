"""A stepper in a notebook: the live page, and an animation a sanitizer keeps (viz.html.Stepper, viz.animation)."""

from __future__ import annotations

import base64
import html
import io
import math
import re

import pytest
from PIL import Image

import viz
import viz.animation
from autograd import Value, backward_steps, exercises
from viz.backend import RenderError
from viz.html import Stepper, page_data, stepper
from viz.i18n import has_cjk


def demo() -> Value:
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    f = (x + y) * z
    f.label = "f"
    return f


@pytest.fixture(scope="module")
def shown() -> tuple[Stepper, dict[str, str], dict[str, str]]:
    """The demo's stepper and what a notebook is given to show (made once for the module)."""
    page = stepper(demo())
    data, metadata = page._repr_mimebundle_()
    return page, data, metadata


def frames_of(png: bytes) -> list[Image.Image]:
    """Every frame of an APNG, as RGB pictures."""
    picture = Image.open(io.BytesIO(png))
    out = []
    for k in range(getattr(picture, "n_frames", 1)):
        picture.seek(k)
        out.append(picture.convert("RGB"))
    return out


def test_the_bundle_is_markdown_png_and_text_marked_as_a_stepper(shown) -> None:
    """No text/html (JupyterLab and nbconvert would prefer it); the docs build's marker in the metadata."""
    page, data, metadata = shown
    assert sorted(data) == ["image/png", "text/markdown", "text/plain"]
    assert metadata == {"gategraph": "stepper"}
    assert data["text/plain"] == repr(page) and not hasattr(page, "_repr_html_")


def test_the_markdown_is_one_html_block_holding_the_live_page(shown) -> None:
    """No line break at all (a blank line would end the HTML block); the iframe's srcdoc is the page."""
    page, data, _ = shown
    live = data["text/markdown"]
    assert "\n" not in live and live.startswith('<div class="gg-nb"><style>.gg-nb .gg-still{display:none}</style>')
    srcdoc = re.search(r'<iframe srcdoc="([^"]*)" sandbox="allow-scripts"', live).group(1)
    assert html.unescape(srcdoc) == page.html


def test_the_still_under_the_page_is_the_animation_and_a_line(shown) -> None:
    """The hidden-when-trusted block holds the same PNG as the bundle, and the line says how to trust."""
    _, data, _ = shown
    still = data["text/markdown"].split('<div class="gg-still">', 1)[1]
    assert f'<img src="data:image/png;base64,{data["image/png"]}"' in still
    assert "Command Palette" in still and "Trust Notebook" in still and "File" not in still


def test_the_png_is_an_apng_with_a_frame_per_step(shown) -> None:
    """Frame 0 is the forward pass, then one per backward step; the picture changes from frame to frame."""
    page, data, _ = shown
    png = base64.b64decode(data["image/png"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and b"acTL" in png[:200]
    frames = frames_of(png)
    assert len(frames) == page.frames == 3
    assert len({picture.tobytes() for picture in frames}) == 3


def test_a_frame_shows_the_gradients_in_orange_and_the_active_gate() -> None:
    """After step 1 the page's orange (the active × gate, gradient text) is in the picture; not before it."""
    f = demo()
    svg, data = page_data(f, list(backward_steps(f)))
    frames = frames_of(viz.animation.animate(svg, data))
    active = (0xFD, 0xBA, 0x74)  # viz.dot.ACTIVE_FILL
    assert active not in {c for _, c in frames[0].getcolors(1 << 16)}
    assert active in {c for _, c in frames[1].getcolors(1 << 16)}
    height = float(re.search(r'viewBox="[-\d.]+ [-\d.]+ [\d.]+ ([\d.]+)"', svg).group(1))
    assert frames[0].size[1] == viz.animation.HEADER + math.ceil(height * viz.animation.SCALE)  # the header, then the drawing


def sanitized_export(data: dict[str, str], metadata: dict[str, str], **exporter: object) -> str:
    """A one-cell notebook holding the bundle, through nbconvert's SanitizeHTML and HTMLExporter(sanitize_html=True)."""
    nbformat = pytest.importorskip("nbformat")
    pytest.importorskip("nbconvert")
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors.sanitize import SanitizeHTML

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("viz.stepper(f)", execution_count=1)
    cell.outputs = [nbformat.v4.new_output("execute_result", data=dict(data), metadata=metadata, execution_count=1)]
    nb.cells.append(cell)
    nb, _ = SanitizeHTML().preprocess(nb, {})
    return HTMLExporter(sanitize_html=True, **exporter).from_notebook_node(nb)[0]


def test_a_sanitizing_export_that_prefers_png_shows_the_animation_not_the_page(shown) -> None:
    """Where PNG ranks above Markdown (nbconvert's classic priority, static renderers), the animation shows alone."""
    from traitlets.config import Config

    _, data, metadata = shown
    png_first = ["image/png", "text/html", "text/markdown", "text/plain"]
    exported = sanitized_export(data, metadata, config=Config({"NbConvertBase": {"display_data_priority": png_first}}))
    assert re.search(r'<img [^>]*src="data:image/png;base64,', exported)
    assert "srcdoc" not in exported and "Backprop, step by step" not in exported


@pytest.mark.xfail(strict=True, reason="nbconvert 7.17's HTMLExporter ranks text/markdown above image/png and "
                                       "escapes the Markdown (iframe, img and style are not in its allowed tags)")
def test_nbconvert_with_sanitizing_shows_the_animation_not_the_page(shown) -> None:
    """nbconvert's SanitizeHTML + HTMLExporter(sanitize_html=True), its own priority: the PNG, not the page's text."""
    _, data, metadata = shown
    exported = sanitized_export(data, metadata)
    assert re.search(r'<img [^>]*src="data:image/png;base64,', exported) and "srcdoc" not in exported


def test_the_chinese_line_is_chinese() -> None:
    """lang="zh": the line under the animation in Chinese, with Chinese punctuation."""
    data, _ = stepper(demo(), lang="zh")._repr_mimebundle_(include={"text/markdown"})
    line = re.search(r"<p>([^<]*)</p></div></div>$", data["text/markdown"]).group(1)
    assert has_cjk(line) and "，" in line and "：" in line and "Command Palette" not in line


def test_include_and_exclude_pick_mimetypes() -> None:
    """IPython's include/exclude are honoured (exclude image/png: no animation is needed)."""
    page = stepper(demo())
    data, _ = page._repr_mimebundle_(exclude={"image/png"})
    assert sorted(data) == ["text/markdown", "text/plain"]
    assert sorted(page._repr_mimebundle_(include={"text/plain"})[0]) == ["text/plain"]


def test_saving_a_page_makes_no_animation(monkeypatch, tmp_path) -> None:
    """save_html and stepper() never draw the animation: only a notebook display does, once."""
    calls = []
    monkeypatch.setattr(viz.animation, "animate", lambda *args, **options: calls.append(args) or b"png")
    viz.save_html(demo(), tmp_path / "page.html")
    page = stepper(demo())
    assert calls == []
    page._repr_mimebundle_()
    page._repr_mimebundle_()
    assert len(calls) == 1


def test_without_the_rasteriser_the_live_page_and_the_line_still_show(monkeypatch) -> None:
    """No Pillow, resvg or CJK font: no PNG in the bundle, the page and the line remain."""
    def broken(*args: object, **options: object) -> bytes:
        raise RenderError("no rasteriser")

    monkeypatch.setattr(viz.animation, "animate", broken)
    data, _ = stepper(demo())._repr_mimebundle_()
    assert "image/png" not in data and "<iframe srcdoc=" in data["text/markdown"] and "<img" not in data["text/markdown"]


def test_collapsed_and_whatif_pages_animate() -> None:
    """A page stepped by neuron and a what-if page carry an animation of their written pass."""
    import nn
    from nn.losses import hinge_loss

    loss = hinge_loss(nn.MLP(2, [2, 1])([1.0, -2.0]), -1)
    collapsed = stepper(loss, collapse="neuron", check=False)
    assert len(frames_of(collapsed.animation())) >= collapsed.frames
    whatif = stepper(demo(), interactive=True, check=False)
    assert len(frames_of(whatif.animation())) == whatif.frames == 3


def test_an_exercise_page_plays_up_to_its_first_wrong_step() -> None:
    """exercise_stepper's animation stops at the step the learner's backward got wrong."""
    function, graph, calls, _ = exercises.BUGS["assign_at_fork"]
    report = exercises.check_backward(function, graph, calls=calls)
    page = viz.exercise_stepper(report)
    assert report.step is not None and report.step + 2 < page.frames
    frames = frames_of(page.animation())
    assert len(frames) == report.step + 2  # the forward frame, steps 0 … report.step


def test_an_animation_cut_short_still_counts_the_whole_pass() -> None:
    """animate(last=k) plays frames 0 … k; its frame k is the full animation's, header ("Step 1 of 2") included
    (the two palettes differ a little: each is chosen from its own frames' pixels)."""
    import numpy as np

    f = demo()
    svg, data = page_data(f, list(backward_steps(f)))
    short, full = frames_of(viz.animation.animate(svg, data, last=1)), frames_of(viz.animation.animate(svg, data))
    apart = np.abs(np.asarray(short[1], dtype=int) - np.asarray(full[1], dtype=int)).max()
    assert len(short) == 2 and apart <= 64  # "Step 1 of 1" instead would differ by some 200
    with pytest.raises(ValueError, match="last must be a frame index from 0 to 2, got 3"):
        viz.animation.animate(svg, data, last=3)


def test_animate_names_a_drawing_it_cannot_read() -> None:
    """An SVG without a viewBox is refused with a message naming it."""
    f = demo()
    svg, data = page_data(f, list(backward_steps(f)))
    with pytest.raises(ValueError, match="no viewBox of four numbers"):
        viz.animation.animate(re.sub(r'viewBox="[^"]*"', "", svg, count=1), data)


def test_a_drawing_too_large_to_animate_is_refused_with_a_render_error() -> None:
    """A drawing that would need under MIN_SCALE pixels a point to fit MAX_PIXELS: RenderError (the notebook
    then shows the live page and the line only)."""
    f = demo()
    svg, data = page_data(f, list(backward_steps(f)))
    huge = re.sub(r'viewBox="[^"]*"', 'viewBox="0 0 40000 20000"', svg, count=1)
    with pytest.raises(RenderError, match="too large to animate"):
        viz.animation.animate(huge, data)
    many = {**data, "frames": data["frames"] * (viz.animation.MAX_FRAMES // 3 + 1)}
    with pytest.raises(RenderError, match="frames are too many to animate"):
        viz.animation.animate(svg, many)
