"""Drawing a computation graph (:func:`draw_dot`): its DOT text, rendered by the Graphviz program ``dot``.

In Jupyter a graph shows as HTML (:func:`graph_html`): the SVG as an ``<img>`` at its natural size (text
12 pt, 16 CSS px) in a box that scrolls sideways, never shrunk to fit, which made a wide graph's text
unreadably small. An ``<img>``, because JupyterLab's sanitizer removes inline SVG from the outputs of an
untrusted notebook (every notebook as cloned). The SVG and the text form, which nbval compares, stay too.

Labels show as written: spaces become no-break spaces (dot and SVG viewers collapse runs of spaces),
control characters are replaced (:func:`grad.viz.model.clean`), and ``&`` is escaped, since dot reads
``&lt;`` or ``&#65;`` in a label as an HTML entity.
"""

from __future__ import annotations

import base64
import html
import re
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

from grad.validate import real
from grad.viz.model import check, clean, format_number, walk

DEFAULT_MAX_NODES = 200  # draw_dot() refuses bigger graphs unless told otherwise
INSTALL = """cannot render the graph: the Graphviz program `dot` is not on PATH.
Install Graphviz, the system program:
  Debian/Ubuntu: sudo apt-get install graphviz
  macOS:         brew install graphviz
  conda:         conda install -c conda-forge graphviz
then run the cell again. The DOT text is available without it, as `.source`."""


@dataclass(frozen=True, repr=False)
class ComputationGraph:
    """What :func:`draw_dot` returns: the DOT text (``source``) and its numbers of values and ops."""

    source: str
    n_values: int
    n_ops: int

    def pipe(self, format: str = "svg", timeout: float = 60.0) -> bytes:
        """The picture in ``format`` ("svg", "png", ...), as the program ``dot`` renders it.

        In the browser (Pyodide, which cannot start programs) Graphviz compiled to WebAssembly renders it
        instead: :func:`render_in_browser`.
        """
        timeout = real(timeout, "pipe: timeout")
        if sys.platform == "emscripten":
            return render_in_browser(self.source, format)
        try:  # backslashreplace: a lone surrogate cannot be UTF-8
            run = subprocess.run(
                ["dot", f"-T{format}"],
                input=self.source.encode(errors="backslashreplace"),
                capture_output=True,
                timeout=timeout,
            )
        except FileNotFoundError as exc:
            raise RuntimeError(INSTALL) from exc
        except subprocess.TimeoutExpired:
            raise TimeoutError(f"dot did not finish within {timeout:g} s; draw a smaller graph") from None
        if run.returncode:
            why = run.stderr.decode(errors="replace").strip() or "it printed no message"
            raise RuntimeError(f"dot -T{format} failed (exit status {run.returncode}): {why}")
        return run.stdout

    def __repr__(self) -> str:
        s = ["" if n == 1 else "s" for n in (self.n_values, self.n_ops)]
        return f"<computation graph: {self.n_values} value{s[0]}, {self.n_ops} op{s[1]}>"

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        svg = self.pipe()
        html = graph_html(svg, repr(self)[1:-1])
        return {"text/html": html, "image/svg+xml": svg.decode(), "text/plain": repr(self)}


VIZ_URL = "../viz/viz.js"  # @viz-js/viz, relative to Pyodide's folder (scripts/build_lite.py puts it there)
_viz: list[Any] = []  # its instance, loaded once


def render_in_browser(source: str, format: str = "svg") -> bytes:
    """DOT text rendered in Pyodide by @viz-js/viz, served from the site at :data:`VIZ_URL`.

    Loading it is asynchronous; a cell waits for it through JSPI (``pyodide.ffi.run_sync``), which
    Chromium has. Elsewhere run ``await grad.viz.graph.load_viz()`` in a cell first. Only "svg" is offered.
    """
    if format != "svg":
        raise ValueError(f"pipe: in the browser only format='svg' can be drawn, got {format!r}")
    if not _viz:
        from pyodide.ffi import can_run_sync, run_sync

        if not can_run_sync():
            raise RuntimeError(
                "pipe: this browser cannot wait for Graphviz (WebAssembly) to load inside a cell; "
                "run `await grad.viz.graph.load_viz()` in a cell of its own first"
            )
        run_sync(load_viz())
    import js
    from pyodide.ffi import to_js

    result = _viz[0].render(source, to_js({"format": format}, dict_converter=js.Object.fromEntries))
    if result.status != "success":
        why = "; ".join(str(e.message) for e in result.errors) or "it gave no message"
        raise RuntimeError(f"Graphviz (WebAssembly) failed to draw the graph: {why}")
    return str(result.output).encode()


async def load_viz() -> None:
    """Load @viz-js/viz from the site, once (in Pyodide only)."""
    if not _viz:
        import js
        import pyodide_js
        from pyodide.code import run_js

        url = js.URL.new(VIZ_URL, pyodide_js._api.config.indexURL).href
        module = await run_js(f"import({url!r})")
        _viz.append(await module.instance())


def svg_size(svg: bytes) -> tuple[int, int] | None:
    """The size of an SVG from dot in CSS pixels (it gives points, 4/3 px each); None if it does not say.

    >>> svg_size(b'<svg width="60pt" height="30pt"'), svg_size(b"<svg>")
    ((80, 40), None)
    """
    size = re.search(rb'<svg width="([0-9.]+)pt" height="([0-9.]+)pt"', svg)
    return (round(float(size[1]) * 4 / 3), round(float(size[2]) * 4 / 3)) if size else None


def graph_html(svg: bytes, alt: str, end: int | None = None) -> str:
    """An SVG from dot as HTML: an ``<img>`` (a data URI) at its natural size, ``max-width:none`` against the
    ``img {max-width: 100%}`` rules of JupyterLab and the notes site, in a ``div.grad-graph`` that scrolls
    sideways. ``alt`` describes the picture. With ``end`` (px), the box starts at the picture's right end
    (``direction:rtl``), cut at ``end`` if that is short of its width (a ``div.grad-graph-crop``): it shows
    a part far to the right without a script, as none runs in an untrusted notebook.

    >>> page = graph_html(b'<svg width="60pt" height="30pt"></svg>', "a graph")
    >>> print(page[:63]); print(page[63:132])
    <div class="grad-graph" style="overflow-x:auto;max-width:100%">
    <img class="grad-graph-img" width="80" height="40" alt="a graph" src=
    """
    size = svg_size(svg)
    dims = f' width="{size[0]}" height="{size[1]}"' if size else ""
    src = "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
    img = (
        f'<img class="grad-graph-img"{dims} alt="{html.escape(alt)}" src="{src}"'
        ' style="max-width:none;height:auto;display:block"/>'
    )
    if end is not None and size and end < size[0]:
        img = f'<div class="grad-graph-crop" style="direction:ltr;width:{end}px;overflow:hidden">{img}</div>'
    rtl = ";direction:rtl" if end is not None else ""
    return f'<div class="grad-graph" style="overflow-x:auto;max-width:100%{rtl}">{img}</div>'


def check_max_nodes(fn: str, max_nodes: object, limit: int | None = None, why: str = "") -> None:
    """``max_nodes`` is an int from 1 to ``limit`` (``why`` says why), or also None if there is no limit."""
    expected = f"from 1 to {limit}{why}" if limit else ">= 1, or None for no limit"
    expected = f"max_nodes must be an int {expected}"
    check((max_nodes is None and not limit) or type(max_nodes) is int, fn, expected, max_nodes)
    check(max_nodes is None or 1 <= max_nodes <= (limit or max_nodes), fn, expected, max_nodes, ValueError)


def _attrs(attrs: dict[str, str]) -> str:
    """DOT attributes, each value in quotes, a quote in it escaped (backslashes are the caller's)."""
    return " ".join(k + '="' + v.replace('"', '\\"') + '"' for k, v in attrs.items())


def _text(text: str) -> str:
    """``text`` for a DOT label, shown as written (see the module's docstring)."""
    return clean(text).replace("&", "&amp;").replace(" ", "\xa0")


_GRAPH = {"fontname": "Helvetica", "nodesep": "0.25", "ranksep": "0.35"}
_NODE = {"fontname": "Helvetica", "fontsize": "12", "shape": "record", "height": "0.3"}
_OP = {"shape": "ellipse", "fontsize": "10", "width": "0.35", "height": "0.3", "margin": "0.03"}


def picture(
    nodes: list,
    children: list,
    grads: list | None,
    rankdir: str = "LR",
    styles: list | None = None,
    name: str = "",
) -> ComputationGraph:
    """The picture of a :func:`grad.viz.model.walk`: each value a record ``label | data | grad`` (no grad
    field if ``grads`` is None, a blank one for a grad of None), each op a node of its own. ``styles[i]`` has
    the Graphviz attributes of value i, its op and the op's edges; ``name`` names the graph (and its SVG)."""
    graph = _GRAPH | {"rankdir": rankdir} | ({"id": name} if name else {})
    lines = [
        f"digraph {name}{' ' if name else ''}{{",
        f"\tgraph [{_attrs(graph)}]",
        f"\tnode [{_attrs(_NODE)}]",
        '\tedge [arrowsize="0.7"]',
    ]
    n_ops = 0
    for i, v in enumerate(nodes):
        label = re.sub(r"([\\{}|<>])", r"\\\1", _text(getattr(v, "label", None) or ""))
        fields = ([label] if label else []) + [f"data {format_number(v.data)}"]
        if grads is not None:
            fields.append("grad" if grads[i] is None else f"grad {format_number(grads[i])}")
        record = " | ".join(fields)
        value, op, edge = styles[i] if styles else ({}, {}, {})
        # in LR the fields of a record stack vertically; braces turn them back into one row
        lines.append(
            f"\tv{i} [{_attrs({'label': f'{{ {record} }}' if rankdir == 'LR' else record} | value)}]"
        )
        if children[i] or v._op:
            n_ops += 1
            label = _text(str(v._op or "?")).replace("\\", "\\\\")
            lines.append(f"\tv{i}_op [{_attrs({'label': label} | _OP | op)}]")
            tail = f" [{_attrs(edge)}]" if edge else ""
            lines += [f"\tv{j} -> v{i}_op{tail}" for j in children[i]] + [f"\tv{i}_op -> v{i}{tail}"]
    return ComputationGraph("\n".join([*lines, "}", ""]), len(nodes), n_ops)


def draw_dot(
    root: Any, rankdir: str = "LR", show_grad: bool = True, max_nodes: int | None = DEFAULT_MAX_NODES
) -> ComputationGraph:
    """Draw the computation graph that ends in ``root``, as in the lecture.

    ``root``: anything with ``data``, ``_prev``, ``_op``, ``grad`` (needed only with ``show_grad``) and
    optionally a str ``label``. Each value is a record ``label | data 2.0000 | grad -4.0000`` (numbers as
    :func:`grad.viz.model.format_number` writes them), each op a node of its own. ``rankdir``: ``"LR"`` or
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
    fn, hint = "draw_dot", "a larger number, or no limit: draw_dot(root, max_nodes=None)"
    directions = "rankdir must be 'LR' (left to right) or 'TB' (top to bottom)"
    check(rankdir in ("LR", "TB"), fn, directions, rankdir, ValueError)
    check(isinstance(show_grad, bool), fn, "show_grad must be True or False", show_grad)
    check_max_nodes(fn, max_nodes)
    nodes, children = walk(root, fn, max_nodes, need_grad=show_grad, hint=hint)
    return picture(nodes, children, [v.grad for v in nodes] if show_grad else None, rankdir)
