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


#: Debian's Chromium and the flags the browser tests start it with (no network of its own).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def chromium():
    """One headless Chromium for a whole module (skips without Playwright or /usr/bin/chromium)."""
    import os

    if not os.path.exists(CHROMIUM):
        pytest.skip(f"needs Debian chromium at {CHROMIUM} (CI installs it)")
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def open_tab(chromium):
    """A function opening a file in a new tab of a given width that records its requests, errors and dialogs."""
    tabs = []

    def open_(path, width: int = 800):
        page = chromium.new_page(viewport={"width": width, "height": 900})
        page.requests, page.problems, page.dialogs = [], [], []
        page.on("request", lambda request: page.requests.append(request.url))
        page.on("console", lambda msg: page.problems.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda error: page.problems.append(str(error)))
        page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(path.resolve().as_uri())
        tabs.append(page)
        return page

    yield open_
    for page in tabs:
        page.close()


@pytest.fixture(scope="module")
def browser(chromium):
    """The module's Chromium under the name the page and what-if tests use."""
    return chromium


@pytest.fixture
def open_page():
    """A function opening a file in a new tab of ``browser`` at ``width`` CSS pixels; the tab records
    its requests (``.requests``) and errors (``.problems``). The test closes it."""

    def open_(browser, path: Path, width: int = 800):
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.requests, page.problems = [], []
        page.on("request", lambda request: page.requests.append(request.url))
        page.on("console", lambda msg: page.problems.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda error: page.problems.append(str(error)))
        page.goto(path.resolve().as_uri())
        return page

    return open_
