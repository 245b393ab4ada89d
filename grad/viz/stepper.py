"""The backward-pass stepper: one frame per node, in the order backward() visits them.

A :class:`grad.Value` (with ``_local``) is simulated on private numbers. A closure-based Value runs its own
``_backward`` closures, so a buggy one shows in the frames; its ``.grad``s are restored afterwards. Those
replays take turns (one at a time in the process), because they write to the nodes' ``.grad``.
"""

from __future__ import annotations

import html
import os
import re
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib.util import find_spec
from typing import Any
from xml.etree import ElementTree

from grad.engine import Value, backward_order
from grad.validate import is_real, show
from grad.viz import graph
from grad.viz.graph import ComputationGraph, wanted
from grad.viz.model import check, clean, describe, format_number, name, walk

STEPPER_MAX_NODES = 50  # the stepper's default limit: it draws the whole graph once per value
STEPPER_LIMIT = 200  # and its hard one: n values take n pictures of n values, n * n drawings in all


@dataclass(frozen=True, repr=False)
class Frame:
    """Step ``step`` (from 0) of the backward pass: the state after node ``current`` pushed its gradient.

    ``graph`` is the picture; ``grads[i]`` is the gradient shown for ``values[i]`` (``None``: not reached).
    ``parts`` is the caption as (text, op, text), so that the HTML marks the op as code even when a label
    has a backtick of its own; ``caption`` puts the op between backticks.
    """

    step: int
    parts: tuple[str, str, str]
    current: Any
    graph: ComputationGraph
    values: tuple
    grads: tuple

    @property
    def caption(self) -> str:
        before, op, after = self.parts
        return f"{before}`{op}`{after}" if op else before + after

    def grad_of(self, value: Any) -> float | None:
        """The gradient this frame shows for ``value`` (``None``: blank)."""
        for v, g in zip(self.values, self.grads):
            if v is value:
                return g
        raise ValueError("grad_of: that value is not part of this graph")

    @property
    def source(self) -> str:
        return self.graph.source

    def __repr__(self) -> str:
        return f"<frame | {self.caption}>"

    def html(self) -> str:
        """The frame as HTML: its caption above its picture (see :func:`grad.viz.graph.graph_html`)."""
        return _figure_html(self, self.graph.pipe())

    def _repr_svg_(self) -> str:
        return self.graph.pipe(encoding="utf-8")

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        """What Jupyter shows: the HTML of :meth:`html`, the SVG as a fallback, and the text form
        (only the types asked for: see :meth:`grad.viz.graph.ComputationGraph._repr_mimebundle_`)."""
        return graph.mime_bundle(
            self.graph, lambda svg: _figure_html(self, svg), repr(self), include, exclude
        )


def _names(nodes: list) -> str:
    """'a and b', 'a, b and c', 'a (twice)': in order, repeats counted, at most 6 names."""
    counts: dict[int, list] = {}
    for c in nodes:
        counts.setdefault(id(c), [c, 0])[1] += 1
    parts = [name(c) + {1: "", 2: " (twice)"}.get(n, f" ({n} times)") for c, n in counts.values()]
    parts = parts if len(parts) <= 6 else [*parts[:5], f"{len(parts) - 5} more"]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _caption(k: int, node: Any, grad: float, kids: list) -> tuple[str, str, str]:
    """The caption of step ``k`` as (text, op, text); the op is "" where the caption names none."""
    step, op, g, who = f"step {k + 1}: ", clean(str(node._op or "?")), format_number(grad), name(node)
    if k == 0 and kids:  # the root
        return f"{step}{who} starts with grad {g}; ", op, f" sends it to {_names(kids)}"
    if k == 0:
        return f"{step}{who} starts with grad {g}; it is a leaf, so there is nothing to send", "", ""
    if kids:
        whose = f"{who}'s grad" if getattr(node, "label", None) else "grad"
        return step, op, f" sends {whose} {g} to {_names(kids)}"
    return f"{step}{who} is a leaf: its grad {g} is final", "", ""


def _local_problem(node: Any) -> Exception | None:
    """Why ``node``'s ``_local`` cannot be paired with its ``_prev``, as an error; None if it can."""
    prev, local, what = node._prev, getattr(node, "_local", None), describe(node)
    if local is None:
        return TypeError(f"{what} has no _local (local derivatives), unlike the root")
    if not isinstance(prev, Sequence) or not isinstance(local, Sequence):
        return TypeError(
            f"{what} has a {type(prev).__name__} _prev and a {type(local).__name__} _local; pairing them "
            "needs two sequences (lists or tuples) in the same order"
        )
    if len(prev) != len(local):
        return ValueError(f"{what} has {len(prev)} children in _prev but {len(local)} numbers in _local")
    bad = [d for d in local if not is_real(d)]
    return TypeError(f"{what} has a local derivative that is not a number: {show(bad[0])}") if bad else None


def _simulate(order: list, index: dict[int, int]) -> Iterator[tuple[float, list]]:
    """Per step: the node's grad and every grad after its push, on private numbers, as backward() does it."""
    grads = [0.0] * len(index)
    grads[index[id(order[0])]] = 1.0
    for node in order:
        g = grads[index[id(node)]]
        for child, local in zip(node._prev, node._local):
            grads[index[id(child)]] += local * g  # the same arithmetic, in the same order, as backward()
        yield g, list(grads)


_replay_lock = threading.Lock()  # one replay at a time: they write the nodes' .grad
_replaying = threading.local()  # set while this thread replays: a nested call would wait for itself


def _replay(order: list, nodes: list, fn: str) -> list[tuple[Any, list]]:
    """Per step: the node's grad and every grad after its ``_backward()``; every ``.grad`` is restored."""
    if getattr(_replaying, "active", False):
        raise RuntimeError(
            f"{fn} was called from inside a _backward() that the stepper is replaying; call it outside "
            "your _backward() closures"
        )
    with _replay_lock:
        _replaying.active, saved, steps = True, [v.grad for v in nodes], []
        try:
            for v in nodes:
                v.grad = 0.0
            order[0].grad = 1.0
            for k, node in enumerate(order):
                if not callable(getattr(node, "_backward", None)):
                    raise TypeError(f"{fn}: {describe(node)} has no _backward() to call, unlike the root")
                g = node.grad
                try:
                    node._backward()
                except Exception as exc:
                    exc.add_note(f"{fn}: raised by the _backward() of {describe(node)}, step {k + 1}")
                    raise
                steps.append((g, [v.grad for v in nodes]))
        finally:
            _replaying.active = False
            for v, g in zip(nodes, saved):
                v.grad = g
    return steps


# the node being processed (and the edges its gradient travels), the children receiving gradient in this
# step, and what is not reached yet
_HOT = {"style": "filled", "fillcolor": "#ffd8a8", "color": "#d9480f", "penwidth": "2"}
_GETS = {"style": "filled", "fillcolor": "#fff4e6", "color": "#d9480f"}
_GREY = {"color": "#b0b0b0", "fontcolor": "#909090"}
_HOT_EDGE, _GREY_EDGE = {"color": "#d9480f", "penwidth": "2"}, {"color": "#b0b0b0"}


def _styler(current: int, receivers: set, processed: set, grads: tuple):
    """The colours of a frame (see :func:`grad.viz.graph.picture`): ``current`` hot, its ``receivers``
    tinted, values not reached and ops not processed grey."""

    def style(i: int) -> tuple[dict, dict, dict]:
        value = _HOT if i == current else _GETS if i in receivers else _GREY if grads[i] is None else {}
        if i == current:
            return value, _HOT, _HOT_EDGE
        return (value, _GREY, _GREY_EDGE) if i not in processed else (value, {}, {})

    return style


def _frames(root: Any, rankdir: str, max_nodes: int | None, fn: str) -> list[Frame]:
    n = STEPPER_LIMIT
    why = f": each of n frames draws all n values, {n * n:,} drawings at {n} and 1,000,000 at 1,000"
    graph.check_options(fn, rankdir, max_nodes, n, why)
    hint = f"a larger number up to {n}: {fn}(root, max_nodes={n})"
    nodes, children = walk(root, fn, max_nodes, hint=hint)
    index = {id(v): i for i, v in enumerate(nodes)}
    # _local is used when every node pairs it with an ordered _prev; else the _backward() closures
    problem = next(filter(None, map(_local_problem, nodes)), None) if hasattr(root, "_local") else None
    if hasattr(root, "_local") and problem is None:
        order = backward_order(root) if isinstance(root, Value) else nodes[::-1]
        steps = _simulate(order, index)
    elif callable(getattr(root, "_backward", None)):
        order = nodes[::-1]  # children-first order reversed: a reverse topological order, as build_topo
        steps = _replay(order, nodes, fn)
    elif problem is not None:
        raise type(problem)(f"{fn}: {problem}, and the root has no _backward() to run instead")
    else:
        raise TypeError(
            f"{fn}: {describe(root)} has neither _local (local derivatives, as grad.Value) nor a "
            "_backward() closure (as the lecture's micrograd), so there is no backward pass to show"
        )
    frames, reached, processed = [], {index[id(root)]}, set()
    for k, (node, (g, grads)) in enumerate(zip(order, steps)):
        graph.check_grads(nodes, grads, fn)
        i = index[id(node)]
        reached.update(children[i])
        # blank: nobody has pushed to it yet (unless a closure wrote there anyway)
        shown = tuple(x if j in reached or x != 0 else None for j, x in enumerate(grads))
        style = _styler(i, set(children[i]), set(processed), shown)
        drawn = graph.picture(nodes, children, shown, rankdir, True, style, f"backward_step_{k + 1}")
        parts = _caption(k, node, g, [nodes[j] for j in children[i]])
        frames.append(Frame(k, parts, node, drawn, tuple(nodes), shown))
        processed.add(i)
    return frames


def backward_steps(
    root: Any, *, rankdir: str = "LR", max_nodes: int | None = STEPPER_MAX_NODES
) -> list[Frame]:
    """The backward pass of ``root`` as pictures: one :class:`Frame` per node, root first.

    ``frames[k]`` is the state after node k pushed its gradient: that node orange, the children it pushes
    to tinted, nodes not reached yet grey. No ``.grad`` changes. ``max_nodes`` is 50 by default.

    >>> from grad import Value
    >>> a = Value(2.0, label="a"); b = a * a; b.label = "b"
    >>> frames = backward_steps(b)
    >>> frames[0].caption, frames[-1].grad_of(a), a.grad
    ('step 1: b starts with grad 1.0000; `*` sends it to a (twice)', 4.0, 0.0)
    """
    return _frames(root, rankdir, max_nodes, "backward_steps")


def _caption_html(frame: Frame, tag: str) -> str:
    """The caption of ``frame`` in a ``tag`` element, its op as ``<code>``."""
    before, op, after = (html.escape(t, quote=False) for t in frame.parts)
    text = f"{before}<code>{op}</code>{after}" if op else before + after
    return f'<{tag} style="font-family:sans-serif;margin-bottom:0.3em;text-align:left">{text}</{tag}>'


_SVG = "{http://www.w3.org/2000/svg}"
_LIT = {_HOT["fillcolor"], _GETS["fillcolor"]}  # the node being processed, its receivers


def _focus(svg: bytes | str, fills: set = _LIT) -> tuple[float, float] | None:
    """Where the action of a frame is: the horizontal extent of the node being processed and of the nodes
    it sends gradient to (the shapes filled with ``fills``), as fractions (0 = left edge, 1 = right edge)
    of the picture's width."""
    try:
        root = ElementTree.fromstring(svg.encode() if isinstance(svg, str) else svg)
        width = float(root.get("viewBox", "").split()[2])
        shift = re.search(r"translate\(\s*(-?[0-9.]+)", root.find(f"{_SVG}g").get("transform", ""))
        dx = float(shift.group(1)) if shift else 0.0
        xs = []
        for shape in root.iter():
            if shape.get("fill") not in fills:
                continue
            if shape.tag == f"{_SVG}polygon":
                xs += [float(p.split(",")[0]) for p in shape.get("points", "").split()]
            elif shape.tag == f"{_SVG}ellipse":
                cx, rx = float(shape.get("cx")), float(shape.get("rx"))
                xs += [cx - rx, cx + rx]
    except (ElementTree.ParseError, AttributeError, IndexError, TypeError, ValueError):
        return None
    if not xs or width <= 0:
        return None
    return (max(0.0, (min(xs) + dx) / width), min(1.0, (max(xs) + dx) / width))


# margins as longhands: JupyterLab's sanitizer drops the margin shorthand from untrusted outputs
_FIGURE_STYLE = "margin-top:0;margin-right:0;margin-bottom:1.2em;margin-left:0;text-align:left"


VIEW_PX = 640  # a frame in JupyterLab is laid out to show its action in a box at least this wide


def _end(svg: bytes | str) -> int | None:
    """Where a frame's box should start out without a script (:func:`grad.viz.graph.graph_html`'s ``end``):
    None (at the left) when the action is within ``VIEW_PX`` of the left end, the picture's width when it
    is within that of the right end, else a cut a little past the node being processed (the action's
    right end), as far right as ``VIEW_PX`` from the action's left end allows."""
    size, focus = graph.svg_size(svg.encode() if isinstance(svg, str) else svg), _focus(svg)
    if not size or not focus:
        return None
    left, right = focus[0] * size[0], focus[1] * size[0] + 16
    if right <= VIEW_PX:
        return None
    return size[0] if left >= size[0] - VIEW_PX else round(max(right, min(size[0], left - 16 + VIEW_PX)))


def _figure_html(frame: Frame, svg: bytes | str) -> str:
    """One frame: its caption, then its picture at natural size in a box that scrolls sideways, starting
    where the action is (see :func:`_end`). ``data-focus`` is the part of the picture to keep in view for
    the notes site's stepper.js, which scrolls there itself (and undoes the cut)."""
    alt = "".join(frame.parts)
    picture = graph.graph_html(svg, alt, _end(svg))
    focus = _focus(svg)
    data = f' data-focus="{focus[0]:.3f} {focus[1]:.3f}"' if focus else ""
    return (
        f'<figure class="grad-backward-step"{data} style="{_FIGURE_STYLE}">'
        f"{_caption_html(frame, 'figcaption')}\n{picture}\n</figure>"
    )


class BackwardPass:
    """What :func:`show_backward` returns: the frames (``len()``, indexing, iteration), shown as a static
    column or a slider. Its text form, ``backward pass: N steps`` and the captions, is what nbval compares.

    The static column (:meth:`html`) is a ``div.grad-backward-pass`` of one ``figure`` per frame, caption
    and picture, all visible; the notes site's ``stepper.js`` turns it into one frame at a time with a
    slider and Previous/Next buttons (without JavaScript, every frame still shows).
    """

    def __init__(self, frames: list[Frame], interactive: bool = False) -> None:
        self.frames, self.interactive, self._svgs = frames, interactive, None

    @property
    def captions(self) -> list[str]:
        return [f.caption for f in self.frames]

    def __len__(self) -> int:
        return len(self.frames)

    def __getitem__(self, k: int) -> Frame:
        return self.frames[k]

    def __repr__(self) -> str:
        head = f"backward pass: {graph.plural(len(self), 'step')}"
        return "\n".join([head, *(f"  {c}" for c in self.captions)])

    def svgs(self) -> list[str]:
        """Every frame as an SVG document, each from its own run of dot."""
        if self._svgs is None:
            self._svgs = [graph.run_dot(f.source).decode() for f in self.frames]
        return self._svgs

    def html(self) -> str:
        """The static display: each frame's caption above its picture, in one HTML block."""
        figures = [_figure_html(f, svg) for f, svg in zip(self, self.svgs())]
        return "\n".join([f'<div class="grad-backward-pass" data-steps="{len(self)}">', *figures, "</div>"])

    def widget(self) -> Any:
        """An ipywidgets slider (1 .. number of steps) above the current frame, as :meth:`html` shows it:
        its caption, and its picture in a box that starts out where the step happens."""
        import ipywidgets as widgets  # a course dependency

        figures = [_figure_html(f, svg) for f, svg in zip(self, self.svgs())]
        slider = widgets.IntSlider(value=1, min=1, max=len(self), description="step")
        frame = widgets.HTML(figures[0], layout=widgets.Layout(width="100%"))
        slider.observe(lambda change: setattr(frame, "value", figures[change["new"] - 1]), names="value")
        return widgets.VBox([slider, frame])

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs) -> dict:
        """The slider widget's bundle (interactive) or the static HTML, with the text form; only the
        types asked for (see :meth:`grad.viz.graph.ComputationGraph._repr_mimebundle_`)."""
        text = {"text/plain": repr(self)} if wanted("text/plain", include, exclude) else {}
        if self.interactive:
            kwargs |= {"include": include, "exclude": exclude}
            return (self.widget()._repr_mimebundle_(**kwargs) or {}) | text
        return ({"text/html": self.html()} if wanted("text/html", include, exclude) else {}) | text


def show_backward(
    root: Any,
    interactive: bool | None = None,
    *,
    rankdir: str = "LR",
    max_nodes: int | None = STEPPER_MAX_NODES,
) -> BackwardPass:
    """Show the backward pass of ``root`` step by step (see :func:`backward_steps`); end a cell with it.

    ``interactive``: ``True`` for an ipywidgets slider, ``False`` for a static column of all frames. ``None``
    gives the slider in a live Jupyter kernel, unless ``GRAD_STATIC_OUTPUTS`` is set (as it is when the
    course stores notebook outputs). ``max_nodes``: a graph of more values is a ValueError (default
    ``STEPPER_MAX_NODES``, 50: every frame draws the whole graph), at most ``STEPPER_LIMIT``, 200.

    >>> from grad import Value
    >>> x = Value(3.0, label="x"); y = x.tanh(); y.label = "y"
    >>> show_backward(y)
    backward pass: 2 steps
      step 1: y starts with grad 1.0000; `tanh` sends it to x
      step 2: x is a leaf: its grad 0.0099 is final
    """
    ok = interactive is None or isinstance(interactive, bool)
    check(ok, "show_backward", "interactive must be True, False or None", interactive)
    frames = _frames(root, rankdir, max_nodes, "show_backward")
    if interactive is None:  # a slider in a live kernel that has ipywidgets, unless outputs are stored
        ipython = sys.modules.get("IPython")
        shell = ipython.get_ipython() if ipython and not os.environ.get("GRAD_STATIC_OUTPUTS") else None
        interactive = getattr(shell, "kernel", None) is not None and find_spec("ipywidgets") is not None
    return BackwardPass(frames, interactive)
