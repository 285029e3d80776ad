// The Cite control (kb/web/templates/kb_cite.html): progressive enhancement.  Without JavaScript the
// sentence is selectable and each style is a link to its text.  With it, opening Cite fetches every
// style once (/cite/<what>.json) and gives each a Copy button.
(function () {
  "use strict";
  // The words shown, as the page's language has them (data-* of this script's tag, kb_base.html).
  var words = (document.currentScript && document.currentScript.dataset) || {};
  function say(box, text) {
    var status = box && box.querySelector(".cite-status");
    if (status) { status.textContent = text; }
  }
  function fallbackCopy(node) {
    // Older browsers, or a page not served over HTTPS: select the text and copy the selection.
    var range = document.createRange();
    range.selectNodeContents(node);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    return ok;
  }
  function copy(button) {
    var block = button.closest(".cite-style");
    var box = button.closest("details.cite, .cite-list");
    var node = block.querySelector(".citation");
    var text = node.textContent;
    var done = function () { button.textContent = words.copied || "Copied"; say(box, words.copied || "Copied"); };
    var failed = function () {
      if (fallbackCopy(node)) { done(); } else { say(box, words.copyFailed || "Select the text and copy it."); }
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, failed);
    } else {
      failed();
    }
  }
  function addStyle(box, style, name, text) {
    var block = document.createElement("div");
    block.className = "cite-style";
    block.dataset.style = style;
    var label = document.createElement("p");
    label.className = "detail-label";
    label.textContent = name;
    var body = document.createElement("p");
    body.className = "citation";
    body.textContent = text;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy";
    button.textContent = words.copyLabel || "Copy";
    block.appendChild(label);
    block.appendChild(body);
    block.appendChild(button);
    box.insertBefore(block, box.querySelector(".cite-styles"));
  }
  function load(box) {
    if (box.dataset.loaded) { return; }
    box.dataset.loaded = "loading";
    say(box, words.loading || "Loading the citation styles…");
    fetch(box.dataset.cite, { headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        Object.keys(data.styles).forEach(function (style) {
          if (style !== "plain") { addStyle(box, style, data.names[style], data.styles[style]); }
        });
        var links = box.querySelector(".cite-styles");
        if (links) { links.hidden = true; }
        box.dataset.loaded = "yes";
        say(box, "");
      })
      .catch(function () {
        box.dataset.loaded = "";
        say(box, words.loadFailed || "The styles could not be loaded: follow the links below.");
      });
  }
  document.addEventListener("click", function (ev) {
    var button = ev.target.closest(".cite-style button.copy");
    if (button) { copy(button); }
  });
  document.addEventListener("toggle", function (ev) {
    var box = ev.target;
    if (box.matches && box.matches("details.cite[data-cite]") && box.open) { load(box); }
  }, true);
  document.querySelectorAll(".cite-style button.copy[hidden]").forEach(function (b) { b.hidden = false; });
})();
