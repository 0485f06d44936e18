"""Pages and drawings made with a system Graphviz (Debian's 2.43 in CI), not only graphviz-pure.

The rest of the suite draws with graphviz-pure (see the root conftest.py), as a pip install does;
a reader with Graphviz installed gets the system ``dot`` instead (``viz.find_dot``), whose SVG
differs in places the pages read: until a cell carried an HREF, Graphviz 2.43 wrote no anchor for
it and no page could be written at all.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import nn
from autograd import Value
from nn.losses import hinge_loss
from viz import draw_graph, render, save_html
from viz.worksheet import worksheet


@pytest.fixture(autouse=True)
def system_dot(monkeypatch: pytest.MonkeyPatch) -> str:
    """The system dot, for every test here (skipped where none is installed)."""
    dot = shutil.which("dot")
    if dot is None:
        pytest.skip("no system Graphviz 'dot' on PATH (Debian: apt install graphviz)")
    monkeypatch.setenv("GATEGRAPH_DOT", dot)
    return dot


def _network() -> Value:
    loss = hinge_loss(nn.MLP(3, [4, 4, 1], seed=1)([2.0, 3.0, -1.0]), -1)
    loss.label = "loss"
    return loss


def _cells(page: str) -> int:
    """How many gradient cells the page filled in (one <text class="gv"> each), after checking
    that no Graphviz anchor of a marked cell is left in it."""
    assert 'xlink:title="gg' not in page and 'xlink:href="#"' not in page
    return page.count('<text class="gv"')


def test_the_stepper_page_is_written_with_every_gradient_cell(fresh, tmp_path: Path) -> None:
    """(x + y)·z: all 5 gradient cells found and filled in, drawn by the system dot."""
    page = save_html(fresh.f, tmp_path / "s.html").read_text(encoding="utf-8")
    assert _cells(page) == 5 and "graphviz-pure" not in page


@pytest.mark.parametrize("options", [{}, {"collapse": "neuron"}, {"interactive": True}, {"lang": "zh"}],
                         ids=["gates", "collapsed", "what-if", "zh"])
def test_the_networks_pages_are_written(tmp_path: Path, options: dict) -> None:
    """The 3 → 4 → 4 → 1 network's page, gate by gate, collapsed, live and in Chinese."""
    page = save_html(_network(), tmp_path / "n.html", **options).read_text(encoding="utf-8")
    assert _cells(page) > 0


def test_a_worksheet_and_its_answer_key_are_written(fresh, tmp_path: Path) -> None:
    """The worksheet leaves its cells for the learner; the key fills them in."""
    sheet = worksheet(fresh.f, tmp_path / "ws.html", answers=tmp_path / "key.html")
    assert sheet.exists() and _cells((tmp_path / "key.html").read_text(encoding="utf-8")) == 5


@pytest.mark.parametrize("suffix", [".svg", ".png"])
def test_the_network_renders_with_its_layer_boxes(tmp_path: Path, suffix: str) -> None:
    """Both formats go through the two runs (dot, then neato -n2); the SVG has L1, L2 and L3."""
    out = render(draw_graph(_network()), tmp_path / f"n{suffix}")
    if suffix == ".png":
        assert out.read_bytes()[:4] == b"\x89PNG"
    else:
        labels = re.findall(r"<title>cluster_\d+</title>\s*<path[^>]*/>\s*<text[^>]*>(L\d)</text>", out.read_text())
        assert sorted(labels) == ["L1", "L2", "L3"]
