"""save_html writes one self-contained stepper page; in a real browser it steps and fetches nothing."""

from __future__ import annotations

import base64
import hashlib
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from autograd import Value
from viz import backprop_frames, save_html

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


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


def test_page_holds_one_inline_svg_per_frame(page_text: str) -> None:
    """Three frames for (x + y)·z, each an inline <svg> that is well-formed XML."""
    svgs = re.findall(r"<svg.*?</svg>", page_text, re.S)
    assert len(svgs) == 3 and page_text.count('class="frame"') == 3
    assert all(ET.fromstring(svg).tag == "svg" for svg in svgs)


def test_page_references_nothing_outside_itself(page_text: str) -> None:
    """No src/href attributes, no url(...), no @import, no http(s) URL, no <link>."""
    assert re.search(r"(?i)\b(src|href)\s*=|url\(|@import|https?://|<link", page_text) is None


def test_page_has_controls_and_explanations(page_text: str) -> None:
    """Slider, previous/next buttons, and the step explained as upstream × local = contribution."""
    for piece in ('id="slider" type="range" min="0" max="2"', 'id="prev"', 'id="next"',
                  "upstream 1 × local -4 = -4", "rule: mul swaps its inputs"):
        assert piece in page_text, piece


def test_only_the_pages_own_script_may_run(page_text: str) -> None:
    """One <script>, pinned by its SHA-256 in the Content-Security-Policy."""
    (script,) = re.findall(r"<script>(.*?)</script>", page_text, re.S)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert page_text.count("<script") == 1 and f"script-src 'sha256-{digest}'" in page_text


def test_hostile_labels_inject_no_markup(tmp_path: Path) -> None:
    """Labels holding </script>, <svg>, quotes and braces appear only as escaped text."""
    a = Value(1.0, '</script><script>alert("x")</script>')
    b = Value(2.0, "<svg onload=alert(1)>{|}\\")
    out = a * b
    out.label = "<!-- & -->"
    text = save_html(out, tmp_path / "h.html").read_text(encoding="utf-8")
    assert text.count("<script") == 1 and "<svg onload" not in text and "<!-- &" not in text
    assert all(ET.fromstring(svg) is not None for svg in re.findall(r"<svg.*?</svg>", text, re.S))


def test_frames_list_is_accepted(fresh, tmp_path: Path) -> None:
    """save_html takes the frames of backprop_frames as well as a Value."""
    text = save_html(backprop_frames(fresh.f), tmp_path / "s.html").read_text(encoding="utf-8")
    assert text.count('class="frame"') == 3


def test_wrong_suffix_is_refused(fresh, tmp_path: Path) -> None:
    """A .svg path for the page raises ValueError naming .html."""
    with pytest.raises(ValueError, match=r"should end in one of \.html, \.htm, got '\.svg'"):
        save_html(fresh.f, tmp_path / "steps.svg")


def test_empty_frame_list_is_refused(tmp_path: Path) -> None:
    """An empty list raises ValueError."""
    with pytest.raises(ValueError, match=r"the list of frames is empty"):
        save_html([], tmp_path / "s.html")


def test_non_diagram_is_refused(tmp_path: Path) -> None:
    """A string is neither a Value nor a list of diagrams."""
    with pytest.raises(TypeError, match=r"needs an autograd.Value or a list of diagrams.*got str"):
        save_html("(x+y)*z", tmp_path / "s.html")


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium at /usr/bin/chromium (CI installs it)")
def test_stepper_steps_in_headless_chromium_and_fetches_nothing(fresh, tmp_path: Path) -> None:
    """Next, arrow keys, Home/End and the slider change the frame; no request leaves the page; no errors."""
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    url = (save_html(fresh.f, tmp_path / "steps.html")).resolve().as_uri()
    requests: list[str] = []
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("request", lambda request: requests.append(request.url))
            page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.goto(url)

            def shown() -> tuple[str, str]:
                frame = page.locator(".frame:not([hidden])")
                return frame.get_attribute("data-index"), page.inner_text("#counter")

            assert shown() == ("0", "frame 1 of 3") and page.is_disabled("#prev")
            page.click("#next")
            assert shown() == ("1", "frame 2 of 3")
            assert "Step 1 of 2" in page.inner_text(".caption:not([hidden])")
            page.keyboard.press("ArrowRight")
            assert shown()[0] == "2" and page.is_disabled("#next")
            page.keyboard.press("ArrowLeft")
            assert shown()[0] == "1"
            page.keyboard.press("Home")
            assert shown()[0] == "0"
            page.locator("#slider").fill("2")
            assert shown()[0] == "2" and page.locator(".frame:not([hidden]) .active").count() == 1
        finally:
            browser.close()
    assert requests == [url] and problems == []
