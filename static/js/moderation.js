// Moderation on the inbox page, beside app.js: p opens the public reply box,
// h hides or unhides the comment (the checked rows: hides them all, paced
// by the server), ⌘/Ctrl+Enter in the public box posts it and never the
// private reply. It also counts the public reply's characters, picks
// public templates and shows the nudge's preview. Every word it shows
// comes from the server, in data- attributes.
(function () {
  "use strict";

  function $(sel, root) { return (root || document).querySelector(sel); }
  function $$(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function fill(format, values) {
    return format.replace(/\{(\w+)\}/g, function (_, k) { return k in values ? values[k] : ""; });
  }
  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName)) && el.type !== "checkbox";
  }

  // p: the open comment's public reply box; with none open, the cursor's
  // comment is opened first. The box takes the focus when the key is
  // released, so the key's own character never lands in it.
  var wantPublic = false, focusOnKeyUp = false;
  function openPublic(focus) {
    var box = $("#public-composer");
    if (!box) {
      var cur = $("#rows > .row.cursor");
      if (cur) { wantPublic = true; $(".row-main", cur).click(); }
      return;
    }
    box.open = true;
    if (!focus) { focusOnKeyUp = true; return; }
    var text = $("[data-testid=public-reply-text]", box);
    if (text) text.focus(); else $("summary, button", box).focus(); // a disabled one says why
  }
  document.addEventListener("keyup", function (e) {
    if (e.key === "p" && focusOnKeyUp) { focusOnKeyUp = false; openPublic(true); }
  });

  // h: the checked rows are hidden in bulk; else the open comment (or the
  // cursor's) is hidden, or shown again when it is hidden.
  function hideKey() {
    if ($$("#rows .row-check:checked").length) {
      var bulk = $("[data-testid=bulk-hide]");
      if (bulk) bulk.click();
      return;
    }
    var card = $("#detail .detail-card"), cur = $("#rows > .row.cursor");
    if (card && (!cur || cur.dataset.id === card.dataset.id)) {
      var btn = $("[data-testid=action-hide]");
      if (btn && !btn.disabled) btn.click();
      return;
    }
    if (!cur) return;
    htmx.ajax("POST", "/inbox/comments/" + encodeURIComponent(cur.dataset.id) + "/hide", {
      source: cur, target: "#detail", swap: "innerHTML",
      values: { hidden: cur.classList.contains("is-hidden") ? "false" : "true" }
    });
  }

  // Capture phase: these keys are settled before app.js sees them.
  document.addEventListener("keydown", function (e) {
    var el = document.activeElement;
    if ((e.metaKey || e.ctrlKey) && e.key === "Enter") {
      if (el && el.matches && el.matches("[data-testid=public-reply-text]")) {
        e.preventDefault();
        e.stopImmediatePropagation(); // never the private composer's Send
        var send = $("[data-testid=public-reply-send]");
        if (send && !send.disabled) send.click();
      }
      return;
    }
    if (e.metaKey || e.ctrlKey || e.altKey || typing(el) || !$("[data-testid=inbox-page]")) return;
    var dlg = $("#shortcuts");
    if (dlg && dlg.open) return;
    if (e.key === "p") { e.preventDefault(); e.stopImmediatePropagation(); openPublic(false); }
    if (e.key === "h") { e.preventDefault(); e.stopImmediatePropagation(); hideKey(); }
  }, true);

  // The public reply's length, in characters as Instagram counts them.
  function updatePublic(box) {
    var form = box.closest("form"), count = $("[data-testid=public-char-count]", form);
    var max = parseInt(box.dataset.maxChars, 10), n = Array.from(box.value).length;
    count.textContent = fill(n > max ? count.dataset.over : count.dataset.format,
      { n: n.toLocaleString("en-US"), over: (n - max).toLocaleString("en-US") });
    count.classList.toggle("over", n > max);
    $("[data-testid=public-reply-send]", form).disabled = n > max || !box.value.trim();
  }
  document.addEventListener("input", function (e) {
    if (!e.target.matches || !e.target.matches("[data-testid=public-reply-text]")) return;
    if (!e.target.value) $("[data-testid=public-template-id]", e.target.form).value = "";
    updatePublic(e.target);
  });
  document.addEventListener("click", function (e) {
    var btn = e.target.closest && e.target.closest(".public-pick");
    if (!btn || btn.disabled) return;
    e.preventDefault();
    var form = btn.closest("form"), box = $("[data-testid=public-reply-text]", form);
    box.value = btn.dataset.templateText;
    $("[data-testid=public-template-id]", form).value = btn.dataset.templateId;
    $$(".public-pick", form).forEach(function (b) { b.classList.toggle("active", b === btn); });
    updatePublic(box);
    box.focus();
  });

  // The nudge's preview follows its template.
  document.addEventListener("change", function (e) {
    if (!e.target.matches("[data-testid=nudge-template]")) return;
    $$("[data-nudge-preview]", e.target.closest(".nudge")).forEach(function (p) {
      p.hidden = p.dataset.nudgePreview !== e.target.value;
    });
  });

  // While a change is on its way, the open comment's panel is read again
  // when its row changes on the live stream, unless someone is writing.
  document.addEventListener("htmx:oobAfterSwap", function (e) {
    var card = $("#detail .detail-card"), row = e.target;
    if (!card || !row || row.id !== "comment-" + card.dataset.id || !$("[data-moderation-pending]", card)) return;
    var busy = $$("#detail textarea").some(function (t) { return t.value || t === document.activeElement; });
    if (!busy && row.dataset.detail) htmx.ajax("GET", row.dataset.detail, { target: "#detail", swap: "innerHTML" });
  });

  function init() { $$("[data-testid=public-reply-text]").forEach(updatePublic); }
  document.addEventListener("DOMContentLoaded", init);
  document.addEventListener("htmx:afterSettle", function () {
    init();
    if (wantPublic && $("#public-composer")) { wantPublic = false; openPublic(true); }
  });
})();
