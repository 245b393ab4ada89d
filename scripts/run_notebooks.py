"""Re-execute course notebooks in place, top to bottom, in a fresh python3 kernel each.

Usage: python scripts/run_notebooks.py [NOTEBOOK_OR_DIR ...]   (default: notebooks/)

The stored outputs are what nbval later compares against, so the run is made
as deterministic as we can: a fixed hash seed, the notebook's folder as the
working directory, and no per-cell timing metadata.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def notebooks(args: list[str]) -> list[Path]:
    paths = [Path(a) for a in args] or [Path(__file__).resolve().parent.parent / "notebooks"]
    found: list[Path] = []
    for p in paths:
        found += sorted(p.glob("[0-9][0-9]_*.ipynb")) if p.is_dir() else [p]
    return found


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


def main(argv: list[str]) -> int:
    os.environ["PYTHONHASHSEED"] = "0"
    os.environ["GRAD_STATIC_OUTPUTS"] = "1"  # show_backward stores static frames, not a slider
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    for path in notebooks(argv):
        print(f"{path.name}: {run(path):.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
