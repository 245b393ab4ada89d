"""grad.engine: every op against torch float64, backward semantics, bad input, size.

Most cases are written once as a function of its operands and run twice: on
:class:`Value` leaves and on float64 torch tensors; the forward value and every
gradient must agree to 1e-9 (relative, or absolute below 1).
"""

from __future__ import annotations

import contextlib
import copy
import gc
import math
import operator
import pickle
import subprocess
import sys
import textwrap
import threading
import traceback

import numpy as np
import pytest
import torch
from helpers import close, is_reverse_topological, reachable, t64

from grad import Value
from grad.engine import as_value, backward_order, dot, node, vsum

REL = 1e-9


def run_both(fn, xs):
    """Evaluate fn on Values and on torch tensors; return (ours, theirs) as (value, [grads])."""
    vals = [Value(x) for x in xs]
    out = fn(*vals)
    out.backward()
    ts = [t64(x) for x in xs]
    ref = fn(*ts)
    grads = torch.autograd.grad(ref, ts, allow_unused=True)
    theirs = [0.0 if g is None else g.item() for g in grads]
    return (out.data, [v.grad for v in vals]), (ref.item(), theirs)


def assert_matches_torch(fn, xs, rel: float = REL) -> None:
    (value, grads), (ref_value, ref_grads) = run_both(fn, xs)
    assert close(value, ref_value, rel), (value, ref_value)
    for i, (g, r) in enumerate(zip(grads, ref_grads)):
        assert close(g, r, rel), f"d/dx{i}: ours {g!r}, torch {r!r}"


# ---------------------------------------------------------------------------
# every op, every operand order, against torch
# ---------------------------------------------------------------------------

# (id, fn, inputs). fn only uses syntax that Values and torch tensors share.
OP_CASES = [
    # +
    ("V+V", lambda a, b: a + b, (1.5, -2.25)),
    ("V+float", lambda a: a + 2.5, (1.5,)),
    ("float+V", lambda a: 2.5 + a, (1.5,)),
    ("V+int", lambda a: a + 3, (-0.5,)),
    ("int+V", lambda a: 3 + a, (-0.5,)),
    ("a+a", lambda a: a + a, (0.75,)),
    ("a+a+a", lambda a: a + a + a, (-1.25,)),
    # -
    ("V-V", lambda a, b: a - b, (1.5, -2.25)),
    ("V-float", lambda a: a - 2.5, (1.5,)),
    ("float-V", lambda a: 2.5 - a, (1.5,)),
    ("a-a", lambda a: a - a, (0.75,)),
    ("b-a", lambda a, b: b - a, (0.3, 1.7)),
    # *
    ("V*V", lambda a, b: a * b, (1.5, -2.25)),
    ("V*float", lambda a: a * 2.5, (1.5,)),
    ("float*V", lambda a: 2.5 * a, (1.5,)),
    ("int*V", lambda a: -3 * a, (1.5,)),
    ("a*a", lambda a: a * a, (-1.5,)),
    ("a*b+a", lambda a, b: a * b + a, (1.5, -2.25)),
    ("(a+b)*(a-b)", lambda a, b: (a + b) * (a - b), (1.5, -0.25)),
    # /
    ("V/V", lambda a, b: a / b, (1.5, -2.25)),
    ("V/float", lambda a: a / 2.5, (1.5,)),
    ("float/V", lambda a: 2.5 / a, (1.5,)),
    ("int/V", lambda a: 1 / a, (-0.4,)),
    ("a/a", lambda a: a / a, (0.75,)),
    ("ab/(a+b)", lambda a, b: (a * b) / (a + b), (1.5, 0.5)),
    # unary -
    ("-V", lambda a: -a, (1.5,)),
    ("-(a*b)+a", lambda a, b: -(a * b) + a, (1.5, -2.25)),
    ("a+(-a)", lambda a: a + (-a), (0.6,)),
    # ** with an int exponent
    ("a**2", lambda a: a**2, (1.5,)),
    ("a**3 neg base", lambda a: a**3, (-1.5,)),
    ("a**0", lambda a: a**0, (1.5,)),
    ("a**1", lambda a: a**1, (-1.5,)),
    ("a**-1", lambda a: a**-1, (1.5,)),
    ("a**-3 neg base", lambda a: a**-3, (-0.8,)),
    ("(a*b)**2", lambda a, b: (a * b) ** 2, (1.5, -0.5)),
    # ** with a float exponent
    ("a**0.5", lambda a: a**0.5, (2.25,)),
    ("a**1.5", lambda a: a**1.5, (0.7,)),
    ("a**-0.5", lambda a: a**-0.5, (0.7,)),
    ("a**2.0 neg base", lambda a: a**2.0, (-1.5,)),
    ("a**-2.0 neg base", lambda a: a**-2.0, (-1.5,)),
    ("0**2.5", lambda a: a**2.5, (0.0,)),
    # Value ** Value and number ** Value
    ("V**V", lambda a, b: a**b, (1.7, -0.6)),
    ("a**a", lambda a: a**a, (1.3,)),
    ("(ab)**(a-b)", lambda a, b: (a * b) ** (a - b), (1.5, 0.5)),
    ("float**V", lambda a: 2.5**a, (1.3,)),
    ("float<1**V", lambda a: 0.5**a, (-1.3,)),
    ("int**V", lambda a, b: 2 ** (a * b), (1.5, -0.5)),
    ("e**V", lambda a: math.e**a, (0.4,)),
    # exp, log
    ("exp-", lambda a: a.exp(), (-1.3,)),
    ("exp0", lambda a: a.exp(), (0.0,)),
    ("exp+", lambda a: a.exp(), (2.1,)),
    ("exp(ab)", lambda a, b: (a * b).exp(), (1.5, -0.5)),
    ("log<1", lambda a: a.log(), (0.3,)),
    ("log1", lambda a: a.log(), (1.0,)),
    ("log>1", lambda a: a.log(), (7.5,)),
    ("log(a*a)", lambda a: (a * a).log(), (-1.5,)),
    ("log(exp)", lambda a: a.exp().log(), (-2.5,)),
    # tanh, sigmoid
    ("tanh-", lambda a: a.tanh(), (-2.0,)),
    ("tanh0", lambda a: a.tanh(), (0.0,)),
    ("tanh+", lambda a: a.tanh(), (0.7,)),
    ("tanh(ab)+a", lambda a, b: (a * b).tanh() + a, (1.5, -0.5)),
    ("sigmoid-", lambda a: a.sigmoid(), (-3.0,)),
    ("sigmoid0", lambda a: a.sigmoid(), (0.0,)),
    ("sigmoid+", lambda a: a.sigmoid(), (1.2,)),
    ("sigmoid(a)*a", lambda a: a.sigmoid() * a, (0.4,)),
    # relu on both sides of the kink
    ("relu+", lambda a: a.relu(), (1.7,)),
    ("relu-", lambda a: a.relu(), (-0.8,)),
    ("relu(a-b)+", lambda a, b: (a - b).relu(), (1.5, 0.5)),
    ("relu(a-b)-", lambda a, b: (a - b).relu(), (0.5, 1.5)),
    ("relu(a)*a", lambda a: a.relu() * a, (1.3,)),
    # a longer expression with shared nodes
    (
        "mixed",
        lambda a, b: ((a * b).tanh() + a.exp() * b - (a / b).relu() + (b * b + 1).log()).sigmoid() * a,
        (0.9, -1.4),
    ),
]


@pytest.mark.parametrize("fn, xs", [c[1:] for c in OP_CASES], ids=[c[0] for c in OP_CASES])
def test_op_matches_torch(fn, xs):
    assert_matches_torch(fn, xs)


def test_reused_node_gets_summed_gradient():
    a = Value(0.75)
    b = a + a
    b.backward()
    assert b._prev == (a, a)
    assert a.grad == 2.0
    a = Value(1.5)
    b = Value(-2.0)
    c = a * b + a
    c.backward()
    assert (a.grad, b.grad) == (b.data + 1.0, a.data)


def test_interior_gradients_match_torch_retain_grad():
    # a diamond: a feeds b and c, both feed d; check every node's gradient, not only the leaves
    vals = {"a": Value(0.7)}
    vals["b"] = vals["a"].tanh()
    vals["c"] = vals["a"] * 3.0
    vals["d"] = vals["b"] * vals["c"] + vals["b"]
    vals["d"].backward()
    ts = {"a": t64(0.7)}
    ts["b"] = ts["a"].tanh()
    ts["c"] = ts["a"] * 3.0
    ts["d"] = ts["b"] * ts["c"] + ts["b"]
    for k in "bcd":
        ts[k].retain_grad()
    ts["d"].backward()
    for k in "abcd":
        assert close(vals[k].grad, ts[k].grad.item()), k


# ---------------------------------------------------------------------------
# node structure: _op names, _prev, _local, constants
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fn, op",
    [
        (lambda a, b: a + b, "+"),
        (lambda a, b: a * b, "*"),
        (lambda a, b: a - b, "-"),
        (lambda a, b: a / b, "/"),
        (lambda a, b: -a, "neg"),
        (lambda a, b: a**2, "**2"),
        (lambda a, b: a**-1, "**-1"),
        (lambda a, b: a**0.5, "**0.5"),
        (lambda a, b: a**b, "**"),
        (lambda a, b: 2**a, "**"),
        (lambda a, b: a.exp(), "exp"),
        (lambda a, b: a.log(), "log"),
        (lambda a, b: a.tanh(), "tanh"),
        (lambda a, b: a.sigmoid(), "sigmoid"),
        (lambda a, b: a.relu(), "ReLU"),
        (lambda a, b: vsum([a, b]), "sum"),
        (lambda a, b: dot([a], [b]), "dot"),
    ],
)
def test_op_names(fn, op):
    a, b = Value(2.0), Value(3.0)
    out = fn(a, b)
    assert out._op == op
    assert out.label == ""
    assert len(out._prev) == len(out._local) >= 1


def test_prev_and_local_are_in_operand_order():
    a, b = Value(2.0), Value(-3.0)
    out = a * b
    assert out._prev == (a, b)
    assert out._local == (-3.0, 2.0)
    out = a / b
    assert out._prev == (a, b)
    assert out._local == (1 / -3.0, -2.0 / 9.0)
    out = a - b
    assert out._local == (1.0, -1.0)


@pytest.mark.parametrize(
    "fn",
    [
        lambda a: a + 2,
        lambda a: 2 + a,
        lambda a: a * 2.0,
        lambda a: 2.0 * a,
        lambda a: a - 2,
        lambda a: 2 - a,
    ],
)
def test_numbers_become_constant_leaves(fn):
    a = Value(5.0)
    out = fn(a)
    (const,) = [c for c in out._prev if c is not a]
    assert type(const) is Value
    assert (const.data, const.label, const._op, const._prev) == (2.0, "", "", ())
    assert type(const.data) is float


def test_leaf_defaults():
    a = Value(3)
    assert type(a.data) is float and a.data == 3.0
    assert (a.grad, a.label, a._op, a._prev, a._local) == (0.0, "", "", (), ())


def state(v: Value) -> tuple:
    return (v.data, v.grad, v.label, v._op, v._prev, v._local, type(v))


@pytest.mark.parametrize("x", [2.5, -0.0, math.inf, 1e308])
def test_a_float_leaf_takes_the_fast_path_and_is_the_same_node(x):
    """Value(float) skips __init__'s checks; the node equals one made through them (an explicit ())."""
    fast, checked = Value(x, label="x"), Value(x, [], label="x")
    assert state(fast) == state(checked)
    (fast * 2.0).backward()
    assert fast.grad == 2.0


def test_a_nan_leaf_keeps_nan():
    assert math.isnan(Value(math.nan).data)


@pytest.mark.parametrize(
    "args, kwargs, error",
    [
        ((1.0,), {"label": 3}, "label must be a str"),
        ((1.0, (object(),)), {"_local": (1.0,)}, "children must be Values"),
        ((1.0, (Value(2.0),)), {}, "1 children but 0 local derivatives"),
    ],
)
def test_a_float_with_more_than_a_label_is_still_checked(args, kwargs, error):
    with pytest.raises((TypeError, ValueError), match=error):
        Value(*args, **kwargs)


# ---------------------------------------------------------------------------
# vsum and dot
# ---------------------------------------------------------------------------

SUM_CASES = [
    ("values", lambda a, b, c: [a, b, c], (1.5, -2.0, 0.25)),
    ("reused", lambda a, b, c: [a, a, b, c, c, c], (1.5, -2.0, 0.25)),
    ("numbers", lambda a, b, c: [a, 2, b, 3.5, c], (1.5, -2.0, 0.25)),
    ("nodes", lambda a, b, c: [a * b, b.tanh(), a * b * c], (1.5, -2.0, 0.25)),
]


@pytest.mark.parametrize("items, xs", [c[1:] for c in SUM_CASES], ids=[c[0] for c in SUM_CASES])
def test_vsum_matches_torch(items, xs):
    def ours(*vs):
        return vsum(items(*vs))

    def theirs(*ts):
        total = 0.0
        for t in items(*ts):
            total = total + t
        return total

    vals = [Value(x) for x in xs]
    out = ours(*vals)
    out.backward()
    ts = [t64(x) for x in xs]
    ref = theirs(*ts)
    ref.backward()
    assert out._op == "sum"
    assert close(out.data, ref.item())
    for v, t in zip(vals, ts):
        assert close(v.grad, t.grad.item())


def test_vsum_accepts_a_generator_and_an_empty_input():
    xs = [Value(float(i)) for i in range(5)]
    s = vsum(x * 2 for x in xs)
    assert s.data == 20.0
    empty = vsum([])
    assert (empty.data, empty._prev) == (0.0, ())


def test_vsum_rejects_non_numbers():
    with pytest.raises(TypeError, match="str"):
        vsum([Value(1.0), "2"])


def _ref_dot(ws, xs, bias=None):
    total = 0.0
    for w, x in zip(ws, xs):
        total = total + w * x
    return total if bias is None else total + bias


DOT_CASES = [
    # (id, n_weights, inputs builder, with bias). The builder gets the leaves after the weights.
    ("values", 3, lambda x: [x[0], x[1], x[2]], False),
    ("values+bias", 3, lambda x: [x[0], x[1], x[2]], True),
    ("mixed", 3, lambda x: [1.5, x[0], -2], False),
    ("mixed+bias", 3, lambda x: [1.5, x[0], -2], True),
    ("numbers", 2, lambda x: [0.5, 3], True),
]


@pytest.mark.parametrize("nw, build, with_bias", [c[1:] for c in DOT_CASES], ids=[c[0] for c in DOT_CASES])
def test_dot_matches_torch(nw, build, with_bias):
    data = [0.3, -1.2, 2.0, 0.7, -0.4, 1.1, 0.9]

    def run(leaf):
        leaves = [leaf(x) for x in data]
        ws, rest = leaves[:nw], leaves[nw:]
        bias = rest[-1] if with_bias else None
        return leaves, ws, build(rest[:-1]), bias

    leaves, ws, xs, bias = run(Value)
    out = dot(ws, xs, bias)
    out.backward()
    tleaves, tws, txs, tbias = run(t64)
    ref = _ref_dot(tws, txs, tbias)
    ref.backward()
    assert out._op == "dot"
    assert close(out.data, ref.item())
    for v, t in zip(leaves, tleaves):
        assert close(v.grad, 0.0 if t.grad is None else t.grad.item())
    # plain numbers are constants: they get no node
    n_value_inputs = sum(type(x) is Value for x in xs)
    assert len(out._prev) == nw + n_value_inputs + with_bias


def test_dot_with_shared_nodes():
    a, b = Value(1.5), Value(-0.5)
    out = dot([a, b], [a, b])  # a*a + b*b
    out.backward()
    assert (out.data, a.grad, b.grad) == (2.5, 3.0, -1.0)
    a, b = Value(1.5), Value(-0.5)
    out = dot([a, a], [b, 2.0], bias=a)  # a*b + 2a + a
    out.backward()
    assert (out.data, a.grad, b.grad) == (3.75, b.data + 3.0, 1.5)


def test_dot_bad_input():
    with pytest.raises(ValueError, match="dot"):
        dot([Value(1.0), Value(2.0)], [1.0])
    with pytest.raises(TypeError, match="str"):
        dot([Value(1.0), Value(2.0)], [1.0, "x"])


# Regression test for a fixed bug: dot() with a plain number among the weights fails with AttributeError
# ("'float' object has no attribute 'data'") instead of a TypeError naming the problem.
def test_dot_rejects_number_weights_with_type_error():
    with pytest.raises(TypeError, match="float"):
        dot([1.0, Value(2.0)], [Value(1.0), Value(2.0)])


# ---------------------------------------------------------------------------
# backward(): accumulation, zero_grad
# ---------------------------------------------------------------------------


def test_backward_sets_the_root_grad_to_one_on_fresh_grads():
    a = Value(2.0)
    b = a * 3
    b.backward()
    assert (b.grad, a.grad) == (1.0, 3.0)
    leaf = Value(5.0)
    leaf.backward()  # a leaf on its own
    assert leaf.grad == 1.0


# Regression test for a fixed bug: a second backward() reset the root's grad to 1.0 instead of adding to
# it. torch gives b.grad == 5 and a.grad == 15 here (b retains its grad).
def test_a_second_backward_accumulates_everywhere_root_included_like_torch():
    a = Value(2.0)
    b = a * 3
    c = b * 4
    c.backward()
    b.backward()
    assert (c.grad, b.grad, a.grad) == (1.0, 5.0, 15.0)
    ta = t64(2.0)
    tb = ta * 3
    tb.retain_grad()
    tc = tb * 4
    tc.backward(retain_graph=True)
    tb.backward()
    assert (tb.grad.item(), ta.grad.item()) == (b.grad, a.grad)
    c.backward()
    assert c.grad == 2.0


# Regression test for a fixed bug: backward() propagated a node's *accumulated* .grad, so a second call
# counted the first call's gradient again below depth 1 (a.grad ended at 3x, not 2x).
def test_second_backward_doubles_every_gradient_like_torch():
    def graph(a, b):
        h = a * b
        return h, (h + a).tanh() * b

    a, b = Value(0.8), Value(-1.3)
    h, out = graph(a, b)
    out.backward()
    once = (out.grad, a.grad, b.grad, h.grad)
    out.backward()
    assert (out.grad, a.grad, b.grad, h.grad) == pytest.approx([2 * g for g in once], rel=1e-12)
    ta, tb = t64(0.8), t64(-1.3)
    _, tout = graph(ta, tb)
    tout.backward(retain_graph=True)
    tout.backward()
    assert close(a.grad, ta.grad.item()) and close(b.grad, tb.grad.item())


# Regression test for a fixed bug: same cause; two losses sharing a subgraph, each backpropagated once,
# must add up to the gradient of their sum.
def test_backward_of_two_roots_sharing_a_node_adds_up():
    x = Value(2.0)
    h = x * 3.0
    l1, l2 = h * 1.0, h * 1.0
    l1.backward()
    l2.backward()
    assert x.grad == 6.0


# Regression test for a fixed bug: backward_order sorts nodes by a per-process creation counter (_id), which
# pickle copies verbatim. Nodes unpickled in a fresh process keep their large ids, so new
# nodes built on top of them sort *after* them and their gradient is never propagated.
def test_backward_through_a_graph_unpickled_in_another_process():
    for _ in range(1000):
        Value(0.0)  # make sure this process's counter is ahead of a fresh interpreter's
    a = Value(3.0)
    h = a * a
    code = textwrap.dedent(
        """
        import pickle, sys
        a, h = pickle.loads(bytes.fromhex(sys.stdin.read()))
        out = h * 2.0 + h  # d out/d a = 3 * 2a
        out.backward()
        print(a.grad)
        """
    )
    blob = pickle.dumps((a, h)).hex()
    proc = subprocess.run(
        [sys.executable, "-c", code], input=blob, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert float(proc.stdout) == 18.0


def test_zero_grad_zeroes_the_whole_graph_only():
    a, b = Value(1.5), Value(-0.5)
    outsider = Value(4.0)
    outsider.grad = 7.0
    c = (a * b).tanh() + a.exp()
    d = c * outsider  # uses the graph of c, not part of it
    d.backward()
    nodes = backward_order(c)
    assert any(n.grad != 0.0 for n in nodes)
    c.zero_grad()
    assert all(n.grad == 0.0 for n in nodes)
    assert outsider.grad == 7.0 + c.data
    assert d.grad == 1.0
    # after zeroing, one backward gives a single call's gradient again
    c.backward()
    ta, tb = t64(1.5), t64(-0.5)
    ((ta * tb).tanh() + ta.exp()).backward()
    assert close(a.grad, ta.grad.item()) and close(b.grad, tb.grad.item())


# ---------------------------------------------------------------------------
# backward_order
# ---------------------------------------------------------------------------


def assert_valid_backward_order(root: Value, order: list[Value]) -> None:
    """Root first, every reachable node exactly once, every node before all of its children."""
    assert order[0] is root
    assert len({id(n) for n in order}) == len(order), "a node appears twice"
    assert {id(n) for n in order} == {id(n) for n in reachable(root)}
    assert is_reverse_topological(order)


def diamond():
    a = Value(1.0, label="a")
    b = a * 2.0
    c = a + 1.0
    d = b * c
    return a, b, c, d


def test_backward_order_single_leaf():
    a = Value(1.0)
    assert backward_order(a) == [a]


def test_backward_order_on_a_diamond():
    a, b, c, d = diamond()
    order = backward_order(d)
    assert_valid_backward_order(d, order)
    assert len(order) == 6  # a, b, c, d and the constants 2.0 and 1.0
    assert order.index(a) > max(order.index(b), order.index(c))


def test_backward_order_on_a_layered_graph_with_reuse():
    xs = [Value(float(i)) for i in range(4)]
    layer1 = [xs[i] * xs[(i + 1) % 4] for i in range(4)]
    layer2 = [vsum(layer1[: i + 1]) + xs[i] for i in range(4)]
    root = dot(layer2, layer1, xs[0])
    order = backward_order(root)
    assert_valid_backward_order(root, order)
    # repeated calls agree (the scratch marks of one call do not leak into the next)
    assert backward_order(root) == order
    assert_valid_backward_order(layer2[2], backward_order(layer2[2]))
    assert backward_order(root) == order


# ---------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad, name", [("3", "str"), (None, "NoneType"), ([1.0], "list"), (Value(1.0), "Value")]
)
def test_constructor_rejects_non_numbers(bad, name):
    with pytest.raises(TypeError, match=f"got {name}"):
        Value(bad)


def test_constructor_needs_one_local_derivative_per_child():
    a = Value(1.0)
    with pytest.raises(ValueError, match="local"):
        Value(2.0, (a,), "f")
    with pytest.raises(ValueError, match="local"):
        Value(2.0, (a, a), "f", _local=(1.0,))
    out = Value(2.0, (a, a), "f", _local=(1.0, 2.0))
    out.backward()
    assert a.grad == 3.0


BINARY = [operator.add, operator.sub, operator.mul, operator.truediv, operator.pow]


@pytest.mark.parametrize("op", BINARY, ids=lambda f: f.__name__)
@pytest.mark.parametrize("bad", ["a", None, [1.0], {"x": 1}], ids=["str", "None", "list", "dict"])
def test_ops_with_non_numbers_raise_type_error(op, bad):
    with pytest.raises(TypeError):
        op(Value(1.0), bad)
    with pytest.raises(TypeError):
        op(bad, Value(1.0))


@pytest.mark.parametrize("op", BINARY, ids=lambda f: f.__name__)
def test_ops_with_none_give_pythons_own_message(op):
    # Value returns NotImplemented, so Python raises its standard error
    with pytest.raises(TypeError, match="unsupported operand type"):
        op(Value(1.0), None)
    with pytest.raises(TypeError, match="unsupported operand type"):
        op(None, Value(1.0))


@pytest.mark.parametrize("x, shown", [(0.0, "0"), (-0.0, "-0"), (-2.5, "-2.5")])
def test_log_of_non_positive(x, shown):
    with pytest.raises(ValueError, match=rf"log.*{shown}"):
        Value(x).log()


@pytest.mark.parametrize(
    "fn",
    [
        lambda: Value(1.5) / Value(0.0),
        lambda: Value(1.5) / Value(-0.0),
        lambda: Value(1.5) / 0,
        lambda: Value(1.5) / 0.0,
        lambda: 3 / Value(0.0),
        lambda: Value(0.0) / Value(0.0),
    ],
    ids=["V/V0", "V/V-0", "V/int0", "V/float0", "int/V0", "0/0"],
)
def test_division_by_zero(fn):
    with pytest.raises(ZeroDivisionError, match="div"):
        fn()


@pytest.mark.parametrize(
    "fn, shown",
    [
        (lambda: Value(-2.0) ** Value(2.0), "-2"),
        (lambda: (-2.0) ** Value(2.0), "-2"),
        (lambda: Value(0.0) ** Value(2.0), "0"),
        (lambda: 0 ** Value(2.0), "0"),
    ],
)
def test_pow_with_value_exponent_needs_positive_base(fn, shown):
    with pytest.raises(ValueError, match=rf"pow.*base {shown}"):
        fn()


@pytest.mark.parametrize("n", [-1, -2, -0.5, -3.5])
def test_zero_to_negative_power(n):
    with pytest.raises(ZeroDivisionError, match="pow"):
        Value(0.0) ** n


@pytest.mark.parametrize("n", [0.5, 1.5, -0.5, 1 / 3])
def test_negative_base_to_fractional_power(n):
    with pytest.raises(ValueError, match=r"pow.*-2"):
        Value(-2.0) ** n


def test_zero_to_power_below_one_has_infinite_derivative():
    with pytest.raises(ValueError, match="pow"):
        Value(0.0) ** 0.5


def test_exp_overflow_names_exp():
    with pytest.raises(OverflowError, match="exp"):
        Value(1000.0).exp()
    assert Value(-1000.0).exp().data == 0.0


@pytest.mark.parametrize(
    "fn", [lambda: Value(10.0) ** 400, lambda: Value(10.0) ** Value(400.0), lambda: 10.0 ** Value(400.0)]
)
def test_pow_overflow_names_pow(fn):
    with pytest.raises(OverflowError, match="pow"):
        fn()


# Only the derivative overflows here: the value 1e300 is a float, d/da = b * a**(b-1) = -1.5e500 is not.
# Like torch and like /, the derivative becomes -inf instead of the whole op raising.
@pytest.mark.parametrize(
    "fn",
    [lambda a, b: a**b, lambda a, b: a**-1.5, lambda a, b: 1e-300 ** (b + 0.5)],
    ids=["V**V", "V**number", "number**V"],
)
def test_a_derivative_beyond_a_float_is_inf_like_torch(fn):
    a, b = Value(1e-200), Value(-1.5)
    out = fn(a, b)
    out.backward()
    ta, tb = t64(1e-200), t64(-1.5)
    tout = fn(ta, tb)
    tout.backward()
    assert close(out.data, tout.item(), 1e-12)
    theirs = [0.0 if t.grad is None else t.grad.item() for t in (ta, tb)]
    assert (a.grad, b.grad) == pytest.approx(theirs, rel=1e-12)


@pytest.mark.parametrize("x", [1000.0, -1000.0, 1e308, -1e308])
@pytest.mark.parametrize("fn", ["tanh", "sigmoid"])
def test_saturating_functions_stay_finite(fn, x):
    v = Value(x)
    out = getattr(v, fn)()
    out.backward()
    assert math.isfinite(out.data) and math.isfinite(v.grad)
    limit = {"tanh": (1.0, -1.0), "sigmoid": (1.0, 0.0)}[fn][x < 0]
    assert out.data == limit
    assert v.grad == 0.0


# ---------------------------------------------------------------------------
# micrograd compatibility
# ---------------------------------------------------------------------------


def test_micrograd_style_api():
    a = Value(2.0, label="a")
    b = Value(-1.0, label="b")
    assert (a.label, a.data, a.grad) == ("a", 2.0, 0.0)
    assert repr(a) == "Value(data=2.0, grad=0.0)"
    c = 2 * a + b  # 3
    d = sum([a, b, c])  # 0 + a + b + c = 3a + 2b = 4
    e = d.relu() + (-d).relu() * 0.5
    e.backward()
    assert repr(e) == "Value(data=4.0, grad=1.0)"
    assert e._op == "+" and e._prev[0]._op == "ReLU" and e._prev[0]._prev == (d,)
    assert (a.grad, b.grad) == (3.0, 2.0)
    f = a * b
    f.backward()
    assert (a.grad, b.grad) == (3.0 - 1.0, 2.0 + 2.0)  # accumulated onto the previous call
    assert list(f._prev) == [a, b]


def micrograd_readme(a, b, inplace: bool):
    """micrograd's README example; written with += for Values, with c = c + ... for tensors."""
    c = a + b
    d = a * b + b**3
    if inplace:
        c += c + 1
        c += 1 + c + (-a)
        d += d * 2 + (b + a).relu()
        d += 3 * d + (b - a).relu()
    else:
        c = c + (c + 1)
        c = c + (1 + c + (-a))
        d = d + (d * 2 + (b + a).relu())
        d = d + (3 * d + (b - a).relu())
    e = c - d
    f = e**2
    g = f / 2.0
    if inplace:
        g += 10.0 / f
    else:
        g = g + 10.0 / f
    return g


def micrograd_sanity(x):
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    return h + q + q * x


def test_micrograd_readme_example_matches_torch():
    a, b = Value(-4.0), Value(2.0)
    g = micrograd_readme(a, b, inplace=True)
    g.backward()
    ta, tb = t64(-4.0), t64(2.0)
    tg = micrograd_readme(ta, tb, inplace=False)
    tg.backward()
    assert close(g.data, tg.item())
    assert close(a.grad, ta.grad.item())
    assert close(b.grad, tb.grad.item())
    # the numbers micrograd's README prints
    assert (round(g.data, 4), round(a.grad, 4), round(b.grad, 4)) == (24.7041, 138.8338, 645.5773)


def test_micrograd_sanity_example_matches_torch():
    assert_matches_torch(micrograd_sanity, (-4.0,))


# ---------------------------------------------------------------------------
# size: deep and wide graphs
# ---------------------------------------------------------------------------

DEPTH = 1_000_000
WIDTH = 100_000


@contextlib.contextmanager
def little_stack():
    """Allow only a little more stack than the test itself uses: what runs inside must be iterative."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(len(traceback.extract_stack()) + 100)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


@contextlib.contextmanager
def no_cyclic_gc():
    """Pause the cyclic collector: a graph has no cycles, and rescanning a growing
    million-node graph (next to torch's objects) would triple the time to build it."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@pytest.mark.slow
def test_deep_chain_backward_without_recursion():
    x0 = Value(1.0)
    x = x0
    with no_cyclic_gc():
        for _ in range(DEPTH):
            x = x + 1
    with little_stack():
        x.backward()
    assert x.data == DEPTH + 1.0
    assert x0.grad == 1.0
    assert x._prev[1].grad == 1.0
    del x
    gc.collect()


@pytest.mark.slow
def test_deep_chain_deallocation_does_not_crash():
    # in a child process, so a C stack overflow while freeing shows up as a failure, not a dead session
    code = textwrap.dedent(
        f"""
        import gc
        from grad import Value
        x0 = Value(2.0)
        x = x0
        gc.disable()  # the graph has no cycles; see no_cyclic_gc
        for _ in range({DEPTH}):
            x = x * 1.0
        gc.enable()
        x.backward()
        assert x0.grad == 1.0 and x.data == 2.0, (x0.grad, x.data)
        del x
        gc.collect()
        print("freed")
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "freed"


@pytest.mark.slow
def test_wide_sum_chain_and_vsum():
    vs = [Value(i * 0.5) for i in range(WIDTH)]
    s = sum(vs)
    s.backward()
    assert s.data == 0.5 * WIDTH * (WIDTH - 1) / 2
    assert all(v.grad == 1.0 for v in vs)
    for v in vs:
        v.grad = 0.0
    s = vsum(vs)
    s.backward()
    assert s.data == 0.5 * WIDTH * (WIDTH - 1) / 2
    assert len(s._prev) == WIDTH
    assert all(v.grad == 1.0 for v in vs)


@pytest.mark.parametrize("op", [operator.add, operator.sub, operator.mul, operator.truediv, operator.pow])
@pytest.mark.parametrize("k", [3, -2])
def test_int_operands_on_either_side_match_torch(op, k):
    """Plain ints (not just floats) as the other operand, on the left and on the right."""
    for value_first in (True, False):
        if op is operator.pow and not value_first:
            base, exponent = (3, Value(1.7)) if k > 0 else (2, Value(-0.4))
            out, x = base**exponent, exponent
            tx = t64(exponent.data)
            tout = base**tx
        else:
            x = Value(1.7)
            tx = t64(1.7)
            out = op(x, k) if value_first else op(k, x)
            tout = op(tx, k) if value_first else op(k, tx)
        out.backward()
        tout.backward()
        assert close(out.data, tout.item()) and close(x.grad, tx.grad.item()), (op.__name__, k, value_first)


# ---------------------------------------------------------------------------
# faults found by an adversarial review, each fixed (these tests failed before)
# ---------------------------------------------------------------------------


def test_concurrent_backward_on_graphs_that_share_leaves_gives_exact_sums():
    # Each backward() of sum(leaf * 1.0) adds exactly 1.0 to every leaf. Before, the calls shared one
    # scratch slot per node, and threads switching mid-pass crashed ('object' + float) or lost updates.
    leaves = [Value(0.5) for _ in range(20)]
    threads, calls = 8, 25
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(calls):
                vsum(leaf * 1.0 for leaf in leaves).backward()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        pool = [threading.Thread(target=work) for _ in range(threads)]
        for t in pool:
            t.start()
        for t in pool:
            t.join(timeout=120)
    finally:
        sys.setswitchinterval(old)
    assert not errors, errors[0]
    assert [leaf.grad for leaf in leaves] == [float(threads * calls)] * len(leaves)


@pytest.mark.parametrize(
    "fn, value, grads",
    [
        # a / b with a tiny b: d/db = -a/b**2 underflowed b*b to 0 and raised a bare ZeroDivisionError
        (lambda a, b: a / b, 1.0, (1e170, -1e170)),
    ],
)
def test_tiny_divisors_work(fn, value, grads):
    a, b = Value(1e-170), Value(1e-170)
    out = fn(a, b)
    out.backward()
    assert out.data == value
    assert close(a.grad, grads[0], 1e-12) and close(b.grad, grads[1], 1e-12)
    ta, tb = t64(1e-170), t64(1e-170)
    fn(ta, tb).backward()
    assert close(a.grad, ta.grad.item(), 1e-12) and close(b.grad, tb.grad.item(), 1e-12)


def test_dividing_by_a_tiny_number_gives_a_huge_result_not_an_error():
    x = Value(1.0)
    out = x / 1e-162
    out.backward()
    assert close(out.data, 1e162, 1e-12) and close(x.grad, 1e162, 1e-12)


def test_int_data_set_after_construction_works_in_every_op():
    # the classic zero-init experiment: p.data = 0 crashed the next forward pass (float.__mul__ in dot)
    ws, b = [Value(0.3), Value(-0.2)], Value(0.1)
    for p in (*ws, b):
        p.data = 0
    out = dot(ws, [1.5, Value(2.0)], b).tanh() * 3 + ws[0] / 2 - ws[1] ** 2
    out.backward()
    assert out.data == 0.0
    assert [w.grad for w in ws] == [1.5 * 3 + 0.5, 2.0 * 3]
    assert b.grad == 3.0


@pytest.mark.parametrize(
    "items, expected",
    [
        ([1e308, 1e308, -1e308], math.inf),  # + overflows to inf; fsum raised OverflowError
        ([math.inf, -math.inf], math.nan),  # + gives nan; fsum raised ValueError
        ([math.inf, 1.0], math.inf),
        ([math.nan, 1.0], math.nan),
        ([0.1] * 10, 1.0),  # finite sums stay correctly rounded (sum() gives 0.9999999999999999)
    ],
)
def test_vsum_follows_ieee_like_plus(items, expected):
    s = vsum([Value(x) for x in items])
    s.backward()
    assert s.data == expected or (math.isnan(expected) and math.isnan(s.data))
    assert all(c.grad == 1.0 for c in s._prev)


def test_a_diverging_sum_shows_inf_instead_of_raising():
    big = [Value(1e308) for _ in range(3)]
    assert vsum(big).data == math.inf
    assert sum(big).data == math.inf  # the same as a chain of +


def test_relu_of_nan_is_nan():
    x = Value(math.nan)
    out = x.relu()
    out.backward()
    assert math.isnan(out.data) and math.isnan(x.grad)
    assert Value(math.inf).relu().data == math.inf


@pytest.mark.parametrize("x", [-0.0, 0.0, -1e-320, -2.0])
def test_relu_keeps_the_sign_of_zero_as_torch_does(x):
    """relu(-0.0) was +0.0; torch (and the lecture's micrograd) give -0.0."""
    a, t = Value(x), t64(x)
    out, ref = a.relu(), torch.relu(t)
    out.backward()
    ref.backward()
    assert math.copysign(1.0, out.data) == math.copysign(1.0, ref.item()) and out.data == ref.item()
    assert a.grad == t.grad.item() == 0.0


def test_nan_flows_through_the_other_functions_instead_of_raising():
    for fn in ("tanh", "sigmoid", "exp", "log"):
        assert math.isnan(getattr(Value(math.nan), fn)().data), fn
    assert math.isnan((Value(math.nan) ** 2).data)


class Tagged(Value):
    """A subclass with its own attribute, as a learner might write."""

    def __init__(self, data, tag: str = "") -> None:
        super().__init__(data)
        self.tag = tag


def test_subclasses_of_value_work_with_every_op():
    a, b = Tagged(2.0, "a"), Tagged(-3.0, "b")
    out = (a * b + a / b - b**2 + 2**a + (a - 1) * (1 - b) + (-a)).tanh() + b.exp().log() + a.relu()
    out.backward()
    ta, tb = t64(2.0), t64(-3.0)
    tout = (
        (ta * tb + ta / tb - tb**2 + 2**ta + (ta - 1) * (1 - tb) + (-ta)).tanh() + tb.exp().log() + ta.relu()
    )
    tout.backward()
    assert close(out.data, tout.item()) and close(a.grad, ta.grad.item()) and close(b.grad, tb.grad.item())
    assert a.tag == "a" and dot([a], [b], 1.0).data == -5.0 and vsum([a, b]).data == -1.0


def test_as_value_lifts_numbers_and_names_the_argument_in_its_error():
    v = Value(1.0)
    assert as_value(v) is v
    assert as_value(3).data == 3.0 and as_value(2.5)._prev == ()
    with pytest.raises(TypeError, match=r"^target must be a number or a Value, got str: '3'$"):
        as_value("3", "target")


def test_node_makes_an_op_that_backward_and_backward_order_handle():
    x, y = Value(2.0), Value(5.0)
    out = node(x.data * y.data**2, "x*y^2", (x, y), (y.data**2, 2 * x.data * y.data), label="q")
    (out * 2).backward()
    assert (out.label, out._op, out._prev, x.grad, y.grad) == ("q", "x*y^2", (x, y), 50.0, 40.0)
    with pytest.raises(ValueError, match="local derivatives"):
        node(1.0, "f", (x,), ())
    with pytest.raises(TypeError, match="children must be Values"):
        node(1.0, "f", (1.0,), (1.0,))
    with pytest.raises(TypeError, match="node\\(\\): each local derivative must be a real number"):
        node(1.0, "f", (x,), ("1",))


def test_dot_accepts_a_number_bias_and_names_bad_arguments():
    w = [Value(2.0), Value(3.0)]
    out = dot(w, [1.0, -1.0], 1.0)
    out.backward()
    assert out.data == 0.0 and out._prev == tuple(w) and [v.grad for v in w] == [1.0, -1.0]
    with pytest.raises(TypeError, match="dot: bias must be a number or a Value, got str"):
        dot(w, [1.0, 2.0], "1")
    with pytest.raises(TypeError, match="dot: each input must be a number or a Value, got str"):
        dot(w, [1.0, "2"])


def test_copies_and_pickles_keep_the_graph_and_backpropagate_independently():
    a = Value(2.0, label="a")
    h = a * a
    out = h + 1
    for a2, h2, clone in (copy.deepcopy((a, h, out)), pickle.loads(pickle.dumps((a, h, out)))):
        assert a2 is not a and a2.label == "a" and h2._prev == (a2, a2) and clone._prev[0] is h2
        clone.backward()
        assert a2.grad == 4.0 and a.grad == 0.0
    shallow = copy.copy(out)
    shallow.backward()
    assert shallow._prev == out._prev and a.grad == 4.0 and out.grad == 0.0


def test_children_must_be_ordered_so_derivatives_pair_with_the_right_child():
    p, q = Value(2.0), Value(5.0)
    for children in ({p, q}, {p: 1, q: 2}, frozenset([p])):
        with pytest.raises(TypeError, match="node\\(\\): children must be a sequence"):
            node(10.0, "*", children, (5.0, 2.0))
    with pytest.raises(TypeError, match="children must be a sequence .* got Value"):
        node(8.0, "cube", p, (12.0,))


def test_a_grad_that_is_not_a_number_stops_backward_before_anything_changes():
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    d = (c + a).tanh()
    c.grad = None
    with pytest.raises(TypeError, match="backward: a .grad must be a number, got NoneType"):
        d.backward()
    assert (d.grad, a.grad, b.grad) == (0.0, 0.0, 0.0)
    c.grad = "x" * 10**6  # the error printed the node's repr in full: a million characters
    with pytest.raises(TypeError, match="backward: a .grad must be a number, got str") as info:
        d.backward()
    assert len(str(info.value)) < 300
    c.grad = 1  # an int is a number
    d.backward()
    assert isinstance(c.grad, float) and a.grad != 0.0


class Reentrant(float):
    """A number whose conversion to float asks for a graph order: inside backward() that cannot work."""

    def __float__(self) -> float:
        return float(len(backward_order(Value(1.0))))


def test_a_call_from_inside_backward_is_an_error_not_a_hang():
    x = Value(1.0)
    y = x * 2.0
    x.grad = Reentrant(0.0)  # backward reads a .grad that is not a float as a float: __float__ re-enters
    with pytest.raises(RuntimeError, match="backward_order: called while this thread is inside backward"):
        y.backward()
    x.grad = 0.0
    y.backward()  # and the lock was released
    assert x.grad == 2.0


class Slotted(Value):
    __slots__ = ("tag",)


def test_copies_and_pickles_keep_a_subclasss_own_attributes():
    t, s = Tagged(1.0, "hello"), Slotted(2.0)
    s.tag = "slot"
    for clone in (copy.copy(t), copy.deepcopy(t), pickle.loads(pickle.dumps(t))):
        assert clone.tag == "hello" and clone.data == 1.0
    for clone in (copy.copy(s), copy.deepcopy(s), pickle.loads(pickle.dumps(s))):
        assert clone.tag == "slot" and clone.data == 2.0


@pytest.mark.parametrize(
    "clone", [copy.deepcopy, lambda x: pickle.loads(pickle.dumps(x))], ids=["deepcopy", "pickle"]
)
def test_a_copy_reached_through_an_attribute_keeps_creation_order(clone):
    """x.tag = y with y built on x: the copy of x was numbered after y, so y.backward() gave x.grad 0.0."""
    x, s = Tagged(0.5), Slotted(-1.5)
    y = ((x * s).tanh() + x) * 2.0
    x.tag, s.tag = y, y
    x2, s2 = clone((x, s))
    y2 = x2.tag
    y2.backward()
    y.backward()
    order = backward_order(y2)
    assert [n._id for n in order] == sorted((n._id for n in order), reverse=True)
    assert s2.tag is y2 and (x2.grad, s2.grad) == (x.grad, s.grad) and 0.0 not in (x.grad, s.grad)


@pytest.mark.parametrize(
    "fn, who",
    [
        (lambda: Value(10**400), "Value\\(\\): data"),
        (lambda: Value(1.0) + 10**400, "a number operand"),
        (lambda: as_value(10**400, "target"), "target"),
        (lambda: Value(2.0) ** 10**400, "pow: the exponent"),
        (lambda: dot([Value(1.0)], [10**400]), "dot: each input"),
    ],
)
def test_ints_too_large_for_a_float_say_so_briefly(fn, who):
    with pytest.raises(OverflowError, match=f"{who}: an int of about 401 digits is too large for a float"):
        fn()


def test_vsum_and_dot_take_any_ordered_iterable_and_name_the_rest():
    w = [Value(1.0), Value(2.0)]
    assert dot(iter(w), (x for x in [3.0, 4.0])).data == 11.0
    assert vsum(x for x in w).data == 3.0
    with pytest.raises(TypeError, match="vsum: values must be a sequence .* got int"):
        vsum(5)
    with pytest.raises(TypeError, match="dot: inputs must be a sequence .* got set"):
        dot(w, {1.0, 2.0})


def test_reflected_ops_keep_the_operands_in_the_order_they_were_written():
    a = Value(2.0, label="a")
    for out in (3 + a, 3 * a):
        assert out._prev[0].data == 3.0 and out._prev[1] is a
    out = 3 * a
    out.backward()
    assert out._local == (2.0, 3.0) and a.grad == 3.0


def test_an_error_message_survives_a_data_that_is_not_a_number():
    a = Value(1.0)
    a.data = "x"
    with pytest.raises(ZeroDivisionError, match="div: division by zero \\('x' / 0\\)"):
        a / 0


# ---------------------------------------------------------------------------
# issue 15: the edges (each of these failed before its fix)
# ---------------------------------------------------------------------------


def same(a: float, b: float) -> bool:
    """Bit for bit: NaN equals NaN, and 0.0 is not -0.0."""
    return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))


@pytest.mark.parametrize("x, n", [(1e-200, 2), (1e-33, 10), (1e-110, 3), (1e-250, 1.5), (1e-160, 2)])
def test_pow_of_a_tiny_base_has_torchs_derivative_not_an_underflowed_one(x, n):
    v = Value(x)
    (v**n).backward()
    t = t64(x)
    (t**n).backward()
    assert v.grad != 0.0 and v.grad == t.grad.item()  # was 0.0 (1e-160 ** 2: off by 1e-5 relative)


def test_pow_of_a_tiny_base_to_a_value_exponent_has_torchs_derivatives():
    a, b = Value(1e-300), Value(2.0)
    out = a**b
    out.backward()
    ta, tb = t64(1e-300), t64(2.0)
    (ta**tb).backward()
    assert a.grad == ta.grad.item() == 2e-300  # was 0.0
    assert same(out._local[1], tb.grad.item())  # 0.0 * ln(1e-300) = -0.0, as torch


def test_a_derivative_within_a_float_stays_finite_where_torch_overflows():
    """d/dx x**1e-5 at x = 1e-310 is about 9.93e304: torch's n * x**(n-1) overflows to inf, grad's not."""
    x, n = 1e-310, 1e-5
    v = Value(x)
    (v**n).backward()
    assert close(v.grad, math.exp(math.log(n) + (n - 1) * math.log(x)), 1e-12)
    t = t64(x)
    (t**n).backward()
    assert t.grad.item() == math.inf


INF, NAN, TINY, HUGE = math.inf, math.nan, 5e-324, 1e300
POW_BASES = [0.0, -0.0, TINY, -TINY, 1.0, -1.0, HUGE, -HUGE, INF, -INF, NAN]
POW_EXPONENTS = [-2, -1, -0.5, 0, 0.5, 1, 2, 3]


def pow_refused(x: float, n: float) -> type[Exception] | None:
    """The errors the engine raises by design, where torch gives inf or nan instead."""
    if x == 0 and n < 0:
        return ZeroDivisionError  # torch: inf
    if x == 0 and 0 < n < 1:
        return ValueError  # an infinite derivative; torch: inf
    if x < 0 and n != int(n):
        return ValueError  # not a real number; torch: nan
    if math.isfinite(x) and math.isfinite(n) and x != 0 and n * math.log10(abs(x)) > 308.3:
        return OverflowError  # a value beyond a float; torch: inf
    return None


@pytest.mark.parametrize("n", POW_EXPONENTS)
@pytest.mark.parametrize("x", POW_BASES)
def test_pow_at_zero_infinity_and_nan_matches_torch_bit_for_bit(x, n):
    """The issue's table (inf**2, inf**1, inf**0.5, (-inf)**3, nan**1 gave NaN gradients) and its grid.

    The local derivative is torch's gradient bit for bit. ``.grad`` equals it as a number, but
    starts at 0.0 and adds, so a -0.0 derivative leaves +0.0 there (torch assigns its first grad).
    """
    v = Value(x)
    if (error := pow_refused(x, n)) is not None:
        with pytest.raises(error, match="pow"):
            v**n
        return
    out = v**n
    out.backward()
    t = t64(x)
    tout = t**n
    tout.backward()
    assert same(out.data, tout.item()) and same(out._local[0], t.grad.item()), (out.data, out._local)
    assert same(v.grad, t.grad.item()) or v.grad == t.grad.item() == 0.0


@pytest.mark.parametrize("b", [-INF, -2.0, -0.5, 0.0, 0.5, 1.0, 2.0, INF, NAN])
@pytest.mark.parametrize("a", [TINY, 1e-300, 0.5, 1.0, 2.0, HUGE, INF, NAN])
def test_pow_with_a_value_exponent_at_the_edges_matches_torch_bit_for_bit(a, b):
    """A NaN base raised 'the base must be positive': a NaN from a diverged run crashed, not flowed."""
    va, vb = Value(a), Value(b)
    if pow_refused(a, b) is not None:
        with pytest.raises(OverflowError, match="pow"):
            va**vb
        return
    out = va**vb
    out.backward()
    ta, tb = t64(a), t64(b)
    tout = ta**tb
    tout.backward()
    theirs = (tout.item(), ta.grad.item(), tb.grad.item())
    assert all(map(same, (out.data, *out._local), theirs)), ((out.data, *out._local), theirs)


def test_dot_of_nothing_is_a_float_zero_like_vsum():
    for empty in (dot([], []), dot([], [], 0), vsum([])):
        assert type(empty.data) is float and empty.data == 0.0 and empty._prev == ()


@pytest.mark.parametrize(
    "x", [np.bool_(True), np.array(2.0), np.array(3), np.float32(0.5), np.int64(-4)], ids=repr
)
def test_numpy_numbers_are_numbers_everywhere(x):
    """Value(np.True_), vsum([np.True_]) and Value(np.array(2.0)) raised; a + np.True_ worked."""
    f = float(x)
    a, w = Value(3.0), Value(2.0)
    made = {
        "Value()": Value(x),
        "as_value": as_value(x),
        "node()": node(x, "f", [a], [x]),
        "vsum": vsum([x, a]),
        "dot input": dot([w], [x]),
        "dot bias": dot([w], [1.0], x),
        "a + x": a + x,
        "x + a": x + a,
        "a * x": a * x,
        "x - a": x - a,
        "a / x": a / x,
        "a ** x": a**x,
    }
    expected = {
        "vsum": f + 3.0,
        "dot input": 2.0 * f,
        "dot bias": 2.0 + f,
        "a + x": 3.0 + f,
        "x + a": f + 3.0,
    }
    expected |= {"a * x": 3.0 * f, "x - a": f - 3.0, "a / x": 3.0 / f, "a ** x": 3.0**f}
    for name, v in made.items():
        assert type(v) is Value and type(v.data) is float, name
        assert v.data == expected.get(name, f), name
    made["node()"].backward()
    assert a.grad == f and type(a.grad) is float


@pytest.mark.parametrize(
    "fn",
    [
        lambda a: a + np.array([2.0]),
        lambda a: a - np.ones((2, 2)),
        lambda a: a / np.array([2.0]),
        lambda a: a ** np.array([2.0]),
        lambda a: a * np.complex64(1),
    ],
)
def test_a_numpy_array_operand_is_refused_by_name_not_made_an_array_of_values(fn):
    """Value(1.0) + np.array([2.0]) gave array([Value(data=3.0, ...)], dtype=object), not an error.

    With the array on the left, numpy answers first (an array of Values, as for any object); that
    way np.exp(a) and np.tanh(a) keep calling a.exp() and a.tanh().
    """
    with pytest.raises(TypeError, match=r"(a number operand|pow: the exponent) must be a real number .*got "):
        fn(Value(1.0))


@pytest.mark.parametrize("start", [np.float16(0.0), np.float32(0.0), np.int8(0), 0, False])
def test_backward_adds_to_a_grad_of_any_number_type_in_float64(start):
    """A .grad set to np.float16(0) kept its type: a*3 + a*1e-4 gave a.grad == np.float16(3.0), not 3.0001."""
    a = Value(1.0)
    out = a * 3.0 + a * 1e-4
    a.grad = start
    out.backward()
    assert type(a.grad) is float and a.grad == 3.0 + 1e-4


def test_a_grad_too_large_for_a_float_is_named():
    a = Value(1.0)
    out = a * 3.0
    a.grad = 10**5000  # was a bare OverflowError: int too large to convert to float
    with pytest.raises(OverflowError, match=r"^backward: a \.grad: an int of about 5001 digits"):
        out.backward()


def test_numpy_functions_of_a_value_call_its_methods():
    a = Value(0.5)
    out = np.exp(a) + np.tanh(a)
    out.backward()
    assert type(out) is Value and close(a.grad, math.exp(0.5) + 1 - math.tanh(0.5) ** 2)


def test_op_must_be_a_str():
    """node(1.0, 5, ...) and Value(1.0, _op=5) made a node whose op was the int 5."""
    makes = (lambda: node(1.0, 5, [Value(1.0)], [1.0]), lambda: Value(1.0, _op=5), lambda: Value(1, _op=5))
    for make in makes:
        with pytest.raises(TypeError, match=r"^(node|Value)\(\): op must be a str, got int: 5$"):
            make()


def test_errors_name_their_function():
    with pytest.raises(OverflowError, match=r"^pow: the exponent: an int of about 401 digits"):
        Value(2.0) ** 10**400  # was a bare OverflowError from float()
    with pytest.raises(ValueError, match=r"^node\(\) got 1 children but 0 local derivatives"):
        node(1.0, "op", [Value(1.0)], [])  # named Value()
    with pytest.raises(TypeError, match=r"^node\(\): label must be a str"):
        node(1.0, "op", [], [], label=1)


DEEP = 100_000


def test_pickle_and_deepcopy_a_chain_100000_deep_without_recursion():
    """A 10,000-op chain raised RecursionError; 1e5 works with a little stack."""
    leaf = Slotted(0.5)
    leaf.tag = "bottom"
    x = leaf
    for i in range(DEEP):
        x = x * 1.0 if i % 2 else x.tanh()
        if i == DEEP // 2:
            x.label = "middle"
    x.backward()
    with little_stack():
        clones = [pickle.loads(pickle.dumps(x)), copy.deepcopy(x)]
    order = backward_order(x)
    for clone in clones:
        theirs = backward_order(clone)
        assert len(theirs) == len(order) == 1 + DEEP + DEEP // 2  # with the constants 1.0
        assert not {id(n) for n in theirs} & {id(n) for n in order}
        assert [(n.data, n.grad, n.label, n._op, type(n)) for n in theirs] == [
            (n.data, n.grad, n.label, n._op, type(n)) for n in order
        ]
        bottom = theirs[-1]
        assert bottom.tag == "bottom" and bottom is not leaf
        clone.backward()  # gradients accumulate on the copy alone
        assert bottom.grad == 2 * leaf.grad and clone.grad == 2.0 and x.grad == 1.0
