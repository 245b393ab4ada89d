"""Tests for grad.viz.stepper: show_backward's frames (grad.Value and closure-based Values) and display.

Every test here runs under a time limit: rendering once hung forever (all frames went through
one pipe to dot), and test_many_frames_do_not_deadlock_the_renderer would hang again.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
from helpers import LectureValue, close, lecture_L, lecture_neuron, neuron_sum
from test_viz_graph import graph_pictures

from grad.engine import Value, backward_order
from grad.viz import show_backward, stepper
from grad.viz.stepper import STEPPER_LIMIT, STEPPER_MAX_NODES, BackwardPass, Frame

pytestmark = pytest.mark.timeout(60)


def backward_steps(root, **options) -> list[Frame]:
    """The frames of show_backward(root), shown statically."""
    return show_backward(root, interactive=False, **options)


def neuron() -> dict[str, Value]:
    """The lecture's neuron o = tanh(x1*w1 + x2*w2 + b), with w1 used twice on purpose."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b + w1 * 0.1
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return dict(x1=x1, x2=x2, w1=w1, w2=w2, b=b, n=n, o=o)


# ---- grad.Value: simulated on private numbers ----------------------------------------------


def test_frames_follow_backward_order_and_end_with_backward_grads():
    n = lecture_L()
    frames = backward_steps(n["L"])
    order = backward_order(n["L"])
    assert len(frames) == 7 == len(order) and all(isinstance(f, Frame) for f in frames)
    assert all(f.current is v for f, v in zip(frames, order))
    reference = lecture_L()
    reference["L"].backward()
    for key in n:
        assert frames[-1].grad_of(n[key]) == reference[key].grad  # the same float, bit for bit
    assert [frames[-1].grad_of(n[k]) for k in "abcdefL"] == [6.0, -4.0, -2.0, -2.0, -2.0, 4.0, 1.0]
    with pytest.raises(ValueError, match="grad_of: that value is not part of this graph"):
        frames[0].grad_of(Value(1.0))


def test_final_frame_grads_match_torch_float64():
    torch = pytest.importorskip("torch")
    n = neuron()
    frames = backward_steps(n["o"])
    t = {
        k: torch.tensor(n[k].data, dtype=torch.float64, requires_grad=True)
        for k in ("x1", "x2", "w1", "w2", "b")
    }
    o = torch.tanh(t["x1"] * t["w1"] + t["x2"] * t["w2"] + t["b"] + t["w1"] * 0.1)
    o.backward()
    for k in t:
        assert frames[-1].grad_of(n[k]) == pytest.approx(t[k].grad.item(), rel=1e-12, abs=1e-12)


def test_stepper_leaves_every_grad_untouched():
    n = neuron()
    for i, v in enumerate(backward_order(n["o"])):
        v.grad = 100.0 + i  # any values: the stepper must not read or write them
    before = [v.grad for v in backward_order(n["o"])]
    frames = backward_steps(n["o"])
    assert [v.grad for v in backward_order(n["o"])] == before
    reference = neuron()
    reference["o"].backward()
    for k in n:
        assert frames[-1].grad_of(n[k]) == reference[k].grad


def test_frame_k_is_the_state_after_node_k_pushed():
    x = Value(3.0, label="x")
    y = x * x
    y.label = "y"
    z = y + x
    z.label = "z"
    frames = backward_steps(z)
    assert [f.current for f in frames] == [z, y, x]
    assert frames[0].values == (x, y, z)  # drawing order
    assert frames[0].grads == (1.0, 1.0, 1.0)  # after z pushed: y and x have 1 each; x's is partial
    assert frames[1].grad_of(x) == 7.0  # after y pushed: x += 2 * 3 * 1 (x is used twice by y)
    assert frames[2].grad_of(x) == 7.0
    # in the lecture graph, a is blank (not reached) until its only user e has pushed
    n = lecture_L()
    lf = backward_steps(n["L"])
    k_e = backward_order(n["L"]).index(n["e"])
    assert [lf[k].grad_of(n["a"]) for k in range(7)] == [None] * k_e + [6.0] * (7 - k_e)
    assert 'v0 [label="{ a | data 2.0000 | grad }" color="#b0b0b0"' in lf[0].graph.source
    assert 'v0 [label="{ a | data 2.0000 | grad 6.0000 }"' in lf[k_e].graph.source


def test_frames_highlight_the_current_node_and_its_edges():
    n = lecture_L()
    frames = backward_steps(n["L"])
    k = backward_order(n["L"]).index(n["d"])  # the step where d = e + c pushes
    src = frames[k].graph.source
    hot = '[color="#d9480f" penwidth="2"]'
    for edge in ("v2 -> v4_op", "v3 -> v4_op", "v4_op -> v4"):
        assert f"\t{edge} {hot}\n" in src
    assert sum(hot in line for line in src.splitlines()) == 3
    lines = {line.split(" ", 1)[0].strip(): line for line in src.splitlines() if " [label=" in line}
    assert (
        lines["v4"].startswith('\tv4 [label="{ d | data 4.0000 | grad -2.0000 }"')
        and "#ffd8a8" in lines["v4"]
    )
    assert (
        lines["v2"].startswith('\tv2 [label="{ e | data -6.0000 | grad -2.0000 }"')
        and "#fff4e6" in lines["v2"]
    )
    assert '\tv0 -> v2_op [color="#b0b0b0"]\n' in src  # e has not pushed yet: grey
    assert "\tv4 -> v6_op\n" in src  # L pushed in step 1: plain
    assert src.startswith(f"digraph backward_step_{k + 1} {{")


def test_captions():
    n = lecture_L()
    frames = backward_steps(n["L"])
    what = {
        "L": "L starts with grad 1.0000; `*` sends it to d and f",
        "d": "`+` sends d's grad -2.0000 to e and c",
        "e": "`*` sends e's grad -2.0000 to a and b",
        "a": "a is a leaf: its grad 6.0000 is final",
        "b": "b is a leaf: its grad -4.0000 is final",
        "c": "c is a leaf: its grad -2.0000 is final",
        "f": "f is a leaf: its grad 4.0000 is final",
    }
    assert [f.caption for f in frames] == [
        f"step {k + 1}: {what[f.current.label]}" for k, f in enumerate(frames)
    ]
    x = Value(3.0)
    y = (x * x) + 1.0  # nothing labelled: names are the data values
    caps = [f.caption.split(": ", 1)[1] for f in backward_steps(y)]
    assert caps[0] == "10.0000 starts with grad 1.0000; `+` sends it to 9.0000 and 1.0000"
    assert "`*` sends grad 1.0000 to 3.0000 (twice)" in caps
    assert backward_steps(Value(2.0, label="w"))[0].caption == (
        "step 1: w starts with grad 1.0000; it is a leaf, so there is nothing to send"
    )
    assert repr(frames[0]) == "<frame | step 1: L starts with grad 1.0000; `*` sends it to d and f>"
    from grad.engine import vsum

    many = vsum([Value(float(i), label=f"x{i}") for i in range(8)])
    assert backward_steps(many)[0].caption.endswith("`sum` sends it to x0, x1, x2, x3, x4 and 3 more")


def test_a_frame_shows_as_its_caption_and_picture():
    n = lecture_L()
    frame = backward_steps(n["L"])[0]
    assert repr(frame).startswith("<frame | step 1: L starts")
    page = frame.html()
    assert "<figcaption" in page and "<code>*</code> sends it to d and f" in page
    (picture,) = graph_pictures(page)
    assert 'id="backward_step_1"' in picture["svg"] and picture["smallest_text_px"] >= 10
    assert picture["img"]["alt"] == "step 1: L starts with grad 1.0000; * sends it to d and f"


# ---- closure-based Values (the lecture's micrograd) ----------------------------------------


def test_lecture_value_stepper_agrees_with_its_backward_and_with_grad_value():
    lo, lleaves = lecture_neuron(LectureValue)
    go, gleaves = lecture_neuron(Value)
    frames = backward_steps(lo)
    gframes = backward_steps(go)
    assert len(frames) == len(gframes) == 10
    assert (
        frames[0].caption == gframes[0].caption == "step 1: o starts with grad 1.0000; `tanh` sends it to n"
    )
    assert sorted(f.caption.split(": ", 1)[1] for f in frames if "leaf" in f.caption) == sorted(
        f.caption.split(": ", 1)[1] for f in gframes if "leaf" in f.caption
    )
    assert all(v.grad == 0.0 for v in lleaves.values())  # not touched
    lo.backward()
    go.backward()
    for k in lleaves:
        assert frames[-1].grad_of(lleaves[k]) == lleaves[k].grad  # what the learner's backward() gives
        assert close(frames[-1].grad_of(lleaves[k]), gframes[-1].grad_of(gleaves[k]))
        assert close(lleaves[k].grad, gleaves[k].grad)
    assert close(lleaves["x1"].grad, -1.5) and close(lleaves["w2"].grad, 0.0)


def test_lecture_value_order_is_topological_and_grads_are_restored():
    o, leaves = lecture_neuron(LectureValue)
    n = next(iter(o._prev))
    grads = {id(v): float(i) - 3.5 for i, v in enumerate([o, n, *n._prev, *leaves.values()])}
    for v in [o, n, *n._prev, *leaves.values()]:
        v.grad = grads[id(v)]  # as a learner may leave them, e.g. after two backward() calls
    frames = backward_steps(o)
    order = [f.current for f in frames]
    assert len(order) == 10 and len({id(v) for v in order}) == 10 and order[0] is o
    assert all(order.index(child) > order.index(node) for node in order for child in node._prev)
    assert all(v.grad == grads[id(v)] for v in [o, n, *n._prev, *leaves.values()])  # restored, exactly
    assert close(frames[-1].grad_of(leaves["b"]), 0.5) and frames[0].grad_of(o) == 1.0
    assert [f.caption for f in backward_steps(o)] == [f.caption for f in frames]  # deterministic


def test_grads_of_a_closure_engine_are_recorded_step_by_step():
    a, b = LectureValue(2.0, label="a"), LectureValue(-3.0, label="b")
    e = a * b
    e.label = "e"
    c = LectureValue(10.0, label="c")
    d = e + c
    d.label = "d"
    frames = backward_steps(d)
    order = [f.current for f in frames]
    k = order.index(e)
    assert order[0] is d and k < order.index(a) and k < order.index(b) and len(order) == 5
    assert all(f.grad_of(a) is None and f.grad_of(b) is None for f in frames[:k])  # not reached yet
    assert all(f.grad_of(e) == f.grad_of(c) == 1.0 for f in frames)
    assert (frames[k].grad_of(a), frames[k].grad_of(b)) == (-3.0, 2.0)  # recorded right after e._backward()
    assert frames[k].caption in (
        f"step {k + 1}: `*` sends e's grad 1.0000 to {n}" for n in ("a and b", "b and a")
    )


class BuggyValue(LectureValue):
    """A classic bug: ``=`` instead of ``+=`` in ``_backward``, so a child used twice loses gradient."""

    def __mul__(self, other):
        other = other if isinstance(other, LectureValue) else BuggyValue(other)
        out = BuggyValue(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad = other.data * out.grad
            other.grad = self.data * out.grad

        out._backward = _backward
        return out

    def __add__(self, other):
        other = other if isinstance(other, LectureValue) else BuggyValue(other)
        out = BuggyValue(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad = out.grad
            other.grad = out.grad

        out._backward = _backward
        return out


def test_a_buggy_backward_is_shown_faithfully():
    for cls, expected in ((LectureValue, 2.0), (BuggyValue, 1.0)):
        a = cls(3.0, label="a")
        b = a + a  # the set _prev holds a once; _backward pushes to it twice
        b.label = "b"
        frames = backward_steps(b)
        assert frames[-1].grad_of(a) == expected
        assert frames[-1].caption == f"step 2: a is a leaf: its grad {expected:.4f} is final"
    x, y = BuggyValue(2.0, label="x"), BuggyValue(5.0, label="y")
    f = x * y + x  # x reached twice: the second write overwrites the first
    f.label = "f"
    buggy = backward_steps(f)[-1].grad_of(x)
    xr, yr = LectureValue(2.0, label="x"), LectureValue(5.0, label="y")
    right = backward_steps(xr * yr + xr)[-1].grad_of(xr)
    assert right == 6.0 and buggy == 5.0  # x*y is processed after f and overwrites x's 1 with y = 5


def test_a_raising_backward_restores_grads_and_names_the_node():
    a, b = LectureValue(2.0, label="a"), LectureValue(-3.0, label="b")
    c = a * b
    c.label = "c"
    d = c.tanh()
    d.label = "d"
    for v, g in ((a, 7.0), (b, 8.0), (c, 9.0), (d, 10.0)):
        v.grad = g

    def broken():
        a.grad = 123.0
        raise ZeroDivisionError("oops")

    c._backward = broken
    with pytest.raises(ZeroDivisionError, match="oops") as info:
        backward_steps(d)
    assert "show_backward: raised by the _backward() of the LectureValue 'c'" in info.value.__notes__[0]
    assert "step 2" in info.value.__notes__[0]
    assert (a.grad, b.grad, c.grad, d.grad) == (7.0, 8.0, 9.0, 10.0)


def test_a_backward_that_writes_a_grad_that_is_not_a_number_is_named_and_undone():
    a = LectureValue(2.0, label="a")
    b = a * 3.0

    def writes_text():
        a.grad = "x"

    b._backward = writes_text
    with pytest.raises(
        TypeError, match=r"show_backward: the grad of the LectureValue 'a' .* number, got str: 'x'"
    ):
        backward_steps(b)
    assert a.grad == 0.0


def test_an_object_that_is_no_grad_value_and_has_no_backward_is_a_type_error():
    class Plain:
        def __init__(self, data, prev=()):
            self.data, self.grad, self._prev, self._op, self.label = data, 0.0, tuple(prev), "", "p"

    with pytest.raises(
        TypeError, match=r"show_backward: the Plain 'p' .* is not a grad.Value and has no _backward"
    ):
        show_backward(Plain(1.0, [Plain(2.0)]))
    assert "data 1.0000" in backward_steps(LectureValue(1.0))[0].graph.source  # a leaf has a no-op _backward


def slow_lecture_chain():
    """A closure-based chain whose closures let other threads run in the middle (like a print())."""
    import time

    x = LectureValue(0.3, label="x")
    y = x
    for i in range(16):
        y = (y * 0.9).tanh() if i % 2 else y + 0.1
    stack, seen = [y], set()
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen.add(id(node))
            stack.extend(node._prev)
            node._backward = (lambda f: lambda: (time.sleep(0.0005), f()))(node._backward)
    return x, y


def test_concurrent_replays_of_a_closure_graph_take_turns_and_restore_the_grads():
    """Three threads used to interleave their writes to .grad: wrong frames, and x.grad left at 0."""
    import threading

    x, y = slow_lecture_chain()
    y.backward()
    before = x.grad
    expected = [f.grads for f in backward_steps(y, max_nodes=STEPPER_LIMIT)]
    results, errors = [], []

    def work():
        try:
            results.append([f.grads for f in backward_steps(y, max_nodes=STEPPER_LIMIT)])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(results) == 4
    assert all(r == expected for r in results)
    assert x.grad == before != 0.0


def test_a_stepper_called_from_inside_a_replayed_closure_is_an_error_not_a_deadlock():
    a = LectureValue(2.0, label="a")
    b = a * 3.0
    inner = b._backward
    calls = []

    def nested():
        inner()
        calls.append(backward_steps(b))  # the replay lock is held by this very thread

    b._backward = nested
    with pytest.raises(RuntimeError, match="show_backward was called from inside a _backward\\(\\) that the"):
        backward_steps(b)
    assert calls == [] and a.grad == 0.0
    b._backward = inner
    assert len(backward_steps(b)) == 3  # the lock was released


# ---- show_backward and rendering -----------------------------------------------------------


def test_show_backward_static_output():
    n = lecture_L()
    shown = show_backward(n["L"])
    assert isinstance(shown, BackwardPass) and not shown.interactive
    assert repr(shown).splitlines() == ["backward pass: 7 steps", *(f"  {c}" for c in shown.captions)]
    assert len(shown) == 7 and isinstance(shown, list) and all(isinstance(f, Frame) for f in shown)
    bundle = shown._repr_mimebundle_()
    assert set(bundle) == {"text/html", "text/plain"}
    assert bundle["text/plain"].startswith("backward pass: 7 steps\n  step 1: ")
    page = bundle["text/html"]
    assert page.count("<img") == 7 and page.count("<figcaption") == 7 and "<svg" not in page
    tree = ElementTree.fromstring(page)  # well formed: one block of 7 figures, each caption + picture
    assert tree.tag == "div" and tree.get("class") == "grad-backward-pass" and tree.get("data-steps") == "7"
    assert [fig.tag for fig in tree] == ["figure"] * 7
    assert all([child.tag for child in fig] == ["figcaption", "div"] for fig in tree)
    assert [fig[0].text.split(":")[0] for fig in tree] == [f"step {k}" for k in range(1, 8)]
    assert all(
        fig.get("class") == "grad-backward-step" and fig[1].get("class") == "grad-graph" for fig in tree
    )
    assert "<code>*</code> sends e's grad -2.0000 to a and b</figcaption>" in page
    pictures = graph_pictures(page)  # legible: natural size, in a box that scrolls sideways
    assert [p["svg"] for p in pictures] == [f.graph.pipe().decode() for f in shown]
    assert all(p["smallest_text_px"] >= 10 for p in pictures)
    assert [p["img"]["alt"] for p in pictures] == [c.replace("`", "") for c in shown.captions]
    assert page.index("step 1:") < page.index("step 2:") < page.index("step 7:")
    assert shown._repr_mimebundle_() == bundle == show_backward(n["L"])._repr_mimebundle_()  # deterministic
    assert repr(show_backward(Value(1.0))).splitlines()[0] == "backward pass: 1 step"


def test_show_backward_of_a_lecture_value_renders():
    o, _ = lecture_neuron(LectureValue)
    page = show_backward(o).html()
    assert page.count("<img") == 10 and "`tanh`" not in page and "<code>tanh</code> sends it to n" in page


def test_each_frame_says_where_its_step_happens():
    """data-focus: the horizontal extent of the node being processed and of its receivers, as fractions
    of the picture's width; the notes site scrolls a wide frame there."""
    n = lecture_L()
    shown = show_backward(n["L"], interactive=False)
    focus = [tuple(map(float, f.split())) for f in re.findall(r'data-focus="([^"]*)"', shown.html())]
    assert len(focus) == 7 and all(0 <= a < b <= 1 for a, b in focus)
    order = [f.current.label for f in shown]
    assert order[0] == "L" and focus[0][1] > 0.95  # the root, drawn at the right end
    leaves = [k for k, name in enumerate(order) if name in "abcf"]
    assert all(focus[k][1] - focus[k][0] < 0.25 for k in leaves)  # a leaf alone: a narrow focus
    a, e = order.index("a"), order.index("e")
    assert focus[a][0] < 0.05 and focus[e][0] < 0.05 < focus[e][1]  # a is drawn at the left; e sends to it
    assert stepper._focus(b"<svg") is None and stepper._focus(b'<svg viewBox="0 0 1 1"/>') is None


def test_show_backward_interactive_and_bad_arguments():
    pytest.importorskip("ipywidgets")
    n = lecture_L()
    shown = show_backward(n["L"], interactive=True)
    bundle = shown._repr_mimebundle_()
    assert bundle["text/plain"].startswith("backward pass: 7 steps\n  step 1: ")
    assert "application/vnd.jupyter.widget-view+json" in bundle
    slider, frame = shown.widget().children
    assert (slider.min, slider.max, slider.value) == (1, 7, 1)
    assert frame.value == shown[0].html()  # the static frame, as is
    assert graph_pictures(frame.value)[0]["svg"] == shown[0].graph.pipe().decode()
    slider.value = 5
    assert "step 5:" in frame.value and "step 1:" not in frame.value
    assert frame.value == shown[4].html()
    with pytest.raises(TypeError, match="show_backward: interactive must be True, False or None"):
        show_backward(n["L"], interactive="yes")
    with pytest.raises(TypeError, match="show_backward: max_nodes must be an int from 1 to 200: each of n"):
        show_backward(n["L"], max_nodes=50.0)


def test_size_guard_names_the_stepper_functions():
    big = neuron_sum(13)  # 52 values
    with pytest.raises(
        ValueError, match=r"more than max_nodes=50 Values.*up to 200: show_backward\(root, max_nodes=200\)"
    ):
        show_backward(big)
    assert len(backward_steps(big, max_nodes=52)) == 52


@pytest.mark.timeout(120)
def test_the_stepper_refuses_graphs_beyond_its_limit_and_names_the_cost():
    """max_nodes=None used to draw any graph, at a cost of n frames of n values: 1,000 values took 68 s and
    0.5 GB. The largest graph allowed is built here; test_a_stepper_over_200_values_renders renders it."""
    cost = r"max_nodes must be an int from 1 to 200: each of n frames draws all n values, 40,000 drawings"
    with pytest.raises(TypeError, match=f"show_backward: {cost} at 200, got NoneType"):
        show_backward(Value(1.0), max_nodes=None)
    with pytest.raises(ValueError, match=f"show_backward: {cost}.*, got int: 201"):
        show_backward(Value(1.0), max_nodes=STEPPER_LIMIT + 1)
    with pytest.raises(ValueError, match="more than max_nodes=200 Values"):
        backward_steps(neuron_sum(50) + 1.0, max_nodes=STEPPER_LIMIT)  # 202 values
    frames = backward_steps(neuron_sum(50), max_nodes=STEPPER_LIMIT)
    assert len(frames) == 200 and sum(f.graph.n_values for f in frames) == 200 * 200


def test_show_backward_auto_mode_is_a_slider_only_in_a_live_kernel(monkeypatch):
    import IPython

    n = lecture_L()

    class FakeShell:
        kernel = object()

    monkeypatch.delenv("GRAD_STATIC_OUTPUTS", raising=False)
    monkeypatch.setattr(IPython, "get_ipython", lambda: None)
    assert show_backward(n["L"]).interactive is False  # plain Python: static
    monkeypatch.setattr(IPython, "get_ipython", lambda: FakeShell())
    assert show_backward(n["L"]).interactive is True  # a live kernel with ipywidgets: slider
    monkeypatch.setenv("GRAD_STATIC_OUTPUTS", "1")
    assert show_backward(n["L"]).interactive is False  # the notebook runner and nbval: static


@pytest.mark.timeout(60)
def test_many_frames_do_not_deadlock_the_renderer():
    """Regression: all frames used to go to one dot process through graphviz's pipe, which writes
    the whole input before reading any output; once dot's output filled the pipe, both waited forever.
    A graph of 29 values hung then: these 32 frames are over 64 KiB of DOT and far more of SVG."""
    shown = show_backward(neuron_sum(8))
    assert len(shown) == 32
    assert sum(len(f.graph.source) for f in shown) > 65536
    svgs = [p["svg"] for p in graph_pictures(shown.html())]
    assert len(svgs) == 32 and sum(map(len, svgs)) > 10 * 65536
    assert all(s.startswith("<?xml") and s.rstrip().endswith("</svg>") for s in svgs)
    assert all(f'id="backward_step_{k + 1}"' in s for k, s in enumerate(svgs))  # each frame its own picture


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_a_stepper_over_200_values_renders():
    shown = show_backward(neuron_sum(50), max_nodes=200)
    assert len(shown) == 200
    svgs = [p["svg"] for p in graph_pictures(shown.html())]
    assert len(svgs) == 200 and all(s.count('class="node"') == 300 for s in svgs)
    assert math.isclose(shown[0].grad_of(shown[0].current), 1.0)


# ---- in a real kernel ----------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_in_a_live_kernel_graphs_show_once_and_the_stepper_is_a_slider_unless_outputs_are_stored(monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    tests = str(Path(__file__).resolve().parent)
    cells = [
        f"import sys\nsys.path.insert(0, {tests!r})\nfrom helpers import lecture_L\n"
        "from grad.viz import draw_dot, show_backward\nn = lecture_L()\nn['L'].backward()",
        "draw_dot(n['L'])",
        "show_backward(n['L'])",
    ]

    def run() -> list:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(src) for src in cells])
        nbclient.NotebookClient(nb, kernel_name="python3", timeout=120).execute()
        assert nb.cells[0].outputs == []
        return [cell.outputs for cell in nb.cells[1:]]

    monkeypatch.delenv("GRAD_STATIC_OUTPUTS", raising=False)
    (graph,), (live,) = run()
    assert graph["data"]["text/plain"] == "<computation graph: 7 values, 3 ops>"
    assert set(graph["data"]) == {"text/html", "image/svg+xml", "text/plain"}
    assert "<svg" in graph["data"]["image/svg+xml"] and len(graph_pictures(graph["data"]["text/html"])) == 1
    assert "application/vnd.jupyter.widget-view+json" in live["data"]  # a learner in JupyterLab: a slider
    assert live["data"]["text/plain"].startswith("backward pass: 7 steps\n")
    monkeypatch.setenv("GRAD_STATIC_OUTPUTS", "1")
    _, (stored,) = run()
    assert "application/vnd.jupyter.widget-view+json" not in stored["data"]
    assert len(graph_pictures(stored["data"]["text/html"])) == 7


# ---- hardening -----------------------------------------------------------------------------


def _fifty_values() -> Value:
    root = neuron_sum(12) * 2.0  # 48 values, the constant 2.0 and the product
    root.label = "out"
    return root


@pytest.mark.timeout(120)
def test_a_stepper_at_exactly_the_size_guard_renders_and_one_more_value_is_refused():
    root = _fifty_values()
    shown = show_backward(root, interactive=False)  # the default max_nodes
    assert len(shown) == STEPPER_MAX_NODES == 50
    page = shown.html()
    assert page.count("<img") == 50 and page.count("<figcaption") == 50 and 'data-steps="50"' in page
    assert len(graph_pictures(page)) == 50
    root.backward()
    leaves = [v for v in backward_order(root) if not v._prev]
    assert len(leaves) == 25 and all(shown[-1].grad_of(v) == v.grad for v in leaves)
    bigger = root + 1.0  # 52 values
    with pytest.raises(ValueError, match=r"more than max_nodes=50 Values"):
        show_backward(bigger)


def test_a_label_with_a_backtick_keeps_the_op_as_code_in_the_html():
    """The HTML caption used to pair backticks with a regex: a label's own backtick swallowed the op's."""
    a = Value(0.5, label="a`b")
    y = a.tanh()
    y.label = "c`"
    shown = show_backward(y, interactive=False)
    assert shown.captions == [
        "step 1: c` starts with grad 1.0000; `tanh` sends it to a`b",
        f"step 2: a`b is a leaf: its grad {shown[1].grad_of(a):.4f} is final",
    ]
    page = shown.html()
    assert "c` starts with grad 1.0000; <code>tanh</code> sends it to a`b</figcaption>" in page
    assert "<figcaption" in page and page.count("<code>") == 1
    alts = [p["img"]["alt"] for p in graph_pictures(page)]
    assert alts[0] == "step 1: c` starts with grad 1.0000; tanh sends it to a`b"
    x = Value(1.0, label="x")
    z = x * 3.0
    z._op = "`*`"
    assert "<code>`*`</code> sends it to x" in show_backward(z, interactive=False).html()
    assert "; ``*`` sends it to x" in show_backward(z, interactive=False).captions[0]


def test_one_node_shows_one_frame_statically_and_as_a_slider():
    shown = show_backward(Value(3.0, label="x"), interactive=False)
    assert repr(shown).splitlines() == [
        "backward pass: 1 step",
        "  step 1: x starts with grad 1.0000; it is a leaf, so there is nothing to send",
    ]
    assert len(graph_pictures(shown.html())) == 1
    pytest.importorskip("ipywidgets")
    slider, frame = show_backward(Value(3.0, label="x"), interactive=True).widget().children
    assert (slider.min, slider.max, slider.value) == (1, 1, 1) and "step 1: x starts" in frame.value


@pytest.mark.timeout(120)
def test_without_a_script_every_frame_starts_with_its_step_in_view():
    """In JupyterLab no script scrolls a frame's box: the lecture's neuron (1,800-1,950 px wide) showed
    its first frames' hot node off to the right of the box, and only grey nodes. Laid out in Chromium in
    a box VIEW_PX wide, each frame's hot node must be inside the box as it starts out."""
    from devtools import chromium

    root, _ = lecture_neuron()
    shown = show_backward(root, interactive=False)
    hot = [stepper._focus(f.graph.pipe(), ("#ffd8a8",)) for f in shown]  # the orange node
    page = f'<body style="margin:0"><div style="width:{stepper.VIEW_PX}px">{shown.html()}</div></body>'
    where = f"""Array.from(document.querySelectorAll("figure")).map((figure, k) => {{
        const box = figure.querySelector(".grad-graph").getBoundingClientRect();
        const img = figure.querySelector("img").getBoundingClientRect();
        const [from, to] = {json.dumps(hot)}[k];
        return [box.left, box.right, img.left + from * img.width, img.left + to * img.width, img.width];
    }})"""
    with chromium() as browser:
        frame = browser.call("Page.getFrameTree")["frameTree"]["frame"]["id"]
        browser.call("Page.setDocumentContent", frameId=frame, html=page)
        boxes = browser.wait_for(where)
    assert len(boxes) == 10 and min(b[-1] for b in boxes) > 2 * stepper.VIEW_PX  # far wider than the box
    hidden = [k + 1 for k, (left, right, a, b, _) in enumerate(boxes) if not left <= a < b <= right]
    assert hidden == [], f"frames whose node being processed starts out of view: {hidden}"


def test_replaying_a_lecture_graph_describes_no_node_unless_one_is_wrong(monkeypatch):
    """The replay described every node at every step (n * n descriptions, 40,000 at the cap of 200)
    for an error that did not come."""
    described = []
    monkeypatch.setattr(stepper, "describe", lambda node: described.append(node) or "a node")
    o, _ = lecture_neuron(LectureValue)
    assert len(backward_steps(o)) == 10 and described == []
