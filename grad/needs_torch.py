"""``%%needs_torch``: a notebook cell that runs only where PyTorch is installed.

The course cross-checks its gradients against PyTorch, which does not exist in the browser
(JupyterLite runs Python on Pyodide, and there is no PyTorch for Pyodide). A cell whose first line is
``%%needs_torch`` runs exactly as any cell where ``import torch`` works: an error in it stops "Run
all" as usual, and its last expression is displayed. Where ``import torch`` fails, the cell does not
run: it prints the one line :data:`SKIPPED` instead.

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
    "PyTorch is not available here (it never is in the browser), so this cell was skipped: "
    "to run it, open the notebook with `make lab` on your machine, or in Colab."
)


def torch_available() -> bool:
    """True when ``import torch`` works here (never in the browser). A broken PyTorch still raises."""
    try:
        import torch  # noqa: F401  (lazily: grad imports with the standard library alone)
    except ModuleNotFoundError:
        return False
    return True


def run_body(source: str, names: dict[str, Any], filename: str) -> Any:
    """Run the Python ``source`` in the namespace ``names``, as a cell: the value of its last line if
    that is an expression, else None. An exception in ``source`` goes through to the caller.

    ``filename`` names the code in tracebacks (and, when in ``linecache``, lets ``inspect`` read it).
    """
    __tracebackhide__ = True  # IPython's tracebacks show the learner's lines, not these
    tree = ast.parse(source, filename)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
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
        code = shell.transform_cell(cell)  # IPython's own syntax (!ls, %time) as in any cell
        filename = shell.compile.cache(code, shell.execution_count, raw_code=cell)  # for inspect, tracebacks
        return run_body(code, shell.user_ns, filename)

    shell.register_magic_function(needs_torch, "cell", "needs_torch")
