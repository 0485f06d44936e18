"""The extras: each optional package's absence is one line naming the extra to install; the course extra covers the notebooks."""

from __future__ import annotations

import ast
import importlib
import json
import sys
import tomllib
from pathlib import Path

import pytest

import viz
from viz.cli import EXIT_FAILED, main

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]

ROW = '''
from autograd import Gate
CUBE = Gate(name="cube", symbol="x³", arity=1, forward=lambda x: x ** 3,
            local_grads=lambda out, x: (3 * x * x,), rule="cube multiplies by 3x²")
'''


def _hide(monkeypatch: pytest.MonkeyPatch, *modules: str) -> None:
    """Make ``import module`` fail as if it were not installed, and forget what imported it."""
    for name in modules:
        monkeypatch.setitem(sys.modules, name, None)
        for loaded in [key for key in sys.modules if key.startswith(name + ".")]:  # its submodules too:
            monkeypatch.setitem(sys.modules, loaded, None)  # an earlier test may have imported them
    for name in ("viz.plots", "autograd.testing"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    if "plots" in vars(viz):  # not getattr: viz's __getattr__ would import viz.plots
        monkeypatch.delattr(viz, "plots")


def _one_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and "bug" not in err, err
    return err


def _extra(name: str) -> list[str]:
    return PYPROJECT["optional-dependencies"][name]


def test_check_gate_without_hypothesis_names_the_check_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """autograd.check_gate without hypothesis raises ImportError naming gategraph[check]."""
    from autograd import Gate, check_gate

    _hide(monkeypatch, "hypothesis")
    cube = Gate(name="cube", symbol="x³", arity=1, forward=lambda x: x ** 3, local_grads=lambda out, x: (3 * x * x,),
                rule="cube multiplies by 3x²")
    with pytest.raises(ImportError, match=r'^check_gate needs hypothesis, which is not installed: '
                                          r'pip install "gategraph\[check\]"$'):
        check_gate(cube, max_examples=5)


def test_autograd_testing_without_hypothesis_names_the_check_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """Importing autograd.testing without hypothesis raises ImportError naming gategraph[check]."""
    _hide(monkeypatch, "hypothesis")
    with pytest.raises(ImportError, match=r'autograd.testing needs hypothesis.*pip install "gategraph\[check\]"'):
        importlib.import_module("autograd.testing")


def test_cli_check_gate_without_hypothesis_is_one_line_naming_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`gategraph check-gate` without hypothesis: one line naming gategraph[check], exit 1, never "a bug"."""
    rows = tmp_path / "mygates.py"
    rows.write_text(ROW, encoding="utf-8")
    _hide(monkeypatch, "hypothesis")
    # check-gate runs the learner's file in a child process: hide hypothesis there too, with a
    # package of that name first on the child's path that fails to import as a missing one does
    missing = tmp_path / "without" / "hypothesis"
    missing.mkdir(parents=True)
    (missing / "__init__.py").write_text(
        'raise ModuleNotFoundError("No module named \'hypothesis\'", name="hypothesis")\n', encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", str(missing.parent))
    assert main(["check-gate", f"{rows}:CUBE", "--examples", "5"]) == EXIT_FAILED
    assert _one_line(capsys) == (
        'gategraph: error: check_gate needs hypothesis, which is not installed: pip install "gategraph[check]"\n'
    )


def test_cli_train_without_matplotlib_is_one_line_naming_the_plots_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`gategraph train moons` without matplotlib: one line naming gategraph[plots], exit 1."""
    _hide(monkeypatch, "matplotlib")
    assert main(["train", "moons", "--epochs", "1", "--no-progress", "-o", str(tmp_path / "out")]) == EXIT_FAILED
    assert _one_line(capsys).endswith('pip install "gategraph[plots]"\n')


def test_cli_train_digits_without_scikit_learn_is_one_line_naming_the_data_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`gategraph train digits` without scikit-learn: one line naming gategraph[data], exit 1."""
    pytest.importorskip("matplotlib")
    _hide(monkeypatch, "sklearn")
    assert main(["train", "digits", "--epochs", "1", "--no-progress", "-o", str(tmp_path / "out")]) == EXIT_FAILED
    assert _one_line(capsys).endswith('scikit-learn: pip install "gategraph[data]"\n')


def test_each_extra_holds_the_package_its_message_names() -> None:
    """data, plots, check and notebook hold the package whose absence names them."""
    holds = {"data": "scikit-learn", "plots": "matplotlib", "check": "hypothesis", "notebook": "ipywidgets"}
    for extra, package in holds.items():
        assert any(req.startswith(package) for req in _extra(extra)), (extra, package)


def test_the_course_extra_is_every_user_extra_and_jupyterlab_and_dev_builds_on_it() -> None:
    """course = data + plots + check + notebook + jupyterlab; dev = course + docs + the test tools."""
    course = _extra("course")
    assert "gategraph[data,plots,check,notebook]" in course
    assert any(req.startswith("jupyterlab") for req in course)
    assert "gategraph[course,docs]" in _extra("dev")


def _requirement_name(requirement: str) -> str:
    for stop in "<>=!~;[ ":
        requirement = requirement.split(stop)[0]
    return requirement.lower().replace("_", "-")


def _extra_closure(extra: str) -> set[str]:
    """The distributions `pip install "gategraph[extra]"` installs directly (extras of gategraph unfolded)."""
    names = {_requirement_name(r) for r in PYPROJECT["dependencies"]}
    for requirement in _extra(extra):
        if requirement.startswith("gategraph["):
            for inner in requirement[len("gategraph["):-1].split(","):
                names |= _extra_closure(inner)
        else:
            names.add(_requirement_name(requirement))
    return names


def test_every_package_a_notebook_imports_comes_with_the_course_extra() -> None:
    """Each third-party module a course notebook imports belongs to a distribution gategraph[course] installs."""
    from importlib.metadata import packages_distributions

    owners = packages_distributions()
    course = _extra_closure("course") | {"ipython", "ipykernel"}  # IPython.display: JupyterLab's kernel
    ours = {"autograd", "nn", "viz"}
    missing = set()
    for notebook in sorted((ROOT / "notebooks").glob("**/*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        for cell in (c for c in cells if c["cell_type"] == "code"):
            source = "\n".join(line for line in "".join(cell["source"]).splitlines() if not line.lstrip().startswith(("%", "!")))
            for node in ast.walk(ast.parse(source)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                    [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else [])
                for top in {n.split(".")[0] for n in names} - ours - set(sys.stdlib_module_names):
                    if not {_requirement_name(d) for d in owners.get(top, [top])} & course:
                        missing.add(f"{notebook.name}: {top}")
    assert not missing, sorted(missing)
