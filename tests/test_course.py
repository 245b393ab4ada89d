"""The course as a whole: every lecture chapter in order, notebooks that read as a course, the engine
the learner builds carried from notebook to notebook, and self-checks in every core notebook.
"""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

import nbformat
import pytest
from helpers import NOTEBOOKS, ROOT, load
from helpers import read_notebook as read

INDEX = ROOT / "lecture_notes" / "index.md"
VIDEO = "https://www.youtube.com/watch?v=VMj-3S1tku0"
MICROGRAD = "https://github.com/karpathy/micrograd"
LECTURE_NOTEBOOKS = "https://github.com/karpathy/nn-zero-to-hero/tree/master/lectures/micrograd"
COLAB = "https://colab.research.google.com/drive/1FPTx1RXtBfc4MaTkf7viZZD4U2F9gtKN"

# The lecture's chapters (from the video's description) and the notebook that covers each one.
CHAPTERS = [
    ("00:00:25", "micrograd overview", "01"),
    ("00:08:08", "derivative of a simple function with one input", "01"),
    ("00:14:12", "derivative of a function with multiple inputs", "01"),
    ("00:19:09", "starting the core Value object of micrograd and its visualization", "02"),
    ("00:32:10", "manual backpropagation example #1: simple expression", "03"),
    ("00:51:10", "preview of a single optimization step", "03"),
    ("00:52:52", "manual backpropagation example #2: a neuron", "03"),
    ("01:09:02", "implementing the backward function for each operation", "03"),
    ("01:17:32", "implementing the backward function for a whole expression graph", "03"),
    ("01:22:28", "fixing a backprop bug when one node is used multiple times", "03"),
    ("01:27:05", "breaking up a tanh, exercising with more operations", "05"),
    ("01:39:31", "doing the same thing but in PyTorch: comparison", "05"),
    ("01:43:55", "building out a neural net library (multi-layer perceptron) in micrograd", "05"),
    ("01:51:04", "creating a tiny dataset, writing the loss function", "06"),
    ("01:57:56", "collecting all of the parameters of the neural net", "06"),
    ("02:01:12", "doing gradient descent optimization manually, training the network", "06"),
    ("02:14:03", "summary of what we learned, how to go towards modern neural nets", "06"),
    ("02:16:46", "walkthrough of the full code of micrograd on github", "06"),
    ("02:21:10", "real stuff: diving into PyTorch, finding their backward pass for tanh", "06"),
]
CORE = ["01", "02", "03", "05", "06"]  # the notebooks that follow the video; 07 holds the exercises
MAX_CELLS = 50


def seconds(stamp: str) -> int:
    h, m, s = (int(part) for part in stamp.split(":"))
    return 3600 * h + 60 * m + s


def chapter_link(stamp: str) -> str:
    return f"{VIDEO}&t={seconds(stamp)}s"


def notebook_paths() -> dict[str, Path]:
    return {p.name[:2]: p for p in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")) if "solutions" not in p.name}


def headings(nb: nbformat.NotebookNode) -> list[str]:
    return [
        line
        for cell in nb.cells
        if cell.cell_type == "markdown"
        for line in cell.source.splitlines()
        if line.startswith("#")
    ]


TIMESTAMP = re.compile(re.escape(VIDEO) + r"&t=(\d+)s")


def test_seconds_of_the_table():
    assert seconds("00:00:25") == 25 and seconds("01:09:02") == 4142 and seconds("02:21:10") == 8470


def test_every_chapter_is_a_section_heading_with_its_timestamp_link_in_order():
    found = []  # (notebook, seconds) for every heading that links into the video, in course order
    for number, path in notebook_paths().items():
        for line in headings(read(path)):
            found += [(number, int(t)) for t in TIMESTAMP.findall(line)]
    expected = [(number, seconds(stamp)) for stamp, _, number in CHAPTERS]
    assert found == expected, "each chapter must be one section heading, in the lecture's order"


def test_the_master_notes_hold_the_chapter_table_with_links():
    text = INDEX.read_text()
    for stamp, title, number in CHAPTERS:
        rows = [line for line in text.splitlines() if line.startswith("|") and chapter_link(stamp) in line]
        assert len(rows) == 1, f"index.md: no table row links {stamp} ({title})"
        assert re.search(rf"\({number}_[a-z0-9_]+\.ipynb", rows[0]) or f"notebooks/{number}_" in rows[0], (
            f"index.md: the row of {stamp} must link notebook {number}"
        )


@pytest.mark.parametrize("link", [MICROGRAD, LECTURE_NOTEBOOKS, COLAB, VIDEO])
def test_the_master_notes_link_the_lecture_material(link):
    assert link in INDEX.read_text()


def test_the_notebooks_link_micrograd_the_lecture_notebooks_and_the_exercise_colab():
    text = "".join(c.source for p in notebook_paths().values() for c in read(p).cells)
    for link in (MICROGRAD, LECTURE_NOTEBOOKS, COLAB, VIDEO):
        assert link in text, link


@pytest.mark.parametrize("number", sorted(notebook_paths()))
def test_each_notebook_reads_as_a_course(number):
    path = notebook_paths()[number]
    nb = read(path)
    assert len(nb.cells) <= MAX_CELLS, f"{path.name} has {len(nb.cells)} cells"
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith(f"# {number} · ")
    heads = [h.lower() for h in headings(nb)]
    assert any(h.startswith("## what you will learn") for h in heads), "no 'What you will learn'"
    assert any(h.startswith("## summary") for h in heads), "no summary"
    assert "../lecture_notes/" in first.source, "the first cell links the lecture notes"
    if number in CORE:
        assert VIDEO in first.source, "the first cell links the video"
    later = sorted(n for n in notebook_paths() if n > number)
    if later:
        assert f"{notebook_paths()[later[0]].name}" in nb.cells[-1].source, (
            "the last cell links the next notebook"
        )


VERDICT = re.compile(r": (OK|WRONG|not yet)")


@pytest.mark.parametrize("number", CORE)
def test_core_notebooks_have_two_to_four_your_turn_tasks_each_with_a_self_check(number):
    nb = read(notebook_paths()[number])
    tasks = [i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and "### Your turn" in c.source]
    assert 2 <= len(tasks) <= 4, f"{len(tasks)} 'Your turn' tasks"
    for i in tasks:
        checks = [c for c in nb.cells[i + 1 : i + 4] if c.cell_type == "code" and "check." in c.source]
        assert checks, f"cell {i}: a 'Your turn' task needs a check cell right after it"
        text = "".join(o.get("text", "") for o in checks[0].outputs if o.output_type == "stream")
        assert VERDICT.search(text), f"cell {i}: the check printed no verdict: {text!r}"


@pytest.mark.parametrize("number", CORE)
def test_core_notebooks_use_the_self_check_module_not_hidden_machinery(number):
    nb = read(notebook_paths()[number])
    assert any("from grad.selfcheck import" in c.source for c in nb.cells if c.cell_type == "code")
    assert not any("hide-input" in c.metadata.get("tags", []) for c in nb.cells)
    assert max(len(c.source.splitlines()) for c in nb.cells if c.cell_type == "code") <= 30, "a long cell"


def test_the_learner_never_gets_grad_value_silently():
    # notebooks 02-06 build the learner's Value; grad.Value may appear only under its full name
    for number in ["02", "03", "05", "06"]:
        for cell in read(notebook_paths()[number]).cells:
            if cell.cell_type == "code":
                assert not re.search(r"from grad(\.engine)? import .*\bValue\b", cell.source), (
                    number,
                    cell.source,
                )


def _steps_exporter():
    return load(ROOT / "scripts" / "export_steps.py")


def test_the_steps_modules_are_exactly_the_exported_cells():
    exporter = _steps_exporter()
    for name, text in exporter.modules().items():
        path = NOTEBOOKS / "steps" / name
        assert path.exists() and path.read_text() == text, (
            f"notebooks/steps/{name} is stale: run make notebooks"
        )
    assert {p.name for p in (NOTEBOOKS / "steps").glob("*_[0-9][0-9].py")} == set(exporter.modules())


def test_each_notebook_starts_from_the_engine_the_previous_one_left():
    exporter = _steps_exporter()
    modules = sorted(exporter.modules())
    engines = [m[len("engine_") : -3] for m in modules if m.startswith("engine_")]
    assert engines[0] == "02"
    for before, after in zip(engines, engines[1:]):
        cells = read(notebook_paths()[after]).cells
        assert any(f"from steps.engine_{before} import Value" in c.source for c in cells), after


def test_the_final_engine_backpropagates_like_grad(monkeypatch):
    monkeypatch.syspath_prepend(str(NOTEBOOKS))
    for name in [m for m in list(sys.modules) if m == "steps" or m.startswith("steps.")]:
        monkeypatch.delitem(sys.modules, name)
    exporter = _steps_exporter()
    last = max(m for m in exporter.modules() if m.startswith("engine_"))[:-3]
    Value = importlib.import_module(f"steps.{last}").Value
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    out = (a * b + a + a).tanh()  # a used three times: the += fix
    out.backward()
    import grad

    ra, rb = grad.Value(2.0), grad.Value(-3.0)
    (ra * rb + ra + ra).tanh().backward()
    assert abs(a.grad - ra.grad) < 1e-12 and abs(b.grad - rb.grad) < 1e-12
