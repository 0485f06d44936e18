// A worksheet: the learner types each gradient in a box (parsed by a strict number pattern and
// Number(), never evaluated), each answer is checked, its cell in the drawing shows it, and a
// wrong one gets a hint that escalates (the rule, then the numbers, then the answer). On an exercise checker's page instead: open
// at the first wrong step, its cell marked, a banner above the stage.
(function () {
  "use strict";
  var gg = gategraph, page = gg.use("stepper");
  var ws = gg.readData("ws-data");
  var say = ws.text, fill = gg.fill;
  if (ws.mode === "exercise") {
    page.show(ws.start);
    var wrong = page.nodes[ws.i].group;
    if (wrong) { wrong.classList.add("ws-wrong"); }
    page.stage.parentNode.insertBefore(document.getElementById("ws-banner"), page.stage);
    page.relayout();  // the banner took room from the stage
    return;
  }
  // the table goes into the viewport, between the drawing and the caption, so the first box is
  // in the first view (at 800×600 too); it scrolls in its own box when it is long
  var section = document.getElementById("ws"), panel = page.stage.parentNode.querySelector(".panel");
  page.stage.parentNode.insertBefore(section, panel && panel.parentNode === page.stage.parentNode ? panel : null);
  page.relayout();
  var NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
  function parse(typed) {  // a decimal number, or null: never evaluated as code
    var s = typed.trim().replace(/^\u2212/, "-");
    if (s.length > 40 || !NUMBER.test(s)) { return null; }
    var x = Number(s);
    return isFinite(x) ? x : null;
  }
  var state = {};  // cell index -> "right" | "wrong"
  var byIndex = {};
  ws.cells.forEach(function (c) { byIndex[c.i] = c; });
  var score = document.getElementById("ws-score");
  function tally() {
    var right = ws.cells.filter(function (c) { return state[c.i] === "right"; }).length;
    score.textContent = fill(say.score, {right: String(right), n: String(ws.cells.length)});
    document.body.setAttribute("data-right", String(right));
  }
  // A wrong answer's hint escalates with each wrong try at that box: 1st the rule of each gate
  // the node feeds (in words), 2nd also the numbers (upstream × local), 3rd also the answer.
  var tries = {};  // cell index -> wrong answers so far
  function hint(c) {
    var level = tries[c.i] = (tries[c.i] || 0) + 1;
    if (!c.uses.length) {
      var root = [fill(say.wrongRoot, {node: c.name})];
      return level >= 2 ? root.concat([fill(say.answer, {answer: c.shown})]) : root;
    }
    var lines = [fill(say.wrong, {node: c.name})];
    c.uses.forEach(function (u) { lines.push(fill(say.rule, {gate: u[3], node: c.name, rule: u[4]})); });
    if (level >= 2) {
      lines.push(say.again);
      c.uses.forEach(function (u) {
        var up = byIndex[u[0]];
        var fields = {upstream: up.d, local: u[2], lo: u[1], up: up.typed};
        lines.push(fill(state[up.i] === "right" ? say.use : say.usePending, fields));
      });
    }
    if (level >= 3) { lines.push(fill(say.answer, {answer: c.shown})); }
    return lines;
  }
  function check(c) {
    var typed = c.input.value;
    var group = page.nodes[c.i].group;
    function show(words) { page.cells[c.i].forEach(function (cell) { cell.textContent = words; }); }
    var verdict = document.getElementById("ws-v-" + c.i);
    verdict.textContent = "";
    c.row.className = "";
    if (group) { group.classList.remove("ws-right", "ws-wrong"); }
    verdict.removeAttribute("data-level");
    if (!typed.trim()) { delete state[c.i]; show(ws.pending); tally(); return; }
    var x = parse(typed);
    if (x === null) {
      delete state[c.i];
      c.row.className = "ws-refused";
      verdict.textContent = say.notNumber;
      show(ws.pending);
      tally();
      return;
    }
    var ok = Math.abs(x - c.answer) <= ws.rel * Math.abs(c.answer) + ws.abs;
    state[c.i] = ok ? "right" : "wrong";
    c.typed = typed.trim();
    c.row.className = ok ? "ws-right" : "ws-wrong";
    if (group) { group.classList.add(ok ? "ws-right" : "ws-wrong"); }
    show(ok ? c.shown : c.typed.slice(0, 10));
    if (ok) { verdict.textContent = say.right; } else {
      verdict.setAttribute("data-level", String(Math.min(3, (tries[c.i] || 0) + 1)));
      hint(c).forEach(function (line, k) {
        var p = document.createElement(k ? "div" : "p");
        p.textContent = line;
        verdict.appendChild(p);
      });
    }
    tally();
  }
  ws.cells.forEach(function (c) {
    c.input = document.getElementById("ws-in-" + c.i);
    c.row = c.input.closest("tr");
    c.typed = "";
    c.input.addEventListener("change", function () { check(c); });
    // keys typed in a box are the learner's ("-", "+", arrows), not the stepper's shortcuts
    c.input.addEventListener("keydown", function (event) { event.stopPropagation(); });
    var group = page.nodes[c.i].group;
    if (group) {  // the stage captures the pointer to pan, so a click is a press and release in one place
      group.addEventListener("pointerdown", function (event) { pressed = {c: c, x: event.clientX, y: event.clientY}; });
    }
  });
  var pressed = null;
  document.addEventListener("pointerup", function (event) {
    if (pressed && Math.abs(event.clientX - pressed.x) + Math.abs(event.clientY - pressed.y) < 5) { pressed.c.input.focus(); }
    pressed = null;
  });
  tally();
})();
