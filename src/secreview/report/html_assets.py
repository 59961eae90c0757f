"""The inline style sheet and script of the HTML report (kept apart so `html.py` reads as structure).

Severity has a colour and always a text label next to it, so the page reads the same in grey print
or to someone who does not tell red from orange. The script only shows and hides findings that are
already in the page; with scripts off, every finding stays visible.
"""

STYLE = """
:root {
  --ink: #1c2330; --muted: #5b6575; --line: #dde2ea; --paper: #ffffff; --wash: #f5f7fa;
  --code-bg: #f6f8fb; --accent: #2f5da8;
  --critical: #7d1128; --high: #c62828; --medium: #b86e00; --low: #4b6584;
  --critical-bg: #fbe4e8; --high-bg: #fdecea; --medium-bg: #fff4e0; --low-bg: #eaf0f6;
  --mono: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace;
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
html { background: var(--wash); }
body {
  margin: 0; color: var(--ink); line-height: 1.5; font-size: 15px;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif;
}
.wrap { max-width: 72rem; margin: 0 auto; padding: 0 1.25rem; }
code, pre { font-family: var(--mono); font-size: 0.86em; }
:not(pre) > code { background: var(--code-bg); border: 1px solid var(--line); border-radius: 4px;
  padding: 0 0.3em; overflow-wrap: anywhere; }
h1, h2, h3, h4 { line-height: 1.25; }
h2 { font-size: 1.2rem; margin: 2rem 0 0.75rem; }
table { border-collapse: collapse; width: 100%; background: var(--paper); border: 1px solid var(--line);
  border-radius: 6px; font-size: 0.92rem; }
th, td { text-align: left; padding: 0.45rem 0.7rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--wash); font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; }
tr.zero td { color: var(--muted); }
.note { color: var(--muted); }

.top { background: var(--paper); border-bottom: 1px solid var(--line); border-top: 6px solid var(--muted);
  padding: 1.25rem 0 1rem; }
.top.verdict-defects { border-top-color: var(--high); }
.top.verdict-incomplete { border-top-color: var(--medium); }
.top.verdict-clean { border-top-color: #2e7d4f; }
.brand { margin: 0; font-weight: 700; letter-spacing: 0.02em; color: var(--muted); }
.verdict-label { margin-left: 0.6rem; font-weight: 600; font-size: 0.8rem; text-transform: uppercase;
  border: 1px solid currentColor; border-radius: 999px; padding: 0.05rem 0.55rem; }
.verdict-defects .verdict-label { color: var(--high); }
.verdict-incomplete .verdict-label { color: var(--medium); }
.verdict-clean .verdict-label { color: #2e7d4f; }
#verdict { font-size: 1.6rem; margin: 0.4rem 0 0.8rem; }
.facts { display: flex; flex-wrap: wrap; gap: 0.4rem 1.75rem; margin: 0 0 0.9rem; }
.facts dt { font-size: 0.75rem; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); }
.facts dd { margin: 0; font-weight: 600; }
.severity-summary { display: flex; flex-wrap: wrap; gap: 0.5rem; list-style: none; padding: 0; margin: 0; }
.severity-summary li { border-radius: 6px; padding: 0.3rem 0.8rem; font-weight: 600; border: 1px solid; }
.severity-summary .n { font-size: 1.15rem; margin-right: 0.2rem; }
.severity-summary .zero { opacity: 0.55; }
.sev-critical { --sev: var(--critical); --sev-bg: var(--critical-bg); }
.sev-high { --sev: var(--high); --sev-bg: var(--high-bg); }
.sev-medium { --sev: var(--medium); --sev-bg: var(--medium-bg); }
.sev-low { --sev: var(--low); --sev-bg: var(--low-bg); }
.severity-summary li { color: var(--sev); background: var(--sev-bg); border-color: var(--sev); }
.change { margin-top: 1rem; }
.change h2 { margin: 0.5rem 0 0.3rem; font-size: 1rem; }
.change p { margin: 0.2rem 0; }
details > summary { cursor: pointer; color: var(--accent); margin: 0.4rem 0; }

.filters { position: sticky; top: 0; z-index: 2; background: var(--paper); border: 1px solid var(--line);
  border-radius: 0 0 8px 8px; padding: 0.6rem 0.9rem; margin: 0 0 1.25rem;
  display: flex; flex-wrap: wrap; gap: 0.5rem 1.5rem; align-items: flex-start;
  box-shadow: 0 2px 6px rgba(28, 35, 48, 0.06); }
.filters fieldset { border: 0; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 0.3rem;
  align-items: center; }
.filters legend { float: left; font-size: 0.75rem; text-transform: uppercase; letter-spacing: 0.04em;
  color: var(--muted); margin-right: 0.3rem; padding: 0; }
.choice { display: inline-flex; align-items: center; gap: 0.3rem; border: 1px solid var(--line); border-radius: 999px;
  padding: 0.1rem 0.6rem 0.1rem 0.4rem; font-size: 0.86rem; cursor: pointer; user-select: none;
  background: var(--paper); }
.choice.sev-critical, .choice.sev-high, .choice.sev-medium, .choice.sev-low {
  border-color: var(--sev); color: var(--sev); font-weight: 600; }
.choice:has(input:not(:checked)) { opacity: 0.5; text-decoration: line-through; }
.choice input { margin: 0; accent-color: var(--accent); }
.choice .n { color: var(--muted); font-weight: 400; font-size: 0.8rem; }
.filter-status { margin-left: auto; display: flex; align-items: center; gap: 0.75rem; }
.filter-status p { margin: 0; }
.filter-status button { font: inherit; font-size: 0.86rem; border: 1px solid var(--line); background: var(--wash);
  border-radius: 6px; padding: 0.15rem 0.7rem; cursor: pointer; }

.file { margin: 0 0 1.5rem; }
.file-head { font-size: 1.05rem; margin: 0 0 0.6rem; display: flex; gap: 0.75rem; align-items: baseline;
  flex-wrap: wrap; }
.file-head .path { font-family: var(--mono); overflow-wrap: anywhere; }
.file-count { color: var(--muted); font-weight: 400; font-size: 0.9rem; }
.finding { background: var(--paper); border: 1px solid var(--line); border-left: 5px solid var(--sev);
  border-radius: 8px; padding: 0.8rem 1.1rem 0.6rem; margin: 0 0 0.9rem; }
.finding-head { display: flex; align-items: center; gap: 0.6rem; flex-wrap: wrap; }
.finding-head h3 { margin: 0; font-size: 1rem; }
.finding-head .rule { font-weight: 700; }
.rule-name { color: var(--muted); font-weight: 500; }
.anchor { margin-left: auto; color: var(--muted); text-decoration: none; }
.badge { background: var(--sev); color: #fff; border-radius: 4px; padding: 0.05rem 0.5rem; font-size: 0.78rem;
  font-weight: 700; text-transform: uppercase; letter-spacing: 0.04em; }
.tag { border: 1px solid var(--muted); color: var(--muted); border-radius: 4px; padding: 0 0.45rem;
  font-size: 0.78rem; }
.finding .title { font-weight: 600; margin: 0.35rem 0 0.3rem; }
.meta { display: flex; flex-wrap: wrap; gap: 0.1rem 1.5rem; margin: 0 0 0.6rem; font-size: 0.88rem; }
.meta div { display: flex; gap: 0.4rem; min-width: 0; }
.meta dt { color: var(--muted); }
.meta dd { margin: 0; }
pre.code { background: var(--code-bg); border: 1px solid var(--line); border-radius: 6px; padding: 0.5rem 0;
  margin: 0.4rem 0; overflow-x: auto; line-height: 1.45; }
pre.code .line { display: block; padding: 0 0.8rem 0 0; white-space: pre; }
pre.code .ln { display: inline-block; min-width: 3.2rem; padding-right: 0.8rem; margin-right: 0.8rem; text-align: right;
  color: var(--muted); border-right: 1px solid var(--line); user-select: none; }
.message { margin: 0.5rem 0; }
.finding h4 { margin: 0.6rem 0 0.2rem; font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.04em;
  color: var(--muted); }
.trace ol { margin: 0.2rem 0; padding-left: 1.6rem; font-size: 0.92rem; }
.trace li { margin: 0.15rem 0; }
.step-code { display: block; width: fit-content; max-width: 100%; margin-top: 0.1rem; white-space: pre-wrap; }
.fix p { margin: 0.1rem 0 0.4rem; }
.suggestion pre.code { background: #eef8f1; border-color: #b9dcc4; }
.empty { color: var(--muted); font-style: italic; }
.empty-report { margin: 2rem 0; font-size: 1.05rem; }
.claim { margin-bottom: 0.8rem; }
footer { color: var(--muted); font-size: 0.85rem; border-top: 1px solid var(--line); margin-top: 2.5rem;
  padding-top: 0.5rem; padding-bottom: 2rem; }
@media print {
  .filters, .anchor { display: none; }
  .finding { break-inside: avoid; }
  html { background: #fff; }
}
"""

SCRIPT = """
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) { return; }
  var findings = Array.prototype.slice.call(document.querySelectorAll("article.finding"));
  var files = Array.prototype.slice.call(document.querySelectorAll("section.file"));
  var boxes = Array.prototype.slice.call(form.querySelectorAll("input[type=checkbox]"));

  function chosen(name) {
    var set = {};
    boxes.forEach(function (box) { if (box.name === name && box.checked) { set[box.value] = true; } });
    return set;
  }
  function plural(n) { return n + (n === 1 ? " finding" : " findings"); }

  function apply() {
    var severity = chosen("severity"), type = chosen("type"), pillar = chosen("pillar"), shown = 0;
    findings.forEach(function (f) {
      var visible = !!(severity[f.dataset.severity] && type[f.dataset.type] && pillar[f.dataset.pillar]);
      f.hidden = !visible;
      if (visible) { shown += 1; }
    });
    files.forEach(function (file) {
      var items = file.querySelectorAll("article.finding"), visible = 0;
      Array.prototype.forEach.call(items, function (f) { if (!f.hidden) { visible += 1; } });
      file.hidden = visible === 0;
      var count = file.querySelector(".file-count");
      count.textContent = visible === items.length ? plural(items.length)
        : visible + " of " + plural(items.length) + " shown";
    });
    document.getElementById("shown-count").textContent = String(shown);
    document.getElementById("none-shown").hidden = shown !== 0;
  }

  form.addEventListener("change", apply);
  document.getElementById("show-all").addEventListener("click", function () {
    boxes.forEach(function (box) { box.checked = true; });
    apply();
  });
  apply();
})();
"""
