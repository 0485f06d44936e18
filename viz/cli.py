"""The gategraph command: draw, step through and check expressions, train small networks, run the demo."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable, NoReturn, Optional, Sequence

import numpy as np

from autograd import Value, gradcheck, topological_order

from . import expr
from .dot import draw_gate, draw_graph, fmt
from .html import SUFFIXES as HTML_SUFFIXES
from .html import save_html
from .backend import FORMATS, DotNotFoundError, render

__all__ = ["main", "EXIT_OK", "EXIT_FAILED", "EXIT_USAGE"]

#: Exit codes. 0: done. 1: the command ran but failed — the expression has no finite value or
#: gradient at the given numbers (a GateError, a division by zero), a gradient check failed,
#: or Graphviz is missing or failed. 2: the command line was refused — a bad or forbidden
#: expression, a bad NAME=VALUE, an unknown option — and nothing was evaluated or written.
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

DEMO = ("(x + y) * z", {"x": -2.0, "y": 5.0, "z": -4.0})

EPILOG = """\
EXPR is arithmetic on named variables: numbers, names, + - * / **, unary -, and the gates
exp, log, tanh, sigmoid, relu, max. It is parsed, never run as Python. Quote it for the shell.

examples:
  gategraph demo
  gategraph draw "(x+y)*z" x=-2 y=5 z=-4 -o f.svg
  gategraph steps "tanh(w0*x0 + w1*x1 + b)" w0=-3 x0=2 w1=1 x1=0 b=6.88 -o steps.html
  gategraph check "log(1 + exp(a*b))" a=0.5 b=-2
  gategraph train moons --epochs 50

exit codes: 0 done; 1 no finite value/gradient at those numbers, a failed check, or Graphviz
missing; 2 a refused command line (bad expression or binding), nothing evaluated or written.
"""


class UsageError(Exception):
    """A refused command line: reported in one line, exit code 2."""


class Failure(Exception):
    """A command that ran and failed: reported in one line, exit code 1."""


class _Parser(argparse.ArgumentParser):
    """argparse, but its errors are one line on stderr like every other gategraph error."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def _expression(text: str, bindings: Sequence[str]) -> Value:
    """Parse, check and build EXPR with its NAME=VALUE bindings; UsageError or Failure if not."""
    try:
        tree = expr.parse(text)
        values = expr.parse_bindings(list(bindings))
        return expr.evaluate(tree, values)
    except expr.ExpressionError as error:
        raise UsageError(f"EXPR {text.strip()!r:.80}: {error}") from None
    except ArithmeticError as error:
        raise Failure(f"cannot evaluate {text.strip()!r:.80} at these values: {error}") from None


def _backward(root: Value) -> None:
    try:
        root.backward()
    except ArithmeticError as error:
        raise Failure(f"no finite gradient: {error}") from None


def _check_suffix(path: str, suffixes: Sequence[str], what: str) -> None:
    suffix = Path(path).suffix.lower()
    if suffix not in suffixes:
        raise UsageError(f"-o {path!r}: {what} must end in {' or '.join(suffixes)}, got {suffix or 'no suffix'!r}")


def _summary(root: Value) -> str:
    leaves = [n for n in _leaves(root) if n.label]
    grads = ", ".join(f"∂{root.label}/∂{n.label} = {fmt(n.grad)}" for n in leaves)
    return f"{root.label} = {fmt(root.data)}" + (f"; {grads}" if grads else "")


def _leaves(root: Value) -> list[Value]:
    return [n for n in topological_order(root) if not n.op and n is not root]


def cmd_draw(args: argparse.Namespace) -> int:
    _check_suffix(args.output, tuple(FORMATS), "the diagram")
    root = _expression(args.expr, args.bindings)
    _backward(root)
    render(draw_graph(root, show=args.show, rankdir=args.rankdir), args.output)
    print(f"wrote {args.output}  ({_summary(root)})")
    return EXIT_OK


def cmd_steps(args: argparse.Namespace) -> int:
    _check_suffix(args.output, HTML_SUFFIXES, "the stepper")
    root = _expression(args.expr, args.bindings)
    try:
        save_html(root, args.output)
    except ArithmeticError as error:
        raise Failure(f"no finite gradient: {error}") from None
    except ValueError as error:  # too large to step through
        raise Failure(str(error)) from None
    print(f"wrote {args.output}  ({_summary(root)}); open it in a browser")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    if args.output is not None:
        _check_suffix(args.output, tuple(FORMATS), "the checked diagram")
    root = _expression(args.expr, args.bindings)  # validates EXPR and the bindings first
    tree = expr.parse(args.expr)
    values = expr.parse_bindings(list(args.bindings))
    names = expr.variables(tree)
    if not names:
        raise UsageError(f"EXPR {args.expr.strip()!r:.80} has no variables to differentiate")

    def fn(*leaves: Value) -> Value:
        return expr.build(tree, dict(zip(names, leaves)))

    try:
        report = gradcheck(fn, [values[name] for name in names], eps=args.eps)
    except ArithmeticError as error:
        raise Failure(f"cannot check {args.expr.strip()!r:.80} here: {error}") from None
    head = str(report).splitlines()[0]
    print(f"{head}\n  {root.label} = {fmt(root.data)}")
    for name, check in zip(names, report.inputs):
        verdict = "kink (not judged)" if check.kink else ("ok" if check.ok else "MISMATCH")
        print(
            f"  ∂{root.label}/∂{name} at {name} = {check.value:.6g}: analytic {check.analytic:.10g}, "
            f"numeric {check.numeric:.10g}, relative error {check.rel_error:.2e}  {verdict}"
        )
    if args.output is not None:  # every leaf with both gradients, mismatches red (draw_graph(check=True))
        _backward(root)
        print(f"wrote {render(draw_graph(root, check=True), args.output)}")
    return EXIT_OK if report.ok else EXIT_FAILED


def cmd_demo(args: argparse.Namespace) -> int:
    folder = Path(args.output)
    text, values = DEMO
    root = expr.evaluate(expr.parse(text), values)
    root.backward()
    summary = _summary(root)  # before the stepper runs the backward pass again
    written = [
        render(draw_graph(root), folder / "graph.svg"),
        render(draw_graph(root), folder / "graph.png"),
    ]
    gates = [node for node in reversed(topological_order(root)) if node.op]  # in backward order
    for i, node in enumerate(gates):
        written.append(render(draw_gate(node), folder / f"gate{i + 1}-{node.op}.svg"))
    written.append(save_html(root, folder / "steps.html"))
    print(f"gategraph demo: the course's example {text} at x = -2, y = 5, z = -4 ({summary})")
    print(f"wrote {len(written)} files to {folder.resolve()}:")
    for path in written:
        print(f"  {path}")
    print(f"open {folder / 'steps.html'} in a browser to step through the backward pass")
    return EXIT_OK


# Per dataset: samples (per class for spiral), epochs, learning rate, loss, batch size.
TRAIN_DEFAULTS = {
    "moons": dict(samples=100, epochs=100, lr=0.5, loss="hinge", batch_size=None),
    "spiral": dict(samples=50, epochs=100, lr=0.5, loss="softmax", batch_size=None),
    "digits": dict(samples=1797, epochs=5, lr=0.5, loss="softmax", batch_size=64),
}


def _positive(value: Optional[float], name: str, default: float) -> float:
    if value is None:
        return default
    if not value > 0:
        raise UsageError(f"--{name} must be > 0, got {value}")
    return value


def cmd_train(args: argparse.Namespace) -> int:
    """Train one of the course's small problems with ``nn`` and write plots of it."""
    try:
        import nn  # only this command needs the networks, and only the CLI may import them
        from . import plots
    except ImportError as error:
        raise Failure(f"train: {error}") from None  # the message says which extra to install
    spec = TRAIN_DEFAULTS[args.dataset]
    samples = int(_positive(args.samples, "samples", spec["samples"]))
    epochs = int(_positive(args.epochs, "epochs", spec["epochs"]))
    lr = _positive(args.lr, "lr", spec["lr"])
    val = None
    try:
        if args.dataset == "moons":
            X, y = nn.data.make_moons(max(samples, 2), seed=args.seed)
            model = nn.MLP(2, [16, 16, 1], seed=args.seed)
        elif args.dataset == "spiral":
            X, y = nn.data.make_spiral(samples, 3, seed=args.seed)
            model = nn.MLP(2, [16, 16, 3], seed=args.seed)
        else:
            X, y = nn.data.load_digits()
            order = np.random.default_rng(args.seed).permutation(len(X))[: max(samples, 10)]
            cut = max(1, len(order) * 4 // 5)
            X, y, val = X[order[:cut]], y[order[:cut]], (X[order[cut:]], y[order[cut:]])
            model = nn.Linear(64, 10, seed=args.seed)
        history = nn.fit(model, X, y, loss=spec["loss"], epochs=epochs, lr=lr, reg=1e-4,
                         batch_size=spec["batch_size"], val=val if val and len(val[0]) else None,
                         seed=args.seed, progress=not args.no_progress)
    except ImportError as error:
        raise Failure(f"the {args.dataset} data needs an optional package: {error}") from None
    except ArithmeticError as error:
        raise Failure(f"training diverged: {error} (try a smaller --lr)") from None

    folder = Path(args.output)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{args.dataset}: {model!r}"
    figures = {"history.png": plots.plot_history(history, title=name)}
    if args.dataset == "digits":
        figures["weights.png"] = plots.plot_weights(
            model, (8, 8), class_names=[f"digit {d}" for d in range(10)],
            title="what each digit's scores look for: red pixels promote the class, blue suppress it",
        )
    else:
        figures["boundary.png"] = plots.plot_decision_boundary(model, X, y, resolution=50, title=name)
    for filename, figure in figures.items():
        figure.savefig(folder / filename, dpi=120)
    result = f"training accuracy {history.train_acc[-1]:.1%}, loss {history.train_loss[-1]:.4g}"
    if history.val_acc:
        result += f"; validation accuracy {history.val_acc[-1]:.1%}"
    print(f"{name} after {epochs} epochs: {result}")
    print(f"wrote {', '.join(str(folder / f) for f in figures)}")
    return EXIT_OK


def _expression_command(sub: argparse._SubParsersAction, name: str, help: str,
                        run: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
    parser = sub.add_parser(name, help=help, description=help, epilog=EPILOG,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("expr", metavar="EXPR", help='e.g. "(x+y)*z"')
    parser.add_argument("bindings", metavar="NAME=VALUE", nargs="*", help="a value for each variable, e.g. x=-2")
    parser.set_defaults(run=run)
    return parser


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``gategraph`` command."""
    parser = _Parser(
        prog="gategraph",
        description="Diagrams of every number of the forward and backward pass.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    draw = _expression_command(sub, "draw", "draw EXPR's graph with every value and gradient (SVG or PNG)", cmd_draw)
    draw.add_argument("-o", "--output", required=True, help="the file to write: .svg or .png")
    draw.add_argument("--show", choices=("forward", "backward", "both"), default="both",
                      help="which numbers to print (default: both)")
    draw.add_argument("--rankdir", choices=("LR", "TB", "RL", "BT"), default="LR",
                      help="direction of the graph (default: LR, inputs on the left)")

    steps = _expression_command(sub, "steps", "write an HTML page that steps through EXPR's backward pass", cmd_steps)
    steps.add_argument("-o", "--output", required=True, help="the page to write: .html")

    check = _expression_command(sub, "check", "compare EXPR's gradients with numeric ones (gradcheck)", cmd_check)
    check.add_argument("--eps", type=float, default=1e-5, help="step of the centered difference (default: 1e-5)")
    check.add_argument("-o", "--output", default=None, help="also write the checked diagram: .svg or .png")

    train = sub.add_parser("train", help="train a small network on a bundled dataset and plot it",
                           description="Train on moons (MLP, hinge loss), spiral (MLP, softmax) or digits "
                           "(linear classifier, softmax) and write plots of the training.")
    train.add_argument("dataset", choices=("moons", "spiral", "digits"))
    train.add_argument("--epochs", type=int, default=None, help="passes over the data (default: per dataset)")
    train.add_argument("--lr", type=float, default=None, help="learning rate (default: per dataset)")
    train.add_argument("--samples", type=int, default=None,
                       help="use this many samples (moons, digits) or samples per class (spiral)")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("-o", "--output", default="gategraph-train", help="folder for the plots (default: %(default)s)")
    train.add_argument("--no-progress", action="store_true", help="no progress bar")
    train.set_defaults(run=cmd_train)

    demo = sub.add_parser("demo", help="the course's (x+y)*z example: diagram, gate diagrams and stepper",
                          description="Render the course's (x+y)·z example at x=-2, y=5, z=-4 as a diagram, "
                          "one diagram per gate and an HTML stepper, into a folder.")
    demo.add_argument("-o", "--output", default="gategraph-demo", help="folder to write to (default: %(default)s)")
    demo.set_defaults(run=cmd_demo)
    return parser


_EXPRESSION_COMMANDS = ("draw", "steps", "check")
_EXPRESSION_OPTIONS = ("-h", "--help", "-o", "--output", "--show", "--rankdir", "--eps")


def _protect_expression(argv: list[str]) -> list[str]:
    """Keep an EXPR that starts with '-' (``-x*y``) from being read as an option: a leading
    space hides it from argparse, and the expression parser ignores it."""
    if len(argv) >= 2 and argv[0] in _EXPRESSION_COMMANDS and argv[1].startswith("-"):
        if argv[1].split("=")[0] not in _EXPRESSION_OPTIONS and argv[1] != "--":
            return [argv[0], " " + argv[1], *argv[2:]]
    return argv


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the ``gategraph`` command line; returns the exit code (see :data:`EXIT_OK` & co.).

    Errors are one line on stderr, never a traceback.

    >>> main(["check", "(x+y)*z", "x=-2", "y=5", "z=-4"])  # doctest: +ELLIPSIS
    gradcheck passed: ...
      f = -12
      ∂f/∂x at x = -2: analytic -4, numeric -4..., relative error ...  ok
    ...
    0
    """
    parser = build_parser()
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(_protect_expression(args_list))
        if args.command is None:
            raise UsageError("choose a command: draw, steps, check, train or demo (see 'gategraph --help')")
        return args.run(args)
    except SystemExit as done:  # --help and --version exit through argparse
        return done.code if isinstance(done.code, int) else EXIT_OK
    except UsageError as error:
        print(f"gategraph: error: {_one_line(error)}", file=sys.stderr)
        return EXIT_USAGE
    except (Failure, DotNotFoundError) as error:
        print(f"gategraph: error: {_one_line(error)}", file=sys.stderr)
        return EXIT_FAILED
    except RuntimeError as error:  # Graphviz rejected a diagram
        print(f"gategraph: error: {_one_line(error)}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
