// The pages' shared module: numbers printed as Python prints them, small text and DOM helpers,
// and the page's parts talking through one small API (provide/use a part, on/emit an event).
// Every gategraph page inlines it once, before its own scripts; node's test runner requires it.
var gategraph = (function () {
  "use strict";

  // -- numbers as Python prints them -----------------------------------------------------------
  // A finite x > 0 exactly, as decimal digits: x = 0.DIGITS × 10^(exp + 1), i.e. the first digit
  // stands for 10^exp. A double is m × 2^k, and 2^-j = 5^j / 10^j, so BigInt gives every digit.
  var view = new DataView(new ArrayBuffer(8));
  function exactDigits(x) {
    view.setFloat64(0, x);
    var hi = view.getUint32(0), lo = view.getUint32(4), biased = (hi >>> 20) & 0x7ff;
    var m = BigInt(hi & 0xfffff) * BigInt(4294967296) + BigInt(lo);
    if (biased === 0) { biased = 1; } else { m += BigInt(2) ** BigInt(52); }  // subnormal: no hidden bit
    var k = biased - 1075, digits, shift;  // x = m × 2^k
    if (k >= 0) { digits = (m * BigInt(2) ** BigInt(k)).toString(); shift = 0; } else {
      digits = (m * BigInt(5) ** BigInt(-k)).toString(); shift = -k;  // x = digits × 10^-shift
    }
    var trimmed = digits.replace(/0+$/, "");
    return {digits: trimmed, exp: digits.length - 1 - shift};
  }

  // Python's format(x, "." + precision + "g"): round half to even on the exact value, fixed
  // notation where -4 <= exponent < precision, trailing zeros dropped, "-0", "inf", "nan".
  function formatG(x, precision) {
    var p = precision === 0 ? 1 : precision;
    if (typeof x !== "number" || !(p >= 1 && p <= 100 && p % 1 === 0)) {
      throw new TypeError("formatG(x, precision) needs a number and a precision 0..100, got " + x + ", " + precision);
    }
    if (isNaN(x)) { return "nan"; }
    var sign = x < 0 || (x === 0 && 1 / x < 0) ? "-" : "";
    if (!isFinite(x)) { return sign + "inf"; }
    if (x === 0) { return sign + "0"; }
    var exact = exactDigits(Math.abs(x)), all = exact.digits, exp = exact.exp;
    var head = (all + "0".repeat(p)).slice(0, p), rest = all.slice(p);
    var up = rest[0] > "5" || (rest[0] === "5" && (rest.length > 1 || (+head[p - 1]) % 2 === 1));
    if (up) {  // add one in the last place, carrying
      var carried = (BigInt(head) + BigInt(1)).toString();
      if (carried.length > p) { exp += 1; }
      head = carried.slice(0, p);
    }
    var body;
    if (exp < -4 || exp >= p) {
      var mantissa = head.length > 1 ? (head[0] + "." + head.slice(1)).replace(/\.?0+$/, "") : head;
      body = mantissa + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
    } else if (exp >= 0) {
      var frac = head.slice(exp + 1).replace(/0+$/, "");
      body = head.slice(0, exp + 1) + (frac ? "." + frac : "");
    } else {
      body = ("0." + "0".repeat(-exp - 1) + head).replace(/0+$/, "");
    }
    return sign + body;
  }

  // A number as the pages and diagrams print it: viz.dot.fmt, f"{x:.4g}" without "-0".
  function fmt(x) {
    var text = formatG(x, 4);
    return text === "-0" ? "0" : text;
  }

  // Python's repr(float): the shortest digits that read back as x (JavaScript finds the same
  // ones), in scientific notation below 1e-4 and from 1e16.
  function pyRepr(x) {
    if (x === 0) { return 1 / x < 0 ? "-0.0" : "0.0"; }
    if (isNaN(x)) { return "nan"; }
    if (!isFinite(x)) { return x < 0 ? "-inf" : "inf"; }
    var s = Math.abs(x).toExponential(), e = s.indexOf("e");
    var d = s.slice(0, e).replace(".", ""), exp = parseInt(s.slice(e + 1), 10), sign = x < 0 ? "-" : "", body;
    if (exp < -4 || exp >= 16) {
      body = d[0] + (d.length > 1 ? "." + d.slice(1) : "") + "e" + (exp < 0 ? "-" : "+") +
        (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
    } else if (exp >= 0) {
      body = d.length <= exp + 1 ? d + "0".repeat(exp + 1 - d.length) + ".0" : d.slice(0, exp + 1) + "." + d.slice(exp + 1);
    } else {
      body = "0." + "0".repeat(-exp - 1) + d;
    }
    return sign + body;
  }

  // -- text and DOM ----------------------------------------------------------------------------
  // A template's {name} fields filled from fields (a field it does not have stays as written).
  function fill(template, fields) {
    return template.replace(/\{(\w+)\}/g, function (all, key) {
      return Object.prototype.hasOwnProperty.call(fields, key) ? String(fields[key]) : all;
    });
  }
  // A new element with its properties set (textContent, never innerHTML: text stays text).
  function el(tag, props) {
    return Object.assign(document.createElement(tag), props || {});
  }
  // The JSON data block (a script element of type application/json) the page was written with.
  function readData(id) {
    var block = document.getElementById(id);
    if (!block) { throw new Error("gategraph: the page has no data block #" + id); }
    return JSON.parse(block.textContent);
  }

  // -- the page's parts: one provides its API by name, the others use it; events in between ----
  var parts = {}, handlers = {};
  function provide(name, api) {
    if (Object.prototype.hasOwnProperty.call(parts, name)) { throw new Error("gategraph: part " + name + " is provided twice"); }
    parts[name] = api;
    return api;
  }
  function use(name) {
    if (!Object.prototype.hasOwnProperty.call(parts, name)) { throw new Error("gategraph: no part " + name + " on this page"); }
    return parts[name];
  }
  function has(name) { return Object.prototype.hasOwnProperty.call(parts, name); }
  function on(event, handler) { (handlers[event] = handlers[event] || []).push(handler); }
  function emit(event, detail) {
    (handlers[event] || []).slice().forEach(function (handler) { handler(detail); });
  }

  // -- a drawing that fits its box, zooms (wheel, buttons) and pans (drag) -----------------------
  // svg's viewBox is the view: (x, y) the drawing's point at the box's top left, s screen pixels
  // per drawing unit. fit() shows the whole drawing (at most `most` px per unit), centred.
  function zoomable(stage, svg, most) {
    var box = svg.viewBox.baseVal, whole = {x: box.x, y: box.y, w: box.width, h: box.height};
    var view = {x: whole.x, y: whole.y, s: 1}, PAD = 8, steered = false;
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    function area() { return {w: stage.clientWidth || 1, h: stage.clientHeight || 1}; }
    function fitScale() {
      var a = area();
      return Math.min(most || 1.5, (a.w - 2 * PAD) / whole.w, (a.h - 2 * PAD) / whole.h);
    }
    function apply() {
      var a = area();
      svg.setAttribute("viewBox", [view.x, view.y, a.w / view.s, a.h / view.s].join(" "));
      svg.setAttribute("data-scale", view.s.toFixed(4));
    }
    function fit() {
      var a = area();
      view.s = fitScale();
      view.x = whole.x - (a.w / view.s - whole.w) / 2;
      view.y = whole.y - (a.h / view.s - whole.h) / 2;
      steered = false;
      apply();
    }
    function zoomAt(factor, px, py) {  // keep the drawing's point under (px, py) where it is
      var s = Math.max(fitScale() / 4, Math.min(8, view.s * factor));
      view.x += px / view.s - px / s;
      view.y += py / view.s - py / s;
      view.s = s;
      steered = true;
      apply();
    }
    function zoomCentre(factor) { var a = area(); zoomAt(factor, a.w / 2, a.h / 2); }
    stage.addEventListener("wheel", function (event) {
      event.preventDefault();
      var r = stage.getBoundingClientRect();
      zoomAt(Math.exp(-event.deltaY * (event.deltaMode === 1 ? 0.05 : 0.0015)), event.clientX - r.left, event.clientY - r.top);
    }, {passive: false});
    var drag = null;
    svg.addEventListener("pointerdown", function (event) {
      drag = {x: event.clientX, y: event.clientY, id: event.pointerId};
      svg.setPointerCapture(event.pointerId);
      stage.classList.add("dragging");
    });
    svg.addEventListener("pointermove", function (event) {
      if (!drag || event.pointerId !== drag.id) { return; }
      view.x -= (event.clientX - drag.x) / view.s;
      view.y -= (event.clientY - drag.y) / view.s;
      drag.x = event.clientX;
      drag.y = event.clientY;
      steered = true;
      apply();
    });
    function release() { drag = null; stage.classList.remove("dragging"); }
    svg.addEventListener("pointerup", release);
    svg.addEventListener("pointercancel", release);
    if (typeof ResizeObserver === "function") {  // until the reader zooms or pans, a new size fits again
      new ResizeObserver(function () { if (steered) { apply(); } else { fit(); } }).observe(stage);
    }
    fit();
    return {fit: fit, zoomAt: zoomAt, zoomCentre: zoomCentre, view: view};
  }

  return {formatG: formatG, fmt: fmt, pyRepr: pyRepr, fill: fill, el: el, readData: readData,
          provide: provide, use: use, has: has, on: on, emit: emit, zoomable: zoomable};
})();

if (typeof module === "object" && module.exports) { module.exports = gategraph; }
