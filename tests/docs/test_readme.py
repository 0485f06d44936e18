"""The README is a newcomer's path: its commands run, its images exist and are up to date."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
# the pages the README's reference parts moved to: their commands and images are held to the same rules
PAGES = sorted((ROOT / "docs").glob("*.md"))


def console_commands(text: str = README) -> list[str]:
    """Every line of the ```console blocks of a page (the README's by default)."""
    blocks = re.findall(r"```console\n(.*?)```", text, flags=re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def documented_commands() -> list[str]:
    """Every console line of the README and the docs pages, each once, in order."""
    lines = console_commands() + [c for page in PAGES for c in console_commands(page.read_text(encoding="utf-8"))]
    return list(dict.fromkeys(lines))


def gategraph() -> list[str]:
    """The gategraph command of this interpreter's environment (python -m viz as a fallback)."""
    exe = Path(sys.executable).parent / "gategraph"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "viz"]


def test_quick_start_is_venv_install_demo_test() -> None:
    """The first commands are exactly: create and activate a virtual environment, install, demo, test."""
    assert console_commands()[:5] == [
        "python3 -m venv .venv", ". .venv/bin/activate", 'python -m pip install -e ".[dev]"', "gategraph demo",
        "python -m pytest",
    ]


def test_readme_examples_write_only_into_ignored_folders() -> None:
    """Every file a README or docs command writes lands in a folder .gitignore ignores, not in the working tree."""
    import shlex

    ignored = [line.strip("/") for line in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()]
    for command in documented_commands():
        args = shlex.split(command)[1:]
        if command.startswith("gategraph ") and "-o" in args:
            first = Path(args[args.index("-o") + 1]).parts[0]
            assert first in ignored or first == "docs", command  # docs/demo: the README's committed images


def test_ci_runs_the_readme_test_command() -> None:
    """.ci/run installs the way the README says and runs the same test command."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'python -m pip install -q -e ".[dev]"' in ci
    assert "python -m pytest" in ci.splitlines()  # then the wheel, alone in a fresh environment


@pytest.mark.parametrize("command", [c for c in documented_commands() if c.startswith("gategraph ")])
def test_readme_gategraph_command_runs(command: str, tmp_path: Path) -> None:
    """Each gategraph command in the README and the docs pages exits 0 and writes what it names."""
    import shlex

    args = shlex.split(command)[1:]
    done = subprocess.run(gategraph() + args, cwd=tmp_path, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr
    if "-o" in args:
        assert (tmp_path / args[args.index("-o") + 1]).exists()
    if args == ["demo"]:
        assert (tmp_path / "gategraph-demo" / "steps.html").exists()


def test_readme_images_exist() -> None:
    """Every image the README shows is committed."""
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README)
    assert images and all((ROOT / path).is_file() for path in images)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_docs_images_exist(page: Path) -> None:
    """Every image a docs page shows is committed, beside the page as its link says."""
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", page.read_text(encoding="utf-8"))
    assert [path for path in images if not (page.parent / path).is_file()] == []


def test_readme_images_are_what_the_demo_makes(tmp_path: Path) -> None:
    """`gategraph demo -o docs/demo` regenerates the committed images byte for byte (graphviz-pure)."""
    from viz import find_dot

    if "graphviz-pure" not in Path(find_dot()).name:  # the suite picks it (conftest.py) unless told otherwise
        pytest.skip("the committed images are rendered by graphviz-pure; a system dot lays out differently")
    done = subprocess.run(gategraph() + ["demo", "-o", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    for name in ("graph.svg", "gate1-mul.svg", "gate2-add.svg"):
        assert (tmp_path / name).read_bytes() == (ROOT / "docs" / "demo" / name).read_bytes(), name
