"""Search results with excerpts, also when the site is opened from disk (``file://``).

Sphinx's search page fetches each result's page to cut an excerpt from it; a browser refuses that fetch
for a ``file://`` page, so those results showed a bare title ("Glossary", three times, for three terms).
Here the text of every page, and of each glossary entry and section by its anchor, is written once into
``_static/search_texts.js`` (loaded by the search page only), and ``_static/search_excerpts.js`` cuts
each result's excerpt from it, over http and from disk alike. Sphinx's own fetch is turned off
(``html_show_search_summary = False`` in conf.py).
"""

from __future__ import annotations

import json
from pathlib import Path

from docutils import nodes

MAX_PAGE = 40_000  # characters of a page's text kept (the excerpt is cut around the first match)
MAX_PART = 1_500  # characters of a glossary entry's or section's text


def _plain(node: nodes.Node, limit: int) -> str:
    """The text of ``node`` on one line, without raw HTML (the notebooks' pictures and links)."""
    words = (t.astext() for t in node.findall(nodes.Text) if not isinstance(t.parent, nodes.raw))
    return " ".join(" ".join(words).split())[:limit]


def page_texts(doctree: nodes.Node) -> dict[str, str]:
    """``{"": the page's text, "#anchor": the text of the glossary entry or section with that id}``.

    >>> from docutils.core import publish_doctree
    >>> texts = page_texts(publish_doctree("Title\\n=====\\n\\nSome   words.\\n\\nPart\\n----\\n\\nMore."))
    >>> texts[""], texts["#part"]
    ('Title Some words. Part More.', 'Part More.')
    """
    texts = {"": _plain(doctree, MAX_PAGE)}
    for term in doctree.findall(nodes.term):
        item = term.parent
        for anchor in term["ids"]:
            texts[f"#{anchor}"] = _plain(item, MAX_PART)
    for section in doctree.findall(nodes.section):
        for anchor in section["ids"]:
            texts.setdefault(f"#{anchor}", _plain(section, MAX_PART))
    return texts


def _collect(app, doctree) -> None:
    if not hasattr(app.env, "grad_search_texts"):
        app.env.grad_search_texts = {}
    app.env.grad_search_texts[app.env.docname] = page_texts(doctree)


def _purge(app, env, docname) -> None:
    getattr(env, "grad_search_texts", {}).pop(docname, None)


def _merge(app, env, docnames, other) -> None:
    env.grad_search_texts = getattr(env, "grad_search_texts", {})
    env.grad_search_texts.update({d: other.grad_search_texts[d] for d in docnames})


def _search_page_scripts(app, pagename, templatename, context, doctree) -> None:
    if pagename == "search":
        app.add_js_file("search_texts.js")
        app.add_js_file("search_excerpts.js")


def _write(app, exception) -> None:
    if exception is None and app.builder.format == "html":
        texts = dict(sorted(getattr(app.env, "grad_search_texts", {}).items()))
        data = json.dumps(texts, ensure_ascii=False, separators=(",", ":"))
        out = Path(app.outdir) / "_static" / "search_texts.js"
        out.write_text(f"window.GRAD_SEARCH_TEXTS = {data};\n", encoding="utf-8")


def setup(app):
    app.connect("doctree-read", _collect)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("html-page-context", _search_page_scripts)
    app.connect("build-finished", _write)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
