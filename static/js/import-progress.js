// A roster import's progress bar: asks the job's status every second and moves the bar and
// its text (read out by screen readers through the polite live region). When the job moves
// on (checked, imported or failed) the page reloads to show what happened. Without
// JavaScript the page refreshes itself instead (a <meta> refresh inside <noscript>).
(function () {
  "use strict";

  var box = document.querySelector(".import-progress[data-status-url]");
  if (!box || !window.fetch) {
    return;
  }
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-progress-text]");
  var shownStatus = box.getAttribute("data-status");
  var INTERVAL_MS = 1000;

  function show(progress) {
    bar.max = Math.max(progress.rows_total, 1);
    bar.value = progress.rows_done;
    bar.textContent = progress.text;
    if (text.textContent !== progress.text) {
      text.textContent = progress.text;
    }
  }

  function ask() {
    fetch(box.getAttribute("data-status-url"), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(function (progress) {
        show(progress);
        if (!progress.running || progress.status !== shownStatus) {
          window.location.reload();
          return;
        }
        window.setTimeout(ask, INTERVAL_MS);
      })
      .catch(function () {
        // A dropped connection: try again a little later rather than give up.
        window.setTimeout(ask, INTERVAL_MS * 3);
      });
  }

  window.setTimeout(ask, INTERVAL_MS);
})();
