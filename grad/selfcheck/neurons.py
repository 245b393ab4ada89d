"""Checks of notebook 05: the operations a formula needs, tanh from exp, PyTorch, Neuron, Layer and MLP.

A method check runs your functions as methods of a class of its own, the course's Value with only
your pieces in it (``Value`` inside them means that class), so a slip elsewhere never makes your
piece look wrong. It compares values and gradients with :class:`grad.Value`, prints one line, and
puts the piece into the notebook's ``Value``: yours once it passes (and saves it in
``my_micrograd/`` when that folder is here), the course's until then. The function and class checks
do the same for the notebook's names. ``check.wrap(solution=True)`` also prints the book's code.

Example:
    >>> from grad.selfcheck import neurons as check
    >>> Neuron, Layer, MLP = check.course_nn(check.lecture.Value)
    >>> len(MLP(3, [4, 4, 1]).parameters())
    41
"""

from __future__ import annotations

import math
import random
import types
from collections.abc import Callable
from typing import Any

from grad import lecture
from grad.engine import Value as Reference
from grad.selfcheck import my_engine
from grad.selfcheck.core import (
    Result,
    counting,
    course_value,
    graph_nodes,
    item,
    mine,
    near,
    number,
    ok,
    rebind,
    run_task,
    seeded,
    wrong,
)
from grad.validate import brief, fmt, is_real, show

__all__ = ["course_nn", "exp", "mlp", "neuron", "pow", "reflected", "start", "sub_div", "tanh_pieces"]
__all__ += ["torch_neuron", "wrap"]

BOOK = "neurons"
X = [2.0, 3.0, -1.0]  # the lecture's input to its MLP
SEED = 1337  # random.seed for the networks a check builds: the notebook's own numbers are put back
NEURON = (2.0, 0.0, -3.0, 1.0, 6.8813735870195432)  # the lecture's x1, x2, w1, w2, b
OTHER = (-1.0, 0.5, 0.25, -2.0, 0.75)  # a second neuron, so that numbers typed in do not pass
LEAVES = ("x1", "x2", "w1", "w2", "b")
NN = ("Neuron", "Layer", "MLP")
BEFORE, UP = 1.0, 2.0  # x.grad before a closure runs (another use of x), and out.grad
POWERS = [(2.0, 3), (3.0, -1), (4.0, 0.5)]  # (x, k) for x**k: k is never UP, so each slip shows
Probe = tuple[str, Callable[..., Any], str]  # what it computes, how (of the leaves a, b), the hint


def start() -> type:
    """The notebook's Value: yours from ``my_micrograd/`` (as notebook 04 left it), the course's where not."""
    return my_engine.start("05.wrap")


def _first(results: Any) -> Result:
    """The first WRONG of ``results`` (Results or None), else OK."""
    return next((r for r in results if r is not None and not r), ok())


def _task(task: str, names: list[str], judge: Callable, solution: bool, **how: Any) -> Result:
    """:func:`grad.selfcheck.core.task` on the notebook's ``names``: until they pass, the course's stand in
    for them (as the notebook's names, unless ``how["methods"]``)."""
    are = "is" if len(names) == 1 else "are"
    until = "" if how.get("methods") else f"until yours passes, {' and '.join(names)} {are} the course's"
    return run_task(BOOK, task, names, judge, until=until, solution=solution, **how)


# ---- Value's new methods: each probe builds an expression in your class and in grad.Value -----------


def _probe(cls: type, probe: Probe) -> Result | None:
    """WRONG when ``probe`` gives another value, or other gradients of a = 2 and b = -3, than grad.Value."""
    text, build, hint = probe
    leaves, refs = [cls(2.0), cls(-3.0)], [Reference(2.0), Reference(-3.0)]
    want = build(*refs)
    want.backward()
    try:
        out = build(*leaves)
        if not isinstance(out, cls):
            return wrong(f"{text} gave {type(out).__name__}, not a Value", hint)
        if not is_real(out.data):
            return wrong(f"{text} has a {type(out.data).__name__} as its .data, not a number", hint)
        if not near(out.data, want.data):
            return wrong(f"{text} is {fmt(out.data)}, expected {fmt(want.data)}", hint)
        out.backward()
    except Exception as err:
        return wrong(f"{text} raised {type(err).__name__}: {err}", hint)
    for name, leaf, ref in zip("ab", leaves, refs):
        if not near(leaf.grad, ref.grad):
            return wrong(
                f"after ({text}).backward(), {name}.grad is {fmt(leaf.grad)}, expected {fmt(ref.grad)}", hint
            )
    return None


def _probes(probes: list[Probe]) -> Callable[[type], Result]:
    return lambda cls: _first(_probe(cls, p) for p in probes)


def _closure(
    op: Callable, cases: list[tuple[float, Any]], slips: list[tuple[Callable, str]], shared: Probe
) -> Callable:
    """A judge of one closure: for each case (x, k), ``out = op(x, k)``; x.grad = 1 (as if another use
    of x passed its part back already), out.grad = 2, out._backward(). Each slip gives the x.grad it
    would make, and its hint. Then the probe ``shared``, whose inner node is used twice."""

    def one(cls: type, x0: float, k: Any) -> Result | None:
        ref = Reference(x0)
        want = op(ref, k)
        want.backward()
        x, d, case = cls(x0), ref.grad, f"x = {x0:g}" + ("" if k is None else f", k = {k:g}")
        out = op(x, k)
        if not isinstance(out, cls) or not near(out.data, want.data) or x not in out._prev:
            said = f"made {out!r}" if isinstance(out, cls) else f"gave {type(out).__name__}"
            return wrong(
                f"{case}: it {said}, expected a Value {fmt(want.data)} with x as its child",
                "out is a new Value of the number, with self as its one child; return it",
            )
        x.grad, out.grad = BEFORE, UP
        out._backward()
        if near(x.grad, BEFORE + UP * d):
            return None
        hint = next((h for slip, h in slips if near(x.grad, slip(d, x0, k))), slips[-1][1])
        return wrong(
            f"{case}, with x.grad = {BEFORE:g} from another use of x and out.grad = {UP:g}: "
            f"out._backward() made x.grad {fmt(x.grad)}, expected {fmt(BEFORE + UP * d)}",
            hint,
        )

    return lambda cls: _first([*(one(cls, x0, k) for x0, k in cases), _probe(cls, shared)])


def _methods(
    task: str, names: list[str], stage: str, judge: Callable[[type], Result], solution: bool
) -> Result:
    def make(found: dict[str, Any]) -> Any:
        return ... if any(fn is ... for fn in found.values()) else course_value(found)

    course = vars(lecture.Value)
    return _task(task, names, judge, solution, make=make, course=course, methods=True, stage=stage)


EQUALS = (lambda d, x0, k: UP * d, "add to self.grad with +=, not =: x may be used elsewhere too")
NO_UP = (lambda d, x0, k: BEFORE + d, "multiply the local derivative by out.grad (the chain rule)")


def wrap(*, solution: bool = False) -> Result:
    """Check ``__add__`` and ``__mul__`` that wrap a plain number: ``a + 1``, ``a * 3``, and ``+=``."""
    both = "wrap a plain number first: other = other if isinstance(other, Value) else Value(other)"
    twice = "add to self.grad and other.grad with +=: when self and other are one node, it gets both parts"
    stays = "a Value stays as it is: wrap only what is not a Value yet"
    probes = [
        ("a + 1", lambda a, b: a + 1, "__add__: " + both),
        ("a * 3", lambda a, b: a * 3, "__mul__: " + both),
        ("a + b", lambda a, b: a + b, stays),
        ("a * b", lambda a, b: a * b, stays),
        ("a + a + a", lambda a, b: a + a + a, "__add__: " + twice),
        ("a * a * a", lambda a, b: a * a * a, "__mul__: " + twice),
        ("c*c + c + 1 with c = 2*b", lambda a, b: (lambda c: c * c + c + 1)(b * 2), "d(a*b)/da = b.data"),
    ]
    return _methods("wrap", ["__add__", "__mul__"], "05.wrap", _probes(probes), solution)


def reflected(*, solution: bool = False) -> Result:
    """Check ``__radd__`` and ``__rmul__``: a number on the left, and ``sum()``, which starts from 0."""
    probes = [
        (
            "2 * a",
            lambda a, b: 2 * a,
            "2 * a comes to a.__rmul__(2): let the Value multiply (the order does not matter)",
        ),
        (
            "1 + a",
            lambda a, b: 1 + a,
            "1 + a comes to a.__radd__(1): let the Value add (the order does not matter)",
        ),
        ("sum([a, b, a])", lambda a, b: sum([a, b, a]), "sum() starts from 0: 0 + a needs __radd__"),
        (
            "sum([c, 2 * c]) with c = a * b",
            lambda a, b: (lambda c: sum([c, 2 * c]))(a * b),
            "__radd__ and __rmul__ hand the work to + and *",
        ),
    ]
    return _methods("reflected", ["__radd__", "__rmul__"], "05.wrap", _probes(probes), solution)


def exp(*, solution: bool = False) -> Result:
    """Check ``exp``: its value e**x, and its closure ``self.grad += out.data * out.grad``."""
    slips = [
        (EQUALS[0], "the video's slip: add with +=, not =: x may be used elsewhere too"),
        NO_UP,
        (lambda d, x0, k: BEFORE + UP * x0, "the local derivative of e**x is e**x itself: out.data"),
        (
            lambda d, x0, k: math.nan,
            "add e**x (out.data), times out.grad, to self.grad: e**x is its own derivative",
        ),
    ]
    shared = ("c.exp() * c with c = a * b", lambda a, b: (lambda c: c.exp() * c)(a * b), slips[-1][1])
    judge = _closure(lambda x, k: x.exp(), [(0.5, None), (-1.0, None)], slips, shared)
    return _methods("exp", ["exp"], "05.ops", judge, solution)


def pow(*, solution: bool = False) -> Result:
    """Check ``__pow__`` for k = 3, -1 (what division uses) and 0.5, with out.grad = 2, never k."""
    slips = [
        EQUALS,
        NO_UP,
        (
            lambda d, x0, k: BEFORE + UP * d / k,
            "the power rule d(x**k)/dx = k * x**(k - 1) has a factor k (other)",
        ),
        (lambda d, x0, k: BEFORE + UP * x0**k, "the local derivative is k * x**(k - 1), not x**k"),
        (lambda d, x0, k: math.nan, "add the power rule k * x**(k - 1), times out.grad, to self.grad"),
    ]
    shared = ("c**2 + c**-1 with c = a * b", lambda a, b: (lambda c: c**2 + c**-1)(a * b), slips[-1][1])
    judge = _closure(lambda x, k: x**k, POWERS, slips, shared)
    return _methods("pow", ["__pow__"], "05.ops", judge, solution)


def sub_div(*, solution: bool = False) -> Result:
    """Check ``__neg__``, ``__sub__``, ``__rsub__``, ``__truediv__``, ``__rtruediv__``: from *, + and **."""
    graph = "build it from *, + and ** so that the gradient flows back: "
    probes = [
        ("-a", lambda a, b: -a, "__neg__: -a is a times -1, a Value made by your *"),
        ("a - b", lambda a, b: a - b, "__sub__: a - b is a + (-b), from + and unary -"),
        ("a - 1", lambda a, b: a - 1, "__sub__: a - b is a + (-b), from + and unary -"),
        ("5 - a", lambda a, b: 5 - a, "5 - a comes to a.__rsub__(5): other - self, not self - other"),
        ("a / b", lambda a, b: a / b, graph + "__truediv__: a / b is a * b**-1"),
        ("a / 4", lambda a, b: a / 4, graph + "__truediv__: a / b is a * b**-1"),
        ("6 / a", lambda a, b: 6 / a, "6 / a comes to a.__rtruediv__(6): other / self, not self / other"),
        ("(c - 1) / (c + 1) with c = a/b", lambda a, b: (lambda c: (c - 1) / (c + 1))(a / b), graph),
    ]
    names = ["__neg__", "__sub__", "__rsub__", "__truediv__", "__rtruediv__"]
    return _methods("sub_div", names, "05.ops", _probes(probes), solution)


# ---- functions: tanh from its pieces, the same neuron in PyTorch ---------------------------------------


def _neuron(numbers: tuple[float, ...]) -> tuple[Reference, list[Reference]]:
    """grad.Value's neuron, tanh(x1*w1 + x2*w2 + b), after backward(): o and the five leaves."""
    leaves = [Reference(x) for x in numbers]
    x1, x2, w1, w2, b = leaves
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.backward()
    return o, leaves


def _course_pieces(x1: Any, x2: Any, w1: Any, w2: Any, b: Any) -> Any:
    n = x1 * w1 + x2 * w2 + b
    e = (2 * n).exp()
    return (e - 1) / (e + 1)


def _tanh_pieces(fn: Any) -> Result:
    pieces = "tanh(n) = (e - 1) / (e + 1) with e = (2 * n).exp()"
    for numbers in (NEURON, OTHER):
        cls, (want, refs) = course_value({}), _neuron(numbers)
        leaves = [cls(x) for x in numbers]
        out = fn(*leaves)
        if not isinstance(out, cls):
            if hasattr(out, "_prev"):  # Value(...) of numbers: the given Values are not in its graph
                return wrong(
                    "it returned a new Value made from numbers, not from x1, x2, w1, w2 and b",
                    "compute with the Values given, not their .data: " + pieces,
                )
            return wrong(f"it returned {show(out)}, not a Value", pieces)
        ops = {node._op for node in graph_nodes(out)}
        if "tanh" in ops or "exp" not in ops:
            return wrong("the graph has " + ("a tanh node" if "tanh" in ops else "no exp node"), pieces)
        if not near(out.data, want.data):
            n = numbers[0] * numbers[2] + numbers[1] * numbers[3] + numbers[4]
            hint = "e is e**(2n): (2 * n).exp(), not n.exp()" if near(out.data, math.tanh(n / 2)) else pieces
            return wrong(
                f"at x1, x2, w1, w2, b = {numbers}: o is {fmt(out.data)}, expected {fmt(want.data)}",
                hint if hint != pieces else f"numerator e - 1, denominator e + 1: {pieces}",
            )
        out.backward()
        for name, leaf, ref in zip(LEAVES, leaves, refs):
            if not near(leaf.grad, ref.grad):
                return wrong(f"{name}.grad is {fmt(leaf.grad)}, expected {fmt(ref.grad)}", pieces)
    return ok()


def tanh_pieces(*, solution: bool = False) -> Result:
    """Check ``neuron_pieces(x1, x2, w1, w2, b)``: the neuron with tanh written with exp, + - and /."""
    course = {"neuron_pieces": _course_pieces}
    return _task("tanh_pieces", ["neuron_pieces"], _tanh_pieces, solution, course=course)


def _course_torch(*numbers: float) -> tuple[float, list[float]]:
    import torch

    leaves = [torch.tensor([x], dtype=torch.float64, requires_grad=True) for x in numbers]
    x1, x2, w1, w2, b = leaves
    o = torch.tanh(x1 * w1 + x2 * w2 + b)
    o.backward()
    return o.item(), [t.grad.item() for t in leaves]


def _torch_said(got: Any, numbers: tuple[float, ...]) -> Result | None:
    """WRONG when ``got`` is not (o, [five grads]) of the neuron at ``numbers``, in float64."""
    shape = "return o.item() and the list of the five .grad.item(): x1, x2, w1, w2, b"
    if not (isinstance(got, tuple | list) and len(got) == 2):
        return wrong(f"it did not return the pair (o, grads) but {brief(got)}", shape)
    grads = got[1]
    if callable(getattr(grads, "reshape", None)) and callable(getattr(grads, "tolist", None)):
        grads = grads.reshape(-1).tolist()  # the five in one tensor (or array)
    if not isinstance(grads, tuple | list):
        return wrong(f"its grads are not a list of five numbers but {brief(grads)}", shape)
    found = [item(x) for x in [got[0], *grads]]
    if len(found) != 6 or any(number(x) is None for x in found):
        return wrong(f"it returned {len(grads)} gradients, or not numbers", shape)
    want, refs = _neuron(numbers)
    wants = [want.data] + [r.grad for r in refs]
    off = [
        (name, x, w)
        for name, x, w in zip(["o", *(f"{n}.grad" for n in LEAVES)], found, wants)
        if not near(x, w)
    ]
    if not off:
        return None
    said = f"at x1, x2, w1, w2, b = {numbers}: {off[0][0]} is {off[0][1]:.12g}, expected {off[0][2]:.12g}"
    if all(near(x, w, 1e-5) for x, w in zip(found, wants)):
        return wrong(said, "right to float32's 7 digits only: torch.tensor(x, dtype=torch.float64)")
    return wrong(said, "o = torch.tanh(x1*w1 + x2*w2 + b), o.backward(), then each leaf's .grad")


def _torch_neuron(answer: Any) -> Result:
    results, calls = answer
    if not calls:
        return wrong(
            "PyTorch computed none of it: no .backward() on a tensor",
            "leaves: torch.tensor(x, dtype=torch.float64, requires_grad=True); then o.backward()",
        )
    return _first(_torch_said(got, numbers) for got, numbers in zip(results, (NEURON, OTHER)))


def torch_neuron(*, solution: bool = False) -> Result:
    """Check ``neuron_torch(x1, x2, w1, w2, b)``: o and its five gradients, as PyTorch computes them.

    It runs your function on the lecture's numbers and on others, and counts PyTorch's backward
    passes (``torch.autograd.backward``, which ``Tensor.backward`` calls, and ``torch.autograd.grad``):
    a function that gets the numbers without PyTorch is WRONG. Where PyTorch is not installed (the
    browser), it says so, "not yet" (:func:`grad.selfcheck.core.without_torch`).
    """

    def attempt() -> Any:
        import torch

        fn = mine("neuron_torch", own=True)
        with counting(torch.autograd, ("backward", "grad")) as calls:
            results = [fn(*numbers) for numbers in (NEURON, OTHER)]
        return ... if any(r is ... for r in results) else (results, len(calls))

    course = {"neuron_torch": _course_torch}
    return _task(
        "torch_neuron", ["neuron_torch"], _torch_neuron, solution, course=course, attempt=attempt, torch=True
    )


# ---- Neuron, Layer and MLP ---------------------------------------------------------------------------


def course_nn(Value: type) -> tuple[type, type, type]:
    """The course's ``Neuron``, ``Layer`` and ``MLP``, as the lecture writes them, making ``Value``s."""

    class Neuron:
        def __init__(self, nin: int) -> None:
            self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
            self.b = Value(random.uniform(-1, 1))

        def __call__(self, x: list) -> Any:
            return sum((wi * xi for wi, xi in zip(self.w, x)), self.b).tanh()

        def parameters(self) -> list:
            return self.w + [self.b]

    class Layer:
        def __init__(self, nin: int, nout: int) -> None:
            self.neurons = [Neuron(nin) for _ in range(nout)]

        def __call__(self, x: list) -> Any:
            outs = [n(x) for n in self.neurons]
            return outs[0] if len(outs) == 1 else outs

        def parameters(self) -> list:
            return [p for n in self.neurons for p in n.parameters()]

    class MLP:
        def __init__(self, nin: int, nouts: list[int]) -> None:
            sz = [nin] + nouts
            self.layers = [Layer(sz[i], sz[i + 1]) for i in range(len(nouts))]

        def __call__(self, x: list) -> Any:
            for layer in self.layers:
                x = layer(x)
            return x

        def parameters(self) -> list:
            return [p for layer in self.layers for p in layer.parameters()]

    return Neuron, Layer, MLP


def _classes(task: str, names: list[str], judge: Callable[[dict], Result], solution: bool) -> Result:
    """Check the classes ``names`` on the course's Value and classes; the course's take their place
    in the notebook until they pass."""

    def make(found: dict[str, Any]) -> Any:
        if any(not any(isinstance(v, types.FunctionType) for v in vars(c).values()) for c in found.values()):
            return ...  # a class with no method yet: its body is still the placeholder
        cls = course_value({})
        classes = dict(zip(NN, course_nn(cls)), Value=cls)
        for name in names:  # each reads the course's Value, and the classes checked before it
            classes[name] = rebind(found[name], classes)
        return classes

    course = lambda: dict(zip(NN, course_nn(mine("Value"))))  # noqa: E731 - the notebook's Value, when run
    return _task(task, names, judge, solution, make=make, course=course, stage="05.nn")


def _neuron_judge(classes: dict[str, type]) -> Result:
    cls, n = classes["Value"], seeded(lambda: classes["Neuron"](3), SEED)
    if not (len(n.w) == 3 and all(isinstance(p, cls) and -1 <= p.data <= 1 for p in [*n.w, n.b])):
        return wrong("Neuron(3) needs self.w, 3 Values, and self.b, each random.uniform(-1, 1)")
    n.w, n.b, u = [cls(0.5), cls(-0.25), cls(0.75)], cls(0.1), cls(0.5)
    shared = u * 2  # an inner node, read by two inputs
    out = n([shared, shared, -1.0])
    ws, b, ru = [Reference(w) for w in (0.5, -0.25, 0.75)], Reference(0.1), Reference(0.5)
    rs = ru * 2
    act = sum((w * x for w, x in zip(ws, [rs, rs, -1.0])), b)
    want = act.tanh()
    want.backward()
    said = "n = Neuron(3) with w = [0.5, -0.25, 0.75], b = 0.1, on x = [2u, 2u, -1] with u = 0.5:"
    if not isinstance(out, cls) or not near(out.data, want.data):
        got = fmt(out.data) if isinstance(out, cls) else type(out).__name__
        hint = "tanh(w·x + b)"
        if isinstance(out, cls) and near(out.data, act.data):
            hint = "that is w·x + b itself: squash it with .tanh()"
        elif isinstance(out, cls) and near(out.data, math.tanh(act.data - 0.1)):
            hint = "start the sum at self.b"
        return wrong(f"{said} n(x) is {got}, expected {fmt(want.data)}", hint)
    out.backward()
    named = [*((f"w[{i}]", p, r) for i, (p, r) in enumerate(zip(n.w, ws))), ("b", n.b, b), ("u", u, ru)]
    for name, got, w in named:
        if not near(got.grad, w.grad):
            return wrong(
                f"{said} {name}.grad is {fmt(got.grad)}, expected {fmt(w.grad)}",
                "compute with the Values self.w, self.b and x themselves, not their .data",
            )
    params = n.parameters()
    if not (
        isinstance(params, list) and len(params) == 4 and all(p is q for p, q in zip(params, [*n.w, n.b]))
    ):
        return wrong("n.parameters() must be the list self.w + [self.b]: the weights, then the bias")
    return ok()


def neuron(*, solution: bool = False) -> Result:
    """Check ``Neuron``: random weights and bias, ``n(x) = tanh(w·x + b)``, ``parameters()``."""
    return _classes("neuron", ["Neuron"], _neuron_judge, solution)


def _mlp_judge(classes: dict[str, type]) -> Result:
    cls, Layer, MLP = classes["Value"], classes["Layer"], classes["MLP"]
    two, one = seeded(lambda: (Layer(3, 2)(X), Layer(3, 1)(X)), SEED)
    if not (isinstance(two, list) and len(two) == 2 and all(isinstance(v, cls) for v in two)):
        return wrong(
            f"Layer(3, 2)(x) gave {type(two).__name__}, not a list of 2 Values",
            "call each neuron on x and return the list of their outputs",
        )
    if not isinstance(one, cls):
        return wrong(
            "Layer(3, 1)(x) gave a list: a layer of one neuron returns that neuron's Value",
            "when there is one neuron, give back its Value, not a list of one",
        )
    m = seeded(lambda: MLP(3, [4, 4, 1]), SEED)
    params, nodes = m.parameters(), [p for layer in m.layers for n in layer.neurons for p in [*n.w, n.b]]
    if not (isinstance(params, list) and len(params) == 41 and all(p is q for p, q in zip(params, nodes))):
        return wrong(
            "MLP(3, [4, 4, 1]).parameters() must list its 41 Values: layer by layer, neuron by neuron",
            "collect each layer's parameters(), layer by layer",
        )
    refs = [Reference(p.data) for p in params]
    weights, xs = iter(refs), list(X)
    for layer in m.layers:  # grad.Value's forward pass on the same numbers: each neuron's w, then its b
        outs = []
        for _ in layer.neurons:
            ws = [next(weights) for _ in xs]
            outs.append(sum((w * x for w, x in zip(ws, xs)), next(weights)).tanh())
        xs = outs
    out = m(X)
    if not isinstance(out, cls) or not near(out.data, xs[0].data):
        got = fmt(out.data) if isinstance(out, cls) else type(out).__name__
        return wrong(
            f"MLP(3, [4, 4, 1])(x) is {got}, expected {fmt(xs[0].data)}",
            "each layer reads the outputs of the one before: x = layer(x)",
        )
    out.backward()
    xs[0].backward()
    bad = sum(not near(p.grad, r.grad) for p, r in zip(params, refs))
    if bad:
        return wrong(f"after backward(), {bad} of the 41 gradients differ from grad.Value's")
    return ok("MLP(3, [4, 4, 1]): its output and all 41 gradients agree with grad.Value's")


def mlp(*, solution: bool = False) -> Result:
    """Check ``Layer`` and ``MLP``: outputs, ``parameters()``, the 41 gradients of MLP(3, [4, 4, 1])."""
    return _classes("mlp", ["Layer", "MLP"], _mlp_judge, solution)
