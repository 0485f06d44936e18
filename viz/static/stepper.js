// The stepper page: the drawing laid out once, each frame of the backward pass applied as data
// (gradient texts, the active gate, the caption); zoom, pan, fit; collapsed groups expand.
// It provides the part "stepper" (see the end) to the add-ons (what-if, worksheet, gradient check).
(function () {
  "use strict";
  var gg = gategraph;
  var data = gg.readData("gg-data");
  var stage = document.querySelector(".stage");
  var main = stage.querySelector("svg"), svg = main;
  var slider = document.getElementById("slider");
  var prev = document.getElementById("prev");
  var next = document.getElementById("next");
  var counter = document.getElementById("counter");
  var caption = document.getElementById("caption");
  var frames = data.frames;
  var current = -1;

  // The drawing's groups by their <title>: a node's DOT id ("n3"), an edge's "n0->n2".
  var byTitle = {};
  Array.prototype.forEach.call(main.querySelectorAll("g.node, g.edge"), function (g) {
    var title = g.querySelector("title");
    if (title) { (byTitle[title.textContent] = byTitle[title.textContent] || []).push(g); }
  });
  function one(id) { return (byTitle[id] || [])[0] || null; }
  // Each node's gradient texts and cell backgrounds, in every drawing (data-n: the node's index).
  var cells = data.nodes.map(function () { return []; }), shades = data.nodes.map(function () { return []; });
  Array.prototype.forEach.call(document.querySelectorAll(".stage [data-n]"), function (e) {
    e.getAttribute("data-n").split(" ").forEach(function (j) { (e.tagName === "tspan" ? cells : shades)[+j].push(e); });
  });
  var nodes = data.nodes.map(function (n) {
    var group = one(n.v);
    var edges = [];
    if (n.g) {
      n.p.forEach(function (p) { edges = edges.concat(byTitle[(data.nodes[p].v || data.nodes[p].u) + "->" + n.g] || []); });
      edges = edges.concat(byTitle[n.g + "->" + n.v] || []);
    }
    return {group: group, gate: n.g ? one(n.g) : null, edges: edges, shown: data.pending};
  });
  // A collapsed group's node and the edges in and out of it (by their titles "a->b").
  var groups = {};
  (data.groups || []).forEach(function (id) { groups[id] = {node: one(id), edges: [], gates: null}; });
  Object.keys(byTitle).forEach(function (title) {
    var ends = title.split("->");
    if (ends.length !== 2) { return; }
    [ends[0], ends[1]].forEach(function (end) { if (groups[end]) { groups[end].edges = groups[end].edges.concat(byTitle[title]); } });
  });
  Array.prototype.forEach.call(stage.querySelectorAll("svg.gg-gates"), function (drawing) {
    var group = groups[drawing.getAttribute("data-group")];
    if (group) { group.gates = drawing; if (group.node) { group.node.classList.add("expandable"); } }
  });
  // Hovering a value shows its label and its data to full precision (the drawing rounds to 4 digits).
  data.nodes.forEach(function (n, i) {
    var title = nodes[i].group && nodes[i].group.querySelector("title");
    if (title) { title.textContent = (n.label || n.op || "") + ": " + data.text.data + " " + String(n.data); }
  });

  // -- the view: which part of the drawing the stage shows (x, y: its top-left corner in the
  // drawing's units; s: screen pixels per unit). Zoom and pan change it; the viewBox follows.
  // The page opens readable: the drawing's text at READ_PX on screen (median), focused on where
  // the action is (the output, then each step's active gate and its inputs); a drawing that fits
  // whole at that size is shown whole. A minimap in a corner shows the whole drawing, the part in
  // view and the active gate. The reader's zoom and pan are respected: once they zoom, a step only
  // pans (when its gate is out of view); "fit" shows the whole.
  function boxOf(drawing) {  // the drawing's whole, as Graphviz wrote it (before any view changed its viewBox)
    if (!drawing.ggBox) { var box = drawing.viewBox.baseVal; drawing.ggBox = {x: box.x, y: box.y, w: box.width, h: box.height}; }
    return drawing.ggBox;
  }
  var graph = boxOf(svg);
  var view = {x: graph.x, y: graph.y, s: 1};
  var PAD = 12, MOST = 1.75;  // fitting never draws larger than 1.75 screen pixels per point
  var READ_PX = 11.5;  // the median diagram text on screen, in CSS pixels, when the page chooses the zoom
  var MARGIN = 16;  // a gate this close to the stage's edge is brought further in
  function area() { return {w: stage.clientWidth || 1, h: stage.clientHeight || 1}; }
  // the band the "gates of …" bar covers at the top of an expanded group's stage: views leave it free
  function inset() { return expanded && bar ? bar.offsetHeight + 4 : 0; }
  function fitScale() {
    var a = area();
    return Math.max(1e-3, Math.min(MOST, (a.w - 2 * PAD) / graph.w, (a.h - 2 * PAD - inset()) / graph.h));
  }
  // The scale that draws the drawing's median text READ_PX tall (its texts' font-size is in its units).
  function readScale(drawing) {
    if (!drawing.ggRead) {
      var sizes = Array.prototype.map.call(drawing.querySelectorAll("text"), function (t) {
        return parseFloat(t.getAttribute("font-size")) || 14;  // SVG's default: the page's 14 px
      }).sort(function (a, b) { return a - b; });
      drawing.ggRead = Math.min(MOST, READ_PX / (sizes.length ? sizes[(sizes.length - 1) >> 1] : 14));
    }
    return drawing.ggRead;
  }
  function fitsWhole() { return fitScale() >= readScale(svg); }
  function chosenScale() { return fitsWhole() ? fitScale() : readScale(svg); }  // the page's zoom
  // The stage takes the height the page's layout leaves it (the viewport's, less the controls and
  // the caption); a short drawing gets a shorter stage, not a band of white above and below, and
  // the page is then no taller than its parts (what follows, a worksheet's table, moves up).
  var viewer = stage.parentNode, panel = viewer.querySelector(".panel");
  // tallest: the stage's height as the layout leaves it; shrunk: the height a short drawing gives
  // it ("": none); room: the caption panel's height beside a stage of the tallest height
  var tallest = 0, shrunk = "", room = 0;
  var SHORTEST = 200;  // a short drawing's stage (CSS px): room for the zoom buttons and a drawing a few rows tall
  function setHeight(height) {  // the stage's height ("": what the layout leaves)
    viewer.classList.toggle("short", height !== "");
    stage.style.height = height;
    // what the stage does not take, the caption may (a long one scrolls only when the page is full)
    panel.style.maxHeight = height === "" ? "" : Math.max(room, room + tallest - parseFloat(height)) + "px";
  }
  function layout() {
    setHeight("");
    tallest = stage.clientHeight;
    room = panel.offsetHeight;
    var need = Math.ceil(graph.h * chosenScale() + 2 * PAD);
    shrunk = need < tallest ? Math.max(need, SHORTEST) + "px" : "";
    setHeight(shrunk);
  }
  function draw() {
    var a = area();
    size = a;  // the stage's size the view was drawn for (a resize keeps the centre of this view)
    svg.setAttribute("viewBox", [view.x, view.y, a.w / view.s, a.h / view.s].join(" "));
    svg.setAttribute("data-scale", String(view.s));
    drawMini();
  }
  function centre(x, y) { var a = area(); view.x = x - a.w / 2 / view.s; view.y = y - (a.h + inset()) / 2 / view.s; }
  // Keep a view the page chose on the drawing: no margin wider than PAD past an edge where the
  // drawing is larger than the view, the drawing centred where it is smaller.
  function clampView() {
    var a = area(), w = a.w / view.s, h = (a.h - inset()) / view.s, top = inset() / view.s, pad = PAD / view.s;
    view.x = graph.w + 2 * pad <= w ? graph.x + graph.w / 2 - w / 2
      : Math.max(graph.x - pad, Math.min(graph.x + graph.w + pad - w, view.x));
    var y = view.y + top;
    y = graph.h + 2 * pad <= h ? graph.y + graph.h / 2 - h / 2
      : Math.max(graph.y - pad, Math.min(graph.y + graph.h + pad - h, y));
    view.y = y - top;
  }
  // zoomed: the reader zoomed (wheel, +/−, or "fit": the whole); panned: the reader dragged. Until
  // either, a resize (a notebook's iframe laid out late, a window made wider) makes the page's
  // view again for the new size instead of keeping one made for another.
  var zoomed = false, panned = false, whole = false, size = {w: 0, h: 0};
  function fit() {
    view.s = fitScale();
    centre(graph.x + graph.w / 2, graph.y + graph.h / 2);
    draw();
  }
  function fitPressed() { zoomed = true; whole = true; fit(); }
  function zoomAt(factor, px, py) {  // keep the drawing's point under (px, py) where it is
    zoomed = true; whole = false;
    var ux = view.x + px / view.s, uy = view.y + py / view.s;
    view.s = Math.max(Math.min(fitScale(), readScale(svg)) / 4, Math.min(8, view.s * factor));
    view.x = ux - px / view.s;
    view.y = uy - py / view.s;
    draw();
  }
  function zoomCentre(factor) { var a = area(); zoomAt(factor, a.w / 2, a.h / 2); }
  // An element's box in the drawing's units (it must be shown: its screen box is converted).
  function unitsOf(element) {
    var at = element.getBoundingClientRect(), sv = svg.getBoundingClientRect();
    if (!at.width && !at.height) { return null; }
    return {x: view.x + (at.left - sv.left) / view.s, y: view.y + (at.top - sv.top) / view.s,
            w: at.width / view.s, h: at.height / view.s};
  }
  function union(boxes) {
    boxes = boxes.filter(Boolean);
    if (!boxes.length) { return null; }
    var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    boxes.forEach(function (b) { x0 = Math.min(x0, b.x); y0 = Math.min(y0, b.y); x1 = Math.max(x1, b.x + b.w); y1 = Math.max(y1, b.y + b.h); });
    return {x: x0, y: y0, w: x1 - x0, h: y1 - y0};
  }
  // The part of the view a box should lie in (in the drawing's units): inside the margins, below the bar.
  function room_() {
    var a = area(), m = MARGIN / view.s;
    return {x: view.x + m, y: view.y + inset() / view.s + m, w: a.w / view.s - 2 * m, h: (a.h - inset()) / view.s - 2 * m};
  }
  // Bring what a step is about into view: the first of `wanted` (boxes, most context first) that
  // fits the view; if it already lies inside, nothing moves; else it is centred (and the view kept
  // on the drawing). `chosen`: the page picks the zoom (the reader has not zoomed).
  function focus(wanted, chosen) {
    var boxes = wanted.map(function (list) { return union(list.map(function (e) { return e ? unitsOf(e) : null; })); })
      .filter(Boolean);
    if (chosen) {
      if (fitsWhole()) { fit(); return; }
      view.s = readScale(svg);
    }
    if (!boxes.length) { draw(); return; }
    var r = room_(), most = boxes[0];
    var box = boxes.filter(function (b) { return b.w <= r.w && b.h <= r.h; })[0] || boxes[boxes.length - 1];
    if (box.x >= r.x && box.x + box.w <= r.x + r.w && box.y >= r.y && box.y + box.h <= r.y + r.h) { draw(); return; }
    // centred on the most context, moved as little as keeps the box that fits inside the room, and
    // off its edges (up to a sixth of it on each side) where the box leaves space for that
    var ix = Math.min(r.w / 6, (r.w - box.w) / 2), iy = Math.min(r.h / 6, (r.h - box.h) / 2);
    if (ix > 0) { r.x += ix; r.w -= 2 * ix; }
    if (iy > 0) { r.y += iy; r.h -= 2 * iy; }
    var dx = r.x - view.x, dy = r.y - view.y;  // the room's offset in the view
    view.x = Math.min(box.x - dx, Math.max(box.x + box.w - r.w - dx, most.x + most.w / 2 - dx - r.w / 2));
    view.y = Math.min(box.y - dy, Math.max(box.y + box.h - r.h - dy, most.y + most.h / 2 - dy - r.h / 2));
    if (chosen || !zoomed) { clampView(); }
    draw();
  }
  stage.addEventListener("wheel", function (event) {
    event.preventDefault();
    var st = stage.getBoundingClientRect();
    zoomAt(Math.exp(-event.deltaY * (event.deltaMode === 1 ? 0.05 : 0.0015)), event.clientX - st.left, event.clientY - st.top);
  }, {passive: false});
  var drag = null;
  stage.addEventListener("pointerdown", function (event) {
    if (event.target.closest("button, .gg-minimap")) { return; }
    var hit = event.target.closest ? event.target.closest("g.node.expandable") : null;
    var title = hit && hit.querySelector("title");
    drag = {x: event.clientX, y: event.clientY, id: event.pointerId, moved: 0, group: title ? title.textContent : null};
    stage.setPointerCapture(event.pointerId);
    stage.classList.add("dragging");
  });
  stage.addEventListener("pointermove", function (event) {
    if (!drag || event.pointerId !== drag.id) { return; }
    drag.moved += Math.abs(event.clientX - drag.x) + Math.abs(event.clientY - drag.y);
    if (drag.moved >= 6) { panned = true; whole = false; }
    view.x -= (event.clientX - drag.x) / view.s;
    view.y -= (event.clientY - drag.y) / view.s;
    drag.x = event.clientX;
    drag.y = event.clientY;
    draw();
  });
  function release(event) {  // a press that did not move is a click: on a collapsed group, it opens
    var clicked = drag && event.type === "pointerup" && drag.moved < 6 ? drag.group : null;
    drag = null;
    stage.classList.remove("dragging");
    if (clicked && !expanded) { open(clicked); }
  }
  stage.addEventListener("pointerup", release);
  stage.addEventListener("pointercancel", release);

  // -- the minimap: the whole drawing small (its shapes, no text) in the stage's corner, the part
  // in view outlined, the active gate ringed; pressing or dragging on it moves the view there.
  var NS = main.namespaceURI;  // SVG's (the page holds no URL, not even this one)
  var MINI_W = 240;  // at most this wide (CSS px), a quarter of the stage's width, 30 % of its height
  var mini = {frame: gg.el("div", {className: "gg-minimap"}), drawing: null, target: null};
  mini.frame.hidden = true;
  mini.frame.setAttribute("aria-hidden", "true");  // a pointer's shortcut; the keys and "fit" do the same
  mini.frame.title = data.text.minimap || "";
  stage.appendChild(mini.frame);
  function miniOf(drawing, box) {  // the drawing's minimap (made once): a copy of its shapes; box: its whole
    if (drawing.ggMini) { return drawing.ggMini; }
    var small = gg.shapesOf(drawing, box);
    var rect = document.createElementNS(NS, "rect"), ring = document.createElementNS(NS, "circle");
    rect.setAttribute("class", "seen");
    ring.setAttribute("class", "here");
    small.appendChild(rect);
    small.appendChild(ring);
    drawing.ggMini = {svg: small, box: box, rect: rect, ring: ring};
    return drawing.ggMini;
  }
  function drawMini() {
    var a = area(), w = a.w / view.s, h = a.h / view.s;
    var all = view.x <= graph.x && view.y <= graph.y && view.x + w >= graph.x + graph.w && view.y + h >= graph.y + graph.h;
    mini.frame.hidden = all;
    if (all) { return; }
    var m = miniOf(svg, graph);
    if (mini.drawing !== m) { mini.frame.textContent = ""; mini.frame.appendChild(m.svg); mini.drawing = m; }
    var width = Math.min(MINI_W, 0.25 * a.w), height = width * m.box.h / m.box.w;
    if (height > 0.3 * a.h) { height = 0.3 * a.h; width = height * m.box.w / m.box.h; }
    mini.frame.style.width = Math.round(width) + "px";
    mini.frame.style.height = Math.round(height) + "px";
    // in the bottom right corner, or the bottom left one when the active part lies under it
    var st = stage.getBoundingClientRect(), on = mini.target && mini.target.getBoundingClientRect();
    mini.frame.classList.toggle("left", !!on && on.right > st.right - width - 16 && on.bottom > st.bottom - height - 16 &&
                                        on.width > 0);
    var unit = m.box.w / width;  // drawing units per minimap pixel
    m.rect.setAttribute("x", String(view.x));
    m.rect.setAttribute("y", String(view.y + inset() / view.s));
    m.rect.setAttribute("width", String(w));
    m.rect.setAttribute("height", String(h - inset() / view.s));
    var t = mini.target && unitsOf(mini.target);
    m.ring.style.display = t ? "" : "none";
    if (t) {
      m.ring.setAttribute("cx", String(t.x + t.w / 2));
      m.ring.setAttribute("cy", String(t.y + t.h / 2));
      m.ring.setAttribute("r", String(Math.max(5 * unit, Math.min(t.w, t.h) / 2)));
    }
  }
  var miniDrag = null;
  function miniMove(event) {  // centre the view on the point of the drawing under the pointer
    var m = mini.drawing, at = m.svg.getBoundingClientRect();
    var scale = Math.min(at.width / m.box.w, at.height / m.box.h);  // the minimap's px per unit (meet)
    var x = m.box.x + (event.clientX - at.left - (at.width - m.box.w * scale) / 2) / scale;
    var y = m.box.y + (event.clientY - at.top - (at.height - m.box.h * scale) / 2) / scale;
    panned = true; whole = false;
    centre(x, y);
    draw();
  }
  mini.frame.addEventListener("pointerdown", function (event) {
    event.preventDefault();
    event.stopPropagation();
    miniDrag = event.pointerId;
    mini.frame.setPointerCapture(event.pointerId);
    miniMove(event);
  });
  mini.frame.addEventListener("pointermove", function (event) { if (miniDrag === event.pointerId) { miniMove(event); } });
  ["pointerup", "pointercancel"].forEach(function (name) {
    mini.frame.addEventListener(name, function () { miniDrag = null; });
  });

  // -- opening a group: its own gate-by-gate drawing takes the stage; "back" or Esc returns. A
  // group opened by a click goes to its step (so the caption is about it); stepping on while a group
  // is open opens the group of that step, or returns to the whole drawing at a step of no group.
  var expanded = null, saved = null;
  var bar = document.getElementById("expanded"), barTitle = document.getElementById("expanded-title");
  function unitStep(id) {
    for (var k = 0; k < frames.length; k++) { if (frames[k].u === id) { return k; } }
    return -1;
  }
  function open(id) {
    if (!groups[id] || !groups[id].gates) { return; }
    expand(id);
    var k = unitStep(id);
    if (k >= 0 && k !== current) { show(k); }
  }
  function expand(id) {
    var group = groups[id];
    if (!group || !group.gates) { return; }
    if (expanded) { svg.classList.remove("open"); } else { saved = {x: view.x, y: view.y, s: view.s}; }
    expanded = id;
    svg = group.gates;
    graph = boxOf(svg);
    svg.classList.add("open");
    stage.classList.add("expanded");
    barTitle.textContent = gg.fill(data.text["gates of"], {name: id});
    bar.hidden = false;
    document.body.setAttribute("data-expanded", id);
    // the group's drawing may be taller than the one the stage was shrunk to: room for it at a
    // readable size below the bar, up to the stage's own height
    var across = Math.min(MOST, (area().w - 2 * PAD) / graph.w);
    var need = Math.ceil(graph.h * Math.max(across, readScale(svg)) + 2 * PAD + inset());
    setHeight(Math.max(SHORTEST, Math.min(tallest, need)) + "px");
    if (fitsWhole()) { fit(); return; }
    // too large to read whole: readable, at its inputs and weights (drawn at the left), where the
    // gradients the caption tells of arrive; the minimap shows the rest
    view.s = readScale(svg);
    centre(graph.x, graph.y + graph.h / 2);
    clampView();
    draw();
  }
  function collapse() {
    if (!expanded) { return; }
    svg.classList.remove("open");
    stage.classList.remove("expanded");
    bar.hidden = true;
    expanded = null;
    svg = main;
    graph = boxOf(svg);
    view.x = saved.x; view.y = saved.y; view.s = saved.s;
    setHeight(shrunk);
    document.body.removeAttribute("data-expanded");
    draw();
    if (current >= 0) { follow(frames[current]); }
  }
  if (bar) { document.getElementById("back").addEventListener("click", collapse); }
  document.getElementById("zoom-in").addEventListener("click", function () { zoomCentre(1.25); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoomCentre(0.8); });
  document.getElementById("fit").addEventListener("click", fitPressed);
  // The stage's size changes: when the page first gets one (a notebook shows its output's frame
  // with content-visibility: auto, so the page may run at 0 × 0), with the window, or with what an
  // add-on puts above it. Until the reader zooms or pans the page makes its view again (or fits
  // again after "fit"); after, the centre of the view stays where it was.
  var pending = false;
  function resized() {
    pending = false;
    if (!stage.clientWidth || !stage.clientHeight) { return; }  // hidden: nothing to fit to yet
    if (current >= 0) { writeCaption(frames[current].c); }  // folded to the new width
    if (!expanded && (whole || !(zoomed || panned))) {
      layout();
      if (whole) { fit(); } else if (current >= 0) { follow(frames[current]); } else { fit(); }
      return;
    }
    var now = area();
    if (now.w === size.w && now.h === size.h) { return; }
    var x = view.x + size.w / 2 / view.s, y = view.y + size.h / 2 / view.s;
    size = now;
    view.x = x - now.w / 2 / view.s;
    view.y = y - now.h / 2 / view.s;
    draw();
  }
  function later() {  // once per frame, after the browser's layout (a resize inside a ResizeObserver's
    if (!pending) { pending = true; window.requestAnimationFrame(resized); }  // callback would loop)
  }
  if (window.ResizeObserver) { new ResizeObserver(later).observe(stage); }
  window.addEventListener("resize", later);

  // -- frames: the gradient texts are the updates of frames 0..i, applied in order.
  var marked = [];
  function mark(element, name) { if (element) { element.classList.add(name); marked.push([element, name]); } }
  // What a frame is about, as lists of the drawing's parts, the most context first: the active
  // gate with its output and its inputs, then fewer; a group with its edges, then alone; the
  // output on the forward frame.
  function about(frame) {
    if (frame.a !== null && frame.a !== undefined) {
      var n = nodes[frame.a], inputs = data.nodes[frame.a].p.map(function (p) { return nodes[p].group; });
      return [[n.gate, n.group].concat(inputs), [n.gate, n.group], [n.gate || n.group]];
    }
    var unit = frame.u ? groups[frame.u] : null;
    if (unit) { return [[unit.node].concat(unit.edges), [unit.node]]; }
    var root = nodes[data.root];
    return [[root.group || root.gate]];
  }
  // Bring the frame's part into view: at the page's zoom until the reader zooms; or, with a group
  // open, open the group this frame steps (or return to the whole drawing at a step of no group).
  function follow(frame) {
    if (expanded) {
      if (frame.u && frame.u !== expanded && groups[frame.u] && groups[frame.u].gates) { expand(frame.u); }
      else if (!frame.u) { collapse(); }
      return;
    }
    var parts = about(frame);
    mini.target = parts[parts.length - 1][0] || null;
    focus(parts, !zoomed);
  }
  // The caption: the title (less the "Step k of n: " the counter already shows), the facts, the
  // rule. A list of facts taller than LINES lines on screen folds: the facts without a
  // contribution first, then the largest contributions, as many as fit, and a "show all" toggle.
  var LINES = 6;
  var prefix = data.text.prefix ? new RegExp("^" + data.text.prefix.replace(/[.*+?^$()|[\]\\]/g, "\\$&")
    .replace(/\{index\}|\{total\}/g, "\\d+")) : null;
  var unfolded = false;
  function amount(line) {  // the largest contribution a fact reports ("… × … = c", maybe several), or null
    var each = /×[^=]*=\s*(-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?|-?inf|nan)/g, found, most = null;
    while ((found = each.exec(line)) !== null) {
      var size = Math.abs(found[1].indexOf("inf") >= 0 ? Infinity : parseFloat(found[1])) || 0;  // nan: 0
      most = most === null ? size : Math.max(most, size);
    }
    return most;
  }
  function largestFirst(lines) {  // the facts without a contribution in place, the others by size
    var head = [], tail = [], rest = [];
    lines.forEach(function (line, k) {
      var size = amount(line);
      if (size === null) { (rest.length ? tail : head).push(line); } else { rest.push({line: line, size: size, k: k}); }
    });
    rest.sort(function (a, b) { return b.size - a.size || a.k - b.k; });
    return head.concat(rest.map(function (r) { return r.line; }), tail);
  }
  function listOf(lines) {
    var list = gg.el("ul");
    lines.forEach(function (line) { list.appendChild(gg.el("li", {textContent: line})); });
    return list;
  }
  function writeCaption(c) {
    caption.textContent = "";
    var title = prefix ? c[0].replace(prefix, "") : c[0];
    var head = caption.appendChild(gg.el("h2", {textContent: title.charAt(0).toUpperCase() + title.slice(1)}));
    var list = caption.appendChild(listOf(c[1]));
    var rule = c[2] ? caption.appendChild(gg.el("p", {textContent: c[2], className: "rule"})) : null;
    var style = window.getComputedStyle(list);
    var line = 1.1 * (parseFloat(style.lineHeight) || 1.2 * parseFloat(style.fontSize));  // with the items' margins
    // at most LINES lines, and no more than the caption's box shows beside the title and the rule
    var room = caption.clientHeight - head.offsetHeight - (rule ? rule.offsetHeight : 0) - 8;
    var budget = Math.max(line, Math.min(LINES * line, room));
    // a gate's three facts (upstream, its two inputs) never fold; nor a list not laid out yet
    if (c[1].length <= 3 || !(list.offsetHeight > budget)) { return; }
    var folded = listOf(largestFirst(c[1]));
    folded.className = "folded";
    caption.replaceChild(folded, list);
    var items = folded.children, shown = items.length;
    // (two facts at least: where the gradient arrives and the largest contribution; the rule may scroll)
    while (shown > 2 && folded.offsetHeight > budget) { items[--shown].className = "more"; }
    // the toggle sits on the title's line, so it shows without scrolling
    var toggle = head.appendChild(gg.el("button", {type: "button", className: "show-all"}));
    function say() {
      folded.classList.toggle("open", unfolded);
      toggle.textContent = unfolded ? data.text["show fewer"] : gg.fill(data.text["show all"], {n: items.length});
      toggle.setAttribute("aria-expanded", String(unfolded));
    }
    toggle.addEventListener("click", function () { unfolded = !unfolded; say(); });
    say();
  }
  function show(i) {
    i = Math.max(0, Math.min(frames.length - 1, i));
    var texts = nodes.map(function () { return data.pending; });
    for (var k = 0; k <= i; k++) {
      frames[k].s.forEach(function (u) { texts[u[0]] = u[1]; });
    }
    nodes.forEach(function (n, j) {
      if (n.shown !== texts[j]) {
        cells[j].forEach(function (cell) { cell.textContent = texts[j]; });
        n.shown = texts[j];
      }
    });
    marked.forEach(function (m) { m[0].classList.remove(m[1]); });
    marked = [];
    var frame = frames[i];
    if (frame.a !== null) {
      var active = nodes[frame.a];
      mark(active.gate, "active");
      mark(active.group, "current");
      active.edges.forEach(function (e) { mark(e, "hot"); });
    }
    var unit = frame.u ? groups[frame.u] : null;
    if (unit) {
      mark(unit.node, "active");
      mark(unit.node, "current");
      unit.edges.forEach(function (e) { mark(e, "hot"); });
    }
    frame.t.forEach(function (j) {
      mark(nodes[j].group, "touched");
      shades[j].forEach(function (e) { mark(e, "touched"); });
    });
    writeCaption(frame.c);
    current = i;
    slider.value = String(i);
    // one counter: the forward pass is step 0, then one step per gate (or group)
    counter.textContent = gg.fill(data.text.counter, {i: i, n: frames.length - 1});
    prev.disabled = i === 0;
    next.disabled = i === frames.length - 1;
    document.body.setAttribute("data-frame", String(i));
    follow(frame);
    gg.emit("frame", i);
  }
  prev.addEventListener("click", function () { show(current - 1); });
  next.addEventListener("click", function () { show(current + 1); });
  slider.addEventListener("input", function () { show(parseInt(slider.value, 10)); });
  // Keys typed into a field (a what-if number, a worksheet's answer, any input, select, text
  // area or editable text) belong to it: "-0.5" is a number there, not a zoom out.
  function inField(target) {
    return !!(target && target.closest && (target.isContentEditable || target.closest("input, textarea, select, [contenteditable]")));
  }
  document.addEventListener("keydown", function (event) {
    if (inField(event.target)) { return; }
    if (event.key === "Escape" && expanded) { collapse(); event.preventDefault(); return; }
    var step = {ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1}[event.key];
    if (event.key === "Home") { show(0); } else if (event.key === "End") { show(frames.length - 1); }
    else if (event.key === "+" || event.key === "=") { zoomCentre(1.25); }
    else if (event.key === "-") { zoomCentre(0.8); }
    else if (step) { show(current + step); } else { return; }
    event.preventDefault();
  });
  // -- what the add-ons use: the data, each node's parts in the drawing (nodes[i]: its group,
  // gate and edges; cells[i]: its gradient texts), the stage, stepping, new frames (what-if), and
  // relayout() after they put something above or below the stage.
  gg.provide("stepper", {
    data: data, nodes: nodes, cells: cells, stage: stage, show: show,
    current: function () { return current; },
    setFrames: function (f) { frames = f; slider.max = String(f.length - 1); },
    relayout: function () { resized(); }
  });
  if (stage.clientWidth && stage.clientHeight) { layout(); }
  fit();
  show(0);
  // In a notebook the page sits in a frame its host sizes (viz.html's loader): tell the host how
  // tall the page is and how tall its viewport, whenever that changes, so that the frame can take
  // what lies below the fold (a what-if panel, a worksheet's table) or give back what is empty.
  if (window.parent !== window && window.ResizeObserver) {
    var told = "";
    new ResizeObserver(function () {
      // the root element's own box (its content and margins), not its scrollHeight, which is never
      // less than the viewport
      var size = {gategraph: "size", height: Math.ceil(document.documentElement.getBoundingClientRect().height),
                  viewport: window.innerHeight};
      if (size.height + "/" + size.viewport !== told) {
        told = size.height + "/" + size.viewport;
        window.parent.postMessage(size, "*");  // two numbers, nothing of the page
      }
    }).observe(document.body);
  }
})();
