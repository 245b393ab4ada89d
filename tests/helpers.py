"""Shared by the tests: one ``close``, torch float64 leaves, graph walks, the lecture's Value and graphs.

``LectureValue`` is :class:`grad.lecture.Value`, what a learner writes while watching the lecture:
children in a *set* called ``_prev``, a ``_backward`` closure per node, and a recursive
``build_topo``. The tests use it to check that ``grad.viz``, ``grad.check`` and ``grad.selfcheck``
work on any micrograd-style object, not only on ``grad.Value``.
"""

from __future__ import annotations

import importlib.util
import subprocess
from collections.abc import Iterable
from pathlib import Path

from grad import lecture
from grad.engine import Value

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


def close(a: float, b: float, rel: float = 1e-9, floor: float | None = None) -> bool:
    """|a - b| <= rel * max(1, |b|): relative for large numbers, absolute near zero.

    With ``floor``, the absolute part is ``floor`` instead: |a - b| <= rel * |b| + floor.
    """
    if floor is not None:
        return abs(a - b) <= rel * abs(b) + floor
    return abs(a - b) <= rel * max(1.0, abs(b))


def all_close(xs: Iterable[float], ys: Iterable[float], rel: float = 1e-9) -> bool:
    xs, ys = list(xs), list(ys)
    return len(xs) == len(ys) and all(close(x, y, rel) for x, y in zip(xs, ys))


def t64(x: float):
    """A float64 torch leaf that wants a gradient, built directly (never through float32).

    torch is imported here, not at the top, so that tests which do not need it start fast.
    """
    import torch

    return torch.tensor(x, dtype=torch.float64, requires_grad=True)


def reachable(root) -> list:
    """Every node of ``root``'s graph, once each, found through ``_prev`` (any micrograd-style node)."""
    seen, stack, out = {id(root)}, [root], [root]
    while stack:
        for child in stack.pop()._prev:
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
                out.append(child)
    return out


def is_reverse_topological(order: list) -> bool:
    """True when every node comes after all of the nodes in ``order`` that use it."""
    position = {id(n): i for i, n in enumerate(order)}
    return all(position[id(child)] > position[id(n)] for n in order for child in n._prev)


def printed_line(capsys) -> str:
    """The one line printed since capsys was last read (a check prints exactly one), without its newline."""
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.endswith("\n"), out
    return out[:-1]


def wrong_line(capsys, task: str, said: str, hint: str) -> str:
    """The one line printed: ``task``'s WRONG verdict, saying ``said``, with ``hint`` after "Hint: "."""
    line = printed_line(capsys)
    assert line.startswith(f"{task}: WRONG: "), line
    assert said in line and hint in line.partition("Hint: ")[2], line
    return line


def load(path: Path):
    """The module in the file ``path`` (a script), loaded without sys.path."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_n(*args: str, cwd: Path = ROOT) -> str:
    """What ``make -n ARGS`` in ``cwd`` would run (it runs nothing but the Makefile's own $(shell ...))."""
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def read_notebook(path: Path):
    """The notebook at ``path``, as nbformat's version 4."""
    import nbformat

    return nbformat.read(path, as_version=4)


class LectureValue(lecture.Value):
    """The lecture's Value (:mod:`grad.lecture`) under a name of its own, which messages that name
    the class show, so that they tell it apart from ``grad.Value``."""


def lecture_neuron(cls=LectureValue):
    """The lecture's neuron (:func:`grad.lecture.lecture_neuron`) in ``cls``: (o, {leaf label: leaf})."""
    nodes = lecture.lecture_neuron(cls)
    return nodes["o"], {name: nodes[name] for name in ("x1", "x2", "w1", "w2", "b")}


# ---- graphs shared by the grad.viz tests ---------------------------------------------------


def lecture_L(cls=Value) -> dict:
    """The lecture's L = (a*b + c) * f (:func:`grad.lecture.lecture_L`) in ``cls``, grad.Value by default."""
    return lecture.lecture_L(cls)


def neuron_sum(n: int):
    """tanh(x0*w0 + ... + x(n-1)*w(n-1)) in grad.Values: 4n values, 2n ops."""
    x = [Value(i / 10, label=f"x{i}") for i in range(n)]
    w = [Value(-i / 20, label=f"w{i}") for i in range(n)]
    s = x[0] * w[0]
    for xi, wi in zip(x[1:], w[1:]):
        s = s + xi * wi
    return s.tanh()
