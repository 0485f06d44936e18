"""Worksheets and the exercise checker's page in headless Chromium: answers checked, hints, refusals, the marked step."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from autograd import Value
from viz import exercise_page, worksheet

pytestmark = [pytest.mark.browser, pytest.mark.graphviz]

SHOTS = Path("/tmp/gategraph-worksheet-shots")


def course() -> SimpleNamespace:
    """CS231n's f = (x + y)·z at x = −2, y = 5, z = −4 (∂f/∂x = ∂f/∂y = −4, ∂f/∂z = 3)."""
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    q = x + y
    q.label = "x + y"
    f = q * z
    f.label = "f"
    return SimpleNamespace(f=f, x=x, y=y, z=z)


@pytest.fixture(scope="module")
def sheets(tmp_path_factory) -> dict[str, Path]:
    """The course example's worksheet (English, Chinese) and its exercise page wrong at y in step 2."""
    folder = tmp_path_factory.mktemp("sheets")
    g = course()
    report = SimpleNamespace(ok=False, title="find the bug", message="the + gate sent y the wrong sign.", step=1,
                             backward_pass=1, node=g.y, expected=-4.0, actual=4.0, root=g.f)
    return {
        "en": worksheet(course().f, folder / "ws.html"),
        "zh": worksheet(course().f, folder / "zh.html", lang="zh"),
        "exercise": exercise_page(report, folder / "wrong.html"),
    }


def answer(page, label: str, typed: str) -> str:
    """Type ``typed`` into the box labelled ``label``, press Enter, and return that row's verdict."""
    box = page.get_by_label(label, exact=True)
    box.fill(typed)
    box.press("Enter")
    return page.locator("tr", has=box).locator("td").last.inner_text()


def cell(page, label: str) -> str:
    """The text of a value node's gradient cell in the drawing, found by the node's label."""
    return page.evaluate("""(label) => {
      for (const g of document.querySelectorAll("g.node")) {
        if ([...g.querySelectorAll("text")].some((t) => t.textContent.trim() === label)) {
          return g.querySelector(".gv tspan").textContent;
        }
      }
      return null;
    }""", label)


def test_right_answers_are_marked_right(open_tab, sheets) -> None:
    """A right answer (to 4 significant digits) turns its row and its cell green and counts; all five complete the sheet."""
    page = open_tab(sheets["en"])
    assert page.inner_text("#ws-score") == "0 of 5 right" and cell(page, "z") == "?"
    assert answer(page, "∂f/∂f", "1") == "right"
    assert answer(page, "∂f/∂z", "3.0004") == "right"
    assert cell(page, "z") == "3" and page.locator("g.node.ws-right").count() == 2
    for label, typed in (("∂f/∂(x + y)", "-4"), ("∂f/∂x", "−4"), ("∂f/∂y", "-4e0")):
        assert answer(page, label, typed) == "right"
    assert page.inner_text("#ws-score") == "5 of 5 right" and page.get_attribute("body", "data-right") == "5"
    assert page.requests == [sheets["en"].resolve().as_uri()] and page.problems == [] and page.dialogs == []


def test_keys_typed_in_a_box_stay_in_the_box(open_tab, sheets) -> None:
    """Typing -1.5e+2 and arrow keys in a box edits it, without zooming or stepping; clicking a node focuses its box."""
    page = open_tab(sheets["en"])
    scale = page.get_attribute(".stage svg", "data-scale")
    box = page.get_by_label("∂f/∂z", exact=True)
    box.press_sequentially("-1.5e+2")
    box.press("ArrowLeft")
    box.press("ArrowRight")
    assert box.input_value() == "-1.5e+2" and page.get_attribute(".stage svg", "data-scale") == scale
    assert page.get_attribute("body", "data-frame") == "0"
    page.locator("g.node", has=page.locator("text", has_text="x + y")).first.click()
    assert page.evaluate("document.activeElement.id") == page.get_by_label("∂f/∂(x + y)", exact=True).get_attribute("id")


def test_wrong_answer_hints_upstream_times_local(open_tab, sheets) -> None:
    """A second wrong answer adds the numbers: the upstream is asked for first, then shown as a number × the local."""
    page = open_tab(sheets["en"])
    answer(page, "∂f/∂x", "4")
    hint = answer(page, "∂f/∂x", "5")
    assert "not yet. ∂f/∂x = upstream × local" in hint
    assert "upstream ∂f/∂(x + y) × local ∂(x + y)/∂x = ? × 1 (fill in ∂f/∂(x + y) first)" in hint
    assert page.locator("g.node.ws-wrong").count() == 1 and cell(page, "x") == "5"
    answer(page, "∂f/∂(x + y)", "-4")
    assert "upstream ∂f/∂(x + y) × local ∂(x + y)/∂x = -4 × 1" in answer(page, "∂f/∂x", "3.9")
    assert "the output" in answer(page, "∂f/∂f", "2") and page.inner_text("#ws-score") == "1 of 5 right"


def test_hints_escalate_rule_then_numbers_then_answer(open_tab, sheets) -> None:
    """Wrong answers to one box get, in turn: the gate's rule in words (no numbers); then also
    upstream × local; then also the answer. A right answer ends the hints."""
    page = open_tab(sheets["en"])
    first = answer(page, "∂f/∂z", "1")
    assert "the × gate (mul) that takes z: mul swaps its inputs" in first
    assert "upstream ∂f/∂f ×" not in first and "3" not in first and "the answer" not in first
    second = answer(page, "∂f/∂z", "2")
    assert second.startswith(first) and "upstream ∂f/∂f × local ∂f/∂z = ? × 3" in second and "the answer" not in second
    third = answer(page, "∂f/∂z", "4")
    assert third.startswith(second) and third.endswith("the answer: 3")
    assert page.locator("[data-level]").evaluate_all("els => els.map(e => e.dataset.level)") == ["3"]
    assert answer(page, "∂f/∂z", "3") == "right"


@pytest.mark.parametrize("expression", ["course", "neuron"])
def test_first_answer_box_is_in_the_first_view_at_800_by_600(chromium, tmp_path: Path, expression: str) -> None:
    """At 800×600 (a notebook cell) the first answer box is inside the viewport without scrolling,
    for the course's example and for a 10-cell sigmoid neuron."""
    if expression == "course":
        root = course().f
    else:
        w0, x0, w1, x1, b = (Value(v, n) for v, n in ((-3.0, "w0"), (2.0, "x0"), (1.0, "w1"), (0.0, "x1"), (6.88, "b")))
        root = (w0 * x0 + w1 * x1 + b).tanh()
        root.label = "f"
    page = chromium.new_page(viewport={"width": 800, "height": 600})
    try:
        page.goto(worksheet(root, tmp_path / "ws.html").resolve().as_uri())
        box = page.locator("#ws input").first.bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= 600 and box["x"] + box["width"] <= 800
        assert page.evaluate("window.scrollY") == 0
        stage = page.locator(".stage").bounding_box()
        assert stage["height"] >= 150  # the drawing keeps room above the table
    finally:
        page.close()


def test_non_numbers_are_refused(open_tab, sheets) -> None:
    """Anything but a decimal number is refused with a message, counts as no answer, and runs nothing."""
    page = open_tab(sheets["en"])
    for typed in ("alert(1)", "1+1", "0x10", "1e999", "--4", "1,5", "Infinity", "NaN", "3;alert(2)"):
        assert answer(page, "∂f/∂z", typed) == "not a number: type a decimal such as -4, 0.25 or 1.5e-3", typed
        assert cell(page, "z") == "?" and page.inner_text("#ws-score") == "0 of 5 right"
    assert page.dialogs == [] and page.problems == []


def test_exercise_page_opens_at_the_step_with_the_cell_marked(open_tab, sheets) -> None:
    """The checker's page opens on step 2 of 2 with y's cell marked and the banner above the drawing."""
    page = open_tab(sheets["exercise"])
    assert page.get_attribute("body", "data-frame") == "2" and page.inner_text("#counter") == "step 2 of 2"
    marked = page.locator("g.node.ws-wrong")
    assert marked.count() == 1 and "y" in marked.locator("text").all_text_contents()
    banner = page.locator("#ws-banner")
    assert "∂f/∂y should be -4; your code made it 4." in banner.inner_text()
    assert banner.bounding_box()["y"] < page.locator(".stage").bounding_box()["y"]
    page.keyboard.press("Home")
    assert page.get_attribute("body", "data-frame") == "0"
    assert page.requests == [sheets["exercise"].resolve().as_uri()] and page.problems == []


@pytest.mark.parametrize("width, sheet", [(800, "en"), (1400, "zh")])
def test_screenshots_of_worksheet_and_exercise_page(open_tab, sheets, width: int, sheet: str) -> None:
    """At 800 and 1400 px the worksheet's boxes and the exercise banner are on screen; screenshots are kept in /tmp."""
    SHOTS.mkdir(exist_ok=True)
    for name in (sheet, "exercise"):
        page = open_tab(sheets[name], width)
        if name != "exercise":
            answer(page, "∂f/∂f", "1")
            answer(page, "∂f/∂z", "-3")
        shot = page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        assert len(shot) > 10_000 and page.problems == []
        box = page.locator("#ws-banner" if name == "exercise" else "#ws").bounding_box()
        assert box["width"] > 0 and box["x"] >= 0 and box["x"] + box["width"] <= width


def test_hostile_labels_stay_text_in_hints(open_tab, tmp_path: Path) -> None:
    """Labels holding markup show as text in the boxes' labels and hints: no element, dialog or request is made."""
    a, b = Value(1.0, "<img src=x onerror=alert(1)>"), Value(2.0, "</script><svg onload=alert(2)>")
    out = a * b
    out.label = "f"
    page = open_tab(worksheet(out, tmp_path / "hostile.html"))
    assert "takes (</script><svg onload=alert(2)>)" in answer(page, "∂f/∂(</script><svg onload=alert(2)>)", "5")
    hint = answer(page, "∂f/∂(</script><svg onload=alert(2)>)", "6")  # the second wrong try shows the numbers
    assert "local ∂f/∂(</script><svg onload=alert(2)>) = ? × 1" in hint
    assert page.locator("img").count() == 0 and page.locator("svg").count() == 1
    assert page.dialogs == [] and page.problems == [] and len(page.requests) == 1
