"""Checks for notebook 04: the ``_backward`` closures, the calls in order, build_topo, backward(), ``+=``.

A method check judges your function on a class of its own (the course's :class:`grad.lecture.Value`
with your one method in place, and ``Value`` in your function meaning that class), so a slip in
another piece never shows here. Then it puts into the notebook's ``Value`` your method when it
passes, the course's until then, and says which; ``__init__``, ``backward()`` and the ``+=`` pieces
are also saved to ``my_micrograd/engine.py`` when that folder exists (the first ``=`` closures never).
Every graph has a node used twice, and every gradient is compared with :class:`grad.Value`'s.
``check.NAME(solution=True)`` prints the book's code.

Example:
    >>> def backward(self):
    ...     topo = []
    ...     def build_topo(v):          # no visited set: a node used twice is listed twice
    ...         for child in v._prev:
    ...             build_topo(child)
    ...         topo.append(v)
    ...     build_topo(self)
    ...     self.grad = 1.0
    ...     for node in reversed(topo):
    ...         node._backward()
    >>> r = judge_backward(backward)
    >>> r.status, r.text
    ('WRONG', "c's _backward ran 2 times: a node reached along two paths must be listed once")
"""

from __future__ import annotations

import ast
import math
import types
from collections import Counter
from collections.abc import Callable
from typing import Any

import grad
from grad import lecture
from grad.selfcheck import my_engine
from grad.selfcheck.core import (
    Result,
    cell_source,
    course_value,
    mine,
    not_yet,
    number,
    ok,
    rebind,
    run,
    run_task,
    wrong,
)
from grad.validate import fmt, show

__all__ = ["backward", "by_hand_order", "closures", "fix", "init", "start", "tanh", "topo", "two_paths"]

BOOK, STAGE = "backward", "04.closures"
NEURON = ("x1", "x2", "w1", "w2", "b", "x1*w1", "x2*w2", "x1*w1 + x2*w2", "n", "o")
NAMES = tuple(n.replace("*", "").replace(" + ", "") for n in NEURON)  # the notebook's variables


def start() -> type:
    """The Value notebook 04 starts from: yours from ``my_micrograd/``, the course's filling in."""
    return my_engine.start(STAGE)


# ---- the lecture's first closures, with = (never saved: the last chapter fixes them) -----------------


def _add_first(self: Any, other: Any) -> Any:
    out = type(self)(self.data + other.data, (self, other), "+")

    def _backward() -> None:
        self.grad = 1.0 * out.grad
        other.grad = 1.0 * out.grad

    out._backward = _backward
    return out


def _mul_first(self: Any, other: Any) -> Any:
    out = type(self)(self.data * other.data, (self, other), "*")

    def _backward() -> None:
        self.grad = other.data * out.grad
        other.grad = self.data * out.grad

    out._backward = _backward
    return out


def _tanh_first(self: Any) -> Any:
    t = math.tanh(self.data)
    out = type(self)(t, (self,), "tanh")

    def _backward() -> None:
        self.grad = (1 - t**2) * out.grad

    out._backward = _backward
    return out


FIRST = {"__add__": _add_first, "__mul__": _mul_first, "tanh": _tanh_first}
FINAL = {name: vars(lecture.Value)[name] for name in ("__init__", "__add__", "__mul__", "tanh", "backward")}


# ---- judging one method on a class of the check's own ---------------------------------------------------


class _Off(Exception):
    """A judge's early verdict: the text of a WRONG."""


def _judged(judge: Callable[..., Result]) -> Callable[..., Result]:
    """``judge`` with its early verdicts (:class:`_Off`) made WRONG."""

    def judged(*args: Any) -> Result:
        try:
            return judge(*args)
        except _Off as off:
            return wrong(str(off))

    return judged


def _number(x: object, what: str) -> float:
    if (n := number(x)) is None or math.isnan(n):
        raise _Off(f"{what} is {show(x)}, not a number")
    return n


OPS = {  # method: its test's inputs and build, the hint for a wrong local derivative, a graph using a thrice
    "__add__": ((2.0, -3.0), lambda a, b: a + b, "+ passes out.grad on unchanged", "a + a + a"),
    "__mul__": ((2.0, -3.0), lambda a, b: a * b, "each input gets the other one's data", "a * a * a"),
    "tanh": ((0.7,), lambda a: a.tanh(), "the local derivative of tanh is 1 - t**2", "a.tanh() + a"),
}
THRICE = {"__add__": lambda a: a + a + a, "__mul__": lambda a: a * a * a, "tanh": lambda a: a.tanh() + a}


@_judged
def _one_op(name: str, fn: types.FunctionType, twice: bool) -> Result:
    """``fn`` as ``name``: its number, its children, its ``_backward`` with out.grad = 2 and, when
    ``twice``, on a graph that uses ``a`` three times, where ``=`` instead of ``+=`` loses a share."""
    (data, build, hint, shared), cls = OPS[name], course_value({name: fn})
    xs, refs = [cls(x) for x in data], [grad.Value(x) for x in data]
    call, out, ref = f"{name}({', '.join(fmt(x) for x in data)})", build(*xs), build(*refs)
    if not isinstance(out, cls) or set(getattr(out, "_prev", ())) != set(xs):
        return wrong(
            f"{call} returned {show(out)}", "return out, made with (self, other) or (self,) as children"
        )
    if abs(_number(out.data, f"{call}.data") - ref.data) > 1e-12:
        return wrong(
            f"{call}.data is {fmt(out.data)}, expected {fmt(ref.data)}", "compute out's number first"
        )
    ref.backward()
    out.grad = 2.0
    out._backward()
    got, want = [_number(x.grad, "a grad") for x in xs], [2.0 * r.grad for r in refs]
    if any(abs(g - w) > 1e-9 for g, w in zip(got, want)):
        if out.grad != 2.0:  # its closure assigns to out.grad: the arrow turned round
            hint = "_backward reads out.grad and sets the inputs' grads (self.grad, other.grad), not out.grad"
        elif not any(got):
            hint = "give out its closure: out._backward = _backward"
        elif all(abs(g - w / 2) < 1e-9 for g, w in zip(got, want)):
            hint = "multiply by out.grad, the gradient arriving from above"
        shown = ", ".join(f"{'ab'[i]}.grad = {fmt(g)}" for i, g in enumerate(got))
        return wrong(f"with out.grad = 2, {call}'s _backward made {shown}; grad.Value: {fmt(want)}", hint)
    if twice:
        a, r = cls(0.7), grad.Value(0.7)
        THRICE[name](a).backward()
        THRICE[name](r).backward()
        if abs(_number(a.grad, "a.grad") - r.grad) > 1e-9:
            return wrong(
                f"with a = 0.7, b = {shared} leaves a.grad = {fmt(a.grad)}, but db/da = {fmt(r.grad)}",
                "use += instead of = in _backward: a node used twice gets a share from each use",
            )
    return ok()


def _methods(task: str, names: tuple[str, ...], twice: bool, stage: str | None, solution: bool) -> Result:
    """One check of methods ``names`` (the notebook's functions of those names), each judged alone."""
    passed: dict[str, bool] = {}
    course = FINAL if twice or stage else FIRST

    def judge(fns: list[Any]) -> Result:
        verdicts = []
        for name, fn in zip(names, fns):
            if not isinstance(fn, types.FunctionType):
                hint = f"write def {name}(self, ...)"
                verdicts.append(wrong(f"`{name}` is {show(fn)}, not a function", hint))
            elif name in ("__init__", "backward"):
                verdicts.append(_init(fn) if name == "__init__" else judge_backward(fn))
            else:
                verdicts.append(_one_op(name, fn, twice))
            passed[name] = bool(verdicts[-1])
        return next((v for v in verdicts if not v), ok())

    first = " (its first version, with =)" if course is FIRST else ""
    return run_task(
        BOOK,
        task,
        names,
        judge,
        make=lambda found: list(found.values()),  # the functions, in the order of names
        course=course,
        methods=True,
        kept=lambda name: passed.get(name, False),
        until="until yours passes, Value uses the course's {}" + first,
        yours="Value uses yours",
        stage=stage,
        solution=solution,
    )


def _init(fn: types.FunctionType) -> Result:
    cls = course_value({"__init__": fn})
    a, b = cls(1.0), cls(2.0)
    v = cls(3.0, (a, b), "+", label="v")
    for attr, want, line in (
        ("data", 3.0, "self.data = data"),
        ("grad", 0.0, "self.grad = 0.0"),
        ("_prev", {a, b}, "self._prev = set(_children)"),
        ("_op", "+", "self._op = _op"),
        ("label", "v", "self.label = label"),
    ):
        if not hasattr(v, attr) or getattr(v, attr) != want:
            got = f"is {show(getattr(v, attr))}" if hasattr(v, attr) else "is not set"
            return wrong(f"Value(3.0, (a, b), '+', label='v').{attr} {got}", line)
    if not callable(getattr(v, "_backward", None)):
        return wrong("a new Value has no _backward to call", "self._backward = lambda: None")
    v.grad = 1.0
    v._backward()
    if (a.grad, b.grad) != (0.0, 0.0) or cls(1.0)._prev != set():
        return wrong(
            "a new Value's _backward changed its children's grads", "start with one that does nothing"
        )
    return ok()


def init(*, solution: bool = False) -> Result:
    """``__init__`` with ``self.grad = 0.0`` and ``self._backward = lambda: None`` (saved at 04.closures)."""
    return _methods("init", ("__init__",), False, STAGE, solution)


def closures(*, solution: bool = False) -> Result:
    """``__add__`` and ``__mul__`` with their ``_backward`` closures, as the lecture first writes them."""
    return _methods("closures", ("__add__", "__mul__"), False, None, solution)


def tanh(*, solution: bool = False) -> Result:
    """``tanh`` with its closure: local derivative ``1 - t**2`` times ``out.grad``."""
    return _methods("tanh", ("tanh",), False, None, solution)


def fix(*, solution: bool = False) -> Result:
    """``__add__``, ``__mul__`` and ``tanh`` with ``+=``: checked where a node is used twice (04.fix)."""
    return _methods("fix", ("__add__", "__mul__", "tanh"), True, "04.fix", solution)


# ---- the calls by hand, build_topo, backward() --------------------------------------------------------


def _graph(cls: Any) -> dict[str, Any]:
    """c = a*b is used twice: by d = c + a and by L = d*c (a is used twice too)."""
    a, b = cls(2.0, label="a"), cls(-3.0, label="b")
    c = a * b
    d = c + a
    return {"a": a, "b": b, "c": c, "d": d, "L": d * c}


def _order_problem(order: list[Any], nodes: dict[str, Any], what: str) -> str | None:
    """What is wrong with ``order`` as an order of ``nodes`` with children first, or None."""
    names = {id(v): k for k, v in nodes.items()}
    seen = [names.get(id(v), "?") for v in order]
    counts = Counter(seen)
    for k in nodes:
        if counts[k] != 1:
            twice = ": a node reached along two paths must be listed once" if counts[k] > 1 else ""
            return f"{what.format(k)} {counts[k]} times{twice}"
    where = {k: i for i, k in enumerate(seen)}
    for k, v in nodes.items():
        for kid in (name for name, child in nodes.items() if child in v._prev):  # in a fixed order
            if where[kid] > where[k]:
                return f"{k} comes before its child {kid}"
    return None


def _calls(source: str | None) -> list[str] | None:
    """The ``x`` of each ``x._backward()`` call ``source`` makes (None when it cannot be read)."""
    try:
        tree = ast.parse(source or "")
    except (SyntaxError, ValueError):
        return None
    calls = (n.func for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute))
    return [ast.unparse(f.value) for f in calls if f.attr == "_backward"]


def by_hand_order(*, source: str | None = None, solution: bool = False) -> Result:
    """The neuron's gradients from ``o.grad = 1.0`` and one ``_backward()`` call per node, output first."""
    text = source if source is not None else cell_source()

    @_judged
    def judge(nodes: list[Any]) -> Result:
        ref = lecture.lecture_neuron(grad.Value)
        ref["o"].backward()
        got = {name: _number(getattr(v, "grad", None), f"{name}.grad") for name, v in zip(NEURON, nodes)}
        if not any(got.values()):
            return not_yet("every grad is still 0: start with o.grad = 1.0")
        if got["o"] != 1.0:
            return wrong(
                f"o.grad is {fmt(got['o'])}", "someone has to start: o.grad = 1.0, then o._backward()"
            )
        calls = _calls(text) if text else None
        if calls == []:
            return wrong(
                "the cell calls no _backward()", "call each node's _backward(), from o towards the inputs"
            )
        off = [name for name in NEURON if abs(got[name] - ref[name].grad) > 1e-9]
        if not off:
            return ok()
        early = all(got[name] == 0 for name in off)
        named = calls is not None and set(calls) <= set(NAMES)
        never = [v for v in ("o", "n", "x1w1x2w2", "x1w1", "x2w2") if named and v not in calls]  # not a loop
        return wrong(
            f"{', '.join(off)}: grad differs from grad.Value's",
            f"{never[0]}._backward() is never called: each node passes its grad on only then"
            if never else "call a node's _backward only after the nodes that use it: from o down"
            if early else "call each node's _backward once",
        )  # fmt: skip

    def attempt() -> list[Any]:
        return [mine(name) for name in NAMES]

    return run("by_hand_order", attempt, judge, source=text, solution=solution, book=BOOK)


@_judged
def judge_topo(fn: Any) -> Result:
    """``build_topo`` run on :func:`_graph` with fresh ``topo`` and ``visited`` (the notebook's untouched)."""
    if not isinstance(fn, types.FunctionType):
        return wrong(f"`build_topo` is {show(fn)}, not a function", "def build_topo(v):")
    clone = rebind(fn, {"topo": [], "visited": set()})
    env = clone.__globals__
    env["build_topo"] = env[fn.__name__] = clone  # it calls itself by its name
    nodes = _graph(lecture.Value)
    clone(nodes["L"])
    order = env["topo"] if isinstance(env["topo"], list) else []
    problem = _order_problem(order, nodes, "{} is in topo")
    if problem:
        return wrong(
            f"on c = a*b, d = c + a, L = d*c: {problem}", "add v to visited; visit v._prev, then append v"
        )
    return ok()


def topo(*, solution: bool = False) -> Result:
    """``build_topo(v)``, the lecture's depth-first search filling ``topo`` and ``visited``."""
    return run("topo", lambda: mine("build_topo"), judge_topo, solution=solution, book=BOOK)


def _counted(node: Any, step: Callable[[], None], ran: list[Any]) -> Callable[[], None]:
    def counted() -> None:
        ran.append(node)
        step()

    return counted


@_judged
def judge_backward(fn: Any) -> Result:
    """``backward`` on :func:`_graph`: each ``_backward`` once, output first; grads as grad.Value's."""
    nodes, ran = _graph(course_value({"backward": fn})), []
    for v in nodes.values():
        v._backward = _counted(v, v._backward, ran)
    nodes["L"].backward()
    ref = _graph(grad.Value)
    ref["L"].backward()
    if _number(nodes["L"].grad, "L.grad") != 1.0:
        return wrong(
            f"after L.backward(), L.grad is {fmt(nodes['L'].grad)}", "set self.grad = 1.0 before the loop"
        )
    inner = {k: v for k, v in nodes.items() if v._prev}
    problem = _order_problem([v for v in reversed(ran) if v._prev], inner, "{}'s _backward ran")
    if problem:
        return wrong(problem, "visit each node once (visited), and call them in reversed(topo)")
    off = [k for k in nodes if abs(_number(nodes[k].grad, f"{k}.grad") - ref[k].grad) > 1e-9]
    return (
        wrong(f"{', '.join(off)}: grad differs from grad.Value's", "node._backward() for every node")
        if off
        else ok()
    )


def backward(*, solution: bool = False) -> Result:
    """``backward(self)``: build_topo inside, ``self.grad = 1.0``, each ``_backward`` in reversed order."""
    return _methods("backward", ("backward",), False, "04.backward", solution)


# ---- two paths: f = (a*b)*(a + b) ----------------------------------------------------------------------


def two_paths(*, solution: bool = False) -> Result:
    """``dfda`` and ``dfdb`` for d = a*b, e = a + b, f = d*e at a = -2, b = 3 (never shows the answer)."""

    @_judged
    def judge(got: list[Any]) -> Result:
        a, b = grad.Value(-2.0), grad.Value(3.0)
        d, e = a * b, a + b
        (d * e).backward()
        for name, x, r, through_d in (
            ("dfda", got[0], a, e.data * b.data),
            ("dfdb", got[1], b, e.data * a.data),
        ):
            g = _number(x, name)
            if abs(g - r.grad) > 1e-9:
                one = any(abs(g - p) < 1e-9 for p in (through_d, d.data))
                return wrong(
                    f"{name} is off" + (": that is one path only" if one else ""),
                    "a and b each reach f through d and through e: add the two paths' products",
                )
        return ok()

    return run("two_paths", lambda: [mine("dfda"), mine("dfdb")], judge, solution=solution, book=BOOK)
