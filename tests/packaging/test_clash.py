"""Beside other distributions: gategraph's autograd, nn and viz stop with one line where another distribution owns the name."""

from __future__ import annotations

import ast
import base64
import glob
import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import _gategraph
from _gategraph import NameClash, OldPython, check, check_python, clashes

from .conftest import ROOT, Built

FIX = "Fix: install gategraph in its own virtual environment (python -m venv gategraph-env)"

#: Stand-ins for the other distributions that import as autograd, nn and viz (HIPS autograd 1.8,
#: and the `nn` and `viz` on PyPI): an __init__ of their own and a module gategraph does not have.
OTHERS = {"autograd": "1.8", "nn": "0.1.0", "viz": "0.3.0"}


def _installed(site: Path, dist: str, version: str, files: dict[str, str]) -> None:
    """Write ``files`` into ``site`` with ``dist``'s dist-info (METADATA, RECORD), as pip leaves them."""
    info = site / f"{dist}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n\nthe description\n")
    for path, text in files.items():
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        (site / path).write_text(text)
    (info / "RECORD").write_text("".join(f"{path},,\n" for path in [*files, f"{info.name}/RECORD"]))


def _gategraph_in(site: Path) -> Path:
    _installed(site, "gategraph", "0.1.0", {f"{name}/__init__.py": "" for name in _gategraph.PACKAGES}
               | {"autograd/gates.py": "", "_gategraph.py": ""})
    return site


def test_a_folder_shared_with_another_distribution_names_it_and_the_fix(tmp_path: Path) -> None:
    """autograd 1.8 unpacked into gategraph's site-packages: its name, version, the folder and the fix."""
    site = _gategraph_in(tmp_path)
    _installed(site, "autograd", "1.8", {"autograd/__init__.py": "", "autograd/core.py": ""})
    assert clashes(site, path=[]) == {"autograd": (
        f"autograd 1.8 (HIPS autograd) also imports as 'autograd': pip unpacked it and gategraph into one folder, "
        f"{site / 'autograd'}, over each other. {FIX}, apart from autograd 1.8")}


def test_a_distribution_whose_only_file_gategraph_overwrote_is_named(tmp_path: Path) -> None:
    """nn 0.1.0 installed only nn/__init__.py, and gategraph's replaced it: its dist-info still names it."""
    site = _gategraph_in(tmp_path)
    _installed(site, "nn", "0.1.0", {"nn/__init__.py": ""})
    assert clashes(site, path=[]) == {"nn": (
        f"nn 0.1.0 also imports as 'nn': pip unpacked it and gategraph into one folder, {site / 'nn'}, over each "
        f"other. {FIX}, apart from nn 0.1.0")}


def test_files_no_distribution_claims_are_named(tmp_path: Path) -> None:
    """Files in gategraph's viz/ that neither gategraph's RECORD nor any other lists: named, with the fix."""
    site = _gategraph_in(tmp_path)
    (site / "viz" / "plot.py").write_text("")
    assert clashes(site, path=[]) == {"viz": (
        f"{site / 'viz'} holds files gategraph did not install (plot.py): another package that imports as 'viz' "
        f"was unpacked over gategraph's. {FIX}, apart from it")}


def test_a_package_of_the_same_name_elsewhere_on_the_path_is_named(tmp_path: Path) -> None:
    """nn 0.1.0 in another folder on sys.path: one hides the other, so it is a clash too."""
    site = _gategraph_in(tmp_path / "site")
    _installed(tmp_path / "user", "nn", "0.1.0", {"nn/__init__.py": ""})
    assert clashes(site, path=[str(tmp_path / "user"), str(site)]) == {"nn": (
        f"nn 0.1.0 also imports as 'nn', from {tmp_path / 'user'}, and whichever comes first on sys.path hides "
        f"the other. {FIX}, apart from nn 0.1.0")}


def test_your_own_folder_of_the_same_name_is_no_clash(tmp_path: Path) -> None:
    """A viz/ folder of the reader's own (no distribution installed it) on the path is not reported."""
    site = _gategraph_in(tmp_path / "site")
    (tmp_path / "project" / "viz").mkdir(parents=True)
    (tmp_path / "project" / "viz" / "__init__.py").write_text("")
    assert clashes(site, path=[str(tmp_path / "project")]) == {}


def test_another_copy_of_gategraph_on_the_path_is_no_clash(tmp_path: Path) -> None:
    """gategraph installed in two folders on the path (a checkout and site-packages) is not a clash."""
    site = _gategraph_in(tmp_path / "site")
    other = _gategraph_in(tmp_path / "other")
    assert clashes(site, path=[str(other)]) == {}


def test_a_source_checkout_is_not_checked_against_an_install_record(tmp_path: Path) -> None:
    """Without gategraph's RECORD (a clone on PYTHONPATH), the files of its folders are all its own."""
    (tmp_path / "autograd").mkdir()
    (tmp_path / "autograd" / "anything.py").write_text("")
    assert clashes(tmp_path, path=[]) == {}


def test_check_names_the_importing_packages_clash_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Importing nn where autograd and nn both clash: the line is about nn."""
    site = _gategraph_in(tmp_path)
    for name in ("autograd", "nn"):
        _installed(site, name, OTHERS[name], {f"{name}/__init__.py": "", f"{name}/core.py": ""})
    monkeypatch.setattr(sys, "path", [str(site)])
    with pytest.raises(NameClash, match=r"^nn 0\.1\.0 also imports as 'nn': pip unpacked it"):
        check(str(site / "nn" / "__init__.py"))


def test_an_old_python_is_told_that_gategraph_needs_a_newer_one() -> None:
    """Python 3.9: an ImportError that names gategraph, the version it needs and the one it got."""
    with pytest.raises(OldPython, match=r"^gategraph needs Python 3\.10 or newer, and this is Python 3\.9\.18 \("):
        check_python((3, 9, 18))


STARTUP = [ROOT / "_gategraph.py", *(ROOT / name / "__init__.py" for name in _gategraph.PACKAGES)]


@pytest.mark.parametrize("path", STARTUP, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_files_that_run_first_parse_on_python_3_6(path: Path) -> None:
    """_gategraph.py and the packages' __init__ use no syntax newer than Python 3.6 (so the check can run)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), feature_version=(3, 6))
    futures = [a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module == "__future__"
               for a in n.names]
    assert "annotations" not in futures  # a SyntaxError before Python 3.7


def _old_python() -> str | None:
    found = sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.9*/bin/python3.9"))) + [
        p for p in ("/usr/bin/python3.9", "/usr/local/bin/python3.9") if os.path.exists(p)]
    return found[0] if found else None


@pytest.mark.skipif(_old_python() is None, reason="no Python 3.9 on this machine")
def test_importing_autograd_on_python_3_9_ends_in_one_line_naming_gategraph(tmp_path: Path) -> None:
    """A real Python 3.9 importing autograd from the source tree: the last line says gategraph needs 3.10."""
    done = subprocess.run([_old_python(), "-c", "import autograd"], capture_output=True, text=True, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1].startswith("_gategraph.OldPython: gategraph needs Python 3.10 or newer, "
                                                   "and this is Python 3.9.")


def test_the_command_without_a_dependency_is_one_line_saying_to_reinstall(tmp_path: Path) -> None:
    """`gategraph demo` where numpy cannot be imported: exit 1, one line naming the error and the fix."""
    code = "import sys; sys.modules['numpy'] = None; import _gategraph; sys.exit(_gategraph.main(['demo']))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == ("gategraph: error: gategraph cannot start: ModuleNotFoundError: import of numpy halted; None "
                           "in sys.modules. Fix: reinstall gategraph with its dependencies, in its own virtual "
                           "environment (python -m venv gategraph-env)\n")


# -- both install orders, with pip, offline ------------------------------------------------------------------


def _fake_wheel(folder: Path, name: str, version: str) -> Path:
    """A wheel of a distribution ``name`` that installs the package ``name``: __init__.py and core.py."""
    info = f"{name}-{version}.dist-info"
    files = {f"{name}/__init__.py": f'"""the other {name}"""\nOTHER = True\n', f"{name}/core.py": "X = 1\n",
             f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
             f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: gategraph-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
    rows = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        rows.append(f"{path},sha256={digest},{len(text.encode())}\n")
    files[f"{info}/RECORD"] = "".join(rows) + f"{info}/RECORD,,\n"
    wheel = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
    return wheel


def _pip_install(prefix: Path, *wheels: Path) -> None:
    # --prefix, not --target: pip --target skips (or with --upgrade, replaces) a package folder that
    # exists, while an environment's site-packages merges them, which is what this test is about.
    # --ignore-installed: without it pip first UNINSTALLS a gategraph it finds in the running
    # environment (the developer's editable install), as for an upgrade, before writing to --prefix.
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-index", "--no-deps",
                           "--ignore-installed", "--disable-pip-version-check", "--prefix", str(prefix),
                           *map(str, wheels)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


class Installed:
    """A --prefix install: run Python or the gategraph command with only it added to the path."""

    def __init__(self, prefix: Path, cwd: Path) -> None:
        (self.site,) = prefix.glob("lib/python*/site-packages")
        self.script = prefix / "bin" / "gategraph"
        self.cwd = cwd
        self.env = {**os.environ, "PYTHONPATH": str(self.site)}

    def run(self, *command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(command, capture_output=True, text=True, cwd=self.cwd, env=self.env, timeout=120)

    def python(self, code: str) -> subprocess.CompletedProcess[str]:
        return self.run(sys.executable, "-c", code)


@pytest.fixture(scope="module")
def both_orders(built: Built, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Installed]:
    """'others first': the fakes, then gategraph (gategraph's __init__.py files win);
    'gategraph first': gategraph, then the fakes (theirs win)."""
    tmp = tmp_path_factory.mktemp("orders")
    fakes = [_fake_wheel(tmp, name, version) for name, version in OTHERS.items()]
    empty = tmp / "empty"
    empty.mkdir()
    _pip_install(tmp / "a", *fakes)
    _pip_install(tmp / "a", built.wheel)
    _pip_install(tmp / "b", built.wheel)
    _pip_install(tmp / "b", *fakes)
    return {"others first": Installed(tmp / "a", empty), "gategraph first": Installed(tmp / "b", empty)}


@pytest.mark.slow
@pytest.mark.parametrize("name", OTHERS)
def test_installed_after_another_distribution_importing_stops_with_one_line_naming_it(
    both_orders: dict[str, Installed], name: str
) -> None:
    """Others installed first: `import autograd` (nn, viz) ends in one NameClash line naming that distribution."""
    installed = both_orders["others first"]
    done = installed.python(f"import {name}")
    assert done.returncode == 1
    label = f"{name} {OTHERS[name]}" + (" (HIPS autograd)" if name == "autograd" else "")
    assert done.stderr.splitlines()[-1] == (
        f"_gategraph.NameClash: {label} also imports as '{name}': pip unpacked it and gategraph into one folder, "
        f"{installed.site / name}, over each other. {FIX}, apart from {name} {OTHERS[name]}")


@pytest.mark.parametrize("order", ["others first", "gategraph first"])
def test_the_command_beside_another_distribution_is_one_line_naming_it(
    both_orders: dict[str, Installed], order: str
) -> None:
    """`gategraph demo` in either order: exit 1 and one line on stderr naming another distribution and the fix."""
    installed = both_orders[order]
    done = installed.run(str(installed.script), "demo")
    assert done.returncode == 1 and done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith("gategraph: error: ") and f"{FIX}, apart from" in line
    assert any(f"{name} {version}" in line for name, version in OTHERS.items())
    assert not (installed.cwd / "gategraph-demo").exists()


def test_installed_before_another_distribution_its_init_wins_the_folder(both_orders: dict[str, Installed]) -> None:
    """gategraph first, then HIPS-like autograd: `import autograd` is theirs (so only the command can say it)."""
    done = both_orders["gategraph first"].python("import autograd; print(autograd.OTHER)")
    assert (done.returncode, done.stdout) == (0, "True\n")
