"""grad against micrograd 0.1.0 on one training step of micrograd's moons demo, and grad's scaling.

``make bench`` runs it in ``.venv-bench`` and writes the table it prints to ``bench/results.md``;
``--quick`` is a smoke run (20 points, one block, two sizes). The README's "Speed" section explains
the method; in short: (a) *engine* runs one copy of Value-API model code (micrograd.nn's MLP and the
demo's loss, below) on each engine's ``Value``; (b) *idiomatic* is ``micrograd.nn`` with the demo's
loss code against ``grad.nn`` + ``grad.losses`` + ``grad.optim``. From the same weights, one step of
each engine must give the same loss, 337 gradients and new weights (to TOL relative, absolute below
1) before anything is timed. Times are CPU time, medians of blocks in which the engines take turns;
each block is ``gc.collect()``, one timed step, then LOOP more (the training loop), collector on.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

import grad
from grad import Value
from grad.data import make_moons
from grad.losses import hinge, l2
from grad.nn import MLP as GradMLP
from grad.optim import SGD

HERE = Path(__file__).resolve().parent
SIZES = [2, 16, 16, 1]
N_PARAMS = 337  # (2 + 1) * 16 + (16 + 1) * 16 + (16 + 1) * 1
POINTS, ALPHA, LR, TOL = 100, 1e-4, 0.1, 1e-9
BLOCKS, LOOP = 7, 3
FIGURES = {"a": "(a) engine", "b": "(b) idiomatic"}
GOALS = {"a": 10, "b": 25}  # the training-loop speed-up each figure must reach
SCALES = [1_000, 10_000, 100_000, 1_000_000]
QUICK = (20, 1, 1, SCALES[:2])  # --quick: points, blocks, steps per loop, graph sizes
MICROGRAD_MAX = 100_000  # micrograd takes ~0.8 KB a node (0.8 GB at 1e6)


def moons(n: int) -> tuple[list[list[float]], list[float]]:
    """``n`` two-moons points and their labels (-1.0 or 1.0), as plain Python floats."""
    X, y = make_moons(n, noise=0.1, seed=1)
    return X.tolist(), [float(v) for v in y]


def initial_weights(seed: int = 0) -> list[float]:
    """337 weights in parameters() order: [w_1, ..., w_nin, b] for each neuron, layer after layer."""
    rng = random.Random(seed)
    return [rng.uniform(-1.0, 1.0) for _ in range(N_PARAMS)]


class Neuron:
    def __init__(self, Value, weights: list[float], nonlin: bool) -> None:
        *self.w, self.b = map(Value, weights)
        self.nonlin = nonlin

    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.relu() if self.nonlin else act


class MLP:
    """micrograd.nn.MLP (ReLU hidden layers, linear output), made of ``Value``s holding ``weights``."""

    def __init__(self, Value, weights: list[float], sizes: list[int] = SIZES) -> None:
        it = iter(weights)
        self.layers = [
            [Neuron(Value, [next(it) for _ in range(nin + 1)], i < len(sizes) - 2) for _ in range(nout)]
            for i, (nin, nout) in enumerate(zip(sizes, sizes[1:]))
        ]

    def __call__(self, x):
        for layer in self.layers:
            x = [n(x) for n in layer]
        return x[0] if len(x) == 1 else x

    def parameters(self) -> list:
        return [p for layer in self.layers for n in layer for p in [*n.w, n.b]]

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = 0


def demo_loss(Value, model, X, y):
    """The loss code of micrograd's demo: mean hinge loss over the batch + ALPHA * sum of squared weights."""
    inputs = [list(map(Value, xrow)) for xrow in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = ALPHA * sum(p * p for p in model.parameters())
    return data_loss + reg_loss


def grad_loss(model, X, y):
    """The same loss with grad.losses on a ``grad.nn`` model: hinge (a mean) + ALPHA * l2 (a sum)."""
    return hinge([model(x) for x in X], y) + ALPHA * l2(model.parameters())


def demo_step(Value, model):
    """The step of micrograd's demo on ``model``: demo_loss, zero_grad, backward, the SGD update by hand."""

    def step(X, y) -> float:
        total_loss = demo_loss(Value, model, X, y)
        model.zero_grad()
        total_loss.backward()
        for p in model.parameters():
            p.data -= LR * p.grad
        return total_loss.data

    return step


def grad_step(model):
    """The same step with grad's library: grad_loss, then grad.optim.SGD's zero_grad and step."""
    optimizer = SGD(model.parameters(), lr=LR)

    def step(X, y) -> float:
        loss = grad_loss(model, X, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.data

    return step


def loaded(model, weights: list[float]):
    """``model`` (a micrograd.nn or grad.nn MLP) with its parameters set to ``weights``."""
    for p, w in zip(model.parameters(), weights, strict=True):
        p.data = w
    return model


def runs(micro_value, micro_mlp, weights: list[float]) -> dict:
    """``{figure: {engine: (model, step)}}``, every model starting from ``weights``."""
    am, ag = MLP(micro_value, weights), MLP(Value, weights)
    bm = loaded(micro_mlp(SIZES[0], SIZES[1:]), weights)
    bg = loaded(GradMLP(SIZES[0], SIZES[1:], activation="relu", output_activation="linear"), weights)
    return {
        "a": {"micrograd": (am, demo_step(micro_value, am)), "grad": (ag, demo_step(Value, ag))},
        "b": {"micrograd": (bm, demo_step(micro_value, bm)), "grad": (bg, grad_step(bg))},
    }


def check(figure: str, pair: dict, X, y) -> float:
    """One step on each engine; raise unless loss, gradients and new weights agree. Returns the worst gap."""
    seen = []
    for model, step in pair.values():
        loss, ps = step(X, y), model.parameters()
        seen.append({"loss": [loss], "gradients": [p.grad for p in ps], "weights": [p.data for p in ps]})
    worst = 0.0
    for what, xs in seen[0].items():
        gaps = [abs(x - y) / max(1.0, abs(x), abs(y)) for x, y in zip(xs, seen[1][what], strict=True)]
        if not all(gap <= TOL for gap in gaps):  # written so that a NaN fails too
            raise AssertionError(f"{FIGURES[figure]}: the engines' {what} differ by {max(gaps):.2g} > {TOL}")
        worst = max(worst, *gaps)
    return worst


def interleave(steps: dict, X, y, blocks: int, loop: int) -> dict[str, tuple[list[float], list[float]]]:
    """CPU ms per step, ``{engine: (first steps, training-loop steps)}``; the engines take turns."""
    out = {name: ([], []) for name in steps}
    for i in range(blocks):
        for name in list(steps)[:: 1 if i % 2 == 0 else -1]:  # A B, B A, A B, ...
            gc.collect()
            t0 = time.process_time()
            steps[name](X, y)
            t1 = time.process_time()
            for _ in range(loop):
                steps[name](X, y)
            out[name][0].append((t1 - t0) * 1e3)
            out[name][1].append((time.process_time() - t1) * 1e3 / loop)
    return out


def graph(Value, shape: str, n: int):
    """About ``n`` nodes: *wide*, blocks ``(a*b + b).relu() * a`` summed pairwise, or *deep*, a chain
    ``x = (x*w + c).relu()`` (3 levels a link). Returns the root and the exact node count."""
    rng = random.Random(0)
    if shape == "deep":
        x, links = Value(0.5), max(1, round((n - 1) / 5))
        for _ in range(links):
            x = (x * Value(rng.uniform(-0.9, 0.9)) + Value(rng.uniform(0.1, 1.0))).relu()
        return x, 5 * links + 1
    level = [Value(rng.uniform(-1, 1)) for _ in range(2 * max(1, round((n + 1) / 7)))]
    level = [(a * b + b).relu() * a for a, b in zip(level[::2], level[1::2])]
    count = 7 * len(level) - 1
    while len(level) > 1:
        level = [level[i] + level[i + 1] if i + 1 < len(level) else level[i] for i in range(0, len(level), 2)]
    return level[0], count


def per_node(Value, shape: str, n: int) -> float | None:
    """CPU µs per node to build a graph and backpropagate (not to free it); None on a RecursionError."""
    gc.collect()
    t0 = time.process_time()
    root, count = graph(Value, shape, n)
    try:
        root.backward()
    except RecursionError:
        return None
    return (time.process_time() - t0) * 1e6 / count


def scaling(micro_value, sizes: list[int], reps: int | None = None) -> dict[str, dict[str, float | None]]:
    """``{row label: {engine: median µs per node, None where micrograd's recursion fails}}``."""
    rows = {}
    for shape in ("wide", "deep"):
        for n in sizes:
            engines = {"micrograd": micro_value, "grad": Value} if n <= MICROGRAD_MAX else {"grad": Value}
            times = {name: [] for name in engines}
            for _ in range(reps or max(3, 30_000 // n)):
                for name, V in engines.items():
                    times[name].append(per_node(V, shape, n))
            label = f"{shape} graph, {n:,} nodes: µs per node"
            rows[label] = {name: None if None in ts else statistics.median(ts) for name, ts in times.items()}
    return rows


def report(figures: dict, scale: dict, micro_version: str, points: int, blocks: int, loop: int) -> str:
    """The header line (machine, Python, grad's commit) and the table, in Markdown."""
    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""  # Linux only
    cpus = [ln.split(":", 1)[1] for ln in info.splitlines() if ln.startswith("model name")]
    cpu = cpus[0].strip() if cpus else platform.processor() or "unknown CPU"
    git = ["git", "-C", str(HERE), "describe", "--always", "--dirty", "--abbrev=10"]
    try:
        commit = subprocess.run(git, capture_output=True, text=True).stdout.strip() or "unknown"
    except OSError:  # no git
        commit = "unknown"
    python = f"{platform.python_implementation()} {platform.python_version()}"
    lines = [
        f"grad {grad.__version__} at {commit} against micrograd {micro_version}; {python}; {cpu}, "
        f"{os.cpu_count()} cores; CPU time, median of {blocks} interleaved blocks",
        "",
        f"| Workload ({points} points) | micrograd {micro_version} | grad | Speed-up | Goal |",
        "|---|---:|---:|---:|---:|",
    ]
    for key, name in FIGURES.items():
        (m_first, m_loop), (g_first, g_loop) = (figures[key][e] for e in ("micrograd", "grad"))
        for what, m, g, goal in (
            ("first step after gc.collect()", m_first, g_first, ""),
            (f"training loop ({loop} steps)", m_loop, g_loop, f"≥ {GOALS[key]}×"),
        ):
            m, g = statistics.median(m), statistics.median(g)
            ratio = f"**{m / g:.1f}×**" if goal else f"{m / g:.1f}×"
            lines.append(f"| {name}: ms per step, {what} | {m:.1f} | {g:.1f} | {ratio} | {goal} |")
    for label, t in scale.items():
        m, g = t.get("micrograd", "not run"), t["grad"]
        ratio = f"{m / g:.1f}×" if isinstance(m, float) else "—"
        m = "RecursionError" if m is None else m if isinstance(m, str) else f"{m:.2f}"
        lines.append(f"| {label} | {m} | {g:.2f} | {ratio} | |")
    return "\n".join(lines) + "\n"


def micrograd():
    """micrograd's Value class, its MLP and its version (installed in .venv-bench, not in .venv)."""
    from micrograd import engine, nn

    return engine.Value, nn.MLP, version("micrograd")


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run of a few seconds")
    parser.add_argument("--out", type=Path, default=HERE / "results.md", help="where to write the table")
    args = parser.parse_args(argv)
    points, blocks, loop, sizes = QUICK if args.quick else (POINTS, BLOCKS, LOOP, SCALES)
    micro_value, micro_mlp, micro_version = micrograd()
    X, y = moons(points)
    figures = {}
    for key, pair in runs(micro_value, micro_mlp, initial_weights()).items():
        gap = check(key, pair, X, y)
        print(f"bench: {FIGURES[key]}: same loss, gradients, update (worst gap {gap:.1e})", file=sys.stderr)
        figures[key] = interleave({engine: step for engine, (_, step) in pair.items()}, X, y, blocks, loop)
    print(f"bench: scaling, {', '.join(f'{n:,}' for n in sizes)} nodes", file=sys.stderr)
    scale = scaling(micro_value, sizes, 1 if args.quick else None)
    text = report(figures, scale, micro_version, points, blocks, loop)
    print(text, end="")
    args.out.write_text(text, encoding="utf-8")
    return text


if __name__ == "__main__":
    main()
