"""Nanoseconds per op of grad/engine.py at git revisions and in the working tree, in one process.

``python bench/ops.py [REV ...]`` (default: 9365a49 and the working tree, written ``.``; a path to a
file is an engine.py to try with the working tree's package) loads each engine as its own module and
times ``a*b``, ``a+b``, ``a*2.0``, ``2.0*a``, ``a**2``, ``(a*b).tanh()``, ``Value(x)``, ``dot`` of 16
Values and a bias, and backward per node on each in turn (the engines alternate inside every round,
so a busy machine slows them alike), then prints the minimum over the rounds, in ns. A revision's
engine is imported with the whole ``grad/`` package of that revision, extracted from git into a
temporary directory, so whatever it imports is of its time.

Example (a 2-core machine shared with other jobs; compare columns, not runs)::

    | op | 9365a49 | . |
    |---|---:|---:|
    | a*b | 193 | 195 |
"""

from __future__ import annotations

import argparse
import importlib
import io
import shutil
import subprocess
import sys
import tarfile
import tempfile
import timeit
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
BACKWARD_NODES = 1_000  # a chain x = x*w + c of this many ops, backpropagated once per timing

OPS = {
    "a*b": "a * b",
    "a+b": "a + b",
    "a*2.0": "a * 2.0",
    "2.0*a": "2.0 * a",
    "a**2": "a**2",
    "(a*b).tanh()": "(a * b).tanh()",
    "Value(x)": "V(0.5)",
    "dot(16)+b": "dot(w, x, b)",
}


def load(rev: str, tmp: Path) -> ModuleType:
    """grad.engine of ``rev`` ('.' is the working tree), as a module of its own."""
    if rev == ".":
        where = ROOT
    elif Path(rev).is_file():
        where = tmp / Path(rev).stem
        shutil.copytree(ROOT / "grad", where / "grad")
        shutil.copy(rev, where / "grad" / "engine.py")
    else:
        where = tmp / rev
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", rev, "grad"], capture_output=True, check=True
        )
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(where, filter="data")
    saved = {name: mod for name, mod in sys.modules.items() if name == "grad" or name.startswith("grad.")}
    for name in saved:
        del sys.modules[name]
    sys.path.insert(0, str(where))
    try:
        return importlib.import_module("grad.engine")
    finally:
        sys.path.remove(str(where))
        for name in [n for n in sys.modules if n == "grad" or n.startswith("grad.")]:
            del sys.modules[name]
        sys.modules.update(saved)


def chain(V: type, n: int):
    """A chain of n nodes, x = x*w + c, two ops a link: the graph a backward timing walks."""
    x = V(0.5)
    for _ in range(n // 2):
        x = x * V(0.999) + V(0.001)
    return x


def time_ops(engine: ModuleType, number: int) -> dict[str, float]:
    """ns per op, one timing of each."""
    V = engine.Value
    w, x = [V(0.1 * i) for i in range(16)], [V(1.0 - 0.1 * i) for i in range(16)]
    env = {"a": V(1.5), "b": V(-0.5), "V": V, "dot": engine.dot, "w": w, "x": x}
    out = {op: timeit.timeit(code, globals=env, number=number) * 1e9 / number for op, code in OPS.items()}
    roots = [chain(V, BACKWARD_NODES) for _ in range(5)]
    t = min(timeit.timeit(root.backward, number=1) for root in roots)
    out["backward per node"] = t * 1e9 / BACKWARD_NODES
    return out


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument(
        "revs", nargs="*", default=["9365a49", "."], help="git revisions; '.' is the work tree"
    )
    parser.add_argument(
        "--rounds", type=int, default=30, help="timings per op and engine (the minimum is kept)"
    )
    parser.add_argument("--number", type=int, default=20_000, help="ops per timing")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        engines = {rev: load(rev, Path(tmp)) for rev in args.revs}
        best: dict[str, dict[str, float]] = {rev: {} for rev in engines}
        for i in range(args.rounds):
            for rev in list(engines)[:: 1 if i % 2 == 0 else -1]:
                for op, ns in time_ops(engines[rev], args.number).items():
                    best[rev][op] = min(ns, best[rev].get(op, ns))
    lines = [f"ns per op, minimum of {args.rounds} rounds; Python {sys.version.split()[0]}", ""]
    lines += ["| op | " + " | ".join(engines) + " |", "|---|" + "---:|" * len(engines)]
    for op in best[args.revs[0]]:
        lines.append(f"| {op} | " + " | ".join(f"{best[rev][op]:.0f}" for rev in engines) + " |")
    text = "\n".join(lines) + "\n"
    print(text, end="")
    return text


if __name__ == "__main__":
    main()
