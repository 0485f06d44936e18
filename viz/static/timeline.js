// The training timeline: a slider over the recorded epochs moves the charts' markers and redraws
// the decision boundary, the weights and the point's graph's numbers for that epoch.
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
  function marker(id, marks) {
    var svg = document.getElementById(id);
    return {line: svg.querySelector(".mark"), dots: svg.querySelectorAll(".dot"), marks: marks};
  }
  var charts = [marker("loss-chart", data.loss), marker("acc-chart", data.acc)];
  // the graph's cells that change: the <text> elements of each node, by the node's <title>
  var groups = {};
  Array.prototype.forEach.call(document.querySelectorAll("#graph g.node"), function (g) {
    var title = g.querySelector("title");
    if (title) { groups[title.textContent] = g.querySelectorAll("text"); }
  });
  var cells = data.cells.map(function (c) { return (groups[c[0]] || [])[c[1]] || null; });
  var canvas = document.getElementById("boundary");
  var pointSize = 3;
  function drawBoundary(e) {
    var b = data.boundary;
    if (!b || !canvas) { return; }
    var ctx = canvas.getContext("2d"), size = canvas.width, cell = size / b.n, cls = b.cls[e];
    ctx.clearRect(0, 0, size, size);
    for (var r = 0; r < b.n; r++) {
      for (var c = 0; c < b.n; c++) {
        ctx.fillStyle = data.tints[+cls[r * b.n + c]];
        ctx.fillRect(Math.floor(c * cell), Math.floor(r * cell), Math.ceil(cell) + 1, Math.ceil(cell) + 1);
      }
    }
    ctx.strokeStyle = "white";
    b.pts.forEach(function (p) {
      ctx.beginPath();
      ctx.arc(p[0] * size, p[1] * size, pointSize, 0, 2 * Math.PI);
      ctx.fillStyle = data.colours[p[2] % data.colours.length];
      ctx.fill();
      ctx.stroke();
    });
    canvas.setAttribute("data-classes", cls);
  }
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
    var words = gg.fill(data.text.status, {loss: fmt(v[0][e]), acc: pct(v[1][e])});
    if (v[2].length) { words += " · " + gg.fill(data.text.val, {loss: fmt(v[2][e]), acc: pct(v[3][e])}); }
    status.textContent = words;
    charts.forEach(function (chart) {
      var m = chart.marks[e];
      chart.line.setAttribute("x1", m[0]);
      chart.line.setAttribute("x2", m[0]);
      Array.prototype.forEach.call(chart.dots, function (dot, k) {
        dot.setAttribute("cx", m[0]);
        dot.setAttribute("cy", m[k + 1]);
      });
    });
    drawBoundary(e);
    drawWeights(e);
    data.texts[e].forEach(function (t, j) { if (cells[j] && cells[j].textContent !== t) { cells[j].textContent = t; } });
    document.body.setAttribute("data-epoch", String(e + data.first));
  }
  slider.addEventListener("input", function () { show(parseInt(slider.value, 10)); });
  document.getElementById("prev").addEventListener("click", function () { show(parseInt(slider.value, 10) - 1); });
  document.getElementById("next").addEventListener("click", function () { show(parseInt(slider.value, 10) + 1); });
  show(n - 1);
})();
