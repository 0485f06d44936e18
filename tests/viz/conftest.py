"""Shared pieces of the viz tests: the course's example graph and the Graphviz marker."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from autograd import Value


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "graphviz: runs the Graphviz executable (system dot, else the pip-installed graphviz-pure)"
    )


@pytest.fixture
def fresh() -> SimpleNamespace:
    """CS231n's f = (x + y)·z at x = −2, y = 5, z = −4, f labelled, before any backward pass."""
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    f = (x + y) * z
    f.label = "f"
    return SimpleNamespace(f=f, x=x, y=y, z=z)


@pytest.fixture
def course(fresh: SimpleNamespace) -> SimpleNamespace:
    """The same example after f.backward(): f = −12, ∂f/∂x = ∂f/∂y = −4, ∂f/∂z = 3."""
    fresh.f.backward()
    return fresh
