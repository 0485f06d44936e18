"""Worksheets, their answer keys, the `gategraph worksheet` command and the exercise checker's page (Python side)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from autograd import GATES, Value, topological_order
from viz import exercise_page, worksheet, worksheet_class
from viz import expr
from viz.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE, main
from viz.dot import fmt
from viz.worksheet import OPERATOR_SYNTAX, expression_variants, random_expression, variant_path

pytestmark = pytest.mark.graphviz

HOSTILE = "</script><img src=x onerror=alert(1)>"


def block(page: str, name: str) -> dict:
    """The JSON data block ``name`` of a page."""
    return json.loads(re.search(rf'id="{name}">(.*?)</script>', page, re.S).group(1))


def neuron() -> Value:
    """tanh(a·b + c) at numbers whose gradients are all distinct from the values shown."""
    return expr.evaluate(expr.parse("tanh(a * b + c)"), {"a": 0.5, "b": 1.5, "c": -0.25})


def test_worksheet_cells_are_blank_and_answers_only_in_the_checker_data(tmp_path: Path) -> None:
    """Every gradient cell shows ?, no frame fills one in, and no gradient is printed outside the ws-data block."""
    root = neuron()
    page = worksheet(root, tmp_path / "ws.html").read_text(encoding="utf-8")
    data = block(page, "gg-data")
    assert all(frame["s"] == [] for frame in data["frames"])
    assert set(re.findall(r'<text class="gv"[^>]*>[^<]*<tspan data-n="\d+">([^<]*)</tspan>', page)) == {"?"}
    outside = re.sub(r'<script type="application/json" id="ws-data">.*?</script>', "", page, flags=re.S)
    root.backward()
    for node in topological_order(root):
        if node is not root:  # ∂f/∂f = 1 is the seed, and "1" is on the page anyway
            assert fmt(node.grad) not in outside, (node.label, fmt(node.grad))
    cells = block(page, "ws-data")["cells"]
    assert sorted(c["answer"] for c in cells) == sorted(n.grad for n in topological_order(root))


def test_worksheet_captions_say_what_to_multiply(tmp_path: Path) -> None:
    """A step's caption names the upstream and local gradient as symbols, and one box per node is on the page."""
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    f = (x + y) * z
    f.label = "f"
    page = worksheet(f, tmp_path / "ws.html").read_text(encoding="utf-8")
    head, lines, rule = block(page, "gg-data")["frames"][1]["c"]
    assert head.startswith("Step 1 of 2") and lines[0] == "upstream gradient arriving at its output: ∂f/∂f"
    assert "add ∂f/∂f × local ∂f/∂z" in lines[2] and rule.startswith("rule: mul")
    assert page.count('<input id="ws-in-') == 5


def test_worksheet_leaves_the_gradients_alone(tmp_path: Path) -> None:
    """Writing a worksheet of a graph already backpropagated keeps its grads and gives single-pass answers."""
    root = neuron()
    root.backward()
    before = [n.grad for n in topological_order(root)]
    page = worksheet(root, tmp_path / "ws.html").read_text(encoding="utf-8")
    assert [n.grad for n in topological_order(root)] == before
    answers = {c["i"]: c["answer"] for c in block(page, "ws-data")["cells"]}
    assert [answers[i] for i in range(len(before))] == pytest.approx(before)


def test_key_fills_every_gradient_and_runs_no_script(tmp_path: Path) -> None:
    """The answer key shows each node's gradient in its drawing and table and holds no script."""
    root = neuron()
    worksheet(root, tmp_path / "ws.html", answers=tmp_path / "key.html")
    key = (tmp_path / "key.html").read_text(encoding="utf-8")
    root.backward()
    cells = re.findall(r'<text class="gv"[^>]*>[^<]*<tspan data-n="\d+">([^<]*)</tspan>', key)
    assert sorted(cells) == sorted(fmt(n.grad) for n in topological_order(root))
    assert "<script" not in key and "default-src 'none'" in key


def test_hostile_labels_are_escaped_everywhere(tmp_path: Path) -> None:
    """A label holding </script><img …> stays text in the worksheet, its data and the key."""
    a, b = Value(1.0, HOSTILE), Value(2.0, "<svg onload=alert(2)>")
    out = a * b
    out.label = "\u2028</SCRIPT ><!--"
    page = worksheet(out, tmp_path / "ws.html", answers=tmp_path / "key.html").read_text(encoding="utf-8")
    key = (tmp_path / "key.html").read_text(encoding="utf-8")
    for text in (page, key):
        assert "<img" not in text and "<svg onload" not in text and "</SCRIPT >" not in text
    names = {c["name"] for c in block(page, "ws-data")["cells"]}
    assert f"({HOSTILE})" in names and page.count("</script>") == 5  # data + script, twice (worksheet), gg.js


def test_chinese_worksheet_speaks_chinese(tmp_path: Path) -> None:
    """lang="zh" gives the heading, instructions and captions in Chinese."""
    page = worksheet(neuron(), tmp_path / "ws.html", lang="zh").read_text(encoding="utf-8")
    assert "你的梯度" in page and "有效数字" in page and "练习" in block(page, "gg-data")["frames"][0]["c"][0]


@pytest.mark.parametrize("call, match", [
    (lambda p: worksheet(Value(1.0, "x"), p / "ws.html"), "no gate"),
    (lambda p: worksheet(neuron(), p / "ws.txt"), "should end in one of .html"),
    (lambda p: worksheet(neuron(), p / "ws.html", lang="fr"), "lang must be one of"),
    (lambda p: worksheet("x*y", p / "ws.html"), "needs an autograd.Value"),
    (lambda p: worksheet_class([], p / "ws.html"), "needs 1 to 99 roots"),
])
def test_worksheet_refuses_bad_arguments(tmp_path: Path, call, match: str) -> None:
    """Bad arguments are refused with a message naming them, and nothing is written."""
    with pytest.raises((ValueError, TypeError), match=match):
        call(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_variants_share_the_expression_and_differ_in_numbers() -> None:
    """The first variant is at the given numbers; the others are seeded, distinct and reproducible."""
    roots = expression_variants("x * y + z", {"x": 2, "y": 3, "z": 1}, 8, seed=4)
    numbers = [tuple(n.data for n in topological_order(r) if not n.op) for r in roots]
    assert numbers[0] == (2.0, 3.0, 1.0) and len(set(numbers)) == 8
    again = expression_variants("x * y + z", {"x": 2, "y": 3, "z": 1}, 8, seed=4)
    assert [r.data for r in again] == [r.data for r in roots]
    assert [r.data for r in expression_variants("x * y + z", {"x": 2, "y": 3, "z": 1}, 8, seed=5)] != [r.data for r in roots]


def test_random_expression_uses_gate_rows_and_its_seed() -> None:
    """A seed gives one expression, its calls are rows of GATES, and its numbers give finite gradients."""
    drawn = [random_expression(seed) for seed in range(12)]
    assert drawn[3] == random_expression(3) and len({text for text, _ in drawn}) > 6
    writable = set(OPERATOR_SYNTAX) | {name for name in GATES if name in expr.FUNCTIONS}
    for text, values in drawn:
        assert set(re.findall(r"([a-z]+)\(", text)) <= writable
        root = expr.evaluate(expr.parse(text), values)
        root.backward()


def test_cli_class_writes_distinct_variants_and_one_key(tmp_path: Path, capsys) -> None:
    """--class 5 writes ws-01 … ws-05 with different answers and one key holding all five."""
    code = main(["worksheet", "(x+y)*z", "x=-2", "y=5", "z=-4", "-o", str(tmp_path / "ws.html"),
                 "--class", "5", "--answers", str(tmp_path / "key.html")])
    assert code == EXIT_OK and "5 variants" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["key.html"] + [f"ws-{k:02d}.html" for k in range(1, 6)]
    answers = [tuple(c["answer"] for c in block(variant_path(tmp_path / "ws.html", k).read_text(encoding="utf-8"),
                                                  "ws-data")["cells"]) for k in range(1, 6)]
    assert len(set(answers)) == 5 and answers[0] == (1.0, 3.0, -4.0, -4.0, -4.0)
    key = (tmp_path / "key.html").read_text(encoding="utf-8")
    assert key.count('<section class="variant"') == 5 and "Variant 01: x = -2, y = 5, z = -4" in key


def test_cli_random_worksheet_is_seeded(tmp_path: Path) -> None:
    """--random --seed N writes the same worksheet twice and another one for another seed."""
    pages = []
    for name, seed in (("a.html", "7"), ("b.html", "7"), ("c.html", "8")):
        assert main(["worksheet", "--random", "--seed", seed, "-o", str(tmp_path / name)]) == EXIT_OK
        pages.append(block((tmp_path / name).read_text(encoding="utf-8"), "ws-data")["cells"])
    assert pages[0] == pages[1] != pages[2]


@pytest.mark.parametrize("argv, code, message", [
    (["worksheet", "(x+y)*z", "x=1", "y=2", "z=3", "-o", "ws.svg"], EXIT_USAGE, "must end in .html"),
    (["worksheet", "x*y", "x=1", "y=2", "-o", "ws.html", "--answers", "key.txt"], EXIT_USAGE, "answer key must end"),
    (["worksheet", "x*y", "x=1", "y=2", "-o", "ws.html", "--class", "0"], EXIT_USAGE, "--class must be 1 to 99"),
    (["worksheet", "x*y", "x=1", "y=2", "-o", "ws.html", "--random"], EXIT_USAGE, "not both"),
    (["worksheet", "-o", "ws.html"], EXIT_USAGE, "or --random"),
    (["worksheet", "__import__('os')", "-o", "ws.html"], EXIT_USAGE, "EXPR"),
    (["worksheet", "x*y", "x=1", "-o", "ws.html"], EXIT_USAGE, "no value for y"),
    (["worksheet", "log(x)", "x=-1", "-o", "ws.html"], EXIT_FAILED, "cannot evaluate"),
    (["worksheet", "x", "x=1", "-o", "ws.html"], EXIT_FAILED, "no gate"),
])
def test_cli_worksheet_exit_codes(tmp_path: Path, monkeypatch, capsys, argv, code: int, message: str) -> None:
    """A refused command line exits 2, an expression with nothing to work out exits 1; neither writes a file."""
    monkeypatch.chdir(tmp_path)
    assert main(argv) == code
    assert message in capsys.readouterr().err and list(tmp_path.iterdir()) == []


def course_report(**changes) -> SimpleNamespace:
    """A failed report as autograd.exercises makes it: the sub-sign bug on f = (x + y)·z, wrong at y in step 2."""
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    f = (x + y) * z
    f.label = "f"
    report = dict(ok=False, title="find the bug", message="the + gate sends y the wrong sign.", step=1,
                  backward_pass=1, node=y, expected=-4.0, actual=4.0, arithmetic="", root=f, theirs=None, error=None)
    report.update(changes)
    return SimpleNamespace(**report)


def test_exercise_page_opens_at_the_wrong_step_with_the_cell_marked(tmp_path: Path) -> None:
    """The page carries the frame to open (step + 1), the wrong node's index (its group drawn), and the numbers in the banner."""
    report = course_report()
    page = exercise_page(report, tmp_path / "first-wrong.html").read_text(encoding="utf-8")
    ws = block(page, "ws-data")
    assert ws["mode"] == "exercise" and ws["start"] == 2
    assert ws["i"] == [n for n in topological_order(report.root)].index(report.node)
    title = block(page, "gg-data")["nodes"][ws["i"]]["v"]
    assert re.search(rf'<g id="[^"]*" class="node[^"]*">\s*<title>{title}</title>', page)
    assert "∂f/∂y should be -4; your code made it 4." in page and "the wrong sign" in page
    assert report.node.grad == 0.0  # the report's graph is left as it was


def test_exercise_page_second_pass_and_no_numbers(tmp_path: Path) -> None:
    """A report of backward() call 2 says so; one without numbers points at the marked node instead."""
    page = exercise_page(course_report(backward_pass=2, expected=None, actual=None), tmp_path / "p.html",
                         lang="zh").read_text(encoding="utf-8")
    assert "第一个出错的步骤就是这一步" in page and "第 2 次调用 backward()" in page


@pytest.mark.parametrize("changes, match", [
    (dict(ok=True), "the report is ok"),
    (dict(root=None), "no graph"),
    (dict(node=Value(1.0, "elsewhere")), "not in its root's graph"),
    (dict(step=9), "step must be 0 to 1"),
])
def test_exercise_page_refuses_reports_it_cannot_show(tmp_path: Path, changes: dict, match: str) -> None:
    """An ok report, one without a graph, a foreign node or a step out of range is refused by name."""
    with pytest.raises(ValueError, match=match):
        exercise_page(course_report(**changes), tmp_path / "p.html")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("bug", sorted(__import__("autograd.exercises", fromlist=["BUGS"]).BUGS))
def test_exercise_page_shows_every_broken_backward_at_its_first_wrong_step(tmp_path: Path, bug: str) -> None:
    """The checker's real report of each known bug becomes a page opened just after the first wrong step."""
    from autograd.exercises import BUGS, FindTheBug

    report = FindTheBug(bug).check(BUGS[bug][0])
    page = exercise_page(report, tmp_path / f"{bug}.html").read_text(encoding="utf-8")
    ws = block(page, "ws-data")
    assert not report.ok and ws["mode"] == "exercise" and ws["start"] == report.step + 1
