"""Sphinx configuration for the lecture-notes site.

Build it with ``make notes`` (``sphinx-build -W --keep-going -b html lecture_notes
lecture_notes/_build/html``). Two things are generated into this folder before
Sphinx looks for source files; both are git-ignored and rebuilt on every run:

``notebooks/``
    A copy of each notebook's book (``../notebooks/solutions/NN_*.ipynb``: every task
    solved) with its stored (nbval-checked) outputs; nothing is executed. Relative links in
    markdown cells are rewritten by ``scripts/workbook.py``'s ``relink`` so that they point
    at the same file as in the original, e.g. a book's link back to the notes written as
    ``../../lecture_notes/derivatives.md`` becomes ``../derivatives.md``, and a link to
    another notebook points at its copy here.
``_generated/figures/``
    The figures of the notes, drawn by ``grad.viz`` (see ``_figures/make_figures.py``).

The notes link to the real notebooks (``../notebooks/NN_name.ipynb``), so the
links work on GitHub and in JupyterLab too; while Sphinx reads a note, those
links are pointed at the copies in ``notebooks/`` (``notes_to_notebook_copies``).

The site works offline: MathJax is vendored in ``_static/mathjax/``, sphinx-copybutton
ships its own script and style, and the theme is told not to add launch, repository or
widget scripts from the web.

Pictures of graphs keep a legible text size on every screen: the notebooks' graphs
(``grad.viz`` outputs, ``div.grad-graph``) and the notes' graph figures (put in such a box
by ``scroll_graph_figures``) show at their natural size and scroll sideways instead of
shrinking; so does wide display math (``_static/notes.css``). ``_static/stepper.js`` turns
each backward-pass stepper (``show_backward``) into one frame at a time with a slider;
``_static/graphs.js`` fades a wide graph's edges where it scrolls and gives it a fit/actual-size button.

The site's own extensions, in ``_ext/``: ``where_code`` (the repository, ``make lab``, ``make test`` and
the offline zip in every page's header and on the home page; "Run in your browser" on every notebook page),
``alt_text`` (what the notebooks' plots and graphs show) and ``search_excerpts`` (excerpts under search
results, also from ``file://``).
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

from docutils import nodes

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # build against this checkout's grad package
sys.path.insert(0, str(HERE / "_figures"))
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(HERE / "_ext"))  # the site's own extensions: where_code, alt_text, search_excerpts

import workbook  # noqa: E402  scripts/workbook.py: its relink rewrites the copies' links

BOOKS = ROOT / "notebooks" / "solutions"
NOTEBOOK_DST = HERE / "notebooks"
FIGURES_DST = HERE / "_generated" / "figures"

# -- project ---------------------------------------------------------------------------------------

project = "Backprop from scratch"
author = "the grad course authors"
copyright = "the grad course authors"
html_title = "Backprop from scratch"

extensions = ["myst_nb", "sphinx.ext.mathjax", "sphinx_copybutton"]
extensions += ["where_code", "alt_text", "search_excerpts"]  # _ext/: the site's own
# The course's repository, e.g. "https://github.com/OWNER/REPO": shown in the header and on the home page
# ("": `git remote get-url origin`'s, if any). A plain string: scripts/workbook.py's repository_setting reads
# it for the site and the workbooks alike. On GitHub, `scripts/workbook.py build` starts every workbook with
# a cell that installs grad on Colab, and each notebook page links to Colab once the workbooks have it.
repository_url = ""
exclude_patterns = [
    "_build",
    "_figures",
    "_generated",
    "jupyter_execute",
    "**/.ipynb_checkpoints",
    "README.md",
]
suppress_warnings = [
    # Notebooks may skip a heading level (# then ###); that is cosmetic, not a broken page.
    "myst.header",
]

# -- MyST and MyST-NB --------------------------------------------------------------------------------

myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
nb_execution_mode = "off"  # show exactly the stored outputs that nbval verified
nb_merge_streams = True
# No widget JavaScript from a CDN; a widget output falls back to its text/plain form.
nb_ipywidgets_js: dict = {}
nb_mime_priority_overrides = [
    ("html", "application/vnd.jupyter.widget-view+json", None),
    ("html", "application/vnd.jupyter.widget-state+json", None),
]

# -- math: vendored MathJax 3 (SVG output, every TeX extension built in, no web fonts) ----------------

mathjax_path = "mathjax/tex-svg-full.js"  # relative to _static
mathjax3_config = {
    "svg": {"fontCache": "global"},
    "options": {"enableMenu": True},
}

# -- copy buttons on code blocks (sphinx-copybutton) ----------------------------------------------------

# Prompts are not copied: ">>> " and "... " in doctest-style blocks, "$ " in console blocks.
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True
copybutton_exclude = ".linenos, .gp, .go"

# -- HTML ----------------------------------------------------------------------------------------------

html_theme = "sphinx_book_theme"
html_static_path = ["_static"]
html_css_files = ["notes.css"]
html_js_files = [("stepper.js", {"defer": "defer"}), ("graphs.js", {"defer": "defer"})]  # in this order
html_last_updated_fmt = None
html_show_search_summary = False  # search_excerpts cuts the excerpts, also from file://
html_copy_source = True  # the notebook download button serves _sources/…/*.ipynb
html_show_sourcelink = False
html_theme_options = {
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "use_issues_button": False,
    "use_source_button": False,
    "launch_buttons": {},
    "navigation_with_keys": False,
    "search_bar_text": "Search the notes…",
    # One search field: the sidebar's. pydata-sphinx-theme adds a second one to the header unless
    # navbar_persistent is set; on narrow screens the article header keeps its search button.
    "navbar_persistent": [],
}


# -- generated sources -----------------------------------------------------------------------------------


def _write_if_changed(path: Path, data: bytes) -> None:
    """Write ``data`` unless the file already holds it, so Sphinx's incremental build stays incremental."""
    if path.exists() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def sync_notebooks(src: Path = BOOKS, dst: Path = NOTEBOOK_DST) -> list[str]:
    """Copy each book in ``src`` into ``dst``, links relocated; delete copies of no book. The site shows the
    books: the notebooks with every task solved (each book's workbook has the same name)."""
    books = sorted(src.glob("*.ipynb"))
    for path in books:
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb.get("cells", []):
            if cell.get("cell_type") == "markdown":
                text = "".join(cell.get("source", ""))
                cell["source"] = workbook.relink(text, path.parent, dst).splitlines(keepends=True)
        data = (json.dumps(nb, indent=1, ensure_ascii=False) + "\n").encode("utf-8")
        _write_if_changed(dst / path.name, data)
    if dst.is_dir():
        for stale in dst.glob("*.ipynb"):
            if stale.name not in {path.name for path in books}:
                stale.unlink()
    return [path.name for path in books]


def _generate(app, config) -> None:
    sync_notebooks()
    import make_figures  # lecture_notes/_figures/make_figures.py

    for name, data in make_figures.render_all().items():
        _write_if_changed(FIGURES_DST / name, data)


_NOTEBOOK_LINK = re.compile(r"\]\(\s*<?\.\./notebooks/(?:solutions/)?")


def notes_to_notebook_copies(app, docname: str, source: list[str]) -> None:
    """In a note, point ``../notebooks/x.ipynb`` links at the site's copy ``notebooks/x.ipynb``; a link to
    a book, ``../notebooks/solutions/x.ipynb``, too (the site's copy is the book).

    >>> src = ["[01](../notebooks/01_derivatives.ipynb), [solved](../notebooks/solutions/01_d.ipynb)"]
    >>> notes_to_notebook_copies(None, "derivatives", src); src[0]
    '[01](notebooks/01_derivatives.ipynb), [solved](notebooks/01_d.ipynb)'
    """
    if not docname.startswith("notebooks/"):
        source[0] = _NOTEBOOK_LINK.sub("](notebooks/", source[0])


def _drawn_by_graphviz(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return b"Generated by graphviz" in f.read(1000)
    except OSError:
        return False


def scroll_graph_figures(app, doctree) -> None:
    """Put every SVG image drawn by Graphviz in a ``div.grad-graph`` box, as ``grad.viz`` does in the
    notebooks: the picture keeps its natural size (notes.css) and the box scrolls sideways."""
    for image in list(doctree.findall(nodes.image)):
        uri = image.get("uri", "")
        parent = image.parent
        if not uri.endswith(".svg") or "grad-graph" in parent.get("classes", []):
            continue
        if not _drawn_by_graphviz(Path(app.srcdir, uri)):
            continue
        box = nodes.container("", classes=["grad-graph"])
        parent.replace(image, box)
        box.append(image)


def setup(app):
    app.connect("config-inited", _generate)
    app.connect("source-read", notes_to_notebook_copies)
    app.connect("doctree-read", scroll_graph_figures)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
