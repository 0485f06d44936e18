"""Notebook 02 as a learner opens it, in real JupyterLab and Notebook 7: untrusted its steppers play, trusted they step."""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Iterator

import pytest

pytestmark = pytest.mark.browser

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "02_gates_and_chain_rule.ipynb"
CHROMIUM = "/usr/bin/chromium"
#: each client (the jupyter subcommand that serves it) and the path under which it opens a notebook
CLIENTS = {"lab": "lab/tree", "notebook": "notebooks"}
#: a fresh JupyterLab (both clients share its settings) asks about news, looks for a newer version
#: on the internet and autosaves: none of it, so nothing covers an output and the copy stays as saved
SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}
START = 60  # seconds a server may take to answer (it answers in about 3 on a quiet machine)
WAIT = 60_000  # milliseconds a client may take to show the notebook's outputs


def stepper_outputs(path: Path) -> int:
    """How many steppers the saved notebook shows: its live outputs (metadata {"gategraph": "stepper-live"}),
    each after its line and animation; the steppers' animations are its only PNG outputs."""
    outputs = [out for cell in json.loads(path.read_text(encoding="utf-8"))["cells"] for out in cell.get("outputs", [])]
    kinds = [out.get("metadata", {}).get("gategraph") for out in outputs]
    assert all(kind == "stepper-still" for out, kind in zip(outputs, kinds) if "image/png" in out.get("data", {})), (
        f"{path.name} has a PNG output that is not a stepper's: this test tells them apart by type")
    count = kinds.count("stepper-live")
    assert count == kinds.count("stepper-still") == kinds.count("stepper-hint"), f"{path.name}: {kinds}"
    return count


def png_chunks(data: bytes) -> list[bytes]:
    """The chunk types of a PNG file, in order (b"IHDR", b"acTL", …)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"not a PNG: it starts {data[:8]!r}"
    types, at = [], 8
    while at + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        types.append(kind)
        at += 12 + length  # length, type, data, CRC
    return types


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def chromium() -> Iterator:
    """One headless Chromium for the module (skips where Debian's /usr/bin/chromium is missing)."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"needs Debian chromium at {CHROMIUM} (CI installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module", params=sorted(CLIENTS))
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    """A copy of notebook 02 served by a real JupyterLab or Notebook 7 on a free port, with fresh
    config, data (so an empty signature database: nothing is trusted) and runtime folders."""
    client = request.param
    base = tmp_path_factory.mktemp(client)
    root = base / "root"
    root.mkdir()
    notebook = Path(shutil.copy(NOTEBOOK, root / NOTEBOOK.name))
    for name, values in SETTINGS.items():
        target = base / "config" / "lab" / "user-settings" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values), encoding="utf-8")
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(base / "config"), "JUPYTER_DATA_DIR": str(base / "data"),
           "JUPYTER_RUNTIME_DIR": str(base / "runtime")}
    port, token = free_port(), secrets.token_hex(16)
    command = [sys.executable, "-m", "jupyter", client, "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               f"--ServerApp.token={token}", f"--ServerApp.root_dir={root}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # a container's root: the server refuses to start without it
    log = base / "server.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START
        while True:
            if server.poll() is not None:
                pytest.fail(f"jupyter {client} exited with {server.returncode}:\n{log.read_text()[-2000:]}")
            try:
                ask = urllib.request.Request(f"{url}/api/status", headers={"Authorization": f"token {token}"})
                with urllib.request.urlopen(ask, timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"jupyter {client} did not answer within {START} s:\n{log.read_text()[-2000:]}")
            time.sleep(0.2)
        yield SimpleNamespace(client=client, env=env, notebook=notebook, shots=base,
                              url=f"{url}/{CLIENTS[client]}/{notebook.name}?token={token}")
    finally:
        server.terminate()  # the server shuts its kernels down on SIGTERM
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)  # its own session: the server and what it started
            server.wait(5)


@pytest.fixture(scope="module")
def page(chromium, served: SimpleNamespace) -> Iterator:
    """The served notebook open in a 1400×900 tab, as a learner opens it: untrusted, no cell run."""
    tab = chromium.new_page(viewport={"width": 1400, "height": 900})
    try:
        tab.goto(served.url)
        yield tab
    finally:
        tab.close()


@contextmanager
def pictured(page, served: SimpleNamespace, name: str) -> Iterator[SimpleNamespace]:
    """Any failure inside saves a screenshot of the tab (scrolled to ``.at``, the output being
    checked, if the test set it) and names its path in the assertion message."""
    from playwright.sync_api import Error

    seen = SimpleNamespace(at=None)
    try:
        yield seen
    except (AssertionError, Error) as error:
        shot = served.shots / f"{served.client}-{name}.png"
        if seen.at is not None:
            seen.at.evaluate("element => element.scrollIntoView()")
        page.screenshot(path=shot)
        raise AssertionError(f"{served.client}, {name}: {error}\nscreenshot: {shot}") from error


def shot(page, at, served: SimpleNamespace, name: str) -> None:
    """With GATEGRAPH_SHOTS=FOLDER set, a screenshot of the tab scrolled to ``at``, to look at."""
    if os.environ.get("GATEGRAPH_SHOTS"):
        at.scroll_into_view_if_needed()
        page.wait_for_timeout(500)  # the scrolled-to outputs painted
        page.screenshot(path=Path(os.environ["GATEGRAPH_SHOTS"]) / f"{served.client}-{name}.png")


#: an output area's child (prompt and output) whose output is of one type
CHILD = ".jp-OutputArea-child:has(> .jp-OutputArea-output[data-mime-type='{}'])"


def stepper_children(page, served: SimpleNamespace) -> tuple[object, int]:
    """The output children that hold the steppers' animations, once the client shows all of them,
    and how many steppers there are."""
    from playwright.sync_api import expect

    count = stepper_outputs(served.notebook)
    assert count, (f"{NOTEBOOK.name} has no stepper output (output metadata gategraph: stepper-live); "
                   "re-execute it with viz.stepper's notebook outputs")
    stills = page.locator(CHILD.format("image/png"))
    expect(stills).to_have_count(count, timeout=WAIT)
    return stills, count


def trust(page) -> None:
    """Trust the open notebook as the hint tells a learner: the command palette (View ▸ Activate
    Command Palette in JupyterLab and Notebook 7), "Trust Notebook", then "Trust" in its dialog."""
    from playwright.sync_api import TimeoutError

    for attempt in range(3):  # the notebook takes the focus back once its kernel connects, closing the palette
        try:
            page.locator(".lm-MenuBar-item", has_text="View").click()
            page.locator(".lm-Menu-itemLabel", has_text="Activate Command Palette").click()
            page.locator(".lm-CommandPalette-input").fill("Trust Notebook", timeout=3000)
            page.locator(".lm-CommandPalette-item", has_text="Trust Notebook").first.click(timeout=3000)
            page.locator(".jp-Dialog .jp-mod-accept").click(timeout=5000)  # "Trust this notebook?" … Trust
            return
        except TimeoutError:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")  # close what is still open; in command mode Escape does nothing else


def fitted(inner) -> tuple[bool, dict, dict]:
    """Whether the stepper page's drawing lies within its stage and fills half its width or height;
    with the two boxes (CSS pixels of the notebook's page)."""
    drawing, stage = inner.locator(".stage > svg g.graph").bounding_box(), inner.locator(".stage").bounding_box()
    if not drawing or not stage:
        return False, drawing, stage
    inside = (drawing["x"] >= stage["x"] - 1 and drawing["y"] >= stage["y"] - 1
              and drawing["x"] + drawing["width"] <= stage["x"] + stage["width"] + 1
              and drawing["y"] + drawing["height"] <= stage["y"] + stage["height"] + 1)
    large = drawing["width"] >= stage["width"] / 2 or drawing["height"] >= stage["height"] / 2
    return inside and large, drawing, stage


def test_untrusted_steppers_play_an_animation_with_a_hint(page, served: SimpleNamespace) -> None:
    """Opened untrusted, no stepper runs its script (no iframe): each shows its animated PNG, playing,
    after the one-line hint."""
    from playwright.sync_api import expect

    with pictured(page, served, "untrusted") as seen:
        stills, count = stepper_children(page, served)
        assert page.locator(".jp-OutputArea iframe").count() == 0, "an untrusted notebook ran a stepper's script"
        images = [stills.nth(i).locator("img") for i in range(count)]
        for i, image in enumerate(images):
            seen.at = stills.nth(i)
            stills.nth(i).scroll_into_view_if_needed()  # off screen a cell is not laid out (content-visibility: auto)
            expect(image).to_be_visible()
            assert image.evaluate("img => img.complete && img.naturalWidth > 0"), f"stepper {i}: the image is empty"
            src = image.get_attribute("src")
            head = "data:image/png;base64,"
            assert src.startswith(head), f"stepper {i}: the image is not an inline PNG: {src[:40]!r}"
            chunks = png_chunks(base64.b64decode(src[len(head):]))
            assert b"acTL" in chunks[:chunks.index(b"IDAT")], f"stepper {i}: a still PNG (chunks {chunks[:6]})"
            hint = stills.nth(i).locator("xpath=preceding-sibling::*[1]").locator(
                ".jp-OutputArea-output[data-mime-type='text/markdown'] li")
            expect(hint).to_be_visible()
            assert "Trust Notebook" in hint.inner_text(), f"stepper {i}: the hint is {hint.inner_text()!r}"
            lines = hint.evaluate("li => li.getBoundingClientRect().height / "
                                  "(parseFloat(getComputedStyle(li).lineHeight) || 1.2 * parseFloat(getComputedStyle(li).fontSize))")
            assert lines < 1.5, f"stepper {i}: the hint takes {lines:.1f} lines, not one"
        shot(page, stills.nth(0), served, "untrusted")
        # each plays: its picture changes (frames last about a second; a still image never changes)
        first = [image.screenshot() for image in images]
        page.wait_for_timeout(1500)
        deadline = time.monotonic() + 6
        still = [i for i, image in enumerate(images) if image.screenshot() == first[i]]
        while still:
            seen.at = stills.nth(still[0])
            assert time.monotonic() < deadline, f"steppers {still}: the animation did not move in 7.5 s"
            page.wait_for_timeout(500)
            still = [i for i in still if images[i].screenshot() == first[i]]


def test_trusted_steppers_step_and_open_fitted(page, served: SimpleNamespace) -> None:
    """Trusted (as the hint says), each stepper is its live page, fitted, and "next" steps; its
    animation and hint are hidden."""
    from playwright.sync_api import expect

    with pictured(page, served, "trusted") as seen:
        stills, count = stepper_children(page, served)  # the notebook has rendered (untrusted) before it is trusted
        trust(page)
        lives = page.locator(CHILD.format("application/javascript"))
        expect(lives.locator("iframe")).to_have_count(count, timeout=WAIT)
        for i in range(count):
            live = lives.nth(i)
            seen.at = live
            still, hint = live.locator("xpath=preceding-sibling::*[1]"), live.locator("xpath=preceding-sibling::*[2]")
            expect(still.locator(".jp-OutputArea-output[data-mime-type='image/png']")).to_be_hidden()
            expect(hint.locator(".jp-OutputArea-output[data-mime-type='text/markdown']")).to_be_hidden()
            frame = live.locator("iframe")
            frame.scroll_into_view_if_needed()
            expect(frame).to_be_visible()
            inner = frame.content_frame
            counter, cells = inner.locator("#counter"), inner.locator(".stage > svg .gv tspan")
            expect(cells.first).to_be_attached(timeout=WAIT)
            deadline = time.monotonic() + 5  # the page fits when its stage gets its size
            while not (fit := fitted(inner))[0]:
                assert time.monotonic() < deadline, f"stepper {i}: the drawing {fit[1]} is not fitted to its stage {fit[2]}"
                page.wait_for_timeout(200)
            before, unknown = counter.inner_text(), cells.all_text_contents().count("?")
            inner.locator("#next").click()
            expect(counter).not_to_have_text(before)
            after = cells.all_text_contents()
            assert after.count("?") < unknown, f"stepper {i}: next filled no gradient cell ({after})"
        shot(page, lives.nth(0), served, "trusted")
