"""mkdocs hooks of the site: the course notebooks as pages, each stepper as its live page."""

from __future__ import annotations

import ast
import copy
import json
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

try:
    from griffe import Extension as _GriffeExtension
except ImportError:  # griffe comes with the docs extra; the functions here need none of it
    _GriffeExtension = object  # type: ignore[assignment,misc]

# A stepper shows in a notebook as three outputs (viz.html.Stepper.outputs): a line and an animation
# for where scripts may not run, then the live page as application/javascript that hides them. On
# the site, where the page's script may run, the three become one text/html output: the live page in
# its iframe (a Markdown or JavaScript output would be left to the notebook renderer's choices).
STEPPER_PARTS = ("stepper-hint", "stepper-still")  # dropped on the site
STEPPER_LIVE = "stepper-live"  # becomes the iframe


# Pages link to notebooks as ../notebooks/NAME.ipynb, which is right on GitHub (docs/ and notebooks/
# sit side by side); on the site the notebooks are pages under notebooks/ beside the other pages.
NOTEBOOK_LINK = re.compile(r"\]\(\.\./notebooks/")


def site_notebook(notebook: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of a notebook (nbformat 4 JSON) with each stepper's outputs made one, for the site.

    A stepper's line and animation (output metadata ``{"gategraph": "stepper-hint"}`` and
    ``"stepper-still"``) are dropped; its live page (``"stepper-live"``, the loader of
    :func:`viz.html.stepper_loader`) becomes a ``text/html`` output: the page in its iframe
    (:func:`viz.html.iframe_html`). Every other output, and the notebook given, are left as they are.

    >>> from viz.html import stepper_loader
    >>> outputs = [{"output_type": "display_data", "metadata": {"gategraph": kind}, "data": data}
    ...            for kind, data in (("stepper-hint", {"text/markdown": "run it"}), ("stepper-still", {"image/png": "iVBOR"}),
    ...                               ("stepper-live", {"application/javascript": stepper_loader("<p>page</p>", "t")}))]
    >>> nb = {"cells": [{"cell_type": "code", "outputs": outputs}]}
    >>> [out["data"] for out in site_notebook(nb)["cells"][0]["outputs"]]
    [{'text/html': '<iframe srcdoc="<p>page</p>" sandbox="allow-scripts" style="width:100%;height:700px;border:0" title="t"></iframe>'}]
    >>> len(nb["cells"][0]["outputs"])  # the original is untouched
    3
    """
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise ValueError(f"site_notebook() needs a notebook's JSON with a 'cells' list, got {type(notebook).__name__}")
    from viz.html import iframe_html, loader_spec  # the loader's format has one source: viz.html

    result = copy.deepcopy(notebook)
    for cell in result["cells"]:
        if "outputs" not in cell:
            continue
        kept = []
        for output in cell["outputs"]:
            kind = output.get("metadata", {}).get("gategraph")
            if kind in STEPPER_PARTS:
                continue
            if kind == STEPPER_LIVE:
                js = output.get("data", {}).get("application/javascript", "")
                # nbformat may store a multi-line string as its list of lines
                spec = loader_spec("".join(js) if isinstance(js, list) else js)
                output = {"output_type": "display_data", "metadata": output["metadata"],
                          "data": {"text/html": iframe_html(spec["page"], spec["title"], spec["height"])}}
            kept.append(output)
        cell["outputs"] = kept
    return result


def site_links(markdown: str) -> str:
    """Point a page's ../notebooks/ links at the notebooks' pages on the site.

    >>> site_links("see [notebook 02](../notebooks/02_gates_and_chain_rule.ipynb)")
    'see [notebook 02](notebooks/02_gates_and_chain_rule.ipynb)'
    """
    return NOTEBOOK_LINK.sub("](notebooks/", markdown)


# The docstrings are written for doctest and help(): examples are bare ">>>" blocks, names are
# Sphinx roles (:func:`gradcheck`). The API pages read them as Markdown, where a bare block would
# run into one paragraph and a role would show its colons.
DOCTEST_START = re.compile(r"^(\s*)>>> ")
SPHINX_ROLE = re.compile(r":(?:func|class|meth|attr|mod|data|exc|obj):`~?([^`]+)`")


def markdown_docstring(text: str) -> str:
    r"""Fence each doctest block of a docstring as a ``pycon`` code block and unwrap Sphinx roles.

    A block starts at a ``>>>`` line and ends at the first blank line (doctest's own rule).

    >>> markdown_docstring("Sum, as :func:`add` does.\n\n>>> 1 + 1\n2\n\nMore.").splitlines()
    ['Sum, as `add` does.', '', '```pycon', '>>> 1 + 1', '2', '```', '', 'More.']
    """
    out: list[str] = []
    indent = None  # the open block's indentation, None outside a block
    for line in SPHINX_ROLE.sub(r"`\1`", text).splitlines():
        if indent is not None and not line.strip():
            out.append(f"{indent}```")
            indent = None
        elif indent is None and (start := DOCTEST_START.match(line)):
            indent = start.group(1)
            out.append(f"{indent}```pycon")
        out.append(line)
    if indent is not None:
        out.append(f"{indent}```")
    return "\n".join(out)


class DoctestBlocks(_GriffeExtension):  # type: ignore[misc,valid-type]
    """A griffe extension (mkdocstrings' ``extensions``): every docstring through markdown_docstring."""

    def on_instance(self, *, obj: Any, **_: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = markdown_docstring(obj.docstring.value)


# An API page asks for its package's public names with `members: __all__` under `::: package`;
# the hook writes one `::: path` per name of the package's __all__ (one source of truth), read
# from its __init__.py without importing it. A name that is also a submodule's (nn.health, the
# function, beside nn/health.py) is given by its defining module's path, as griffe would take
# the bare name for the submodule.
API_PAGE = re.compile(r"^::: ([A-Za-z_][A-Za-z0-9_]*)\n    options:\n      members: __all__\n", re.M)


def package_all(init: Path) -> tuple[list[str], dict[str, str]]:
    r"""The names of ``__all__`` in a package's ``__init__.py``, and the module each is imported from.

    >>> import tempfile
    >>> init = Path(tempfile.mkdtemp()) / "__init__.py"
    >>> _ = init.write_text('from .value import Value\nfrom . import data\n__all__ = ["Value", "data"]\n')
    >>> package_all(init)
    (['Value', 'data'], {'Value': 'value'})
    """
    names, sources = None, {}
    for node in ast.parse(init.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            sources.update({alias.asname or alias.name: node.module for alias in node.names})
        elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            names = ast.literal_eval(node.value)
    if not (isinstance(names, (list, tuple)) and all(isinstance(n, str) for n in names)):
        raise ValueError(f"{init} has no __all__ list of names for its API page")
    return list(names), sources


def api_directives(package: str, root: Path) -> str:
    """The mkdocstrings directives of a package's API page: its docstring, then each name of ``__all__``."""
    folder = root / package
    names, sources = package_all(folder / "__init__.py")
    blocks = [f"::: {package}\n    options:\n      show_root_heading: false\n      members: false\n"]
    for name in names:
        shadowed = (folder / f"{name}.py").exists() or (folder / name).is_dir()
        path = f"{package}.{sources[name]}.{name}" if shadowed and name in sources else f"{package}.{name}"
        blocks.append(f"::: {path}\n    options:\n      show_root_heading: true\n      show_root_full_path: false\n")
    return "\n".join(blocks)


def api_members(markdown: str, root: Path) -> str:
    """Expand an API page's ``::: package`` with ``members: __all__`` into one directive per public name."""
    return API_PAGE.sub(lambda m: api_directives(m.group(1), root), markdown)


def notebook_sources(docs_dir: Path) -> list[Path]:
    """The course notebooks the site renders: notebooks/*.ipynb beside docs/."""
    return sorted((docs_dir.parent / "notebooks").glob("*.ipynb"))


_FOLDERS: list[Path] = []  # the cleaned copies of one build, removed when it ends


# mkdocs-jupyter turns .ipynb files into pages in its own on_files: add them before it runs.
def on_files(files: Any, config: Any) -> Any:
    from mkdocs.structure.files import File

    folder = Path(tempfile.mkdtemp(prefix="gategraph-site-notebooks-"))
    _FOLDERS.append(folder)
    (folder / "notebooks").mkdir()
    for source in notebook_sources(Path(config["docs_dir"])):
        notebook = json.loads(source.read_text(encoding="utf-8"))
        (folder / "notebooks" / source.name).write_text(json.dumps(site_notebook(notebook)), encoding="utf-8")
        files.append(File(f"notebooks/{source.name}", str(folder), config["site_dir"], config["use_directory_urls"]))
    return files


on_files.mkdocs_priority = 100  # type: ignore[attr-defined]  # mkdocs.plugins.event_priority(100)


def on_page_markdown(markdown: str, config: Any, **_: Any) -> str:
    return api_members(site_links(markdown), Path(config["docs_dir"]).parent)


def on_post_build(**_: Any) -> None:
    while _FOLDERS:
        shutil.rmtree(_FOLDERS.pop(), ignore_errors=True)
