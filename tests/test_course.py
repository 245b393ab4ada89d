"""The course as a whole: every lecture chapter in order, notebooks that read as a course, and tasks
that the book solves and the workbook leaves to the learner, each checked.

Each notebook has a book (notebooks/solutions/NN_*.ipynb, the source, every task solved) and a
workbook made from it (notebooks/NN_*.ipynb, scripts/workbook.py; tests/test_workbook.py checks that
the two are in step). The course's text is checked on the books, which the site shows.
"""

from __future__ import annotations

import json
import re
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
BOOKS = NOTEBOOKS / "solutions"
PATTERN = "[0-9][0-9]_*.ipynb"
WORKBOOK = load(ROOT / "scripts" / "workbook.py")

# The lecture's chapters (from the video's description) and the notebook that covers each one.
CHAPTERS = [
    ("00:00:25", "micrograd overview", "01"),
    ("00:08:08", "derivative of a simple function with one input", "01"),
    ("00:14:12", "derivative of a function with multiple inputs", "01"),
    ("00:19:09", "starting the core Value object of micrograd and its visualization", "02"),
    ("00:32:10", "manual backpropagation example #1: simple expression", "03"),
    ("00:51:10", "preview of a single optimization step", "03"),
    ("00:52:52", "manual backpropagation example #2: a neuron", "03"),
    ("01:09:02", "implementing the backward function for each operation", "04"),
    ("01:17:32", "implementing the backward function for a whole expression graph", "04"),
    ("01:22:28", "fixing a backprop bug when one node is used multiple times", "04"),
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
CORE = ["01", "02", "03", "04", "05", "06"]  # the notebooks that follow the video; 07 holds the exercises
MAX_CELLS = 50


def books() -> dict[str, Path]:
    """The books by number."""
    return {p.name[:2]: p for p in sorted(BOOKS.glob(PATTERN))}


def every_notebook() -> list[Path]:
    """Books and workbooks: every notebook that nbval runs."""
    return sorted(BOOKS.glob(PATTERN)) + sorted(NOTEBOOKS.glob(PATTERN))


def name(path: Path) -> str:
    return path.relative_to(NOTEBOOKS).as_posix()


def seconds(stamp: str) -> int:
    h, m, s = (int(part) for part in stamp.split(":"))
    return 3600 * h + 60 * m + s


def chapter_link(stamp: str) -> str:
    return f"{VIDEO}&t={seconds(stamp)}s"


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
    for number, path in books().items():
        for line in headings(read(path)):
            found += [(number, int(t)) for t in TIMESTAMP.findall(line)]
    expected = [(number, seconds(stamp)) for stamp, _, number in CHAPTERS]
    assert found == expected, "each chapter must be one section heading, in the lecture's order"


def test_the_master_notes_hold_the_chapter_table_with_links():
    text = INDEX.read_text()
    for stamp, title, number in CHAPTERS:
        rows = [line for line in text.splitlines() if line.startswith("|") and chapter_link(stamp) in line]
        assert len(rows) == 1, f"index.md: no table row links {stamp} ({title})"
        assert f"](../notebooks/{books()[number].name})" in rows[0], (
            f"index.md: the row of {stamp} must link notebook {number}"
        )
        assert f"[{number} · " in rows[0], f"index.md: the row of {stamp} must name notebook {number}"


@pytest.mark.parametrize("link", [MICROGRAD, LECTURE_NOTEBOOKS, COLAB, VIDEO])
def test_the_master_notes_link_the_lecture_material(link):
    assert link in INDEX.read_text()


LABELLED_LINK = re.compile(r"\[(?:[Nn]otebooks?\s+)?(\d\d)\b[^\]]*\]\(\.\./notebooks/(?:solutions/)?(\d\d)_")


@pytest.mark.parametrize("note", sorted((ROOT / "lecture_notes").glob("*.md")), ids=lambda p: p.name)
def test_a_notes_link_to_a_notebook_names_it_by_its_number(note):
    wrong = [m[0] for m in LABELLED_LINK.finditer(note.read_text()) if m[1] != m[2]]
    assert not wrong, f"{note.name}: {wrong}"


def test_the_label_check_finds_a_link_named_by_an_old_number(tmp_path):
    (tmp_path / "a.md").write_text(
        "[04 · Neurons](../notebooks/05_neurons.ipynb), [notebook\n06](../notebooks/06_x.ipynb)"
    )
    with pytest.raises(AssertionError, match=r"\[04 · Neurons\]"):
        test_a_notes_link_to_a_notebook_names_it_by_its_number(tmp_path / "a.md")


# What index.md promises the learner will have written, the book (number) where they type it, and what a
# task of that book must hold.
PROMISES = [
    ("`Value`, a number that\nremembers how it was computed", "02", r"class Value\b"),
    ("a `_backward` function for every operation", "04", r"def _backward\("),
    ("`backward()`, which runs\nthe chain rule", "04", r"def backward\(self"),
    ("`Neuron`, `Layer` and `MLP`", "05", r"class Neuron\b[\s\S]*class Layer\b|class MLP\b"),
    ("a loss", "06", r"\bloss\b"),
    ("the\ntraining loop that fits them", "06", r"for \w+ in range\([\s\S]*\.backward\(\)"),
]


@pytest.mark.parametrize(("promise", "number", "typed"), PROMISES, ids=[p[0][:20] for p in PROMISES])
def test_the_master_notes_promise_only_what_the_learner_types(promise, number, typed):
    assert promise in INDEX.read_text()
    solved = json.loads((ROOT / "grad" / "selfcheck" / "solutions.json").read_text())
    codes = [task["code"] for task in solved.values() if Path(task["notebook"]).name == books()[number].name]
    assert any(re.search(typed, code) for code in codes), f"no task of {books()[number].name} has {typed}"


def test_the_notebooks_link_micrograd_the_lecture_notebooks_and_the_exercise_colab():
    text = "".join(c.source for p in books().values() for c in read(p).cells)
    for link in (MICROGRAD, LECTURE_NOTEBOOKS, COLAB, VIDEO):
        assert link in text, link


def test_every_notebook_is_a_book_and_its_workbook():
    assert [p.name for p in books().values()] == [p.name for p in sorted(NOTEBOOKS.glob(PATTERN))]
    assert sorted(books()) == ["01", "02", "03", "04", "05", "06", "07"]


@pytest.mark.parametrize("path", every_notebook(), ids=name)
def test_each_notebook_reads_as_a_course(path):
    number, nb = path.name[:2], read(path)
    assert len(nb.cells) <= MAX_CELLS, f"{name(path)} has {len(nb.cells)} cells"
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith(f"# {number} · ")
    heads = [h.lower() for h in headings(nb)]
    assert any(h.startswith("## what you will learn") for h in heads), "no 'What you will learn'"
    assert any(h.startswith("## summary") for h in heads), "no summary"
    assert re.search(r"\]\((\.\./)+lecture_notes/", first.source), "the first cell links the lecture notes"
    if number in CORE:
        assert VIDEO in first.source, "the first cell links the video"
    later = sorted(n for n in books() if n > number)
    if later:
        assert f"{books()[later[0]].name})" in nb.cells[-1].source, "the last cell links the next notebook"


LINK = re.compile(r"\]\(\s*<?([^)\s>]+)")


def links_nowhere(path: Path) -> list[str]:
    """The relative links of ``path``'s markdown that lead to no file, each with its cell."""
    return [
        f"cell {i}: {target}"
        for i, cell in enumerate(read(path).cells)
        for target in (LINK.findall(cell.source) if cell.cell_type == "markdown" else [])
        if target.partition("#")[0]
        and not WORKBOOK.EXTERNAL.match(target)
        and not (path.parent / target.partition("#")[0]).exists()
    ]


@pytest.mark.parametrize("path", every_notebook(), ids=name)
def test_every_relative_link_of_a_notebook_leads_to_a_file(path):
    assert not links_nowhere(path), f"{name(path)}: links to nothing: {links_nowhere(path)}"


def test_a_link_that_leads_nowhere_is_found(tmp_path):
    text = "[notes](../../lecture_notes/no.md#a) [here](01_x.ipynb#b) [web](https://x.org/y.md) [top](#t)"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(text + " [next](02_y.ipynb)")])
    (tmp_path / "solutions").mkdir()
    nbformat.write(nb, tmp_path / "solutions" / "01_x.ipynb")
    assert links_nowhere(tmp_path / "solutions" / "01_x.ipynb") == [
        "cell 0: ../../lecture_notes/no.md#a",
        "cell 0: 02_y.ipynb",  # a book links the next book, not the workbook in the folder above
    ]


# -- tasks: a region of the learner's lines, then the check ------------------------------------------------


def stdout(cell: nbformat.NotebookNode) -> list[str]:
    return [
        line for o in cell.get("outputs", []) if o.get("name") == "stdout" for line in o.text.splitlines()
    ]


def task_problems(book: Path, workbook: Path) -> list[str]:
    """What is wrong with the tasks of ``book``: a task cell (a code cell with a region) ends in its check
    ``check.NAME(...)``, which says "NAME: OK" in the book and "NAME: not yet" in the workbook."""
    problems, made, found = [], {c.id: c for c in read(workbook).cells}, 0
    for i, cell in enumerate(read(book).cells):
        lines = cell.source.split("\n") if cell.cell_type == "code" else []
        if not any(line.strip() == WORKBOOK.BEGIN for line in lines):
            continue
        found += 1
        last = [line for line in lines if line.strip()][-1]
        check = WORKBOOK.CHECK.fullmatch(last)
        if not check:
            problems.append(f"cell {i}: a task's last line must be its check, not {last!r}")
            continue
        for where, said, verdict in (
            (book, stdout(cell), "OK"),
            (workbook, stdout(made[cell.id]), "not yet"),
        ):
            if not any(line.startswith(f"{check[1]}: {verdict}") for line in said):
                problems.append(f"{where.name}, cell {i}: check.{check[1]}() does not say {verdict}: {said}")
    return problems + ([] if found else ["no task"])


def leaks(book: Path, workbook: Path) -> list[str]:
    """The lines of ``book``'s solutions that its workbook shows (in a source or an output), by cell.

    A region's line counts if it is longer than 8 characters, not a comment, and not also a line the
    book hands out of a region; a workbook cell that says "One way to write it" leaks too.
    """
    handed, solved = set(), set()
    for i, cell in enumerate(read(book).cells):
        if cell.cell_type == "code":
            kept, regions = WORKBOOK.split(cell.source, f"cell {i}")
            handed |= {line.strip() for line in kept.split("\n")}
            solved |= {line.strip() for region in regions for line in region}
    secret = {line for line in solved - handed if len(line) > 8 and not line.startswith("#")}
    found = []
    for i, cell in enumerate(read(workbook).cells):
        outputs = cell.get("outputs", [])
        texts = [cell.source, *(o.get("text", "") for o in outputs)]
        texts += [str(data) for o in outputs for data in o.get("data", {}).values()]
        shown = secret & {line.strip() for text in texts for line in text.split("\n")}
        found += [f"cell {i}: {line}" for line in sorted(shown)]
        found += [f"cell {i}: One way to write it"] if "one way to write it" in cell.source.lower() else []
    return found


@pytest.mark.parametrize("number", sorted(books()))
def test_every_task_ends_in_its_check_which_says_ok_in_the_book_and_not_yet_in_the_workbook(number):
    book = books()[number]
    assert not task_problems(book, NOTEBOOKS / book.name), task_problems(book, NOTEBOOKS / book.name)


@pytest.mark.parametrize("number", sorted(books()))
def test_the_workbook_holds_no_line_of_the_books_solutions(number):
    book = books()[number]
    assert not leaks(book, NOTEBOOKS / book.name), (
        f"notebooks/{book.name}: {leaks(book, NOTEBOOKS / book.name)}"
    )


TOY_TASK = "def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION\ncheck.f(f)"


def toy(folder: Path, cells: list, outputs: dict[int, str]) -> Path:
    """A notebook ``folder/01_toy.ipynb`` of ``cells`` (markdown if str starting '#', else code source),
    with the stdout text ``outputs[i]`` stored for cell i."""
    nb = nbformat.v4.new_notebook()
    for i, source in enumerate(cells):
        if source.startswith("# "):
            nb.cells.append(nbformat.v4.new_markdown_cell(source, id=f"c{i}"))
        else:
            out = [nbformat.v4.new_output("stream", name="stdout", text=outputs[i])] if i in outputs else []
            nb.cells.append(nbformat.v4.new_code_cell(source, id=f"c{i}", outputs=out))
    folder.mkdir(exist_ok=True)
    nbformat.write(nb, folder / "01_toy.ipynb")
    return folder / "01_toy.ipynb"


def toy_pair(tmp_path: Path, book_cells: list, book_says: str, workbook_says: str) -> tuple[Path, Path]:
    """A toy book (its check module imported, then ``book_cells``) and the workbook workbook.py makes
    from it, with the check outputs given."""
    book_cells = ["from grad.selfcheck import toy as check", *book_cells]
    book = toy(tmp_path / "solutions", book_cells, {len(book_cells) - 1: book_says})
    made = WORKBOOK.workbook(read(book), "toy", book.parent, tmp_path).notebook
    return book, toy(tmp_path, [c.source for c in made.cells], {len(made.cells) - 1: workbook_says})


@pytest.mark.parametrize(
    ("cells", "book_says", "workbook_says", "problem"),
    [
        ([TOY_TASK], "f: OK\n", "f: not yet (replace the ... with your code)\n", None),
        ([TOY_TASK], "f: WRONG: 3\n", "f: not yet\n", "01_toy.ipynb, cell 1: check.f() does not say OK"),
        ([TOY_TASK], "f: OK\n", "f: OK\n", "01_toy.ipynb, cell 1: check.f() does not say not yet"),
        ([TOY_TASK + "\nprint(f(1))"], "2\n", "", "cell 1: a task's last line must be its check"),
        (["x = 1"], "", "", "no task"),
    ],
)
def test_a_task_that_does_not_end_in_its_verdict_is_found(tmp_path, cells, book_says, workbook_says, problem):
    found = task_problems(*toy_pair(tmp_path, cells, book_says, workbook_says))
    assert (found == []) if problem is None else (problem in found[0]), found


def test_a_solution_shown_in_the_workbook_is_found(tmp_path):
    book, workbook = toy_pair(tmp_path, ["y = 2 * 21", TOY_TASK], "f: OK\n", "f: not yet\n")
    assert leaks(book, workbook) == []  # 'return 2 * x' is in the book only
    nb = read(workbook)
    nb.cells.append(nbformat.v4.new_markdown_cell("One way to write it:\n```\n    return 2 * x\n```"))
    nb.cells[1].outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "return 2 * x"})]
    nbformat.write(nb, workbook)
    assert leaks(book, workbook) == [
        "cell 1: return 2 * x",
        "cell 3: return 2 * x",
        "cell 3: One way to write it",
    ]


@pytest.mark.parametrize("path", every_notebook(), ids=name)
def test_no_notebook_stores_an_error_or_a_wrong_verdict(path):
    for i, cell in enumerate(read(path).cells):
        assert not [o for o in cell.get("outputs", []) if o.output_type == "error"], f"{name(path)}, cell {i}"
        assert not [line for line in stdout(cell) if ": WRONG" in line], f"{name(path)}, cell {i}"


@pytest.mark.parametrize("number", sorted(n for n in books() if n in CORE))
def test_core_notebooks_use_the_self_check_module_not_hidden_machinery(number):
    nb = read(books()[number])
    assert any("from grad.selfcheck import" in c.source for c in nb.cells if c.cell_type == "code")
    assert not any("hide-input" in c.metadata.get("tags", []) for c in nb.cells)
    # the code a cell hands the learner (a task's own lines aside) is short: checking code is in grad
    code = [(i, c.source) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    handed = [WORKBOOK.split(source, f"cell {i}")[0] if number in books() else source for i, source in code]
    assert max(len(source.splitlines()) for source in handed) <= 30, "a long cell"


def test_the_learner_never_gets_grad_value_silently():
    # notebooks 02-06 build the learner's Value; grad.Value may appear only under its full name
    for path in every_notebook():
        for cell in read(path).cells if "02" <= path.name[:2] <= "06" else []:
            if cell.cell_type == "code":
                assert not re.search(r"from grad(\.engine)? import .*\bValue\b", cell.source), (
                    name(path),
                    cell.source,
                )
