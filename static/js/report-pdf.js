// A report PDF being made: asks every three seconds whether it is ready (a HEAD request to
// the PDF's own address, so nothing is downloaded twice) and, once it is, downloads it and
// says so in the polite live region. If making it failed, the page reloads to say so.
// Without JavaScript the page refreshes itself instead (a <meta> refresh inside <noscript>),
// which screen readers find harder to follow, so it is only the fallback.
(function () {
  "use strict";

  var box = document.querySelector("[data-pdf-url]");
  if (!box || !window.fetch) {
    return;
  }
  var url = box.getAttribute("data-pdf-url");
  var text = box.querySelector("[data-pdf-status]");
  var INTERVAL_MS = 3000;

  function ask() {
    fetch(url, { method: "HEAD", credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 202) {
          window.setTimeout(ask, INTERVAL_MS);
          return;
        }
        var type = response.headers.get("Content-Type") || "";
        if (response.ok && type.indexOf("application/pdf") === 0) {
          text.textContent = box.getAttribute("data-ready-text");
          window.location.assign(url);
          return;
        }
        window.location.reload();
      })
      .catch(function () {
        // A dropped connection: try again a little later rather than give up.
        window.setTimeout(ask, INTERVAL_MS * 2);
      });
  }

  window.setTimeout(ask, INTERVAL_MS);
})();
