"""Loss functions on Values: squared error, hinge, binary and multi-class cross-entropy.

One convention: every loss takes ``(preds, targets)``, one prediction and one target per
example, and returns the **mean** over the batch as a single Value, so ``loss.backward()``
fills every gradient. The exception says so in its name: :func:`sse` is a *sum* (the lecture's
loss). :func:`l2` is a regulariser on parameters (a sum of squares), and :func:`logsumexp`
and :func:`softmax` work on one vector of logits.

A plain number is accepted wherever a Value is; it is a constant and gets no gradient. Each loss
is one node whose local derivatives are d(loss)/d(prediction), computed in a stable form:
log-sum-exp for the cross-entropy, softplus for the binary one, so logits of +-1000 (or +-1e300)
give finite losses and gradients. A diverging run (huge or infinite predictions) gives inf or NaN,
as ``+`` and torch would, never an exception. Batches and rows must be ordered sequences (lists,
tuples, arrays, generators): a set or a dict is refused, because its order is not the caller's.

Example:
    >>> from grad import Value
    >>> from grad.losses import cross_entropy, mse, sse
    >>> sse([Value(0.5), Value(-1.0)], [1.0, -1.0]).data
    0.25
    >>> mse([Value(0.5), Value(-1.0)], [1.0, -1.0]).data
    0.125
    >>> cross_entropy([[Value(1000.0), Value(0.0)], [0.0, 0.0]], [0, 1]).data == math.log(2) / 2
    True
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from grad.engine import Value, node, vsum
from grad.validate import brief, fsum, integer, is_real, real, sequence, show

__all__ = ["sse", "mse", "hinge", "l2", "bce_with_logits", "logsumexp", "softmax", "cross_entropy"]

Operand = Value | float
"""A Value, or a plain number (a constant)."""


# ---- helpers: checking the batch, building the node ----------------------------------------------


def _operands(xs: Iterable[object], what: str) -> tuple[list[float], list[int]]:
    """The numbers held by ``xs`` (Values or numbers) and the positions of the Values."""
    data, values = [], []
    for i, x in enumerate(xs):
        if isinstance(x, Value):
            data.append(x.data)
            values.append(i)
        elif is_real(x):
            data.append(real(x, f"{what}[{i}]"))
        else:
            raise TypeError(f"{what}[{i}] must be a number or a Value, got {show(x)}")
    return data, values


_Batch = tuple[tuple, list[float], list[int], list[float], tuple]


def _batch(name: str, preds: object, targets: object) -> _Batch:
    """Check a (preds, targets) batch.

    Returns the preds, their numbers, the positions of the Values among them, the targets as
    floats, and the targets as given (for error messages).
    """
    preds = sequence(preds, f"{name}: preds")
    targets = sequence(targets, f"{name}: targets")
    if len(preds) != len(targets):
        raise ValueError(f"{name}: {len(preds)} predictions but {len(targets)} targets")
    if not preds:
        raise ValueError(f"{name}: the batch is empty; needs at least one prediction")
    data, values = _operands(preds, f"{name}: preds")
    numbers = [real(t, f"{name}: targets[{i}]") for i, t in enumerate(targets)]
    return preds, data, values, numbers, targets


def _node(data: float, op: str, xs: Sequence, values: list[int], local: list[float]) -> Value:
    """The loss node: its children are the Values among ``xs``, with their local derivatives."""
    return node(data, op, [xs[i] for i in values], [local[i] for i in values])


def _mean(name: str, xs: Sequence, values: list[int], terms: list[float], local: list[float]) -> Value:
    n = len(terms)
    return _node(fsum(terms) / n, name, xs, values, [d / n for d in local])


# ---- regression ---------------------------------------------------------------------------------


def sse(preds: Sequence[Operand], targets: Sequence[float]) -> Value:
    """The **sum** (not the mean) of squared errors, sum_i (pred_i - target_i)**2: the lecture's loss.

    d/d pred_i = 2 (pred_i - target_i). Use :func:`mse` for the mean.

    Example:
        >>> p = Value(0.5)
        >>> loss = sse([p, -1.0], [1.0, -1.0]); loss.backward()
        >>> loss.data, p.grad
        (0.25, -1.0)
    """
    preds, data, values, targets, _ = _batch("sse", preds, targets)
    diffs = [p - t for p, t in zip(data, targets)]
    return _node(fsum([d * d for d in diffs]), "sse", preds, values, [2.0 * d for d in diffs])


def mse(preds: Sequence[Operand], targets: Sequence[float]) -> Value:
    """Mean squared error, mean_i (pred_i - target_i)**2 = sse / n (torch's ``mse_loss``).

    Example:
        >>> mse([Value(0.5), Value(-1.0)], [1.0, 0.0]).data
        0.625
    """
    preds, data, values, targets, _ = _batch("mse", preds, targets)
    diffs = [p - t for p, t in zip(data, targets)]
    return _mean("mse", preds, values, [d * d for d in diffs], [2.0 * d for d in diffs])


# ---- classification with labels -1 / +1 or 0 / 1 ------------------------------------------------


def hinge(preds: Sequence[Operand], targets: Sequence[float]) -> Value:
    """Mean max-margin loss, mean_i max(0, 1 - y_i * score_i), for targets y_i in {-1, +1}.

    ``preds`` are raw scores. d/d score_i = -y_i / n where the margin ``1 - y_i * score_i`` is
    positive, else 0 (also at the kink, as ``relu`` does).

    Example:
        >>> hinge([0.5, Value(-2.0)], [1, -1]).data      # margins 0.5 and -1: (0.5 + 0) / 2
        0.25
    """
    preds, data, values, targets, given = _batch("hinge", preds, targets)
    for i, y in enumerate(targets):
        if y not in (-1.0, 1.0):
            raise ValueError(f"hinge: targets must be -1 or +1, got {brief(given[i])} at index {i}")
    terms, local = [], []
    for s, y in zip(data, targets):
        margin = 1.0 - y * s
        if margin > 0:
            terms.append(margin)
            local.append(-y)
        elif margin <= 0:
            terms.append(0.0)
            local.append(0.0)
        else:  # NaN stays NaN, in the value and the derivative
            terms.append(margin)
            local.append(margin)
    return _mean("hinge", preds, values, terms, local)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


def bce_with_logits(preds: Sequence[Operand], targets: Sequence[float]) -> Value:
    """Mean binary cross-entropy of sigmoid(pred) against targets in [0, 1].

    ``preds`` are logits z. Each term ``-(y log s(z) + (1-y) log(1-s(z)))`` is computed as torch
    computes it, ``(1 - y) z + softplus(-z)`` with ``softplus(-z) = max(-z, 0) + log(1 + e^{-|z|})``,
    which is finite for any finite z; d/dz = (s(z) - y) / n. Matches torch's
    ``binary_cross_entropy_with_logits``, at infinite logits too (z = inf gives inf for y < 1), and a
    NaN target gives NaN as in torch and :func:`mse`.

    Example:
        >>> z = Value(0.0)
        >>> loss = bce_with_logits([z], [1.0]); loss.backward()
        >>> round(loss.data, 6), z.grad                   # log 2, and s(0) - 1
        (0.693147, -0.5)
    """
    preds, data, values, targets, given = _batch("bce_with_logits", preds, targets)
    for i, y in enumerate(targets):
        if not 0.0 <= y <= 1.0 and not math.isnan(y):  # NaN propagates, as in mse and torch
            raise ValueError(
                f"bce_with_logits: targets must lie in [0, 1], got {brief(given[i])} at index {i}"
            )
    terms = [(1.0 - y) * z + max(-z, 0.0) + math.log1p(math.exp(-abs(z))) for z, y in zip(data, targets)]
    local = [_sigmoid(z) - y for z, y in zip(data, targets)]
    return _mean("bce_with_logits", preds, values, terms, local)


# ---- several classes ----------------------------------------------------------------------------


def _shifted(zs: list[float]) -> tuple[list[float], float, list[float]]:
    """The logits minus their max m, log(sum_j e^{z_j - m}), and the softmax probabilities.

    No exception for any input: every z - m is <= 0 (or NaN), so e^{z - m} cannot overflow and the
    largest term is e^0 = 1, so the log is safe.
    """
    m = max(zs)
    shifted = [z - m for z in zs]
    exps = [math.exp(s) for s in shifted]
    total = fsum(exps)
    return shifted, math.log(total), [e / total for e in exps]


def logsumexp(logits: Sequence[Operand]) -> Value:
    """log(sum_i e^{z_i}) of one vector of logits, as one node; its local derivatives are softmax(z).

    Computed as m + log(sum_i e^{z_i - m}) with m = max z, so it cannot overflow. Infinite logits
    give what torch gives: inf when some z is inf, -inf when every z is -inf (NaN if any is NaN).

    Example:
        >>> logsumexp([Value(1000.0), Value(1000.0)]).data == 1000.0 + math.log(2)
        True
        >>> logsumexp([math.inf, 0.0]).data, logsumexp([-math.inf, -math.inf]).data
        (inf, -inf)
    """
    zs = sequence(logits, "logsumexp: logits")
    if not zs:
        raise ValueError("logsumexp: needs at least one logit")
    data, values = _operands(zs, "logsumexp: logits")
    m = max(data)
    if math.isinf(m):  # torch's answer, and its derivatives e^{z - out} (NaN at an infinite z)
        out = math.nan if any(math.isnan(z) for z in data) else m
        probs = [math.exp(z - out) for z in data]
    else:
        _, log_total, probs = _shifted(data)
        out = m + log_total
    return _node(out, "logsumexp", zs, values, probs)


def softmax(logits: Sequence[Operand]) -> list[Value]:
    """Probabilities e^{z_i} / sum_j e^{z_j} of one vector of logits, built from Value ops (so they backprop).

    The largest logit is subtracted first, which changes nothing mathematically and keeps e^z
    from overflowing.

    Example:
        >>> [p.data for p in softmax([Value(0.0), 0.0])]
        [0.5, 0.5]
    """
    zs = sequence(logits, "softmax: logits")
    if not zs:
        raise ValueError("softmax: needs at least one logit")
    data, _ = _operands(zs, "softmax: logits")
    zs = [z if isinstance(z, Value) else Value(x) for z, x in zip(zs, data)]
    m = max(z.data for z in zs)
    exps = [(z - m).exp() for z in zs]
    total = vsum(exps)
    return [e / total for e in exps]


def _class_index(t: object, what: str, classes: int) -> int:
    """``t`` as an int in [0, classes): an int or a NumPy integer (a bool or a float is refused)."""
    if not is_real(t) or isinstance(t, bool) or getattr(getattr(t, "dtype", None), "kind", "") == "b":
        raise TypeError(f"{what} must be a class index (an int), got {show(t)}")
    try:
        k = integer(t, what)
    except TypeError:  # a float: a number, but not an index
        k = -1
    if not 0 <= k < classes:
        raise ValueError(f"{what} must be a class index (an int in [0, {classes})), got {brief(t)}")
    return k


def cross_entropy(preds: Sequence[Sequence[Operand]], targets: Sequence[int]) -> Value:
    """Mean negative log-likelihood of the target classes under softmax, over a batch.

    Args:
        preds: one row of logits per example (each a sequence of Values or numbers, all rows the
            same length: the number of classes).
        targets: one class index per example, in ``[0, number of classes)``.

    Each term is ``logsumexp(row) - row[target]``, computed from the shifted logits s = row - max(row)
    as ``log(sum_j e^{s_j}) - s[target]``, which is exact even for logits of 1e300;
    d/d row_j = (softmax(row)_j - [j == target]) / n. Matches torch's ``cross_entropy(logits,
    targets)`` (reduction "mean"), infinite logits included. For one example, pass one row:
    ``cross_entropy([logits], [target])``.

    Example:
        >>> z = [Value(2.0), Value(0.0)]
        >>> loss = cross_entropy([z], [0]); loss.backward()
        >>> round(loss.data, 6), round(z[0].grad, 6), round(z[1].grad, 6)
        (0.126928, -0.119203, 0.119203)
        >>> cross_entropy([[1000.0, -1000.0], [1000.0, -1000.0]], [0, 1]).data  # (0 + 2000) / 2
        1000.0
    """
    rows = sequence(preds, "cross_entropy: preds")
    hint = "; for one example, call cross_entropy([logits], [target])"
    if is_real(targets):
        raise TypeError(
            f"cross_entropy: targets must be a sequence of class indices, one per row of preds, "
            f"got {show(targets)}{hint}"
        )
    targets = sequence(targets, "cross_entropy: targets")
    for i, row in enumerate(rows):  # before the lengths: one row of logits passed alone has the wrong length
        if isinstance(row, Value) or is_real(row):
            raise TypeError(
                f"cross_entropy: preds[{i}] must be a row of logits (a sequence), got {show(row)}{hint}"
            )
    if len(rows) != len(targets):
        raise ValueError(f"cross_entropy: {len(rows)} rows of logits but {len(targets)} targets")
    if not rows:
        raise ValueError("cross_entropy: the batch is empty; needs at least one row of logits")
    logits, data, classes = [], [], 0
    for i, row in enumerate(rows):
        row = sequence(row, f"cross_entropy: preds[{i}]")
        classes = classes or len(row)
        if not row:
            raise ValueError(f"cross_entropy: preds[{i}] is empty; needs at least one logit")
        if len(row) != classes:
            raise ValueError(f"cross_entropy: preds[{i}] has {len(row)} logits but preds[0] has {classes}")
        logits.extend(row)
        data.append(_operands(row, f"cross_entropy: preds[{i}]")[0])
    targets = [_class_index(t, f"cross_entropy: targets[{i}]", classes) for i, t in enumerate(targets)]
    terms, local = [], []
    for zs, t in zip(data, targets):
        shifted, log_total, probs = _shifted(zs)
        terms.append(log_total - shifted[t])
        probs[t] -= 1.0
        local.extend(probs)
    values = [i for i, z in enumerate(logits) if isinstance(z, Value)]
    return _mean("cross_entropy", logits, values, terms, local)


# ---- regularisation -----------------------------------------------------------------------------


def l2(params: Iterable[Operand]) -> Value:
    """The L2 penalty: the **sum** of squares of the parameters, sum_i p_i**2, as one node (d/dp_i = 2 p_i).

    A parameter listed twice counts twice; no parameters give 0. The parameters come in order, as
    for :class:`grad.optim.SGD` (a list, a tuple or a generator; a set or a dict is refused).

    Example:
        >>> l2([Value(3.0), Value(-4.0)]).data
        25.0
    """
    ps = sequence(params, "l2: params")
    data, values = _operands(ps, "l2: params")
    return _node(fsum([p * p for p in data]), "l2", ps, values, [2.0 * p for p in data])
