// Replydesk's own script, on top of htmx. Pages work without it; htmx does
// the requests and swaps (rows, panel, bulk actions, Load more, the live
// stream's rows and counts). This script only ticks the countdowns, keeps
// the one current comment (the cursor row is the panel's comment; the URL
// names it), keeps the selection across swaps, refreshes the open panel
// when the live stream changes its comment (keeping a draft), holds new
// rows behind the "N new" pill, and drives the composer (templates at the
// cursor with Undo, and the "/" picker). Every word it shows comes from
// the server, in data- attributes.
(function () {
  "use strict";

  function $(sel, root) { return (root || document).querySelector(sel); }
  function $$(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function fill(format, values) {
    return format.replace(/\{(\w+)\}/g, function (_, k) { return k in values ? values[k] : ""; });
  }

  // Copy buttons: <button data-copy="#input-id"> copies that field's value.
  document.addEventListener("click", function (e) {
    var btn = e.target.closest && e.target.closest("[data-copy]");
    var src = btn && $(btn.getAttribute("data-copy"));
    if (!src) return;
    var label = btn.getAttribute("data-label") || btn.textContent;
    btn.setAttribute("data-label", label);
    function done(ok) {
      btn.textContent = ok ? "Copied" : "Press Ctrl+C to copy";
      btn.setAttribute("data-copied", ok ? "true" : "false");
      clearTimeout(btn._copyTimer);
      btn._copyTimer = setTimeout(function () { btn.textContent = label; btn.removeAttribute("data-copied"); }, 1500);
    }
    function fallback() {
      src.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (_) { ok = false; }
      done(ok);
    }
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(src.value).then(function () { done(true); }, fallback);
    else fallback();
  });

  // A refused form opens on its error summary, which names every problem
  // (after an htmx swap as well as on a full load).
  htmx.onLoad(function () {
    var sum = $("[data-testid=error-summary]");
    if (sum && !sum._shown) { sum._shown = true; sum.focus({ preventScroll: true }); window.scrollTo(0, 0); }
  });

  // Moments the server wrote in UTC (<time data-local>), in this viewer's
  // own time zone.
  var localFormats = {
    datetime: { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZoneName: "short" },
    time: { hour: "2-digit", minute: "2-digit", timeZoneName: "short" },
    "time-s": { hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "short" }
  };
  htmx.onLoad(function (el) {
    $$("time[data-local]", el.parentNode || el).forEach(function (t) {
      var d = new Date(t.getAttribute("datetime")), f = localFormats[t.dataset.local];
      if (!f || isNaN(d) || t.dataset.shown) return;
      t.dataset.shown = "local";
      t.textContent = new Intl.DateTimeFormat(undefined, f).format(d);
    });
  });

  // ——— Countdowns: the server's clock, corrected for this browser's skew ———
  var skew = 0;
  function now() { return Date.now() + skew; }
  function pad(n) { return n < 10 ? "0" + n : "" + n; }
  function countdown(left) {
    var s = Math.floor(left / 1000), m = Math.floor(s / 60), h = Math.floor(m / 60), d = Math.floor(h / 24);
    if (d >= 1) return { text: d + "d " + (h % 24) + "h", stage: "calm" };
    if (h >= 1) return { text: h + "h " + pad(m % 60) + "m", stage: "warn" };
    return { text: m + "m " + pad(s % 60) + "s", stage: "urgent" };
  }
  // tickChip updates a chip that still counts down (data-deadline); once the
  // deadline passes it shows the server's words for that (data-end).
  function tickChip(chip, open) {
    var left = Date.parse(chip.dataset.deadline) - now(), c;
    if (left > 0) {
      c = countdown(left);
      if (!open) c.stage = "done";
    } else {
      c = { text: chip.dataset.end, stage: open ? "expired" : "done" };
      delete chip.dataset.deadline;
    }
    var text = $(".chip-text", chip);
    if (text.textContent !== c.text) text.textContent = c.text;
    if (chip.className !== "chip chip-" + c.stage) chip.className = "chip chip-" + c.stage;
    return left > 0;
  }
  function tick() {
    $$(".chip[data-deadline]").forEach(function (chip) {
      var holder = chip.closest("[data-status]");
      var open = holder && holder.dataset.status === "open";
      if (!tickChip(chip, open) && open && chip.matches("[data-testid=detail-countdown]")) closeComposer();
    });
  }
  function closeComposer() {
    var form = $("[data-testid=reply-form]");
    if (!form || form.classList.contains("disabled")) return;
    form.classList.add("disabled");
    $$("textarea, button[type=submit]", form).forEach(function (el) { el.disabled = true; });
    var note = document.createElement("p");
    note.className = "composer-reason";
    note.setAttribute("data-testid", "reply-disabled-reason");
    note.textContent = form.dataset.closedReason;
    form.before(note);
  }

  // Toasts leave by themselves.
  htmx.onLoad(function (el) {
    $$(".toast", el.parentNode || el).forEach(function (t) {
      if (!t._timer) t._timer = setTimeout(function () { t.remove(); }, 4000);
    });
  });

  // ——— Inbox ———
  var inbox = null, rowsEl = null, pane = null;
  var cursorID = "", checked = new Set(), pending = new Map();
  function rows() { return rowsEl ? $$(":scope > .row", rowsEl) : []; }
  function rowOf(id) { return document.getElementById("comment-" + id); }
  function selectedID() { var card = $("#detail .detail-card"); return card ? card.dataset.id : ""; }

  // mark puts the page's own state back on rows after any swap: the cursor,
  // the open comment, the checked boxes, and the bulk bar.
  function mark() {
    if (!inbox) return;
    var sel = selectedID();
    rows().forEach(function (r) {
      var id = r.dataset.id, box = $(".row-check", r);
      r.classList.toggle("cursor", id === cursorID);
      r.classList.toggle("selected", id === sel);
      if (box) box.checked = checked.has(id);
      r.classList.toggle("checked", checked.has(id));
    });
    var bar = $("[data-testid=bulkbar]");
    bar.hidden = checked.size === 0;
    $("[data-testid=bulk-count]", bar).textContent = fill(bar.dataset.count, { n: checked.size });
    var detail = $("#detail");
    detail.classList.toggle("open", !!sel);
    var rail = $("#rail");
    if (rail && rail.dataset.title && document.title !== rail.dataset.title) document.title = rail.dataset.title; // the open count
  }
  function setCursor(r) {
    cursorID = r ? r.dataset.id : "";
    mark();
    if (r) r.scrollIntoView({ block: "nearest" });
  }

  // ——— One current comment: with the panel open, the cursor row is the
  // panel's comment, and the URL (/inbox/comments/{id}?filters) names it ———
  function openPanel(r) {
    if (!r) return;
    clearTimeout(refreshTimer);
    setCursor(r);
    htmx.ajax("GET", r.dataset.detail, { target: "#detail", swap: "innerHTML" });
  }
  var commentPath = /^\/inbox\/comments\/([^/]+)$/;
  // syncPanel follows a new panel: its comment is current, and the URL
  // names it (a new history entry when the panel opens, so Back closes it).
  function syncPanel() {
    var card = $("#detail .detail-card");
    if (!card) return;
    cursorID = card.dataset.id;
    var url = card.dataset.url;
    if (location.pathname + location.search === url) return;
    if (commentPath.test(location.pathname)) history.replaceState(history.state, "", url);
    else history.pushState({ replydesk: "comment" }, "", url);
  }
  function emptyPanel() {
    $("#detail").innerHTML = $("#detail-empty").innerHTML;
    mark();
  }
  function closePanel() {
    var card = $("#detail .detail-card");
    if (!card) return;
    var list = card.dataset.listUrl, r = rowOf(card.dataset.id);
    emptyPanel();
    if (history.state && history.state.replydesk === "comment") history.back();
    else history.replaceState(null, "", list);
    if (r) $(".row-main", r).focus({ preventScroll: true });
  }
  window.addEventListener("popstate", function (e) {
    if (!inbox || (e.state && e.state.htmx)) return;
    var m = commentPath.exec(location.pathname);
    if (!m) { if (selectedID()) emptyPanel(); return; }
    var r = rowOf(decodeURIComponent(m[1]));
    if (r) { openPanel(r); return; }
    cursorID = decodeURIComponent(m[1]);
    htmx.ajax("GET", location.pathname + location.search, { target: "#detail", swap: "innerHTML" });
  });
  // advance moves on to the next open comment after this one was handled
  // (done, dismissed, replied): in the panel when it is open.
  function advance(fromID) {
    var list = rows(), i = list.indexOf(rowOf(fromID)), next = null, k;
    for (k = i + 1; k < list.length && !next; k++) if (list[k].dataset.status === "open" && list[k].dataset.id !== fromID) next = list[k];
    for (k = i - 1; k >= 0 && !next; k--) if (list[k].dataset.status === "open") next = list[k];
    if (!next) return;
    if (selectedID()) openPanel(next); else setCursor(next);
  }

  // ——— The open panel follows the live stream: its comment changed, so it
  // is fetched again; a draft is kept (and, when it can no longer be sent,
  // stays visible, read-only, with the server's reason) ———
  var refreshTimer = 0, draft = null;
  function refreshPanel() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(function () {
      var card = $("#detail .detail-card");
      if (!card || card.dataset.id !== cursorID) return;
      htmx.ajax("GET", card.dataset.url, { target: "#detail", swap: "innerHTML" });
    }, 100);
  }
  // Whenever the panel is fetched again (a refresh, or its row opened
  // again), the draft is taken at the moment of the swap, not when the
  // request began, and put back at once: the box itself (typing, caret and
  // undo survive) when the new panel can still send, its text otherwise.
  // A form's answer (a send) renders the composer as the server decides.
  document.addEventListener("htmx:beforeSwap", function (e) {
    if (e.detail.target.id !== "detail" || (e.detail.requestConfig || {}).verb !== "get") return;
    var card = $("#detail .detail-card"), box = card && $("[data-testid=reply-text]", card);
    draft = null;
    if (box && box.value.trim()) {
      draft = { id: card.dataset.id, box: box, tmpl: $("[data-testid=reply-template-id]", card).value,
        focus: document.activeElement === box, start: box.selectionStart, end: box.selectionEnd };
    }
  });
  function restoreDraft() {
    var d = draft, card = $("#detail .detail-card");
    draft = null;
    var box = card && $("[data-testid=reply-text]", card);
    if (!d || !box || card.dataset.id !== d.id) return;
    var form = box.closest("form");
    if (!box.disabled && (d.box.disabled || d.box.readOnly)) {
      box.value = d.box.value; // the old box could not send: its text, in the new one
    } else if (box.disabled) {
      box.value = d.box.value;
      box.disabled = false;
      box.readOnly = true;
      var note = document.createElement("p");
      note.className = "composer-reason";
      note.setAttribute("data-testid", "draft-kept");
      note.textContent = form.dataset.draftKept;
      box.before(note);
    } else {
      box.replaceWith(d.box);
      box = d.box;
      $("[data-testid=reply-template-id]", form).value = d.tmpl;
      if (d.focus) { box.focus(); box.setSelectionRange(d.start, d.end); }
    }
    updateComposer(box);
  }

  // New rows from the live stream wait behind the pill (keyed by comment,
  // the newest copy wins) unless the list is at the top with no cursor.
  function showPill() {
    var pill = $("[data-testid=new-pill]");
    pill.hidden = pending.size === 0;
    pill.textContent = fill(pill.dataset.format, { n: pending.size });
  }
  // The list's order, as the server's: in a Live-first list (data-live-first)
  // the open comments of running broadcasts come first, then the sort key.
  function liveRank(r) {
    return rowsEl.hasAttribute("data-live-first") && r.hasAttribute("data-live") && r.dataset.status === "open" ? 0 : 1;
  }
  // Soonest deadline first, and among equal deadlines the first to arrive,
  // then by id; or newest first, then by id from the highest.
  function sortKeys(r) {
    var received = Date.parse(r.dataset.sortKey);
    return rowsEl.dataset.sort === "newest" ? [-received] : [Date.parse(r.dataset.deadline), received];
  }
  function before(a, b) {
    var ra = liveRank(a), rb = liveRank(b);
    if (ra !== rb) return ra < rb;
    var ka = sortKeys(a), kb = sortKeys(b);
    for (var i = 0; i < ka.length; i++) {
      if (ka[i] !== kb[i]) return ka[i] < kb[i];
    }
    return rowsEl.dataset.sort === "newest" ? a.dataset.id > b.dataset.id : a.dataset.id < b.dataset.id;
  }
  function insertSorted(li) {
    var list = rows();
    for (var i = 0; i < list.length; i++) {
      if (before(li, list[i])) { rowsEl.insertBefore(li, list[i]); return; }
    }
    if (!$("[data-testid=load-more]")) rowsEl.appendChild(li); // else a later page holds it
  }
  // Live comments whose broadcast ended fall back into the list's order
  // (except the current row: nothing moves under the cursor). They leave
  // first, then each goes back among rows that are in order.
  var fallen = new Set(), fallTimer = 0;
  function fallBack(id) {
    fallen.add(id);
    if (fallTimer) return;
    fallTimer = setTimeout(function () {
      var moving = [];
      fallTimer = 0;
      fallen.forEach(function (id) {
        var r = rowOf(id);
        if (r && liveRank(r) === 1 && id !== cursorID && id !== selectedID()) { r.remove(); moving.push(r); }
      });
      fallen.clear();
      moving.forEach(insertSorted);
    }, 0);
  }
  function flush() {
    pending.forEach(function (html, id) {
      if (rowOf(id)) return;
      var tpl = document.createElement("template");
      tpl.innerHTML = html;
      var li = tpl.content.firstElementChild;
      li.removeAttribute("hx-swap-oob");
      li.classList.add("fresh");
      insertSorted(li);
      if (li.parentNode) htmx.process(li);
    });
    pending.clear();
    showPill();
    var empty = $("[data-testid=empty]");
    if (empty && rows().length) empty.hidden = true;
    mark();
    tick();
  }
  var rowID = /^\s*<li id="comment-([^"]+)"/;
  document.addEventListener("htmx:sseBeforeMessage", function (e) {
    var msg = e.detail, live = e.target.closest("[sse-connect]");
    if (msg.type === "reset") { e.preventDefault(); location.reload(); return; }
    if (msg.lastEventId) {
      var url = new URL(live.getAttribute("sse-connect"), location.href);
      url.searchParams.set("since", msg.lastEventId);
      live.setAttribute("sse-connect", url.pathname + url.search);
    }
    var m = rowID.exec(msg.data);
    if (m && m[1] === selectedID()) refreshPanel();
    if (m && rowOf(m[1]) && liveRank(rowOf(m[1])) === 0) fallBack(m[1]);
    if (!m || rowOf(m[1])) return; // htmx swaps rows on the page, and the rail, by id
    e.preventDefault();
    if (msg.type === "comment") pending.set(m[1], msg.data);
    else pending.delete(m[1]);
    if (pane.scrollTop === 0 && !cursorID) flush(); else showPill();
  });
  document.addEventListener("htmx:sseOpen", function (e) { e.target.dataset.live = "open"; });
  document.addEventListener("htmx:sseError", function (e) { e.target.dataset.live = "closed"; });

  function keyAction(status) {
    var ids = checked.size ? Array.from(checked) : [cursorID || selectedID()].filter(Boolean);
    var form = $("[data-testid=key-action]");
    if (!ids.length || !form) return;
    form.dataset.advance = !checked.size && status !== "open" ? ids[0] : "";
    $$("input[name=ids]", form).forEach(function (i) { i.remove(); });
    ids.forEach(function (id) {
      var i = document.createElement("input");
      i.type = "hidden"; i.name = "ids"; i.value = id;
      form.appendChild(i);
    });
    form.elements.status.value = status;
    htmx.trigger(form, "submit");
    checked.clear();
  }

  // Keyboard: never while typing in a field, except ⌘/Ctrl+Enter.
  var gPending = false;
  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName)) && el.type !== "checkbox";
  }
  document.addEventListener("keydown", function (e) {
    if ((e.metaKey || e.ctrlKey) && e.key === "Enter") {
      var send = $("[data-testid=reply-send]");
      if (send && !send.disabled) { e.preventDefault(); send.click(); }
      return;
    }
    if (e.metaKey || e.ctrlKey || e.altKey || typing(document.activeElement)) {
      if (e.key === "Escape" && typing(document.activeElement)) document.activeElement.blur();
      return;
    }
    var dlg = $("#shortcuts");
    if (dlg && dlg.open) return;
    if (gPending) {
      gPending = false;
      if (e.key === "i") { location.href = "/inbox"; return; }
      if (e.key === "t") { location.href = "/templates"; return; }
    }
    if (e.key === "g") { gPending = true; setTimeout(function () { gPending = false; }, 1000); return; }
    if (e.key === "?") { if (dlg) { e.preventDefault(); keyNames(dlg); dlg.showModal(); } return; }
    if (!inbox) return;
    var list = rows(), i = list.indexOf(rowOf(cursorID)), cur = list[i];
    switch (e.key) {
      case "j": case "k":
        var to = list[e.key === "j" ? Math.min(list.length - 1, i + 1) : Math.max(0, i - 1)];
        if (selectedID() && to && to.dataset.id !== selectedID()) openPanel(to); else setCursor(to);
        break;
      case "Escape": if (!selectedID()) return; closePanel(); break;
      case "Enter": case "o": if (cur) $(".row-main", cur).click(); break;
      case "e": keyAction("done"); break;
      case "#": keyAction("dismissed"); break;
      case "u": keyAction("open"); break;
      case "x":
        if (!cur) break;
        if (checked.has(cursorID)) checked.delete(cursorID); else checked.add(cursorID);
        mark();
        break;
      case "/": var q = $("#q"); if (q) { q.focus(); q.select(); } break;
      case "r": var box = $("[data-testid=reply-text]"); if (box && !box.disabled) box.focus(); break;
      default:
        var t = /^[1-9]$/.test(e.key) && $('[data-template-key="' + e.key + '"]');
        if (!t) return;
        insertTemplate(t, null, null, true);
    }
    e.preventDefault();
  });

  function initInbox() {
    inbox = $("[data-testid=inbox-page]");
    if (!inbox) return;
    rowsEl = $("#rows");
    pane = rowsEl.closest(".list-pane");
    cursorID = selectedID();
    checked.clear();
    pending.clear();
    pane.addEventListener("scroll", function () { if (pane.scrollTop === 0 && !cursorID && pending.size) flush(); });
    $("[data-testid=new-pill]").addEventListener("click", function () { cursorID = ""; flush(); pane.scrollTop = 0; });
    rowsEl.addEventListener("change", function (e) {
      var r = e.target.closest(".row");
      if (!e.target.classList.contains("row-check") || !r) return;
      if (e.target.checked) checked.add(r.dataset.id); else checked.delete(r.dataset.id);
      mark();
    });
    rowsEl.addEventListener("click", function (e) {
      var r = e.target.closest(".row");
      if (r && e.target.closest(".row-main")) cursorID = r.dataset.id;
    });
    $("[data-bulk-clear]").addEventListener("click", function () { checked.clear(); mark(); });
    mark();
  }
  document.addEventListener("htmx:afterRequest", function (e) {
    if (e.detail.elt.matches && e.detail.elt.matches("[data-bulk]") && e.detail.successful) { checked.clear(); mark(); }
  });
  // A comment handled from a key, the panel's buttons or the composer: on
  // to the next open one, once the answer is swapped in. (Before the swap:
  // the panel's forms leave the page with it.)
  document.addEventListener("htmx:beforeSwap", function (e) {
    var elt = e.detail.requestConfig && e.detail.requestConfig.elt, id = "";
    // Only the current comment's panel swaps in (a late answer for one the
    // cursor has left is dropped).
    var g = /^\/inbox\/comments\/([^/?]+)(\?|$)/.exec(e.detail.pathInfo.requestPath);
    if (g && e.detail.target && e.detail.target.id === "detail" && cursorID && decodeURIComponent(g[1]) !== cursorID) {
      e.detail.shouldSwap = false;
      return;
    }
    // Not on: an error, or an answer that did nothing (409: someone else is
    // replying, Send again to send anyway).
    if (e.detail.isError || e.detail.xhr.status >= 300 || !elt || !elt.matches) return;
    var m = /^\/inbox\/comments\/([^/?]+)\/(status|reply)/.exec(e.detail.pathInfo.requestPath);
    if (elt.matches("[data-testid=key-action]")) id = elt.dataset.advance;
    else if (m && (m[2] === "reply" || elt.elements.status.value !== "open")) id = decodeURIComponent(m[1]);
    if (id) setTimeout(function () { advance(id); }, 0);
  });
  document.addEventListener("htmx:afterSwap", function (e) { if (e.detail.target.id === "detail") syncPanel(); });
  document.addEventListener("htmx:afterSwap", function (e) { if (e.detail.target.id === "detail") restoreDraft(); });
  document.addEventListener("htmx:afterSettle", function () { mark(); tick(); initComposer(); });
  document.addEventListener("htmx:oobAfterSwap", function () { mark(); });

  // ——— Composer: byte counter as Meta counts (UTF-8 bytes), preview,
  // templates by click, number key or /shortcut ———
  var encoder = new TextEncoder();
  function updateComposer(box) {
    var form = box.closest("form"), count = $("[data-testid=byte-count]", form);
    var max = parseInt(box.dataset.maxBytes, 10), n = encoder.encode(box.value).length;
    var v = { n: n.toLocaleString("en-US"), over: (n - max).toLocaleString("en-US") };
    count.textContent = fill(n > max ? count.dataset.over : count.dataset.format, v);
    count.classList.toggle("over", n > max);
    count.classList.toggle("near", n <= max && n > max * 0.9);
    $("[data-preview]", form).textContent = box.value;
    var send = $("[data-testid=reply-send]", form);
    if (!box.disabled) send.disabled = box.readOnly || n > max || !box.value.trim();
  }
  // A template goes in at the cursor (or over the selection); Undo, the
  // button or ⌘/Ctrl+Z, puts back exactly what was there.
  var undo = null;
  // byKey: a digit picked it, and the box takes the focus when the key is
  // released, so the digit itself never lands in it.
  var focusOnKeyUp = null;
  document.addEventListener("keyup", function () {
    if (focusOnKeyUp) { focusOnKeyUp.focus(); focusOnKeyUp = null; }
  });
  function insertTemplate(btn, from, to, byKey) {
    var form = btn.closest("form"), box = $("[data-testid=reply-text]", form);
    if (box.disabled || box.readOnly || btn.disabled) return;
    var tid = $("[data-testid=reply-template-id]", form), text = btn.dataset.templateText;
    if (from == null) { from = box.selectionStart; to = box.selectionEnd; }
    undo = { box: box, value: box.value, start: box.selectionStart, end: box.selectionEnd, tmpl: tid.value };
    box.setRangeText(text, from, to, "end");
    undo.after = box.value;
    tid.value = btn.dataset.templateId;
    $$(".template-pick", form).forEach(function (b) { b.classList.toggle("active", b === btn); });
    closePicker(box);
    showUndo(form, $("span", btn));
    updateComposer(box);
    if (byKey) focusOnKeyUp = box; else box.focus();
  }
  function showUndo(form, nameEl) {
    var note = $("[data-testid=template-undo]", form);
    if (!note) return;
    var text = $("[data-undo-text]", note);
    text.textContent = nameEl ? fill(text.dataset.format, { name: nameEl.textContent }) : "";
    $("[data-testid=template-undo-button]", note).hidden = !nameEl;
    note.classList.toggle("shown", !!nameEl);
  }
  function undoTemplate() {
    var u = undo, box = u && u.box;
    undo = null;
    if (!box || !box.isConnected || box.value !== u.after) return false;
    box.value = u.value;
    box.focus();
    box.setSelectionRange(u.start, u.end);
    $("[data-testid=reply-template-id]", box.form).value = u.tmpl;
    $$(".template-pick", box.form).forEach(function (b) { b.classList.toggle("active", b.dataset.templateId === u.tmpl); });
    showUndo(box.form, null);
    updateComposer(box);
    return true;
  }

  // Typing "/" at the start of the box or after a space opens the picker:
  // the text after it filters, arrows choose, Enter inserts, Esc closes and
  // leaves the "/" as typed.
  var picker = null, pickerMax = 8; // picker: {box, from, active}
  var closedAt = -1;
  function slashToken(box) {
    var m = /(^|\s)\/([^\s\/]*)$/.exec(box.value.slice(0, box.selectionStart));
    return m ? { from: box.selectionStart - m[2].length - 1, q: m[2].toLowerCase() } : null;
  }
  function pickerOf(box) { return $("[data-testid=template-picker]", box.form); }
  function closePicker(box) {
    var el = box && pickerOf(box);
    picker = null;
    if (!el) return;
    el.hidden = true;
    box.removeAttribute("aria-activedescendant");
  }
  function options(el) { return $$("[role=option]:not([hidden]):not([aria-disabled=true])", el); }
  function setActive(opt) {
    var el = pickerOf(picker.box);
    $$("[role=option]", el).forEach(function (o) { o.setAttribute("aria-selected", o === opt ? "true" : "false"); });
    picker.active = opt;
    if (opt) { picker.box.setAttribute("aria-activedescendant", opt.id); opt.scrollIntoView({ block: "nearest" }); }
    else picker.box.removeAttribute("aria-activedescendant");
  }
  function updatePicker(box) {
    var tok = slashToken(box), el = pickerOf(box);
    if (!el || !tok || tok.from === closedAt) { if (!tok) closedAt = -1; closePicker(box); return; }
    closedAt = -1;
    picker = { box: box, from: tok.from, active: null };
    // At most pickerMax at once, so the list never scrolls: typing narrows it.
    var shown = 0, more = 0;
    $$("[role=option]", el).forEach(function (o) {
      var match = o.dataset.search.indexOf(tok.q) >= 0;
      o.hidden = !match || shown >= pickerMax;
      if (!o.hidden) shown++; else if (match) more++;
    });
    var empty = $("[data-testid=template-picker-empty]", el), rest = $("[data-testid=template-picker-more]", el);
    empty.hidden = shown > 0;
    empty.textContent = shown ? "" : fill(empty.dataset.format, { q: tok.q });
    rest.hidden = more === 0;
    rest.textContent = more ? fill(rest.dataset.format, { n: more }) : "";
    el.hidden = false;
    setActive(options(el)[0] || null);
  }
  function choose(opt) {
    var box = picker.box, from = picker.from;
    var btn = $('.template-pick[data-template-id="' + opt.dataset.templateId + '"]', box.form);
    if (btn) insertTemplate(btn, from, box.selectionStart);
  }
  document.addEventListener("keydown", function (e) {
    var box = e.target;
    if (!box.matches || !box.matches("[data-testid=reply-text]")) return;
    if ((e.metaKey || e.ctrlKey) && !e.shiftKey && e.key.toLowerCase() === "z") {
      if (undo && undo.box === box && box.value === undo.after) { e.preventDefault(); undoTemplate(); }
      return;
    }
    if (!picker || picker.box !== box) return;
    var list = options(pickerOf(box)), i = list.indexOf(picker.active);
    switch (e.key) {
      case "ArrowDown": setActive(list[(i + 1) % list.length] || null); break;
      case "ArrowUp": setActive(list[(i - 1 + list.length) % list.length] || null); break;
      case "Enter":
        if (e.metaKey || e.ctrlKey || !picker.active) return;
        choose(picker.active);
        swallowKey = true;
        break;
      case "Escape": closedAt = picker.from; closePicker(box); break;
      default: return;
    }
    e.preventDefault();
    e.stopPropagation();
  }, true); // before the page's keys: Esc here closes the picker, not the box
  // The Enter that inserted a template adds no line break, even when the
  // key's character arrives on its own.
  var swallowKey = false;
  document.addEventListener("beforeinput", function (e) { if (swallowKey) e.preventDefault(); }, true);
  document.addEventListener("keyup", function () { swallowKey = false; });
  document.addEventListener("mousedown", function (e) {
    var opt = e.target.closest && e.target.closest(".template-picker [role=option]");
    if (!opt) return;
    e.preventDefault(); // the box keeps the focus and its caret
    if (picker && opt.getAttribute("aria-disabled") !== "true") choose(opt);
  });
  document.addEventListener("click", function (e) {
    if (inbox && e.target.closest && e.target.closest("[data-detail-close]")) { e.preventDefault(); closePanel(); return; }
    if (e.target.closest && e.target.closest("[data-testid=template-undo-button]")) { undoTemplate(); return; }
    var btn = e.target.closest && e.target.closest(".template-pick");
    if (btn && !btn.disabled) { e.preventDefault(); insertTemplate(btn); }
  });
  document.addEventListener("input", function (e) {
    var box = e.target;
    if (!box.matches("[data-testid=reply-text]")) return;
    var form = box.form;
    // "/price " inserts the template with that shortcut at once.
    var m = /(^|\s)\/([a-z0-9_-]+)[ \n]$/.exec(box.value.slice(0, box.selectionStart));
    var t = m && $('.template-pick[data-shortcut="' + m[2] + '"]', form);
    if (t && !t.disabled) { insertTemplate(t, box.selectionStart - m[2].length - 2, box.selectionStart); return; }
    if (!box.value) $("[data-testid=reply-template-id]", form).value = "";
    if (undo && undo.box === box && box.value !== undo.after) { undo = null; showUndo(form, null); }
    updatePicker(box);
    updateComposer(box);
  });
  document.addEventListener("focusout", function (e) {
    if (picker && e.target === picker.box) closePicker(picker.box);
  });
  function initComposer() {
    $$("[data-testid=reply-text]").forEach(updateComposer);
    // A long comment is clamped; "Show more" appears only when it is.
    $$("[data-show-more]").forEach(function (btn) {
      var text = btn.previousElementSibling;
      btn.hidden = !text.classList.contains("clamped") || text.scrollHeight <= text.clientHeight + 1;
    });
  }
  document.addEventListener("click", function (e) {
    var btn = e.target.closest && e.target.closest("[data-show-more]");
    if (!btn) return;
    var text = btn.previousElementSibling, label = btn.textContent;
    text.classList.toggle("clamped");
    btn.textContent = btn.dataset.less;
    btn.dataset.less = label;
  });

  // Selects that filter submit on change.
  document.addEventListener("change", function (e) {
    if (e.target.matches("select[data-autosubmit]")) e.target.form.requestSubmit();
  });

  // Keys named for this system: ⌘ on Apple's, Ctrl elsewhere.
  var mac = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
  function keyNames(root) {
    if (!mac) $$("kbd[data-key-other]", root).forEach(function (k) { k.textContent = k.dataset.keyOther; });
  }
  htmx.onLoad(keyNames);

  function init() {
    var server = $("[data-server-now]");
    if (server) skew = Date.parse(server.dataset.serverNow) - Date.now();
    initInbox();
    initComposer();
    tick();
  }
  document.addEventListener("DOMContentLoaded", init);
  document.addEventListener("htmx:historyRestore", init);
  htmx.onLoad(function (el) {
    if (el !== document.body && (el.matches("[data-testid=inbox-page]") || $("[data-testid=inbox-page]", el))) init();
  });
  setInterval(tick, 1000);
})();
