"""The graph model that every picture of :mod:`grad.viz` shares: :func:`walk`, :func:`describe`, and
:func:`format_number`.

It reads any micrograd-style node: ``data``, ``grad``, ``_prev`` (a tuple, list or set of nodes), ``_op``
and an optional str ``label``. The walk is the same in every run and process: a tuple or list ``_prev``
keeps its order; the children in a set are sorted by a signature of label, data, op, number of uses, their
children (down to the leaves) and the nodes that use them (up to the root). Children alike in all of that
are, short of contrived symmetric graphs, interchangeable: either order draws the same picture.

>>> from grad import Value
>>> a = Value(2.0, label="a"); b = a * a
>>> nodes, children = walk(b, "example")
>>> [describe(v) for v in nodes], children
(["the Value 'a' with data 2.0 and op ''", "the Value with data 4.0 and op '*'"], [(), (0, 0)])
>>> format_number(2.0), format_number(1e300), format_number(-0.0), format_number(float("nan"))
('2.0000', '1.0000e+300', '0.0000', 'nan')
"""

from __future__ import annotations

import hashlib
import math
import re
import reprlib
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from grad.validate import is_real, show

__all__ = ["check", "clean", "describe", "format_number", "name", "walk"]


def check(ok: object, fn: str, expected: str, x: object, error: type[Exception] = TypeError) -> None:
    """Unless ``ok``: ``error("<fn>: <expected>, got <type of x>: <x>")``."""
    if not ok:
        raise error(f"{fn}: {expected}, got {show(x)}")


def format_number(x: float) -> str:
    """A number as the lecture prints it, with 4 decimals, where that reads well: 0 and 1e-4 <= |x| < 1e6;
    else an exponent form with 4 decimals (``1.0000e+300``); ``inf``, ``-inf`` and ``nan`` as such; no ``-0``.
    """
    try:
        x = float(x)
    except OverflowError:  # an int beyond a float
        x = math.inf if x > 0 else -math.inf
    s = f"{x:.4f}" if x == 0 or not math.isfinite(x) or 1e-4 <= abs(x) < 1e6 else f"{x:.4e}"
    return "0.0000" if s == "-0.0000" else s


def clean(text: str) -> str:
    """``text`` on one line: line breaks and tabs as spaces, other control characters and lone surrogates
    (which dot and UTF-8 cannot take) as U+FFFD, the replacement character."""
    text = re.sub(r"[\t\n\r\v\f\x1c-\x1e\x85\u2028\u2029]", " ", text)
    return "".join("\ufffd" if unicodedata.category(c) in ("Cc", "Cs") else c for c in text)


def name(node: Any) -> str:
    """How a caption names ``node``: its label (cleaned), else its data."""
    return clean(getattr(node, "label", None) or "") or format_number(node.data)


def describe(node: Any) -> str:
    """``node`` in an error message: its type, label, data and op."""
    label = getattr(node, "label", "")
    label = f" {label!r}" if isinstance(label, str) and label else ""
    return f"the {type(node).__name__}{label} with data {reprlib.repr(node.data)} and op {node._op!r}"


def _check_node(obj: object, fn: str, what: str, need_grad: bool) -> None:
    wanted = ("data", "grad", "_prev", "_op") if need_grad else ("data", "_prev", "_op")
    missing = [a for a in wanted if isinstance(obj, type) or not hasattr(obj, a)]
    lacks = f" (it has no {' or '.join(missing)})" if 0 < len(missing) < len(wanted) else ""
    check(not missing, fn, f"{what} a Value-like object with {', '.join(wanted[:-1])} and _op{lacks}", obj)


def _postorder(root: Any, kids, limit: int | None = None) -> list | None:
    """Every node once, children (``kids(node)``, in order) before parents, root last; no recursion.
    ``None`` as soon as more than ``limit`` nodes are found: a huge graph is not walked to the end."""
    out, seen, stack = [], {id(root)}, [(root, iter(kids(root)))]
    while stack:
        node, children = stack[-1]
        for child in children:
            if id(child) not in seen:
                seen.add(id(child))
                if limit is not None and len(seen) > limit:
                    return None
                stack.append((child, iter(kids(child))))
                break
        else:
            out.append(stack.pop()[0])
    return out


def _signatures(nodes: list, kids: dict, uses: dict, ordered: set) -> dict[int, tuple[bytes, bytes]]:
    """Per node, a signature of the graph alone (not of addresses or set order): ``down`` hashes its
    label, data, op, uses and its children's ``down``; ``up`` its ``down`` and its users' ``up``."""

    def digest(*parts: object) -> bytes:
        return hashlib.blake2b(repr(parts).encode(), digest_size=16).digest()

    down: dict[int, bytes] = {}
    for node in nodes:  # children first
        parts = [down.get(id(c), b"") for c in kids[id(node)]]
        parts = parts if id(node) in ordered else sorted(parts)
        label = getattr(node, "label", None) or ""
        down[id(node)] = digest(label, repr(node.data), str(node._op), uses.get(id(node)), parts)
    up: dict[int, bytes] = {}
    users: dict[int, list] = {}
    for node in reversed(nodes):  # every node after the nodes that use it
        up[id(node)] = digest(down[id(node)], sorted(users.get(id(node), [])))
        for k, child in enumerate(kids[id(node)]):
            users.setdefault(id(child), []).append((up[id(node)], k if id(node) in ordered else -1))
    return {i: (down[i], up[i]) for i in down}


def walk(
    root: Any, fn: str, max_nodes: int | None = None, need_grad: bool = True, hint: str = "a larger number"
) -> tuple[list, list[tuple[int, ...]]]:
    """The nodes of ``root``'s graph, children first and root last, and per node the positions of its
    children in that list. Each node is checked as the walk reaches it (errors name ``fn``); more than
    ``max_nodes`` nodes is a ValueError, raised before the rest is read, that suggests ``hint``."""
    _check_node(root, fn, "expected", need_grad)
    kids: dict[int, tuple] = {}
    uses: dict[int, int] = {}  # how many edges lead to each node: part of its signature
    unordered, ordered = [], set()

    def children(node: Any) -> Iterable:
        prev, label, what = node._prev, getattr(node, "label", None), describe(node)
        iterable = isinstance(prev, Iterable) and not isinstance(prev, str)
        check(iterable, fn, f"_prev of {what} must be a tuple, list or set", prev)
        check(label is None or isinstance(label, str), fn, f"the label of {what} must be a str", label)
        check(is_real(node.data), fn, f"the data of {what} must be a number", node.data)
        kids[id(node)] = tuple(prev)
        if isinstance(prev, Sequence):
            ordered.add(id(node))
        else:
            unordered.append(node)
        for child in kids[id(node)]:  # checked one by one: a refused graph is not read to the end
            _check_node(child, fn, f"every child in _prev of {what} must be", need_grad)
            uses[id(child)] = uses.get(id(child), 0) + 1
            yield child

    nodes = _postorder(root, children, max_nodes)
    if nodes is None:
        raise ValueError(
            f"{fn}: this graph has more than max_nodes={max_nodes} Values; drawing it would be slow and "
            f"unreadable (a whole MLP loss is usually far too big). To draw it anyway, pass {hint}."
        )
    if unordered:
        sig = _signatures(nodes, kids, uses, ordered)
        for node in unordered:
            kids[id(node)] = tuple(sorted(kids[id(node)], key=lambda c: sig[id(c)]))
        nodes = _postorder(root, lambda node: kids[id(node)])
    index = {id(n): i for i, n in enumerate(nodes)}
    return nodes, [tuple(index[id(c)] for c in kids[id(n)]) for n in nodes]
