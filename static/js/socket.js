// The one live socket of every page (the discussion, the moderators' queue,
// the summary's progress, the unread count): kept open, with one rule for
// when to try again. Progressive enhancement only: every page works without it.
//
// After a drop it reconnects with a growing pause (1 s, doubling, at most
// 30 s), each drawn at random between half and all of it, so that a
// thousand pages dropped at once (a deploy) do not all come back in the
// same instant. After 4429 (too many sockets or frames) it waits as long as the
// server asked (30 s when it did not say). After any other 4xxx (signed out,
// not allowed, not found) it stops: trying again will not help. A page that
// keeps an event number gets what it missed: the address carries
// ?since=<seq> on every (re)connect.

const FIRST_PAUSE = 1000;
const LONGEST_PAUSE = 30000;
const HEARTBEAT = 30000;
const TOO_MANY = 4429;
const SIGNED_OUT = 4401;

export const supported = "WebSocket" in window;

// A pause drawn between half and all of `pause`.
export function jittered(pause) {
  return Math.round(pause * (0.5 + Math.random() * 0.5));
}

// options.path: the address, or a function giving it (read on each connect).
// options.since: a function giving the last event number seen, or null.
// options.message(event): every frame, parsed.
// options.close(code, signedOut): the socket closed; signedOut holds the
//   server's words when the session ended, else "".
export function keepOpen(options) {
  const keeper = {
    socket: null,
    isOpen: function () {
      return Boolean(keeper.socket) && keeper.socket.readyState === WebSocket.OPEN;
    },
    send: function (frame) { keeper.socket.send(JSON.stringify(frame)); },
    // A gap in the events: close, and the next connect replays what was missed.
    reconnect: function () { if (keeper.socket) { keeper.socket.close(); } }
  };
  let pause = FIRST_PAUSE;
  let retryAfter = 0;
  let signedOut = "";

  function address() {
    const path = typeof options.path === "function" ? options.path() : options.path;
    const since = options.since ? options.since() : null;
    if (since === null || since === undefined) { return path; }
    return path + (path.indexOf("?") < 0 ? "?" : "&") + "since=" + since;
  }

  function open() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(scheme + location.host + address());
    keeper.socket = socket;
    let heartbeat = null;
    socket.addEventListener("open", function () {
      pause = FIRST_PAUSE;
      // Presence and the per-person socket count: a socket silent for 90 s stops counting.
      heartbeat = window.setInterval(function () {
        socket.send(JSON.stringify({ type: "ping" }));
      }, HEARTBEAT);
    });
    socket.addEventListener("message", function (message) {
      let event;
      try { event = JSON.parse(message.data); } catch (e) { return; }
      // Too many: wait as long as the server says. (A refused post or vote
      // carries its ref and reconnects at once: reading stays live.)
      if (event.code === TOO_MANY && !event.ref) { retryAfter = event.retry_after || 30; }
      // The session ended (signed out, idle, too old): said once, and no reconnecting.
      if (event.code === SIGNED_OUT && event.message) { signedOut = event.message; }
      options.message(event);
    });
    socket.addEventListener("close", function (closed) {
      if (heartbeat) { window.clearInterval(heartbeat); }
      if (options.close) { options.close(closed.code, closed.code === SIGNED_OUT ? signedOut : ""); }
      if (closed.code === TOO_MANY) {
        window.setTimeout(open, (retryAfter || 30) * 1000);
        retryAfter = 0;
        return;
      }
      if (closed.code >= 4000 && closed.code < 5000) { return; }
      window.setTimeout(open, jittered(pause));
      pause = Math.min(pause * 2, LONGEST_PAUSE);
    });
  }

  open();
  return keeper;
}
