"""Property tests: random expression graphs with shared subexpressions.

A *program* is a few input numbers followed by a list of steps; each step
applies one op to earlier nodes (inputs or step results), picked at random, so
nodes are reused freely (``a op a``, diamonds, long fan-out). Every op keeps its
result within [-4, 4] when its operands are, and keeps the operands of log,
division and powers inside their domains, so the gradients stay moderate and
both torch and central differences are meaningful references.

The output is the sum of every step's node, so every node gets a gradient.
"""

from __future__ import annotations

import functools
import math
import operator

from helpers import close, is_reverse_topological, reachable, t64
from hypothesis import assume, given
from hypothesis import strategies as st

from grad import Value
from grad.engine import backward_order, dot, vsum


class ValueOps:
    vsum = staticmethod(vsum)
    dot = staticmethod(dot)


class TorchOps:
    @staticmethod
    def vsum(items):
        return functools.reduce(operator.add, items)

    @staticmethod
    def dot(ws, xs, bias=None):
        total = functools.reduce(operator.add, [w * x for w, x in zip(ws, xs)])
        return total if bias is None else total + bias


# name -> (arity, fn(B, *operands)). fn uses only syntax shared by Values and torch tensors;
# B supplies vsum and dot. Comments give the range for operands in [-4, 4].
OPS = {
    "add": (2, lambda B, a, b: (a + b) * 0.5),  # [-4, 4]
    "sub": (2, lambda B, a, b: 0.5 * (a - b)),  # [-4, 4]
    "radd": (1, lambda B, a: (0.5 + a) * 0.5),  # [-1.75, 2.25]
    "rsub": (1, lambda B, a: (1 - a) * 0.5),  # [-1.5, 2.5]
    "mul": (2, lambda B, a, b: a * b.tanh()),  # [-4, 4]
    "mul_scaled": (2, lambda B, a, b: a * b * 0.25),  # [-4, 4]
    "div": (2, lambda B, a, b: a / (b * b + 1)),  # [-4, 4]
    "rdiv": (1, lambda B, a: 2 / (a * a + 1)),  # (0, 2]
    "neg": (1, lambda B, a: -a),
    "square": (1, lambda B, a: 0.25 * a**2),  # [0, 4]
    "cube": (1, lambda B, a: a.tanh() ** 3),  # int power of a negative base
    "inverse_square": (1, lambda B, a: (a * a + 1) ** -2),  # (0, 1]
    "sqrt": (1, lambda B, a: (a * a + 1) ** 0.5 - 1),  # [0, 3.2]
    "pow_neg_float": (1, lambda B, a: (a * a + 1) ** -1.5),  # (0, 1]
    "pow_value": (2, lambda B, a, b: (a.sigmoid() + 0.5) ** (0.5 * b)),  # base (0.5, 1.5): [0.25, 4]
    "rpow": (1, lambda B, a: 2 ** (0.5 * a)),  # [0.25, 4]
    "exp": (1, lambda B, a: (0.25 * a).exp()),  # (0.36, 2.72)
    "log": (1, lambda B, a: (a * a + 1).log()),  # [0, 2.84]
    "log_exp": (1, lambda B, a: a.exp().log()),  # a itself
    "tanh": (1, lambda B, a: a.tanh()),
    "sigmoid": (1, lambda B, a: a.sigmoid()),
    "relu": (1, lambda B, a: a.relu()),
    "vsum": (3, lambda B, a, b, c: B.vsum([a, b, c, 1.0]) * 0.25),  # [-2.75, 3.25]
    "dot_mixed": (4, lambda B, a, b, c, d: B.dot([a, b], [c.tanh(), 0.5], d) * 0.25),  # [-2.5, 2.5]
    "dot_values": (4, lambda B, a, b, c, d: B.dot([a, b], [c, d]) * 0.125),  # [-4, 4]
}
BOUND = 4.0


@st.composite
def programs(draw, max_inputs: int = 4, max_steps: int = 14):
    n_in = draw(st.integers(1, max_inputs))
    inputs = draw(st.lists(st.floats(-2.0, 2.0), min_size=n_in, max_size=n_in))
    steps = []
    for i in range(draw(st.integers(1, max_steps))):
        name = draw(st.sampled_from(sorted(OPS)))
        args = tuple(draw(st.integers(0, n_in + i - 1)) for _ in range(OPS[name][0]))
        steps.append((name, args))
    return inputs, steps


def evaluate(B, leaves, steps):
    """Run the program; return every node (leaves first) and the output."""
    nodes = list(leaves)
    for name, args in steps:
        nodes.append(OPS[name][1](B, *(nodes[j] for j in args)))
    return nodes, sum(nodes[len(leaves) :])


def describe(inputs, steps) -> str:
    return f"inputs={inputs} steps={steps}"


@given(programs())
def test_random_graphs_match_torch(program):
    inputs, steps = program
    leaves = [Value(x) for x in inputs]
    nodes, out = evaluate(ValueOps, leaves, steps)
    out.backward()
    assert all(abs(n.data) <= BOUND for n in nodes), describe(*program)

    tleaves = [t64(x) for x in inputs]
    tnodes, tout = evaluate(TorchOps, tleaves, steps)
    for t in tnodes[len(tleaves) :]:
        t.retain_grad()
    tout.backward()

    assert close(out.data, tout.item(), 1e-9), describe(*program)
    for i, (n, t) in enumerate(zip(nodes, tnodes)):
        assert close(n.data, t.item(), 1e-9), f"node {i} value; {describe(*program)}"
        ref = 0.0 if t.grad is None else t.grad.item()
        assert close(n.grad, ref, 1e-9), f"node {i} grad {n.grad!r} vs torch {ref!r}; {describe(*program)}"


H = 1e-6


@given(programs())
def test_random_graphs_match_central_differences(program):
    inputs, steps = program
    leaves = [Value(x) for x in inputs]
    nodes, out = evaluate(ValueOps, leaves, steps)
    # relu is not differentiable at 0: skip programs that put a relu input near its kink
    for node in backward_order(out):
        if node._op == "ReLU":
            assume(abs(node._prev[0].data) > 1e-3)
    out.backward()

    def f(xs):
        return evaluate(ValueOps, [Value(x) for x in xs], steps)[1].data

    for i, x in enumerate(inputs):
        up, down = list(inputs), list(inputs)
        up[i] = x + H
        down[i] = x - H
        numerical = (f(up) - f(down)) / (2 * H)
        # rounding in f(x+h) - f(x-h) is about eps * |f| / h, so allow 1e-8 absolute near zero
        assert close(leaves[i].grad, numerical, 1e-5, floor=1e-8), (
            f"input {i}: backward {leaves[i].grad!r}, central difference {numerical!r}; {describe(*program)}"
        )


@given(programs())
def test_backward_order_is_a_reverse_topological_order(program):
    inputs, steps = program
    _, out = evaluate(ValueOps, [Value(x) for x in inputs], steps)
    order = backward_order(out)
    assert order[0] is out
    assert len({id(n) for n in order}) == len(order)
    assert {id(n) for n in order} == {id(n) for n in reachable(out)}
    assert is_reverse_topological(order)


@given(programs())
def test_the_fast_loop_gives_exactly_what_the_three_line_reference_loop_gives(program):
    """backward()'s docstring shows the algorithm; the fast path must do the same arithmetic."""
    inputs, steps = program
    _, out = evaluate(ValueOps, [Value(x) for x in inputs], steps)
    out.backward()
    fast = [n.grad for n in backward_order(out)]
    out.zero_grad()
    out.grad = 1.0  # the reference loop, as written in Value.backward's docstring
    for node in backward_order(out):
        for child, local in zip(node._prev, node._local):
            child.grad += local * node.grad
    assert [n.grad for n in backward_order(out)] == fast, describe(*program)


@given(programs())
def test_zero_grad_then_backward_is_repeatable(program):
    inputs, steps = program
    leaves = [Value(x) for x in inputs]
    _, out = evaluate(ValueOps, leaves, steps)
    out.backward()
    first = [v.grad for v in leaves]
    out.zero_grad()
    assert all(n.grad == 0.0 for n in backward_order(out))
    out.backward()
    assert [v.grad for v in leaves] == first
    assert all(math.isfinite(g) for g in first)
