"""Make the learner's workbook from the course's book, and check that the two are in step.

Each notebook has one source, its **book** ``notebooks/solutions/NN_*.ipynb``: every task solved, the
outputs stored (the site shows the book). Its **workbook** ``notebooks/NN_*.ipynb`` is made from it by
``build``; ``make lab`` gives the learner a copy of each workbook to work in (``copy``).

How a book marks what the learner types:

- A *region* is a run of lines of a code cell between a line ``### BEGIN SOLUTION`` and a line
  ``### END SOLUTION`` (nbgrader's markers). A marker is a whole line, leading and trailing spaces aside:
  a comment or a string that mentions one is not a marker. In the workbook a region becomes one line
  ``...`` at the indentation of its BEGIN line.
- A *task cell* is a code cell with a region whose last non-blank line is its check: ``check.NAME(...)``
  at the start of the line (a comment may follow). ``check`` is the notebook's check module, imported by
  a line ``from grad.selfcheck import MODULE as check`` (one module per notebook). ``solutions.json``
  maps ``"MODULE.NAME"`` to ``{"notebook": the book's path from the folder above the workbooks' (the
  repository), "code": the cell without its markers and check line}``, for a learner who asks a check
  for the book's solution.
- A markdown or raw cell tagged ``solution`` is in the book only; a code cell cannot be (use a region).
- Every other cell is in the workbook with its id, tags and metadata. Code cells lose their outputs and
  execution counts (``make notebooks`` stores the workbook's own); relative links in markdown are
  rewritten for the workbook's folder, and a link to a book points at the workbook of the same name.

When ``repository_url`` in ``lecture_notes/conf.py`` (the one setting of the course's repository, read by
:func:`repository_setting` for the workbooks and the notes site alike) names a GitHub repository, every
workbook starts with :func:`install_cell`, which installs ``grad`` on Colab (Colab opens the workbook from
GitHub, without the course's package) and does nothing where ``grad`` imports. Unset, there is no such cell.

Refused, naming the book, the cell (counted from 0) and the line: an unclosed region, a region inside a
region, an END without a BEGIN, an empty region, a marker outside a code cell, a line ``...`` in a book's
code (in the workbook ``...`` marks a task, and the book solves every task), and a region whose ``...``
would be the cell's last line at the top level (Jupyter would print "Ellipsis"; the check comes after it).

Usage: ``python scripts/workbook.py build|check|stats [--books DIR] [--out DIR] [--solutions FILE]``
or ``copy DIR [--out DIR]``. ``build`` writes each workbook and ``grad/selfcheck/solutions.json`` whose
content changes (a workbook that differs only in outputs is left alone: ``make notebooks`` stored them);
``check`` exits 1 naming each one stale or missing. A notebook in ``notebooks/`` with no book is not
this script's (not converted yet), so with no book at all there is nothing to build or check. ``copy``
copies each workbook that DIR lacks, stamping the workbook's sha256 into the copy's metadata
(``grad_course.copied_from``), never overwrites a file, and says which kept copies are of a workbook
changed since; ``stats`` counts each book's learner lines (non-blank lines in regions) and cells.
"""

from __future__ import annotations

import argparse
import ast
import copy
import hashlib
import json
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import nbformat

ROOT = Path(__file__).resolve().parent.parent
CONF = ROOT / "lecture_notes" / "conf.py"
BEGIN, END, TASK = "### BEGIN SOLUTION", "### END SOLUTION", "..."
CHECK = re.compile(r"check\.(\w+)\(.*\)\s*(?:#.*)?")
IMPORT = re.compile(r"^[ \t]*from grad\.selfcheck import (\w+) as check[ \t]*$", re.MULTILINE)
LINK = re.compile(r"(\]\(\s*<?)([^)\s>]+)")
EXTERNAL = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:|#|/")
NOTEBOOKS = "[0-9][0-9]_*.ipynb"
MY_MICROGRAD = {
    "__init__.py": '"""Your own micrograd, saved piece by piece by the notebooks\' checks."""\n',
    "README.md": "Your own micrograd: each time a check in a notebook says OK, it saves that piece of your "
    "code into engine.py (Value) or nn.py (Neuron, Layer, MLP), and the next notebook starts from it. "
    "`make lab` never overwrites this folder, so read, edit or delete these files as you like.\n",
}


INSTALL_ID = "install-grad"  # the install cell's id


def repository_setting(conf: Path = CONF) -> str:
    """The course's repository as ``conf`` (the notes' conf.py) sets it in ``repository_url``, or ``""``.

    Read from the file's text, not by running it (conf.py draws figures as it runs), so the value must be
    a plain string: a web address (see :func:`web_address`).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = Path(d, "conf.py").write_text('x = 1\\nrepository_url = "https://github.com/o/r/"\\n')
    ...     repository_setting(Path(d, "conf.py"))
    'https://github.com/o/r'
    """
    found = ""
    for node in ast.parse(conf.read_text(encoding="utf-8")).body:  # the last one counts, as in Python
        targets = getattr(node, "targets", [getattr(node, "target", None)])  # x = ... or x: str = ...
        if [getattr(target, "id", None) for target in targets] == ["repository_url"]:
            value = node.value.value if isinstance(node.value, ast.Constant) else None
            if not isinstance(value, str):
                raise ValueError(f"{show(conf)}, line {node.lineno}: repository_url must be a string literal")
            try:
                found = web_address(value)
            except ValueError as error:
                raise ValueError(f"{show(conf)}, line {node.lineno}: {error}") from None
    return found


def web_address(url: str) -> str:
    """``url``, a repository's web address, as the site links it and pip installs from it: without a
    trailing ``/`` or ``.git``; a GitHub one as ``https://github.com/OWNER/REPO``; ``""`` stays ``""``.

    Raises:
        ValueError: ``url`` is not an ``http(s)://`` address, holds a space or a quote, or is on GitHub
            but not a repository's own address (``/tree/main`` after it, or no repository).

    >>> web_address(" http://www.GitHub.com/o/r.git/ "), web_address("https://example.org/a/b.git")
    ('https://github.com/o/r', 'https://example.org/a/b')
    """
    url = url.strip()
    if not url:
        return ""
    if not re.fullmatch(r"https?://[^/\s\"'<>]+/[^\s\"'<>]+", url):
        raise ValueError(f"repository_url must be a web address, https://HOST/PATH, got {url!r}")
    url = re.sub(r"(?:\.git)?/*$", "", url)
    host, path = re.fullmatch(r"https?://([^/]+)/?(.*)", url).groups()  # type: ignore[union-attr]
    if host.lower() not in ("github.com", "www.github.com"):
        return url
    if not re.fullmatch(r"[\w.-]+/[\w.-]+", path):
        raise ValueError(f"repository_url on GitHub must be https://github.com/OWNER/REPO, got {url!r}")
    return f"https://github.com/{path}"


def github(url: str) -> str | None:
    """``owner/repo`` of a GitHub repository's web address (as :func:`web_address` writes it), else None.

    >>> github("https://github.com/owner/repo"), github("https://example.org/owner/repo"), github("")
    ('owner/repo', None, None)
    """
    m = re.fullmatch(r"https://github\.com/([\w.-]+)/([\w.-]+)", url)
    return f"{m[1]}/{m[2]}" if m else None


def install_cell(repository: str) -> str | None:
    """The workbooks' first cell when the course's repository is on GitHub (else None): on Colab, where
    ``grad`` is missing, it installs ``grad`` from the repository (pip installs from git; no wheel is
    committed); where ``grad`` imports (``make lab``, nbval, the browser copy) it does nothing. In the
    browser (Pyodide: ``sys.platform`` is ``"emscripten"``) it never runs ``%pip``: the site serves
    ``grad``, so a missing one is an error to show, not a package to fetch from GitHub.

    >>> print(install_cell("https://github.com/o/r"))
    # On Colab: install the course's package, grad (anywhere else it is there, and this does nothing).
    try:
        import grad
    except ModuleNotFoundError:
        import sys
    <BLANKLINE>
        if sys.platform == "emscripten":  # the browser: grad comes with the site, pip cannot fetch it
            raise
        %pip install -q "grad-course @ git+https://github.com/o/r"
    >>> install_cell("https://example.org/o/r") is None
    True
    """
    if not github(repository):
        return None
    return (
        "# On Colab: install the course's package, grad (anywhere else it is there, and this does nothing).\n"
        "try:\n"
        "    import grad\n"
        "except ModuleNotFoundError:\n"
        "    import sys\n"
        "\n"
        '    if sys.platform == "emscripten":  # the browser: grad comes with the site, pip cannot fetch it\n'
        "        raise\n"
        f'    %pip install -q "grad-course @ git+{repository}"'
    )


class MarkerError(ValueError):
    """A book that cannot make a workbook; the message names the book, the cell and the line."""


class Made(NamedTuple):
    """What one book makes."""

    notebook: nbformat.NotebookNode  # the workbook
    tasks: dict[str, str]  # "MODULE.NAME": the task cell's code without markers and check line
    lines: int  # the learner's lines: non-blank lines in regions


def split(source: str, where: str) -> tuple[str, list[list[str]]]:
    """A book's code cell as the workbook has it, and the lines of each of its regions.

    >>> split("def f(x):\\n    ### BEGIN SOLUTION\\n    return 2 * x\\n    ### END SOLUTION\\ncheck.f()", "b")
    ('def f(x):\\n    ...\\ncheck.f()', [['    return 2 * x']])
    """
    kept: list[str] = []
    regions: list[list[str]] = []
    opened = 0  # the line of the open region's BEGIN, 0 outside a region
    for n, line in enumerate(source.split("\n"), 1):
        mark, here = line.strip(), f"{where}, line {n}"
        if mark == BEGIN:
            if opened:
                raise MarkerError(f"{here}: {BEGIN} inside the region opened at line {opened}")
            opened = n
            regions.append([])
            kept.append(line[: len(line) - len(line.lstrip())] + TASK)
        elif mark == END:
            if not opened:
                raise MarkerError(f"{here}: {END} with no {BEGIN} before it")
            if not any(r.strip() for r in regions[-1]):
                raise MarkerError(f"{here}: the region opened at line {opened} is empty")
            opened = 0
        elif mark == TASK:
            raise MarkerError(f"{here}: a line '...' in a book (in the workbook '...' marks a task)")
        elif opened:
            regions[-1].append(line)
        else:
            kept.append(line)
    if opened:
        raise MarkerError(f"{where}, line {opened}: {BEGIN} is never closed by {END}")
    text = "\n".join(kept)
    if regions and text.rstrip().rsplit("\n", 1)[-1] == TASK:
        raise MarkerError(
            f"{where}: the workbook's cell would end in '...' (printing Ellipsis): add the check"
        )
    return text, regions


def relink(source: str, src: Path, dst: Path) -> str:
    """Markdown of a notebook in folder ``src`` with its relative links rewritten for folder ``dst``.

    A link to a notebook beside the old one points at the notebook of that name beside the new one.

    >>> relink("[a](../../notes/a.md#x) [b](03_b.ipynb) [c](https://c.org)", Path("/r/nb/sol"), Path("/r/nb"))
    '[a](../notes/a.md#x) [b](03_b.ipynb) [c](https://c.org)'
    """

    def fix(m: re.Match[str]) -> str:
        path, hash_, anchor = m.group(2).partition("#")
        if EXTERNAL.match(m.group(2)) or not path:
            return m.group(0)
        resolved = os.path.normpath(os.path.join(src, path))
        if os.path.dirname(resolved) == os.path.normpath(src) and resolved.endswith(".ipynb"):
            resolved = os.path.join(dst, os.path.basename(resolved))
        return m.group(1) + Path(os.path.relpath(resolved, dst)).as_posix() + hash_ + anchor

    return LINK.sub(fix, source)


def workbook(book: nbformat.NotebookNode, where: str, src: Path, dst: Path, repository: str = "") -> Made:
    """The workbook of ``book`` (a book in folder ``src``, its workbook in ``dst``), its tasks and lines;
    it starts with :func:`install_cell` when ``repository`` is on GitHub."""
    modules = set(IMPORT.findall("\n".join(c.source for c in book.cells if c.cell_type == "code")))
    if len(modules) > 1:
        raise MarkerError(f"{where}: imports {' and '.join(sorted(modules))} as check; a notebook has one")
    notebook, tasks, learner_lines = nbformat.from_dict({**book, "cells": []}), {}, 0
    for i, cell in enumerate(copy.deepcopy(cell) for cell in book.cells):
        here, lines = f"{where}, cell {i}", cell.source.split("\n")
        solution = "solution" in cell.metadata.get("tags", [])
        if cell.cell_type != "code":
            if any(line.strip() in (BEGIN, END) for line in lines):
                raise MarkerError(f"{here}: a solution marker in a {cell.cell_type} cell (not code)")
            if cell.cell_type == "markdown":
                cell.source = relink(cell.source, src, dst)
        elif solution:
            raise MarkerError(f"{here}: a code cell tagged 'solution' (mark the learner's lines as a region)")
        else:
            cell.source, regions = split(cell.source, here)
            cell.outputs, cell.execution_count = [], None
            learner_lines += sum(1 for region in regions for line in region if line.strip())
            code = [line for line in lines if line.strip() not in (BEGIN, END)]
            while code and not code[-1].strip():
                code.pop()
            name = CHECK.fullmatch(code[-1]) if regions else None
            if name:
                if not modules:
                    raise MarkerError(f"{here}: check.{name[1]}() with no 'from grad.selfcheck import …'")
                key = f"{min(modules)}.{name[1]}"
                if key in tasks:
                    raise MarkerError(f"{here}: a second task checked by check.{name[1]}()")
                tasks[key] = "\n".join(code[:-1]).rstrip()
        if not solution:
            notebook.cells.append(cell)
    if install := install_cell(repository):
        notebook.cells.insert(0, nbformat.v4.new_code_cell(install, id=INSTALL_ID))
    return Made(notebook, tasks, learner_lines)


def books_made(
    books: Path, out: Path, repository: str = ""
) -> Iterator[tuple[Path, nbformat.NotebookNode, Made]]:
    """Each book in folder ``books`` (in order), read, with what it makes for folder ``out``."""
    for path in sorted(books.glob(NOTEBOOKS)):
        book = nbformat.read(path, as_version=4)
        yield path, book, workbook(book, show(path), books, out, repository)


def make(books: Path, out: Path, repository: str = "") -> tuple[dict[Path, str], dict[str, dict[str, str]]]:
    """The text of every workbook by its path, and the entries of solutions.json."""
    texts: dict[Path, str] = {}
    solutions: dict[str, dict[str, str]] = {}
    for path, _, made in books_made(books, out, repository):
        texts[out / path.name] = notebook_text(made.notebook)
        for key, code in made.tasks.items():
            if key in solutions:
                raise MarkerError(f"{show(path)}: check {key} has a task in {solutions[key]['notebook']} too")
            solutions[key] = {"notebook": Path(os.path.relpath(path, out.parent)).as_posix(), "code": code}
    return texts, solutions


def differences(
    books: Path, out: Path, file: Path, repository: str = ""
) -> tuple[list[str], dict[Path, str]]:
    """What is stale or missing, one line each, and the text of each file ``build`` would (re)write."""
    texts, solutions = make(books, out, repository)
    if not texts:
        return [], {}
    problems, writes = [], {}
    for path, text in texts.items():
        old = read(path)
        if old is None or load(old, outputs=False) != load(text, outputs=False):
            problems.append(f"{show(path)} is {'missing' if old is None else 'stale'}")
            writes[path] = text
    text, old = json.dumps(solutions, indent=2, sort_keys=True, ensure_ascii=False) + "\n", read(file)
    if old != text:
        writes[file] = text
        stored = load(old or "{}") or {}
        for k in sorted(solutions.keys() | stored.keys()):
            if stored.get(k) != solutions.get(k):
                what = "missing" if k not in stored else "stale" if k in solutions else "in no book"
                problems.append(f"{show(file)}: {k} is {what}")
        if stored == solutions:
            problems.append(f"{show(file)} is {'missing' if old is None else 'not as build writes it'}")
    return problems, writes


def copy_workbooks(out: Path, dest: Path) -> list[str]:
    """Copy each workbook in ``out`` that ``dest`` lacks into it, and add ``dest/my_micrograd/``.

    Never overwrites a file. Returns one line per copy made and per kept copy whose workbook changed.
    """
    said = []
    (dest / "my_micrograd").mkdir(parents=True, exist_ok=True)
    for source in sorted(out.glob(NOTEBOOKS)):
        data, target = source.read_bytes(), dest / source.name
        digest = hashlib.sha256(data).hexdigest()
        if target.exists():
            try:  # the stamp of the workbook it was copied from
                stamp = load(read(target) or "")["metadata"]["grad_course"]["copied_from"]
            except (KeyError, TypeError):
                stamp = digest  # not a copy this script made: nothing to compare
            if stamp != digest:
                said.append(
                    f"{show(target)}: yours is kept; {show(source)} has changed since it was copied "
                    "(rename yours to get the new one next time)"
                )
            continue
        nb = nbformat.reads(data.decode("utf-8"), as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                cell.source = relink(cell.source, out, dest)
        nb.metadata.setdefault("grad_course", {})["copied_from"] = digest
        target.write_text(notebook_text(nb), encoding="utf-8")
        said.append(f"copied {show(source)} to {show(target)}")
    for name, text in MY_MICROGRAD.items():
        if not (dest / "my_micrograd" / name).exists():
            (dest / "my_micrograd" / name).write_text(text, encoding="utf-8")
    return said


def notebook_text(nb: nbformat.NotebookNode) -> str:
    """The notebook's file as nbformat writes it."""
    return nbformat.writes(nb).rstrip("\n") + "\n"


def load(text: str, outputs: bool = True) -> dict:
    """The JSON object in ``text`` ({} if none); without code cells' outputs and counts if not ``outputs``."""
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    for cell in data.get("cells", []) if isinstance(data, dict) and not outputs else []:
        cell.pop("outputs", None)
        cell.pop("execution_count", None)
    return data if isinstance(data, dict) else {}


def read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.exists() else None


def show(path: Path) -> str:
    """``path`` from the repository's root when it is inside it."""
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="scripts/workbook.py", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("build", "check", "stats", "copy"):
        command = commands.add_parser(name)
        if name == "copy":
            command.add_argument("dir", type=Path, help="the folder to copy the workbooks into")
        else:
            command.add_argument("--books", type=Path, default=ROOT / "notebooks" / "solutions")
            command.add_argument("--solutions", type=Path, default=ROOT / "grad/selfcheck/solutions.json")
        command.add_argument("--out", type=Path, default=ROOT / "notebooks", help="the workbooks' folder")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    try:
        if args.command == "copy":
            dest = args.dir.resolve()
            print("\n".join(copy_workbooks(out, dest)) or f"{show(dest)}: nothing new")
            return 0
        books = args.books.resolve()
        if args.command == "stats":
            print(f"{'book':32} {'learner lines':>13} {'book cells':>10} {'workbook cells':>14}")
            for path, book, made in books_made(books, out):
                print(f"{path.name:32} {made.lines:13} {len(book.cells):10} {len(made.notebook.cells):14}")
            return 0
        if not any(books.glob(NOTEBOOKS)):
            print(f"no book in {show(books)} yet: nothing to {args.command}")
            return 0
        problems, writes = differences(books, out, args.solutions.resolve(), repository_setting())
    except ValueError as error:  # a MarkerError, or a repository_url that is not a string
        print(f"workbook.py: {error}", file=sys.stderr)
        return 1
    if args.command == "check":
        print("\n".join(problems) + "\nrun: python scripts/workbook.py build" if problems else "in step")
        return 1 if problems else 0
    for path, text in writes.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {show(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
