"""Write ``notebooks/steps/*.py``: the course's copy of the engine as each notebook leaves it.

The course has the learner build one engine across notebooks 02 to 05, in the lecture's order.
Each notebook starts where the previous one ended by importing the classes it finished, so the
class is written once, in the notebook where it is taught, and never pasted into another one.
What a notebook imports is the course's copy, not the learner's cells: this script reads the
course's own version of each cell from the notebook files (the "One way to write it" cells), so
a mistake the learner made does not follow them into the next notebook. It collects the code
cells that build the engine, tagged ``export-engine`` (Value) or ``export-nn`` (Neuron, Layer,
MLP), into one module per notebook and kind:

``steps/engine_NN.py``
    every ``export-engine`` cell of notebooks 02 .. NN, in order: the Value class as notebook NN
    leaves it (a later cell may redefine a method, as the lecture does, and wins).
``steps/nn_NN.py``
    every ``export-nn`` cell of notebooks up to NN, on top of the Value of the latest
    ``engine_MM`` with MM <= NN.

A module is written for notebook NN only if NN has tagged cells of that kind. ``make notebooks``
runs this before executing the notebooks, and ``tests/test_course.py`` fails when the files are
out of date. Usage: ``python scripts/export_steps.py`` (writes) or ``--check`` (exit 1 if stale).
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
STEPS = NOTEBOOKS / "steps"
KINDS = {  # kind: (tag, the module's imports)
    "engine": ("export-engine", "import math\n"),
    "nn": ("export-nn", "import random\n\nfrom steps.engine_{engine} import Value\n"),
}
HEADER = '''"""The course's copy of {what} as notebook {name} leaves {them} (generated: do not edit).

Written by scripts/export_steps.py from the course's own cells tagged "{tag}" in
{sources}
(not from a learner's edits, so a mistake made in a notebook does not follow into the next one).
To change it, change those cells and run `make notebooks`.
"""

# ruff: noqa
'''


def modules(notebooks: Path = NOTEBOOKS) -> dict[str, str]:
    """The text of every steps module, by file name, from the notebooks' current sources."""
    out: dict[str, str] = {}
    cells: dict[str, list[tuple[str, str]]] = {kind: [] for kind in KINDS}
    engine = None  # the number of the latest engine module
    for path in sorted(notebooks.glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        number = path.name[:2]
        for kind, (tag, imports) in KINDS.items():
            tagged = [
                c.source for c in nb.cells if c.cell_type == "code" and tag in c.metadata.get("tags", [])
            ]
            if not tagged:
                continue
            if kind == "engine":
                engine = number
            cells[kind] += [(path.name, source) for source in tagged]
            sources = sorted({name for name, _ in cells[kind]})
            what = "the Value class" if kind == "engine" else "Neuron, Layer and MLP"
            them = "it" if kind == "engine" else "them"
            text = HEADER.format(what=what, name=number, them=them, tag=tag, sources=", ".join(sources))
            text += "\n" + imports.format(engine=engine)
            for name, source in cells[kind]:
                text += f"\n\n# ---- {name} ----\n\n{source.strip()}\n"
            out[f"{kind}_{number}.py"] = text
    return out


def main(argv: list[str]) -> int:
    wanted = modules()
    stale = [name for name, text in wanted.items() if _read(STEPS / name) != text]
    extra = sorted(p.name for p in STEPS.glob("*_[0-9][0-9].py") if p.name not in wanted)
    if "--check" in argv:
        for name in stale + extra:
            print(f"steps/{name} is out of date: run `make notebooks` (or python scripts/export_steps.py)")
        return 1 if stale or extra else 0
    STEPS.mkdir(exist_ok=True)
    (STEPS / "__init__.py").write_text(
        '"""The course\'s copy of the engine as each notebook leaves it (generated)."""\n'
    )
    for name in stale:
        (STEPS / name).write_text(wanted[name])
        print(f"wrote notebooks/steps/{name}")
    for name in extra:
        (STEPS / name).unlink()
        print(f"removed notebooks/steps/{name}")
    return 0


def _read(path: Path) -> str | None:
    return path.read_text() if path.exists() else None


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
