"""Checks for notebook 03, backpropagation by hand: ``check.NAME()`` as the last line of each task.

The notebook begins with ``Value = check.start()``. ``grad_attr`` and ``tanh_forward`` judge your
method on a class of their own (the course's Value with your method in it), then put yours into the
notebook's ``Value`` once it passes (saving it to ``my_micrograd/engine.py``), the course's until
then. ``neuron`` gives the notebook the course's neuron until yours passes, so the cells after it run
either way. The other checks read the nodes your cells made. Gradients worked out by hand may be
typed in as numbers; the chain rule for c, e, a and b and the optimization step are code, so there
typed-in numbers are refused. A WRONG verdict on a gradient says which one is off and why, never the
right number; ``check.NAME(solution=True)`` prints the book's solution.

Example:
    >>> def __init__(self, data, _children=(), _op="", label=""):
    ...     self.data, self.grad, self._prev, self._op, self.label = data, 1.0, set(_children), _op, label
    >>> r = judge_init(__init__)
    >>> r.status, r.hint
    ('WRONG', 'self.grad = 0.0: grads start at 0')
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import grad
from grad import lecture
from grad.selfcheck import my_engine
from grad.selfcheck.core import (
    SEEDS,
    NotDefined,
    Result,
    course_value,
    mine,
    near,
    not_yet,
    number,
    ok,
    run_task,
    wrong,
)
from grad.validate import fmt, is_real, show

__all__ = ["L_nudged", "grad_attr", "grads_chain", "grads_out", "judge_init", "judge_neuron", "judge_tanh"]
__all__ += ["neuron", "neuron_grads", "start", "step", "tanh_forward"]

BOOK, STAGE, STEP = "backprop", "03.grad", 0.01
Graph = Mapping[str, tuple[str, tuple[str, ...]]]  # node: (its op, its children), in the order built
L_LEAVES = {"a": 2.0, "b": -3.0, "c": 10.0, "f": -2.0}
L_GRAPH: Graph = {"e": ("*", ("a", "b")), "d": ("+", ("e", "c")), "L": ("*", ("d", "f"))}
NEURON_LEAVES = {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 6.8813735870195432}
NEURON: Graph = {
    "x1*w1": ("*", ("x1", "w1")),
    "x2*w2": ("*", ("x2", "w2")),
    "x1*w1 + x2*w2": ("+", ("x1*w1", "x2*w2")),
    "n": ("+", ("x1*w1 + x2*w2", "b")),
    "o": ("tanh", ("n",)),
}
NAME = {"x1*w1": "x1w1", "x2*w2": "x2w2", "x1*w1 + x2*w2": "x1w1x2w2"}  # label -> the notebook's name


def start() -> type:
    """The notebook's Value: yours from ``my_micrograd/`` where it has passed, the course's elsewhere."""
    return my_engine.start(STAGE)


def _num(x: object) -> float:
    return math.nan if (n := number(x)) is None else n


def _defined(name: str) -> bool:
    try:
        mine(name)
    except NotDefined:
        return False
    return True


def _method(task: str, name: str, judge: Callable[[Any], Result], solution: bool) -> Result:
    """Check the notebook's function ``name`` as Value's method; put it (or the course's) to use; save it."""
    course = {name: vars(lecture.Value)[name]}
    return run_task(BOOK, task, [name], judge, course=course, methods=True, stage=STAGE, solution=solution)


# ---- the grad attribute and tanh's forward pass: methods of Value ----------------------------------------


def judge_init(init: Any) -> Result:
    """Judge an ``__init__`` that gives every Value a ``grad`` of 0, on a graph with a node used twice."""
    if not callable(init):
        return wrong(f"__init__ is {show(init)}, not a function", "def __init__(self, data, ...):")
    V = course_value({"__init__": init})
    a = V(2.0, label="a")
    c = a * a
    d = c * c + c  # c feeds both the * and the +
    for node, name in ((a, "a leaf"), (c, "a product"), (d, "a sum")):
        if not hasattr(node, "grad"):
            return wrong(f"{name} has no .grad", "add the line self.grad = 0.0")
        if not (is_real(node.grad) and node.grad == 0):
            return wrong(f"{name} starts with grad {show(node.grad)}", "self.grad = 0.0: grads start at 0")
    if not (near(getattr(d, "data", None), 20.0) and a.label == "a" and d._op == "+"):
        return wrong("data, _op or label is not kept as given", "keep notebook 02's lines, add one for grad")
    if not (c in d._prev and a in c._prev and len(d._prev) == 2):
        return wrong("a node's _prev does not hold its children", "self._prev = set(_children)")
    return ok()


def grad_attr(solution: bool = False) -> Result:
    """Check your ``__init__``, which gives each Value ``grad = 0.0``; Value uses it once it passes."""
    return _method("grad_attr", "__init__", judge_init, solution)


def judge_tanh(tanh: Any) -> Result:
    """Judge a ``tanh(self)`` that makes a new Value with one child, on a graph with a node used twice."""
    if not callable(tanh):
        return wrong(f"tanh is {show(tanh)}, not a function", "def tanh(self):")
    V = course_value({"tanh": tanh})
    for x in (0.8, -0.35, 0.0):
        a = V(x)
        c = a * a
        y = c * c + c  # c feeds both the * and the +
        out = y.tanh()
        if not all(hasattr(out, k) for k in ("data", "_prev", "_op")):
            return wrong(
                f"tanh returned {show(out)}, not a Value",
                "make out = Value(t, (self,), 'tanh') and return it",
            )
        if not near(out.data, math.tanh(y.data)):
            return wrong(f"tanh of {fmt(y.data)} gave {fmt(out.data)}", "t = (exp(2x) - 1) / (exp(2x) + 1)")
        if len(out._prev) != 1 or y not in out._prev:
            return wrong("the result's _prev is not {self}", "its one child: Value(t, (self,), 'tanh')")
        if out._op != "tanh":
            return wrong(f"the result's _op is {show(out._op)}", "Value(t, (self,), 'tanh')")
    return ok()


def tanh_forward(solution: bool = False) -> Result:
    """Check your ``tanh(self)``, its forward pass; Value uses it once it passes."""
    return _method("tanh_forward", "tanh", judge_tanh, solution)


# ---- L with one node nudged: the lecture's lol() ---------------------------------------------------------


def _forward(graph: Graph, leaves: Mapping[str, Any], nudge: str = "", h: float = 0.0) -> dict[str, Any]:
    """Every node of ``graph`` from ``leaves`` (floats or Values), ``h`` added to ``nudge`` once computed."""
    v = {k: x + h if k == nudge else x for k, x in leaves.items()}
    for node, (op, kids) in graph.items():
        x = [v[k] for k in kids]
        v[node] = x[0].tanh() if op == "tanh" else x[0] * x[1] if op == "*" else x[0] + x[1]
        v[node] = v[node] + h if node == nudge else v[node]
    return v


def L_nudged(solution: bool = False) -> Result:
    """Check your ``L_nudged(name, h)``: L with ``h`` added to the node called ``name``, for every node."""

    def judge(fn: Any) -> Result:
        if not callable(fn):
            return wrong(f"L_nudged is {show(fn)}, not a function", "def L_nudged(name, h):")
        for name in ("a", "b", "c", "e", "d", "f", "L"):
            got = [fn(name, h) for h in (0.0, 0.001, 0.25)]
            got = [getattr(y, "data", y) for y in got]  # a Value will do too
            if any(number(y) is None for y in got):  # an int too large for a float too
                return wrong(f"L_nudged({name!r}, h) returned {show(got[1])}", "return L, a number")
            if not near(got[0], _forward(L_GRAPH, L_LEAVES)["L"]):
                return wrong(
                    f"L_nudged({name!r}, 0) is {fmt(got[0])}, not L", "L = (a*b + c)*f, a = 2.0, ..."
                )
            if near(got[1], got[0]) and near(got[2], got[0]):
                where = (
                    "computed: add h to it after its line" if name in L_GRAPH else "a leaf: add h to its data"
                )
                return wrong(f"L_nudged({name!r}, h) does not change with h", f"{name} is {where}")
            if not all(
                near(y, _forward(L_GRAPH, L_LEAVES, name, h)["L"]) for y, h in zip(got[1:], (0.001, 0.25))
            ):
                return wrong(f"L_nudged({name!r}, h) is not L with {name} nudged by h", "add h to it only")
        return ok()

    return run_task(BOOK, "L_nudged", ["L_nudged"], judge, solution=solution)


# ---- gradients by hand -----------------------------------------------------------------------------------


def _hint(graph: Graph, nodes: Mapping[str, Any], node: str, g: float) -> str:
    """Why ``g`` is not d(output)/d(``node``): the slip it matches, else the rule (never the number)."""
    user = next((p for p, (_, kids) in graph.items() if node in kids), None)
    if user is None:
        return f"{NAME.get(node, node)} is the output: nudge it by h and it moves by h"
    op, kids = graph[user]
    u, k = NAME.get(user, user), NAME.get(node, node)
    num = {x: _num(getattr(nodes[x], "grad", None)) for x in (user, node)}
    data = {x: _num(getattr(n, "data", None)) for x, n in nodes.items()}
    slips = [(1.0, f"1 is only the local derivative: times {u}.grad")]
    if op == "*":
        other = kids[1 - kids.index(node)]
        o = NAME.get(other, other)
        slips = [
            (data[other], f"{o}.data is only the local derivative: times {u}.grad"),
            (data[node] * num[user], f"a product passes each input the other one's data: {o}, not {k}"),
        ]
    elif op == "tanh":
        slips = [
            (num[user], f"{u}.grad alone: times tanh's local derivative 1 - {u}.data**2"),
            (data[user], f"tanh's local derivative is 1 - {u}.data**2, not {u}.data"),
            (data[user] ** 2, f"tanh's local derivative is 1 - {u}.data**2"),
        ]
    for value, said in slips:
        if near(g, value):
            return said
    rule = {"+": f"a + passes {u}.grad on unchanged", "*": f"a * passes {u}.grad times the other input"}
    return rule.get(op, f"{u}.grad times tanh's local derivative 1 - {u}.data**2")


def _grads(task: str, graph: Graph, leaves: Mapping[str, float], which: tuple[str, ...], **kw: Any) -> Result:
    """Check the ``.grad`` of each node in ``which``, filled in by hand, against grad.Value's backward().

    ``kw``: ``solution``, and ``allowed`` (default: numbers typed in are fine) for :func:`core.run`.
    """

    def attempt() -> dict[str, Any]:
        return {k: mine(NAME.get(k, k)) for k in (*leaves, *graph)}

    def judge(nodes: dict[str, Any]) -> Result:
        if any(number(getattr(nodes[k], "data", None)) is None for k in leaves):
            return wrong("a leaf has no number in .data", "run the cells above this one again")
        ref = _forward(graph, {k: grad.Value(_num(nodes[k].data)) for k in leaves})
        ref[list(graph)[-1]].backward()
        got = {k: getattr(nodes[k], "grad", None) for k in which}
        if all(is_real(g) and g == 0 for g in got.values()):
            return not_yet(f"{', '.join(NAME.get(k, k) + '.grad' for k in which)} are all still 0")
        for k, g in got.items():
            name = NAME.get(k, k)
            if number(g) is None:  # not a number, or an int too large for a float
                return wrong(f"{name}.grad is {show(g)}", f"a number: d(output)/d{name}")
            if not near(g, ref[k].grad):
                return wrong(f"{name}.grad is {fmt(g)}, not its gradient", _hint(graph, nodes, k, _num(g)))
        return ok()

    return run_task(BOOK, task, (), judge, attempt=attempt, **{"allowed": None, **kw})


def grads_out(solution: bool = False) -> Result:
    """Check ``L.grad``, ``d.grad`` and ``f.grad`` of the lecture's L = (a*b + c)*f, worked out by hand."""
    return _grads("grads_out", L_GRAPH, L_LEAVES, ("L", "d", "f"), solution=solution)


def grads_chain(solution: bool = False) -> Result:
    """Check ``c.grad``, ``e.grad``, ``a.grad`` and ``b.grad`` of L, written as the chain rule: code, so
    numbers typed in are refused."""
    return _grads("grads_chain", L_GRAPH, L_LEAVES, ("c", "e", "a", "b"), solution=solution, allowed=SEEDS)


def neuron_grads(solution: bool = False) -> Result:
    """Check the gradient of every node of the lecture's neuron, worked out by hand."""
    order = ("o", "n", "x1*w1 + x2*w2", "b", "x1*w1", "x2*w2", "x2", "w2", "x1", "w1")
    return _grads("neuron_grads", NEURON, NEURON_LEAVES, order, solution=solution)


# ---- one optimization step ----------------------------------------------------------------------------


def step(solution: bool = False) -> Result:
    """Check one step of 0.01 along the gradients of a, b, c and f, and L computed again after it."""

    def attempt() -> dict[str, Any]:
        return {k: mine(k) for k in (*L_LEAVES, *L_GRAPH)}

    def judge(nodes: dict[str, Any]) -> Result:
        ref = _forward(L_GRAPH, {k: grad.Value(x) for k, x in L_LEAVES.items()})
        ref["L"].backward()
        if not all(near(getattr(nodes[k], "grad", None), ref[k].grad) for k in L_LEAVES):
            return not_yet("a.grad, b.grad, c.grad and f.grad are not all right yet: see grads_chain")
        if any(number(getattr(nodes[k], "data", None)) is None for k in (*L_LEAVES, "L")):
            return wrong("a node has no number in .data", "run the cells above this one again")
        for k, x in L_LEAVES.items():
            steps = (_num(nodes[k].data) - x) / (STEP * ref[k].grad)  # how many steps along the gradient
            if not near(steps, 1.0):
                if near(steps, 0.0):
                    return wrong(f"{k} has not moved", f"{k}.data += {STEP} * {k}.grad")
                if near(steps, -1.0):
                    return wrong(f"{k} moved against its gradient", "+=: along the gradient, L goes up")
                return wrong(
                    f"{k} moved {fmt(steps)} times {STEP} * {k}.grad",
                    f"{k}.data += {STEP} * {k}.grad, run once (to start again, run the cells from L's again)",
                )
        now = _forward(L_GRAPH, {k: _num(nodes[k].data) for k in L_LEAVES})["L"]
        if not near(nodes["L"].data, now):
            return wrong(
                "L.data is not (a*b + c)*f of the new data", "run the forward pass again: e = a * b, ..."
            )
        return ok()

    return run_task(BOOK, "step", (), judge, attempt=attempt, solution=solution)


# ---- the lecture's neuron -------------------------------------------------------------------------------


def judge_neuron(nodes: Mapping[str, Any]) -> Result:
    """Judge the neuron's nodes, by label: the lecture's numbers, ops, children and labels."""
    if not isinstance(nodes, Mapping) or set(nodes) != {*NEURON_LEAVES, *NEURON}:
        return wrong(f"the neuron's nodes are {show(nodes)}", "x1, x2, w1, w2, b, x1w1, x2w2, x1w1x2w2, n, o")
    for label, node in nodes.items():
        if not all(hasattr(node, k) for k in ("data", "_prev", "_op")):
            hint = "call it: n.tanh()" if callable(node) else "a Value, or an operation on Values"
            return wrong(f"{NAME.get(label, label)} is {show(node)}, not a Value", hint)
    for label, x in NEURON_LEAVES.items():
        if not near(nodes[label].data, x):
            return wrong(
                f"{label}.data is {fmt(nodes[label].data)}, the lecture's is {x!r}", "use the lecture's"
            )
    for label, (op, kids) in NEURON.items():
        node, name = nodes[label], NAME.get(label, label)
        made = f"{kids[0]}.tanh()" if op == "tanh" else f" {op} ".join(NAME.get(k, k) for k in kids)
        if (
            node._op != op
            or len(node._prev) != len(kids)
            or not all(any(p is nodes[k] for p in node._prev) for k in kids)
        ):
            return wrong(f"{name} is not {made}", f"{name} = {made}")
    for label, node in nodes.items():
        if getattr(node, "label", None) != label:
            name = NAME.get(label, label)
            return wrong(f"{name}.label is {show(getattr(node, 'label', None))}", f'{name}.label = "{label}"')
    return ok()


def neuron(solution: bool = False) -> Result:
    """Check the lecture's neuron o = tanh(x1*w1 + x2*w2 + b), built and labelled in the notebook.

    Until it passes, the notebook's ``x1`` … ``o`` are the course's neuron, so the next cells run.
    """
    labels = (*NEURON_LEAVES, *NEURON)

    def attempt() -> dict[str, Any] | None:
        if not any(_defined(NAME.get(k, k)) for k in labels if k != "b"):  # b may be L's, from above
            return ...  # nothing typed yet
        return {k: mine(NAME.get(k, k), own=True) for k in labels}

    def course() -> dict[str, Any]:
        return {NAME.get(k, k): v for k, v in lecture.lecture_neuron(mine("Value")).items() if k in labels}

    names, until = [NAME.get(k, k) for k in labels], "until yours passes, x1 ... o are the course's neuron"
    return run_task(
        BOOK, "neuron", names, judge_neuron, attempt=attempt, course=course, until=until, solution=solution
    )
