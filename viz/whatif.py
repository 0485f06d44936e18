"""What-if on the stepper page: JavaScript twins of the gate table, leaf editors, values and gradients recomputed live."""

from __future__ import annotations

import html
import re
from typing import Any

from autograd import GATES, Gate, Value, topological_order

from .dot import fmt, gate_symbol
from .frames import gate_called
from .html import _ATTR_X, _POLYGON, Addon, _cell_of, json_for_script, value_groups
from .i18n import gate_rule, text

__all__ = ["check_twin", "twins_script", "whatif_addon", "WHATIF_SCRIPT"]

# The tokens a twin's expression is made of: numbers, names, operators. Anything else is refused,
# so a row's JavaScript can compute and nothing more (no strings, no assignment, no calls but Math's).
_TOKEN = re.compile(
    r"\s+|(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)|(?P<name>[A-Za-z_$][\w$]*)"
    r"|(?P<op>===|!==|>=|<=|&&|\|\||[-+*/()\[\],?:<>!.])"
)
#: The members of JavaScript's ``Math`` a twin may call.
MATH = frozenset({"abs", "exp", "expm1", "log", "log1p", "pow", "sqrt", "tanh", "sinh", "cosh", "sin", "cos",
                  "atan", "max", "min", "sign", "E", "PI", "LN2"})


def check_twin(gate: Gate) -> None:
    """Raise ValueError unless ``gate.js`` holds two expressions over its inputs that only compute.

    The names allowed are ``a`` (and ``b`` for a two-input gate), ``c`` for a gate that takes a
    constant, ``out`` in ``local_grads``, and ``Math.<name>`` for a name in :data:`MATH`.

    >>> check_twin(GATES["log"])
    >>> from autograd import JsTwin
    >>> from dataclasses import replace
    >>> check_twin(replace(GATES["log"], js=JsTwin("alert(a)", "[1 / a]")))
    Traceback (most recent call last):
    ...
    ValueError: gate 'log': JsTwin.forward may use only a, numbers, operators and Math.<function>; found 'alert'
    """
    if gate.js is None:
        raise ValueError(f"gate {gate.name!r} has no JavaScript twin (Gate.js)")
    inputs = ["a", "b"][: gate.arity] + (["c"] if gate.takes_constant else [])
    for field, allowed in (("forward", inputs), ("local_grads", [*inputs, "out"])):
        expr = getattr(gate.js, field)
        pos, after_math, after_dot = 0, False, False
        while pos < len(expr):
            match = _TOKEN.match(expr, pos)
            name = match.group("name") if match else None
            if match is None or (name is not None and not (
                    (after_dot and name in MATH) or (not after_dot and (name in allowed or name == "Math")))):
                found = expr[pos:].split()[0] if match is None else name
                raise ValueError(
                    f"gate {gate.name!r}: JsTwin.{field} may use only {', '.join(allowed)}, numbers, operators "
                    f"and Math.<function>; found {found[:20]!r}"
                )
            op = match.group("op")
            if after_math and op != ".":
                raise ValueError(f"gate {gate.name!r}: JsTwin.{field} uses Math without .<function>")
            if op == "." and not after_math:
                raise ValueError(f"gate {gate.name!r}: JsTwin.{field} may use '.' only after Math")
            if not match.group(0).isspace():
                after_dot, after_math = op == ".", name == "Math"
            pos = match.end()
        if after_math or after_dot:
            raise ValueError(f"gate {gate.name!r}: JsTwin.{field} ends in Math or '.', without a function")


def twins_script() -> str:
    """The JavaScript twins of every row of ``GATES`` that has one, as a JS object literal.

    >>> print(twins_script().splitlines()[1])
      "add": {f: function (a, b, c) { return a + b; }, l: function (out, a, b, c) { return [1, 1]; }},
    """
    lines = ["{"]
    for gate in GATES.values():
        if gate.js is None:
            continue
        check_twin(gate)
        lines.append(f"  {json_for_script(gate.name)}: {{f: function (a, b, c) {{ return {gate.js.forward}; }}, "
                     f"l: function (out, a, b, c) {{ return {gate.js.local_grads}; }}}},")
    lines.append("}")
    return "\n".join(lines)


_DATA_TEXT = re.compile(r'<text\b(?![^>]*\bclass=)(?![^>]*font-weight)([^>]*)>([^<]*)</text>')
_GBG = re.compile(r'<polygon class="gbg"[^>]*points="([^"]*)"')


def _mark_cells(group: str, word: str, number: str) -> str:
    """A value node's group with its data cell ready for the script: ``<text class="dv" data-w>word <tspan>n</tspan>``,
    and its gradient text told its room too (``data-w``: the width the text may take, 2 units
    clear of the cell's borders: a centred text's both sides, a left-aligned text's right side).

    Graphviz may split a cell's text in several ``<text>`` (around a CJK word): the texts are
    gathered by the cell (the smallest box) their start lies in, and the cell whose texts read
    ``word number`` becomes one text.
    """
    gbg = _GBG.search(group)
    if gbg is not None:
        x0, _, x1, _ = _cell_of(gbg.group(1))
        group = group.replace('<text class="gv"', f'<text class="gv" data-w="{x1 - x0 - 4:.2f}"', 1)
    boxes = [_cell_of(m.group(1)) for m in _POLYGON.finditer(group)]
    by_cell: dict[tuple[float, float, float, float], list[re.Match[str]]] = {}
    for match in _DATA_TEXT.finditer(group):
        x = float(_ATTR_X.search(match.group(1)).group(1))
        inside = [c for c in boxes if c[0] - 0.5 <= x <= c[2] + 0.5]
        if inside:
            by_cell.setdefault(min(inside, key=lambda c: (c[2] - c[0]) * (c[3] - c[1])), []).append(match)
    want = " ".join(f"{word} {number}".split())
    for (x0, _, x1, _), texts in by_cell.items():
        if " ".join(html.unescape("".join(m.group(2) for m in texts)).split()) != want:
            continue
        start = float(_ATTR_X.search(texts[0].group(1)).group(1))  # the text starts here, left-aligned
        label = (f'<text class="dv" data-w="{x1 - start - 2:.2f}"{texts[0].group(1)}>{html.escape(word, quote=False)} '
                 f"<tspan>{html.escape(number, quote=False)}</tspan></text>")
        for match in reversed(texts[1:]):
            group = group[: match.start()] + group[match.end():]
        return group[: texts[0].start()] + label + group[texts[0].end():]
    return group


def whatif_addon(root: Value, svg: str, data: dict[str, Any], who: str = "save_html") -> tuple[str, dict[str, Any], Addon]:
    """The what-if parts of ``root``'s stepper page: the drawing with its data cells marked, the data, the add-on.

    ``svg`` and ``data`` come from :func:`viz.html.page_data`. The add-on's JSON carries what the
    script needs beyond ``data``: each node's constant (pow's exponent) and gate symbol, each
    gate's name and rule in words, the caption templates; its script holds the gate table's
    JavaScript twins (:func:`twins_script`) and the page's engine (:data:`WHATIF_SCRIPT`).
    Where new inputs make several gates fail, the page names the first in topological order
    (the Python engine names the first one the code made), in the engine's words.

    Raises:
        ValueError: a gate of the graph has no JavaScript twin.
        RuntimeError: the drawing lacks a value node's data cell.

    >>> from viz.html import page_data
    >>> from autograd import backward_steps
    >>> f = Value(2.0, "x").log()
    >>> svg, data, addon = whatif_addon(f, *page_data(f, list(backward_steps(f))))
    >>> svg.count('class="dv"'), addon.data["gates"]["log"]["domain"]
    (2, 'x > 0')
    """
    order = topological_order(root)
    ops = dict.fromkeys(node.op for node in order if node.op)
    missing = [op for op in ops if op not in GATES or GATES[op].js is None]
    if missing:
        raise ValueError(
            f"{who}(interactive=True): gate {', '.join(map(repr, missing))} has no JavaScript twin (Gate.js), "
            "so the page cannot recompute it; give its row js=JsTwin(forward, local_grads) or pass interactive=False"
        )
    lang = data.get("lang", "en")
    word = text("data", lang)
    parts, at = [], 0
    for i, group in sorted(value_groups(svg, data).items(), key=lambda item: item[1].start()):
        parts += [svg[at:group.start()], _mark_cells(group.group(0), word, fmt(order[i].data))]
        at = group.end()
    svg = "".join(parts) + svg[at:]
    marked = svg.count('<text class="dv"')
    if marked != len(order):
        raise RuntimeError(
            f"{who}(interactive=True): found the data cell of {marked} of {len(order)} value nodes in the drawing; "
            "the page could not show new values, so none is written"
        )
    keys = ("caption forward", "caption forward data", "caption forward start", "caption step", "caption upstream",
            "caption contribution", "caption rule", "output of", "constant", "the output", "whatif title",
            "whatif hint", "whatif reset", "whatif error", "whatif error title", "whatif invalid", "data")
    extra = {
        "c": [node.const for node in order],
        "symbols": [gate_symbol(node) if node.op else "" for node in order],
        "gates": {op: {"called": gate_called(GATES[op], lang), "rule": gate_rule(GATES[op], lang),
                       "domain": GATES[op].domain, "constant": GATES[op].takes_constant} for op in ops},
        "text": {key: text(key, lang) for key in keys},
    }
    script = "\n(function () {\n\"use strict\";\nvar TWINS = " + twins_script() + ";\n" + WHATIF_SCRIPT + "})();\n"
    return svg, data, Addon("whatif", _STYLE, extra, script)


_STYLE = """
.whatif { margin: 0 0 .6rem; background: white; border: 1px solid #e5e7eb; border-left: 4px solid #2563eb;
          border-radius: .5rem; padding: .4rem .8rem; }
.whatif summary { font-weight: 600; cursor: pointer; }
.whatif .hint { margin: .2rem 0 .3rem; }
.whatif .leaves { display: grid; grid-template-columns: repeat(auto-fill, minmax(19rem, 1fr)); gap: .25rem 1.2rem;
                  max-height: 7.5rem; overflow-y: auto; padding: .1rem; }
.whatif .leaf { display: grid; grid-template-columns: minmax(2.5rem, 7rem) 7.5rem minmax(4rem, 1fr); align-items: center;
                gap: .4rem; }
.whatif .leaf span { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-weight: 600; }
.whatif input[type=number] { font: inherit; width: 100%; box-sizing: border-box; padding: .1rem .3rem; }
.whatif input[type=range] { width: 100%; accent-color: #2563eb; }
.whatif input.invalid { outline: 2px solid #dc2626; }
.whatif .error { color: #991b1b; background: #fef2f2; border: 1px solid #fecaca; border-radius: .4rem;
                 padding: .3rem .6rem; margin: .3rem 0; }
.whatif .error[hidden] { display: none; }
.whatif .reset { margin-left: .6rem; padding: .05rem .6rem; font-size: .85rem; }
.node.failed ellipse { fill: #fecaca; stroke: #dc2626; stroke-width: 3px; vector-effect: non-scaling-stroke; }
"""

#: The what-if engine and panel (after the twins): forward over the topological order, backward
#: in reverse with += at forks (the order of autograd's backward_steps), frames and captions
#: rebuilt like viz.frames.walk, numbers printed like viz.dot.fmt, errors worded like GateError.
WHATIF_SCRIPT = r"""
var gg = window.gategraph;
if (!gg) { return; }
var W = JSON.parse(document.getElementById("gg-whatif").textContent);
var data = gg.data, N = data.nodes, T = W.text, PENDING = data.pending, ROOT = data.root;
var original = N.map(function (node) { return node.data; });
var values = original.slice();
var leaves = [];  // the labelled leaves (inputs, weights) first, then the constants
N.forEach(function (node, i) { if (!node.op && node.label) { leaves.push(i); } });
N.forEach(function (node, i) { if (!node.op && !node.label) { leaves.push(i); } });

// -- numbers as Python prints them: fmt is f"{x:.4g}" without -0, pyRepr is repr(float)
function digits(x, count) {  // |x| > 0 as [digit string, decimal exponent], the digits exact to 100 places
  var s = Math.abs(x).toExponential(count), e = s.indexOf("e");
  return [s.slice(0, e).replace(".", ""), parseInt(s.slice(e + 1), 10)];
}
function fmt(x) {
  if (x === 0) { return "0"; }
  if (!isFinite(x)) { return String(x); }
  var d = digits(x, 99), head = d[0].slice(0, 4), rest = d[0].slice(4), exp = d[1];
  var up = rest[0] > "5" || (rest[0] === "5" && (/[1-9]/.test(rest.slice(1)) || parseInt(head[3], 10) % 2 === 1));
  if (up) {  // round half to even, as Python does
    head = String(parseInt(head, 10) + 1);
    if (head.length > 4) { head = head.slice(0, 4); exp += 1; }
  }
  var sign = x < 0 ? "-" : "", body;
  if (exp < -4 || exp >= 4) {
    var mantissa = (head[0] + "." + head.slice(1)).replace(/\.?0+$/, "");
    body = mantissa + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
  } else if (exp >= 0) {
    var frac = head.slice(exp + 1).replace(/0+$/, "");
    body = head.slice(0, exp + 1) + (frac ? "." + frac : "");
  } else {
    body = ("0." + "0".repeat(-exp - 1) + head).replace(/0+$/, "");
  }
  return sign + body;
}
function pyRepr(x) {
  if (x === 0) { return 1 / x < 0 ? "-0.0" : "0.0"; }
  if (isNaN(x)) { return "nan"; }
  if (!isFinite(x)) { return x < 0 ? "-inf" : "inf"; }
  var s = Math.abs(x).toExponential(), e = s.indexOf("e");  // the shortest digits that read back as x
  var d = s.slice(0, e).replace(".", ""), exp = parseInt(s.slice(e + 1), 10), sign = x < 0 ? "-" : "", body;
  if (exp < -4 || exp >= 16) {
    body = d[0] + (d.length > 1 ? "." + d.slice(1) : "") + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
  } else if (exp >= 0) {
    body = d.length <= exp + 1 ? d + "0".repeat(exp + 1 - d.length) + ".0" : d.slice(0, exp + 1) + "." + d.slice(exp + 1);
  } else {
    body = "0." + "0".repeat(-exp - 1) + d;
  }
  return sign + body;
}
function pyStr(s) {  // repr(str): quotes, backslash escapes for what Python does not print
  var q = s.indexOf("'") >= 0 && s.indexOf('"') < 0 ? '"' : "'", out = "";
  Array.from(s).forEach(function (ch) {
    var cp = ch.codePointAt(0), hex = cp.toString(16);
    if (ch === "\\" || ch === q) { out += "\\" + ch; }
    else if (ch === "\n") { out += "\\n"; } else if (ch === "\r") { out += "\\r"; } else if (ch === "\t") { out += "\\t"; }
    else if (ch !== " " && /[\p{C}\p{Z}]/u.test(ch)) {
      out += cp < 0x100 ? "\\x" + hex.padStart(2, "0") : cp < 0x10000 ? "\\u" + hex.padStart(4, "0") : "\\U" + hex.padStart(8, "0");
    } else { out += ch; }
  });
  return q + out + q;
}
function fill(template, fields) {
  return template.replace(/\{(\w+)\}/g, function (m, key) { return key in fields ? String(fields[key]) : m; });
}

// -- the engine's error messages (autograd.value._domain_error, graph._not_finite, _check_finite)
function labels(ids) {
  var names = ids.filter(function (j) { return N[j].label; }).map(function (j) { return pyStr(N[j].label); });
  return names.length === 0 ? "" : names.length === 1 ? " (node " + names[0] + ")" : " (nodes " + names.join(", ") + ")";
}
function inputs(i, val) {
  var node = N[i], gate = W.gates[node.op];
  return node.p.map(function (j) { return pyRepr(val[j]); }).join(", ") + (gate.constant ? " with exponent " + pyRepr(W.c[i]) : "");
}
// Python tells a point outside the domain (ValueError, ZeroDivisionError: NaN here, or ±Infinity at
// an input of 0, a pole) from a result too large for a float (OverflowError, or ±inf returned).
function atPole(i, val, out) {
  return isNaN(out) || N[i].p.some(function (j) { return val[j] === 0; });
}
function forwardError(i, val, out) {
  var node = N[i], gate = W.gates[node.op], got = "got " + inputs(i, val) + labels(node.p);
  return atPole(i, val, out) ? node.op + "() needs " + (gate.domain || "inputs where it is defined") + ", " + got
    : node.op + "() overflows a float, " + got;
}
function localError(i, val, upstream, local) {
  var node = N[i], pole = local.some(function (l) { return !isFinite(l) && atPole(i, val, l); });
  return node.op + "() " + (pole ? "has no finite local derivative" : "local derivative overflows a float") + " at " +
    inputs(i, val) + " (upstream gradient " + pyRepr(upstream) + ")" + labels(node.p);
}
function gradientError(i, val, grad) {
  var node = N[i];
  return "gradient is not finite (" + pyRepr(grad[i]) + ") at node " + pyStr(node.label || node.op || "leaf") +
    " with value " + pyRepr(val[i]) + ": a product of large derivatives overflowed a float";
}

// -- the engine: forward in topological order, backward in reverse, frames as viz.frames.walk makes them
function nameOf(i, val) {
  var node = N[i];
  if (node.label) { return node.label; }
  return node.op ? fill(T["output of"], {symbol: W.symbols[i]}) : fill(T["constant"], {value: fmt(val[i])});
}
function compute(leafValues) {
  var n = N.length, val = new Array(n), grad = new Array(n).fill(0), frames = [], error = null, bad = null;
  var total = N.filter(function (node) { return node.op; }).length;
  for (var i = 0; i < n && error === null; i++) {
    var node = N[i];
    if (!node.op) { val[i] = leafValues[i]; continue; }
    var xs = node.p.map(function (j) { return val[j]; });
    var out = TWINS[node.op].f(xs[0], xs[1], W.c[i]);
    if (!isFinite(out)) { error = forwardError(i, val, out); bad = i; val[i] = undefined; } else { val[i] = out; }
  }
  var rootName = N[ROOT].label;
  if (error !== null) {
    frames.push({a: null, s: [], t: [], c: [fill(T["whatif error title"], {called: W.gates[N[bad].op].called}), [error], ""]});
    return {val: val, grad: grad, frames: frames, error: error, bad: bad};
  }
  frames.push({a: null, s: [], t: [], c: [
    fill(T["caption forward"], {name: rootName || T["the output"], value: fmt(val[ROOT])}),
    [T["caption forward data"], fill(T["caption forward start"], {out: rootName || "out"})], ""]});
  grad[ROOT] = 1;  // ∂root/∂root = 1
  var step = 0, finite = true;
  for (var k = n - 1; k >= 0; k--) {
    var gate = N[k];
    if (!gate.op) { continue; }
    var g = grad[k], parents = gate.p, ins = parents.map(function (j) { return val[j]; });
    var local = TWINS[gate.op].l(val[k], ins[0], ins[1], W.c[k]);
    if (!local.every(isFinite)) { error = localError(k, val, g, local); bad = k; break; }
    var contributions = local.map(function (l) { return l * g; });
    parents.forEach(function (j, m) { grad[j] += contributions[m]; });  // += : paths through a fork add up
    finite = finite && [g].concat(parents.map(function (j) { return grad[j]; })).every(isFinite);
    if (finite) {
      var order = step === 0 ? [k] : [];
      parents.forEach(function (j) { if (order.indexOf(j) < 0) { order.push(j); } });
      var lines = [fill(T["caption upstream"], {upstream: fmt(g)})];
      parents.forEach(function (j, m) {
        lines.push(fill(T["caption contribution"], {parent: nameOf(j, val), data: fmt(val[j]), upstream: fmt(g),
          local: fmt(local[m]), contribution: fmt(contributions[m]), total: fmt(grad[j])}));
      });
      frames.push({a: k, s: order.map(function (j) { return [j, fmt(grad[j])]; }),
        t: parents.filter(function (j, m) { return parents.indexOf(j) === m; }).sort(function (x, y) { return x - y; }),
        c: [fill(T["caption step"], {index: step + 1, total: total, called: W.gates[gate.op].called, node: nameOf(k, val),
              value: fmt(val[k])}), lines, fill(T["caption rule"], {rule: W.gates[gate.op].rule})]});
    }
    step += 1;
  }
  if (error === null && !finite) {  // name the first bad gradient from the root down, as the engine does
    var walk = [];
    for (var r = n - 1; r >= 0; r--) { if (N[r].op) { walk.push(r); } }
    walk = walk.concat(N.map(function (node, i) { return i; }).filter(function (i) { return !N[i].op; }));
    for (var w = 0; w < walk.length; w++) {
      if (!isFinite(grad[walk[w]])) { error = gradientError(walk[w], val, grad); bad = walk[w]; break; }
    }
  }
  return {val: val, grad: grad, frames: frames, error: error, bad: bad};
}

// -- the drawing: data cells, hover titles, the failed gate, text fitted to its cell
var dataCells = gg.nodes.map(function (n) { return n.group ? n.group.querySelector(".dv tspan") : null; });
function fitTexts(items) {  // items: [text element, widest text, squeeze?]; fonts shrink (to 50%) until the widest fits
  items = items.filter(function (item) { return item[0]; });
  var kept = items.map(function (item) {  // reset every cell first, so the browser lays the drawing out once
    var textElement = item[0], tspan = textElement.querySelector("tspan"), keep = tspan.textContent;
    textElement.style.fontSize = "";
    textElement.removeAttribute("textLength");
    textElement.removeAttribute("lengthAdjust");
    tspan.textContent = item[1];
    return keep;
  });
  var needs = items.map(function (item) { return item[0].getComputedTextLength(); });
  items.forEach(function (item, k) {
    var textElement = item[0], room = parseFloat(textElement.getAttribute("data-w")), need = needs[k];
    if (need > room && room > 0) {
      var size = parseFloat(textElement.getAttribute("font-size")) || 11, scale = Math.max(0.5, room / need);
      textElement.style.fontSize = (size * scale).toFixed(2) + "px";
      if (item[2] && need * scale > room) {  // still too wide: squeeze the glyphs into the cell
        textElement.setAttribute("textLength", room.toFixed(2));
        textElement.setAttribute("lengthAdjust", "spacingAndGlyphs");
      }
    }
    textElement.querySelector("tspan").textContent = kept[k];
  });
}
var last = null;
function render(result) {
  var fits = [];
  N.forEach(function (node, i) {
    var shown = result.val[i] === undefined ? PENDING : fmt(result.val[i]);
    if (dataCells[i] && dataCells[i].textContent !== shown) { dataCells[i].textContent = shown; fits.push([dataCells[i].parentNode, shown, true]); }
    var title = gg.nodes[i].group && gg.nodes[i].group.querySelector("title");
    if (title) { title.textContent = (node.label || node.op || "") + ": " + T.data + " " + (result.val[i] === undefined ? PENDING : String(result.val[i])); }
    if (gg.nodes[i].gate) { gg.nodes[i].gate.classList.toggle("failed", i === result.bad && node.op !== ""); }
  });
  var widest = N.map(function () { return PENDING; });  // each gradient cell's widest text over the frames
  result.frames.forEach(function (frame) {
    frame.s.forEach(function (u) { if (u[1].length > widest[u[0]].length) { widest[u[0]] = u[1]; } });
  });
  gg.cells.forEach(function (texts, i) {
    texts.forEach(function (cell) { fits.push([cell.parentNode, widest[i], false]); });
    gg.nodes[i].shown = null;
  });
  fitTexts(fits);
  errorBox.hidden = result.error === null;
  errorText.textContent = result.error === null ? "" : result.error;
  last = result;
  gg.setFrames(result.frames);
  gg.show(result.frames.length - 1);
}

// -- the panel: a number box and a slider per leaf
function element(tag, props) { var e = document.createElement(tag); Object.assign(e, props || {}); return e; }
var panel = element("details", {className: "whatif", open: true});
panel.appendChild(element("summary", {textContent: T["whatif title"]}));
var reset = element("button", {type: "button", className: "reset", textContent: T["whatif reset"]});
var hint = element("p", {className: "hint", textContent: T["whatif hint"]});
hint.appendChild(reset);
panel.appendChild(hint);
var errorBox = element("div", {className: "error", hidden: true});
errorBox.setAttribute("role", "alert");
errorBox.appendChild(element("strong", {textContent: T["whatif error"] + " "}));
var errorText = element("span", {className: "message"});
errorBox.appendChild(errorText);
panel.appendChild(errorBox);
var grid = element("div", {className: "leaves"});
panel.appendChild(grid);
function range(v) {  // v ± max(1, 2|v|), kept within the largest finite floats
  var half = Math.max(1, 2 * Math.abs(v));
  return [Math.max(v - half, -Number.MAX_VALUE), Math.min(v + half, Number.MAX_VALUE)];
}
function setRange(slider, v) {
  var r = range(v), step = Math.pow(10, Math.floor(Math.log10(r[1] / 400 - r[0] / 400)));
  slider.min = String(r[0]); slider.max = String(r[1]); slider.step = String(step); slider.value = String(v);
}
var editors = {};
function changed() { render(compute(values)); }
leaves.forEach(function (i) {
  var row = element("label", {className: "leaf"});
  var name = nameOf(i, original);
  row.appendChild(element("span", {textContent: name, title: name}));
  var box = element("input", {type: "number", step: "any", value: String(original[i])});
  var slider = element("input", {type: "range"});
  box.setAttribute("data-leaf", String(i)); slider.setAttribute("data-leaf", String(i));
  box.setAttribute("aria-label", name); slider.setAttribute("aria-label", name);
  setRange(slider, original[i]);
  box.addEventListener("input", function () {
    var v = box.value.trim() === "" ? NaN : Number(box.value);
    box.classList.toggle("invalid", !isFinite(v));
    box.title = isFinite(v) ? "" : T["whatif invalid"];
    if (!isFinite(v)) { return; }
    if (v < Number(slider.min) || v > Number(slider.max)) { setRange(slider, v); } else { slider.value = String(v); }
    values[i] = v;
    changed();
  });
  slider.addEventListener("input", function () {
    values[i] = Number(slider.value);
    box.value = slider.value;
    box.classList.remove("invalid");
    changed();
  });
  row.appendChild(box);
  row.appendChild(slider);
  grid.appendChild(row);
  editors[i] = {box: box, slider: slider};
});
reset.addEventListener("click", function () {
  values = original.slice();
  leaves.forEach(function (i) { editors[i].box.value = String(original[i]); editors[i].box.classList.remove("invalid"); setRange(editors[i].slider, original[i]); });
  changed();
});
var stage = document.querySelector(".stage");
stage.parentNode.insertBefore(panel, stage);
// a click on a leaf in the drawing (not a drag) puts the cursor in its number box
leaves.forEach(function (i) {
  var group = gg.nodes[i].group;
  if (!group) { return; }
  group.style.cursor = "pointer";
  var down = null;
  group.addEventListener("pointerdown", function (event) { down = [event.clientX, event.clientY]; });
  group.addEventListener("click", function (event) {
    if (down && Math.abs(event.clientX - down[0]) + Math.abs(event.clientY - down[1]) < 4) { editors[i].box.focus(); editors[i].box.select(); }
  });
});

// for tests and the curious: the numbers at full precision, and the engine itself
gg.fmt = fmt;
gg.pyRepr = pyRepr;
gg.twins = TWINS;
gg.compute = function (leafValues) { return compute(leafValues || values); };
gg.state = function () {
  var result = last || compute(values);
  return {data: result.val.map(function (v) { return v === undefined ? null : v; }), grad: result.grad.slice(),
          error: result.error, frames: result.frames.length, values: values.slice()};
};
"""
