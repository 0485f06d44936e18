"""gategraph's sdist and wheel, built once a session, offline, from a copy of the source tree."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: What the build never sees: caches, earlier builds, virtual environments, test output.
IGNORED = shutil.ignore_patterns(".git", "__pycache__", "*.pyc", "build", "dist", "*.egg-info", ".venv", "venv",
                                 ".ci-venv", ".hypothesis", ".pytest_cache", ".ipynb_checkpoints", "out",
                                 "gategraph-demo", "gategraph-train")


class Built(NamedTuple):
    sdist: Path
    wheel: Path


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """`python -m build --no-isolation`: the sdist, and the wheel built from it (as pip and PyPI do).

    From a copy of the tree, so the build's own folders (build/, *.egg-info) never land in the
    checkout, and a stale build/ there cannot slip old files into the wheel. Needs `build` and
    setuptools >= 77 in this environment (both in the dev extra); no network.
    """
    work = tmp_path_factory.mktemp("build")
    source = work / "gategraph"
    shutil.copytree(ROOT, source, ignore=IGNORED)
    out = work / "dist"
    done = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(source)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (sdist,) = out.glob("gategraph-*.tar.gz")
    (wheel,) = out.glob("gategraph-*.whl")
    return Built(sdist, wheel)
