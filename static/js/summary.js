// The summary's progress, live: a bar fed over the WebSocket while the
// background run computes; the page reloads itself to show the result.
(function () {
  "use strict";
  const box = document.querySelector("[data-summary-socket]");
  if (!box || !("WebSocket" in window)) return;
  const labels = JSON.parse(document.getElementById("summary-stage-labels").textContent);
  const bar = box.querySelector("[data-summary-bar]");
  const stage = box.querySelector("[data-summary-stage]");
  const percent = box.querySelector("[data-summary-percent]");
  const button = box.querySelector("[data-summary-start] button");
  let watching = box.dataset.state === "queued" || box.dataset.state === "running";
  let retry = 1000;

  function show(message) {
    if (message.state === "queued" || message.state === "running") {
      watching = true;
      bar.hidden = false;
      percent.parentElement.hidden = false;
      bar.value = message.progress || 0;
      bar.textContent = (message.progress || 0) + "%";
      percent.textContent = String(message.progress || 0);
      if (message.stage && labels[message.stage]) stage.textContent = labels[message.stage];
      if (button) button.disabled = true;
    } else if (watching && (message.state === "done" || message.state === "failed")) {
      bar.value = message.state === "done" ? 100 : bar.value;
      percent.textContent = message.state === "done" ? "100" : percent.textContent;
      // The finished summary (or the failure) is drawn by the server.
      window.location.reload();
    }
  }

  function connect() {
    const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(scheme + window.location.host + box.dataset.summarySocket);
    socket.addEventListener("message", function (event) {
      let message;
      try { message = JSON.parse(event.data); } catch (error) { return; }
      if (message.type === "summary.progress") show(message);
    });
    socket.addEventListener("open", function () { retry = 1000; });
    socket.addEventListener("close", function (event) {
      if (event.code === 4403 || event.code === 4401) return;
      window.setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    });
  }
  connect();
})();
