"""grad.losses: every loss and its gradients against torch float64, stability, batches, bad input.

The convention: ``loss(preds, targets)`` is the mean over the batch, except ``sse`` (a sum) and the
single-vector helpers ``l2``, ``logsumexp`` and ``softmax``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from helpers import close, t64

from grad import Value
from grad.losses import bce_with_logits, cross_entropy, hinge, l2, logsumexp, mse, softmax, sse

F64 = torch.float64


def tensor(xs) -> torch.Tensor:
    """A float64 constant (targets, weights), built directly."""
    return torch.tensor(xs, dtype=F64)


def same(a: float, b: float, rel: float = 1e-9) -> bool:
    """close(), but also true when both are the same infinity or both NaN."""
    if math.isnan(b) or math.isinf(b):
        return (math.isnan(a) and math.isnan(b)) or a == b
    return close(a, b, rel)


def compare(ours_fn, torch_fn, xs, rel: float = 1e-9):
    """ours_fn(Values shaped as xs) -> Value; torch_fn(float64 leaf of xs) -> scalar tensor.

    ``xs`` is a list of numbers, or a list of rows (a batch of logits). Returns our output and Values.
    """
    rows = xs and isinstance(xs[0], list)
    vals = [[Value(x) for x in row] for row in xs] if rows else [Value(x) for x in xs]
    out = ours_fn(vals)
    out.backward()
    t = t64(xs)
    ref = torch_fn(t)
    ref.backward()
    assert same(out.data, ref.item(), rel), (out.data, ref.item())
    flat = [v for row in vals for v in row] if rows else vals
    for i, (v, g) in enumerate(zip(flat, t.grad.flatten().tolist(), strict=True)):
        assert same(v.grad, g, rel), f"d/dx{i}: ours {v.grad!r}, torch {g!r}"
    return out, vals


PREDS = [0.8, -0.3, 1.7, -1.2, 0.05]
TARGETS = [1.0, -1.0, 1.0, -1.0, 0.5]
LABELS = [1, -1, 1, 1, -1]
SCORES = [0.4, -2.0, 1.6, -0.7, 0.2]  # margins 0.6, -1, -0.6, 1.7, 1.2: some terms active, none at the kink


# ---------------------------------------------------------------------------
# regression
# ---------------------------------------------------------------------------


def test_sse_is_a_sum():
    y = tensor(TARGETS)
    compare(lambda v: sse(v, TARGETS), lambda t: F.mse_loss(t, y, reduction="sum"), PREDS)


def test_mse_is_a_mean():
    y = tensor(TARGETS)
    compare(lambda v: mse(v, TARGETS), lambda t: F.mse_loss(t, y), PREDS)  # torch's default is the mean
    assert close(mse(PREDS, TARGETS).data, sse(PREDS, TARGETS).data / len(PREDS), 1e-15)


# ---------------------------------------------------------------------------
# classification
# ---------------------------------------------------------------------------


def test_hinge_is_a_mean():
    y = tensor(LABELS)
    out, vals = compare(lambda v: hinge(v, LABELS), lambda t: torch.clamp(1 - y * t, min=0).mean(), SCORES)
    # inactive terms (margin below 0) get no gradient
    assert vals[1].grad == 0.0 and vals[2].grad == 0.0
    assert vals[0].grad == -1 / len(SCORES)


def test_hinge_accepts_float_and_numpy_labels():
    assert hinge([Value(0.5)], [1.0]).data == hinge([Value(0.5)], [1]).data == 0.5
    assert hinge([Value(0.5), Value(0.2)], np.array([1, -1])).data == hinge([0.5, 0.2], [1, -1]).data


def test_hinge_accepts_plain_number_scores():
    # used to crash: a float has no .relu()
    assert hinge([0.5], [1]).data == 0.5
    s = Value(0.25)
    out = hinge([s, -2.0], [1, 1])  # terms 0.75 and 3
    out.backward()
    assert (out.data, s.grad) == (1.875, -0.5)


@pytest.mark.parametrize(
    "targets",
    [[1.0, 0.0, 1.0, 0.0, 1.0], [0.3, 0.9, 0.0, 1.0, 0.5]],
    ids=["hard", "soft"],
)
def test_bce_with_logits_is_a_mean(targets):
    y = tensor(targets)
    compare(
        lambda v: bce_with_logits(v, targets),
        lambda t: F.binary_cross_entropy_with_logits(t, y, reduction="mean"),
        [2.5, -0.7, -3.1, 0.0, 40.0],
    )


def test_bce_accepts_plain_number_logits():
    z = Value(0.3)
    out = bce_with_logits([z, -1.2], [1.0, 0.0])
    out.backward()
    t = t64([0.3, -1.2])
    ref = F.binary_cross_entropy_with_logits(t, tensor([1.0, 0.0]))
    ref.backward()
    assert close(out.data, ref.item())
    assert close(z.grad, t.grad[0].item())


# ---------------------------------------------------------------------------
# several classes: logsumexp, softmax, cross_entropy on a batch
# ---------------------------------------------------------------------------

LOGITS = [1.3, -0.4, 2.2, 0.0, -3.5]


def test_logsumexp():
    compare(lambda v: logsumexp(v), lambda t: torch.logsumexp(t, 0), LOGITS)


def test_softmax():
    weights = [0.7, -1.1, 2.0, 0.4, -0.3]  # grads of a weighted sum reach every output

    def ours(vals):
        return sum(w * p for w, p in zip(weights, softmax(vals)))

    def theirs(t):
        return (torch.softmax(t, 0) * tensor(weights)).sum()

    compare(ours, theirs, LOGITS)
    probs = softmax([Value(x) for x in LOGITS])
    ref = torch.softmax(tensor(LOGITS), 0).tolist()
    assert all(close(p.data, r) for p, r in zip(probs, ref))
    assert close(sum(p.data for p in probs), 1.0, 1e-15)
    assert [p.data for p in softmax(LOGITS)] == [p.data for p in probs]  # plain numbers too


BATCH = [[1.3, -0.4, 2.2], [0.0, -3.5, 0.7], [2.0, 2.0, -1.0], [-0.2, 0.9, 0.1]]
CLASSES = [2, 0, 1, 1]


def compare_cross_entropy(rows, targets, rel: float = 1e-9):
    """Our cross_entropy on rows of Values against F.cross_entropy on a (batch, classes) leaf."""
    labels = torch.tensor(targets)
    return compare(lambda v: cross_entropy(v, targets), lambda t: F.cross_entropy(t, labels), rows, rel)


def test_cross_entropy_is_the_mean_over_a_batch():
    out, _ = compare_cross_entropy(BATCH, CLASSES)
    terms = [logsumexp(row).data - row[c] for row, c in zip(BATCH, CLASSES)]
    assert close(out.data, sum(terms) / len(terms), 1e-15)


@pytest.mark.parametrize("target", range(3))
def test_cross_entropy_of_one_example(target):
    compare_cross_entropy([LOGITS[:3]], [target])


def test_cross_entropy_accepts_numbers_and_numpy():
    as_values = cross_entropy([[Value(x) for x in row] for row in BATCH], CLASSES).data
    assert cross_entropy(BATCH, CLASSES).data == as_values
    assert cross_entropy(np.array(BATCH), np.array(CLASSES)).data == as_values
    z = Value(2.2)
    mixed = cross_entropy([[1.3, -0.4, z]], [2])  # a constant row with one Value in it
    mixed.backward()
    t = t64([[1.3, -0.4, 2.2]])
    F.cross_entropy(t, torch.tensor([2])).backward()
    assert close(z.grad, t.grad[0, 2].item())


def test_cross_entropy_with_a_logit_shared_by_two_rows():
    a, b = Value(0.3), Value(-1.1)
    out = cross_entropy([[a, b], [b, a]], [0, 0])
    out.backward()
    t = t64([0.3, -1.1])
    F.cross_entropy(torch.stack([t, t.flip(0)]), torch.tensor([0, 0])).backward()
    assert close(a.grad, t.grad[0].item()) and close(b.grad, t.grad[1].item())


# ---------------------------------------------------------------------------
# l2
# ---------------------------------------------------------------------------


def test_l2_is_a_sum_of_squares():
    compare(lambda v: l2(v), lambda t: (t**2).sum(), PREDS)
    a = Value(1.5)
    out = l2([a, a])  # the same parameter twice counts twice
    out.backward()
    assert (out.data, a.grad) == (4.5, 6.0)
    assert l2([]).data == 0.0
    assert l2([3, Value(4.0)]).data == 25.0


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
    out, vals = compare_cross_entropy([EXTREME], [target])
    assert out.data == expected
    assert all(finite_grads(row) for row in vals)


def test_cross_entropy_at_extremes_over_a_batch():
    out, _ = compare_cross_entropy([EXTREME, EXTREME[::-1], [-1000.0, 1000.0, 1000.0]], [1, 0, 2])
    assert out.data == pytest.approx((2000.0 + 1000.0 + math.log(2)) / 3, rel=1e-15)


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
        lambda t: F.binary_cross_entropy_with_logits(t, tensor([y])),
        [z],
    )
    assert out.data == expected
    assert vals[0].grad == grad


@pytest.mark.parametrize("m", [0.0, 1000.0, 1e6, 1e10, 1e13, 1e15, 1e16, 1e300, -1e300])
def test_cross_entropy_of_large_equal_logits_is_exact_like_torch(m):
    """The terms come from the shifted logits: no m + log(2) - m cancellation (1e16 used to give 0)."""
    for target in (0, 1):
        out, vals = compare_cross_entropy([[m, m]], [target], rel=0.0)
        assert out.data == math.log(2)
        assert [v.grad for v in vals[0]] == ([-0.5, 0.5] if target == 0 else [0.5, -0.5])


@pytest.mark.parametrize("m", [1e6, 1e13, 1e16, 1e300])
def test_cross_entropy_of_large_distinct_logits_matches_torch(m):
    row = [m, m - m * 2.0**-50, m + m * 2.0**-51]  # distinct floats a few ulps apart
    for target in range(3):
        compare_cross_entropy([row], [target], rel=1e-15)
    out, _ = compare_cross_entropy([[1e16, 1e16 - 2.0]], [1], rel=1e-15)
    assert out.data == pytest.approx(2.0 + math.log1p(math.exp(-2.0)), rel=1e-15)


INF, NAN = math.inf, math.nan


@pytest.mark.parametrize(
    "xs",
    [[INF, 0.0], [-INF, -INF], [-INF], [INF], [INF, INF], [INF, -INF], [-INF, 0.0], [NAN, INF], [INF, NAN]],
)
def test_logsumexp_of_infinite_logits_is_what_torch_gives(xs):
    compare(lambda v: logsumexp(v), lambda t: torch.logsumexp(t, 0), xs)  # NaN where torch has NaN


@pytest.mark.parametrize("z", [INF, -INF, NAN, 1e308, -1e308])
@pytest.mark.parametrize("y", [0.0, 0.5, 1.0])
def test_bce_at_infinite_logits_is_what_torch_gives(z, y):
    compare(
        lambda v: bce_with_logits(v, [y]), lambda t: F.binary_cross_entropy_with_logits(t, tensor([y])), [z]
    )


@pytest.mark.parametrize(
    "row", [[INF, 0.0], [-INF, 0.0], [-INF, -INF], [INF, INF], [NAN, 0.0], [0.0, NAN], [0.0, -INF]]
)
def test_cross_entropy_of_infinite_logits_is_what_torch_gives(row):
    for target in (0, 1):
        compare_cross_entropy([row], [target])


# A diverging run: huge predictions must give inf or NaN, as + and torch do, never an exception
# (math.fsum raises OverflowError on an overflowing sum and ValueError on inf - inf).
ZEROS = tensor([0.0, 0.0])
ONES = tensor([1.0, 1.0])
HUGE = {
    "sse": (lambda v: sse(v, [0, 0]), lambda t: F.mse_loss(t, ZEROS, reduction="sum"), [1e154, 1e154]),
    "mse": (lambda v: mse(v, [0, 0]), lambda t: F.mse_loss(t, ZEROS), [1e200, -1e200]),
    "mse inf": (lambda v: mse(v, [0, 0]), lambda t: F.mse_loss(t, ZEROS), [math.inf, 1.0]),
    "hinge": (lambda v: hinge(v, [1, 1]), lambda t: torch.clamp(1 - t, min=0).mean(), [-1e308, -1e308]),
    "bce": (
        lambda v: bce_with_logits(v, [1, 1]),
        lambda t: F.binary_cross_entropy_with_logits(t, ONES),
        [-1e308, -1e308],
    ),
    "bce nan": (
        lambda v: bce_with_logits(v, [1, 1]),
        lambda t: F.binary_cross_entropy_with_logits(t, ONES),
        [math.nan, 1.0],
    ),
    "l2": (lambda v: l2(v), lambda t: (t**2).sum(), [1e200, 1.0]),
    "logsumexp nan": (lambda v: logsumexp(v), lambda t: torch.logsumexp(t, 0), [math.nan, 1.0]),
}


@pytest.mark.parametrize("ours, theirs, xs", HUGE.values(), ids=HUGE.keys())
def test_huge_values_give_inf_or_nan_like_torch(ours, theirs, xs):
    vals = [Value(x) for x in xs]
    out = ours(vals)
    ref = theirs(t64(xs))
    assert same(out.data, ref.item()), (out.data, ref.item())
    assert not math.isfinite(out.data)


def test_cross_entropy_of_a_diverging_run_is_inf_like_torch():
    rows, targets = [[1e308, -1e308], [1e308, -1e308]], [1, 1]  # each term is 1e308 + 1e308
    out = cross_entropy(rows, targets)
    ref = F.cross_entropy(tensor(rows), torch.tensor(targets))
    assert out.data == ref.item() == math.inf


# ---------------------------------------------------------------------------
# bad input: the loss and the argument are named
# ---------------------------------------------------------------------------

BATCH_LOSSES = [sse, mse, hinge, bce_with_logits]


@pytest.mark.parametrize("loss", BATCH_LOSSES)
@pytest.mark.parametrize(
    "preds, targets, error, message",
    [
        ([0.5, 0.5], [1, 1, 1], ValueError, "2 predictions but 3 targets"),
        ([], [], ValueError, "the batch is empty; needs at least one prediction"),
        ([0.5, "a"], [1, 1], TypeError, "preds[1] must be a number or a Value, got str: 'a'"),
        ([0.5], [None], TypeError, "targets[0] must be a real number (int or float), got NoneType: None"),
        ([0.5], [Value(1.0)], TypeError, "targets[0] must be a real number (int or float), got Value: "),
        (Value(0.5), [1], TypeError, "preds must be a sequence (a list or a tuple), got Value: Value("),
        (
            np.array(0.5),
            [1],
            TypeError,
            "preds must be a sequence (a list or a tuple), got ndarray: array(0.5)",
        ),
        ([10**400], [1], OverflowError, "preds[0]: an int of about 401 digits is too large for a float"),
        ([1.0], [-(10**400)], OverflowError, "targets[0]: an int of about 401 digits is too large"),
    ],
)
def test_bad_batches_name_the_loss_and_the_operand(loss, preds, targets, error, message):
    with pytest.raises(error) as info:
        loss(preds, targets)
    assert str(info.value).startswith(f"{loss.__name__}: {message}")


@pytest.mark.parametrize("label", [0, 2, 0.5, -2, math.nan])
def test_hinge_bad_labels(label):
    with pytest.raises(ValueError) as info:
        hinge([Value(0.5), Value(0.2)], [1, label])
    assert str(info.value) == f"hinge: targets must be -1 or +1, got {label!r} at index 1"


@pytest.mark.parametrize("target", [-0.1, 1.5, -INF])
def test_bce_bad_targets(target):
    with pytest.raises(
        ValueError, match=rf"bce_with_logits: targets must lie in \[0, 1\], got {target!r} at index 1"
    ):
        bce_with_logits([Value(0.5), Value(0.2)], [1.0, target])


@pytest.mark.parametrize(
    "loss, torch_loss", [(mse, F.mse_loss), (bce_with_logits, F.binary_cross_entropy_with_logits)]
)
def test_a_nan_target_propagates_like_torch(loss, torch_loss):
    """bce_with_logits used to refuse a NaN target that mse passed through (issue 15, fault 10)."""
    targets = [1.0, NAN]
    out, _ = compare(lambda v: loss(v, targets), lambda t: torch_loss(t, tensor(targets)), [0.3, -1.2])
    assert math.isnan(out.data)


@pytest.mark.parametrize("fn", [logsumexp, softmax])
def test_empty_logits(fn):
    with pytest.raises(ValueError, match=f"{fn.__name__}: needs at least one logit"):
        fn([])


@pytest.mark.parametrize("fn", [logsumexp, softmax])
def test_a_logit_that_is_not_a_number_is_named(fn):
    with pytest.raises(TypeError, match=rf"{fn.__name__}: logits\[1\] must be a number or a Value, got str"):
        fn([1.0, "2"])


@pytest.mark.parametrize("target", [-1, 3, 10, 1.0, 0.5])
def test_cross_entropy_bad_target(target):
    with pytest.raises(
        ValueError, match=r"cross_entropy: targets\[1\] must be a class index \(an int in \[0, 3\)\)"
    ):
        cross_entropy([[0.5, 0.2, -1.0], [0.5, 0.2, -1.0]], [0, target])


@pytest.mark.parametrize("target", ["0", None, True])
def test_cross_entropy_target_that_is_not_a_number_is_a_type_error(target):
    with pytest.raises(TypeError, match=r"cross_entropy: targets\[0\] must be a class index \(an int\)"):
        cross_entropy([[Value(0.5), Value(0.2), Value(-1.0)]], [target])


def test_cross_entropy_accepts_a_numpy_integer_target():
    expected = cross_entropy([[0.5, 0.2]], [1]).data
    assert expected == pytest.approx(math.log(math.exp(0.5) + math.exp(0.2)) - 0.2, rel=1e-12)
    assert cross_entropy([[0.5, 0.2]], [np.int64(1)]).data == expected
    assert cross_entropy([[0.5, 0.2]], [np.array(1)]).data == expected  # a 0-d array, as validate counts it
    for bad in (np.True_, np.array(1.0), np.float64(1.0)):
        with pytest.raises(
            (TypeError, ValueError), match=r"cross_entropy: targets\[0\] must be a class index"
        ):
            cross_entropy([[0.5, 0.2]], [bad])


def test_numpy_bools_and_0d_arrays_are_numbers_in_every_loss():
    """As grad.validate counts them: np.bool_ and 0-d arrays used to be refused as preds and targets."""
    assert mse([np.array(2.0), np.True_], [np.array(1.0), np.False_]).data == 1.0
    assert hinge([np.array(0.5)], [np.array(1)]).data == 0.5
    assert l2([np.True_, np.array(2.0)]).data == 5.0
    assert logsumexp([np.array(0.0), np.False_]).data == math.log(2)
    assert [p.data for p in softmax([np.array(0.0), np.False_])] == [0.5, 0.5]


def test_cross_entropy_called_the_old_way_says_how_to_call_it():
    zs = [Value(0.5), Value(0.2)]
    for row in (zs, [0.5, 0.2], np.array([0.5, 0.2])):  # one row alone, of Values or of numbers
        with pytest.raises(
            TypeError, match=r"preds\[0\] must be a row of logits .*cross_entropy\(\[logits\], \[target\]\)"
        ):
            cross_entropy(row, [0])  # the hint, not "2 rows of logits but 1 targets" (fault 9)
    with pytest.raises(
        TypeError,
        match=r"targets must be a sequence of class indices.*cross_entropy\(\[logits\], \[target\]\)",
    ):
        cross_entropy(zs, 0)
    with pytest.raises(
        TypeError, match=r"preds\[0\] must be a row of logits .*cross_entropy\(\[logits\], \[target\]\)"
    ):
        cross_entropy(zs, [0, 1])
    with pytest.raises(TypeError, match="target"):
        cross_entropy(zs, target=0)  # the old keyword is gone


@pytest.mark.parametrize(
    "rows, targets, message",
    [
        ([[0.5, 0.2], [0.1]], [0, 0], r"cross_entropy: preds\[1\] has 1 logits but preds\[0\] has 2"),
        ([[0.5, 0.2]], [0, 1], r"cross_entropy: 1 rows of logits but 2 targets"),
        ([], [], r"cross_entropy: the batch is empty"),
        ([[]], [0], r"cross_entropy: preds\[0\] is empty"),
    ],
)
def test_cross_entropy_bad_batch(rows, targets, message):
    with pytest.raises(ValueError, match=message):
        cross_entropy(rows, targets)


def test_cross_entropy_a_logit_that_is_not_a_number_is_named():
    with pytest.raises(
        TypeError, match=r"cross_entropy: preds\[1\]\[0\] must be a number or a Value, got str"
    ):
        cross_entropy([[0.5, 0.2], ["x", 0.2]], [0, 1])


def test_l2_names_a_bad_parameter():
    with pytest.raises(TypeError, match=r"l2: params\[1\] must be a number or a Value, got NoneType"):
        l2([Value(1.0), None])


# ---------------------------------------------------------------------------
# unordered containers and huge ints
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: sse({Value(0.5): 1}, [1.0]), r"sse: preds must be a sequence .*dict has no order"),
        (lambda: mse([0.5, 1.0], {1.0, 2.0}), r"mse: targets must be a sequence .* has no order of its own"),
        (
            lambda: hinge({1: 0.5}.values(), [1]),
            r"hinge: preds must be a sequence .* has no order of its own",
        ),
        (
            lambda: bce_with_logits({0.5: 1}.keys(), [1.0]),
            r"bce_with_logits: preds must be a sequence .* has no order of its own",
        ),
        (
            lambda: cross_entropy([{5.0, 1.0}], [0]),
            r"cross_entropy: preds\[0\] must be a sequence .* has no order of its own",
        ),
        (
            lambda: cross_entropy([[5.0, 1.0]], {0: 0}),
            r"cross_entropy: targets must be a sequence .* has no order of its own",
        ),
        (
            lambda: cross_entropy(frozenset(), []),
            r"cross_entropy: preds must be a sequence .* has no order of its own",
        ),
        (lambda: logsumexp({1.0, 2.0}), r"logsumexp: logits must be a sequence .* has no order of its own"),
        (lambda: softmax({1.0: 0, 2.0: 1}), r"softmax: logits must be a sequence .* has no order of its own"),
        (lambda: l2({Value(1.0)}), r"l2: params must be a sequence .* has no order of its own"),  # as SGD
        (lambda: l2({Value(1.0): 0}), r"l2: params must be a sequence .* has no order of its own"),
    ],
)
def test_sets_and_dicts_are_refused_where_order_matters(call, message):
    with pytest.raises(TypeError, match=message):
        call()


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: logsumexp([1.0, 10**400]),
            r"logsumexp: logits\[1\]: an int of about 401 digits is too large",
        ),
        (
            lambda: cross_entropy([[0.0, 10**400]], [0]),
            r"cross_entropy: preds\[0\]\[1\]: an int of about 401",
        ),
    ],
)
def test_an_int_too_large_for_a_float_is_named(call, message):
    with pytest.raises(OverflowError, match=message):
        call()
