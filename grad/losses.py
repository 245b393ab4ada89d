"""Loss functions on Values: squared error, hinge, binary and multi-class cross-entropy.

Each returns a single Value, so ``loss.backward()`` fills every gradient.
The cross-entropies use log-sum-exp and stay finite for logits of +-1000.

Example:
    >>> from grad import Value
    >>> from grad.losses import sse, cross_entropy
    >>> sse([Value(0.5), Value(-1.0)], [1.0, -1.0]).data
    0.25
    >>> round(cross_entropy([Value(1000.0), Value(0.0)], 0).data, 12)
    0.0
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Integral, Real

from grad.engine import Value, _lift, _node, vsum

__all__ = ["sse", "mse", "hinge", "l2", "bce_with_logits", "logsumexp", "softmax", "cross_entropy"]

Operand = Value | float


def _pairs(preds: Sequence[Operand], targets: Sequence[float], name: str) -> None:
    if len(preds) != len(targets):
        raise ValueError(f"{name}: {len(preds)} predictions but {len(targets)} targets")
    if len(preds) == 0:
        raise ValueError(f"{name}: needs at least one prediction")


def sse(preds: Sequence[Operand], targets: Sequence[float]) -> Value:
    """Sum of squared errors, sum_i (pred_i - target_i)**2: the lecture's loss."""
    _pairs(preds, targets, "sse")
    return vsum((p - t) ** 2 for p, t in zip(preds, targets))


def mse(preds: Sequence[Operand], targets: Sequence[float]) -> Value:
    """Mean squared error, sse / n."""
    return sse(preds, targets) * (1.0 / len(preds))


def hinge(scores: Sequence[Value], labels: Sequence[float]) -> Value:
    """Mean max-margin loss, mean_i max(0, 1 - y_i * score_i), for labels y_i in {-1, +1}."""
    _pairs(scores, labels, "hinge")
    for y in labels:
        if y not in (-1, 1):
            raise ValueError(f"hinge: labels must be -1 or +1, got {y!r}")
    return vsum((1 - y * s).relu() for s, y in zip(scores, labels)) * (1.0 / len(scores))


def l2(params: Sequence[Value]) -> Value:
    """Sum of squares of the parameters, sum_i p_i**2, as one node (d/dp_i = 2 p_i)."""
    params = tuple(params)
    total = math.fsum(p.data * p.data for p in params)
    return _node(total, params, tuple(2.0 * p.data for p in params), "l2")


def _bce_one(z: Value, y: float) -> Value:
    # softplus form: max(z, 0) - z*y + log(1 + e^-|z|); d/dz = sigmoid(z) - y
    x = z.data
    loss = max(x, 0.0) - x * y + math.log1p(math.exp(-abs(x)))
    s = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
    return _node(loss, (z,), (s - y,), "bce")


def bce_with_logits(logits: Sequence[Operand], targets: Sequence[float]) -> Value:
    """Mean binary cross-entropy of sigmoid(logit) against targets in [0, 1].

    Each term is ``-(y log s(z) + (1-y) log(1-s(z)))`` computed as
    ``max(z, 0) - z y + log(1 + e^{-|z|})``, with d/dz = s(z) - y.
    """
    _pairs(logits, targets, "bce_with_logits")
    for y in targets:
        if not 0.0 <= y <= 1.0:
            raise ValueError(f"bce_with_logits: targets must lie in [0, 1], got {y!r}")
    terms = [_bce_one(z if type(z) is Value else _lift(z), float(y)) for z, y in zip(logits, targets)]
    return vsum(terms) * (1.0 / len(terms))


def logsumexp(logits: Sequence[Operand]) -> Value:
    """log(sum_i e^{z_i}) as one node, computed as m + log(sum_i e^{z_i - m}) with m = max z.

    Its local derivatives are the softmax probabilities.
    """
    zs = tuple(z if type(z) is Value else _lift(z) for z in logits)
    if not zs:
        raise ValueError("logsumexp: needs at least one logit")
    m = max(z.data for z in zs)
    exps = [math.exp(z.data - m) for z in zs]
    total = math.fsum(exps)
    return _node(m + math.log(total), zs, tuple(e / total for e in exps), "logsumexp")


def softmax(logits: Sequence[Operand]) -> list[Value]:
    """Probabilities e^{z_i} / sum_j e^{z_j}, built from Value ops (so they backprop).

    The largest logit is subtracted first, which changes nothing mathematically
    and keeps e^z from overflowing.
    """
    zs = [z if type(z) is Value else _lift(z) for z in logits]
    if not zs:
        raise ValueError("softmax: needs at least one logit")
    m = max(z.data for z in zs)
    exps = [(z - m).exp() for z in zs]
    total = vsum(exps)
    return [e / total for e in exps]


def cross_entropy(logits: Sequence[Operand], target: int) -> Value:
    """Negative log-likelihood of class ``target`` under softmax(logits): logsumexp(z) - z[target]."""
    if not isinstance(target, Real) or isinstance(target, bool):
        raise TypeError(f"cross_entropy: target must be a class index (int), got {type(target).__name__}")
    if not isinstance(target, Integral) or not 0 <= target < len(logits):
        raise ValueError(f"cross_entropy: target must be a class index in [0, {len(logits)}), got {target!r}")
    target = int(target)
    zs = [z if type(z) is Value else _lift(z) for z in logits]
    return logsumexp(zs) - zs[target]
