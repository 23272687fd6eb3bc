// The summary's progress, live: a bar fed over the WebSocket while the
// background run computes; the page reloads itself to show the result.
import { keepOpen, supported } from "./socket.js";

(function () {
  "use strict";
  const box = document.querySelector("[data-summary-socket]");
  if (!box || !supported) return;
  const labels = JSON.parse(document.getElementById("summary-stage-labels").textContent);
  const bar = box.querySelector("[data-summary-bar]");
  const stage = box.querySelector("[data-summary-stage]");
  const percent = box.querySelector("[data-summary-percent]");
  const button = box.querySelector("[data-summary-start] button");
  let watching = box.dataset.state === "queued" || box.dataset.state === "running";

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

  // The server sends the run's state on every connect: nothing is missed.
  keepOpen({
    path: box.dataset.summarySocket,
    message: function (message) {
      if (message.type === "summary.progress") show(message);
    }
  });
})();
