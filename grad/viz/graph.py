"""Drawing a computation graph with Graphviz (:func:`draw_dot`) and running the ``dot`` program.

In Jupyter a graph shows as HTML (:func:`graph_html`): the SVG as an image at its natural size, whose text
is 12 pt (16 CSS px; op names 10 pt, 13.3 px), in a box that scrolls sideways when the graph is wider than
the page. It is never shrunk to fit, which made the text of a wide graph unreadably small. It is an
``<img>`` of the SVG, not inline SVG, because JupyterLab's sanitizer removes inline SVG from the outputs of
a notebook that is not trusted (every notebook as cloned), while it keeps an image with its size and the
style properties used here. The SVG itself stays in the output too, and the text form, which nbval compares.

The DOT text is the same in every run and process: a tuple or list ``_prev`` keeps its order; the children
in a set are sorted by a signature of label, data, op, number of uses, their children (recursively, down to
the leaves) and the nodes that use them (recursively, up to the root). Children alike in all of that are,
short of contrived symmetric graphs, interchangeable: either order draws the same picture. Control characters
in labels and ops are replaced, and labels show as written: dot would read ``&lt;`` or ``&#65;`` in a
label as an HTML entity (``<``, ``A``), and ``&#xD800;`` as a character that makes the SVG unreadable.
"""

from __future__ import annotations

import base64
import codecs
import hashlib
import html
import re
import reprlib
import subprocess
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from numbers import Real
from typing import Any

import graphviz

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


def _run_dot(source: str, format: str = "svg", timeout: float = 60.0) -> bytes:
    """``dot -T<format>``; input and output are handled concurrently, so a big picture cannot deadlock."""
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
        _check(isinstance(format, str), "pipe", expected, format)
        _check(re.fullmatch(r"\w[\w:.-]*", format), "pipe", expected, format, ValueError)  # e.g. png:cairo
        if encoding is not None:
            _check(isinstance(encoding, str), "pipe", "encoding must be None or a str like 'utf-8'", encoding)
            try:
                codecs.lookup(encoding)
            except LookupError:
                raise ValueError(f"pipe: unknown encoding {encoding!r}; use e.g. 'utf-8'") from None
        number = isinstance(timeout, Real) and not isinstance(timeout, bool)
        _check(number, "pipe", "timeout must be a number of seconds", timeout)
        _check(
            0 < timeout <= 1e9, "pipe", "timeout must be a number of seconds in (0, 1e9]", timeout, ValueError
        )
        out = _run_dot(self.source, format, float(timeout))
        return out if encoding is None else out.decode(encoding)

    def __repr__(self) -> str:
        return f"<computation graph: {_plural(self.n_values, 'value')}, {_plural(self.n_ops, 'op')}>"

    def html(self) -> str:
        """The picture as HTML, as Jupyter shows it: see :func:`graph_html`."""
        return graph_html(self.pipe(), repr(self)[1:-1])

    def _repr_svg_(self) -> str:
        return self.pipe(encoding="utf-8")

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        """What Jupyter shows: the HTML, with the SVG as a fallback and the text form nbval compares.

        Only the types in ``include`` (all if it is empty) and not in ``exclude``; dot runs only for a
        picture, so the text form alone needs no Graphviz.
        """
        html_, svg_, text = (
            _wanted(t, include, exclude) for t in ("text/html", "image/svg+xml", "text/plain")
        )
        svg = self.pipe() if html_ or svg_ else b""
        bundle = {"text/html": graph_html(svg, repr(self)[1:-1])} if html_ else {}
        return (
            bundle
            | ({"image/svg+xml": svg.decode("utf-8")} if svg_ else {})
            | ({"text/plain": repr(self)} if text else {})
        )


def _wanted(mime: str, include: object = None, exclude: object = None) -> bool:
    """Whether a ``_repr_mimebundle_(include, exclude)`` is asked for ``mime``: as IPython reads them,
    ``include`` (when not empty) lists the only types wanted, and ``exclude`` wins over it."""
    return (not include or mime in include) and not (exclude and mime in exclude)


PX_PER_PT = 4 / 3  # dot sizes an SVG in points; a CSS pixel is 3/4 pt
_PX_PER_UNIT = {"": 1.0, "px": 1.0, "pt": PX_PER_PT, "pc": 16.0, "in": 96.0, "cm": 96 / 2.54, "mm": 96 / 25.4}
_SVG_TAG = re.compile(rb"<svg\b[^>]*>")
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
    tag = _SVG_TAG.search(svg)
    if tag is None:
        return None
    attrs = {
        m[1].decode(): (m[2] if m[2] is not None else m[3]).decode(errors="replace")
        for m in _SVG_ATTR.finditer(tag[0])
    }
    lengths = [_LENGTH.fullmatch(attrs.get(name, "")) for name in ("width", "height")]
    if all(lengths):
        size = [float(m[1]) * _PX_PER_UNIT[m[2]] for m in lengths]
    else:
        box = attrs.get("viewBox", "").replace(",", " ").split()
        try:
            size = [float(x) for x in box[2:]] if len(box) == 4 else []
        except ValueError:
            return None
    if len(size) != 2 or not all(0 < x < 1e7 for x in size):  # also refuses nan and inf
        return None
    return round(size[0]), round(size[1])


def graph_html(svg: bytes | str, alt: str) -> str:
    """An SVG from dot as HTML that keeps its text legible: the picture at its natural size (12 pt text is
    16 CSS px), in a ``div.grad-graph`` that scrolls sideways instead of shrinking a wide graph to fit.

    The SVG is an ``<img>`` (a data URI) whose width and height are given, with ``max-width:none`` against
    the ``img {max-width: 100%}`` rules of JupyterLab and the notes site. ``alt`` describes the picture.

    >>> page = graph_html(b'<svg width="60pt" height="30pt"></svg>', "a graph")
    >>> print(page[:63]); print(page[63:132])
    <div class="grad-graph" style="overflow-x:auto;max-width:100%">
    <img class="grad-graph-img" width="80" height="40" alt="a graph" src=
    """
    data = svg.encode("utf-8") if isinstance(svg, str) else svg
    size = svg_size(data)
    dims = f' width="{size[0]}" height="{size[1]}"' if size else ""
    src = "data:image/svg+xml;base64," + base64.b64encode(data).decode("ascii")
    return (
        '<div class="grad-graph" style="overflow-x:auto;max-width:100%">'
        f'<img class="grad-graph-img"{dims} alt="{html.escape(alt)}" src="{src}"'
        ' style="max-width:none;height:auto;display:block"/></div>'
    )


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _check(ok: object, fn: str, expected: str, x: object, error: type[Exception] = TypeError) -> None:
    """Unless ``ok``: ``error("<fn>: <expected>, got <type of x>: <x>")``."""
    if not ok:
        raise error(f"{fn}: {expected}, got {type(x).__name__}: {reprlib.repr(x)}")


def _check_node(obj: object, fn: str, what: str = "expected", need_grad: bool = True) -> None:
    wanted = ("data", "grad", "_prev", "_op") if need_grad else ("data", "_prev", "_op")
    missing = [a for a in wanted if isinstance(obj, type) or not hasattr(obj, a)]
    lacks = f" (it has no {' or '.join(missing)})" if 0 < len(missing) < len(wanted) else ""
    _check(not missing, fn, f"{what} a Value-like object with {', '.join(wanted[:-1])} and _op{lacks}", obj)


def _check_options(fn: str, rankdir: object, max_nodes: object) -> None:
    is_str, is_int = isinstance(rankdir, str), type(max_nodes) is int
    expected = "rankdir must be 'LR' (left to right) or 'TB' (top to bottom)"
    _check(rankdir in ("LR", "TB"), fn, expected, rankdir, ValueError if is_str else TypeError)
    expected = "max_nodes must be an int >= 1, or None for no limit"
    _check(max_nodes is None or is_int, fn, expected, max_nodes)
    _check(max_nodes is None or max_nodes >= 1, fn, expected, max_nodes, ValueError)


def _check_grads(nodes: list, grads: list, fn: str) -> None:
    for v, g in zip(nodes, grads):
        _check(isinstance(g, Real), fn, f"the grad of {_describe(v)} must be a number", g)


def _describe(node: Any) -> str:
    label = getattr(node, "label", "")
    name = f" {label!r}" if isinstance(label, str) and label else ""
    return f"the {type(node).__name__}{name} with data {reprlib.repr(node.data)} and op {node._op!r}"


def _label(node: Any) -> str:
    return getattr(node, "label", None) or ""


def _num(x: float) -> str:
    """A number with 4 decimals, as in the lecture; never ``-0.0000``."""
    s = f"{x:.4f}"
    return "0.0000" if s == "-0.0000" else s


def _clean(text: str) -> str:
    """``text`` for a DOT label: line breaks and tabs as spaces, other control characters and lone
    surrogates (which dot or UTF-8 cannot take) as U+FFFD, the replacement character."""
    text = re.sub(r"[\t\n\r\v\f\x1c-\x1e\x85\u2028\u2029]", " ", text)
    return "".join("\ufffd" if unicodedata.category(c) in ("Cc", "Cs") else c for c in text)


def _literal(text: str) -> str:
    """``text`` for dot to show as written: dot reads HTML entities in labels (``&lt;`` would show as
    ``<``, and ``&#xD800;`` would put a surrogate into the SVG, which then cannot be read), so every
    ``&`` becomes ``&amp;``."""
    return text.replace("&", "&amp;")


def _postorder(root: Any, kids, limit: int | None = None) -> list | None:
    """Every node once, children (``kids(node)``, in order) before parents, root last; no recursion.

    ``None`` as soon as more than ``limit`` nodes are found: a huge graph is not walked to the end.
    """
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
            stack.pop()
            out.append(node)
    return out


def _signatures(nodes: list, kids: dict, uses: dict, ordered: set) -> dict[int, tuple[bytes, bytes]]:
    """Per node, a signature that depends on the graph only, not on addresses or set order.

    ``down``: its label, data, op, number of uses and its children's ``down`` (in order, or sorted for a
    set). ``up``: its ``down`` and the ``up`` of the nodes that use it, with its position among their
    children (the root's is its ``down``). ``nodes`` lists children first; a cycle gets b"" somewhere.
    """

    def digest(*parts: object) -> bytes:
        return hashlib.blake2b(repr(parts).encode(), digest_size=16).digest()

    down: dict[int, bytes] = {}
    for node in nodes:
        parts = [down.get(id(c), b"") for c in kids[id(node)]]
        parts = parts if id(node) in ordered else sorted(parts)
        down[id(node)] = digest(_label(node), repr(node.data), str(node._op), uses.get(id(node)), parts)
    up: dict[int, bytes] = {}
    users: dict[int, list] = {}
    for node in reversed(nodes):  # every node after the nodes that use it
        up[id(node)] = digest(down[id(node)], sorted(users.get(id(node), [])))
        for k, child in enumerate(kids[id(node)]):
            users.setdefault(id(child), []).append((up[id(node)], k if id(node) in ordered else -1))
    return {i: (down[i], up[i]) for i in down}


def _graph(
    root: Any, fn: str, max_nodes: int | None, need_grad: bool = True
) -> tuple[list, list[tuple[int, ...]]]:
    """The nodes of ``root``'s graph, children first and root last, and the positions of their children."""
    _check_node(root, fn, need_grad=need_grad)
    kids: dict[int, tuple] = {}
    uses: dict[int, int] = {}  # how many edges lead to each node: part of its signature
    unordered, ordered = [], set()

    def check_and_list_children(node: Any) -> tuple:
        prev, label, what = node._prev, getattr(node, "label", None), _describe(node)
        iterable = isinstance(prev, Iterable) and not isinstance(prev, str)
        _check(iterable, fn, f"_prev of {what} must be a tuple, list or set", prev)
        _check(label is None or isinstance(label, str), fn, f"the label of {what} must be a str", label)
        _check(isinstance(node.data, Real), fn, f"the data of {what} must be a number", node.data)
        kids[id(node)] = tuple(prev)
        if isinstance(prev, Sequence):
            ordered.add(id(node))
        else:
            unordered.append(node)
        return checked(kids[id(node)], what)

    def checked(children: tuple, what: str) -> Iterator:
        """The children, each checked when the walk reaches it: a refused graph is not read to the end."""
        for child in children:
            _check_node(child, fn, f"every child in _prev of {what} must be", need_grad)
            uses[id(child)] = uses.get(id(child), 0) + 1
            yield child

    nodes = _postorder(root, check_and_list_children, max_nodes)  # stops after max_nodes + 1
    if nodes is None:
        raise ValueError(
            f"{fn}: this graph has more than max_nodes={max_nodes} Values; drawing it would be slow and "
            f"unreadable (a whole MLP loss is usually far too big). To draw it anyway, pass a larger number, "
            f"or no limit: {fn}(root, max_nodes=None)."
        )
    if unordered:
        sig = _signatures(nodes, kids, uses, ordered)
        for node in unordered:
            kids[id(node)] = tuple(sorted(kids[id(node)], key=lambda c: sig[id(c)]))
        nodes = _postorder(root, lambda node: kids[id(node)])
    index = {id(n): i for i, n in enumerate(nodes)}
    return nodes, [tuple(index[id(c)] for c in kids[id(n)]) for n in nodes]


_GRAPH_ATTR = {"fontname": "Helvetica", "nodesep": "0.25", "ranksep": "0.35"}
_NODE_ATTR = {"fontname": "Helvetica", "fontsize": "12", "shape": "record", "height": "0.3"}
_OP_ATTR = {"shape": "ellipse", "fontsize": "10", "width": "0.35", "height": "0.3", "margin": "0.03"}
# the stepper's colours: the node being processed (and the edges its gradient travels), the children
# receiving gradient in this step, and what is not reached yet
_HOT = {"style": "filled", "fillcolor": "#ffd8a8", "color": "#d9480f", "penwidth": "2"}
_GETS = {"style": "filled", "fillcolor": "#fff4e6", "color": "#d9480f"}
_GREY = {"color": "#b0b0b0", "fontcolor": "#909090"}
_HOT_EDGE, _GREY_EDGE = {"color": "#d9480f", "penwidth": "2"}, {"color": "#b0b0b0"}
_RECORD_SPECIAL = re.compile(r"([\\{}|<>])")


def _build(
    nodes, children, grads, rankdir, show_grad, step=0, current=None, processed=()
) -> ComputationGraph:
    """The picture of ``nodes`` showing ``grads`` (``None``: blank). With ``current`` set it is frame
    ``step`` of the stepper: node ``current`` is hot, its children tinted, blanks and unprocessed ops grey."""
    name = f"backward_step_{step}" if step else None
    graph_attr = dict(_GRAPH_ATTR, rankdir=rankdir) | ({"id": name} if name else {})  # id prefixes SVG ids
    dot = graphviz.Digraph(name, graph_attr=graph_attr, node_attr=_NODE_ATTR, edge_attr={"arrowsize": "0.7"})
    stepping = current is not None
    receivers = set(children[current]) if stepping else set()
    n_ops = 0
    for i, v in enumerate(nodes):
        label = _RECORD_SPECIAL.sub(r"\\\1", _literal(_clean(_label(v)))).strip()
        fields = [label] if label else []
        fields.append(f"data {_num(v.data)}")
        if show_grad:
            fields.append("grad" if grads[i] is None else f"grad {_num(grads[i])}")
        record = " | ".join(fields)
        grey = stepping and grads[i] is None
        attrs = _HOT if i == current else _GETS if i in receivers else _GREY if grey else {}
        # in LR the fields of a record stack vertically; braces turn them back into one row
        dot.node(f"v{i}", graphviz.nohtml(f"{{ {record} }}" if rankdir == "LR" else record), **attrs)
        if not (children[i] or v._op):
            continue
        n_ops += 1
        hot, grey = i == current, stepping and i not in processed
        op_attrs = _OP_ATTR | (_HOT if hot else _GREY if grey else {})
        edge = _HOT_EDGE if hot else _GREY_EDGE if grey else {}
        op_text = _literal(_clean(str(v._op or "?"))).replace("\\", "\\\\")
        dot.node(f"v{i}_op", graphviz.nohtml(op_text), **op_attrs)
        for j in children[i]:
            dot.edge(f"v{j}", f"v{i}_op", **edge)
        dot.edge(f"v{i}_op", f"v{i}", **edge)
    return ComputationGraph(dot, len(nodes), n_ops)


def draw_dot(
    root: Any, rankdir: str = "LR", show_grad: bool = True, max_nodes: int | None = DEFAULT_MAX_NODES
) -> ComputationGraph:
    """Draw the computation graph that ends in ``root``, as in the lecture.

    ``root``: anything with ``data``, ``_prev``, ``_op``, ``grad`` (needed only with ``show_grad``) and
    optionally a str ``label``. Each
    value is a record ``label | data 2.0000 | grad -4.0000``, each op a node of its own. ``rankdir``: ``"LR"``
    or ``"TB"``. More than ``max_nodes`` values is a ValueError (``None``: no limit). In a notebook, end
    the cell with the result to see the picture; ``.source`` is the DOT text.

    >>> from grad import Value
    >>> x = Value(3.0, label="x"); y = x * x + 1; y.label = "y"
    >>> g = draw_dot(y, show_grad=False)
    >>> g
    <computation graph: 4 values, 2 ops>
    >>> print(g.source.splitlines()[4].strip())
    v0 [label="{ x | data 3.0000 }"]
    """
    _check_options("draw_dot", rankdir, max_nodes)
    _check(isinstance(show_grad, bool), "draw_dot", "show_grad must be True or False", show_grad)
    nodes, children = _graph(root, "draw_dot", max_nodes, need_grad=show_grad)
    grads = [v.grad if show_grad else None for v in nodes]
    if show_grad:
        _check_grads(nodes, grads, "draw_dot")
    return _build(nodes, children, grads, rankdir, show_grad)
