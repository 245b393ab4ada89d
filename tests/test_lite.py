"""scripts/build_lite.py: the workbooks run in the browser (JupyterLite on Pyodide), with no network.

The site is built once per run (into a temporary folder) and served from 127.0.0.1 to headless Chromium,
whose every other host fails to resolve. The page auto-attaches its workers (the kernel runs in one, the
service worker serves the files), so requests are counted wherever they come from: none may leave
127.0.0.1 but those a test means to see. Workbooks 02, 03, 04, 05 and 07 are opened in JupyterLab, their
tasks filled from the book (each ``...`` cell gets the book's cell of the same id, markers dropped), and
run whole: no cell fails, the graphs render (an SVG in an ``<img>`` that decodes), and every check says
OK, but for the tasks written in PyTorch, which does not exist in the browser: their checks say "not
yet" and why, and each ``%%needs_torch`` cell says it was skipped.
The site's files are laid out as the repository's, so every link between workbooks and notes leads to a
file it serves, and a click on one opens the note rendered. In the kernel, the Colab install cell does
nothing, and ``import numpy`` asks Pyodide's CDN for numpy's wheel (offline: ModuleNotFoundError, at once).
"""

from __future__ import annotations

import ast
import contextlib
import functools
import http.server
import json
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
import zipfile
from pathlib import Path

import pytest
from devtools import chromium
from helpers import NOTEBOOKS, ROOT, load, make_n, read_notebook

from grad.needs_torch import SKIPPED
from grad.selfcheck.core import NO_TORCH

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
workbook = load(ROOT / "scripts" / "workbook.py")
TORCH_CHECKS = {"torch_neuron", "tanh_function", "torch_check"}  # the tasks written in PyTorch
sys.path.insert(0, str(ROOT / "scripts"))  # build_lite imports workbook
build_lite = load(ROOT / "scripts" / "build_lite.py")

# shell.currentWidget stays null in a headless window that never has focus: find the notebook's panel
# (the lab restores the notebooks open before, so there may be several)
PANEL = (
    "(window.jupyterapp && [...window.jupyterapp.shell.widgets('main')].find(w => w.context?.path === NAME))"
)
# Run each code cell in turn, as Shift+Enter does (Run All would stop at the first error and hide the
# rest), each within 120 s; then each code cell's id, count, outputs and decoded SVG images.
RUN_CELLS = """(async () => {
  const app = window.jupyterapp, panel = PANEL, nb = panel.content;
  app.shell.activateById(panel.id);
  const cells = nb.widgets.filter(c => c.model.type === 'code');
  for (const cell of cells) {
    nb.activeCellIndex = nb.widgets.indexOf(cell);
    nb.deselectAll();
    const late = new Promise(r => setTimeout(() => r('late'), 120000));
    if (await Promise.race([app.commands.execute('notebook:run-cell'), late]) === 'late') break;
  }
  await new Promise(r => setTimeout(r, 500));  // the last outputs' images decode
  return cells.map(c => ({id: c.model.id, count: c.model.executionCount, outputs: c.model.outputs.toJSON(),
    svgs: [...c.node.querySelectorAll('.jp-OutputArea-output img')]
      .filter(i => i.src.startsWith('data:image/svg+xml') && i.naturalWidth > 0).length}));
})()"""


def test_make_notes_builds_the_lite_site_inside_the_notes_site() -> None:
    commands = make_n("notes").splitlines()
    sphinx = next(
        i for i, c in enumerate(commands) if "sphinx-build" in c and "lecture_notes/_build/html" in c
    )
    assert commands[sphinx + 1].endswith("scripts/build_lite.py --out lecture_notes/_build/html/lite")


@pytest.fixture(scope="session")
def lite_site(tmp_path_factory) -> Path:
    """The site built once, as ``make notes`` builds it; the folder that holds ``lite/``."""
    root = tmp_path_factory.mktemp("site")
    cmd = [sys.executable, str(ROOT / "scripts" / "build_lite.py"), "--out", str(root / "lite")]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"build_lite failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return root


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server(lite_site: Path):
    """The site's base URL, served from 127.0.0.1."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=lite_site))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def lab(server: str):
    """(DevTools with every target's Network on, the base URL): a fresh browser profile per notebook, so
    the lab restores no notebook (and kernel) of an earlier test."""
    with chromium(("Page", "Runtime", "Network")) as tools:
        tools.attached = set()
        tools.call("Target.setAutoAttach", autoAttach=True, waitForDebuggerOnStart=True, flatten=True)
        yield tools, server


def attach_workers(tools) -> None:
    """Network on in every target attached since last time (a worker waits for this before it runs)."""
    for event in list(tools.events):
        sid = (
            event.get("params", {}).get("sessionId")
            if event.get("method") == "Target.attachedToTarget"
            else None
        )
        if sid and sid not in tools.attached:
            tools.attached.add(sid)
            for method, params in (
                ("Network.enable", {}),
                (
                    "Target.setAutoAttach",
                    {"autoAttach": True, "waitForDebuggerOnStart": True, "flatten": True},
                ),
                ("Runtime.runIfWaitingForDebugger", {}),
            ):
                tools.next_id += 1
                tools.ws.send(
                    json.dumps({"id": tools.next_id, "sessionId": sid, "method": method, "params": params})
                )


def pump(tools, seconds: float) -> None:
    """Read events for ``seconds`` (the workers' Network ones too), attaching workers as they appear."""
    deadline = time.monotonic() + seconds
    while True:
        attach_workers(tools)
        if time.monotonic() >= deadline:
            return
        with contextlib.suppress(TimeoutError):
            msg = tools._receive(min(deadline, time.monotonic() + 0.2))
            if "method" in msg:
                tools.events.append(msg)


def wait(tools, expression: str, timeout: float) -> None:
    """Until ``expression`` is truthy in the page, at most ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not tools.evaluate(expression):
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:g} s waiting for {expression}")
        pump(tools, 0.2)


def open_workbook(tools, base: str, name: str) -> str:
    """Open the workbook ``name`` as a notebook page's "Run in your browser" does; the expression of its
    panel."""
    path = f"notebooks/{name}"
    tools.open(f"{base}/lite/lab/index.html?path={urllib.parse.quote(path)}", timeout=120)
    return PANEL.replace("NAME", json.dumps(path))


def filled_from_book(name: str) -> dict[str, str]:
    """{cell id: the book's code, markers dropped} for each workbook cell with a task (a line ``...``)."""
    book = {c.id: c.source for c in read_notebook(NOTEBOOKS / "solutions" / name).cells}
    fills = {}
    for cell in read_notebook(NOTEBOOKS / name).cells:
        if cell.cell_type == "code" and any(
            line.strip() == workbook.TASK for line in cell.source.splitlines()
        ):
            lines = book[cell.id].splitlines()
            fills[cell.id] = "\n".join(x for x in lines if x.strip() not in (workbook.BEGIN, workbook.END))
    return fills


def requested(tools, seen: int) -> list[str]:
    """The URLs the page and its workers have requested since event number ``seen``."""
    events = tools.events[seen:]
    return [e["params"]["request"]["url"] for e in events if e.get("method") == "Network.requestWillBeSent"]


def outside(urls: list[str]) -> list[str]:
    return [u for u in urls if urllib.parse.urlsplit(u).hostname not in ("127.0.0.1", None)]


def text(outputs: list[dict]) -> str:
    return "".join(o.get("text", "") or o.get("data", {}).get("text/plain", "") for o in outputs)


OFFLINE = [
    "02_value_object.ipynb",
    "03_backprop_by_hand.ipynb",  # plot_function draws its own SVG: matplotlib is only on Pyodide's CDN
    "04_backward.ipynb",  # the stepper: every frame drawn by Graphviz in WebAssembly
    "05_neurons.ipynb",  # no PyTorch in the browser: its cells say so and skip, its check says "not yet"
    "07_exercises.ipynb",  # the same; the exercises' other checks judge the learner's Value work as ever
]


@pytest.mark.parametrize("name", OFFLINE)
def test_a_workbook_runs_offline_with_its_tasks_filled_from_the_book(lab, name: str) -> None:
    tools, base = lab
    seen = len(tools.events)
    start = time.monotonic()
    panel = open_workbook(tools, base, name)
    wait(tools, f"{panel}?.sessionContext?.session?.kernel?.status === 'idle'", 300)
    ready = time.monotonic() - start
    fills = filled_from_book(name)
    assert fills, f"{name} has no task cell"
    set_sources = f"const fill = {json.dumps(fills)}; {panel}.content.widgets.filter(c => c.model.id in fill)"
    set_sources += ".map(c => c.model.sharedModel.setSource(fill[c.model.id])).length"
    assert tools.evaluate(set_sources) == len(fills)
    old, tools.timeout = tools.timeout, 800
    try:
        cells = tools.evaluate(RUN_CELLS.replace("PANEL", panel), await_promise=True)
    finally:
        tools.timeout = old
    ran = time.monotonic() - start - ready
    pump(tools, 1.0)  # the last requests' events, then count
    print(f"{name}: kernel ready in {ready:.1f} s; {len(cells)} code cells run in {ran:.1f} s")
    errors = [
        f"{c['id']}: {o['ename']}: {o['evalue']}"
        for c in cells
        for o in c["outputs"]
        if o["output_type"] == "error"
    ]
    assert errors == []
    assert [c["id"] for c in cells if c["count"] is None] == []
    drawn = [c for c in cells if any("image/svg+xml" in o.get("data", {}) for o in c["outputs"])]
    assert drawn and all(c["svgs"] for c in drawn), [(c["id"], c["svgs"]) for c in drawn]
    plots = {c.id for c in read_notebook(NOTEBOOKS / name).cells if "plot_function(" in c.source}
    assert plots <= {c["id"] for c in drawn}, (
        plots
    )  # each cell that plots shows it (in 03: without matplotlib)
    said = [line for c in cells for line in text(c["outputs"]).splitlines()]
    saved = [line for line in said if "saved to my_micrograd/" in line]  # 02: value; 07: log
    assert saved, f"{name}: no check saved the learner's code into notebooks/my_micrograd/ (browser storage)"
    for c in cells:
        if c["id"] in fills:
            check = workbook.CHECK.search(fills[c["id"]]).group(1)
            said = text(c["outputs"]).splitlines()  # "NAME: OK", or "NAME: OK; saved to my_micrograd/..."
            verdict = f"{check}: not yet ({NO_TORCH})" if check in TORCH_CHECKS else f"{check}: OK"
            assert any(line.startswith(verdict) for line in said), (c["id"], said)
    skipped = [c for c in cells if text(c["outputs"]).strip() == SKIPPED]
    marked = [c for c in read_notebook(NOTEBOOKS / name).cells if c.source.startswith("%%needs_torch")]
    assert len(skipped) == len(marked), (len(skipped), len(marked))  # each says so; 05: 2, 07: 1
    requests = requested(tools, seen)
    assert len(requests) > 50  # the workers' requests are seen: the wheels come from the kernel's worker
    assert any(u.endswith(".whl") for u in requests)
    assert outside(requests) == []


# -- the files: laid out as the repository's, so the links between workbooks and notes work -----------


def served(lite: Path) -> Path:
    """The folder of the files the learner sees (the contents' root)."""
    return lite / "files"


def test_the_files_are_laid_out_as_the_repositorys(lite_site: Path) -> None:
    files = served(lite_site / "lite")
    for workbook_path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        assert (files / "notebooks" / workbook_path.name).read_bytes() == workbook_path.read_bytes()
    notes = sorted(p.name for p in (ROOT / "lecture_notes").glob("*.md"))
    assert notes and sorted(p.name for p in (files / "lecture_notes").glob("*.md")) == notes
    assert (files / "notebooks" / "my_micrograd" / "__init__.py").is_file()
    listed = json.loads((lite_site / "lite" / "api" / "contents" / "notebooks" / "all.json").read_text())
    assert {c["name"] for c in listed["content"]} >= {"01_derivatives.ipynb", "my_micrograd"}


def test_the_course_map_says_where_the_code_is_without_the_sites_directive(lite_site: Path) -> None:
    """index.md, the course map every workbook links to, had the notes site's {where-code} directive,
    which JupyterLab's MyST renders as "where-code - Unknown Directive"."""
    source = (ROOT / "lecture_notes" / "index.md").read_text(encoding="utf-8")
    home = (served(lite_site / "lite") / "lecture_notes" / "index.md").read_text(encoding="utf-8")
    assert source.count(build_lite.WHERE_CODE) == 1 and "{where-code}" not in home
    assert home == source.replace(build_lite.WHERE_CODE, build_lite.WHERE_CODE_TEXT)
    assert "`make lab`" in build_lite.WHERE_CODE_TEXT and "`make test`" in build_lite.WHERE_CODE_TEXT


def test_graphviz_is_served_once_as_the_kernel_loads_it(lite_site: Path) -> None:
    """Only the bundle, at static/viz/viz.js (the npm package's src/viz.js, an unbundled module that
    imports files not served, was copied beside it)."""
    viz = lite_site / "lite" / "static" / "viz"
    assert sorted(p.relative_to(viz).as_posix() for p in viz.rglob("*") if p.is_file()) == ["viz.js"]


def test_every_relative_link_in_a_workbook_or_note_leads_to_a_file_the_site_serves(lite_site: Path) -> None:
    files = served(lite_site / "lite")
    pages = [*files.rglob("*.ipynb"), *files.glob("lecture_notes/*.md")]  # the books a note links to too
    figure = re.compile(r"^```\{figure\}\s+(\S+)", re.MULTILINE)  # a note's figures, as MyST writes them
    links = 0
    for page in pages:
        hrefs = build_lite.relative_links(page)
        if page.suffix == ".md":
            hrefs += figure.findall(page.read_text(encoding="utf-8"))
        for href in hrefs:
            links += 1
            target = (page.parent / urllib.parse.unquote(href)).resolve()
            assert target.is_relative_to(files.resolve()) and target.is_file(), (page.name, href)
    workbook_links = [h for p in files.glob("notebooks/*.ipynb") for h in build_lite.relative_links(p)]
    assert len([h for h in workbook_links if h.startswith("../lecture_notes/")]) >= 7  # each links its notes
    assert links > 100, links


def test_a_click_on_a_workbooks_link_opens_the_note_rendered_with_its_figure(lab) -> None:
    tools, base = lab
    panel = open_workbook(tools, base, "02_value_object.ipynb")
    note = "lecture_notes/value_and_graphs.md"
    anchors = f"({panel})?.node?.querySelectorAll('.jp-MarkdownCell a') ?? []"
    link = f"[...{anchors}].find(a => a.href.includes('{note}'))"
    wait(tools, f"!!{link}", 120)
    tools.evaluate(f"{link}.click()")
    opened = "[...window.jupyterapp.shell.widgets('main')].find(w => w.context?.path === NOTE)"
    opened = opened.replace("NOTE", json.dumps(note))
    figure = f"[...({opened}).node.querySelectorAll('img')].find(i => i.src.includes('expression.svg'))"
    wait(tools, f"{opened} && {figure}?.naturalWidth > 0", 120)  # rendered: the figure is a picture
    shown = tools.evaluate(f"({opened}).node.innerText")
    assert "{figure}" not in shown and "Value" in shown, shown[:500]
    assert tools.evaluate(f"!({opened}).node.querySelector('.jp-FileEditor')"), "opened in the text editor"


# -- the kernel: the Colab install cell, and numpy from Pyodide's CDN ----------------------------------

# Run the cell CODE in the panel's kernel, at most 60 s; its stream, result and error messages, and its time.
EXECUTE = """(async () => {
  const kernel = PANEL.sessionContext.session.kernel, out = [];
  const future = kernel.requestExecute({code: CODE, stop_on_error: false});
  const kept = ['stream', 'error', 'execute_result'];
  future.onIOPub = m => { if (kept.includes(m.header.msg_type)) out.push(m.content); };
  const late = new Promise(r => setTimeout(() => r('late'), 60000)), start = performance.now();
  const ended = await Promise.race([future.done, late]);
  return {late: ended === 'late', out, seconds: (performance.now() - start) / 1000};
})()"""


def test_in_the_kernel_the_install_cell_does_nothing_and_numpy_is_asked_of_pyodides_cdn(lab) -> None:
    tools, base = lab
    panel = open_workbook(tools, base, "02_value_object.ipynb")
    wait(tools, f"{panel}?.sessionContext?.session?.kernel?.status === 'idle'", 300)

    def run(code: str) -> tuple[list[dict], list[str], float]:
        seen = len(tools.events)
        old, tools.timeout = tools.timeout, 90
        try:
            result = tools.evaluate(
                EXECUTE.replace("PANEL", panel).replace("CODE", json.dumps(code)), await_promise=True
            )
        finally:
            tools.timeout = old
        pump(tools, 1.0)
        assert not result["late"], code
        return result["out"], requested(tools, seen), result["seconds"]

    out, urls, _ = run(workbook.install_cell("https://github.com/owner/grad-course"))
    assert out == [] and outside(urls) == [], (out, outside(urls))  # grad loads from the site: no %pip
    out, urls, _ = run("import sys\nprint(sorted(m for m in ('grad', 'numpy') if m in sys.modules))")
    assert text(out) == "['grad']\n" and outside(urls) == []
    lock = pyodide_lock()
    out, urls, took = run("import numpy")
    expected = f"{build_lite.PYODIDE_CDN}{lock['packages']['numpy']['file_name']}"
    assert expected == (
        f"https://cdn.jsdelivr.net/pyodide/v{build_lite.PYODIDE_VERSION}/full/{lock['packages']['numpy']['file_name']}"
    )
    assert set(outside(urls)) == {expected}, outside(urls)
    errors = [o for o in out if "ename" in o]
    # the kernel names the class as "<class 'ModuleNotFoundError'>"
    assert [(e["ename"].strip("<>'").removeprefix("class '"), e["evalue"]) for e in errors] == [
        ("ModuleNotFoundError", "No module named 'numpy'")
    ], errors
    print(f"import numpy offline: ModuleNotFoundError after {took:.1f} s")


def pyodide_lock() -> dict:
    """Pyodide's own lock, as the npm package has it (the build points its entries at the CDN)."""
    import tarfile

    with tarfile.open(build_lite.npm_pack(f"pyodide@{build_lite.PYODIDE_VERSION}")) as tar:
        return json.load(tar.extractfile("package/pyodide-lock.json"))


def test_each_cell_that_imports_a_package_parses_as_python_so_that_the_browser_loads_it() -> None:
    """The kernel loads the packages a cell imports (grad; numpy and matplotlib from the CDN) only when
    the cell, its %pip lines made calls, parses as Python: a magic beside an import leaves it unloaded."""
    mixed = []
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        for cell in read_notebook(path).cells:
            lines = cell.source.splitlines() if cell.cell_type == "code" else []
            code = "\n".join(re.sub(r"^(\s*)%pip\b.*", r"\1pip()", line) for line in lines)
            if re.search(r"^\s*(import|from)\s+(?!torch\b)", code, re.MULTILINE):
                try:
                    ast.parse(code)
                except SyntaxError:
                    mixed.append(f"{path.name}: {cell.id}")
    assert mixed == []


# -- the build's edges: a folder with a space, an --out it must not delete ------------------------------


def test_a_checkout_in_a_folder_with_a_space_builds_grad_held_to_its_pins(tmp_path, monkeypatch) -> None:
    """pip splits PIP_CONSTRAINT at spaces: "/x/my course/constraints.txt" was read as "/x/my", and the
    wheel (so lite/ and the zip) failed to build. Its pins still hold: setuptools is the one pinned."""
    root = tmp_path / "my course"
    shutil.copytree(ROOT / "grad", root / "grad", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, root / name)
    (root / "constraints.txt").write_text("setuptools==80.9.0\n")  # not the newest, which pip would take
    monkeypatch.setattr(build_lite, "ROOT", root)
    wheel = build_lite.grad_wheel(Path(sys.executable), tmp_path / "wheel")
    with zipfile.ZipFile(wheel) as z:
        assert "grad/engine.py" in z.namelist()
        generator = z.read(f"{wheel.name.split('-py3')[0]}.dist-info/WHEEL").decode()
    assert "Generator: setuptools (80.9.0)" in generator, generator


@pytest.mark.parametrize("kind", ["site", "file"])
def test_the_build_refuses_an_out_it_would_delete_that_is_not_a_lite_site(tmp_path, kind: str) -> None:
    """The build replaces --out whole: --out lecture_notes/_build/html (the notes site, /lite left off)
    deleted the site. Now it stops at once, naming --out, and deletes nothing."""
    out = tmp_path / "html"
    if kind == "site":
        out.mkdir()
        (out / "index.html").write_text("the notes site")
    else:
        out.write_text("a file")
    with pytest.raises(SystemExit, match=r"--out .*html .*jupyter-lite\.json"):
        build_lite.build(out)
    assert (out / "index.html" if kind == "site" else out).exists()
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "jupyter-lite.json").write_text("{}")
    (tmp_path / "empty").mkdir()
    for replaceable in ("old", "empty", "new"):  # a lite site built before, an empty folder, none
        build_lite.replaceable(tmp_path / replaceable)


def test_the_build_runs_without_git_and_then_dates_every_file_1980(tmp_path, monkeypatch) -> None:
    """Its times come from the last commit: with no git program (a copy of the files built elsewhere) the
    script failed at import (FileNotFoundError: 'git'), so did the zip and the notes site's build."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no git here
    assert build_lite.last_commit_time(ROOT) == 315532800
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert build_lite.last_commit_time(ROOT) == 1700000000


def test_a_link_out_of_the_repository_is_not_copied_out_of_the_site(tmp_path, monkeypatch) -> None:
    """A note's link to ../../secret.txt (above the repository) copied that file, from outside the
    repository, to outside the contents folder; a link to a file of the repository is still followed."""
    repo, dest = tmp_path / "repo", tmp_path / "build" / "contents"
    (repo / "notebooks" / "solutions").mkdir(parents=True)
    (repo / "notebooks" / "solutions" / "01_x.ipynb").write_text("{}")
    (tmp_path / "secret.txt").write_text("not the course's")
    (dest / "lecture_notes").mkdir(parents=True)
    note = "[a](../../secret.txt) [b](../notebooks/solutions/01_x.ipynb) [c](../../repo/LICENSE)"
    (dest / "lecture_notes" / "n.md").write_text(note)
    monkeypatch.setattr(build_lite, "ROOT", repo)
    assert build_lite.linked(dest) == {"notebooks/solutions/01_x.ipynb"}


def test_a_build_that_fails_leaves_the_old_site_in_place(tmp_path, monkeypatch) -> None:
    """The old site was deleted before `jupyter lite build` ran: a build that failed there left no site,
    or a part of one without jupyter-lite.json, which the next build then refused to replace."""
    out = tmp_path / "lite"
    out.mkdir()
    (out / "jupyter-lite.json").write_text("{}")
    (out / "index.html").write_text("the site built before")
    real_run = build_lite.run

    def failing(*cmd, **kw) -> None:
        if "lite" in map(str, cmd[1:3]):  # jupyter lite build: it writes a little, then fails
            built = Path(cmd[list(map(str, cmd)).index("--output-dir") + 1])
            built.mkdir(parents=True)
            (built / "index.html").write_text("a part of a site")
            raise subprocess.CalledProcessError(1, [str(c) for c in cmd])
        real_run(*cmd, **kw)

    monkeypatch.setattr(build_lite, "run", failing)
    with pytest.raises(subprocess.CalledProcessError):
        build_lite.build(out)
    assert (out / "index.html").read_text() == "the site built before"
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "jupyter-lite.json"]
