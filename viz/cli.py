"""The gategraph command: draw, step through and check expressions, train small networks, run the demo."""

from __future__ import annotations

import argparse
import ast
import io
import math
import os
import sys
import traceback
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, NoReturn, Optional, Sequence, Union

import numpy as np

from autograd import Value, gradcheck, topological_order

from . import expr
from ._files import write_atomic
from .dot import draw_gate, draw_graph, fmt
from .html import SUFFIXES as HTML_SUFFIXES
from .html import save_html
from .i18n import LANGS
from .wires import STYLES
from .backend import FORMATS, DotNotFoundError, RenderError, render

__all__ = ["main", "build_parser", "EXIT_OK", "EXIT_FAILED", "EXIT_USAGE", "EXIT_INTERRUPTED"]

#: Exit codes. 0: done. 1: the command ran but failed — the expression has no finite value or
#: gradient at the given numbers (a GateError, a division by zero), a gradient check failed,
#: Graphviz is missing or failed, a file or folder could not be written (the message names it),
#: training diverged, an optional package is missing (the line names the extra to install), or an
#: unexpected error (one line; ``--debug`` shows its traceback).
#: 2: the command line was refused — a bad or forbidden expression, a bad NAME=VALUE, an unknown
#: option or an option value out of range — and nothing was evaluated or written.
#: 130: interrupted (Ctrl-C). Every error is one line on stderr; never a traceback unless --debug.
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

DEMO = ("(x + y) * z", {"x": -2.0, "y": 5.0, "z": -4.0})

EPILOG = """\
EXPR is arithmetic on named variables: numbers, names, + - * / **, unary -, and the gates
exp, log, tanh, sigmoid, relu, max. It is parsed, never run as Python. Quote it for the shell.

examples:
  gategraph demo
  gategraph draw "(x+y)*z" x=-2 y=5 z=-4 -o f.svg
  gategraph steps "tanh(w0*x0 + w1*x1 + b)" w0=-3 x0=2 w1=1 x1=0 b=6.88 -o steps.html
  gategraph steps "log(x)*y" x=2 y=3 --interactive --lang zh -o whatif.html
  gategraph check "log(1 + exp(a*b))" a=0.5 b=-2
  gategraph worksheet "(x+y)*z" x=-2 y=5 z=-4 -o ws.html --class 30 --answers key.html
  gategraph train moons --epochs 50

exit codes: 0 done; 1 the command failed: no finite value/gradient at those numbers, a failed
check, Graphviz missing or failing, a file that cannot be written, training diverged, a missing
optional package (the message names the extra: pip install "gategraph[plots]"), or an
unexpected error; 2 a refused command line (bad expression, binding or option value), nothing
evaluated or written; 130 interrupted. Errors are one line; --debug adds the traceback.
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


def _say(*lines: str) -> None:
    """Print to stdout, writing what its encoding cannot hold (an undecodable file name) as escapes."""
    text = "\n".join(lines)
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    print(text.encode(encoding, "backslashreplace").decode(encoding, "replace"))


def _parsed(text: str, bindings: Sequence[str]) -> tuple[ast.Expression, dict[str, float], Value]:
    """Parse and check EXPR and its NAME=VALUE bindings once, and build its graph.

    Returns the tree, the values and the graph's root; UsageError or Failure if refused.
    """
    try:
        tree = expr.parse(text)
        values = expr.parse_bindings(list(bindings))
        return tree, values, expr.evaluate(tree, values)
    except expr.ExpressionError as error:
        raise UsageError(f"EXPR {text.strip()!r:.80}: {error}") from None
    except ArithmeticError as error:
        raise Failure(f"cannot evaluate {text.strip()!r:.80} at these values: {error}") from None


def _expression(text: str, bindings: Sequence[str]) -> Value:
    """EXPR's graph at its NAME=VALUE bindings; UsageError or Failure if refused."""
    return _parsed(text, bindings)[2]


@contextmanager
def _writing(path: Union[str, Path]) -> Iterator[None]:
    """Turn an OSError while writing ``path`` into a one-line Failure that names the path."""
    try:
        yield
    except OSError as error:
        raise Failure(f"cannot write {str(path)!r}: {_os_reason(error)}") from None


def _os_reason(error: OSError) -> str:
    """The reason of an OSError without repeating its path (``No such file or directory``)."""
    if isinstance(error, IsADirectoryError):
        return "it is a folder, not a file"
    return error.strerror or str(error) or type(error).__name__


def _output_folder(folder: Path) -> Path:
    """Refuse, before any work, a folder that cannot hold the output: an existing file, or a path
    under a file. (A place the operating system refuses is reported when it is written.)"""
    if folder.exists() and not folder.is_dir():
        raise Failure(f"cannot write to {str(folder)!r}: it is a file, not a folder")
    for parent in folder.parents:
        if parent.exists():
            if not parent.is_dir():
                raise Failure(f"cannot write to {str(folder)!r}: {str(parent)!r} is a file, not a folder")
            break
    return folder


def _backward(root: Value) -> None:
    try:
        root.backward()
    except ArithmeticError as error:
        raise Failure(f"no finite gradient: {error}") from None


def _check_suffix(path: str, suffixes: Sequence[str], what: str) -> None:
    if path.endswith(("/", os.sep)):
        raise UsageError(f"-o {path!r} names a folder; {what} is a file ending in {' or '.join(suffixes)}")
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
    try:
        diagram = draw_graph(root, show=args.show, rankdir=args.rankdir, lang=args.lang, style=args.style)
    except ValueError as error:  # too many nodes to draw legibly
        raise Failure(f"cannot draw {args.expr.strip()!r:.80}: {error}") from None
    with _writing(args.output):
        render(diagram, args.output)
    _say(f"wrote {args.output}  ({_summary(root)})")
    return EXIT_OK


def cmd_steps(args: argparse.Namespace) -> int:
    _check_suffix(args.output, HTML_SUFFIXES, "the stepper")
    tree, _, root = _parsed(args.expr, args.bindings)
    try:
        with _writing(args.output):  # the page's title is the whole expression; its nodes have short names
            save_html(root, args.output, lang=args.lang, interactive=args.interactive, style=args.style,
                      title=f"{root.label} = {expr.unparse(tree)}")
    except ArithmeticError as error:
        raise Failure(f"no finite gradient: {error}") from None
    except ValueError as error:  # too large to step through, or wires with --interactive
        raise Failure(str(error)) from None
    _say(f"wrote {args.output}  ({_summary(root)}); open it in a browser")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    if args.output is not None:
        _check_suffix(args.output, tuple(FORMATS), "the checked diagram")
    tree, values, root = _parsed(args.expr, args.bindings)  # validates EXPR and the bindings first
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
    _say(f"{head}\n  {root.label} = {fmt(root.data)}")
    for name, check in zip(names, report.inputs):
        verdict = "kink (not judged)" if check.kink else ("ok" if check.ok else "MISMATCH")
        _say(
            f"  ∂{root.label}/∂{name} at {name} = {check.value:.6g}: analytic {check.analytic:.10g}, "
            f"numeric {check.numeric:.10g}, relative error {check.rel_error:.2e}  {verdict}"
        )
    if args.output is not None:  # every leaf with both gradients, mismatches red (draw_graph(check=True))
        _backward(root)
        with _writing(args.output):
            render(draw_graph(root, check=True, lang=args.lang), args.output)
        _say(f"wrote {args.output}")
    return EXIT_OK if report.ok else EXIT_FAILED


def cmd_check_gate(args: argparse.Namespace) -> int:
    """Load a learner's row from FILE.py:NAME and property-check it, in a child process under a time limit.

    The child runs their file, so that whatever it does — ``sys.exit``, ``os._exit``, a
    ``BaseException``, an endless loop — ends only the child, and is reported as their error.
    """
    import json
    import subprocess
    import tempfile

    path = args.row.rpartition(":")[0]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the child imports this very gategraph
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    with tempfile.TemporaryDirectory(prefix="gategraph-check-gate-") as folder:
        result = os.path.join(folder, "result.json")
        command = [sys.executable, "-c", "import sys; from viz.cli import _check_gate_child; _check_gate_child(*sys.argv[1:])",
                   args.row, str(args.examples), repr(args.timeout), result]
        try:  # the child stops itself after --timeout; this bound is only for a child that cannot
            done = subprocess.run(command, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, errors="replace",
                                  timeout=args.timeout + 30)
        except subprocess.TimeoutExpired as expired:
            done = subprocess.CompletedProcess(command, -9, expired.stdout or "", expired.stderr or "")
            if isinstance(done.stdout, bytes):
                done.stdout = done.stdout.decode(errors="replace")
            if isinstance(done.stderr, bytes):
                done.stderr = done.stderr.decode(errors="replace")
        try:
            with open(result, encoding="utf-8") as file:
                outcome = json.load(file)
        except FileNotFoundError:
            outcome = None
    if done.stdout:  # what their code printed
        _say(done.stdout.rstrip("\n"))
    if outcome is None:
        return _their_error(_child_died(path, done.returncode, done.stderr, args.timeout))
    if "learner" in outcome:
        return _their_error(outcome["learner"])
    if "refused" in outcome:
        raise Failure(outcome["refused"])
    if "bug" in outcome:  # ours: main reports it as a bug in gategraph
        raise RuntimeError(outcome["bug"])
    _say(outcome["report"])
    return EXIT_OK if outcome["ok"] else EXIT_FAILED


def _their_error(message: str) -> int:
    print(f"gategraph: error in your file: {message}", file=sys.stderr)
    return EXIT_FAILED


class _Exited(BaseException):
    """os._exit called by the learner's code, in the check-gate child: raised so that its line is known."""


def _child_died(path: str, code: int, stderr: str, seconds: float) -> str:
    """The learner's error when the check-gate child ended without a result: their hang, or their exit."""
    if "Timeout (" in stderr or code == -9:  # faulthandler's dump: the innermost frame in their file first
        mine = os.path.realpath(path)
        lines = [line.strip() for line in stderr.splitlines() if line.strip().startswith("File ")]
        where = next((line for line in lines if f'"{path}"' in line or f'"{mine}"' in line), None)
        at = f", at line {where.rsplit(', line ', 1)[1].split()[0]}" if where is not None else ""
        return f"{path} did not finish within {seconds:g} s (an endless loop?){at}; raise the limit with --timeout"
    return f"{path} ended the checking process (exit code {code}) before it could report"


def _their_exit(exc: BaseException, path: str) -> str:
    """One line for a BaseException the learner's file raised: what it was and their line."""
    import traceback

    from autograd._theircode import _theirs

    frames = [f for f in traceback.extract_tb(exc.__traceback__) if _theirs(f.filename)]
    at = f"{frames[-1].filename}, line {frames[-1].lineno}: " if frames else f"{path}: "
    if isinstance(exc, SystemExit):
        what = f"sys.exit({exc.code!r}) ends the program"
    elif isinstance(exc, _Exited):
        what = f"os._exit({exc.args[0]!r}) ends the program"
    else:
        what = f"{type(exc).__name__}: {_one_line(exc)[:200]}" if str(exc) else type(exc).__name__
        what += " (a BaseException, not an Exception)"
    return f"{at}{what}; a gate file should only define rows"


def _check_gate_child(spec: str, examples: str, seconds: str, result: str) -> None:
    """The check-gate child: load the row (running their file), check it, write the outcome to ``result``."""
    import faulthandler
    import json

    try:
        import hypothesis  # noqa: F401 - imported before the clock starts: only their code is timed
    except ImportError:  # check_gate itself says which extra brings it, below
        pass

    from autograd._theircode import LearnerCodeError, _theirs, describe, load_row
    from autograd.gatecheck import check_gate

    def exited(code: int = 0) -> NoReturn:
        raise _Exited(code)

    really_exit = os._exit
    os._exit = exited  # type: ignore[assignment]  # their os._exit becomes an error with their line
    path = spec.rpartition(":")[0]
    faulthandler.dump_traceback_later(float(seconds), exit=True)  # a hang: dump the stack, exit
    try:
        try:
            row = load_row(spec)
        except (ValueError, LookupError, TypeError) as error:
            outcome = {"refused": str(error)}
        else:
            try:
                report = check_gate(row, max_examples=int(examples))
            except ImportError as error:  # hypothesis is not installed: one line naming gategraph[check]
                if "gategraph[check]" not in str(error):
                    raise
                outcome = {"refused": str(error)}
            else:
                outcome = {"ok": report.ok, "report": str(report)}
    except LearnerCodeError as error:
        outcome = {"learner": str(error)}
    except KeyboardInterrupt:
        raise
    except Exception as error:  # check_gate reports every error of the row: anything else is ours, unless
        frames = traceback.extract_tb(error.__traceback__)  # it was raised in their code all the same
        if frames and _theirs(frames[-1].filename):
            outcome = {"learner": _one_line(describe(error, path))[:400]}
        else:
            outcome = {"bug": f"{type(error).__name__}: {_one_line(error)[:200]}"}
    except BaseException as error:  # noqa: B902 - SystemExit, os._exit and the like, from their file
        outcome = {"learner": _their_exit(error, path)}
    faulthandler.cancel_dump_traceback_later()
    with open(result, "w", encoding="utf-8") as file:
        json.dump(outcome, file)
    sys.stdout.flush()
    really_exit(0)  # done, even if their file left a thread running


def cmd_demo(args: argparse.Namespace) -> int:
    folder = _output_folder(Path(args.output))
    text, values = DEMO
    root = expr.evaluate(expr.parse(text), values)
    root.backward()
    summary = _summary(root)  # before the stepper runs the backward pass again
    gates = [node for node in reversed(topological_order(root)) if node.op]  # in backward order
    lang = args.lang
    diagrams = {"graph.svg": draw_graph(root, lang=lang), "graph.png": draw_graph(root, lang=lang)}
    diagrams.update((f"gate{i + 1}-{node.op}.svg", draw_gate(node, lang=lang)) for i, node in enumerate(gates))
    written = []
    for name, diagram in diagrams.items():
        with _writing(folder / name):
            written.append(render(diagram, folder / name))
    with _writing(folder / "steps.html"):
        written.append(save_html(root, folder / "steps.html", lang=lang))
    _say(f"gategraph demo: the course's example {text} at x = -2, y = 5, z = -4 ({summary})",
         f"wrote {len(written)} files to {folder.resolve()}:",
         *(f"  {path}" for path in written),
         f"open {folder / 'steps.html'} in a browser to step through the backward pass")
    return EXIT_OK


def cmd_worksheet(args: argparse.Namespace) -> int:
    """Write a worksheet (or --class N of them, ws-01.html …) and, with --answers, one answer key."""
    from .worksheet import MAX_VARIANTS, expression_variants, random_expression, worksheet, worksheet_class

    _check_suffix(args.output, HTML_SUFFIXES, "the worksheet")
    if args.answers is not None and Path(args.answers).suffix.lower() not in HTML_SUFFIXES:
        raise UsageError(f"--answers {args.answers!r}: the answer key must end in {' or '.join(HTML_SUFFIXES)}")
    if not 1 <= args.variants <= MAX_VARIANTS:
        raise UsageError(f"--class must be 1 to {MAX_VARIANTS}, got {args.variants}")
    if args.random == (args.expr is not None):
        raise UsageError("give EXPR with its NAME=VALUE bindings, or --random (with --seed N), not both")
    if args.random:
        text, values = random_expression(args.seed)
    else:
        text = args.expr
        _expression(text, args.bindings)  # validates EXPR, the bindings and the value there
        values = expr.parse_bindings(list(args.bindings))
    try:
        roots = expression_variants(text, values, args.variants, seed=args.seed)
        if args.variants == 1:
            written = [worksheet(roots[0], args.output, answers=args.answers, lang=args.lang)]
        else:
            written = worksheet_class(roots, args.output, answers=args.answers, lang=args.lang)
    except ArithmeticError as error:
        raise Failure(f"no finite gradient: {error}") from None
    except ValueError as error:  # too large, or a lone value
        raise Failure(str(error)) from None
    shown = written[0] if len(written) == 1 else f"{written[0]} … {written[-1]} ({len(written)} variants)"
    _say(f"wrote {shown} for {text.strip()}" + (f"; answer key {args.answers}" if args.answers else ""))
    return EXIT_OK


# Per dataset: samples (per class for spiral), the range --samples may take, epochs, learning
# rate, loss, batch size. The scalar engine keeps a whole batch's graph in memory (about 650 gates
# per moons point, 138 bytes each), so the upper bounds keep a full-batch epoch near 200 MB.
TRAIN_DEFAULTS = {
    "moons": dict(samples=100, samples_range=(2, 2000), epochs=100, lr=0.5, loss="hinge", batch_size=None),
    "spiral": dict(samples=50, samples_range=(1, 1000), epochs=100, lr=0.5, loss="softmax", batch_size=None),
    "digits": dict(samples=1797, samples_range=(10, 1797), epochs=5, lr=0.5, loss="softmax", batch_size=64),
}

#: Most passes over the data ``train`` accepts.
MAX_EPOCHS = 10_000

#: Seeds are integers in [0, MAX_SEED] (what numpy's and Python's generators both take).
MAX_SEED = 2**32 - 1


def _whole_number(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: an integer from ``low`` to ``high``, else a one-line usage error."""

    def parse(text: str) -> int:
        try:
            number = int(text)
        except ValueError:
            number = None
        if number is None or not low <= number <= high:
            raise argparse.ArgumentTypeError(f"must be a whole number from {low} to {high}, got {text!r:.40}")
        return number

    return parse


def _finite(low: float, high: Optional[float], what: str) -> Callable[[str], float]:
    """An argparse type: a finite number above ``low`` (and below ``high``), else a usage error."""

    def parse(text: str) -> float:
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if not (math.isfinite(number) and number > low and (high is None or number < high)):
            raise argparse.ArgumentTypeError(f"must be {what}, got {text!r:.40}")
        return number

    return parse


def _path(text: str) -> str:
    """An argparse type for -o: a non-empty path without NUL characters."""
    if not text.strip():
        raise argparse.ArgumentTypeError("needs a path, got an empty one")
    if "\0" in text:
        raise argparse.ArgumentTypeError(f"a path cannot contain a NUL character, got {text!r:.60}")
    return text


def _samples(dataset: str, value: Optional[int]) -> int:
    spec = TRAIN_DEFAULTS[dataset]
    low, high = spec["samples_range"]
    if value is None:
        return spec["samples"]
    if not low <= value <= high:
        per = " per class" if dataset == "spiral" else ""
        raise UsageError(f"--samples for {dataset} must be from {low} to {high}{per}, got {value}")
    return value


def cmd_train(args: argparse.Namespace) -> int:
    """Train one of the course's small problems with ``nn`` and write plots of it."""
    spec = TRAIN_DEFAULTS[args.dataset]
    samples = _samples(args.dataset, args.samples)
    epochs = spec["epochs"] if args.epochs is None else args.epochs
    lr = spec["lr"] if args.lr is None else args.lr
    folder = _output_folder(Path(args.output))  # before training, not after
    if args.html is not None and Path(args.html).suffix.lower() not in (".html", ".htm"):
        raise UsageError(f"--html {args.html!r} should end in .html or .htm")
    try:
        import nn  # only this command needs the networks, and only the CLI may import them
        from . import plots
    except ImportError as error:
        raise Failure(f"train: {error}") from None  # the message says which extra to install
    val = None
    try:
        if args.dataset == "moons":
            X, y = nn.data.make_moons(samples, seed=args.seed)
            model = nn.MLP(2, [16, 16, 1], seed=args.seed)
        elif args.dataset == "spiral":
            X, y = nn.data.make_spiral(samples, 3, seed=args.seed)
            model = nn.MLP(2, [16, 16, 3], seed=args.seed)
        else:
            X, y = nn.data.load_digits()
            order = np.random.default_rng(args.seed).permutation(len(X))[:samples]
            cut = max(1, len(order) * 4 // 5)
            X, y, val = X[order[:cut]], y[order[:cut]], (X[order[cut:]], y[order[cut:]])
            model = nn.Linear(64, 10, seed=args.seed)
        history = nn.fit(model, X, y, loss=spec["loss"], epochs=epochs, lr=lr, reg=1e-4,
                         batch_size=spec["batch_size"], val=val if val and len(val[0]) else None,
                         seed=args.seed, progress=not args.no_progress, record=args.html is not None)
    except ImportError as error:
        raise Failure(f"the {args.dataset} data needs an optional package: {error}") from None
    except ArithmeticError as error:
        raise Failure(f"training diverged: {error} (try a smaller --lr)") from None

    name = f"{args.dataset}: {model!r}"
    figures = {"history.png": plots.plot_history(history, title=name)}
    class_names = [f"digit {d}" for d in range(10)] if args.dataset == "digits" else None
    if args.dataset == "digits":
        figures["weights.png"] = plots.plot_weights(
            model, (8, 8), class_names=class_names,
            title="what each digit's scores look for: red pixels promote the class, blue suppress it",
        )
    else:
        figures["boundary.png"] = plots.plot_decision_boundary(model, X, y, resolution=50, title=name)
    for filename, figure in figures.items():
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=120)  # drawn whole in memory, then written at once
        with _writing(folder / filename):
            write_atomic(folder / filename, buffer.getvalue())
    if args.html is not None:  # the timeline page: one file, written whole like the plots
        from .timeline import training_data, training_html

        page = training_html(*training_data(history, model=model, X=X, y=y, class_names=class_names), title=name)
        with _writing(Path(args.html)):
            write_atomic(Path(args.html), page)
    result = f"training accuracy {history.train_acc[-1]:.1%}, loss {history.train_loss[-1]:.4g}"
    if history.val_acc:
        result += f"; validation accuracy {history.val_acc[-1]:.1%}"
    _say(f"{name} after {epochs} epochs: {result}",
         f"wrote {', '.join([str(folder / f) for f in figures] + ([args.html] if args.html else []))}")
    return EXIT_OK


_DEBUG_HELP = "on an error, show the traceback as well as the one-line message"


def _command(sub: argparse._SubParsersAction, name: str, help: str, run: Callable[[argparse.Namespace], int],
             **kwargs: object) -> argparse.ArgumentParser:
    """Add a subcommand that runs ``run(args)``; every subcommand takes ``--debug``."""
    parser = sub.add_parser(name, help=help, **{"description": help, **kwargs})
    # SUPPRESS: a subcommand without --debug must not reset 'gategraph --debug COMMAND'
    parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=_DEBUG_HELP)
    parser.set_defaults(run=run)
    return parser


def _expression_command(sub: argparse._SubParsersAction, name: str, help: str,
                        run: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
    parser = _command(sub, name, help, run, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("expr", metavar="EXPR", help='e.g. "(x+y)*z"')
    parser.add_argument("bindings", metavar="NAME=VALUE", nargs="*", help="a value for each variable, e.g. x=-2")
    return parser


def _add_lang(parser: argparse.ArgumentParser) -> None:
    """``--lang en|zh``: the language of the gate rules, captions, legend and page controls."""
    parser.add_argument("--lang", choices=LANGS, default="en",
                        help="language of rules, captions and page controls: en or zh (中文) (default: en)")


def _add_style(parser: argparse.ArgumentParser) -> None:
    """``--style boxes|wires``: values in boxes, or written on wires as the course's circuit figures."""
    parser.add_argument("--style", choices=STYLES, default="boxes",
                        help="boxes (each value a box) or wires (the course's circuits: each value above its wire, "
                             "its gradient below) (default: boxes)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``gategraph`` command.

    Add a command with ``_command(sub, name, help, run)`` (or ``_expression_command`` for one
    that takes EXPR and NAME=VALUE); option values are checked by their ``type=`` so that a bad
    one is a usage error (exit 2) before anything runs.
    """
    parser = _Parser(
        prog="gategraph",
        description="Diagrams of every number of the forward and backward pass.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--debug", action="store_true", default=False, help=_DEBUG_HELP)
    parser.add_argument("--version", action="store_true", help="print gategraph's version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    draw = _expression_command(sub, "draw", "draw EXPR's graph with every value and gradient (SVG or PNG)", cmd_draw)
    draw.add_argument("-o", "--output", required=True, type=_path, help="the file to write: .svg or .png")
    draw.add_argument("--show", choices=("forward", "backward", "both"), default="both",
                      help="which numbers to print (default: both)")
    draw.add_argument("--rankdir", choices=("LR", "TB", "RL", "BT"), default="LR",
                      help="direction of the graph (default: LR, inputs on the left)")
    _add_style(draw)
    _add_lang(draw)

    steps = _expression_command(sub, "steps", "write an HTML page that steps through EXPR's backward pass", cmd_steps)
    steps.add_argument("-o", "--output", required=True, type=_path, help="the page to write: .html")
    steps.add_argument("--interactive", action="store_true",
                       help="add a what-if panel: change any input and every value and gradient updates in the page")
    _add_style(steps)
    _add_lang(steps)

    check = _expression_command(sub, "check", "compare EXPR's gradients with numeric ones (gradcheck)", cmd_check)
    check.add_argument("--eps", type=_finite(0.0, 1.0, "a number in (0, 1)"), default=1e-5,
                       help="step of the centered difference, in (0, 1) (default: 1e-5)")
    check.add_argument("-o", "--output", type=_path, default=None, help="also write the checked diagram: .svg or .png")
    _add_lang(check)

    check_gate = _command(
        sub, "check-gate", "property-check your own gate row: forward, local derivatives, kinks", cmd_check_gate,
        description="Load the autograd.Gate row NAME from FILE.py and check it with hypothesis: forward "
        "finite or a clean error, local derivatives against centred differences, the branch at kinks. "
        "Loading the file RUNS it, in a child process under a time limit (no sandbox): check only code you trust.")
    check_gate.add_argument("row", metavar="FILE.py:NAME", help="e.g. mygates.py:CUBE")
    check_gate.add_argument("--examples", type=_whole_number(1, 100_000), default=200,
                            help="inputs to try, 1 to 100000 (default: 200)")
    check_gate.add_argument("--timeout", type=_finite(0.0, 3600.0, "a number of seconds in (0, 3600)"), default=5.0,
                            metavar="SECONDS", help="stop their code after this many seconds (default: 5)")

    train = _command(sub, "train", "train a small network on a bundled dataset and plot it", cmd_train,
                     description="Train on moons (MLP, hinge loss), spiral (MLP, softmax) or digits "
                     "(linear classifier, softmax) and write plots of the training.")
    train.add_argument("dataset", choices=tuple(TRAIN_DEFAULTS))
    train.add_argument("--epochs", type=_whole_number(1, MAX_EPOCHS), default=None,
                       help=f"passes over the data, 1 to {MAX_EPOCHS} (default: per dataset)")
    train.add_argument("--lr", type=_finite(0.0, None, "a finite number > 0"), default=None,
                       help="learning rate, a finite number > 0 (default: per dataset)")
    ranges = ", ".join(f"{name} {spec['samples_range'][0]}-{spec['samples_range'][1]}"
                       for name, spec in TRAIN_DEFAULTS.items())
    train.add_argument("--samples", type=int, default=None,
                       help=f"use this many samples (moons, digits) or samples per class (spiral); {ranges}")
    train.add_argument("--seed", type=_whole_number(0, MAX_SEED), default=0,
                       help=f"seed of the data and the initial weights, 0 to {MAX_SEED} (default: 0)")
    train.add_argument("-o", "--output", type=_path, default="gategraph-train",
                       help="folder for the plots (default: %(default)s)")
    train.add_argument("--no-progress", action="store_true", help="no progress bar")
    train.add_argument("--html", type=_path, default=None, metavar="FILE.html",
                       help="also write the training timeline: one page to scrub through the epochs")

    worksheet = _command(
        sub, "worksheet", "write a worksheet: EXPR's stepper page with blank gradient cells the learner fills in",
        cmd_worksheet,
        description="Write a worksheet: the stepper page of EXPR at NAME=VALUE (or of a random expression from "
        "the gate table) with every gradient cell blank. The learner types each gradient; the page checks it to "
        "4 significant digits and hints with upstream × local. --class N writes N variants (ws-01.html …): "
        "the same expression, variant 1 at the given numbers, the others at numbers drawn from --seed.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    worksheet.add_argument("expr", metavar="EXPR", nargs="?", default=None, help='e.g. "(x+y)*z" (or --random)')
    worksheet.add_argument("bindings", metavar="NAME=VALUE", nargs="*", help="a value for each variable, e.g. x=-2")
    worksheet.add_argument("-o", "--output", required=True, type=_path, help="the worksheet to write: .html")
    worksheet.add_argument("--answers", metavar="KEY.html", type=_path, default=None,
                           help="also write the answer key here")
    worksheet.add_argument("--class", dest="variants", metavar="N", type=int, default=1,
                           help="write N variants with other numbers, named like ws-01.html (default: 1)")
    worksheet.add_argument("--random", action="store_true", help="a small random expression from the gate table")
    worksheet.add_argument("--seed", type=_whole_number(0, MAX_SEED), default=0,
                           help="seed of --random and of the variants' numbers")
    _add_lang(worksheet)

    demo = _command(sub, "demo", "the course's (x+y)*z example: diagram, gate diagrams and stepper", cmd_demo,
                    description="Render the course's (x+y)·z example at x=-2, y=5, z=-4 as a diagram, "
                    "one diagram per gate and an HTML stepper, into a folder.")
    demo.add_argument("-o", "--output", type=_path, default="gategraph-demo",
                      help="folder to write to (default: %(default)s)")
    _add_lang(demo)
    return parser


_EXPRESSION_COMMANDS = ("draw", "steps", "check", "worksheet")
_EXPRESSION_OPTIONS = ("-h", "--help", "-o", "--output", "--show", "--rankdir", "--eps", "--debug", "--lang",
                       "--interactive", "--answers", "--class", "--random", "--seed")


def _protect_expression(argv: list[str]) -> list[str]:
    """Keep an EXPR that starts with '-' (``-x*y``) from being read as an option: a leading
    space hides it from argparse, and the expression parser ignores it."""
    at = 0
    while at < len(argv) and argv[at] == "--debug":  # the top-level option before the command
        at += 1
    if len(argv) >= at + 2 and argv[at] in _EXPRESSION_COMMANDS and argv[at + 1].startswith("-"):
        if argv[at + 1].split("=")[0] not in _EXPRESSION_OPTIONS and argv[at + 1] != "--":
            return [*argv[: at + 1], " " + argv[at + 1], *argv[at + 2 :]]
    return argv


def _error(message: object, debug: bool) -> None:
    """Report an error: one line on stderr, after the traceback when --debug asked for it."""
    if debug:
        traceback.print_exc()
    print(f"gategraph: error: {_one_line(message)}", file=sys.stderr)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the ``gategraph`` command line; returns the exit code (see :data:`EXIT_OK` & co.).

    Errors are one line on stderr, never a traceback (``--debug`` adds it): a refused command
    line exits 2, a command that failed exits 1 — an unwritable file names its path, and an
    unexpected error says so and how to see its traceback.

    >>> main(["check", "(x+y)*z", "x=-2", "y=5", "z=-4"])  # doctest: +ELLIPSIS
    gradcheck passed: ...
      f = -12
      ∂f/∂x at x = -2: analytic -4, numeric -4..., relative error ...  ok
    ...
    0
    """
    args_list = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args_list[: args_list.index("--")] if "--" in args_list else "--debug" in args_list
    try:
        args = build_parser().parse_args(_protect_expression(args_list))
        debug = bool(getattr(args, "debug", debug))
        if args.version:  # read from the installed metadata only when asked (importlib.metadata is slow to import)
            import _gategraph

            _say(f"gategraph {_gategraph.version()}")
            return EXIT_OK
        if args.command is None:
            raise UsageError("choose a command: draw, steps, check, worksheet, train or demo (see 'gategraph --help')")
        return args.run(args)
    except SystemExit as done:  # --help exits through argparse
        return done.code if isinstance(done.code, int) else EXIT_OK
    except UsageError as error:
        _error(error, debug)
        return EXIT_USAGE
    except (Failure, DotNotFoundError, RenderError) as error:  # RenderError: Graphviz rejected a diagram
        _error(error, debug)
        return EXIT_FAILED
    except ImportError as error:  # an optional package is missing: the message names the extra to install
        _error(error, debug)
        return EXIT_FAILED
    except OSError as error:  # a file the commands did not name themselves
        where = f"{error.filename!r}: " if error.filename else ""
        _error(f"{where}{_os_reason(error)}", debug)
        return EXIT_FAILED
    except KeyboardInterrupt:
        _error("interrupted", debug)
        return EXIT_INTERRUPTED
    except Exception as error:  # the last resort: a bug, but still one line
        _error(
            f"unexpected {type(error).__name__}: {str(error)[:200]} — this is a bug in gategraph; "
            "run the same command with --debug to see the traceback, and please report it",
            debug,
        )
        return EXIT_FAILED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
