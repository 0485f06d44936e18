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
  function boxOf(drawing) { var box = drawing.viewBox.baseVal; return {x: box.x, y: box.y, w: box.width, h: box.height}; }
  var graph = boxOf(svg);
  var view = {x: graph.x, y: graph.y, s: 1};
  var PAD = 12, MOST = 1.75;  // fitting never draws larger than 1.75 screen pixels per point
  var READABLE = 0.8;  // an expanded group opens at least this large (screen pixels per point)
  function area() { return {w: stage.clientWidth || 1, h: stage.clientHeight || 1}; }
  // the band the "gates of …" bar covers at the top of an expanded group's stage: fits leave it free
  function inset() { return expanded && bar ? bar.offsetHeight + 4 : 0; }
  function fitScale() {
    var a = area();
    return Math.max(1e-3, Math.min(MOST, (a.w - 2 * PAD) / graph.w, (a.h - 2 * PAD - inset()) / graph.h));
  }
  // The stage takes the height the page's layout leaves it (the viewport's, less the controls and
  // the caption); a short drawing gets a shorter stage, not a band of white above and below, and
  // the page is then no taller than its parts (what follows, a worksheet's table, moves up).
  var viewer = stage.parentNode, panel = viewer.querySelector(".panel");
  // tallest: the stage's height as the layout leaves it; shrunk: the height a short drawing gives
  // it ("": none); room: the caption panel's height beside a stage of the tallest height
  var tallest = 0, shrunk = "", room = 0;
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
    var need = Math.ceil(graph.h * fitScale() + 2 * PAD);
    shrunk = need < tallest ? Math.max(need, 240) + "px" : "";
    setHeight(shrunk);
  }
  function draw() {
    var a = area();
    size = a;  // the stage's size the view was drawn for (a resize keeps the centre of this view)
    svg.setAttribute("viewBox", [view.x, view.y, a.w / view.s, a.h / view.s].join(" "));
    svg.setAttribute("data-scale", String(view.s));
  }
  function centre(x, y) { var a = area(); view.x = x - a.w / 2 / view.s; view.y = y - a.h / 2 / view.s; }
  // steered: the reader zoomed or panned; until then a resize (a notebook's iframe laid out late,
  // a window made wider) fits the drawing again instead of keeping a fit made for another size
  var steered = false, size = {w: 0, h: 0};
  function fit() {
    steered = false;
    view.s = fitScale();
    centre(graph.x + graph.w / 2, graph.y + graph.h / 2);
    view.y -= inset() / 2 / view.s;  // the drawing's middle in the middle of the stage below the bar
    draw();
  }
  function zoomAt(factor, px, py) {  // keep the drawing's point under (px, py) where it is
    steered = true;
    var ux = view.x + px / view.s, uy = view.y + py / view.s;
    view.s = Math.max(fitScale() / 4, Math.min(8, view.s * factor));
    view.x = ux - px / view.s;
    view.y = uy - py / view.s;
    draw();
  }
  function zoomCentre(factor) { var a = area(); zoomAt(factor, a.w / 2, a.h / 2); }
  function reveal(element) {  // pan (never zoom) so the element is in view, if it is not
    if (!element) { return; }
    var at = element.getBoundingClientRect(), st = stage.getBoundingClientRect(), m = 8;
    if (at.left >= st.left + m && at.right <= st.right - m && at.top >= st.top + m && at.bottom <= st.bottom - m) {
      return;
    }
    view.x += (at.left + at.width / 2 - (st.left + st.width / 2)) / view.s;
    view.y += (at.top + at.height / 2 - (st.top + st.height / 2)) / view.s;
    draw();
  }
  stage.addEventListener("wheel", function (event) {
    event.preventDefault();
    var st = stage.getBoundingClientRect();
    zoomAt(Math.exp(-event.deltaY * (event.deltaMode === 1 ? 0.05 : 0.0015)), event.clientX - st.left, event.clientY - st.top);
  }, {passive: false});
  var drag = null;
  stage.addEventListener("pointerdown", function (event) {
    if (event.target.closest("button")) { return; }
    var hit = event.target.closest ? event.target.closest("g.node.expandable") : null;
    var title = hit && hit.querySelector("title");
    drag = {x: event.clientX, y: event.clientY, id: event.pointerId, moved: 0, group: title ? title.textContent : null};
    stage.setPointerCapture(event.pointerId);
    stage.classList.add("dragging");
  });
  stage.addEventListener("pointermove", function (event) {
    if (!drag || event.pointerId !== drag.id) { return; }
    drag.moved += Math.abs(event.clientX - drag.x) + Math.abs(event.clientY - drag.y);
    if (drag.moved >= 6) { steered = true; }
    view.x -= (event.clientX - drag.x) / view.s;
    view.y -= (event.clientY - drag.y) / view.s;
    drag.x = event.clientX;
    drag.y = event.clientY;
    draw();
  });
  function release(event) {  // a press that did not move is a click: on a collapsed group, it expands
    var clicked = drag && event.type === "pointerup" && drag.moved < 6 ? drag.group : null;
    drag = null;
    stage.classList.remove("dragging");
    if (clicked && !expanded) { expand(clicked); }
  }
  stage.addEventListener("pointerup", release);
  stage.addEventListener("pointercancel", release);

  // -- expanding a group: its own gate-by-gate drawing takes the stage; "back" or Esc returns.
  var expanded = null, saved = null;
  var bar = document.getElementById("expanded"), barTitle = document.getElementById("expanded-title");
  function expand(id) {
    var group = groups[id];
    if (!group || !group.gates) { return; }
    saved = {x: view.x, y: view.y, s: view.s};
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
    var need = Math.ceil(graph.h * Math.max(across, READABLE) + 2 * PAD + inset());
    setHeight(Math.max(240, Math.min(tallest, need)) + "px");
    fit();
    if (view.s < READABLE) {  // a long neuron (a chain of + gates) fitted whole is too small to read:
      view.s = READABLE;      // start readable, at its output (drawn last), where its backward pass starts
      draw();
      var drawn = svg.querySelectorAll("g.node");
      if (drawn.length) { centreOn(drawn[drawn.length - 1]); }
      view.x -= area().w / 4 / view.s;  // the output three quarters across: the gates before it in view
      view.y = graph.y + graph.h / 2 - (area().h + inset()) / 2 / view.s;  // whole height, below the bar
      draw();
    }
  }
  function centreOn(element) {
    var at = element.getBoundingClientRect(), st = stage.getBoundingClientRect();
    view.x += (at.left + at.width / 2 - (st.left + st.width / 2)) / view.s;
    view.y += (at.top + at.height / 2 - (st.top + st.height / 2)) / view.s;
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
  }
  if (bar) { document.getElementById("back").addEventListener("click", collapse); }
  document.getElementById("zoom-in").addEventListener("click", function () { zoomCentre(1.25); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoomCentre(0.8); });
  document.getElementById("fit").addEventListener("click", fit);
  // The stage's size changes: when the page first gets one (a notebook shows its output's frame
  // with content-visibility: auto, so the page may run at 0 × 0), with the window, or with what an
  // add-on puts above it. Until the reader zooms or pans the drawing is fitted again; after, the
  // centre of the view stays where it was.
  var pending = false;
  function resized() {
    pending = false;
    if (!stage.clientWidth || !stage.clientHeight) { return; }  // hidden: nothing to fit to yet
    if (!steered && !expanded) { layout(); fit(); return; }
    var now = area();
    if (now.w === size.w && now.h === size.h) { return; }
    var x = view.x + size.w / 2 / view.s, y = view.y + size.h / 2 / view.s;
    size = now;
    centre(x, y);
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
    caption.textContent = "";
    caption.appendChild(gg.el("h2", {textContent: frame.c[0]}));
    var list = document.createElement("ul");
    if (frame.c[1].length > 6) { list.className = "many"; }
    frame.c[1].forEach(function (line) { list.appendChild(gg.el("li", {textContent: line})); });
    caption.appendChild(list);
    if (frame.c[2]) { caption.appendChild(gg.el("p", {textContent: frame.c[2], className: "rule"})); }
    current = i;
    slider.value = String(i);
    counter.textContent = gg.fill(data.text.counter, {i: i + 1, n: frames.length});
    prev.disabled = i === 0;
    next.disabled = i === frames.length - 1;
    document.body.setAttribute("data-frame", String(i));
    if (!expanded) { reveal(frame.a !== null ? nodes[frame.a].gate : unit ? unit.node : null); }
    gg.emit("frame", i);
  }
  prev.addEventListener("click", function () { show(current - 1); });
  next.addEventListener("click", function () { show(current + 1); });
  slider.addEventListener("input", function () { show(parseInt(slider.value, 10)); });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && expanded) { collapse(); event.preventDefault(); return; }
    if (event.target === slider) { return; }  // the slider moves itself with the arrow keys
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
})();
