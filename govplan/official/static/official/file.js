/* GovPlan: an official DOCX or PDF being made by the background worker. Follows its
 * status.json and reloads the page when it is ready or has failed, so the server shows the
 * download link or the reason. Plain script, no build step; without it the page shows the
 * state on reload.
 */
(function () {
  "use strict";
  var box = document.getElementById("official-file");
  if (!box || !window.fetch) { return; }
  var state = box.dataset.state;
  if (state !== "pending" && state !== "running") { return; }
  var url = box.dataset.statusUrl;
  var badge = document.getElementById("official-file-state");
  var delay = 1000;

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (status) {
        if (badge) { badge.textContent = status.state_label; }
        if (status.state === "done" || status.state === "failed" || status.retryable) {
          window.location.reload();
          return;
        }
        delay = 1000;
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        delay = Math.min(delay * 2, 30000);  // the server is busy or restarting: back off
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, 500);
})();
