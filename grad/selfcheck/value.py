"""Checks of notebook 02 (the Value object): ``value``, ``lecture_L``, ``trace`` and ``a_plus_a``.

``value`` tests your class on Values of its own; when it passes, it saves ``__init__``,
``__repr__``, ``__add__`` and ``__mul__`` to ``my_micrograd/engine.py`` (if that folder is here),
and until it passes the notebook's ``Value`` is the course's, so the rest of the notebook runs.
``trace`` walks graphs with a node used twice (``g = c*c + c``), and counts how often your walk
looks at each node's children: a shared node's as often as the root's.

Example:
    >>> from grad import lecture
    >>> from grad.selfcheck import value as check
    >>> _ = check.lecture_L(lecture.lecture_L(lecture.Value)["L"])
    lecture_L: OK
    >>> _ = check.trace(lambda root: ({root}, set()), lecture.Value)  # doctest: +ELLIPSIS
    trace: WRONG: trace(L) is missing the nodes a, b, c, d, e, f. Hint: ...
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

from grad import lecture
from grad.selfcheck import my_engine
from grad.selfcheck.core import STANDS_IN, Result, mine, not_yet, ok, run_task, wrong
from grad.validate import brief, is_real

__all__ = ["a_plus_a", "lecture_L", "trace", "value"]

PIECES = ("__init__", "__repr__", "__add__", "__mul__")
COURSE = type("Value", (), {"__module__": "__main__", **{m: vars(lecture.Value)[m] for m in PIECES}})


_run = functools.partial(run_task, "value", until=STANDS_IN, unrun=True)


def _name(node: Any) -> str:
    label = getattr(node, "label", "")
    return label if isinstance(label, str) and label else f"Value({brief(getattr(node, 'data', '?'))})"


def _walk(root: Any) -> tuple[set[Any], set[tuple[Any, Any]]]:
    """The course's trace: every node of root's graph, and every edge (child, parent), each once."""
    nodes, edges, todo = {root}, set(), [root]
    while todo:
        v = todo.pop()
        for child in v._prev:
            edges.add((child, v))
            if child not in nodes:
                nodes.add(child)
                todo.append(child)
    return nodes, edges


# ---- the class Value: data, _prev, _op, label, __repr__, + and * -----------------------------------------


def _judge_value(cls: Any) -> Result:
    if not isinstance(cls, type):
        return wrong(
            f"Value is a {type(cls).__name__}, not a class", "class Value: ... as the cell starts it"
        )
    if not any(callable(vars(cls).get(m)) for m in PIECES):
        return not_yet()
    a, b = cls(2.0, label="a"), cls(-3.0, label="b")
    if hasattr(a, "_prev") and not isinstance(a._prev, set):
        return wrong(f"_prev is a {type(a._prev).__name__}", "keep the children in a set: set(_children)")
    for attr, want in (("data", 2.0), ("_prev", set()), ("_op", ""), ("label", "a")):
        if getattr(a, attr, None) != want:
            got = brief(getattr(a, attr)) if hasattr(a, attr) else "missing"
            return wrong(f"Value(2.0, label='a').{attr} is {got}", f"__init__ sets self.{attr}")
    if repr(a) != "Value(data=2.0)":
        return wrong(f"repr(Value(2.0)) is {brief(repr(a))}", "return f'Value(data={self.data})'")
    for text, op, out, data, kids in (
        ("a + b", "+", a + b, -1.0, {a, b}),
        ("a * b", "*", a * b, -6.0, {a, b}),
        ("a + a", "+", a + a, 4.0, {a}),
    ):
        said = f"with a = 2, b = -3, {text}"
        if not isinstance(out, cls) or out.data != data:
            return wrong(f"{said} is {brief(out)}", f"return a Value of self.data {op} other.data")
        if getattr(out, "_prev", None) != kids or out._op != op:
            names = ", ".join(sorted(map(_name, getattr(out, "_prev", ())))) or "none"
            hint = f"make it with Value(self.data {op} other.data, (self, other), '{op}')"
            return wrong(f"{said} has _prev {names} and _op {brief(getattr(out, '_op', None))}", hint)
    return ok()


def _save(cls: type) -> str | None:
    notes = {my_engine.save(m, vars(cls)[m], "02.value", "value") for m in PIECES}
    return "; ".join(sorted(n for n in notes if n)) or None


def value(cls: Any = None, *, solution: bool = False) -> Result:
    """Check the class ``cls`` (left out: the notebook's ``Value``) and save its four methods."""
    save = (lambda: _save(mine("Value"))) if cls is None else None
    course = {"Value": COURSE}
    return _run("value", ["Value"], _judge_value, given=cls, course=course, save=save, solution=solution)


# ---- the lecture's L = (a*b + c) * f -------------------------------------------------------------------

GRAPH = {"a": ("", (), 2.0), "b": ("", (), -3.0), "c": ("", (), 10.0), "f": ("", (), -2.0)}
GRAPH |= {"e": ("*", ("a", "b"), -6.0), "d": ("+", ("c", "e"), 4.0), "L": ("*", ("d", "f"), -8.0)}


def _judge_L(L: Any) -> Result:
    if not all(hasattr(L, attr) for attr in ("data", "_prev", "_op", "label")):
        return wrong(f"L is {brief(L)}, not a Value", "build L from your Values: L = d * f")
    found = {_name(v): v for v in _walk(L)[0]}
    for name, v in found.items():
        if name not in GRAPH:
            like = [k for k, (_, _, data) in GRAPH.items() if data == v.data and k not in found]
            hint = f"{like[0]}.label = '{like[0]}'" if like else "e = a * b, d = e + c, L = d * f"
            said = f"labelled {name!r}" if getattr(v, "label", "") else "with no label"
            return wrong(f"your graph has a node {said} (data {brief(v.data)})", hint)
    for name, (op, kids, data) in GRAPH.items():
        v = found.get(name)
        if v is None:
            return wrong(f"your graph has no node labelled {name}", "e = a * b, d = e + c, L = d * f")
        got = tuple(sorted(map(_name, v._prev)))
        if v._op != op or got != kids or v.data != data:
            said = f"{name} is made by {v._op!r} from {', '.join(got) or 'nothing'}, data {brief(v.data)}"
            return wrong(said, "a = 2, b = -3, c = 10, f = -2; e = a*b, d = e + c, L = d*f")
    return ok()


def lecture_L(L: Any = None, *, solution: bool = False) -> Result:
    """Check the lecture's ``L`` (left out: the notebook's): every node, its label, op, children and data."""

    def course() -> dict[str, Any]:  # the course's L is built with the notebook's Value
        return {"L": lecture.lecture_L(vars(sys.modules["__main__"]).get("Value", COURSE))["L"]}

    return _run("lecture_L", ["L"], _judge_L, given=L, course=course, solution=solution)


# ---- trace(root) -----------------------------------------------------------------------------------------


class _Counted(set):  # type: ignore[type-arg]
    """A node's children that count how often they are walked through."""

    def __iter__(self) -> Any:
        self.walks += 1  # type: ignore[attr-defined]
        return super().__iter__()


def _graphs(V: Any) -> list[tuple[str, Any]]:
    c = V(2.0, label="a") * V(-3.0, label="b")
    c.label = "c"
    cc = c * c
    cc.label = "c*c"
    g = cc + c
    g.label = "g"
    return [("L", lecture.lecture_L(V)["L"]), ("g = c*c + c", g), ("a lone Value", V(5.0, label="z"))]


def _pair(x: object) -> bool:
    return isinstance(x, tuple | list) and len(x) == 2


def _judge_trace(fn: Callable[[Any], Any], V: Any) -> Result:
    for what, root in _graphs(V):
        nodes, edges = _walk(root)
        kept = {v: v._prev for v in nodes}
        for v in nodes:
            v._prev = _Counted(kept[v])
            v._prev.walks = 0
        try:
            got = fn(root)
            walks = {v: v._prev.walks for v in nodes}
            changed = [v for v in nodes if v._prev != kept[v]]
        finally:
            for v, prev in kept.items():
                v._prev = prev
        if got is ... or isinstance(got, tuple) and ... in got:
            return not_yet()
        if changed:
            said = f"trace({what}) changed _prev of {', '.join(sorted(map(_name, changed)))}"
            return wrong(
                said, "only read _prev (for child in v._prev): keep your to-do list in a list of your own"
            )
        parts = [list(x) if isinstance(x, set | list | tuple) else None for x in got] if _pair(got) else []
        if not parts or None in parts:
            return wrong(f"trace({what}) returned {brief(got)}", "return nodes, edges: two sets")
        mine_nodes, mine_edges = parts
        if not all(hasattr(v, "_prev") for v in mine_nodes) or not all(map(_pair, mine_edges)):
            return wrong(
                f"trace({what}) returned {brief(got)}", "nodes holds Values; edges (child, parent) pairs"
            )
        twice = sorted((v for v in nodes if walks[v] > walks[root]), key=lambda v: (-len(kept[v]), _name(v)))
        if twice or len(mine_nodes) > len(set(mine_nodes)):
            said = f"trace({what}) visits {_name(twice[0]) if twice else 'a node'} more than once"
            return wrong(said, "keep the nodes in a set, and walk a node's children only when it is new")
        if missing := sorted(map(_name, nodes - set(mine_nodes))):
            said = f"trace({what}) is missing the nodes {', '.join(missing)}"
            return wrong(
                said, "walk back from the root through _prev, and from every child through its _prev"
            )
        if set(mine_nodes) != nodes or len(mine_edges) > len(set(mine_edges)) or set(mine_edges) != edges:
            turned = {(p, c) for c, p in edges} == set(mine_edges) and edges
            hint = (
                "an edge is (child, parent), as the arrows point"
                if turned
                else "add (child, v) for each child"
            )
            return wrong(f"trace({what}) does not give each edge once", hint)
    return ok()


def trace(fn: Any = None, Value: Any = None, *, solution: bool = False) -> Result:
    """Check ``fn(root) -> (nodes, edges)`` (left out: the notebook's ``trace``) on graphs of ``Value``."""
    V = Value if Value is not None else (COURSE if fn is not None else None)
    judge = lambda got: _judge_trace(got, V or mine("Value"))  # noqa: E731
    return _run("trace", ["trace"], judge, given=fn, course={"trace": _walk}, solution=solution)


# ---- (a + a)._prev ---------------------------------------------------------------------------------------


def _judge_a_plus_a(guess: Any, V: Any) -> Result:
    a = V(3.0, label="a")
    if is_real(guess) and guess == len((a + a)._prev):
        return ok()
    return wrong(
        f"(a + a)._prev does not hold {brief(guess)} Values", "_children is (a, a): what does set() keep?"
    )


def a_plus_a(n_children: Any = None, Value: Any = None, *, solution: bool = False) -> Result:
    """Check the prediction ``n_children`` (left out: the notebook's) of ``len((a + a)._prev)``."""
    V = Value or COURSE

    def judge(guess: Any) -> Result:
        return _judge_a_plus_a(guess, V if n_children is not None else mine("Value"))

    return _run("a_plus_a", ["n_children"], judge, given=n_children, allowed=None, solution=solution)
