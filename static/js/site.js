// Progressive enhancement only: every page works without this file.
import { keepOpen, supported } from "./socket.js";

(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Edit is offered while the server still accepts an edit: the link goes
  // when the window closes (the server stops drawing it then too).
  function expireEdits(scope) {
    scope.querySelectorAll("[data-editable-until]").forEach(function (link) {
      var left = Date.parse(link.dataset.editableUntil) - Date.now();
      if (isNaN(left)) { return; }
      if (left <= 0) { link.remove(); return; }
      window.setTimeout(function () { link.remove(); }, left);
    });
  }
  expireEdits(document);

  if (!supported) { return; }
  var root = document.querySelector("[data-live-url]");
  var announcer = document.querySelector("[data-live-announcer]");
  var signedIn = document.body.dataset.signedIn === "true";
  // The reader's own mark in this consultation: their comments carry it
  // (no account number is ever on the page).
  var me = root ? root.dataset.me || "" : "";

  // Polite announcements; several in the same moment are read together,
  // not one over the other.
  var heard = [];
  var speaking = null;
  function announce(text) {
    if (!announcer || !text) { return; }
    if (heard.indexOf(text) < 0) { heard.push(text); }
    if (speaking) { window.clearTimeout(speaking); }
    speaking = window.setTimeout(function () {
      announcer.textContent = heard.join(" ");
      heard = [];
      speaking = null;
    }, 150);
  }

  // The unread count beside "Notifications", kept live on every page.
  var shownUnread = null;
  function unread(count) {
    var badge = document.querySelector("[data-unread]");
    if (!badge) { return; }
    var number = badge.querySelector("[data-unread-count]");
    if (shownUnread === null) { shownUnread = Number(number.textContent) || 0; }
    number.textContent = count;
    badge.hidden = !count;
    if (count > shownUnread) { announce(document.body.dataset.newNotification || "New notification"); }
    shownUnread = count;
  }

  // Every socket's frames: the unread count, and "too many" said aloud.
  function withCommon(handle) {
    return function (event) {
      if (event.type === "notifications") { unread(event.unread); return; }
      if (event.code === 4429 && !event.ref && event.message) { announce(event.message); }
      handle(event);
    };
  }

  if (!root) {
    // Pages without a consultation's live channel still keep the count live.
    if (signedIn) { keepOpen({ path: "/ws/me/", message: withCommon(function () {}) }); }
    return;
  }
  var status = document.querySelector("[data-live-status]");
  var canTakePart = document.body.dataset.canComment === "true";
  var section = root.dataset.section || "";
  var question = root.dataset.question || "";
  var csrf = (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value || "";
  var lang = document.documentElement.lang || "en";
  // The page was drawn at this event number: anything later is replayed on connect.
  var lastSeq = root.dataset.seq ? Number(root.dataset.seq) : null;
  var displayDepth = Number(root.dataset.displayDepth || 4);
  var baseDepth = Number(root.dataset.baseDepth || 0);

  function fragment(html) {
    if (typeof html === "object") { html = html[lang] || html.en || ""; }
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    var node = template.content.firstElementChild;
    node.querySelectorAll("[data-csrf]").forEach(function (input) { input.value = csrf; });
    var own = Boolean(me) && node.dataset.author === me;
    node.querySelectorAll("[data-live-only]").forEach(function (part) {
      // Votes and replies for signed-in people who may take part; never on one's own comment.
      var isVote = part.classList.contains("vote-form");
      if (part.hasAttribute("data-own-only")) {
        // Edit and Delete: the author's alone.
        if (own) { part.hidden = false; } else { part.remove(); }
        return;
      }
      if (part.hasAttribute("data-not-own")) {
        // Reporting: anyone signed in, on anyone's comment but their own.
        part.hidden = !(signedIn && !own);
        return;
      }
      part.hidden = !(canTakePart && signedIn && !(own && isVote));
    });
    expireEdits(node);
    return node;
  }

  function continueLink(item, node, id) {
    // Shown once the thread goes deeper than this page nests.
    var time = node.querySelector(".comment-time");
    var more = document.createElement("p");
    more.className = "continue";
    more.hidden = true;
    more.dataset.continueOf = id;
    var anchor = document.createElement("a");
    anchor.href = time ? time.getAttribute("href").split("#")[0] : "#comment-" + id;
    anchor.textContent = document.body.dataset.continueText || "Continue this thread";
    more.appendChild(anchor);
    item.appendChild(more);
  }

  function laterPage(order, id) {
    // Newest first, a new thread heads the first page; oldest first, it ends the last.
    var notice = document.querySelector("[data-later-page-notice]");
    if (!notice) { return; }
    var page = order === "newest" ? "1" : "last";
    notice.querySelector("[data-later-page-link]").href =
      "?sort=" + order + "&page=" + page + "#comment-" + id;
    notice.hidden = false;
  }

  function commentCreated(event) {
    if (document.getElementById("comment-" + event.id)) { return; }
    var list;
    if (event.parent) {
      list = document.querySelector('[data-replies-of="' + event.parent + '"]');
      if (list && list.hasAttribute("data-full")) {
        // Deeper than this page nests: the thread continues on its own page.
        var more = document.querySelector('[data-continue-of="' + event.parent + '"]');
        if (more) { more.hidden = false; }
        announce(document.body.dataset.newComment || "New comment");
        return;
      }
    } else if (String(event.section || "") === section && String(event.question || "") === question) {
      list = document.querySelector("[data-threads]");
      // A new thread goes where the page's order puts it: first when the
      // newest come first, last otherwise; if that is another page, say so.
      var order = list ? list.dataset.sort : "oldest";
      if (order !== "oldest" && order !== "newest") {
        // Ordered by votes or replies: its place is known on the next load.
        announce(document.body.dataset.newElsewhere || "New comment");
        return;
      }
      if (list && !list.hasAttribute(order === "newest" ? "data-first-page" : "data-last-page")) {
        laterPage(order, event.id);
        announce(document.body.dataset.laterPage || "New comment on another page");
        return;
      }
    }
    if (!list) { return; }
    var node = fragment(event.html);
    var item = document.createElement("li");
    item.className = "thread-item";
    item.appendChild(node);
    var replies = document.createElement("ol");
    replies.className = "replies";
    replies.dataset.repliesOf = event.id;
    item.appendChild(replies);
    if (event.depth - baseDepth === displayDepth - 1) {
      replies.setAttribute("data-full", "");
      continueLink(item, node, event.id);
    }
    if (!event.parent && list.dataset.sort === "newest") {
      // Newest first, but below the pinned thread, which always heads the page.
      var first = list.firstElementChild;
      if (first && first.querySelector(":scope > .comment-pinned")) { first = first.nextElementSibling; }
      list.insertBefore(item, first);
    } else {
      // At the end of its list: nothing above what a reader is typing moves.
      list.appendChild(item);
    }
    var empty = document.querySelector("[data-empty]");
    if (empty) { empty.remove(); }
    announce(document.body.dataset.newComment || "New comment");
  }

  function commentReplaced(event) {
    var old = document.getElementById("comment-" + event.id);
    if (!old) { return; }
    var fresh = fragment(event.html);
    if (event.type === "comment.restored") {
      // Back as it was: the whole comment returns (a hidden one has no reply box to keep).
      old.replaceWith(fresh);
      return;
    }
    // Swap what the author changed; keep an open reply box and its text as they are.
    swapParts(old, fresh, ["header", ".comment-body", ".tombstone", ".comment-curation"]);
    if (fresh.classList.contains("comment-deleted") || fresh.classList.contains("comment-hidden")) {
      old.className = fresh.className;
      var footer = old.querySelector(".comment-actions");
      if (footer) { footer.remove(); }
      var box = old.querySelector(".reply-box");
      if (box && !box.open) { box.remove(); }
    }
  }

  function swapParts(old, fresh, selectors) {
    selectors.forEach(function (selector) {
      var before = old.querySelector(selector);
      var after = fresh.querySelector(selector);
      if (before && after) { before.replaceWith(after); }
      else if (before && !after) { before.remove(); }
      else if (!before && after) {
        var anchor = old.querySelector(".comment-body") || old.querySelector("header");
        anchor.after(after);
      }
    });
  }

  function authorRenamed(event) {
    // A new display name: in place on each of the person's comments here.
    var mine = document.querySelectorAll('article.comment[data-author="' + event.mark + '"]');
    mine.forEach(function (comment) {
      var by = document.getElementById(comment.id + "-by");
      if (!by || by.tagName !== "STRONG") { return; }  // deleted or removed: no name shown
      var before = by.textContent;
      by.textContent = event.name;
      var label = comment.querySelector('label[for="reply-' + comment.dataset.commentId + '"]');
      if (label && before) { label.textContent = label.textContent.replace(before, event.name); }
    });
  }

  function commentCurated(event) {
    // Badges, themes and "similar to" change; the words, the votes and an
    // open reply box stay exactly as they are. A newly pinned thread is not
    // moved under the reader's eyes: it heads the page from the next load.
    var old = document.getElementById("comment-" + event.id);
    if (!old) { return; }
    var fresh = fragment(event.html);
    swapParts(old, fresh, ["header", ".comment-curation"]);
    old.className = fresh.className;
  }

  function responsePosted(event) {
    // An official answer: under every comment it answers that this page
    // shows, beside the section it answers as a whole, or above the
    // discussion when it answers a theme one of the page's comments carries.
    var boxes = [];
    (event.comments || []).forEach(function (id) {
      var box = document.querySelector('[data-responses-to="' + id + '"]');
      if (box) { boxes.push(box); }
    });
    if (event.section) {
      document.querySelectorAll('[data-section-responses="' + event.section + '"]').forEach(function (box) {
        boxes.push(box);
      });
    }
    if (event.theme_name) {
      var shown = Array.prototype.some.call(document.querySelectorAll(".theme-chip"), function (chip) {
        return chip.textContent.trim() === event.theme_name;
      });
      var themes = document.querySelector("[data-theme-responses]");
      if (shown && themes) { boxes.push(themes); }
    }
    var added = false;
    boxes.forEach(function (box) {
      if (box.querySelector('[data-response-id="' + event.id + '"]')) { return; }
      box.appendChild(fragment(event.html));
      box.hidden = false;
      added = true;
    });
    if (added) { announce(document.body.dataset.newResponse || "New official response"); }
  }

  function tallies(event) {
    Object.keys(event.tallies).forEach(function (id) {
      var counts = event.tallies[id];
      var tally = document.querySelector("#comment-" + id + " [data-tally]");
      if (!tally) { return; }
      ["agree", "disagree", "pass"].forEach(function (name, index) {
        var span = tally.querySelector('[data-count="' + name + '"]');
        if (span) { span.textContent = counts[index]; }
      });
    });
  }

  function stanceTallies(event) {
    var names = ["support", "oppose", "neutral"];
    Object.keys(event.stances).forEach(function (key) {
      var row = document.querySelector('[data-stance-row="' + key + '"]');
      if (!row) { return; }
      var counts = event.stances[key];
      var total = counts[0] + counts[1] + counts[2];
      var cells = row.querySelectorAll("td");
      names.forEach(function (name, index) {
        var cell = cells[index];
        if (!cell) { return; }
        var share = total ? Math.round(100 * counts[index] / total) : 0;
        cell.className = "heat heat-" + name + "-" + Math.round(share / 10);
        cell.innerHTML = "";
        cell.appendChild(document.createTextNode(counts[index] + " "));
        var span = document.createElement("span");
        span.className = "share";
        span.textContent = "(" + share + "%)";
        cell.appendChild(span);
      });
      if (cells[3]) { cells[3].textContent = total; }
    });
  }

  function stateChanged(event) {
    // The page's forms may no longer apply; say so, and let the reader reload.
    var note = document.querySelector("[data-state-notice]");
    if (note && event.status !== root.dataset.status) {
      note.hidden = false;
      announce(note.textContent);
    }
  }

  var handlers = {
    "comment.created": commentCreated,
    "comment.edited": commentReplaced,
    "comment.deleted": commentReplaced,
    "comment.hidden": commentReplaced,
    "comment.restored": commentReplaced,
    "comment.curated": commentCurated,
    "author.renamed": authorRenamed,
    "response.posted": responsePosted,
    "comment.tallies": tallies,
    "stance.tallies": stanceTallies,
    "proposal.state": stateChanged
  };

  function viewers(count) {
    var box = document.querySelector("[data-viewers]");
    if (!box) { return; }
    var template = count === 1 ? box.dataset.templateOne : box.dataset.template;
    box.textContent = template.replace("__N__", count);
    box.hidden = false;
  }

  // Events that arrive out of order wait here, by number, for the ones
  // before them: right after a (re)connect the replay of what was missed is
  // still coming, and an event ahead of it is no gap. Only when the missing
  // numbers have not come within GAP_WAIT is it a gap, and the socket
  // reconnects to have them replayed.
  var GAP_WAIT = 3000;
  var early = {};
  var gapTimer = null;

  function receive(event) {
    if (event.type === "hello") {
      if (lastSeq === null) { lastSeq = event.seq; }
      resendPosts();  // posts whose answer the last socket did not bring
      if (event.me) { me = event.me; }
      if (typeof event.unread === "number") { unread(event.unread); }
      root.dataset.live = "connected";
      if (status) { status.hidden = true; }
      return;
    }
    if (event.type === "reload") { window.location.reload(); return; }
    if (event.type === "viewers") { viewers(event.count); return; }
    if ((event.type === "ok" || event.type === "error") && event.ref) { answered(event); return; }
    if (typeof event.seq !== "number") { return; }
    if (lastSeq !== null && event.seq <= lastSeq) { return; }  // already applied
    if (lastSeq !== null && event.seq > lastSeq + 1) {
      early[event.seq] = event;
      if (!gapTimer) { gapTimer = window.setTimeout(gapStayed, GAP_WAIT); }
      return;
    }
    apply(event);
    // What waited for this one follows it, in order.
    while (lastSeq !== null && early[lastSeq + 1]) {
      var next = early[lastSeq + 1];
      delete early[lastSeq + 1];
      apply(next);
    }
    Object.keys(early).forEach(function (seq) { if (Number(seq) <= lastSeq) { delete early[seq]; } });
    if (Object.keys(early).length === 0 && gapTimer) {
      window.clearTimeout(gapTimer);
      gapTimer = null;
    }
  }

  function apply(event) {
    lastSeq = event.seq;
    var handler = handlers[event.type];
    if (handler) { handler(event); }
  }

  function gapStayed() {
    // A gap that did not fill (a broadcast lost): reconnect, and the server
    // replays everything after lastSeq in order.
    gapTimer = null;
    early = {};
    channel.reconnect();
  }

  // Votes go over the socket when it is open (the form stays as the fallback).
  var channel = null;
  function isOpen() { return Boolean(channel) && channel.isOpen(); }
  var pending = {};
  var nextRef = 1;
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList.contains("vote-form") || !isOpen()) { return; }
    var button = event.submitter;
    var comment = form.closest("[data-comment-id]");
    if (!button || !comment) { return; }
    event.preventDefault();
    var ref = "v" + nextRef++;
    var withdraw = button.hasAttribute("data-vote-withdraw");
    pending[ref] = function () {
      form.querySelectorAll("button[aria-pressed]").forEach(function (other) {
        other.setAttribute("aria-pressed", other === button ? "true" : "false");
      });
      // Withdrawing is offered only while there is a vote to take back.
      var back = form.querySelector("[data-vote-withdraw]");
      if (back) { back.hidden = withdraw; }
      if (withdraw) {
        var first = form.querySelector("button[aria-pressed]");
        if (first) { first.focus(); }
      }
    };
    var message = { type: "comment.vote", comment: Number(comment.dataset.commentId), ref: ref };
    if (withdraw) { message.type = "comment.vote_withdraw"; } else { message.value = button.value; }
    channel.send(message);
  });

  // Comments and replies go over the socket too; the form posts as before
  // when the socket is not open. Each draft has a key (the form's hidden
  // field, drawn with the page, or one made here) that goes with every
  // attempt: a post sent again after a lost answer is stored once. The text
  // stays in its box, unchanged, until the server answers; a post with no
  // answer is sent again once the socket is open again.
  var failed = {};
  var unanswered = {};
  // Longer than a slow answer takes: past it the socket is taken for dead.
  var ANSWER_TIMEOUT = 15000;

  function newKey() {
    if (window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    // Pages served over plain HTTP have no randomUUID: a version 4 UUID by hand.
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function keyField(form) {
    var field = form.querySelector("input[name=key]");
    if (!field) {
      field = document.createElement("input");
      field.type = "hidden";
      field.name = "key";
      form.appendChild(field);
    }
    if (!field.value) { field.value = newKey(); }
    return field;
  }

  // Reply opens a box in place, copied from the page's one reply template;
  // without the script the link leads to the comment's own page, where the
  // box is.
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a.reply-link") : null;
    var template = document.getElementById("reply-template");
    var comment = link ? link.closest("[data-comment-id]") : null;
    if (!comment || !template) { return; }
    event.preventDefault();
    var id = comment.dataset.commentId;
    var field = document.getElementById("reply-" + id);
    if (!field) {
      var box = template.content.firstElementChild.cloneNode(true);
      box.querySelector("input[name=parent]").value = id;
      field = box.querySelector("textarea");
      field.id = "reply-" + id;
      var label = box.querySelector('label[for="reply-new"]');
      label.htmlFor = field.id;
      var by = document.getElementById(comment.id + "-by");
      label.textContent = label.textContent.replace("{name}", by ? by.textContent : "");
      keyField(box.querySelector("form"));
      link.parentNode.insertBefore(box, link.nextSibling);
      link.hidden = true;
    }
    field.closest("details").open = true;
    field.focus();
  });

  function waitingFrom(form) {
    return Object.keys(unanswered).filter(function (ref) { return unanswered[ref].form === form; })[0];
  }

  function sendPost(ref) {
    var post = unanswered[ref];
    if (!post || !isOpen()) { return; }  // sent again when the socket is back (resendPosts)
    channel.send(post.message);
    window.clearTimeout(post.timer);
    post.timer = window.setTimeout(function () {
      // No answer: a socket that went quiet. Reconnecting sends it again.
      if (unanswered[ref]) { channel.reconnect(); }
    }, ANSWER_TIMEOUT);
  }

  function resendPosts() {
    Object.keys(unanswered).forEach(sendPost);
  }

  function settle(ref, form, body, key) {
    if (unanswered[ref]) { window.clearTimeout(unanswered[ref].timer); }
    delete unanswered[ref];
    body.readOnly = false;
    form.removeAttribute("aria-busy");
    key.value = newKey();  // the next draft's
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var body = form.querySelector("textarea[name=body]");
    if (!body || !form.action.match(/\/comments\/$/)) {
      return;
    }
    // Without the socket the form posts itself, with the same key: a post
    // the socket sent and this one are the same post, stored once.
    var key = keyField(form);
    if (!isOpen()) { return; }
    event.preventDefault();
    var waiting = waitingFrom(form);
    if (waiting) { sendPost(waiting); return; }  // pressed again: the same post again
    var ref = "c" + nextRef++;
    var message = { type: "comment.post", body: body.value, ref: ref, key: key.value };
    ["section", "question", "parent"].forEach(function (name) {
      var field = form.querySelector("[name=" + name + "]");
      if (field && field.value) { message[name] = Number(field.value); }
    });
    ["started", "website"].forEach(function (name) {
      var field = form.querySelector("[name=" + name + "]");
      message[name] = field ? field.value : "";
    });
    var error = form.querySelector("[data-socket-error]");
    if (error) { error.remove(); }
    pending[ref] = function () {
      settle(ref, form, body, key);
      body.value = "";  // posted: the comment arrives as an event like everyone else's
      var box = form.closest("details");
      if (box) { box.open = false; }
    };
    failed[ref] = function (text, answer) {
      // Refused (nothing stored): the text stays where it was typed, with the reason beside it.
      settle(ref, form, body, key);
      var started = form.querySelector("[name=started]");
      if (answer.started && started) { started.value = answer.started; }
      var note = document.createElement("p");
      note.className = "errorlist";
      note.setAttribute("role", "alert");
      note.dataset.socketError = "";
      note.textContent = text;
      body.after(note);
    };
    // Unchanged until answered: a retry must carry the words first sent.
    body.readOnly = true;
    form.setAttribute("aria-busy", "true");
    unanswered[ref] = { message: message, form: form, timer: null };
    sendPost(ref);
  });

  function answered(event) {
    var done = pending[event.ref];
    var refused = failed[event.ref];
    delete pending[event.ref];
    delete failed[event.ref];
    if (event.type === "ok" && done) { done(); }
    if (event.type === "ok" && event.held) {
      // Held for review: shown to its author only, marked as awaiting review.
      commentCreated(event.held);
    }
    if (event.type === "error" && event.message) {
      if (refused) { refused(event.message, event); } else { announce(event.message); }
    }
  }

  channel = keepOpen({
    path: function () { return root.dataset.liveUrl; },
    since: function () { return lastSeq; },
    message: withCommon(receive),
    close: function (code, signedOut) {
      root.dataset.live = "disconnected";
      // The next connection replays from lastSeq: what waited comes again.
      early = {};
      if (gapTimer) { window.clearTimeout(gapTimer); gapTimer = null; }
      var text = signedOut || document.body.dataset.reconnecting;
      if (status && text) {
        status.textContent = text;
        status.hidden = false;
      }
      if (signedOut) { announce(signedOut); }
    }
  });
}());
