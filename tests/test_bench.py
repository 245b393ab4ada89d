"""bench/: the benchmark's model code computes what it claims to, checked with grad and torch only.

micrograd is not installed here (it lives in ``.venv-bench``), so these tests pin down grad's side
of the benchmark: figure (a)'s Value-API code and figure (b)'s idiomatic code give the same loss,
the same 337 gradients and the same SGD step as each other and as a float64 torch model with the
same weights; the scaling graphs have the node counts that µs/node is computed from; and the
bench's own equality check rejects runs that differ. Nothing is timed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch

from grad import Value
from grad.engine import backward_order

BENCH = Path(__file__).resolve().parent.parent / "bench"
TOL = 1e-12


@pytest.fixture(scope="module")
def wl():
    """bench/workload.py (and bench/bench.py, which imports it as ``workload``), importable."""
    sys.path.insert(0, str(BENCH))
    try:
        import workload

        yield workload
    finally:
        sys.path.remove(str(BENCH))


@pytest.fixture(scope="module")
def batch(wl):
    return wl.moons_data(12, seed=3)


def close(xs: list[float], ys: list[float], tol: float = TOL) -> bool:
    assert len(xs) == len(ys)
    return all(abs(x - y) <= tol * max(1.0, abs(x), abs(y)) for x, y in zip(xs, ys))


def torch_reference(weights: list[float], X, y, lr: float) -> tuple[float, list[float], list[float]]:
    """Loss, gradients (flat, parameters() order) and updated weights of the demo step in torch."""
    flat = torch.tensor(weights, dtype=torch.float64, requires_grad=True)
    h = torch.tensor(X, dtype=torch.float64)
    sizes = [2, 16, 16, 1]
    offset = 0
    for i, (nin, nout) in enumerate(zip(sizes[:-1], sizes[1:])):
        block = flat[offset : offset + (nin + 1) * nout].view(nout, nin + 1)  # one row per neuron: w..., b
        offset += (nin + 1) * nout
        h = h @ block[:, :nin].T + block[:, nin]
        if i < len(sizes) - 2:
            h = torch.relu(h)
    scores = h[:, 0]
    labels = torch.tensor(y, dtype=torch.float64)
    loss = torch.relu(1 - labels * scores).mean() + 1e-4 * (flat * flat).sum()
    loss.backward()
    grads = flat.grad.tolist()
    return loss.item(), grads, [w - lr * g for w, g in zip(weights, grads)]


def test_weights_are_one_flat_list_in_parameters_order(wl):
    weights = wl.initial_weights()
    assert len(weights) == 337 == (2 + 1) * 16 + (16 + 1) * 16 + (16 + 1) * 1
    assert weights == wl.initial_weights()  # seeded
    assert all(-1.0 <= w <= 1.0 for w in weights)
    run = wl.ValueApiRun(Value, weights)
    assert run.weights() == weights
    assert wl.GradIdiomatic(weights).weights() == weights
    # neuron by neuron, [w_1, ..., w_nin, b]: the first neuron's bias is the third number
    assert run.model.layers[0].neurons[0].b.data == weights[2]
    with pytest.raises(ValueError, match="337 parameters but 336 weights"):
        wl.copy_weights(run.model.parameters(), weights[:-1])


def test_moons_data_is_plain_floats(wl, batch):
    X, y = batch
    assert len(X) == len(y) == 12
    assert all(type(v) is float for row in X for v in row)
    assert sorted(set(y)) == [-1.0, 1.0]


def test_value_api_and_idiomatic_code_match_torch_and_each_other(wl, batch):
    X, y = batch
    weights = wl.initial_weights(seed=5)
    loss_t, grads_t, stepped_t = torch_reference(weights, X, y, wl.LR)

    a = wl.ValueApiRun(Value, weights)
    b = wl.GradIdiomatic(weights)
    loss_a = a.forward_backward(X, y).data
    loss_b = b.forward_backward(X, y).data
    grads_a, grads_b = a.gradients(), b.gradients()

    # the check must exercise something: some margins are violated, some ReLUs are dead
    assert loss_t > 0.01
    assert sum(g != 0 for g in grads_t) > 100
    assert close([loss_a], [loss_t]) and close([loss_b], [loss_t])
    assert close(grads_a, grads_t)
    assert close(grads_b, grads_t)
    assert close(grads_a, grads_b)

    a.update()
    b.update()
    assert close(a.weights(), stepped_t)
    assert close(b.weights(), stepped_t)


def test_gradients_are_fresh_each_step(wl, batch):
    """Both codes zero the gradients before backward, so a second step does not accumulate."""
    X, y = batch
    weights = wl.initial_weights(seed=6)
    for run in (wl.ValueApiRun(Value, weights), wl.GradIdiomatic(weights)):
        run.forward_backward(X, y)
        first = run.gradients()
        run.forward_backward(X, y)  # same weights, no update in between
        assert close(run.gradients(), first)


@pytest.mark.parametrize("size", [1, 2, 3, 10, 143])
def test_scaling_graphs_have_the_stated_node_counts(wl, size):
    root, count = wl.wide_graph(Value, size)
    assert len(backward_order(root)) == count == 7 * size - 1
    root, count = wl.deep_graph(Value, size)
    assert len(backward_order(root)) == count == 5 * size + 1
    with pytest.raises(ValueError):
        wl.wide_graph(Value, 0)


def test_deep_graph_is_deep_and_bounded(wl):
    root, _ = wl.deep_graph(Value, 2000)
    depth, node = 0, root
    while node._prev:
        node = node._prev[0]
        depth += 1
    assert depth == 3 * 2000  # relu -> + -> * per link, down to the starting leaf
    assert 0.0 <= root.data < 10.0
    root.backward()  # no recursion limit in grad's backward


def test_bench_equality_check_rejects_a_difference(wl, batch):
    import bench

    X, y = batch
    weights = wl.initial_weights()
    a, b = wl.ValueApiRun(Value, weights), wl.GradIdiomatic(weights)
    gap = bench.check_same("grad vs grad", X, y, a, b, floor=1.0)
    assert 0.0 <= gap <= 1e-12
    nudged = [*weights[:-1], weights[-1] + 1e-6]  # the output bias: moves the loss and its gradient
    a, b = wl.ValueApiRun(Value, weights), wl.ValueApiRun(Value, nudged)
    with pytest.raises(AssertionError, match="nudged: the engines' (loss|gradients) differ by"):
        bench.check_same("nudged", X, y, a, b, floor=0.0)
    assert bench.gap([1.0, 0.0], [1.0 + 1e-10, 0.0], 0.0) == pytest.approx(1e-10, rel=1e-3)
    assert bench.gap([1e-3], [2e-3], 1.0) == pytest.approx(1e-3)
