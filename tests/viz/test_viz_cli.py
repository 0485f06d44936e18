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


@pytest.mark.graphviz
def test_draw_lang_zh_labels_the_cells_in_chinese(run, tmp_path) -> None:
    """draw --lang zh writes 值 and 梯度 in the value cells instead of data and grad."""
    code, _, _ = run("draw", "x*y", "x=2", "y=3", "--lang", "zh", "-o", "f.svg")
    text = (tmp_path / "f.svg").read_text(encoding="utf-8")
    assert code == 0 and "值" in text and "梯度" in text and ">data" not in text


@pytest.mark.graphviz
def test_a_chinese_png_without_a_cjk_font_exits_1_in_one_line(run, tmp_path, monkeypatch) -> None:
    """draw --lang zh -o f.png where no CJK font is installed: one line saying what to install, no file."""
    import viz.backend

    monkeypatch.setattr(viz.backend, "_system_cjk_font", lambda: False)
    code, _, err = run("draw", "x*y", "x=2", "y=3", "--lang", "zh", "-o", "f.png")
    assert code == 1 and err.count("\n") == 1 and "apt install fonts-noto-cjk" in err
    assert not (tmp_path / "f.png").exists()


def test_steps_lang_zh_writes_a_chinese_page(run, tmp_path) -> None:
    """steps --lang zh writes a page whose language is Chinese and whose captions use 上游梯度."""
    code, _, _ = run("steps", "x*y", "x=2", "y=3", "--lang", "zh", "-o", "s.html")
    text = (tmp_path / "s.html").read_text(encoding="utf-8")
    assert code == 0 and 'lang="zh' in text and "上游梯度" in text


def test_steps_interactive_writes_the_what_if_panel(run, tmp_path) -> None:
    """steps --interactive adds the what-if panel: its data block and a second, hash-pinned script."""
    code, _, _ = run("steps", "log(x)*y", "x=2", "y=3", "--interactive", "-o", "s.html")
    text = (tmp_path / "s.html").read_text(encoding="utf-8")
    assert code == 0 and 'id="gg-whatif"' in text and text.count("<script>") == 4  # gg.js, page, what-if, check toggle


def test_an_unknown_lang_is_a_usage_error(run) -> None:
    """--lang fr is refused in one line naming the choices, exit 2."""
    code, _, err = run("draw", "x*y", "x=2", "y=3", "--lang", "fr", "-o", "f.svg")
    assert code == 2 and "invalid choice: 'fr'" in err and err.count("\n") == 1


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


@pytest.mark.parametrize(
    "argv, message",
    [
        (["check", "x*x", "x=1", "--eps", "0"], r"^gategraph: error: argument --eps: must be a number in \(0, 1\), got '0' "),
        (["check", "x*x", "x=1", "--eps", "-1"], r"argument --eps: must be a number in \(0, 1\), got '-1'"),
        (["check", "x*x", "x=1", "--eps", "nan"], r"argument --eps: must be a number in \(0, 1\), got 'nan'"),
        (["check", "x*x", "x=1", "--eps", "1"], r"argument --eps: must be a number in \(0, 1\), got '1'"),
        (["train", "moons", "--seed", "-1"], r"argument --seed: must be a whole number from 0 to 4294967295, got '-1'"),
        (["train", "moons", "--seed", "4294967296"], r"argument --seed: must be a whole number from 0 to 4294967295"),
        (["train", "moons", "--lr", "inf"], r"argument --lr: must be a finite number > 0, got 'inf'"),
        (["train", "moons", "--lr", "nan"], r"argument --lr: must be a finite number > 0, got 'nan'"),
        (["train", "moons", "--lr", "0"], r"argument --lr: must be a finite number > 0, got '0'"),
        (["train", "spiral", "--epochs", "0"], r"argument --epochs: must be a whole number from 1 to 10000, got '0'"),
        (["train", "spiral", "--epochs", "10001"], r"argument --epochs: must be a whole number from 1 to 10000"),
        (["train", "moons", "--samples", "1000000000000000"], r"--samples for moons must be from 2 to 2000, got 1000000000000000$"),
        (["train", "moons", "--samples", "1"], r"--samples for moons must be from 2 to 2000, got 1$"),
        (["train", "spiral", "--samples", "1001"], r"--samples for spiral must be from 1 to 1000 per class, got 1001$"),
        (["train", "digits", "--samples", "5000"], r"--samples for digits must be from 10 to 1797, got 5000$"),
        (["draw", "x", "x=1", "-o", ""], r"argument -o/--output: needs a path, got an empty one"),
        (["draw", "x", "x=1", "-o", "f\0.svg"], r"argument -o/--output: a path cannot contain a NUL character"),
        (["draw", "x", "x=1", "-o", "pictures/"], r"-o 'pictures/' names a folder; the diagram is a file ending in \.svg or \.png"),
    ],
)
def test_bad_option_value_is_a_one_line_usage_error(run, tmp_path, argv, message) -> None:
    """Out-of-range or non-finite option values exit 2 in one line naming the option, before any work."""
    code, out, err = run(*argv, "-o", "plots") if argv[0] == "train" else run(*argv)
    assert (code, out) == (2, "") and len(err.splitlines()) == 1
    assert re.search(message, err.strip()), err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "argv, message",
    [
        (["draw", "x*2", "x=1", "-o", "/proc/nonexistent/f.svg"], r"cannot write '/proc/nonexistent/f\.svg': No such file or directory$"),
        (["steps", "x*2", "x=1", "-o", "/proc/nonexistent/s.html"], r"cannot write '/proc/nonexistent/s\.html': No such file or directory$"),
        (["draw", "x*2", "x=1", "-o", "folder.svg"], r"cannot write 'folder\.svg': it is a folder, not a file$"),
        (["demo", "-o", "a-file"], r"cannot write to 'a-file': it is a file, not a folder$"),
        (["train", "moons", "-o", "a-file/plots"], r"cannot write to 'a-file/plots': 'a-file' is a file, not a folder$"),
    ],
)
def test_unwritable_output_exits_1_naming_the_path(run, tmp_path, argv, message) -> None:
    """A path that cannot be written (missing or virtual folder, a folder, a file as folder): exit 1, one line."""
    if not Path("/proc").is_dir() and "/proc" in " ".join(argv):
        pytest.skip("needs Linux's /proc")
    (tmp_path / "folder.svg").mkdir()
    (tmp_path / "a-file").write_text("keep me")
    code, out, err = run(*argv)
    assert (code, out) == (1, "") and len(err.splitlines()) == 1
    assert re.search(message, err.strip()), err
    assert (tmp_path / "a-file").read_text() == "keep me" and list((tmp_path / "folder.svg").iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may write a read-only folder")
def test_read_only_folder_exits_1_naming_the_path(run, tmp_path) -> None:
    """A folder without write permission: exit 1, one line naming the file."""
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    code, _, err = run("draw", "x*2", "x=1", "-o", "locked/f.svg")
    assert code == 1 and re.search(r"cannot write 'locked/f\.svg': Permission denied$", err.strip()), err


def test_failed_write_leaves_the_old_file_and_no_partial_one(run, tmp_path, monkeypatch) -> None:
    """If the final rename fails, the existing output keeps its bytes and no temporary file stays behind."""
    import viz._files

    (tmp_path / "f.svg").write_text("old picture")

    def refuse(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(viz._files.os, "replace", refuse)
    code, _, err = run("draw", "x*2", "x=1", "-o", "f.svg")
    assert code == 1 and err.strip().endswith("cannot write 'f.svg': No space left on device")
    assert [p.name for p in tmp_path.iterdir()] == ["f.svg"] and (tmp_path / "f.svg").read_text() == "old picture"


def test_train_writes_its_plots_whole_or_not_at_all(run, tmp_path, monkeypatch) -> None:
    """train draws each plot in memory and renames it into place: a failed write keeps the old plot."""
    pytest.importorskip("nn")
    import viz._files

    (tmp_path / "plots").mkdir()
    (tmp_path / "plots" / "history.png").write_bytes(b"old")
    monkeypatch.setattr(viz._files.os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(5, "Input/output error")))
    code, _, err = run("train", "moons", "--epochs", "1", "--samples", "10", "--no-progress", "-o", "plots")
    assert code == 1 and re.search(r"cannot write 'plots/history\.png': Input/output error$", err.strip()), err
    assert [p.name for p in (tmp_path / "plots").iterdir()] == ["history.png"]
    assert (tmp_path / "plots" / "history.png").read_bytes() == b"old"


@pytest.mark.parametrize("error", [KeyError("boom"), RecursionError("maximum recursion depth exceeded"), MemoryError()])
def test_unexpected_error_is_one_line_with_a_hint(run, monkeypatch, error) -> None:
    """Any other exception (also RecursionError, no longer taken for a Graphviz error): exit 1, one line, a --debug hint."""
    import viz.cli

    def explode(*args, **kwargs):
        raise error

    monkeypatch.setattr(viz.cli, "draw_graph", explode)
    code, out, err = run("draw", "x*2", "x=1", "-o", "f.svg")
    assert (code, out) == (1, "") and len(err.splitlines()) == 1 and "Traceback" not in err
    assert re.search(rf"^gategraph: error: unexpected {type(error).__name__}: .*run the same command with --debug", err)


@pytest.mark.parametrize("where", ["first", "last"])
def test_debug_shows_the_traceback(run, monkeypatch, where) -> None:
    """--debug, before or after the command, prints the traceback and then the same one line."""
    import viz.cli

    monkeypatch.setattr(viz.cli, "draw_graph", lambda *a, **k: {}["boom"])
    argv = ["draw", "x*2", "x=1", "-o", "f.svg"]
    code, _, err = run(*(["--debug", *argv] if where == "first" else [*argv, "--debug"]))
    assert code == 1 and err.startswith("Traceback (most recent call last):")
    assert err.splitlines()[-1].startswith("gategraph: error: unexpected KeyError: 'boom'")


def test_graphviz_failure_is_exit_1(run, monkeypatch) -> None:
    """A RenderError from Graphviz is reported as a failure in one line, not as a bug."""
    import viz.backend

    def fail(*args, **kwargs):
        raise viz.backend.RenderError("dot failed (exit 1): syntax error in line 1")

    monkeypatch.setattr(viz.backend, "_run", fail)
    code, _, err = run("draw", "x*2", "x=1", "-o", "f.svg")
    assert code == 1 and err == "gategraph: error: dot failed (exit 1): syntax error in line 1\n"


def test_interrupt_exits_130_in_one_line(run, monkeypatch) -> None:
    """Ctrl-C during a command: exit 130, 'interrupted', no traceback."""
    import viz.cli

    monkeypatch.setattr(viz.cli, "gradcheck", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt()))
    code, _, err = run("check", "x*x", "x=1")
    assert (code, err) == (130, "gategraph: error: interrupted\n")


def test_no_syntax_warning_leaks(run) -> None:
    """ "1and x" makes Python warn while parsing; the CLI refuses it as invalid syntax, with no warning."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code, _, err = run("check", "1and x", "x=1")
    assert code == 2 and caught == []
    assert err == "gategraph: error: EXPR '1and x': not a valid expression: invalid decimal literal\n"


def test_long_flat_sum_is_accepted(run) -> None:
    """x+x+…+x with 400 terms (799 characters, inside the limit) is a plain sum: checked, f = 400."""
    code, out, err = run("check", "+".join(["x"] * 400), "x=1")
    assert (code, err) == (0, "") and "f = 400" in out and "analytic 400" in out


def test_deep_nesting_is_refused_cleanly(run) -> None:
    """300 nested parentheses exceed Python's parser: exit 2, one line."""
    code, _, err = run("check", "(" * 300 + "x" + ")" * 300, "x=1")
    assert code == 2 and err.strip().endswith("not a valid expression: too many nested parentheses")


def test_check_parses_the_expression_once(run, monkeypatch) -> None:
    """check parses EXPR a single time and reuses the tree for gradcheck."""
    import viz.expr

    calls = []
    real = viz.expr.parse
    monkeypatch.setattr(viz.expr, "parse", lambda text: calls.append(text) or real(text))
    code, _, _ = run("check", "x*y", "x=2", "y=3")
    assert code == 0 and calls == ["x*y"]


def test_a_graph_too_large_to_draw_exits_1_in_one_line(run, tmp_path) -> None:
    """990 nested negations make 1,981 value nodes, more than a diagram draws: exit 1, one line, no file."""
    code, out, err = run("draw", "-" * 990 + "x", "x=1", "-o", "neg.svg")
    assert (code, out) == (1, "") and len(err.splitlines()) == 1
    assert re.search(r"^gategraph: error: cannot draw '-{79}: draw_graph: the graph has 1,981 value nodes, more than max_nodes=500", err)
    assert list(tmp_path.iterdir()) == []


def test_train_html_writes_the_timeline(run, tmp_path) -> None:
    """train moons --html writes the timeline page next to the plots, one slider position per epoch
    and one for epoch 0 (before training)."""
    pytest.importorskip("nn")
    code, out, err = run("train", "moons", "--epochs", "2", "--samples", "20", "--no-progress", "-o", "plots",
                         "--html", "timeline.html")
    assert (code, err) == (0, "") and "timeline.html" in out
    assert 'max="2"' in (tmp_path / "timeline.html").read_text(encoding="utf-8")


def test_train_digits_html_names_each_class_by_its_digit(run, tmp_path) -> None:
    """The digits timeline captions its ten weight images "digit 0" … "digit 9", as weights.png does."""
    pytest.importorskip("sklearn")
    code, _, err = run("train", "digits", "--epochs", "1", "--samples", "60", "--no-progress", "-o", "plots",
                       "--html", "timeline.html")
    page = (tmp_path / "timeline.html").read_text(encoding="utf-8")
    assert (code, err) == (0, "") and re.findall(r"<figcaption>(.*?)</figcaption>", page) == [f"digit {d}" for d in range(10)]


def test_train_html_refuses_another_suffix_before_training(run, tmp_path) -> None:
    """--html t.png is a one-line usage error, and nothing is written."""
    code, _, err = run("train", "moons", "--epochs", "1", "--no-progress", "--html", "t.png")
    assert code == 2 and err.strip().endswith("--html 't.png' should end in .html or .htm")
    assert list(tmp_path.iterdir()) == []


def test_steps_titles_the_page_with_the_whole_expression_once(tmp_path) -> None:
    """`gategraph steps` names the whole expression in the page's title; its interior nodes keep short names."""
    from viz.cli import main

    out = tmp_path / "neuron.html"
    assert main(["steps", "sigmoid(w0*x0 + w1*x1 + b)", "w0=2", "x0=-1", "w1=-3", "x1=-2", "b=-3", "-o", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    title = page[page.index("<title>"):page.index("</title>")]
    assert "sigmoid(w0 * x0 + w1 * x1 + b)" in title
    assert page.count("w0 * x0 + w1 * x1 + b") == 2  # the <title> and the heading, nowhere in the drawing
