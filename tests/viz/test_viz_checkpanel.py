"""The stepper page's gradient-check toggle (viz.checkpanel): its data per leaf, escaping, the wrong rule, the browser."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from autograd import Value
from viz import save_html, stepper
from viz.checkpanel import check_addon
from viz.dot import fmt
from viz.html import Addon, stepper_html

HOSTILE = '</script><script>alert(1)</script> & "q"'


def _graph() -> Value:
    """f = tanh(a·b + c) + relu(c + d) + relu(k): one mul (inputs a, b), a kink at k = 0; no backward yet."""
    a, b, c, d, k = Value(0.3, "a"), Value(-0.4, "b"), Value(-2.0, "c"), Value(0.5, "d"), Value(0.0, "k")
    f = (a * b + c).tanh() + (c + d).relu() + k.relu()
    f.label = "f"
    return f


def check_json(page: str) -> dict:
    """The page's embedded gradient-check data."""
    found = re.findall(r'<script type="application/json" id="gg-check">(.*?)</script>', page, re.S)
    assert len(found) == 1
    return json.loads(found[0])


def verdicts(page: str) -> list[tuple[str, str]]:
    """Each leaf's (label, verdict) in the page's check data, sorted."""
    return sorted((leaf["label"], leaf["verdict"]) for leaf in check_json(page)["leaves"])


def test_page_carries_one_row_per_leaf_with_both_gradients() -> None:
    """Every leaf has a row with this pass's analytic gradient, a numeric one close to it, and 4-digit texts."""
    f = _graph()
    page = stepper(f).html
    leaves = {leaf["label"]: leaf for leaf in check_json(page)["leaves"]}
    assert set(leaves) == {"a", "b", "c", "d", "k", "the constant 0"}  # relu's constant 0, listed by its value
    data = json.loads(re.search(r'id="gg-data">(.*?)</script>', page, re.S).group(1))
    for leaf in leaves.values():
        node = data["nodes"][leaf["n"]]
        assert node["op"] == "" and (node["label"] or f"the constant {fmt(node['data'])}") == leaf["label"]
    a = leaves["a"]
    assert a["analytic"] == pytest.approx(-0.4 * (1 - f.parents[0].parents[0].data ** 2), rel=1e-12)
    assert a["numeric"] == pytest.approx(a["analytic"], rel=1e-6) and a["verdict"] == "ok"
    assert leaves["k"]["verdict"] == "kink" and leaves["k"]["shown"][3] == "kink: not judged"
    assert a["shown"][0] == f"{a['analytic']:.4g}" and re.fullmatch(r"\d\.\de-\d\d", a["shown"][2])


def test_wrong_mul_rule_makes_exactly_the_mul_inputs_mismatch_in_the_page_data(wrong_mul: None) -> None:
    """With the unswapped mul rule the page data says mismatch for a and b only (k and relu(k)'s 0 are kinks)."""
    assert verdicts(stepper(_graph()).html) == [("a", "mismatch"), ("b", "mismatch"), ("c", "ok"), ("d", "ok"),
                                                ("k", "kink"), ("the constant 0", "kink"), ("the constant 0", "ok")]


def test_hostile_label_is_escaped_in_the_check_data() -> None:
    """A label that tries to close the script stays inside the JSON and reads back whole."""
    page = stepper(Value(2.0, HOSTILE) * Value(3.0, "y")).html
    assert "<script>alert(1)" not in page
    assert (HOSTILE, "ok") in verdicts(page)


def test_unnamed_constant_is_listed_by_its_value_in_chinese() -> None:
    """A constant leaf without a label reads as its value; the panel's words follow lang."""
    data = check_json(stepper(Value(2.0, "x") * 3, lang="zh").html)
    assert [leaf["label"] for leaf in data["leaves"]] == ["x", "常数 3"]
    assert data["text"]["check toggle"] == "梯度检查" and data["leaves"][0]["shown"][3] == "一致"


def test_check_false_leaves_the_toggle_out() -> None:
    """check=False writes no toggle, no check data and no script beyond the page's (data, shared module, stepper)."""
    page = stepper(_graph(), check=False).html
    assert "gg-check" not in page and "check-toggle" not in page and page.count("<script") == 3


def test_check_must_be_a_bool() -> None:
    """A non-bool check is refused, naming the argument."""
    with pytest.raises(TypeError, match=r"save_html: check must be True or False, got 'yes'"):
        save_html(_graph(), "x.html", check="yes")


def test_collapsed_and_interactive_pages_carry_the_toggle_too() -> None:
    """A collapsed page and a what-if page each hold the check data and its pinned script."""
    for options in ({"collapse": "neuron"}, {"interactive": True}):
        page = stepper(_graph(), **options).html
        assert [label for label, _ in verdicts(page)] == ["a", "b", "c", "d", "k", "the constant 0", "the constant 0"]
        assert page.count("'sha256-") == (4 if options.get("interactive") else 3)  # gg.js, stepper, [what-if], check


def test_stepper_html_refuses_two_addons_of_one_name() -> None:
    """Two add-ons with the same name would share an element id: refused, naming them."""
    f = Value(2.0, "x").log()
    f.backward()
    with pytest.raises(ValueError, match=r"two add-ons share a name: \['check', 'check'\]"):
        stepper_html("<svg></svg>", {"frames": [], "nodes": []}, "", [check_addon(f), check_addon(f)])
    with pytest.raises(TypeError, match=r"addon must be an Addon or a sequence of them, got str at 1"):
        stepper_html("<svg></svg>", {"frames": [], "nodes": []}, "", [Addon("x"), "y"])


# -- in the browser -------------------------------------------------------------------------------

_OUTLINES = """() => Array.from(document.querySelectorAll(".stage g.node")).filter(function (g) {
  return /chk-/.test(g.getAttribute("class"));
}).map(function (g) {
  var n = gategraph.use("stepper").nodes.findIndex(function (x) { return x.group === g; });
  var leaves = JSON.parse(document.getElementById("gg-check").textContent).leaves;
  return [leaves.find(function (leaf) { return leaf.n === n; }).label, g.getAttribute("class").match(/chk-(\\w+)/)[1],
          getComputedStyle(g.querySelector("polygon:not(.gbg)")).stroke];
})"""


@pytest.mark.browser
def test_toggle_outlines_exactly_the_mismatching_leaves_red(open_tab, tmp_path: Path, wrong_mul: None) -> None:
    """Pressing the toggle shows the table and red outlines on a and b only; pressing again hides all; nothing fetched."""
    path = save_html(_graph(), tmp_path / "check.html")
    page = open_tab(path, 800)
    assert page.locator("#check-panel").is_hidden() and page.evaluate(_OUTLINES) == []
    page.click("#check-toggle")
    assert page.locator("#check-panel").is_visible()
    assert page.get_attribute("#check-toggle", "aria-pressed") == "true"
    rows = page.locator("#check-panel tr.mismatch td.leaf").all_inner_texts()
    assert sorted(rows) == ["a", "b"] and page.locator("#check-panel .legend").is_visible()
    red, green, violet = "rgb(220, 38, 38)", "rgb(22, 163, 74)", "rgb(124, 58, 237)"
    assert sorted(page.evaluate(_OUTLINES)) == [
        ["a", "mismatch", red], ["b", "mismatch", red], ["c", "ok", green], ["d", "ok", green], ["k", "kink", violet],
        ["the constant 0", "kink", violet], ["the constant 0", "ok", green]]
    page.screenshot(path=str(tmp_path / "check-800.png"), full_page=True)
    page.click("#check-toggle")
    assert page.locator("#check-panel").is_hidden() and page.evaluate(_OUTLINES) == []
    assert page.requests == [path.resolve().as_uri()] and page.problems == []


@pytest.mark.browser
def test_what_if_edit_disables_the_check_until_reset(open_tab, tmp_path: Path) -> None:
    """On a what-if page an edited input hides the check and disables its toggle with the reason; reset enables it."""
    page = open_tab(save_html(Value(2.0, "x") * Value(3.0, "y"), tmp_path / "w.html", interactive=True), 800)
    page.click("#check-toggle")
    page.locator(".whatif input[type=number]").first.fill("5")
    assert page.locator("#check-panel").is_hidden() and page.locator("#check-toggle").is_disabled()
    assert "no longer applies" in page.inner_text(".gg-check") and page.evaluate(_OUTLINES) == []
    page.click(".whatif .reset")
    assert page.locator("#check-toggle").is_enabled() and page.locator(".gg-check .check-stale").is_hidden()
    assert page.problems == []


def test_second_page_of_one_graph_checks_its_own_pass() -> None:
    """A root whose leaves kept an earlier pass's gradients gets a page whose check is of its own pass: all ok."""
    x, y = Value(2.0, "x"), Value(3.0, "y")
    f = x * y + x
    f.backward()
    data = check_json(stepper(f).html)
    assert verdicts(stepper(f).html) == [("x", "ok"), ("y", "ok")]
    assert [leaf["analytic"] for leaf in data["leaves"]] == [4.0, 2.0] and (x.grad, y.grad) == (12.0, 6.0)
