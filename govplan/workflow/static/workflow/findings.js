/* GovPlan: "Check now" on the document page. Runs the same validation as the check page
 * and marks each finding where it is (the section, the field, the table cell), with a list
 * per section linking to the marks. Opened as ?check=1#finding-N (from the check page) it
 * runs at once and scrolls to that finding. Plain script, no build step.
 */
(function () {
  "use strict";
  var panel = document.getElementById("workflow");
  var button = document.querySelector(".run-check");
  if (!panel || !button) { return; }
  var url = button.dataset.url;
  var summary = document.getElementById("check-summary");
  button.hidden = false;
  var located = {};  // finding number → the element marked for it

  function clear() {
    document.querySelectorAll(".flag-error, .flag-warning").forEach(function (el) {
      el.classList.remove("flag-error", "flag-warning");
      if (el.dataset.findingTitle !== undefined) {
        el.title = el.dataset.findingTitle;
        delete el.dataset.findingTitle;
      }
    });
    document.querySelectorAll("[data-finding-id]").forEach(function (el) {
      el.removeAttribute("id");
      el.removeAttribute("data-finding-id");
    });
    document.querySelectorAll(".section-findings, .finding-note").forEach(function (el) {
      el.remove();
    });
  }

  function target(finding) {
    var entry = null;
    if (finding.anchor) {
      entry = document.querySelector('[data-key="' + CSS.escape(finding.anchor) + '"]');
      if (!entry && finding.anchor.indexOf("table:") === 0) {
        entry = document.querySelector('.grid-block[data-table="' +
          CSS.escape(finding.anchor.slice(6)) + '"]');
      }
    }
    if (entry && finding.field !== null && finding.field !== undefined) {
      var f = CSS.escape(finding.field);
      var inner = entry.querySelector('[data-column="' + f + '"], [data-cell="' + f + '"]');
      if (!inner) {
        var input = entry.querySelector('[data-field="' + f + '"]');
        inner = input ? (input.closest("td") || input) : null;
      }
      if (inner) { return inner; }
    }
    if (entry) { return entry; }
    return document.querySelector('section[data-section="' + CSS.escape(finding.section) + '"]');
  }

  // The message beside the mark, where there is room for it: under an indicator's name, in
  // a value cell, under a text; a grid cell keeps it as its tooltip and in the section list.
  function note(el, finding) {
    var host = null;
    var first = false;
    if (el.tagName === "TR") { host = el.querySelector("td"); }
    else if (el.tagName === "TD") { host = el.classList.contains("value-cell") ? el : null; }
    else if (el.tagName !== "SECTION") { host = el; first = el.classList.contains("grid-block"); }
    if (!host) { return; }
    var p = document.createElement("p");
    p.className = "finding-note finding-note-" + finding.importance;
    p.textContent = finding.message;
    if (first) { host.prepend(p); } else { host.appendChild(p); }
  }

  function mark(findings) {
    clear();
    located = {};
    var lists = {};
    findings.forEach(function (finding) {
      var el = target(finding);
      if (!el) { return; }
      located[finding.n] = el;
      var flag = finding.importance === "error" ? "flag-error" : "flag-warning";
      if (!el.id) {
        el.id = "finding-" + finding.n;
        el.setAttribute("data-finding-id", "1");
      }
      if (el.tagName !== "SECTION") {
        el.classList.add(flag);
        if (el.dataset.findingTitle === undefined) { el.dataset.findingTitle = el.title || ""; }
        el.title = (el.title && el.title !== el.dataset.findingTitle ? el.title + "\n" : "") +
          finding.message;
        note(el, finding);
      }
      var section = el.closest("section[data-section]");
      if (!section) { return; }
      var code = section.dataset.section;
      if (!lists[code]) {
        var box = document.createElement("div");
        box.className = "section-findings";
        box.setAttribute("role", "status");
        var ul = document.createElement("ul");
        box.appendChild(ul);
        var heading = section.querySelector("h2, h3");
        if (heading) { heading.after(box); } else { section.prepend(box); }
        lists[code] = ul;
      }
      var li = document.createElement("li");
      li.className = "finding-" + finding.importance + (finding.explained ? " explained" : "");
      var badge = document.createElement("span");
      badge.className = "badge " + (finding.importance === "error" ? "badge-danger" : "badge-warn");
      badge.textContent = finding.importance_label;
      var link = document.createElement("a");
      link.href = "#" + el.id;
      link.textContent = finding.message;
      link.addEventListener("click", function () { focusOn(el); });
      li.append(badge, " ", link);
      lists[code].appendChild(li);
    });
  }

  function focusOn(el) {
    el.scrollIntoView({ block: "center" });
    var field = el.matches("input, select, textarea, [contenteditable=true]") ? el :
      el.querySelector("input:not([type=hidden]), select, textarea, [contenteditable=true]");
    if (field) { field.focus({ preventScroll: true }); }
  }

  // Pending autosaves go first, so the check sees what is on the screen.
  function settled() {
    if (document.activeElement && document.activeElement !== document.body) {
      document.activeElement.blur();
    }
    return new Promise(function (resolve) {
      var waited = 0;
      (function poll() {
        if (!document.querySelector(".entry.dirty, .entry.saving") || waited > 15000) {
          resolve();
          return;
        }
        waited += 200;
        setTimeout(poll, 200);
      })();
    });
  }

  function run() {
    button.disabled = true;
    summary.textContent = button.dataset.busy;
    return settled().then(function () {
      return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (data) {
      mark(data.findings);
      summary.textContent = data.summary;
      summary.className = "check-summary " + (data.blocking ? "has-blocking" : "is-clear");
    }).catch(function () {
      summary.textContent = button.dataset.failed;
      summary.className = "check-summary has-blocking";
    }).finally(function () { button.disabled = false; });
  }

  button.addEventListener("click", run);
  if (new URLSearchParams(window.location.search).get("check") === "1") {
    run().then(function () {
      var match = /^#finding-(\d+)$/.exec(window.location.hash);
      if (match && located[match[1]]) { focusOn(located[match[1]]); }
    });
  }
})();
