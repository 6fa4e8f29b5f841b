// Replydesk's own script: small, dependency-free behaviour on top of htmx.
// The pages work without it; it adds the CSRF header to htmx requests.
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
  window.Replydesk = window.Replydesk || {};
  window.Replydesk.csrfToken = csrfToken;
})();
