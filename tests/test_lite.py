"""scripts/build_lite.py: the workbooks run in the browser (JupyterLite on Pyodide), with no network.

The site is built once per run (into a temporary folder) and served from 127.0.0.1 to headless Chromium,
whose every other host fails to resolve. The page auto-attaches its workers (the kernel runs in one, the
service worker serves the files), so requests are counted wherever they come from: none may leave
127.0.0.1. Workbooks 02, 03 and 04 are opened in JupyterLab, their tasks filled from the book (each ``...``
cell gets the book's cell of the same id, markers dropped), and run whole: no cell fails, the graphs
render (an SVG in an ``<img>`` that decodes), and every check says OK.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
from devtools import chromium
from helpers import NOTEBOOKS, ROOT, load, make_n, read_notebook

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
workbook = load(ROOT / "scripts" / "workbook.py")

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


def text(outputs: list[dict]) -> str:
    return "".join(o.get("text", "") or o.get("data", {}).get("text/plain", "") for o in outputs)


OFFLINE = [
    "02_value_object.ipynb",
    "03_backprop_by_hand.ipynb",  # plot_function draws its own SVG: matplotlib is only on Pyodide's CDN
    "04_backward.ipynb",  # the stepper: every frame drawn by Graphviz in WebAssembly
]


@pytest.mark.parametrize("name", OFFLINE)
def test_a_workbook_runs_offline_with_its_tasks_filled_from_the_book(lab, name: str) -> None:
    tools, base = lab
    seen = len(tools.events)
    start = time.monotonic()
    tools.open(f"{base}/lite/lab/index.html?path={urllib.parse.quote(name)}", timeout=120)
    panel = PANEL.replace("NAME", json.dumps(name))
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
    for c in cells:
        if c["id"] in fills:
            check = workbook.CHECK.search(fills[c["id"]]).group(1)
            said = text(c["outputs"]).splitlines()  # "NAME: OK", or "NAME: OK; saved to my_micrograd/..."
            assert any(line.startswith(f"{check}: OK") for line in said), (c["id"], said)
    requests = [
        e["params"]["request"]["url"]
        for e in tools.events[seen:]
        if e.get("method") == "Network.requestWillBeSent"
    ]
    assert len(requests) > 50  # the workers' requests are seen: the wheels come from the kernel's worker
    assert any(u.endswith(".whl") for u in requests)
    outside = [u for u in requests if urllib.parse.urlsplit(u).hostname not in ("127.0.0.1", None)]
    assert outside == []


def test_without_torch_compare_grads_says_so_and_still_checks_against_grad_value(monkeypatch) -> None:
    """As in the browser, where torch does not exist: no torch column, a line saying why, a real verdict."""
    from grad.check import NO_TORCH, compare_grads
    from grad.engine import Value

    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` raises ImportError
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    (a * b + a.tanh()).backward()
    right = compare_grads(lambda a, b: a * b + a.tanh(), [a, b])
    assert right.torch is None and right.ok
    lines = repr(right).splitlines()
    assert lines[0].split() == ["yours", "grad.Value"]
    assert lines[-2:] == [NO_TORCH, "all 2 gradients agree with grad.Value to 1e-12: True"]
    b.grad += 1e-9  # the check against grad.Value still judges
    assert not compare_grads(lambda a, b: a * b + a.tanh(), [a, b]).ok
