"""grad.losses: every loss and its gradients against torch float64, stability, bad input."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from grad import Value
from grad.losses import bce_with_logits, cross_entropy, hinge, l2, logsumexp, mse, softmax, sse

F64 = torch.float64


def close(a: float, b: float, rel: float = 1e-9) -> bool:
    return abs(a - b) <= rel * max(1.0, abs(b))


def compare(ours_fn, torch_fn, xs, rel: float = 1e-9):
    """ours_fn(list of Values) -> Value; torch_fn(1-D float64 tensor) -> scalar tensor."""
    vals = [Value(x) for x in xs]
    out = ours_fn(vals)
    out.backward()
    t = torch.tensor(xs, dtype=F64, requires_grad=True)
    ref = torch_fn(t)
    ref.backward()
    assert close(out.data, ref.item(), rel), (out.data, ref.item())
    for i, (v, g) in enumerate(zip(vals, t.grad.tolist())):
        assert close(v.grad, g, rel), f"d/dx{i}: ours {v.grad!r}, torch {g!r}"
    return out, vals


PREDS = [0.8, -0.3, 1.7, -1.2, 0.05]
TARGETS = [1.0, -1.0, 1.0, -1.0, 0.5]
LABELS = [1, -1, 1, 1, -1]
SCORES = [0.4, -2.0, 1.6, -0.7, 0.2]  # margins 0.4, 2.0, 1.6, -0.7, -0.2: some terms active, none at the kink


def test_sse():
    target = torch.tensor(TARGETS, dtype=F64)
    compare(lambda v: sse(v, TARGETS), lambda t: ((t - target) ** 2).sum(), PREDS)


def test_sse_of_the_lecture_example():
    assert sse([Value(0.5), Value(-1.0)], [1.0, -1.0]).data == 0.25


def test_mse():
    target = torch.tensor(TARGETS, dtype=F64)
    compare(lambda v: mse(v, TARGETS), lambda t: ((t - target) ** 2).mean(), PREDS)
    compare(lambda v: mse(v, TARGETS), lambda t: F.mse_loss(t, target), PREDS)


def test_hinge():
    y = torch.tensor(LABELS, dtype=F64)
    out, vals = compare(lambda v: hinge(v, LABELS), lambda t: torch.clamp(1 - y * t, min=0).mean(), SCORES)
    # inactive terms (margin above 1) get no gradient
    assert vals[1].grad == 0.0 and vals[2].grad == 0.0
    assert vals[0].grad == -1 / len(SCORES)


def test_hinge_accepts_float_labels():
    assert hinge([Value(0.5)], [1.0]).data == hinge([Value(0.5)], [1]).data == 0.5


def test_l2():
    compare(lambda v: l2(v), lambda t: (t**2).sum(), PREDS)
    a = Value(1.5)
    out = l2([a, a])  # the same parameter twice counts twice
    out.backward()
    assert (out.data, a.grad) == (4.5, 6.0)
    assert l2([]).data == 0.0


@pytest.mark.parametrize(
    "targets",
    [[1.0, 0.0, 1.0, 0.0, 1.0], [0.3, 0.9, 0.0, 1.0, 0.5]],
    ids=["hard", "soft"],
)
def test_bce_with_logits(targets):
    y = torch.tensor(targets, dtype=F64)
    compare(
        lambda v: bce_with_logits(v, targets),
        lambda t: F.binary_cross_entropy_with_logits(t, y),
        [2.5, -0.7, -3.1, 0.0, 40.0],
    )


def test_bce_accepts_plain_number_logits():
    z = Value(0.3)
    out = bce_with_logits([z, -1.2], [1.0, 0.0])
    out.backward()
    ref = F.binary_cross_entropy_with_logits(
        torch.tensor([0.3, -1.2], dtype=F64), torch.tensor([1.0, 0.0], dtype=F64)
    )
    assert close(out.data, ref.item())
    assert close(z.grad, (1 / (1 + math.exp(-0.3)) - 1.0) / 2)


LOGITS = [1.3, -0.4, 2.2, 0.0, -3.5]


def test_logsumexp():
    compare(lambda v: logsumexp(v), lambda t: torch.logsumexp(t, 0), LOGITS)


def test_softmax():
    weights = [0.7, -1.1, 2.0, 0.4, -0.3]  # grads of a weighted sum reach every output

    def ours(vals):
        return sum(w * p for w, p in zip(weights, softmax(vals)))

    def theirs(t):
        return (torch.softmax(t, 0) * torch.tensor(weights, dtype=F64)).sum()

    compare(ours, theirs, LOGITS)
    probs = softmax([Value(x) for x in LOGITS])
    ref = torch.softmax(torch.tensor(LOGITS, dtype=F64), 0).tolist()
    assert all(close(p.data, r) for p, r in zip(probs, ref))
    assert close(sum(p.data for p in probs), 1.0, 1e-15)


@pytest.mark.parametrize("target", range(len(LOGITS)))
def test_cross_entropy(target):
    compare(
        lambda v: cross_entropy(v, target),
        lambda t: F.cross_entropy(t.unsqueeze(0), torch.tensor([target])),
        LOGITS,
    )


def test_cross_entropy_is_logsumexp_minus_target_logit():
    zs = [Value(x) for x in LOGITS]
    assert close(cross_entropy(zs, 2).data, logsumexp(zs).data - LOGITS[2], 1e-15)
    assert close(cross_entropy(LOGITS, 2).data, cross_entropy(zs, 2).data, 1e-15)  # plain numbers too


# ---------------------------------------------------------------------------
# stability at extreme logits
# ---------------------------------------------------------------------------

EXTREME = [1000.0, -1000.0, 0.0]


def finite_grads(vals) -> bool:
    return all(math.isfinite(v.grad) for v in vals)


def test_logsumexp_at_extremes():
    out, vals = compare(lambda v: logsumexp(v), lambda t: torch.logsumexp(t, 0), EXTREME)
    assert out.data == 1000.0
    assert [v.grad for v in vals] == [1.0, 0.0, 0.0]


def test_softmax_at_extremes():
    vals = [Value(x) for x in EXTREME]
    probs = softmax(vals)
    assert [p.data for p in probs] == [1.0, 0.0, 0.0]
    (probs[0] * 2.0 + probs[2]).backward()
    assert finite_grads(vals)
    compare(lambda v: softmax(v)[2], lambda t: torch.softmax(t, 0)[2], EXTREME)


@pytest.mark.parametrize("target, expected", [(0, 0.0), (1, 2000.0), (2, 1000.0)])
def test_cross_entropy_at_extremes(target, expected):
    out, vals = compare(
        lambda v: cross_entropy(v, target),
        lambda t: F.cross_entropy(t.unsqueeze(0), torch.tensor([target])),
        EXTREME,
    )
    assert out.data == expected
    assert finite_grads(vals)


@pytest.mark.parametrize(
    "z, y, expected, grad",
    [
        (1000.0, 1.0, 0.0, 0.0),
        (1000.0, 0.0, 1000.0, 1.0),
        (-1000.0, 0.0, 0.0, 0.0),
        (-1000.0, 1.0, 1000.0, -1.0),
    ],
)
def test_bce_at_extremes(z, y, expected, grad):
    out, vals = compare(
        lambda v: bce_with_logits(v, [y]),
        lambda t: F.binary_cross_entropy_with_logits(t, torch.tensor([y], dtype=F64)),
        [z],
    )
    assert out.data == expected
    assert vals[0].grad == grad


# ---------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("loss", [sse, mse, hinge, bce_with_logits])
def test_length_mismatch(loss):
    with pytest.raises(ValueError, match=r"2 predictions but 3 targets"):
        loss([Value(0.5), Value(0.5)], [1, 1, 1])


@pytest.mark.parametrize("loss", [sse, mse, hinge, bce_with_logits])
def test_empty_predictions(loss):
    with pytest.raises(ValueError, match="at least one"):
        loss([], [])


@pytest.mark.parametrize("fn", [logsumexp, softmax, lambda zs: cross_entropy(zs, 0)])
def test_empty_logits(fn):
    with pytest.raises(ValueError):
        fn([])


@pytest.mark.parametrize("label", [0, 2, 0.5, -2])
def test_hinge_bad_labels(label):
    with pytest.raises(ValueError, match="hinge: labels must be -1 or"):
        hinge([Value(0.5), Value(0.2)], [1, label])


@pytest.mark.parametrize("target", [-0.1, 1.5, float("nan")])
def test_bce_bad_targets(target):
    with pytest.raises(ValueError, match="bce_with_logits: targets must lie in"):
        bce_with_logits([Value(0.5), Value(0.2)], [1.0, target])


@pytest.mark.parametrize("target", [-1, 3, 10, 1.0])
def test_cross_entropy_bad_target(target):
    with pytest.raises(ValueError, match="cross_entropy: target must be a class index"):
        cross_entropy([Value(0.5), Value(0.2), Value(-1.0)], target)


@pytest.mark.parametrize("target", ["0", None])
def test_cross_entropy_target_that_is_not_a_number_is_a_type_error(target):
    with pytest.raises(TypeError, match="cross_entropy: target must be a class index"):
        cross_entropy([Value(0.5), Value(0.2), Value(-1.0)], target)


def test_cross_entropy_accepts_a_numpy_integer_target():
    import numpy as np

    loss = cross_entropy([Value(0.5), Value(0.2)], np.int64(1))
    assert loss.data == pytest.approx(math.log(math.exp(0.5) + math.exp(0.2)) - 0.2, rel=1e-12)
