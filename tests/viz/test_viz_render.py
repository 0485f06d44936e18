"""render and Diagram find a Graphviz executable (system dot, else graphviz-pure) and write SVG or PNG."""

from __future__ import annotations

import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

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
    """A dot on PATH wins over graphviz-pure."""
    monkeypatch.setattr(viz.backend.shutil, "which", lambda name, *a, **k: "/usr/bin/dot" if name == "dot" else None)
    assert find_dot() == "/usr/bin/dot"


def test_neither_found_names_both(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No dot and no graphviz-pure: the error names both and how to install either."""
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
