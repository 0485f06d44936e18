"""Running Graphviz: the system ``dot`` if it is on PATH, else the pip-installed ``graphviz-pure``."""

from __future__ import annotations

import functools
import html
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Optional, Sequence, TypeVar, Union

import graphviz

from ._files import write_atomic
from .i18n import FONT_STACK, has_cjk

__all__ = ["Diagram", "DotNotFoundError", "RenderError", "cjk_font_found", "find_dot", "render", "render_svg",
           "render_svgs"]

PathT = TypeVar("PathT", str, os.PathLike)

#: Output formats :func:`render` writes, by file suffix.
FORMATS = {".svg": "svg", ".png": "png"}

#: PNGs are rasterised at this resolution (Graphviz's default of 96 dpi looks blurry on screens).
PNG_DPI = 144

#: Seconds one ``dot`` run may take before it is stopped.
TIMEOUT = 300


class DotNotFoundError(RuntimeError):
    """Neither the system ``dot`` nor the ``graphviz-pure`` executable could be found."""


class RenderError(RuntimeError):
    """Graphviz ran but did not draw the diagram: it rejected the DOT text, failed or timed out.

    A ``RuntimeError``, so code written against earlier versions that caught ``RuntimeError``
    still catches it.
    """


#: Environment variable that picks the Graphviz executable: ``graphviz-pure`` for the pip one even
#: where a system ``dot`` is installed, or a name on PATH or a path (see :func:`find_dot`).
DOT_VARIABLE = "GATEGRAPH_DOT"


def find_dot() -> str:
    """The Graphviz executable to run: ``dot`` on PATH, else ``graphviz-pure`` from the pip package.

    ``graphviz-pure`` (a dependency of gategraph) installs its executable next to the Python
    interpreter, in the virtual environment's ``bin`` (``Scripts`` on Windows), which need not be
    on PATH; it takes the same command line as ``dot``. The environment variable
    ``GATEGRAPH_DOT`` overrides the choice: ``GATEGRAPH_DOT=graphviz-pure`` uses the pip one
    even beside a system ``dot``; any other value is the executable to run, a name on PATH or
    a path (the test suite sets ``graphviz-pure``, so its drawings are the ones a pip install
    makes).

    Returns:
        The path of the executable.

    Raises:
        DotNotFoundError: neither was found, or ``GATEGRAPH_DOT`` names no executable; the
            message says how to get one.

    >>> Path(find_dot()).name in {"dot", "dot.exe", "graphviz-pure", "graphviz-pure.exe"}
    True
    """
    chosen = os.environ.get(DOT_VARIABLE, "").strip()
    if chosen and chosen != "graphviz-pure":
        found = shutil.which(chosen)
        if not found:
            raise DotNotFoundError(
                f"cannot draw: {DOT_VARIABLE}={chosen!r} is no executable on PATH or at that path; "
                f"set it to a Graphviz 'dot', to 'graphviz-pure', or unset it"
            )
        return found
    system_dot = None if chosen else shutil.which("dot")
    if system_dot:
        return system_dot
    here = Path(sys.executable).parent
    for candidate in (here / "graphviz-pure", here / "graphviz-pure.exe"):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    on_path = shutil.which("graphviz-pure")
    if on_path:
        return on_path
    raise DotNotFoundError(
        "cannot draw: no Graphviz renderer found. Looked for the system 'dot' on PATH and for the "
        f"'graphviz-pure' executable next to {sys.executable} and on PATH. Install either one: "
        "'pip install graphviz-pure' (pure pip, no system packages) or Graphviz itself "
        "(e.g. 'apt install graphviz')."
    )


def _source(diagram: Any) -> str:
    """The DOT text of a graphviz object (anything with ``.source``) or of a DOT string."""
    if isinstance(diagram, str):
        return diagram
    source = getattr(diagram, "source", None)
    if not isinstance(source, str):
        raise TypeError(
            "expected a diagram (graphviz.Digraph, graphviz.Source or a DOT string), "
            f"got {type(diagram).__name__}"
        )
    return source


#: The comment on a layer cluster of a network (see :func:`pinned_layers`), and how DOT writes it.
LAYER_COMMENT = "gategraph: layer box"
LAYER_MARK = f"// {LAYER_COMMENT}"

_MARKED_LAYER = re.compile(r"^(\t*)" + re.escape(LAYER_MARK) + r"\n\t*subgraph cluster_(\w+) \{$", re.M)
_SUBGRAPH = re.compile(r"^\t*(?:subgraph (\w+) )?\{$")  # a named subgraph, or an anonymous one (rank=same)
_BB = re.compile(r'bb="([-+\d.e]+),([-+\d.e]+),([-+\d.e]+),([-+\d.e]+)"')
#: Room a layer's box leaves around its neurons' boxes, and for its label (points): above them
#: where layers stand side by side, to their left where they are stacked (see pinned_layers).
LAYER_MARGIN, LAYER_LABEL = 2.0, 14.0


def pinned_layers(laid_out: str) -> str:
    """Graphviz's laid-out DOT of a network (``-Tdot``, layers as plain subgraphs) with each
    layer's box: its neurons' boxes joined, plus :data:`LAYER_MARGIN` and room for its label.

    Layer clusters drawn by ``dot`` itself come out as a staircase: an edge from a layer to the
    next passes ranks that the next layer's cluster spans (beside its weights), and dot keeps a
    cluster's box free of every outside node in its ranks, so each layer is pushed off the
    last one's edges. Laid out as plain subgraphs (neuron clusters only), the layers line up;
    this adds their boxes back, for ``neato -n2``, which draws a laid-out graph as it is.
    """
    lines = laid_out.split("\n")
    stack: list[str] = []
    boxes: dict[str, list[float]] = {}
    labels: dict[str, tuple[str, float]] = {}  # a layer's label text and font size
    for i, line in enumerate(lines):
        opened = _SUBGRAPH.match(line)
        if opened:
            stack.append(opened.group(1) or "")
            if stack[-1].startswith("layer_"):
                labels[stack[-1]] = _label_of(lines, i + 1)
            bb = _BB.search(lines[i + 1]) if i + 1 < len(lines) else None
            layer = next((name for name in reversed(stack[:-1]) if name.startswith("layer_")), None)
            if stack[-1].startswith("cluster") and bb and layer:
                x0, y0, x1, y1 = map(float, bb.groups())
                box = boxes.setdefault(layer, [x0, y0, x1, y1])
                box[:] = [min(box[0], x0), min(box[1], y0), max(box[2], x1), max(box[3], y1)]
        elif line.strip() == "}" and stack:
            stack.pop()
    whole = _BB.search(laid_out)
    if whole is None:
        raise RenderError("Graphviz gave no bounding box for the laid-out network")
    page = list(map(float, whole.groups()))
    # Layers side by side (LR, RL): the label's room goes on top. Stacked (TB, BT): the next layer
    # is what lies above, so the room goes on the left, a strip as wide as the label.
    rankdir = re.search(r"\brankdir=\"?(\w+)", laid_out[: laid_out.find("node [")])
    stacked = (rankdir.group(1) if rankdir else "TB") in ("TB", "BT")
    for name, (x0, y0, x1, y1) in boxes.items():
        # the label's width as Helvetica's, about 0.6 em a letter
        text, size = labels.get(name, ("", 10.0))
        width = 0.6 * size * len(text)
        left = width + 2 * LAYER_MARGIN if stacked else 0.0
        top = 0.0 if stacked else LAYER_LABEL
        box = (x0 - LAYER_MARGIN - left, y0 - LAYER_MARGIN, x1 + LAYER_MARGIN, y1 + LAYER_MARGIN + top)
        page = [min(page[0], box[0]), min(page[1], box[1]), max(page[2], box[2]), max(page[3], box[3])]
        # the label's centre, top left inside the box (neato -n2 would guess it, and beside a
        # graph label it guesses that one's place)
        place = (f'lp="{box[0] + 2 * LAYER_MARGIN + width / 2:.2f},{box[3] - LAYER_LABEL / 2 - 1:.2f}", '
                 f'lwidth={width / 72:.2f}, lheight={size * 1.2 / 72:.2f}')
        laid_out = laid_out.replace(
            f"subgraph {name} {{",
            f'subgraph cluster_{name[6:]} {{\n\tgraph [bb="{",".join(f"{v:.2f}" for v in box)}", {place}];', 1,
        )
    return _BB.sub(f'bb="{",".join(f"{v:.2f}" for v in page)}"', laid_out, count=1)


def _label_of(lines: list[str], start: int) -> tuple[str, float]:
    """The label (tags and entities removed) and font size in the attribute block at ``lines[start]``."""
    block = []
    for line in lines[start : start + 40]:
        block.append(line)
        if line.rstrip().endswith("];"):
            break
    attrs = " ".join(block)
    label = re.search(r"\blabel=(<.*?>|\"(?:[^\"\\]|\\.)*\"|\w+)[,\]]", attrs)
    size = re.search(r"\bfontsize=\"?([\d.]+)", attrs)
    text = re.sub(r"<[^>]*>", "", label.group(1).strip('<>"')) if label else ""
    return html.unescape(text), float(size.group(1)) if size else 14.0


def _run(source: str, fmt: str, *extra: str) -> bytes:
    """Run Graphviz on ``source``, returning what it writes to stdout for format ``fmt``.

    A network with marked layer clusters (:data:`LAYER_MARK`) takes two runs: ``dot`` lays it
    out with its layers as plain subgraphs, then ``neato -n2`` draws that layout with the
    layers' boxes added (see :func:`pinned_layers`).
    """
    if LAYER_MARK in source:
        laid_out = _graphviz(_MARKED_LAYER.sub(r"\1subgraph layer_\2 {", source), "dot").decode("utf-8")
        return _graphviz(pinned_layers(laid_out), fmt, "-Kneato", "-n2", *extra)
    return _graphviz(source, fmt, *extra)


def _graphviz(source: str, fmt: str, *extra: str) -> bytes:
    """One run of the Graphviz executable (:func:`find_dot`) on ``source``: its stdout for ``fmt``."""
    cmd = [find_dot(), f"-T{fmt}", *extra]
    try:
        done = subprocess.run(cmd, input=source.encode("utf-8"), capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise RenderError(
            f"{Path(cmd[0]).name} took longer than {TIMEOUT} s to lay out the diagram; draw a smaller graph"
        ) from None
    if done.returncode != 0:
        errors = done.stderr.decode("utf-8", "replace").strip()
        raise RenderError(f"{Path(cmd[0]).name} failed (exit {done.returncode}): {errors}")
    return done.stdout


#: Latin fonts for a PNG rasterised from SVG: Helvetica, else its metric twins Arial, Liberation
#: Sans and Arimo, else any sans-serif.
LATIN_STACK = "Helvetica, Arial, 'Liberation Sans', Arimo, 'DejaVu Sans', sans-serif"


def _png(source: str) -> bytes:
    """A PNG of DOT ``source`` at :data:`PNG_DPI`, with real glyphs for CJK labels.

    Without CJK text Graphviz draws the PNG itself. graphviz-pure draws text only with the
    three Latin fonts compiled into it (it never opens a system font), so a CJK character
    would come out as an empty box; a diagram with CJK text is therefore laid out to SVG and
    rasterised by :func:`rasterise_svg`, which draws with the system's fonts.
    """
    if not has_cjk(source):
        return _run(source, "png", f"-Gdpi={PNG_DPI}")
    return rasterise_svg(_run(source, "svg").decode("utf-8"), dpi=PNG_DPI)


def rasterise_svg(svg: str, dpi: float = PNG_DPI) -> bytes:
    """A Graphviz SVG drawn as PNG with the system's fonts (resvg, through the ``resvg-py`` wheel).

    The SVG's size in points becomes pixels at ``dpi``; text in Graphviz's Helvetica may use
    :data:`LATIN_STACK`, and CJK runs name :data:`viz.i18n.FONT_STACK` (Noto Sans CJK, Source
    Han Sans, PingFang, Microsoft YaHei, WenQuanYi), so any of those installed draws them —
    on Debian, ``apt install fonts-noto-cjk``.

    Raises:
        RenderError: ``resvg-py`` is not installed, or it could not draw the SVG.
    """
    try:
        import resvg_py
    except ImportError:
        raise RenderError(
            "a PNG with Chinese (CJK) labels is drawn by resvg: pip install resvg-py "
            "(or write .svg, which any browser shows with its own CJK fonts)"
        ) from None
    if has_cjk(svg) and not cjk_font_found():
        raise RenderError(
            "no font for Chinese (CJK) text is installed, so the PNG's labels would come out blank: "
            "install one (Debian/Ubuntu: apt install fonts-noto-cjk), or write .svg, which a browser "
            "shows with its own fonts"
        )
    scale = dpi / 72.0

    def pixels(match: re.Match[str]) -> str:
        return f'{match.group(1)}="{float(match.group(2)) * scale:.0f}"'

    head, _, body = svg.partition("<svg")
    tag, _, rest = body.partition(">")
    tag = re.sub(r'\b(width|height)="([\d.]+)pt"', pixels, tag)
    svg = "<svg" + tag + ">" + rest.replace('font-family="Helvetica,sans-Serif"', f'font-family="{LATIN_STACK}"')
    try:
        return bytes(resvg_py.svg_to_bytes(svg_string=svg))
    except ValueError as error:
        raise RenderError(f"resvg could not draw the diagram's SVG: {error}") from None


#: What :func:`cjk_font_found` draws: an ideograph in the diagrams' font stack, and nothing.
_PROBE = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24"><rect width="24" height="24" fill="white"/>'
    '<text x="2" y="20" font-size="20" font-family="{family}">{text}</text></svg>'
)


def cjk_font_found(**resvg_options: Any) -> bool:
    """Whether resvg finds a font with Chinese glyphs (one of :data:`viz.i18n.FONT_STACK`).

    Where no font has a glyph, resvg draws nothing, or a Latin font's box for every missing
    character alike (tofu). So the probe draws 梯 and 度 in the diagrams' font stack, and no text:
    a CJK font is found when the two ideographs are two different pictures and neither is blank.
    The answer for the system's fonts is computed once a process. ``resvg_options`` go to
    ``resvg_py.svg_to_bytes`` (e.g. ``skip_system_fonts=True``); False if resvg is missing.

    >>> cjk_font_found(skip_system_fonts=True)  # no fonts at all: nothing draws 梯
    False
    """
    if not resvg_options:
        return _system_cjk_font()
    try:
        import resvg_py
    except ImportError:
        return False
    family = FONT_STACK.replace("'", "&apos;")
    ti, du, blank = (bytes(resvg_py.svg_to_bytes(svg_string=_PROBE.format(family=family, text=text), **resvg_options))
                     for text in ("\u68af", "\u5ea6", ""))  # 梯, 度
    return ti != du and blank not in (ti, du)


@functools.lru_cache(maxsize=1)
def _system_cjk_font() -> bool:
    return cjk_font_found(skip_system_fonts=False)


def render_svg(diagram: Any) -> str:
    """The diagram rendered as an SVG document (a string).

    Args:
        diagram: a ``graphviz.Digraph`` (e.g. from :func:`viz.draw_graph`) or DOT source.

    Returns:
        The SVG text.

    >>> render_svg("digraph { a -> b }").lstrip().startswith("<?xml")
    True
    """
    return _run(_source(diagram), "svg").decode("utf-8")


def _split_svgs(text: str) -> list[str]:
    """Split the output of one Graphviz run over several graphs into one SVG document each."""
    head = "<?xml"
    starts = []
    at = text.find(head)
    while at != -1:
        starts.append(at)
        at = text.find(head, at + 1)
    return [text[a:b] for a, b in zip(starts, starts[1:] + [len(text)])]


def render_svgs(diagrams: Sequence[Any], *, workers: Optional[int] = None) -> list[str]:
    """Render many diagrams to SVG with few processes: the graphs go to Graphviz in batches.

    One ``dot`` input may hold several graphs, and Graphviz then writes one SVG document per
    graph; the diagrams are split into one batch per CPU (at most 4) that run concurrently.

    Args:
        diagrams: graphviz objects or DOT strings.
        workers: how many Graphviz processes to run at once (default: the CPU count, at most 4).

    Returns:
        One SVG string per diagram, in order.

    >>> [s.count("<svg") for s in render_svgs(["digraph { a }", "digraph { b -> c }"])]
    [1, 1]
    """
    sources = [_source(d) for d in diagrams]
    if not sources:
        return []
    workers = workers or min(4, os.cpu_count() or 1)
    workers = max(1, min(workers, len(sources)))
    size = -(-len(sources) // workers)  # ceiling division
    batches = [sources[i : i + size] for i in range(0, len(sources), size)]

    def run_batch(batch: list[str]) -> list[str]:
        if any(LAYER_MARK in s for s in batch):  # two runs each (see _run): one graph at a time
            return [render_svg(s) for s in batch]
        svgs = _split_svgs(_run("\n".join(batch), "svg").decode("utf-8"))
        if len(svgs) != len(batch):  # a renderer that stops after the first graph: one at a time
            svgs = [render_svg(s) for s in batch]
        return svgs

    with ThreadPoolExecutor(max_workers=len(batches)) as pool:
        return [svg for part in pool.map(run_batch, batches) for svg in part]


def render(diagram: Any, path: PathT) -> PathT:
    """Write ``diagram`` to ``path`` as SVG or PNG, chosen by the file's suffix.

    Uses the system ``dot`` when it is on PATH, else the ``graphviz-pure`` executable that
    the pip package of that name installs (see :func:`find_dot`). Missing parent folders are
    created. The file is written whole or not at all: Graphviz runs first, then the bytes go to
    a temporary file beside ``path`` that is renamed over it (:func:`viz._files.write_atomic`),
    so a failure leaves an existing file untouched and no partial file.

    Args:
        diagram: a ``graphviz.Digraph`` (e.g. from :func:`viz.draw_graph`), any object with a
            ``.source`` DOT string, or the DOT text itself.
        path: where to write; its suffix (``.svg`` or ``.png``, any case) picks the format.

    Returns:
        ``path``, as given.

    Raises:
        ValueError: the suffix is not one of ``.svg``, ``.png``.
        DotNotFoundError: neither ``dot`` nor ``graphviz-pure`` is installed.
        RenderError: Graphviz rejected the diagram (its message is included) or timed out.
        OSError: ``path`` cannot be written (a folder, a read-only place, a missing drive).

    >>> import tempfile, viz
    >>> from autograd import Value
    >>> folder = tempfile.mkdtemp()
    >>> out = viz.render(viz.draw_graph(Value(2.0, "x") * 3), Path(folder) / "x.svg")
    >>> out.read_text(encoding="utf-8").count("<svg")
    1
    """
    target = Path(path)
    fmt = FORMATS.get(target.suffix.lower())
    if fmt is None:
        raise ValueError(
            f"render: cannot tell the format from the suffix {target.suffix!r} of {str(path)!r}; "
            f"use one of {', '.join(FORMATS)}"
        )
    source = _source(diagram)
    data = _png(source) if fmt == "png" else _run(source, fmt)
    write_atomic(target, data)
    return path


class Diagram(graphviz.Digraph):
    """A ``graphviz.Digraph`` that renders through :func:`find_dot`, so it shows in Jupyter
    with no system Graphviz installed (``graphviz-pure`` is enough).

    ``pipe(format=...)`` and the Jupyter display hooks run the same executable as
    :func:`render`. Diagrams made by :func:`viz.backprop_frames` also carry ``caption`` (the
    step in words), ``step`` (the :class:`autograd.Step`, or None for the forward frame),
    ``root`` (the Value the film is of) and ``lang`` (the captions' language).
    """

    caption: str = ""
    step: Any = None
    root: Any = None
    lang: str = "en"

    def pipe(  # type: ignore[override]
        self,
        format: Optional[str] = None,
        renderer: Optional[str] = None,
        formatter: Optional[str] = None,
        neato_no_op: Union[bool, int, None] = None,
        quiet: bool = False,
        *,
        engine: Optional[str] = None,
        encoding: Optional[str] = None,
    ) -> Union[bytes, str]:
        """Render with the discovered executable and return the output (bytes, or str if ``encoding``)."""
        fmt = format or self.format or "svg"
        data = _png(self.source) if fmt == "png" else _run(self.source, fmt)
        return data.decode(encoding) if encoding else data

    def __repr__(self) -> str:
        # no memory address: a notebook re-run leaves its text outputs unchanged
        nodes = sum(1 for line in self.body if line.lstrip().startswith("n") and "[" in line and "->" not in line)
        first = self.caption.splitlines()[0] if self.caption else ""
        return f"<viz.Diagram: {nodes} nodes{': ' + first if first else ''}>"

    def _repr_svg_(self) -> str:
        return render_svg(self)

    def _repr_image_svg_xml(self) -> str:
        return render_svg(self)
