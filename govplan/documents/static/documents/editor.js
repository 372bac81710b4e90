/* GovPlan document editor: autosave, rich text, indicator values, Excel-like grids.
 *
 * Every editable piece ("entry": a section's text, an indicator, a table row …) carries its
 * key and the revision it was loaded at. A change is saved shortly after typing stops and on
 * leaving the field; the server merges concurrent edits field by field or answers 409 with
 * both versions, which the conflict dialog shows. Nothing here is trusted: the server checks
 * every value again. Plain script, no framework, no build step; numbers are read by cells.js.
 *
 * Most entries are made of fields (inputs), each sent under a path ("cells.total",
 * "cells..n", "phasing.2027|oda|capital", "baseline"). A field marked invalid, by the check
 * as you type or by the server, is left out of a save, and the server keeps its saved value:
 * leaving a field out never clears it (an empty field is sent empty, and that clears it). The
 * mark and its reason stay until the field is corrected, or put back with Escape; the status
 * says "saved" only when every field on the page shows what is stored.
 */
(function () {
  "use strict";
  var root = document.getElementById("editor");
  if (!root) { return; }
  document.documentElement.classList.add("js");
  var Cells = window.GovPlanCells;
  var T = JSON.parse(document.getElementById("editor-text").textContent);
  var editable = root.dataset.editable === "1";
  var locale = root.dataset.locale || "vi";
  var statusEl = document.getElementById("save-status");
  var pending = 0;
  var lastSaved = { at: "", merged: false };

  function csrfToken() {
    /* The cookie first: signing in again (in another tab, after the session ended) renews it,
       and the token drawn into the page would then be refused. */
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    if (match) { return decodeURIComponent(match[1]); }
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function setStatus(text, kind) {
    statusEl.textContent = text;
    statusEl.className = "save-status " + (kind || "");
  }

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (all, name) { return values[name] !== undefined ? values[name] : all; });
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
    var unsaved = document.querySelector(".entry.dirty, .entry.saving, .entry.failed, .entry.conflict, .entry .invalid");
    if (pending > 0 || unsaved) {
      event.preventDefault();
      event.returnValue = T.unsaved;
    }
  });

  /* ---------- numbers as people type them ---------- */
  var NUMBER_TYPES = { integer: 1, decimal: 1, money: 1, percent: 1, ratio: 1 };

  /* A float of what is typed, for what is only shown (a percentage, a running total). */
  function numberForDisplay(text) { return Cells.toFloat(text, locale); }

  function numberProblem(result) {
    if (result.error === "notNumber") { return T.notNumber; }
    if (result.error === "negative") { return T.negative; }
    if (result.error === "whole") { return T.whole; }
    if (result.error === "percent") { return T.percent; }
    if (result.error === "places") { return fill(T.places, { places: result.places }); }
    if (result.error === "tooLarge") { return fill(T.tooLarge, { digits: result.digits }); }
    if (result.error === "min") { return fill(T.atLeast, { min: Cells.format(result.min, locale) }); }
    if (result.error === "max") { return fill(T.atMost, { max: Cells.format(result.max, locale) }); }
    return T.notNumber;
  }

  /* A first check as you type, the server's own for numbers (cells.js); the server's check
     is the one that counts. A ratio's parts are decimals that are not negative. */
  function checkCell(type, text, choices, bounds) {
    if (text.trim() === "") { return ""; }
    if (NUMBER_TYPES[type]) {
      var result = type === "ratio" ? Cells.check("decimal", text, locale, { min: 0 }) : Cells.check(type, text, locale, bounds);
      return result.error ? numberProblem(result) : "";
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

  /* ---------- fields and their marks ---------- */
  function fieldsOf(el) {
    return el.saver && el.saver.adapter.fields ? el.saver.adapter.fields(el) : [];
  }

  function fieldAt(el, path) {
    return fieldsOf(el).filter(function (input) { return input.dataset.path === path; })[0] || null;
  }

  /* Builds the content to send from the fields that are not marked invalid: the server keeps
     the saved value of every field left out. ``sent`` records what each field sent. */
  function collectFields(el, sent) {
    var content = {};
    fieldsOf(el).forEach(function (input) {
      // A read-only cell (filled from the task list) is never sent: the server keeps it.
      if (input.classList.contains("invalid") || input.readOnly) { return; }
      var parts = input.dataset.path.split(".");
      var node = content;
      for (var i = 0; i < parts.length - 1; i += 1) {
        if (typeof node[parts[i]] !== "object") { node[parts[i]] = {}; }
        node = node[parts[i]];
      }
      node[parts[parts.length - 1]] = input.value;
      sent.set(input, input.value);
    });
    return content;
  }

  /* What a field is called in a message: its column's heading, or the indicator's name. */
  function fieldLabel(input) {
    var entry = input.closest(".entry");
    var clean = function (text) { return (text || "").replace(/\s+/g, " ").trim(); };
    if (entry && entry.classList.contains("value-entry")) {
      var names = [clean(entry.querySelector("td strong").textContent)];
      var cell = input.closest(".value-cell");
      if (cell) {
        var line = cell.parentNode;
        var rowTitle = line.querySelector("th");
        if (rowTitle && clean(rowTitle.textContent)) { names.push(clean(rowTitle.textContent)); }
        var heads = line.parentNode.querySelector("tr:first-child");
        var head = heads && heads !== line ? heads.children[cell.cellIndex] : null;
        if (head && head.tagName === "TH" && clean(head.textContent)) { names.push(clean(head.textContent)); }
      }
      if (input.dataset.part !== "v" && input.getAttribute("aria-label")) { names.push(clean(input.getAttribute("aria-label"))); }
      return names.join(" – ");
    }
    var td = input.closest("td");
    var table = td && td.closest("table");
    var heading = table && table.tHead && table.tHead.rows[0] ? table.tHead.rows[0].cells[td.cellIndex] : null;
    if (heading && clean(heading.textContent)) { return clean(heading.textContent); }
    return clean(input.getAttribute("aria-label"));
  }

  /* Where a field's reason is written: the note in its own cell, else the entry's note. */
  function noteFor(input) {
    // The "no data" mark shares the comment's cell: its reasons are written in its own box.
    var td = input.closest(".no-data-mark") || input.closest("td");
    var own = td && td.querySelector(".cell-error");
    if (own && !own.classList.contains("entry-note")) { return { note: own, labelled: false }; }
    var entry = input.closest(".entry");
    var shared = entry && entry.querySelector(".entry-note");
    if (own && own === shared) { return { note: own, labelled: false }; }
    return shared ? { note: shared, labelled: true } : null;
  }

  function renderNotes(el) {
    var texts = new Map();
    el.querySelectorAll(".cell-error").forEach(function (note) { texts.set(note, []); });
    el.querySelectorAll(".invalid").forEach(function (input) {
      var place = noteFor(input);
      if (!place) { return; }
      texts.get(place.note).push(place.labelled ? fieldLabel(input) + ": " + input.dataset.problem : input.dataset.problem);
    });
    if (el.dataset.problem) {
      var note = el.querySelector(".entry-note") || el.querySelector(".cell-error");
      if (note) { texts.get(note).push(el.dataset.problem); }
    }
    texts.forEach(function (lines, note) {
      note.textContent = lines.join(" ");
      note.hidden = lines.length === 0;
    });
  }

  function markInvalid(input, message, source) {
    input.dataset.invalidSource = source || "local";
    input.dataset.problem = message;
    input.markedValue = input.value;
    input.classList.add("invalid");
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("title", message);
    var entry = input.closest(".entry");
    if (entry) { renderNotes(entry); }
  }

  function clearMark(input) {
    if (!input.classList.contains("invalid")) { return; }
    input.classList.remove("invalid");
    input.removeAttribute("aria-invalid");
    input.removeAttribute("title");
    delete input.dataset.problem;
    delete input.dataset.invalidSource;
    var entry = input.closest(".entry");
    if (entry) { renderNotes(entry); }
  }

  function notSavedText(input) {
    return fill(T.notSavedField, { field: fieldLabel(input), reason: input.dataset.problem || "" });
  }

  /* A field changed (typed, pasted, chosen, put back): its marks, and those of the fields
     checked with it (a ratio's other part), go; the check as you type runs again. */
  function recheck(el, input) {
    var adapter = el.saver.adapter;
    var group = adapter.related ? adapter.related(el, input) : [input];
    group.forEach(function (field) {
      clearMark(field);
      var problem = adapter.check ? adapter.check(el, field) : "";
      if (problem) { markInvalid(field, problem, "local"); }
    });
    if (input.classList.contains("invalid")) { setStatus(notSavedText(input), "error"); }
  }

  /* After a save: what each field stores, as the page shows it. A field shows it unless it
     is marked invalid (the typed text stays, with its reason), was typed in since it was
     sent, or has the cursor. */
  function showSaved(el, fields, sent) {
    fieldsOf(el).forEach(function (input) {
      var saved = fields[input.dataset.path];
      input.savedValue = saved === undefined || saved === null ? "" : String(saved);
      if (input.classList.contains("invalid") || !sent || !sent.has(input)) { return; }
      if (sent.get(input) !== input.value || input === document.activeElement) { return; }
      input.value = input.savedValue;
    });
  }

  /* The page's status after a save: "saved" only when nothing on the page is waiting, refused,
     in conflict or marked invalid. */
  function settle() {
    if (document.querySelector(".entry.saving")) { return; }  // its answer will settle it
    var conflict = document.querySelector(".entry.conflict");
    if (conflict) { setStatus(T.conflict, "error"); return; }
    var failed = document.querySelector(".entry.failed");
    if (failed) { setStatus(failed.dataset.failure || T.notSaved, "error"); return; }
    var waiting = document.querySelector(".entry.dirty");
    if (waiting) { setStatus(waiting.classList.contains("offline") ? T.offline : T.saving, waiting.classList.contains("offline") ? "error" : "busy"); return; }
    var invalid = Array.prototype.filter.call(document.querySelectorAll(".entry .invalid"), function (input) { return input.closest(".entry").saver; });
    if (invalid.length) {
      var first = invalid[0];
      var head = invalid.length === 1 ? notSavedText(first) : fill(T.notSavedFields, { count: invalid.length, field: fieldLabel(first), reason: first.dataset.problem || "" });
      setStatus(head + " " + fill(T.othersSavedAt, { time: lastSaved.at }), "error");
      return;
    }
    if (lastSaved.merged) { setStatus(T.merged, "ok"); return; }
    if (lastSaved.at) { setStatus(T.savedAt + " " + lastSaved.at, "ok"); }
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
    this.inFlight = true;
    this.el.classList.remove("dirty");
    this.el.classList.add("saving");
    var sent = new Map();
    var content = this.adapter.fields ? this.adapter.collect(this.el, sent) : this.adapter.collect(this.el);
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
    return request.then(function (result) {
      self.el.classList.remove("offline");
      self.handle(result, content, sent);
    }, function () {
      self.el.classList.add("dirty", "offline");
      self.timer = setTimeout(function () { self.flush(); }, 5000);
    }).finally(function () {
      self.inFlight = false;
      self.el.classList.remove("saving");
      if (self.again) { self.again = false; self.flush(); }
      settle();
    });
  };
  Saver.prototype.handle = function (result, content, sent) {
    var data = result.data || {};
    var el = this.el;
    if (result.status === 200) {
      el.classList.remove("failed");
      delete el.dataset.problem;
      delete el.dataset.failure;
      el.dataset.key = data.key || el.dataset.key;
      el.dataset.revision = data.revision;
      if (data.fields) {
        showSaved(el, data.fields, sent);
      } else {
        // Sent whole (a text, a list): what the server refused before is saved now.
        el.querySelectorAll(".invalid").forEach(clearMark);
      }
      renderNotes(el);
      if (this.adapter.saved) { this.adapter.saved(el, data); }
      lastSaved = { at: data.saved_at || "", merged: data.status === "merged" };
      return;
    }
    if (result.status === 400) {
      var errors = data.errors || {};
      var progress = false, unshown = [];
      for (var path in errors) {
        var input = this.adapter.inputFor ? this.adapter.inputFor(el, path, sent) : null;
        if (input) {
          markInvalid(input, errors[path], "server");
          if (sent.has(input)) { progress = true; }
        } else {
          unshown.push(errors[path]);
        }
      }
      if (progress && this.adapter.fields) {
        // Save the rest now, without the fields just marked: they keep their saved values.
        this.touch(0);
        return;
      }
      var first = Object.keys(errors)[0];
      el.classList.add("failed");
      el.dataset.failure = T.notSaved + " " + (first !== undefined ? errors[first] : "");
      if (unshown.length) { el.dataset.problem = unshown.join(" "); }
      renderNotes(el);
      return;
    }
    if (result.status === 409) {
      el.classList.add("conflict");
      showConflict(this, content, data);
      return;
    }
    if ((result.status === 401 && data.session_ended) || result.status === 429) {
      /* The session ended (idle too long, or its day is over), or too many saves in a short
         time: nothing was saved. What was typed stays on the page with the server's message
         (sign in again in another tab; wait), and the entry is sent again: after the wait the
         server names, or every 15 s until the user has signed in again. */
      var self = this;
      var wait = result.status === 429 ? Math.max(1, parseInt(data.retry_after, 10) || 15) : 15;
      el.classList.add("failed", "dirty");
      el.dataset.failure = (data.errors && data.errors[""]) || (T.refused + " " + result.status);
      renderNotes(el);
      clearTimeout(this.timer);
      this.timer = setTimeout(function () { self.flush(); }, wait * 1000);
      return;
    }
    el.classList.add("failed");
    el.dataset.failure = T.refused + " " + ((data.errors && data.errors[""]) || result.status);
  };

  function watch(el, adapter, delay) {
    var saver = new Saver(el, adapter);
    if (adapter.fields) {
      adapter.fields(el).forEach(function (input) {
        input.dataset.path = adapter.pathOf(el, input);
        input.savedValue = input.value;  // the page was drawn with what is stored
      });
    }
    if (!editable) { return saver; }
    var isField = function (target) { return adapter.fields && target.dataset && target.dataset.path !== undefined; };
    el.addEventListener("input", function (event) {
      if (isField(event.target)) { recheck(el, event.target); }
      if (adapter.onInput) { adapter.onInput(el, event.target); }
      saver.touch(delay);
    });
    el.addEventListener("change", function (event) {
      var target = event.target;
      // A field still holding the text that was marked has not changed.
      if (isField(target) && !(target.classList.contains("invalid") && target.value === target.markedValue)) { recheck(el, target); }
      saver.touch(delay);
    });
    el.addEventListener("keydown", function (event) {
      var target = event.target;
      if (event.key !== "Escape" || !isField(target) || !target.classList.contains("invalid")) { return; }
      // Escape in a marked field puts its saved value back.
      event.preventDefault();
      target.value = target.savedValue === undefined ? "" : target.savedValue;
      recheck(el, target);
      if (adapter.onInput) { adapter.onInput(el, target); }
      saver.touch(0);
    });
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
      saver.el.classList.remove("conflict");
      dialog.hidden = true;
      saver.el.classList.add("dirty");
      saver.flush();
    };
    take.onclick = function () {
      var el = saver.el;
      el.dataset.revision = data.revision;
      if (saver.adapter.fields) {
        // Theirs, every field as the server shows it; no mark of mine is left.
        fieldsOf(el).forEach(function (input) {
          var value = (data.fields || {})[input.dataset.path];
          input.value = input.savedValue = value === undefined || value === null ? "" : String(value);
          clearMark(input);
        });
        if (saver.adapter.onInput) { saver.adapter.onInput(el, el); }
      } else {
        saver.adapter.apply(el, data.theirs || {});
      }
      el.classList.remove("dirty", "conflict", "failed");
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
    // Only for two readable parts: a percentage of a refused value would look saved.
    var a = numberForDisplay(n.value), b = numberForDisplay(d.value);
    var shown = a !== null && b && !isNaN(a) && !isNaN(b) && !n.classList.contains("invalid") && !d.classList.contains("invalid");
    out.textContent = shown ? Cells.formatFloat(a * 100 / b, 1, locale) + "%" : "";
  }
  document.querySelectorAll(".value-entry").forEach(function (entry) {
    var type = entry.dataset.type;
    var bounds = { min: entry.dataset.min, max: entry.dataset.max };
    watch(entry, {
      fields: function (el) { return Array.prototype.slice.call(el.querySelectorAll(".value-cell [data-part], .comment, .no-data-mark [data-field]")); },
      pathOf: function (el, input) {
        if (input.classList.contains("comment")) { return "comment"; }
        if (input.dataset.field) { return input.dataset.field; }
        var key = input.closest(".value-cell").dataset.cell;
        return input.dataset.part === "v" ? "cells." + key : "cells." + key + "." + input.dataset.part;
      },
      collect: function (el, sent) {
        var content = collectFields(el, sent);
        content.cells = content.cells || {};
        return content;
      },
      /* The field an error names; the server names the numerator when the two parts of a
         ratio disagree, and when the numerator was not sent (it keeps its saved value) the
         part that was sent is the one to change. */
      inputFor: function (el, path, sent) {
        var input = fieldAt(el, path);
        if (input && type === "ratio" && sent && !sent.has(input)) {
          var other = input.closest(".value-cell").querySelector("[data-part=" + (input.dataset.part === "n" ? "d" : "n") + "]");
          if (other && sent.has(other)) { return other; }
        }
        return input;
      },
      related: function (el, input) {
        var cell = input.closest(".value-cell");
        return type === "ratio" && cell ? Array.prototype.slice.call(cell.querySelectorAll("[data-part]")) : [input];
      },
      check: function (el, input) {
        if (!input.matches("input.num")) { return ""; }
        return checkCell(type, input.value, null, bounds);
      },
      onInput: function (el) {
        el.querySelectorAll(".value-cell").forEach(updatePercent);
      },
      saved: function (el) {
        el.querySelectorAll(".value-cell").forEach(updatePercent);
      }
    });
  });

  /* ---------- legal basis ---------- */
  /* The catalogue is written once for the page (#legal-catalogue); each section's picker
     offers the framework's suggestions, then the rest of it. */
  var legalCatalogue = document.getElementById("legal-catalogue");
  document.querySelectorAll(".legal-select").forEach(function (select) {
    if (!legalCatalogue) { return; }
    var others = legalCatalogue.content.firstElementChild.cloneNode(true);
    var suggested = {};
    Array.prototype.forEach.call(select.options, function (option) { suggested[option.value] = true; });
    Array.prototype.slice.call(others.children).forEach(function (option) {
      if (suggested[option.value]) { option.remove(); }
    });
    if (others.children.length) { select.appendChild(others); }
  });
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
    function columnOf(row, td) {
      return td.dataset.column ? row.closest("table").querySelector('th[data-column="' + td.dataset.column + '"]') : null;
    }
    return {
      fields: function (row) {
        var selector = kind === "row" ? "td[data-column] input, td[data-field=group] select, td[data-phasing] input"
          : kind === "budget" ? "td[data-field=label] input, td[data-phasing] input" : "[data-field]";
        return Array.prototype.slice.call(row.querySelectorAll(selector));
      },
      pathOf: function (row, input) {
        var td = input.closest("td");
        if (td && td.dataset.column) { return "cells." + td.dataset.column; }
        if (td && td.dataset.phasing) { return "phasing." + td.dataset.phasing; }
        return input.dataset.field || td.dataset.field;
      },
      collect: function (row, sent) {
        var content = collectFields(row, sent);
        if (kind === "row") { content.cells = content.cells || {}; }
        return content;
      },
      inputFor: function (row, path) { return fieldAt(row, path); },
      check: function (row, input) {
        var td = input.closest("td");
        if (input.classList.contains("gcell")) {
          if (td.dataset.phasing) { return checkCell("money", input.value); }
          var head = columnOf(row, td);
          if (!head) { return ""; }
          return checkCell(head.dataset.type, input.value, head.dataset.choices ? head.dataset.choices.split("|") : null);
        }
        var field = input.dataset.field;
        if (field === "baseline" || field === "target" || field === "achieved" || field === "target_n" || field === "target_d") { return checkCell("decimal", input.value); }
        return "";
      },
      saved: function (row, data) {
        var derived = data.derived || {};
        if (derived.row) {
          var total = row.querySelector(".row-total");
          if (total) { total.textContent = derived.row.total; }
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
        if (table && derived.group !== undefined && derived.group !== null) { regroup(table, row, derived); }
        if (kind === "budget") { recomputeBudget(row.closest("table")); }
        renumber(row.closest("tbody"));
      }
    };
  }

  /* A grouped table: the saved row goes under its group's heading, and every group's
     subtotal is redrawn from what the server computed. */
  function regroup(table, row, derived) {
    var end = table.querySelector('tbody tr.group-total[data-group="' + derived.group + '"]');
    if (end && row.nextElementSibling !== end) {
      var head = end.previousElementSibling;
      var inGroup = false;
      while (head && !head.classList.contains("group-head")) {
        if (head === row) { inGroup = true; }
        head = head.previousElementSibling;
      }
      if (!inGroup) { end.parentNode.insertBefore(row, end); }
    }
    (derived.groups || []).forEach(function (group) {
      var subtotal = table.querySelector('tbody tr.group-total[data-group="' + group.code + '"]');
      if (!subtotal) { return; }
      subtotal.querySelectorAll(".group-cell").forEach(function (td, i) { td.textContent = group.totals[i] || ""; });
      var phased = subtotal.querySelector(".group-phasing-total");
      if (phased) { phased.textContent = group.phasing_total; }
    });
  }

  function recomputeBudget(table) {
    var columns = table.querySelectorAll("thead th[data-phasing]").length;
    var sums = new Array(columns).fill(0), grand = 0;
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var rowTotal = 0;
      row.querySelectorAll("td[data-phasing]").forEach(function (td, i) {
        var input = td.querySelector("input");
        // A marked cell counts with what is stored: that is what the total is of.
        var n = numberForDisplay(!input ? td.textContent : input.classList.contains("invalid") ? input.savedValue : input.value);
        if (n && !isNaN(n)) { sums[i] += n; rowTotal += n; }
      });
      var cell = row.querySelector(".row-total");
      if (cell) { cell.textContent = formatShown(rowTotal); }
      grand += rowTotal;
    });
    table.querySelectorAll("tfoot .phasing-total").forEach(function (td, i) { td.textContent = formatShown(sums[i]); });
    var total = table.querySelector("tfoot .grand-total");
    if (total) { total.textContent = formatShown(grand); }
  }

  /* A running total as the page shows it, to the thousand đồng (million VND, 3 places). */
  function formatShown(number) {
    return Cells.format(Cells.parse(number.toFixed(3), "en").value, locale);
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

  /* A grid cell is named by its column's heading. Named here, not in the page: a 300-row
     project table has 7,200 cells, whose labels would add some 350 KB to the page. */
  function nameCells(row) {
    row.querySelectorAll("input.gcell:not([aria-label])").forEach(function (input) {
      input.setAttribute("aria-label", fieldLabel(input));
    });
  }

  function setUpRow(row, kind) {
    if (row.saver) { return row.saver; }
    nameCells(row);
    return watch(row, rowAdapter(kind), 800);
  }

  /* A table's rows arrive as data (documents/templatetags/editor_tags.py, grid_data) and are
     drawn here from the table's own row template: the page is a fraction of the size and the
     server does not lay out the same markup 300 times. Values go in as attributes, what
     the page was drawn with; each row under its group's subtotal in a grouped table. */
  function drawGrid(block) {
    var script = block.querySelector("script.grid-data");
    var template = block.querySelector("template.row-template");
    if (!script || !template) { return; }
    var body = block.querySelector("tbody");
    JSON.parse(script.textContent).forEach(function (part) {
      var before = body.querySelector('tr.group-total[data-group="' + CSS.escape(part[0]) + '"]');
      var rows = document.createDocumentFragment();
      part[1].forEach(function (data) {
        var row = template.content.firstElementChild.cloneNode(true);
        row.dataset.key = block.dataset.container + ":" + data[0];
        row.dataset.revision = data[1];
        row.querySelector(".row-number").textContent = data[7];
        var group = row.querySelector("td[data-field=group] select");
        if (group) {
          group.value = data[2];
          if (group.selectedIndex < 0) { group.value = ""; }
        }
        row.querySelectorAll("td[data-column] input").forEach(function (input, i) { input.setAttribute("value", data[3][i]); });
        row.querySelectorAll("td[data-phasing] input").forEach(function (input, i) { input.setAttribute("value", i < data[4].length ? data[4][i] : ""); });
        var total = row.querySelector(".row-total");
        if (total) { total.textContent = data[5]; }
        if (data[6]) {
          var origin = document.createElement("span");
          origin.className = "origin";
          origin.title = block.dataset.originTitle || "";
          origin.textContent = data[6];
          row.querySelector(".row-tools").appendChild(origin);
        }
        rows.appendChild(row);
      });
      body.insertBefore(rows, before);
    });
  }

  document.querySelectorAll(".grid-block[data-kind=row]").forEach(drawGrid);

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
            row.classList.add("conflict");
            showConflict(row.saver, row.saver.adapter.collect(row, new Map()), result.data);
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
        if (cell.readOnly) { return; }
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
