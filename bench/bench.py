"""Speed of grad against micrograd 0.1.0 on micrograd's own demo step, plus grad's scaling.

Run it with ``make bench``, which builds ``.venv-bench`` (grad, numpy, micrograd==0.1.0 from PyPI)
and runs ``.venv-bench/bin/python bench/bench.py``. Options: ``--quick`` for a smoke run of a few
seconds; ``--reps`` and ``--steps`` to change the repetitions. The Markdown report is printed and
written to ``bench/results.md``, which every run overwrites.

What is measured (the model code itself is in ``bench/workload.py``):

- (a) *engine*: one module of Value-API model code in micrograd's style, run once with
  ``micrograd.engine.Value`` and once with ``grad.Value``.
- (b) *idiomatic*: ``grad.nn`` + ``grad.losses`` + ``grad.optim`` against ``micrograd.nn`` with the
  loss code of micrograd's demo notebook.
- Scaling: forward + backward time per node of graphs of 1e3 ... 1e6 nodes.

Method: both engines start from the same weights, and before any timing the script asserts that
they give the same loss, the same 337 gradients and the same weights after one update. Timed
blocks alternate between the engines (A B A B ...) in this one process. ``gc.collect()`` runs
before every block, outside the timing, so that one engine's cyclic garbage is never collected on
the other's clock; the collector stays enabled inside the timing, since its work is part of an
engine's real cost. Times are CPU time of this process (``time.process_time``), which other work on
a shared machine does not inflate; wall-clock ratios are reported too. Numbers are medians.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import workload as wl

import grad
from grad import Value as GradValue

RESULTS = Path(__file__).resolve().parent / "results.md"
TOL = 1e-9
SCALING_SIZES = (1_000, 10_000, 100_000, 1_000_000)
MICROGRAD_WIDE_MAX = 100_000  # micrograd gets slow and memory-hungry beyond this
MICROGRAD_DEEP_MAX = 10_000  # enough to show its recursive backward() failing


# ---- same numbers ------------------------------------------------------------------------


def gap(xs: Sequence[float], ys: Sequence[float], floor: float) -> float:
    """Largest ``|x - y| / max(floor, |x|, |y|)`` over the pairs (0 where both are 0).

    ``floor=0`` gives the relative difference; ``floor=1`` is relative for large numbers and
    absolute for small ones, the right measure when the two sides sum in different orders.
    """
    if len(xs) != len(ys):
        raise AssertionError(f"{len(xs)} numbers against {len(ys)}")
    worst = 0.0
    for x, y in zip(xs, ys):
        scale = max(floor, abs(x), abs(y))
        if scale:
            worst = max(worst, abs(x - y) / scale)
    return worst


def check_same(name: str, X: list, y: list, a: Any, b: Any, floor: float) -> float:
    """Assert two runs give the same loss, gradients and updated weights; return the largest gap.

    Leaves both runs one step further on, with the same weights.
    """
    loss_a = float(a.forward_backward(X, y).data)
    loss_b = float(b.forward_backward(X, y).data)
    gaps = {"loss": gap([loss_a], [loss_b], floor), "gradients": gap(a.gradients(), b.gradients(), floor)}
    a.update()
    b.update()
    gaps["weights after one update"] = gap(a.weights(), b.weights(), floor)
    for what, worst in gaps.items():
        if not worst <= TOL:
            raise AssertionError(f"{name}: the engines' {what} differ by {worst:.3g} (tolerance {TOL:g})")
    return max(gaps.values())


# ---- timing ------------------------------------------------------------------------------


@dataclass
class Samples:
    """Milliseconds per step of one engine on one figure, one entry per timed block."""

    cold_cpu: list[float] = field(default_factory=list)
    cold_wall: list[float] = field(default_factory=list)
    loop_cpu: list[float] = field(default_factory=list)
    loop_wall: list[float] = field(default_factory=list)


def alternate(runs: dict[str, Callable[[], object]], reps: int, steps: int) -> dict[str, Samples]:
    """Time each engine's steps in blocks, the engines taking turns, ``reps`` blocks each.

    A block is ``gc.collect()`` (not timed), then one timed step (the *first step*, with no
    garbage left from earlier steps), then ``steps`` more timed steps (the *training loop*: each
    also pays for freeing or collecting the graph the step before left behind, as in training).
    """
    out = {name: Samples() for name in runs}
    cpu, wall = time.process_time, time.perf_counter
    for _ in range(reps):
        for name, step in runs.items():
            gc.collect()
            c0, w0 = cpu(), wall()
            step()
            c1, w1 = cpu(), wall()
            for _ in range(steps):
                step()
            c2, w2 = cpu(), wall()
            s = out[name]
            s.cold_cpu.append((c1 - c0) * 1e3)
            s.cold_wall.append((w1 - w0) * 1e3)
            s.loop_cpu.append((c2 - c1) * 1e3 / steps)
            s.loop_wall.append((w2 - w1) * 1e3 / steps)
    return out


def time_graph(build: Callable[[], tuple[Any, int]], collector: bool = True) -> float:
    """CPU µs per node to build a graph and backpropagate through it (freeing it is not timed).

    With ``collector=False`` the cycle collector is off during the timing, which shows the
    engine's own cost apart from that of Python's garbage collector.
    """
    gc.collect()
    if not collector:
        gc.disable()
    try:
        t0 = time.process_time()
        root, nodes = build()
        root.backward()
        t1 = time.process_time()
    finally:
        gc.enable()
    del root
    return (t1 - t0) * 1e6 / nodes


def scaling(sizes: Sequence[int], reps: int, micrograd_value: Any) -> list[dict[str, Any]]:
    """µs/node at each size (median of the runs): grad on wide and deep graphs, micrograd on wide ones.

    micrograd's ``backward()`` sorts the graph recursively, so on the deep graph it is only tried
    (not timed), up to 1e4 nodes, to show where it stops working.
    """
    rows = []
    for n in sizes:
        blocks, links = max(1, round((n + 1) / 7)), max(1, round((n - 1) / 5))
        runs: dict[str, Callable[[], float]] = {
            "grad wide": lambda b=blocks: time_graph(lambda: wl.wide_graph(GradValue, b)),
            "grad wide, no gc": lambda b=blocks: time_graph(lambda: wl.wide_graph(GradValue, b), False),
            "grad deep": lambda k=links: time_graph(lambda: wl.deep_graph(GradValue, k)),
        }
        if n <= MICROGRAD_WIDE_MAX:
            runs["micrograd wide"] = lambda b=blocks: time_graph(lambda: wl.wide_graph(micrograd_value, b))
        times: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(max(reps, min(30, 100_000 // n))):  # more runs for small graphs, against noise
            for name, run in runs.items():
                times[name].append(run())
        row: dict[str, Any] = {name: statistics.median(ts) for name, ts in times.items()}
        row["nodes"] = n
        if n <= MICROGRAD_DEEP_MAX:
            row["micrograd deep"] = _try_deep(micrograd_value, links)
        rows.append(row)
    return rows


def _try_deep(value_class: Any, links: int) -> str:
    root, _ = wl.deep_graph(value_class, links)
    try:
        root.backward()
    except RecursionError:
        return "RecursionError"
    return "works"


# ---- report ------------------------------------------------------------------------------


def machine() -> str:
    """CPU model, core count and Python version."""
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    python = f"{platform.python_implementation()} {platform.python_version()}"
    return f"{cpu}, {os.cpu_count()} cores; {python} on {platform.system()}"


def revision() -> str:
    """The git commit of the grad being measured, marked when the working tree has changes."""
    root = Path(__file__).resolve().parent.parent
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "describe", "--always", "--dirty=+local changes", "--abbrev=10"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip() or "unknown"


def command(argv: Sequence[str]) -> str:
    """The command line that ran this benchmark, relative to the working directory."""
    try:
        python = os.path.relpath(sys.executable)
        script = os.path.relpath(Path(__file__).resolve())
    except ValueError:  # another drive, on Windows
        python, script = sys.executable, str(Path(__file__).resolve())
    cmd = f"`{shlex.join([python, script, *argv])}`"
    return f"`make bench`, i.e. {cmd}" if os.environ.get("MAKELEVEL") and not argv else cmd


def _cell(ms: list[float]) -> str:
    return f"{statistics.median(ms):.1f} ({min(ms):.1f}–{max(ms):.1f})"


def _ratio(slow: list[float], fast: list[float]) -> str:
    return f"{statistics.median(slow) / statistics.median(fast):.1f}×"


def _us(x: float | str | None) -> str:
    if x is None:
        return "—"
    return x if isinstance(x, str) else f"{x:.2f}"


def report(
    args: argparse.Namespace,
    argv: Sequence[str],
    figures: dict[str, dict[str, Samples]],
    gaps: dict[str, float],
    rows: list[dict[str, Any]],
) -> str:
    """The results as Markdown, ready to paste into the README."""
    mg = version("micrograd")
    more = f"{args.steps} more steps give" if args.steps > 1 else "1 more step gives"
    lines = [
        f"## Speed: grad {grad.__version__} against micrograd {mg}" + (" (quick run)" if args.quick else ""),
        "",
        "One training step of micrograd's demo: MLP(2, [16, 16, 1]) on 100 two-moons points, full",
        "batch, hinge loss + 1e-4 · L2, backward, SGD update. (a) *engine*: the same Value-API model",
        "code run on each engine's `Value`. (b) *idiomatic*: `micrograd.nn` with the demo's own loss",
        "code, against `grad.nn` + `grad.losses` + `grad.optim`.",
        "",
        f"CPU milliseconds per step, median (min–max) of {args.reps} blocks per engine, the engines",
        "taking turns. Each block starts after `gc.collect()`; its first step is timed on its own,",
        f"then {more} the *training loop* figure, where each step also pays for the graph the",
        "step before left behind: micrograd's nodes form reference cycles that only the cycle",
        "collector can reclaim, while grad's graph is freed as soon as the loss is dropped.",
        "",
        f"| Figure | Measure | micrograd {mg} | grad | Speed-up |",
        "|---|---|---:|---:|---:|",
    ]
    names = {"a": "(a) engine", "b": "(b) idiomatic"}
    wall = []
    cpu_total = wall_total = 0.0
    for key, samples in figures.items():
        m, g = samples["micrograd"], samples["grad"]
        lines += [
            f"| {names[key]} | training loop | {_cell(m.loop_cpu)} | {_cell(g.loop_cpu)} | "
            f"**{_ratio(m.loop_cpu, g.loop_cpu)}** |",
            f"| {names[key]} | first step after `gc.collect()` | {_cell(m.cold_cpu)} | {_cell(g.cold_cpu)} "
            f"| {_ratio(m.cold_cpu, g.cold_cpu)} |",
        ]
        wall.append(
            f"{names[key]} {_ratio(m.loop_wall, g.loop_wall)} (training loop) and "
            f"{_ratio(m.cold_wall, g.cold_wall)} (first step)"
        )
        for s in (m, g):
            cpu_total += sum(s.cold_cpu) + args.steps * sum(s.loop_cpu)
            wall_total += sum(s.cold_wall) + args.steps * sum(s.loop_wall)
    extra = wall_total / cpu_total - 1.0
    shared = (
        f"Wall-clock time exceeded CPU time by {extra:.0%}, so the CPU was shared with other work "
        "during the run; that is why CPU time is the figure of record."
        if extra > 0.1
        else "Wall-clock and CPU time agreed to within 10%."
    )
    runs = [max(args.scaling_reps, min(30, 100_000 // row["nodes"])) for row in rows]
    scaling_runs = f"{'/'.join(map(str, runs))} run{'s' if max(runs) > 1 else ''}, size by size"
    lines += [
        "",
        f"Wall-clock speed-ups from the same blocks: {'; '.join(wall)}. {shared}",
        "",
        "Both engines start from the same weights, and the benchmark first checks that they give the",
        f"same loss, the same 337 gradients and the same weights after one update: to {TOL:g} relative",
        f"for (a) (largest gap {gaps['a']:.1e}) and to {TOL:g} · max(1, |x|) for (b), whose fused nodes",
        f"sum in a different order (largest gap {gaps['b']:.1e}).",
        "",
        "### Scaling: forward + backward, CPU µs per node",
        "",
        "*Wide*: blocks `((a*b + b).relu()) * a` summed by a balanced tree of `+` (depth ~ log2 n).",
        "*Deep*: a chain `x = (x*w + c).relu()` (depth 0.6 n). *No gc*: the wide graph with the cycle",
        "collector switched off during the timing, which leaves the engine's own cost; the difference",
        f"is the collector's passes over the growing graph. Median of {scaling_runs}.",
        "",
        "| Nodes | grad, wide | grad, wide, no gc | grad, deep | micrograd, wide | micrograd, deep |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    keys = ("grad wide", "grad wide, no gc", "grad deep", "micrograd wide", "micrograd deep")
    for row in rows:
        lines.append(f"| {row['nodes']:,} | " + " | ".join(_us(row.get(k)) for k in keys) + " |")
    lines += [
        "",
        f"Machine: {machine()}. grad at commit {revision()}. Command: {command(argv)}.",
        "",
    ]
    return "\n".join(lines)


# ---- main --------------------------------------------------------------------------------


def say(message: str) -> None:
    print(f"bench: {message} ...", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run of a few seconds")
    parser.add_argument("--reps", type=int, help="timed blocks per engine and figure (default 7; quick 1)")
    parser.add_argument("--steps", type=int, help="training-loop steps per block (default 3; quick 1)")
    args = parser.parse_args(argv)
    args.reps = args.reps if args.reps is not None else (1 if args.quick else 7)
    args.steps = args.steps if args.steps is not None else (1 if args.quick else 3)
    if args.reps < 1 or args.steps < 1:
        parser.error("--reps and --steps must be at least 1")
    args.scaling_reps = 1 if args.quick else 3
    sizes = SCALING_SIZES[:2] if args.quick else SCALING_SIZES

    from micrograd.engine import Value as MicroValue

    X, y = wl.moons_data(100)
    weights = wl.initial_weights()

    say("checking that both engines give the same numbers")
    a_micro, a_grad = wl.ValueApiRun(MicroValue, weights), wl.ValueApiRun(GradValue, weights)
    b_micro, b_grad = wl.MicrogradIdiomatic(weights), wl.GradIdiomatic(weights)
    gaps = {
        "a": check_same("figure (a)", X, y, a_micro, a_grad, floor=0.0),
        "b": check_same("figure (b)", X, y, b_micro, b_grad, floor=1.0),
    }

    figures = {}
    for key, micro, ours in (("a", a_micro, a_grad), ("b", b_micro, b_grad)):
        say(f"figure ({key}): {args.reps} blocks of 1 + {args.steps} steps per engine")
        runs = {"micrograd": lambda r=micro: r.step(X, y), "grad": lambda r=ours: r.step(X, y)}
        figures[key] = alternate(runs, args.reps, args.steps)
    del a_micro, a_grad, b_micro, b_grad, runs, micro, ours

    say(f"scaling: {', '.join(f'{n:,}' for n in sizes)} nodes")
    rows = scaling(sizes, args.scaling_reps, MicroValue)

    text = report(args, argv, figures, gaps, rows)
    print(text)
    RESULTS.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
