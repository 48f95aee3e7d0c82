/* Progressive enhancements; every page works without them. Deferred, so it never blocks rendering. */
(function () {
  "use strict";
  var root = document.documentElement;
  var KEY = "digestsite-theme";

  // Light/dark toggle: follows the system until the reader chooses, then remembers the choice.
  var toggle = document.querySelector(".theme-toggle");
  function current() {
    return root.dataset.theme || (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light");
  }
  function label() {
    var dark = current() === "dark";
    toggle.textContent = dark ? toggle.dataset.labelLight : toggle.dataset.labelDark;
    toggle.setAttribute("aria-pressed", dark ? "true" : "false");
  }
  if (toggle) {
    toggle.hidden = false;
    label();
    toggle.addEventListener("click", function () {
      var next = current() === "dark" ? "light" : "dark";
      root.dataset.theme = next;
      try { localStorage.setItem(KEY, next); } catch (e) { /* private mode: the choice lasts this page */ }
      label();
    });
    matchMedia("(prefers-color-scheme: dark)").addEventListener("change", label);
  }

  // Copy BibTeX.
  var copy = document.querySelector(".copy-bibtex");
  var bibtex = document.querySelector(".bibtex");
  if (copy && bibtex) {
    copy.hidden = false;
    var original = copy.textContent;
    copy.addEventListener("click", function () {
      var text = bibtex.textContent;
      var done = function () {
        copy.textContent = copy.dataset.copied;
        setTimeout(function () { copy.textContent = original; }, 2000);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () { fallback(text); done(); });
      } else {
        fallback(text);
        done();
      }
    });
  }
  function fallback(text) {
    var range = document.createRange();
    range.selectNodeContents(bibtex);
    var selection = getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    try { document.execCommand("copy"); } catch (e) { /* the text stays selected for Ctrl-C */ }
  }

  // ← and → open the previous and next paper (documented under the pager).
  var pager = document.querySelector("[data-shortcuts]");
  if (pager) {
    document.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey || event.defaultPrevented) { return; }
      var target = event.target;
      if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) { return; }
      var link = event.key === "ArrowLeft" ? pager.querySelector("a[rel=prev]") :
        event.key === "ArrowRight" ? pager.querySelector("a[rel=next]") : null;
      if (link) { location.href = link.href; }
    });
  }
})();
