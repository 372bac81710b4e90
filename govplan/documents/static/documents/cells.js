/* Numbers as people type them (1.234,5 or 1,234.5), read exactly as the server reads them.
 *
 * govplan/core/documents/cells.py is the authority on what is stored; this is its reading on
 * the page, held to the same table of cases (tests/support/number_cases.py, run against both).
 * A number comes back as the server's stored form, an exact decimal string ("1234.5"), never a
 * float: floats are for what is only shown (a live percentage, a running total).
 * Plain script, no build step: window.GovPlanCells.
 */
(function (global) {
  "use strict";

  // The characters Python's str.strip() removes (JavaScript's trim() differs: it keeps
  // \x1c-\x1f and \x85 and removes \ufeff).
  var SPACE = "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
  var EDGES = new RegExp("^[" + SPACE + "]+|[" + SPACE + "]+$", "g");
  var GROUPED = { ".": /^\d{1,3}(\.\d{3})+$/, ",": /^\d{1,3}(,\d{3})+$/ };
  var PLACES = { decimal: 6, percent: 6, money: 3 };
  // Digits before the decimal mark (govplan/core/inputs.py, cells.py): 15 is what a float and
  // a spreadsheet cell hold exactly; money, in million VND, 12.
  var MAX_DIGITS = 15;
  var WHOLE_DIGITS = { money: 12 };

  function strip(text) { return String(text).replace(EDGES, ""); }

  function isBlank(text) { return text === null || text === undefined || strip(text) === ""; }

  function count(text, mark) { return text.split(mark).length - 1; }

  /* ASCII digits only, as the server reads them ("²", "٣" and "１" are refused). */
  function asciiDigit(ch) {
    return ch >= "0" && ch <= "9" ? ch : null;
  }

  /* How many digits the stored form has before the decimal mark. */
  function wholeDigits(value) {
    var whole = value.replace(/^-/, "").split(".")[0];
    return whole === "0" ? 0 : whole.length;
  }

  /* The stored form of a number: no leading or trailing zeros, no "-0". */
  function canonical(negative, whole, fraction) {
    whole = whole.replace(/^0+/, "") || "0";
    fraction = fraction.replace(/0+$/, "");
    var text = fraction ? whole + "." + fraction : whole;
    return negative && text !== "0" ? "-" + text : text;
  }

  var REFUSED = { error: "notNumber" };

  /* {value: "1234.5"}, {value: null} for an empty cell, or {error: "notNumber"}. A single "."
     followed by exactly three digits is a thousands separator in Vietnamese (1.234 = 1234). */
  function parse(text, locale) {
    if (isBlank(text)) { return { value: null }; }
    var s = strip(text).replace(/[\u00a0 \u202f]/g, "");
    if (s.slice(-1) === "%") { s = s.slice(0, -1); }
    var sign = s.charAt(0);
    var negative = sign === "-" || sign === "\u2212";
    if (negative || sign === "+") { s = s.slice(1); }  // one sign: "+-5" is not a number
    var body = "";
    var chars = Array.from(s);
    for (var i = 0; i < chars.length; i += 1) {
      var ch = chars[i];
      var digit = ch === "." || ch === "," ? ch : asciiDigit(ch);
      if (digit === null) { return REFUSED; }
      body += digit;
    }
    if (body === "") { return REFUSED; }
    if (body.indexOf(".") >= 0 && body.indexOf(",") >= 0) {
      var mark = body.lastIndexOf(".") > body.lastIndexOf(",") ? "." : ",";
      var thousands = mark === "." ? "," : ".";
      var at = body.lastIndexOf(mark);
      var whole = body.slice(0, at);
      if (!GROUPED[thousands].test(whole)) { return REFUSED; }  // "1.23,4" is a slip
      body = whole.split(thousands).join("") + "." + body.slice(at + 1);
    } else if (body.indexOf(",") >= 0) {
      if (locale === "en" && GROUPED[","].test(body)) { body = body.split(",").join(""); }
      else if (count(body, ",") === 1) { body = body.replace(",", "."); }
      else { return REFUSED; }
    } else if (body.indexOf(".") >= 0) {
      if (GROUPED["."].test(body) && (locale === "vi" || count(body, ".") > 1)) {
        body = body.split(".").join("");
      } else if (count(body, ".") > 1) { return REFUSED; }
    }
    var parts = /^(\d*)(?:\.(\d*))?$/.exec(body);
    if (!parts || (parts[1] + (parts[2] || "")) === "") { return REFUSED; }
    var value = canonical(negative, parts[1], parts[2] || "");
    if (wholeDigits(value) > MAX_DIGITS) { return { error: "tooLarge", digits: MAX_DIGITS }; }
    return { value: value };
  }

  /* Compares two stored forms exactly: -1, 0 or 1. */
  function compare(a, b) {
    var negativeA = a.charAt(0) === "-", negativeB = b.charAt(0) === "-";
    if (negativeA !== negativeB) { return negativeA ? -1 : 1; }
    if (negativeA) { return compare(b.slice(1), a.slice(1)); }
    var x = a.split("."), y = b.split(".");
    if (x[0].length !== y[0].length) { return x[0].length < y[0].length ? -1 : 1; }
    var width = Math.max((x[1] || "").length, (y[1] || "").length);
    var left = x[0] + (x[1] || "").padEnd(width, "0");
    var right = y[0] + (y[1] || "").padEnd(width, "0");
    return left === right ? 0 : (left < right ? -1 : 1);
  }

  function places(value) {
    var at = value.indexOf(".");
    return at < 0 ? 0 : value.length - at - 1;
  }

  /* A cell of a number type ("integer", "decimal", "money", "percent") as the server checks
     it: {value: stored form or null} or {error: code, …}. The codes: notNumber, whole,
     negative, places (with places), min (with min), max (with max), percent.
     ``bounds`` ({min, max}, as numbers or strings) are an indicator's own; integers and
     money are never negative unless an indicator says otherwise. */
  function check(type, text, locale, bounds) {
    var result = parse(text, locale);
    if (result.error || result.value === null) { return result; }
    var value = result.value;
    var digits = WHOLE_DIGITS[type] || MAX_DIGITS;
    if (wholeDigits(value) > digits) { return { error: "tooLarge", digits: digits }; }
    bounds = bounds || {};
    var min = bounds.min === undefined || bounds.min === null || bounds.min === "" ? null : parse(String(bounds.min), "en").value;
    var max = bounds.max === undefined || bounds.max === null || bounds.max === "" ? null : parse(String(bounds.max), "en").value;
    if (type === "integer" || type === "money") {
      if (type === "integer" && value.indexOf(".") >= 0) { return { error: "whole" }; }
      if (min === null) { min = "0"; }
    }
    if (type === "percent") { min = "0"; max = "100"; }
    if (type === "money" && compare(value, "0") < 0) { return { error: "negative" }; }
    if (PLACES[type] !== undefined && places(value) > PLACES[type]) {
      return { error: "places", places: PLACES[type] };
    }
    if (min !== null && compare(value, min) < 0) {
      if (type === "percent") { return { error: "percent" }; }
      return min === "0" ? { error: "negative" } : { error: "min", min: min };
    }
    if (max !== null && compare(value, max) > 0) {
      return type === "percent" ? { error: "percent" } : { error: "max", max: max };
    }
    return { value: value };
  }

  /* A stored form as the page shows it: "1234.5" → "1.234,5" (vi) or "1,234.5" (en). */
  function format(value, locale) {
    if (value === null || value === undefined || value === "") { return ""; }
    var text = String(value);
    var negative = text.charAt(0) === "-";
    var parts = (negative ? text.slice(1) : text).split(".");
    var thousands = locale === "vi" ? "." : ",";
    var mark = locale === "vi" ? "," : ".";
    var whole = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, thousands);
    return (negative ? "-" : "") + whole + (parts[1] ? mark + parts[1] : "");
  }

  /* A float, rounded to ``digits`` places, as the page shows it: only for what is shown. */
  function formatFloat(number, digits, locale) {
    return format(number.toFixed(digits), locale);
  }

  /* The float of what is typed, for what is only shown (null when empty, NaN when unreadable). */
  function toFloat(text, locale) {
    var result = parse(text, locale);
    if (result.error) { return NaN; }
    return result.value === null ? null : parseFloat(result.value);
  }

  global.GovPlanCells = {
    parse: parse,
    check: check,
    compare: compare,
    format: format,
    formatFloat: formatFloat,
    toFloat: toFloat,
    isBlank: isBlank
  };
})(window);
