"""The whole suite (tests, doctests, notebooks, README) draws with graphviz-pure, as a pip install does."""

import os

# A system Graphviz on the machine would otherwise win (viz.find_dot), and the suite's measured
# layouts are graphviz-pure's; tests/viz/test_viz_system_dot.py runs the system dot on purpose.
# GATEGRAPH_DOT=dot python -m pytest runs everything on the system dot instead.
os.environ.setdefault("GATEGRAPH_DOT", "graphviz-pure")


def pytest_collection_modifyitems(config, items) -> None:  # type: ignore[no-untyped-def]
    """Mark ``slow`` what a day-to-day ``python -m pytest -m "not slow"`` leaves out (see pyproject's markers).

    Decorators cannot reach these, so they are marked here: the notebooks (nbmake runs each
    ``.ipynb`` as one item, a kernel start and every cell, seconds each), the tests that open the
    notebooks in the real Jupyter clients (a Jupyter server and Chromium per test), and every
    ``browser`` test (a headless Chromium each). Plain ``python -m pytest`` still runs them all.
    """
    import pytest

    for item in items:
        if (item.path.suffix == ".ipynb" or item.path.name == "test_jupyter_clients.py"
                or item.get_closest_marker("browser") is not None):
            item.add_marker(pytest.mark.slow)
