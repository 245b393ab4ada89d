"""Pictures for the course: computation graphs, a backward-pass stepper, and plots.

Graphs are drawn with Graphviz, in the style of the lecture: every :class:`~grad.engine.Value`
is a box ``label | data 2.0000 | grad -4.0000`` and every operation is a small node of its own,
with edges running child -> op -> result.

Drawing a graph::

    >>> from grad import Value
    >>> from grad.viz import draw_dot
    >>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
    >>> e = a * b; e.label = "e"
    >>> e.backward()
    >>> g = draw_dot(e)          # in a notebook, end the cell with `g` to see the picture
    >>> g
    <computation graph: 3 values, 1 op>
    >>> print(g.source.splitlines()[4].strip())
    v0 [label="{ a | data 2.0000 | grad -3.0000 }"]

The DOT text (``g.source``) is the same in every run and every process: nodes are named
``v0, v1, ...`` in a fixed traversal order, never by memory address. Rendering needs the
Graphviz program ``dot`` (``sudo apt-get install graphviz``, ``brew install graphviz`` or
``conda install -c conda-forge graphviz``); building the graph and reading ``.source`` do not.

Stepping through backpropagation, one node at a time::

    >>> from grad.viz import backward_steps, show_backward
    >>> frames = backward_steps(e)      # one Digraph per node, in the order backward() visits them
    >>> [f.caption for f in frames]     # doctest: +NORMALIZE_WHITESPACE
    ['step 1: e starts with grad 1.0000; `*` sends it to a and b',
     'step 2: b is a leaf: its grad 2.0000 is final',
     'step 3: a is a leaf: its grad -3.0000 is final']
    >>> show_backward(e)                # a notebook shows every frame with its caption
    backward pass: 3 steps

Plots for the notebooks (matplotlib)::

    >>> from grad.viz import plot_function, plot_loss, setup_notebook
    >>> setup_notebook()                      # PNG figures, fixed size and fonts
    >>> plot_function(lambda x: 3 * x**2 - 4 * x + 5, [i / 10 for i in range(-50, 51)], at=2.0)
    <Figure size 640x400 with 1 Axes>
    >>> plot_loss([1.0, 0.5, 0.25], accuracy=[0.5, 0.75, 1.0])
    <Figure size 640x400 with 2 Axes>

The plot functions create, close and return a new :class:`~matplotlib.figure.Figure`, so a
notebook cell that ends with the call shows the plot exactly once. Given an ``ax=`` they draw
on it and return ``None``; the figure belongs to the caller.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Iterable, Sequence
from numbers import Real
from typing import TYPE_CHECKING, Any

import graphviz

from grad.engine import Value, backward_order

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "DEFAULT_MAX_NODES",
    "STEPPER_MAX_NODES",
    "BackwardPass",
    "ComputationGraph",
    "GraphvizNotFoundError",
    "backward_steps",
    "draw_dot",
    "plot_decision_boundary",
    "plot_function",
    "plot_loss",
    "setup_notebook",
    "show_backward",
]

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
_OP_ATTR = {"shape": "ellipse", "fontsize": "10", "width": "0.35", "height": "0.3", "margin": "0.03"}

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
        self, include: Iterable[str] | None = None, exclude: Iterable[str] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        include = None if include is None else set(include)
        exclude = set(exclude or ())
        bundle = super()._repr_mimebundle_(include=include, exclude=exclude, **kwargs)
        if "text/plain" not in exclude and (include is None or "text/plain" in include):
            bundle["text/plain"] = repr(self)
        return bundle

    def pipe(self, *args: Any, **kwargs: Any) -> Any:
        """:meth:`graphviz.Digraph.pipe`, raising :class:`GraphvizNotFoundError` without dot."""
        try:
            return super().pipe(*args, **kwargs)
        except GraphvizNotFoundError:
            raise
        except graphviz.ExecutableNotFound as exc:
            raise GraphvizNotFoundError() from exc

    def render(self, *args: Any, **kwargs: Any) -> str:
        """:meth:`graphviz.Digraph.render`, raising :class:`GraphvizNotFoundError` without dot."""
        try:
            return super().render(*args, **kwargs)
        except GraphvizNotFoundError:
            raise
        except graphviz.ExecutableNotFound as exc:
            raise GraphvizNotFoundError() from exc


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
        name, graph_attr=graph_attr, node_attr=dict(_NODE_ATTR), edge_attr=dict(_EDGE_ATTR), format="svg"
    )
    stepping = current is not None
    receivers = {index[id(c)] for c in values[current]._prev} if stepping else set()
    n_ops = 0
    for i, v in enumerate(values):
        attrs: dict[str, str] = {}
        if stepping:
            if i == current:
                attrs = {"style": "filled", "fillcolor": _HOT_FILL, "color": _HOT, "penwidth": "2"}
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
    root: Value, rankdir: str = "LR", show_grad: bool = True, max_nodes: int | None = DEFAULT_MAX_NODES
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


# ---- the backward-pass stepper -------------------------------------------------------------


def _name(v: Value) -> str:
    return v.label if v.label else _num(v.data)


def _list_names(children: Sequence[Value]) -> str:
    """'a and b', 'a, b and c', 'a (twice)': children in order, repeats counted."""
    counts: dict[int, int] = {}
    unique: list[Value] = []
    for c in children:
        if id(c) not in counts:
            counts[id(c)] = 0
            unique.append(c)
        counts[id(c)] += 1
    times = {1: "", 2: " (twice)"}
    parts = [_name(c) + times.get(counts[id(c)], f" ({counts[id(c)]} times)") for c in unique]
    if len(parts) > 6:
        parts = [*parts[:5], f"{len(parts) - 5} more"]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _caption(k: int, node: Value, grad: float, is_root: bool) -> str:
    step = f"step {k + 1}: "
    op = f"`{node._op or '?'}`"
    if is_root:
        start = f"{_name(node)} starts with grad {_num(grad)}"
        if node._prev:
            return f"{step}{start}; {op} sends it to {_list_names(node._prev)}"
        return f"{step}{start}; it is a leaf, so there is nothing to send"
    if node._prev:
        whose = f"{node.label}'s grad" if node.label else "grad"
        return f"{step}{op} sends {whose} {_num(grad)} to {_list_names(node._prev)}"
    return f"{step}{_name(node)} is a leaf: its grad {_num(grad)} is final"


def backward_steps(
    root: Value, *, rankdir: str = "LR", max_nodes: int | None = STEPPER_MAX_NODES
) -> list[ComputationGraph]:
    """Pictures of the backward pass, one per Value, in the order ``root.backward()`` works.

    The pass is simulated on private numbers, starting as after ``zero_grad()``: the root's
    grad is 1 and every other grad is 0 before anyone pushes to it. No ``.grad`` is changed.

    Convention: ``frames[k]`` belongs to ``backward_order(root)[k]`` (the root first) and shows
    the state *after* that node has pushed its gradient to its children, i.e. after
    ``child.grad += local * node.grad`` for each of its children. In the picture:

    * the node being processed and its op are filled orange, and the edges its gradient travels
      along (op -> node and children -> op) are thick and orange;
    * the children that just received gradient are tinted;
    * a box whose grad nobody has pushed to yet is grey with a blank grad; ops and edges that
      the pass has not gone through yet are grey.

    Every frame also has a ``caption`` (its step is numbered from 1), e.g.
    ``"step 3: `*` sends e's grad -2.0000 to a and b"``; nodes are named by their label, or by
    their data when they have none. ``frames[-1].grads`` are the gradients ``backward()`` gives.

    Args:
        root: the output Value.
        rankdir: ``"LR"`` or ``"TB"``.
        max_nodes: refuse graphs with more Values than this (default 50, since the whole graph
            is drawn once per Value); ``None`` = no limit.

    Returns:
        A list of :class:`ComputationGraph`, with ``caption``, ``step``, ``current``, ``values``
        and ``grads`` set on each.

    Example:
        >>> from grad import Value
        >>> a = Value(2.0, label="a"); b = a * a; b.label = "b"
        >>> frames = backward_steps(b)
        >>> for f in frames:
        ...     print(f.caption)
        step 1: b starts with grad 1.0000; `*` sends it to a (twice)
        step 2: a is a leaf: its grad 4.0000 is final
        >>> frames[-1].grad_of(a), a.grad
        (4.0, 0.0)
    """
    _check_root(root, "backward_steps")
    rankdir = _check_rankdir(rankdir, "backward_steps")
    max_nodes = _check_max_nodes(max_nodes, "backward_steps")
    _guard(root, max_nodes, "backward_steps")
    values = _topo(root)
    index = {id(v): i for i, v in enumerate(values)}
    grads: list[float | None] = [None] * len(values)
    grads[index[id(root)]] = 1.0
    processed: set[int] = set()
    frames = []
    for k, node in enumerate(backward_order(root)):
        i = index[id(node)]
        g = grads[i]
        assert g is not None  # every node has been pushed to before backward_order reaches it
        for child, local in zip(node._prev, node._local):
            j = index[id(child)]
            # the same arithmetic, in the same order, as Value.backward() after zero_grad()
            grads[j] = (0.0 if grads[j] is None else grads[j]) + local * g
        frame = _build(
            values,
            grads,
            rankdir=rankdir,
            show_grad=True,
            name=f"backward_step_{k + 1}",
            current=i,
            processed=frozenset(processed),
        )
        frame.caption = _caption(k, node, g, node is root)
        frame.step = k
        frame.current = node
        frames.append(frame)
        processed.add(i)
    return frames


_SVG_START = re.compile(r"<svg\b")


def _inline_svg(document: str) -> str:
    """An SVG document from dot without its XML prolog, doctype and comments, for inlining."""
    m = _SVG_START.search(document)
    if m is None:
        raise RuntimeError(f"dot did not produce SVG: {document[:200]!r}")
    # scale down to the width of the output area instead of overflowing it
    return '<svg style="max-width:100%;height:auto"' + document[m.end() :].rstrip()


def _caption_html(caption: str) -> str:
    return re.sub(r"`([^`]*)`", r"<code>\1</code>", html.escape(caption, quote=False))


class BackwardPass:
    """What :func:`show_backward` returns: the frames of a backward pass, ready to display.

    In a notebook it shows either a static column of every frame with its caption (an HTML
    block of SVGs rendered by ``dot``) or, with ``interactive=True``, a slider over the frames.
    Its text form is deterministic: ``backward pass: 9 steps``.

    Attributes:
        frames: the :class:`ComputationGraph` frames of :func:`backward_steps`.
        interactive: whether it displays as an ipywidgets slider.
    """

    def __init__(self, frames: list[ComputationGraph], interactive: bool = False) -> None:
        self.frames = frames
        self.interactive = interactive
        self._svgs: list[str] | None = None

    @property
    def captions(self) -> list[str]:
        """The caption of every frame, in order."""
        return [f.caption for f in self.frames]

    def __len__(self) -> int:
        return len(self.frames)

    def __getitem__(self, k: int) -> ComputationGraph:
        return self.frames[k]

    def __iter__(self):
        return iter(self.frames)

    def __repr__(self) -> str:
        return f"backward pass: {_plural(len(self.frames), 'step')}"

    def svgs(self) -> list[str]:
        """Every frame rendered to SVG (one ``dot`` run for all of them), ready to inline."""
        if self._svgs is None:
            out = _pipe_svg("".join(f.source for f in self.frames))
            docs = [d for d in re.split(r"(?=<\?xml )", out) if d.strip()]
            if len(docs) != len(self.frames):  # not one document per graph: render one by one
                docs = [_pipe_svg(f.source) for f in self.frames]
            self._svgs = [_inline_svg(d) for d in docs]
        return self._svgs

    def html(self) -> str:
        """The static display: each frame's caption above its picture, in one HTML block."""
        parts = ['<div class="grad-backward-pass">']
        for frame, svg in zip(self.frames, self.svgs()):
            parts.append(
                '<figure style="margin:0 0 1.2em 0">'
                f'<figcaption style="font-family:sans-serif;margin-bottom:0.3em">'
                f"{_caption_html(frame.caption)}</figcaption>\n{svg}\n</figure>"
            )
        parts.append("</div>")
        return "\n".join(parts)

    def widget(self) -> Any:
        """An ipywidgets slider (1 .. number of steps) above the current frame and its caption."""
        try:
            import ipywidgets as widgets
        except ImportError as exc:  # pragma: no cover - ipywidgets is a course dependency
            raise ImportError(
                "show_backward(interactive=True) needs ipywidgets: pip install ipywidgets "
                "(or conda install -c conda-forge ipywidgets); interactive=False needs nothing extra"
            ) from exc
        svgs = self.svgs()
        slider = widgets.IntSlider(value=1, min=1, max=len(self.frames), description="step")
        view = widgets.HTML()

        def show(step: int) -> None:
            view.value = (
                f'<div style="font-family:sans-serif;margin-bottom:0.3em">'
                f"{_caption_html(self.frames[step - 1].caption)}</div>{svgs[step - 1]}"
            )

        slider.observe(lambda change: show(change["new"]), names="value")
        show(1)
        return widgets.VBox([slider, view])

    def _repr_mimebundle_(
        self, include: Iterable[str] | None = None, exclude: Iterable[str] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        if self.interactive:
            bundle = dict(self.widget()._repr_mimebundle_(**kwargs) or {})
        else:
            bundle = {"text/html": self.html()}
        bundle["text/plain"] = repr(self)
        if include is not None:
            bundle = {k: v for k, v in bundle.items() if k in set(include)}
        return {k: v for k, v in bundle.items() if k not in set(exclude or ())}


def show_backward(
    root: Value,
    interactive: bool | None = None,
    *,
    rankdir: str = "LR",
    max_nodes: int | None = STEPPER_MAX_NODES,
) -> BackwardPass:
    """Show the backward pass of ``root`` step by step (see :func:`backward_steps`).

    End a notebook cell with the call (or pass the result to ``display``) to see it.

    Args:
        root: the output Value.
        interactive: ``True`` for an ipywidgets slider over the frames (needs a live kernel);
            ``False`` or ``None`` for a static column of all frames with their captions. ``None``
            ("auto") is static on purpose: a kernel cannot tell whether its outputs will be
            stored (nbval, nbclient, a docs build), and a stored slider shows nothing.
        rankdir: ``"LR"`` or ``"TB"``.
        max_nodes: as in :func:`backward_steps` (default 50).

    Returns:
        A :class:`BackwardPass`; its repr is ``backward pass: N steps``.
    """
    if interactive is not None and not isinstance(interactive, bool):
        raise TypeError(f"show_backward: interactive must be True, False or None, got {interactive!r}")
    frames = backward_steps(root, rankdir=rankdir, max_nodes=max_nodes)
    return BackwardPass(frames, interactive=bool(interactive))


# ---- plots ---------------------------------------------------------------------------------


def _as_float(x: object, what: str) -> float:
    if isinstance(x, Value):
        return x.data
    if isinstance(x, Real) and not isinstance(x, bool):
        return float(x)
    # numpy scalars are Real; anything else is a mistake
    raise TypeError(f"{what} must be a number or a Value, got {type(x).__name__}: {x!r}")


def _floats(xs: object, what: str) -> list[float]:
    if isinstance(xs, (str, bytes)) or not isinstance(xs, Iterable):
        raise TypeError(f"{what} must be a sequence of numbers, got {type(xs).__name__}")
    return [_as_float(x, f"each entry of {what}") for x in xs]


def _new_axes(ax: Axes | None) -> tuple[Figure, Axes, bool]:
    """The figure and axes to draw on, and whether this call created them."""
    if ax is not None:
        return ax.figure, ax, False
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    return fig, ax, True


def _finish(fig: Figure, created: bool) -> Figure | None:
    """Close a figure we created (so the inline backend does not show it a second time)."""
    if not created:
        return None
    import matplotlib.pyplot as plt

    plt.close(fig)
    return fig


def plot_function(
    f: Callable[[float], Any],
    xs: Iterable[float],
    at: float | None = None,
    ax: Axes | None = None,
    label: str = "f(x)",
    xlabel: str = "x",
) -> Figure | None:
    """Plot ``y = f(x)`` over ``xs``, with the tangent line at ``x = at`` if given.

    The slope is the central difference ``(f(at + h) - f(at - h)) / 2h`` with a small ``h``;
    the point is marked and the slope written next to it (4 decimals). ``f`` may return a
    number or a Value. ``label`` names the curve (legend and y axis), ``xlabel`` the x axis.

    Returns:
        The new Figure (already closed, so a notebook shows it once when the cell ends with
        the call), or ``None`` when drawing on the given ``ax``.

    Example:
        >>> fig = plot_function(lambda x: x**2, [i / 10 for i in range(-30, 31)], at=1.0)
        >>> fig.axes[0].texts[0].get_text()
        'slope 2.0000'
    """
    if not callable(f):
        raise TypeError(f"plot_function: f must be a function of one number, got {type(f).__name__}")
    x = _floats(xs, "plot_function: xs")
    if len(x) < 2:
        raise ValueError(f"plot_function: xs needs at least 2 points, got {len(x)}")
    y = [_as_float(f(v), "plot_function: f(x)") for v in x]
    fig, ax, created = _new_axes(ax)
    ax.plot(x, y, color="C0", label=label)
    if at is not None:
        x0 = _as_float(at, "plot_function: at")
        h = 1e-6 * max(1.0, abs(x0))
        y0 = _as_float(f(x0), "plot_function: f(at)")
        slope = (_as_float(f(x0 + h), "f(x)") - _as_float(f(x0 - h), "f(x)")) / (2 * h)
        half = (max(x) - min(x)) / 6
        tx = [x0 - half, x0 + half]
        ax.plot(tx, [y0 + slope * (t - x0) for t in tx], "--", color="C1", label=f"tangent at x = {x0:g}")
        ax.plot([x0], [y0], "o", color="C1")
        ax.annotate(f"slope {_num(slope)}", (x0, y0), xytext=(8, -14), textcoords="offset points", color="C1")
        ax.legend(loc="best")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(label)
    ax.grid(True, alpha=0.3)
    return _finish(fig, created)


_NEG_COLOR = "#3b7dd8"
_POS_COLOR = "#e8590c"


def plot_decision_boundary(
    model: Callable[[list[float]], Any],
    X: Sequence[Sequence[float]],
    y: Sequence[float],
    ax: Axes | None = None,
    h: float = 0.25,
) -> Figure | None:
    """The moons-demo picture: the regions where ``model`` scores > 0 and < 0, and the points.

    ``model`` is called on ``[x0, x1]`` (a list of 2 floats) at every point of a grid with
    spacing ``h`` covering the data (plus a margin of 1) and returns a Value or a number.
    Points are coloured by label; labels are -1/1 or 0/1 (the class "1" is the side where the
    score is positive).

    Returns:
        The new Figure (already closed), or ``None`` when drawing on the given ``ax``.

    Example:
        >>> fig = plot_decision_boundary(lambda p: p[0] - p[1], [[0, 1], [1, 0]], [-1, 1])
        >>> len(fig.axes)
        1
    """
    import numpy as np

    if not callable(model):
        raise TypeError(f"plot_decision_boundary: model must be callable, got {type(model).__name__}")
    points = [_floats(p, "plot_decision_boundary: each row of X") for p in X]
    if not points or any(len(p) != 2 for p in points):
        raise ValueError(
            "plot_decision_boundary: X must be a non-empty list of points with 2 coordinates each"
        )
    labels = _floats(y, "plot_decision_boundary: y")
    if len(labels) != len(points):
        raise ValueError(f"plot_decision_boundary: X has {len(points)} points but y has {len(labels)} labels")
    if not (set(labels) <= {-1.0, 1.0} or set(labels) <= {0.0, 1.0}):
        raise ValueError(f"plot_decision_boundary: labels must be -1/1 or 0/1, got {sorted(set(labels))}")
    step = _as_float(h, "plot_decision_boundary: h")
    if not step > 0 or not math.isfinite(step):
        raise ValueError(f"plot_decision_boundary: h must be a positive grid spacing, got {h!r}")
    P = np.array(points)
    x_min, x_max = P[:, 0].min() - 1, P[:, 0].max() + 1
    y_min, y_max = P[:, 1].min() - 1, P[:, 1].max() + 1
    gx, gy = np.arange(x_min, x_max, step), np.arange(y_min, y_max, step)
    if gx.size * gy.size > 250_000:
        raise ValueError(
            f"plot_decision_boundary: h={step:g} makes a grid of {gx.size * gy.size:,} points; use a larger h"
        )
    xx, yy = np.meshgrid(gx, gy)
    scores = [
        _as_float(model([float(a), float(b)]), "plot_decision_boundary: model(point)")
        for a, b in zip(xx.ravel(), yy.ravel())
    ]
    Z = (np.array(scores) > 0).astype(float).reshape(xx.shape)
    fig, ax, created = _new_axes(ax)
    ax.contourf(xx, yy, Z, levels=[-0.5, 0.5, 1.5], colors=[_NEG_COLOR, _POS_COLOR], alpha=0.3)
    L = np.array(labels)
    low = "-1" if -1.0 in labels else "0"
    for mask, color, name in ((L <= 0, _NEG_COLOR, low), (L > 0, _POS_COLOR, "1")):
        if mask.any():
            ax.scatter(
                P[mask, 0],
                P[mask, 1],
                c=color,
                s=30,
                edgecolors="black",
                linewidths=0.5,
                label=f"label {name}",
            )
    ax.set_xlim(xx.min(), xx.max())
    ax.set_ylim(yy.min(), yy.max())
    ax.legend(loc="upper right")
    return _finish(fig, created)


def plot_loss(
    history: Sequence[float], accuracy: Sequence[float] | None = None, ax: Axes | None = None
) -> Figure | None:
    """The loss curve over training steps, with the accuracy on a second y axis when given.

    ``history`` holds one loss per step (numbers or Values); ``accuracy``, if given, one number
    per step, either fractions (0..1) or percentages (0..100).

    Returns:
        The new Figure (already closed), or ``None`` when drawing on the given ``ax``.

    Example:
        >>> fig = plot_loss([0.9, 0.5, 0.2], accuracy=[0.5, 0.5, 1.0])
        >>> [ax.get_ylabel() for ax in fig.axes]
        ['loss', 'accuracy']
    """
    loss = _floats(history, "plot_loss: history")
    if not loss:
        raise ValueError("plot_loss: history is empty; pass one loss per training step")
    acc = None if accuracy is None else _floats(accuracy, "plot_loss: accuracy")
    if acc is not None and len(acc) != len(loss):
        raise ValueError(f"plot_loss: history has {len(loss)} entries but accuracy has {len(acc)}")
    fig, ax, created = _new_axes(ax)
    steps = list(range(len(loss)))
    lines = ax.plot(steps, loss, color="C0", label="loss")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.grid(True, alpha=0.3)
    if acc is not None:
        ax2 = ax.twinx()
        lines += ax2.plot(steps, acc, color="C1", label="accuracy")
        ax2.set_ylabel("accuracy")
        ax2.set_ylim(0, 1.05 if max(acc) <= 1 else 105)
    ax.legend(lines, [line.get_label() for line in lines], loc="center right")
    return _finish(fig, created)


def setup_notebook() -> None:
    """Make notebook plots reproducible: PNG output, fixed size, resolution and font.

    Sets matplotlib's ``figure.figsize`` (6.4 x 4 inches), ``figure.dpi`` and ``savefig.dpi``
    (100), the font (DejaVu Sans, which ships with matplotlib) and ``svg.hashsalt``. Inside
    IPython it also makes the inline backend emit PNG only, without the "Software" metadata
    (matplotlib's version), the equivalent of ``%config InlineBackend.figure_formats = ['png']``.
    Outside IPython only the matplotlib settings change. Safe to call more than once.
    """
    import sys

    import matplotlib as mpl

    mpl.rcParams.update(
        {
            "figure.figsize": (6.4, 4.0),
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "font.family": "DejaVu Sans",
            "svg.hashsalt": "grad",
        }
    )
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is not None:
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("png", metadata={"Software": None})
