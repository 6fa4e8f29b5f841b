// Replydesk's own script: small and dependency-free, on top of htmx. Pages
// work without it; it adds the CSRF header to htmx requests, ticks the
// countdowns, places live updates without moving what the user looks at,
// and gives the inbox its keyboard.
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

  // ——— Clock: the server's time, corrected for this browser's skew ———
  var skew = 0;
  function readSkew() {
    var el = document.querySelector("[data-server-now]");
    if (!el) return;
    var server = Date.parse(el.getAttribute("data-server-now"));
    if (!isNaN(server)) skew = server - Date.now();
  }
  function now() { return Date.now() + skew; }

  // ——— Countdowns (UI.md: > 24 h calm, < 24 h warning, < 1 h urgent, expired) ———
  function pad(n) { return n < 10 ? "0" + n : "" + n; }
  function ago(ms) {
    var m = Math.floor(ms / 60000), h = Math.floor(m / 60), d = Math.floor(h / 24);
    if (d > 0) return d + "d ago";
    if (h > 0) return h + "h ago";
    if (m > 0) return m + "m ago";
    return "just now";
  }
  function countdown(left) {
    var s = Math.floor(left / 1000), m = Math.floor(s / 60), h = Math.floor(m / 60), d = Math.floor(h / 24);
    if (d >= 1) return { text: d + "d " + (h % 24) + "h", stage: "calm" };
    if (h >= 1) return { text: h + "h " + pad(m % 60) + "m", stage: "warn" };
    return { text: m + "m " + pad(s % 60) + "s", stage: "urgent" };
  }
  function tickChip(chip, deadline, status, live) {
    var left = deadline - now(), c;
    if (status === "replied") c = { text: "Replied", stage: "done" };
    else if (status === "expired" || (left <= 0 && status === "open")) c = { text: "expired " + ago(Math.max(0, -left)), stage: "expired" };
    else if (live) c = { text: "LIVE", stage: "live" };
    else if (left <= 0) c = { text: "window closed", stage: "done" };
    else {
      c = countdown(left);
      if (status !== "open") c.stage = "done";
    }
    var text = chip.querySelector(".chip-text");
    if (text && text.textContent !== c.text) text.textContent = c.text;
    var want = "chip chip-" + c.stage;
    if (chip.className !== want) chip.className = want;
    return c.stage;
  }
  function tick() {
    var rows = document.querySelectorAll(".row[data-deadline]");
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i], chip = r.querySelector(".chip");
      if (chip) tickChip(chip, Date.parse(r.dataset.deadline), r.dataset.status, r.hasAttribute("data-live"));
    }
    var dc = document.querySelector("[data-testid=detail-countdown]");
    if (dc) {
      var card = dc.closest(".detail-card");
      var row = card && document.getElementById("comment-" + card.dataset.id);
      var status = row ? row.dataset.status : (card && card.dataset.status) || "open";
      var stage = tickChip(dc, Date.parse(dc.dataset.deadline), status, dc.hasAttribute("data-live"));
      if (stage === "expired") disableComposer("The reply window has closed: Instagram no longer accepts a private reply to this comment.");
    }
  }
  function disableComposer(reason) {
    var send = document.querySelector("[data-testid=reply-send]");
    if (!send || send.disabled) return;
    send.disabled = true;
    var box = document.querySelector("[data-testid=reply-text]");
    if (box) box.disabled = true;
    var note = document.querySelector("[data-testid=reply-disabled-reason]");
    if (!note) {
      note = document.createElement("p");
      note.className = "composer-reason muted";
      note.setAttribute("data-testid", "reply-disabled-reason");
      send.closest(".composer").prepend(note);
    }
    note.textContent = reason;
  }

  // ——— Toasts ———
  function toast(message, undo, kind) {
    var box = document.getElementById("toasts");
    if (!box) return;
    var t = document.createElement("div");
    t.className = "toast" + (kind ? " toast-" + kind : "");
    t.setAttribute("role", "status");
    t.textContent = message;
    if (undo) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = "Undo";
      b.addEventListener("click", function () { bulk(undo.ids, undo.status); t.remove(); });
      t.appendChild(b);
    }
    box.appendChild(t);
    setTimeout(function () { t.remove(); }, 4000);
  }
  document.body.addEventListener("toast", function (e) { toast(e.detail.message, e.detail.undo); });

  // ——— Inbox ———
  var inbox = null, rowsEl = null, pane = null, pending = [], since = "";
  function rows() { return rowsEl ? Array.prototype.slice.call(rowsEl.querySelectorAll(":scope > .row")) : []; }
  function cursorRow() { return rowsEl && rowsEl.querySelector(".row.cursor"); }
  function setCursor(r, scroll) {
    var old = cursorRow();
    if (old) old.classList.remove("cursor");
    if (!r) return;
    r.classList.add("cursor");
    if (scroll !== false) r.scrollIntoView({ block: "nearest" });
  }
  function sortKey(r) {
    return rowsEl.dataset.sort === "newest" ? -Date.parse(r.dataset.sortKey) : Date.parse(r.dataset.deadline);
  }
  function before(a, b) {
    var ka = sortKey(a), kb = sortKey(b);
    return ka < kb || (ka === kb && (rowsEl.dataset.sort === "newest" ? a.dataset.id > b.dataset.id : a.dataset.id < b.dataset.id));
  }
  function insertSorted(li) {
    var list = rows();
    for (var i = 0; i < list.length; i++) {
      if (before(li, list[i])) { rowsEl.insertBefore(li, list[i]); return true; }
    }
    if (document.querySelector("[data-testid=load-more]")) return false; // later pages hold it
    rowsEl.appendChild(li);
    return true;
  }
  function carryState(from, to) {
    ["cursor", "selected", "checked"].forEach(function (c) { if (from.classList.contains(c)) to.classList.add(c); });
    var cb = from.querySelector(".row-check"), nb = to.querySelector(".row-check");
    if (cb && nb) nb.checked = cb.checked;
  }
  function showPill() {
    var pill = document.querySelector("[data-testid=new-pill]");
    if (!pill) return;
    pill.hidden = pending.length === 0;
    pill.textContent = pending.length + " new";
  }
  function flushPending() {
    var added = 0;
    pending.forEach(function (li) {
      if (document.getElementById(li.id)) return;
      li.classList.add("fresh");
      if (insertSorted(li)) { htmx.process(li); added++; }
    });
    pending = [];
    showPill();
    var empty = document.querySelector("[data-testid=empty]");
    if (empty && rows().length > 0) empty.hidden = true;
    if (added) tick();
  }
  // placeRows applies rows from a live update: a row already on the page is
  // replaced in place; a new one waits behind the pill unless the list is
  // at the top and nothing is being looked at.
  function placeRows(html, kind) {
    var tpl = document.createElement("template");
    tpl.innerHTML = html.trim();
    var lis = tpl.content.querySelectorAll("li.row");
    for (var i = 0; i < lis.length; i++) {
      var li = lis[i], old = document.getElementById(li.id);
      if (old) {
        carryState(old, li);
        old.replaceWith(li);
        htmx.process(li);
        continue;
      }
      if (kind !== "comment") continue;
      pending.push(li);
    }
    refreshRail();
    var atTop = pane && pane.scrollTop === 0 && !cursorRow();
    if (atTop) flushPending(); else showPill();
    tick();
  }
  // The rail's counts follow the live updates, at most once a second.
  var railTimer = null;
  function refreshRail() {
    if (railTimer) return;
    railTimer = setTimeout(function () {
      railTimer = null;
      var ev = document.getElementById("live-events"), rail = document.getElementById("rail");
      if (!ev || !rail) return;
      htmx.ajax("GET", "/inbox/rail" + (ev.dataset.filter ? "?" + ev.dataset.filter : ""), { target: "#rail", swap: "outerHTML" });
    }, 1000);
  }
  function catchUp() {
    var ev = document.getElementById("live-events");
    if (!ev || !since) return;
    var url = "/inbox/changes?since=" + encodeURIComponent(since) + (ev.dataset.filter ? "&" + ev.dataset.filter : "");
    fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" }).then(function (r) {
      return r.ok ? r.text() : "";
    }).then(function (html) {
      if (!html) return;
      var tpl = document.createElement("template");
      tpl.innerHTML = html;
      tpl.content.querySelectorAll("template[data-kind]").forEach(function (t) {
        placeRows(t.innerHTML, t.dataset.kind);
      });
      var s = tpl.content.querySelector("[data-since]");
      if (s) since = s.dataset.since;
    });
  }
  var opened = 0;
  document.addEventListener("htmx:sseOpen", function () {
    if (opened++ > 0) catchUp(); // a reconnect: fetch what was missed
  });
  document.addEventListener("htmx:sseBeforeMessage", function (e) {
    if (!e.target.closest || !e.target.closest("#live-events")) return;
    e.preventDefault();
    var msg = e.detail;
    if (msg.lastEventId) since = msg.lastEventId;
    placeRows(msg.data, msg.type);
  });

  // Selection and bulk actions.
  function checkedIDs() {
    return rows().filter(function (r) { var c = r.querySelector(".row-check"); return c && c.checked; })
      .map(function (r) { return r.dataset.id; });
  }
  function syncBulk() {
    var bar = document.querySelector("[data-testid=bulkbar]");
    if (!bar) return;
    var ids = checkedIDs();
    rows().forEach(function (r) { var c = r.querySelector(".row-check"); r.classList.toggle("checked", !!(c && c.checked)); });
    bar.hidden = ids.length === 0;
    bar.querySelector("[data-testid=bulk-count]").textContent = ids.length + " selected";
  }
  // bulk posts a status change for several comments; the answer is their
  // rows, placed like live updates (keeping cursor and selection).
  function bulk(ids, status) {
    if (!ids.length) return;
    var body = new URLSearchParams();
    ids.forEach(function (id) { body.append("ids", id); });
    body.append("status", status);
    fetch("/inbox/status", {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRF-Token": csrfToken(), "HX-Request": "true" }
    }).then(function (r) {
      var trig = r.headers.get("HX-Trigger");
      return r.text().then(function (html) {
        if (!r.ok) { toast("That did not work: " + (r.status === 403 ? "reload the page and try again." : "try again."), null, "error"); return; }
        placeRows(html, "update");
        if (trig) { try { var t = JSON.parse(trig).toast; if (t) toast(t.message, t.undo); } catch (_) {} }
      });
    }, function () { toast("Could not reach Replydesk. Check the connection and try again.", null, "error"); });
  }
  function act(status) {
    var ids = checkedIDs();
    if (ids.length) { bulk(ids, status); clearChecks(); return; }
    var r = cursorRow() || (rowsEl && rowsEl.querySelector(".row.selected"));
    if (r) bulk([r.dataset.id], status);
  }
  function clearChecks() {
    rows().forEach(function (r) { var c = r.querySelector(".row-check"); if (c) c.checked = false; });
    syncBulk();
  }
  function openRow(r) {
    if (!r) return;
    var a = r.querySelector(".row-main");
    if (a) a.click();
  }

  // Keyboard: never while typing in a field, except ⌘/Ctrl+Enter.
  var gPending = false;
  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName)) && el.type !== "checkbox";
  }
  document.addEventListener("keydown", function (e) {
    if ((e.metaKey || e.ctrlKey) && e.key === "Enter") {
      var send = document.querySelector("[data-testid=reply-send]");
      if (send && !send.disabled) { e.preventDefault(); send.click(); }
      return;
    }
    if (e.metaKey || e.ctrlKey || e.altKey || typing(document.activeElement)) {
      if (e.key === "Escape" && typing(document.activeElement)) document.activeElement.blur();
      return;
    }
    var dlg = document.getElementById("shortcuts");
    if (dlg && dlg.open) return;
    if (gPending) {
      gPending = false;
      if (e.key === "i") { location.href = "/inbox"; return; }
      if (e.key === "t") { location.href = "/templates"; return; }
    }
    if (e.key === "g") { gPending = true; setTimeout(function () { gPending = false; }, 1000); return; }
    if (e.key === "?") { if (dlg) { e.preventDefault(); dlg.showModal(); } return; }
    if (!inbox) return;
    var list = rows(), cur = cursorRow(), i = cur ? list.indexOf(cur) : -1;
    switch (e.key) {
      case "j": setCursor(list[Math.min(list.length - 1, i + 1)]); break;
      case "k": setCursor(list[Math.max(0, i - 1)]); break;
      case "Enter": case "o": openRow(cur); break;
      case "e": act("done"); break;
      case "#": act("dismissed"); break;
      case "u": act("open"); break;
      case "x":
        if (cur) { var c = cur.querySelector(".row-check"); c.checked = !c.checked; syncBulk(); }
        break;
      case "/": var q = document.getElementById("q"); if (q) { q.focus(); q.select(); } break;
      case "r": var box = document.querySelector("[data-testid=reply-text]"); if (box && !box.disabled) box.focus(); break;
      default:
        if (/^[1-9]$/.test(e.key)) {
          var t = document.querySelector('[data-template-key="' + e.key + '"]');
          if (t) t.click(); else return;
        } else return;
    }
    e.preventDefault();
  });

  function initInbox() {
    inbox = document.querySelector("[data-testid=inbox-page]");
    rowsEl = document.getElementById("rows");
    pane = rowsEl && rowsEl.closest(".list-pane");
    pending = [];
    opened = 0;
    var ev = document.getElementById("live-events");
    since = ev ? ev.dataset.since : "";
    if (!inbox) return;
    pane.addEventListener("scroll", function () { if (pane.scrollTop === 0 && !cursorRow() && pending.length) flushPending(); });
    var pill = document.querySelector("[data-testid=new-pill]");
    if (pill) pill.addEventListener("click", function () { setCursor(null); flushPending(); pane.scrollTop = 0; });
    rowsEl.addEventListener("change", function (e) { if (e.target.classList.contains("row-check")) syncBulk(); });
    rowsEl.addEventListener("click", function (e) {
      var r = e.target.closest(".row");
      if (r && e.target.closest(".row-main")) {
        rows().forEach(function (x) { x.classList.remove("selected"); });
        r.classList.add("selected");
        setCursor(r, false);
      }
    });
    document.querySelectorAll("[data-bulk]").forEach(function (b) {
      b.addEventListener("click", function () { bulk(checkedIDs(), b.dataset.bulk); clearChecks(); });
    });
    var clear = document.querySelector("[data-bulk-clear]");
    if (clear) clear.addEventListener("click", clearChecks);
  }

  // "Load more": rows arrive in a template and join the list.
  document.addEventListener("htmx:afterSwap", function () {
    document.querySelectorAll("#detail template[data-row-update]").forEach(function (tpl) {
      var html = tpl.innerHTML;
      tpl.remove();
      placeRows(html, "update");
    });
    var t = document.querySelector("#page-rows > template[data-rows]");
    if (t && rowsEl) {
      Array.prototype.slice.call(t.content.children).forEach(function (li) {
        if (!document.getElementById(li.id)) rowsEl.appendChild(li);
      });
      t.remove();
      htmx.process(rowsEl);
      tick();
    }
    var card = document.querySelector("#detail .detail-card");
    var detail = document.getElementById("detail");
    if (detail) detail.classList.toggle("open", !!card);
  });

  // ——— Composer: byte counter (as Meta counts: UTF-8 bytes), preview,
  // templates by click, number key or /shortcut ———
  var encoder = new TextEncoder();
  function updateComposer(box) {
    var form = box.closest("form");
    if (!form) return;
    var max = parseInt(box.dataset.maxBytes || "1000", 10);
    var n = encoder.encode(box.value).length;
    var count = form.querySelector("[data-testid=byte-count]");
    if (count) {
      count.textContent = n.toLocaleString("en-US") + " / " + max.toLocaleString("en-US") + " bytes" + (n > max ? " — " + (n - max) + " too many" : "");
      count.classList.toggle("over", n > max);
      count.classList.toggle("near", n <= max && n > max * 0.9);
    }
    var prev = form.querySelector("[data-preview]");
    if (prev) prev.textContent = box.value;
    var send = form.querySelector("[data-testid=reply-send]");
    if (send && !box.disabled) send.disabled = n === 0 || n > max || !box.value.trim();
  }
  function pickTemplate(btn) {
    var form = btn.closest("form"), box = form.querySelector("[data-testid=reply-text]");
    if (!box || box.disabled) return;
    box.value = btn.dataset.templateText;
    form.querySelector("[data-testid=reply-template-id]").value = btn.dataset.templateId;
    form.querySelectorAll(".template-pick").forEach(function (b) { b.classList.toggle("active", b === btn); });
    updateComposer(box);
    box.focus();
  }
  document.addEventListener("click", function (e) {
    var btn = e.target.closest && e.target.closest(".template-pick");
    if (btn && !btn.disabled) { e.preventDefault(); pickTemplate(btn); }
  });
  document.addEventListener("input", function (e) {
    var box = e.target;
    if (!box.matches || !box.matches("[data-testid=reply-text]")) return;
    var m = /^\/([a-z0-9_-]+)[ \n]$/.exec(box.value);
    if (m) {
      var t = box.closest("form").querySelector('.template-pick[data-shortcut="' + m[1] + '"]');
      if (t && !t.disabled) { pickTemplate(t); return; }
    }
    if (!box.value) {
      var tid = box.closest("form").querySelector("[data-testid=reply-template-id]");
      if (tid) tid.value = "";
    }
    updateComposer(box);
  });
  function initComposer() {
    document.querySelectorAll("[data-testid=reply-text]").forEach(updateComposer);
  }
  document.addEventListener("htmx:afterSettle", initComposer);

  // Selects that filter submit on change.
  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("select[data-autosubmit]")) e.target.form.requestSubmit();
  });

  function init() {
    readSkew();
    initInbox();
    initComposer();
    tick();
  }
  document.addEventListener("DOMContentLoaded", init);
  document.addEventListener("htmx:historyRestore", init);
  document.addEventListener("htmx:load", function (e) {
    var el = e.target;
    if (el !== document.body && el.matches && (el.matches("[data-testid=inbox-page]") || el.querySelector("[data-testid=inbox-page]"))) init();
  });
  setInterval(tick, 1000);

  window.Replydesk = { csrfToken: csrfToken, toast: toast, now: now };
})();
