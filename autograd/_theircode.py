"""A learner's code: load a row from their file, and report their exceptions with their own lines."""

from __future__ import annotations

import os

from .gates import Gate

__all__ = ["LearnerCodeError", "describe", "load_row"]

# (runpy, sysconfig and traceback are imported where used: `import autograd` stays as fast as it was)


def _ours() -> tuple[str, ...]:
    """Folders whose frames are ours (or Python's, or an installed package's), never the learner's."""
    import sysconfig

    packages = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    paths = sysconfig.get_paths()
    return tuple(
        os.path.join(os.path.realpath(p), "")
        for p in (*(os.path.join(packages, name) for name in ("autograd", "viz", "nn")), paths["stdlib"], paths["purelib"])
    )


class LearnerCodeError(Exception):
    """A learner's code raised: the message is their exception with their own lines."""


def _theirs(filename: str) -> bool:
    if filename.startswith("<frozen "):  # Python's own frozen modules (runpy, importlib)
        return False
    if filename.startswith("<"):
        return True  # "<ipython-input-…>", "<string>", "<stdin>": a notebook cell or their exec
    return not os.path.realpath(filename).startswith(_ours())


def describe(exc: BaseException, who: str = "your code") -> str:
    """``exc`` as the learner's error: its type and message, and the traceback filtered to their frames.

    >>> def theirs():
    ...     return 1 / 0
    >>> try:
    ...     theirs()
    ... except ZeroDivisionError as e:
    ...     print(describe(e).splitlines()[0])
    your code raised ZeroDivisionError: division by zero
    """
    import traceback

    head = f"{who} raised {type(exc).__name__}: {exc}"
    if isinstance(exc, SyntaxError):  # the line is in the exception, not in the traceback
        where = f"  File \"{exc.filename}\", line {exc.lineno}"
        return "\n".join([head, where] + ([f"    {exc.text.strip()}"] if exc.text else []))
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if _theirs(f.filename)]
    lines = [head]
    for frame in frames:
        lines.append(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}')
        if frame.line:
            lines.append(f"    {frame.line}")
    return "\n".join(lines)


def load_row(spec: str) -> Gate:
    """The row ``NAME`` defined in ``FILE.py``, from ``"FILE.py:NAME"``.

    Loading the file runs it, in this process (no sandbox): run only code you trust.

    Raises:
        ValueError: ``spec`` is not ``FILE.py:NAME``, or the file does not exist.
        LearnerCodeError: the file raised while it ran (their error, with their line).
        LookupError: the file defines no ``NAME``.
        TypeError: ``NAME`` is not an ``autograd.Gate``.
    """
    import runpy

    path, sep, name = str(spec).rpartition(":")
    if not sep or not path or not name.isidentifier():
        raise ValueError(f"{spec!r:.80} is not FILE.py:NAME; write e.g. mygates.py:CUBE")
    if not os.path.isfile(path):
        raise ValueError(f"no file {path!r:.80}")
    try:
        namespace = runpy.run_path(path, run_name="__gategraph_check_gate__")
    except Exception as exc:  # their code: report it as theirs, with their line
        raise LearnerCodeError(describe(exc, f"{path}")) from None
    if name not in namespace:
        rows = sorted(k for k, v in namespace.items() if isinstance(v, Gate))
        raise LookupError(f"{path} defines no {name}" + (f"; its Gate rows: {', '.join(rows)}" if rows else ""))
    row = namespace[name]
    if not isinstance(row, Gate):
        raise TypeError(f"{path}:{name} is a {type(row).__name__}, not an autograd.Gate row")
    return row
