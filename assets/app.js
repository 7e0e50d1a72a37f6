// physioplan page behaviour, kept out of the pages (the CSP allows no inline script).
// Everything here only helps: every form still works without it.
(function () {
  "use strict";

  // A form that failed validation: move focus to its summary so it is read first.
  function focusErrors() {
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  }

  // Assessment section menu: how many answers each section holds.
  var SKIP = { csrf_token: true, version: true, kind: true };
  function countAnswers(section) {
    var seen = {};
    var n = 0;
    section.querySelectorAll("[name]").forEach(function (el) {
      var name = el.name;
      if (!name || SKIP[name] || name.indexOf("m.") === 0 || seen[name]) { return; }
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) { return; }
      if (el.type === "hidden" || el.type === "button" || el.type === "submit") { return; }
      if (String(el.value).trim() === "") { return; }
      seen[name] = true;
      n += 1;
    });
    return n;
  }
  function updateProgress() {
    document.querySelectorAll("[data-count]").forEach(function (span) {
      var section = document.getElementById(span.getAttribute("data-count"));
      if (!section) { return; }
      var n = countAnswers(section);
      span.textContent = n > 0 ? n + " answered" : "\u2013";
      var item = span.closest("li");
      if (item) { item.classList.toggle("done", n > 0); }
    });
  }

  // Red-flag screen: "All negative" answers every item not marked positive as negative.
  function allNegative(button) {
    var section = document.getElementById(button.getAttribute("data-section"));
    if (!section) { return; }
    section.querySelectorAll("select").forEach(function (select) {
      var hasNegative = Array.prototype.some.call(select.options, function (o) { return o.value === "negative"; });
      if (hasNegative && select.value !== "positive") {
        select.value = "negative";
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
    updateProgress();
  }

  // Body chart: a region mirrors its checkbox; clicking the region toggles the checkbox.
  function syncChart() {
    document.querySelectorAll("svg.body-chart [data-for]").forEach(function (region) {
      var box = document.getElementById(region.getAttribute("data-for"));
      if (box) { region.classList.toggle("on", box.checked); }
    });
  }
  function toggleRegion(region) {
    var box = document.getElementById(region.getAttribute("data-for"));
    if (!box) { return; }
    box.checked = !box.checked;
    box.dispatchEvent(new Event("change", { bubbles: true }));
    syncChart();
    updateProgress();
  }

  // After an htmx swap: focus what the server marked (e.g. the safety engine's answer).
  function focusMarked(event) {
    var target = event.detail && event.detail.elt ? event.detail.elt : document;
    var marked = (target.querySelector && target.querySelector("[data-autofocus]")) || document.querySelector("[data-autofocus]");
    if (marked) { marked.removeAttribute("data-autofocus"); marked.focus(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusErrors();
    var marked = document.querySelector("[data-autofocus]");
    if (marked && !document.getElementById("error-summary")) { marked.focus(); }
    document.querySelectorAll("p.all-negative[hidden]").forEach(function (p) { p.hidden = false; });
    document.querySelectorAll("button.all-negative").forEach(function (b) {
      b.addEventListener("click", function () { allNegative(b); });
    });
    document.querySelectorAll("svg.body-chart [data-for]").forEach(function (region) {
      region.addEventListener("click", function () { toggleRegion(region); });
    });
    var form = document.querySelector("form.assessment");
    if (form) {
      form.addEventListener("change", function () { syncChart(); updateProgress(); });
      form.addEventListener("input", updateProgress);
      updateProgress();
    }
    syncChart();
  });
  document.addEventListener("htmx:afterSwap", focusMarked);
  // Plan builder: after an item is added in place (the stage card swapped from the page the
  // add answered with), every form of the plan carries the newest version on the page. Only
  // after a success: the add was based on the current version, so the rest is current too.
  document.addEventListener("htmx:afterSwap", function (event) {
    var xhr = event.detail && event.detail.xhr;
    if (!xhr || xhr.status >= 300) { return; }
    var inputs = document.querySelectorAll("div.plan input[name=version]");
    var newest = 0;
    inputs.forEach(function (input) { newest = Math.max(newest, parseInt(input.value, 10) || 0); });
    if (newest > 0) { inputs.forEach(function (input) { input.value = String(newest); }); }
  });
  // Plan builder: after an in-place edit every other form of the plan carries the new version.
  document.addEventListener("plan-version", function (event) {
    var version = event.detail && event.detail.version;
    if (version === undefined) { return; }
    document.querySelectorAll("div.plan input[name=version]").forEach(function (input) { input.value = String(version); });
  });
})();
