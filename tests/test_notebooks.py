"""The stored notebook outputs are portable: nothing in them depends on the machine that made them.

nbval compares a fresh run with the stored outputs, on whatever machine runs it. A printed rounding
error (``3.3e-16``), a float printed to its last digit or a memory address would differ there.
``scripts/run_notebooks.py`` warns about them when it stores new outputs; this test fails on them.

And the books that use PyTorch run top to bottom without it, as in the browser.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import pytest
from helpers import ROOT, load, read_notebook

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")) + sorted(
    (ROOT / "notebooks" / "solutions").glob("[0-9][0-9]_*.ipynb")
)
RUNNER = load(ROOT / "scripts" / "run_notebooks.py")


@pytest.mark.parametrize(
    "path", NOTEBOOKS, ids=[p.relative_to(ROOT / "notebooks").as_posix() for p in NOTEBOOKS]
)
def test_stored_outputs_are_portable(path: Path) -> None:
    problems = RUNNER.portability_problems(read_notebook(path))
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


def _nb(*texts: str, tags: tuple[str, ...] = ()) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("print(...)", metadata={"tags": list(tags)})
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=t) for t in texts]
    return nbformat.v4.new_notebook(cells=[cell])


@pytest.mark.parametrize(
    "text",
    [
        "largest |grad - torch| = 3.3e-16",
        "error 1.0e-17",
        "largest difference in ulp of the loss: 187",
        "o = 0.7071067811865476",
        "<grad.Value object at 0x7f3a2b1c4d50>",
        "error 3.3e-16, about 1.5 machine epsilon",
    ],
)
def test_the_check_finds_what_changes_between_machines(text: str) -> None:
    assert RUNNER.portability_problems(_nb(text))


@pytest.mark.parametrize(
    "text",
    [
        "all 337 gradients agree to 1e-12: True",
        "o = 0.707107",
        "learning rate 1e-3, loss 0.0133",
        "machine epsilon is 2.2e-16",
        "step size h = 1e-13 is too small",
    ],
)
def test_the_check_allows_verdicts_rounded_numbers_and_epsilon(text: str) -> None:
    assert not RUNNER.portability_problems(_nb(text))


def test_cells_that_nbval_does_not_compare_are_not_checked() -> None:
    assert not RUNNER.portability_problems(_nb("3.3e-16", tags=("nbval-ignore-output",)))
    assert not RUNNER.portability_problems(_nb("3.3e-16", tags=("nbval-skip",)))
    nb = _nb("3.3e-16")
    nb.cells[0].source = "# NBVAL_IGNORE_OUTPUT\nprint(err)"
    assert not RUNNER.portability_problems(nb)


def test_error_outputs_are_checked_too() -> None:
    nb = _nb()
    nb.cells[0].outputs = [
        nbformat.v4.new_output("error", ename="ValueError", evalue="at 0x7f3a2b1c4d50", traceback=[])
    ]
    assert RUNNER.portability_problems(nb)


def test_books_run_first_then_the_workbooks_are_built_then_run(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "solutions").mkdir()
    for name in ("solutions/02_b.ipynb", "solutions/01_a.ipynb", "01_a.ipynb", "02_b.ipynb", "notes.ipynb"):
        (tmp_path / name).write_text("{}")
    done: list[str] = []
    monkeypatch.setattr(RUNNER, "run", lambda path: done.append(path.relative_to(tmp_path).as_posix()) or 0.0)
    monkeypatch.setattr(RUNNER, "build_workbooks", lambda: done.append("build") or 0)
    monkeypatch.setattr(RUNNER, "portability_problems", lambda nb: [])
    monkeypatch.setattr(RUNNER.nbformat, "read", lambda path, as_version: None)
    # a workbook named before a book still runs after it, and after the build
    assert RUNNER.main([str(tmp_path / "02_b.ipynb"), str(tmp_path / "solutions")]) == 0
    assert done == ["solutions/01_a.ipynb", "solutions/02_b.ipynb", "build", "02_b.ipynb"]
    done.clear()  # no book run, no build
    assert RUNNER.main([str(tmp_path)]) == 0
    assert done == ["01_a.ipynb", "02_b.ipynb"]
    done.clear()
    (tmp_path / "my_micrograd").mkdir()  # a learner's engine beside the workbooks: nothing runs
    assert RUNNER.main([str(tmp_path / "solutions")]) == 0 and RUNNER.main([str(tmp_path)]) == 1
    assert done == ["solutions/01_a.ipynb", "solutions/02_b.ipynb", "build"]
    (tmp_path / "my_micrograd").rmdir()
    done.clear()  # a book refused by the build: no workbook runs on a stale copy
    monkeypatch.setattr(RUNNER, "build_workbooks", lambda: done.append("build") or 1)
    assert RUNNER.main([str(tmp_path / "solutions/01_a.ipynb"), str(tmp_path / "01_a.ipynb")]) == 1
    assert done == ["solutions/01_a.ipynb", "build"]


def test_with_no_argument_every_book_then_every_workbook() -> None:
    books, others = RUNNER.notebooks([])
    assert books == sorted((ROOT / "notebooks" / "solutions").glob("[0-9][0-9]_*.ipynb"))
    assert others == sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


# ---- without PyTorch, as in the browser ------------------------------------------------------------------

NO_TORCH = '''"""Blocks `import torch` in this kernel: the browser (Pyodide) has no PyTorch."""
import sys


class NoTorch:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] == "torch":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, NoTorch())
'''
CHECK_LINE = re.compile(r"^check\.(\w+)\(.*\)\s*(?:#.*)?$", re.MULTILINE)
UNJUDGED = {  # the checks that need PyTorch, which say so ("not yet") without it
    "01_derivatives": set(),
    "05_neurons": {"torch_neuron"},
    "06_mlp_training": set(),  # tanh_function's cell is a %%needs_torch cell: skipped whole
    "07_exercises": {"torch_check"},
}


@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.parametrize("name", sorted(UNJUDGED))
def test_the_books_run_top_to_bottom_without_torch(name, tmp_path):
    """No cell errs, each %%needs_torch cell prints its one line, and each check line is OK or, for
    want of PyTorch, not yet."""
    import nbclient

    from grad.needs_torch import SKIPPED
    from grad.selfcheck.core import NO_TORCH as UNAVAILABLE

    (tmp_path / "sitecustomize.py").write_text(NO_TORCH)
    nb = read_notebook(ROOT / "notebooks" / "solutions" / f"{name}.ipynb")
    nb.cells.append(nbformat.v4.new_code_cell("print('torch is', torch)"))  # the block worked
    path = os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")]))
    client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=120)
    client.execute(cwd=str(tmp_path), env={**os.environ, "PYTHONPATH": path})  # raises at a cell's error
    code = [c for c in nb.cells if c.cell_type == "code"]
    out = ["".join(o.get("text", "") for o in c.outputs if o.output_type == "stream") for c in code]
    assert out[-1] == "torch is None\n"
    skipped = [text for c, text in zip(code, out) if c.source.startswith("%%needs_torch")]
    assert skipped and all(text == SKIPPED + "\n" for text in skipped), skipped
    unjudged = set()
    for c, text in zip(code, out):
        for task in [] if c.source.startswith("%%needs_torch") else CHECK_LINE.findall(c.source):
            if task == "show_engine":  # prints the engine, not a verdict
                continue
            (line,) = [line for line in text.splitlines() if line.startswith(f"{task}: ")]
            if line == f"{task}: not yet ({UNAVAILABLE})":
                unjudged.add(task)
            else:
                assert line.startswith(f"{task}: OK"), line
    assert unjudged == UNJUDGED[name]
