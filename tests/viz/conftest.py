"""Shared pieces of the viz tests: the course's example graph and the Graphviz marker."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Iterator

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


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One headless Chromium (Debian's, at /usr/bin/chromium) for the whole module."""
    if not CHROMIUM.exists():
        pytest.skip("needs Debian chromium at /usr/bin/chromium (CI installs it)")
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
