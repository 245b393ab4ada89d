"""``make lab``: the learner's copy of the workbooks in my_work/, JupyterLab landing on their notebook 01,
and a note linked from a notebook opening rendered.

The server is started exactly as the Makefile starts it (``make -n lab`` prints the command), after
drawing the notes' figures with the Makefile's own command, as ``make lab`` does in a fresh clone.
It does not copy the workbooks into the repository's my_work/ (that is the learner's): the landing
page is checked by its address, the copy in a temporary folder, and the browser opens the shipped
workbook notebooks/01_derivatives.ipynb, whose links are those of the copy (the same folder depth).
Nothing comes from the user's ``~/.jupyter`` (config, data and runtime folders are temporary): the
project's settings (``jupyterlab-settings/overrides.json5``, through ``LAB_ARGS``) and autosave
turned off (so that no notebook is written) are all that differs from JupyterLab's defaults.

The browser test opens the lab in headless Chromium with every host name unresolvable, as
tests/test_site.py does, and saves ``jupyterlab-note.png`` (the top of the note) and
``jupyterlab-note-figure.png`` (its first figure) in ``lecture_notes/_build/test-lab/screenshots/``.
(Not under ``_build/test/``: tests/test_site.py deletes that folder when it starts, which in a full
run is after this file.)
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from devtools import DevTools, chromium, stop_process_group

ROOT = Path(__file__).resolve().parents[1]
FIRST = "my_work/01_derivatives.ipynb"  # make lab's landing page: the learner's copy of notebook 01
SHIPPED = "notebooks/01_derivatives.ipynb"  # the workbook it is copied from
NOTE = "lecture_notes/derivatives.md"  # the note notebook 01 links first, as ../lecture_notes/derivatives.md
GLOSSARY = "lecture_notes/glossary.md"
FIGURES = ROOT / "lecture_notes" / "_generated" / "figures"
SHOTS = ROOT / "lecture_notes" / "_build" / "test-lab" / "screenshots"
TOKEN = "grad-test-token"
# Straight to the local server, whatever http_proxy and the like say (urllib would send a request for
# 127.0.0.1 to a proxy unless no_proxy lists it).
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _make_n(*args: str) -> list[str]:
    """The commands `make lab` would run (make -n prints them without running them)."""
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", *args, "lab"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def _lab_command() -> list[str]:
    """The `jupyter lab ...` line that `make lab` runs."""
    lines = [line for line in _make_n() if "jupyter lab" in line]
    assert len(lines) == 1, lines
    return shlex.split(lines[0])


def test_make_lab_first_copies_the_workbooks_into_the_learners_folder(tmp_path: Path) -> None:
    """The copy line of `make lab`, run in an empty folder, makes the landing page's notebook."""
    lines = _make_n()
    copies = [i for i, line in enumerate(lines) if "workbook.py copy" in line]
    assert len(copies) == 1 and copies[0] < next(i for i, line in enumerate(lines) if "jupyter lab" in line)
    python, script, *args = shlex.split(lines[copies[0]])
    assert args == ["copy", FIRST.split("/")[0]], args
    done = subprocess.run(
        [str(ROOT / python), str(ROOT / script), *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    copy, shipped = (json.loads(path.read_text())["cells"] for path in (tmp_path / FIRST, ROOT / SHIPPED))
    assert [(c["id"], c["cell_type"]) for c in copy] == [(c["id"], c["cell_type"]) for c in shipped]
    assert (tmp_path / FIRST).with_name("my_micrograd").is_dir()


def _figures_command() -> str:
    """The shell line with which `make lab` draws the notes' figures when they are missing or stale."""
    # -W: as if the drawing script had just changed, so make prints the recipe even if they are up to date.
    dry_run = _make_n("-W", "lecture_notes/_figures/make_figures.py")
    lines = [line for line in dry_run if "make_figures.py" in line]
    assert len(lines) == 1, lines
    assert "lecture_notes/_generated/figures" in lines[0]
    return lines[0]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """JupyterLab started as `make lab` starts it, on a free port; yields its base URL."""
    command = _lab_command()
    if not (ROOT / command[0]).exists():
        pytest.skip("needs the Makefile's venv (make test creates it)")
    drawn = subprocess.run(
        _figures_command(), shell=True, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert drawn.returncode == 0, drawn.stderr
    home = tmp_path_factory.mktemp("jupyter")
    # The user's own settings, in a fresh config folder: no autosave, so the notebook the test opens
    # (JupyterLab fills in its kernel's display name, which marks it changed) is never written.
    user_settings = home / "config" / "lab" / "user-settings" / "@jupyterlab" / "docmanager-extension"
    user_settings.mkdir(parents=True)
    (user_settings / "plugin.jupyterlab-settings").write_text('{"autosave": false}\n')
    port = _free_port()
    command += [f"--port={port}", "--ip=127.0.0.1", "--no-browser", f"--IdentityProvider.token={TOKEN}"]
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_DATA_DIR=str(home / "data"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
    )
    log = home / "lab.log"
    server = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert server.poll() is None, log.read_text()
            try:
                with _DIRECT.open(f"{base}/api/status?token={TOKEN}", timeout=5) as resp:
                    json.load(resp)
                break
            except (
                OSError,
                ValueError,
            ):  # not listening yet (URLError, a reset, a timeout), or half an answer
                assert time.monotonic() < deadline, "JupyterLab did not start within 90 s"
                time.sleep(0.5)
        yield base
    finally:
        stop_process_group(server)


@pytest.mark.slow
def test_make_lab_opens_notebook_01(lab: str) -> None:
    # Request / as a browser would, following the redirects.
    with _DIRECT.open(f"{lab}/?token={TOKEN}", timeout=30) as resp:
        landed = urllib.parse.urlsplit(resp.url).path
        page = resp.read().decode()
    assert landed == f"/lab/tree/{FIRST}"
    assert f'"treePath": "{FIRST}"' in page  # JupyterLab opens this file once the page loads


@pytest.mark.slow
def test_the_project_settings_open_markdown_rendered(lab: str) -> None:
    """What the server hands JupyterLab's front end: *.md opens in Markdown Preview, which MyST renders."""
    url = f"{lab}/lab/api/settings/@jupyterlab/docmanager-extension:plugin?token={TOKEN}"
    with _DIRECT.open(url, timeout=30) as resp:
        plugin = json.load(resp)
    assert plugin["schema"]["properties"]["defaultViewers"]["default"] == {"markdown": "Markdown Preview"}
    with _DIRECT.open(f"{lab}/lab?token={TOKEN}", timeout=30) as resp:
        page = resp.read().decode()
    assert '"name": "jupyterlab-myst"' in page, "jupyterlab-myst is not installed (make setup installs it)"


# -- a real browser --------------------------------------------------------------------------------


# The first link of a rendered markdown cell of the notebook that points at the note. JupyterLab
# renders ../lecture_notes/derivatives.md as <base>/files/lecture_notes/derivatives.md?_xsrf=...
_NOTE_LINK = f"""
[...document.querySelectorAll('.jp-Notebook .jp-MarkdownCell a[href]')]
  .find(a => new URL(a.href).pathname === '/files/{NOTE}' && !new URL(a.href).hash)
"""

# The markdown cells that jupyterlab-myst has rendered (each into a div.myst in the cell's input area).
_RENDERED_MARKDOWN = "document.querySelectorAll('.jp-Notebook .jp-MarkdownCell .jp-Cell-inputArea > .myst')"

# The widget in front in the main area, and what it shows.
_CURRENT = """(() => {
  const tab = document.querySelector('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current');
  const widget = [...document.querySelectorAll('#jp-main-dock-panel .jp-MainAreaWidget')]
    .find(w => !w.classList.contains('lm-mod-hidden') && w.getClientRects().length > 0);
  return {tab: tab && tab.title.split('\\n').find(l => l.startsWith('Path:')),
          tabs: [...document.querySelectorAll('#jp-main-dock-panel .lm-TabBar-tab')]
            .map(t => t.title.split('\\n').find(l => l.startsWith('Path:'))),
          kernel: [...document.querySelectorAll('.jp-Notebook-ExecutionIndicator[data-status]')]
            .map(e => e.dataset.status).join(),
          viewer: !!(widget && widget.querySelector('.jp-MarkdownViewer')),
          editor: !!(widget && widget.querySelector('.jp-FileEditor')),
          rendered: !!(widget && widget.querySelector('.jp-MarkdownViewer .jp-RenderedMySTMarkdown h1'))};
})()"""

_NOTE_STATE = """(() => {
  const r = document.querySelector('#jp-main-dock-panel .jp-MainAreaWidget:not(.lm-mod-hidden) '
                                    + '.jp-MarkdownViewer .jp-RenderedMySTMarkdown');
  const shown = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const h1 = r.querySelector('h1');
  const imgs = [...r.querySelectorAll('img')];
  return {
    title: h1 && shown(h1) ? h1.textContent.trim() : null,
    math: r.querySelectorAll('.katex').length,
    display_math: r.querySelectorAll('.katex-display').length,
    math_errors: r.querySelectorAll('.katex-error, .myst-error, [data-mjx-error], mjx-merror').length,
    figures: imgs.map(i => ({src: new URL(i.src).pathname, loaded: i.complete && i.naturalWidth > 0,
                             width: i.getBoundingClientRect().width})),
    bold: [...r.querySelectorAll('strong')].map(b => b.textContent.trim()),
    text: r.innerText,
  };
})()"""


def _wait(tools: DevTools, expression: str, what: str, timeout: float = 30, show: str = _CURRENT) -> object:
    """``tools.wait_for``, failing with ``what`` and the value of ``show`` instead of a bare timeout."""
    try:
        return tools.wait_for(expression, timeout=timeout)
    except TimeoutError:
        pytest.fail(f"{what} (after {timeout:.0f} s): {tools.evaluate(show)}")


def _steady(tools: DevTools, element: str, what: str, quiet: float = 1.0, timeout: float = 60) -> None:
    """Wait until ``element`` has been the same DOM node for ``quiet`` seconds.

    jupyterlab-myst renders a notebook's markdown cells again each time one more of them renders, so
    for the first second or two (longer on a busy machine) every link is replaced several times. A
    click whose press and release land on two different nodes is no click at all: CI lost one so.
    """
    tools.evaluate("window.__gradSteady = [null, 0]; 0")
    probe = f"""(() => {{
      const el = {element}, seen = window.__gradSteady;
      if (!el || el !== seen[0]) {{ window.__gradSteady = [el, performance.now()]; return 0; }}
      return (performance.now() - seen[1]) / 1000;
    }})()"""
    deadline = time.monotonic() + timeout
    while tools.evaluate(probe) < quiet:
        if time.monotonic() > deadline:
            pytest.fail(f"{what} (after {timeout:.0f} s): {tools.evaluate(_CURRENT)}")
        time.sleep(0.1)


def _click(tools: DevTools, element: str, clicks: int = 1, quiet: float = 1.0) -> None:
    """A real left click, or double click, from the browser's mouse in the middle of ``element``.

    It waits until ``element`` has been the same node for ``quiet`` seconds (see ``_steady``), and
    fails the test, rather than going astray, if something else is on top of the element's middle.
    """
    _steady(tools, element, f"the element to click kept being replaced: {element.strip()}", quiet)
    x, y, hit = tools.evaluate(
        f"(() => {{ const el = {element}; el.scrollIntoView({{block: 'nearest', inline: 'nearest'}});"
        " const r = el.getBoundingClientRect(), x = r.x + r.width / 2, y = r.y + r.height / 2;"
        " const top = document.elementFromPoint(x, y);"
        " return [x, y, el.contains(top) || (top ? top.outerHTML.slice(0, 200) : 'nothing')]; })()"
    )
    assert hit is True, f"the click on {element.strip()} would land on {hit}"
    tools.call("Input.dispatchMouseEvent", type="mouseMoved", x=x, y=y)
    for count in range(1, clicks + 1):
        for kind in ("mousePressed", "mouseReleased"):
            tools.call("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=count)


def _markdown_cells(notebook: str) -> int:
    """How many markdown cells ``notebook`` has (JupyterLab renders each into a .jp-MarkdownCell)."""
    cells = json.loads((ROOT / notebook).read_text())["cells"]
    return sum(cell["cell_type"] == "markdown" for cell in cells)


def _listed(name: str) -> str:
    """The file browser's entry for ``name`` in the folder it shows."""
    items = "[...document.querySelectorAll('.jp-DirListing-item')]"
    return f"{items}.find(e => e.title.startsWith('Name: {name}\\n'))"


def _in_front(path: str) -> str:
    """Truthy once ``path`` is the document in front and shows a rendered note: what it shows."""
    return f"(() => {{ const c = {_CURRENT}; return c.tab === 'Path: {path}' && c.rendered && c; }})()"


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_a_note_linked_from_a_notebook_opens_rendered(lab: str) -> None:
    """Notebook 01's link to the derivatives note opens the note rendered, with math and figures.

    Then a note opened from the file browser, the glossary, opens rendered as well.
    """
    before = hashlib.sha256((ROOT / SHIPPED).read_bytes()).hexdigest()
    start = time.monotonic()
    with chromium() as tools:
        tools.open(f"{lab}/lab/tree/{SHIPPED}?token={TOKEN}")  # what `make lab` lands on, before the copy
        _wait(tools, f"!!({_NOTE_LINK})", "notebook 01 did not show its link to the note", timeout=90)
        _wait(
            tools,
            f"{_RENDERED_MARKDOWN}.length === {_markdown_cells(SHIPPED)}",
            "notebook 01 did not render all its markdown cells",
        )
        _click(tools, _NOTE_LINK)
        current = _wait(tools, _in_front(NOTE), "the link did not open the note rendered")
        assert current["viewer"] and not current["editor"], f"the note opened in the text editor: {current}"
        # Math is typeset when the note renders; the figures load from the contents API.
        state = _wait(
            tools,
            f"(() => {{ const s = {_NOTE_STATE}; const f = s.figures;"
            " return f.length && f.every(i => i.loaded) && s; })()",
            "the note's figures did not load (make lab draws them into lecture_notes/_generated/figures)",
            show=f"{_NOTE_STATE}.figures",
        )
        SHOTS.mkdir(parents=True, exist_ok=True)
        tools.screenshot(SHOTS / "jupyterlab-note.png")  # the top of the note
        # Scroll the note (only the note: scrollIntoView would shift JupyterLab's own panels) to its figure.
        tools.evaluate(
            """(() => {
              const img = document.querySelector(
                '#jp-main-dock-panel .jp-MainAreaWidget:not(.lm-mod-hidden) .jp-MarkdownViewer img');
              const note = img.closest('.jp-RenderedMySTMarkdown');  // it scrolls, the panels do not
              note.scrollTop += img.getBoundingClientRect().top - note.getBoundingClientRect().top - 80;
            })()"""
        )
        tools.evaluate(
            "new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))",
            await_promise=True,
        )
        tools.screenshot(SHOTS / "jupyterlab-note-figure.png")  # its first figure

        # A note opened from the file browser opens rendered too: the project's settings make Markdown
        # Preview the default viewer of *.md files (a link in a notebook opens it whatever the settings).
        _click(tools, "document.querySelector('.jp-BreadCrumbs-home')")  # the repository's root
        _wait(tools, f"!!({_listed('lecture_notes')})", "the file browser does not list lecture_notes/")
        _click(tools, _listed("lecture_notes"), clicks=2, quiet=0.5)
        _wait(tools, f"!!({_listed('glossary.md')})", "the file browser does not list glossary.md")
        _click(tools, _listed("glossary.md"), clicks=2, quiet=0.5)
        current = _wait(tools, _in_front(GLOSSARY), "a double click did not open the glossary rendered")
        assert current["viewer"] and not current["editor"], (
            f"the glossary opened in the text editor: {current}"
        )
        glossary = tools.evaluate(_NOTE_STATE)
        tools.screenshot(SHOTS / "jupyterlab-glossary.png")
    seconds = time.monotonic() - start

    text = state.pop("text")
    assert state["title"] == "Derivatives", state
    assert state["math"] >= 20 and state["display_math"] >= 3 and state["math_errors"] == 0, state
    assert all(f["src"].startswith("/files/lecture_notes/_generated/figures/") for f in state["figures"])
    assert any(f["width"] > 200 for f in state["figures"]), state["figures"]
    # Nothing of the source shows: no TeX, no roles, no directives or their options.
    for raw in ("$", "\\frac", "\\partial", "{term}", "```", "{figure}", ":alt:", ":width:"):
        assert raw not in text, f"{raw!r} shows in the rendered note"
    assert not re.search(r"\{[a-z-]+\}`", text), "a MyST role shows as source"
    # {term} roles keep their text (the glossary is another file, so here they do not link to it).
    assert "the loss, gets smaller" in " ".join(text.split())
    # The glossary's terms are set in bold, so that they stand out here as well as on the site.
    assert glossary["title"] == "Glossary" and glossary["math"] >= 10 and glossary["math_errors"] == 0, (
        glossary
    )
    assert "activation function" in glossary["bold"] and "backpropagation" in glossary["bold"], glossary[
        "bold"
    ]
    assert "{term}" not in glossary["text"] and "```" not in glossary["text"]
    assert hashlib.sha256((ROOT / SHIPPED).read_bytes()).hexdigest() == before, "the test changed notebook 01"
    (SHOTS / "seconds.txt").write_text(f"{seconds:.1f}\n")


def test_the_lab_tests_reach_the_local_server_whatever_the_proxy_settings(monkeypatch):
    """With http_proxy set (and no no_proxy), urllib sends even 127.0.0.1 to the proxy: the lab
    fixture waited 90 s for a server it never asked. These tests go straight to it."""
    import functools
    import http.server
    import threading

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(ROOT))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/pyproject.toml"
    dead = f"http://127.0.0.1:{_free_port()}"  # nothing listens there
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy"):
        monkeypatch.setenv(name, dead)
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    try:
        with pytest.raises(OSError):
            urllib.request.build_opener().open(url, timeout=5)  # the default: via the (dead) proxy
        with _DIRECT.open(url, timeout=5) as resp:
            assert b"[project]" in resp.read()
    finally:
        server.shutdown()
        server.server_close()
