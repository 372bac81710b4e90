/* GovPlan document editor: autosave, rich text, indicator values, Excel-like grids.
 *
 * Every editable piece ("entry": a section's text, an indicator, a table row …) carries its
 * key and the revision it was loaded at. A change is saved shortly after typing stops and on
 * leaving the field; the server merges concurrent edits field by field or answers 409 with
 * both versions, which the conflict dialog shows. Nothing here is trusted: the server checks
 * every value again. Plain script, no framework, no build step.
 */
(function () {
  "use strict";
  var root = document.getElementById("editor");
  if (!root) { return; }
  document.documentElement.classList.add("js");
  var T = JSON.parse(document.getElementById("editor-text").textContent);
  var editable = root.dataset.editable === "1";
  var locale = root.dataset.locale || "vi";
  var statusEl = document.getElementById("save-status");
  var pending = 0;

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) { return input.value; }
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function setStatus(text, kind) {
    statusEl.textContent = text;
    statusEl.className = "save-status " + (kind || "");
  }

  function post(url, body) {
    pending += 1;
    setStatus(T.saving, "busy");
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, data: data };
      });
    }).finally(function () { pending -= 1; });
  }

  window.addEventListener("beforeunload", function (event) {
    var dirty = document.querySelector(".entry.dirty, .entry.saving");
    if (pending > 0 || dirty) {
      event.preventDefault();
      event.returnValue = T.unsaved;
    }
  });

  /* ---------- numbers as people type them ---------- */
  function parseNumber(text) {
    var s = String(text).replace(/[\s\u00a0\u202f]/g, "");
    if (s === "") { return null; }
    var negative = /^[-−]/.test(s);
    s = s.replace(/^[-−+]/, "");
    if (!/^[\d.,]+$/.test(s)) { return NaN; }
    if (s.indexOf(".") >= 0 && s.indexOf(",") >= 0) {
      var decimalMark = s.lastIndexOf(".") > s.lastIndexOf(",") ? "." : ",";
      s = s.split(decimalMark === "." ? "," : ".").join("").replace(decimalMark, ".");
    } else if (s.indexOf(",") >= 0) {
      if (locale === "en" && /^\d{1,3}(,\d{3})+$/.test(s)) { s = s.replace(/,/g, ""); }
      else if ((s.match(/,/g) || []).length === 1) { s = s.replace(",", "."); }
      else { return NaN; }
    } else if (s.indexOf(".") >= 0) {
      if (/^\d{1,3}(\.\d{3})+$/.test(s) && (locale === "vi" || (s.match(/\./g) || []).length > 1)) {
        s = s.replace(/\./g, "");
      } else if ((s.match(/\./g) || []).length > 1) { return NaN; }
    }
    var value = parseFloat(s);
    return negative ? -value : value;
  }

  function formatNumber(value, places) {
    var fixed = places === undefined ? String(value) : value.toFixed(places);
    var parts = fixed.split(".");
    var thousands = locale === "vi" ? "." : ",";
    var decimalMark = locale === "vi" ? "," : ".";
    var whole = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, thousands);
    return parts.length > 1 ? whole + decimalMark + parts[1] : whole;
  }

  /* A first check as you type; the server's check is the one that counts. */
  function checkCell(type, text, choices) {
    if (text.trim() === "") { return ""; }
    if (type === "integer" || type === "money" || type === "decimal" || type === "percent") {
      var n = parseNumber(text);
      if (n === null) { return ""; }
      if (isNaN(n)) { return T.notNumber; }
      if ((type === "integer" || type === "money") && n < 0) { return T.negative; }
      if (type === "integer" && Math.round(n) !== n) { return T.whole; }
      if (type === "percent" && (n < 0 || n > 100)) { return T.percent; }
      return "";
    }
    if (type === "year" && !/^\s*\d{4}\s*$/.test(text)) { return T.year; }
    if (type === "year_range" && !/^\s*\d{4}\s*([-–—/]\s*\d{4}\s*)?$/.test(text)) { return T.yearRange; }
    if (type === "date" && !/^\s*\d{1,2}[\/.-]\d{1,2}[\/.-]\d{4}\s*$/.test(text) && !/^\d{4}-\d{2}-\d{2}$/.test(text.trim())) { return T.date; }
    if (type === "url" && !/^https?:\/\/\S+$/i.test(text.trim())) { return T.url; }
    if ((type === "choice") && choices) {
      var wanted = text.trim().toLowerCase();
      var ok = choices.some(function (c) { return c.toLowerCase() === wanted; });
      if (!ok) { return T.choice + " " + choices.join("; "); }
    }
    return "";
  }

  /* ---------- errors shown where they are ---------- */
  /* A mark comes from the check as you type ("local") or from the server ("server"); typing
     in a field clears its marks, a successful save clears the server's. */
  function clearErrors(el, source) {
    el.querySelectorAll(".invalid").forEach(function (node) {
      if (source && node.dataset.invalidSource !== source) { return; }
      node.classList.remove("invalid");
      node.removeAttribute("aria-invalid");
      node.removeAttribute("title");
      var holder = node.closest("td, .entry");
      var note = holder && holder.querySelector(".cell-error");
      if (note) { note.hidden = true; note.textContent = ""; }
    });
    if (!source) { el.querySelectorAll(".cell-error").forEach(function (node) { node.hidden = true; node.textContent = ""; }); }
  }

  function markInvalid(input, message, source) {
    input.dataset.invalidSource = source || "local";
    input.classList.add("invalid");
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("title", message);
    var holder = input.closest("td, .entry");
    var note = holder && holder.querySelector(".cell-error");
    if (note) { note.textContent = message; note.hidden = false; }
  }

  /* ---------- one saver per entry ---------- */
  function Saver(el, adapter) {
    this.el = el;
    this.adapter = adapter;
    this.timer = null;
    this.inFlight = false;
    this.again = false;
    el.saver = this;
  }
  Saver.prototype.touch = function (delay) {
    var self = this;
    this.el.classList.add("dirty");
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.flush(); }, delay === undefined ? 900 : delay);
  };
  Saver.prototype.flush = function () {
    var self = this;
    clearTimeout(this.timer);
    if (!this.el.classList.contains("dirty")) { return Promise.resolve(); }
    if (this.inFlight) { this.again = true; return Promise.resolve(); }
    var localProblem = this.adapter.localCheck ? this.adapter.localCheck(this.el) : false;
    if (localProblem) { setStatus(T.fixFirst, "error"); return Promise.resolve(); }
    this.inFlight = true;
    this.el.classList.remove("dirty");
    this.el.classList.add("saving");
    var content = this.adapter.collect(this.el);
    var key = this.el.dataset.key;
    var request;
    if (!key) {
      var block = this.el.closest("[data-container]");
      var previous = this.el.previousElementSibling;
      request = post(root.dataset.addUrl, {
        container: block.dataset.container,
        content: content,
        after: previous && previous.dataset.key ? previous.dataset.key : null
      });
    } else {
      request = post(root.dataset.saveUrl, { key: key, base: parseInt(this.el.dataset.revision, 10) || 0, content: content });
    }
    return request.then(function (result) { self.handle(result, content); }, function () {
      self.el.classList.add("dirty");
      setStatus(T.offline, "error");
      self.timer = setTimeout(function () { self.flush(); }, 5000);
    }).finally(function () {
      self.inFlight = false;
      self.el.classList.remove("saving");
      if (self.again) { self.again = false; self.flush(); }
    });
  };
  Saver.prototype.handle = function (result, content) {
    var data = result.data || {};
    if (result.status === 200) {
      this.retried = false;
      clearErrors(this.el, "server");
      if (this.el.querySelector(".invalid")) {
        this.el.classList.add("dirty");
        setStatus(T.fixFirst, "error");
      }
      this.el.dataset.key = data.key || this.el.dataset.key;
      this.el.dataset.revision = data.revision;
      if (this.adapter.saved) { this.adapter.saved(this.el, data); }
      setStatus(T.savedAt + " " + (data.saved_at || ""), "ok");
      if (data.status === "merged") { setStatus(T.merged, "ok"); }
      return;
    }
    if (result.status === 400) {
      this.el.classList.add("dirty");
      var errors = data.errors || {};
      var shown = false;
      for (var path in errors) {
        var input = this.adapter.inputFor ? this.adapter.inputFor(this.el, path) : null;
        if (input) { markInvalid(input, errors[path], "server"); shown = true; }
      }
      var first = Object.keys(errors)[0];
      setStatus(T.notSaved + " " + (first !== undefined ? errors[first] : ""), "error");
      if (shown && this.adapter.partial && !this.retried) {
        // Save the rest now; the marked fields wait for a correction.
        this.retried = true;
        this.touch(0);
      }
      if (!shown) {
        var note = this.el.querySelector(".cell-error");
        if (note && first !== undefined) { note.textContent = errors[first]; note.hidden = false; }
      }
      return;
    }
    if (result.status === 409) {
      this.el.classList.add("dirty");
      showConflict(this, content, data);
      return;
    }
    this.el.classList.add("dirty");
    setStatus(T.refused + " " + ((data.errors && data.errors[""]) || result.status), "error");
  };

  function watch(el, adapter, delay) {
    var saver = new Saver(el, adapter);
    if (!editable) { return saver; }
    el.addEventListener("input", function (event) {
      if (adapter.onInput) { adapter.onInput(el, event.target); }
      saver.touch(delay);
    });
    el.addEventListener("change", function () { saver.touch(delay); });
    el.addEventListener("focusout", function (event) {
      if (!el.contains(event.relatedTarget)) { saver.flush(); }
    });
    return saver;
  }

  /* ---------- conflicts ---------- */
  var dialog = document.getElementById("conflict-dialog");
  function describe(content) {
    if (content && typeof content.html === "string") { return content.html; }
    var escape = function (s) { return String(s).replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; }); };
    return "<pre>" + escape(JSON.stringify(content, null, 2)) + "</pre>";
  }
  function showConflict(saver, mine, data) {
    dialog.querySelector(".conflict-message").textContent = data.message || "";
    dialog.querySelector(".conflict-mine").innerHTML = describe(mine);
    dialog.querySelector(".conflict-theirs").innerHTML = describe(data.theirs);
    dialog.hidden = false;
    setStatus(T.conflict, "error");
    var keep = dialog.querySelector(".conflict-keep-mine");
    var take = dialog.querySelector(".conflict-take-theirs");
    keep.focus();
    keep.onclick = function () {
      saver.el.dataset.revision = data.revision;
      dialog.hidden = true;
      saver.el.classList.add("dirty");
      saver.flush();
    };
    take.onclick = function () {
      saver.el.dataset.revision = data.revision;
      saver.adapter.apply(saver.el, data.theirs || {});
      saver.el.classList.remove("dirty");
      dialog.hidden = true;
      setStatus(T.tookTheirs, "ok");
    };
  }

  /* ---------- rich text ---------- */
  var ALLOWED = { P: 1, BR: 1, STRONG: 1, B: 1, EM: 1, I: 1, U: 1, S: 1, SUB: 1, SUP: 1, H3: 1, H4: 1, H5: 1, UL: 1, OL: 1, LI: 1, BLOCKQUOTE: 1, TABLE: 1, THEAD: 1, TBODY: 1, TFOOT: 1, TR: 1, TH: 1, TD: 1, CAPTION: 1, A: 1 };
  var RENAME = { H1: "H3", H2: "H3", H6: "H5", DIV: "P" };
  var DROP = { SCRIPT: 1, STYLE: 1, META: 1, LINK: 1, TITLE: 1, XML: 1, OBJECT: 1, IFRAME: 1 };
  function cleanNode(node, into) {
    node.childNodes.forEach(function (child) {
      if (child.nodeType === 3) { into.appendChild(document.createTextNode(child.textContent)); return; }
      if (child.nodeType !== 1) { return; }
      var tag = child.tagName.toUpperCase();
      if (DROP[tag] || tag.indexOf(":") >= 0) { return; }
      tag = RENAME[tag] || tag;
      if (ALLOWED[tag]) {
        var copy = document.createElement(tag);
        if ((tag === "TD" || tag === "TH")) {
          ["colspan", "rowspan"].forEach(function (a) { if (child.getAttribute(a)) { copy.setAttribute(a, child.getAttribute(a)); } });
        }
        if (tag === "A" && /^(https?:|mailto:)/i.test(child.getAttribute("href") || "")) { copy.setAttribute("href", child.getAttribute("href")); }
        cleanNode(child, copy);
        into.appendChild(copy);
      } else {
        cleanNode(child, into);
      }
    });
  }
  function cleanHtml(html) {
    var parsed = new DOMParser().parseFromString(html, "text/html");
    var holder = document.createElement("div");
    cleanNode(parsed.body, holder);
    return holder.innerHTML;
  }

  var TOOLS = [
    ["bold", "B", T.bold], ["italic", "I", T.italic], ["underline", "U", T.underline],
    ["h3", "H3", T.heading], ["h4", "H4", T.subheading],
    ["insertUnorderedList", "•", T.bullets], ["insertOrderedList", "1.", T.numbers],
    ["table", "▦", T.table], ["undo", "↶", T.undo], ["redo", "↷", T.redo]
  ];
  document.querySelectorAll(".narrative-entry").forEach(function (entry) {
    var source = entry.querySelector("textarea");
    var area = document.createElement("div");
    area.className = "rte-content rte";
    area.innerHTML = source.value;
    area.setAttribute("role", "textbox");
    area.setAttribute("aria-multiline", "true");
    area.setAttribute("aria-label", entry.querySelector("label").textContent);
    if (!editable) { area.setAttribute("aria-readonly", "true"); }
    if (editable) {
      area.contentEditable = "true";
      var bar = document.createElement("div");
      bar.className = "rte-toolbar";
      bar.setAttribute("role", "toolbar");
      TOOLS.forEach(function (tool) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = tool[1];
        button.title = tool[2];
        button.setAttribute("aria-label", tool[2]);
        button.addEventListener("mousedown", function (e) { e.preventDefault(); });
        button.addEventListener("click", function () {
          area.focus();
          if (tool[0] === "h3" || tool[0] === "h4") { document.execCommand("formatBlock", false, tool[0]); }
          else if (tool[0] === "table") { document.execCommand("insertHTML", false, "<table><tbody><tr><td>&nbsp;</td><td>&nbsp;</td></tr><tr><td>&nbsp;</td><td>&nbsp;</td></tr></tbody></table><p><br></p>"); }
          else { document.execCommand(tool[0], false, null); }
          entry.saver.touch(1500);
        });
        bar.appendChild(button);
      });
      entry.insertBefore(bar, source);
      area.addEventListener("paste", function (event) {
        var data = event.clipboardData;
        if (!data) { return; }
        event.preventDefault();
        var html = data.getData("text/html");
        if (html) { document.execCommand("insertHTML", false, cleanHtml(html)); }
        else { document.execCommand("insertText", false, data.getData("text/plain")); }
      });
    }
    source.hidden = true;
    source.insertAdjacentElement("afterend", area);
    watch(entry, {
      collect: function () { return { html: area.innerHTML }; },
      apply: function (el, content) { area.innerHTML = content.html || ""; },
      inputFor: function () { return area; }
    }, 1500);
  });

  /* ---------- indicator values ---------- */
  function updatePercent(cell) {
    var n = cell.querySelector("[data-part=n]");
    var d = cell.querySelector("[data-part=d]");
    var out = cell.querySelector(".percent");
    if (!n || !d || !out) { return; }
    var a = parseNumber(n.value), b = parseNumber(d.value);
    out.textContent = (a !== null && b && !isNaN(a) && !isNaN(b)) ? formatNumber(a * 100 / b, 1) + "%" : "";
  }
  document.querySelectorAll(".value-entry").forEach(function (entry) {
    var type = entry.dataset.type;
    watch(entry, {
      collect: function (el) {
        var cells = {};
        el.querySelectorAll(".value-cell").forEach(function (cell) {
          var key = cell.dataset.cell;
          if (cell.querySelector(".invalid")) { return; }
          if (type === "ratio") {
            cells[key] = { n: cell.querySelector("[data-part=n]").value, d: cell.querySelector("[data-part=d]").value };
          } else {
            cells[key] = cell.querySelector("[data-part=v]").value;
          }
        });
        var comment = el.querySelector(".comment");
        return { cells: cells, comment: comment ? comment.value : "" };
      },
      apply: function (el, content) {
        var cells = (content && content.cells) || {};
        el.querySelectorAll(".value-cell").forEach(function (cell) {
          var value = cells[cell.dataset.cell] || {};
          if (type === "ratio") {
            cell.querySelector("[data-part=n]").value = value.n !== undefined ? formatNumber(parseFloat(value.n)) : "";
            cell.querySelector("[data-part=d]").value = value.d !== undefined ? formatNumber(parseFloat(value.d)) : "";
            updatePercent(cell);
          } else {
            var input = cell.querySelector("[data-part=v]");
            input.value = value.v === undefined ? "" : (typeof value.v === "boolean" ? (value.v ? "1" : "0") : value.v);
          }
        });
        var comment = el.querySelector(".comment");
        if (comment) { comment.value = content.comment || ""; }
      },
      inputFor: function (el, path) {
        if (path === "comment") { return el.querySelector(".comment"); }
        var match = /^cells\.([^.]*)(?:\.(n|d))?$/.exec(path);
        if (!match) { return null; }
        var cell = el.querySelector('.value-cell[data-cell="' + match[1] + '"]');
        if (!cell) { return null; }
        return cell.querySelector("[data-part=" + (match[2] || (type === "ratio" ? "n" : "v")) + "]");
      },
      onInput: function (el, target) {
        var cell = target.closest(".value-cell");
        if (cell) { updatePercent(cell); }
        if (target.matches("input.num")) {
          var problem = checkCell(type === "ratio" ? "decimal" : type, target.value);
          clearErrors(cell || el);
          if (problem) { markInvalid(target, problem); }
        }
      },
      partial: true
    });
  });

  /* ---------- legal basis ---------- */
  document.querySelectorAll(".legal-entry").forEach(function (entry) {
    var list = entry.querySelector(".legal-list");
    var saver = watch(entry, {
      collect: function () {
        var items = [];
        list.querySelectorAll("li").forEach(function (li) {
          if (li.dataset.code) { items.push({ code: li.dataset.code }); }
          else if (li.dataset.text) { items.push({ text: li.dataset.text }); }
        });
        return { items: items };
      },
      apply: function () { window.location.reload(); }
    });
    function addItem(code, text, label) {
      var li = document.createElement("li");
      li.dataset.code = code || "";
      li.dataset.text = text || "";
      li.textContent = label + " ";
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "btn btn-small btn-ghost-dark legal-remove";
      remove.textContent = "×";
      remove.setAttribute("aria-label", T.remove);
      li.appendChild(remove);
      list.appendChild(li);
      saver.touch(0);
    }
    entry.addEventListener("click", function (event) {
      if (event.target.classList.contains("legal-remove")) {
        event.target.closest("li").remove();
        saver.touch(0);
      }
      if (event.target.classList.contains("legal-add-button")) {
        var select = entry.querySelector(".legal-select");
        var free = entry.querySelector(".legal-free");
        if (select.value) { addItem(select.value, "", select.options[select.selectedIndex].text); select.value = ""; }
        else if (free.value.trim()) { addItem("", free.value.trim(), free.value.trim()); free.value = ""; }
      }
    });
  });

  /* ---------- rows: tables, targets, budget lines, results ---------- */
  function rowAdapter(kind) {
    return {
      collect: function (row) {
        if (kind === "row") {
          var cells = {}, phasing = {};
          // A cell marked invalid is left out (it keeps its saved value) so the rest of the
          // row is saved; the marked cell stays red, with its reason, until corrected.
          row.querySelectorAll("td[data-column] input").forEach(function (input) { if (!input.classList.contains("invalid")) { cells[input.parentNode.dataset.column] = input.value; } });
          row.querySelectorAll("td[data-phasing] input").forEach(function (input) { if (input.value.trim() !== "" && !input.classList.contains("invalid")) { phasing[input.parentNode.dataset.phasing] = input.value; } });
          var content = { cells: cells };
          if (row.querySelector("td[data-phasing]")) { content.phasing = phasing; }
          return content;
        }
        if (kind === "budget") {
          var lines = {};
          row.querySelectorAll("td[data-phasing] input").forEach(function (input) { if (input.value.trim() !== "") { lines[input.parentNode.dataset.phasing] = input.value; } });
          return { label: row.querySelector("td[data-field=label] input").value, phasing: lines };
        }
        var data = {};
        row.querySelectorAll("[data-field]").forEach(function (field) { data[field.dataset.field] = field.value; });
        return data;
      },
      apply: function (row, content) {
        if (kind === "row") {
          var cells = content.cells || {}, phasing = content.phasing || {};
          row.querySelectorAll("td[data-column] input").forEach(function (input) { var v = cells[input.parentNode.dataset.column]; input.value = v === undefined || v === null ? "" : v; });
          row.querySelectorAll("td[data-phasing] input").forEach(function (input) { var v = phasing[input.parentNode.dataset.phasing]; input.value = v === undefined ? "" : v; });
          return;
        }
        row.querySelectorAll("[data-field]").forEach(function (field) { var v = content[field.dataset.field]; if (v !== undefined) { field.value = v; } });
      },
      inputFor: function (row, path) {
        var match = /^(cells|phasing)\.(.+)$/.exec(path);
        if (match) {
          var attribute = match[1] === "cells" ? "data-column" : "data-phasing";
          return row.querySelector("td[" + attribute + '="' + match[2] + '"] input');
        }
        return row.querySelector('[data-field="' + path + '"]');
      },
      onInput: function (row, target) {
        if (!target.classList.contains("gcell")) { return; }
        var td = target.parentNode;
        var type = "money", choices = null;
        if (td.dataset.column) {
          var head = row.closest("table").querySelector('th[data-column="' + td.dataset.column + '"]');
          type = head ? head.dataset.type : "text";
          choices = head && head.dataset.choices ? head.dataset.choices.split("|") : null;
        } else if (td.dataset.field === "label") {
          type = "text";
        }
        clearErrors(td);
        var problem = checkCell(type, target.value, choices);
        if (problem) {
          markInvalid(target, problem);
          var header = td.dataset.column ? row.closest("table").querySelector('th[data-column="' + td.dataset.column + '"]') : null;
          setStatus((header ? header.textContent.trim() + ": " : "") + problem, "error");
        }
      },
      partial: true,
      saved: function (row, data) {
        var derived = data.derived || {};
        if (derived.row) {
          var total = row.querySelector(".row-total");
          if (total) { total.textContent = derived.row.total; }
          derived.row.cells.forEach(function (cell) {
            var input = row.querySelector('td[data-column="' + cell.code + '"] input');
            if (input && document.activeElement !== input) { input.value = cell.value; }
          });
          derived.row.phasing.forEach(function (cell) {
            var input = row.querySelector('td[data-phasing="' + cell.key + '"] input');
            if (input && document.activeElement !== input) { input.value = cell.value; }
          });
        }
        var table = row.closest("table");
        if (derived.totals && table) {
          table.querySelectorAll("tfoot .total-cell").forEach(function (td, i) { td.textContent = derived.totals[i] || ""; });
          table.querySelectorAll("tfoot .phasing-total").forEach(function (td, i) { td.textContent = derived.phasing_totals[i] || ""; });
          var grand = table.querySelector("tfoot .grand-total");
          if (grand) { grand.textContent = derived.grand_total; }
          var summary = table.closest(".grid-block").querySelector(".phasing-summary");
          if (summary && derived.summary) {
            summary.querySelectorAll(".summary-item").forEach(function (item) { item.remove(); });
            derived.summary.forEach(function (entry) {
              var item = document.createElement("span");
              item.className = "summary-item";
              var label = document.createElement("span");
              label.className = "muted";
              label.textContent = entry.label;
              item.appendChild(label);
              item.appendChild(document.createTextNode(" " + entry.value));
              summary.appendChild(item);
            });
          }
        }
        if (kind === "budget") { recomputeBudget(row.closest("table")); }
        renumber(row.closest("tbody"));
      }
    };
  }

  function recomputeBudget(table) {
    var columns = table.querySelectorAll("thead th[data-phasing]").length;
    var sums = new Array(columns).fill(0), grand = 0;
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var rowTotal = 0;
      row.querySelectorAll("td[data-phasing]").forEach(function (td, i) {
        var input = td.querySelector("input");
        var n = parseNumber(input ? input.value : td.textContent);
        if (n && !isNaN(n)) { sums[i] += n; rowTotal += n; }
      });
      var cell = row.querySelector(".row-total");
      if (cell) { cell.textContent = formatNumber(Math.round(rowTotal * 1000) / 1000); }
      grand += rowTotal;
    });
    table.querySelectorAll("tfoot .phasing-total").forEach(function (td, i) { td.textContent = formatNumber(Math.round(sums[i] * 1000) / 1000); });
    var total = table.querySelector("tfoot .grand-total");
    if (total) { total.textContent = formatNumber(Math.round(grand * 1000) / 1000); }
  }

  function renumber(body) {
    if (!body) { return; }
    var n = 0;
    body.querySelectorAll("tr.row-entry").forEach(function (row) {
      n += 1;
      var cell = row.querySelector(".row-number");
      if (cell) { cell.textContent = n; }
    });
  }

  function setUpRow(row, kind) {
    if (row.saver) { return row.saver; }
    return watch(row, rowAdapter(kind), 800);
  }

  function newRow(block, afterRow) {
    var template = block.querySelector("template.row-template");
    var body = block.querySelector("tbody");
    var row = template.content.firstElementChild.cloneNode(true);
    var empty = body.querySelector(".empty-row");
    if (empty) { empty.remove(); }
    if (afterRow) { afterRow.insertAdjacentElement("afterend", row); } else { body.appendChild(row); }
    setUpRow(row, block.dataset.kind);
    renumber(body);
    return row;
  }

  document.querySelectorAll(".rows-block").forEach(function (block) {
    var kind = block.dataset.kind;
    block.querySelectorAll("tr.row-entry").forEach(function (row) { setUpRow(row, kind); });
    if (!editable) { return; }
    var add = block.querySelector(".add-row");
    if (add) {
      add.addEventListener("click", function () {
        var row = newRow(block, null);
        var first = row.querySelector("input, select");
        if (first) { first.focus(); }
      });
    }
    block.addEventListener("click", function (event) {
      var row = event.target.closest("tr.row-entry");
      if (!row) { return; }
      if (event.target.classList.contains("delete-row")) {
        if (!window.confirm(T.confirmDelete)) { return; }
        if (!row.dataset.key) { row.remove(); return; }
        post(root.dataset.deleteUrl, { key: row.dataset.key, base: parseInt(row.dataset.revision, 10) }).then(function (result) {
          if (result.status === 200) {
            var body = row.parentNode;
            var table = row.closest("table");
            row.remove();
            renumber(body);
            if (kind === "budget") { recomputeBudget(table); }
            setStatus(T.deleted, "ok");
            if (kind === "row") { refreshTotals(table); }
          } else if (result.status === 409) {
            showConflict(row.saver, row.saver.adapter.collect(row), result.data);
          }
        });
      }
      if (event.target.classList.contains("move-up") || event.target.classList.contains("move-down")) {
        var up = event.target.classList.contains("move-up");
        var other = up ? row.previousElementSibling : row.nextElementSibling;
        if (!other || !other.classList.contains("row-entry")) { return; }
        if (up) { other.insertAdjacentElement("beforebegin", row); } else { other.insertAdjacentElement("afterend", row); }
        renumber(row.parentNode);
        if (row.dataset.key) {
          var before = row.previousElementSibling;
          post(root.dataset.moveUrl, { key: row.dataset.key, after: before && before.dataset.key ? before.dataset.key : null }).then(function (result) {
            if (result.status === 200) { row.dataset.revision = result.data.revision; setStatus(T.moved, "ok"); }
          });
        }
        event.target.focus();
      }
    });
  });

  function refreshTotals(table) {
    var row = table.querySelector("tbody tr.row-entry[data-key]");
    if (row && row.saver) { row.classList.add("dirty"); row.saver.flush(); }
  }

  /* ---------- grid: keyboard and paste from Excel ---------- */
  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.classList || !input.classList.contains("gcell")) { return; }
    var td = input.parentNode, row = td.parentNode;
    var index = Array.prototype.indexOf.call(row.children, td);
    var target = null;
    if (event.key === "Enter" || event.key === "ArrowDown") { target = row.nextElementSibling; }
    if (event.key === "ArrowUp") { target = row.previousElementSibling; }
    if (target && target.children[index]) {
      var next = target.children[index].querySelector("input");
      if (next) { event.preventDefault(); next.focus(); next.select(); }
    } else if (event.key === "Enter" && editable) {
      event.preventDefault();
      var block = row.closest(".rows-block");
      var created = newRow(block, row);
      var cell = created.children[index] && created.children[index].querySelector("input");
      if (cell) { cell.focus(); }
    }
  });

  document.addEventListener("paste", function (event) {
    var input = event.target;
    if (!editable || !input.classList || !input.classList.contains("gcell")) { return; }
    var text = (event.clipboardData || window.clipboardData).getData("text/plain");
    if (text.indexOf("\t") < 0 && text.indexOf("\n") < 0) { return; }
    event.preventDefault();
    var lines = text.replace(/\r/g, "").split("\n");
    while (lines.length && lines[lines.length - 1] === "") { lines.pop(); }
    var grid = lines.map(function (line) { return line.split("\t"); });
    var td = input.parentNode, row = td.parentNode;
    var cellsInRow = Array.prototype.filter.call(row.children, function (c) { return c.querySelector("input.gcell"); });
    var start = cellsInRow.indexOf(td);
    var width = Math.max.apply(null, grid.map(function (r) { return r.length; }));
    if (start + width > cellsInRow.length) {
      setStatus(T.pasteTooWide.replace("%(pasted)s", width).replace("%(room)s", cellsInRow.length - start), "error");
      return;
    }
    var block = row.closest(".rows-block");
    var current = row;
    grid.forEach(function (values, i) {
      if (i > 0) {
        var next = current.nextElementSibling;
        current = next && next.classList.contains("row-entry") ? next : newRow(block, current);
      }
      var inputs = Array.prototype.filter.call(current.children, function (c) { return c.querySelector("input.gcell"); });
      values.forEach(function (value, j) {
        var cell = inputs[start + j].querySelector("input");
        cell.value = value.trim();
        cell.dispatchEvent(new Event("input", { bubbles: true }));
      });
      current.saver.touch(200 + i * 150);
    });
    setStatus(T.pasted.replace("%(rows)s", grid.length), "ok");
  });

  /* ---------- the no-JavaScript save buttons are not needed here ---------- */
  document.querySelectorAll(".section-form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      // A button with its own action (adding a legal document to the catalogue) posts normally.
      if (event.submitter && event.submitter.hasAttribute("formaction")) { return; }
      event.preventDefault();
      form.querySelectorAll(".entry").forEach(function (entry) { if (entry.saver) { entry.classList.add("dirty"); entry.saver.flush(); } });
    });
  });
})();
