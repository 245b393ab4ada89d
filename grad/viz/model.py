"""The graph model every picture of :mod:`grad.viz` shares: :func:`walk` reads a graph, :func:`describe`
names a node in an error message, and :func:`format_number` prints a number as the pictures do.

A node is anything micrograd-style: ``data``, ``grad``, ``_prev`` (a tuple, list or set of nodes), ``_op``
and an optional str ``label``. A tuple or list ``_prev`` keeps its order. The children in a set are sorted
by label, data, op and number of uses, then by a digest of the same below them, so that a graph is drawn
the same way in every run, whatever order the set has.

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
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from grad.validate import brief, is_real, show

__all__ = ["check", "clean", "describe", "format_number", "walk"]


def check(ok: object, fn: str, expected: str, x: object, error: type[Exception] = TypeError) -> None:
    """Unless ``ok``: ``error("<fn>: <expected>, got <type of x>: <x>")``."""
    if not ok:
        raise error(f"{fn}: {expected}, got {show(x)}")


def format_number(x: float) -> str:
    """4 decimals as in the lecture where that reads well (0 and 1e-4 <= |x| < 1e6), else an exponent form
    with 4 decimals (``1.0000e+300``); ``inf``, ``-inf`` and ``nan`` as such; never ``-0``."""
    try:
        x = float(x)
    except OverflowError:  # an int too large for a float
        x = math.inf if x > 0 else -math.inf
    s = f"{x:.4f}" if x == 0 or not math.isfinite(x) or 1e-4 <= abs(x) < 1e6 else f"{x:.4e}"
    return "0.0000" if s == "-0.0000" else s


def clean(text: str) -> str:
    """``text`` on one line: line breaks and tabs as spaces, other control characters and lone surrogates
    (which dot and UTF-8 cannot take) as U+FFFD, the replacement character."""
    breaks = "\t\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
    return "".join(
        " " if c in breaks else "\ufffd" if unicodedata.category(c) in ("Cc", "Cs") else c for c in text
    )


def describe(node: Any) -> str:
    """``node`` in an error message: its type, label, data and op."""
    label = getattr(node, "label", "")
    label = f" {brief(label)}" if isinstance(label, str) and label else ""
    return f"the {type(node).__name__}{label} with data {brief(node.data)} and op {brief(node._op)}"


def _postorder(root: Any, kids, limit: float = math.inf) -> list | None:
    """Every node once, children (``kids(node)``) before parents, root last, without recursion;
    None as soon as more than ``limit`` nodes are found, so that a huge graph is not read to the end."""
    out, seen, stack = [], {id(root)}, [(root, iter(kids(root)))]
    while stack:
        for child in stack[-1][1]:
            if id(child) not in seen:
                seen.add(id(child))
                if len(seen) > limit:
                    return None
                stack.append((child, iter(kids(child))))
                break
        else:
            out.append(stack.pop()[0])
    return out


def walk(
    root: Any, fn: str, max_nodes: int | None = None, need_grad: bool = True, hint: str = "a larger number"
) -> tuple[list, list[tuple[int, ...]]]:
    """The nodes of ``root``'s graph, children first and root last, and per node the positions of its
    children in that list. Each node is checked as the walk reaches it (errors name ``fn``): its data, and
    its grad if ``need_grad``, must be numbers, its label a str or None. More than
    ``max_nodes`` nodes is a ValueError, raised before the rest is read, that suggests ``hint``."""
    wanted = ("data", "grad", "_prev", "_op") if need_grad else ("data", "_prev", "_op")
    kids: dict[int, tuple] = {}
    uses: dict[int, int] = {}
    sets = []  # the nodes whose children come in a set

    def checked(node: Any, what: str) -> Any:
        missing = [a for a in wanted if isinstance(node, type) or not hasattr(node, a)]
        lacks = f" (it has no {' or '.join(missing)})" if 0 < len(missing) < len(wanted) else ""
        expected = f"{what} a Value-like object with {', '.join(wanted[:-1])} and _op{lacks}"
        check(not missing, fn, expected, node)
        return node

    def children(node: Any) -> Iterable:
        prev, label, what = node._prev, getattr(node, "label", None), describe(node)
        grad = node.grad if need_grad else 0.0
        ok = isinstance(prev, Iterable) and not isinstance(prev, str)
        check(ok, fn, f"_prev of {what} must be a tuple, list or set", prev)
        check(label is None or isinstance(label, str), fn, f"the label of {what} must be a str", label)
        check(is_real(node.data), fn, f"the data of {what} must be a number", node.data)
        check(is_real(grad), fn, f"the grad of {what} must be a number", grad)
        kids[id(node)] = tuple(prev)
        if not isinstance(prev, Sequence):
            sets.append(node)
        for child in kids[id(node)]:  # one by one: a graph refused as too big is not read to the end
            checked(child, f"every child in _prev of {what} must be")
            uses[id(child)] = uses.get(id(child), 0) + 1
            yield child

    nodes = _postorder(checked(root, "expected"), children, max_nodes or math.inf)
    if nodes is None:
        raise ValueError(
            f"{fn}: this graph has more than max_nodes={max_nodes} Values; drawing it would be slow and "
            f"unreadable (a whole MLP loss is usually far too big). To draw it anyway, pass {hint}."
        )
    if sets:
        key: dict[int, tuple] = {}
        for node in nodes:  # children first (a child on a cycle may have no key yet)
            below = repr(sorted(key.get(id(c), ()) for c in kids[id(node)])).encode()
            digest = hashlib.blake2b(below, digest_size=8).hexdigest()
            label = getattr(node, "label", None) or ""
            key[id(node)] = (label, brief(node.data), str(node._op), uses.get(id(node), 0), digest)
        for node in sets:
            kids[id(node)] = tuple(sorted(kids[id(node)], key=lambda c: key[id(c)]))
        nodes = _postorder(root, lambda node: kids[id(node)])
    index = {id(n): i for i, n in enumerate(nodes)}
    return nodes, [tuple(index[id(c)] for c in kids[id(n)]) for n in nodes]
