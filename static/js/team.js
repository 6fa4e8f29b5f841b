// Working as a team, on top of app.js and htmx: assigning (a, A, the
// picker, the bulk bar), telling the others "… is replying" while the
// composer is open, keeping the open panel's assignee and presence in step
// with its row, and deadline alerts (a toast, and a browser notification
// when the person turned them on). Every word comes from the server.
(function () {
  "use strict";

  function $(sel, root) { return (root || document).querySelector(sel); }
  function $$(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function csrf() { var m = $('meta[name="csrf-token"]'); return m ? m.content : ""; }
  function config() { return $("[data-team]"); }
  function me() { var c = config(); return c ? c.dataset.me : ""; }
  function skew() {
    var s = $("[data-server-now]");
    return s ? Date.parse(s.dataset.serverNow) - Date.now() : 0;
  }
  var clockSkew = 0;
  function now() { return Date.now() + clockSkew; }
  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName)) && el.type !== "checkbox";
  }
  function selectedID() { var card = $("#detail .detail-card"); return card ? card.dataset.id : ""; }

  // ——— Assigning ———
  var picking = [];
  function targets() {
    var ids = $$("#rows .row-check:checked").map(function (b) { return b.value; });
    if (ids.length) return { ids: ids, bulk: true };
    var cur = $("#rows .row.cursor");
    var id = cur ? cur.dataset.id : selectedID();
    return { ids: id ? [id] : [], bulk: false };
  }
  function assign(t, userID) {
    var form = $("[data-testid=key-assign]");
    if (!form || !t.ids.length) return;
    $$("input[name=ids]", form).forEach(function (i) { i.remove(); });
    t.ids.forEach(function (id) {
      var i = document.createElement("input");
      i.type = "hidden"; i.name = "ids"; i.value = id;
      form.appendChild(i);
    });
    form.elements.user_id.value = userID;
    form.elements.panel.value = t.ids.indexOf(selectedID()) >= 0 ? selectedID() : "";
    form.dataset.bulk = t.bulk ? "1" : "";
    htmx.trigger(form, "submit");
  }
  function openPicker(t) {
    var dlg = $("#assign-picker");
    if (!dlg || !t.ids.length) return;
    picking = t;
    dlg.showModal();
    var first = $("[data-assign-to]", dlg);
    if (first) first.focus();
  }
  document.addEventListener("click", function (e) {
    var el = e.target.closest && e.target.closest("[data-assign-to], [data-assign-me], [data-assign-pick]");
    if (!el) return;
    if (el.hasAttribute("data-assign-to")) {
      $("#assign-picker").close();
      assign(picking, el.dataset.assignTo);
    } else if (el.hasAttribute("data-assign-me")) {
      assign(targets(), "me");
    } else {
      openPicker(targets());
    }
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    var form = e.detail.elt;
    if (form.matches && form.matches("[data-testid=key-assign]") && form.dataset.bulk && e.detail.successful) {
      var clear = $("[data-bulk-clear]");
      if (clear) clear.click();
    }
  });
  // Keys: a takes the comment(s), A opens the picker, in which 1–9 and 0
  // pick. Captured before app.js, whose digits pick templates.
  window.addEventListener("keydown", function (e) {
    if (e.metaKey || e.ctrlKey || e.altKey) return;
    var dlg = $("#assign-picker");
    if (dlg && dlg.open) {
      var pick = e.key === "0" ? $('[data-assign-to="none"]', dlg) : /^[1-9]$/.test(e.key) && $$("[data-assign-to]", dlg)[+e.key - 1];
      if (pick) { e.preventDefault(); e.stopPropagation(); pick.click(); }
      else if (e.key !== "Tab" && e.key !== "Enter" && e.key !== " " && e.key !== "Escape") e.stopPropagation();
      return;
    }
    if (typing(document.activeElement) || !$("[data-testid=inbox-page]")) return;
    var sc = $("#shortcuts");
    if (sc && sc.open) return;
    if (e.key === "a") { e.preventDefault(); e.stopPropagation(); assign(targets(), "me"); }
    else if (e.key === "A") { e.preventDefault(); e.stopPropagation(); openPicker(targets()); }
  }, true);

  // ——— Presence: "… is replying" while this person's composer is open ———
  var presence = { id: "", timer: 0, last: 0 };
  function presenceURL(id) { return "/inbox/comments/" + encodeURIComponent(id) + "/presence"; }
  function post(id, state) {
    return fetch(presenceURL(id), {
      method: "POST", credentials: "same-origin", keepalive: true,
      headers: { "X-CSRF-Token": csrf(), "Content-Type": "application/x-www-form-urlencoded" },
      body: "state=" + state,
    }).catch(function () {});
  }
  function composer() {
    var box = $("#detail [data-testid=reply-text]");
    return box && !box.disabled ? box : null;
  }
  function stillReplying() {
    var box = composer();
    if (!box || selectedID() !== presence.id || document.visibilityState === "hidden") return false;
    return document.activeElement === box || (box.value.trim() !== "" && Date.now() - presence.last < 60000);
  }
  function stopPresence() {
    if (!presence.id) return;
    post(presence.id, "off");
    clearInterval(presence.timer);
    presence.id = "";
  }
  function startPresence() {
    var id = selectedID(), c = config();
    presence.last = Date.now();
    if (!id || !c || presence.id === id) return;
    stopPresence();
    presence.id = id;
    post(id, "on");
    presence.timer = setInterval(function () {
      if (stillReplying()) post(presence.id, "on"); else stopPresence();
    }, parseInt(c.dataset.presenceEvery, 10) || 5000);
  }
  document.addEventListener("focusin", function (e) { if (e.target === composer()) startPresence(); });
  document.addEventListener("input", function (e) { if (e.target === composer()) startPresence(); });
  document.addEventListener("focusout", function (e) {
    if (e.target === composer() && !e.target.value.trim()) setTimeout(function () { if (!stillReplying()) stopPresence(); }, 0);
  });
  document.addEventListener("htmx:afterSettle", function () { if (presence.id && !stillReplying() && selectedID() !== presence.id) stopPresence(); });
  window.addEventListener("pagehide", function () {
    if (!presence.id) return;
    var data = new FormData();
    data.append("csrf", csrf());
    data.append("state", "off");
    navigator.sendBeacon(presenceURL(presence.id), data);
    presence.id = "";
  });

  // ——— Keeping the page in step: the viewer's own presence is not news to
  // them, and the open panel follows its row ———
  function sync() {
    var mine = me();
    if (mine) $$('[data-presence][data-user="' + mine + '"]').forEach(function (el) { el.hidden = true; });
    var id = selectedID(), row = id && document.getElementById("comment-" + id);
    var tpl = row && $("template[data-panel-people]", row), slot = $("#detail [data-people-slot]");
    if (!tpl || !slot || slot._from === tpl.innerHTML) return;
    slot.innerHTML = tpl.innerHTML;
    slot._from = tpl.innerHTML;
    var who = $("[data-assignee]", slot), sel = $("#detail [data-testid=assign-select]");
    if (sel && who) {
      var v = who.dataset.assignee || "none";
      if ($$("option", sel).some(function (o) { return o.value === v; })) sel.value = v;
    }
    if (mine) $$('[data-presence][data-user="' + mine + '"]', slot).forEach(function (el) { el.hidden = true; });
  }
  new MutationObserver(sync).observe(document.documentElement, { childList: true, subtree: true });

  // ——— Deadline alerts ———
  var KEY = "replydesk.alerts", SEEN = "replydesk.alerted", FRESH = 2 * 60 * 1000;
  function store(k, v) { try { if (v === undefined) return localStorage.getItem(k); localStorage.setItem(k, v); } catch (_) { return null; } }
  function supported() { return "Notification" in window; }
  function notifying() {
    var v = store(KEY);
    return supported() && Notification.permission === "granted" && (v === "on" || v === null);
  }
  function decide(on) {
    store(KEY, on ? "on" : "off");
    refreshSettings();
  }
  function ask() {
    if (!supported()) { decide(false); return; }
    Notification.requestPermission().then(function (p) { decide(p === "granted"); }, function () { decide(false); });
  }
  function refreshSettings() {
    var prompt = $("[data-alerts-prompt]");
    if (prompt) prompt.hidden = !(supported() && store(KEY) === null && Notification.permission === "default");
    $$("[data-alerts-setting]").forEach(function (box) {
      box.checked = notifying();
      box.disabled = !supported() || Notification.permission === "denied";
    });
  }
  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("[data-alerts]");
    if (!b) return;
    if (b.dataset.alerts === "on") ask(); else decide(false);
    var prompt = $("[data-alerts-prompt]");
    if (prompt) prompt.hidden = true;
  });
  document.addEventListener("change", function (e) {
    if (!e.target.matches("[data-alerts-setting]")) return;
    if (e.target.checked && Notification.permission !== "granted") ask(); else decide(e.target.checked);
  });
  function alreadyAlerted(id, at) {
    var seen = {};
    try { seen = JSON.parse(store(SEEN) || "{}") || {}; } catch (_) { seen = {}; }
    if (seen[id]) return true;
    var cutoff = now() - 8 * 24 * 3600 * 1000;
    Object.keys(seen).forEach(function (k) { if (seen[k] < cutoff) delete seen[k]; });
    seen[id] = at;
    store(SEEN, JSON.stringify(seen));
    return false;
  }
  function raise(id, title, body) {
    var box = $("#toasts");
    if (box) {
      var t = document.createElement("div");
      t.className = "toast toast-alert";
      t.setAttribute("role", "status");
      t.setAttribute("data-testid", "alert-toast");
      var strong = document.createElement("strong");
      strong.textContent = title;
      var span = document.createElement("span");
      span.textContent = body;
      t.append(strong, span);
      box.appendChild(t);
      setTimeout(function () { t.remove(); }, 10000);
    }
    if (!notifying()) return;
    try {
      var n = new Notification(title, { body: body, tag: "replydesk-" + id });
      n.onclick = function () { window.focus(); location.href = "/inbox/comments/" + encodeURIComponent(id); };
    } catch (_) { /* some browsers only notify from a service worker */ }
  }
  var rowID = /^\s*<li id="comment-([^"]+)"/;
  document.addEventListener("htmx:sseBeforeMessage", function (e) {
    var msg = e.detail;
    if (!msg.data || msg.data.indexOf("data-alert-at") < 0) return;
    var m = rowID.exec(msg.data);
    var tpl = document.createElement("template");
    tpl.innerHTML = msg.data;
    var el = $("[data-alert-at]", tpl.content), at = el && Date.parse(el.dataset.alertAt);
    if (!m || !el || now() - at > FRESH || alreadyAlerted(m[1], at)) return;
    raise(m[1], el.dataset.alertTitle, el.dataset.alertBody);
  });

  function init() {
    clockSkew = skew();
    refreshSettings();
    sync();
  }
  document.addEventListener("DOMContentLoaded", init);
  document.addEventListener("htmx:historyRestore", init);
  // A boosted link swaps the page in without a load event.
  htmx.onLoad(function (el) {
    if (el !== document.body && el.querySelector && (el.matches("[data-server-now], [data-alerts-setting]") || $("[data-server-now], [data-alerts-setting]", el))) init();
  });
})();
