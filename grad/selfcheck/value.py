"""Checks for the "Your turn" tasks of notebook 02 (the Value object).

Each check looks at what you built, works out the right answer itself (with :class:`grad.Value`,
or by walking the graph your own ``Value`` class builds), prints one verdict line and returns
True when it is OK. A WRONG verdict says what is off and gives a hint; a check never raises.

Example:
    >>> import grad
    >>> from grad.selfcheck import value as check
    >>> a, b = grad.Value(2.0, label="a"), grad.Value(-3.0, label="b")
    >>> c, f = grad.Value(10.0, label="c"), grad.Value(-2.0, label="f")
    >>> e = a * b; e.label = "e"
    >>> d = e + c; d.label = "d"
    >>> L = d * f; L.label = "L"
    >>> check.lecture_L(L)
    L = (a*b + c)*f: OK
    True

In the notebook the checks take no arguments, ``check.lecture_L()``: they use your ``L``,
``my_trace``, ``n_children`` and ``Value`` (see :func:`grad.selfcheck.mine`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from grad.engine import Value as _Reference
from grad.selfcheck import FROM_NOTEBOOK, Verdict, close, mine, mine_function, number, verdict

__all__ = ["lecture_L", "trace", "a_plus_a"]


def _name(node: Any) -> str:
    """A node's label, or ``Value(data)`` when it has none."""
    label = getattr(node, "label", "")
    return label if isinstance(label, str) and label else f"Value({getattr(node, 'data', '?')!r})"


def _children(node: Any) -> list[Any]:
    """``node._prev`` as a list (a set, a tuple or a list), or a TypeError that says what is missing."""
    if not hasattr(node, "_prev"):
        raise TypeError(f"{_name(node)} has no _prev: is it a Value from your class?")
    return list(node._prev)


def _listing(nodes: Iterable[Any]) -> str:
    names = sorted(_name(n) for n in nodes)
    return ", ".join(names) if names else "nothing"


# ---- L = (a*b + c)*f -----------------------------------------------------------------------------------

_LEAVES = {"a": 2.0, "b": -3.0, "c": 10.0, "f": -2.0}
# each inner node: (label, op, labels of its two children)
_INNER = [("L", "*", ("d", "f")), ("d", "+", ("c", "e")), ("e", "*", ("a", "b"))]


def _reference_L() -> dict[str, _Reference]:
    """The lecture's graph built with grad.Value: {label: Value}."""
    a, b, c, f = (_Reference(x, label=name) for name, x in _LEAVES.items())
    e = a * b
    d = e + c
    L = d * f
    return dict(a=a, b=b, c=c, f=f, e=e, d=d, L=L)


def _lecture_L_problem(L: Any) -> str | None:
    reference = _reference_L()
    for attr in ("data", "_prev", "_op", "label"):
        if not hasattr(L, attr):
            return f"L has no {attr}: build L from your Value objects, L = d * f"
    if not close(number(L.data, "L.data"), reference["L"].data):
        return (
            f"L.data is {float(L.data):g}, expected {reference['L'].data:g}. "
            "Hint: a = 2, b = -3, c = 10, f = -2; e = a*b, d = e + c, L = d*f"
        )
    found = {"L": L}
    for label, op, kids in _INNER:
        node = found[label]
        if node.label != label:
            return f"the node {_name(node)} should be labelled {label!r}. Hint: {label}.label = {label!r}"
        children = _children(node)
        if node._op != op or len(children) != 2:
            return (
                f"{label} should be made by {op!r} from {kids[0]} and {kids[1]}, "
                f"got {node._op!r} from {_listing(children)}. Hint: e = a * b, d = e + c, L = d * f"
            )
        for child in children:
            if child.label in kids:
                continue
            by_data = [k for k in kids if close(float(child.data), reference[k].data)]
            if by_data and not child.label:
                return (
                    f"the node {_name(child)} should be labelled {by_data[0]!r}. "
                    f"Hint: {by_data[0]}.label = {by_data[0]!r}"
                )
            return (
                f"{label} should be made from {kids[0]} and {kids[1]}, got {_listing(children)}. "
                "Hint: e = a * b, d = e + c, L = d * f, and give every node its label"
            )
        if sorted(c.label for c in children) != list(kids):
            return f"{label} should be made from {kids[0]} and {kids[1]}, got {_listing(children)}"
        for child in children:
            found[child.label] = child
    for label, x in _LEAVES.items():
        leaf = found[label]
        if _children(leaf) or leaf._op:
            return f"{label} should be an input (no children, no op), got op {leaf._op!r}"
        if not close(number(leaf.data, f"{label}.data"), x):
            return f"{label}.data is {float(leaf.data):g}, expected {x:g}"
    for label, node in found.items():
        if not close(number(node.data, f"{label}.data"), reference[label].data):
            return f"{label}.data is {float(node.data):g}, expected {reference[label].data:g}"
    return None


def lecture_L(L: Any = FROM_NOTEBOOK) -> Verdict:
    """Check the lecture's expression: ``e = a*b``, ``d = e + c``, ``L = d*f``, every node labelled.

    The inputs are a = 2, b = -3, c = 10, f = -2. The check builds the same expression with
    :class:`grad.Value` and walks your graph from ``L`` through ``_prev``: every node must have the
    right label, operation, children and data (so ``L.data`` is -8).

    Args:
        L: your ``L``, a Value of your own class (``_prev`` may be a set, as in the lecture); left
            out, the notebook's ``L``.

    Returns:
        True when the graph is right. Prints ``L = (a*b + c)*f: OK``, or WRONG with a hint, or
        ``not yet`` while ``L`` is ``...`` or not defined. Never raises.

    Example:
        >>> import grad
        >>> a, b, c = grad.Value(2.0, label="a"), grad.Value(-3.0, label="b"), grad.Value(10.0, label="c")
        >>> f = grad.Value(-2.0, label="f")
        >>> e = a * b; e.label = "e"
        >>> L = (e + c) * f; L.label = "L"                  # d has no label
        >>> lecture_L(L)  # doctest: +NORMALIZE_WHITESPACE
        L = (a*b + c)*f: WRONG: the node Value(4.0) should be labelled 'd'. Hint: d.label = 'd'
        False
    """
    return verdict("L = (a*b + c)*f", lambda: mine("L", L), _lecture_L_problem)


# ---- trace(root) ---------------------------------------------------------------------------------------


def _walk(root: Any) -> tuple[list[Any], list[tuple[Any, Any]]]:
    """Every node of root's graph once, and every edge (child, parent) once: the reference."""
    nodes, edges, stack, seen = [root], [], [root], {id(root)}
    seen_edges: set[tuple[int, int]] = set()
    while stack:
        node = stack.pop()
        for child in _children(node):
            if (id(child), id(node)) not in seen_edges:
                seen_edges.add((id(child), id(node)))
                edges.append((child, node))
            if id(child) not in seen:
                seen.add(id(child))
                nodes.append(child)
                stack.append(child)
    return nodes, edges


def _graphs(Value: Callable[..., Any]) -> list[tuple[str, Any]]:
    """Three graphs built with the learner's class: the lecture's L, a graph that reuses a, a lone leaf."""
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c, f = Value(10.0, label="c"), Value(-2.0, label="f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f
    L.label = "L"
    x, y = Value(3.0, label="x"), Value(4.0, label="y")
    xy = x * y
    xy.label = "x*y"
    g = xy + x
    g.label = "g"
    leaf = Value(5.0, label="z")
    return [("L", L), ("g = x*y + x", g), ("a single Value z", leaf)]


def _is_pair(x: object) -> bool:
    return isinstance(x, tuple | list) and len(x) == 2


def _edge_name(edge: tuple[Any, Any]) -> str:
    return f"({_name(edge[0])}, {_name(edge[1])})"


def _snapshot(nodes: list[Any]) -> list[list[int]]:
    """The children of every node, as ids: compared before and after the learner's trace."""
    return [sorted(id(child) for child in _children(node)) for node in nodes]


def _trace_problem(results: list[tuple[str, Any, object, Any]]) -> str | None:
    for what, _root, got, (ref_nodes, ref_edges, before) in results:
        if _snapshot(ref_nodes) != before:
            changed = next(n for n, kids in zip(ref_nodes, before) if _snapshot([n])[0] != kids)
            return (
                f"trace({what}) changed the graph: {_name(changed)}._prev is not what it was. Hint: only "
                "read _prev (for child in node._prev); keep your to-do list in a list of your own"
            )
        if got is None:
            return f"trace({what}) returned None. Hint: end with return nodes, edges"
        if not isinstance(got, tuple | list) or len(got) != 2:
            return f"trace({what}) should return two things, nodes and edges, got {type(got).__name__}"
        first, second = (list(part) for part in got)
        if first and all(_is_pair(x) for x in first) and not any(_is_pair(x) for x in second):
            return (
                f"trace({what}) returned the edges first and the nodes second. "
                "Hint: return nodes, edges, in that order"
            )
        nodes, edges = first, second
        ids = [id(n) for n in nodes]
        for n in ref_nodes:
            if ids.count(id(n)) > 1:
                return (
                    f"in trace({what}), {_name(n)} is in nodes {ids.count(id(n))} times. "
                    "Hint: keep the nodes in a set, and skip a node you have already seen"
                )
        wanted = {id(n) for n in ref_nodes}
        missing = [n for n in ref_nodes if id(n) not in set(ids)]
        if missing:
            return (
                f"trace({what}) is missing the node(s) {_listing(missing)}. "
                "Hint: walk back from the root through _prev, and from every child through its _prev too"
            )
        if len(set(ids) - wanted):
            return f"trace({what}) has {len(set(ids) - wanted)} node(s) that are not part of the graph"
        for edge in edges:
            if not isinstance(edge, tuple | list) or len(edge) != 2:
                return f"trace({what}): every edge should be a pair (child, parent), got {edge!r}"
        got_edges = [(id(c), id(p)) for c, p in edges]
        ref_ids = {(id(c), id(p)) for c, p in ref_edges}
        if got_edges and all((p, c) in ref_ids for c, p in got_edges):
            return (
                f"trace({what}) has the edges the wrong way round. "
                "Hint: an edge is (child, parent), the way the arrows point: from an input to its result"
            )
        for edge in ref_edges:
            key = (id(edge[0]), id(edge[1]))
            if got_edges.count(key) > 1:
                return (
                    f"in trace({what}), the edge {_edge_name(edge)} is listed {got_edges.count(key)} times. "
                    "Hint: keep the edges in a set"
                )
        missing_edges = [e for e in ref_edges if (id(e[0]), id(e[1])) not in set(got_edges)]
        if missing_edges:
            return (
                f"trace({what}) is missing the edge(s) {', '.join(_edge_name(e) for e in missing_edges)}. "
                "Hint: for every node, add (child, node) for each child in node._prev"
            )
        if len(set(got_edges) - ref_ids):
            return f"trace({what}) has {len(set(got_edges) - ref_ids)} edge(s) that are not in the graph"
    return None


def trace(fn: Callable[[Any], object] = FROM_NOTEBOOK, Value: Callable[..., Any] = FROM_NOTEBOOK) -> Verdict:
    """Check ``fn(root)``: all the Values of ``root``'s graph and all its edges ``(child, parent)``.

    The check builds three graphs with your ``Value`` class: the lecture's ``L``, ``g = x*y + x``
    (``x`` is used twice) and a lone Value, and compares what ``fn`` returns with its own walk
    through ``_prev``. Sets or lists are fine, as long as each node and each edge is listed once.

    Args:
        fn: your ``trace(root)``, returning ``(nodes, edges)``; left out, the notebook's ``my_trace``.
        Value: your Value class (it needs ``+``, ``*``, ``label`` and ``_prev``); left out, the
            notebook's ``Value``.

    Returns:
        True when every graph comes out right. Prints ``trace(root): OK``, or WRONG with a hint,
        or ``not yet`` while ``fn`` raises NotImplementedError. Never raises.

    Example:
        >>> import grad
        >>> def trace_children_only(root):
        ...     return {root, *root._prev}, {(child, root) for child in root._prev}
        >>> trace(trace_children_only, grad.Value)  # doctest: +NORMALIZE_WHITESPACE
        trace(root): WRONG: trace(L) is missing the node(s) a, b, c, e. Hint: walk back from the root
        through _prev, and from every child through its _prev too
        False
    """

    def attempt() -> Any:
        walk = mine_function("my_trace", fn)
        results = []
        for what, root in _graphs(mine_function("Value", Value)):
            ref_nodes, ref_edges = _walk(root)  # before the learner's code runs, which might change it
            before = _snapshot(ref_nodes)
            got = walk(root)
            if got is ...:
                return ...
            results.append((what, root, got, (ref_nodes, ref_edges, before)))
        return results

    return verdict("trace(root)", attempt, _trace_problem)


# ---- (a + a)._prev ---------------------------------------------------------------------------------------


def a_plus_a(n_children: object = FROM_NOTEBOOK, Value: Callable[..., Any] = FROM_NOTEBOOK) -> Verdict:
    """Check a prediction: how many Values does ``(a + a)._prev`` hold, with your ``Value`` class?

    The check computes ``len((a + a)._prev)`` itself with your class: 1 when ``_prev`` is a set,
    as in the lecture (a set holds each object once), 2 for a tuple.

    Args:
        n_children: your prediction, a number; left out, the notebook's ``n_children``.
        Value: your Value class; left out, the notebook's ``Value``.

    Returns:
        True when the prediction is right. Prints ``(a + a)._prev: OK``, or WRONG with a hint, or
        ``not yet`` while ``n_children`` is ``...``. Never raises.

    Example:
        >>> import grad
        >>> a_plus_a(2, grad.Value)        # grad.Value keeps its children in a tuple
        (a + a)._prev: OK
        True
    """

    def attempt() -> Any:
        guess = mine("n_children", n_children)
        if guess is ...:
            return ...
        a = mine_function("Value", Value)(3.0, label="a")
        return guess, (a + a)._prev

    def judge(got: tuple[object, Any]) -> str | None:
        guess, prev = got
        expected = len(prev)
        if number(guess, "n_children") == expected:
            return None
        kind = type(prev).__name__
        if isinstance(prev, set | frozenset):
            why = "_prev is set(_children), and a set holds each object once: set((a, a)) is {a}"
        else:
            why = f"_prev is a {kind} here, and a {kind} keeps a child that is passed twice twice"
        return f"(a + a)._prev holds {expected} Value(s), not {guess!r}. Hint: {why}"

    return verdict("(a + a)._prev", attempt, judge)
