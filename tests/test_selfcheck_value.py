"""grad.selfcheck.value: the checks of notebook 02's "Your turn" tasks.

Every check is driven to each of its verdicts: OK, WRONG with a hint (one case per hint), not yet
(the shipped ``...`` or NotImplementedError) and a crash inside the learner's code, which is
reported, never raised. The learner's class is notebook 02's: children in a *set* ``_prev``.
"""

from __future__ import annotations

import pytest
from helpers import LectureValue, lecture_L, printed_line, steps_value, wrong_line

import grad
from grad.selfcheck import value as check

Value = steps_value("02")  # no grad yet, children in a set


class TupleValue(Value):
    """The same, with the children in a tuple (as grad.Value keeps them)."""

    def __init__(self, data, _children=(), _op="", label=""):
        super().__init__(data, _children, _op, label)
        self._prev = tuple(_children)

    def __add__(self, other):
        return TupleValue(self.data + other.data, (self, other), "+")

    def __mul__(self, other):
        return TupleValue(self.data * other.data, (self, other), "*")


class Broken(Value):
    """A learner's class whose __mul__ crashes."""

    def __mul__(self, other):
        raise ZeroDivisionError("division by zero")


def labels(**changes):
    """The labels of a, b, c, f, e, d and L, some changed: labels(e="") leaves e unlabelled."""
    return tuple(changes.get(name, name) for name in "abcfedL")


def build_L(V=Value, labels=tuple("abcfedL"), numbers=(2.0, -3.0, 10.0, -2.0), ops=("*", "+", "*")):
    """The lecture's L (helpers.lecture_L) built so that any part of it can be made wrong."""
    a, b, c, f = (V(x, label=name) for x, name in zip(numbers, labels[:4]))
    mul1 = (lambda x, y: x * y) if ops[0] == "*" else (lambda x, y: x + y)
    add = (lambda x, y: x + y) if ops[1] == "+" else (lambda x, y: x * y)
    e = mul1(a, b)
    e.label = labels[4]
    d = add(e, c)
    d.label = labels[5]
    L = d * f
    L.label = labels[6]
    return L


# ---- lecture_L -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("V", [Value, TupleValue, LectureValue, grad.Value], ids=lambda v: v.__name__)
def test_lecture_L_ok_with_a_set_or_a_tuple_of_children(V, capsys):
    assert check.lecture_L(lecture_L(V)["L"])
    assert printed_line(capsys) == "L = (a*b + c)*f: OK"


@pytest.mark.parametrize(
    "L, said, hint",
    [
        (build_L(numbers=(2.0, 3.0, 10.0, -2.0)), "L.data is -32, expected -8", "a = 2, b = -3"),
        (build_L(labels=labels(L="X")), "the node X should be labelled 'L'", "L.label = 'L'"),
        (build_L(labels=labels(e="")), "the node Value(-6.0) should be labelled 'e'", "e.label = 'e'"),
        (build_L(labels=labels(d="")), "the node Value(4.0) should be labelled 'd'", "d.label = 'd'"),
        (build_L(labels=labels(a="")), "the node Value(2.0) should be labelled 'a'", "a.label = 'a'"),
        (
            build_L(labels=labels(d="x")),
            "L should be made from d and f, got f, x",
            "give every node its label",
        ),
    ],
    ids=["data", "label-L", "label-e", "label-d", "label-a", "wrong-label"],
)
def test_lecture_L_wrong_says_what_is_off_and_hints(L, said, hint, capsys):
    assert not check.lecture_L(L)
    wrong_line(capsys, "L = (a*b + c)*f", said, hint)


def test_lecture_L_wrong_structure_with_the_right_number(capsys):
    # L = (a*b + c)*f and L = (c + a*b)*f are the same; (a*b)*(c) + ... is not: build d = e * c, L = d*f
    # with numbers that still give -8 is impossible with the lecture's inputs, so change an op and its
    # leaves: e = a + b with a = -4, b = -2 gives e = -6, d = 4, L = -8 as well
    L = build_L(numbers=(-4.0, -2.0, 10.0, -2.0), ops=("+", "+", "*"))
    assert not check.lecture_L(L)
    line = printed_line(capsys)
    assert "e should be made by '*' from a and b, got '+' from a, b" in line and "Hint: " in line


def test_lecture_L_wrong_when_a_leaf_is_off_but_L_is_right(capsys):
    # swapping the numbers of a and b keeps every product, so only the leaves tell
    L = build_L(numbers=(-3.0, 2.0, 10.0, -2.0))
    assert not check.lecture_L(L)
    assert printed_line(capsys) == "L = (a*b + c)*f: WRONG: a.data is -3, expected 2"


def test_lecture_L_wrong_for_something_that_is_not_a_value(capsys):
    assert not check.lecture_L(-8.0)
    assert printed_line(capsys).startswith("L = (a*b + c)*f: WRONG: L has no data")


def test_lecture_L_not_yet(capsys):
    assert not check.lecture_L(...)
    assert printed_line(capsys).startswith("L = (a*b + c)*f: not yet (")


def test_lecture_L_a_crash_inside_the_learners_value_is_reported(capsys):
    class Exploding:
        label, _op, _prev = "L", "*", set()

        @property
        def data(self):
            raise ValueError("no data today")

    assert not check.lecture_L(Exploding())
    assert printed_line(capsys) == "L = (a*b + c)*f: WRONG: no data today"


# ---- trace -----------------------------------------------------------------------------------------------


def trace_sets(root):
    nodes, edges = set(), set()

    def build(v):
        if v not in nodes:
            nodes.add(v)
            for child in v._prev:
                edges.add((child, v))
                build(child)

    build(root)
    return nodes, edges


def trace_lists(root):
    nodes, edges, todo = [root], [], [root]
    while todo:
        v = todo.pop()
        for child in v._prev:
            edges.append((child, v))
            if child not in nodes:
                nodes.append(child)
                todo.append(child)
    return nodes, edges


@pytest.mark.parametrize("fn", [trace_sets, trace_lists], ids=["sets", "lists"])
@pytest.mark.parametrize("V", [Value, TupleValue, LectureValue], ids=lambda v: v.__name__)
def test_trace_ok(fn, V, capsys):
    assert check.trace(fn, V)
    assert printed_line(capsys) == "trace(root): OK"


def trace_no_visited_check(root):  # walks a shared node twice: lists it twice
    nodes, edges = [], []

    def build(v):
        nodes.append(v)
        for child in v._prev:
            edges.append((child, v))
            build(child)

    build(root)
    return nodes, edges


def trace_duplicate_edges(root):
    nodes, edges = trace_sets(root)
    return nodes, [*edges, *edges]


@pytest.mark.parametrize(
    "fn, said, hint",
    [
        (lambda root: trace_sets(root)[0], "trace(L) should return two things, nodes and edges", ""),
        (
            lambda root: ({root, *root._prev}, {(c, root) for c in root._prev}),
            "trace(L) is missing the node(s) a, b, c, e",
            "from every child through its _prev too",
        ),
        (
            lambda root: (trace_sets(root)[0], {(p, c) for c, p in trace_sets(root)[1]}),
            "trace(L) has the edges the wrong way round",
            "an edge is (child, parent)",
        ),
        (trace_no_visited_check, "in trace(g = x*y + x), x is in nodes 2 times", "skip a node"),
        (trace_duplicate_edges, "is listed 2 times", "keep the edges in a set"),
        (
            lambda root: (trace_sets(root)[0], set(list(trace_sets(root)[1])[1:])),
            "is missing the edge(s)",
            "for each child in node._prev",
        ),
    ],
    ids=["one-thing", "children-only", "reversed", "twice", "edges-twice", "edge-missing"],
)
def test_trace_wrong_says_what_is_off_and_hints(fn, said, hint, capsys):
    assert not check.trace(fn, Value)
    line = printed_line(capsys)
    assert line.startswith("trace(root): WRONG: ")
    assert said in line and hint in line


def test_trace_wrong_with_nodes_or_edges_from_elsewhere(capsys):
    stranger = Value(1.0, label="s")
    assert not check.trace(lambda root: (trace_sets(root)[0] | {stranger}, trace_sets(root)[1]), Value)
    assert printed_line(capsys) == "trace(root): WRONG: trace(L) has 1 node(s) that are not part of the graph"
    extra = lambda root: (trace_sets(root)[0], trace_sets(root)[1] | {(stranger, root)})  # noqa: E731
    assert not check.trace(extra, Value)
    assert printed_line(capsys) == "trace(root): WRONG: trace(L) has 1 edge(s) that are not in the graph"
    assert not check.trace(lambda root: (trace_sets(root)[0], [root]), Value)
    assert printed_line(capsys).startswith("trace(root): WRONG: trace(L): every edge should be a pair")


def test_trace_not_yet(capsys):
    def trace(root):
        raise NotImplementedError  # your code here

    assert not check.trace(trace, Value)
    assert printed_line(capsys).startswith("trace(root): not yet (")
    assert not check.trace(lambda root: ..., Value)
    assert printed_line(capsys).startswith("trace(root): not yet (")


def test_trace_a_crash_is_reported_not_raised(capsys):
    assert not check.trace(lambda root: root.children, Value)
    assert printed_line(capsys) == (
        "trace(root): WRONG: your code raised AttributeError: 'Value' object has no attribute 'children'. "
        "Hint: your Value has no `children`: it is called `_prev`"
    )
    assert not check.trace(trace_sets, Broken)
    assert printed_line(capsys) == "trace(root): WRONG: your code raised ZeroDivisionError: division by zero"


# ---- a_plus_a ----------------------------------------------------------------------------------------


def test_a_plus_a_ok_for_the_class_at_hand(capsys):
    assert check.a_plus_a(1, Value)
    assert printed_line(capsys) == "(a + a)._prev: OK"
    assert check.a_plus_a(2, TupleValue)
    assert check.a_plus_a(2.0, grad.Value)
    capsys.readouterr()


def test_a_plus_a_wrong_explains_the_set_or_the_tuple(capsys):
    assert not check.a_plus_a(2, Value)
    assert printed_line(capsys) == (
        "(a + a)._prev: WRONG: (a + a)._prev holds 1 Value(s), not 2. Hint: _prev is set(_children), "
        "and a set holds each object once: set((a, a)) is {a}"
    )
    assert not check.a_plus_a(1, TupleValue)
    line = printed_line(capsys)
    assert "holds 2 Value(s), not 1" in line and "a tuple keeps a child that is passed twice twice" in line


def test_a_plus_a_wrong_for_a_non_number(capsys):
    assert not check.a_plus_a("one", Value)
    assert printed_line(capsys) == "(a + a)._prev: WRONG: n_children should be a number, got str: 'one'"


def test_a_plus_a_not_yet(capsys):
    assert not check.a_plus_a(..., Value)
    assert printed_line(capsys).startswith("(a + a)._prev: not yet (")


def test_a_plus_a_a_crash_in_the_learners_class_is_reported(capsys):
    class NoAdd(Value):
        def __add__(self, other):
            raise TypeError("cannot add")

    assert not check.a_plus_a(1, NoAdd)
    assert printed_line(capsys) == "(a + a)._prev: WRONG: your code raised TypeError: cannot add"


def test_trace_that_returns_the_edges_first_is_told_so(capsys):
    assert not check.trace(lambda root: tuple(reversed(trace_sets(root))), Value)
    assert printed_line(capsys) == (
        "trace(root): WRONG: trace(L) returned the edges first and the nodes second. "
        "Hint: return nodes, edges, in that order"
    )
