// Replydesk's own script: small, dependency-free behaviour on top of htmx.
// The pages work without it; it adds the CSRF header to htmx requests and
// makes copy buttons copy.
(function () {
  "use strict";
  function csrfToken() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute("content") : "";
  }
  document.addEventListener("htmx:configRequest", function (e) {
    var t = csrfToken();
    if (t) e.detail.headers["X-CSRF-Token"] = t;
  });
  // Copy buttons: <button data-copy="#input-id"> copies that field's value.
  document.addEventListener("click", function (e) {
    var btn = e.target.closest ? e.target.closest("[data-copy]") : null;
    if (!btn) return;
    var src = document.querySelector(btn.getAttribute("data-copy"));
    if (!src) return;
    var text = "value" in src ? src.value : src.textContent;
    if (!btn.hasAttribute("data-label")) btn.setAttribute("data-label", btn.textContent);
    function done(ok) {
      btn.textContent = ok ? "Copied" : "Press Ctrl+C to copy";
      btn.setAttribute("data-copied", ok ? "true" : "false");
      clearTimeout(btn._copyTimer);
      btn._copyTimer = setTimeout(function () {
        btn.textContent = btn.getAttribute("data-label");
        btn.removeAttribute("data-copied");
      }, 1500);
    }
    function fallback() {
      var ok = false;
      if (src.select) src.select();
      try { ok = document.execCommand("copy"); } catch (_) { ok = false; }
      done(ok);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, fallback);
    } else {
      fallback();
    }
  });
  window.Replydesk = window.Replydesk || {};
  window.Replydesk.csrfToken = csrfToken;
})();
