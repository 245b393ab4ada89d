"""The stored notebook outputs are portable: nothing in them depends on the machine that made them.

nbval compares a fresh run with the stored outputs, on whatever machine runs it. A printed rounding
error (``3.3e-16``), a float printed to its last digit or a memory address would differ there.
``scripts/run_notebooks.py`` warns about them when it stores new outputs; this test fails on them.
"""

from __future__ import annotations

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
