"""Re-execute course notebooks in place, top to bottom, in a fresh python3 kernel each.

Usage: python scripts/run_notebooks.py [NOTEBOOK_OR_DIR ...]

With no argument it runs every book (notebooks/solutions/NN_*.ipynb), then makes the workbooks from
the books (``scripts/workbook.py build``: a workbook whose cells changed is rewritten without
outputs), then runs every workbook (notebooks/NN_*.ipynb; a notebook there with no book yet is run as
it is). With arguments it runs those notebooks (a folder: its NN_*.ipynb), the books among them first,
then builds the workbooks when a book was run, then the rest. notebooks/steps/ is not written.
It refuses to run a notebook with a ``my_micrograd/`` folder beside it: the checks would save and
load a learner's engine there, and the stored outputs must be those of the course as shipped.

The stored outputs are what nbval later compares against, so the run is made
as deterministic as we can: a fixed hash seed, the notebook's folder as the
working directory, and no per-cell timing metadata.

Outputs must also be *portable*: the same on every machine, not only on this one.
A float printed to its last digits depends on the CPU, the BLAS, torch's kernels,
the thread count and the C math library (math.exp and math.tanh differ in the last
bit between platforms). After each run this script warns about the outputs where
it can see such a dependency (see ``portability_problems``); tests/test_notebooks.py
fails on them. Print a verdict against a bound instead ("agree to 1e-12: True"),
or round to a few digits.
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = "[0-9][0-9]_*.ipynb"
BOOKS = ROOT / "notebooks" / "solutions"


def notebooks(args: list[str]) -> tuple[list[Path], list[Path]]:
    """The books and the other notebooks to run: every one with no ``args``, else those named."""
    paths = [Path(a).resolve() for a in args] or [BOOKS, ROOT / "notebooks"]
    found: list[Path] = []
    for p in paths:
        found += [p] if p.suffix == ".ipynb" else sorted(p.glob(NOTEBOOKS))
    books = [p for p in found if p.parent.name == "solutions"]
    return books, [p for p in found if p not in books]


def merge_streams(nb: nbformat.NotebookNode) -> None:
    """Join consecutive stdout (or stderr) pieces of a cell: a busy kernel may split one print."""
    for cell in nb.cells:
        merged: list = []
        for out in cell.get("outputs", []):
            prev = merged[-1] if merged else None
            if (
                out.output_type == "stream"
                and prev is not None
                and prev.output_type == "stream"
                and prev.name == out.name
            ):
                prev.text += out.text
            else:
                merged.append(out)
        if "outputs" in cell:
            cell.outputs = merged


# The size of a rounding error (1e-13 and below, or counted in ulp) changes from one machine to the next.
# (A bound such as "1e-13" has no digits after the point and is allowed.)
ROUNDING_ERROR = re.compile(r"\b\d\.\d+e-(?:1[3-9]|[2-9]\d|\d{3})\b|\bulps?\b", re.IGNORECASE)
# So do the last digits of a float printed in full: 12 or more digits after the point.
FULL_PRECISION = re.compile(r"\d\.\d{12,}")
ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{6,}\b")


EPSILON = re.compile(r"\b2\.2(?:2|20446049250313)?e-16\b")  # machine epsilon, the same everywhere
IGNORED = {"nbval-ignore-output", "nbval-skip"}


def portability_problems(nb: nbformat.NotebookNode) -> list[str]:
    """Text outputs of ``nb`` that would differ on another machine, one message each.

    Finds printed rounding errors, floats printed to 12 or more decimals, and memory
    addresses, in stream, result and error outputs. Machine epsilon (2.2e-16) is the same
    everywhere and allowed; so are cells that nbval does not compare (tags nbval-ignore-output
    or nbval-skip, or a first line ``# NBVAL_IGNORE_OUTPUT``).
    """
    problems = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & IGNORED or cell.source.lstrip().startswith(("# NBVAL_IGNORE_OUTPUT", "# NBVAL_SKIP")):
            continue
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                text = out.get("text", "")
            elif out.output_type == "error":
                text = f"{out.get('ename', '')}: {out.get('evalue', '')}"
            else:
                text = out.get("data", {}).get("text/plain", "")
            for line in text.splitlines():
                line = EPSILON.sub("epsilon", line)
                for pattern, what in (
                    (ROUNDING_ERROR, "the size of a rounding error"),
                    (FULL_PRECISION, "a float to its last digits"),
                    (ADDRESS, "a memory address"),
                ):
                    m = pattern.search(line)
                    if m:
                        problems.append(f"cell {i} prints {what} ({m.group(0)!r} in {line.strip()[:60]!r})")
    return problems


def run(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(
        nb,
        kernel_name="python3",
        timeout=600,
        record_timing=False,
        extra_arguments=["--IPKernelApp.log_level=ERROR"],  # no start-up chatter on the terminal
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    nb.metadata.pop("widgets", None)
    merge_streams(nb)
    nbformat.write(nb, path)
    return time.perf_counter() - start


def run_and_warn(path: Path) -> None:
    """Run ``path`` in place, saying how long it took and which of its outputs are not portable."""
    name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    print(f"{name}: {run(path):.1f} s", flush=True)
    for problem in portability_problems(nbformat.read(path, as_version=4)):
        print(f"  warning: not portable: {problem}", flush=True)


def build_workbooks() -> int:
    """``scripts/workbook.py build``: each workbook made anew from its book; 1 if a book is refused."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import workbook

    return workbook.main(["build"])


def main(argv: list[str]) -> int:
    os.environ["PYTHONHASHSEED"] = "0"
    os.environ["GRAD_STATIC_OUTPUTS"] = "1"  # show_backward stores static frames, not a slider
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    books, others = notebooks(argv)
    beside = sorted(
        {str(p.parent / "my_micrograd") for p in books + others if (p.parent / "my_micrograd").exists()}
    )
    if beside:  # the checks would save pieces there and load them back: not the course as shipped
        print(f"run_notebooks: move {', '.join(beside)} away first (a learner's engine is not stored)")
        return 1
    for path in books:
        run_and_warn(path)
    if books and build_workbooks():
        return 1
    for path in others:
        run_and_warn(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
