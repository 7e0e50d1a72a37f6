// Drafts as the clinician types, and finishing a save after signing in again. No inline
// scripts (CSP): this file is served from the binary like htmx.
//
// - A form marked data-autosave posts itself (htmx: hx-post, hx-trigger "input delay") to
//   its draft route. The answer's "pp:draft-saved" event says which draft the form now
//   edits and its version, so the next autosave and the final Save are based on it and a
//   reload opens the draft.
// - Save pressed while an autosave is on its way waits for it (so it carries the new
//   version); an autosave after Save is pressed is dropped.
// - The plan builder's in-place forms autosave through their own routes: requests not sent
//   by a submit carry "PP-Autosave: true", and the server answers with a status line in the
//   form's .autosave-status and the plan's new version (pp:draft-saved for this form,
//   plan-version for the page's other forms), so the next save is not stale. A form marked
//   data-autosave="row" (an item row) has its Save sent by htmx too: hx-sync queues it after
//   an autosave on its way, so it is left to htmx here.
// - A page with form[data-resume] (a held post, after signing in again) posts it at once.
(function () {
  "use strict";

  function autosaveForm(elt) {
    return elt && elt.hasAttribute && elt.hasAttribute("data-autosave") ? elt : null;
  }

  document.addEventListener("pp:draft-saved", function (e) {
    var form = autosaveForm(e.target);
    var d = e.detail || {};
    if (!form) return;
    if (d.version !== undefined) {
      var version = form.querySelector('input[name="version"]');
      if (!version) {
        version = document.createElement("input");
        version.type = "hidden";
        version.name = "version";
        form.appendChild(version);
      }
      version.value = String(d.version);
    }
    if (d.action) form.setAttribute("action", d.action);
    if (d.draft && form.getAttribute("hx-post") !== d.draft) {
      form.setAttribute("hx-post", d.draft);
      if (window.htmx) window.htmx.process(form);
    }
    if (d.url && window.location.pathname !== d.url) window.history.replaceState(null, "", d.url);
  });

  function htmxSubmits(form) {
    return form.getAttribute("data-autosave") === "row";
  }

  document.addEventListener("htmx:configRequest", function (e) {
    var form = autosaveForm(e.detail && e.detail.elt);
    var trigger = e.detail && e.detail.triggeringEvent;
    if (!form || (trigger && trigger.type === "submit")) return;
    e.detail.headers["PP-Autosave"] = "true";
  });

  document.addEventListener("htmx:beforeRequest", function (e) {
    var form = autosaveForm(e.detail && e.detail.elt);
    if (!form || htmxSubmits(form)) return;
    if (form.dataset.submitting === "1") {
      e.preventDefault();
    } else {
      form.dataset.saving = "1";
    }
  });

  document.addEventListener("htmx:afterRequest", function (e) {
    var form = autosaveForm(e.detail && e.detail.elt);
    if (!form || htmxSubmits(form)) return;
    form.dataset.saving = "";
    if (form.dataset.submitAfter === "1") {
      form.dataset.submitAfter = "";
      form.dataset.submitting = "1";
      form.submit();
    }
  });

  document.addEventListener("submit", function (e) {
    var form = autosaveForm(e.target);
    if (!form || htmxSubmits(form)) return;
    if (form.dataset.saving === "1") {
      e.preventDefault();
      form.dataset.submitAfter = "1";
    } else {
      form.dataset.submitting = "1";
    }
  });

  function resume() {
    var form = document.querySelector("form[data-resume]");
    if (form) form.submit();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", resume);
  } else {
    resume();
  }
})();
