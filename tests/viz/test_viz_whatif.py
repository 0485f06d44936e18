"""The what-if page without a browser: every row has a JavaScript twin, twins only compute, the page pins both scripts."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import replace
from pathlib import Path

import pytest

import viz.whatif
from autograd import GATES, JsTwin, Value, backward_steps
from viz import save_html, stepper
from viz.html import page_data
from viz.whatif import check_twin, twins_script, whatif_addon

HOSTILE = ['</script><img src=x onerror=alert(1)>', "<svg onload=alert(1)>{|}\\", "<!-- & -->",
           "\u2028</SCRIPT >\u2029"]


@pytest.mark.parametrize("name", sorted(GATES))
def test_every_built_in_row_has_a_javascript_twin_that_only_computes(name: str) -> None:
    """Each row of GATES carries a JsTwin whose expressions pass the twin check and reach the page's script."""
    gate = GATES[name]
    assert isinstance(gate.js, JsTwin)
    check_twin(gate)
    assert f"return {gate.js.forward};" in twins_script() and f"return {gate.js.local_grads};" in twins_script()


@pytest.mark.parametrize("forward, local, found", [
    ("a + b", "[1, 1]", "'b'"),  # log takes one input
    ("Math.log(a)", "[1 / x]", "'x'"),
    ("fetch(a)", "[1]", "'fetch'"),
    ("Math.log(a); alert(1)", "[1]", "';'"),
    ("Math.log(a)", "[out.constructor]", "'.' only after Math"),
    ("Math.log(a)", "['</script>']", "\"'</script>']\""),
    ("Math.eval(a)", "[1]", "'eval'"),
])
def test_twin_check_refuses_names_and_characters_outside_arithmetic(forward: str, local: str, found: str) -> None:
    """A twin with another name, a statement, a string or a property access is refused, naming the gate and what was found."""
    with pytest.raises(ValueError, match=r"gate 'log': JsTwin\.\w+ (may use|uses).*" + re.escape(found)):
        check_twin(replace(GATES["log"], js=JsTwin(forward, local)))


def test_js_twin_needs_two_non_empty_strings() -> None:
    """JsTwin refuses an empty or non-string expression, naming the field."""
    with pytest.raises(TypeError, match=r"JsTwin\.local_grads must be a non-empty JavaScript expression"):
        JsTwin("a", "  ")


def test_a_gate_without_a_twin_makes_interactive_refuse(monkeypatch, tmp_path: Path) -> None:
    """A graph with a gate whose row has no twin cannot be made interactive; the error names the gate and the way out."""
    monkeypatch.setattr(viz.whatif, "GATES", {**GATES, "mul": replace(GATES["mul"], js=None)})
    with pytest.raises(ValueError, match=r"save_html\(interactive=True\): gate 'mul' has no JavaScript twin.*interactive=False"):
        save_html(Value(2.0, "x") * 3.0, tmp_path / "page.html", interactive=True)
    assert not (tmp_path / "page.html").exists()


def test_interactive_must_be_a_bool() -> None:
    """interactive=1 is refused with a TypeError naming the argument."""
    with pytest.raises(TypeError, match=r"stepper: interactive must be True or False, got 1"):
        stepper(Value(2.0) * 3.0, interactive=1)


def test_interactive_page_pins_both_scripts_by_hash_and_marks_every_data_cell() -> None:
    """The CSP lists the hash of the stepper's script and of the what-if script; each value node's data cell is marked."""
    x = Value(2.0, "x")
    page = stepper((x * x).log() + 1.0, interactive=True).html
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert len(scripts) == 4 and page.count('<script type="application/json"') == 3  # gg.js, and the check toggle's
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in page
    assert page.count('<text class="dv"') == 5 and page.count('class="gv" data-w=') == 5


def test_plain_page_is_unchanged_by_the_hook() -> None:
    """Without interactive (and the check toggle) the page has its two scripts (gg.js, the stepper's), no what-if data and no marked data cells."""
    page = stepper(Value(2.0, "x") * 3.0, check=False).html
    assert page.count("<script>") == 2 and "gg-whatif" not in page and 'class="dv"' not in page


def test_hostile_labels_stay_escaped_in_the_what_if_data(tmp_path: Path) -> None:
    """Hostile labels never appear raw in an interactive page: not in its JSON, its drawing or its scripts."""
    a, b, c = (Value(v, label) for v, label in zip((1.0, 2.0, 3.0), HOSTILE))
    out = a * b + c
    out.label = HOSTILE[3]
    text = save_html(out, tmp_path / "page.html", interactive=True).read_text(encoding="utf-8")
    for raw in ("</script><img", "<svg onload", "<!--", "</SCRIPT"):
        assert raw not in text
    assert text.count("<script") == 7 and text.count("</script>") == 7  # page, what-if, check: data + script each; gg.js


def test_addon_data_carries_constants_symbols_and_gate_words() -> None:
    """The what-if data holds pow's exponent per node, the gates' names and rules, and the caption templates."""
    x = Value(2.0, "x")
    f = x ** 3
    svg, data, addon = whatif_addon(f, *page_data(f, list(backward_steps(f)), "zh"))
    assert addon.data["c"] == [None, 3.0] and addon.data["symbols"] == ["", "^3"]
    assert addon.data["gates"]["pow"]["constant"] is True and addon.data["gates"]["pow"]["called"] == "幂门单元"
    assert "{upstream}" in addon.data["text"]["caption upstream"] and addon.name == "whatif"
