"""A stepper in a notebook: a line, an animation a sanitizer keeps, and the live page (viz.html.Stepper, viz.animation)."""

from __future__ import annotations

import base64
import io
import math
import re

import pytest
from PIL import Image

import viz
import viz.animation
from autograd import Value, backward_steps, exercises
from viz.backend import RenderError
from viz.html import NOTEBOOK_HEIGHT, Stepper, loader_spec, page_data, stepper, stepper_loader
from viz.i18n import has_cjk


def demo() -> Value:
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    f = (x + y) * z
    f.label = "f"
    return f


@pytest.fixture(scope="module")
def shown() -> tuple[Stepper, list[tuple[dict[str, str], dict[str, str]]]]:
    """The demo's stepper and the outputs a notebook is given to show (made once for the module)."""
    page = stepper(demo())
    return page, page.outputs()


def frames_of(png: bytes) -> list[Image.Image]:
    """Every frame of an APNG, as RGB pictures."""
    picture = Image.open(io.BytesIO(png))
    out = []
    for k in range(getattr(picture, "n_frames", 1)):
        picture.seek(k)
        out.append(picture.convert("RGB"))
    return out


def test_a_stepper_is_three_outputs_hint_still_live(shown) -> None:
    """The line, the animation, the live page: each marked in its metadata; the live one has no text/plain
    (an untrusted JupyterLab would show it instead of nothing)."""
    page, outputs = shown
    assert [meta for _, meta in outputs] == [{"gategraph": "stepper-hint"}, {"gategraph": "stepper-still"},
                                            {"gategraph": "stepper-live"}]
    assert [sorted(data) for data, _ in outputs] == [["text/markdown", "text/plain"], ["image/png", "text/plain"],
                                                     ["application/javascript"]]
    assert not hasattr(page, "_repr_html_") and not hasattr(page, "_repr_mimebundle_")


def test_the_hint_is_one_plain_line_naming_the_palette(shown) -> None:
    """No HTML at all (a sanitizer leaves it alone), a list of one item (a paragraph's <p> comes out of
    nbconvert's sanitizer as text), no line break, about 100 characters."""
    (hint, _), *_ = shown[1]
    line = hint["text/markdown"]
    assert line == "* " + hint["text/plain"] and "<" not in line and "\n" not in line and len(hint["text/plain"]) <= 100
    assert "Command Palette" in line and "Trust Notebook" in line and "run the cell" in line and "File" not in line


def test_the_live_output_loads_the_page_the_stepper_holds(shown) -> None:
    """The loader carries the page exactly (read back by loader_spec) and no text that could end a <script>."""
    page, outputs = shown
    js = outputs[2][0]["application/javascript"]
    assert loader_spec(js) == {"page": page.html, "title": "Backprop, step by step", "height": NOTEBOOK_HEIGHT}
    assert "</" not in js and "<!" not in js


def test_a_loader_saved_with_an_older_script_still_reads() -> None:
    """loader_spec reads the JSON after the prefix, whatever script follows it (a notebook saved before
    the script changed); what is not a loader, or holds no page, is a ValueError saying so."""
    js = stepper_loader("<p>page</p>", "t")
    assert loader_spec(js[:js.index(";\n")] + ";\nolder();\n})();\n")["page"] == "<p>page</p>"
    with pytest.raises(ValueError, match="not a stepper's loader"):
        loader_spec("alert(1)")
    with pytest.raises(ValueError, match="holds no readable page"):
        loader_spec(js[:60])


def test_the_loader_keeps_dollars_and_backslashes() -> None:
    """A label with $ and \\ (JupyterLab's Markdown math pass mangled them in an HTML srcdoc) comes back intact."""
    x = Value(2.0, "US$")
    f = x * Value(3.0, "a\\b")
    page = stepper(f, check=False)
    assert loader_spec(page.outputs()[-1][0]["application/javascript"])["page"] == page.html
    assert "US$" in page.html


def test_the_png_is_an_apng_with_a_frame_per_step(shown) -> None:
    """Frame 0 is the forward pass, then one per backward step; the picture changes from frame to frame."""
    page, outputs = shown
    png = base64.b64decode(outputs[1][0]["image/png"])
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


def exported(outputs: list[tuple[dict[str, str], dict[str, str]]], sanitize: bool) -> str:
    """A one-cell notebook holding the outputs, through nbconvert's HTMLExporter (with sanitize: its
    SanitizeHTML preprocessor first and sanitize_html=True, as ``--HTMLExporter.sanitize_html=True``)."""
    nbformat = pytest.importorskip("nbformat")
    pytest.importorskip("nbconvert")
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors.sanitize import SanitizeHTML

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("viz.stepper(f)", execution_count=1)
    cell.outputs = [nbformat.v4.new_output("display_data", data=dict(data), metadata=metadata)
                    for data, metadata in outputs]
    nb.cells.append(cell)
    if sanitize:
        nb, _ = SanitizeHTML().preprocess(nb, {})
    return HTMLExporter(sanitize_html=sanitize).from_notebook_node(nb)[0]


@pytest.mark.filterwarnings("ignore:Your element with mimetype:UserWarning")  # the live output, emptied by the sanitizer
def test_nbconvert_with_sanitizing_shows_the_animation_and_the_line(shown) -> None:
    """nbconvert's SanitizeHTML + HTMLExporter(sanitize_html=True): the PNG and the line, no trace of the page."""
    _, outputs = shown
    page = exported(outputs, sanitize=True)
    assert re.search(f'<img [^>]*src="data:image/png;base64,{re.escape(outputs[1][0]["image/png"])}"', page)
    assert "Command Palette" in page and "Trust Notebook" in page
    assert "<li>The saved stepper, animated." in page
    for junk in ("&lt;", "srcdoc", "gg-nb", "Backprop, step by step", "var spec"):
        assert junk not in page, junk


def test_nbconvert_without_sanitizing_runs_the_loader(shown) -> None:
    """An unsanitized export puts the loader in a <script> beside its element: the live page when opened."""
    _, outputs = shown
    page = exported(outputs, sanitize=False)
    js = outputs[2][0]["application/javascript"]
    assert js in page and "var element = document.getElementById(" in page


def test_the_chinese_line_is_chinese() -> None:
    """lang="zh": the line in Chinese, with Chinese punctuation."""
    (hint, _), *_ = stepper(demo(), lang="zh").outputs()
    line = hint["text/plain"]
    assert has_cjk(line) and "，" in line and "：" in line and "Trust Notebook" in line


def test_the_notebook_displays_the_three_outputs(monkeypatch) -> None:
    """_ipython_display_ hands IPython each output, raw, with its metadata."""
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda data, **options: shown.append((data, options)))
    page = stepper(demo())
    page._ipython_display_()
    assert shown == [(data, {"raw": True, "metadata": meta}) for data, meta in page.outputs()]


def test_saving_a_page_makes_no_animation(monkeypatch, tmp_path) -> None:
    """save_html and stepper() never draw the animation: only a notebook display does, once."""
    calls = []
    monkeypatch.setattr(viz.animation, "animate", lambda *args, **options: calls.append(args) or b"png")
    viz.save_html(demo(), tmp_path / "page.html")
    page = stepper(demo())
    assert calls == []
    page.outputs()
    page.outputs()
    assert len(calls) == 1


def test_without_the_rasteriser_the_live_page_and_the_line_still_show(monkeypatch) -> None:
    """No Pillow, resvg or CJK font: no animation output; the line and the live page remain."""
    def broken(*args: object, **options: object) -> bytes:
        raise RenderError("no rasteriser")

    monkeypatch.setattr(viz.animation, "animate", broken)
    assert [meta["gategraph"] for _, meta in stepper(demo()).outputs()] == ["stepper-hint", "stepper-live"]


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


@pytest.mark.browser
def test_an_unsanitized_export_opens_the_live_page_alone(shown, open_tab, tmp_path) -> None:
    """In Chromium the exported notebook runs the loader: the page in an iframe that steps, the line and
    the animation hidden (found by nbconvert's output classes)."""
    from playwright.sync_api import expect

    path = tmp_path / "export.html"
    path.write_text(exported(shown[1], sanitize=False), encoding="utf-8")
    tab = open_tab(path, width=1100)
    counter = tab.frame_locator("iframe").locator("#counter")
    expect(counter).to_have_text(re.compile(r"\d"))
    before = counter.inner_text()
    tab.frame_locator("iframe").locator("#next").click()
    expect(counter).not_to_have_text(before)
    expect(tab.locator(".jp-RenderedImage img")).to_be_hidden()
    expect(tab.locator(".jp-RenderedMarkdown li")).to_be_hidden()


@pytest.mark.browser
@pytest.mark.parametrize("kind", ["course", "whatif"])
def test_the_live_frame_takes_the_page_height_so_nothing_falls_below_the_fold(kind, open_tab, tmp_path) -> None:
    """The loader's frame follows the page's own report of its height: a short page gives the empty
    rest back, a what-if page's panel below the drawing gets room; inside, nothing scrolls."""
    from playwright.sync_api import expect

    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    shown_page = viz.stepper((x + y) * z, interactive=kind == "whatif")
    host = tmp_path / "host.html"
    loader = shown_page.outputs()[-1][0]["application/javascript"]
    host.write_text(f'<!DOCTYPE html><html><body style="margin:0"><div id="out"></div>'
                    f'<script>var element = document.getElementById("out");\n{loader}</script></body></html>',
                    encoding="utf-8")
    tab = open_tab(host, width=800)
    inner = tab.frame_locator("iframe").locator("#counter")
    expect(inner).to_have_text(re.compile(r"\d"))
    tab.wait_for_timeout(600)  # the page reports its size; the frame follows once or twice
    frame_height = tab.evaluate("document.querySelector('iframe').getBoundingClientRect().height")
    inside = tab.frames[1].evaluate("[document.documentElement.scrollHeight, window.innerHeight]")
    assert inside[0] <= inside[1] + 2, (kind, frame_height, inside)  # nothing below the fold
    if kind == "course":
        assert frame_height < 700, frame_height  # the short page gave back what it did not need
