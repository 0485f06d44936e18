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


def test_help_says_the_file_runs_in_a_child(capsys: pytest.CaptureFixture[str]) -> None:
    """--help warns that loading the file runs it, with no sandbox."""
    assert main(["check-gate", "--help"]) == EXIT_OK
    assert "RUNS it, in a child process under a time limit (no sandbox)" in " ".join(capsys.readouterr().out.split())


@pytest.mark.parametrize("source, message", [
    ('import sys\nsys.exit("bye")\n', "line 2: sys.exit('bye') ends the program; a gate file should only define rows"),
    ("import sys\nsys.exit(0)\n", "line 2: sys.exit(0) ends the program; a gate file should only define rows"),
    ("import os\nx = 1\nos._exit(0)\n", "line 3: os._exit(0) ends the program; a gate file should only define rows"),
    ('class Boom(BaseException):\n    pass\n\nraise Boom("b")\n',
     "line 4: Boom: b (a BaseException, not an Exception); a gate file should only define rows"),
], ids=["sys.exit(str)", "sys.exit(0)", "os._exit", "BaseException"])
def test_a_file_that_ends_the_program_is_their_error(tmp_path: Path, source: str, message: str,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """sys.exit, os._exit and a BaseException at load: their error in one line with their line, exit 1."""
    path = tmp_path / "ends.py"
    path.write_text(source, encoding="utf-8")
    assert main(["check-gate", f"{path}:CUBE"]) == EXIT_FAILED
    err = capsys.readouterr().err
    assert err == f"gategraph: error in your file: {path}, {message}\n"


def test_an_endless_loop_is_stopped_at_the_timeout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file that never finishes is stopped after --timeout, reported with the line it was on, exit 1."""
    path = tmp_path / "loop.py"
    path.write_text("x = 0\nwhile True: x += 1\n", encoding="utf-8")  # one line: the stack is always there
    assert main(["check-gate", f"{path}:CUBE", "--timeout", "1"]) == EXIT_FAILED
    err = capsys.readouterr().err
    assert err == f"gategraph: error in your file: {path} did not finish within 1 s (an endless loop?), at line 2; raise the limit with --timeout\n"


def test_a_file_without_rows_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file that defines no row fails (exit 1), saying it defines no such name."""
    path = tmp_path / "empty.py"
    path.write_text("x = 1\n", encoding="utf-8")
    assert main(["check-gate", f"{path}:CUBE"]) == EXIT_FAILED
    captured = capsys.readouterr()
    assert f"{path} defines no CUBE" in captured.err and "passed" not in captured.out


def test_a_row_whose_local_grads_raise_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """local_grads = lambda out, x: (1/0,) fails (exit 1) instead of passing."""
    path = tmp_path / "zero.py"
    path.write_text("from autograd import Gate\nZ = Gate(name='z', symbol='z', arity=1, forward=lambda x: x, "
                    "local_grads=lambda out, x: (1/0,), rule='r')\n", encoding="utf-8")
    assert main(["check-gate", f"{path}:Z", "--examples", "20"]) == EXIT_FAILED
    out = capsys.readouterr().out
    assert "FAILED (local_grads)" in out and "local_grads raised ZeroDivisionError (division by zero) at x = 0.0" in out


def test_a_bug_of_ours_is_not_blamed_on_them(rows: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """The child's own failure, not their code's, is reported as a bug in gategraph."""
    import json

    def broken(command: list[str], **kwargs: object) -> object:
        import subprocess

        with open(command[-1], "w", encoding="utf-8") as file:
            json.dump({"bug": "KeyError: 'x'"}, file)
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr("subprocess.run", broken)
    assert main(["check-gate", f"{rows}:CUBE"]) == EXIT_FAILED
    assert "KeyError: 'x' — this is a bug in gategraph" in capsys.readouterr().err
