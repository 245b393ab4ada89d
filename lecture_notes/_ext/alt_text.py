"""Alt text that says what a picture shows, for the notebooks' plots and graphs on the notes site.

- A plot (a PNG output of a notebook cell) had its file path as alt text. It gets the plot's titles and
  line labels, as the cell's code writes them, and the call that drew it: "Plot titled "training with
  grad", drawn by plot_loss(history, accuracy, ax=ax1)".
- A graph drawn by ``grad.viz`` (an ``<img class="grad-graph-img">`` holding the SVG) said only "7 values,
  3 ops". Its alt text lists the values as the picture shows them: "a: data 2.0000, grad 6.0000; ...".
"""

from __future__ import annotations

import base64
import html
import re
import xml.etree.ElementTree as ET

from docutils import nodes

SVG = "{http://www.w3.org/2000/svg}"
_GRAPH_IMG = re.compile(
    r'(<img class="grad-graph-img"[^>]*? alt=")(computation graph[^"]*)'
    r'("[^>]*? src="data:image/svg\+xml;base64,)([A-Za-z0-9+/=]+)'
)
_TITLE = re.compile(r"""(?:\btitle\s*=\s*|\bset_title\(\s*|\bplt\.title\(\s*)r?f?(["'])(.+?)\1""")
_LABEL = re.compile(r"""\blabel\s*=\s*r?f?(["'])(.+?)\1""")
_FIELD = re.compile(r"\{[^{}]*\}")  # an f-string's {field}: its value is not in the code
_CALL = re.compile(r"^\s*(?:[\w.]+\s*=\s*)?([\w.]*(?:plot|scatter|hist|bar|compare)\w*\(.*\))\s*(?:#.*)?$")


def describe_svg(svg: str) -> str:
    """Alt text for a computation graph drawn by Graphviz: its values, as shown, and its ops.

    >>> svg = ('<svg xmlns="http://www.w3.org/2000/svg"><g class="node"><text>a</text>'
    ...        '<text>data 2.0000</text></g><g class="node"><text>*</text></g>'
    ...        '<g class="node"><text>data -6.0000</text></g></svg>')
    >>> describe_svg(svg)
    'computation graph, 2 values: a: data 2.0000; data -6.0000; 1 op: *'
    """
    values, ops = [], []
    for node in ET.fromstring(svg).iter(f"{SVG}g"):
        if "node" not in node.get("class", "").split():
            continue
        texts = [" ".join("".join(t.itertext()).split()) for t in node.iter(f"{SVG}text")]
        texts = [t for t in texts if t]
        if any(t.startswith("data ") for t in texts):
            label = [t for t in texts if not t.startswith(("data ", "grad "))]
            fields = [t for t in texts if t.startswith(("data ", "grad "))]
            values.append((f"{label[0]}: " if label else "") + ", ".join(fields))
        elif texts:
            ops.append(texts[0])
    plural = lambda n, word: f"{n} {word}" + ("" if n == 1 else "s")  # noqa: E731
    return (
        f"computation graph, {plural(len(values), 'value')}: "
        + "; ".join(values)
        + (f"; {plural(len(ops), 'op')}: " + ", ".join(ops) if ops else "")
    )


def describe_plot(code: str) -> str:
    """Alt text for a plot drawn by the cell ``code``: its titles and labels, and the calls that drew it.

    >>> describe_plot('ax.plot(losses, label="train")\\nax.set(title="loss, lr = 0.1")\\nplt.show()')
    'Plot titled "loss, lr = 0.1" of train, drawn by ax.plot(losses, label="train")'
    >>> describe_plot("plot_function(math.tanh, xs, at=0.5)")
    'Plot drawn by plot_function(math.tanh, xs, at=0.5)'
    """
    titles = [_FIELD.sub("…", m[2]) for m in _TITLE.finditer(code)]
    labels = [_FIELD.sub("…", m[2]) for m in _LABEL.finditer(code)]
    calls = [m[1] for line in code.splitlines() if (m := _CALL.match(line))]
    if not calls:
        calls = [line.strip() for line in code.splitlines() if line.strip()][-1:]
    text = "Plot"
    if titles:
        text += " titled " + ", ".join(f'"{t}"' for t in titles)
    if labels:
        text += " of " + ", ".join(labels)
    return text + (", drawn by " if titles or labels else " drawn by ") + "; ".join(calls)


def _graph_alt(match: re.Match) -> str:
    svg = base64.b64decode(match[4]).decode("utf-8")
    return match[1] + html.escape(describe_svg(svg)) + match[3] + match[4]


def _cell_code(node: nodes.Node) -> str | None:
    """The code of the notebook cell (MyST-NB's cell container) that ``node`` is an output of."""
    for parent in _ancestors(node):
        if isinstance(parent, nodes.container) and parent.get("nb_element") == "cell_code":
            block = next(iter(parent.findall(nodes.literal_block)), None)
            return block.astext() if block is not None else None
    return None


def _ancestors(node: nodes.Node):
    while node.parent is not None:
        node = node.parent
        yield node


def describe_pictures(app, doctree) -> None:
    """Give the plots and graphs of a notebook's page alt text that says what they show."""
    for image in doctree.findall(nodes.image):
        if image.get("uri", "").endswith(".png") and not image.get("alt"):
            code = _cell_code(image)
            if code:
                image["alt"] = describe_plot(code)
    for raw in doctree.findall(nodes.raw):
        text = raw.astext()
        if "grad-graph-img" in text and "computation graph" in text:
            raw.replace(raw[0], nodes.Text(_GRAPH_IMG.sub(_graph_alt, text)))


def setup(app):
    app.connect("doctree-read", describe_pictures)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
