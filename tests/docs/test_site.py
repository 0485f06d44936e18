"""The documentation site's configuration: its nav, its links, its CLI page and its notebook hook.

Cheap checks only; `.ci/run` builds the whole site with `mkdocs build --strict`.
"""

from __future__ import annotations

import copy
import importlib.util
import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
LINK = re.compile(r"\]\(([^)\s]+)\)")


def load_hooks() -> Any:
    """docs/hooks.py, imported from its file (the docs folder is not a package)."""
    spec = importlib.util.spec_from_file_location("gategraph_docs_hooks", DOCS / "hooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hooks = load_hooks()


def nav_entries() -> list[str]:
    """Every page path the site's nav lists, in order."""
    import yaml

    # mkdocs.yml is plain YAML (no !!python tags), so the safe loader reads it
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))

    def walk(node: Any) -> list[str]:
        if isinstance(node, str):
            return [node]
        if isinstance(node, list):
            return [path for item in node for path in walk(item)]
        if isinstance(node, dict):
            return [path for value in node.values() for path in walk(value)]
        raise TypeError(f"unexpected nav entry {node!r}")

    return walk(config["nav"])


def site_pages() -> set[str]:
    """Every page the site builds: docs/**/*.md, and notebooks/*.ipynb added by the hook."""
    pages = {path.relative_to(DOCS).as_posix() for path in DOCS.rglob("*.md")}
    return pages | {f"notebooks/{path.name}" for path in hooks.notebook_sources(DOCS)}


def relative_links(text: str) -> list[str]:
    """The targets of a Markdown text's relative links and images, without their #anchors."""
    targets = [link.split("#")[0] for link in LINK.findall(text)]
    return [t for t in targets if t and "://" not in t and not t.startswith("mailto:")]


def test_every_page_is_in_the_nav() -> None:
    """Each docs page and each course notebook has its place in the nav."""
    assert sorted(site_pages() - set(nav_entries())) == []


def test_every_nav_entry_exists() -> None:
    """Each nav entry names a page the site builds, and none is listed twice."""
    entries = nav_entries()
    assert [entry for entry in entries if entry not in site_pages()] == []
    assert len(entries) == len(set(entries))


@pytest.mark.parametrize("readme", ["README.md", "README.zh-CN.md"])
def test_readme_links_resolve(readme: str) -> None:
    """Every relative link of the README and its Chinese edition points at a file or folder in the repo."""
    text = (ROOT / readme).read_text(encoding="utf-8")
    links = relative_links(text)
    assert links and [link for link in links if not (ROOT / link).exists()] == []


def test_readme_editions_link_each_other_first() -> None:
    """The English README links the Chinese edition on its first line, and says so in Chinese too."""
    english = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    chinese = (ROOT / "README.zh-CN.md").read_text(encoding="utf-8").splitlines()
    assert "(README.zh-CN.md)" in english[0] and "(README.md)" in chinese[0]
    assert "中文" in english[0] and "notebooks/zh/" in "\n".join(english[:4])


def test_readmes_share_their_code() -> None:
    """The Chinese README runs the same Python as the English one (both are doctests)."""
    def blocks(name: str) -> list[str]:
        return re.findall(r"```python\n(.*?)```", (ROOT / name).read_text(encoding="utf-8"), flags=re.S)

    assert blocks("README.md") and blocks("README.zh-CN.md") == blocks("README.md")


def test_readme_is_short() -> None:
    """The README stays a newcomer's page; the reference lives in docs/."""
    assert len((ROOT / "README.md").read_text(encoding="utf-8").splitlines()) <= 180


@pytest.mark.parametrize("page", sorted(DOCS.glob("*.md")), ids=lambda page: page.name)
def test_docs_links_to_the_repo_resolve(page: Path) -> None:
    """A page's links that leave docs/ (../notebooks/…) point at files that exist."""
    outside = [link for link in relative_links(page.read_text(encoding="utf-8")) if link.startswith("../")]
    assert [link for link in outside if not (page.parent / link).exists()] == []


def cli_sections() -> dict[str, str]:
    """docs/cli.md's text under each `## gategraph NAME` heading, by NAME."""
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    parts = re.split(r"^## gategraph (\S+)\n", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


def subcommands() -> dict[str, Any]:
    """The gategraph parser's subcommands, by name."""
    import argparse

    from viz.cli import build_parser

    actions = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(actions[0].choices)


def test_cli_page_has_every_subcommand() -> None:
    """docs/cli.md has one section per subcommand of the parser, and none for a command that is gone."""
    assert sorted(cli_sections()) == sorted(subcommands())


@pytest.mark.parametrize("name", sorted(subcommands()))
def test_cli_page_lists_every_option(name: str) -> None:
    """Each option of a subcommand (but -h and --debug, shared by all) appears in its section."""
    section = cli_sections().get(name, "")
    options = [flag for action in subcommands()[name]._actions for flag in action.option_strings
               if flag not in ("-h", "--help", "--debug")]
    assert [flag for flag in options if f"`{flag}" not in section] == []


@pytest.mark.parametrize("package", ["autograd", "nn", "viz"])
def test_api_page_documents_each_public_name(package: str) -> None:
    """The package's API page expands to one directive per name of its runtime __all__, in that order."""
    import importlib

    page = (DOCS / "api" / f"{package}.md").read_text(encoding="utf-8")
    expanded = hooks.api_members(page, ROOT)
    directives = re.findall(r"^::: (\S+)$", expanded, flags=re.M)
    names = [path.rsplit(".", 1)[-1] for path in directives[1:]]
    assert directives[0] == package and names == importlib.import_module(package).__all__


def test_api_name_shadowed_by_its_submodule_is_the_function() -> None:
    """nn.health (the function, beside nn/health.py) is documented by its defining path, not as the module."""
    directives = re.findall(r"^::: (\S+)$", hooks.api_directives("nn", ROOT), flags=re.M)
    assert "nn.health.health" in directives and "nn.health" not in directives and "nn.data" in directives


def stepper_outputs(page: str = "<p>US$ 1 & 2</p>") -> list[dict[str, Any]]:
    """A stepper's three outputs as the notebooks carry them (viz.html.Stepper.outputs, made by hand)."""
    from viz.html import stepper_loader

    parts = (("stepper-hint", {"text/markdown": "run the cell", "text/plain": "run the cell"}),
             ("stepper-still", {"image/png": "iVBORanimation", "text/plain": "the backward pass"}),
             ("stepper-live", {"application/javascript": stepper_loader(page, "Backprop")}))
    return [{"output_type": "display_data", "metadata": {"gategraph": kind}, "data": data} for kind, data in parts]


def tiny_notebook() -> dict[str, Any]:
    """A notebook with a stepper's outputs and a plot (a PNG that is not a stepper's)."""
    plot = {"output_type": "display_data", "metadata": {}, "data": {"image/png": "iVBORplot", "text/plain": "<Figure>"}}
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": "# title"},
        {"cell_type": "code", "metadata": {}, "execution_count": 1, "source": "viz.stepper(f)",
         "outputs": [*stepper_outputs(), plot]},
    ]}


def test_hook_makes_a_stepper_one_iframe() -> None:
    """On the site a stepper's line and animation go; its loader becomes the page in an iframe, as HTML."""
    import html

    outputs = hooks.site_notebook(tiny_notebook())["cells"][1]["outputs"]
    assert len(outputs) == 2 and outputs[0]["metadata"] == {"gategraph": "stepper-live"}
    assert list(outputs[0]["data"]) == ["text/html"]
    frame = outputs[0]["data"]["text/html"]
    assert frame.startswith("<iframe srcdoc=") and 'sandbox="allow-scripts"' in frame
    assert html.unescape(frame.split('"')[1]) == "<p>US$ 1 & 2</p>"


def test_hook_reads_a_loader_stored_as_lines() -> None:
    """nbformat writes a multi-line string as its list of lines: the hook joins them."""
    notebook = tiny_notebook()
    live = notebook["cells"][1]["outputs"][2]["data"]
    live["application/javascript"] = live["application/javascript"].splitlines(keepends=True)
    assert hooks.site_notebook(notebook)["cells"][1]["outputs"][0]["data"]["text/html"].startswith("<iframe srcdoc=")


def test_hook_keeps_other_outputs() -> None:
    """A PNG without the stepper metadata (a plot) and the markdown cells are left as they are."""
    notebook = tiny_notebook()
    site = hooks.site_notebook(notebook)
    assert site["cells"][1]["outputs"][1] == notebook["cells"][1]["outputs"][3]
    assert site["cells"][0] == notebook["cells"][0]


def test_hook_does_not_change_its_input() -> None:
    """The notebook given is not modified (the committed file is never rewritten)."""
    notebook = tiny_notebook()
    before = copy.deepcopy(notebook)
    hooks.site_notebook(notebook)
    assert notebook == before


def test_hook_names_a_live_output_that_is_not_a_loader() -> None:
    """A stepper-live output whose script is not viz's loader is a ValueError, not a blank page."""
    notebook = tiny_notebook()
    notebook["cells"][1]["outputs"][2]["data"] = {"application/javascript": "alert(1)"}
    with pytest.raises(ValueError, match="not a stepper's loader"):
        hooks.site_notebook(notebook)


def test_hook_refuses_what_is_not_a_notebook() -> None:
    """Anything but a notebook's JSON is a ValueError naming what came."""
    with pytest.raises(ValueError, match="needs a notebook's JSON with a 'cells' list, got list"):
        hooks.site_notebook([])


def test_hook_points_notebook_links_at_site_pages() -> None:
    """A page's ../notebooks/ link (right on GitHub) becomes the notebook page's link on the site."""
    assert hooks.site_links("[02](../notebooks/02.ipynb) and [cli](cli.md)") == "[02](notebooks/02.ipynb) and [cli](cli.md)"


def test_ci_builds_the_site_strictly() -> None:
    """.ci/run builds the documentation with warnings as errors, after installing the project."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python -m mkdocs build --strict" in ci
    assert ci.index('pip install -q -e ".[dev]"') < ci.index("mkdocs build --strict")
