"""The gategraph command: draws, steps and checks safe expressions; refuses everything else in one line."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from viz.cli import main


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture):
    """Run main() in an empty working folder; returns (exit code, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)

    def call(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return call


HOSTILE = [
    "__import__('os').system('x')",
    "x.__class__",
    "(lambda: 1)()",
    "[x for x in y]",
    "'a'",
    "open('f')",
    "x[0]",
    "exp(x=1)",
    "x if x else x",
    "eval('1')",
    "(x).__class__.__bases__[0].__subclasses__()",
    "{x: 1}",
    "x < 1",
    "x and x",
    "exp",
    "f'{x}'",
    "1; import os",
    "(y := 2)",
]


@pytest.mark.parametrize("expression", HOSTILE)
@pytest.mark.parametrize("command", ["draw", "steps"])
def test_hostile_expression_is_refused_in_one_line_with_exit_2_and_no_file(run, tmp_path, command, expression) -> None:
    """Forbidden syntax: exit 2, one line on stderr, nothing on stdout, no file written."""
    out_file = "out.svg" if command == "draw" else "out.html"
    code, out, err = run(command, expression, "x=1", "-o", out_file)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert err.startswith("gategraph: error: ") and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_check_refuses_hostile_expression_too(run) -> None:
    """check refuses the same way."""
    code, out, err = run("check", "__import__('os').system('echo hacked')", "x=1")
    assert (code, out) == (2, "") and "calling anything but a named function is not allowed" in err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["(x+y)*z", "x=1", "y=2"], r"no value for z: add z=NUMBER"),
        (["x*y", "x=1", "y=2", "w=3"], r"w is not in the expression \(its variables: x, y\)"),
        (["x*2", "x=two"], r"x=two: the value must be a number"),
        (["x*2", "x=nan"], r"the value must be a finite number, got 'nan'"),
        (["x*2", "x"], r"'x' is not a binding: write NAME=VALUE"),
        (["x*2", "x=1", "x=2"], r"x is given twice"),
        (["x*2", "exp=1"], r"'exp=1' is not a binding"),
        (["1e999 * x", "x=1"], r"the number inf is not finite"),
    ],
)
def test_bad_bindings_are_refused_with_exit_2(run, tmp_path, argv, message) -> None:
    """Missing, unknown, malformed, duplicate and non-finite values: exit 2, one line, no file."""
    code, out, err = run("draw", *argv, "-o", "f.svg")
    assert code == 2 and len(err.splitlines()) == 1
    assert re.search(message, err), err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("argv", [["log(x)", "x=-1"], ["x / y", "x=1", "y=0"], ["exp(x)", "x=1000"]])
def test_math_error_at_the_given_values_exits_1_in_one_line(run, tmp_path, argv) -> None:
    """No finite value there (log of a negative, division by zero, overflow): exit 1, no file."""
    code, out, err = run("draw", *argv, "-o", "f.svg")
    assert code == 1 and len(err.splitlines()) == 1 and "cannot evaluate" in err
    assert list(tmp_path.iterdir()) == []


def test_wrong_output_suffix_exits_2_before_evaluating(run, tmp_path) -> None:
    """-o f.pdf is refused, naming the valid suffixes."""
    code, _, err = run("draw", "x*2", "x=1", "-o", "f.pdf")
    assert code == 2 and "must end in .svg or .png, got '.pdf'" in err


def test_unknown_command_is_one_line(run) -> None:
    """argparse's own errors are one line too."""
    code, _, err = run("frobnicate")
    assert code == 2 and len(err.splitlines()) == 1 and "invalid choice: 'frobnicate'" in err


def test_no_command_exits_2(run) -> None:
    """gategraph alone asks for a command."""
    code, _, err = run()
    assert code == 2 and "choose a command" in err


@pytest.mark.graphviz
def test_draw_writes_an_svg_and_prints_the_gradients(run, tmp_path) -> None:
    """draw "(x+y)*z" writes f.svg and prints f = -12 and the three gradients."""
    code, out, err = run("draw", "(x+y)*z", "x=-2", "y=5", "z=-4", "-o", "f.svg")
    assert (code, err) == (0, "")
    assert "f = -12; ∂f/∂x = -4, ∂f/∂y = -4, ∂f/∂z = 3" in out
    assert (tmp_path / "f.svg").read_text(encoding="utf-8").count("<svg") == 1


@pytest.mark.graphviz
def test_expression_starting_with_minus_is_not_an_option(run, tmp_path) -> None:
    """ "-x*y" is read as EXPR, not as an option."""
    code, out, _ = run("draw", "-x*y", "x=2", "y=3", "-o", "neg.svg")
    assert code == 0 and "f = -6" in out


@pytest.mark.graphviz
def test_steps_writes_the_html_stepper(run, tmp_path) -> None:
    """steps writes one HTML page: one drawing, and a frame of data per step."""
    code, out, _ = run("steps", "relu(a*b + 1)", "a=2", "b=-3", "-o", "steps.html")
    text = (tmp_path / "steps.html").read_text(encoding="utf-8")
    frames = json.loads(re.search(r'id="gg-data">(.*?)</script>', text, re.S).group(1))["frames"]
    assert code == 0 and text.count("<svg") == 1 and len(frames) == 1 + 3  # forward, then ×, + and relu's max
    assert "steps.html" in out


def test_check_prints_a_passing_report(run) -> None:
    """check prints one line per variable and exits 0."""
    code, out, _ = run("check", "log(1 + exp(a*b))", "a=0.5", "b=-2")
    assert code == 0 and out.startswith("gradcheck passed")
    assert "∂f/∂a at a = 0.5" in out and "∂f/∂b at b = -2" in out


def test_check_fails_with_exit_1_on_a_wrong_rule(run, wrong_mul) -> None:
    """With a broken mul rule installed, check reports MISMATCH and exits 1."""
    code, out, _ = run("check", "a*b", "a=3", "b=4")
    assert code == 1 and "MISMATCH" in out


def test_check_reports_a_kink_without_failing(run) -> None:
    """relu at 0 is a kink: reported, not judged."""
    code, out, _ = run("check", "relu(x)", "x=0")
    assert code == 0 and "kink (not judged)" in out


@pytest.mark.graphviz
def test_demo_renders_the_course_example_into_a_folder(run, tmp_path) -> None:
    """demo writes the diagram, one diagram per gate and the stepper, and prints where."""
    code, out, _ = run("demo", "-o", "demo")
    names = sorted(p.name for p in (tmp_path / "demo").iterdir())
    assert code == 0 and names == ["gate1-mul.svg", "gate2-add.svg", "graph.png", "graph.svg", "steps.html"]
    assert "∂f/∂x = -4, ∂f/∂y = -4, ∂f/∂z = 3" in out and str((tmp_path / "demo").resolve()) in out


def test_python_m_viz_runs_the_same_command(tmp_path) -> None:
    """python -m viz --help exits 0 and shows the commands."""
    done = subprocess.run([sys.executable, "-m", "viz", "--help"], capture_output=True, text=True,
                          cwd=tmp_path, env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert done.returncode == 0 and "draw" in done.stdout and "demo" in done.stdout


def test_train_moons_writes_plots(run, tmp_path) -> None:
    """A tiny moons run (1 epoch, 20 samples) trains with nn and writes the history and boundary plots."""
    pytest.importorskip("nn")
    code, out, err = run("train", "moons", "--epochs", "1", "--samples", "20", "--no-progress", "-o", "plots")
    assert (code, err) == (0, "") and "training accuracy" in out
    assert sorted(p.name for p in (tmp_path / "plots").iterdir()) == ["boundary.png", "history.png"]


def test_train_digits_writes_weight_templates(run, tmp_path) -> None:
    """A tiny digits run trains a linear classifier and writes its weights as images."""
    pytest.importorskip("sklearn")
    code, out, _ = run("train", "digits", "--epochs", "1", "--samples", "60", "--no-progress", "-o", "plots")
    assert code == 0 and "validation accuracy" in out
    assert sorted(p.name for p in (tmp_path / "plots").iterdir()) == ["history.png", "weights.png"]


def test_train_refuses_a_bad_option(run) -> None:
    """--epochs 0 exits 2 in one line."""
    code, _, err = run("train", "spiral", "--epochs", "0")
    assert code == 2 and "--epochs must be > 0, got 0" in err
