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

  // -- reading size: the scale at which a drawing's median text is READ_PX tall on screen -------
  var READ_PX = 11.5;  // CSS px: the median diagram text when the page, not the reader, picks the zoom
  // A Graphviz drawing's texts carry font-size in its units, so READ_PX / median is the scale (screen
  // px per unit) that draws half its text at least READ_PX tall; `most` caps it.
  function readScale(drawing, most) {
    if (drawing.ggMedianFont === undefined) {
      var sizes = Array.prototype.map.call(drawing.querySelectorAll("text"), function (t) {
        return parseFloat(t.getAttribute("font-size")) || 14;  // SVG's default: the page's 14 px
      }).sort(function (a, b) { return a - b; });
      drawing.ggMedianFont = sizes.length ? sizes[(sizes.length - 1) >> 1] : 14;
    }
    return Math.min(most || Infinity, READ_PX / drawing.ggMedianFont);
  }

  // -- a minimap: the whole drawing small (its shapes, no text) in the stage's corner, the part in
  // view outlined; pressing or dragging on it calls move(x, y) with the drawing's point there.
  // box: the drawing's whole in its units. draw(view, area) follows a view; the map hides itself
  // while the whole drawing is in view. (Styled by the page's .gg-minimap rules.)
  var MINI_W = 240;  // at most this wide (CSS px), a quarter of the stage's width, 30 % of its height
  // A drawing's shapes, small: a copy of its first group without text, titles, ids or classes (so
  // no text counts twice and no id clashes), in an svg showing ``box`` of it; the minimaps' picture.
  function shapesOf(drawing, box) {
    var small = document.createElementNS(drawing.namespaceURI, "svg");
    small.setAttribute("viewBox", [box.x, box.y, box.w, box.h].join(" "));
    small.setAttribute("preserveAspectRatio", "xMidYMid meet");
    var copy = drawing.querySelector("g").cloneNode(true);
    Array.prototype.forEach.call(copy.querySelectorAll("text, title"), function (e) { e.remove(); });
    [copy].concat(Array.prototype.slice.call(copy.querySelectorAll("*"))).forEach(function (e) {
      ["id", "class", "data-n"].forEach(function (name) { e.removeAttribute(name); });
    });
    small.appendChild(copy);
    return small;
  }
  function minimap(stage, drawing, box, move, title) {
    var NS = drawing.namespaceURI, frame = el("div", {className: "gg-minimap"}), small = null, rect = null;
    frame.hidden = true;
    frame.setAttribute("aria-hidden", "true");  // a pointer's shortcut; the buttons do the same
    frame.title = title || "";
    stage.appendChild(frame);
    function make() {  // made when first shown, from the drawing as it is then
      small = shapesOf(drawing, box);
      rect = document.createElementNS(NS, "rect");
      rect.setAttribute("class", "seen");
      small.appendChild(rect);
      frame.appendChild(small);
    }
    function draw(view, a) {
      var w = a.w / view.s, h = a.h / view.s;
      var all = view.x <= box.x && view.y <= box.y && view.x + w >= box.x + box.w && view.y + h >= box.y + box.h;
      frame.hidden = all;
      if (all) { return; }
      if (!small) { make(); }
      var width = Math.min(MINI_W, 0.25 * a.w), height = width * box.h / box.w;
      if (height > 0.3 * a.h) { height = 0.3 * a.h; width = height * box.w / box.h; }
      frame.style.width = Math.round(width) + "px";
      frame.style.height = Math.round(height) + "px";
      // the part of the drawing in view (a view may reach past its edges: the outline stays on the map)
      var x0 = Math.max(box.x, view.x), y0 = Math.max(box.y, view.y);
      rect.setAttribute("x", String(x0));
      rect.setAttribute("y", String(y0));
      rect.setAttribute("width", String(Math.max(0, Math.min(box.x + box.w, view.x + w) - x0)));
      rect.setAttribute("height", String(Math.max(0, Math.min(box.y + box.h, view.y + h) - y0)));
    }
    var pressed = null;
    function at(event) {  // the drawing's point under the pointer (the map is drawn "meet")
      var r = small.getBoundingClientRect(), scale = Math.min(r.width / box.w, r.height / box.h);
      move(box.x + (event.clientX - r.left - (r.width - box.w * scale) / 2) / scale,
           box.y + (event.clientY - r.top - (r.height - box.h * scale) / 2) / scale);
    }
    frame.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      event.stopPropagation();
      pressed = event.pointerId;
      frame.setPointerCapture(event.pointerId);
      at(event);
    });
    frame.addEventListener("pointermove", function (event) { if (pressed === event.pointerId) { at(event); } });
    ["pointerup", "pointercancel"].forEach(function (name) {
      frame.addEventListener(name, function () { pressed = null; });
    });
    return {frame: frame, draw: draw};
  }

  // -- a drawing that fits its box, zooms (wheel, buttons) and pans (drag) -----------------------
  // svg's viewBox is the view: (x, y) the drawing's point at the box's top left, s screen pixels
  // per drawing unit. fit() shows the whole drawing (at most `most` px per unit), centred.
  // options.read: open readable instead: the whole if it fits with its median text READ_PX tall,
  // else at that size centred on options.focus() (an element of the drawing: where to look first),
  // kept on the drawing, with a minimap (options.minimap: its tooltip). home() makes that view.
  // The reader's zoom and pan are kept (a resize keeps them; "fit" keeps the whole); until the
  // reader touches the view, a resize makes the page's view again for the new size.
  function zoomable(stage, svg, most, options) {
    options = options || {};
    var box = svg.viewBox.baseVal, whole = {x: box.x, y: box.y, w: box.width, h: box.height};
    var view = {x: whole.x, y: whole.y, s: 1}, PAD = 8, mode = "home";  // home | whole | reader
    most = most || 1.5;
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    function area() { return {w: stage.clientWidth || 1, h: stage.clientHeight || 1}; }
    function fitScale() {
      var a = area();
      return Math.max(1e-3, Math.min(most, (a.w - 2 * PAD) / whole.w, (a.h - 2 * PAD) / whole.h));
    }
    function readable() { return options.read ? readScale(svg, most) : fitScale(); }
    var mini = options.read ? minimap(stage, svg, whole, function (x, y) { mode = "reader"; centre(x, y); apply(); },
      options.minimap) : null;
    function apply() {
      var a = area();
      svg.setAttribute("viewBox", [view.x, view.y, a.w / view.s, a.h / view.s].join(" "));
      svg.setAttribute("data-scale", view.s.toFixed(4));
      if (mini) { mini.draw(view, a); }
    }
    function centre(x, y) { var a = area(); view.x = x - a.w / 2 / view.s; view.y = y - a.h / 2 / view.s; }
    function showWhole() {
      view.s = fitScale();
      centre(whole.x + whole.w / 2, whole.y + whole.h / 2);
      apply();
    }
    function fit() { mode = options.read ? "whole" : "home"; showWhole(); }
    // no margin wider than PAD past an edge where the drawing is larger than the view
    function clampView() {
      var a = area(), w = a.w / view.s, h = a.h / view.s, pad = PAD / view.s;
      view.x = whole.w + 2 * pad <= w ? whole.x + whole.w / 2 - w / 2 : Math.max(whole.x - pad, Math.min(whole.x + whole.w + pad - w, view.x));
      view.y = whole.h + 2 * pad <= h ? whole.y + whole.h / 2 - h / 2 : Math.max(whole.y - pad, Math.min(whole.y + whole.h + pad - h, view.y));
    }
    function home() {  // the page's view
      mode = "home";
      if (fitScale() >= readable()) { showWhole(); return; }
      showWhole();  // the focus is found on the screen, so first a view that shows it
      var target = options.focus ? options.focus() : null, at = target && target.getBoundingClientRect();
      var sv = svg.getBoundingClientRect(), s = view.s;
      var x = at && at.width ? view.x + (at.left + at.width / 2 - sv.left) / s : whole.x + whole.w / 2;
      var y = at && at.height ? view.y + (at.top + at.height / 2 - sv.top) / s : whole.y + whole.h / 2;
      view.s = readable();
      centre(x, y);
      clampView();
      apply();
    }
    function zoomAt(factor, px, py) {  // keep the drawing's point under (px, py) where it is
      var s = Math.max(Math.min(fitScale(), readable()) / 4, Math.min(8, view.s * factor));
      view.x += px / view.s - px / s;
      view.y += py / view.s - py / s;
      view.s = s;
      mode = "reader";
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
      mode = "reader";
      apply();
    });
    function release() { drag = null; stage.classList.remove("dragging"); }
    svg.addEventListener("pointerup", release);
    svg.addEventListener("pointercancel", release);
    if (typeof ResizeObserver === "function") {  // the page's view (or the whole) made again for a new size
      new ResizeObserver(function () {
        if (mode === "reader") { apply(); } else if (mode === "whole") { showWhole(); } else { home(); }
      }).observe(stage);
    }
    home();
    return {fit: fit, home: home, zoomAt: zoomAt, zoomCentre: zoomCentre, view: view};
  }

  return {formatG: formatG, fmt: fmt, pyRepr: pyRepr, fill: fill, el: el, readData: readData,
          provide: provide, use: use, has: has, on: on, emit: emit,
          READ_PX: READ_PX, readScale: readScale, shapesOf: shapesOf, minimap: minimap, zoomable: zoomable};
})();

if (typeof module === "object" && module.exports) { module.exports = gategraph; }
