"""Pictures of the engine: Graphviz diagrams, gate-by-gate views, backprop frames, HTML stepper, worksheets, plots, CLI."""

import _gategraph

_gategraph.check(__file__)  # first: the Python version, and no other distribution's package of the same name

from typing import Any

from .dot import draw_gate, draw_graph
from .frames import backprop_frames
from .html import Stepper, save_html, stepper
from .notebook import StepThrough
from .timeline import save_training
from .backend import Diagram, DotNotFoundError, RenderError, find_dot, render
from .worksheet import exercise_page, exercise_stepper, worksheet, worksheet_class

__all__ = [
    "Diagram",
    "StepThrough",
    "Stepper",
    "DotNotFoundError",
    "RenderError",
    "backprop_frames",
    "draw_gate",
    "draw_graph",
    "exercise_page",
    "exercise_stepper",
    "find_dot",
    "render",
    "save_html",
    "save_training",
    "stepper",
    "worksheet",
    "worksheet_class",
]


def __getattr__(name: str) -> Any:
    # viz.plots imports matplotlib: load it only when it is used
    if name == "plots":
        import importlib

        return importlib.import_module(".plots", __name__)
    raise AttributeError(f"module 'viz' has no attribute {name!r}")
