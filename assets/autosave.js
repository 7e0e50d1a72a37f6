// Drafts as the clinician types, and finishing a save after signing in again. No inline
// scripts (CSP): this file is served from the binary like htmx.
//
// - A form marked data-autosave posts itself (htmx: hx-post, hx-trigger "input delay") to
//   its draft route. The answer's "pp:draft-saved" event says which draft the form now
//   edits and its version, so the next autosave and the final Save are based on it and a
//   reload opens the draft.
// - Save pressed while an autosave is on its way waits for it (so it carries the new
//   version); an autosave after Save is pressed is dropped.
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

  document.addEventListener("htmx:beforeRequest", function (e) {
    var form = autosaveForm(e.detail && e.detail.elt);
    if (!form) return;
    if (form.dataset.submitting === "1") {
      e.preventDefault();
    } else {
      form.dataset.saving = "1";
    }
  });

  document.addEventListener("htmx:afterRequest", function (e) {
    var form = autosaveForm(e.detail && e.detail.elt);
    if (!form) return;
    form.dataset.saving = "";
    if (form.dataset.submitAfter === "1") {
      form.dataset.submitAfter = "";
      form.dataset.submitting = "1";
      form.submit();
    }
  });

  document.addEventListener("submit", function (e) {
    var form = autosaveForm(e.target);
    if (!form) return;
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
