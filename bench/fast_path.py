"""What three of grad's speed tricks are worth: switch one off, time the moons step again.

(Tricks 4-6 are timed per op by bench/ops.py; see the fast-path section of grad/engine.py.)

``python bench/fast_path.py`` in either venv (it needs grad only; ``--quick`` for a smoke run). The
work is bench.py's moons step without the update, forward + backward (build the loss, zero the
gradients, backpropagate; the graph is freed inside the timing too), as (a) the Value-API model code,
whose nodes all have one or two children, and (b) grad.nn + grad.losses, mostly n-ary ``dot`` nodes.
Each variant patches ``grad.engine`` in this process only (see the fast-path section of
grad/engine.py):

1. *tuples*: every node keeps its edges as a ``(children, local)`` tuple pair in ``_many``, never in
   the slots ``_a/_da/_b/_db``; ``_order`` and ``Value.backward`` then take their n-ary branch.
2. *build_topo*: ``_order`` is the lecture's recursive build_topo (a visited set, recursion over
   ``_prev``, the recursion limit raised to 100,000 while it runs), reversed.
3. *reference loop*: ``Value.backward`` is the three-line loop over ``_prev`` and ``_local``.

Each variant must give the engine's loss and gradients (to REL, relative or absolute below 1). The
slow-down is the variant's CPU time over the engine's within a block, median over the blocks; in a
block each runs 3 steps in turn, each after ``gc.collect()``, with the collector on.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import statistics
import sys
import time
from functools import partial

import bench
import grad.engine as E
from grad import Value
from grad.nn import MLP as GradMLP

REL = 1e-12


def tuples_make(data, op, a=None, da=0.0, b=None, db=0.0, out=None) -> Value:
    """``grad.engine._make`` with a node's edges in a (children, local) tuple pair, never in slots."""
    out = E._new(Value) if out is None else out
    out.data = data
    out.grad = 0.0
    out.label = ""
    out._op = op
    out._a, out._da, out._b, out._db = None, 0.0, None, 0.0
    out._many = None if a is None else ((a,), (da,)) if b is None else ((a, b), (da, db))
    out._mark = None
    out._id = E._next_id()
    return out


def build_topo(root: Value) -> list[Value]:
    """The lecture's topological sort, recursive, reversed: root first."""
    topo, visited = [], set()

    def build(v):
        if v not in visited:
            visited.add(v)
            for child in v._prev:
                build(child)
            topo.append(v)

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(100_000)
    try:
        build(root)
    finally:
        sys.setrecursionlimit(limit)
    return topo[::-1]


def reference_backward(root: Value) -> None:
    """The three-line loop of Value.backward's docstring, on the engine's own order."""
    root.grad = 1.0
    for node in E._order(root):
        for child, local in zip(node._prev, node._local):
            child.grad += local * node.grad


VARIANTS = {
    "engine": {},
    "1. a (children, local) tuple pair on every node instead of slots": {"_make": tuples_make},
    "2. the lecture's recursive build_topo instead of the creation-order sort": {"_order": build_topo},
    "3. the three-line reference loop instead of the unrolled one": {"Value.backward": reference_backward},
}


def owner(name: str) -> tuple[object, str]:
    """Where ``name`` lives: grad.engine for a function, the class for ``"Value.backward"``."""
    cls, _, attr = name.rpartition(".")
    return (getattr(E, cls) if cls else E), attr


@contextlib.contextmanager
def patched(changes: dict):
    saved = {name: getattr(*owner(name)) for name in changes}
    try:
        for name, f in changes.items():
            setattr(*owner(name), f)
        yield
    finally:
        for name, f in saved.items():
            setattr(*owner(name), f)


def workloads(points: int) -> dict:
    """``{name: run}``: each ``run()`` is one forward + backward and returns (loss, gradients, nodes)."""
    X, y = bench.moons(points)
    weights = bench.initial_weights()
    models = {
        "(a) Value-API code": (bench.MLP(Value, weights), partial(bench.demo_loss, Value)),
        "(b) grad.nn + grad.losses": (
            bench.loaded(GradMLP(2, [16, 16, 1], activation="relu", output_activation="linear"), weights),
            bench.grad_loss,
        ),
    }

    def run(model, loss_fn, count: bool = False):
        loss = loss_fn(model, X, y)
        model.zero_grad()
        loss.backward()
        nodes = len(E.backward_order(loss)) if count else None
        return loss.data, [p.grad for p in model.parameters()], nodes

    return {name: partial(run, model, loss_fn) for name, (model, loss_fn) in models.items()}


def check(run) -> int:
    """Assert that every variant gives the engine's loss and gradients; returns the graph's node count."""
    loss, grads, nodes = run(count=True)
    for name, changes in VARIANTS.items():
        with patched(changes):
            got_loss, got_grads, _ = run()
        for x, y in zip([loss, *grads], [got_loss, *got_grads], strict=True):
            if not abs(x - y) <= REL * max(1.0, abs(x)):
                raise AssertionError(f"{name}: a gradient or the loss differs, {y!r} against {x!r}")
    return nodes


def slowdowns(run, blocks: int, steps: int) -> dict[str, list[float]]:
    """Each variant's CPU time over the engine's in the same block: [lower quartile, median, upper].

    In a block every variant and the engine run ``steps`` steps each, in turn (the order reversed
    every other block), so that a ratio compares runs made close together on a shared machine.
    """
    ratios = {name: [] for name in VARIANTS}
    for i in range(blocks):
        times = {}
        for name in list(VARIANTS)[:: 1 if i % 2 == 0 else -1]:
            with patched(VARIANTS[name]):
                gc.collect()
                t0 = time.process_time()
                for _ in range(steps):
                    run()
                times[name] = time.process_time() - t0
        for name, t in times.items():
            ratios[name].append(t / times["engine"])
    return {name: statistics.quantiles(rs, n=4, method="inclusive") for name, rs in ratios.items()}


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: 10 points, 2 blocks of 1 step")
    args = parser.parse_args(argv)
    points, blocks, steps = (10, 2, 1) if args.quick else (bench.POINTS, 25, 3)
    columns = {}
    for name, run in workloads(points).items():
        nodes = check(run)
        print(f"fast_path: {name}: {nodes:,} nodes, every variant gives the same gradients", file=sys.stderr)
        columns[f"{name}, {nodes:,} nodes"] = slowdowns(run, blocks, steps)
    lines = [
        f"Slow-down of forward + backward on {points} moons points with one trick switched off "
        f"(CPU time; median and quartiles of the ratio over {blocks} interleaved blocks of {steps} steps)",
        "",
        "| Switched off | " + " | ".join(columns) + " |",
        "|---|" + "---:|" * len(columns),
    ]
    for name in list(VARIANTS)[1:]:
        cells = [f"{q[1]:.2f}× ({q[0]:.2f}–{q[2]:.2f})" for q in (col[name] for col in columns.values())]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    text = "\n".join(lines) + "\n"
    print(text, end="")
    return text


if __name__ == "__main__":
    main()
