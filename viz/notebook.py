"""StepThrough: the backward pass on an ipywidgets slider, for Jupyter (ipywidgets is optional)."""

from __future__ import annotations

from typing import Any

from autograd import Value

from .frames import backprop_frames
from .html import caption_html, inline_svg
from .backend import render_svgs

__all__ = ["StepThrough"]


def _widgets() -> Any:
    try:
        import ipywidgets
    except ImportError:
        raise ImportError(
            "viz.StepThrough needs ipywidgets, which is not installed: run 'pip install ipywidgets' "
            "(or step through the same backward pass without it: viz.stepper(root) shows the "
            "one-page stepper in the notebook, viz.save_html(root, 'steps.html') writes it to a file)"
        ) from None
    return ipywidgets


class StepThrough:
    """A slider over :func:`viz.backprop_frames` in a notebook: previous/next buttons, the
    diagram of the current step and its explanation in words.

    All frames are rendered once, up front (one Graphviz run per CPU). Display the object as
    the last expression of a cell, or ``display(StepThrough(root))``. :func:`viz.stepper`
    shows the same backward pass without ipywidgets or a kernel, on one layout of the graph.

    Args:
        root: the output Value. Its backward pass runs here (see :func:`viz.backprop_frames`).

    Attributes:
        frames: the diagrams; ``svgs`` their SVG text; ``widget`` the ipywidgets box shown.

    Raises:
        ImportError: ipywidgets is not installed (the message says how to get it, and what
            to use without it).
    """

    def __init__(self, root: Value) -> None:
        widgets = _widgets()
        self.frames = backprop_frames(root)
        self.svgs = render_svgs(self.frames)
        last = len(self.frames) - 1
        self.slider = widgets.IntSlider(value=0, min=0, max=last, step=1, description="frame",
                                        continuous_update=True)
        self.prev = widgets.Button(description="◀ previous")
        self.next = widgets.Button(description="next ▶")
        self.view = widgets.HTML()
        self.caption = widgets.HTML()
        self.prev.on_click(lambda _: self.show(self.slider.value - 1))
        self.next.on_click(lambda _: self.show(self.slider.value + 1))
        self.slider.observe(lambda change: self._draw(change["new"]), names="value")
        self.widget = widgets.VBox([widgets.HBox([self.prev, self.slider, self.next]), self.view, self.caption])
        self._draw(0)

    @property
    def index(self) -> int:
        """The frame shown now (0 = the forward pass)."""
        return int(self.slider.value)

    def show(self, index: int) -> None:
        """Go to frame ``index`` (clamped to the first and last frame)."""
        self.slider.value = max(0, min(len(self.frames) - 1, int(index)))

    def _draw(self, index: int) -> None:
        self.view.value = inline_svg(self.svgs[index], index)
        self.caption.value = caption_html(self.frames[index].caption)
        self.prev.disabled = index == 0
        self.next.disabled = index == len(self.frames) - 1

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
