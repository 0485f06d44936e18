"""The HTML stepper: one self-contained page to flip through the backward pass frame by frame."""

from __future__ import annotations

import base64
import hashlib
import html
import os
import re
from pathlib import Path
from typing import Any, Sequence, TypeVar, Union

from autograd import Value

from .frames import backprop_frames
from .backend import render_svgs

__all__ = ["save_html", "stepper_html"]

PathT = TypeVar("PathT", str, os.PathLike)

SUFFIXES = (".html", ".htm")

# What Graphviz writes around the <svg> element, none of it wanted inside an HTML page:
# the XML declaration, the DOCTYPE (it names a DTD by URL), comments, and namespace attributes
# (HTML puts an inline <svg> in the SVG namespace by itself, so the page holds no URL at all).
_SVG_NOISE = re.compile(r"<\?xml.*?\?>|<!DOCTYPE[^>]*>|<!--.*?-->|\s(?:xmlns(?::\w+)?|(?:xlink:)?href)=\"[^\"]*\"", re.S)
_SVG_ID = re.compile(r'\sid="')
_SVG_SIZE = re.compile(r'\b(width|height)="([0-9.]+)pt"')

#: Diagrams are drawn this much larger than Graphviz's natural size (a large one scrolls).
ZOOM = 1.25

_SCRIPT = """
(function () {
  "use strict";
  var frames = document.querySelectorAll(".frame");
  var captions = document.querySelectorAll(".caption");
  var slider = document.getElementById("slider");
  var prev = document.getElementById("prev");
  var next = document.getElementById("next");
  var counter = document.getElementById("counter");
  var stage = document.querySelector(".stage");
  var current = 0;
  function show(i) {
    i = Math.max(0, Math.min(frames.length - 1, i));
    frames[current].hidden = true;
    captions[current].hidden = true;
    frames[i].hidden = false;
    captions[i].hidden = false;
    current = i;
    slider.value = String(i);
    counter.textContent = "frame " + (i + 1) + " of " + frames.length;
    prev.disabled = i === 0;
    next.disabled = i === frames.length - 1;
    document.body.setAttribute("data-frame", String(i));
    reveal(frames[i].querySelector(".active"));
  }
  function reveal(element) {  // scroll the diagram (not the page) so the active gate is centred
    if (!element) { return; }
    var box = stage.getBoundingClientRect(), at = element.getBoundingClientRect();
    stage.scrollLeft += (at.left + at.width / 2) - (box.left + box.width / 2);
    stage.scrollTop += (at.top + at.height / 2) - (box.top + box.height / 2);
  }
  prev.addEventListener("click", function () { show(current - 1); });
  next.addEventListener("click", function () { show(current + 1); });
  slider.addEventListener("input", function () { show(parseInt(slider.value, 10)); });
  document.addEventListener("keydown", function (event) {
    if (event.target === slider) { return; }  // the slider moves itself with the arrow keys
    var step = {ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1}[event.key];
    if (event.key === "Home") { show(0); } else if (event.key === "End") { show(frames.length - 1); }
    else if (step) { show(current + step); } else { return; }
    event.preventDefault();
  });
  show(0);
})();
"""

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1f2937;
       margin: 0 auto; padding: 1rem 1.5rem; max-width: 75rem; background: #f9fafb; }
h1 { font-size: 1.3rem; margin: 0 0 .75rem; }
h1 small { font-weight: normal; color: #6b7280; }
.controls { display: flex; align-items: center; gap: .75rem; margin-bottom: .75rem; flex-wrap: wrap; }
.controls button { font: inherit; padding: .35rem .9rem; border: 1px solid #9ca3af; border-radius: .4rem;
                   background: white; cursor: pointer; }
.controls button:disabled { opacity: .4; cursor: default; }
.controls input[type=range] { flex: 1; min-width: 10rem; accent-color: #c2410c; }
#counter { font-variant-numeric: tabular-nums; color: #374151; min-width: 8rem; }
.stage { background: white; border: 1px solid #e5e7eb; border-radius: .5rem; padding: .75rem; overflow: auto;
         max-height: 68vh; }
.frame svg { display: block; margin: 0 auto; }
.panel { margin-top: .75rem; background: white; border: 1px solid #e5e7eb; border-left: 4px solid #c2410c;
         border-radius: .5rem; padding: .6rem 1rem; }
.caption h2 { font-size: 1.05rem; margin: .2rem 0 .4rem; }
.caption ul { margin: .2rem 0; padding-left: 1.2rem; }
.caption li { margin: .15rem 0; font-variant-numeric: tabular-nums; }
.caption .rule { color: #c2410c; margin: .4rem 0 .2rem; }
.hint { color: #6b7280; font-size: .85rem; margin-top: .5rem; }
"""


def _scale(match: re.Match) -> str:
    return f'{match.group(1)}="{float(match.group(2)) * ZOOM:.2f}pt"'


def inline_svg(svg: str, index: int) -> str:
    """An SVG document from Graphviz made fit to sit inside the page: no prolog, no namespace
    URLs, ids unique to the frame, and drawn :data:`ZOOM` times its natural size."""
    body = _SVG_NOISE.sub("", svg).strip()
    body = _SVG_SIZE.sub(_scale, body, count=2)  # the <svg> element's width and height
    return _SVG_ID.sub(f' id="f{index}-', body)


def caption_html(caption: str) -> str:
    """A frame's caption (plain text: a title line, then one line per fact) as escaped HTML."""
    lines = [line for line in caption.splitlines() if line.strip()]
    if not lines:
        return ""
    head, rest = lines[0], lines[1:]
    items = [line for line in rest if not line.startswith("rule: ")]
    rules = [line for line in rest if line.startswith("rule: ")]
    parts = [f"<h2>{html.escape(head)}</h2>"]
    if items:
        parts.append("<ul>" + "".join(f"<li>{html.escape(line)}</li>" for line in items) + "</ul>")
    parts += [f'<p class="rule">{html.escape(line)}</p>' for line in rules]
    return "".join(parts)


def stepper_html(svgs: Sequence[str], captions: Sequence[str], title: str = "") -> str:
    """The stepper page for rendered frames: SVG documents and their plain-text captions.

    The page needs nothing from outside: inline SVG, inline CSS and one inline script, which a
    Content-Security-Policy pins by its hash (so no other script could run, and nothing can be
    fetched). Every piece of text is HTML-escaped.

    >>> page = stepper_html(['<svg><text>a &lt; b</text></svg>'], ["Forward pass"], "f")
    >>> page.count("<script"), "a &lt; b" in page, "http:" in page or "https:" in page
    (1, True, False)
    """
    script_hash = base64.b64encode(hashlib.sha256(_SCRIPT.encode("utf-8")).digest()).decode("ascii")
    csp = f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{script_hash}'"
    frames = "\n".join(
        f'<div class="frame" data-index="{i}"{" hidden" if i else ""}>{inline_svg(svg, i)}</div>'
        for i, svg in enumerate(svgs)
    )
    panels = "\n".join(
        f'<section class="caption" data-index="{i}"{" hidden" if i else ""}>{caption_html(text)}</section>'
        for i, text in enumerate(captions)
    )
    name = html.escape(title)
    last = max(len(svgs) - 1, 0)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gategraph: backprop step by step{': ' + name if name else ''}</title>
<style>{_STYLE}</style>
</head>
<body>
<h1>Backprop, step by step{' <small>through ' + name + '</small>' if name else ''}</h1>
<div class="controls">
<button id="prev" type="button" aria-label="previous step">&#9664; previous</button>
<input id="slider" type="range" min="0" max="{last}" value="0" step="1" aria-label="frame">
<button id="next" type="button" aria-label="next step">next &#9654;</button>
<span id="counter" aria-live="polite">frame 1 of {len(svgs)}</span>
</div>
<div class="stage">
{frames}
</div>
<div class="panel">
{panels}
<p class="hint">Keys: &larr; / &rarr; step, Home / End jump. Gradients are orange; ? means not computed yet.</p>
</div>
<script>{_SCRIPT}</script>
</body>
</html>
"""


def _frames_of(root_or_frames: Any) -> tuple[list[Any], str]:
    if isinstance(root_or_frames, Value):
        return backprop_frames(root_or_frames), root_or_frames.label
    if isinstance(getattr(root_or_frames, "source", None), str):
        return [root_or_frames], ""
    if isinstance(root_or_frames, (str, bytes)) or not hasattr(root_or_frames, "__iter__"):
        raise TypeError(
            "save_html needs an autograd.Value or a list of diagrams (from viz.backprop_frames), "
            f"got {type(root_or_frames).__name__}"
        )
    frames = list(root_or_frames)
    if not frames:
        raise ValueError("save_html: the list of frames is empty; pass a Value or viz.backprop_frames(root)")
    for i, frame in enumerate(frames):
        if not isinstance(getattr(frame, "source", None), str):
            raise TypeError(f"save_html: frame {i} is a {type(frame).__name__}, not a diagram with a DOT .source")
    return frames, ""


def save_html(root_or_frames: Union[Value, Sequence[Any]], path: PathT) -> PathT:
    """Write the backward pass as ONE self-contained HTML page you can step through.

    The page holds every frame as inline SVG (see :func:`viz.backprop_frames`), a slider,
    previous/next buttons, arrow-key navigation (←/→, Home/End) and, for the active step, the
    explanation in words: upstream × local = contribution for each input, with the numbers,
    and the gate's rule. It loads nothing: no CDN, no fonts, no links, so it works offline and
    can be mailed around. The frames are rendered with one Graphviz run per CPU.

    Args:
        root_or_frames: the output Value (its frames are made here), or a list of diagrams
            such as ``viz.backprop_frames(root)`` (their ``caption`` texts, if any, are shown).
        path: where to write; must end in ``.html`` or ``.htm``. Parent folders are created.

    Returns:
        ``path``, as given.

    Raises:
        ValueError: a wrong suffix, an empty list, or a graph too large to step through.
        TypeError: neither a Value nor a list of diagrams.

    >>> import tempfile
    >>> x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    >>> page = save_html((x + y) * z, Path(tempfile.mkdtemp()) / "steps.html")
    >>> page.read_text(encoding="utf-8").count('class="frame"')
    3
    """
    target = Path(path)
    if target.suffix.lower() not in SUFFIXES:
        raise ValueError(
            f"save_html: {str(path)!r} should end in one of {', '.join(SUFFIXES)}, got {target.suffix!r}"
        )
    frames, title = _frames_of(root_or_frames)
    svgs = render_svgs(frames)
    captions = [getattr(frame, "caption", "") or "" for frame in frames]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(stepper_html(svgs, captions, title), encoding="utf-8")
    return path
