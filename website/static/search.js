// The documentation site's search: it loads the index hugo writes
// (index.json, one entry per page) on first use and lists the pages that
// contain every word typed, best matches first. No network beyond the
// site itself.
(function () {
  "use strict";
  var input = document.getElementById("search-input");
  var list = document.getElementById("search-results");
  if (!input || !list) { return; }
  var index = null;
  var loading = null;

  function load() {
    if (!loading) {
      loading = fetch(input.getAttribute("data-index"))
        .then(function (r) { return r.json(); })
        .then(function (pages) { index = pages; return pages; });
    }
    return loading;
  }

  function score(page, words) {
    var title = page.title.toLowerCase();
    var text = page.content.toLowerCase();
    var total = 0;
    for (var i = 0; i < words.length; i++) {
      var inTitle = title.indexOf(words[i]) >= 0;
      var at = text.indexOf(words[i]);
      if (!inTitle && at < 0) { return 0; }
      total += (inTitle ? 10 : 0) + (at >= 0 ? 1 : 0);
    }
    return total;
  }

  function snippet(page, word) {
    var text = page.content;
    var at = text.toLowerCase().indexOf(word);
    if (at < 0) { return text.slice(0, 120); }
    var start = Math.max(0, at - 50);
    return (start > 0 ? "…" : "") + text.slice(start, at + 70).replace(/\s+/g, " ") + "…";
  }

  function render(query) {
    var words = query.toLowerCase().split(/\s+/).filter(Boolean);
    list.textContent = "";
    if (!words.length || !index) { list.hidden = true; return; }
    var hits = index
      .map(function (p) { return { page: p, score: score(p, words) }; })
      .filter(function (h) { return h.score > 0; })
      .sort(function (a, b) { return b.score - a.score || a.page.title.localeCompare(b.page.title); })
      .slice(0, 12);
    if (!hits.length) {
      var none = document.createElement("li");
      none.className = "none";
      none.textContent = "No page mentions " + query;
      list.appendChild(none);
    }
    hits.forEach(function (h) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = h.page.url;
      a.textContent = h.page.title;
      var s = document.createElement("span");
      s.className = "snippet";
      s.textContent = snippet(h.page, words[0]);
      li.appendChild(a);
      li.appendChild(s);
      list.appendChild(li);
    });
    list.hidden = false;
  }

  input.addEventListener("focus", load);
  input.addEventListener("input", function () {
    var q = input.value;
    load().then(function () { if (input.value === q) { render(q); } });
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { input.value = ""; render(""); }
    if (e.key === "Enter") {
      var first = list.querySelector("a");
      if (first) { window.location.href = first.href; }
    }
  });
  document.addEventListener("click", function (e) {
    if (!list.contains(e.target) && e.target !== input) { list.hidden = true; }
  });
})();
