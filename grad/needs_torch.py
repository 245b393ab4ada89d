"""``%%needs_torch``: a notebook cell that runs only where PyTorch is installed.

The course cross-checks its gradients against PyTorch, which does not exist in the browser
(JupyterLite runs Python on Pyodide, and there is no PyTorch for Pyodide). A cell whose first line is
``%%needs_torch`` runs exactly as any cell where ``import torch`` works: an error in it stops "Run
all" as usual, and its last expression is displayed. Where ``import torch`` fails, the cell does not
run: it prints the one line :data:`SKIPPED` instead. Tracebacks name the cell by its ``In [n]`` and
count its lines from the ``%%needs_torch`` line, as for any cell; a last expression ending in ``;`` is
not displayed.

A notebook loads the magic in its first cell with ``%load_ext grad.needs_torch``. This module imports
nothing outside the standard library: IPython hands it the shell when the notebook loads it.

Example (``run_body`` is what the magic runs where torch imports):
    >>> names = {}
    >>> run_body("x = 6 * 7" + chr(10) + "x + 1", names, "<cell>")
    43
    >>> names["x"]
    42
"""

from __future__ import annotations

import ast
from typing import Any

__all__ = ["SKIPPED", "load_ipython_extension", "run_body", "torch_available"]

SKIPPED = (
    "PyTorch is not available here (it never is in the browser), so this cell was skipped: to run it, "
    "open the notebook where PyTorch is installed (`make lab`, or `pip install torch`) or in Colab."
)


def torch_available() -> bool:
    """True when ``import torch`` works here (never in the browser), False when there is no ``torch``.

    A PyTorch that is installed but fails to import raises, even when what it lacks is a module of
    its own (``No module named 'sympy'``): a broken install must not pass for the browser.
    """
    try:
        import torch  # noqa: F401  (lazily: grad imports with the standard library alone)
    except ModuleNotFoundError as err:
        if err.name != "torch":
            raise
        return False
    return True


def run_body(source: str, names: dict[str, Any], filename: str) -> Any:
    """Run the Python ``source`` in the namespace ``names``, as a cell: the value of its last line if
    that is an expression not ending in ``;``, else None. An exception in ``source`` goes through.

    ``filename`` names the code in tracebacks (and, when in ``linecache``, lets ``inspect`` read it).
    """
    __tracebackhide__ = True  # IPython's tracebacks show the learner's lines, not these
    tree = ast.parse(source, filename)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    if last is not None:  # IPython's rule: `x;` shows nothing (positions count the line's UTF-8 bytes)
        after = source.splitlines()[(last.end_lineno or 1) - 1].encode()[last.end_col_offset or 0 :]
        if after.lstrip().startswith(b";"):
            tree.body.append(last)
            last = None
    exec(compile(tree, filename, "exec"), names)
    if last is None:
        return None
    return eval(compile(ast.Expression(last.value), filename, "eval"), names)


def load_ipython_extension(shell: Any) -> None:
    """Register the cell magic ``%%needs_torch`` in IPython's ``shell`` (``%load_ext grad.needs_torch``)."""

    def needs_torch(line: str, cell: str) -> Any:
        __tracebackhide__ = True
        if line.strip():
            raise ValueError(f"%%needs_torch takes nothing after it on its line, got {line.strip()!r}")
        if not torch_available():
            print(SKIPPED)
            return None
        # IPython's own syntax (!ls, %time) as in any cell; the magic's line as a comment, so that the
        # lines count as the learner sees them
        code = "# %%needs_torch\n" + shell.transform_cell(cell)
        running = getattr(shell.displayhook, "exec_result", None)  # this cell's In [n]: IPython 9 has
        count = getattr(running, "execution_count", None) or shell.execution_count  # counted on already
        filename = shell.compile.cache(code, count, raw_code=cell)  # for inspect, tracebacks
        return run_body(code, shell.user_ns, filename)

    shell.register_magic_function(needs_torch, "cell", "needs_torch")
