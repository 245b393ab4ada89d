"""Where the code is, on every page of the notes site.

- The header of every page: the repository (``repository_url`` in conf.py, or else ``git remote get-url
  origin``; nothing when neither is known), the two commands (``make lab``, ``make test``) and a download
  that works offline, ``_downloads/grad-course.zip`` (``scripts/course_zip.py``: the workbooks and the
  ``grad`` wheel).
- The home page: the same, where it has a ``{where-code}`` directive.
- Every notebook page: "Run in your browser" (the workbook in the site's JupyterLite copy, ``lite/``),
  what that keeps where, and, when the repository is on GitHub, "Open in Colab".
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

ZIP = "_downloads/grad-course.zip"
COMMANDS = (("make lab", "run the notebooks"), ("make test", "check everything"))
BROWSER_NOTE = (
    "Run in your browser opens this notebook's workbook in a copy of JupyterLab that runs in this page's "
    "browser, with nothing to install. Your work is kept in this browser's storage, on this computer only: "
    "use File \u203a Download to save a notebook as a file. Cells that use numpy or matplotlib load them "
    "from the internet, so they need the network; everything else runs offline."
)

_SCP = re.compile(r"^(?:[\w.-]+@)?([\w.-]+):(?!//)(.+)$")  # git@github.com:owner/repo.git


def web_url(remote: str) -> str:
    """The web address of a git remote, or ``""`` for a remote that is not on the web (a local path).

    >>> web_url("git@github.com:owner/repo.git")
    'https://github.com/owner/repo'
    >>> web_url("https://github.com/owner/repo.git/"), web_url("ssh://git@example.org/a/b")
    ('https://github.com/owner/repo', 'https://example.org/a/b')
    >>> web_url("/srv/git/repo.git"), web_url("")
    ('', '')
    """
    remote = remote.strip()
    if m := _SCP.match(remote):
        remote = f"https://{m[1]}/{m[2]}"
    m = re.match(r"^(?:https?|ssh|git)://(?:[^@/]+@)?([^/:]+)(?::\d+)?/(.+)$", remote)
    if not m:
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


def github(url: str) -> str | None:
    """``owner/repo`` of a GitHub address, else None.

    >>> github("https://github.com/owner/repo"), github("https://example.org/owner/repo")
    ('owner/repo', None)
    """
    m = re.fullmatch(r"https://github\.com/([\w.-]+)/([\w.-]+)", url)
    return f"{m[1]}/{m[2]}" if m else None


def colab_url(repo: str, branch: str, path: str) -> str | None:
    """Colab's address for the notebook at ``path`` in ``repo`` (a web address), if it is on GitHub.

    >>> colab_url("https://github.com/o/r", "main", "notebooks/02_value_object.ipynb")
    'https://colab.research.google.com/github/o/r/blob/main/notebooks/02_value_object.ipynb'
    """
    slug = github(repo)
    return f"https://colab.research.google.com/github/{slug}/blob/{branch}/{path}" if slug else None


def pip_install(repo: str) -> str:
    """The notebook command that installs ``grad`` from the repository at ``repo`` (a web address).

    >>> pip_install("https://github.com/o/r")
    '%pip install -q "grad-course @ git+https://github.com/o/r"'
    """
    return f'%pip install -q "grad-course @ git+{repo}"'


def install_cell(repo: str) -> str:
    """The first cell a notebook needs on Colab: it installs ``grad`` from the repository when it is missing.

    Colab can install from a git repository (``pip install git+https://...``); the wheel is not committed,
    so there is no raw URL of it to install from.

    >>> print(install_cell("https://github.com/o/r"))
    import importlib.util
    if importlib.util.find_spec("grad") is None:  # on Colab: install the course's package
        %pip install -q "grad-course @ git+https://github.com/o/r"
    """
    return (
        "import importlib.util\n"
        'if importlib.util.find_spec("grad") is None:  # on Colab: install the course\'s package\n'
        f"    {pip_install(repo)}"
    )


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


def notebook_links_html(name: str, lite: str, colab: str | None, repo: str = "") -> str:
    """The links at the top of a notebook's page (``lite`` and ``colab``: the addresses to open; ``repo``:
    the repository, whose ``grad`` Colab installs)."""
    links = [f'<a class="grad-run-lite" href="{html.escape(lite)}">Run in your browser</a>']
    notes = [html.escape(BROWSER_NOTE)]
    if colab:
        links.append(f'<a class="grad-run-colab" href="{html.escape(colab)}">Open in Colab</a>')
        notes.append(
            "On Colab, install grad first, in a cell of its own: "
            f"<code>{html.escape(pip_install(repo))}</code>"
        )
    paragraphs = "".join(f'<p class="grad-run-note">{note}</p>' for note in notes)
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
    app.grad_repository = repository(config.repository_url, Path(app.srcdir).parent)


def add_notebook_links(app, doctree) -> None:
    docname = app.env.docname
    if not docname.startswith("notebooks/"):
        return
    name = docname.split("/", 1)[1] + ".ipynb"
    lite = relative(docname, app.config.lite_url.format(name=name))
    colab = colab_url(app.grad_repository, app.config.repository_branch, f"notebooks/{name}")
    raw = nodes.raw("", notebook_links_html(name, lite, colab, app.grad_repository), format="html")
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is not None and isinstance(section[0], nodes.title):
        section.insert(1, raw)
    else:
        doctree.insert(0, raw)


def add_header(app, pagename, templatename, context, doctree) -> None:
    context["theme_announcement"] = header_html(app.grad_repository, relative(pagename, ZIP))


def build_zip(app, exception) -> None:
    if exception is None and app.builder.format == "html":
        sys.path.insert(0, str(Path(app.srcdir).parent / "scripts"))
        import course_zip

        course_zip.build(Path(app.outdir) / ZIP)


def setup(app):
    app.add_config_value("repository_url", "", "env")
    app.add_config_value("repository_branch", "main", "env")
    app.add_config_value("lite_url", "lite/lab/index.html?path={name}", "env")
    app.add_directive("where-code", WhereCode)
    app.connect("config-inited", _resolve)
    app.connect("doctree-read", add_notebook_links)
    app.connect("html-page-context", add_header)
    app.connect("build-finished", build_zip)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
