/* GovPlan: the progress of a batch export, updated in place from its status.json. When the
 * job ends (or its worker falls silent) the page is reloaded, so the server shows the
 * download link, the error or the resume button. Plain script, no build step; without it
 * the page shows the state on reload.
 */
(function () {
  "use strict";
  var box = document.getElementById("export-job");
  if (!box || !window.fetch) { return; }
  var url = box.dataset.statusUrl;
  var state = box.dataset.state;
  var resumable = box.dataset.resumable === "1";
  if (state !== "queued" && state !== "running") { return; }
  var bar = document.getElementById("export-progress");
  var count = document.getElementById("export-count");
  var badge = document.getElementById("export-state");
  var delay = 1500;

  function show(status) {
    if (bar) {
      bar.max = Math.max(status.total, 1);
      bar.value = status.done + status.skipped;
      bar.textContent = status.percent + "%";
    }
    if (count) { count.textContent = status.text; }
    if (badge) { badge.textContent = status.state_label; }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (status) {
        show(status);
        if (status.state !== state && (status.state === "done" || status.state === "failed")) {
          window.location.reload();
          return;
        }
        if (status.resumable !== resumable) {
          window.location.reload();
          return;
        }
        delay = 1500;
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        delay = Math.min(delay * 2, 30000);  // the server is busy or restarting: back off
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, 500);
})();
