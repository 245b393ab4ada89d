/*
 * Excerpts under the search page's results, cut from window.GRAD_SEARCH_TEXTS (search_texts.js, written
 * by lecture_notes/_ext/search_excerpts.py): the text of every page, and of each glossary entry and
 * section by its anchor. Sphinx's own excerpts fetch each page, which a browser refuses to a page opened
 * from disk; these need no fetch. An excerpt is up to 240 characters around the first word of the query
 * that the text contains, as Sphinx's are.
 */
(function () {
  "use strict";
  const texts = window.GRAD_SEARCH_TEXTS || {};
  const words = (new URLSearchParams(location.search).get("q") || "")
    .toLowerCase().split(/\s+/).filter((w) => w.length > 0);

  function excerpt(text) {
    const lower = text.toLowerCase();
    const hits = words.map((w) => lower.indexOf(w)).filter((i) => i > -1);
    const at = hits.length ? Math.min(...hits) : 0;
    const start = Math.max(at - 100, 0);
    return (start > 0 ? "\u2026" : "") + text.substr(start, 240).trim() +
      (start + 240 < text.length ? "\u2026" : "");
  }

  function textFor(link) {
    const root = new URL(document.documentElement.dataset.content_root || "./", location.href);
    const url = new URL(link.getAttribute("href"), location.href);
    if (!url.pathname.startsWith(root.pathname)) return null;
    const doc = decodeURIComponent(url.pathname.slice(root.pathname.length)).replace(/\.html$/, "");
    const page = texts[doc];
    if (!page) return null;
    return page[url.hash] || page[""] || null;
  }

  function addExcerpts() {
    document.querySelectorAll("#search-results li").forEach((item) => {
      if (item.dataset.gradExcerpt) return;
      item.dataset.gradExcerpt = "on";
      const link = item.querySelector("a");
      const text = link && textFor(link);
      if (!text) return;
      const p = document.createElement("p");
      p.className = "context";
      p.textContent = excerpt(text);
      item.appendChild(p);
    });
  }

  function start() {
    const results = document.getElementById("search-results");
    if (!results) return;
    new MutationObserver(addExcerpts).observe(results, {childList: true, subtree: true});
    addExcerpts();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
