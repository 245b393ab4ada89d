"""The backward-pass stepper: one frame per node, in the order ``backward()`` visits them."""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterable, Sequence
from typing import Any

from grad.engine import Value, backward_order
from grad.viz.graph import (
    STEPPER_MAX_NODES,
    ComputationGraph,
    _build,
    _check_max_nodes,
    _check_rankdir,
    _check_root,
    _guard,
    _num,
    _pipe_svg,
    _plural,
    _topo,
)

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
    Its text form is deterministic: a ``backward pass: 9 steps`` line, then one caption per
    step, so nbval compares what every step says.

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
        head = f"backward pass: {_plural(len(self.frames), 'step')}"
        return "\n".join([head, *(f"  {caption}" for caption in self.captions)])

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
        self,
        include: Iterable[str] | None = None,
        exclude: Iterable[str] | None = None,
        **kwargs: Any,
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
        interactive: ``True`` for an ipywidgets slider over the frames, ``False`` for a static
            column of all frames with their captions. ``None`` (auto) gives the slider in a live
            Jupyter kernel that has ipywidgets, and the static view everywhere else, including
            whenever the environment variable ``GRAD_STATIC_OUTPUTS`` is set: the course's
            notebook runner and nbval set it, so stored outputs, nbval and the rendered notes
            always hold the static frames (a stored slider shows nothing).
        rankdir: ``"LR"`` or ``"TB"``.
        max_nodes: as in :func:`backward_steps` (default 50).

    Returns:
        A :class:`BackwardPass`; its repr is ``backward pass: N steps`` and the N captions.
    """
    if interactive is not None and not isinstance(interactive, bool):
        raise TypeError(f"show_backward: interactive must be True, False or None, got {interactive!r}")
    _check_root(root, "show_backward")
    _guard(root, _check_max_nodes(max_nodes, "show_backward"), "show_backward")  # name this function
    frames = backward_steps(root, rankdir=rankdir, max_nodes=max_nodes)
    if interactive is None:
        interactive = _live_kernel_with_widgets()
    return BackwardPass(frames, interactive=interactive)


def _live_kernel_with_widgets() -> bool:
    """True inside a Jupyter kernel that can show ipywidgets, unless static output is requested."""
    if os.environ.get("GRAD_STATIC_OUTPUTS"):
        return False
    try:
        import ipywidgets  # noqa: F401
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None
