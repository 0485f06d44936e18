// The gradient-check toggle: a table of each leaf's analytic and numeric gradient and their
// relative error, built with textContent only (a label is never parsed as HTML), and each leaf's
// group in the drawing outlined by its verdict.
(function () {
  "use strict";
  var gg = gategraph, page = gg.use("stepper");
  var check = gg.readData("gg-check");
  var T = check.text;
  var button = document.getElementById("check-toggle"), panel = document.getElementById("check-panel");
  var stale = document.querySelector(".gg-check .check-stale");
  button.textContent = T["check toggle"];
  stale.textContent = T["check stale"];
  function cell(row, tag, words, className) {
    var e = row.appendChild(gg.el(tag, {textContent: words}));
    if (className) { e.className = className; }
    return e;
  }
  panel.appendChild(gg.el("p", {className: "legend", textContent: T.legend}));
  var table = gg.el("table"), head = gg.el("tr");
  ["check leaf", "analytic", "numeric", "rel error", "check verdict"].forEach(function (key) { cell(head, "th", T[key]); });
  table.appendChild(head);
  var outlined = [];
  check.leaves.forEach(function (leaf) {
    var kind = leaf.verdict === "no step" ? "nostep" : leaf.verdict;
    var row = gg.el("tr", {className: kind});
    row.setAttribute("data-n", String(leaf.n));
    cell(row, "td", leaf.label, "leaf").title = leaf.label;
    leaf.shown.forEach(function (words) { cell(row, "td", words); });
    table.appendChild(row);
    var group = page.nodes[leaf.n] && page.nodes[leaf.n].group;  // a leaf inside a collapsed group is not drawn
    if (group) { outlined.push([group, "chk-" + (kind === "nostep" ? "kink" : kind)]); }
  });
  panel.appendChild(table);
  function set(on) {
    panel.hidden = !on;
    button.setAttribute("aria-pressed", on ? "true" : "false");
    outlined.forEach(function (o) { o[0].classList.toggle(o[1], on); });
    document.body.classList.toggle("checking", on);
  }
  button.addEventListener("click", function () { set(panel.hidden); });
  // on a what-if page the check holds for the inputs the page was written with only
  gg.on("whatif:edit", function () {
    set(false);
    button.disabled = true;
    stale.hidden = false;
  });
  gg.on("whatif:reset", function () { button.disabled = false; stale.hidden = true; });
})();
