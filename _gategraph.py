"""gategraph's start-up: the Python it needs, import names shared with other distributions, the command's entry."""

# This module must import on any Python 3 and import nothing that can fail: the first line of
# autograd/, nn/ and viz/'s __init__ calls check(), and the `gategraph` command starts in main().
# So: standard library only, no `X | Y`, no match, no `from __future__ import annotations`.

import os
import sys
from typing import Dict, List, Optional, Sequence, Set

__all__ = ["DISTRIBUTION", "PACKAGES", "PYTHON", "NameClash", "OldPython", "check", "check_python", "clash_near",
           "main", "version"]

#: The distribution, and the import names it installs (HIPS autograd owns `autograd` on PyPI;
#: `nn` and `viz` are names of other distributions too).
DISTRIBUTION = "gategraph"
PACKAGES = ("autograd", "nn", "viz")

#: The oldest Python gategraph runs on (pyproject's requires-python says the same to pip).
PYTHON = (3, 10)

#: Who a distribution is, where its name alone does not say it.
KNOWN = {"autograd": "HIPS autograd"}

FIX = "install gategraph in its own virtual environment (python -m venv gategraph-env), apart from {other}"


class NameClash(ImportError):
    """Another distribution installed a package under one of gategraph's import names."""


class OldPython(ImportError):
    """This Python is older than gategraph needs."""


def check_python(version_info: Optional[Sequence[int]] = None) -> None:
    """Raise :class:`OldPython`, one line naming gategraph, if this Python is older than :data:`PYTHON`.

    >>> check_python((3, 9, 18))
    Traceback (most recent call last):
    ...
    _gategraph.OldPython: gategraph needs Python 3.10 or newer, and this is Python 3.9.18 ...
    """
    found = tuple(sys.version_info[:3] if version_info is None else version_info)
    if found[:2] < PYTHON:
        raise OldPython(
            "gategraph needs Python {0}.{1} or newer, and this is Python {2} ({3}): install gategraph with a "
            "newer Python".format(PYTHON[0], PYTHON[1], ".".join(map(str, found)), sys.executable)
        )


_verdicts = {}  # type: Dict[tuple, Dict[str, str]]  # (folder, sys.path) -> clashes(): once a process


def check(init_file: str) -> None:
    """Stop the import of gategraph's package ``init_file`` with one line where it cannot work.

    Called first by the ``__init__`` of ``autograd``, ``nn`` and ``viz``, before anything that
    could fail on an old Python: raises :class:`OldPython` if the Python is too old, and
    :class:`NameClash` if another distribution also installed a package under one of gategraph's
    import names (see :func:`clashes`; the importing package's clash is named first). Costs a few
    file-system calls, once a process.
    """
    check_python()
    folder, name = os.path.split(os.path.dirname(os.path.abspath(init_file)))
    key = (folder, tuple(sys.path))
    if key not in _verdicts:
        _verdicts[key] = clashes(folder)
    found = _verdicts[key]
    if found:
        raise NameClash(found.get(name) or next(iter(found.values())))


def clash_near(folder: str, path: Optional[Sequence[str]] = None) -> str:
    """The first of :func:`clashes` (in the order of :data:`PACKAGES`), or ``""`` if there is none.

    >>> clash_near("/nonexistent-folder", path=[])
    ''
    """
    found = clashes(folder, path)
    return next(iter(found.values())) if found else ""


def clashes(folder: str, path: Optional[Sequence[str]] = None) -> Dict[str, str]:
    """{package: the problem in one line} for each of gategraph's packages in ``folder`` that
    another installed distribution also provides; empty if there is none.

    Another distribution's package of the same name can be in two places:

    - ``folder`` itself (a site-packages): pip unpacks both distributions' ``autograd/`` into one
      folder, the ``__init__.py`` installed last wins, and uninstalling one breaks the other. Seen
      as a file in the folder that gategraph's install record (its dist-info RECORD) does not list,
      or as a distribution named like the package (``autograd-1.8.dist-info``) whose RECORD has it.
    - another entry of ``path`` (default ``sys.path``): whichever comes first hides the other.
      Only a folder or module owned by an installed distribution counts (your own ``viz/`` does not).

    Only the file system is read, no package metadata: the folder's listing, gategraph's RECORD
    and a stat per package and path entry; the other distribution's name is read when there is one.
    """
    folder = os.path.abspath(folder)
    try:
        listing = os.listdir(folder)
    except OSError:
        listing = []
    ours = _installed_files(folder, listing)
    entries = [os.path.abspath(entry or os.curdir) for entry in (sys.path if path is None else path)]
    found = {}  # type: Dict[str, str]
    for name in PACKAGES:
        if ours is not None and name in ours:
            try:
                listed = os.listdir(os.path.join(folder, name))
            except OSError:
                listed = []
            strangers = sorted(f for f in set(listed) - ours[name] if f != "__pycache__" and not f.startswith("."))
            named = [n for n in listing if n.endswith(".dist-info") and _normal(n.split("-")[0]) == name]
            if strangers or (named and _owner(folder, name)):  # the latter: theirs has no file gategraph lacks
                found[name] = _merged(folder, name, strangers)
                continue
        for entry in entries:
            if entry != folder and (os.path.isdir(os.path.join(entry, name))
                                    or os.path.isfile(os.path.join(entry, name + ".py"))):
                other = _owner(entry, name)
                if other:
                    found[name] = "{0} also imports as {1!r}, from {2}, and whichever comes first on sys.path " \
                        "hides the other. Fix: {3}".format(other, name, entry, _fix(other))
                    break
    return found


def _merged(folder: str, name: str, strangers: List[str]) -> str:
    """The problem of a package folder ``name`` that holds files gategraph did not install."""
    other = _owner(folder, name)
    where = os.path.join(folder, name)
    if other:
        return "{0} also imports as {1!r}: pip unpacked it and gategraph into one folder, {2}, over each " \
            "other. Fix: {3}".format(other, name, where, _fix(other))
    shown = ", ".join(strangers[:3]) + (", ..." if len(strangers) > 3 else "")
    return "{0} holds files gategraph did not install ({1}): another package that imports as {2!r} was " \
        "unpacked over gategraph's. Fix: {3}".format(where, shown, name, _fix("it"))


def _fix(other: str) -> str:
    return FIX.format(other=other.split(" (")[0])


def _installed_files(folder: str, listing: List[str]) -> Optional[Dict[str, Set[str]]]:
    """{package: names directly inside it} from gategraph's RECORD in ``folder`` (whose names are
    ``listing``); None if no gategraph is installed there."""
    records = [n for n in listing if n.startswith(DISTRIBUTION + "-") and n.endswith(".dist-info")]
    files = {}  # type: Dict[str, Set[str]]
    for record in records:
        for line in _lines(os.path.join(folder, record, "RECORD")):
            parts = _record_path(line).split("/")
            if len(parts) >= 2 and parts[0] in PACKAGES:
                files.setdefault(parts[0], set()).add(parts[1])
    return files if records else None


def _owner(entry: str, name: str) -> str:
    """'autograd 1.8 (HIPS autograd)': the installed distribution other than gategraph that put
    ``name`` in the folder ``entry`` (its dist-info RECORD, or an egg-info's top_level.txt); "" if none."""
    try:
        infos = sorted(n for n in os.listdir(entry) if n.endswith((".dist-info", ".egg-info")))
    except OSError:
        return ""
    for info in infos:
        where = os.path.join(entry, info)
        if info.endswith(".dist-info"):
            owns = any(_record_path(line).split("/")[0] in (name, name + ".py")
                       for line in _lines(os.path.join(where, "RECORD")))
        else:
            owns = name in (line.strip() for line in _lines(os.path.join(where, "top_level.txt")))
        if not owns:
            continue
        meta = {}  # type: Dict[str, str]
        for line in _lines(os.path.join(where, "METADATA" if info.endswith(".dist-info") else "PKG-INFO")):
            if not line.strip():
                break  # the headers end at the first blank line; the description follows
            key, _, value = line.partition(":")
            meta.setdefault(key.strip().lower(), value.strip())
        dist = meta.get("name") or info.split("-")[0]
        if _normal(dist) == DISTRIBUTION:
            continue
        known = KNOWN.get(_normal(dist))
        return "{0} {1}".format(dist, meta.get("version", "")).strip() + (" ({0})".format(known) if known else "")
    return ""


def _lines(path: str) -> List[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as file:
            return file.read().splitlines()
    except OSError:
        return []


def _record_path(line: str) -> str:
    """The path of a RECORD row (``path,hash,size``; a path with a comma is in double quotes)."""
    if line.startswith('"'):
        return line[1:].split('"', 1)[0]
    return line.rsplit(",", 2)[0]


def _normal(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def version() -> str:
    """gategraph's version, from its installed metadata (pyproject.toml's, at install): ``'0.1.0'``."""
    from importlib import metadata

    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "(version unknown: gategraph is not installed, only on sys.path)"


def main(argv: Optional[Sequence[str]] = None) -> int:
    """The ``gategraph`` command: :func:`viz.cli.main`, or one line on stderr saying why it cannot start.

    Its own imports cannot fail; everything gategraph's is imported here, inside the ``try``, so
    that a clash of import names (even where the other distribution's ``__init__.py`` won and
    gategraph's check never ran), a missing dependency or an old Python is one line, exit code 1.
    """
    try:
        check_python()
        from viz.cli import main as run
    except (NameClash, OldPython) as error:
        problem = str(error)
    except Exception as error:  # whatever else stops the import: a clash check() could not see, a dependency
        problem = clash_near(os.path.dirname(os.path.abspath(__file__))) or (
            "gategraph cannot start: {0}: {1}. Fix: reinstall gategraph with its dependencies, in its own "
            "virtual environment (python -m venv gategraph-env)".format(type(error).__name__, error)
        )
    else:
        return run(argv)
    print("gategraph: error: " + " ".join(problem.split()), file=sys.stderr)
    return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
