"""Drawing a computation graph with Graphviz: :func:`draw_dot` and the size guard.

Every Value is a record ``label | data 2.0000 | grad -4.0000`` and every operation a small node of
its own, with edges child -> op -> result. The DOT text is byte-identical across runs and processes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import graphviz

from grad.engine import Value

DEFAULT_MAX_NODES = 200
"""draw_dot() refuses graphs with more Values than this unless told otherwise."""

STEPPER_MAX_NODES = 50
"""backward_steps() / show_backward() limit: they draw the whole graph once per Value."""

_COUNT_CAP = 1_000_000  # the size-guard message counts at most this many Values

INSTALL_HELP = (
    "Install Graphviz, the system program (the Python package `graphviz` alone is not enough):\n"
    "  Debian/Ubuntu: sudo apt-get install graphviz\n"
    "  macOS:         brew install graphviz\n"
    "  conda:         conda install -c conda-forge graphviz\n"
    "then run the cell again. The DOT text is available without it, as `.source`."
)

# ---- styling: fixed fonts and colours, so that the DOT text never varies ---------------------

_FONT = "Helvetica"
_GRAPH_ATTR = {"fontname": _FONT, "nodesep": "0.25", "ranksep": "0.35"}
_NODE_ATTR = {"fontname": _FONT, "fontsize": "12", "shape": "record", "height": "0.3"}
_EDGE_ATTR = {"arrowsize": "0.7"}
_OP_ATTR = {
    "shape": "ellipse",
    "fontsize": "10",
    "width": "0.35",
    "height": "0.3",
    "margin": "0.03",
}

_HOT = "#d9480f"  # the node being processed and the edges its gradient travels along
_HOT_FILL = "#ffd8a8"
_GETS_FILL = "#fff4e6"  # children receiving gradient in this step
_GREY = "#b0b0b0"  # not reached yet
_GREY_TEXT = "#909090"


class GraphvizNotFoundError(graphviz.ExecutableNotFound):
    """The Graphviz ``dot`` program is not installed (or not on ``PATH``).

    A subclass of :class:`graphviz.ExecutableNotFound` (itself a :class:`RuntimeError`); its
    message says how to install Graphviz with apt, brew or conda.
    """

    def __init__(self, detail: str = "the Graphviz program `dot` was not found on PATH") -> None:
        RuntimeError.__init__(self, f"cannot render the graph: {detail}.\n{INSTALL_HELP}")


def _pipe_svg(source: str) -> str:
    """Run ``dot -Tsvg`` on DOT text; a clear error when dot is missing."""
    try:
        return graphviz.Source(source).pipe(format="svg", encoding="utf-8")
    except GraphvizNotFoundError:
        raise
    except graphviz.ExecutableNotFound as exc:
        raise GraphvizNotFoundError() from exc


def _needs_dot(call: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a graphviz call that needs the dot program; its absence gets our install help."""
    try:
        return call(*args, **kwargs)
    except GraphvizNotFoundError:
        raise
    except graphviz.ExecutableNotFound as exc:
        raise GraphvizNotFoundError() from exc


class ComputationGraph(graphviz.Digraph):
    """A :class:`graphviz.Digraph` of a computation graph, with a deterministic text repr.

    Everything a Digraph does still works (``.source``, ``.pipe()``, ``.render()``, display in
    Jupyter as SVG). The differences: ``repr()`` reads ``<computation graph: 7 values, 3 ops>``
    instead of showing a memory address, and rendering without Graphviz installed raises
    :class:`GraphvizNotFoundError`, whose message gives the install commands.

    Attributes:
        n_values: how many Value boxes the picture has.
        n_ops: how many op nodes it has.
        caption: for a frame of :func:`backward_steps`, what that step does (else ``''``).
        step: for a frame, its 0-based position in the backward pass (else ``None``).
        current: for a frame, the Value processed in that step (else ``None``).
        values: the Values drawn, in drawing order (box ``v{i}`` is ``values[i]``).
        grads: the gradient shown in each box, aligned with ``values``; ``None`` = blank.
    """

    def __init__(
        self,
        name: str | None = None,
        *,
        n_values: int = 0,
        n_ops: int = 0,
        caption: str = "",
        step: int | None = None,
        current: Value | None = None,
        values: tuple[Value, ...] = (),
        grads: tuple[float | None, ...] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(name, **kwargs)
        self.n_values = n_values
        self.n_ops = n_ops
        self.caption = caption
        self.step = step
        self.current = current
        self.values = tuple(values)
        self.grads = tuple(grads)

    def _copy_kwargs(self, **kwargs: Any) -> dict:
        # graphviz's own _copy_kwargs chain drops unknown keywords, so add ours afterwards
        copied = super()._copy_kwargs(**kwargs)
        copied.update(
            n_values=self.n_values,
            n_ops=self.n_ops,
            caption=self.caption,
            step=self.step,
            current=self.current,
            values=self.values,
            grads=self.grads,
        )
        return copied

    def grad_of(self, value: Value) -> float | None:
        """The gradient this picture shows for ``value`` (``None`` when its box is blank)."""
        for v, g in zip(self.values, self.grads):
            if v is value:
                return g
        raise ValueError("grad_of: that Value is not part of this graph")

    def __repr__(self) -> str:
        text = f"computation graph: {_plural(self.n_values, 'value')}, {_plural(self.n_ops, 'op')}"
        if self.caption:
            text += f" | {self.caption}"
        return f"<{text}>"

    def _repr_mimebundle_(
        self,
        include: Iterable[str] | None = None,
        exclude: Iterable[str] | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        include = None if include is None else set(include)
        exclude = set(exclude or ())
        bundle = super()._repr_mimebundle_(include=include, exclude=exclude, **kwargs)
        if "text/plain" not in exclude and (include is None or "text/plain" in include):
            bundle["text/plain"] = repr(self)
        return bundle

    def pipe(self, *args: Any, **kwargs: Any) -> Any:
        """:meth:`graphviz.Digraph.pipe`, raising :class:`GraphvizNotFoundError` without dot."""
        return _needs_dot(super().pipe, *args, **kwargs)

    def render(self, *args: Any, **kwargs: Any) -> str:
        """:meth:`graphviz.Digraph.render`, raising :class:`GraphvizNotFoundError` without dot."""
        return _needs_dot(super().render, *args, **kwargs)


# ---- checks and traversal ------------------------------------------------------------------


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _check_root(root: object, fn: str) -> None:
    if not isinstance(root, Value):
        raise TypeError(
            f"{fn}: expected a grad.Value (the root of the graph), got "
            f"{type(root).__module__}.{type(root).__qualname__}: {root!r}"
        )


def _check_rankdir(rankdir: object, fn: str) -> str:
    if not isinstance(rankdir, str) or rankdir not in ("LR", "TB"):
        raise ValueError(
            f"{fn}: rankdir must be 'LR' (left to right) or 'TB' (top to bottom), got {rankdir!r}"
        )
    return rankdir


def _check_max_nodes(max_nodes: object, fn: str) -> int | None:
    if max_nodes is None:
        return None
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int):
        raise TypeError(
            f"{fn}: max_nodes must be an int or None, got {type(max_nodes).__name__}: {max_nodes!r}"
        )
    if max_nodes < 1:
        raise ValueError(f"{fn}: max_nodes must be at least 1 (or None for no limit), got {max_nodes}")
    return max_nodes


def _count_values(root: Value, limit: int) -> int:
    """How many Values ``root``'s graph has, counting no further than ``limit + 1``.

    Iterative, so deep graphs are fine, and it stops as soon as the answer exceeds ``limit``.
    """
    seen = {id(root)}
    stack = [root]
    while stack:
        for child in stack.pop()._prev:
            if id(child) not in seen:
                seen.add(id(child))
                if len(seen) > limit:
                    return len(seen)
                stack.append(child)
    return len(seen)


def _guard(root: Value, max_nodes: int | None, fn: str) -> None:
    """Refuse graphs with more than ``max_nodes`` Values, saying how many and how to go on."""
    if max_nodes is None or _count_values(root, max_nodes) <= max_nodes:
        return
    total = _count_values(root, _COUNT_CAP)
    count = f"more than {_COUNT_CAP:,}" if total > _COUNT_CAP else f"{total:,}"
    bigger = f"max_nodes={total}" if total <= _COUNT_CAP else "max_nodes=None"
    raise ValueError(
        f"{fn}: this graph has {count} Values, more than max_nodes={max_nodes}; drawing it would be "
        f"slow and unreadable (a whole MLP loss is usually far too big). To draw it anyway, pass "
        f"max_nodes=None (no limit) or a larger number, e.g. {fn}(root, {bigger})."
    )


def _topo(root: Value) -> list[Value]:
    """Every Value of the graph, children before parents, children in insertion order.

    A depth-first post-order walk without recursion: leaves come first and ``root`` last.
    The order depends only on the structure of the graph, so it is the same in every run.
    """
    order: list[Value] = []
    seen = {id(root)}
    stack = [(root, iter(root._prev))]
    while stack:
        node, children = stack[-1]
        for child in children:
            if id(child) not in seen:
                seen.add(id(child))
                stack.append((child, iter(child._prev)))
                break
        else:
            stack.pop()
            order.append(node)
    return order


# ---- DOT text ------------------------------------------------------------------------------

_RECORD_SPECIAL = re.compile(r"([\\{}|<>])")


def _record_text(text: str) -> str:
    """Escape a label for a record field: backslash, braces, bar and angle brackets."""
    return _RECORD_SPECIAL.sub(r"\\\1", text.replace("\r", " ").replace("\n", " ")).strip()


def _plain_text(text: str) -> str:
    """Escape a label for an ordinary node: only the backslash is special."""
    return text.replace("\\", "\\\\").replace("\r", " ").replace("\n", " ")


def _num(x: float) -> str:
    """A number with 4 decimals, as in the lecture; never ``-0.0000``."""
    s = f"{x:.4f}"
    return "0.0000" if s == "-0.0000" else s


def _record(value: Value, grad: float | None, show_grad: bool, rankdir: str) -> str:
    fields = [_record_text(value.label)] if value.label and _record_text(value.label) else []
    fields.append(f"data {_num(value.data)}")
    if show_grad:
        fields.append("grad" if grad is None else f"grad {_num(grad)}")
    body = " | ".join(fields)
    # In LR the fields of a record stack vertically; braces turn them back into one row.
    return f"{{ {body} }}" if rankdir == "LR" else body


def _build(
    values: list[Value],
    grads: Sequence[float | None],
    *,
    rankdir: str,
    show_grad: bool,
    name: str | None = None,
    current: int | None = None,
    processed: frozenset[int] = frozenset(),
) -> ComputationGraph:
    """The DOT picture of ``values`` (in drawing order), showing ``grads``.

    With ``current`` set it is a stepper frame: box ``current`` and the edges of its op are
    highlighted, its children are tinted, ops and edges not yet traversed are grey, and boxes
    whose grad is ``None`` are grey.
    """
    index = {id(v): i for i, v in enumerate(values)}
    graph_attr = dict(_GRAPH_ATTR, rankdir=rankdir)
    if name is not None:
        graph_attr["id"] = name  # prefixes the element ids in the SVG
    dot = ComputationGraph(
        name,
        graph_attr=graph_attr,
        node_attr=dict(_NODE_ATTR),
        edge_attr=dict(_EDGE_ATTR),
        format="svg",
    )
    stepping = current is not None
    receivers = {index[id(c)] for c in values[current]._prev} if stepping else set()
    n_ops = 0
    for i, v in enumerate(values):
        attrs: dict[str, str] = {}
        if stepping:
            if i == current:
                attrs = {
                    "style": "filled",
                    "fillcolor": _HOT_FILL,
                    "color": _HOT,
                    "penwidth": "2",
                }
            elif i in receivers:
                attrs = {"style": "filled", "fillcolor": _GETS_FILL, "color": _HOT}
            elif grads[i] is None:
                attrs = {"color": _GREY, "fontcolor": _GREY_TEXT}
        dot.node(f"v{i}", graphviz.nohtml(_record(v, grads[i], show_grad, rankdir)), **attrs)
        if not (v._prev or v._op):
            continue
        n_ops += 1
        op = f"v{i}_op"
        edge: dict[str, str] = {}
        op_attrs = dict(_OP_ATTR)
        if stepping and i == current:
            op_attrs.update(style="filled", fillcolor=_HOT_FILL, color=_HOT, penwidth="2")
            edge = {"color": _HOT, "penwidth": "2"}
        elif stepping and i not in processed:
            op_attrs.update(color=_GREY, fontcolor=_GREY_TEXT)
            edge = {"color": _GREY}
        dot.node(op, graphviz.nohtml(_plain_text(v._op or "?")), **op_attrs)
        for child in v._prev:
            dot.edge(f"v{index[id(child)]}", op, **edge)
        dot.edge(op, f"v{i}", **edge)
    dot.n_values = len(values)
    dot.n_ops = n_ops
    dot.values = tuple(values)
    dot.grads = tuple(grads)
    return dot


# ---- draw_dot ------------------------------------------------------------------------------


def draw_dot(
    root: Value,
    rankdir: str = "LR",
    show_grad: bool = True,
    max_nodes: int | None = DEFAULT_MAX_NODES,
) -> ComputationGraph:
    """Draw the computation graph that ends in ``root``, as in the lecture.

    Each Value is a record ``label | data 2.0000 | grad -4.0000`` (the label part only when it
    has one); each operation is a small node of its own; edges run child -> op -> result. A
    child used twice (``a + a``) gets two edges.

    Args:
        root: the output Value; everything it depends on is drawn.
        rankdir: ``"LR"`` (left to right, the lecture's layout) or ``"TB"`` (top to bottom).
        show_grad: also show each node's ``.grad`` (the current value; nothing is computed).
        max_nodes: refuse graphs with more Values than this (ValueError); ``None`` = no limit.

    Returns:
        A :class:`ComputationGraph` (a :class:`graphviz.Digraph`). Jupyter shows it as SVG; its
        ``.source`` is byte-identical in every run and process; ``repr()`` reads
        ``<computation graph: 7 values, 3 ops>``.

    Raises:
        TypeError: ``root`` is not a Value.
        ValueError: a bad ``rankdir`` or a graph larger than ``max_nodes``.

    Example:
        >>> from grad import Value
        >>> x = Value(3.0, label="x"); y = x * x + 1; y.label = "y"
        >>> draw_dot(y, show_grad=False)
        <computation graph: 4 values, 2 ops>
    """
    _check_root(root, "draw_dot")
    rankdir = _check_rankdir(rankdir, "draw_dot")
    max_nodes = _check_max_nodes(max_nodes, "draw_dot")
    _guard(root, max_nodes, "draw_dot")
    values = _topo(root)
    return _build(values, [v.grad for v in values], rankdir=rankdir, show_grad=bool(show_grad))
