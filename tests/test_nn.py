"""grad.nn: shapes, seeding, reprs, errors, training, zero init, and training steps against torch float64."""

from __future__ import annotations

import math
import random
import re

import numpy as np
import pytest
import torch
from helpers import close

import grad.nn
from grad import Value
from grad.data import make_moons, toy_dataset
from grad.losses import hinge, l2, sse
from grad.nn import MAX_PARAMETERS, MLP, Layer, Neuron
from grad.optim import SGD, linear_decay
from grad.validate import show


def weights(module) -> list[float]:
    return [p.data for p in module.parameters()]


# ---------------------------------------------------------------------------
# structure
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, count",
    [
        (lambda: Neuron(3, seed=0), 4),
        (lambda: Layer(3, 4, seed=0), 16),
        (lambda: MLP(3, [4, 4, 1], seed=0), 41),
        (lambda: MLP(2, [16, 16, 1], seed=0), 337),
        (lambda: MLP(2, [1, 3, 1], seed=0), 13),
        (lambda: MLP(5, [2], seed=0), 12),
    ],
)
def test_parameter_counts(make, count):
    params = make().parameters()
    assert len(params) == count
    assert all(type(p) is Value for p in params)
    assert len({id(p) for p in params}) == count  # no parameter listed twice


def test_parameters_in_a_fixed_order():
    net = MLP(3, [4, 2], seed=0)
    first = net.layers[0].neurons[0]
    assert net.parameters()[:4] == [*first.w, first.b]
    last = net.layers[1].neurons[1]
    assert net.parameters()[-5:] == [*last.w, last.b]


def test_weights_are_uniform_in_minus_one_one():
    ws = weights(MLP(2, [16, 16, 1], seed=3))
    assert all(-1.0 <= w <= 1.0 for w in ws)
    assert min(ws) < -0.9 and max(ws) > 0.9  # spread over the whole interval


def test_mlp_returns_a_value_for_one_output_and_a_list_otherwise():
    x = [2.0, 3.0, -1.0]
    out = MLP(3, [4, 4, 1], seed=0)(x)
    assert type(out) is Value
    outs = MLP(3, [4, 2], seed=0)(x)
    assert type(outs) is list and len(outs) == 2 and all(type(o) is Value for o in outs)
    layer_out = Layer(3, 1, seed=0)(x)
    assert type(layer_out) is list and len(layer_out) == 1


def test_one_neuron_hidden_layer():
    net = MLP(2, [1, 3, 1], seed=0)
    out = net([0.5, -1.5])
    assert type(out) is Value
    out.backward()
    assert all(math.isfinite(p.grad) for p in net.parameters())
    assert any(p.grad != 0.0 for p in net.layers[0].parameters())


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid", "linear"])
def test_neuron_computes_activation_of_weighted_sum(activation):
    n = Neuron(3, activation=activation, seed=7)
    x = [0.5, -1.25, 2.0]
    z = sum(w.data * xi for w, xi in zip(n.w, x)) + n.b.data
    expected = {
        "tanh": math.tanh(z),
        "relu": max(z, 0.0),
        "sigmoid": 1.0 / (1.0 + math.exp(-z)),
        "linear": z,
    }[activation]
    assert close(n(x).data, expected, 1e-12)


def test_inputs_may_be_floats_values_or_a_numpy_row():
    net = MLP(2, [4, 1], seed=1)
    row = np.array([0.25, -0.75])
    a = net([0.25, -0.75]).data
    assert net([Value(0.25), Value(-0.75)]).data == a
    assert net(row).data == a
    assert net([1, 0]).data == net([1.0, 0.0]).data


def test_output_activation_defaults_to_activation():
    assert [la.neurons[0].activation for la in MLP(2, [3, 3, 1], activation="relu", seed=0).layers] == [
        "relu"
    ] * 3
    net = MLP(2, [3, 3, 1], activation="relu", output_activation="linear", seed=0)
    assert [la.neurons[0].activation for la in net.layers] == ["relu", "relu", "linear"]
    # a linear output can leave [-1, 1]; a tanh one cannot
    big = MLP(1, [1], activation="linear", seed=0)
    big.layers[0].neurons[0].w[0].data = 10.0
    assert big([5.0]).data > 1.0


def test_module_zero_grad():
    net = MLP(3, [4, 4, 1], seed=0)
    net([2.0, 3.0, -1.0]).backward()
    assert any(p.grad != 0.0 for p in net.parameters())
    net.zero_grad()
    assert all(p.grad == 0.0 for p in net.parameters())


def test_reprs():
    assert repr(Neuron(3, seed=0)) == "Neuron(3, tanh)"
    assert repr(Layer(3, 4, activation="relu", seed=0)) == "Layer(3 -> 4, relu)"
    assert repr(MLP(3, [4, 4, 1], seed=0)) == "MLP(3 -> [4 tanh, 4 tanh, 1 tanh], 41 parameters)"
    demo = MLP(2, [16, 16, 1], activation="relu", output_activation="linear", seed=0)
    assert repr(demo) == "MLP(2 -> [16 relu, 16 relu, 1 linear], 337 parameters)"


# ---------------------------------------------------------------------------
# seeding
# ---------------------------------------------------------------------------


def test_same_seed_same_weights_and_different_seeds_differ():
    assert weights(MLP(3, [4, 4, 1], seed=5)) == weights(MLP(3, [4, 4, 1], seed=5))
    assert weights(MLP(3, [4, 4, 1], seed=5)) != weights(MLP(3, [4, 4, 1], seed=6))
    assert weights(Neuron(3, seed=5)) == weights(Neuron(3, seed=5))


def test_the_same_seed_gives_the_same_weights_as_before():
    # notebooks store outputs of seeded nets: these weights must not change
    net = MLP(3, [4, 4, 1], seed=0)
    assert [round(p.data, 12) for p in net.parameters()[:3]] == [
        0.68884370305,
        0.515908805881,
        -0.158856838338,
    ]
    assert round(net.parameters()[-1].data, 12) == -0.997714361371
    assert [round(p.data, 12) for p in Neuron(2, seed=1).parameters()] == [
        -0.731271511775,
        0.694867473874,
        0.527549237953,
    ]


def test_random_instance_as_seed():
    rng = random.Random(5)
    assert weights(MLP(3, [4, 4, 1], seed=rng)) == weights(MLP(3, [4, 4, 1], seed=5))
    # the Random is consumed: a second net from it gets new weights
    assert weights(MLP(3, [4, 4, 1], seed=rng)) != weights(MLP(3, [4, 4, 1], seed=5))


# Regression test for a fixed bug: with seed=None, _rng() returns the `random` module, which Layer and MLP
# then pass down as `seed` to Neuron/Layer, whose _rng() rejects it with
# "TypeError: seed must be an int, a random.Random or None, got module". So the micrograd
# way, MLP(3, [4, 4, 1]) with random.seed(...), fails; only a bare Neuron works unseeded.
def test_no_seed_uses_the_global_generator():
    state = random.getstate()
    try:
        random.seed(123)
        a = [weights(Neuron(3)), weights(Layer(3, 4)), weights(MLP(3, [4, 4, 1]))]
        random.seed(123)
        b = [weights(Neuron(3)), weights(Layer(3, 4)), weights(MLP(3, [4, 4, 1]))]
    finally:
        random.setstate(state)
    assert a == b
    assert [len(w) for w in a] == [4, 16, 41]


@pytest.mark.parametrize("seed", ["0", 1.5, True, [0]])
@pytest.mark.parametrize(
    "make", [MLP, lambda *a, seed: Layer(3, 4, seed=seed), lambda *a, seed: Neuron(3, seed=seed)]
)
def test_bad_seed_type(make, seed):
    with pytest.raises(
        TypeError, match=r"^(MLP|Layer|Neuron): seed must be an int, a random.Random or None, got"
    ):
        make(3, [4, 1], seed=seed)


def test_numpy_integers_are_sizes_and_seeds():
    expected = weights(MLP(3, [4, 4, 1], seed=5))
    assert weights(MLP(3, [4, 4, 1], seed=np.int64(5))) == expected
    assert weights(MLP(np.array(3), [np.int64(4), np.array(4), 1], seed=np.array(5))) == expected


# ---------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "module, x",
    [
        (Neuron(3, seed=0), [1.0, 2.0]),
        (Layer(3, 2, seed=0), [1.0, 2.0, 3.0, 4.0]),
        (MLP(3, [4, 1], seed=0), [1.0]),
        (MLP(3, [4, 1], seed=0), []),
    ],
)
def test_wrong_input_length(module, x):
    with pytest.raises(ValueError, match=rf"^{re.escape(repr(module))} expects 3 inputs, got {len(x)}$"):
        module(x)


@pytest.mark.parametrize(
    "module, x, index, shown",
    [
        (Neuron(3, seed=0), ["a", "b", "c"], 0, "str: 'a'"),
        (Neuron(3, seed=0), [1.0, 2.0, None], 2, "NoneType: None"),
        (Layer(3, 2, seed=0), [1.0, "2", 3.0], 1, "str: '2'"),
        (MLP(3, [4, 1], seed=0), [1.0, None, 2.0], 1, "NoneType: None"),
        (MLP(3, [4, 1], seed=0), [1.0, 2.0, [3.0]], 2, r"list: \[3.0\]"),
    ],
)
def test_an_input_that_is_not_a_number_is_named(module, x, index, shown):
    # the module the user called is named, not a neuron deep inside it
    message = rf"^{re.escape(repr(module))}: input {index} must be a number or a Value, got {shown}$"
    with pytest.raises(TypeError, match=message):
        module(x)


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: Neuron("3"), TypeError, r"Neuron: nin must be an int, got str: '3'"),
        (lambda: Neuron(2.0), TypeError, r"Neuron: nin must be an int, got float: 2.0"),
        (lambda: Neuron(None), TypeError, r"Neuron: nin must be an int, got NoneType: None"),
        (lambda: Layer(2, "4"), TypeError, r"Layer: nout must be an int, got str: '4'"),
        (lambda: Neuron(0), ValueError, r"Neuron: nin must be at least 1, got 0"),
        (lambda: Layer(2.0, 3), TypeError, r"Layer: nin must be an int, got float: 2.0"),
        (lambda: Layer(2, 0), ValueError, r"Layer: nout must be at least 1, got 0"),
        (lambda: MLP(True, [2]), TypeError, r"MLP: nin must be an int, got bool: True"),
        (lambda: MLP(0, [2], seed=0), ValueError, r"MLP: nin must be at least 1, got 0"),
        (
            lambda: MLP(-(10**5000), [2]),
            ValueError,
            r"MLP: nin must be at least 1, got <an int of about 5001 digits>",
        ),
        (lambda: Neuron(np.True_), TypeError, r"Neuron: nin must be an int, got bool: np.True_"),
        (
            lambda: Layer(2, np.array(2.0)),
            TypeError,
            r"Layer: nout must be an int, got ndarray: array\(2\.\)",
        ),
        (lambda: MLP(3, [4, "1"]), TypeError, r"MLP: nouts\[1\] must be an int, got str: '1'"),
        (lambda: MLP(3, [4, 0]), ValueError, r"MLP: nouts\[1\] must be at least 1, got 0"),
        (lambda: MLP(3, []), ValueError, r"MLP: nouts must hold at least one layer size"),
        (
            lambda: MLP(3, [4, 1], activation="gelu"),
            ValueError,
            r"MLP: unknown activation 'gelu'; choose one of tanh",
        ),
        (lambda: MLP(3, [4, 1], output_activation="id"), ValueError, r"MLP: unknown output_activation 'id'"),
        (lambda: Layer(3, 2, activation=None), ValueError, r"Layer: unknown activation None"),
        (lambda: Neuron(3, activation="softmax"), ValueError, r"Neuron: unknown activation 'softmax'"),
        (lambda: Layer(3, 2, activation="Tanh"), ValueError, r"Layer: unknown activation 'Tanh'"),
    ],
)
def test_constructor_errors_name_the_class_and_the_argument(make, error, message):
    with pytest.raises(error, match=message):
        make()


# ---------------------------------------------------------------------------
# training
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_lecture_training_converges(seed):
    xs, ys = toy_dataset()
    net = MLP(3, [4, 4, 1], seed=seed)
    opt = SGD(net.parameters(), lr=0.05)
    for _ in range(100):
        loss = sse([net(x) for x in xs], ys)
        opt.zero_grad()
        loss.backward()
        opt.step()
    preds = [net(x).data for x in xs]
    assert sse(preds, ys).data < 0.05
    assert all((p > 0) == (y > 0) for p, y in zip(preds, ys))


def moons_loss(net, X, y):
    scores = [net(x) for x in X]
    return hinge(scores, y) + 1e-4 * l2(net.parameters()), scores


@pytest.mark.slow
def test_moons_demo_reaches_full_training_accuracy():
    X, y = make_moons(100, noise=0.1, seed=0)
    labels = y.tolist()
    net = MLP(2, [16, 16, 1], activation="relu", output_activation="linear", seed=0)
    opt = SGD(net.parameters(), lr=linear_decay(1.0, 0.1, 100))
    first = None
    for _ in range(100):
        loss, _ = moons_loss(net, X, labels)
        first = loss.data if first is None else first
        opt.zero_grad()
        loss.backward()
        opt.step()
    loss, scores = moons_loss(net, X, labels)
    accuracy = sum((s.data > 0) == (t > 0) for s, t in zip(scores, labels)) / len(labels)
    assert accuracy == 1.0
    assert loss.data < 0.05 < first


# ---------------------------------------------------------------------------
# one training step against the same network in torch float64
# ---------------------------------------------------------------------------


class TorchMLP:
    """The same weights as a grad MLP, as float64 tensors; parameters in the same order."""

    def __init__(self, net: MLP) -> None:
        self.layers = []
        for layer in net.layers:
            W = torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64)
            b = torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64)
            self.layers.append((W.requires_grad_(), b.requires_grad_(), layer.neurons[0].activation))

    def __call__(self, X: torch.Tensor) -> torch.Tensor:
        h = X
        for W, b, act in self.layers:
            z = h @ W.T + b
            h = {"tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid, "linear": lambda t: t}[
                act
            ](z)
        return h[:, 0]

    def parameters(self) -> list[torch.Tensor]:
        return [t for W, b, _ in self.layers for t in (W, b)]

    def flat(self, which: str) -> list[float]:
        """Values or grads in grad's order: neuron by neuron, weights then bias."""
        out = []
        for W, b, _ in self.layers:
            W, b = (W.grad, b.grad) if which == "grad" else (W.detach(), b.detach())
            for i in range(W.shape[0]):
                out.extend(W[i].tolist())
                out.append(b[i].item())
        return out


def assert_all_close(ours, theirs, what):
    assert len(ours) == len(theirs)
    bad = [(i, a, b) for i, (a, b) in enumerate(zip(ours, theirs)) if not close(a, b)]
    assert not bad, f"{what}: {len(bad)} mismatches, first {bad[0]}"


def assert_step_matches_torch(net, loss, opt, tnet, tloss):
    """backward() and one step of ``opt`` give the loss, gradients and parameters of torch's SGD."""
    lr = opt.current_lr()
    loss.backward()
    opt.step()
    tloss.backward()
    assert close(loss.data, tloss.item())
    assert_all_close([p.grad for p in net.parameters()], tnet.flat("grad"), "grads")
    torch.optim.SGD(tnet.parameters(), lr=lr).step()
    assert_all_close(weights(net), tnet.flat("data"), "updated parameters")


def assert_sse_step_matches_torch(net, xs, ys, lr):
    """The lecture's step, sse over ``xs`` then SGD, against the same network in torch."""
    tnet = TorchMLP(net)
    preds = tnet(torch.tensor(xs, dtype=torch.float64))
    tloss = ((preds - torch.tensor(ys, dtype=torch.float64)) ** 2).sum()
    assert_step_matches_torch(net, sse([net(x) for x in xs], ys), SGD(net.parameters(), lr=lr), tnet, tloss)


def test_lecture_training_step_matches_torch():
    assert_sse_step_matches_torch(MLP(3, [4, 4, 1], seed=11), *toy_dataset(), lr=0.05)


def test_moons_training_step_matches_torch():
    X, y = make_moons(100, noise=0.1, seed=2)
    net = MLP(2, [16, 16, 1], activation="relu", output_activation="linear", seed=2)
    tnet = TorchMLP(net)
    opt = SGD(net.parameters(), lr=linear_decay(1.0, 0.1, 100))
    assert opt.current_lr() == 1.0
    scores = tnet(torch.tensor(X, dtype=torch.float64))
    labels = torch.tensor(y, dtype=torch.float64)
    tloss = torch.clamp(1 - labels * scores, min=0).mean() + 1e-4 * sum(
        (p**2).sum() for p in tnet.parameters()
    )
    assert_step_matches_torch(net, moons_loss(net, X, y.tolist())[0], opt, tnet, tloss)


# ---------------------------------------------------------------------------
# the zero-init experiment: every weight set to the int 0
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, lr",
    [
        (lambda: MLP(3, [4, 4, 1], seed=0), 0.05),
        (lambda: MLP(3, [4, 4, 1], activation="relu", output_activation="linear", seed=0), 0.05),
    ],
    ids=["tanh", "relu"],
)
def test_int_zero_weights_train_like_torch(make, lr):
    xs, ys = toy_dataset()
    xs, ys = xs[:3], ys[:3]  # targets summing to -1, so that the output bias gets a gradient
    net = make()
    for p in net.parameters():
        p.data = 0  # an int, as a learner would type it
    assert_sse_step_matches_torch(net, xs, ys, lr)
    # what the experiment shows: with every weight 0, only the output bias moves at the first step
    moved = [i for i, p in enumerate(net.parameters()) if p.data != 0]
    assert moved == [len(net.parameters()) - 1]
    assert net.parameters()[-1].data == -lr * 2 * sum(0 - y for y in ys)
    # and the next forward and backward pass works too
    net.zero_grad()
    sse([net(x) for x in xs], ys).backward()
    assert all(math.isfinite(p.grad) for p in net.parameters())


@pytest.mark.parametrize("nouts", [4, "44", None, {4, 1}])
def test_mlp_layer_sizes_that_are_not_a_sequence_are_a_type_error(nouts):
    with pytest.raises(TypeError, match=r"^MLP: nouts, the layer sizes like \[4, 4, 1\], must be a sequence"):
        MLP(3, nouts)


def test_mlp_layer_sizes_may_be_a_numpy_array_or_a_generator():
    """A NumPy array of sizes used to be "not a list of layer sizes"."""
    expected = weights(MLP(3, [4, 1], seed=0))
    assert (
        weights(MLP(3, np.array([4, 1]), seed=0)) == weights(MLP(3, (n for n in [4, 1]), seed=0)) == expected
    )


# ---------------------------------------------------------------------------
# review findings: sizes, unordered inputs, mutated modules
# ---------------------------------------------------------------------------


@pytest.mark.timeout(10)
@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: Neuron(10**30), r"Neuron: nin=1000000000000000000000000000000 inputs and a bias make more"),
        (lambda: Neuron(MAX_PARAMETERS), r"Neuron: nin=1000000 inputs and a bias make more than 1,000,000"),
        (lambda: Layer(10**6, 2), r"Layer: nin=1000000 and nout=2 make more than 1,000,000 parameters"),
        (lambda: Layer(2, 10**30), r"Layer: nin=2 and nout=1000000000000000000000000000000 make more"),
        (lambda: MLP(2, [10**6, 10**6]), r"MLP: nin=2 and nouts=\[1000000, 1000000\] make more"),
        (lambda: MLP(10**400, [1]), r"MLP: nin=1000.*000 and nouts=\[1\] make more than 1,000,000"),
        (lambda: MLP(2, [1] * 500_001), r"MLP: nin=2 and nouts=\[1, 1, 1, 1, 1, 1, \.\.\.\] make more"),
    ],
)
def test_sizes_beyond_the_maximum_are_refused_at_once(make, message):
    """Neuron(10**30) used to run until killed."""
    with pytest.raises(ValueError, match=message):
        make()


def test_the_limit_is_on_the_number_of_parameters(monkeypatch):
    monkeypatch.setattr(grad.nn, "MAX_PARAMETERS", 12)
    assert len(Layer(2, 4, seed=0).parameters()) == len(MLP(2, [2, 2], seed=0).parameters()) == 12
    assert len(Neuron(11, seed=0).parameters()) == 12
    for make in (lambda: Layer(2, 5), lambda: MLP(3, [2, 2]), lambda: Neuron(12)):
        with pytest.raises(ValueError, match="make more than 12 parameters"):
            make()


@pytest.mark.parametrize("module", [Neuron(2, seed=0), Layer(2, 2, seed=0), MLP(2, [2, 1], seed=0)])
@pytest.mark.parametrize(
    "x, why",
    [
        ({0: 7.0, 1: 9.0}, " (a dict has no order of its own)"),  # a dict used to be read by its keys
        ({7.0, 9.0}, " (a set has no order of its own)"),
        (frozenset({7.0, 9.0}), " (a frozenset has no order of its own)"),
        ({7.0: 0, 9.0: 1}.keys(), " (a dict_keys has no order of its own)"),
        (2.0, ""),
        ("ab", ""),
    ],
)
def test_inputs_that_are_not_a_sequence_are_refused(module, x, why):
    with pytest.raises(TypeError) as info:
        module(x)
    assert (
        str(info.value)
        == f"{module!r}: the inputs must be a sequence (a list or a tuple), got {show(x)}{why}"
    )


@pytest.mark.parametrize("module", [Neuron(3, seed=0), Layer(3, 2, seed=0), MLP(3, [4, 1], seed=0)])
def test_numpy_bools_0d_arrays_and_generators_are_inputs(module):
    """As grad.validate counts numbers: np.bool_ and 0-d arrays used to be refused by dot."""
    out = module([np.True_, np.array(2.0), np.float32(-1.0)])
    again = module(x for x in [1.0, 2.0, -1.0])
    data = (lambda o: [v.data for v in o]) if isinstance(out, list) else (lambda o: [o.data])
    assert data(out) == data(again) == data(module([1.0, 2.0, -1.0]))


def test_an_input_too_large_for_a_float_is_named():
    net = MLP(2, [2, 1], seed=0)
    with pytest.raises(OverflowError, match=rf"^{re.escape(repr(net))}: input 1: an int of about 401 digits"):
        net([1.0, 10**400])


def test_a_layer_whose_neurons_were_removed_says_so():
    layer = Layer(2, 2, seed=0)
    layer.neurons.clear()
    assert repr(layer) == "Layer(no neurons)"
    with pytest.raises(ValueError, match=r"^Layer\(no neurons\): its neurons list is empty"):
        layer([1.0, 2.0])
    net = MLP(2, [2, 1], seed=0)
    net.layers[1].neurons.clear()
    assert repr(net) == "MLP(2 layers, some empty)"
    with pytest.raises(ValueError, match=r"^Layer\(no neurons\): its neurons list is empty"):
        net([1.0, 2.0])
    net.layers.clear()
    assert repr(net) == "MLP(0 layers, some empty)"
    with pytest.raises(ValueError, match=r"MLP\(0 layers, some empty\): its first layer is missing"):
        net([1.0, 2.0])


@pytest.mark.parametrize("bad", ["bogus", "ReLU", None])
def test_an_activation_changed_after_construction_is_checked_when_called(bad):
    """It used to behave as linear."""
    n = Neuron(2, seed=0)
    n.activation = bad
    with pytest.raises(ValueError, match=rf"^Neuron\(2, {bad}\): unknown activation {bad!r}; choose one of"):
        n([1.0, 2.0])
    n.activation = "relu"
    assert n([1.0, 2.0]).data >= 0.0


@pytest.mark.parametrize("row", [[1.0, -2.0], np.array([1.0, -2.0]), (np.float32(1.0), -2)], ids=repr)
def test_a_forward_pass_does_not_format_the_models_repr(row, monkeypatch):
    """Every call formatted repr(module) (which counts the parameters) for an error that did not come,
    once per call and once more per input that was not a float: about 10% of a small MLP's forward pass."""
    net = MLP(2, [3, 1], seed=0)
    calls = []
    monkeypatch.setattr(MLP, "parameters", lambda self: calls.append(1) or [])
    assert close(net(row).data, net([1.0, -2.0]).data) and calls == []
