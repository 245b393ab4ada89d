"""The backward-pass stepper (:func:`show_backward`): one frame per node, in the order backward() visits them.

A :class:`grad.Value` graph is simulated on private numbers from the local derivatives its nodes keep. Any
other node (the lecture's micrograd) runs its own ``_backward`` closures, so that a buggy one shows in the
frames; every ``.grad`` is put back afterwards, and such replays take turns in the process.

JupyterLab runs no script in an untrusted notebook's outputs, so each frame's HTML starts out with the node
being processed in view by itself (see :func:`_end`); on the notes site ``stepper.js`` scrolls there.
"""

from __future__ import annotations

import html
import os
import re
import sys
import threading
from dataclasses import dataclass
from functools import cached_property
from importlib.util import find_spec
from typing import Any
from xml.etree import ElementTree

from grad.engine import Value, backward_order
from grad.validate import is_real
from grad.viz.graph import ComputationGraph, check_max_nodes, graph_html, picture, svg_size
from grad.viz.model import check, clean, describe, format_number, walk

STEPPER_MAX_NODES = 50  # the default limit: the stepper draws the whole graph once per value
STEPPER_LIMIT = 200  # and the hard one: n values take n pictures of n values, n * n drawings in all
_COST = f": each of n frames draws all n values, {STEPPER_LIMIT**2:,} drawings at {STEPPER_LIMIT}"
FN = "show_backward"  # the name its errors give
VIEW_PX = 640  # a frame in JupyterLab starts out showing its step in a box at least this wide


# margins as longhands: JupyterLab's sanitizer drops the shorthand from untrusted outputs
_FIGURE = "margin-top:0;margin-right:0;margin-bottom:1.2em;margin-left:0;text-align:left"
_CAPTION = "font-family:sans-serif;margin-bottom:0.3em;text-align:left"


@dataclass(frozen=True, repr=False)
class Frame:
    """One step of the backward pass: the state after node ``current`` pushed its gradient.

    ``graph`` is the picture; ``grads[i]`` is the gradient shown for ``values[i]`` (``None``: not reached).
    ``parts`` is the caption as (text, op, text), so that the HTML marks the op as code.
    """

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

    def __repr__(self) -> str:
        return f"<frame | {self.caption}>"

    def html(self) -> str:
        """The caption (its op as ``<code>``) above the picture, in a box that starts out where the step
        happens (:func:`_end`); ``data-focus`` is the part to keep in view, for the notes' stepper.js."""
        svg = self.graph.pipe()
        before, op, after = (html.escape(t, quote=False) for t in self.parts)
        caption = f"{before}<code>{op}</code>{after}" if op else before + after
        focus = _focus(svg)
        data = f' data-focus="{focus[0]:.3f} {focus[1]:.3f}"' if focus else ""
        picture = graph_html(svg, "".join(self.parts), _end(svg))
        caption = f'<figcaption style="{_CAPTION}">{caption}</figcaption>'
        return f'<figure class="grad-backward-step"{data} style="{_FIGURE}">{caption}\n{picture}\n</figure>'


def _name(node: Any) -> str:
    """How a caption names ``node``: its label, else its data."""
    return clean(getattr(node, "label", None) or "") or format_number(node.data)


def _names(nodes: list) -> str:
    """'a and b', 'a, b and c', 'a (twice)': in order, repeats counted, at most 6 names."""
    counts: dict[int, list] = {}
    for c in nodes:
        counts.setdefault(id(c), [c, 0])[1] += 1
    parts = [_name(c) + {1: "", 2: " (twice)"}.get(n, f" ({n} times)") for c, n in counts.values()]
    parts = parts if len(parts) <= 6 else [*parts[:5], f"{len(parts) - 5} more"]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _caption(k: int, node: Any, grad: float, kids: list) -> tuple[str, str, str]:
    """The caption of step ``k`` as (text, op, text); the op is "" where the caption names none."""
    step, op, g, who = f"step {k + 1}: ", clean(str(node._op or "?")), format_number(grad), _name(node)
    if k == 0 and kids:  # the root
        return f"{step}{who} starts with grad {g}; ", op, f" sends it to {_names(kids)}"
    if k == 0:
        return f"{step}{who} starts with grad {g}; it is a leaf, so there is nothing to send", "", ""
    if kids:
        whose = f"{who}'s grad" if getattr(node, "label", None) else "grad"
        return step, op, f" sends {whose} {g} to {_names(kids)}"
    return f"{step}{who} is a leaf: its grad {g} is final", "", ""


def _simulate(order: list, index: dict[int, int]) -> list[tuple[float, list]]:
    """Per step: the node's grad and every grad after its push, on private numbers, as backward() does it."""
    grads, steps = [0.0] * len(index), []
    grads[index[id(order[0])]] = 1.0
    for node in order:
        g = grads[index[id(node)]]
        for child, local in zip(node._prev, node._local):
            grads[index[id(child)]] += local * g  # the same arithmetic, in the same order, as backward()
        steps.append((g, list(grads)))
    return steps


def _steps(root: Any, nodes: list, index: dict[int, int]) -> tuple[list, list]:
    """The order of the backward pass, and per step the node's grad and every grad after its push."""
    if isinstance(root, Value):  # a grad.Value keeps its local derivatives
        order = backward_order(root)
        return order, _simulate(order, index)
    if callable(getattr(root, "_backward", None)):  # closures, run in reverse topological order
        return nodes[::-1], _replay(nodes[::-1], nodes)
    raise TypeError(
        f"{FN}: {describe(root)} is not a grad.Value and has no _backward() closure (as the lecture's "
        "micrograd), so there is no backward pass to show"
    )


_replay_lock = threading.Lock()  # one replay at a time: they write the nodes' .grad
_replaying = threading.local()  # set while this thread replays: a nested call would wait for itself


def _replay(order: list, nodes: list) -> list[tuple[Any, list]]:
    """Per step: the node's grad and every grad after its ``_backward()``; every ``.grad`` is put back."""
    if getattr(_replaying, "active", False):
        raise RuntimeError(f"{FN} was called from inside a _backward() that the stepper is replaying")
    with _replay_lock:
        _replaying.active, saved, steps = True, [v.grad for v in nodes], []
        try:
            for v in nodes:
                v.grad = 0.0
            order[0].grad = 1.0
            for k, node in enumerate(order):
                if not callable(getattr(node, "_backward", None)):
                    raise TypeError(f"{FN}: {describe(node)} has no _backward() to call, unlike the root")
                g = node.grad
                try:
                    node._backward()
                except Exception as exc:
                    exc.add_note(f"{FN}: raised by the _backward() of {describe(node)}, step {k + 1}")
                    raise
                for v in nodes:  # described only when wrong: n steps of n nodes
                    if not is_real(v.grad):
                        check(False, FN, f"the grad of {describe(v)} must be a number", v.grad)
                steps.append((g, [v.grad for v in nodes]))
        finally:
            _replaying.active = False
            for v, g in zip(nodes, saved):
                v.grad = g
    return steps


# the node being processed and its edges, the children it sends gradient to, what is not reached yet
_HOT = {"style": "filled", "fillcolor": "#ffd8a8", "color": "#d9480f", "penwidth": "2"}
_GETS = {"style": "filled", "fillcolor": "#fff4e6", "color": "#d9480f"}
_GREY = {"color": "#b0b0b0", "fontcolor": "#909090"}
_HOT_EDGE, _GREY_EDGE = {"color": "#d9480f", "penwidth": "2"}, {"color": "#b0b0b0"}


def _style(j: int, current: int, receivers: set, processed: set, shown: tuple) -> tuple:
    """The colours of value j, its op and their edges (see :func:`grad.viz.graph.picture`)."""
    value = _HOT if j == current else _GETS if j in receivers else _GREY if shown[j] is None else {}
    if j == current:
        return value, _HOT, _HOT_EDGE
    return (value, {}, {}) if j in processed else (value, _GREY, _GREY_EDGE)


def _focus(svg: bytes, fills: tuple = (_HOT["fillcolor"], _GETS["fillcolor"])) -> tuple[float, float] | None:
    """The horizontal extent of the records filled with ``fills`` (the node being processed and the nodes it
    sends gradient to, with its op between them), as fractions of the picture's width (0 = left edge)."""
    ns = "{http://www.w3.org/2000/svg}"
    try:
        root = ElementTree.fromstring(svg)
        width = float(root.get("viewBox", "").split()[2])
        shift = re.search(r"translate\(\s*(-?[0-9.]+)", root.find(f"{ns}g").get("transform", ""))
        dx = float(shift[1]) if shift else 0.0
        xs = [
            float(point.split(",")[0])
            for shape in root.iter(f"{ns}polygon")
            if shape.get("fill") in fills
            for point in shape.get("points", "").split()
        ]
    except (ElementTree.ParseError, AttributeError, IndexError, ValueError):
        return None
    if not xs or width <= 0:
        return None
    return max(0.0, (min(xs) + dx) / width), min(1.0, (max(xs) + dx) / width)


def _end(svg: bytes) -> int | None:
    """Where a frame's box should end as it starts out (``end`` of :func:`grad.viz.graph.graph_html`):
    None (the left end) when the step happens within ``VIEW_PX`` of the left, the picture's width when it
    happens within that of the right, else a cut a little past the node being processed (the right end of
    the step), as far right as ``VIEW_PX`` from the step's left end allows."""
    size, focus = svg_size(svg), _focus(svg)
    if not size or not focus:
        return None
    left, right = focus[0] * size[0], focus[1] * size[0] + 16
    if right <= VIEW_PX:
        return None
    return size[0] if left >= size[0] - VIEW_PX else round(max(right, min(size[0], left - 16 + VIEW_PX)))


class BackwardPass(list):
    """What :func:`show_backward` returns: the list of its frames, shown as a static column or a slider.
    Its text form, ``backward pass: N steps`` and the captions, is what nbval compares.

    The static column (:meth:`html`) is a ``div.grad-backward-pass`` of one ``figure`` per frame, all
    visible; the notes site's ``stepper.js`` shows one at a time, with a slider and Previous/Next buttons.
    """

    def __init__(self, frames: list[Frame], interactive: bool = False) -> None:
        super().__init__(frames)
        self.interactive = interactive

    @property
    def captions(self) -> list[str]:
        return [f.caption for f in self]

    def __repr__(self) -> str:
        head = f"backward pass: {len(self)} step{'' if len(self) == 1 else 's'}"
        return "\n".join([head, *(f"  {c}" for c in self.captions)])

    @cached_property
    def figures(self) -> list[str]:
        """Each frame's HTML (:meth:`Frame.html`), each picture from its own run of dot."""
        return [f.html() for f in self]

    def html(self) -> str:
        """The static display: every frame, caption above picture, in one HTML block."""
        return "\n".join(
            [f'<div class="grad-backward-pass" data-steps="{len(self)}">', *self.figures, "</div>"]
        )

    def widget(self) -> Any:
        """An ipywidgets slider (1 .. number of steps) above the current frame's HTML."""
        import ipywidgets as widgets  # a course dependency

        slider = widgets.IntSlider(value=1, min=1, max=len(self), description="step")
        frame = widgets.HTML(self.figures[0], layout=widgets.Layout(width="100%"))
        slider.observe(lambda change: setattr(frame, "value", self.figures[change["new"] - 1]), names="value")
        return widgets.VBox([slider, frame])

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        shown = (self.widget()._repr_mimebundle_() or {}) if self.interactive else {"text/html": self.html()}
        return shown | {"text/plain": repr(self)}


def show_backward(
    root: Any, interactive: bool | None = None, *, max_nodes: int = STEPPER_MAX_NODES
) -> BackwardPass:
    """The backward pass of ``root``, one frame per node in the order backward() visits them; end a cell
    with it. Frame k is the state after node k pushed its gradient: that node orange, the children it
    sends to tinted, nodes not reached yet grey. No ``.grad`` changes.

    ``interactive``: ``True`` for an ipywidgets slider, ``False`` for a static column of all frames; ``None``
    gives the slider in a live Jupyter kernel, unless ``GRAD_STATIC_OUTPUTS`` is set (as it is when the course
    stores notebook outputs). A graph of more than ``max_nodes`` values is a ValueError (default 50: every
    frame draws the whole graph); ``max_nodes`` is at most ``STEPPER_LIMIT``, 200.

    >>> from grad import Value
    >>> x = Value(3.0, label="x"); y = x.tanh(); y.label = "y"
    >>> shown = show_backward(y)
    >>> shown
    backward pass: 2 steps
      step 1: y starts with grad 1.0000; `tanh` sends it to x
      step 2: x is a leaf: its grad 0.0099 is final
    >>> shown[-1].grad_of(x), x.grad
    (0.009866037165440211, 0.0)
    """
    ok = interactive is None or isinstance(interactive, bool)
    check(ok, FN, "interactive must be True, False or None", interactive)
    check_max_nodes(FN, max_nodes, STEPPER_LIMIT, _COST)
    more = f"a larger number up to {STEPPER_LIMIT}: {FN}(root, max_nodes={STEPPER_LIMIT})"
    nodes, children = walk(root, FN, max_nodes, hint=more)
    index = {id(v): i for i, v in enumerate(nodes)}
    order, steps = _steps(root, nodes, index)
    frames, reached, processed = [], {index[id(root)]}, set()
    for k, (node, (g, grads)) in enumerate(zip(order, steps)):
        i = index[id(node)]
        reached.update(children[i])
        # blank: nobody has pushed to it yet (unless a closure wrote there anyway)
        shown = tuple(x if j in reached or x != 0 else None for j, x in enumerate(grads))
        receivers = set(children[i])
        styles = [_style(j, i, receivers, processed, shown) for j in range(len(nodes))]
        drawn = picture(nodes, children, shown, "LR", styles, f"backward_step_{k + 1}")
        parts = _caption(k, node, g, [nodes[j] for j in children[i]])
        frames.append(Frame(parts, node, drawn, tuple(nodes), shown))
        processed.add(i)
    if interactive is None:  # a slider in a live kernel that has ipywidgets, unless outputs are stored
        ipython = sys.modules.get("IPython")
        shell = ipython.get_ipython() if ipython and not os.environ.get("GRAD_STATIC_OUTPUTS") else None
        interactive = getattr(shell, "kernel", None) is not None and find_spec("ipywidgets") is not None
    return BackwardPass(frames, interactive)
