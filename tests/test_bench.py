"""bench/: the benchmark's workload, its equality check, a --quick run, the README's table; nothing is timed.

micrograd lives in ``.venv-bench`` only, so the benchmark runs here against the lecture's micrograd,
:class:`grad.lecture.Value`: a ``_backward`` closure per node, children in a set, a recursive
topological sort. grad's side of the workload is pinned to a
float64 torch model with the same weights, and bench/fast_path.py's variants must still switch
off what they claim to and give the engine's gradients.
"""

from __future__ import annotations

import gc
import re
import sys
from pathlib import Path

import pytest
import torch
from helpers import all_close

from grad import Value
from grad.engine import backward_order
from grad.lecture import Value as LectureValue

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def bench():
    """bench/bench.py, imported the way bench/fast_path.py imports it.

    The micrograd-style graphs below are cyclic garbage, and every full collection would also walk
    the test process's large heap (torch, pytest): ``gc.freeze()`` leaves that heap out meanwhile.
    """
    sys.path.insert(0, str(ROOT / "bench"))
    gc.freeze()
    try:
        import bench

        yield bench
    finally:
        gc.unfreeze()
        sys.path.remove(str(ROOT / "bench"))


class WrongRelu(LectureValue):
    """Right values, wrong gradients: relu passes the gradient on where it is off."""

    def relu(self):
        out = type(self)(max(self.data, 0.0), (self,), "ReLU")

        def _backward():
            self.grad += out.grad

        out._backward = _backward
        return out


def mini_mlp(bench):
    """A stand-in for micrograd.nn.MLP(nin, nouts): the bench's own copy of it (weights set later)."""
    return lambda nin, nouts: bench.MLP(LectureValue, [0.0] * bench.N_PARAMS, [nin, *nouts])


def torch_step(bench, weights, X, y):
    """Loss, gradients and updated weights of the demo step, in float64 torch."""
    flat = torch.tensor(weights, dtype=torch.float64, requires_grad=True)
    h, offset, sizes = torch.tensor(X, dtype=torch.float64), 0, bench.SIZES
    for i, (nin, nout) in enumerate(zip(sizes, sizes[1:])):
        block = flat[offset : offset + (nin + 1) * nout].view(nout, nin + 1)  # a row per neuron: w..., b
        offset += (nin + 1) * nout
        h = h @ block[:, :nin].T + block[:, nin]
        h = torch.relu(h) if i < len(sizes) - 2 else h
    labels = torch.tensor(y, dtype=torch.float64)
    loss = torch.relu(1 - labels * h[:, 0]).mean() + bench.ALPHA * (flat * flat).sum()
    loss.backward()
    grads = flat.grad.tolist()
    return loss.item(), grads, [w - bench.LR * g for w, g in zip(weights, grads)]


def test_both_grad_steps_match_torch_step_after_step(bench):
    X, y = bench.moons(12)
    weights = bench.initial_weights(seed=5)
    first = loss, grads, updated = torch_step(bench, weights, X, y)
    second = torch_step(bench, updated, X, y)
    assert loss > 0.01 and sum(g != 0 for g in grads) > 100  # margins violated, units on and off
    for figure, pair in bench.runs(LectureValue, mini_mlp(bench), weights).items():
        model, step = pair["grad"]
        for loss, grads, updated in (first, second):  # the second fails if gradients were not zeroed
            assert all_close([step(X, y)], [loss], rel=1e-12), figure
            assert all_close([p.grad for p in model.parameters()], grads, rel=1e-12), figure
            assert all_close([p.data for p in model.parameters()], updated, rel=1e-12), figure


def test_check_passes_when_the_engines_agree_and_leaves_them_in_step(bench):
    X, y = bench.moons(12)
    for figure, pair in bench.runs(LectureValue, mini_mlp(bench), bench.initial_weights()).items():
        assert bench.check(figure, pair, X, y) <= 1e-12
        (m, _), (g, _) = pair.values()
        assert len(m.parameters()) == bench.N_PARAMS
        assert all_close([p.data for p in m.parameters()], [p.data for p in g.parameters()], rel=1e-12)


def test_check_fails_loudly_on_a_different_loss_or_gradient(bench):
    X, y = bench.moons(12)
    weights = bench.initial_weights()
    nudged = [*weights[:-1], weights[-1] + 1e-6]  # the output bias: moves the loss
    pairs = {
        "loss": (bench.MLP(LectureValue, nudged), LectureValue),
        "gradients": (bench.MLP(WrongRelu, weights), WrongRelu),
    }
    for what, (model, V) in pairs.items():
        grad_model = bench.MLP(Value, weights)
        pair = {
            "micrograd": (model, bench.demo_step(V, model)),
            "grad": (grad_model, bench.demo_step(Value, grad_model)),
        }
        with pytest.raises(AssertionError, match=rf"\(a\) engine: the engines' {what} differ by"):
            bench.check("a", pair, X, y)


@pytest.mark.parametrize("n", [1, 7, 13, 100, 1_000])
def test_scaling_graphs_have_the_stated_node_counts(bench, n):
    root, count = bench.graph(Value, "wide", n)
    assert len(backward_order(root)) == count and abs(count - n) <= 5
    root, count = bench.graph(Value, "deep", n)
    assert len(backward_order(root)) == count and abs(count - n) <= 5
    depth, node = 0, root
    while node._prev:
        depth, node = depth + 1, node._prev[0]
    assert depth == 3 * (count - 1) // 5 and 0.0 <= root.data < 10.0  # relu, +, * per link; bounded


def parse(table: str) -> tuple[str, list[list[str]]]:
    """The line above a Markdown table, and its rows as lists of cells (the separator row checked)."""
    lines = table.strip().splitlines()
    first = next(i for i, ln in enumerate(lines) if ln.startswith("|"))
    header = next(ln for ln in reversed(lines[:first]) if ln.strip())
    rows = [[c.strip() for c in ln.strip().strip("|").split("|")] for ln in lines if ln.startswith("|")]
    assert all(len(row) == len(rows[0]) for row in rows), "rows of different widths"
    assert all(re.fullmatch(r"-+:?", c) for c in rows[1]), "no separator row under the header"
    return header, [rows[0], *rows[2:]]


def test_quick_run_against_the_stand_in(bench, monkeypatch, tmp_path):
    monkeypatch.setattr(bench, "micrograd", lambda: (LectureValue, mini_mlp(bench), "stand-in"))
    monkeypatch.setattr(bench, "QUICK", (6, *bench.QUICK[1:]))  # 6 points instead of 20
    out = tmp_path / "results.md"
    text = bench.main(["--quick", "--out", str(out)])
    assert out.read_text(encoding="utf-8") == text
    header, rows = parse(text)
    assert "against micrograd stand-in; CPython 3." in header and "median of 1 interleaved blocks" in header
    assert rows[0] == ["Workload (6 points)", "micrograd stand-in", "grad", "Speed-up", "Goal"]
    cells = {row[0]: row[1:] for row in rows[1:]}
    assert cells["deep graph, 10,000 nodes: µs per node"][0] == "RecursionError"  # depth 6,000
    assert float(cells["deep graph, 1,000 nodes: µs per node"][0]) > 0  # depth 600 works
    assert len(cells) == 4 + 4


def test_readme_table_is_well_formed_and_meets_the_goals(bench):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- bench -->", 1)[1].split("<!-- /bench -->", 1)[0]
    header, rows = parse(block)
    assert re.search(r"^grad \S+ at [0-9a-f]{10}\S* against micrograd 0\.1\.0; CPython 3\.\d+", header)
    assert rows[0] == [f"Workload ({bench.POINTS} points)", "micrograd 0.1.0", "grad", "Speed-up", "Goal"]
    labels = [
        f"{name}: ms per step, {what}"
        for name in bench.FIGURES.values()
        for what in ("first step after gc.collect()", f"training loop ({bench.LOOP} steps)")
    ] + [f"{shape} graph, {n:,} nodes: µs per node" for shape in ("wide", "deep") for n in bench.SCALES]
    assert [row[0] for row in rows[1:]] == labels
    for label, micro, ours, ratio, goal in rows[1:]:
        if micro in ("RecursionError", "not run"):
            assert ratio == "—"
            continue
        speedup = float(ratio.strip("*×"))
        assert speedup == pytest.approx(float(micro) / float(ours), rel=0.01, abs=0.06), label  # (rounding)
        if "training loop" in label:
            key = "a" if label.startswith("(a)") else "b"
            assert goal == f"≥ {bench.GOALS[key]}×" and speedup >= bench.GOALS[key], label
    assert f"(a) at least {bench.GOALS['a']}×, (b) at least {bench.GOALS['b']}×" in block


def spy(name: str, f, calls: list):
    def wrapper(*args, **kwargs):
        calls.append(name)
        return f(*args, **kwargs)

    return wrapper


def test_fast_path_variants_switch_off_their_trick_and_keep_the_gradients(bench):
    import fast_path

    for name, changes in fast_path.VARIANTS.items():  # the engine really calls each replacement
        calls = []
        with fast_path.patched({k: spy(k, f, calls) for k, f in changes.items()}):
            (Value(2.0) * Value(3.0)).backward()
        assert set(calls) == set(changes), name
    with fast_path.patched({"_make": fast_path.tuples_make}):
        product = Value(2.0) * Value(3.0)
    assert product._a is None and product._many[1] == (3.0, 2.0)
    for run in fast_path.workloads(5).values():
        assert fast_path.check(run) > 300  # raises if a variant's loss or a gradient differs


def test_ops_loads_engines_side_by_side_and_tables_them(bench, tmp_path):
    """bench/ops.py: an engine from a file, from git (HEAD) and the working tree, each a module of its own."""
    import ops

    import grad.engine

    copy = tmp_path / "engine_copy.py"
    copy.write_text((ROOT / "grad" / "engine.py").read_text(encoding="utf-8"), encoding="utf-8")
    revs = [str(copy), "HEAD", "."]
    before = dict(sys.modules)
    engines = [ops.load(rev, tmp_path) for rev in revs]
    assert {name: mod for name, mod in sys.modules.items() if name.startswith("grad")} == {
        name: mod for name, mod in before.items() if name.startswith("grad")
    }  # the package in use is left as it was
    assert engines[2].__file__ == str(ROOT / "grad" / "engine.py")
    assert len({id(e.Value) for e in engines} | {id(grad.engine.Value)}) == 4  # four modules
    for engine in engines:
        x = ops.chain(engine.Value, 10)
        x.backward()
        assert x.data == pytest.approx(0.5 * 0.999**5 + 0.001 * sum(0.999**k for k in range(5)), rel=1e-12)
    text = ops.main([*revs, "--rounds", "1", "--number", "10"])
    header, rows = parse(text)
    assert rows[0] == ["op", *revs] and [row[0] for row in rows[1:]] == [*ops.OPS, "backward per node"]
    assert all(float(cell) > 0 for row in rows[1:] for cell in row[1:])
