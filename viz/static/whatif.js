// What-if on the stepper page: a number box and a slider per leaf; an edit recomputes, with the
// gate table's JavaScript twins (the part "twins", written by viz.whatif), every value and
// gradient and the frames to step through (as viz.frames.walk makes them), numbers printed as
// viz.dot.fmt prints them, errors worded like autograd's GateError. Provides the part "whatif".
(function () {
"use strict";
var gg = gategraph, page = gg.use("stepper"), TWINS = gg.use("twins");
var W = gg.readData("gg-whatif");
var data = page.data, N = data.nodes, T = W.text, PENDING = data.pending, ROOT = data.root;
var fmt = gg.fmt, pyRepr = gg.pyRepr, fill = gg.fill;
var original = N.map(function (node) { return node.data; });
var values = original.slice();
var leaves = [];  // the labelled leaves (inputs, weights) first, then the constants
N.forEach(function (node, i) { if (!node.op && node.label) { leaves.push(i); } });
N.forEach(function (node, i) { if (!node.op && !node.label) { leaves.push(i); } });

// -- names as Python's repr(str) prints them
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
var dataCells = page.nodes.map(function (n) { return n.group ? n.group.querySelector(".dv tspan") : null; });
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
    var title = page.nodes[i].group && page.nodes[i].group.querySelector("title");
    if (title) { title.textContent = (node.label || node.op || "") + ": " + T.data + " " + (result.val[i] === undefined ? PENDING : String(result.val[i])); }
    if (page.nodes[i].gate) { page.nodes[i].gate.classList.toggle("failed", i === result.bad && node.op !== ""); }
  });
  var widest = N.map(function () { return PENDING; });  // each gradient cell's widest text over the frames
  result.frames.forEach(function (frame) {
    frame.s.forEach(function (u) { if (u[1].length > widest[u[0]].length) { widest[u[0]] = u[1]; } });
  });
  page.cells.forEach(function (texts, i) {
    texts.forEach(function (cell) { fits.push([cell.parentNode, widest[i], false]); });
    page.nodes[i].shown = null;
  });
  fitTexts(fits);
  errorBox.hidden = result.error === null;
  errorText.textContent = result.error === null ? "" : result.error;
  last = result;
  page.setFrames(result.frames);
  page.show(result.frames.length - 1);
}

// -- the panel: a number box and a slider per leaf
var element = gg.el;
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
    gg.emit("whatif:edit", i);
    var v = box.value.trim() === "" ? NaN : Number(box.value);
    box.classList.toggle("invalid", !isFinite(v));
    box.title = isFinite(v) ? "" : T["whatif invalid"];
    if (!isFinite(v)) { return; }
    if (v < Number(slider.min) || v > Number(slider.max)) { setRange(slider, v); } else { slider.value = String(v); }
    values[i] = v;
    changed();
  });
  slider.addEventListener("input", function () {
    gg.emit("whatif:edit", i);
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
  gg.emit("whatif:reset");
  values = original.slice();
  leaves.forEach(function (i) { editors[i].box.value = String(original[i]); editors[i].box.classList.remove("invalid"); setRange(editors[i].slider, original[i]); });
  changed();
});
page.stage.parentNode.insertBefore(panel, page.stage);
page.relayout();  // the panel took room from the stage
// a click on a leaf in the drawing (not a drag) puts the cursor in its number box
leaves.forEach(function (i) {
  var group = page.nodes[i].group;
  if (!group) { return; }
  group.style.cursor = "pointer";
  var down = null;
  group.addEventListener("pointerdown", function (event) { down = [event.clientX, event.clientY]; });
  group.addEventListener("click", function (event) {
    if (down && Math.abs(event.clientX - down[0]) + Math.abs(event.clientY - down[1]) < 4) { editors[i].box.focus(); editors[i].box.select(); }
  });
});

// for tests and the curious: the engine itself, and the numbers at full precision
gg.provide("whatif", {
  compute: function (leafValues) { return compute(leafValues || values); },
  state: function () {
    var result = last || compute(values);
    return {data: result.val.map(function (v) { return v === undefined ? null : v; }), grad: result.grad.slice(),
            error: result.error, frames: result.frames.length, values: values.slice()};
  }
});
})();
