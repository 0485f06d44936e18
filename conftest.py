"""The whole suite (tests, doctests, notebooks, README) draws with graphviz-pure, as a pip install does."""

import os

# A system Graphviz on the machine would otherwise win (viz.find_dot), and the suite's measured
# layouts are graphviz-pure's; tests/viz/test_viz_system_dot.py runs the system dot on purpose.
# GATEGRAPH_DOT=dot python -m pytest runs everything on the system dot instead.
os.environ.setdefault("GATEGRAPH_DOT", "graphviz-pure")
