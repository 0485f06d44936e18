// The training timeline: a slider (or the play button) over the recorded epochs moves the charts'
// markers and redraws the decision boundary, the hidden neurons' heatmaps, the weights, and the
// point's graph: its numbers and its edges (coloured and weighted by each weight's sign and size).
(function () {
  "use strict";
  var gg = gategraph;
  var data = gg.readData("tl-data");
  var slider = document.getElementById("epoch");
  var counter = document.getElementById("counter");
  var status = document.getElementById("status");
  var n = data.epochs;
  var fmt = gg.fmt;  // as Python's f"{v:.4g}" (toPrecision printed 12345.6 as 12350)
  function pct(v) { return (100 * v).toFixed(1) + "%"; }
  function num(v) { return v === null ? "nan" : fmt(v); }
  function marker(id, marks) {
    var svg = document.getElementById(id);
    return {line: svg.querySelector(".mark"), dots: svg.querySelectorAll(".dot"), marks: marks};
  }
  var charts = [marker("loss-chart", data.loss), marker("acc-chart", data.acc)];

  // -- the point's graph: opened readable (its median text 11.5 px on screen) at the loss, the
  // whole shown in a minimap, or whole when it fits at that size; zoom and pan; cells and edges
  // change per epoch and the view stays where it is (the reader's or the page's)
  var stage = document.getElementById("graph");
  var drawing = stage.querySelector("svg");
  var whole = drawing.viewBox.baseVal, across = Math.min(1.5, (stage.clientWidth - 16) / whole.width);
  var need = Math.ceil(whole.height * Math.max(across, gg.readScale(drawing, 1.5)) + 16);
  if (need < stage.clientHeight) { stage.style.height = Math.max(need, 240) + "px"; }  // a short drawing: a shorter card
  function loss() {  // the node no edge leaves: the loss the graph ends in
    var from = {};
    Array.prototype.forEach.call(drawing.querySelectorAll("g.edge > title"), function (t) {
      from[t.textContent.split("->")[0]] = true;
    });
    var ends = Array.prototype.filter.call(drawing.querySelectorAll("g.node"), function (g) {
      var title = g.querySelector("title");
      return title && !from[title.textContent];
    });
    return ends[ends.length - 1] || null;
  }
  var zoom = gg.zoomable(stage, drawing, 1.5, {read: true, focus: loss});
  document.getElementById("zoom-in").addEventListener("click", function () { zoom.zoomCentre(1.25); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoom.zoomCentre(0.8); });
  document.getElementById("fit").addEventListener("click", zoom.fit);
  var groups = {};  // the <text> elements of each node, by the node's <title>
  Array.prototype.forEach.call(drawing.querySelectorAll("g.node"), function (g) {
    var title = g.querySelector("title");
    if (title) { groups[title.textContent] = g.querySelectorAll("text"); }
  });
  var cells = data.cells.map(function (c) { return (groups[c[0]] || [])[c[1]] || null; });
  var edges = data.edges.ids.map(function (id) {
    var g = document.getElementById(id);
    return g ? {g: g, path: g.querySelector("path"), head: g.querySelector("polygon")} : null;
  });
  var POSITIVE = "#2563eb", NEGATIVE = "#ea580c";  // as TensorFlow Playground: blue w > 0, orange w < 0
  function drawEdges(e) {
    var w = data.edges.w[e];
    edges.forEach(function (edge, k) {
      if (!edge) { return; }
      var q = w[k], t = Math.abs(q) / 99, colour = q >= 0 ? POSITIVE : NEGATIVE;
      edge.g.classList.add("weighted");
      edge.g.setAttribute("data-w", String(q));
      edge.path.style.stroke = colour;
      edge.path.style.strokeWidth = (0.4 + 4.6 * t).toFixed(2) + "px";
      edge.path.style.strokeOpacity = (0.25 + 0.75 * t).toFixed(2);
      if (edge.head) { edge.head.style.fill = colour; edge.head.style.stroke = colour; edge.head.style.fillOpacity = edge.path.style.strokeOpacity; }
    });
  }
  function drawGraph(e) {
    var texts = data.texts[e];
    stage.classList.toggle("other", texts === null);
    if (texts === null) {  // this epoch's graph has another shape: its numbers are not shown
      cells.forEach(function (cell) { if (cell) { cell.textContent = "\u2013"; } });
      return;
    }
    texts.forEach(function (t, j) { if (cells[j] && cells[j].textContent !== t) { cells[j].textContent = t; } });
  }

  // -- the decision boundary: class by colour, confidence by lightness, axes, the traced point ---
  var canvas = document.getElementById("boundary");
  var M = {l: 34, r: 6, t: 6, b: 30};  // the plot's margins inside the canvas (axes and tick labels)
  function drawBoundary(e) {
    var b = data.boundary;
    if (!b || !canvas) { return; }
    var ctx = canvas.getContext("2d"), W = canvas.width, H = canvas.height;
    var pw = W - M.l - M.r, ph = H - M.t - M.b, cw = pw / b.n, ch = ph / b.n, cls = b.cls[e], conf = b.conf[e];
    ctx.clearRect(0, 0, W, H);
    for (var r = 0; r < b.n; r++) {
      for (var c = 0; c < b.n; c++) {
        var i = r * b.n + c;
        ctx.fillStyle = b.shades[+cls[i] % b.shades.length][+conf[i]];
        ctx.fillRect(Math.floor(M.l + c * cw), Math.floor(M.t + r * ch), Math.ceil(cw) + 1, Math.ceil(ch) + 1);
      }
    }
    ctx.strokeStyle = "#9ca3af";
    ctx.lineWidth = 1;
    ctx.strokeRect(M.l + 0.5, M.t + 0.5, pw - 1, ph - 1);
    ctx.fillStyle = "#374151";
    ctx.font = "11px sans-serif";
    ctx.textAlign = "center";
    b.xticks.forEach(function (t) {
      var x = M.l + t[0] * pw;
      ctx.fillRect(Math.round(x), M.t + ph, 1, 4);
      ctx.fillText(t[1], x, M.t + ph + 15);
    });
    ctx.fillText("x1", M.l + pw / 2, H - 3);
    ctx.textAlign = "right";
    b.yticks.forEach(function (t) {
      var y = M.t + t[0] * ph;
      ctx.fillRect(M.l - 4, Math.round(y), 4, 1);
      ctx.fillText(t[1], M.l - 6, y + 4);
    });
    ctx.save();
    ctx.translate(10, M.t + ph / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = "center";
    ctx.fillText("x2", 0, 0);
    ctx.restore();
    ctx.strokeStyle = "white";
    b.pts.forEach(function (p) {
      ctx.beginPath();
      ctx.arc(M.l + p[0] * pw, M.t + p[1] * ph, 3, 0, 2 * Math.PI);
      ctx.fillStyle = data.colours[p[2] % data.colours.length];
      ctx.fill();
      ctx.stroke();
    });
    var traced = b.pts[b.point];  // the point whose graph is drawn below: a black ring
    ctx.beginPath();
    ctx.arc(M.l + traced[0] * pw, M.t + traced[1] * ph, 7, 0, 2 * Math.PI);
    ctx.lineWidth = 2.5;
    ctx.strokeStyle = "#111827";
    ctx.stroke();
    canvas.setAttribute("data-classes", cls);
  }

  // -- each first-hidden-layer neuron's output over the plane ----------------------------------
  var heatCanvases = document.querySelectorAll("#neurons canvas");
  function heat(level) {  // 0..20, 10 is 0: orange below, white at 0, blue above
    var t = Math.abs(level - 10) / 10, rgb = level < 10 ? [234, 88, 12] : [37, 99, 235];
    return [0, 1, 2].map(function (k) { return Math.round(255 - (255 - rgb[k]) * t); });
  }
  function drawNeurons(e) {
    var h = data.neurons;
    if (!h) { return; }
    Array.prototype.forEach.call(heatCanvases, function (cv, k) {
      var ctx = cv.getContext("2d"), map = h.maps[e][k], image = ctx.createImageData(h.n, h.n);
      for (var i = 0; i < map.length; i++) {
        var rgb = heat(map.charCodeAt(i) - 97);
        image.data[4 * i] = rgb[0];
        image.data[4 * i + 1] = rgb[1];
        image.data[4 * i + 2] = rgb[2];
        image.data[4 * i + 3] = 255;
      }
      ctx.putImageData(image, 0, 0);
    });
  }

  // -- a linear classifier's weights per class ---------------------------------------------------
  var weightCanvases = document.querySelectorAll("#weights canvas");
  function colour(v) {  // v in -99..99: blue for negative, white at 0, red for positive
    var t = Math.min(1, Math.abs(v) / 99), keep = Math.round(255 * (1 - t));
    return v >= 0 ? "rgb(255," + keep + "," + keep + ")" : "rgb(" + keep + "," + keep + ",255)";
  }
  function drawWeights(e) {
    var w = data.weights;
    if (!w) { return; }
    var ep = w.epochs[e], per = w.rows * w.cols;
    Array.prototype.forEach.call(weightCanvases, function (cv, k) {
      var ctx = cv.getContext("2d"), cw = cv.width / w.cols, ch = cv.height / w.rows;
      for (var i = 0; i < per; i++) {
        ctx.fillStyle = colour(ep.w[k * per + i]);
        ctx.fillRect(Math.floor((i % w.cols) * cw), Math.floor(Math.floor(i / w.cols) * ch), Math.ceil(cw), Math.ceil(ch));
      }
    });
    document.getElementById("wscale").textContent = "±" + fmt(ep.s);  // s is already rounded to 4 digits
  }

  function show(e) {
    e = Math.max(0, Math.min(n - 1, e));
    slider.value = String(e);
    counter.textContent = gg.fill(data.text.counter, {i: e + data.first, n: n - 1 + data.first});
    var v = data.values;
    var words = gg.fill(data.text.status, {loss: num(v[0][e]), acc: v[1][e] === null ? "nan" : pct(v[1][e])});
    if (v[2].length) { words += " · " + gg.fill(data.text.val, {loss: num(v[2][e]), acc: v[3][e] === null ? "nan" : pct(v[3][e])}); }
    status.textContent = words;
    charts.forEach(function (chart) {
      var m = chart.marks[e];
      chart.line.setAttribute("x1", m[0]);
      chart.line.setAttribute("x2", m[0]);
      Array.prototype.forEach.call(chart.dots, function (dot, k) {
        dot.setAttribute("cx", m[0]);
        if (m[k + 1] === null) { dot.setAttribute("visibility", "hidden"); return; }  // NaN: no dot
        dot.removeAttribute("visibility");
        dot.setAttribute("cy", m[k + 1]);
      });
    });
    drawBoundary(e);
    drawNeurons(e);
    drawWeights(e);
    drawEdges(e);
    drawGraph(e);
    document.body.setAttribute("data-epoch", String(e + data.first));
  }

  // -- play: one epoch a tick (the whole run in about 8 s), stopping at the last -----------------
  var play = document.getElementById("play"), timer = null, playWords = play.textContent;
  var pauseWords = "\u23f8 " + data.text.pause;
  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    play.textContent = playWords;
    play.setAttribute("aria-pressed", "false");
  }
  function start() {
    if (parseInt(slider.value, 10) >= n - 1) { show(0); }  // at the end: play from the start
    play.textContent = pauseWords;
    play.setAttribute("aria-pressed", "true");
    timer = setInterval(function () {
      var e = parseInt(slider.value, 10) + 1;
      show(e);
      if (e >= n - 1) { stop(); }
    }, Math.max(60, Math.min(500, 8000 / n)));
  }
  play.addEventListener("click", function () { if (timer === null) { start(); } else { stop(); } });
  slider.addEventListener("input", function () { stop(); show(parseInt(slider.value, 10)); });
  document.getElementById("prev").addEventListener("click", function () { stop(); show(parseInt(slider.value, 10) - 1); });
  document.getElementById("next").addEventListener("click", function () { stop(); show(parseInt(slider.value, 10) + 1); });
  show(0);
})();
