"""A real package: the MIT LICENSE in the repo, sdist and wheel; SPDX license, classifiers; --version; an sdist with the course."""

from __future__ import annotations

import tarfile
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

from viz.cli import EXIT_OK, main

from .conftest import ROOT, Built

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
LICENSE = (ROOT / "LICENSE").read_text(encoding="utf-8")


def _wheel_file(built: Built, suffix: str) -> str:
    with zipfile.ZipFile(built.wheel) as wheel:
        (name,) = [n for n in wheel.namelist() if n.endswith(suffix)]
        return wheel.read(name).decode("utf-8")


def _sdist_names(built: Built) -> set[str]:
    with tarfile.open(built.sdist) as sdist:
        return {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}


def test_the_license_is_mit_by_the_gategraph_developers() -> None:
    """LICENSE is the MIT text with the copyright of the gategraph developers."""
    assert LICENSE.startswith("MIT License\n\nCopyright (c) 2026 the gategraph developers\n")
    assert "THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND" in LICENSE


def test_the_license_is_an_spdx_expression_with_its_file_and_no_license_classifier() -> None:
    """license = "MIT" (SPDX) with license-files; a license classifier would contradict it."""
    project = PYPROJECT["project"]
    assert (project["license"], project["license-files"]) == ("MIT", ["LICENSE"])
    assert not [c for c in project["classifiers"] if c.startswith("License ::")]
    assert any(r.startswith("setuptools>=77") for r in PYPROJECT["build-system"]["requires"])


def test_the_wheel_carries_the_license_and_the_metadata(built: Built) -> None:
    """The wheel: LICENSE under dist-info/licenses, License-Expression MIT, Requires-Python, classifiers, keywords."""
    assert _wheel_file(built, ".dist-info/licenses/LICENSE") == LICENSE
    meta = Parser().parsestr(_wheel_file(built, ".dist-info/METADATA"))
    assert (meta["License-Expression"], meta["Requires-Python"], meta["Author"]) == (
        "MIT", ">=3.10", "the gategraph developers")
    classifiers = meta.get_all("Classifier")
    for wanted in ("Typing :: Typed", "Intended Audience :: Education", "Operating System :: OS Independent",
                   "Topic :: Scientific/Engineering :: Artificial Intelligence", "Programming Language :: Python :: 3.10"):
        assert wanted in classifiers
    assert "backpropagation" in meta["Keywords"]


def test_the_command_starts_in_the_entry_module_whose_imports_cannot_fail(built: Built) -> None:
    """The wheel's `gategraph` script runs _gategraph:main, which is in the wheel beside the packages."""
    assert "gategraph = _gategraph:main" in _wheel_file(built, ".dist-info/entry_points.txt")
    with zipfile.ZipFile(built.wheel) as wheel:
        assert "_gategraph.py" in wheel.namelist()


def test_the_sdist_has_the_license_tests_notebooks_and_docs(built: Built) -> None:
    """The sdist: LICENSE, every test and conftest, every course notebook, the docs, the entry module."""
    names = _sdist_names(built)
    wanted = {"LICENSE", "pyproject.toml", "_gategraph.py", "conftest.py", "tests/conftest.py", "docs/install.md"}
    wanted |= {str(p.relative_to(ROOT)) for p in (ROOT / "notebooks").glob("**/*.ipynb")}
    wanted |= {str(p.relative_to(ROOT)) for p in (ROOT / "tests").glob("**/test_*.py")}
    assert wanted <= names, sorted(wanted - names)
    assert not [n for n in names if "__pycache__" in n]


def test_version_prints_the_installed_metadata_version(capsys: pytest.CaptureFixture[str]) -> None:
    """`gategraph --version` prints `gategraph 0.1.0`: the version pyproject.toml gives, from the metadata."""
    assert main(["--version"]) == EXIT_OK
    assert capsys.readouterr().out == f"gategraph {PYPROJECT['project']['version']}\n"
