// Injected into pages by `digestsite serve` only, never into build output. `epoch` is the build a page
// was served from: a newer build swaps in the page's new body (keeping the scroll position), or reloads it
// when its stylesheets or scripts changed. A failed rebuild shows its errors in an overlay.
(function () {
  var script = document.currentScript;
  var epoch = Number(script.getAttribute("data-epoch")), box = null;
  function show(lines) {
    if (!box) {
      box = document.createElement("div");
      box.id = "digestsite-overlay";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;left:0;right:0;bottom:0;max-height:60vh;overflow:auto;z-index:2147483647;" +
        "background:#2b0b0b;color:#fff;font:14px/1.5 ui-monospace,monospace;padding:16px 20px;" +
        "white-space:pre-wrap;border-top:4px solid #e5484d";
      document.body.appendChild(box);
    }
    box.textContent = "digestsite: the rebuild failed; this is the last good build.\n\n" + lines.join("\n");
  }
  function hide() { if (box) { box.remove(); box = null; } }
  function resources(doc) {
    return Array.prototype.map.call(doc.querySelectorAll("link[rel=stylesheet], script"), function (node) {
      return node.hasAttribute("data-digestsite-reload") || node.type === "application/ld+json" ? "" :
        node.tagName + (node.getAttribute("href") || node.getAttribute("src") || node.textContent);
    }).join("\n");
  }
  function update(next) {
    fetch(location.href, {cache: "no-store"}).then(function (response) { return response.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        if (resources(doc) !== resources(document)) { location.reload(); return; }
        var stale = doc.querySelector("script[data-digestsite-reload]");
        if (stale) { stale.remove(); }
        document.title = doc.title;
        box = null;
        document.body.replaceWith(document.adoptNode(doc.body));
        epoch = next;
      })
      .catch(function () { location.reload(); });
  }
  var source = new EventSource(script.getAttribute("data-events"));
  source.addEventListener("state", function (event) {
    var state = JSON.parse(event.data);
    if (state.error) { show(state.error); return; }
    if (state.epoch > epoch) { update(state.epoch); } else { hide(); }
  });
})();