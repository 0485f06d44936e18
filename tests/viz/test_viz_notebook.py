"""StepThrough: the frames on an ipywidgets slider, or a clear ImportError without ipywidgets."""

from __future__ import annotations

import sys
import types

import pytest

from viz import StepThrough


def test_without_ipywidgets_the_error_says_how_to_get_it(fresh, monkeypatch) -> None:
    """With ipywidgets missing, StepThrough raises ImportError naming pip install and save_html."""
    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    with pytest.raises(ImportError, match=r"needs ipywidgets.*pip install ipywidgets.*viz\.save_html"):
        StepThrough(fresh.f)


class _Widget:
    """Just enough of an ipywidgets widget: keyword attributes and observers of value."""

    def __init__(self, *children, **kwargs) -> None:
        self._observers, self._clicks = [], []
        self.__dict__.update(kwargs, children=children, disabled=False)

    def __setattr__(self, name, value) -> None:
        old = self.__dict__.get(name)
        super().__setattr__(name, value)
        if name == "value" and old != value:
            for callback in self.__dict__.get("_observers", []):
                callback({"new": value, "old": old})

    def observe(self, callback, names) -> None:
        self._observers.append(callback)

    def on_click(self, callback) -> None:
        self._clicks.append(callback)

    def click(self) -> None:
        for callback in self._clicks:
            callback(self)


@pytest.fixture
def fake_widgets(monkeypatch) -> None:
    """A stand-in ipywidgets module."""
    module = types.ModuleType("ipywidgets")
    for name in ("IntSlider", "Button", "HTML", "HBox", "VBox"):
        setattr(module, name, _Widget)
    monkeypatch.setitem(sys.modules, "ipywidgets", module)


@pytest.mark.graphviz
def test_next_button_and_slider_change_the_shown_frame(fresh, fake_widgets) -> None:
    """next moves to frame 1; the slider moves to the last frame; the view and caption follow."""
    stepper = StepThrough(fresh.f)
    first = stepper.view.value
    assert stepper.index == 0 and stepper.prev.disabled and "Forward pass" in stepper.caption.value
    stepper.next.click()
    assert stepper.index == 1 and stepper.view.value != first and "Step 1 of 2" in stepper.caption.value
    stepper.slider.value = 2
    assert stepper.next.disabled and "Step 2 of 2" in stepper.caption.value
    stepper.show(99)
    assert stepper.index == 2
