/* Tables a reader can sort: each column header of a long table becomes a button; pressing it sorts the rows
   by that column (dates as dates, numbers as numbers, names in the order of the page's language), pressing it
   again reverses the order, and the header says which way (aria-sort). Without this script the tables are
   as the server wrote them: names in name order. Dates are read from a cell's data-sort or <time datetime>,
   or from the words the pages write ("6 December 2016", "2016-12-06", "2016년 12월 6일"). */
(function () {
  "use strict";
  var MONTHS = {january: 1, february: 2, march: 3, april: 4, may: 5, june: 6, july: 7, august: 8,
                september: 9, october: 10, november: 11, december: 12};
  var MIN_ROWS = 6;
  var lang = document.documentElement.lang || "en";
  var collator = new Intl.Collator(lang, {sensitivity: "base", numeric: true});

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  /* The date a cell starts with, as YYYY-MM-DD, or null. */
  function dateOf(cell) {
    if (cell.dataset.sort) return cell.dataset.sort;
    var t = cell.querySelector("time[datetime]");
    if (t) return t.getAttribute("datetime");
    var s = cell.textContent.trim(), m;
    if ((m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s))) return m[0];
    if ((m = /^(\d{1,2}) ([A-Za-z]+) (\d{4})/.exec(s)) && MONTHS[m[2].toLowerCase()])
      return m[3] + "-" + pad(MONTHS[m[2].toLowerCase()]) + "-" + pad(+m[1]);
    if ((m = /^(\d{4})년 (\d{1,2})월 (\d{1,2})일/.exec(s))) return m[1] + "-" + pad(+m[2]) + "-" + pad(+m[3]);
    return null;
  }

  function numberOf(cell) {
    var s = cell.textContent.trim().replace(/,/g, "");
    return /^-?\d+(\.\d+)?$/.test(s) ? parseFloat(s) : null;
  }

  /* How a column sorts: "date" or "number" when every cell that is not empty reads as one, else "text". */
  function kindOf(rows, col) {
    var dates = 0, numbers = 0, filled = 0;
    rows.forEach(function (r) {
      var c = r.cells[col];
      if (!c || !c.textContent.trim()) return;
      filled++;
      if (dateOf(c)) dates++;
      else if (numberOf(c) !== null) numbers++;
    });
    if (filled && dates === filled) return "date";
    if (filled && numbers === filled) return "number";
    return "text";
  }

  function compare(kind, a, b) {
    if (kind === "date") { a = dateOf(a) || ""; b = dateOf(b) || ""; }
    else if (kind === "number") { a = numberOf(a); b = numberOf(b); }
    else { return collator.compare(a.textContent.trim(), b.textContent.trim()); }
    if (a === b) return 0;
    if (a === "" || a === null) return 1;  /* empty cells last, whichever the direction */
    if (b === "" || b === null) return -1;
    return a < b ? -1 : 1;
  }

  function enhance(table) {
    var body = table.tBodies[0];
    if (!table.tHead || !body || table.tBodies.length !== 1 || body.rows.length < MIN_ROWS) return;
    if (table.querySelector("[rowspan], [colspan]")) return;
    var head = table.tHead.rows[0];
    if (!head) return;
    var original = Array.prototype.slice.call(body.rows);
    Array.prototype.forEach.call(head.cells, function (th, col) {
      if (!th.textContent.trim() || th.querySelector("a, button, input, select, textarea")) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () {
        var dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
        Array.prototype.forEach.call(head.cells, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", dir);
        var rows = original.slice(), kind = kindOf(rows, col);
        rows.sort(function (a, b) {
          var ca = a.cells[col], cb = b.cells[col];
          if (!ca || !cb) return 0;
          var ea = !ca.textContent.trim(), eb = !cb.textContent.trim();
          if (ea || eb) return ea === eb ? 0 : (ea ? 1 : -1);  /* empty cells last */
          var r = compare(kind, ca, cb);
          return dir === "ascending" ? r : -r;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
    table.classList.add("sortable");
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("main table"), enhance);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
