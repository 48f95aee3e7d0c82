/* The search page. It reads ?q= and the filters from the URL, looks up the query's tokens in the site's own
   index (search-index/, cut the way digestsite's search/tokens.py cuts text), fetches the few chunks they
   are filed in and the results it shows, and lists both titles, an excerpt with the matches marked and
   the batch. Index files are scripts, so search works from disk too. Content is inserted as text only. */
(function () {
  "use strict";
  var form = document.querySelector(".search-page-form");
  if (!form) { return; }
  var data = form.dataset;
  var input = form.querySelector("input[name=q]");
  var selects = { year: form.elements.year, batch: form.elements.batch, sort: form.elements.sort };
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var suggestions = document.getElementById("search-suggestions");
  var PAGE = 10;
  var DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
  var ARXIV = /^(?:arxiv:\s*)?(\d{4}\.\d{4,5}|[a-z][a-z.-]*\/\d{7})(?:v\d+)?$/i;
  var indexUrl = new URL(data.index, document.baseURI);
  var waiting = {};
  var loaded = {};
  var meta = null;
  var latest = 0;

  // Every index file is a script that hands its data over by name.
  window.digestsiteIndex = function (name, value) {
    if (waiting[name]) { waiting[name](value); delete waiting[name]; }
  };

  function load(name) {
    if (!loaded[name]) {
      loaded[name] = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        waiting[name] = resolve;
        script.src = new URL(name.split("/").map(encodeURIComponent).join("/") + ".js", indexUrl).href;
        script.onload = script.onerror = function () {
          script.remove();
          if (waiting[name]) { delete waiting[name]; delete loaded[name]; reject(new Error(name)); }
        };
        document.head.appendChild(script);
      });
    }
    return loaded[name];
  }

  function ready() {
    return load("meta").then(function (m) {
      if (meta) { return meta; }
      var word = "(?:(?![" + m.cjk + "])[\\p{L}\\p{N}])";
      var lang = Math.max(0, m.languages.indexOf(data.lang));
      var docBatch = [];
      var batches = m.batches.map(function (b, i) {
        var entry = { slug: b[0], date: b[1], year: b[1].slice(0, 4), first: docBatch.length, count: b[2],
                      title: b[3 + lang], position: i };
        for (var k = 0; k < b[2]; k++) { docBatch.push(i); }
        return entry;
      });
      meta = { chunks: m.chunks, batches: batches, docBatch: docBatch, tags: m.tags,
               isCjk: new RegExp("^[" + m.cjk + "]", "u"), cjk: m.cjk, word: word,
               pieces: new RegExp("([" + m.cjk + "]+)|(" + word + "+)", "gu") };
      window.digestsiteSearch.chunks = m.chunks;
      fillFilters();
      return meta;
    });
  }

  function normalise(text) {
    return text.replace(/[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]/g, function (c) {
      return String.fromCharCode(c.charCodeAt(0) - 0xfee0);
    }).toLowerCase();
  }

  function chars(text) { return Array.from(text); }

  // A query as terms (quoted phrases or whitespace-separated), each a list of pieces: a CJK run or a run of
  // words; each piece looks up the n-grams the index holds for it.
  function parse(query) {
    var terms = [];
    var re = /"([^"]*)"|“([^”]*)”|(\S+)/g;
    var m;
    while ((m = re.exec(query))) {
      var text = normalise(m[1] !== undefined ? m[1] : m[2] !== undefined ? m[2] : m[3]);
      var pieces = [];
      var words = null;
      meta.pieces.lastIndex = 0;
      var p;
      while ((p = meta.pieces.exec(text))) {
        if (p[1]) { pieces.push({ run: p[1] }); words = null; }
        else if (words) { words.push(p[2]); }
        else { words = [p[2]]; pieces.push({ words: words }); }
      }
      if (pieces.length) { terms.push({ text: text, pieces: pieces }); }
    }
    var last = terms.length && terms[terms.length - 1].pieces.slice(-1)[0];
    if (last && last.words && /[^\s"”]$/.test(query) && chars(last.words[last.words.length - 1]).length >= 3) {
      last.prefix = true;
    }
    terms.forEach(function (term) {
      term.pieces.forEach(function (piece) { piece.lookups = lookups(piece); });
    });
    return terms;
  }

  function lookups(piece) {
    var out = [];
    if (piece.run) {
      var c = chars(piece.run);
      if (c.length <= 3) { return [{ token: piece.run }]; }
      for (var i = 0; i + 3 <= c.length; i++) { out.push({ token: c.slice(i, i + 3).join("") }); }
      return out;
    }
    var w = piece.words;
    if (w.length === 1) { return [{ token: w[0], prefix: piece.prefix }]; }
    for (var j = 0; j + 1 < w.length; j++) {
      out.push({ token: w[j] + " " + w[j + 1], prefix: piece.prefix && j + 2 === w.length });
    }
    return out;
  }

  function bucket(token) {
    if (token[0] === "#" || meta.isCjk.test(token)) { return token; }
    var space = token.indexOf(" ");
    if (space < 0) { return chars(token).slice(0, 3).join(""); }
    return token.slice(0, space + 1) + chars(token.slice(space + 1)).slice(0, 3).join("");
  }

  function chunkOf(token) {
    var h = 0x811c9dc5;
    for (var ch of bucket(token)) { h = Math.imul(h ^ ch.codePointAt(0), 0x01000193) >>> 0; }
    return h % meta.chunks;
  }

  function decode(text) {
    var docs = [];
    if (!text) { return docs; }
    if (text[0] === "~") {
      for (var i = 1; i < text.length; i++) {
        var bits = DIGITS.indexOf(text[i]);
        for (var b = 0; b < 6; b++) { if (bits >> b & 1) { docs.push(6 * (i - 1) + b); } }
      }
      return docs;
    }
    var doc = -1, gap = 0, shift = 0;
    for (var k = 0; k < text.length; k++) {
      var v = DIGITS.indexOf(text[k]);
      gap += (v & 31) * Math.pow(2, shift);
      if (v & 32) { shift += 5; } else { doc += gap + 1; docs.push(doc); gap = shift = 0; }
    }
    return docs;
  }

  function intersect(a, b) {
    if (a === null) { return b; }
    var out = [], i = 0, j = 0;
    while (i < a.length && j < b.length) {
      if (a[i] < b[j]) { i++; } else if (a[i] > b[j]) { j++; } else { out.push(a[i]); i++; j++; }
    }
    return out;
  }

  function union(lists) {
    if (lists.length === 1) { return lists[0]; }
    var seen = new Set();
    lists.forEach(function (l) { l.forEach(function (d) { seen.add(d); }); });
    return Array.from(seen).sort(function (x, y) { return x - y; });
  }

  // The papers holding one looked-up token (all of them, and those with it in a title or author), and,
  // for a word, the index's words filed with it (for suggestions).
  function find(lookup) {
    return load("c/" + chunkOf(lookup.token)).then(function (chunk) {
      var keys = lookup.prefix ? Object.keys(chunk).filter(function (key) {
        return key.indexOf(lookup.token) === 0 && key.split(" ").length === lookup.token.split(" ").length;
      }) : (lookup.token in chunk ? [lookup.token] : []);
      var all = [], head = [];
      keys.forEach(function (key) {
        var value = chunk[key];
        all.push(decode(typeof value === "string" ? value : value[0]));
        head.push(decode(typeof value === "string" ? "" : value[1]));
      });
      return { all: keys.length ? union(all) : [], head: keys.length ? union(head) : [],
               words: Object.keys(chunk).filter(function (key) { return key.indexOf(" ") < 0; }) };
    });
  }

  function evaluate(terms) {
    var jobs = [];
    terms.forEach(function (term) {
      term.pieces.forEach(function (piece) {
        piece.lookups.forEach(function (lookup) { jobs.push(find(lookup).then(function (r) { lookup.found = r; })); });
      });
    });
    return Promise.all(jobs).then(function () {
      var docs = null, head = null;
      terms.forEach(function (term) {
        var termDocs = null, termHead = null;
        term.pieces.forEach(function (piece) {
          piece.lookups.forEach(function (lookup) {
            termDocs = intersect(termDocs, lookup.found.all);
            termHead = intersect(termHead, lookup.found.head);
          });
        });
        term.docs = termDocs || [];
        term.head = termHead || [];
        docs = intersect(docs, term.docs);
        head = intersect(head, term.head);
      });
      return { docs: docs || [], head: new Set(head || []) };
    });
  }

  // Recency: the newest batch first, each batch in its own order.
  function recency(doc) {
    var b = meta.batches[meta.docBatch[doc]];
    return (meta.batches.length - b.position) * 1e6 + doc - b.first;
  }

  function rank(found, filters) {
    var docs = found.docs.filter(function (doc) {
      var b = meta.batches[meta.docBatch[doc]];
      return (!filters.year || b.year === filters.year) && (!filters.batch || b.slug === filters.batch);
    });
    var byTitle = filters.sort !== "new";
    return docs.sort(function (x, y) {
      var tier = byTitle ? (found.head.has(x) ? 0 : 1) - (found.head.has(y) ? 0 : 1) : 0;
      return tier || recency(x) - recency(y);
    });
  }

  function fragment(doc) {
    var b = meta.batches[meta.docBatch[doc]];
    return load("p/" + b.slug + "/" + (doc - b.first)).then(function (f) { f.batch = b; return f; });
  }

  // Where each term's pieces occur in a text, as [start, end) ranges of the original text: CJK runs as
  // substrings, words at word boundaries (a last word typed in part up to the end of its word).
  function matches(text, terms) {
    var units = [], starts = [], ends = [];
    var offset = 0;
    chars(text).forEach(function (ch) {
      var n = normalise(ch);
      for (var i = 0; i < n.length; i++) { units.push(n[i]); starts.push(offset); ends.push(offset + ch.length); }
      offset += ch.length;
    });
    var norm = units.join("");
    var ranges = [];
    var missing = 0;
    terms.forEach(function (term) {
      term.pieces.forEach(function (piece) {
        var re = piece.run ? new RegExp(piece.run.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "gu")
          : new RegExp("(?<!" + meta.word + ")" + piece.words.join("(?:(?!" + meta.word + ")[^" + meta.cjk + "])+") +
                       (piece.prefix ? meta.word + "*" : "(?!" + meta.word + ")"), "gu");
        var found = false, m;
        while ((m = re.exec(norm))) {
          found = true;
          ranges.push([starts[m.index], ends[m.index + m[0].length - 1]]);
          if (!m[0]) { re.lastIndex++; }
        }
        if (!found) { missing++; }
      });
    });
    ranges.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    return { ranges: ranges, missing: missing };
  }

  function marked(tag, text, ranges, from, to) {
    var node = document.createElement(tag);
    var at = from;
    ranges.forEach(function (r) {
      var start = Math.max(r[0], at), end = Math.min(r[1], to);
      if (start >= end) { return; }
      node.appendChild(document.createTextNode(text.slice(at, start)));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(start, end);
      node.appendChild(mark);
      at = end;
    });
    node.appendChild(document.createTextNode(text.slice(at, to)));
    return node;
  }

  // A window of the summary around its first match, cut between characters (never inside a pair).
  function excerpt(text, ranges, lang) {
    var first = ranges.length ? ranges[0][0] : 0;
    var start = Math.max(0, first - 40);
    var end = Math.min(text.length, start + 160);
    if (/[\udc00-\udfff]/.test(text[start] || "")) { start--; }
    if (/[\udc00-\udfff]/.test(text[end] || "")) { end++; }
    var p = marked("p", text, ranges, start, end);
    p.className = "excerpt";
    p.lang = tag(lang);
    if (start > 0) { p.insertBefore(document.createTextNode("…"), p.firstChild); }
    if (end < text.length) { p.appendChild(document.createTextNode("…")); }
    return p;
  }

  function link(pattern, slug) { return pattern.replace("{slug}", encodeURIComponent(slug)); }

  function tag(code) { return meta.tags[code] || code; }

  function line(className, text, terms) {
    var p = marked("p", text, matches(text, terms).ranges, 0, text.length);
    p.className = className;
    return p;
  }

  function item(f, terms) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.href = link(data.paper, f.u);
    var shown = f.t || f.z || f.u;  // a paper known only by its Chinese title, or by its ID
    var title = marked("span", shown, matches(shown, terms).ranges, 0, shown.length);
    title.className = "title-en";
    title.lang = "en";
    a.appendChild(title);
    li.appendChild(a);
    if (f.z) { li.appendChild(line("title-zh", f.z, terms)).lang = tag("zh"); }
    if (f.a) { li.appendChild(line("authors", f.a.join(", "), terms)); }
    if (f.s) { li.appendChild(excerpt(f.s, matches(f.s, terms).ranges, f.l)); }
    var batch = document.createElement("p");
    batch.className = "batch";
    var batchLink = document.createElement("a");
    batchLink.href = link(data.batch, f.batch.slug);
    batchLink.textContent = f.batch.title;
    batch.append(data.inBatch + " ", batchLink);
    li.appendChild(batch);
    return li;
  }

  // Whether a fetched result holds every piece of the query (the index is exact up to three CJK
  // characters or two words; longer pieces are checked here).
  function holds(f, terms) {
    var text = [f.t, f.z, (f.a || []).join(", "), f.s].join("\n");
    return matches(text, terms).missing === 0;
  }

  function say(template, values) {
    status.textContent = template.replace(/\{(\w+)\}/g, function (_, key) { return String(values[key]); });
  }

  function clear() {
    list.textContent = "";
    suggestions.textContent = "";
    var more = document.querySelector(".search-more");
    if (more) { more.remove(); }
  }

  function showPage(ticket, ranked, from, terms, state) {
    var slice = ranked.slice(from, from + PAGE);
    return Promise.all(slice.map(fragment)).then(function (fragments) {
      if (ticket !== latest) { return; }
      fragments.forEach(function (f) {
        if (holds(f, terms)) { list.appendChild(item(f, terms)); } else { state.dropped++; }
      });
      say(data.results, { count: ranked.length - state.dropped, query: state.query });
      if (from + PAGE < ranked.length) {
        var more = document.createElement("button");
        more.type = "button";
        more.className = "search-more";
        more.textContent = data.more;
        more.addEventListener("click", function () { more.remove(); showPage(ticket, ranked, from + PAGE, terms, state); });
        list.after(more);
      }
    });
  }

  // For a query that matches nothing: the query's parts that do match, its words with a typo mended (a
  // word filed beside the typed one, a letter or two away) and its CJK runs cut by a character or two;
  // of those, the longest found in titles, with its titles. Never papers unrelated to what was typed.
  function closest(terms) {
    var tries = [];
    terms.forEach(function (term) {
      if (term.docs.length) { tries.push(term.text); return; }
      term.pieces.forEach(function (piece) {
        var c = chars(piece.run || piece.words[0]);
        if (piece.words && piece.words.length === 1) {
          var best = null;
          piece.lookups[0].found.words.forEach(function (word) {
            var d = distance(c, chars(word));
            if (d <= (c.length > 5 ? 2 : 1) && (!best || d < best.d)) { best = { d: d, word: word }; }
          });
          if (best) { tries.push(best.word); }
        }
        for (var len = c.length - 1; piece.run && len >= Math.max(2, c.length - 2); len--) {
          for (var i = 0; i + len <= c.length; i++) { tries.push(c.slice(i, i + len).join("")); }
        }
      });
    });
    return Promise.all(tries.map(function (text) {
      return evaluate(parse(text + " ")).then(function (found) { return { text: text, head: Array.from(found.head) }; });
    })).then(function (tried) {
      var hit = tried.filter(function (t) { return t.head.length; })
        .sort(function (a, b) { return chars(b.text).length - chars(a.text).length; })[0];
      if (!hit) { return null; }
      var top = hit.head.sort(function (x, y) { return recency(x) - recency(y); }).slice(0, 3);
      return Promise.all(top.map(fragment)).then(function (fs) { return { text: hit.text, fragments: fs }; });
    });
  }

  function distance(a, b) {
    var d = [];
    for (var i = 0; i <= a.length; i++) { d.push([i]); }
    for (var j = 1; j <= b.length; j++) { d[0][j] = j; }
    for (i = 1; i <= a.length; i++) {
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) { d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1); }
      }
    }
    return d[a.length][b.length];
  }

  function suggest(ticket, query, terms) {
    return closest(terms).then(function (hit) {
      if (ticket !== latest || !hit) { return; }
      var p = document.createElement("p");
      p.textContent = data.suggest.replace("{query}", hit.text);
      var ul = document.createElement("ul");
      hit.fragments.forEach(function (f) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = link(data.paper, f.u);
        a.textContent = f.t;
        a.lang = "en";
        li.appendChild(a);
        if (f.z) { li.append(" · "); var z = document.createElement("span"); z.lang = tag("zh"); z.textContent = f.z; li.appendChild(z); }
        ul.appendChild(li);
      });
      suggestions.append(p, ul);
    });
  }

  // Runs a search; `go` opens the paper an arXiv ID names instead of listing it.
  function run(query, go) {
    var ticket = ++latest;
    var started = performance.now();
    clear();
    list.dataset.state = "busy";
    if (!query) { status.textContent = ""; list.dataset.state = "done"; return; }
    say(data.loading, {});
    ready().then(function () {
      var filters = { year: selects.year.value, batch: selects.batch.value, sort: selects.sort.value };
      var id = ARXIV.exec(query);
      var terms = parse(query);
      var lookup = id ? find({ token: "#" + id[1].toLowerCase() }) : Promise.resolve({ all: [] });
      return lookup.then(function (byId) {
        if (byId.all.length) {
          return fragment(byId.all[0]).then(function (f) {
            if (go) { location.replace(link(data.paper, f.u)); return; }
            window.digestsiteSearch.last = { query: query, docs: byId.all };
            say(data.results, { count: 1, query: query });
            list.appendChild(item(f, []));
          });
        }
        return evaluate(terms).then(function (found) {
          if (ticket !== latest) { return; }
          var ranked = rank(found, filters);
          window.digestsiteSearch.last = { query: query, docs: ranked };
          if (!ranked.length) {
            say(data.none, { query: query });
            return found.docs.length ? null : suggest(ticket, query, terms);
          }
          return showPage(ticket, ranked, 0, terms, { dropped: 0, query: query });
        });
      });
    }).then(function () {
      if (ticket === latest) { list.dataset.ms = Math.round(performance.now() - started); list.dataset.state = "done"; }
    }).catch(function () { say(data.error, {}); list.dataset.state = "done"; });
  }

  function fillFilters() {
    var years = [];
    meta.batches.forEach(function (b) { if (years.indexOf(b.year) < 0) { years.push(b.year); } });
    years.sort().reverse().forEach(function (year) { selects.year.add(new Option(year, year)); });
    var wanted = new URLSearchParams(location.search);
    selects.year.value = wanted.get("year") || "";
    fillBatches(wanted.get("batch") || "");
    form.querySelector(".search-filters").hidden = false;
  }

  function fillBatches(chosen) {
    while (selects.batch.options.length > 1) { selects.batch.remove(1); }
    meta.batches.slice().reverse().forEach(function (b) {
      if (!selects.year.value || b.year === selects.year.value) { selects.batch.add(new Option(b.title, b.slug)); }
    });
    selects.batch.value = chosen;
    if (selects.batch.value !== chosen) { selects.batch.value = ""; }
  }

  // The URL keeps the query and the filters, and so do the links to this page in the other languages.
  function remember(query) {
    var params = new URLSearchParams();
    if (query) { params.set("q", query); }
    ["year", "batch", "sort"].forEach(function (key) { if (selects[key].value) { params.set(key, selects[key].value); } });
    var search = params.toString() ? "?" + params.toString() : "";
    history.replaceState(null, "", search || location.pathname);
    keepInLinks(search);
  }

  function keepInLinks(search) {
    document.querySelectorAll(".lang-switch a").forEach(function (a) {
      var url = new URL(a.getAttribute("href"), location.href);
      url.search = search;
      a.href = url.href;
    });
  }

  // For tests and benchmarks: the last search's papers, and the tokens and chunks a query looks up.
  window.digestsiteSearch = { last: null, lookups: function (query) {
    var out = [];
    parse(query).forEach(function (term) {
      term.pieces.forEach(function (piece) {
        piece.lookups.forEach(function (l) { out.push([l.token, chunkOf(l.token)]); });
      });
    });
    return out;
  } };
  var params = new URLSearchParams(location.search);
  input.value = params.get("q") || "";
  selects.sort.value = params.get("sort") === "new" ? "new" : "";
  keepInLinks(location.search);
  var timer = null;
  function now(go) {
    clearTimeout(timer);
    var query = input.value.trim();
    remember(query);
    run(query, go);
  }
  input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(function () { now(false); }, 200); });
  form.addEventListener("submit", function (event) { event.preventDefault(); now(true); });
  selects.year.addEventListener("change", function () { fillBatches(selects.batch.value); now(false); });
  selects.batch.addEventListener("change", function () { now(false); });
  selects.sort.addEventListener("change", function () { now(false); });
  run(input.value.trim(), true);
  ready().catch(function () { say(data.error, {}); });  // the filters, with no query too
})();
