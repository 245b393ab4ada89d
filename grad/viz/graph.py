"""Drawing a computation graph with Graphviz (:func:`draw_dot`) and showing it in Jupyter.

In Jupyter a graph shows as HTML (:func:`graph_html`): the SVG as an image at its natural size, whose text
is 12 pt (16 CSS px; op names 10 pt, 13.3 px), in a box that scrolls sideways when the graph is wider than
the page; never shrunk to fit, which made the text of a wide graph unreadably small. It is an ``<img>`` of
the SVG, not inline SVG, because JupyterLab's sanitizer removes inline SVG from the outputs of an untrusted
notebook (every notebook as cloned), while it keeps an image with its size. The SVG itself stays in the
output too, and the text form, which nbval compares.

Labels show as written: spaces become no-break spaces (dot's records and SVG viewers collapse runs of
spaces), control characters are replaced (:func:`grad.viz.model.clean`), and ``&`` is escaped, since dot
reads ``&lt;`` or ``&#65;`` in a label as an HTML entity and ``&#xD800;`` as a character that breaks the SVG.
"""

from __future__ import annotations

import base64
import codecs
import html
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import graphviz

from grad.validate import is_real
from grad.viz.model import check, clean, describe, format_number, walk

DEFAULT_MAX_NODES = 200  # draw_dot() refuses bigger graphs unless told otherwise


class GraphvizNotFoundError(graphviz.ExecutableNotFound):
    """The Graphviz program ``dot`` is not installed; the message says how to get it (a RuntimeError)."""

    def __init__(self) -> None:
        RuntimeError.__init__(
            self,
            "cannot render the graph: the Graphviz program `dot` is not on PATH.\n"
            "Install Graphviz, the system program (the Python package `graphviz` alone is not enough):\n"
            "  Debian/Ubuntu: sudo apt-get install graphviz\n"
            "  macOS:         brew install graphviz\n"
            "  conda:         conda install -c conda-forge graphviz\n"
            "then run the cell again. The DOT text is available without it, as `.source`.",
        )


def run_dot(source: str, format: str = "svg", timeout: float = 60.0) -> bytes:
    """``dot -T<format>`` of ``source``; input and output are handled concurrently, so nothing deadlocks."""
    try:
        run = subprocess.run(
            ["dot", f"-T{format}"],
            input=source.encode(errors="backslashreplace"),  # a lone surrogate cannot be UTF-8
            capture_output=True,
            timeout=timeout,
        )
    except FileNotFoundError as exc:
        raise GraphvizNotFoundError() from exc
    except subprocess.TimeoutExpired:
        raise TimeoutError(f"dot did not finish within {timeout:g} s; draw a smaller graph") from None
    if run.returncode:
        why = run.stderr.decode(errors="replace").strip() or "it printed no message"
        code = (
            f"killed by signal {-run.returncode}" if run.returncode < 0 else f"exit status {run.returncode}"
        )
        raise RuntimeError(f"dot -T{format} failed ({code}): {why}")
    return run.stdout


def wanted(mime: str, include: object = None, exclude: object = None) -> bool:
    """Whether ``_repr_mimebundle_(include, exclude)`` asks for ``mime``: as IPython reads them, a non-empty
    ``include`` lists the only types wanted, and ``exclude`` wins over it."""
    return (not include or mime in include) and not (exclude and mime in exclude)


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


@dataclass(frozen=True, repr=False)
class ComputationGraph:
    """What :func:`draw_dot` returns: the :class:`graphviz.Digraph` and its numbers of values and ops."""

    digraph: graphviz.Digraph
    n_values: int
    n_ops: int

    @property
    def source(self) -> str:
        return self.digraph.source

    def pipe(self, format: str = "svg", encoding: str | None = None, timeout: float = 60.0):
        """The picture rendered by ``dot``: bytes, or str when ``encoding`` is given.

        ``format`` is any of dot's output formats ("svg", "png", "pdf", ...); ``timeout`` is in seconds.
        """
        expected = "format must be a dot output format like 'svg' or 'png'"
        check(isinstance(format, str), "pipe", expected, format)
        check(re.fullmatch(r"\w[\w:.-]*", format), "pipe", expected, format, ValueError)  # e.g. png:cairo
        if encoding is not None:
            check(isinstance(encoding, str), "pipe", "encoding must be None or a str like 'utf-8'", encoding)
            try:
                codecs.lookup(encoding)
            except LookupError:
                raise ValueError(f"pipe: unknown encoding {encoding!r}; use e.g. 'utf-8'") from None
        number = is_real(timeout) and not isinstance(timeout, bool)
        check(number, "pipe", "timeout must be a number of seconds", timeout)
        check(
            0 < timeout <= 1e9, "pipe", "timeout must be a number of seconds in (0, 1e9]", timeout, ValueError
        )
        out = run_dot(self.source, format, float(timeout))
        return out if encoding is None else out.decode(encoding)

    def __repr__(self) -> str:
        return f"<computation graph: {plural(self.n_values, 'value')}, {plural(self.n_ops, 'op')}>"

    def html(self) -> str:
        """The picture as HTML, as Jupyter shows it: see :func:`graph_html`."""
        return graph_html(self.pipe(), repr(self)[1:-1])

    def _repr_svg_(self) -> str:
        return self.pipe(encoding="utf-8")

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        return mime_bundle(self, lambda svg: graph_html(svg, repr(self)[1:-1]), repr(self), include, exclude)


def mime_bundle(graph: ComputationGraph, html: Callable[[bytes], str], text: str, include, exclude) -> dict:
    """What Jupyter shows: ``html(svg)``, the SVG as a fallback and ``text``, which nbval compares. Only the
    types :func:`wanted`; dot runs only for a picture, so the text form alone needs no Graphviz."""
    picture = wanted("text/html", include, exclude) or wanted("image/svg+xml", include, exclude)
    svg = graph.pipe() if picture else b""
    parts = {"text/html": lambda: html(svg), "image/svg+xml": svg.decode, "text/plain": lambda: text}
    return {mime: make() for mime, make in parts.items() if wanted(mime, include, exclude)}


PX_PER_UNIT = {"": 1.0, "px": 1.0, "pt": 4 / 3, "pc": 16.0, "in": 96.0, "cm": 96 / 2.54, "mm": 96 / 25.4}
_SVG_ATTR = re.compile(rb"""\s(width|height|viewBox)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_LENGTH = re.compile(r"\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*(px|pt|pc|in|cm|mm|)\s*")


def svg_size(svg: bytes) -> tuple[int, int] | None:
    """The natural size of an SVG in CSS pixels, (width, height); None if it does not say.

    From its ``width`` and ``height`` (dot gives them in points; any absolute unit is understood), or
    else from its ``viewBox``, whose units are pixels. A size that is not positive is no size.

    >>> svg_size(b'<svg width="60pt" height="30pt">'), svg_size(b'<svg height="1in" width="2in">')
    ((80, 40), (192, 96))
    >>> svg_size(b'<svg width="100%" viewBox="0 0 300 150">'), svg_size(b'<svg width="100%">')
    ((300, 150), None)
    """
    tag = re.search(rb"<svg\b[^>]*>", svg)
    if tag is None:
        return None
    attrs = {
        m[1].decode(): (m[2] if m[2] is not None else m[3]).decode("utf-8", "replace")
        for m in _SVG_ATTR.finditer(tag[0])
    }
    lengths = [_LENGTH.fullmatch(attrs.get(name, "")) for name in ("width", "height")]
    if all(lengths):
        size = [float(m[1]) * PX_PER_UNIT[m[2]] for m in lengths]
    else:
        box = attrs.get("viewBox", "").replace(",", " ").split()
        try:
            size = [float(x) for x in box[2:]] if len(box) == 4 else []
        except ValueError:
            return None
    if len(size) != 2 or not all(0 < x < 1e7 for x in size):  # also refuses nan and inf
        return None
    return round(size[0]), round(size[1])


def graph_html(svg: bytes | str, alt: str, end: int | None = None) -> str:
    """An SVG from dot as HTML that keeps its text legible: the picture at its natural size (12 pt text is
    16 CSS px), in a ``div.grad-graph`` that scrolls sideways instead of shrinking a wide graph to fit.

    The SVG is an ``<img>`` (a data URI) whose width and height are given, with ``max-width:none`` against
    the ``img {max-width: 100%}`` rules of JupyterLab and the notes site. ``alt`` describes the picture.
    With ``end`` (in px), the box starts scrolled to the picture's right end (``direction:rtl``), cut at
    ``end`` when that is short of the width (a ``div.grad-graph-crop``): no script is needed to show a
    part of the picture far to the right, as none runs in an untrusted notebook.

    >>> page = graph_html(b'<svg width="60pt" height="30pt"></svg>', "a graph")
    >>> print(page[:63]); print(page[63:132])
    <div class="grad-graph" style="overflow-x:auto;max-width:100%">
    <img class="grad-graph-img" width="80" height="40" alt="a graph" src=
    """
    data = svg.encode("utf-8") if isinstance(svg, str) else svg
    size = svg_size(data)
    dims = f' width="{size[0]}" height="{size[1]}"' if size else ""
    src = "data:image/svg+xml;base64," + base64.b64encode(data).decode("ascii")
    img = (
        f'<img class="grad-graph-img"{dims} alt="{html.escape(alt)}" src="{src}"'
        ' style="max-width:none;height:auto;display:block"/>'
    )
    if end is not None and size and end < size[0]:
        img = f'<div class="grad-graph-crop" style="direction:ltr;width:{end}px;overflow:hidden">{img}</div>'
    rtl = ";direction:rtl" if end is not None else ""
    return f'<div class="grad-graph" style="overflow-x:auto;max-width:100%{rtl}">{img}</div>'


def check_options(
    fn: str, rankdir: object, max_nodes: object, limit: int | None = None, why: str = ""
) -> None:
    """rankdir is 'LR' or 'TB'; max_nodes an int >= 1, or None if there is no ``limit`` (``why``: why)."""
    error = ValueError if isinstance(rankdir, str) else TypeError
    check(
        rankdir in ("LR", "TB"),
        fn,
        "rankdir must be 'LR' (left to right) or 'TB' (top to bottom)",
        rankdir,
        error,
    )
    expected = (
        "max_nodes must be an int >= 1, or None for no limit"
        if limit is None
        else f"max_nodes must be an int from 1 to {limit}{why}"
    )
    check((max_nodes is None and limit is None) or type(max_nodes) is int, fn, expected, max_nodes)
    check(max_nodes is None or 1 <= max_nodes <= (limit or max_nodes), fn, expected, max_nodes, ValueError)


def check_grads(nodes: list, grads: list, fn: str) -> None:
    for v, g in zip(nodes, grads):
        check(is_real(g), fn, f"the grad of {describe(v)} must be a number", g)


def _text(text: str) -> str:
    """``text`` for a DOT label, shown as written (see the module's docstring)."""
    return clean(text).replace("&", "&amp;").replace(" ", "\xa0")


_GRAPH_ATTR = {"fontname": "Helvetica", "nodesep": "0.25", "ranksep": "0.35"}
_NODE_ATTR = {"fontname": "Helvetica", "fontsize": "12", "shape": "record", "height": "0.3"}
_OP_ATTR = {"shape": "ellipse", "fontsize": "10", "width": "0.35", "height": "0.3", "margin": "0.03"}
NO_STYLE: tuple[dict, dict, dict] = ({}, {}, {})


def picture(
    nodes: list,
    children: list,
    grads: list,
    rankdir: str = "LR",
    show_grad: bool = True,
    style: Callable[[int], tuple[dict, dict, dict]] = lambda i: NO_STYLE,
    name: str | None = None,
) -> ComputationGraph:
    """The picture of a :func:`grad.viz.model.walk`: each value a record ``label | data | grad`` (a grad of
    ``None`` shows blank), each op a node of its own. ``style(i)`` gives the Graphviz attributes of value i,
    of its op and of the op's edges; ``name`` (if given) prefixes the ids in the SVG."""
    graph_attr = dict(_GRAPH_ATTR, rankdir=rankdir) | ({"id": name} if name else {})
    dot = graphviz.Digraph(name, graph_attr=graph_attr, node_attr=_NODE_ATTR, edge_attr={"arrowsize": "0.7"})
    n_ops = 0
    for i, v in enumerate(nodes):
        label = re.sub(r"([\\{}|<>])", r"\\\1", _text(getattr(v, "label", None) or ""))
        fields = ([label] if label else []) + [f"data {format_number(v.data)}"]
        if show_grad:
            fields.append("grad" if grads[i] is None else f"grad {format_number(grads[i])}")
        record = " | ".join(fields)
        value_attrs, op_attrs, edge_attrs = style(i)
        # in LR the fields of a record stack vertically; braces turn them back into one row
        dot.node(f"v{i}", graphviz.nohtml(f"{{ {record} }}" if rankdir == "LR" else record), **value_attrs)
        if children[i] or v._op:
            n_ops += 1
            op = _text(str(v._op or "?")).replace("\\", "\\\\")
            dot.node(f"v{i}_op", graphviz.nohtml(op), **(_OP_ATTR | op_attrs))
            for j in children[i]:
                dot.edge(f"v{j}", f"v{i}_op", **edge_attrs)
            dot.edge(f"v{i}_op", f"v{i}", **edge_attrs)
    return ComputationGraph(dot, len(nodes), n_ops)


def draw_dot(
    root: Any, rankdir: str = "LR", show_grad: bool = True, max_nodes: int | None = DEFAULT_MAX_NODES
) -> ComputationGraph:
    """Draw the computation graph that ends in ``root``, as in the lecture.

    ``root``: anything with ``data``, ``_prev``, ``_op``, ``grad`` (needed only with ``show_grad``) and
    optionally a str ``label``. Each value is a record ``label | data 2.0000 | grad -4.0000``, numbers as
    :func:`grad.viz.model.format_number` writes them, each op a node of its own. ``rankdir``: ``"LR"`` or
    ``"TB"``. More than ``max_nodes`` values is a ValueError (``None``: no limit). In a notebook, end the
    cell with the result to see the picture; ``.source`` is the DOT text.

    >>> from grad import Value
    >>> x = Value(3.0, label="x"); y = x * x + 1; y.label = "y"
    >>> g = draw_dot(y, show_grad=False)
    >>> g
    <computation graph: 4 values, 2 ops>
    >>> print(g.source.splitlines()[4].strip())
    v0 [label="{ x | data 3.0000 }"]
    """
    check_options("draw_dot", rankdir, max_nodes)
    check(isinstance(show_grad, bool), "draw_dot", "show_grad must be True or False", show_grad)
    hint = "a larger number, or no limit: draw_dot(root, max_nodes=None)"
    nodes, children = walk(root, "draw_dot", max_nodes, need_grad=show_grad, hint=hint)
    grads = [v.grad if show_grad else None for v in nodes]
    if show_grad:
        check_grads(nodes, grads, "draw_dot")
    return picture(nodes, children, grads, rankdir, show_grad)
