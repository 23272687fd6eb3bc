// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // The live channel of a proposal page: connect, reconnect with back-off.
  var article = document.querySelector("[data-live-url]");
  if (!article || !("WebSocket" in window)) { return; }
  var status = article.querySelector("[data-live-status]");
  var delay = 1000;
  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + article.dataset.liveUrl);
    socket.addEventListener("open", function () {
      delay = 1000;
      article.dataset.live = "connected";
    });
    socket.addEventListener("close", function () {
      article.dataset.live = "disconnected";
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    });
    socket.addEventListener("message", function (message) {
      var event;
      try { event = JSON.parse(message.data); } catch (e) { return; }
      if (event.type === "hello" && status) { status.hidden = true; }
    });
  }
  connect();
}());
