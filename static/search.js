/* The search page: reads ?q=, asks Pagefind (loaded from this site only) and lists both titles, the
   highlighted excerpt and the batch of every match. Content is inserted as text, never as markup. */
(function () {
  "use strict";
  var form = document.querySelector(".search-page-form");
  if (!form) { return; }
  var input = form.querySelector("input[name=q]");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var PAGE_SIZE = 10;
  var pagefind = null;
  var latest = 0;

  function say(template, values) {
    status.textContent = template.replace(/\{(\w+)\}/g, function (_, key) { return String(values[key]); });
  }

  function load() {
    if (!pagefind) {
      var url = new URL(form.dataset.pagefind, document.baseURI).href;
      // Results link into this interface's language: the index is shared, the root is not.
      var root = new URL(form.dataset.siteRoot, document.baseURI).pathname.replace(/index\.html$/, "");
      var shards = form.dataset.shards.split(" ").filter(Boolean).map(function (entry) {
        return new URL(entry, document.baseURI).href.replace(/pagefind-entry\.json$/, "");
      });
      pagefind = import(url).then(function (module) {
        return module.options({ baseUrl: root }).then(function () {
          return Promise.all(shards.map(function (shard) { return module.mergeIndex(shard, { baseUrl: root }); }));
        }).then(function () { return module; });
      });
    }
    return pagefind;
  }

  // Pagefind's excerpt is escaped text with <mark> around matches: keep exactly that, as DOM nodes.
  function excerptNodes(html) {
    var doc = new DOMParser().parseFromString("<p>" + html + "</p>", "text/html");
    var out = document.createElement("p");
    out.className = "excerpt";
    doc.body.firstChild.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        out.appendChild(mark);
      } else {
        out.appendChild(document.createTextNode(node.textContent));
      }
    });
    return out;
  }

  function item(data) {
    var li = document.createElement("li");
    var link = document.createElement("a");
    link.href = data.url;
    var title = document.createElement("span");
    title.className = "title-en";
    title.lang = "en";
    title.textContent = data.meta.title || data.url;
    link.appendChild(title);
    li.appendChild(link);
    if (data.meta.title_zh) {
      var zh = document.createElement("p");
      zh.className = "title-zh";
      zh.lang = "zh-CN";
      zh.textContent = data.meta.title_zh;
      li.appendChild(zh);
    }
    li.appendChild(excerptNodes(data.excerpt));
    var batchTitle = data.meta["batch_" + form.dataset.lang];
    if (batchTitle) {
      var batch = document.createElement("p");
      batch.className = "batch";
      batch.textContent = form.dataset.inBatch + " " + batchTitle;
      li.appendChild(batch);
    }
    return li;
  }

  function showPage(results, from) {
    var slice = results.slice(from, from + PAGE_SIZE);
    return Promise.all(slice.map(function (r) { return r.data(); })).then(function (pages) {
      pages.forEach(function (data) { list.appendChild(item(data)); });
      var old = document.querySelector(".search-more");
      if (old) { old.remove(); }
      if (from + PAGE_SIZE < results.length) {
        var more = document.createElement("button");
        more.type = "button";
        more.className = "search-more";
        more.textContent = form.dataset.more;
        more.addEventListener("click", function () { showPage(results, from + PAGE_SIZE); });
        list.after(more);
      }
    });
  }

  function run(query) {
    var ticket = ++latest;
    list.textContent = "";
    list.dataset.state = "busy";
    var old = document.querySelector(".search-more");
    if (old) { old.remove(); }
    if (!query) { status.textContent = ""; list.dataset.state = "done"; return; }
    say(form.dataset.loading, {});
    load().then(function (module) { return module.search(query); }).then(function (search) {
      if (ticket !== latest) { return; }
      var results = search.results;
      say(results.length ? form.dataset.results : form.dataset.none, { count: results.length, query: query });
      return showPage(results, 0);
    }).then(function () {
      if (ticket === latest) { list.dataset.state = "done"; }
    }).catch(function () { say(form.dataset.error, {}); list.dataset.state = "done"; });
  }

  if (location.protocol === "file:") {
    say(form.dataset.file, {});
    list.dataset.state = "done";
    return;
  }
  var initial = new URLSearchParams(location.search).get("q") || "";
  input.value = initial;
  run(initial.trim());
  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var query = input.value.trim();
      history.replaceState(null, "", query ? "?q=" + encodeURIComponent(query) : location.pathname);
      run(query);
    }, 200);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    var query = input.value.trim();
    history.replaceState(null, "", query ? "?q=" + encodeURIComponent(query) : location.pathname);
    run(query);
  });
})();
