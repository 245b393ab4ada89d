"""Where the code is, on every page of the notes site.

- The header of every page: the repository (``repository_url`` in conf.py, read by
  ``scripts/workbook.py``'s ``repository_setting``, as for the workbooks' install cell; or else ``git remote
  get-url origin``; nothing when neither is known), the two commands (``make lab``, ``make test``) and a
  download that works offline, ``_downloads/grad-course.zip`` (``scripts/course_zip.py``: the workbooks, the
  notes and the ``grad`` wheel).
- The home page: the same, where it has a ``{where-code}`` directive.
- Every notebook page: "Run in your browser" (the workbook in the site's JupyterLite copy, ``lite/``),
  what that keeps where and whether the notebook needs the network there (it does when it imports numpy or
  matplotlib, which only Pyodide's CDN serves), and "Open in Colab" when the committed workbook starts with
  the install cell for the repository shown (``workbook.install_cell``: it is there when conf.py names a
  GitHub repository). A repository known from ``origin`` alone gets no Colab link: Colab would open a
  workbook without that cell, whose first ``import grad`` fails.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

SCRIPTS = str(Path(__file__).resolve().parents[2] / "scripts")
if SCRIPTS not in sys.path:  # conf.py puts it there for the site's build
    sys.path.insert(0, SCRIPTS)
import workbook  # noqa: E402  scripts/workbook.py: the repository setting and the install cell

ZIP = "_downloads/grad-course.zip"
COMMANDS = (("make lab", "run the notebooks"), ("make test", "check everything"))
BROWSER_NOTE = (
    "Run in your browser opens this notebook's workbook in a copy of JupyterLab that runs in this page's "
    "browser, with nothing to install. Your work is kept in this browser's storage, on this computer only: "
    "use File \u203a Download to save a notebook as a file."
)
ONLINE = ("numpy", "matplotlib")  # in the browser, only Pyodide's CDN serves them
_IMPORTS = re.compile(
    r"^[ \t]*(?:from[ \t]+(\w+)|import[ \t]+([\w. \t,]+))", re.MULTILINE
)  # from M | import A, B

_SCP = re.compile(r"^(?:[\w.-]+@)?([\w.-]+):(?!//)(.+)$")  # git@github.com:owner/repo.git


def web_url(remote: str) -> str:
    """The web address of a git remote, or ``""`` for a remote that is not on the web: a local path
    (``C:/repo`` too), an ssh alias (a host without a dot). Credentials, a query and a fragment are
    dropped: the address is shown on every page.

    >>> web_url("git@github.com:owner/repo.git")
    'https://github.com/owner/repo'
    >>> web_url("https://github.com/owner/repo.git/"), web_url("ssh://git@example.org/a/b")
    ('https://github.com/owner/repo', 'https://example.org/a/b')
    >>> web_url("https://user:TOKEN@github.com/o/r.git?key=SECRET#x"), web_url("u:p@github.com:o/r")
    ('https://github.com/o/r', '')
    >>> web_url("/srv/git/repo.git"), web_url("C:/repo"), web_url("myalias:repo.git"), web_url("")
    ('', '', '', '')
    """
    remote = re.sub(r"[?#].*", "", remote.strip())
    if m := _SCP.match(remote):
        remote = f"https://{m[1]}/{m[2]}"
    m = re.match(r"^(?:https?|ssh|git)://(?:[^@/]+@)?([^/:]+)(?::\d+)?/(.+)$", remote)
    if not m or "." not in m[1]:
        return ""
    path = re.sub(r"(?:\.git)?/*$", "", m[2])
    return f"https://{m[1]}/{path}" if path else ""


def repository(configured: str, root: Path) -> str:
    """The repository's web address: ``configured`` if set, else that of ``git remote get-url origin``
    run in ``root``, else ``""``."""
    if configured:
        return configured.rstrip("/")
    try:
        cmd = ["git", "-C", str(root), "remote", "get-url", "origin"]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return ""
    return web_url(proc.stdout) if proc.returncode == 0 else ""


def colab_url(repo: str, branch: str, path: str) -> str | None:
    """Colab's address for the notebook at ``path`` in ``repo`` (a web address), if it is on GitHub.

    >>> colab_url("https://github.com/o/r", "main", "notebooks/02_value_object.ipynb")
    'https://colab.research.google.com/github/o/r/blob/main/notebooks/02_value_object.ipynb'
    """
    slug = workbook.github(repo)
    return f"https://colab.research.google.com/github/{slug}/blob/{branch}/{path}" if slug else None


def imported(path: Path) -> set[str]:
    """The top-level modules that the code cells of the notebook at ``path`` import.

    >>> import tempfile
    >>> source = ["import math, numpy as np\\n", "if 1:\\n", "    from torch import nn"]
    >>> cells = [{"cell_type": "code", "source": source}]
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = Path(d, "n.ipynb").write_text(json.dumps({"cells": cells}))
    ...     sorted(imported(Path(d, "n.ipynb")))
    ['math', 'numpy', 'torch']
    """
    code = "\n".join("".join(c["source"]) for c in _cells(path) if c.get("cell_type") == "code")
    found = set()
    for module, names in _IMPORTS.findall(code):  # from a.b import c: a; import a.b as c, d: a and d
        found |= {name.split()[0].split(".")[0] for name in (names or module).split(",") if name.strip()}
    return found


def installs_grad(path: Path, repo: str) -> bool:
    """Whether the notebook at ``path`` starts with the install cell for ``repo`` (so Colab can run it)."""
    first, cell = (_cells(path) or [{}])[0], workbook.install_cell(repo)
    return cell is not None and first.get("cell_type") == "code" and "".join(first.get("source", "")) == cell


def _cells(path: Path) -> list[dict]:
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError, AttributeError):
        return []


def header_html(repo: str, zip_href: str) -> str:
    """The header's line: the repository (if known), the two commands and the download.

    >>> print(header_html("", "x.zip"))  # doctest: +NORMALIZE_WHITESPACE
    <span class="grad-where"><code>make lab</code> run the notebooks · <code>make test</code> check
    everything · <a href="x.zip" download>Download the workbooks and grad (zip)</a></span>
    """
    parts = [f'The code: <a href="{html.escape(repo)}">{html.escape(repo)}</a>'] if repo else []
    parts += [f"<code>{cmd}</code> {what}" for cmd, what in COMMANDS]
    parts.append(f'<a href="{html.escape(zip_href)}" download>Download the workbooks and grad (zip)</a>')
    return '<span class="grad-where">' + " · ".join(parts) + "</span>"


def notebook_links_html(name: str, lite: str, colab: str | None, modules: set[str]) -> str:
    """The links at the top of a notebook's page (``lite`` and ``colab``: the addresses to open), and what
    the browser does with the ``modules`` it imports (those of ``ONLINE`` need the network; torch is absent).

    >>> print(notebook_links_html("01.ipynb", "lite/x", None, {"matplotlib", "torch"}))  # doctest: +ELLIPSIS
    <div ...Run in your browser</a></p><p class="grad-run-note">...</p><p class="grad-run-network">In the
    browser this notebook needs the network: it imports matplotlib, which the browser loads from the
    internet. Its PyTorch cells are skipped there: PyTorch does not run in the browser.</p></div>
    """
    links = [f'<a class="grad-run-lite" href="{html.escape(lite)}">Run in your browser</a>']
    if colab:
        links.append(f'<a class="grad-run-colab" href="{html.escape(colab)}">Open in Colab</a>')
    online = [m for m in ONLINE if m in modules]
    network = (
        f"In the browser this notebook needs the network: it imports {' and '.join(online)}, which the "
        "browser loads from the internet."
        if online
        else "In the browser this notebook runs offline: it needs nothing from the internet."
    )
    if "torch" in modules:
        network += " Its PyTorch cells are skipped there: PyTorch does not run in the browser."
    paragraphs = f'<p class="grad-run-note">{html.escape(BROWSER_NOTE)}</p>'
    paragraphs += f'<p class="grad-run-network">{network}</p>'
    opening = f'<div class="grad-run" data-notebook="{html.escape(name)}">'
    return f"{opening}<p>{' · '.join(links)}</p>{paragraphs}</div>"


class WhereCode(SphinxDirective):
    """``{where-code}``: the header's line as a paragraph of its own page (the home page)."""

    def run(self) -> list[nodes.Node]:
        href = relative(self.env.docname, ZIP)
        text = header_html(self.env.app.grad_repository, href)
        return [nodes.raw("", f'<p class="grad-where-home">{text}</p>', format="html")]


def relative(docname: str, target: str) -> str:
    """``target`` (relative to the site's root) as seen from the page ``docname``.

    >>> relative("notebooks/02_value_object", "lite/lab/index.html"), relative("index", "a.zip")
    ('../lite/lab/index.html', 'a.zip')
    """
    return "../" * docname.count("/") + target


def _resolve(app, config) -> None:
    setting = workbook.repository_setting(Path(app.confdir) / "conf.py")
    app.grad_repository = repository(setting, Path(app.srcdir).parent)


def add_notebook_links(app, doctree) -> None:
    docname = app.env.docname
    if not docname.startswith("notebooks/"):
        return
    name = docname.split("/", 1)[1] + ".ipynb"
    committed = Path(app.srcdir).parent / "notebooks" / name  # the workbook: Colab and the browser open it
    lite = relative(docname, app.config.lite_url.format(name=name))
    colab = None
    if installs_grad(committed, app.grad_repository):
        colab = colab_url(app.grad_repository, app.config.repository_branch, f"notebooks/{name}")
    raw = nodes.raw("", notebook_links_html(name, lite, colab, imported(committed)), format="html")
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is not None and isinstance(section[0], nodes.title):
        section.insert(1, raw)
    else:
        doctree.insert(0, raw)


def add_header(app, pagename, templatename, context, doctree) -> None:
    context["theme_announcement"] = header_html(app.grad_repository, relative(pagename, ZIP))


def build_zip(app, exception) -> None:
    if exception is None and app.builder.format == "html":
        import course_zip  # scripts/, on the path with workbook

        course_zip.build(Path(app.outdir) / ZIP)


def setup(app):
    # conf.py's repository_url is read by workbook.repository_setting, as scripts/workbook.py reads it
    app.add_config_value("repository_branch", "main", "env")
    app.add_config_value("lite_url", "lite/lab/index.html?path=notebooks/{name}", "env")
    app.add_directive("where-code", WhereCode)
    app.connect("config-inited", _resolve)
    app.connect("doctree-read", add_notebook_links)
    app.connect("html-page-context", add_header)
    app.connect("build-finished", build_zip)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
