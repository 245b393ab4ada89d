"""grad.needs_torch: the cell magic ``%%needs_torch`` runs a cell where PyTorch imports, and skips it
with one line where it does not (the browser).

The magic is tried in a real IPython shell, in a subprocess per case (a shell changes the process it
runs in): once with PyTorch, once with ``import torch`` blocked as the browser has it.
"""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
import sys

import pytest

from grad import needs_torch
from grad.needs_torch import SKIPPED, run_body, torch_available

SHELL = """
import contextlib, io, json, sys
if sys.argv[1] == "blocked":
    sys.modules["torch"] = None  # import torch raises ModuleNotFoundError, as in the browser
from IPython.core.interactiveshell import InteractiveShell

shell = InteractiveShell.instance()
shell.run_line_magic("colors", "nocolor")
shell.run_cell("%load_ext grad.needs_torch")
found = []
for cell in json.loads(sys.argv[2]):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = shell.run_cell(cell, store_history=True)
    error = result.error_in_exec or result.error_before_exec
    found.append({"out": out.getvalue(), "result": repr(result.result), "error": type(error).__name__})
    found[-1]["In"] = result.execution_count
print(json.dumps(found))
"""
CELLS = {
    "last expression": "%%needs_torch\nimport torch\nx = torch.tensor(20.0, dtype=torch.float64)\n"
    "float(x) + 22",
    "no expression": "%%needs_torch\ny = 1",
    "raises": "%%needs_torch\nran = 'yes'\nraise ValueError('boom')",
    "def": "%%needs_torch\ndef twice(x):\n    return 2 * x",
    "quiet": "%%needs_torch\nq = 41\nq + 1;  # a last expression ending in ; shows nothing",
    "after": "import inspect\nprint(globals().get('ran'), 'twice' in globals() and inspect.getsource(twice))",
    "argument": "%%needs_torch extra\nz = 1",
}


@functools.cache
def shell(torch: str) -> dict[str, dict[str, str]]:
    """Each of CELLS run in turn in one IPython shell, with PyTorch "installed" or "blocked": what each
    cell printed, what it displayed and what it raised, and its ``In [n]``."""
    run = subprocess.run(
        [sys.executable, "-c", SHELL, torch, json.dumps(list(CELLS.values()))],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return dict(zip(CELLS, json.loads(run.stdout.splitlines()[-1])))


def seen(torch: str, name: str) -> dict[str, str]:
    """What the cell ``name`` printed, displayed and raised (its ``In [n]`` aside)."""
    return {k: v for k, v in shell(torch)[name].items() if k != "In"}


def test_with_torch_the_cell_runs_as_any_cell_and_its_last_expression_is_displayed():
    assert seen("installed", "last expression") == {
        "out": "Out[1]: 42.0\n",
        "result": "42.0",
        "error": "NoneType",
    }
    assert seen("installed", "no expression") == {"out": "", "result": "None", "error": "NoneType"}
    assert seen("installed", "quiet") == {"out": "", "result": "None", "error": "NoneType"}
    assert run_body("q = 41\nq + 1 ;  # 4 bytes: \u00e9\u00e9", {}, "<cell>") is None
    assert run_body("s = 'x;'\ns", {}, "<cell>") == "x;" and run_body("1; 2", {}, "<cell>") == 2


def test_with_torch_an_error_raises_as_in_any_cell_so_run_all_stops():
    raised = shell("installed")["raises"]
    assert raised["error"] == "ValueError" and "ValueError: boom" in raised["out"]
    assert "needs_torch.py" not in raised["out"]  # the traceback shows the learner's lines, not the magic's
    # the cell by its own In [n], its lines counted from the magic's line, as the learner sees them
    # (IPython 9 says "Cell In[3]"; Colab's 7.34 "<ipython-input-3-...>")
    named = re.findall(r"Cell In\[(\d+)\]|<ipython-input-(\d+)-", raised["out"])
    assert {a or b for a, b in named} == {str(raised["In"])} and "----> 3 raise ValueError" in raised["out"]
    # the lines before the error ran, and a function defined under the magic has its source (for the checks)
    assert shell("installed")["after"]["out"] == "yes def twice(x):\n    return 2 * x\n\n"


def test_without_torch_each_cell_prints_one_line_and_runs_nothing():
    for name in ("last expression", "no expression", "raises", "def", "quiet"):
        assert seen("blocked", name) == {"out": SKIPPED + "\n", "result": "None", "error": "NoneType"}, name
    assert shell("blocked")["after"]["out"] == "None False\n"


@pytest.mark.parametrize("torch", ["installed", "blocked"])
def test_the_magic_takes_nothing_on_its_line(torch):
    assert shell(torch)["argument"]["error"] == "ValueError"
    assert "%%needs_torch takes nothing after it on its line, got 'extra'" in shell(torch)["argument"]["out"]


def test_the_skip_line_says_what_and_where_to_run_it():
    assert SKIPPED.count("\n") == 0 and len(SKIPPED) < 200
    assert "PyTorch is not available" in SKIPPED and "skipped" in SKIPPED
    assert "`make lab`" in SKIPPED and "Colab" in SKIPPED


def test_torch_available_follows_whether_import_torch_works(monkeypatch):
    assert torch_available()
    monkeypatch.setitem(sys.modules, "torch", None)
    assert not torch_available()


def test_a_torch_that_is_installed_but_broken_raises_rather_than_pass_for_the_browser(broken_torch):
    code = "from grad.needs_torch import torch_available\ntorch_available()"
    env = {**os.environ, "PYTHONPATH": str(broken_torch)}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert run.returncode == 1 and "No module named 'sympy_is_missing'" in run.stderr, run.stderr


def test_run_body_runs_the_statements_and_returns_the_last_expression():
    names: dict = {}
    assert run_body("a = 2\nb = a * 3\nb + 1", names, "<cell>") == 7 and names["b"] == 6
    assert run_body("c = 1", names, "<cell>") is None and names["c"] == 1
    assert run_body("", names, "<cell>") is None
    with pytest.raises(ZeroDivisionError):
        run_body("d = 1\n1 / 0", names, "<cell>")
    assert names["d"] == 1


def test_grad_imports_the_module_with_the_standard_library_alone():
    code = "import sys, grad.needs_torch; print(sorted({'IPython', 'torch'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out == "[]\n"
    assert needs_torch.__all__ == ["SKIPPED", "load_ipython_extension", "run_body", "torch_available"]
