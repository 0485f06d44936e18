"""gategraph check-gate FILE.py:NAME: a learner's row checked from the shell; their errors are theirs, exit 1."""

from __future__ import annotations

from pathlib import Path

import pytest

from viz.cli import EXIT_FAILED, EXIT_OK, main

GOOD = '''
from autograd import Gate
CUBE = Gate(name="cube", symbol="x³", arity=1, forward=lambda x: x ** 3,
            local_grads=lambda out, x: (3 * x * x,), rule="cube multiplies by 3x²")
WRONG = Gate(name="cube", symbol="x³", arity=1, forward=lambda x: x ** 3,
             local_grads=lambda out, x: (3 * x,), rule="cube multiplies by 3x²")
NUMBER = 3
'''


@pytest.fixture
def rows(tmp_path: Path) -> Path:
    path = tmp_path / "mygates.py"
    path.write_text(GOOD, encoding="utf-8")
    return path


def test_a_right_row_passes(rows: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A right row prints a passed report and exits 0."""
    assert main(["check-gate", f"{rows}:CUBE", "--examples", "30"]) == EXIT_OK
    assert "check_gate('cube') passed" in capsys.readouterr().out


def test_a_wrong_row_fails_with_the_numbers(rows: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A wrong derivative prints the input and both numbers, exit 1."""
    assert main(["check-gate", f"{rows}:WRONG", "--examples", "30"]) == EXIT_FAILED
    out = capsys.readouterr().out
    assert "FAILED (derivative)" in out and "local_grads gives ∂out/∂x" in out


def test_an_error_in_their_file_is_theirs_with_their_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Their file raising at load: their exception and their line on stderr, exit 1, no traceback of ours."""
    path = tmp_path / "broken.py"
    path.write_text("x = 1\ny = undefined + x\n", encoding="utf-8")
    assert main(["check-gate", f"{path}:CUBE"]) == EXIT_FAILED
    err = capsys.readouterr().err
    assert "NameError: name 'undefined' is not defined" in err and "line 2" in err and "y = undefined + x" in err
    assert "Traceback" not in err and "runpy" not in err


def test_a_syntax_error_in_their_file_names_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A syntax error is reported with its line too."""
    path = tmp_path / "typo.py"
    path.write_text("x = (1 +\n", encoding="utf-8")
    assert main(["check-gate", f"{path}:CUBE"]) == EXIT_FAILED
    assert "SyntaxError" in capsys.readouterr().err


@pytest.mark.parametrize("name, message", [
    ("MISSING", "defines no MISSING; its Gate rows: CUBE, WRONG"),
    ("NUMBER", "is a int, not an autograd.Gate row"),
])
def test_a_name_that_is_not_a_row(rows: Path, name: str, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A missing name or a non-row is one line on stderr, exit 1."""
    assert main(["check-gate", f"{rows}:{name}"]) == EXIT_FAILED
    assert message in capsys.readouterr().err


def test_a_spec_without_a_name(rows: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """FILE.py without :NAME is refused, naming the form expected."""
    assert main(["check-gate", str(rows)]) == EXIT_FAILED
    assert "is not FILE.py:NAME" in capsys.readouterr().err


def test_help_says_the_file_runs_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    """--help warns that loading the file runs it, with no sandbox."""
    assert main(["check-gate", "--help"]) == EXIT_OK
    assert "RUNS it, in this process (no sandbox)" in " ".join(capsys.readouterr().out.split())
