// Unit tests of the pages' shared module (viz/static/gg.js), run by node's built-in test runner:
//   node --test tests/js/
// With GG_FORMAT_CASES naming a JSON file of [number, format(x, ".4g"), viz.dot.fmt(x), repr(x)]
// rows (tests/viz/test_viz_pagejs.py writes 10,000 of them with Python), each row is checked too.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const gg = require("../../viz/static/gg.js");

// a number as Python's repr writes it (JSON has no inf or nan)
function number(text) {
  return {inf: Infinity, "-inf": -Infinity, nan: NaN}[text] ?? Number(text);
}

test("formatG equals Python's format(x, '.4g') on hand-picked edges", () => {
  const cases = [
    [12345.6, "1.235e+04"], [12345.5, "1.235e+04"], [1234.5, "1234"], [1235.5, "1236"], [9.9995, "9.999"],
    [9999.5, "1e+04"], [99995, "1e+05"], [0.0001, "0.0001"], [0.00012345, "0.0001234"], [0.00001, "1e-05"],
    [0, "0"], [-0, "-0"], [-3, "-3"], [1e16, "1e+16"], [5e-324, "4.941e-324"], [1.7976931348623157e308, "1.798e+308"],
    [Infinity, "inf"], [-Infinity, "-inf"], [NaN, "nan"], [0.5, "0.5"], [-2.5e-7, "-2.5e-07"], [123456, "1.235e+05"],
  ];
  for (const [x, want] of cases) { assert.equal(gg.formatG(x, 4), want, String(x)); }
});

test("formatG takes other precisions as Python does (0 means 1)", () => {
  assert.equal(gg.formatG(0.125, 2), "0.12");  // a tie rounds to even
  assert.equal(gg.formatG(0.375, 2), "0.38");
  assert.equal(gg.formatG(123.456, 0), "1e+02");
  assert.equal(gg.formatG(2 / 3, 17), "0.66666666666666663");
});

test("formatG refuses a non-number or a bad precision, naming them", () => {
  assert.throws(() => gg.formatG("1", 4), /formatG\(x, precision\) needs a number and a precision 0\.\.100, got 1, 4/);
  assert.throws(() => gg.formatG(1, 2.5), /got 1, 2\.5/);
});

test("fmt is viz.dot.fmt: .4g without -0", () => {
  assert.equal(gg.fmt(-0), "0");
  assert.equal(gg.fmt(-Number.MIN_VALUE / 2), "0");  // underflows to -0
  assert.equal(gg.fmt(-12), "-12");
  assert.equal(gg.fmt(0.123456), "0.1235");
});

test("pyRepr is Python's repr(float)", () => {
  const cases = [[0, "0.0"], [-0, "-0.0"], [1, "1.0"], [0.1, "0.1"], [1e16, "1e+16"], [1e15, "1000000000000000.0"],
    [1e-5, "1e-05"], [0.0001, "0.0001"], [-1.5e-7, "-1.5e-07"], [123456789.125, "123456789.125"], [NaN, "nan"],
    [-Infinity, "-inf"], [5e-324, "5e-324"]];
  for (const [x, want] of cases) { assert.equal(gg.pyRepr(x), want, String(x)); }
});

test("the numbers Python wrote format as Python formats them", (t) => {
  const path = process.env.GG_FORMAT_CASES;
  if (!path) { t.skip("GG_FORMAT_CASES is not set (tests/viz/test_viz_pagejs.py sets it)"); return; }
  const rows = JSON.parse(fs.readFileSync(path, "utf8"));
  assert.ok(rows.length >= 10000, `only ${rows.length} rows`);
  const wrong = [];
  for (const [text, g4, shown, repr] of rows) {
    const x = number(text);
    const got = [gg.formatG(x, 4), gg.fmt(x), gg.pyRepr(x)];
    if (got[0] !== g4 || got[1] !== shown || got[2] !== repr) { wrong.push([text, [g4, shown, repr], got]); }
  }
  assert.deepEqual(wrong.slice(0, 10), [], `${wrong.length} of ${rows.length} rows differ`);
});

test("fill puts fields in a template and leaves unknown ones as written", () => {
  assert.equal(gg.fill("frame {i} of {n}", {i: 1, n: 3}), "frame 1 of 3");
  assert.equal(gg.fill("{a}{a} {b}", {a: "x"}), "xx {b}");
  assert.equal(gg.fill("{toString}", {}), "{toString}");  // only the fields' own keys
  assert.equal(gg.fill("{v}", {v: "{w}", w: 1}), "{w}");  // a field's text is not filled again
});

test("a part is provided once and used by name; a missing one is an error naming it", () => {
  const api = {show() { return 1; }};
  assert.equal(gg.provide("test-part", api), api);
  assert.equal(gg.use("test-part"), api);
  assert.equal(gg.has("test-part"), true);
  assert.equal(gg.has("nothing"), false);
  assert.throws(() => gg.provide("test-part", {}), /gategraph: part test-part is provided twice/);
  assert.throws(() => gg.use("nothing"), /gategraph: no part nothing on this page/);
});

test("events reach every handler in order, with their detail", () => {
  const seen = [];
  gg.on("test-event", (d) => seen.push(["a", d]));
  gg.on("test-event", (d) => seen.push(["b", d]));
  gg.emit("test-event", 7);
  gg.emit("no-handler", 1);
  assert.deepEqual(seen, [["a", 7], ["b", 7]]);
});

test("el and readData build on the page's document", () => {
  const made = [];
  global.document = {
    createElement(tag) { const e = {tag}; made.push(e); return e; },
    getElementById(id) { return id === "gg-data" ? {textContent: '{"a":[1,"<"]}'} : null; },
  };
  try {
    assert.deepEqual(gg.el("li", {textContent: "<b>", className: "rule"}), {tag: "li", textContent: "<b>", className: "rule"});
    assert.deepEqual(gg.el("ul"), {tag: "ul"});
    assert.deepEqual(gg.readData("gg-data"), {a: [1, "<"]});
    assert.throws(() => gg.readData("gg-none"), /gategraph: the page has no data block #gg-none/);
  } finally {
    delete global.document;
  }
});
