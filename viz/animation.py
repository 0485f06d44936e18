"""The backward pass as an animated PNG (APNG): what a notebook shows where its sanitizer drops the live page."""

from __future__ import annotations

import io
import math
import re
import struct
import xml.etree.ElementTree as ET
import zlib
from dataclasses import dataclass
from typing import Any, Iterator, Optional, Sequence

from .backend import LATIN_STACK, RenderError, rasterise_svg
from .dot import ACTIVE_FILL, GRAD, TOUCHED_FILL
from .i18n import CJK_RUN, FONT_STACK, text

__all__ = ["SCALE", "animate"]

#: Pixels per point of the drawing: the values and gradients (11 pt) come out 11 px tall at the
#: image's natural size (a network's layer and neuron names, 10 pt, 10 px). Each tenth more costs
#: about a tenth more bytes; a network's gate-by-gate drawing is some 5000 points wide.
SCALE = 1.0

#: The strip above the drawing that says which step this is (pixels), and its text size.
HEADER, HEADER_FONT = 24, 13

#: How long a frame shows (milliseconds): the forward values, each step (the whole pass in about
#: :data:`PASS_MS`, each step between the two bounds), and the last frame before the loop restarts.
FIRST_MS, LAST_MS, PASS_MS, STEP_MS = 2500, 4000, 40_000, (600, 1500)

# Latin fonts first (Helvetica's metric twins: the cells are sized for Helvetica), then CJK ones.
_FONTS = LATIN_STACK.replace(", sans-serif", "") + ", " + FONT_STACK.split(", ", 2)[2]

#: A drawing larger than this many pixels at SCALE is drawn smaller, to fit (a graph of thousands of
#: nodes stepped gate by gate); one that would need a scale below MIN_SCALE is not animated.
MAX_PIXELS, MIN_SCALE = 16_000_000, 0.25

#: A page with more frames than this is not animated (each frame costs a few rasteriser runs; a
#: 645-gate graph stepped gate by gate took a minute).
MAX_FRAMES = 300

# The page's CSS for a frame's marks (viz.html's _STYLE), as SVG attributes. Its strokes are
# "non-scaling" (screen pixels): in the drawing's units they are divided by the scale.
_ACTIVE_GATE = {"fill": ACTIVE_FILL, "stroke": GRAD, "stroke-width": "4"}  # .node.active ellipse
_ACTIVE_BOX = {"stroke": GRAD, "stroke-width": "2"}  # .node.active > polygon
_HOT_HEAD = {"fill": GRAD, "stroke": GRAD}  # .edge.hot polygon
_TOUCHED = {"fill": TOUCHED_FILL}  # .gbg.touched
_CURRENT = {"font-weight": "bold"}  # .node.current .gv

_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_PAD = 4.0  # points around an element's outline: wide strokes, bold text, antialiasing


def _helvetica_em(text: str) -> float:
    """A text's width in em: Helvetica's advance widths, a CJK character one em."""
    from .html import text_width  # viz.html shows the animation, so it is imported lazily here

    cjk = sum(len(run) for run in CJK_RUN.findall(text))
    return cjk + text_width(CJK_RUN.sub("", text)) / 1000


@dataclass
class _Box:
    """A rectangle in the drawing's units: left, top, right, bottom."""

    x0: float
    y0: float
    x1: float
    y1: float

    def __or__(self, other: "_Box") -> "_Box":
        return _Box(min(self.x0, other.x0), min(self.y0, other.y0), max(self.x1, other.x1), max(self.y1, other.y1))

    def meets(self, other: "_Box") -> bool:
        return self.x0 <= other.x1 and other.x0 <= self.x1 and self.y0 <= other.y1 and other.y0 <= self.y1


def _outline(element: ET.Element) -> Iterator[tuple[float, float]]:
    """Points an element's drawing spans (in its group's units), enough for a bounding box."""
    tag = element.tag
    if tag in ("polygon", "polyline"):
        numbers = [float(n) for n in _NUMBER.findall(element.get("points", ""))]
        yield from zip(numbers[0::2], numbers[1::2])
    elif tag == "path":  # Graphviz writes absolute M/C commands only: every pair is a point
        numbers = [float(n) for n in _NUMBER.findall(element.get("d", ""))]
        yield from zip(numbers[0::2], numbers[1::2])
    elif tag == "ellipse":
        cx, cy = float(element.get("cx", 0)), float(element.get("cy", 0))
        rx, ry = float(element.get("rx", 0)), float(element.get("ry", 0))
        yield from ((cx - rx, cy - ry), (cx + rx, cy + ry))
    elif tag == "text":
        x, y = float(element.get("x", 0)), float(element.get("y", 0))
        size = float(element.get("font-size", 14))
        width = _helvetica_em("".join(element.itertext())) * size * 1.1  # bold is wider
        left = {"middle": x - width / 2, "end": x - width}.get(element.get("text-anchor", "start"), x)
        yield from ((left, y - size), (left + width, y + size * 0.3))


def _box_of(group: ET.Element) -> Optional[_Box]:
    points = [p for element in group.iter() for p in _outline(element)]
    if not points:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return _Box(min(xs) - _PAD, min(ys) - _PAD, max(xs) + _PAD, max(ys) + _PAD)


class _Drawing:
    """The page's main drawing parsed once: its parts, their boxes, and what each frame marks."""

    def __init__(self, svg: str, data: dict[str, Any]) -> None:
        end = svg.find("<svg", 1)  # a collapsed page's groups' own drawings follow the main one
        root = ET.fromstring(svg if end < 0 else svg[:end])
        self.view = [float(n) for n in _NUMBER.findall(root.get("viewBox", ""))]
        if len(self.view) != 4:
            raise ValueError(f"animate: the drawing has no viewBox of four numbers, got {root.get('viewBox')!r}")
        graph = root.find("g")
        if graph is None:
            raise ValueError('animate: the drawing has no graph group (<g id="graph0">)')
        self.transform = graph.get("transform", "")
        scale = re.search(r"scale\(([^)]*)\)", self.transform)
        move = re.search(r"translate\(([^)]*)\)", self.transform)
        sxy = [float(n) for n in _NUMBER.findall(scale.group(1))] if scale else [1.0]
        self.scale = (sxy + sxy[-1:])[:2]  # scale(s) is scale(s s)
        self.move = ([float(n) for n in _NUMBER.findall(move.group(1))] + [0.0, 0.0])[:2] if move else [0.0, 0.0]
        self.parts = [part for part in graph if part.tag != "title"]  # background, clusters, nodes, edges
        self.boxes = [self.box(part) for part in self.parts]
        self.part_of = {element: k for k, part in enumerate(self.parts) for element in part.iter()}
        self.text: dict[int, str] = {}  # each part's SVG text as it looks now (made when first needed)
        by_title: dict[str, list[ET.Element]] = {}
        for part in self.parts:
            title = part.find("title")
            if part.tag == "g" and title is not None and title.text:
                by_title.setdefault(title.text, []).append(part)
        one = lambda title: (by_title.get(title) or [None])[0]  # noqa: E731
        nodes = data["nodes"]
        self.cells: list[list[tuple[ET.Element, ET.Element]]] = [[] for _ in nodes]  # (tspan, its text)
        self.shades: list[list[ET.Element]] = [[] for _ in nodes]
        for element in graph.iter():
            if element.tag == "text":
                for tspan in element.iter("tspan"):
                    if tspan.get("data-n") is not None:
                        self.cells[int(tspan.get("data-n", ""))].append((tspan, element))
            elif "gbg" in element.get("class", "").split():
                for n in element.get("data-n", "").split():
                    self.shades[int(n)].append(element)
        self.value = [one(n["v"]) if n["v"] else None for n in nodes]
        self.gate = [one(n["g"]) if n["g"] else None for n in nodes]
        self.edges: list[list[ET.Element]] = []
        for n in nodes:
            edges: list[ET.Element] = []
            if n["g"]:
                for p in n["p"]:
                    edges += by_title.get(f"{nodes[p]['v'] or nodes[p].get('u', '')}->{n['g']}", [])
                edges += by_title.get(f"{n['g']}->{n['v']}", [])
            self.edges.append(edges)
        ends = {title: title.split("->") for title in by_title if title.count("->") == 1}  # an edge's "a->b"
        self.units = {key: (one(key), [g for title, ab in ends.items() if key in ab for g in by_title[title]])
                      for key in data.get("groups", [])}
        self.original = {element: dict(element.attrib) for element in graph.iter()}
        # pixels per unit: SCALE, or less for a drawing too large for one picture
        area = max(self.view[2] * self.view[3], 1.0)
        self.pixels = min(SCALE, math.sqrt(MAX_PIXELS / area))
        if self.pixels < MIN_SCALE:
            raise RenderError(
                f"animate: the drawing is {self.view[2]:.0f} × {self.view[3]:.0f} points, too large to animate "
                f"(it would be drawn at {self.pixels:.2f} px a point); save the page with viz.save_html instead"
            )

    def unscaled(self, style: dict[str, str]) -> dict[str, str]:
        """``style`` with its stroke width (screen pixels) in the drawing's units at :attr:`pixels` per unit."""
        return {**style, "stroke-width": f"{float(style['stroke-width']) / self.pixels:.2f}"}

    def box(self, element: ET.Element) -> Optional[_Box]:
        """Where ``element`` draws, in the drawing's (viewBox) units: its points, then scale(s) … translate(t)."""
        inner = _box_of(element)
        if inner is None:
            return None
        (sx, sy), (tx, ty) = self.scale, self.move
        xs = sorted((sx * (inner.x0 + tx), sx * (inner.x1 + tx)))
        ys = sorted((sy * (inner.y0 + ty), sy * (inner.y1 + ty)))
        return _Box(xs[0], ys[0], xs[1], ys[1])

    def marks(self, frame: dict[str, Any]) -> dict[ET.Element, dict[str, str]]:
        """The attributes the page's CSS gives each element in ``frame`` (see viz.html's ``show``).

        An edge into or out of the active gate gets its arrowhead in orange, not its whole path:
        a long edge would redraw a large part of the image in every step.
        """
        marks: dict[ET.Element, dict[str, str]] = {}

        def mark(elements: Iterator[ET.Element], how: dict[str, str]) -> None:
            for element in elements:
                marks.setdefault(element, {}).update(how)

        def active(group: Optional[ET.Element], edges: Sequence[ET.Element]) -> None:
            if group is not None:
                mark(group.iter("ellipse"), self.unscaled(_ACTIVE_GATE))
                mark(iter(group.findall("polygon")), self.unscaled(_ACTIVE_BOX))
            for edge in edges:
                mark(edge.iter("polygon"), _HOT_HEAD)

        def current(group: Optional[ET.Element]) -> None:
            if group is not None:
                mark((t for t in group.iter("text") if "gv" in t.get("class", "").split()), _CURRENT)

        if frame.get("a") is not None:
            active(self.gate[frame["a"]], self.edges[frame["a"]])
            current(self.value[frame["a"]])
        if frame.get("u") in self.units:
            node, edges = self.units[frame["u"]]
            active(node, edges)
            current(node)
        for j in frame.get("t", []):
            mark(iter(self.shades[j]), _TOUCHED)
        return marks

    def restyle(self, old: dict[ET.Element, dict[str, str]], new: dict[ET.Element, dict[str, str]]) -> list[ET.Element]:
        """Swap the marks ``old`` for ``new``; the elements that look different now."""
        changed = []
        for element in set(old) | set(new):
            if old.get(element) != new.get(element):
                element.attrib.clear()
                element.attrib.update(self.original[element])
                element.attrib.update(new.get(element, {}))
                changed.append(element)
                self.text.pop(self.part_of[element], None)
        return changed

    def retext(self, i: int, shown: str) -> list[ET.Element]:
        """Show ``shown`` in node ``i``'s gradient cells; the texts that changed."""
        changed = []
        for tspan, text in self.cells[i]:
            if tspan.text != shown:
                tspan.text = shown
                changed.append(text)
                self.text.pop(self.part_of[text], None)
        return changed

    def fragment(self, box: _Box) -> str:
        """The parts of the drawing that reach into ``box``, as SVG text, in drawing order."""
        inner = "".join(self._text(k) for k, at in enumerate(self.boxes) if at is None or at.meets(box))
        return f'<g transform="{self.transform}">{inner}</g>'

    def _text(self, k: int) -> str:
        if k not in self.text:
            self.text[k] = ET.tostring(self.parts[k], encoding="unicode")
        return self.text[k]


def _header(title: str, width: int) -> str:
    """The strip above the drawing with ``title`` ("Step 3 of 76"), ``width`` pixels wide, as SVG in pixels."""
    return (f'<rect width="{width}" height="{HEADER}" fill="#f3f4f6"/>'
            f'<rect y="{HEADER - 2}" width="{width}" height="2" fill="{GRAD}"/>'
            f'<text x="8" y="{HEADER - 8}" font-size="{HEADER_FONT}" font-weight="bold" fill="#1f2937">'
            f"{_escape(title)}</text>")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _rasterise(svg: str) -> Any:
    """An SVG (sized in pt, drawn 1 pt = 1 px) as an RGB numpy array."""
    import numpy as np
    from PIL import Image

    with Image.open(io.BytesIO(rasterise_svg(svg, dpi=72))) as picture:
        return np.asarray(picture.convert("RGB"))


def _delays(count: int) -> list[int]:
    step = min(max(PASS_MS // max(count - 1, 1), STEP_MS[0]), STEP_MS[1])
    return [FIRST_MS] + [step] * (count - 2) + [LAST_MS] if count > 1 else [LAST_MS]


def animate(svg: str, data: dict[str, Any], last: Optional[int] = None) -> bytes:
    """The backward pass of a stepper page as an animated PNG that loops: one frame per page frame.

    Frame 0 shows the forward values (every gradient ``?``) under a strip with the forward
    caption's title; each next frame is a step of the page as its script draws it — the active
    gate (or collapsed group) outlined in orange, the arrowheads of its edges orange (not the
    whole edges: a long edge would redraw much of the image each step), the gradient cells that
    step filled in, the cells that just received a contribution shaded, the gate's output in
    bold — under "Step k of n". Each step shows 0.6–1.5 s (the pass in about 40 s), the last 4 s,
    then it loops. The drawing is rasterised once (by resvg, :func:`viz.backend.rasterise_svg`)
    at :data:`SCALE` (smaller for a drawing over :data:`MAX_PIXELS`); each step redraws only
    the parts that change, stored as a sub-frame of the pixels that differ (the rest
    transparent, so it costs little), with one palette for all.
    Where the header strip and a wide drawing's changes lie far apart, a step is two APNG
    frames: the header first, shown for no time, then the drawing's changes.

    Args:
        svg: the page's drawing(s) and ``data`` its frames, from :func:`viz.html.page_data`
            (a collapsed page's groups' own drawings are not shown; its groups step as a whole).
        last: play frames 0 to ``last`` only and hold there (None: every frame), e.g. an
            exercise's first wrong step; the header still counts the whole pass.

    Returns:
        The APNG's bytes (a PNG viewer without APNG support shows frame 0).

    Raises:
        RenderError: resvg-py or Pillow is missing, no CJK font for a Chinese drawing, or the
            drawing is too large or has too many frames to animate (:data:`MAX_PIXELS`,
            :data:`MAX_FRAMES`).

    >>> from autograd import Value, backward_steps
    >>> from viz.html import page_data
    >>> f = (Value(-2.0, "x") + Value(5.0, "y")) * Value(-4.0, "z")
    >>> png = animate(*page_data(f, list(backward_steps(f))))
    >>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n", b"acTL" in png, struct.unpack(">I", png[png.find(b"acTL") + 4:][:4])[0]
    (True, True, 3)
    """
    try:
        import numpy as np
        from PIL import Image
    except ImportError:
        raise RenderError("the notebook's animation is drawn with Pillow: pip install pillow") from None
    if len(data["frames"]) > MAX_FRAMES:
        raise RenderError(f"animate: {len(data['frames'])} frames are too many to animate (at most {MAX_FRAMES}); "
                          "step by neuron (collapse=\"neuron\") or save the page with viz.save_html")
    drawing = _Drawing(svg, data)
    steps = len(data["frames"]) - 1
    if last is not None and not (isinstance(last, int) and 0 <= last <= steps):
        raise ValueError(f"animate: last must be a frame index from 0 to {steps}, got {last!r}")
    frames = data["frames"][:None if last is None else last + 1]
    # the header: the forward pass's title, then "step k of n" (only its number changes: few bytes)
    lang = data.get("lang", "en")
    titles = [frames[0]["c"][0] if frames[0].get("c") else ""]
    titles += [text("anim counter", lang, k=k, n=steps) for k in range(1, len(frames))]
    vx, vy, vw, vh = drawing.view
    scale = drawing.pixels
    # the image: the header strip, then the drawing at scale (wider if a title needs it)
    header_w = [math.ceil(_helvetica_em(t) * HEADER_FONT * 1.1) + 16 for t in titles]
    width, height = max(math.ceil(vw * scale), *header_w), HEADER + math.ceil(vh * scale)
    fonts = _escape(_FONTS).replace("'", "&apos;")
    base = _rasterise(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}pt" height="{height}pt" font-family="{fonts}">'
        f'<rect width="{width}" height="{height}" fill="white"/>{_header(titles[0], width)}'
        f'<g transform="translate(0 {HEADER}) scale({scale}) translate({-vx} {-vy})">{drawing.fragment(_Box(vx, vy, vx + vw, vy + vh))}</g>'
        "</svg>")
    # every step's header in one run: strips stacked, one a row (their text stays inside its row)
    strip = max(header_w)  # as wide as the widest title, frame 0's included, to paint over it
    headers = _rasterise(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{strip}pt" height="{HEADER * len(frames)}pt" '
        f'font-family="{fonts}">' + "".join(f'<g transform="translate(0 {HEADER * k})">{_header(titles[k], strip)}</g>'
                                           for k in range(1, len(frames))) + "</svg>")
    canvas = base.copy()
    subframes: list[list[_Patch]] = []  # each step's changed pixels
    marks: dict[ET.Element, dict[str, str]] = {}
    for k in range(1, len(frames)):
        # what changes (marks and texts), redrawn in a few small pieces of the image
        new = drawing.marks(frames[k])
        changed = drawing.restyle(marks, new)
        marks = new
        for i, shown in frames[k].get("s", []):
            changed += drawing.retext(i, shown)
        w = min(width, strip)
        painted: list[tuple[int, int, Any]] = [(0, 0, headers[HEADER * k:HEADER * (k + 1), :w])]
        for box in _merged([b for b in map(drawing.box, changed) if b is not None]):
            x0, y0 = max(0, math.floor((box.x0 - vx) * scale)), max(0, math.floor((box.y0 - vy) * scale))
            x1, y1 = min(width, math.ceil((box.x1 - vx) * scale)), min(height - HEADER, math.ceil((box.y1 - vy) * scale))
            if x1 <= x0 or y1 <= y0:
                continue
            seen = _Box(vx + x0 / scale, vy + y0 / scale, vx + x1 / scale, vy + y1 / scale)
            painted.append((x0, HEADER + y0, _rasterise(
                f'<svg xmlns="http://www.w3.org/2000/svg" width="{x1 - x0}pt" height="{y1 - y0}pt" '
                f'viewBox="{seen.x0:.4f} {seen.y0:.4f} {seen.x1 - seen.x0:.4f} {seen.y1 - seen.y0:.4f}" '
                f'font-family="{fonts}"><rect x="{seen.x0:.4f}" y="{seen.y0:.4f}" width="{seen.x1 - seen.x0 + 1:.4f}" '
                f'height="{seen.y1 - seen.y0 + 1:.4f}" fill="white"/>{drawing.fragment(seen)}</svg>')))
        # the sub-frame: the box round the pixels that differ; the others stay as they were
        patches = []
        for x, y, pixels in painted:
            h, w = pixels.shape[:2]
            differs = np.any(pixels != canvas[y:y + h, x:x + w], axis=2)
            if differs.any():
                canvas[y:y + h, x:x + w] = pixels
                patches.append(_Patch(x, y, differs, pixels[differs]))
        subframes.append(patches)
    return _apng(base, subframes, _delays(len(frames)))


def _rgb(colour: str) -> tuple[int, int, int]:
    """``#rrggbb`` as a tuple of three 0–255 numbers."""
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def _idat(indices: Any) -> bytes:
    """Palette indices (rows × columns) as PNG image data: each row with filter 0, deflated."""
    import numpy as np

    rows = np.zeros((indices.shape[0], indices.shape[1] + 1), np.uint8)
    rows[:, 1:] = indices
    return zlib.compress(rows.tobytes(), 7)


#: The palette: the pixels are laid out COLUMNS wide to be counted; every SAMPLE-th row is counted;
#: at most EXACT colours that cover a pixel in COLUMNS each are kept exactly.
COLUMNS, SAMPLE, EXACT = 1024, 3, 96

#: The palette index of "as it was" in a sub-frame (transparent, blended over the last frame).
COLOURS = 127  # more buy no visible blend and cost about a tenth more bytes
KEEP = COLOURS


def _split(located: list[tuple["_Patch", Any]], delay: int) -> list[tuple[list[tuple["_Patch", Any]], int]]:
    """A step's patches as one sub-frame, or two where one box round them all would be mostly empty.

    A sub-frame is one box; the pixels in it that did not change still cost (deflate stores at
    most about 1000 of them per byte), and the header strip is far from most of a wide drawing's
    changes. Then the header goes first, shown for no time (browsers show it 0–100 ms), and the
    drawing's changes follow with the step's ``delay``.
    """
    head = [(p, i) for p, i in located if p.y < HEADER]
    body = [(p, i) for p, i in located if p.y >= HEADER]

    def area(group: list[tuple[_Patch, Any]]) -> int:
        if not group:
            return 0
        x0, y0 = min(p.x for p, _ in group), min(p.y for p, _ in group)
        x1 = max(p.x + p.differs.shape[1] for p, _ in group)
        y1 = max(p.y + p.differs.shape[0] for p, _ in group)
        return (x1 - x0) * (y1 - y0)

    if not head or not body or area(located) <= 2 * (area(head) + area(body)) + SPLIT_AREA:
        return [(located, delay)]
    return [(head, 0), (body, delay)]


#: A step's header and drawing changes share one sub-frame if the box round both is at most this
#: many pixels more than twice theirs (about 50 bytes once deflated).
SPLIT_AREA = 50_000


@dataclass
class _Patch:
    """Pixels a step changed: in the box at (x, y) of ``differs``'s shape, those where it is True."""

    x: int
    y: int
    differs: Any  # rows × columns, bool
    pixels: Any  # (number of True) × 3, RGB


def _apng(base: Any, subframes: Sequence[Sequence[_Patch]], delays: Sequence[int]) -> bytes:
    """The APNG: ``base`` (frame 0) whole, then each step's patches over it, with one palette for all."""
    import numpy as np
    from PIL import Image

    # one palette for every frame (the steps' orange is not in frame 0): the drawing's own colours
    # exactly (white stays white), then median cut for the blends at the edges of shapes and glyphs
    flat = [base.reshape(-1, 3)] + [patch.pixels for patches in subframes for patch in patches]
    stack = np.concatenate(flat)
    stack = np.concatenate([stack, np.full((-len(stack) % COLUMNS, 3), 255, np.uint8)]).reshape(-1, COLUMNS, 3)
    sample = Image.fromarray(np.ascontiguousarray(stack[::SAMPLE]))
    counted = sorted(sample.getcolors(COLUMNS * len(stack)) or [], reverse=True)
    exact = [_rgb(c) for c in ("#ffffff", GRAD, ACTIVE_FILL, TOUCHED_FILL)]  # the page's marks, always exact
    exact += [colour for count, colour in counted[:min(EXACT, COLOURS // 2)]
              if count * SAMPLE >= len(stack) and colour not in exact]
    blends = sample.quantize(colors=COLOURS - len(exact), method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    palette = [c for colour in exact for c in colour] + (blends.getpalette() or [])[:(COLOURS - len(exact)) * 3]
    chosen = Image.new("P", (1, 1))
    chosen.putpalette(palette)
    indices = np.asarray(Image.fromarray(stack).quantize(palette=chosen, dither=Image.Dither.NONE)).reshape(-1)
    palette_bytes = bytes(palette).ljust(COLOURS * 3, b"\0") + b"\xff\xff\xff"  # then KEEP's (transparent)
    height, width = base.shape[:2]
    at = height * width
    frames = [(np.asarray(indices[:at]).reshape(height, width), 0, 0, delays[0], 0)]  # pixels, x, y, ms, blend
    for patches, delay in zip(subframes, delays[1:]):
        located = []
        for p in patches:
            located.append((p, indices[at:at + len(p.pixels)]))
            at += len(p.pixels)
        if not located:  # nothing looks different: one unchanged pixel
            frames.append((np.full((1, 1), KEEP, np.uint8), 0, 0, delay, 1))
        for group, ms in _split(located, delay) if located else []:
            x0, y0 = min(p.x for p, _ in group), min(p.y for p, _ in group)
            x1 = max(p.x + p.differs.shape[1] for p, _ in group)
            y1 = max(p.y + p.differs.shape[0] for p, _ in group)
            part = np.full((y1 - y0, x1 - x0), KEEP, np.uint8)  # KEEP: the last frame's pixel shows through
            for p, chosen_indices in group:
                h, w = p.differs.shape
                part[p.y - y0:p.y - y0 + h, p.x - x0:p.x - x0 + w][p.differs] = chosen_indices
            frames.append((part, x0, y0, ms, 1))  # 1: blend over the last frame
    out = [b"\x89PNG\r\n\x1a\n", _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0)),
           _chunk(b"acTL", struct.pack(">II", len(frames), 0)),  # 0 plays: loop for ever
           _chunk(b"PLTE", palette_bytes), _chunk(b"tRNS", b"\xff" * COLOURS + b"\0")]
    sequence = 0  # fcTL and fdAT share one sequence
    for k, (part, x, y, ms, blend) in enumerate(frames):
        out.append(_chunk(b"fcTL", struct.pack(">IIIIIHHBB", sequence, part.shape[1], part.shape[0], x, y, ms, 1000,
                                               0, blend)))
        sequence += 1
        if k == 0:
            out.append(_chunk(b"IDAT", _idat(part)))
        else:
            out.append(_chunk(b"fdAT", struct.pack(">I", sequence) + _idat(part)))
            sequence += 1
    out.append(_chunk(b"IEND", b""))
    return b"".join(out)


def _merged(boxes: list[_Box]) -> list[_Box]:
    """Boxes joined where that draws little more than drawing them apart (one rasteriser run each)."""
    def area(box: _Box) -> float:
        return (box.x1 - box.x0) * (box.y1 - box.y0)

    merged = list(boxes)
    joined = True
    while joined:
        joined = False
        for i in range(len(merged)):
            for j in range(i + 1, len(merged)):
                union = merged[i] | merged[j]
                if area(union) <= 1.5 * (area(merged[i]) + area(merged[j])) + MERGE_SLACK:
                    merged[i] = union
                    del merged[j]
                    joined = True
                    break
            if joined:
                break
    return merged


#: Two boxes are drawn as one if their union is at most 1.5 times their areas plus this (points²):
#: a rasteriser run costs about as much as drawing this many more points.
MERGE_SLACK = 4000.0
