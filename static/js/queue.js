// The moderation queue, live. Progressive enhancement only: the page works
// without this file (plain forms, "Select every item" as a link).
import { keepOpen, supported } from "./socket.js";

(function () {
  "use strict";
  var root = document.querySelector("[data-queue]");
  if (!root) { return; }
  var form = document.getElementById("queue-form");
  var list = root.querySelector("[data-queue-items]");
  var status = root.querySelector("[data-queue-status]");
  var liveStatus = root.querySelector("[data-live-status]");
  var texts = root.dataset;
  var me = root.dataset.me || "";
  var query = texts.query ? "?" + texts.query : "";

  function say(text) {
    // Cleared first, so that the same words twice are read twice.
    if (!status || !text) { return; }
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 60);
  }

  function itemNode(id) { return document.getElementById("queue-item-" + id); }
  function box(node) { return node ? node.querySelector("input[name=items]") : null; }
  function allBoxes() { return Array.prototype.slice.call(list.querySelectorAll("input[name=items]")); }

  // --- Selecting --------------------------------------------------------------
  var selectAll = root.querySelector("[data-select-all]");
  if (selectAll) {
    selectAll.addEventListener("click", function (event) {
      event.preventDefault();
      var boxes = allBoxes().filter(function (b) { return !b.disabled; });
      var tick = boxes.some(function (b) { return !b.checked; });
      var changed = [];
      boxes.forEach(function (b) {
        if (b.checked !== tick) { b.checked = tick; changed.push(Number(b.value)); }
      });
      claim(changed, tick);
    });
  }

  // Shortcuts: j/k move between items, x selects; never while typing.
  var help = root.querySelector("[data-shortcuts-help]");
  if (help) { help.hidden = false; }
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) { return; }
    var target = event.target;
    var tag = target && target.tagName;
    var typing = tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable ||
      (tag === "INPUT" && target.type !== "checkbox");
    if (typing || ["j", "k", "x"].indexOf(event.key) < 0) { return; }
    var items = Array.prototype.slice.call(list.querySelectorAll("[data-queue-item]"));
    if (!items.length) { return; }
    var current = target.closest ? target.closest("[data-queue-item]") : null;
    var index = items.indexOf(current);
    if (event.key === "x") {
      var b = box(current);
      if (b && !b.disabled) { b.click(); event.preventDefault(); }
      return;
    }
    var next = event.key === "j" ? index + 1 : index - 1;
    if (index < 0) { next = event.key === "j" ? 0 : items.length - 1; }
    if (next < 0 || next >= items.length) { return; }
    var focusable = box(items[next]);
    if (focusable && focusable.disabled) { focusable = items[next].querySelector("summary"); }
    if (focusable) { focusable.focus(); event.preventDefault(); }
  });

  // --- Claiming what one selects or opens -------------------------------------
  var channel = null;
  var nextRef = 1;
  var pending = {};
  function claim(ids, take) {
    if (!ids.length || !channel || !channel.isOpen()) { return; }
    var ref = "q" + nextRef++;
    pending[ref] = { ids: ids, take: take };
    channel.send({ type: take ? "queue.claim" : "queue.release", comments: ids, ref: ref });
  }
  list.addEventListener("change", function (event) {
    var b = event.target;
    if (b.name !== "items") { return; }
    claim([Number(b.value)], b.checked);
  });
  list.addEventListener("toggle", function (event) {
    var details = event.target;
    if (!details.matches || !details.matches("[data-context]") || !details.open) { return; }
    var node = details.closest("[data-queue-item]");
    var b = box(node);
    if (node && b && !b.disabled && node.dataset.claimedBy !== me) { claim([Number(node.dataset.queueItem)], true); }
  }, true);

  function answered(event) {
    var asked = pending[event.ref];
    delete pending[event.ref];
    if (event.type === "error") {
      // Refused (another moderator was first): not selected after all.
      Object.keys(event.refused || {}).forEach(function (id) {
        var b = box(itemNode(id));
        if (b && asked && asked.take) { b.checked = false; }
      });
      say(event.message);
    }
  }

  // --- Live changes ----------------------------------------------------------
  function fetchItem(id) {
    var url = texts.itemUrl.replace(/\/0\/$/, "/" + id + "/") + query;
    return window.fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (response.redirected) { return; }  // signed out: the next load says so
        if (response.status === 204) { removeItem(id); return; }  // not (any more) in this queue
        if (!response.ok) { return; }
        return response.text().then(function (html) { upsert(id, html); });
      })
      .catch(function () {});
  }

  function parse(html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  function upsert(id, html) {
    var fresh = parse(html);
    if (!fresh) { return; }
    var old = itemNode(id);
    if (old) {
      // Keep what the moderator was doing with it: ticked, context open, focus.
      var before = box(old);
      var after = box(fresh);
      if (before && after && !after.disabled) { after.checked = before.checked; }
      var openBefore = old.querySelector("[data-context]");
      var openAfter = fresh.querySelector("[data-context]");
      if (openBefore && openAfter) { openAfter.open = openBefore.open; }
      var focused = old.contains(document.activeElement) ? document.activeElement.id : null;
      old.replaceWith(fresh);
      if (focused && document.getElementById(focused)) { document.getElementById(focused).focus(); }
      return;
    }
    var newest = texts.order === "newest";
    var here = newest ? root.hasAttribute("data-first-page") : root.hasAttribute("data-last-page");
    if (!here) { say(texts.textNewElsewhere); return; }
    if (newest) { list.insertBefore(fresh, list.firstElementChild); } else { list.appendChild(fresh); }
    var empty = root.querySelector("[data-queue-empty]");
    if (empty) { empty.remove(); }
    say(texts.textNew);
  }

  function removeItem(id) {
    var node = itemNode(id);
    if (!node) { return; }
    if (node.contains(document.activeElement)) {
      // Focus goes to the next item (or the previous), never to the page's top.
      var neighbour = node.nextElementSibling || node.previousElementSibling;
      var target = neighbour && (box(neighbour) || neighbour.querySelector("summary"));
      if (target) { target.focus(); }
    }
    node.remove();
    say(texts.textResolved);
  }

  function claimed(event) {
    var node = itemNode(event.comment);
    if (!node) { return; }
    var mine = String(event.by_id) === me;
    node.dataset.claimedBy = String(event.by_id);
    var note = node.querySelector("[data-claim]");
    var b = box(node);
    var takeOver = node.querySelector("[data-take-over]");
    if (mine) {
      if (note) { note.textContent = texts.textTakenByYou; }
      if (b) { b.disabled = false; }
      if (takeOver) { takeOver.hidden = true; }
      node.classList.remove("queue-item-taken");
      return;
    }
    var name = String(event.by || "");
    if (note) { note.textContent = texts.textTakenBy.replace("__NAME__", name); }
    if (b) { b.checked = false; b.disabled = true; }
    if (takeOver) { takeOver.hidden = false; }
    node.classList.add("queue-item-taken");
    say(texts.textClaimed.replace("__NAME__", name));
  }

  function released(event) {
    var node = itemNode(event.comment);
    if (!node) { return; }
    delete node.dataset.claimedBy;
    var note = node.querySelector("[data-claim]");
    if (note) { note.textContent = ""; }
    var b = box(node);
    if (b) { b.disabled = false; }
    var takeOver = node.querySelector("[data-take-over]");
    if (takeOver) { takeOver.hidden = true; }
    node.classList.remove("queue-item-taken");
  }

  function refreshList() {
    // Queue changes are not replayed: after a drop, the list is read again.
    window.fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok && !response.redirected ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.querySelector("[data-queue-items]");
        if (!fresh) { return; }
        var ticked = allBoxes().filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
        list.innerHTML = "";
        Array.prototype.slice.call(fresh.children).forEach(function (child) {
          var node = document.importNode(child, true);
          var b = box(node);
          if (b && !b.disabled && ticked.indexOf(b.value) >= 0) { b.checked = true; }
          list.appendChild(node);
        });
        say(texts.textRefreshed);
      })
      .catch(function () {});
  }

  function receive(event) {
    if (event.type === "hello") {
      root.dataset.live = "connected";
      if (liveStatus) { liveStatus.hidden = true; }
      if (connections++ > 0) { refreshList(); }
      return;
    }
    if ((event.type === "ok" || event.type === "error") && event.ref) { answered(event); return; }
    if (event.type !== "queue.changed") { return; }
    if (event.change === "claimed") { claimed(event); return; }
    if (event.change === "released") { released(event); return; }
    fetchItem(event.comment);
  }

  if (!supported || !form) { return; }
  var connections = 0;
  channel = keepOpen({
    path: "/ws/moderation/",
    message: receive,
    close: function () {
      root.dataset.live = "disconnected";
      if (liveStatus && texts.textReconnecting) {
        liveStatus.textContent = texts.textReconnecting;
        liveStatus.hidden = false;
      }
    }
  });
}());
