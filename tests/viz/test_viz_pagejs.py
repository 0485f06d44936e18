"""The pages' JavaScript (viz/static): package data read by viz.assets, pinned by the CSP, its shared module's unit tests run by node."""

from __future__ import annotations

import fnmatch
import json
import math
import os
import random
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from autograd import Value
from viz import assets, stepper
from viz.dot import fmt
from viz.timeline import training_html

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "viz" / "static"

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    tomllib = None


def edge_numbers() -> list[float]:
    """Numbers where printing goes wrong: signs and zeros, the ends of the float range, the
    switch between fixed and scientific notation, and ties at the fourth digit."""
    out = [0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, -1.7976931348623157e308,
           math.inf, -math.inf, math.nan, 9.9995, 12345.5, 12345.6, 1234.5, 1235.5, 0.12345, 0.00012345, 9999.5,
           99995.0, 0.00099995, 1e16, 1e-5, 1e-4, 9.9995e-5, 1.0, -1.0, 0.5]
    for e in range(-12, 13):
        for m in (1.0, 9.9995, 9.99949999, 9.99950001, 1.2345, 1.2355, 5.0, 0.5):
            out += [m * 10.0 ** e, -m * 10.0 ** e]
    out += [k + 0.5 for k in range(995, 1005)] + [float(k) for k in range(-20, 21)]
    out += [k / 8 for k in range(-200, 200)]  # exact binary fractions: real ties
    return out


def random_numbers(n: int, seed: int = 22) -> list[float]:
    """``n`` numbers of every kind: random bit patterns (any finite float), integers, tiny and huge, short decimals."""
    rng = random.Random(seed)
    out: list[float] = []
    while len(out) < n:
        kind = len(out) % 5
        if kind == 0:
            x = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
            if math.isnan(x):
                continue
        elif kind == 1:
            x = float(rng.randint(-10**8, 10**8))
        elif kind == 2:
            x = rng.uniform(-1, 1) * 10.0 ** rng.randint(-320, 308)
        elif kind == 3:
            x = round(rng.uniform(-1e5, 1e5), rng.randint(0, 6))
        else:
            x = rng.gauss(0, 3)
        out.append(x)
    return out


def test_number_sample_covers_the_edges() -> None:
    """The sample holds negatives, both zeros, subnormals, huge numbers, integers and the fourth-digit ties the brief names."""
    sample = edge_numbers() + random_numbers(10_000)
    assert len(sample) >= 10_000 and {9.9995, 12345.5, 5e-324, 1.7976931348623157e308} <= set(sample)
    assert any(math.copysign(1, x) < 0 for x in sample if x == 0) and any(x < 0 for x in sample)
    assert any(x.is_integer() and abs(x) > 1e4 for x in sample if math.isfinite(x))


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node (20+) to run the pages' JavaScript unit tests")
def test_shared_module_unit_tests_pass_in_node(tmp_path: Path) -> None:
    """node --test tests/js/: the shared module's tests, and its formatter equal to Python's .4g, viz.dot.fmt and repr on 10,000+ numbers."""
    rows = [[repr(x), format(x, ".4g"), fmt(x), repr(x)] for x in edge_numbers() + random_numbers(10_000)]
    cases = tmp_path / "format-cases.json"
    cases.write_text(json.dumps(rows), encoding="utf-8")
    run = subprocess.run(["node", "--test", str(ROOT / "tests" / "js")], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "GG_FORMAT_CASES": str(cases)}, timeout=120)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert re.search(r"^# pass (\d+)", run.stdout, re.M).group(1) == re.search(r"^# tests (\d+)", run.stdout, re.M).group(1)


def test_static_files_cannot_end_their_script_element() -> None:
    """No page file holds </script, <script or <!-- (inside an inline script they would end it or change how it is read)."""
    files = sorted(STATIC.glob("*.js")) + sorted(STATIC.glob("*.css"))
    assert len(files) >= 10
    for path in files:
        text = path.read_text(encoding="utf-8").lower()
        assert "</script" not in text and "<script" not in text and "<!--" not in text and "</style" not in text, path.name


def test_every_script_of_a_page_is_a_static_file_pinned_by_its_hash() -> None:
    """A stepper page runs the shared module, then its own scripts, each the file's text and in the CSP by hash."""
    page = stepper(Value(2.0, "x") * Value(3.0, "y")).html
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert scripts == [assets.code("gg.js"), assets.code("stepper.js"), assets.code("checkpanel.js")]
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1)
    assert policy == assets.csp(*scripts)


def test_what_if_script_is_its_twins_then_its_file() -> None:
    """The what-if add-on's one script provides the gate twins (written from the gate table), then runs static/whatif.js."""
    page = stepper(Value(2.0, "x").log(), interactive=True).html
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert scripts[2].startswith('gategraph.provide("twins", {') and scripts[2].endswith(assets.code("whatif.js"))
    assert assets.script_hash(scripts[2]) in page


def test_timeline_runs_the_shared_module_then_its_own() -> None:
    """The timeline page's scripts are gg.js and timeline.js, pinned by one CSP builder."""
    svgs = {"loss": "<svg></svg>", "acc": "<svg></svg>", "graph": "<svg></svg>"}
    data = {"lang": "en", "epochs": 1, "first": 1, "boundary": None, "weights": None, "classes": []}
    page = training_html(svgs, data)
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert scripts == [assets.code("gg.js"), assets.code("timeline.js")] and assets.csp(*scripts) in page


def test_style_fills_each_placeholder_or_refuses() -> None:
    """A CSS file's __KEY__ placeholders are all filled; a missing or extra fill is named."""
    with pytest.raises(ValueError, match=r"style\('timeline.css'\): the file has placeholders \['__FONTS__'\], the fills are \[\]"):
        assets.style("timeline.css")
    with pytest.raises(ValueError, match=r"the fills are \['__COLOUR__', '__FONTS__'\]"):
        assets.style("timeline.css", FONTS="serif", COLOUR="red")
    assert "__" not in assets.style("timeline.css", FONTS="serif")


def test_code_refuses_a_name_outside_the_folder() -> None:
    """Only a .js or .css file of viz/static is read; anything else names what there is."""
    for name in ("../html.py", "gg.txt", "missing.js"):
        with pytest.raises(FileNotFoundError, match=r"viz/static has no .* \(it has .*gg\.js.*\)"):
            assets.code(name)


@pytest.mark.skipif(tomllib is None, reason="reading pyproject.toml needs Python 3.11's tomllib")
def test_every_static_file_is_package_data() -> None:
    """pyproject.toml's package data for viz covers every file of viz/static, so a wheel carries them."""
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = data["tool"]["setuptools"]["package-data"]["viz"]
    for path in STATIC.iterdir():
        assert any(fnmatch.fnmatch(f"static/{path.name}", p) for p in patterns), path.name
