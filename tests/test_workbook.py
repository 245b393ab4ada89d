"""scripts/workbook.py: the workbook made from the book, solutions.json, check, copy and stats.

The tests build small books in ``tmp_path`` laid out as the repository is (``notebooks/solutions/``
for books, ``notebooks/`` for workbooks, ``grad/selfcheck/solutions.json``) and run the script's
``main`` in process; only the command-line test starts a process.
"""

from __future__ import annotations

import doctest
import hashlib
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat import v4

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("workbook", ROOT / "scripts" / "workbook.py")
workbook = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(workbook)

INTRO = (
    "# Toy\n\nRead [the notes](../../notes/toy.md#top), go [on](03_next.ipynb) or [on](../03_next.ipynb), "
    "see [the video](https://youtu.be/x) or [above](#toy)."
)
VALUE_TASK = """class Value:
    def __init__(self, data):
        ### BEGIN SOLUTION
        self.data = data

        self.grad = 0.0
        ### END SOLUTION  \n\n
check.value(Value)"""
SQUARE_TASK = (
    "### BEGIN SOLUTION\na = Value(3.0)\nsquared = a.data ** 2\n### END SOLUTION\n"
    "check.square(squared)  # 9\n"
)
PROSE = 'print("mark it with ### BEGIN SOLUTION")\n# ### END SOLUTION closes it'
REGION_LINES = ["self.data = data", "self.grad = 0.0", "a = Value(3.0)", "squared = a.data ** 2"]
STREAM = [v4.new_output("stream", name="stdout", text="value: OK\n")]


def toy_book() -> nbformat.NotebookNode:
    """A book of six cells: two tasks, a solution-only cell, and prose that mentions the markers."""
    nb = v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}})
    nb.cells = [
        v4.new_markdown_cell(INTRO, id="intro", metadata={"tags": ["chapter"]}),
        v4.new_code_cell("from grad.selfcheck import toy as check", id="imports"),
        v4.new_code_cell(VALUE_TASK, id="value", metadata={"tags": ["task"], "x": 1}, execution_count=3),
        v4.new_markdown_cell("One way: `self.data = data`", id="way", metadata={"tags": ["solution"]}),
        v4.new_code_cell(SQUARE_TASK, id="square", execution_count=4, outputs=STREAM),
        v4.new_code_cell(PROSE, id="prose", execution_count=5, outputs=STREAM),
    ]
    nb.cells[2].outputs = STREAM
    return nb


def expected_workbook() -> nbformat.NotebookNode:
    """The toy book's workbook, written out by hand."""
    nb = toy_book()
    del nb.cells[3]  # tagged solution
    nb.cells[0].source = (
        "# Toy\n\nRead [the notes](../notes/toy.md#top), go [on](03_next.ipynb) or [on](03_next.ipynb), "
        "see [the video](https://youtu.be/x) or [above](#toy)."
    )
    nb.cells[2].source = "class Value:\n    def __init__(self, data):\n        ...\n\n\ncheck.value(Value)"
    nb.cells[3].source = "...\ncheck.square(squared)  # 9\n"
    for cell in nb.cells[1:]:
        cell.outputs, cell.execution_count = [], None
    return nb


EXPECTED_SOLUTIONS = {
    "toy.square": {
        "notebook": "notebooks/solutions/02_toy.ipynb",
        "code": "a = Value(3.0)\nsquared = a.data ** 2",
    },
    "toy.value": {
        "notebook": "notebooks/solutions/02_toy.ipynb",
        "code": "class Value:\n    def __init__(self, data):\n"
        "        self.data = data\n\n        self.grad = 0.0",
    },
}


class Repo:
    """A repository-shaped folder in tmp_path with the toy book in it."""

    def __init__(self, root: Path, book: nbformat.NotebookNode | None = None) -> None:
        self.root, self.books, self.out = root, root / "notebooks" / "solutions", root / "notebooks"
        self.solutions = root / "grad" / "selfcheck" / "solutions.json"
        self.book, self.workbook = self.books / "02_toy.ipynb", self.out / "02_toy.ipynb"
        self.books.mkdir(parents=True)
        nbformat.write(book or toy_book(), self.book)

    def run(self, command: str, *more: str) -> int:
        if command == "copy":
            return workbook.main(["copy", *more, "--out", str(self.out)])
        paths = ["--books", str(self.books), "--out", str(self.out), "--solutions", str(self.solutions)]
        return workbook.main([command, *paths, *more])

    def files(self) -> dict[str, bytes]:
        return {str(p.relative_to(self.root)): p.read_bytes() for p in self.root.rglob("*") if p.is_file()}


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path)


def built(repo: Repo, capsys: pytest.CaptureFixture[str]) -> Repo:
    assert repo.run("build") == 0
    capsys.readouterr()
    return repo


# -- build ---------------------------------------------------------------------------------------------


def test_build_writes_the_workbook_exactly(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    assert repo.run("build") == 0
    assert repo.workbook.read_text(encoding="utf-8") == nbformat.writes(expected_workbook()) + "\n"
    assert capsys.readouterr().out.count("wrote ") == 2  # the workbook and solutions.json


def test_solutions_json_holds_each_task_without_markers_and_check(repo: Repo, capsys) -> None:
    built(repo, capsys)
    text = repo.solutions.read_text(encoding="utf-8")
    assert json.loads(text) == EXPECTED_SOLUTIONS
    assert text == json.dumps(EXPECTED_SOLUTIONS, indent=2, sort_keys=True) + "\n"


def test_filling_each_placeholder_with_its_region_gives_the_book(repo: Repo, capsys) -> None:
    built(repo, capsys)
    book = nbformat.read(repo.book, as_version=4)
    cells = iter(nbformat.read(repo.workbook, as_version=4).cells)
    for i, cell in enumerate(book.cells):
        if "solution" in cell.metadata.get("tags", []):
            continue
        made = next(cells)
        assert (made.id, made.cell_type, made.metadata) == (cell.id, cell.cell_type, cell.metadata)
        if cell.cell_type != "code":
            continue
        regions = iter(workbook.split(cell.source, f"cell {i}")[1])
        filled = [
            ln
            for line in made.source.split("\n")
            for ln in (next(regions) if line.strip() == "..." else [line])
        ]
        unmarked = [
            line for line in cell.source.split("\n") if line.strip() not in (workbook.BEGIN, workbook.END)
        ]
        assert filled == unmarked
        assert next(regions, None) is None
    assert next(cells, None) is None


def test_no_region_line_is_in_the_workbook(repo: Repo, capsys) -> None:
    built(repo, capsys)
    text = repo.workbook.read_text(encoding="utf-8")
    assert "value: OK" not in text  # no stored output
    for line in REGION_LINES:
        assert line in repo.book.read_text(encoding="utf-8")
        assert line not in text


def test_build_writes_only_what_changed(repo: Repo, capsys) -> None:
    built(repo, capsys)
    before = repo.files()
    assert repo.run("build") == 0
    assert capsys.readouterr().out == "" and repo.files() == before
    executed = nbformat.read(repo.workbook, as_version=4)  # as make notebooks leaves it: outputs stored
    executed.cells[2].outputs, executed.cells[2].execution_count = STREAM, 1
    nbformat.write(executed, repo.workbook)
    stored = repo.files()
    assert repo.run("build") == 0 and repo.run("check") == 0
    assert repo.files() == stored


def test_a_long_region_is_split_in_one_pass() -> None:
    lines = [f"x{i} = {i}" for i in range(200_000)]
    text, regions = workbook.split(
        "\n".join(["### BEGIN SOLUTION", *lines, "### END SOLUTION", "check.x()"]), "b"
    )
    assert text == "...\ncheck.x()" and regions == [lines]


def test_an_indented_region_may_end_a_cell_that_is_not_a_task() -> None:
    book = v4.new_notebook(
        cells=[v4.new_code_cell("def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION")]
    )
    made = workbook.workbook(book, "b", Path("/r/s"), Path("/r"))
    assert made.notebook.cells[0].source == "def f(x):\n    ..." and made.tasks == {} and made.lines == 1


# -- marker errors ---------------------------------------------------------------------------------------

IMPORT = v4.new_code_cell("from grad.selfcheck import toy as check")
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (f"x = 1\n{BEGIN}\ny = 2\ncheck.t()", f", cell 1, line 2: {BEGIN} is never closed by {END}"),
        (f"{BEGIN}\n  {BEGIN}\n{END}", f", cell 1, line 2: {BEGIN} inside the region opened at line 1"),
        (f"y = 2\n{END}\ncheck.t()", f", cell 1, line 2: {END} with no {BEGIN} before it"),
        (f"{BEGIN}\n...\n{END}\ncheck.t()", ", cell 1, line 2: a line '...' in a book"),
        ("x = 1\n  ...  \ncheck.t()", ", cell 1, line 2: a line '...' in a book"),
        (f"{BEGIN}\n\n{END}\ncheck.t()", ", cell 1, line 3: the region opened at line 1 is empty"),
        (f"{BEGIN}\nx = 1\n{END}\n", ", cell 1: the workbook's cell would end in '...'"),
        (f"{BEGIN}\nx = 1\ncheck.t()\n{END}", ", cell 1: the workbook's cell would end in '...'"),
        (
            v4.new_code_cell("x = 1", metadata={"tags": ["solution"]}),
            ", cell 1: a code cell tagged 'solution'",
        ),
        (
            v4.new_markdown_cell(f"Answer:\n{BEGIN}\n2\n{END}"),
            ", cell 1: a solution marker in a markdown cell",
        ),
        ("from grad.selfcheck import value as check", ": imports toy and value as check; a notebook has one"),
    ],
)
def test_a_bad_book_is_refused_naming_cell_and_line(
    source: str | nbformat.NotebookNode, message: str
) -> None:
    cell = v4.new_code_cell(source) if isinstance(source, str) else source
    with pytest.raises(workbook.MarkerError) as raised:
        workbook.workbook(v4.new_notebook(cells=[IMPORT, cell]), "02_bad.ipynb", Path("/r/s"), Path("/r"))
    assert str(raised.value).startswith("02_bad.ipynb" + message), raised.value


def test_a_task_is_checked_once() -> None:
    tasks = [v4.new_code_cell(f"{BEGIN}\nx = {n}\n{END}\ncheck.t()") for n in (1, 2)]
    with pytest.raises(workbook.MarkerError, match=r"^b, cell 2: a second task checked by check.t\(\)$"):
        workbook.workbook(v4.new_notebook(cells=[IMPORT, *tasks]), "b", Path("/r/s"), Path("/r"))


def test_a_check_needs_the_notebooks_check_module() -> None:
    book = v4.new_notebook(cells=[v4.new_code_cell(f"{BEGIN}\nx = 1\n{END}\ncheck.t()")])
    with pytest.raises(workbook.MarkerError, match=r"^b, cell 0: check.t\(\) with no 'from grad.selfcheck"):
        workbook.workbook(book, "b", Path("/r/s"), Path("/r"))


def test_two_books_cannot_share_a_task(repo: Repo, capsys) -> None:
    nbformat.write(toy_book(), repo.books / "03_again.ipynb")
    assert repo.run("build") == 1
    assert (
        "03_again.ipynb: check toy.value has a task in notebooks/solutions/02_toy.ipynb too"
        in capsys.readouterr().err
    )
    assert not repo.workbook.exists() and not repo.solutions.exists()


# -- the install cell (Colab) -------------------------------------------------------------------------

GITHUB = "https://github.com/owner/grad-course"


def test_a_github_repository_starts_the_workbook_with_the_install_cell() -> None:
    book = toy_book()
    made = workbook.workbook(book, "b", Path("/r/notebooks/solutions"), Path("/r/notebooks"), GITHUB)
    first = made.notebook.cells[0]
    assert (first.cell_type, first.id, first.source) == (
        "code",
        "install-grad",
        workbook.install_cell(GITHUB),
    )
    assert made.notebook.cells[1:] == expected_workbook().cells
    for repository in ("", "https://gitlab.com/owner/grad-course", "https://github.com/owner"):
        plain = workbook.workbook(book, "b", Path("/r/notebooks/solutions"), Path("/r/notebooks"), repository)
        assert plain.notebook == expected_workbook(), repository


class _Shell:
    """get_ipython() for the install cell: records the line magics it runs instead of running pip."""

    def __init__(self) -> None:
        self.magics: list[tuple[str, str]] = []

    def run_line_magic(self, name: str, line: str) -> None:
        self.magics.append((name, line))


def _run_install_cell() -> list[tuple[str, str]]:
    """The install cell, turned into Python by IPython's transformer (its indented %pip too), run."""
    from IPython.core.inputtransformer2 import TransformerManager

    code = TransformerManager().transform_cell(workbook.install_cell(GITHUB))
    shell = _Shell()
    exec(compile(code, "install-grad", "exec"), {"get_ipython": lambda: shell})
    return shell.magics


def test_the_install_cell_installs_grad_only_where_it_is_missing(monkeypatch) -> None:
    assert _run_install_cell() == [], "grad imports here: nothing to install"
    monkeypatch.setitem(sys.modules, "grad", None)  # as on Colab: `import grad` fails
    assert _run_install_cell() == [("pip", f'install -q "grad-course @ git+{GITHUB}"')]
    monkeypatch.setattr(sys, "platform", "emscripten")  # the browser: never %pip, grad's absence shows
    with pytest.raises(ModuleNotFoundError, match="grad"):
        _run_install_cell()


def test_the_repository_setting_is_read_from_conf_without_running_it(tmp_path: Path) -> None:
    conf = tmp_path / "conf.py"
    conf.write_text('import sys\nsys.exit(1)\nrepository_url = " https://github.com/o/r/ "\n')
    assert workbook.repository_setting(conf) == "https://github.com/o/r"
    conf.write_text("project = 'x'\n")
    assert workbook.repository_setting(conf) == ""
    conf.write_text('repository_url = ""\nrepository_url: str = "https://github.com/o/r"\n')
    assert workbook.repository_setting(conf) == "https://github.com/o/r", "the last one, as in Python"
    conf.write_text("import os\nrepository_url = os.environ['REPO']\n")
    with pytest.raises(ValueError, match=r"conf.py, line 2: repository_url must be a string literal"):
        workbook.repository_setting(conf)


@pytest.mark.parametrize(
    ("setting", "address"),
    [
        ("https://github.com/o/r.git", "https://github.com/o/r"),  # Colab's link had o/r.git in its path
        (" http://www.GitHub.com/o/r/ ", "https://github.com/o/r"),  # GitHub's, so it gets the install cell
        ("https://gitlab.com/o/r.git/", "https://gitlab.com/o/r"),
        ("http://example.org/git/r", "http://example.org/git/r"),
        ("", ""),
    ],
)
def test_the_repository_setting_is_one_web_address(tmp_path: Path, setting: str, address: str) -> None:
    conf = tmp_path / "conf.py"
    conf.write_text(f"repository_url = {setting!r}\n")
    assert workbook.repository_setting(conf) == address
    assert (workbook.install_cell(address) is not None) == address.startswith("https://github.com/")


@pytest.mark.parametrize(
    ("setting", "said"),
    [
        ("github.com/o/r", "must be a web address, https://HOST/PATH"),  # the header linked it relatively
        ("git@github.com:o/r.git", "must be a web address, https://HOST/PATH"),
        ('https://github.com/o/r" x', "must be a web address, https://HOST/PATH"),
        ("https://github.com/o r", "must be a web address, https://HOST/PATH"),
        ("https://github.com/o/r/tree/main", "on GitHub must be https://github.com/OWNER/REPO"),
        ("https://github.com/o", "on GitHub must be https://github.com/OWNER/REPO"),
    ],
)
def test_a_repository_setting_that_is_no_repository_address_is_refused(
    tmp_path: Path, setting: str, said: str
) -> None:
    """Each was taken as it was: no install cell and no Colab link, with nothing said, or a broken link."""
    conf = tmp_path / "conf.py"
    conf.write_text(f"project = 'x'\nrepository_url = {setting!r}\n")
    with pytest.raises(ValueError, match=re.escape(f"conf.py, line 2: repository_url {said}, got")):
        workbook.repository_setting(conf)


def _course_copy(root: Path, repository: str) -> Path:
    """The script, conf.py (``repository_url`` set to ``repository``), the books and the committed
    workbooks, copied into ``root`` as the repository lays them out."""
    (root / "scripts").mkdir(parents=True, exist_ok=True)
    (root / "lecture_notes").mkdir(exist_ok=True)
    (root / "notebooks" / "solutions").mkdir(parents=True, exist_ok=True)
    (root / "scripts" / "workbook.py").write_bytes((ROOT / "scripts" / "workbook.py").read_bytes())
    conf = (ROOT / "lecture_notes" / "conf.py").read_text(encoding="utf-8")
    assert conf.count('\nrepository_url = ""\n') == 1, "the committed setting is unset"
    conf = conf.replace('\nrepository_url = ""\n', f"\nrepository_url = {repository!r}\n")
    (root / "lecture_notes" / "conf.py").write_text(conf, encoding="utf-8")
    for path in (ROOT / "notebooks" / "solutions").glob("[0-9][0-9]_*.ipynb"):
        (root / "notebooks" / "solutions" / path.name).write_bytes(path.read_bytes())
    return root


def _script(root: Path, command: str, code: int = 0) -> str:
    """What the copy's ``scripts/workbook.py COMMAND`` prints, once it has exited with ``code``."""
    cmd = [sys.executable, str(root / "scripts" / "workbook.py"), command]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == code, done.stdout + done.stderr
    return done.stdout


def test_built_in_a_copy_with_a_github_repository_every_workbook_starts_with_the_install_cell(
    tmp_path: Path,
) -> None:
    committed = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert committed, "no workbook yet"
    root = _course_copy(tmp_path, "")  # unset, as committed: the build leaves the workbooks as they are
    for path in committed:
        (root / "notebooks" / path.name).write_bytes(path.read_bytes())
    assert "wrote notebooks/" not in _script(root, "build")
    assert all((root / "notebooks" / p.name).read_bytes() == p.read_bytes() for p in committed)
    _course_copy(tmp_path, GITHUB)
    stale = _script(root, "check", 1).splitlines()  # each workbook lacks the cell
    assert stale[:-1] == [f"notebooks/{p.name} is stale" for p in committed], stale
    assert _script(root, "build").count("wrote notebooks/") == len(committed)
    assert _script(root, "check") == "in step\n"
    cell = workbook.install_cell(GITHUB)
    for path in committed:
        was = workbook.load(path.read_text(), outputs=False)
        now = workbook.load((root / "notebooks" / path.name).read_text(), outputs=False)
        assert (now["cells"][0]["id"], "".join(now["cells"][0]["source"])) == ("install-grad", cell)
        assert now["cells"][1:] == was["cells"], path.name  # the rest as committed, outputs aside
    _course_copy(tmp_path, "")  # unset again: the cell goes
    _script(root, "build")
    for path in committed:
        again = workbook.load((root / "notebooks" / path.name).read_text(), outputs=False)
        assert again == workbook.load(path.read_text(), outputs=False), path.name


# -- check ---------------------------------------------------------------------------------------------


def _edit_book(repo: Repo, cell: int = 4, old: str = "3.0", new: str = "4.0") -> None:
    book = nbformat.read(repo.book, as_version=4)
    book.cells[cell].source = book.cells[cell].source.replace(old, new)
    nbformat.write(book, repo.book)


def _edit_workbook(repo: Repo) -> None:
    nb = nbformat.read(repo.workbook, as_version=4)
    nb.cells[3].source = "squared = 9.0\ncheck.square(squared)"
    nbformat.write(nb, repo.workbook)


def _edit_solutions(repo: Repo, change) -> None:
    data = json.loads(repo.solutions.read_text())
    change(data)
    repo.solutions.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


@pytest.mark.parametrize(
    ("edit", "named"),
    [
        (_edit_book, ["solutions.json: toy.square is stale"]),  # a region: the workbook is the same
        (lambda r: _edit_book(r, 0, "Toy", "Toys"), ["notebooks/02_toy.ipynb is stale"]),
        (
            lambda r: _edit_book(r, 4, "check.square(squared)", "print(squared)"),
            ["02_toy.ipynb is stale", "toy.square is in no book"],
        ),
        (
            lambda r: _edit_book(r, 2, "check.value", "check.values"),
            ["02_toy.ipynb is stale", "toy.value is in no book", "toy.values is missing"],
        ),
        (_edit_workbook, ["notebooks/02_toy.ipynb is stale"]),
        (lambda r: r.workbook.unlink(), ["notebooks/02_toy.ipynb is missing"]),
        (lambda r: r.solutions.unlink(), ["solutions.json: toy.square is missing", "toy.value is missing"]),
        (
            lambda r: _edit_solutions(r, lambda d: d.pop("toy.value")),
            ["solutions.json: toy.value is missing"],
        ),
        (lambda r: _edit_solutions(r, lambda d: d.update(x={})), ["solutions.json: x is in no book"]),
        (
            lambda r: r.solutions.write_text(json.dumps(EXPECTED_SOLUTIONS)),
            ["solutions.json is not as build"],
        ),
    ],
)
def test_check_fails_naming_each_stale_or_missing_file(repo: Repo, capsys, edit, named: list[str]) -> None:
    built(repo, capsys)
    assert repo.run("check") == 0 and capsys.readouterr().out == "in step\n"
    edit(repo)
    assert repo.run("check") == 1
    out = capsys.readouterr().out
    assert all(name in out for name in named), out
    assert out.count("\n") == len(named) + 1 and out.endswith("run: python scripts/workbook.py build\n")
    assert repo.run("build") == 0 and repo.run("check") == 0


def test_with_no_book_there_is_nothing_to_build_or_check(tmp_path: Path, capsys) -> None:
    repo = Repo(tmp_path)
    repo.book.unlink()
    assert repo.run("build") == 0 and repo.run("check") == 0
    assert capsys.readouterr().out.count("nothing to") == 2
    assert not repo.solutions.exists() and list(tmp_path.rglob("*.ipynb")) == []


def test_the_command_line_checks_the_repository() -> None:
    """What the in-step test runs: exit 0 today (no book yet), and once books exist, only when in step."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "workbook.py"), "check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    books = list((ROOT / "notebooks" / "solutions").glob("[0-9][0-9]_*.ipynb"))
    assert done.stdout == ("in step\n" if books else "no book in notebooks/solutions yet: nothing to check\n")


def test_a_marker_error_exits_1_naming_the_book(repo: Repo, capsys) -> None:
    book = toy_book()
    book.cells[4].source = "### BEGIN SOLUTION\nx = 1\n"
    nbformat.write(book, repo.book)
    assert repo.run("check") == 1
    where = f"{repo.book}, cell 4, line 1"
    assert (
        capsys.readouterr().err
        == f"workbook.py: {where}: ### BEGIN SOLUTION is never closed by ### END SOLUTION\n"
    )


# -- copy ------------------------------------------------------------------------------------------------


def test_copy_makes_the_learners_folder_and_never_overwrites(repo: Repo, capsys) -> None:
    built(repo, capsys)
    lab = repo.root / "my_work"
    assert repo.run("copy", str(lab)) == 0
    assert capsys.readouterr().out == f"copied {repo.workbook} to {lab / '02_toy.ipynb'}\n"
    copied = nbformat.read(lab / "02_toy.ipynb", as_version=4)
    digest = hashlib.sha256(repo.workbook.read_bytes()).hexdigest()
    assert copied.metadata.grad_course.copied_from == digest
    del copied.metadata["grad_course"]
    assert copied == nbformat.read(repo.workbook, as_version=4)  # same depth: links unchanged
    assert sorted(p.name for p in (lab / "my_micrograd").iterdir()) == ["README.md", "__init__.py"]
    assert (lab / "my_micrograd" / "README.md").read_text().count(". ") == 1  # two sentences

    mine = (lab / "02_toy.ipynb").read_text().replace("...", "x = 1")  # the learner's work
    (lab / "02_toy.ipynb").write_text(mine)
    (lab / "my_micrograd" / "engine.py").write_text("class Value: pass\n")
    before = repo.files()
    assert repo.run("copy", str(lab)) == 0 and repo.files() == before
    assert capsys.readouterr().out == f"{lab}: nothing new\n"

    _edit_book(repo, 0, "Toy", "Toys")
    assert repo.run("build") == 0 and repo.run("copy", str(lab)) == 0
    notice = f"{lab / '02_toy.ipynb'}: yours is kept; {repo.workbook} has changed since it was copied"
    assert capsys.readouterr().out.endswith(notice + " (rename yours to get the new one next time)\n")
    assert (lab / "02_toy.ipynb").read_text() == mine


def test_copy_keeps_a_copy_that_is_no_longer_a_notebook(repo: Repo, capsys) -> None:
    built(repo, capsys)
    (repo.root / "lab").mkdir()
    (repo.root / "lab" / "02_toy.ipynb").write_text("{ half a notebook")
    before = repo.files()
    assert repo.run("copy", str(repo.root / "lab")) == 0
    assert capsys.readouterr().out == f"{repo.root / 'lab'}: nothing new\n"
    assert {k: v for k, v in repo.files().items() if "my_micrograd" not in k} == before


def test_copy_rewrites_links_for_a_folder_at_another_depth(repo: Repo, capsys) -> None:
    built(repo, capsys)
    assert repo.run("copy", str(repo.root / "deeper" / "lab")) == 0
    intro = nbformat.read(repo.root / "deeper" / "lab" / "02_toy.ipynb", as_version=4).cells[0].source
    assert "[the notes](../../notes/toy.md#top), go [on](03_next.ipynb) or [on](03_next.ipynb)" in intro


# -- stats and the script itself ---------------------------------------------------------------------------


def test_stats_counts_learner_lines_and_cells(repo: Repo, capsys) -> None:
    assert repo.run("stats") == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[0].split() == ["book", "learner", "lines", "book", "cells", "workbook", "cells"]
    assert rows[1].split() == ["02_toy.ipynb", "4", "6", "5"]
    assert len(rows) == 2


def test_the_scripts_examples_hold() -> None:
    # module=False: another "workbook" may sit in sys.modules (scripts/course_zip.py imports it by name)
    runner = doctest.DocTestRunner()
    for test in doctest.DocTestFinder().find(workbook, "workbook", module=False, globs=vars(workbook)):
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0 and result.attempted == 8
