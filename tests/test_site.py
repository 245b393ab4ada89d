"""The lecture-notes site: a strict Sphinx build that works offline and renders in a real browser.

The site is built once per run, from scratch, into ``lecture_notes/_build/test/html`` with
``-W --keep-going`` (every warning, broken cross-reference or page missing from the table of
contents fails the build). The browser test opens it in headless Chromium over the DevTools
protocol, with every host name unresolvable, and saves screenshots into
``lecture_notes/_build/test/screenshots/``.
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest
from devtools import DevTools, find_chromium

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "lecture_notes"
OUT = SRC / "_build" / "test"
HTML = OUT / "html"
SHOTS = OUT / "screenshots"

NOTEBOOKS = [
    "01_derivatives",
    "02_value_object",
    "03_backprop_by_hand",
    "04_neurons",
    "05_mlp_training",
    "06_exercises",
    "06_exercises_solutions",
]
# Each topic note and the notebook it must link to.
NOTES = {
    "derivatives": "01_derivatives",
    "value_and_graphs": "02_value_object",
    "chain_rule": "03_backprop_by_hand",
    "backward": "03_backprop_by_hand",
    "neurons": "04_neurons",
    "pytorch": "04_neurons",
    "mlp_training": "05_mlp_training",
    "classic_bugs": "05_mlp_training",
    "glossary": "01_derivatives",
}
MATHJAX = "_static/mathjax/tex-svg-full.js"


# -- building --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site() -> Path:
    """Build the site from scratch, strictly; return the HTML folder."""
    shutil.rmtree(OUT, ignore_errors=True)
    cmd = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html"]
    cmd += ["-d", str(OUT / "doctrees"), str(SRC), str(HTML)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    seconds = time.perf_counter() - start
    assert proc.returncode == 0, f"sphinx-build failed:\n{proc.stdout}\n{proc.stderr}"
    assert "WARNING" not in proc.stderr, proc.stderr
    (OUT / "build_seconds.txt").write_text(f"{seconds:.1f}\n")
    return HTML


class _Page(HTMLParser):
    """The tags of one HTML page, with a flag for those inside the main article."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str], bool]] = []
        self._article = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "article":
            self._article += 1
        self.tags.append((tag, {k: v or "" for k, v in attrs}, self._article > 0))

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self._article -= 1

    def links(self, *, article_only: bool = False) -> list[str]:
        return [
            a["href"]
            for t, a, inside in self.tags
            if t == "a" and "href" in a and (inside or not article_only)
        ]


def parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def local_target(page: Path, href: str) -> Path:
    """The file a relative link of ``page`` points at, without query or anchor."""
    path = urllib.parse.unquote(urllib.parse.urlsplit(href).path)
    return (page.parent / path).resolve()


def pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if not p.relative_to(site).parts[0].startswith("_"))


# -- the build -------------------------------------------------------------------------------------


def test_every_note_and_notebook_is_built(site: Path) -> None:
    for name in ["index", *NOTES, *(f"notebooks/{nb}" for nb in NOTEBOOKS)]:
        assert (site / f"{name}.html").is_file(), f"{name} was not built"
    stored = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert stored == sorted(NOTEBOOKS), "the site's notebooks differ from notebooks/*.ipynb"


def test_every_page_is_in_the_table_of_contents(site: Path) -> None:
    """The sidebar of the home page reaches every note and notebook (Sphinx -W also rejects orphans)."""
    index = site / "index.html"
    linked = {local_target(index, href) for href in parse(index).links() if not href.startswith("http")}
    for page in pages(site):
        if page.name in ("genindex.html", "search.html", "index.html") and page.parent == site:
            continue
        assert page.resolve() in linked, f"{page.relative_to(site)} is not in the table of contents"


def test_notes_and_notebooks_link_to_each_other(site: Path) -> None:
    for note, notebook in NOTES.items():
        page = site / f"{note}.html"
        targets = {local_target(page, h) for h in parse(page).links(article_only=True)}
        assert (site / "notebooks" / f"{notebook}.html").resolve() in targets, (
            f"{note} does not link {notebook}"
        )
    note_pages = {(site / f"{n}.html").resolve() for n in ["index", *NOTES]}
    for notebook in NOTEBOOKS:
        page = site / "notebooks" / f"{notebook}.html"
        targets = {local_target(page, h) for h in parse(page).links(article_only=True)}
        assert targets & note_pages, f"notebook {notebook} does not link back to the notes"


def test_notebook_pages_offer_their_ipynb_with_stored_outputs(site: Path) -> None:
    for notebook in NOTEBOOKS:
        page = site / "notebooks" / f"{notebook}.html"
        downloads = [h for h in parse(page).links() if urllib.parse.urlsplit(h).path.endswith(".ipynb")]
        assert downloads, f"{notebook}.html has no .ipynb download link"
        served = json.loads(local_target(page, downloads[0]).read_text(encoding="utf-8"))
        stored = json.loads((ROOT / "notebooks" / f"{notebook}.ipynb").read_text(encoding="utf-8"))
        assert len(served["cells"]) == len(stored["cells"])
        for a, b in zip(served["cells"], stored["cells"], strict=True):
            assert a.get("outputs") == b.get("outputs"), f"{notebook}: outputs differ from the stored ones"


_REMOTE = re.compile(r"^\s*(?:https?:)?//", re.IGNORECASE)
_RESOURCE_ATTRS = {
    "script": "src",
    "link": "href",
    "img": "src",
    "iframe": "src",
    "source": "src",
    "video": "src",
    "audio": "src",
    "embed": "src",
    "object": "data",
}


def test_no_page_loads_anything_from_the_network(site: Path) -> None:
    """Scripts, styles, fonts and images are all local; links to other sites are fine."""
    for page in site.rglob("*.html"):
        for tag, attrs, _ in parse(page).tags:
            attr = _RESOURCE_ATTRS.get(tag)
            if tag == "link" and attrs.get("rel") not in ("stylesheet", "preload", "icon", "modulepreload"):
                continue
            if attr and _REMOTE.match(attrs.get(attr, "")):
                pytest.fail(f"{page.relative_to(site)} loads <{tag} {attr}={attrs[attr]!r}>")
    for css in (site / "_static").rglob("*.css"):
        text = css.read_text(encoding="utf-8", errors="replace")
        assert not re.search(r"url\(\s*['\"]?(?:https?:)?//|@import\s+['\"](?:https?:)?//", text), css


def test_math_is_typeset_by_the_vendored_mathjax(site: Path) -> None:
    assert (site / MATHJAX).stat().st_size > 1_000_000
    with_math = 0
    for page in pages(site):
        parsed = parse(page)
        scripts = [a["src"] for t, a, _ in parsed.tags if t == "script" and "src" in a]
        mathjax = [s for s in scripts if "mathjax" in s.lower()]
        if any("math" in a.get("class", "").split() for _, a, _ in parsed.tags):
            with_math += 1
            assert len(mathjax) == 1, f"{page.name}: MathJax scripts {mathjax}"
            assert local_target(page, mathjax[0]) == (site / MATHJAX).resolve()
    assert with_math >= len(NOTES) - 1, "most notes should contain math"


def test_search_index_covers_every_page(site: Path) -> None:
    text = (site / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(text[text.index("(") + 1 : text.rindex(")")])
    assert set(index["docnames"]) >= {"index", *NOTES, *(f"notebooks/{nb}" for nb in NOTEBOOKS)}
    for term in ("backward", "tanh", "topolog", "zero_grad", "float32"):
        assert term in index["terms"], term


def test_figures_of_the_notes_come_from_grad_viz(site: Path) -> None:
    images: dict[str, set[str]] = {}
    for note in NOTES:
        page = site / f"{note}.html"
        for tag, attrs, inside in parse(page).tags:
            if tag == "img" and inside:
                images.setdefault(Path(attrs["src"]).name, set()).add(note)
                assert local_target(page, attrs["src"]).is_file(), attrs["src"]
    graphs = [n for n in images if (site / "_images" / n).read_text(errors="replace").count("graphviz")]
    plots = [n for n in images if "matplotlib" in (site / "_images" / n).read_text(errors="replace")]
    assert len(graphs) >= 3 and len(plots) >= 2, images


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_figures_are_deterministic() -> None:
    figures = _load("make_figures", SRC / "_figures" / "make_figures.py")
    first, second = figures.render_all(), figures.render_all()
    assert first.keys() == second.keys() and len(first) >= 5
    for name in first:
        assert first[name] == second[name], f"{name} differs between two renderings"


def test_notebook_links_are_relocated_for_the_site() -> None:
    conf = _load("notes_conf", SRC / "conf.py")
    assert conf.relocate_link("../lecture_notes/derivatives.md") == "../derivatives.md"
    assert conf.relocate_link("../lecture_notes/backward.md#the-loop") == "../backward.md#the-loop"
    assert conf.relocate_link("02_value_object.ipynb") == "02_value_object.ipynb"
    assert conf.relocate_link("./02_value_object.ipynb#part-2") == "./02_value_object.ipynb#part-2"
    assert conf.relocate_link("../grad/engine.py") == "../../grad/engine.py"
    assert conf.relocate_link("https://pytorch.org/docs") == "https://pytorch.org/docs"
    assert conf.relocate_link("#section") == "#section"
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp, "src"), Path(tmp, "dst")
        src.mkdir()
        cell = {
            "cell_type": "markdown",
            "metadata": {},
            "source": ["See [notes](../lecture_notes/glossary.md)."],
        }
        (src / "a.ipynb").write_text(json.dumps({"cells": [cell], "metadata": {}}))
        dst.mkdir()
        (dst / "gone.ipynb").write_text("{}")
        assert conf.sync_notebooks(src, dst) == ["a.ipynb"]
        copied = json.loads((dst / "a.ipynb").read_text())
        assert copied["cells"][0]["source"] == ["See [notes](../glossary.md)."]
        assert not (dst / "gone.ipynb").exists()


# -- a real browser --------------------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def browser(site: Path):
    """Headless Chromium with no network but a local http.server for the site; yields (DevTools, base URL)."""
    exe = find_chromium()
    if exe is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("chromium is not installed; the browser test must run in CI")
        pytest.skip("chromium is not installed (sudo apt-get install chromium)")
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=site)
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    profile = tempfile.mkdtemp(prefix="notes-chromium-")
    args = [
        exe,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--mute-audio",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        "--no-proxy-server",
        f"--user-data-dir={profile}",
        "--remote-debugging-port=0",
        "--window-size=1280,900",
        "about:blank",
    ]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    tools = None
    try:
        port_file = Path(profile, "DevToolsActivePort")
        deadline = time.monotonic() + 60
        while not (port_file.exists() and port_file.read_text().count("\n") >= 1):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"chromium did not start: {proc.stderr.read().decode(errors='replace')[-2000:]}")
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # ignore any *_proxy variables
        with direct.open(f"http://127.0.0.1:{port}/json/list", timeout=30) as resp:
            targets = json.load(resp)
        page = next(t for t in targets if t["type"] == "page")
        tools = DevTools(page["webSocketDebuggerUrl"])
        for domain in ("Page", "Network", "Runtime"):
            tools.call(f"{domain}.enable")
        SHOTS.mkdir(parents=True, exist_ok=True)
        yield tools, base
    finally:
        if tools is not None:
            tools.close()
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=20)
        server.shutdown()
        server.server_close()
        shutil.rmtree(profile, ignore_errors=True)


_MATH_STATE = """
MathJax.startup.promise.then(() => {
  const math = [...document.querySelectorAll('.math')];
  const typeset = math.filter(el => el.querySelector('mjx-container svg'));
  const shown = math.filter(el => el.closest('article') && el.getClientRects().length > 0);
  const blank = shown.filter(el => {
    const svg = el.querySelector('mjx-container svg');
    return !svg || svg.getBoundingClientRect().width === 0;
  });
  return {math: math.length, typeset: typeset.length, shown: shown.length, blank: blank.length,
          errors: document.querySelectorAll('mjx-merror, [data-mjx-error]').length};
})
"""


def _assert_math(state: dict, at_least: int = 1) -> None:
    """Every math element was typeset, none shows up blank, and MathJax reported no TeX errors."""
    assert state["typeset"] == state["math"] >= at_least, state
    assert state["shown"] >= at_least and state["blank"] == 0 and state["errors"] == 0, state


_FIGURE_STATE = """
(() => {
  const shown = el => {
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return r.width > 50 && r.height > 20 && s.visibility !== 'hidden' && s.display !== 'none';
  };
  const loaded = img => img.complete && img.naturalWidth > 0;
  const outputs = [...document.querySelectorAll('.cell_output')];
  const imgs = outputs.flatMap(o => [...o.querySelectorAll('img')]).filter(i => loaded(i) && shown(i));
  const inline = outputs.flatMap(o => [...o.querySelectorAll('svg')])
    .filter(s => !s.closest('mjx-container') && s.querySelector('g.node') && shown(s));
  return {svg: imgs.filter(i => /\\.svg$/.test(new URL(i.src).pathname)).map(i => new URL(i.src).pathname),
          png: imgs.filter(i => /\\.png$|^data:image\\/png/.test(i.src)).length,
          inline_graphs: inline.length};
})()
"""


def _notebook_with_graph_and_plot() -> str:
    """The first notebook whose stored outputs include both an SVG and a PNG."""
    for name in NOTEBOOKS:
        nb = json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8"))
        kinds = {k for c in nb["cells"] for o in c.get("outputs", []) for k in o.get("data", {})}
        if {"image/svg+xml", "image/png"} <= kinds:
            return name
    pytest.fail("no notebook stores both a graph (image/svg+xml) and a plot (image/png)")


def _network_problems(tools: DevTools, base: str) -> list[str]:
    problems = []
    for event in tools.events:
        params = event.get("params", {})
        if event.get("method") == "Network.requestWillBeSent":
            url = params["request"]["url"]
            if not url.startswith((base, "data:", "blob:", "about:")):
                problems.append(f"requested {url[:120]}")
        elif event.get("method") == "Network.responseReceived":
            response = params["response"]
            if response["status"] >= 400 and not response["url"].endswith("/favicon.ico"):
                problems.append(f"HTTP {response['status']} for {response['url'][:120]}")
        elif event.get("method") == "Network.loadingFailed" and not params.get("canceled"):
            problems.append(f"failed to load: {params.get('errorText')} (request {params.get('requestId')})")
        elif event.get("method") == "Runtime.exceptionThrown":
            problems.append(f"JavaScript error: {params['exceptionDetails'].get('text')}")
    tools.events.clear()
    return problems


@pytest.mark.slow
def test_browser_renders_math_figures_and_search_offline(site: Path, browser) -> None:
    tools, base = browser

    tools.open(base + "index.html")
    _assert_math(tools.evaluate(_MATH_STATE, await_promise=True))
    tools.screenshot(SHOTS / "index.png")
    assert _network_problems(tools, base) == []

    notebook = _notebook_with_graph_and_plot()
    tools.open(base + f"notebooks/{notebook}.html")
    _assert_math(tools.evaluate(_MATH_STATE, await_promise=True), at_least=0)
    figures = tools.evaluate(_FIGURE_STATE)
    tools.screenshot(SHOTS / f"{notebook}.png")
    graphs = [p for p in figures["svg"] if "graphviz" in (site / p.lstrip("/")).read_text(errors="replace")]
    assert graphs or figures["inline_graphs"], f"no visible graph on {notebook}: {figures}"
    assert figures["png"] >= 1, f"no visible plot on {notebook}: {figures}"
    assert _network_problems(tools, base) == []

    tools.open(base + "backward.html")
    _assert_math(tools.evaluate(_MATH_STATE, await_promise=True), at_least=5)
    tools.screenshot(SHOTS / "backward.png")
    assert _network_problems(tools, base) == []

    tools.open(base + "search.html?q=topological")
    tools.wait_for("(document.querySelector('#search-results .search-summary') || {}).innerText")
    found = tools.evaluate(
        "[...document.querySelectorAll('#search-results li a')].map(a => new URL(a.href).pathname)"
    )
    tools.screenshot(SHOTS / "search.png")
    assert "/backward.html" in found, found
    assert _network_problems(tools, base) == []
